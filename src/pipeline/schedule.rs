//! The two schedulers: every stage in turn on one thread, or a reader
//! thread, rayon workers and the ordered writer overlapped.

use super::sink::Sink;
use super::writer::{Writer, write_stage};
use super::{BATCH_ROWS, RunError};
use crate::engine::{self, Env};
use crate::input::{self, Batch, Reject, RowContext};
use crate::loan::id_fingerprint;
use crate::output::ResultRow;
use crate::report::watch::Candidate;
use crate::report::{Line, Report};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

pub(super) type Assessed = Result<Result<ResultRow, Reject>, crate::deficiency::InvariantViolation>;

/// Rows one worker task takes at a time: enough to amortise the task, few
/// enough that a batch gives every thread several pieces.
pub(super) const PIECE_ROWS: usize = 512;

/// The end of one input file.
pub(super) struct FileEnd {
    pub(super) path: String,
    pub(super) rows: u64,
    pub(super) not_assessed: Vec<(String, u64)>,
    pub(super) warnings: Vec<String>,
}

/// What passes between the stages: a batch (its first `n` records are
/// live) with the header of its file, or the end of a file.
pub(super) enum Msg<T> {
    Batch(T, usize, std::sync::Arc<crate::input::Header>),
    End(FileEnd),
}

/// Run-wide facts every worker needs.
#[derive(Clone, Copy)]
pub(super) struct Job<'a> {
    pub(super) row_cx: RowContext<'a>,
    pub(super) env: Env<'a>,
    pub(super) ignored: &'a AtomicU64,
    /// Senior sales whose last_payment_date is the sale's date (with surplus).
    pub(super) payment_is_sale: &'a AtomicU64,
    /// Format results as CSV in the workers.
    pub(super) csv: bool,
    /// `--csv-safe`.
    pub(super) csv_safe: bool,
    /// Which loans the deadline watch keeps.
    pub(super) watch: Option<crate::report::watch::Span>,
}

/// One worker's share of a batch: its rows typed and assessed, in order,
/// with what the writer needs to keep its work small.
#[derive(Default)]
pub(super) struct Piece {
    pub(super) items: Vec<Assessed>,
    /// The loan id's fingerprint for each assessed row (0 for a reject).
    pub(super) hashes: Vec<u64>,
    /// With CSV output: the rows formatted, and where each item's bytes end.
    pub(super) csv: Vec<u8>,
    pub(super) ends: Vec<usize>,
    /// The report sums of the assessed rows.
    pub(super) tally: crate::report::tally::Tally,
    pub(super) fields: input::Fields,
}

impl Piece {
    /// Types, assesses, fingerprints, formats and tallies `rows` of `batch`.
    pub(super) fn fill(
        &mut self,
        batch: &Batch,
        rows: std::ops::Range<usize>,
        header: &crate::input::Header,
        job: Job,
    ) {
        let Piece { items, hashes, csv, ends, tally, fields } = self;
        items.clear();
        hashes.clear();
        csv.clear();
        ends.clear();
        batch.visit(rows, fields, &mut Filler { items, hashes, csv, ends, tally, header, job });
    }
}

/// What a worker does with each record of its piece.
pub(super) struct Filler<'a> {
    pub(super) items: &'a mut Vec<Assessed>,
    pub(super) hashes: &'a mut Vec<u64>,
    pub(super) csv: &'a mut Vec<u8>,
    pub(super) ends: &'a mut Vec<usize>,
    pub(super) tally: &'a mut crate::report::tally::Tally,
    pub(super) header: &'a crate::input::Header,
    pub(super) job: Job<'a>,
}

impl input::Visit for Filler<'_> {
    fn record<C: input::Cells + ?Sized>(&mut self, rec: &C, row: u64, line: Option<u64>) {
        self.push(assess_parsed(self.header.parse_row(rec, row, line, self.job.row_cx), row, line, self.job));
    }
    fn line(&mut self, rec: input::Line<'_>) {
        let (row, line) = rec.position();
        self.push(assess_parsed(self.header.parse_line(rec, self.job.row_cx), row, Some(line), self.job));
    }
    fn columns(&mut self, cols: &input::columns::Columns, rows: std::ops::Range<usize>) {
        let mut typed = Vec::with_capacity(rows.len());
        self.header.parse_columns(cols, rows.clone(), self.job.row_cx, &mut typed);
        for (parsed, r) in typed.into_iter().zip(rows) {
            self.push(assess_parsed(parsed, cols.row(r), None, self.job));
        }
    }
}

impl Filler<'_> {
    /// Formats, fingerprints and tallies one assessed record.
    fn push(&mut self, item: Assessed) {
        let mut hash = 0;
        if let Ok(Ok(r)) = &item {
            hash = id_fingerprint(&r.loan_id);
            if self.job.csv {
                crate::output::results::csv_row(r, self.csv, self.job.csv_safe);
            }
            self.tally.add(&Line::of(r));
            self.tally.watch(self.job.watch, &Candidate::of(r));
        }
        self.hashes.push(hash);
        self.ends.push(self.csv.len());
        self.items.push(item);
    }
}

/// Assesses the first `n` records of `batch` into `pieces`: in parallel on
/// `pool`, or in turn on this thread.
pub(super) fn assess_batch(
    batch: &Batch,
    n: usize,
    header: &crate::input::Header,
    pieces: &mut Vec<Piece>,
    job: Job,
    pool: Option<&rayon::ThreadPool>,
) -> usize {
    let count = n.div_ceil(PIECE_ROWS);
    if pieces.len() < count {
        pieces.resize_with(count, Piece::default);
    }
    let work = |(k, p): (usize, &mut Piece)| p.fill(batch, k * PIECE_ROWS..n.min((k + 1) * PIECE_ROWS), header, job);
    match pool {
        Some(pool) => pool.install(|| pieces[..count].par_iter_mut().enumerate().for_each(work)),
        None => pieces[..count].iter_mut().enumerate().for_each(work),
    }
    count
}

/// `--threads N` (N ≥ 2): three overlapping stages. A reader thread fills
/// batches of records; this thread has the pool of N workers type, assess
/// and format each batch; a writer thread writes results in input order and
/// adds up the report. Batches are recycled, so memory stays flat.
pub(super) fn run_pipelined(
    sources: &mut [Box<dyn input::RecordSource>],
    writer: Writer,
    pool: &rayon::ThreadPool,
    job: Job,
) -> Result<(Sink, Report), RunError> {
    std::thread::scope(|scope| -> Result<(Sink, Report), RunError> {
        let (raw_tx, raw_rx) = mpsc::sync_channel::<Msg<Batch>>(2);
        let (spare_tx, spare_rx) = mpsc::channel::<Batch>();
        let (out_tx, out_rx) = mpsc::sync_channel::<Msg<(Vec<Piece>, usize)>>(2);
        let (done_tx, done_rx) = mpsc::channel::<Vec<Piece>>();
        for _ in 0..3 {
            let _ = spare_tx.send(Batch::default());
        }
        let reader_spare_tx = spare_tx.clone();
        let reader = scope.spawn(move || -> Result<(), RunError> {
            let spare_tx = reader_spare_tx;
            for src in sources.iter_mut() {
                let mut rows = 0u64;
                let header = std::sync::Arc::new(src.header().clone());
                loop {
                    let Ok(mut batch) = spare_rx.recv() else { return Ok(()) };
                    let n = src.next_batch(&mut batch, BATCH_ROWS)?;
                    if n == 0 {
                        let _ = spare_tx.send(batch);
                        break;
                    }
                    rows += n as u64;
                    if raw_tx.send(Msg::Batch(batch, n, header.clone())).is_err() {
                        return Ok(());
                    }
                }
                let end = FileEnd {
                    path: src.header().path.clone(),
                    rows,
                    not_assessed: src.not_assessed(),
                    warnings: src.warnings(),
                };
                if raw_tx.send(Msg::End(end)).is_err() {
                    return Ok(());
                }
            }
            Ok(())
        });
        let writer = scope.spawn(move || write_stage(writer, out_rx, done_tx).map(Writer::finish));
        for msg in raw_rx.iter() {
            let out = match msg {
                Msg::End(end) => Msg::End(end),
                Msg::Batch(batch, n, header) => {
                    let mut pieces = done_rx.try_recv().unwrap_or_default();
                    let count = assess_batch(&batch, n, &header, &mut pieces, job, Some(pool));
                    let _ = spare_tx.send(batch);
                    Msg::Batch((pieces, count), n, header)
                }
            };
            if out_tx.send(out).is_err() {
                break; // the writer stopped: its error is reported below
            }
        }
        drop(out_tx);
        drop(spare_tx);
        let written = writer.join().map_err(|_| RunError::Internal("the writer thread panicked".into()))?;
        drop(raw_rx);
        let read = reader.join().map_err(|_| RunError::Internal("the reader thread panicked".into()))?;
        let (sink, report) = written?;
        read?;
        Ok((sink, report))
    })
}

/// Assesses one typed record; a reject passes through.
pub(super) fn assess_parsed(parsed: Result<input::Parsed, Reject>, row: u64, line: Option<u64>, job: Job) -> Assessed {
    let parsed = match parsed {
        Ok(p) => p,
        Err(rej) => return Ok(Err(rej)),
    };
    if parsed.ignored_sale_price {
        job.ignored.fetch_add(1, Ordering::Relaxed);
    }
    if parsed.last_payment_is_sale {
        job.payment_is_sale.fetch_add(1, Ordering::Relaxed);
    }
    engine::assess(&parsed.loan, job.env).map(|a| Ok(ResultRow::new(row, line, parsed.loan, a)))
}

/// `--threads 1`: every stage in turn on this one thread.
pub(super) fn run_sequential(
    sources: &mut [Box<dyn input::RecordSource>],
    mut w: Writer,
    job: Job,
) -> Result<(Sink, Report), RunError> {
    let mut batch = Batch::default();
    let mut pieces: Vec<Piece> = Vec::new();
    for src in sources.iter_mut() {
        let header = src.header().clone();
        let mut rows = 0u64;
        loop {
            let n = src.next_batch(&mut batch, BATCH_ROWS)?;
            if n == 0 {
                break;
            }
            rows += n as u64;
            let count = assess_batch(&batch, n, &header, &mut pieces, job, None);
            w.batch(&mut pieces[..count], &header)?;
        }
        w.end_file(FileEnd {
            path: header.path.clone(),
            rows,
            not_assessed: src.not_assessed(),
            warnings: src.warnings(),
        });
    }
    Ok(w.finish())
}
