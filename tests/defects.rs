//! Regression tests, each named after what broke and written to fail on the
//! code before its fix.

use crate::common;

use common::{cmd, parse_csv_text, run, stderr};
use std::io::{BufRead, BufReader};
use std::process::Stdio;

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p.display().to_string()
}

/// `assess big.csv | head -1` exited 2 with "Broken pipe": a reader that
/// goes away ends the run quietly (exit 0) and leaves no report behind.
#[test]
fn closed_stdout_ends_the_run_quietly_and_leaves_no_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("big.csv").display().to_string();
    let o = run(cmd().args(["generate", "--rows", "60000", "--seed", "5", "--out", &input]));
    assert!(o.status.success(), "{}", stderr(&o));
    let report = dir.path().join("r.json");
    for threads in ["1", "2"] {
        let mut child = cmd()
            .args(["assess", &input, "--as-of", "2026-01-15", "--threads", threads, "--report"])
            .arg(&report)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first).expect("read");
        assert!(first.starts_with("row,loan_id,outcome"), "{first}");
        // The pipe is closed here, as `head -1` does.
        let out = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "threads {threads}: {err}");
        assert!(!err.contains("Broken pipe") && !err.contains("error"), "threads {threads}: {err}");
        assert!(!report.exists(), "no report after the reader went away");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".partial"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

/// With results on stdout, the rejects header was printed on stderr even
/// when nothing was rejected.
#[test]
fn no_rejects_header_on_stderr_when_nothing_is_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write(
        dir.path(),
        "good.csv",
        "loan_id,event_type,event_date,unpaid_principal,sale_price\nA1,trustee_sale,2025-01-10,100000,80000\n",
    );
    let o = run(cmd().args(["assess", &good, "--as-of", "2026-01-15", "--quiet"]));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "", "nothing rejected, nothing on stderr");
    let bad = write(
        dir.path(),
        "bad.csv",
        "loan_id,event_type,event_date,unpaid_principal,sale_price\nA1,trustee_sale,2025-01-10,100000,80000\nA2,nope,2025-01-10,1,1\n",
    );
    let o = run(cmd().args(["assess", &bad, "--as-of", "2026-01-15", "--quiet"]));
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.starts_with("file,row,line,loan_id,column,value,error\n"), "{err}");
    assert!(err.contains("A2") && err.contains("event_type"), "{err}");
}

/// A blank `origination_date` was tried with dates after the event: a 2012
/// judicial sale of a refinance was decided `barred` / `580b_b_refinance`
/// (a post-2012 refinance it cannot be) instead of `time_barred`, and a 2011
/// short sale went to review over the 2013 refinance gate.
#[test]
fn blank_origination_date_is_bounded_by_the_sale_and_the_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(
        dir.path(),
        "refi.csv",
        "loan_id,event_type,event_date,unpaid_principal,sale_price,loan_purpose,owner_occupied,property_units,borrower_type,\
refinances_purchase_money,new_advance,fair_value,written_consent,lien_position,first_refinance_date\n\
J2012,judicial_sale,2012-11-14,300000,200000,refinance,true,1,individual,true,0,150000,,1,\n\
S2011,short_sale,2011-09-01,300000,200000,refinance,true,1,llc,true,0,,true,1,\n\
C2014,trustee_sale,2025-06-02,300000,200000,refinance,true,1,individual,true,0,,,1,2014-03-01\n",
    );
    let o = run(cmd().args(["assess", &input, "--as-of", "2026-01-15", "--quiet"]));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (_, rows) = parse_csv_text(&String::from_utf8_lossy(&o.stdout));
    let by = |id: &str| rows.iter().find(|r| r["loan_id"] == id).expect(id).clone();
    // Made no later than its 2012 sale: before SB 1069's gate, so 726(b)'s
    // three months decide; they ran out on 2013-02-14.
    let j = by("J2012");
    assert_eq!((j["outcome"].as_str(), j["primary_reason"].as_str()), ("time_barred", "726b_three_months"));
    assert_eq!(j["action_deadline"], "2013-02-14");
    // A 2011 short sale by an LLC (outside 580e): an action on the note,
    // whose four years ran out on 2015-09-01; no refinance gate to ask about.
    let s = by("S2011");
    assert_eq!((s["outcome"].as_str(), s["primary_reason"].as_str()), ("time_barred", "337_four_years"));
    assert_eq!(s["action_deadline"], "2015-09-01");
    // A chain whose first refinance is from 2014: this loan is no earlier.
    let c = by("C2014");
    assert_eq!(c["primary_reason"], "580b_b_refinance", "{:?}", c);
    assert!(!c["reasons"].contains("missing:origination_date"), "{}", c["reasons"]);
}

/// A `fraud_or_waste` loan whose path has a deadline showed none: the
/// outcome table (README "Outcomes") sets `action_deadline` on needs_review loans, from the evaluation
/// without the carve-out (here every answer to the blank purpose that
/// leaves a deficiency runs on the judicial path's three months).
#[test]
fn fraud_or_waste_keeps_the_deadline_of_its_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(
        dir.path(),
        "fw.csv",
        "loan_id,event_type,event_date,unpaid_principal,sale_price,loan_purpose,owner_occupied,property_units,fraud_or_waste,fair_value,origination_date\n\
FW1,judicial_sale,2025-12-01,300000,200000,,true,1,true,150000,2015-01-01\n\
FW2,judicial_sale,2025-12-01,300000,200000,home_equity,true,1,true,150000,2015-01-01\n",
    );
    let o = run(cmd().args(["assess", &input, "--as-of", "2026-01-15", "--quiet"]));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (_, rows) = parse_csv_text(&String::from_utf8_lossy(&o.stdout));
    for r in &rows {
        assert_eq!(r["outcome"], "needs_review");
        assert_eq!(r["primary_reason"], "fraud_or_waste");
        // 2025-12-01 + 3 months = Sun 2026-03-01 -> Mon 2026-03-02.
        assert_eq!(r["action_deadline"], "2026-03-02", "{}", r["loan_id"]);
        assert_eq!(r["undetermined"], "100000.00");
    }
}

/// `deficiency report` named a bad results row by `n + 2`, wrong after a
/// quoted field that spans lines: it is the physical line the record
/// starts on.
#[test]
fn report_names_the_physical_line_after_a_multi_line_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(
        dir.path(),
        "in.csv",
        "loan_id,event_type,event_date,unpaid_principal,sale_price\n\"A\nB\",trustee_sale,2025-01-10,100000,80000\nC,trustee_sale,2025-01-10,100000,80000\n",
    );
    let results = dir.path().join("res.csv");
    let o = run(cmd().args(["assess", &input, "--as-of", "2026-01-15", "--quiet", "--out"]).arg(&results));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&results).expect("results");
    // Line 1 header, lines 2-3 the loan "A\nB", line 4 loan C: break C's outcome.
    let broken = text.replacen("C,barred", "C,nonsense", 1);
    assert_ne!(broken, text);
    std::fs::write(&results, broken).expect("write");
    let o = run(cmd().args(["report"]).arg(&results).args(["--report"]).arg(dir.path().join("r.json")));
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("line 4: column \"outcome\": \"nonsense\""), "{err}");
}

/// The fuzzer's slow loan (FUZZING.md, `engine`): most columns blank, dates
/// that open the note path, restarts, probate and the stay, so the engine
/// explores thousands of answer combinations. It must still decide the loan
/// the same way as `explain` does, with the money invariant, and without
/// running out of stack.
#[test]
fn a_loan_with_many_open_questions_is_still_decided_consistently() {
    let input =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/engine/slow-many-open-questions.csv");
    let out = run(cmd().arg("assess").arg(&input).args(["--as-of", "2029-05-13", "--quiet"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_, rows) = parse_csv_text(&String::from_utf8_lossy(&out.stdout));
    let r = &rows[0];
    assert_eq!(r["outcome"], "needs_review");
    let cents = |k: &str| r[k].replace('.', "").parse::<i128>().unwrap();
    assert_eq!(cents("recoverable") + cents("barred") + cents("undetermined"), cents("gross_deficiency"));
    let explained = run(cmd().arg("explain").arg(&input).args(["--loan", "L1", "--as-of", "2029-05-13"]));
    assert_eq!(explained.status.code(), Some(0), "{}", stderr(&explained));
    let text = String::from_utf8_lossy(&explained.stdout);
    assert!(text.contains("needs_review") && text.contains(&r["primary_reason"]), "{}", &text[..text.len().min(2000)]);
}
