//! Determinism and report arithmetic on a generated portfolio (README
//! "Commands", "Outcomes", "Reports"): the same input and `--as-of` give byte-identical results and reports
//! whatever `--threads` is; the JSON report's totals equal the column sums of
//! the per-loan results exactly; the generator exercises every outcome.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::sync::OnceLock;

use rust_decimal::Decimal;

use common::{cmd, parse_csv_text, run, stderr};

const AS_OF: &str = "2026-01-15";
const ROWS: u64 = 20_000;
const SEED: &str = "3";

use crate::common::OUTCOMES;

/// One run's outputs, as bytes.
struct RunOut {
    csv: Vec<u8>,
    jsonl: Vec<u8>,
    parquet: Vec<u8>,
    json: Vec<u8>,
    md: Vec<u8>,
}

struct Fixture {
    _dir: tempfile::TempDir,
    runs: Vec<(usize, RunOut)>,
}

/// Generates the portfolio once and assesses it with 1 and 2 threads, each
/// to CSV, JSONL and Parquet (encoded on several threads when `--threads`
/// is more than 1), with JSON and Markdown reports. Paths are relative
/// to the run directory so the reports (which name their inputs) compare.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let out = run(cmd().current_dir(d).args([
            "generate",
            "--rows",
            &ROWS.to_string(),
            "--seed",
            SEED,
            "--out",
            "portfolio.csv",
        ]));
        assert_eq!(out.status.code(), Some(0), "generate: {}", stderr(&out));
        let mut runs = Vec::new();
        for threads in [1usize, 2] {
            let mut files = BTreeMap::new();
            for ext in ["csv", "jsonl", "parquet"] {
                let sub = format!("t{threads}-{ext}");
                std::fs::create_dir_all(d.join(&sub)).expect("mkdir");
                let out = run(cmd().current_dir(d).args([
                    "assess",
                    "portfolio.csv",
                    "--as-of",
                    AS_OF,
                    "--threads",
                    &threads.to_string(),
                    "--out",
                    &format!("{sub}/results.{ext}"),
                    "--report",
                    &format!("{sub}/report.json"),
                    "--report",
                    &format!("{sub}/report.md"),
                    "--quiet",
                ]));
                assert_eq!(out.status.code(), Some(0), "assess --threads {threads} to {ext}: {}", stderr(&out));
                for name in [format!("results.{ext}"), "report.json".into(), "report.md".into()] {
                    let bytes = std::fs::read(d.join(&sub).join(&name)).unwrap_or_else(|e| panic!("{sub}/{name}: {e}"));
                    files.insert(format!("{ext}:{name}"), bytes);
                }
            }
            assert_eq!(
                files["csv:report.json"], files["jsonl:report.json"],
                "the JSON report does not depend on the results format"
            );
            assert_eq!(
                files["csv:report.md"], files["jsonl:report.md"],
                "the Markdown report does not depend on the results format"
            );
            runs.push((
                threads,
                RunOut {
                    csv: files.remove("csv:results.csv").expect("csv"),
                    jsonl: files.remove("jsonl:results.jsonl").expect("jsonl"),
                    parquet: files.remove("parquet:results.parquet").expect("parquet"),
                    json: files.remove("csv:report.json").expect("json"),
                    md: files.remove("csv:report.md").expect("md"),
                },
            ));
        }
        Fixture { _dir: dir, runs }
    })
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let line = a[..at].iter().filter(|c| **c == b'\n').count() + 1;
    format!("lengths {} and {}; first difference at byte {at} (line {line})", a.len(), b.len())
}

#[test]
fn outputs_are_byte_identical_whatever_the_thread_count() {
    let f = fixture();
    let (_, one) = &f.runs[0];
    let (_, two) = &f.runs[1];
    let mut problems = Vec::new();
    for (what, a, b) in [
        ("results CSV", &one.csv, &two.csv),
        ("results JSONL", &one.jsonl, &two.jsonl),
        ("results Parquet", &one.parquet, &two.parquet),
        ("JSON report", &one.json, &two.json),
        ("Markdown report", &one.md, &two.md),
    ] {
        if a != b {
            problems.push(format!("{what} differs between --threads 1 and --threads 2: {}", first_difference(a, b)));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Results are in input order, one per row.
    let (_, rows) = parse_csv_text(&String::from_utf8_lossy(&one.csv));
    assert_eq!(rows.len() as u64, ROWS);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r["row"], (i + 1).to_string(), "row order");
    }
}

#[test]
fn generation_is_deterministic_for_a_seed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for name in ["a.csv", "b.csv"] {
        let out = run(cmd().current_dir(d).args(["generate", "--rows", "2000", "--seed", SEED, "--out", name]));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read(d.join("a.csv")).expect("a"), std::fs::read(d.join("b.csv")).expect("b"));
}

fn money(s: &str) -> Decimal {
    let ok = s.split_once('.').map(|(i, f)| !i.is_empty() && f.len() == 2).unwrap_or(false);
    assert!(ok, "money {s:?} is not plain 1234.56");
    Decimal::from_str(s).unwrap_or_else(|e| panic!("money {s:?}: {e}"))
}

fn json_money(v: &serde_json::Value) -> Decimal {
    money(v.as_str().unwrap_or_else(|| panic!("money as a string, got {v}")))
}

const AMOUNTS: &[&str] = &["gross_deficiency", "recoverable", "barred", "undetermined"];

#[test]
fn report_totals_equal_the_column_sums_exactly() {
    let f = fixture();
    let (_, one) = &f.runs[0];
    let (_, rows) = parse_csv_text(&String::from_utf8_lossy(&one.csv));
    let rep: serde_json::Value = serde_json::from_slice(&one.json).expect("report JSON");
    let mut problems = Vec::new();

    let mut sums: BTreeMap<&str, Decimal> = BTreeMap::new();
    let mut by_outcome: BTreeMap<String, (u64, BTreeMap<&str, Decimal>)> = BTreeMap::new();
    for r in &rows {
        for k in ["total_debt"].iter().chain(AMOUNTS) {
            *sums.entry(k).or_default() += money(&r[*k]);
        }
        let g = by_outcome.entry(r["outcome"].clone()).or_default();
        g.0 += 1;
        for k in AMOUNTS {
            *g.1.entry(k).or_default() += money(&r[*k]);
        }
        // The invariant, row by row.
        let parts = money(&r["recoverable"]) + money(&r["barred"]) + money(&r["undetermined"]);
        if parts != money(&r["gross_deficiency"]) {
            problems.push(format!("loan {}: recoverable + barred + undetermined != gross", r["loan_id"]));
        }
    }
    let totals = &rep["totals"];
    if totals["loans"].as_u64() != Some(rows.len() as u64) {
        problems.push(format!("totals.loans {} != {} result rows", totals["loans"], rows.len()));
    }
    for (k, sum) in &sums {
        let t = json_money(&totals[*k]);
        if t != *sum {
            problems.push(format!("totals.{k} {t} != column sum {sum}"));
        }
    }
    let n = |k: &str| rep["rows"][k].as_u64().unwrap_or(u64::MAX);
    if n("read") != n("assessed") + n("rejected") || n("assessed") != rows.len() as u64 {
        problems.push(format!("rows {}: read must equal assessed + rejected, assessed the result rows", rep["rows"]));
    }
    // by_outcome equals the per-outcome sums.
    for g in rep["by_outcome"].as_array().expect("by_outcome") {
        let key = g["key"].as_str().unwrap_or_default();
        let Some((loans, s)) = by_outcome.get(key) else {
            problems.push(format!("by_outcome has {key} but no result row does"));
            continue;
        };
        if g["loans"].as_u64() != Some(*loans) {
            problems.push(format!("by_outcome {key}: loans {} != {loans}", g["loans"]));
        }
        for k in AMOUNTS {
            if json_money(&g[*k]) != s[k] {
                problems.push(format!("by_outcome {key}: {k} {} != {}", g[*k], s[k]));
            }
        }
    }
    // Every grouping partitions the totals.
    for group in ["by_outcome", "by_reason", "by_event_type", "by_lien_position", "by_event_year"] {
        let arr = rep[group].as_array().unwrap_or_else(|| panic!("{group} missing"));
        let loans: u64 = arr.iter().map(|g| g["loans"].as_u64().unwrap_or(0)).sum();
        if loans != rows.len() as u64 {
            problems.push(format!("{group}: loans add up to {loans}, not {}", rows.len()));
        }
        for k in AMOUNTS {
            let s: Decimal = arr.iter().map(|g| json_money(&g[*k])).sum();
            if s != sums[k] {
                problems.push(format!("{group}: {k} adds up to {s}, not {}", sums[k]));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_generated_portfolio_exercises_every_outcome() {
    let f = fixture();
    let (_, rows) = parse_csv_text(&String::from_utf8_lossy(&f.runs[0].1.csv));
    let seen: BTreeSet<&str> = rows.iter().map(|r| r["outcome"].as_str()).collect();
    let missing: Vec<&&str> = OUTCOMES.iter().filter(|o| !seen.contains(**o)).collect();
    assert!(missing.is_empty(), "outcomes never produced by `generate --rows {ROWS} --seed {SEED}`: {missing:?}");
    let unknown: Vec<&&str> = seen.iter().filter(|o| !OUTCOMES.contains(o)).collect();
    assert!(unknown.is_empty(), "outcomes not in README \"Outcomes\": {unknown:?}");
}

#[test]
fn jsonl_results_carry_the_same_values_as_the_csv() {
    let f = fixture();
    let (_, one) = &f.runs[0];
    let (_, rows) = parse_csv_text(&String::from_utf8_lossy(&one.csv));
    let text = String::from_utf8_lossy(&one.jsonl);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), rows.len());
    for (r, l) in rows.iter().zip(lines).step_by(97) {
        let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
        assert_eq!(v["loan_id"].as_str(), Some(r["loan_id"].as_str()));
        assert_eq!(v["outcome"].as_str(), Some(r["outcome"].as_str()));
        for k in ["total_debt", "gross_deficiency", "recoverable", "barred", "undetermined", "surplus"] {
            assert_eq!(v[k].as_str(), Some(r[k].as_str()), "loan {} {k}", r["loan_id"]);
        }
    }
}
