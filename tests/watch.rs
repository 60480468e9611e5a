//! The deadline watch (README "Deadline watch"), checked against the
//! per-loan results it is built from: the test works out from each results
//! row which loans must be listed, in which order and window, and compares
//! every report format, `deficiency report` over CSV and Parquet results, and
//! every thread count.

use crate::common::{cmd, read_csv_maps, run, stderr};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

/// One watched loan as the test expects it.
#[derive(Debug, Clone, PartialEq)]
struct Expected {
    loan_id: String,
    row: u64,
    outcome: String,
    reason: String,
    amount: Decimal,
    deadline: NaiveDate,
    days_left: i64,
}

/// The watch worked out from the results rows: (to act on, lost this month).
fn expected(rows: &[HashMap<String, String>], as_of: NaiveDate, horizon: i64) -> (Vec<Expected>, Vec<Expected>) {
    let dec = |r: &HashMap<String, String>, c: &str| Decimal::from_str(&r[c]).expect("amount");
    let (mut upcoming, mut lost) = (Vec::new(), Vec::new());
    for r in rows {
        let Ok(deadline) = NaiveDate::parse_from_str(&r["action_deadline"], "%Y-%m-%d") else { continue };
        let days = (deadline - as_of).num_days();
        let outcome = r["outcome"].as_str();
        let amount = if (0..=horizon).contains(&days) {
            match outcome {
                "recoverable" | "partially_recoverable" => dec(r, "recoverable"),
                "needs_review" if !dec(r, "undetermined").is_zero() => dec(r, "undetermined"),
                _ => continue,
            }
        } else if (-30..0).contains(&days) && outcome == "time_barred" {
            dec(r, "barred")
        } else {
            continue;
        };
        let e = Expected {
            loan_id: r["loan_id"].clone(),
            row: r["row"].parse().expect("row"),
            outcome: outcome.to_string(),
            reason: r["primary_reason"].clone(),
            amount,
            deadline,
            days_left: days,
        };
        if days < 0 { lost.push(e) } else { upcoming.push(e) }
    }
    for list in [&mut upcoming, &mut lost] {
        list.sort_by(|a, b| {
            (a.deadline, std::cmp::Reverse(a.amount), &a.loan_id, a.row).cmp(&(
                b.deadline,
                std::cmp::Reverse(b.amount),
                &b.loan_id,
                b.row,
            ))
        });
    }
    (upcoming, lost)
}

fn from_json(list: &serde_json::Value) -> Vec<Expected> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|e| Expected {
            loan_id: e["loan_id"].as_str().expect("loan_id").to_string(),
            row: e["row"].as_u64().expect("row"),
            outcome: e["outcome"].as_str().expect("outcome").to_string(),
            reason: e["primary_reason"].as_str().expect("reason").to_string(),
            amount: Decimal::from_str(e["amount_at_stake"].as_str().expect("amount")).expect("amount"),
            deadline: NaiveDate::parse_from_str(e["action_deadline"].as_str().expect("deadline"), "%Y-%m-%d")
                .expect("deadline"),
            days_left: e["days_left"].as_i64().expect("days_left"),
        })
        .collect()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("report")).expect("JSON")
}

/// Checks a JSON report's watch against the results rows.
fn check_watch(report: &serde_json::Value, rows: &[HashMap<String, String>], as_of: NaiveDate, days: &[i64]) {
    let w = &report["deadline_watch"];
    assert_eq!(w["as_of"], as_of.to_string());
    let horizon = *days.last().expect("a window");
    let (upcoming, lost) = expected(rows, as_of, horizon);
    assert_eq!(from_json(&w["loans"]), upcoming);
    assert_eq!(from_json(&w["lost_this_month"]["list"]), lost);
    let windows = w["windows"].as_array().expect("windows");
    assert_eq!(windows.len(), days.len());
    for (x, d) in windows.iter().zip(days) {
        assert_eq!(x["days"].as_i64(), Some(*d));
        let within: Vec<&Expected> = upcoming.iter().filter(|e| e.days_left <= *d).collect();
        assert_eq!(x["loans"].as_u64(), Some(within.len() as u64), "window {d}");
        let sum: Decimal = within.iter().map(|e| e.amount).sum();
        assert_eq!(x["amount_at_stake"].as_str().map(|s| Decimal::from_str(s).expect("amount")), Some(sum));
    }
    let lost_sum: Decimal = lost.iter().map(|e| e.amount).sum();
    assert_eq!(w["lost_this_month"]["loans"].as_u64(), Some(lost.len() as u64));
    assert_eq!(Decimal::from_str(w["lost_this_month"]["amount_barred"].as_str().expect("amount")).ok(), Some(lost_sum));
}

#[test]
fn the_sample_portfolio_watch_list_matches_its_results() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let as_of = NaiveDate::from_ymd_opt(2026, 1, 15).expect("date");
    let out = run(cmd()
        .args(["assess", "data/sample-portfolio.csv", "--as-of", "2026-01-15", "--quiet", "--out"])
        .arg(d.join("r.csv"))
        .arg("--report")
        .arg(d.join("r.json"))
        .arg("--report")
        .arg(d.join("r.md"))
        .arg("--report")
        .arg(d.join("r.html")));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_, rows) = read_csv_maps(&d.join("r.csv"));
    let report = json(&d.join("r.json"));
    check_watch(&report, &rows, as_of, &[30, 60, 90]);
    let (upcoming, _) = expected(&rows, as_of, 90);
    assert!(upcoming.len() >= 3, "the sample has loans to watch at 2026-01-15: {upcoming:?}");

    // Markdown lists them before the totals; HTML shows the watch first.
    let md = std::fs::read_to_string(d.join("r.md")).expect("md");
    let (watch_at, totals_at) = (md.find("## Deadline watch").expect("watch"), md.find("## Totals").expect("totals"));
    assert!(watch_at < totals_at);
    let html = std::fs::read_to_string(d.join("r.html")).expect("html");
    let (watch_at, totals_at) =
        (html.find("id=\"deadline-watch\"").expect("watch"), html.find("Headline totals").expect("totals"));
    assert!(watch_at < totals_at);
    for e in &upcoming {
        assert!(md.contains(&format!("| {} | {} |", e.loan_id, e.outcome)), "{} not in the Markdown", e.loan_id);
        assert!(html.contains(&format!("<td class=\"key\">{}</td>", e.loan_id)), "{} not in the HTML", e.loan_id);
    }
}

#[test]
fn a_generated_portfolio_watch_list_matches_its_results_everywhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let portfolio = d.join("p.csv");
    let out = run(cmd().args(["generate", "--rows", "6000", "--seed", "11", "--out"]).arg(&portfolio));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // An as-of date where loans are both due soon and lost lately, and
    // windows set by --watch-days.
    let as_of_text = "2025-06-30";
    let as_of = NaiveDate::parse_from_str(as_of_text, "%Y-%m-%d").expect("date");
    let days = [14i64, 45, 120];
    let mut reports = Vec::new();
    for threads in ["1", "2"] {
        let r = d.join(format!("r{threads}.json"));
        let out = run(cmd()
            .args(["assess", "--as-of", as_of_text, "--watch-days", "120,14,45", "--quiet", "--threads", threads])
            .arg(&portfolio)
            .arg("--out")
            .arg(d.join(format!("r{threads}.csv")))
            .arg("--report")
            .arg(&r)
            .arg("--report")
            .arg(d.join(format!("r{threads}.csv-report.csv"))));
        assert!(out.status.code().is_some_and(|c| c <= 1), "{}", stderr(&out));
        reports.push(std::fs::read(&r).expect("report"));
    }
    assert_eq!(reports[0], reports[1], "the watch differs between 1 and 2 threads");
    let (_, rows) = read_csv_maps(&d.join("r1.csv"));
    let report = json(&d.join("r1.json"));
    check_watch(&report, &rows, as_of, &days);
    let (upcoming, lost) = expected(&rows, as_of, 120);
    assert!(upcoming.len() >= 10 && !lost.is_empty(), "{} watched, {} lost", upcoming.len(), lost.len());

    // The CSV report's rows agree with the JSON windows.
    let csv_report = std::fs::read_to_string(d.join("r1.csv-report.csv")).expect("csv report");
    for (x, dd) in report["deadline_watch"]["windows"].as_array().expect("windows").iter().zip(days) {
        let line = csv_report
            .lines()
            .find(|l| l.starts_with(&format!("deadline_watch,within_{dd}_days,")))
            .expect("window row");
        assert!(line.starts_with(&format!("deadline_watch,within_{dd}_days,{},", x["loans"])), "{line}");
    }

    // `deficiency report --as-of` over the CSV and a Parquet copy of the
    // results rebuilds the same watch.
    let out = run(cmd()
        .args(["assess", "--as-of", as_of_text, "--quiet"])
        .arg(&portfolio)
        .arg("--out")
        .arg(d.join("r.parquet")));
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", stderr(&out));
    for results in ["r1.csv", "r.parquet"] {
        let merged = d.join(format!("merged-{results}.json"));
        let out = run(cmd()
            .args(["report", "--as-of", as_of_text, "--watch-days", "14,45,120"])
            .arg(d.join(results))
            .arg("--report")
            .arg(&merged));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let m = json(&merged);
        assert_eq!(m["deadline_watch"], report["deadline_watch"], "report over {results}");
    }
    // Without --as-of, `deficiency report` has no watch.
    let plain = d.join("plain.json");
    let out = run(cmd().arg("report").arg(d.join("r1.csv")).arg("--report").arg(&plain));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(json(&plain).get("deadline_watch").is_none());
}

#[test]
fn bad_watch_days_are_refused() {
    for bad in ["0", "30,abc", "99999", ""] {
        let out = run(cmd().args(["assess", "data/hand-cases.csv", "--as-of", "2026-01-15", "--watch-days", bad]));
        assert_eq!(out.status.code(), Some(2), "--watch-days {bad:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("--watch-days"), "{}", stderr(&out));
    }
}
