//! The command line: parses arguments once into library settings, runs the
//! command, and maps the result to an exit status (README "Exit status"): 0 every row
//! assessed; 1 finished with rejected rows; 2 fatal.

use crate::engine::Env;
use crate::holidays::HolidayCalendar;
use crate::input::{Assumption, RowContext};
use crate::money;
use crate::pipeline::{self, RunConfig, RunSummary};
use crate::report::{Report, ReportFormat};
use crate::rules::{Flag, Rule};
use crate::settings::Settings;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

const ABOUT: &str = "Screens foreclosed California mortgage loans: computes each deficiency, decides under \
California anti-deficiency law (CCP 580a, 580b, 580d, 580e, 726, 337, sold-out juniors, bankruptcy) whether \
it may be recovered, cites what decided it, and reports recoverable versus barred balances. \
A screening aid, not legal advice.";

#[derive(Parser, Debug)]
#[command(name = "deficiency", version, about = ABOUT)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Assess every loan in one or more portfolio files.
    #[command(after_help = "Examples:
  deficiency assess data/sample-portfolio.csv --as-of 2026-01-15 --out results.csv --report report.json --report report.md
  cat portfolio.csv | deficiency assess - --quiet > results.csv

Input defaults (README, Input: the native layout; docs/law.md, missing:<column>): state CA; seller_financed, same_holder_as_senior, liens_contemporaneous,
fraud_or_waste, deficiency_waived, bond_or_utility_lien, guarantor, discharge_exception false;
deed_recorded, proceeds_tendered, secured_solely true; accrued_interest, advances, costs,
surplus_received, refinance_costs_financed 0; bankruptcy none; accrual_date = event_date;
first_refinance_date = origination_date. Any other blank cell is an unknown fact.

Exit status: 0 every row assessed; 1 some rows rejected (see the rejects file); 2 fatal (nothing written).")]
    Assess(AssessArgs),
    /// Show, step by step, how one loan was decided.
    #[command(
        after_help = "Examples:\n  deficiency explain data/sample-portfolio.csv --loan H02 --as-of 2026-01-15\n  deficiency explain --layout fannie-mae Acquisition_2000Q1.txt Performance_2000Q1.txt --loan 100579898395 --as-of 2026-01-15"
    )]
    Explain(ExplainArgs),
    /// List every rule (code, citation, summary), flag and setting.
    #[command(after_help = "Examples:\n  deficiency rules\n  deficiency rules --json --settings my-settings.toml")]
    Rules(RulesArgs),
    /// Rebuild reports from per-loan results files (merge shards).
    #[command(
        after_help = "Example:\n  deficiency report shard1.csv shard2.csv --report merged.json --report merged.html --report merged.csv"
    )]
    Report(ReportArgs),
    /// Write a synthetic portfolio (deterministic for a seed).
    #[command(after_help = "Example:\n  deficiency generate --rows 1000000 --seed 7 --out portfolio.csv")]
    Generate(GenerateArgs),
    /// Compare two per-loan results files (yesterday's and today's) by loan_id.
    #[command(after_help = "Example:
  deficiency diff runs/2026-01-14/results.csv runs/2026-01-15/results.parquet \\
      --old-as-of 2026-01-14 --new-as-of 2026-01-15 --out changes.csv --report changes.html

Change kinds (the `change` column, ;-joined in this order): added, removed, outcome,
reason, deadline_passed (needs both --old-as-of and --new-as-of), deadline, amounts.

Exit status: 0 nothing changed; 1 something changed; 2 fatal (nothing written).")]
    Diff(DiffArgs),
    /// Start a --map mapping for a servicing system's CSV export.
    #[command(
        after_help = "Example:\n  deficiency map --suggest export.csv > export-map.toml\n  deficiency assess export.csv --map export-map.toml --as-of 2026-01-15 --out results.csv"
    )]
    Map(MapArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Layout {
    Native,
    FannieMae,
    FreddieMac,
}

#[derive(Args, Debug)]
struct AssessArgs {
    /// Input files (.csv, .csv.gz, .parquet; - reads CSV from stdin).
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Per-loan results: .csv, .jsonl or .parquet (default: CSV on stdout).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Aggregate report (repeatable): .json, .md, .html (self-contained page with charts) or .csv (one row per group).
    #[arg(long)]
    report: Vec<PathBuf>,
    /// Rejected rows (default: <out stem>.rejects.csv beside --out, or stderr).
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// Input layout.
    #[arg(long, value_enum, default_value = "native")]
    layout: Layout,
    /// Date deadlines are judged against (default: today).
    #[arg(long, value_parser = parse_as_of)]
    as_of: Option<NaiveDate>,
    /// Worker threads (default: number of CPUs).
    #[arg(long)]
    threads: Option<usize>,
    /// TOML file overriding the legal settings (see `deficiency rules`).
    #[arg(long)]
    settings: Option<PathBuf>,
    /// Assume COLUMN=VALUE where a cell is blank; flagged assumed:<column>.
    #[arg(long)]
    assume: Vec<String>,
    /// Stop (exit 2, nothing written) when more than N rows are rejected.
    #[arg(long)]
    max_rejects: Option<u64>,
    /// No summary or progress on stderr.
    #[arg(long)]
    quiet: bool,
    /// CSV results and rejects safe to open in a spreadsheet: a cell from
    /// the input starting with = + - @ tab or CR gets a leading '.
    #[arg(long)]
    csv_safe: bool,
    /// Deadline watch windows in days after --as-of (reports list loans to act on within each).
    #[arg(long, value_parser = watch_days, default_value = "30,60,90")]
    watch_days: WatchDays,
    /// TOML mapping a servicing system's CSV export to the native layout (columns, values, dates).
    #[arg(long)]
    map: Option<PathBuf>,
}

/// `--watch-days` as parsed (a newtype so clap takes the list as one value).
#[derive(Debug, Clone)]
struct WatchDays(Vec<u32>);

fn watch_days(s: &str) -> Result<WatchDays, String> {
    crate::report::watch::parse_days(s).map(WatchDays)
}

#[derive(Args, Debug)]
struct ExplainArgs {
    /// Input file(s): one native file, or a public data set's files with --layout.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Input layout.
    #[arg(long, value_enum, default_value = "native")]
    layout: Layout,
    /// The loan_id to explain.
    #[arg(long)]
    loan: String,
    #[arg(long, value_parser = parse_as_of)]
    as_of: Option<NaiveDate>,
    #[arg(long)]
    settings: Option<PathBuf>,
    /// Assume COLUMN=VALUE where a cell is blank.
    #[arg(long)]
    assume: Vec<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// TOML mapping a servicing system's CSV export to the native layout.
    #[arg(long)]
    map: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct RulesArgs {
    #[arg(long)]
    json: bool,
    #[arg(long)]
    settings: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct ReportArgs {
    /// Per-loan results files written by `assess` (.csv).
    #[arg(required = true)]
    results: Vec<String>,
    /// Report to write (repeatable): .json, .md, .html (self-contained page with charts) or .csv (one row per group).
    #[arg(long, required = true)]
    report: Vec<PathBuf>,
    /// The as-of date the results were assessed at: adds the deadline watch.
    #[arg(long, value_parser = parse_as_of)]
    as_of: Option<NaiveDate>,
    /// Deadline watch windows in days after --as-of.
    #[arg(long, value_parser = watch_days, default_value = "30,60,90")]
    watch_days: WatchDays,
}

#[derive(Args, Debug)]
struct DiffArgs {
    /// The earlier results file (.csv, .csv.gz, .jsonl or .parquet).
    old: String,
    /// The later results file (.csv, .csv.gz, .jsonl or .parquet).
    new: String,
    /// The --as-of OLD was assessed at (results files do not record it).
    #[arg(long, value_parser = parse_as_of)]
    old_as_of: Option<NaiveDate>,
    /// The --as-of NEW was assessed at.
    #[arg(long, value_parser = parse_as_of)]
    new_as_of: Option<NaiveDate>,
    /// The changed loans as CSV (default: stdout).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Report (repeatable): .json (every changed loan), .md or .html (the first 1,000).
    #[arg(long)]
    report: Vec<PathBuf>,
    /// No summary on stderr.
    #[arg(long)]
    quiet: bool,
}

#[derive(Args, Debug)]
struct MapArgs {
    /// The export (CSV) to read the header and first rows of; prints a mapping (TOML).
    #[arg(long)]
    suggest: String,
}

#[derive(Args, Debug)]
struct GenerateArgs {
    #[arg(long)]
    rows: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output file (.csv).
    #[arg(long)]
    out: PathBuf,
}

fn parse_as_of(s: &str) -> Result<NaiveDate, String> {
    crate::input::values::parse_date(s.trim()).map_err(|_| format!("{s:?} is not a date (expected YYYY-MM-DD)"))
}

/// A fatal error for the command line (exit 2).
struct Fatal(String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.to_string())
    }
}

/// Runs the command line; returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let r = match cli.command {
        Command::Assess(a) => assess(a),
        Command::Explain(a) => explain(a),
        Command::Rules(a) => rules(a),
        Command::Report(a) => report(a),
        Command::Generate(a) => generate(a),
        Command::Diff(a) => diff(a),
        Command::Map(a) => map(a),
    };
    match r {
        Ok(code) => code,
        Err(Fatal(msg)) => {
            eprintln!("deficiency: error: {msg}");
            2
        }
    }
}

fn load_settings(p: &Option<PathBuf>) -> Result<Settings, Fatal> {
    match p {
        Some(p) => Ok(Settings::from_file(p)?),
        None => Ok(Settings::default()),
    }
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn assumptions(list: &[String]) -> Result<Vec<Assumption>, Fatal> {
    list.iter().map(|s| Assumption::parse(s).map_err(Fatal)).collect()
}

fn assess(a: AssessArgs) -> Result<i32, Fatal> {
    let cfg = RunConfig {
        inputs: a.inputs,
        layout: layout_of(a.layout),
        out: a.out,
        reports: a.report,
        rejects: a.rejects,
        as_of: a.as_of.unwrap_or_else(today),
        threads: a.threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)),
        settings: load_settings(&a.settings)?,
        assumptions: assumptions(&a.assume)?,
        max_rejects: a.max_rejects,
        progress: !a.quiet && std::io::stderr().is_terminal(),
        csv_safe: a.csv_safe,
        watch_days: a.watch_days.0,
        map: load_map(&a.map)?,
    };
    let summary = match pipeline::run(&cfg) {
        Ok(s) => s,
        // `assess ... | head`: the reader has what it wanted.
        Err(pipeline::RunError::ClosedPipe) => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    for w in &summary.warnings {
        eprintln!("deficiency: warning: {w}");
    }
    if !a.quiet {
        eprintln!("{}", summary_line(&summary));
    }
    Ok(if summary.report.rows.rejected > 0 { 1 } else { 0 })
}

/// The one-paragraph summary printed on stderr: every input file by name,
/// what was read and assessed (for a public data set: loans read,
/// dispositions assessed and loans not assessed by reason), the totals.
pub fn summary_line(s: &RunSummary) -> String {
    let r = &s.report;
    let t = &r.totals;
    let files = s.inputs.join(", ");
    let mut line = if r.not_assessed.is_empty() {
        format!(
            "deficiency: {} rows read from {files}: {} assessed, {} rejected.",
            r.rows.read, r.rows.assessed, r.rows.rejected
        )
    } else {
        let skipped: u64 = r.not_assessed.values().sum();
        let why: Vec<String> = r.not_assessed.iter().map(|(k, n)| format!("{n} {k}")).collect();
        format!(
            "deficiency: {} loans read from {files}: {} dispositions assessed, {} rejected; {skipped} loans not assessed ({}).",
            r.rows.read + skipped,
            r.rows.assessed,
            r.rows.rejected,
            why.join(", ")
        )
    };
    line.push_str(&format!(
        " Gross deficiency {}: recoverable {}, barred {}, undetermined {}. {:.2}s.",
        money::fmt(t.gross),
        money::fmt(t.recoverable),
        money::fmt(t.barred),
        money::fmt(t.undetermined),
        s.elapsed.as_secs_f64()
    ));
    if !s.written.is_empty() {
        let names: Vec<String> = s.written.iter().map(|p| p.display().to_string()).collect();
        line.push_str(&format!(" Wrote {}.", names.join(", ")));
    }
    line
}

fn explain(a: ExplainArgs) -> Result<i32, Fatal> {
    let settings = load_settings(&a.settings)?;
    let as_of = a.as_of.unwrap_or_else(today);
    let assume = assumptions(&a.assume)?;
    let env = Env { settings: &settings, calendar: HolidayCalendar::embedded(), as_of };
    let row_cx = RowContext { as_of, assumptions: &assume };
    let map = load_map(&a.map)?;
    for mut src in crate::input::open_mapped(&a.inputs, layout_of(a.layout), map.as_deref())? {
        match crate::explain::find_and_explain(src.as_mut(), &a.loan, env, row_cx) {
            Ok(None) => continue,
            Ok(Some(e)) => {
                print_out(if a.json { &e.json } else { &e.text })?;
                return Ok(0);
            }
            Err(crate::explain::ExplainError::Rejected(rej)) => {
                eprintln!("deficiency: {rej}");
                return Ok(1);
            }
            Err(e) => return Err(Fatal(e.to_string())),
        }
    }
    Err(Fatal(format!("{}: no loan with loan_id {:?}", a.inputs.join(", "), a.loan)))
}

fn layout_of(l: Layout) -> crate::input::Layout {
    match l {
        Layout::Native => crate::input::Layout::Native,
        Layout::FannieMae => crate::input::Layout::FannieMae,
        Layout::FreddieMac => crate::input::Layout::FreddieMac,
    }
}

fn print_out(text: &str) -> Result<(), Fatal> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Fatal(format!("stdout: {e}"))),
    }
}

fn rules(a: RulesArgs) -> Result<i32, Fatal> {
    let settings = load_settings(&a.settings)?;
    let cal = HolidayCalendar::embedded();
    if a.json {
        let v = crate::catalog::rules_json(&settings);
        print_out(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
        return Ok(0);
    }
    let mut s = String::from("RULES (in decision order: step, code, citation, summary)\n");
    for r in Rule::ALL {
        s.push_str(&format!("  {} {:<28} {}\n      {}\n", r.step(), r.code(), r.citation(), r.summary()));
    }
    s.push_str(
        "  - missing:<column>            a fact the decision depends on is blank (docs/law.md, missing:<column>)\n",
    );
    s.push_str("\nFLAGS (advisory; never change the outcome)\n");
    for f in Flag::FIXED {
        s.push_str(&format!("  {:<32} {}\n", f.code(), f.meaning()));
    }
    s.push_str(&format!(
        "  {:<32} {}\n",
        "assumed:<column>",
        Flag::Assumed(crate::loan::Field::ForeclosureMethod).meaning()
    ));
    s.push_str("\nQUESTIONS (a blank fact or an unsettled point: every answer is tried; rank, reason, answers)\n");
    for q in crate::rules::Question::ALL {
        s.push_str(&format!("  {} {:<32} {}\n", q.def().rank, q.reason().code(), q.labels().join(" / ")));
    }
    s.push_str("\nSETTINGS (unsettled points; override with --settings FILE.toml)\n");
    for d in settings.docs() {
        s.push_str(&format!("  {} = {}\n      {}\n", d.name, d.value, d.meaning));
    }
    s.push_str(&format!(
        "\nHOLIDAY CALENDAR: version {}, years {}-{}\n",
        cal.version(),
        cal.first_year(),
        cal.last_year()
    ));
    print_out(&s)?;
    Ok(0)
}

fn report(a: ReportArgs) -> Result<i32, Fatal> {
    let formats: Vec<ReportFormat> = a
        .report
        .iter()
        .map(|p| {
            ReportFormat::from_path(p).ok_or_else(|| {
                Fatal(format!("{}: unknown report format (use .json, .md, .html, .csv or .xlsx)", p.display()))
            })
        })
        .collect::<Result<_, _>>()?;
    let mut merged = Report::default();
    if let Some(as_of) = a.as_of {
        merged.as_of = Some(as_of);
        merged.watch = crate::report::watch::Watch::new(as_of, &a.watch_days.0);
    }
    for path in &a.results {
        crate::report::read::add(path, &mut merged)?;
    }
    let rendered: Vec<Vec<u8>> = formats.iter().map(|f| f.render(&merged).map_err(Fatal)).collect::<Result<_, _>>()?;
    for (p, bytes) in a.report.iter().zip(rendered) {
        crate::output::atomic::write_all(p, &bytes)
            .map_err(|e| Fatal(format!("{}: cannot write: {e}", p.display())))?;
    }
    Ok(0)
}

fn map(a: MapArgs) -> Result<i32, Fatal> {
    let text = crate::input::suggest::suggest(&a.suggest)?;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Fatal(format!("stdout: {e}"))),
        _ => Ok(0),
    }
}

fn load_map(p: &Option<PathBuf>) -> Result<Option<std::sync::Arc<crate::input::mapping::Compiled>>, Fatal> {
    p.as_deref().map(crate::input::mapping::Mapping::load).transpose().map_err(|e| Fatal(e.to_string()))
}

fn generate(a: GenerateArgs) -> Result<i32, Fatal> {
    crate::generate::write_file(&a.out, a.rows, a.seed)?;
    Ok(0)
}

fn diff(a: DiffArgs) -> Result<i32, Fatal> {
    let cfg = crate::diff::DiffConfig {
        old: a.old,
        new: a.new,
        old_as_of: a.old_as_of,
        new_as_of: a.new_as_of,
        out: a.out,
        reports: a.report,
        partitions: crate::diff::PARTITIONS,
    };
    let summary = crate::diff::run(&cfg)?;
    if !a.quiet {
        eprintln!("{}", crate::diff::summary_line(&summary));
    }
    Ok(if summary.changed > 0 { 1 } else { 0 })
}
