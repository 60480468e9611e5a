//! A run of `deficiency assess`: the only place that knows the order.
//!
//! For each input: read a batch of records, type and assess them in
//! parallel (rayon, on a pool of `threads`), then — on one writer thread, in
//! input order — drop duplicate loan ids, write results and rejects, and add
//! each loan to the report. With `--threads 1` the same stages run in turn on
//! one thread; with more, reading, assessing and writing overlap. Outputs are
//! written to temporary files and renamed into place only when the run
//! succeeds; totals are values added up, so any thread count gives the same
//! bytes.
#![allow(clippy::result_large_err)] // rows carry a `Reject` unboxed (see `input`)

use crate::engine::{self, Env};
use crate::holidays::HolidayCalendar;
use crate::input::{self, Assumption, Batch, InputError, Layout, Reject, RowContext};
use crate::output::ResultRow;
use crate::output::atomic::AtomicFile;
use crate::output::rejects::RejectsWriter;
use crate::output::results::{CsvResults, Format, JsonlResults, ResultWriter};
use crate::report::{InputInfo, Line, Report, ReportFormat};
use crate::settings::Settings;
use chrono::NaiveDate;
use rayon::prelude::*;
use std::hash::{Hash, Hasher};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Rows assessed per parallel batch.
pub const BATCH_ROWS: usize = 8 * 1024;

/// Everything a run needs, parsed once from the command line.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub inputs: Vec<String>,
    pub layout: Layout,
    /// `None`: results to stdout as CSV.
    pub out: Option<PathBuf>,
    pub reports: Vec<PathBuf>,
    /// `None`: beside `out` as `<stem>.rejects.csv`, or stderr.
    pub rejects: Option<PathBuf>,
    pub as_of: NaiveDate,
    pub threads: usize,
    pub settings: Settings,
    pub assumptions: Vec<Assumption>,
    pub max_rejects: Option<u64>,
    pub progress: bool,
}

/// What a finished run reports on stderr.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// Every input file given, in order (an agency layout's acquisition and
    /// origination files included).
    pub inputs: Vec<String>,
    pub report: Report,
    pub elapsed: Duration,
    pub written: Vec<PathBuf>,
    pub warnings: Vec<String>,
}

/// A run that stopped (exit 2); nothing is left at any output path.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Input(#[from] InputError),
    #[error("{path}: cannot write: {source}")]
    Write { path: String, source: io::Error },
    #[error("{0}")]
    Usage(String),
    /// The reader of stdout (or stderr) went away, as `| head` does: the run
    /// stops quietly and writes nothing more (exit 0, like ripgrep).
    #[error("output closed by the reader")]
    ClosedPipe,
    #[error("internal error (please report): {0}")]
    Internal(String),
    #[error("stopped: {rejected} rows rejected, more than --max-rejects {max}; last: {last}")]
    TooManyRejects { rejected: u64, max: u64, last: String },
    #[error("internal error (please report): {0}")]
    Invariant(#[from] crate::deficiency::InvariantViolation),
}

/// Where the rejects go when `--rejects` is not given.
pub fn default_rejects_path(out: &std::path::Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = name.split('.').next().unwrap_or("results");
    let stem = if stem.is_empty() { "results" } else { stem };
    out.with_file_name(format!("{stem}.rejects.csv"))
}

/// The results writer. CSV rows are formatted by the workers and written
/// here as bytes; other formats are written row by row.
enum Results {
    Csv(CsvResults<Box<dyn Write + Send>>),
    Rows(Box<dyn ResultWriter>),
}

impl Results {
    fn is_csv(&self) -> bool {
        matches!(self, Results::Csv(_))
    }
    fn finish(self) -> io::Result<()> {
        match self {
            Results::Csv(w) => Box::new(w).finish(),
            Results::Rows(w) => w.finish(),
        }
    }
}

struct Sink {
    results: Results,
    results_file: Option<AtomicFile>,
    rejects: RejectsWriter<Box<dyn Write + Send>>,
    rejects_file: Option<AtomicFile>,
}

fn wr(path: &std::path::Path) -> impl Fn(io::Error) -> RunError + '_ {
    move |source| write_error(path.display().to_string(), source)
}

/// A write failed: a closed pipe stops the run quietly, anything else is fatal.
fn write_error(path: String, source: io::Error) -> RunError {
    if source.kind() == io::ErrorKind::BrokenPipe { RunError::ClosedPipe } else { RunError::Write { path, source } }
}

impl Sink {
    fn open(cfg: &RunConfig) -> Result<Sink, RunError> {
        let (results, results_file) = match &cfg.out {
            None => {
                let out: Box<dyn Write + Send> = Box::new(io::BufWriter::with_capacity(1 << 20, io::stdout()));
                (Results::Csv(CsvResults::new(out).map_err(wr(std::path::Path::new("-")))?), None)
            }
            Some(p) => {
                let mut f = AtomicFile::create(p).map_err(wr(p))?;
                let w = f.writer().map_err(wr(p))?;
                let rw = match Format::from_path(p) {
                    Some(Format::Csv) => {
                        Results::Csv(CsvResults::new(Box::new(w) as Box<dyn Write + Send>).map_err(wr(p))?)
                    }
                    Some(Format::Jsonl) => Results::Rows(Box::new(JsonlResults::new(w))),
                    Some(Format::Parquet) => {
                        Results::Rows(Box::new(crate::output::parquet::ParquetResults::new(w).map_err(wr(p))?))
                    }
                    None => {
                        return Err(RunError::Usage(format!(
                            "{}: unknown results format (use .csv, .jsonl or .parquet)",
                            p.display()
                        )));
                    }
                };
                (rw, Some(f))
            }
        };
        let rejects_path = cfg.rejects.clone().or_else(|| cfg.out.as_deref().map(default_rejects_path));
        let (rejects, rejects_file): (RejectsWriter<Box<dyn Write + Send>>, _) = match rejects_path {
            None => (RejectsWriter::lazy(Box::new(io::stderr()) as Box<dyn Write + Send>), None),
            Some(p) => {
                let mut f = AtomicFile::create(&p).map_err(wr(&p))?;
                let w: Box<dyn Write + Send> = Box::new(f.writer().map_err(wr(&p))?);
                (RejectsWriter::new(w).map_err(wr(&p))?, Some(f))
            }
        };
        Ok(Sink { results, results_file, rejects, rejects_file })
    }
}

/// Runs `assess`.
pub fn run(cfg: &RunConfig) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    for p in &cfg.reports {
        if ReportFormat::from_path(p).is_none() {
            return Err(RunError::Usage(format!(
                "{}: unknown report format (use .json, .md, .html or .csv)",
                p.display()
            )));
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads.max(1))
        .build()
        .map_err(|e| RunError::Internal(format!("cannot start {} threads: {e}", cfg.threads)))?;
    let calendar = HolidayCalendar::embedded();
    let env = Env { settings: &cfg.settings, calendar, as_of: cfg.as_of };
    // Open every input first: a missing column is fatal before anything is written.
    let mut sources = input::open(&cfg.inputs, cfg.layout)?;
    let mut warnings = Vec::new();
    for src in &sources {
        let h = src.header();
        if !h.unknown.is_empty() {
            warnings.push(format!("{}: ignoring unknown column(s): {}", h.path, h.unknown.join(", ")));
        }
    }
    let sink = Sink::open(cfg)?;
    let mut report = Report { as_of: Some(cfg.as_of), ..Report::default() };
    report.settings = cfg.settings.docs().into_iter().map(|d| (d.name.to_string(), d.value)).collect();
    report.calendar = Some((calendar.version().to_string(), calendar.first_year(), calendar.last_year()));
    let progress = cfg.progress.then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        pb
    });
    let row_cx = RowContext { as_of: cfg.as_of, assumptions: &cfg.assumptions };
    let ignored = AtomicU64::new(0);

    let job = Job { row_cx, env, ignored: &ignored, csv: sink.results.is_csv() };
    let writer = Writer::new(cfg, sink, report, progress);
    let (sink, mut report) = if cfg.threads <= 1 {
        run_sequential(&mut sources, writer, job)?
    } else {
        run_pipelined(&mut sources, writer, &pool, job)?
    };
    warnings.append(&mut report.warnings);
    let ignored_sale_price = ignored.into_inner();
    if ignored_sale_price > 0 {
        warnings.push(format!(
            "{ignored_sale_price} senior_sale row(s) had a sale_price; it is ignored for a senior_sale"
        ));
    }
    // Render reports before committing anything, so a failure leaves nothing.
    let mut report_files = Vec::new();
    for p in &cfg.reports {
        let fmt = ReportFormat::from_path(p)
            .ok_or_else(|| RunError::Usage(format!("{}: unknown report format", p.display())))?;
        let text = fmt.render(&report).map_err(|m| RunError::Internal(format!("{}: {m}", p.display())))?;
        let mut f = AtomicFile::create(p).map_err(wr(p))?;
        {
            let mut w = f.writer().map_err(wr(p))?;
            w.write_all(text.as_bytes()).map_err(wr(p))?;
            w.flush().map_err(wr(p))?;
        }
        report_files.push(f);
    }
    let Sink { results, results_file, rejects, rejects_file } = sink;
    results.finish().map_err(|e| out_err(cfg, e))?;
    let mut rw = rejects.finish().map_err(wr(std::path::Path::new("rejects")))?;
    rw.flush().map_err(wr(std::path::Path::new("rejects")))?;
    drop(rw);
    let mut written = Vec::new();
    for f in results_file.into_iter().chain(rejects_file).chain(report_files) {
        let p = f.path().to_path_buf();
        f.commit().map_err(wr(&p))?;
        written.push(p);
    }
    Ok(RunSummary { inputs: cfg.inputs.clone(), report, elapsed: started.elapsed(), written, warnings })
}

/// A typed and assessed row, a rejected row, or a broken invariant (a bug).
type Assessed = Result<Result<ResultRow, Reject>, crate::deficiency::InvariantViolation>;

/// Rows one worker task takes at a time: enough to amortise the task, few
/// enough that a batch gives every thread several pieces.
const PIECE_ROWS: usize = 512;

/// The end of one input file.
struct FileEnd {
    path: String,
    rows: u64,
    not_assessed: Vec<(String, u64)>,
    warnings: Vec<String>,
}

/// What passes between the stages: a batch (its first `n` records are
/// live) with the header of its file, or the end of a file.
enum Msg<T> {
    Batch(T, usize, std::sync::Arc<crate::input::Header>),
    End(FileEnd),
}

/// Run-wide facts every worker needs.
#[derive(Clone, Copy)]
struct Job<'a> {
    row_cx: RowContext<'a>,
    env: Env<'a>,
    ignored: &'a AtomicU64,
    /// Format results as CSV in the workers.
    csv: bool,
}

/// One worker's share of a batch: its rows typed and assessed, in order,
/// with what the writer needs to keep its work small.
#[derive(Default)]
struct Piece {
    items: Vec<Assessed>,
    /// The loan id's fingerprint for each assessed row (0 for a reject).
    hashes: Vec<u64>,
    /// With CSV output: the rows formatted, and where each item's bytes end.
    csv: Vec<u8>,
    ends: Vec<usize>,
    /// The report sums of the assessed rows.
    tally: crate::report::tally::Tally,
    fields: input::Fields,
}

impl Piece {
    /// Types, assesses, fingerprints, formats and tallies `rows` of `batch`.
    fn fill(&mut self, batch: &Batch, rows: std::ops::Range<usize>, header: &crate::input::Header, job: Job) {
        let Piece { items, hashes, csv, ends, tally, fields } = self;
        items.clear();
        hashes.clear();
        csv.clear();
        ends.clear();
        batch.visit(rows, fields, &mut Filler { items, hashes, csv, ends, tally, header, job });
    }
}

/// What a worker does with each record of its piece.
struct Filler<'a> {
    items: &'a mut Vec<Assessed>,
    hashes: &'a mut Vec<u64>,
    csv: &'a mut Vec<u8>,
    ends: &'a mut Vec<usize>,
    tally: &'a mut crate::report::tally::Tally,
    header: &'a crate::input::Header,
    job: Job<'a>,
}

impl input::Visit for Filler<'_> {
    fn record<C: input::Cells + ?Sized>(&mut self, rec: &C, row: u64, line: Option<u64>) {
        let item = assess_record(self.header, rec, row, line, self.job);
        let mut hash = 0;
        if let Ok(Ok(r)) = &item {
            hash = id_hash(&r.loan_id);
            if self.job.csv {
                crate::output::results::csv_row(r, self.csv);
            }
            self.tally.add(&Line::of(r));
        }
        self.hashes.push(hash);
        self.ends.push(self.csv.len());
        self.items.push(item);
    }
}

/// Assesses the first `n` records of `batch` into `pieces`: in parallel on
/// `pool`, or in turn on this thread.
fn assess_batch(
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
fn run_pipelined(
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
        let writer = scope.spawn(move || write_stage(writer, out_rx, done_tx));
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
        let written =
            writer.join().map_err(|_| RunError::Internal("the writer thread panicked".into()))?;
        drop(raw_rx);
        let read = reader.join().map_err(|_| RunError::Internal("the reader thread panicked".into()))?;
        let (sink, report) = written?;
        read?;
        Ok((sink, report))
    })
}

/// The writer stage: in input order, drops duplicate loan ids, writes
/// results and rejects, and adds each batch's sums to the report.
struct Writer<'a> {
    cfg: &'a RunConfig,
    sink: Sink,
    report: Report,
    seen: FingerprintSet,
    /// Scratch: per row of a piece, whether its loan id was new.
    fresh: Vec<bool>,
    tally: crate::report::tally::Tally,
    progress: Option<indicatif::ProgressBar>,
    /// Warnings the sources gave at the end of their files.
    warnings: Vec<String>,
}

impl<'a> Writer<'a> {
    fn new(cfg: &'a RunConfig, sink: Sink, report: Report, progress: Option<indicatif::ProgressBar>) -> Self {
        Writer {
            cfg,
            sink,
            report,
            seen: FingerprintSet::default(),
            fresh: Vec::new(),
            tally: Default::default(),
            progress,
            warnings: Vec::new(),
        }
    }

    fn end_file(&mut self, end: FileEnd) {
        self.report.inputs.push(InputInfo { path: end.path, rows: end.rows });
        for (k, n) in end.not_assessed {
            *self.report.not_assessed.entry(k).or_default() += n;
        }
        self.warnings.extend(end.warnings);
    }

    /// Writes the assessed pieces of one batch, in order, leaving them empty
    /// for reuse.
    fn batch(&mut self, pieces: &mut [Piece], header: &crate::input::Header) -> Result<(), RunError> {
        for piece in pieces {
            self.piece(piece, header)?;
        }
        if let Some(pb) = &self.progress {
            pb.set_message(format!("{} rows", self.report.rows.read));
            pb.tick();
        }
        Ok(())
    }

    fn piece(&mut self, piece: &mut Piece, header: &crate::input::Header) -> Result<(), RunError> {
        let cfg = self.cfg;
        self.tally.absorb(&mut piece.tally);
        // Which assessed rows are the first with their loan id, in order.
        let items = &piece.items;
        self.seen.insert_all(&piece.hashes, |j| matches!(items[j], Ok(Ok(_))), &mut self.fresh);
        // CSV bytes not yet written start here.
        let mut pending = 0;
        // Rows are read in place (the next fill of this piece frees them).
        for (j, item) in piece.items.iter().enumerate() {
            self.report.rows.read += 1;
            let duplicate;
            let rej = match item {
                Err(bug) => return Err(bug.clone().into()),
                Ok(Ok(row)) if self.fresh[j] => {
                    if let Results::Rows(w) = &mut self.sink.results {
                        w.write(row).map_err(|e| out_err(cfg, e))?;
                    }
                    self.report.rows.assessed += 1;
                    continue;
                }
                Ok(Ok(row)) => {
                    // A duplicate: the worker wrote and tallied it; take it out.
                    self.tally.remove(&Line::of(row));
                    if let Results::Csv(w) = &mut self.sink.results {
                        let begin = j.checked_sub(1).map_or(0, |p| piece.ends[p]);
                        w.write_raw(&piece.csv[pending..begin]).map_err(|e| out_err(cfg, e))?;
                    }
                    pending = piece.ends[j];
                    duplicate = Reject {
                        file: header.path.clone(),
                        row: row.row,
                        line: row.line,
                        loan_id: Some(row.loan_id.clone()),
                        column: "loan_id".into(),
                        value: row.loan_id.clone(),
                        error: "duplicates an earlier loan_id in this run; the first was kept".into(),
                    };
                    &duplicate
                }
                Ok(Err(rej)) => rej,
            };
            self.report.rows.rejected += 1;
            self.sink.rejects.write(rej).map_err(wr(std::path::Path::new("rejects")))?;
            if let Some(max) = cfg.max_rejects
                && self.report.rows.rejected > max
            {
                return Err(RunError::TooManyRejects {
                    rejected: self.report.rows.rejected,
                    max,
                    last: rej.to_string(),
                });
            }
        }
        if let Results::Csv(w) = &mut self.sink.results {
            w.write_raw(&piece.csv[pending..]).map_err(|e| out_err(cfg, e))?;
        }
        Ok(())
    }

    fn finish(self) -> (Sink, Report) {
        if let Some(pb) = self.progress {
            pb.finish_and_clear();
        }
        let mut report = self.report;
        self.tally.fold_into(&mut report);
        report.warnings = self.warnings;
        (self.sink, report)
    }
}

/// Runs the writer stage on its own thread, fed by a channel.
fn write_stage(
    mut w: Writer,
    rx: mpsc::Receiver<Msg<(Vec<Piece>, usize)>>,
    done: mpsc::Sender<Vec<Piece>>,
) -> Result<(Sink, Report), RunError> {
    for msg in rx.iter() {
        match msg {
            Msg::End(end) => w.end_file(end),
            Msg::Batch((mut pieces, count), _, header) => {
                w.batch(&mut pieces[..count], &header)?;
                let _ = done.send(pieces);
            }
        }
    }
    Ok(w.finish())
}

/// Types and assesses one record.
fn assess_record<C: input::Cells + ?Sized>(
    header: &crate::input::Header,
    rec: &C,
    row: u64,
    line: Option<u64>,
    job: Job,
) -> Assessed {
    let parsed = match header.parse_row(rec, row, line, job.row_cx) {
        Ok(p) => p,
        Err(rej) => return Ok(Err(rej)),
    };
    if parsed.ignored_sale_price {
        job.ignored.fetch_add(1, Ordering::Relaxed);
    }
    engine::assess(&parsed.loan, job.env).map(|a| Ok(ResultRow::new(row, line, parsed.loan, a)))
}

/// `--threads 1`: every stage in turn on this one thread.
fn run_sequential(
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

/// A set of 64-bit fingerprints in 65,536 sorted vectors chosen by the top
/// 16 bits. A vector grows by an eighth at a time, so the set costs about 8–9
/// bytes per loan (about 90 MB at 10 million loans) plus 1.5 MB; an insert is
/// a binary search and a short move (about 150 entries per vector at 10
/// million loans).
struct FingerprintSet {
    shards: Vec<Vec<u64>>,
}

impl Default for FingerprintSet {
    fn default() -> Self {
        FingerprintSet { shards: vec![Vec::new(); 1 << 16] }
    }
}

impl FingerprintSet {
    /// Adds each of `hashes` for which `take` is true, in order, writing
    /// into `fresh` whether it was new. The vectors are scattered over the
    /// heap, so each lookup would wait on memory: this asks for the vector
    /// a few rows ahead while working on the current one.
    fn insert_all(&mut self, hashes: &[u64], take: impl Fn(usize) -> bool, fresh: &mut Vec<bool>) {
        const AHEAD_HEADER: usize = 16;
        const AHEAD_DATA: usize = 6;
        fresh.clear();
        for (j, &h) in hashes.iter().enumerate() {
            if let Some(&next) = hashes.get(j + AHEAD_HEADER) {
                prefetch(&self.shards[(next >> 48) as usize]);
            }
            if let Some(&next) = hashes.get(j + AHEAD_DATA) {
                let shard = &self.shards[(next >> 48) as usize];
                let n = shard.len();
                for k in [n / 4, n / 2, 3 * n / 4] {
                    if let Some(x) = shard.get(k) {
                        prefetch(x);
                    }
                }
            }
            fresh.push(take(j) && self.insert(h));
        }
    }

    /// Adds `h`; false if it was already there.
    fn insert(&mut self, h: u64) -> bool {
        let shard = &mut self.shards[(h >> 48) as usize];
        match shard.binary_search(&h) {
            Ok(_) => false,
            Err(i) => {
                if shard.len() == shard.capacity() {
                    shard.reserve_exact((shard.len() / 8).max(4));
                }
                shard.insert(i, h);
                true
            }
        }
    }
}

/// Asks the CPU to bring `x` into cache; a hint with no effect on results.
#[inline(always)]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and does not change memory; `x` is a
    // valid reference anyway.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((x as *const T).cast::<i8>())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

fn out_err(cfg: &RunConfig, e: io::Error) -> RunError {
    write_error(cfg.out.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "stdout".into()), e)
}

/// A 64-bit fingerprint of a loan id (std's SipHash with its fixed default
/// keys), so the duplicate check holds 8 bytes per loan however long the ids
/// are. Two different ids share a fingerprint with probability about n²/2^65
/// (3 in a million at 10 million loans); such a row would be rejected as a
/// duplicate, never lost.
fn id_hash(id: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_set_finds_repeats_across_growth() {
        let mut set = FingerprintSet::default();
        for i in 0..200_000u64 {
            assert!(set.insert(id_hash(&format!("L{i}"))), "{i}");
        }
        for i in (0..200_000u64).step_by(7) {
            assert!(!set.insert(id_hash(&format!("L{i}"))), "{i}");
        }
        assert!(
            set.insert(0)
                && !set.insert(0)
                && set.insert(1)
                && !set.insert(1)
                && set.insert(u64::MAX)
                && !set.insert(u64::MAX)
        );
        // In bulk: repeats within the list and against the set; skipped rows are not added.
        let mut fresh = Vec::new();
        let hashes = [7, 8, 7, 0, 9, 9, 10];
        set.insert_all(&hashes, |j| j != 6, &mut fresh);
        assert_eq!(fresh, [true, true, false, false, true, false, false]);
        set.insert_all(&[10], |_| true, &mut fresh);
        assert_eq!(fresh, [true]);
    }
}
