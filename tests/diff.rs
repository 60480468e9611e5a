//! `deficiency diff OLD NEW` (README "deficiency diff"): a generated
//! portfolio assessed at two as-of dates years apart; the expected changes
//! are computed here, independently, from the two results CSVs.

use crate::common::{assert_no_panic, cmd, stderr};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

const OLD_AS_OF: &str = "2026-01-15";
const NEW_AS_OF: &str = "2029-06-30";

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// One portfolio assessed at both dates, in CSV, Parquet and JSON Lines.
struct Fixture {
    dir: PathBuf,
}

impl Fixture {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        // Earlier runs' fixtures.
        for e in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with("diff-fixture-") {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
        let dir = root.join(format!("diff-fixture-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("fixture dir");
        let p = dir.join("p.csv");
        let o = cmd().args(["generate", "--rows", "3000", "--seed", "17", "--out", s(&p)]).output().expect("generate");
        assert_eq!(o.status.code(), Some(0), "generate: {}", stderr(&o));
        for (tag, as_of) in [("old", OLD_AS_OF), ("new", NEW_AS_OF)] {
            for ext in ["csv", "parquet", "jsonl"] {
                let out = dir.join(format!("{tag}.{ext}"));
                let o = cmd()
                    .args(["assess", s(&p), "--as-of", as_of, "--quiet", "--out", s(&out)])
                    .arg("--rejects")
                    .arg(dir.join(format!("{tag}-{ext}.rejects.csv")))
                    .output()
                    .expect("assess");
                assert!(matches!(o.status.code(), Some(0 | 1)), "assess: {}", stderr(&o));
            }
        }
        Fixture { dir }
    })
}

/// Runs `deficiency diff` with its scratch files in a fresh `TMPDIR`, and
/// checks that none are left behind.
fn diff(args: &[&str]) -> Output {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = cmd().env("TMPDIR", tmp.path()).arg("diff").args(args).output().expect("run diff");
    assert_no_panic(&o);
    let left: Vec<_> = std::fs::read_dir(tmp.path()).expect("tmp").collect();
    assert!(left.is_empty(), "scratch files left in TMPDIR: {left:?}");
    o
}

/// A results CSV: rows in order, each column -> cell.
fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    crate::common::read_csv_maps(path).1
}

/// The expected (loan_id, change) list, computed from two results CSVs the
/// way README "deficiency diff" describes it.
fn expected(old: &Path, new: &Path, as_of: Option<(&str, &str)>) -> Vec<(String, String)> {
    let (old, new) = (rows(old), rows(new));
    let by_id: HashMap<&str, &HashMap<String, String>> = old.iter().map(|r| (r["loan_id"].as_str(), r)).collect();
    let new_ids: std::collections::HashSet<&str> = new.iter().map(|r| r["loan_id"].as_str()).collect();
    let mut out = Vec::new();
    for n in &new {
        let id = n["loan_id"].as_str();
        let Some(o) = by_id.get(id) else {
            out.push((id.to_string(), "added".to_string()));
            continue;
        };
        let mut kinds = Vec::new();
        if o["outcome"] != n["outcome"] {
            kinds.push("outcome");
        } else if o["primary_reason"] != n["primary_reason"] {
            kinds.push("reason");
        }
        let od = &o["action_deadline"];
        // ISO dates compare as text.
        let passed = as_of.is_some_and(|(a, b)| !od.is_empty() && a <= od.as_str() && od.as_str() < b);
        if passed {
            kinds.push("deadline_passed");
        } else if od != &n["action_deadline"] {
            kinds.push("deadline");
        }
        if ["recoverable", "barred", "undetermined"].iter().any(|c| o[*c] != n[*c]) {
            kinds.push("amounts");
        }
        if !kinds.is_empty() {
            out.push((id.to_string(), kinds.join(";")));
        }
    }
    for o in &old {
        if !new_ids.contains(o["loan_id"].as_str()) {
            out.push((o["loan_id"].clone(), "removed".to_string()));
        }
    }
    out
}

/// The (loan_id, change) list of diff's CSV output.
fn listed(csv_text: &str) -> Vec<(String, String)> {
    let (headers, rows) = crate::common::parse_csv_text(csv_text);
    assert_eq!(headers[..2], ["loan_id", "change"]);
    rows.iter().map(|r| (r["loan_id"].clone(), r["change"].clone())).collect()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 stdout")
}

#[test]
fn diff_lists_exactly_the_changed_loans_with_their_kinds() {
    let f = fixture();
    let (old, new) = (f.path("old.csv"), f.path("new.csv"));
    let o = diff(&[s(&old), s(&new), "--old-as-of", OLD_AS_OF, "--new-as-of", NEW_AS_OF, "--quiet"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    let got = listed(&text);
    let want = expected(&old, &new, Some((OLD_AS_OF, NEW_AS_OF)));
    assert_eq!(got, want);
    // The run is worth checking: deadlines passed and outcomes moved.
    for kind in ["outcome", "deadline_passed", "amounts"] {
        assert!(want.iter().any(|(_, c)| c.split(';').any(|k| k == kind)), "no {kind} change in the fixture");
    }
    // The old_ and new_ columns are the two files' cells.
    let (old_rows, new_rows) = (rows(&old), rows(&new));
    let old_by: HashMap<&str, &HashMap<String, String>> = old_rows.iter().map(|r| (r["loan_id"].as_str(), r)).collect();
    let new_by: HashMap<&str, &HashMap<String, String>> = new_rows.iter().map(|r| (r["loan_id"].as_str(), r)).collect();
    let (headers, out_rows) = crate::common::parse_csv_text(&text);
    assert_eq!(
        headers,
        [
            "loan_id",
            "change",
            "old_outcome",
            "new_outcome",
            "old_primary_reason",
            "new_primary_reason",
            "old_action_deadline",
            "new_action_deadline",
            "old_recoverable",
            "new_recoverable",
            "old_barred",
            "new_barred",
            "old_undetermined",
            "new_undetermined",
            "old_gross_deficiency",
            "new_gross_deficiency"
        ]
    );
    for r in &out_rows {
        let id = r["loan_id"].as_str();
        for col in [
            "outcome",
            "primary_reason",
            "action_deadline",
            "recoverable",
            "barred",
            "undetermined",
            "gross_deficiency",
        ] {
            assert_eq!(r[&format!("old_{col}")], old_by[id][col], "{id} old_{col}");
            assert_eq!(r[&format!("new_{col}")], new_by[id][col], "{id} new_{col}");
        }
    }
    // The summary on stderr without --quiet.
    let o = diff(&[s(&old), s(&new)]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains(&format!("{} loans changed", expected(&old, &new, None).len())), "{err}");
    assert!(err.contains("deadline_passed not judged"), "{err}");
}

#[test]
fn without_both_as_of_dates_deadline_passed_is_not_judged() {
    let f = fixture();
    let (old, new) = (f.path("old.csv"), f.path("new.csv"));
    for extra in [&[][..], &["--old-as-of", OLD_AS_OF][..], &["--new-as-of", NEW_AS_OF][..]] {
        let mut args = vec![s(&old), s(&new), "--quiet"];
        args.extend_from_slice(extra);
        let o = diff(&args);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let got = listed(&stdout(&o));
        assert_eq!(got, expected(&old, &new, None), "{extra:?}");
        assert!(!got.iter().any(|(_, c)| c.contains("deadline_passed")));
    }
}

#[test]
fn a_file_compared_with_itself_exits_0_and_writes_only_a_header() {
    let f = fixture();
    let pairs =
        [("old.csv", "old.csv"), ("old.csv", "old.parquet"), ("old.jsonl", "old.csv"), ("new.parquet", "new.jsonl")];
    for (a, b) in pairs {
        let out = tempfile::tempdir().unwrap();
        let csv = out.path().join("changes.csv");
        // The same run on both sides: the same as-of date (or none).
        let as_of = if a.starts_with("old") { OLD_AS_OF } else { NEW_AS_OF };
        let (pa, pb) = (f.path(a), f.path(b));
        let mut args = vec![s(&pa), s(&pb), "--out", s(&csv)];
        if b.ends_with("parquet") {
            args.extend(["--old-as-of", as_of, "--new-as-of", as_of]);
        }
        let o = diff(&args);
        assert_eq!(o.status.code(), Some(0), "{a} vs {b}: {}", stderr(&o));
        let text = std::fs::read_to_string(&csv).unwrap();
        assert_eq!(text.lines().count(), 1, "{a} vs {b}: {text}");
        assert!(text.starts_with("loan_id,change,"));
        assert!(stderr(&o).contains("0 loans changed"), "{}", stderr(&o));
    }
}

#[test]
fn loans_only_in_new_are_added_and_only_in_old_removed() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read_to_string(f.path("old.csv")).unwrap();
    let lines: Vec<&str> = full.lines().collect();
    // OLD lacks data rows 5 and 10; NEW lacks data row 7 and the last.
    let keep = |drop: &[usize]| -> String {
        lines.iter().enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, l)| format!("{l}\n")).collect()
    };
    let (old, new) = (dir.path().join("old.csv"), dir.path().join("new.csv"));
    std::fs::write(&old, keep(&[5, 10])).unwrap();
    std::fs::write(&new, keep(&[7, lines.len() - 1])).unwrap();
    let id = |i: usize| lines[i].split(',').nth(1).unwrap().to_string();
    let o = diff(&[s(&old), s(&new), "--quiet"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let want = vec![
        (id(5), "added".to_string()),
        (id(10), "added".to_string()),
        (id(7), "removed".to_string()),
        (id(lines.len() - 1), "removed".to_string()),
    ];
    assert_eq!(listed(&stdout(&o)), want);
    assert_eq!(listed(&stdout(&o)), expected(&old, &new, None));
    // An added row has no old_ cells; a removed row no new_ cells.
    let (_, out_rows) = crate::common::parse_csv_text(&stdout(&o));
    assert_eq!(out_rows[0]["old_outcome"], "");
    assert_ne!(out_rows[0]["new_outcome"], "");
    assert_eq!(out_rows[3]["new_gross_deficiency"], "");
    assert_ne!(out_rows[3]["old_gross_deficiency"], "");
}

#[test]
fn csv_parquet_and_jsonl_results_give_identical_diffs() {
    let f = fixture();
    let run = |a: &str, b: &str| {
        let o = diff(&[s(&f.path(a)), s(&f.path(b)), "--old-as-of", OLD_AS_OF, "--new-as-of", NEW_AS_OF, "--quiet"]);
        assert_eq!(o.status.code(), Some(1), "{a} vs {b}: {}", stderr(&o));
        o.stdout
    };
    let reference = run("old.csv", "new.csv");
    for (a, b) in [
        ("old.parquet", "new.parquet"),
        ("old.jsonl", "new.jsonl"),
        ("old.csv", "new.parquet"),
        ("old.jsonl", "new.csv"),
        ("old.parquet", "new.jsonl"),
    ] {
        assert!(run(a, b) == reference, "{a} vs {b} differs from old.csv vs new.csv");
    }
}

#[test]
fn the_same_inputs_give_byte_identical_outputs() {
    let f = fixture();
    let mut outs = Vec::new();
    for _ in 0..2 {
        let dir = tempfile::tempdir().unwrap();
        let names = ["changes.csv", "r.json", "r.md", "r.html"];
        let mut args: Vec<String> = vec![s(&f.path("old.csv")).into(), s(&f.path("new.parquet")).into()];
        args.extend(["--old-as-of", OLD_AS_OF, "--new-as-of", NEW_AS_OF, "--quiet", "--out"].map(String::from));
        args.push(s(&dir.path().join(names[0])).into());
        for n in &names[1..] {
            args.push("--report".into());
            args.push(s(&dir.path().join(n)).into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = diff(&args);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        outs.push(names.map(|n| std::fs::read(dir.path().join(n)).unwrap()));
    }
    assert!(outs[0] == outs[1], "two runs wrote different bytes");
}

#[test]
fn reports_carry_the_totals_the_counts_and_the_changed_loans() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let (csv, json, md, html) =
        (dir.path().join("c.csv"), dir.path().join("r.json"), dir.path().join("r.md"), dir.path().join("r.html"));
    let o = diff(&[
        s(&f.path("old.csv")),
        s(&f.path("new.csv")),
        "--old-as-of",
        OLD_AS_OF,
        "--new-as-of",
        NEW_AS_OF,
        "--quiet",
        "--out",
        s(&csv),
        "--report",
        s(&json),
        "--report",
        s(&md),
        "--report",
        s(&html),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows = listed(&text);
    let j: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).expect("JSON report");
    // JSON: every changed loan, in the CSV's order, and counts per kind.
    let changes = j["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), rows.len());
    assert_eq!(j["changed"].as_u64(), Some(rows.len() as u64));
    for (c, (id, kinds)) in changes.iter().zip(&rows) {
        assert_eq!(c["loan_id"].as_str(), Some(id.as_str()));
        let k: Vec<&str> = c["change"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(k.join(";"), *kinds);
    }
    for kind in ["added", "removed", "outcome", "reason", "deadline_passed", "deadline", "amounts"] {
        let n = rows.iter().filter(|(_, c)| c.split(';').any(|k| k == kind)).count() as u64;
        assert_eq!(j["by_change"][kind].as_u64(), Some(n), "by_change.{kind}");
    }
    // Totals then and now are the column sums.
    for (side, file) in [("old", "old.csv"), ("new", "new.csv")] {
        assert_eq!(j[side]["loans"].as_u64(), Some(crate::common::read_csv_maps(&f.path(file)).1.len() as u64));
        for col in ["recoverable", "barred", "undetermined", "gross_deficiency"] {
            assert_eq!(cents(j[side][col].as_str().unwrap()), rows_sum(&f.path(file), col), "{side}.{col}");
        }
    }
    // Markdown and HTML list at most 1,000 changed loans, then say how many more.
    let md = std::fs::read_to_string(&md).unwrap();
    let html = std::fs::read_to_string(&html).unwrap();
    let shown = rows.len().min(1000);
    assert_eq!(
        md.lines().filter(|l| l.starts_with("| ") && l.contains(" | ") && l.matches('|').count() == 11).count(),
        shown + 1
    );
    assert_eq!(html.matches("<tr><td>").count() - 7, shown, "HTML rows (after the 7 kinds)");
    if rows.len() > 1000 {
        let more = format!("and {} more", rows.len() - 1000);
        assert!(md.contains(&more) && html.contains(&more));
    }
    assert!(md.contains(&format!("| any | {} |", rows.len())));
    assert!(html.starts_with("<!DOCTYPE html>") && !html.contains("<script") && !html.contains("http"));
}

fn rows_sum(p: &Path, col: &str) -> i128 {
    crate::common::read_csv_maps(p).1.iter().map(|r| cents(&r[col])).sum()
}

fn cents(v: &str) -> i128 {
    let (int, frac) = v.split_once('.').expect("money with cents");
    int.parse::<i128>().unwrap() * 100 + frac.parse::<i128>().unwrap()
}

#[test]
fn the_html_report_escapes_loan_ids() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(f.path("old.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().take(21).map(String::from).collect();
    let id = lines[3].split(',').nth(1).unwrap().to_string();
    lines[3] = lines[3].replacen(&format!(",{id},"), ",\"<b>&\"\"x'\",", 1);
    let old = dir.path().join("old.csv");
    std::fs::write(&old, lines.join("\n") + "\n").unwrap();
    let new = dir.path().join("new.csv");
    std::fs::write(&new, text.lines().take(21).collect::<Vec<_>>().join("\n") + "\n").unwrap();
    let html = dir.path().join("r.html");
    let md = dir.path().join("r.md");
    let o = diff(&[s(&old), s(&new), "--quiet", "--report", s(&html), "--report", s(&md)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("\"<b>&\"\"x'\",removed,"), "{out}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<td>&lt;b&gt;&amp;&quot;x&#39;</td><td>removed</td>"), "{page}");
    assert!(!page.contains("<b>"));
    assert!(std::fs::read_to_string(&md).unwrap().contains("| <b>&\"x' | removed |"));
}

/// Runs a diff that must fail: exit 2, the message holds every `needle`,
/// and nothing is left at the output paths or beside them.
fn fails(old: &Path, new: &Path, needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let (csv, json, html) = (dir.path().join("c.csv"), dir.path().join("r.json"), dir.path().join("r.html"));
    let o = diff(&[s(old), s(new), "--out", s(&csv), "--report", s(&json), "--report", s(&html)]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in: {err}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "left at the output paths: {left:?}");
    assert!(o.stdout.is_empty());
}

#[test]
fn a_duplicate_loan_id_exits_2_naming_file_line_column_and_value() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(f.path("new.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut dup: Vec<&str> = lines[..40].to_vec();
    dup.insert(30, lines[12]); // data row 12 again, at line 31
    let bad = dir.path().join("dup.csv");
    std::fs::write(&bad, dup.join("\n") + "\n").unwrap();
    let id = lines[12].split(',').nth(1).unwrap();
    let quoted = format!("\"{id}\"");
    let needles = [s(&bad), "line 31", "column \"loan_id\"", quoted.as_str(), "first at line 13"];
    fails(&f.path("old.csv"), &bad, &needles);
    fails(&bad, &f.path("new.csv"), &needles);
    // The same in JSON Lines.
    let jl = std::fs::read_to_string(f.path("new.jsonl")).unwrap();
    let jlines: Vec<&str> = jl.lines().collect();
    let mut dup: Vec<&str> = jlines[..40].to_vec();
    dup.push(jlines[0]);
    let badj = dir.path().join("dup.jsonl");
    std::fs::write(&badj, dup.join("\n") + "\n").unwrap();
    fails(&f.path("old.csv"), &badj, &[s(&badj), "line 41", "column \"loan_id\"", "first at line 1"]);
}

#[test]
fn a_bad_value_or_a_file_that_is_not_results_exits_2_with_where_and_what() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(f.path("old.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().take(50).map(String::from).collect();
    // Line 5: an unknown outcome.
    let outcome = lines[4].split(',').nth(2).unwrap().to_string();
    lines[4] = lines[4].replacen(&format!(",{outcome},"), ",bogus,", 1);
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    fails(&bad, &f.path("new.csv"), &[s(&bad), "line 5", "column \"outcome\"", "\"bogus\""]);
    // A money cell that is not an amount, in JSON Lines.
    let jl = std::fs::read_to_string(f.path("new.jsonl")).unwrap();
    let mut jlines: Vec<String> = jl.lines().take(20).map(String::from).collect();
    let v: serde_json::Value = serde_json::from_str(&jlines[6]).unwrap();
    let barred = v["barred"].as_str().unwrap().to_string();
    jlines[6] = jlines[6].replacen(&format!("\"barred\":\"{barred}\""), "\"barred\":\"12x\"", 1);
    let badj = dir.path().join("bad.jsonl");
    std::fs::write(&badj, jlines.join("\n") + "\n").unwrap();
    fails(&f.path("old.csv"), &badj, &[s(&badj), "line 7", "column \"barred\"", "\"12x\""]);
    // The portfolio itself is not a results file; a missing file is unreadable.
    fails(&f.path("p.csv"), &f.path("new.csv"), &["p.csv", "not a results file", "outcome"]);
    let missing = dir.path().join("missing.csv");
    fails(&f.path("old.csv"), &missing, &["missing.csv"]);
    // A results format the outputs do not know.
    let o = diff(&[s(&f.path("old.csv")), s(&f.path("new.csv")), "--report", s(&dir.path().join("r.txt"))]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
