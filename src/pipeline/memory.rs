//! A run in memory, for callers that hold the input rather than a file
//! (the Python package, README "From Python and Spark"): the same typing,
//! assessment, duplicate check and report as `deficiency assess`, with
//! results and rejects handed back as DataFrames instead of written.
//!
//! A [`Session`] is one run: each [`Session::assess`] call reads one source
//! (a whole table, or the next batch of a stream) and returns its results
//! at once; loan ids are checked for duplicates across every call, and the
//! report ([`Session::report`]) adds up every call, so a stream of batches
//! gives what one file of the same rows gives.

use super::duplicates::FingerprintSet;
use super::schedule::{FileEnd, Job, Msg, Piece, assess_batch};
use super::sink::{Rejects, Results, Sink};
use super::writer::{Writer, write_stage};
use super::{BATCH_ROWS, RunConfig, RunError, WORKER_STACK};
use crate::engine::Env;
use crate::holidays::HolidayCalendar;
use crate::input::{Batch, Layout, RecordSource, Reject, RowContext};
use crate::output::frame::{ResultFrame, rejects_frame};
use crate::report::Report;
use crate::report::tally::Tally;
use crate::settings::Settings;
use chrono::NaiveDate;
use polars::prelude::DataFrame;
use std::sync::atomic::AtomicU64;
use std::sync::mpsc;

/// What one [`Session::assess`] call gives back.
#[derive(Debug)]
pub struct Assessed {
    /// The results rows in input order, typed as Parquet results are
    /// ([`crate::output::parquet::schema`]).
    pub results: DataFrame,
    /// The rejected rows (duplicate loan ids included), in input order.
    pub rejects: Vec<Reject>,
}

impl Assessed {
    /// The rejects as a DataFrame of the rejects file's columns.
    pub fn rejects_frame(&self) -> Result<DataFrame, RunError> {
        rejects_frame(&self.rejects).map_err(|e| RunError::Internal(e.to_string()))
    }
}

/// One run over sources given one at a time.
pub struct Session {
    cfg: RunConfig,
    pool: rayon::ThreadPool,
    report: Report,
    seen: FingerprintSet,
    tally: Tally,
    warnings: Vec<String>,
    ignored: AtomicU64,
    payment_is_sale: AtomicU64,
    /// Scratch kept between calls.
    batch: Batch,
    pieces: Vec<Piece>,
}

impl Session {
    /// A run as of `as_of` with `settings` and `assumptions`, on `threads`
    /// worker threads (0: one per core), with the deadline watch of
    /// `watch_days` (empty: the default windows).
    pub fn new(
        as_of: NaiveDate,
        settings: Settings,
        assumptions: Vec<crate::input::Assumption>,
        threads: usize,
        watch_days: Vec<u32>,
    ) -> Result<Session, RunError> {
        let threads = if threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { threads };
        let watch_days = if watch_days.is_empty() { crate::report::watch::DEFAULT_DAYS.to_vec() } else { watch_days };
        let cfg = RunConfig {
            inputs: Vec::new(),
            layout: Layout::Native,
            out: None,
            reports: Vec::new(),
            rejects: None,
            as_of,
            threads,
            settings,
            assumptions,
            max_rejects: None,
            progress: false,
            csv_safe: false,
            watch_days,
            map: None,
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .stack_size(WORKER_STACK)
            .build()
            .map_err(|e| RunError::Internal(format!("cannot start {threads} threads: {e}")))?;
        let report = super::new_report(&cfg, HolidayCalendar::embedded());
        Ok(Session {
            cfg,
            pool,
            report,
            seen: FingerprintSet::default(),
            tally: Tally::default(),
            warnings: Vec::new(),
            ignored: AtomicU64::new(0),
            payment_is_sale: AtomicU64::new(0),
            batch: Batch::default(),
            pieces: Vec::new(),
        })
    }

    /// Assesses every row of `src`. Rows of a source named as the previous
    /// one count as the same input in the report (a stream's batches).
    pub fn assess(&mut self, src: &mut dyn RecordSource) -> Result<Assessed, RunError> {
        let header = src.header().clone();
        if self.report.inputs.last().is_none_or(|i| i.path != header.path) {
            self.warnings.extend(super::unknown_columns(&header));
        }
        let sink = Sink {
            results: Results::Frame(ResultFrame::default()),
            results_file: None,
            rejects: Rejects::Memory(Vec::new()),
            rejects_file: None,
            rejects_name: "rejects".into(),
        };
        let cfg = &self.cfg;
        let job = Job {
            row_cx: RowContext { as_of: cfg.as_of, assumptions: &cfg.assumptions },
            env: Env { settings: &cfg.settings, calendar: HolidayCalendar::embedded(), as_of: cfg.as_of },
            ignored: &self.ignored,
            payment_is_sale: &self.payment_is_sale,
            csv: false,
            csv_safe: false,
            watch: self.report.watch.span(),
        };
        let w = Writer {
            cfg,
            sink,
            report: std::mem::take(&mut self.report),
            seen: std::mem::take(&mut self.seen),
            fresh: Vec::new(),
            tally: std::mem::take(&mut self.tally),
            progress: None,
            warnings: Vec::new(),
        };
        // Two stages overlap, as on the command line: this thread reads a
        // batch and has the pool assess it while the writer stage takes the
        // previous batch's rows in order (duplicates, results, tallies).
        let (batch, pool, spare) = (&mut self.batch, &self.pool, &mut self.pieces);
        let header = std::sync::Arc::new(header);
        let w = std::thread::scope(|scope| -> Result<Writer, RunError> {
            let (tx, rx) = mpsc::sync_channel::<Msg<(Vec<Piece>, usize)>>(1);
            let (back_tx, back_rx) = mpsc::channel::<Vec<Piece>>();
            let writer = scope.spawn(move || write_stage(w, rx, back_tx));
            let mut rows = 0u64;
            let mut free = vec![std::mem::take(spare)];
            let read = loop {
                let n = match src.next_batch(batch, BATCH_ROWS) {
                    Ok(0) => {
                        let end = FileEnd {
                            path: header.path.clone(),
                            rows,
                            not_assessed: src.not_assessed(),
                            warnings: src.warnings(),
                        };
                        let _ = tx.send(Msg::End(end));
                        break Ok(());
                    }
                    Ok(n) => n,
                    Err(e) => break Err(e),
                };
                rows += n as u64;
                free.extend(back_rx.try_iter());
                let mut pieces = free.pop().unwrap_or_default();
                let count = assess_batch(batch, n, &header, &mut pieces, job, Some(pool));
                if tx.send(Msg::Batch((pieces, count), n, header.clone())).is_err() {
                    break Ok(()); // the writer stopped: its error is returned below
                }
            };
            drop(tx);
            let w = writer.join().map_err(|_| RunError::Internal("the writer thread panicked".into()))??;
            free.extend(back_rx.try_iter());
            *spare = free.pop().unwrap_or_default();
            read?;
            Ok(w)
        })?;
        let Writer { sink, mut report, seen, tally, warnings, .. } = w;
        // A stream's batches are one input.
        if let [.., a, b] = report.inputs.as_mut_slice()
            && a.path == b.path
        {
            a.rows += b.rows;
            report.inputs.pop();
        }
        self.report = report;
        self.seen = seen;
        self.tally = tally;
        self.warnings.extend(warnings);
        let (Results::Frame(mut frame), Rejects::Memory(rejects)) = (sink.results, sink.rejects) else {
            return Err(RunError::Internal("an in-memory run wrote elsewhere".into()));
        };
        let results = frame.take().map_err(|e| RunError::Internal(e.to_string()))?;
        Ok(Assessed { results, rejects })
    }

    /// The report of every row assessed so far (as `assess --report`).
    pub fn report(&self) -> Report {
        let mut report = self.report.clone();
        let mut tally = self.tally.clone();
        std::mem::take(&mut tally).fold_into(&mut report);
        report
    }

    /// The warnings so far (unknown columns, senior sales), as the command
    /// line prints them.
    pub fn warnings(&self) -> Vec<String> {
        use std::sync::atomic::Ordering::Relaxed;
        let mut w = self.warnings.clone();
        w.extend(super::count_warnings(self.payment_is_sale.load(Relaxed), self.ignored.load(Relaxed)));
        w
    }
}
