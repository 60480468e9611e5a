//! Helpers shared by the integration tests: running the binary, and checking
//! a table of loans with `expect_*` columns against its results.
//!
//! Expectation columns (see tests/scenarios/README.md and tests/law/README.md):
//!
//! | column | check |
//! |---|---|
//! | `expect_outcome` | `outcome`, exactly |
//! | `expect_reason` | for `barred`, `time_barred`, `discharged`: the `primary_reason`; otherwise it must appear in `reasons`. Blank: not checked |
//! | `expect_primary` | `primary_reason`, exactly. Blank: not checked |
//! | `expect_gross_deficiency`, `expect_recoverable`, `expect_barred`, `expect_undetermined` | the amounts, to the cent |
//! | `expect_action_deadline`, `expect_redemption_ends` | the dates, exactly; blank means the result must be blank too |
//! | `expect_surplus` | the surplus, to the cent. Blank: not checked |
//! | `expect_flags` | `;`-separated flags that must be present; `!flag` must be absent |

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::str::FromStr;

use rust_decimal::Decimal;

/// Every outcome code, in the README's order.
pub const OUTCOMES: &[&str] = &[
    "no_deficiency",
    "recoverable",
    "partially_recoverable",
    "barred",
    "time_barred",
    "discharged",
    "needs_review",
    "out_of_scope",
];

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_deficiency")
}

/// A `deficiency` command with no inherited stdin.
pub fn cmd() -> Command {
    let mut c = Command::new(bin());
    c.stdin(Stdio::null());
    c
}

/// Runs a command and returns its output, failing if it panicked.
pub fn run(c: &mut Command) -> Output {
    let out = c.output().expect("run deficiency");
    assert_no_panic(&out);
    out
}

/// No input may make the process panic.
#[track_caller]
pub fn assert_no_panic(out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "the process panicked:\n{err}");
    // A panic in a thread pool or an abort shows as a signal or code 101.
    assert_ne!(out.status.code(), Some(101), "exit 101 (panic):\n{err}");
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `--as-of` date from a file name: the `YYYY-MM-DD` after `asof-`
/// (`public-asof-2026-01-15.csv`, `asof-2026-01-15-580e.csv`).
pub fn as_of_from_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let i = name.find("asof-")?;
    let date = name.get(i + 5..i + 15)?;
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    Some(date.to_string())
}

/// The CSV files of a directory, sorted by name.
pub fn csv_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("csv"))
        .collect();
    v.sort();
    v
}

/// One CSV file read into maps of (trimmed, lower-case) column -> cell.
pub fn read_csv_maps(path: &Path) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let mut r =
        csv::ReaderBuilder::new().flexible(false).from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers: Vec<String> = r
        .headers()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.unwrap_or_else(|e| panic!("{} data row {}: {e}", path.display(), i + 1));
        rows.push(headers.iter().cloned().zip(rec.iter().map(|c| c.trim().to_string())).collect());
    }
    (headers, rows)
}

/// CSV text (a results or rejects file) into maps.
pub fn parse_csv_text(text: &str) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let mut r = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers: Vec<String> = r.headers().expect("header").iter().map(|h| h.to_string()).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.expect("record");
            headers.iter().cloned().zip(rec.iter().map(|c| c.to_string())).collect()
        })
        .collect();
    (headers, rows)
}

/// What checking one table found.
pub struct TableCheck {
    pub file: String,
    pub rows: usize,
    pub mismatches: Vec<String>,
}

fn cell<'a>(m: &'a HashMap<String, String>, k: &str) -> &'a str {
    m.get(k).map(|s| s.as_str()).unwrap_or("")
}

fn money_ok(s: &str) -> bool {
    match s.split_once('.') {
        Some((i, f)) => {
            !i.is_empty()
                && i.bytes().all(|b| b.is_ascii_digit())
                && f.len() == 2
                && f.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// Runs `path` through `deficiency assess` at the `--as-of` in its name and
/// checks every row's `expect_*` columns against its results. Returns every
/// mismatch, not only the first.
pub fn check_table(path: &Path) -> TableCheck {
    let file = path.display().to_string();
    let mut mismatches = Vec::new();
    let Some(as_of) = as_of_from_name(path) else {
        return TableCheck {
            file: file.clone(),
            rows: 0,
            mismatches: vec![format!("{file}: no asof-YYYY-MM-DD in the file name")],
        };
    };
    let (headers, rows) = read_csv_maps(path);
    if !headers.iter().any(|h| h == "expect_outcome") {
        mismatches.push(format!("{file}: no expect_outcome column"));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let out_path = dir.path().join("results.csv");
    let rejects_path = dir.path().join("rejects.csv");
    let out = run(cmd()
        .arg("assess")
        .arg(path)
        .arg("--as-of")
        .arg(&as_of)
        .arg("--out")
        .arg(&out_path)
        .arg("--rejects")
        .arg(&rejects_path)
        .arg("--quiet"));
    if out.status.code() != Some(0) {
        let rejects = std::fs::read_to_string(&rejects_path).unwrap_or_default();
        mismatches.push(format!(
            "{file}: exit status {:?}, expected 0 (every row assessed)\nstderr:\n{}\nrejects:\n{rejects}",
            out.status.code(),
            stderr(&out)
        ));
    }
    let results_text = std::fs::read_to_string(&out_path).unwrap_or_default();
    let results: HashMap<String, HashMap<String, String>> = if results_text.is_empty() {
        HashMap::new()
    } else {
        parse_csv_text(&results_text).1.into_iter().map(|r| (cell(&r, "loan_id").to_string(), r)).collect()
    };
    let mut seen = std::collections::HashSet::new();
    for (i, exp) in rows.iter().enumerate() {
        let id = cell(exp, "loan_id");
        let line = i + 2;
        if !seen.insert(id.to_string()) {
            mismatches.push(format!("{file} line {line}: loan_id {id} appears twice in the table"));
            continue;
        }
        let Some(got) = results.get(id) else {
            mismatches.push(format!("{file} line {line}: loan {id}: no result row (rejected?)"));
            continue;
        };
        let mut bad = |column: &str, expected: &str, got: &str| {
            mismatches.push(format!("{file}: loan {id}: {column}: expected {expected:?}, got {got:?}"));
        };
        let outcome = cell(got, "outcome");
        let primary = cell(got, "primary_reason");
        let reasons: Vec<&str> = cell(got, "reasons").split(';').filter(|s| !s.is_empty()).collect();
        let flags: Vec<&str> = cell(got, "flags").split(';').filter(|s| !s.is_empty()).collect();

        let e = cell(exp, "expect_outcome");
        if e != outcome {
            bad("outcome", e, outcome);
        }
        let e = cell(exp, "expect_reason");
        if !e.is_empty() {
            if ["barred", "time_barred", "discharged"].contains(&cell(exp, "expect_outcome")) {
                if e != primary {
                    bad("primary_reason", e, primary);
                }
            } else if !reasons.contains(&e) {
                bad("reasons (must contain)", e, cell(got, "reasons"));
            }
        }
        let e = cell(exp, "expect_primary");
        let already = e == cell(exp, "expect_reason")
            && ["barred", "time_barred", "discharged"].contains(&cell(exp, "expect_outcome"));
        if !e.is_empty() && e != primary && !already {
            bad("primary_reason", e, primary);
        }
        for (col, res) in [
            ("expect_gross_deficiency", "gross_deficiency"),
            ("expect_recoverable", "recoverable"),
            ("expect_barred", "barred"),
            ("expect_undetermined", "undetermined"),
        ] {
            let e = cell(exp, col);
            let g = cell(got, res);
            if !money_ok(g) {
                bad(res, e, g);
                continue;
            }
            if e.is_empty() {
                if headers.iter().any(|h| h == col) {
                    bad(res, "(an amount in the table: blank is not allowed)", g);
                }
                continue;
            }
            match (Decimal::from_str(e), Decimal::from_str(g)) {
                (Ok(a), Ok(b)) if a == b && a.scale() <= 2 => {}
                _ => bad(res, e, g),
            }
        }
        let e = cell(exp, "expect_surplus");
        if !e.is_empty() {
            let g = cell(got, "surplus");
            match (Decimal::from_str(e), Decimal::from_str(g)) {
                (Ok(a), Ok(b)) if a == b && a.scale() <= 2 && money_ok(g) => {}
                _ => bad("surplus", e, g),
            }
        }
        for (col, res) in [("expect_action_deadline", "action_deadline"), ("expect_redemption_ends", "redemption_ends")]
        {
            let e = cell(exp, col);
            let g = cell(got, res);
            if e != g {
                bad(res, if e.is_empty() { "(blank)" } else { e }, if g.is_empty() { "(blank)" } else { g });
            }
        }
        let wanted = format!("{};{}", cell(exp, "expect_flags"), cell(exp, "expect_flag"));
        for f in wanted.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            match f.strip_prefix('!') {
                Some(absent) if flags.contains(&absent) => bad("flags (must not contain)", absent, cell(got, "flags")),
                Some(_) => {}
                None if !flags.contains(&f) => bad("flags (must contain)", f, cell(got, "flags")),
                None => {}
            }
        }
        // The invariant holds on every row.
        let amt = |k: &str| Decimal::from_str(cell(got, k)).unwrap_or(Decimal::MIN);
        if amt("recoverable") + amt("barred") + amt("undetermined") != amt("gross_deficiency") {
            mismatches.push(format!("{file}: loan {id}: recoverable + barred + undetermined != gross_deficiency"));
        }
    }
    if results.len() != rows.len() {
        mismatches.push(format!("{file}: {} input rows but {} result rows", rows.len(), results.len()));
    }
    TableCheck { file, rows: rows.len(), mismatches }
}

/// Checks every table and fails with all mismatches at once.
pub fn check_tables(files: &[PathBuf]) -> usize {
    let mut all = Vec::new();
    let mut rows = 0;
    for f in files {
        let c = check_table(f);
        rows += c.rows;
        all.extend(c.mismatches);
    }
    if !all.is_empty() {
        panic!("{} mismatch(es) in {} rows:\n  {}", all.len(), rows, all.join("\n  "));
    }
    rows
}

/// A folder of the project's shared research files (`../shared/<rel>` beside
/// the crate), or `None` when it is absent on a developer's machine. In CI
/// (`CI` set) its absence is a failure, never a silent skip.
pub fn shared_dir(rel: &str) -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared").join(rel);
    if p.is_dir() {
        return Some(p);
    }
    assert!(std::env::var_os("CI").is_none(), "{} is missing, and CI must not skip tests that need it", p.display());
    eprintln!("note: skipping: {} is absent", p.display());
    None
}
