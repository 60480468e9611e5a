//! Bad input (README "What happens when…" and "Exit status"): row-level rejects with file, row,
//! line, column, value and an error sentence; file-level problems are fatal
//! (exit 2) and leave nothing at any output path; odd but valid CSV is
//! accepted; no input makes the process panic.

use crate::common;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use common::{cmd, parse_csv_text, run, stderr};

const AS_OF: &str = "2026-01-15";

/// `assess INPUT --as-of AS_OF --out DIR/out/results.csv --report DIR/out/report.json [extra]`.
fn assess(input: &Path, out_dir: &Path, extra: &[&str]) -> Output {
    std::fs::create_dir_all(out_dir).expect("out dir");
    run(cmd()
        .arg("assess")
        .arg(input)
        .args(["--as-of", AS_OF])
        .arg("--out")
        .arg(out_dir.join("results.csv"))
        .arg("--report")
        .arg(out_dir.join("report.json"))
        .args(extra))
}

fn outputs(out_dir: &Path) -> [PathBuf; 3] {
    [out_dir.join("results.csv"), out_dir.join("report.json"), out_dir.join("results.rejects.csv")]
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write input");
    p
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// After a fatal error: exit 2, a message naming the file, and nothing at any
/// output path (nor any leftover in the output directory).
#[track_caller]
fn assert_fatal(out: &Output, out_dir: &Path, names: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "expected exit 2; stderr:\n{err}");
    assert!(err.contains(names), "the error should name {names:?}:\n{err}");
    for p in outputs(out_dir) {
        assert!(!p.exists(), "{} exists after a fatal error", p.display());
    }
    let left: Vec<String> = std::fs::read_dir(out_dir)
        .map(|rd| rd.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "files left in the output directory after a fatal error: {left:?}");
}

/// Deterministic pseudo-random bytes (xorshift64*).
fn random_bytes(n: usize, mut seed: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            seed ^= seed >> 12;
            seed ^= seed << 25;
            seed ^= seed >> 27;
            (seed.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

const HEADER: &str =
    "loan_id,event_type,event_date,unpaid_principal,sale_price,borrower_type,deficiency_filed_date,note";

/// One bad row per kind of row problem (README "What happens when…").
struct BadRow {
    /// The CSV line (without newline); `\u{FFFD}` is replaced by an invalid byte.
    line: &'static str,
    loan_id: &'static str,
    column: &'static str,
    value: &'static str,
    /// Words the error sentence must contain (lower-case).
    words: &'static [&'static str],
}

const BAD: &[BadRow] = &[
    BadRow {
        line: "B01,trustee_sale,2025-13-01,100000,60000,individual,,",
        loan_id: "B01",
        column: "event_date",
        value: "2025-13-01",
        words: &["date"],
    },
    BadRow {
        line: "B02,trustee_sale,2025-06-31,100000,60000,individual,,",
        loan_id: "B02",
        column: "event_date",
        value: "2025-06-31",
        words: &["date"],
    },
    BadRow {
        line: "B03,trustee_sale,2025-06-10,\"12,00x\",60000,individual,,",
        loan_id: "B03",
        column: "unpaid_principal",
        value: "12,00x",
        words: &["amount"],
    },
    BadRow {
        line: "B04,trustee_sale,2025-06-10,100000,-5.00,individual,,",
        loan_id: "B04",
        column: "sale_price",
        value: "-5.00",
        words: &["negative"],
    },
    BadRow {
        line: "B05,trustee_sale,2025-06-10,1000000000000000,60000,individual,,",
        loan_id: "B05",
        column: "unpaid_principal",
        value: "1000000000000000",
        words: &["too large"],
    },
    BadRow {
        line: "B06,foreclosure,2025-06-10,100000,60000,individual,,",
        loan_id: "B06",
        column: "event_type",
        value: "foreclosure",
        words: &["trustee_sale"],
    },
    BadRow {
        line: "B07,trustee_sale,2025-06-10,100000,60000,alien,,",
        loan_id: "B07",
        column: "borrower_type",
        value: "alien",
        words: &["individual"],
    },
    BadRow {
        line: "B08,trustee_sale,,100000,60000,individual,,",
        loan_id: "B08",
        column: "event_date",
        value: "",
        words: &["blank"],
    },
    BadRow {
        line: "B09,trustee_sale,2025-06-10,100000,,individual,,",
        loan_id: "B09",
        column: "sale_price",
        value: "",
        words: &["blank", "trustee_sale"],
    },
    BadRow {
        line: ",trustee_sale,2025-06-10,100000,60000,individual,,",
        loan_id: "",
        column: "loan_id",
        value: "",
        words: &["blank"],
    },
    BadRow {
        line: "G01,judicial_sale,2025-06-10,999,1,individual,,",
        loan_id: "G01",
        column: "loan_id",
        value: "G01",
        words: &["duplicate", "first"],
    },
    BadRow { line: "B12,trustee_sale,2025-06-10,100000", loan_id: "B12", column: "", value: "", words: &["fields"] },
    BadRow {
        line: "B13,judicial_sale,2025-06-10,100000,60000,individual,2025-06-09,",
        loan_id: "B13",
        column: "deficiency_filed_date",
        value: "2025-06-09",
        words: &["before", "event_date"],
    },
    BadRow {
        line: "B14,judicial_sale,2025-06-10,100000,60000,individual,2026-01-16,",
        loan_id: "B14",
        column: "deficiency_filed_date",
        value: "2026-01-16",
        words: &["after", "as-of"],
    },
    BadRow {
        line: "B15,trustee_sale,2025-06-10,100000,60000,ind\u{FFFD}vidual,,",
        loan_id: "B15",
        column: "borrower_type",
        value: "ind\u{FFFD}vidual",
        words: &["utf-8"],
    },
    BadRow {
        line: "B16,trustee_sale,2025-06-10,100000,60000,individual,,,extra",
        loan_id: "B16",
        column: "",
        value: "",
        words: &["fields"],
    },
    BadRow {
        line: "B17,trustee_sale,2025-06-10,100000,\"$60,000.001\",individual,2025-06-10x,",
        loan_id: "B17",
        column: "deficiency_filed_date",
        value: "2025-06-10x",
        words: &["date"],
    },
];

/// The mixed file: a good row whose `note` spans two physical lines (so
/// physical line = row + 2 afterwards), every bad row, then a good row.
fn mixed_file(dir: &Path) -> PathBuf {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(HEADER.as_bytes());
    bytes.extend_from_slice(b"\nG01,trustee_sale,2025-06-10,100000,60000,individual,,\"a note\nover two lines\"\n");
    for b in BAD {
        bytes.extend(b.line.replace('\u{FFFD}', "\u{1}").bytes().map(|c| if c == 1 { 0xFF } else { c }));
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(b"G02,judicial_sale,2025-06-10,100000,60000,individual,2025-08-01,\n");
    write(dir, "mixed.csv", &bytes)
}

#[test]
fn every_kind_of_bad_row_is_rejected_with_where_and_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = mixed_file(dir.path());
    let out_dir = dir.path().join("out");
    let out = assess(&input, &out_dir, &["--quiet"]);
    assert_eq!(out.status.code(), Some(1), "some rows rejected: exit 1; stderr:\n{}", stderr(&out));
    let [results, report, rejects] = outputs(&out_dir);

    let (header, rejected) = parse_csv_text(&read(&rejects));
    assert_eq!(header, ["file", "row", "line", "loan_id", "column", "value", "error"]);
    let mut problems = Vec::new();
    let by_row: HashMap<u64, &HashMap<String, String>> =
        rejected.iter().map(|r| (r["row"].parse::<u64>().expect("row number"), r)).collect();
    for (i, b) in BAD.iter().enumerate() {
        let row = i as u64 + 2;
        let Some(r) = by_row.get(&row) else {
            problems.push(format!("row {row} ({}) is not in the rejects file", b.line));
            continue;
        };
        let mut check = |what: &str, got: &str, want: &str| {
            if got != want {
                problems.push(format!("row {row} ({}): {what}: expected {want:?}, got {got:?}", b.loan_id));
            }
        };
        check("file", &r["file"], &input.display().to_string());
        check("line (physical line, after a two-line quoted cell)", &r["line"], &(row + 2).to_string());
        check("loan_id", &r["loan_id"], b.loan_id);
        check("column", &r["column"], b.column);
        check("value", &r["value"], b.value);
        let error = r["error"].to_lowercase();
        if error.split_whitespace().count() < 3 || !b.words.iter().all(|w| error.contains(w)) {
            problems.push(format!(
                "row {row} ({}): error {:?} should be a sentence mentioning {:?}",
                b.loan_id, r["error"], b.words
            ));
        }
    }
    if rejected.len() != BAD.len() {
        problems.push(format!("{} rejects for {} bad rows", rejected.len(), BAD.len()));
    }

    // Every good row is in the results, the first G01 kept (row 1, not the duplicate).
    let (_, res) = parse_csv_text(&read(&results));
    let ids: Vec<(&str, &str)> = res.iter().map(|r| (r["loan_id"].as_str(), r["row"].as_str())).collect();
    let last = (BAD.len() + 2).to_string();
    if ids != [("G01", "1"), ("G02", last.as_str())] {
        problems.push(format!("results hold {ids:?}, expected G01 (row 1) and G02 (row {last})"));
    }
    if let Some(g01) = res.iter().find(|r| r["loan_id"] == "G01")
        && g01["gross_deficiency"] != "40000.00"
    {
        problems.push(format!("G01 should be the first row (gross 40000.00), got {}", g01["gross_deficiency"]));
    }

    // Nothing lost: rows.read = assessed + rejected.
    let rep: serde_json::Value = serde_json::from_str(&read(&report)).expect("report JSON");
    let n = |k: &str| rep["rows"][k].as_u64().unwrap_or(u64::MAX);
    let total = BAD.len() as u64 + 2;
    if (n("read"), n("assessed"), n("rejected")) != (total, 2, BAD.len() as u64) {
        problems.push(format!(
            "report rows {}: expected read {total}, assessed 2, rejected {}",
            rep["rows"],
            BAD.len()
        ));
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn rejects_go_to_the_named_path_and_stderr_when_results_go_to_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(
        dir.path(),
        "two.csv",
        format!("{HEADER}\nG01,trustee_sale,2025-06-10,100000,60000,,,\nB01,trustee_sale,2025-13-01,100000,60000,,,\n")
            .as_bytes(),
    );
    let named = dir.path().join("my-rejects.csv");
    let out = run(cmd().arg("assess").arg(&input).args(["--as-of", AS_OF, "--quiet", "--rejects"]).arg(&named));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let (_, res) = parse_csv_text(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(res.len(), 1);
    assert!(read(&named).contains("2025-13-01"));

    let out = run(cmd().arg("assess").arg(&input).args(["--as-of", AS_OF, "--quiet"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("2025-13-01"), "rejects on stderr:\n{}", stderr(&out));
}

#[test]
fn too_many_rejects_is_fatal_and_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(
        dir.path(),
        "two-bad.csv",
        format!("{HEADER}\nG01,trustee_sale,2025-06-10,100000,60000,,,\nB01,trustee_sale,2025-13-01,100000,60000,,,\nB02,trustee_sale,2025-06-10,-1,60000,,,\n").as_bytes(),
    );
    let out_dir = dir.path().join("out");
    let out = assess(&input, &out_dir, &["--max-rejects", "1", "--quiet"]);
    assert_fatal(&out, &out_dir, "max-rejects");

    let out_dir = dir.path().join("out2");
    let out = assess(&input, &out_dir, &["--max-rejects", "2", "--quiet"]);
    assert_eq!(out.status.code(), Some(1), "2 rejects within --max-rejects 2: {}", stderr(&out));
    for p in outputs(&out_dir) {
        assert!(p.exists(), "{} missing", p.display());
    }
}

#[test]
fn file_level_problems_are_fatal_name_the_file_and_leave_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join("folder.csv")).expect("mkdir");
    let cases: Vec<(&str, PathBuf)> = vec![
        ("empty file", write(d, "empty.csv", b"")),
        ("blank lines only", write(d, "blank.csv", b"\n\n\n")),
        (
            "missing sale_price column",
            write(
                d,
                "no-sale-price.csv",
                b"loan_id,event_type,event_date,unpaid_principal\nA,trustee_sale,2025-06-10,1\n",
            ),
        ),
        (
            "missing loan_id column",
            write(d, "no-id.csv", b"event_type,event_date,unpaid_principal,sale_price\ntrustee_sale,2025-06-10,1,1\n"),
        ),
        ("random bytes", write(d, "random.csv", &random_bytes(64 * 1024, 0x5eed_0001))),
        ("random bytes (seed 2)", write(d, "random2.csv", &random_bytes(1000, 0x5eed_0002))),
        (
            "random text",
            write(
                d,
                "random-text.csv",
                &random_bytes(8192, 0x5eed_0003)
                    .iter()
                    .map(|b| b" abcd,\n\"xyz01$.-"[*b as usize % 16])
                    .collect::<Vec<u8>>(),
            ),
        ),
        ("a directory", d.join("folder.csv")),
        (
            "unknown extension",
            write(d, "portfolio.xlsx", format!("{HEADER}\nG01,trustee_sale,2025-06-10,100000,60000,,,\n").as_bytes()),
        ),
        ("no such file", d.join("does-not-exist.csv")),
    ];
    for (what, input) in cases {
        let out_dir = d.join(format!("out-{}", what.replace(' ', "-")));
        let out = assess(&input, &out_dir, &[]);
        let name = input.file_name().expect("name").to_string_lossy().into_owned();
        eprintln!("{what}: {}", stderr(&out).trim());
        assert_fatal(&out, &out_dir, &name);
    }
}

#[test]
fn a_fatal_second_input_leaves_nothing_either() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good =
        write(dir.path(), "good.csv", format!("{HEADER}\nG01,trustee_sale,2025-06-10,100000,60000,,,\n").as_bytes());
    let bad = write(dir.path(), "bad.csv", b"loan_id,event_type\nX,trustee_sale\n");
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    let out = run(cmd()
        .arg("assess")
        .arg(&good)
        .arg(&bad)
        .args(["--as-of", AS_OF])
        .arg("--out")
        .arg(out_dir.join("results.csv"))
        .arg("--report")
        .arg(out_dir.join("report.json")));
    assert_fatal(&out, &out_dir, "bad.csv");
}

#[test]
fn a_loan_id_repeated_in_a_second_file_is_rejected_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write(dir.path(), "a.csv", format!("{HEADER}\nD1,trustee_sale,2025-06-10,100000,60000,,,\n").as_bytes());
    let b = write(
        dir.path(),
        "b.csv",
        format!("{HEADER}\nD2,trustee_sale,2025-06-10,100000,60000,,,\nD1,trustee_sale,2025-06-10,5,1,,,\n").as_bytes(),
    );
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    let out = run(cmd()
        .arg("assess")
        .arg(&a)
        .arg(&b)
        .args(["--as-of", AS_OF, "--quiet", "--out"])
        .arg(out_dir.join("results.csv")));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let (_, rej) = parse_csv_text(&read(&out_dir.join("results.rejects.csv")));
    assert_eq!(rej.len(), 1);
    assert_eq!(rej[0]["file"], b.display().to_string());
    assert_eq!((rej[0]["row"].as_str(), rej[0]["loan_id"].as_str(), rej[0]["column"].as_str()), ("2", "D1", "loan_id"));
    let (_, res) = parse_csv_text(&read(&out_dir.join("results.csv")));
    let got: Vec<(&str, &str)> = res.iter().map(|r| (r["loan_id"].as_str(), r["gross_deficiency"].as_str())).collect();
    assert_eq!(got, [("D1", "40000.00"), ("D2", "40000.00")], "the first D1 is kept");
}

#[test]
fn unusable_output_paths_are_fatal_and_leave_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input =
        write(dir.path(), "in.csv", format!("{HEADER}\nG01,trustee_sale,2025-06-10,100000,60000,,,\n").as_bytes());
    // An unknown report format: nothing written, not even the results.
    let out_dir = dir.path().join("out1");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    let out = run(cmd()
        .arg("assess")
        .arg(&input)
        .args(["--as-of", AS_OF, "--out"])
        .arg(out_dir.join("results.csv"))
        .arg("--report")
        .arg(out_dir.join("report.pdf")));
    assert_fatal(&out, &out_dir, "report.pdf");
    // Results under a path whose "directory" is a regular file: the report is not left behind.
    let out_dir = dir.path().join("out2");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    let out = run(cmd()
        .arg("assess")
        .arg(&input)
        .args(["--as-of", AS_OF, "--out"])
        .arg(input.join("results.csv"))
        .arg("--report")
        .arg(out_dir.join("report.json")));
    assert_fatal(&out, &out_dir, "in.csv/results.csv");
    // An unknown results format.
    let out_dir = dir.path().join("out3");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    let out = run(cmd()
        .arg("assess")
        .arg(&input)
        .args(["--as-of", AS_OF, "--out"])
        .arg(out_dir.join("results.xls"))
        .arg("--report")
        .arg(out_dir.join("report.json")));
    assert_fatal(&out, &out_dir, "results.xls");
}

#[test]
fn header_only_file_gives_a_header_only_results_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "header-only.csv", format!("{HEADER}\n").as_bytes());
    let out_dir = dir.path().join("out");
    let out = assess(&input, &out_dir, &["--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = read(&out_dir.join("results.csv"));
    assert_eq!(text.lines().count(), 1, "only the header:\n{text}");
    assert!(
        text.starts_with("row,loan_id,outcome,primary_reason,reasons,citations,total_debt,gross_deficiency,recoverable,barred,undetermined,surplus,action_deadline,redemption_ends,flags"),
        "{text}"
    );
    let rep: serde_json::Value = serde_json::from_str(&read(&out_dir.join("report.json"))).expect("json");
    assert_eq!(rep["rows"]["read"], 0);
}

#[test]
fn bom_crlf_quotes_odd_headers_and_extra_columns_are_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "\u{feff} LOAN_ID ,Event_Type,  EVENT_DATE ,Unpaid_Principal,SALE_PRICE ,Extra Column,Loan_Purpose, Costs \r\n\
                Q1,TRUSTEE_SALE,2025-06-10,\"$1,250,000.00\",\"1,000,000\",\"x, y\",Home_Equity,\r\n\
                \"Q2\",\" judicial_sale \",2025-06-10,\"100000.125\",80000,\"multi\r\nline\",other,\"2,000\"\r\n";
    let input = write(dir.path(), "odd.csv", text.as_bytes());
    let out_dir = dir.path().join("out");
    let out = assess(&input, &out_dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("Extra Column"), "unknown columns are listed once on stderr:\n{}", stderr(&out));
    let (_, res) = parse_csv_text(&read(&out_dir.join("results.csv")));
    let got: Vec<(&str, &str, &str, &str)> = res
        .iter()
        .map(|r| {
            (r["loan_id"].as_str(), r["outcome"].as_str(), r["total_debt"].as_str(), r["gross_deficiency"].as_str())
        })
        .collect();
    assert_eq!(
        got,
        [("Q1", "barred", "1250000.00", "250000.00"), ("Q2", "time_barred", "102000.12", "22000.12")],
        "Q2: 100000.125 + 2000 costs - 80000, truncated to the cent; judicial, no application by --as-of"
    );
}

#[test]
fn dash_reads_csv_from_stdin() {
    let mut child = cmd()
        .arg("assess")
        .arg("-")
        .args(["--as-of", AS_OF, "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(
            format!("{HEADER}\nS1,trustee_sale,2025-06-10,100000,60000,,,\nS2,senior_sale,2025-08-04,5000,,,,\n")
                .as_bytes(),
        )
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    common::assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_, res) = parse_csv_text(&String::from_utf8_lossy(&out.stdout));
    let ids: Vec<&str> = res.iter().map(|r| r["loan_id"].as_str()).collect();
    assert_eq!(ids, ["S1", "S2"]);
    assert_eq!(res[0]["outcome"], "barred");
}

#[test]
fn senior_sale_with_a_sale_price_is_assessed_with_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(
        dir.path(),
        "senior.csv",
        b"loan_id,event_type,event_date,unpaid_principal,sale_price,surplus_received,accrual_date,loan_purpose\nJ1,senior_sale,2025-08-04,50000,45000,1000,2025-05-01,home_equity\n",
    );
    let out_dir = dir.path().join("out");
    let out = assess(&input, &out_dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out).to_lowercase();
    assert!(err.contains("warning") && err.contains("sale_price"), "a warning about the ignored sale_price:\n{err}");
    let (_, res) = parse_csv_text(&read(&out_dir.join("results.csv")));
    assert_eq!(res.len(), 1);
    assert_eq!(res[0]["gross_deficiency"], "49000.00", "sale_price ignored; gross = debt - surplus received");
    assert_eq!(res[0]["outcome"], "recoverable");
}

/// Odd inputs: whatever happens, no panic and a documented exit status.
#[test]
fn odd_inputs_never_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let long = "9".repeat(100_000);
    let many_cols: String = (0..5000).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",");
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("nul", format!("{HEADER}\nN\0,trustee_sale,2025-06-10,1\0,1,,,\n").into_bytes()),
        ("long-cell", format!("{HEADER}\nL,trustee_sale,2025-06-10,{long},1,,,\n").into_bytes()),
        ("long-decimals", format!("{HEADER}\nL,trustee_sale,2025-06-10,1.{long},1,,,\n").into_bytes()),
        ("commas", format!("{HEADER}\n,,,,,,,\n,,,,,,,,,,,,\n").into_bytes()),
        ("unbalanced-quote", format!("{HEADER}\nU,\"trustee_sale,2025-06-10,1,1,,,\n").into_bytes()),
        ("many-columns", format!("{many_cols},loan_id,event_type,event_date,unpaid_principal,sale_price\n").into_bytes()),
        ("bom-only", b"\xEF\xBB\xBF".to_vec()),
        ("dup-header", b"loan_id,loan_id,event_type,event_date,unpaid_principal,sale_price\n".to_vec()),
        ("weird-values", format!("{HEADER}\nW1,trustee_sale,0000-01-01,0,0,,,\nW2,trustee_sale,9999-12-31,999999999999999.99,0,,,\nW3,trustee_sale,2025-06-10,$,0,,,\nW4,trustee_sale,2025-06-10,1e5,0,,,\nW5,trustee_sale,2025-06-10,\"1,2,3\",0,,,\nW6,trustee_sale,2025-06-10,--1,0,,,\n").into_bytes()),
        ("max-amounts", "loan_id,event_type,event_date,unpaid_principal,accrued_interest,advances,costs,sale_price,fair_value\nM1,judicial_sale,2025-06-10,999999999999999.99,999999999999999.99,999999999999999.99,999999999999999.99,0,0\nM2,senior_sale,2025-06-10,999999999999999.999999999999,,,,,\n".to_string().into_bytes()),
    ];
    for (name, bytes) in inputs {
        let input = write(d, &format!("{name}.csv"), &bytes);
        let out_dir = d.join(format!("out-{name}"));
        let out = assess(&input, &out_dir, &["--quiet"]);
        let code = out.status.code();
        assert!(matches!(code, Some(0..=2)), "{name}: exit {code:?}\n{}", stderr(&out));
        if code == Some(2) {
            for p in outputs(&out_dir) {
                assert!(!p.exists(), "{name}: {} exists after exit 2", p.display());
            }
        }
    }
}

/// `--csv-safe`: loan ids and rejected values that a spreadsheet would run
/// as formulas get a leading `'` in the results and rejects CSV; without the
/// flag the cells are written as given.
#[test]
fn csv_safe_neutralises_formula_like_cells_in_results_and_rejects() {
    let d = tempfile::tempdir().expect("tempdir");
    let input = write(
        d.path(),
        "formulas.csv",
        b"loan_id,event_type,event_date,unpaid_principal,sale_price\n\
          \"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",trustee_sale,2025-06-10,100000,80000\n\
          @SUM(1),trustee_sale,2025-06-10,100000,80000\n\
          +1,trustee_sale,2025-06-10,100000,-2+3\n\
          plain,trustee_sale,2025-06-10,100000,80000\n",
    );
    let safe = d.path().join("safe");
    let out = assess(&input, &safe, &["--csv-safe", "--quiet"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let (_, rows) = parse_csv_text(&read(&safe.join("results.csv")));
    let ids: Vec<&str> = rows.iter().map(|r| r["loan_id"].as_str()).collect();
    assert_eq!(ids, ["'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(1)", "plain"]);
    let (_, rejects) = parse_csv_text(&read(&safe.join("results.rejects.csv")));
    assert_eq!((rejects[0]["loan_id"].as_str(), rejects[0]["value"].as_str()), ("'+1", "'-2+3"));

    let plain = d.path().join("plain");
    let out = assess(&input, &plain, &["--quiet"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let (_, rows) = parse_csv_text(&read(&plain.join("results.csv")));
    assert_eq!(rows[1]["loan_id"], "@SUM(1)");
    let (_, rejects) = parse_csv_text(&read(&plain.join("results.rejects.csv")));
    assert_eq!((rejects[0]["loan_id"].as_str(), rejects[0]["value"].as_str()), ("+1", "-2+3"));
}
