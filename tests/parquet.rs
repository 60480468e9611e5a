//! Parquet in and out: the same loans give the same results whatever the
//! input or output format; typed output reads back with the right types; bad
//! Parquet files fail with a clear error and leave nothing behind.

use polars::prelude::*;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_deficiency");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn ok(out: &Output) {
    assert!(out.status.success(), "exit {:?}: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
}

fn p(dir: &Path, name: &str) -> String {
    dir.join(name).to_string_lossy().into_owned()
}

fn read_parquet(path: &str) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap()
}

#[test]
fn csv_and_parquet_inputs_and_outputs_give_identical_results() {
    let d = tempfile::tempdir().unwrap();
    let d = d.path();
    ok(&run(&["generate", "--rows", "3000", "--seed", "21", "--out", &p(d, "g.csv")]));
    ok(&run(&["generate", "--rows", "3000", "--seed", "21", "--out", &p(d, "g.parquet")]));
    ok(&run(&[
        "assess",
        &p(d, "g.csv"),
        "--as-of",
        "2026-01-15",
        "--out",
        &p(d, "a.csv"),
        "--report",
        &p(d, "a.json"),
        "--quiet",
    ]));
    ok(&run(&[
        "assess",
        &p(d, "g.parquet"),
        "--as-of",
        "2026-01-15",
        "--out",
        &p(d, "b.csv"),
        "--report",
        &p(d, "b.json"),
        "--quiet",
    ]));
    assert_eq!(
        std::fs::read(p(d, "a.csv")).unwrap(),
        std::fs::read(p(d, "b.csv")).unwrap(),
        "CSV and Parquet inputs differ"
    );
    // Many small row groups (read one at a time) give the same results.
    let mut small = read_parquet(&p(d, "g.parquet"));
    ParquetWriter::new(std::fs::File::create(p(d, "small.parquet")).unwrap())
        .with_row_group_size(Some(700))
        .finish(&mut small)
        .unwrap();
    let groups = ParquetReader::new(std::fs::File::open(p(d, "small.parquet")).unwrap())
        .get_metadata()
        .unwrap()
        .row_groups
        .len();
    assert!(groups >= 4, "{groups} row groups");
    for threads in ["1", "2"] {
        let out = p(d, &format!("s{threads}.csv"));
        ok(&run(&[
            "assess",
            &p(d, "small.parquet"),
            "--as-of",
            "2026-01-15",
            "--out",
            &out,
            "--threads",
            threads,
            "--quiet",
        ]));
        assert_eq!(
            std::fs::read(p(d, "a.csv")).unwrap(),
            std::fs::read(&out).unwrap(),
            "row groups of 700, {threads} thread(s)"
        );
    }
    let ja: serde_json::Value = serde_json::from_slice(&std::fs::read(p(d, "a.json")).unwrap()).unwrap();
    let jb: serde_json::Value = serde_json::from_slice(&std::fs::read(p(d, "b.json")).unwrap()).unwrap();
    assert_eq!(ja["totals"], jb["totals"]);
    assert_eq!(ja["by_reason"], jb["by_reason"]);

    // Parquet output carries the same values as CSV output.
    ok(&run(&["assess", &p(d, "g.parquet"), "--as-of", "2026-01-15", "--out", &p(d, "c.parquet"), "--quiet"]));
    let df = read_parquet(&p(d, "c.parquet"));
    let csv_rows: Vec<csv::StringRecord> =
        csv::Reader::from_path(p(d, "a.csv")).unwrap().records().map(|r| r.unwrap()).collect();
    assert_eq!(df.height(), csv_rows.len());
    let header: Vec<String> =
        csv::Reader::from_path(p(d, "a.csv")).unwrap().headers().unwrap().iter().map(String::from).collect();
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    assert_eq!(names, header, "Parquet columns must match the CSV columns");
    for (name, want) in [
        ("row", DataType::UInt64),
        ("loan_id", DataType::String),
        ("gross_deficiency", DataType::Decimal(18, 2)),
        ("recoverable", DataType::Decimal(18, 2)),
        ("barred", DataType::Decimal(18, 2)),
        ("undetermined", DataType::Decimal(18, 2)),
        ("action_deadline", DataType::Date),
        ("redemption_ends", DataType::Date),
        ("event_date", DataType::Date),
    ] {
        assert_eq!(df.column(name).unwrap().dtype(), &want, "{name}");
    }
    // Spot-check values against the CSV, column by column, as text.
    for (ci, name) in header.iter().enumerate() {
        let col = df.column(name).unwrap().as_materialized_series().clone();
        for (i, row) in csv_rows.iter().enumerate().step_by(97) {
            let want = &row[ci];
            let got = match col.get(i).unwrap() {
                AnyValue::Null => String::new(),
                AnyValue::String(s) => s.to_string(),
                AnyValue::StringOwned(s) => s.to_string(),
                AnyValue::Date(days) => chrono::NaiveDate::from_epoch_days(days).unwrap().to_string(),
                AnyValue::Decimal(m, _, scale) => {
                    rust_decimal::Decimal::from_i128_with_scale(m, scale as u32).to_string()
                }
                other => other.to_string(),
            };
            assert_eq!(&got, want, "row {} column {name}", i + 1);
        }
    }
    // And `report` rebuilds the same totals from Parquet results as from CSV results.
    ok(&run(&["report", &p(d, "c.parquet"), "--report", &p(d, "rp.json")]));
    ok(&run(&["report", &p(d, "a.csv"), "--report", &p(d, "rc.json")]));
    let rp: serde_json::Value = serde_json::from_slice(&std::fs::read(p(d, "rp.json")).unwrap()).unwrap();
    let rc: serde_json::Value = serde_json::from_slice(&std::fs::read(p(d, "rc.json")).unwrap()).unwrap();
    for k in ["totals", "by_outcome", "by_reason", "by_event_type", "by_lien_position", "by_event_year"] {
        assert_eq!(rp[k], rc[k], "{k}");
        assert_eq!(rp[k], ja[k], "{k} vs the run's own report");
    }
}

fn write_df(path: &str, df: &mut DataFrame) {
    ParquetWriter::new(std::fs::File::create(path).unwrap()).finish(df).unwrap();
}

fn base_columns(n: usize) -> Vec<Column> {
    vec![
        Column::new("loan_id".into(), (0..n).map(|i| format!("P{i}")).collect::<Vec<_>>()),
        Column::new("event_type".into(), vec!["judicial_sale"; n]),
        Column::new("event_date".into(), vec!["2025-06-10"; n]),
        Column::new("unpaid_principal".into(), vec![100000.0f64; n]),
    ]
}

#[test]
fn pandas_style_floats_and_string_dates_are_read() {
    let d = tempfile::tempdir().unwrap();
    let d = d.path();
    let mut cols = base_columns(1);
    cols.push(Column::new("sale_price".into(), vec![85000.0f64]));
    cols.push(Column::new("costs".into(), vec![5000.004f64])); // rounds to 5000.00
    cols.push(Column::new("fair_value".into(), vec![80000.0f64]));
    cols.push(Column::new("loan_purpose".into(), vec!["purchase"]));
    cols.push(Column::new("owner_occupied".into(), vec![false]));
    cols.push(Column::new("property_units".into(), vec![1i64]));
    cols.push(Column::new("deficiency_filed_date".into(), vec!["2025-08-01"]));
    let mut df = DataFrame::new(1, cols).unwrap();
    write_df(&p(d, "in.parquet"), &mut df);
    let out = run(&["assess", &p(d, "in.parquet"), "--as-of", "2026-01-15", "--out", &p(d, "r.csv"), "--quiet"]);
    ok(&out);
    let text = std::fs::read_to_string(p(d, "r.csv")).unwrap();
    let line = text.lines().nth(1).unwrap();
    assert!(line.starts_with("1,P0,recoverable,726b_deficiency,"), "{line}");
    assert!(line.contains(",105000.00,20000.00,20000.00,0.00,0.00,0.00,2025-09-10,2026-06-10,"), "{line}");
}

#[test]
fn missing_or_mistyped_columns_are_fatal_and_leave_nothing() {
    let d = tempfile::tempdir().unwrap();
    let d = d.path();
    // no sale_price column
    let mut df = DataFrame::new(1, base_columns(1)).unwrap();
    write_df(&p(d, "missing.parquet"), &mut df);
    let out = run(&[
        "assess",
        &p(d, "missing.parquet"),
        "--as-of",
        "2026-01-15",
        "--out",
        &p(d, "r.csv"),
        "--report",
        &p(d, "r.json"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("missing.parquet") && err.contains("sale_price"), "{err}");
    assert!(
        !Path::new(&p(d, "r.csv")).exists()
            && !Path::new(&p(d, "r.json")).exists()
            && !Path::new(&p(d, "r.rejects.csv")).exists()
    );

    // sale_price as Boolean
    let mut cols = base_columns(1);
    cols.push(Column::new("sale_price".into(), vec![true]));
    let mut df = DataFrame::new(1, cols).unwrap();
    write_df(&p(d, "typed.parquet"), &mut df);
    let out = run(&["assess", &p(d, "typed.parquet"), "--as-of", "2026-01-15", "--out", &p(d, "r.csv")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("typed.parquet")
            && err.contains("\"sale_price\"")
            && (err.contains("Boolean") || err.contains("bool")),
        "{err}"
    );
    assert!(!Path::new(&p(d, "r.csv")).exists());

    // not a Parquet file at all
    std::fs::write(p(d, "junk.parquet"), b"this is not parquet").unwrap();
    let out = run(&["assess", &p(d, "junk.parquet"), "--as-of", "2026-01-15", "--out", &p(d, "r.csv")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("junk.parquet"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn bad_parquet_values_are_rejected_by_row() {
    let d = tempfile::tempdir().unwrap();
    let d = d.path();
    let mut cols = base_columns(2);
    cols.push(Column::new("sale_price".into(), vec![Some(85000.0f64), Some(-5.0)]));
    let mut df = DataFrame::new(2, cols).unwrap();
    write_df(&p(d, "neg.parquet"), &mut df);
    let out = run(&["assess", &p(d, "neg.parquet"), "--as-of", "2026-01-15", "--out", &p(d, "r.csv"), "--quiet"]);
    assert_eq!(out.status.code(), Some(1));
    let rejects = std::fs::read_to_string(p(d, "r.rejects.csv")).unwrap();
    assert!(rejects.contains("neg.parquet,2,,P1,sale_price,-5.00,"), "{rejects}");
}

/// Decimal columns of any scale (Spark and pyarrow often write
/// decimal(38,18)) are read exactly: trailing zeros are not precision.
#[test]
fn wide_scale_decimals_are_read_exactly() {
    let d = tempfile::tempdir().unwrap();
    let d = d.path();
    let dec = |name: &str, v: Vec<i128>, scale: usize| -> Column {
        Int128Chunked::from_vec(name.into(), v).into_decimal_unchecked(38, scale).into_series().into()
    };
    let e18 = 10i128.pow(18);
    let mut cols = vec![
        Column::new("loan_id".into(), vec!["W0", "W1"]),
        Column::new("event_type".into(), vec!["judicial_sale"; 2]),
        Column::new("event_date".into(), vec!["2025-06-10"; 2]),
        dec("unpaid_principal", vec![100_000 * e18, 100_000 * e18], 18),
        // 85000.00 exactly; 85000.0049 truncates to the cent like any other amount
        dec("sale_price", vec![85_000 * e18, 85_000 * e18 + 49 * 10i128.pow(14)], 18),
        // 13 significant decimal places is still too precise
        dec("costs", vec![5_000 * e18, 5_000 * e18 + 100_000], 18),
    ];
    cols.push(Column::new("fair_value".into(), vec![80000.0f64, 80000.0]));
    let mut df = DataFrame::new(2, cols).unwrap();
    write_df(&p(d, "wide.parquet"), &mut df);
    let out = run(&["assess", &p(d, "wide.parquet"), "--as-of", "2026-01-15", "--out", &p(d, "r.csv"), "--quiet"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(p(d, "r.csv")).unwrap();
    let line = text.lines().nth(1).unwrap();
    assert!(line.starts_with("1,W0,") && line.contains(",105000.00,20000.00,"), "{line}");
    let rejects = std::fs::read_to_string(p(d, "r.rejects.csv")).unwrap();
    assert!(
        rejects.contains("wide.parquet,2,,W1,costs,5000.0000000000001,")
            && rejects.contains("more than 12 decimal places"),
        "{rejects}"
    );
}

/// Typed Parquet cells are read straight into loans without text; they must
/// still mean what a CSV twin of the file says, value for value and reject
/// for reject (the twin holds the text a pandas `to_csv` would write).
#[test]
fn typed_parquet_and_its_csv_twin_give_identical_results_and_rejects() {
    let d = tempfile::tempdir().unwrap();
    let d = d.path();
    let dec = |name: &str, v: Vec<Option<i128>>, scale: usize| -> Column {
        Int128Chunked::from_iter_options(name.into(), v.into_iter())
            .into_decimal_unchecked(38, scale)
            .into_series()
            .into()
    };
    let day = |s: &str| {
        let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
    };
    let dates = |name: &str, v: Vec<Option<&str>>| -> Column {
        Int32Chunked::from_iter_options(name.into(), v.into_iter().map(|o| o.map(day))).into_date().into_series().into()
    };
    let n = 8;
    let cols = vec![
        // integer loan ids are read as their digits
        Column::new("loan_id".into(), (0..n as i64).map(|i| 9000 + i).collect::<Vec<_>>()),
        Column::new(
            "event_type".into(),
            vec![
                "judicial_sale",
                "trustee_sale",
                "short_sale",
                "judicial_sale",
                "trustee_sale",
                "judicial_sale",
                "short_sale",
                "judicial_sale",
            ],
        ),
        dates(
            "event_date",
            vec![
                Some("2025-06-10"),
                Some("2024-02-29"),
                Some("2023-03-01"),
                Some("2025-06-10"),
                Some("2025-01-02"),
                Some("2025-06-10"),
                Some("2022-07-01"),
                Some("2025-06-10"),
            ],
        ),
        // cents, whole dollars, 18 places, a negative amount, 10^15 dollars
        dec(
            "unpaid_principal",
            vec![
                Some(10_000_000),
                Some(25_000_000),
                Some(300_000 * 10i128.pow(18)),
                Some(-500),
                Some(10i128.pow(17)),
                Some(12_345_678),
                Some(40_000_000),
                Some(5_000_000),
            ],
            2,
        ),
        Column::new(
            "sale_price".into(),
            vec![
                Some(85_000.0f64),
                Some(200_000.0),
                Some(250_000.0),
                Some(1.0),
                Some(5.0),
                Some(f64::NAN),
                Some(300_000.0),
                Some(49_999.995),
            ],
        ),
        Column::new(
            "accrued_interest".into(),
            vec![Some(0i64), None, Some(1200), Some(0), Some(0), Some(0), Some(-3), Some(7)],
        ),
        Column::new(
            "property_units".into(),
            vec![Some(1i64), Some(4), Some(2), None, Some(1), Some(1), Some(5_000_000_000), Some(-1)],
        ),
        // integer booleans: 0 and 1 are accepted, 2 is not
        Column::new(
            "owner_occupied".into(),
            vec![Some(1i64), Some(0), Some(2), None, Some(1), Some(1), Some(0), Some(1)],
        ),
        Column::new(
            "written_consent".into(),
            vec![Some(true), Some(false), Some(true), None, Some(true), Some(true), Some(true), Some(false)],
        ),
        Column::new(
            "loan_purpose".into(),
            vec![
                Some("purchase"),
                Some("refinance"),
                Some("purchase"),
                None,
                Some("purchase"),
                Some("purchase"),
                Some("purchase"),
                Some("purchase"),
            ],
        ),
        dates(
            "deficiency_filed_date",
            vec![Some("2025-08-01"), None, Some("2024-01-02"), None, None, None, None, Some("2025-09-01")],
        ),
        dec("fair_value", vec![Some(8_000_000), None, None, None, None, Some(1), None, Some(4_000_000)], 2),
        Column::new(
            "agency_net_loss".into(),
            vec![Some(-125.5f64), None, Some(3.0), None, None, None, None, Some(0.0)],
        ),
    ];
    let mut df = DataFrame::new(n, cols).unwrap();
    write_df(&p(d, "typed.parquet"), &mut df);
    // The twin: each value as text, a null as an empty cell.
    let mut csv = String::new();
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    csv.push_str(&names.join(","));
    csv.push('\n');
    for r in 0..n {
        let cells: Vec<String> = df
            .columns()
            .iter()
            .map(|c| match c.get(r).unwrap() {
                AnyValue::Null => String::new(),
                AnyValue::String(s) => s.to_string(),
                AnyValue::Date(days) => {
                    (chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Days::new(days as u64)).to_string()
                }
                AnyValue::Decimal(m, _, scale) => {
                    let s = rust_decimal::Decimal::from_i128_with_scale(m, scale as u32).normalize();
                    if s.scale() < 2 && scale >= 2 { format!("{:.2}", s) } else { s.to_string() }
                }
                AnyValue::Float64(x) => {
                    let c = (x * 100.0).round();
                    if x.is_finite() { format!("{:.2}", c / 100.0) } else { x.to_string() }
                }
                v => v.to_string(),
            })
            .collect();
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    std::fs::write(p(d, "typed.csv"), &csv).unwrap();
    for (input, out) in [("typed.parquet", "rp.csv"), ("typed.csv", "rc.csv")] {
        let o = run(&["assess", &p(d, input), "--as-of", "2026-01-15", "--out", &p(d, out), "--quiet"]);
        assert_eq!(o.status.code(), Some(1), "{input}: {}", String::from_utf8_lossy(&o.stderr));
    }
    let read = |f: &str| std::fs::read_to_string(p(d, f)).unwrap();
    assert_eq!(read("rp.csv"), read("rc.csv"), "{csv}");
    // the same rejects, but for the file's name and the line (Parquet has none)
    let rejects = |f: &str| -> Vec<String> {
        read(f)
            .replace("typed.parquet", "typed.csv")
            .lines()
            .map(|l| {
                let v: Vec<&str> = l.splitn(4, ',').collect();
                format!("{},{},{}", v[0], v[1], v[3])
            })
            .collect()
    };
    assert_eq!(rejects("rp.rejects.csv"), rejects("rc.rejects.csv"), "{csv}");
    // and the rows were not all rejected: both kinds of outcome are compared
    assert!(
        read("rp.csv").lines().count() >= 3 && read("rp.rejects.csv").lines().count() >= 4,
        "{}",
        read("rp.rejects.csv")
    );
}

/// Parquet files found by fuzzing (fuzz/regressions/parquet/) on which
/// polars 0.55 panics instead of returning an error, or (`oom-*`) asks for
/// 2^61 bytes and aborts on a page with a negative value count: each is now
/// the file's fatal error (exit 2, named, no panic message, nothing written),
/// whether a row group is decoded on this thread (`--threads 1`) or on
/// polars' threads (`--threads 2`, where a panic message once leaked from a
/// polars thread).
#[test]
fn parquet_files_that_panicked_polars_are_fatal_errors_naming_the_file() {
    let d = tempfile::tempdir().unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/parquet");
    let mut seen = 0;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let out_path = d.path().join("r.csv");
        for threads in ["1", "2"] {
            let out = run(&[
                "assess",
                &e.path().to_string_lossy(),
                "--as-of",
                "2026-01-15",
                "--threads",
                threads,
                "--out",
                &out_path.to_string_lossy(),
            ]);
            let err = String::from_utf8_lossy(&out.stderr);
            let what = format!("{name}, {threads} thread(s): {err}");
            assert_eq!(out.status.code(), Some(2), "{what}");
            assert!(err.contains(&name) && err.contains("not a readable Parquet file"), "{what}");
            assert!(!err.contains("panicked"), "{what}");
            assert!(!out_path.exists() && std::fs::read_dir(d.path()).unwrap().next().is_none(), "{what}: output left");
        }
        seen += 1;
    }
    assert!(seen >= 8, "{seen} regression files");
}
