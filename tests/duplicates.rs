//! Duplicate loan ids across worker pieces and batches: the first row with
//! an id is kept, every later one is a reject, and the report is exactly the
//! report of the file without the later rows, whatever the thread count and
//! the results format. (Workers format and tally rows before the writer
//! knows which are duplicates; the writer takes those back out.)

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_deficiency");

/// Runs the binary; `code` is the exit status expected (1: rows rejected).
fn run(dir: &Path, code: i32, args: &[&str]) {
    let out = Command::new(BIN).current_dir(dir).args(args).output().expect("run deficiency");
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn records(path: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).expect("open CSV");
    let header = r.headers().expect("header").clone();
    (header, r.records().map(|x| x.expect("record")).collect())
}

#[test]
fn later_rows_with_a_seen_loan_id_are_rejected_and_leave_no_trace_in_the_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    run(d, 0, &["generate", "--rows", "12000", "--seed", "5", "--out", "clean.csv"]);
    let text = std::fs::read_to_string(d.join("clean.csv")).expect("read");
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    let rows: Vec<&str> = lines.collect();

    // After every 7th row from 1000 on, a row with the id of a row 1000
    // earlier but the content of this one (other amounts, other outcome),
    // so taking the wrong row out of the report would show.
    let mut with_dups = vec![header.to_string()];
    let mut expected_rejects = Vec::new(); // (data row, loan id)
    for (j, row) in rows.iter().enumerate() {
        with_dups.push(row.to_string());
        if j >= 1000 && j % 7 == 0 {
            let earlier_id = rows[j - 1000].split(',').next().expect("id");
            let rest = row.split_once(',').expect("fields").1;
            with_dups.push(format!("{earlier_id},{rest}"));
            expected_rejects.push((with_dups.len() as u64 - 1, earlier_id.to_string()));
        }
    }
    std::fs::write(d.join("dups.csv"), with_dups.join("\n") + "\n").expect("write");
    assert!(expected_rejects.len() > 1000, "duplicates span many pieces and batches");

    run(
        d,
        0,
        &[
            "assess",
            "clean.csv",
            "--as-of",
            "2026-01-15",
            "--out",
            "clean-out.csv",
            "--report",
            "clean.json",
            "--quiet",
        ],
    );
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        for ext in ["csv", "jsonl"] {
            let out = format!("t{threads}.{ext}");
            let rejects = format!("t{threads}-{ext}.rejects.csv");
            let report = format!("t{threads}-{ext}.json");
            run(
                d,
                1,
                &[
                    "assess",
                    "dups.csv",
                    "--as-of",
                    "2026-01-15",
                    "--threads",
                    threads,
                    "--out",
                    &out,
                    "--rejects",
                    &rejects,
                    "--report",
                    &report,
                    "--quiet",
                ],
            );
            outputs.push((threads, ext, out, rejects, report));
        }
    }

    let (_, clean) = records(&d.join("clean-out.csv"));
    let clean_report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("clean.json")).expect("report")).expect("JSON");
    for (threads, ext, out, rejects, report) in &outputs {
        let what = format!("--threads {threads}, {ext} results");
        // The rejects are exactly the later rows, by row and id.
        let (_, rej) = records(&d.join(rejects));
        let got: Vec<(u64, String)> = rej.iter().map(|r| (r[1].parse().expect("row"), r[3].to_string())).collect();
        assert_eq!(got, expected_rejects, "{what}: rejects");
        assert!(rej.iter().all(|r| r[6].contains("duplicates an earlier loan_id")), "{what}: reject message");
        // The report is the clean file's report, apart from the row counts.
        let rep: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join(report)).expect("report")).expect("JSON");
        for k in ["totals", "by_outcome", "by_reason", "by_event_type", "by_lien_position", "by_event_year"] {
            assert_eq!(rep[k], clean_report[k], "{what}: report {k}");
        }
        assert_eq!(rep["rows"]["rejected"].as_u64(), Some(expected_rejects.len() as u64), "{what}");
        // The results are the clean file's results, row numbers aside.
        if *ext == "csv" {
            let (_, res) = records(&d.join(out));
            assert_eq!(res.len(), clean.len(), "{what}: result rows");
            for (a, b) in res.iter().zip(&clean) {
                assert_eq!(
                    a.iter().skip(1).collect::<Vec<_>>(),
                    b.iter().skip(1).collect::<Vec<_>>(),
                    "{what}: loan {}",
                    &a[1]
                );
            }
        } else {
            let ids: Vec<String> = std::fs::read_to_string(d.join(out))
                .expect("jsonl")
                .lines()
                .map(|l| {
                    serde_json::from_str::<serde_json::Value>(l).expect("JSON line")["loan_id"]
                        .as_str()
                        .expect("id")
                        .to_string()
                })
                .collect();
            let clean_ids: Vec<String> = clean.iter().map(|r| r[1].to_string()).collect();
            assert_eq!(ids, clean_ids, "{what}: result ids");
        }
    }
    // Byte-identical whatever the thread count.
    for ext in ["csv", "jsonl"] {
        let one = std::fs::read(d.join(format!("t1.{ext}"))).expect("t1");
        let two = std::fs::read(d.join(format!("t2.{ext}"))).expect("t2");
        assert!(one == two, "{ext} results differ between 1 and 2 threads");
    }
}
