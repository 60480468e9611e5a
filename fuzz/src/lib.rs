//! Shared plumbing for the `cargo afl` fuzz targets in `src/bin/`.
//!
//! Every target reads one input from stdin through `afl::fuzz!` (persistent
//! mode under `cargo afl fuzz`; a plain run of the binary with a file on
//! stdin replays it, which is how a crash is reproduced with a backtrace).
//!
//! Oracles shared by the targets:
//! - no panic anywhere (the afl panic hook turns a panic into an abort);
//! - `engine::assess` never returns `Err(InvariantViolation)`;
//! - the money invariant: `recoverable + barred + undetermined == gross`,
//!   each part >= 0 (checked again here, not only trusted from the engine);
//! - `engine::explain` decides the loan exactly as `engine::assess` does.

use chrono::NaiveDate;
use deficiency::engine::{self, Env};
use deficiency::holidays::HolidayCalendar;
use deficiency::input::columns::Columns;
use deficiency::input::{Batch, Cells, Fields, Header, Layout, Line, Parsed, RecordSource, Reject, RowContext, Visit};
use deficiency::loan::Loan;
use deficiency::money::Money;
use deficiency::settings::Settings;
use std::path::PathBuf;

/// The `--as-of` date the file-reading targets judge deadlines against
/// (the one the tests and README use).
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 15).expect("date")
}

/// Runs `f` on a thread with the pipeline's worker stack, as the CLI does
/// for the engine (`pipeline::WORKER_STACK`). A panic on that thread still
/// aborts the process through afl's panic hook.
pub fn with_worker_stack<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(deficiency::pipeline::WORKER_STACK)
            .spawn_scoped(s, f)
            .expect("spawn worker")
            .join()
            .unwrap_or_else(|_| std::process::abort())
    })
}

/// Assesses one loan and checks every engine oracle; aborts on a violation.
pub fn check_loan(loan: &Loan, env: Env) {
    let a = match engine::assess(loan, env) {
        Ok(a) => a,
        Err(e) => panic!("engine::assess returned InvariantViolation: {e:?}\nloan: {loan:#?}"),
    };
    let gross = a.amounts.gross;
    assert!(
        a.recoverable >= Money::ZERO && a.barred >= Money::ZERO && a.undetermined >= Money::ZERO,
        "negative part: {a:?}\nloan: {loan:#?}"
    );
    assert_eq!(a.recoverable + a.barred + a.undetermined, gross, "money invariant broken: {a:?}\nloan: {loan:#?}");
    assert!(!a.reasons.is_empty(), "assessment without a reason: {a:?}");
    match engine::explain(loan, env) {
        Ok((e, _tree)) => assert_eq!(e, a, "explain decided differently from assess\nloan: {loan:#?}"),
        Err(e) => panic!("engine::explain returned InvariantViolation (assess did not): {e:?}\nloan: {loan:#?}"),
    }
}

/// Reads every batch of every source, types each record as the pipeline's
/// workers do (checked against `Header::parse_row`, see [`Typed`]; a reject
/// is fine) and checks every accepted loan with [`check_loan`]. An `InputError` is fine (a fatal, reported error).
/// Returns (accepted, rejected).
pub fn drain(sources: Vec<Box<dyn RecordSource>>, settings: &Settings) -> (u64, u64) {
    let as_of = as_of();
    let env = Env { settings, calendar: HolidayCalendar::embedded(), as_of };
    let cx = RowContext { as_of, assumptions: &[] };
    let mut batch = Batch::default();
    let mut fields = Fields::default();
    let (mut ok, mut bad) = (0u64, 0u64);
    for mut src in sources {
        loop {
            let n = match src.next_batch(&mut batch, 64) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let mut typed =
                Typed { header: src.header(), cx, env, batch: &batch, fields: Fields::default(), next: 0, ok, bad };
            batch.visit(0..n, &mut fields, &mut typed);
            (ok, bad) = (typed.ok, typed.bad);
        }
        let _ = src.not_assessed();
        let _ = src.warnings();
    }
    if debug() {
        eprintln!("deficiency-fuzz: {ok} loan(s) assessed, {bad} row(s) rejected");
    }
    (ok, bad)
}

/// Types a batch the way the pipeline's workers do (a CSV record in one
/// pass, a columnar piece column by column) and checks each result against
/// typing the record on its own with `Header::parse_row`: the same loan or
/// the same reject, or the fuzzer has found a difference.
struct Typed<'a> {
    header: &'a Header,
    cx: RowContext<'a>,
    env: Env<'a>,
    batch: &'a Batch,
    fields: Fields,
    /// The batch index of the next record.
    next: usize,
    ok: u64,
    bad: u64,
}

impl Typed<'_> {
    fn count(&mut self, parsed: Result<Parsed, Reject>) {
        match parsed {
            Ok(p) => {
                self.ok += 1;
                check_loan(&p.loan, self.env);
            }
            Err(_reject) => self.bad += 1,
        }
    }
}

impl Visit for Typed<'_> {
    fn record<C: Cells + ?Sized>(&mut self, rec: &C, row: u64, line: Option<u64>) {
        self.next += 1;
        let parsed = self.header.parse_row(rec, row, line, self.cx);
        self.count(parsed);
    }
    fn line(&mut self, rec: Line<'_>) {
        let fast = self.header.parse_line(rec, self.cx);
        let one = self.batch.get(self.next, &mut self.fields);
        let slow = self.header.parse_row(&one, one.row(), one.line(), self.cx);
        assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "a CSV record typed in one pass and split differ");
        self.next += 1;
        self.count(fast);
    }
    fn columns(&mut self, cols: &Columns, rows: std::ops::Range<usize>) {
        let mut typed = Vec::new();
        self.header.parse_columns(cols, rows.clone(), self.cx, &mut typed);
        for (fast, r) in typed.into_iter().zip(rows) {
            let slow = self.header.parse_row(&cols.record(r), cols.row(r), None, self.cx);
            assert_eq!(
                format!("{fast:?}"),
                format!("{slow:?}"),
                "a columnar row typed by column and on its own differ"
            );
            self.next += 1;
            self.count(fast);
        }
    }
}

/// `FUZZ_DEBUG=1` when replaying an input by hand: the targets say what
/// they did on stderr (never set under afl-fuzz).
pub fn debug() -> bool {
    static DEBUG: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *DEBUG.get_or_init(|| std::env::var_os("FUZZ_DEBUG").is_some())
}

/// Opens `paths` in `layout` and drains them; an open error is fine.
pub fn open_and_drain(paths: &[String], layout: Layout) {
    let settings = Settings::default();
    match deficiency::input::open(paths, layout) {
        Ok(sources) => {
            with_worker_stack(|| drain(sources, &settings));
        }
        Err(e) if debug() => eprintln!("deficiency-fuzz: open: {e}"),
        Err(_) => {}
    }
}

/// A private scratch directory for targets whose reader wants a path
/// (in /dev/shm when there is one, so no disk I/O per execution). Each
/// fuzzer instance gets its own: named after the parent's pid, which under
/// `afl-fuzz` is the fork server (stable across the forked children).
/// Files are overwritten on every execution.
/// An agency target: `data` is one to three files separated by NUL bytes,
/// each written to a scratch file named after `name`, then opened with
/// `layout` and drained.
pub fn agency_files(dir: &std::path::Path, data: &[u8], name: &str, layout: Layout) {
    let paths: Vec<String> = split_files(data, 3)
        .iter()
        .enumerate()
        .map(|(i, part)| write_input(dir, &format!("{name}-{i}.txt"), part))
        .collect();
    open_and_drain(&paths, layout);
}

pub fn scratch_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let base =
            if std::path::Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        let d = base.join(format!("deficiency-fuzz-{}", std::os::unix::process::parent_id()));
        std::fs::create_dir_all(&d).expect("scratch dir");
        d
    })
    .clone()
}

/// Writes `data` to `dir/name` and returns the path as a string.
pub fn write_input(dir: &std::path::Path, name: &str, data: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, data).expect("write scratch input");
    p.display().to_string()
}

/// Splits an input into up to `max` files at NUL bytes (the agency targets
/// take an acquisition/origination file and a performance file in one input).
pub fn split_files(data: &[u8], max: usize) -> Vec<&[u8]> {
    data.splitn(max, |b| *b == 0).collect()
}
