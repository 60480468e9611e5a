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
//!
//! Files: [`sink`] opens the outputs, [`schedule`] runs the stages on one
//! thread or overlapped, [`writer`] writes in input order, [`duplicates`]
//! remembers the loan ids seen.

mod duplicates;
pub mod memory;
mod schedule;
mod sink;
mod writer;

use crate::engine::Env;
use crate::holidays::HolidayCalendar;
use crate::input::{self, Assumption, InputError, Layout, RowContext};
use crate::output::atomic::AtomicFile;
use crate::report::{Report, ReportFormat};
use crate::settings::Settings;
use chrono::NaiveDate;
use schedule::{Job, run_pipelined, run_sequential};
use sink::{Sink, out_err, wr};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};
use writer::Writer;

/// The stack of every thread that assesses loans: deciding a loan with many
/// open questions recurses once per question, and an unoptimised build
/// keeps large frames (the memory is reserved, not used).
pub const WORKER_STACK: usize = 64 << 20;

/// Rows assessed per parallel batch.
pub const BATCH_ROWS: usize = 8 * 1024;

/// The reject message for a row whose loan id an earlier assessed row of the
/// run already had (README "What happens when…"); the Python package's Spark path
/// writes the same words for a repeat found across partitions.
pub const DUPLICATE_LOAN_ID: &str = "duplicates an earlier loan_id in this run; the first was kept";

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
    /// `--csv-safe`: text from the input written so spreadsheets do not run
    /// it as a formula ([`crate::output::spreadsheet_safe`]).
    pub csv_safe: bool,
    /// `--watch-days`: the deadline watch's windows, ascending (README
    /// "Deadline watch"; [`crate::report::watch::DEFAULT_DAYS`]).
    pub watch_days: Vec<u32>,
    /// `--map`: the export's columns, values and dates read as the native
    /// layout (README "Your own exports: --map").
    pub map: Option<std::sync::Arc<input::mapping::Compiled>>,
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

/// The report a run starts from: its as-of date, deadline watch, settings
/// and holiday calendar, no loans yet.
fn new_report(cfg: &RunConfig, calendar: &HolidayCalendar) -> Report {
    let watch = crate::report::watch::Watch::new(cfg.as_of, &cfg.watch_days);
    let mut report = Report { as_of: Some(cfg.as_of), watch, ..Report::default() };
    report.settings = cfg.settings.docs().into_iter().map(|d| (d.name.to_string(), d.value)).collect();
    report.mapping = cfg.map.as_ref().map(|m| m.describe());
    report.calendar = Some((calendar.version().to_string(), calendar.first_year(), calendar.last_year()));
    report
}

/// The warning for the columns of an input the layout does not know.
fn unknown_columns(h: &input::Header) -> Option<String> {
    if h.unknown.is_empty() {
        return None;
    }
    // A few names say enough; a file of 100,000 columns must not
    // write a megabyte of warning into a cron log.
    const SHOWN: usize = 20;
    let mut names = h.unknown.iter().take(SHOWN).map(String::as_str).collect::<Vec<_>>().join(", ");
    if h.unknown.len() > SHOWN {
        names.push_str(&format!(" and {} more", h.unknown.len() - SHOWN));
    }
    Some(format!("{}: ignoring unknown column(s): {names}", h.path))
}

/// The warnings counted over a run: senior sales whose last payment is the
/// sale, and senior sales given a sale price.
fn count_warnings(payment_is_sale: u64, ignored_sale_price: u64) -> Vec<String> {
    let mut warnings = Vec::new();
    if payment_is_sale > 0 {
        warnings.push(format!(
            "{payment_is_sale} senior_sale row(s): last_payment_date is the senior sale's date: surplus is not a \
             CCP 360 payment; enter the borrower's last voluntary payment (assessed with the date as given)"
        ));
    }
    if ignored_sale_price > 0 {
        warnings
            .push(format!("{ignored_sale_price} senior_sale row(s) had a sale_price; it is ignored for a senior_sale"));
    }
    warnings
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
    let pool = std::sync::Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(cfg.threads.max(1))
            .stack_size(WORKER_STACK)
            .build()
            .map_err(|e| RunError::Internal(format!("cannot start {} threads: {e}", cfg.threads)))?,
    );
    let calendar = HolidayCalendar::embedded();
    let env = Env { settings: &cfg.settings, calendar, as_of: cfg.as_of };
    // Open every input first: a missing column is fatal before anything is written.
    let mut sources = input::open_mapped(&cfg.inputs, cfg.layout, cfg.map.as_deref())?;
    for s in &mut sources {
        s.decode_on((cfg.threads > 1).then(|| pool.clone()));
    }
    let mut warnings = Vec::new();
    for src in &sources {
        warnings.extend(unknown_columns(src.header()));
    }
    let sink = Sink::open(cfg)?;
    let report = new_report(cfg, calendar);
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
    let payment_is_sale = AtomicU64::new(0);

    let job = Job {
        row_cx,
        env,
        ignored: &ignored,
        payment_is_sale: &payment_is_sale,
        csv: sink.results.is_csv(),
        csv_safe: cfg.csv_safe,
        watch: report.watch.span(),
    };
    let writer = Writer::new(cfg, sink, report, progress);
    let (sink, mut report) = if cfg.threads <= 1 {
        pool.install(|| run_sequential(&mut sources, writer, job))?
    } else {
        run_pipelined(&mut sources, writer, &pool, job)?
    };
    warnings.append(&mut report.warnings);
    warnings.extend(count_warnings(payment_is_sale.into_inner(), ignored.into_inner()));
    // Render reports before committing anything, so a failure leaves nothing.
    let mut report_files = Vec::new();
    for p in &cfg.reports {
        let fmt = ReportFormat::from_path(p)
            .ok_or_else(|| RunError::Usage(format!("{}: unknown report format", p.display())))?;
        let bytes = fmt.render(&report).map_err(|m| RunError::Internal(format!("{}: {m}", p.display())))?;
        let mut f = AtomicFile::create(p).map_err(wr(p))?;
        {
            let mut w = f.writer().map_err(wr(p))?;
            w.write_all(&bytes).map_err(wr(p))?;
            w.flush().map_err(wr(p))?;
        }
        report_files.push(f);
    }
    let Sink { results, results_file, rejects, rejects_file, rejects_name } = sink;
    results.finish(&report).map_err(|e| out_err(cfg, e))?;
    rejects.finish().map_err(wr(&rejects_name))?;
    let mut written = Vec::new();
    for f in results_file.into_iter().chain(rejects_file).chain(report_files) {
        let p = f.path().to_path_buf();
        f.commit().map_err(wr(&p))?;
        written.push(p);
    }
    Ok(RunSummary { inputs: cfg.inputs.clone(), report, elapsed: started.elapsed(), written, warnings })
}
