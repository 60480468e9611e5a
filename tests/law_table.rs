//! Table-driven law tests: every `tests/law/asof-YYYY-MM-DD*.csv` is a
//! portfolio in the native layout with `expect_*` columns worked out by hand
//! from the law as docs/law.md states it, and a `why` column citing the rule. See
//! tests/law/README.md for how to add a case.

use crate::common;

use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/law")
}

fn files() -> Vec<PathBuf> {
    let files = common::csv_files(&dir());
    assert!(!files.is_empty(), "no law tables in {}", dir().display());
    files
}

/// Every case in every table: outcome, reasons, amounts, dates and flags.
#[test]
fn every_law_case_matches_its_expectations() {
    common::check_tables(&files());
}

/// The tables are well formed: named with their as-of date, with the
/// expectation columns and a non-blank `why` on every row, loan ids unique
/// across all tables, and enough cases.
#[test]
fn law_tables_are_well_formed() {
    let mut problems = Vec::new();
    let mut ids = std::collections::HashMap::new();
    let mut total = 0;
    for f in files() {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if !name.starts_with("asof-") || common::as_of_from_name(&f).is_none() {
            problems.push(format!("{name}: must be named asof-YYYY-MM-DD[-topic].csv"));
        }
        let (headers, rows) = common::read_csv_maps(&f);
        for col in [
            "loan_id",
            "expect_outcome",
            "expect_reason",
            "expect_primary",
            "expect_gross_deficiency",
            "expect_recoverable",
            "expect_barred",
            "expect_undetermined",
            "expect_surplus",
            "expect_action_deadline",
            "expect_redemption_ends",
            "expect_flags",
            "why",
        ] {
            if !headers.iter().any(|h| h == col) {
                problems.push(format!("{name}: no column {col}"));
            }
        }
        for (i, r) in rows.iter().enumerate() {
            let id = r.get("loan_id").cloned().unwrap_or_default();
            if r.get("why").map(|w| w.trim().is_empty()).unwrap_or(true) {
                problems.push(format!("{name} line {}: loan {id}: the why column is blank", i + 2));
            }
            if let Some(other) = ids.insert(id.clone(), name.clone()) {
                problems.push(format!("loan {id} appears in {other} and {name}"));
            }
            total += 1;
        }
    }
    assert!(total >= 45, "only {total} law cases");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// README "Output: per-loan results": `citations` holds "the citations of those rules, `;`-separated",
/// one per code in `reasons`, so a reader can pair them up. A citation that
/// itself contains `;` breaks that pairing.
#[test]
fn citations_pair_up_with_reasons() {
    let mut problems = Vec::new();
    for f in files() {
        let as_of = common::as_of_from_name(&f).expect("as-of in name");
        let out = common::run(common::cmd().arg("assess").arg(&f).arg("--as-of").arg(&as_of).arg("--quiet"));
        let (_, rows) = common::parse_csv_text(&String::from_utf8_lossy(&out.stdout));
        for r in rows {
            let reasons = r["reasons"].split(';').count();
            let citations = r["citations"].split(';').count();
            if reasons != citations {
                problems.push(format!(
                    "loan {}: {} reasons ({}) but {} ;-separated citations ({})",
                    r["loan_id"], reasons, r["reasons"], citations, r["citations"]
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{} rows:\n{}", problems.len(), problems.join("\n"));
}
