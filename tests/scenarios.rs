//! The public worked scenarios (tests/scenarios/, copied verbatim from the
//! shared folder): every CSV there is assessed at the `--as-of` in its name
//! and every row must match its `expect_*` columns as the scenarios README
//! says. All mismatches are reported, each naming the loan, the column, what
//! was expected and what the tool gave.

use crate::common;

use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios")
}

/// The round-2 scenarios (R01-R58), with the `expect_flag` check.
fn dir_r2() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios-r2")
}

#[test]
fn every_scenario_row_matches_its_expectations() {
    let files = common::csv_files(&dir());
    assert!(!files.is_empty(), "no scenario CSV in {}", dir().display());
    for f in &files {
        assert!(common::as_of_from_name(f).is_some(), "{}: the name must carry asof-YYYY-MM-DD", f.display());
    }
    let rows = common::check_tables(&files);
    assert!(rows >= 30, "only {rows} scenario rows");
}

#[test]
fn every_round_2_scenario_row_matches_its_expectations() {
    let files = common::csv_files(&dir_r2());
    assert!(!files.is_empty(), "no scenario CSV in {}", dir_r2().display());
    let rows = common::check_tables(&files);
    assert_eq!(rows, 58, "R01-R58");
}

/// New shared scenarios must not be skipped silently: the copies here hold
/// every file of the shared `scenarios/` and `scenarios-r2/` folders (found
/// beside the crate). The scenario tables are copied byte for byte; the notes
/// beside them (`*.md`) are this repository's own wording, which cites the
/// README and docs/law.md rather than research notes a reader does not have,
/// so for them the copy must exist. Skipped when a folder is absent, except
/// in CI.
#[test]
fn scenario_copy_is_complete_and_current() {
    let mut problems = Vec::new();
    for (shared, ours) in [("scenarios", dir()), ("scenarios-r2", dir_r2())] {
        let Some(shared) = common::shared_dir(shared) else { continue };
        for e in std::fs::read_dir(&shared).expect("read shared scenarios") {
            let p = e.expect("entry").path();
            if !p.is_file() {
                continue;
            }
            let name = p.file_name().expect("name").to_owned();
            let copy = ours.join(&name);
            let own_wording = p.extension().is_some_and(|x| x == "md");
            match std::fs::read(&copy) {
                Err(_) => {
                    problems.push(format!("{} is missing from {} (copy it)", name.to_string_lossy(), ours.display()))
                }
                Ok(bytes) if !own_wording && bytes != std::fs::read(&p).expect("read shared file") => {
                    problems.push(format!("{} differs from {}", copy.display(), p.display()))
                }
                Ok(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The as-of date comes from the file name.
#[test]
fn as_of_is_read_from_the_file_name() {
    assert_eq!(common::as_of_from_name(Path::new("public-asof-2026-01-15.csv")).as_deref(), Some("2026-01-15"));
    assert_eq!(common::as_of_from_name(Path::new("asof-2012-07-01-580e.csv")).as_deref(), Some("2012-07-01"));
    assert_eq!(common::as_of_from_name(Path::new("asof-2012-13-01.csv")), None);
    assert_eq!(common::as_of_from_name(Path::new("scenarios.csv")), None);
}

/// The checker itself: a wrong expectation is reported with the loan, the
/// column, what was expected and what was given, and every mismatch is
/// reported, not only the first.
#[test]
fn checker_reports_every_mismatch_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("selftest-asof-2026-01-15.csv");
    std::fs::write(
        &path,
        "loan_id,event_type,event_date,unpaid_principal,sale_price,expect_outcome,expect_reason,expect_gross_deficiency,expect_recoverable,expect_barred,expect_undetermined,expect_action_deadline,expect_redemption_ends\n\
         X1,trustee_sale,2025-06-10,100000,60000,recoverable,580d_trustee_sale,40000.00,1.00,40000.00,0.00,2025-09-10,\n\
         X2,trustee_sale,2025-06-10,100000,60000,barred,580d_trustee_sale,40000.00,0.00,40000.00,0.00,,\n",
    )
    .expect("write");
    let c = common::check_table(&path);
    let text = c.mismatches.join("\n");
    assert_eq!(c.rows, 2);
    assert!(text.contains("loan X1: outcome: expected \"recoverable\", got \"barred\""), "{text}");
    assert!(text.contains("loan X1: recoverable: expected \"1.00\", got \"0.00\""), "{text}");
    assert!(text.contains("loan X1: action_deadline: expected \"2025-09-10\", got \"(blank)\""), "{text}");
    assert!(!text.contains("loan X2"), "{text}");
    assert_eq!(c.mismatches.len(), 3, "{text}");
}
