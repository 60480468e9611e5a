//! Excel workbooks (README "Excel workbooks"), read back with calamine: the
//! sheets, typed cells (numbers, dates, text) equal to the CSV results and
//! the JSON report, formula-like text neutralised, the same bytes for any
//! thread count.

use crate::common::{cmd, read_csv_maps, run, stderr};
use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;

fn book(p: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(p).expect("open workbook")
}

/// A cell as the CSV writes it: money with two decimals, dates ISO.
fn as_text(cell: &Data, kind: &str) -> String {
    match (cell, kind) {
        (Data::Empty, _) => String::new(),
        (Data::Float(x), "money") => format!("{x:.2}"),
        (Data::Float(x), _) => format!("{x}"),
        (Data::Int(x), _) => format!("{x}"),
        (Data::DateTime(d), "date") => d.as_datetime().expect("a date").date().to_string(),
        (Data::String(s), _) => s.clone(),
        (other, k) => panic!("unexpected {other:?} in a {k} column"),
    }
}

fn kinds() -> Vec<(String, String)> {
    let out = run(cmd().args(["rules", "--json"]));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("rules json");
    v["result_columns"]
        .as_array()
        .expect("result columns")
        .iter()
        .map(|c| (c["name"].as_str().expect("name").to_string(), c["kind"].as_str().expect("kind").to_string()))
        .collect()
}

#[test]
fn the_results_workbook_has_typed_cells_equal_to_the_csv_results() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut outputs = Vec::new();
    for (threads, out) in [("1", "r1.xlsx"), ("2", "r2.xlsx")] {
        let o = run(cmd()
            .args(["assess", "data/sample-portfolio.csv", "--as-of", "2026-01-15", "--quiet", "--threads", threads])
            .arg("--out")
            .arg(d.join(out))
            .arg("--report")
            .arg(d.join(format!("s{threads}.xlsx"))));
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        outputs.push(std::fs::read(d.join(out)).expect("workbook"));
    }
    assert_eq!(outputs[0], outputs[1], "the workbook differs between 1 and 2 threads");
    assert_eq!(std::fs::read(d.join("s1.xlsx")).ok(), std::fs::read(d.join("s2.xlsx")).ok());
    let o = run(cmd()
        .args(["assess", "data/sample-portfolio.csv", "--as-of", "2026-01-15", "--quiet", "--out"])
        .arg(d.join("r.csv"))
        .arg("--report")
        .arg(d.join("r.json")));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (_, rows) = read_csv_maps(&d.join("r.csv"));

    let mut wb = book(&d.join("r1.xlsx"));
    assert_eq!(wb.sheet_names(), ["Summary", "Deadline watch", "By rule", "Groups", "Results"]);
    let sheet = wb.worksheet_range("Results").expect("Results");
    let kinds = kinds();
    let header: Vec<String> = sheet.rows().next().expect("header").iter().map(|c| c.to_string()).collect();
    assert_eq!(header, kinds.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>());
    assert_eq!(sheet.height(), rows.len() + 1);
    let mut numbers = 0;
    let mut dates = 0;
    for (cells, csv) in sheet.rows().skip(1).zip(&rows) {
        for (cell, (name, kind)) in cells.iter().zip(&kinds) {
            match (kind.as_str(), cell) {
                ("money", Data::Float(_)) => numbers += 1,
                ("date", Data::DateTime(_)) => dates += 1,
                ("money" | "date", Data::Empty) => {}
                ("money" | "date", other) => panic!("{name}: {other:?} is not a typed cell"),
                _ => {}
            }
            let want = &csv[name];
            let got = as_text(cell, kind);
            if kind == "money" && !want.is_empty() {
                assert_eq!(Decimal::from_str(&got).ok(), Decimal::from_str(want).ok(), "{name} of {}", csv["loan_id"]);
            } else {
                assert_eq!(&got, want, "{name} of {}", csv["loan_id"]);
            }
        }
    }
    assert!(numbers > rows.len() * 5 && dates > rows.len(), "{numbers} money cells, {dates} date cells");

    // The report sheets: totals, the watch and the rules as in the JSON report.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("r.json")).expect("json")).expect("json");
    let summary = wb.worksheet_range("Summary").expect("Summary");
    let totals_row = summary.rows().find(|r| r.first().is_some_and(|c| *c == "all loans")).expect("a totals row");
    let money = |c: &Data| Decimal::from_str(&as_text(c, "money")).expect("money");
    assert_eq!(as_text(&totals_row[2], "count"), report["totals"]["loans"].to_string());
    for (i, name) in ["gross_deficiency", "recoverable", "barred", "undetermined"].iter().enumerate() {
        let want = Decimal::from_str(report["totals"][name].as_str().expect("amount")).expect("amount");
        assert_eq!(money(&totals_row[3 + i]), want, "{name}");
    }
    let watch = wb.worksheet_range("Deadline watch").expect("watch");
    let listed: Vec<String> = watch
        .rows()
        .skip_while(|r| r.first().is_none_or(|c| *c != "loan id"))
        .skip(1)
        .map(|r| r[0].to_string())
        .collect();
    let want: Vec<String> = report["deadline_watch"]["loans"]
        .as_array()
        .expect("loans")
        .iter()
        .chain(report["deadline_watch"]["lost_this_month"]["list"].as_array().expect("lost"))
        .map(|e| e["loan_id"].as_str().expect("id").to_string())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(listed, want);
    let by_rule = wb.worksheet_range("By rule").expect("By rule");
    let codes: Vec<String> = by_rule.rows().skip(1).map(|r| r[0].to_string()).collect();
    let want: Vec<String> = report["by_reason"]
        .as_array()
        .expect("by_reason")
        .iter()
        .map(|g| g["key"].as_str().expect("key").to_string())
        .collect();
    assert_eq!(codes, want);
    // The report workbook has the same report sheets and no Results.
    let s = book(&d.join("s1.xlsx"));
    assert_eq!(s.sheet_names(), ["Summary", "Deadline watch", "By rule", "Groups"]);
}

#[test]
fn formula_like_loan_ids_are_text_in_a_workbook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let input = d.join("in.csv");
    let ids = ["=HYPERLINK(\"http://x\")", "+1+2", "-3", "@SUM(A1)", "plain"];
    let mut text = String::from("loan_id,event_type,event_date,unpaid_principal,sale_price\n");
    for id in ids {
        text.push_str(&format!("\"{}\",trustee_sale,2025-06-10,300000,250000\n", id.replace('"', "\"\"")));
    }
    std::fs::write(&input, text).expect("write");
    let o =
        run(cmd().args(["assess", "--as-of", "2025-07-01", "--quiet"]).arg(&input).arg("--out").arg(d.join("r.xlsx")));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut wb = book(&d.join("r.xlsx"));
    let sheet = wb.worksheet_range("Results").expect("Results");
    let got: Vec<Data> = sheet.rows().skip(1).map(|r| r[1].clone()).collect();
    let want: Vec<Data> = ids
        .iter()
        .map(|id| Data::String(if id.starts_with(['=', '+', '-', '@']) { format!("'{id}") } else { id.to_string() }))
        .collect();
    assert_eq!(got, want);
    // No cell of the workbook is a formula.
    let formulas = wb.worksheet_formula("Results").expect("formulas");
    assert!(formulas.cells().all(|(_, _, f)| f.is_empty()), "a formula was written");
}

#[test]
fn a_merged_report_workbook_carries_the_given_as_of_date() {
    // `deficiency report --as-of` over CSV results writes the same report
    // sheets as `assess`.
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let o = run(cmd()
        .args(["assess", "data/sample-portfolio.csv", "--as-of", "2026-01-15", "--quiet", "--out"])
        .arg(d.join("r.csv")));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o =
        run(cmd().args(["report", "--as-of", "2026-01-15"]).arg(d.join("r.csv")).arg("--report").arg(d.join("m.xlsx")));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut wb = book(&d.join("m.xlsx"));
    let summary = wb.worksheet_range("Summary").expect("Summary");
    let as_of = summary.rows().find(|r| r[0] == "as of").expect("as of");
    match &as_of[1] {
        Data::DateTime(x) => {
            assert_eq!(x.as_datetime().map(|t| t.date()), NaiveDate::from_ymd_opt(2026, 1, 15))
        }
        other => panic!("as of is {other:?}"),
    }
}
