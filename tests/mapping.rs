//! `--map` and `map --suggest` (README "Your own exports: --map").
//!
//! `data/servicer-export.csv` is the sample portfolio as a made-up servicing
//! system exports it: its own column names, vocabularies ("Trustee Sale",
//! "Non-Judicial", "Owner Occupied"), US dates and a notes column. It is
//! derived from `data/sample-portfolio.csv` by [`export_of`] below; the test
//! checks the committed file is exactly that (`DEFICIENCY_BLESS=1` rewrites
//! it), and that the export, read through `data/servicer-map.toml`, assesses
//! exactly as the native sample.

use crate::common::{cmd, read_csv_maps, run, stderr};
use std::collections::HashMap;
use std::path::Path;

/// Export column names, by native column (the rest keep their native names).
const RENAMED: &[(&str, &str)] = &[
    ("loan_id", "Loan Number"),
    ("event_type", "Disposition"),
    ("event_date", "FC Sale Date"),
    ("unpaid_principal", "UPB"),
    ("sale_price", "Sale Price"),
    ("state", "Property State"),
    ("lien_position", "Lien"),
    ("loan_purpose", "Loan Purpose"),
    ("origination_date", "Note Date"),
    ("property_units", "Units"),
    ("owner_occupied", "Occupancy"),
    ("borrower_type", "Borrower Type"),
    ("accrued_interest", "Accrued Interest"),
    ("advances", "Corporate Advances"),
    ("costs", "FC Costs"),
    ("fair_value", "Fair Market Value"),
    ("bankruptcy", "BK Status"),
    ("bankruptcy_petition_date", "BK Filing Date"),
    ("bankruptcy_discharge_date", "BK Discharge Date"),
    ("guarantor", "Guarantor"),
    ("deficiency_filed_date", "Suit Filed Date"),
];

/// The export's spelling of a native value.
fn export_value(column: &str, v: &str) -> String {
    let table: &[(&str, &str)] = match column {
        "event_type" => &[
            ("judicial_sale", "Judicial Sale"),
            ("trustee_sale", "Trustee Sale"),
            ("short_sale", "Short Sale"),
            ("deed_in_lieu", "Deed in Lieu"),
            ("senior_sale", "Senior Lien Sale"),
            ("foreclosure_sale", "FC Sale"),
        ],
        "loan_purpose" => &[
            ("purchase", "Purchase"),
            ("refinance", "Refinance"),
            ("cash_out_refinance", "Cash-Out Refi"),
            ("home_equity", "HELOC"),
            ("construction", "Construction"),
            ("other", "Other"),
        ],
        "borrower_type" => &[
            ("individual", "Individual"),
            ("llc", "LLC"),
            ("trust", "Trust"),
            ("corporation", "Corporation"),
            ("general_partnership", "General Partnership"),
            ("limited_partnership", "Limited Partnership"),
            ("public_entity", "Public Entity"),
        ],
        "bankruptcy" => &[("none", "None"), ("pending", "Active"), ("discharged", "Discharged")],
        "senior_sale_type" | "foreclosure_method" => &[("judicial", "Judicial"), ("trustee", "Non-Judicial")],
        "owner_occupied" => &[("true", "Owner Occupied"), ("false", "Investor")],
        _ => &[],
    };
    if let Some((_, e)) = table.iter().find(|(n, _)| *n == v) {
        return e.to_string();
    }
    if column.ends_with("_date") && !v.is_empty() {
        let d = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").expect("a sample date");
        return d.format("%m/%d/%Y").to_string();
    }
    match v {
        "true" => "Y".into(),
        "false" => "N".into(),
        _ => v.to_string(),
    }
}

/// The export made from the native sample.
fn export_of(sample: &Path) -> String {
    let mut rdr = csv::Reader::from_path(sample).expect("sample");
    let header: Vec<String> = rdr.headers().expect("header").iter().map(String::from).collect();
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let mut names: Vec<String> =
        header.iter().map(|h| RENAMED.iter().find(|(n, _)| n == h).map_or(h.clone(), |(_, e)| e.to_string())).collect();
    names.push("Servicer Notes".into());
    w.write_record(&names).expect("write");
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.expect("row");
        let mut cells: Vec<String> = rec.iter().zip(&header).map(|(v, h)| export_value(h, v)).collect();
        cells.push(if i % 7 == 0 { "called borrower, left message".into() } else { String::new() });
        w.write_record(&cells).expect("write");
    }
    String::from_utf8(w.into_inner().expect("flush")).expect("utf8")
}

#[test]
fn the_example_export_is_the_sample_as_a_servicer_exports_it() {
    let want = export_of(Path::new("data/sample-portfolio.csv"));
    let path = Path::new("data/servicer-export.csv");
    if std::env::var_os("DEFICIENCY_BLESS").is_some() {
        std::fs::write(path, &want).expect("bless");
    }
    let got = std::fs::read_to_string(path).expect("data/servicer-export.csv (DEFICIENCY_BLESS=1 writes it)");
    assert!(got == want, "data/servicer-export.csv is not the sample's export; run with DEFICIENCY_BLESS=1");
}

fn assess(args: &[&str], out: &Path, report: &Path) -> std::process::Output {
    run(cmd()
        .arg("assess")
        .args(args)
        .args(["--as-of", "2026-01-15", "--quiet", "--out"])
        .arg(out)
        .arg("--report")
        .arg(report))
}

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).expect("json")).expect("json")
}

/// The JSON report without what names the input.
fn comparable(mut v: serde_json::Value) -> serde_json::Value {
    let o = v.as_object_mut().expect("object");
    o.remove("inputs");
    o.remove("mapping");
    v
}

#[test]
fn an_export_assesses_through_its_mapping_exactly_as_its_native_twin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let o = assess(&["data/sample-portfolio.csv"], &d.join("native.csv"), &d.join("native.json"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = assess(
        &["data/servicer-export.csv", "--map", "data/servicer-map.toml"],
        &d.join("export.csv"),
        &d.join("export.json"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Only the notes column, which names no native column, is mentioned.
    assert_eq!(
        stderr(&o),
        "deficiency: warning: data/servicer-export.csv: ignoring unknown column(s): Servicer Notes\n"
    );
    assert_eq!(
        std::fs::read(d.join("export.csv")).expect("results"),
        std::fs::read(d.join("native.csv")).expect("results"),
        "the export's results differ from the native sample's"
    );
    let (native, export) = (json(&d.join("native.json")), json(&d.join("export.json")));
    assert_eq!(comparable(export.clone()), comparable(native));
    // The report records the mapping.
    assert_eq!(export["mapping"]["file"], "data/servicer-map.toml");
    assert_eq!(export["mapping"]["mapping"]["columns"]["Loan Number"], "loan_id");
    assert_eq!(export["mapping"]["mapping"]["date_format"], "%m/%d/%Y");
    // Without the mapping the file is refused: it has no loan_id column.
    let o = assess(&["data/servicer-export.csv"], &d.join("x.csv"), &d.join("x.json"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("loan_id"), "{}", stderr(&o));
}

#[test]
fn rejects_name_the_exports_own_column_and_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let text = std::fs::read_to_string("data/servicer-export.csv").expect("export");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    // Row 1: a date the export's format does not read; row 2: a disposition
    // the mapping does not translate.
    lines[1] = lines[1].replacen(&lines[1].split(',').nth(2).expect("date").to_string(), "13/45/2025", 1);
    let disposition = lines[2].split(',').nth(1).expect("disposition").to_string();
    lines[2] = lines[2].replacen(&format!(",{disposition},"), ",Auction,", 1);
    let input = d.join("export.csv");
    std::fs::write(&input, lines.join("\n") + "\n").expect("write");
    let o = run(cmd()
        .args(["assess", "--as-of", "2026-01-15", "--quiet", "--map", "data/servicer-map.toml"])
        .arg(&input)
        .arg("--out")
        .arg(d.join("r.csv")));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let (_, rejects) = read_csv_maps(&d.join("r.rejects.csv"));
    let by_row: HashMap<&str, &HashMap<String, String>> = rejects.iter().map(|r| (r["row"].as_str(), r)).collect();
    assert_eq!(by_row["1"]["column"], "FC Sale Date");
    assert_eq!(by_row["1"]["value"], "13/45/2025");
    assert!(by_row["1"]["error"].contains("a date in the form %m/%d/%Y"), "{:?}", by_row["1"]);
    assert_eq!(by_row["2"]["column"], "Disposition");
    assert_eq!(by_row["2"]["value"], "Auction");
    assert_eq!(rejects.len(), 2);
}

#[test]
fn map_suggest_places_the_example_export_and_says_what_it_could_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let o = run(cmd().args(["map", "--suggest", "data/servicer-export.csv"]));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).expect("utf8");
    let parsed: toml::Value = toml::from_str(&text).expect("the suggestion is TOML");
    let columns = parsed["columns"].as_table().expect("columns");
    for (native, export) in RENAMED {
        assert_eq!(columns.get(*export).and_then(|v| v.as_str()), Some(*native), "{export}\n{text}");
    }
    assert_eq!(parsed["date_format"].as_str(), Some("%m/%d/%Y"));
    assert!(text.contains("# \"Servicer Notes\": not placed"), "{text}");
    assert_eq!(parsed["values"]["event_type"]["FC Sale"].as_str(), Some("foreclosure_sale"));
    // The suggestion, used as it is, assesses the export as the native sample.
    let map = d.join("suggested.toml");
    std::fs::write(&map, &text).expect("write");
    let a = assess(&["data/sample-portfolio.csv"], &d.join("native.csv"), &d.join("n.json"));
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    let b = assess(
        &["data/servicer-export.csv", "--map", map.to_str().expect("utf8")],
        &d.join("export.csv"),
        &d.join("e.json"),
    );
    assert_eq!(b.status.code(), Some(0), "{}", stderr(&b));
    assert_eq!(std::fs::read(d.join("export.csv")).ok(), std::fs::read(d.join("native.csv")).ok());
    // A value it cannot place is marked.
    let odd = d.join("odd.csv");
    std::fs::write(&odd, "Loan Number,Disposition,FC Sale Date,UPB,Sale Price\nA1,Auction,45818,100,50\n").expect("w");
    let o = run(cmd().args(["map", "--suggest"]).arg(&odd));
    let text = String::from_utf8(o.stdout).expect("utf8");
    assert!(text.contains("# \"Auction\" = \"?\"   # not placed: one of"), "{text}");
    assert!(text.contains("date_format = \"excel\""), "{text}");
}

#[test]
fn a_bad_mapping_file_is_fatal_and_names_the_file_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for (toml_text, says) in [
        ("[columns]\n\"Loan Number\" = \"loan_number\"\n", "\"loan_number\" is not a native column"),
        ("date_format = \"%m/%Y\"\n", "does not give a whole date"),
        ("[colums]\n", "unknown field"),
    ] {
        let map = d.join("m.toml");
        std::fs::write(&map, toml_text).expect("write");
        let out = d.join("r.csv");
        let o = run(cmd()
            .args(["assess", "data/servicer-export.csv", "--as-of", "2026-01-15", "--map"])
            .arg(&map)
            .arg("--out")
            .arg(&out));
        assert_eq!(o.status.code(), Some(2), "{toml_text}: {}", stderr(&o));
        assert!(stderr(&o).contains("m.toml") && stderr(&o).contains(says), "{toml_text}: {}", stderr(&o));
        assert!(!out.exists());
    }
    // --map reads CSV exports only.
    let o = run(cmd().args(["assess", "x.parquet", "--map", "data/servicer-map.toml", "--as-of", "2026-01-15"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--map reads CSV exports"), "{}", stderr(&o));
}
