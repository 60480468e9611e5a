//! Tests of the aggregate reports (README "Reports"): totals equal the
//! per-loan sums, merged shards equal one run, and the HTML and CSV reports
//! are complete, deterministic and self-contained.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const AS_OF: &str = "2026-01-15";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_deficiency"))
}

/// Runs the binary; panics with its stderr unless it exits with `code`.
fn run(args: &[&str], code: i32) {
    let out = bin().args(args).output().expect("run deficiency");
    assert_eq!(
        out.status.code(),
        Some(code),
        "deficiency {}\nstdout: {}\nstderr: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn json(p: &Path) -> Value {
    serde_json::from_str(&read(p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A money string (`1234.56`, `-0.50`) in cents.
fn cents(v: &str) -> i128 {
    let (neg, v) = match v.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, v),
    };
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    assert!(frac.len() <= 2, "money {v:?} has more than two decimals");
    let mut c: i128 = int.parse::<i128>().unwrap_or_else(|_| panic!("money {v:?}")) * 100;
    if !frac.is_empty() {
        let f: i128 = frac.parse().unwrap_or_else(|_| panic!("money {v:?}"));
        c += if frac.len() == 1 { f * 10 } else { f };
    }
    if neg { -c } else { c }
}

/// Cents as `1,234,567.89`, the HTML report's money format.
fn grouped(c: i128) -> String {
    let sign = if c < 0 { "-" } else { "" };
    let c = c.unsigned_abs();
    let int = (c / 100).to_string();
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{sign}{out}.{:02}", c % 100)
}

const DIMENSIONS: [&str; 5] = ["by_outcome", "by_reason", "by_event_type", "by_lien_position", "by_event_year"];
const MONEY: [&str; 4] = ["gross_deficiency", "recoverable", "barred", "undetermined"];

/// A generated portfolio of `rows` rows, assessed whole into `results.csv`
/// with reports `report.{json,csv,html}`.
struct Run {
    dir: tempfile::TempDir,
}

impl Run {
    fn new(rows: u64, seed: u64) -> Run {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path();
        run(&["generate", "--rows", &rows.to_string(), "--seed", &seed.to_string(), "--out", s(&p.join("p.csv"))], 0);
        run(
            &[
                "assess",
                s(&p.join("p.csv")),
                "--as-of",
                AS_OF,
                "--out",
                s(&p.join("results.csv")),
                "--report",
                s(&p.join("report.json")),
                "--report",
                s(&p.join("report.csv")),
                "--report",
                s(&p.join("report.html")),
                "--quiet",
            ],
            0,
        );
        Run { dir }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

#[test]
fn report_totals_equal_per_loan_sums() {
    let r = Run::new(5000, 9);
    let report = json(&r.path("report.json"));
    let mut rdr = csv::Reader::from_path(r.path("results.csv")).expect("results");
    let headers = rdr.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let mut sums: BTreeMap<&str, i128> = BTreeMap::new();
    let mut loans = 0u64;
    for rec in rdr.records() {
        let rec = rec.expect("record");
        loans += 1;
        for name in MONEY.iter().chain(["total_debt"].iter()) {
            *sums.entry(name).or_default() += cents(&rec[col(name)]);
        }
    }
    assert_eq!(loans, 5000);
    let totals = &report["totals"];
    assert_eq!(totals["loans"].as_u64(), Some(loans));
    for (name, sum) in &sums {
        assert_eq!(cents(totals[*name].as_str().expect(name)), *sum, "totals.{name}");
    }
    // Every grouping splits the same totals.
    for dim in DIMENSIONS {
        let groups = report[dim].as_array().expect(dim);
        assert_eq!(groups.iter().map(|g| g["loans"].as_u64().unwrap()).sum::<u64>(), loans, "{dim} loans");
        for name in MONEY {
            let sum: i128 = groups.iter().map(|g| cents(g[name].as_str().unwrap())).sum();
            assert_eq!(sum, sums[name], "{dim} {name}");
        }
    }
    // The CSV report says the same.
    let csv_report = read(&r.path("report.csv"));
    let mut lines = csv_report.lines();
    assert_eq!(lines.next(), Some("dimension,key,loans,gross_deficiency,recoverable,barred,undetermined"));
    let total_row = format!(
        "totals,all,{loans},{},{},{},{}",
        totals["gross_deficiency"].as_str().unwrap(),
        totals["recoverable"].as_str().unwrap(),
        totals["barred"].as_str().unwrap(),
        totals["undetermined"].as_str().unwrap()
    );
    assert_eq!(lines.next(), Some(total_row.as_str()));
    let mut rows_by_dim: BTreeMap<String, usize> = BTreeMap::new();
    let mut rdr = csv::Reader::from_reader(csv_report.as_bytes());
    for rec in rdr.records() {
        let rec = rec.expect("CSV report row");
        *rows_by_dim.entry(rec[0].to_string()).or_default() += 1;
        for v in &rec.iter().collect::<Vec<_>>()[3..] {
            // The deadline watch's rows leave the gross deficiency blank.
            if v.is_empty() && &rec[0] == "deadline_watch" {
                continue;
            }
            assert!(!v.contains(',') && v.contains('.'), "plain money: {v:?}");
        }
    }
    for dim in DIMENSIONS {
        let n = report[dim].as_array().unwrap().len();
        assert_eq!(rows_by_dim.get(dim.trim_start_matches("by_")), Some(&n), "CSV rows of {dim}");
    }
}

/// Per flag: each group's loans and amounts are the sums over the results
/// rows carrying that flag (a loan counts under each of its flags), in the
/// JSON and CSV reports alike.
#[test]
fn flag_groups_equal_the_rows_carrying_each_flag() {
    let r = Run::new(5000, 9);
    let report = json(&r.path("report.json"));
    let mut rdr = csv::Reader::from_path(r.path("results.csv")).expect("results");
    let headers = rdr.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let mut want: BTreeMap<String, (u64, [i128; 4])> = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.expect("record");
        for flag in rec[col("flags")].split(';').filter(|f| !f.is_empty() && !f.starts_with("assumed:")) {
            let e = want.entry(flag.to_string()).or_default();
            e.0 += 1;
            for (i, name) in MONEY.iter().enumerate() {
                e.1[i] += cents(&rec[col(name)]);
            }
        }
    }
    assert!(want.contains_key("do_not_collect") && want.contains_key("no_suit_time_barred"), "{want:?}");
    let groups = report["by_flag"].as_array().expect("by_flag");
    assert_eq!(groups.len(), want.len());
    for g in groups {
        let key = g["key"].as_str().unwrap();
        let (loans, sums) = want[key];
        assert_eq!(g["loans"].as_u64(), Some(loans), "{key}");
        for (i, name) in MONEY.iter().enumerate() {
            assert_eq!(cents(g[*name].as_str().unwrap()), sums[i], "{key} {name}");
        }
    }
    let csv_report = read(&r.path("report.csv"));
    let flag_rows = csv_report.lines().filter(|l| l.starts_with("flag,")).count();
    assert_eq!(flag_rows, want.len());
}

/// Writes `header` + `rows` as a CSV file.
fn write_csv(path: &Path, header: &csv::ByteRecord, rows: &[csv::ByteRecord]) {
    let mut w = csv::Writer::from_path(path).expect("create shard");
    w.write_byte_record(header).expect("write header");
    for r in rows {
        w.write_byte_record(r).expect("write row");
    }
    w.flush().expect("flush");
}

#[test]
fn merged_shards_equal_a_single_run() {
    let r = Run::new(5000, 9);
    let mut rdr = csv::Reader::from_path(r.path("p.csv")).expect("portfolio");
    let header = rdr.byte_headers().expect("header").clone();
    let rows: Vec<csv::ByteRecord> = rdr.byte_records().map(|x| x.expect("row")).collect();
    let (a, b) = rows.split_at(1_873);
    write_csv(&r.path("a.csv"), &header, a);
    write_csv(&r.path("b.csv"), &header, b);
    for shard in ["a", "b"] {
        run(
            &[
                "assess",
                s(&r.path(&format!("{shard}.csv"))),
                "--as-of",
                AS_OF,
                "--out",
                s(&r.path(&format!("results-{shard}.csv"))),
                "--quiet",
            ],
            0,
        );
    }
    run(
        &[
            "report",
            s(&r.path("results-a.csv")),
            s(&r.path("results-b.csv")),
            // The as-of date of the shards: the deadline watch merges too.
            "--as-of",
            AS_OF,
            "--report",
            s(&r.path("m.json")),
            "--report",
            s(&r.path("m.csv")),
            "--report",
            s(&r.path("m.html")),
        ],
        0,
    );
    let single = json(&r.path("report.json"));
    let merged = json(&r.path("m.json"));
    assert_eq!(merged["totals"], single["totals"], "totals");
    // The same watch, but each loan's row is its row in its own shard.
    let without_rows = |mut w: serde_json::Value| {
        for path in ["/loans", "/lost_this_month/list"] {
            for e in w.pointer_mut(path).and_then(|l| l.as_array_mut()).expect("list") {
                e.as_object_mut().expect("loan").remove("row");
            }
        }
        w
    };
    assert!(single["deadline_watch"]["loans"].as_array().is_some_and(|l| !l.is_empty()));
    assert_eq!(
        without_rows(merged["deadline_watch"].clone()),
        without_rows(single["deadline_watch"].clone()),
        "deadline watch"
    );
    for dim in DIMENSIONS {
        assert!(single[dim].as_array().is_some_and(|a| !a.is_empty()), "{dim} is present");
        assert_eq!(merged[dim], single[dim], "{dim}");
    }
    assert_eq!(merged["rows"]["assessed"], single["rows"]["assessed"]);
    assert_eq!(read(&r.path("m.csv")), read(&r.path("report.csv")), "CSV reports differ");
    // The merged HTML shows the same headline numbers.
    let html = read(&r.path("m.html"));
    for name in MONEY {
        let v = grouped(cents(single["totals"][name].as_str().unwrap()));
        assert!(html.contains(&v), "merged HTML lacks {name} {v}");
    }
    assert_self_contained(&html);
}

fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in ["http://", "https://", "<script", "@import", "url(", "<link", "<img", "<iframe", "src="] {
        assert!(!lower.contains(bad), "the HTML report contains {bad:?}");
    }
}

#[test]
fn html_report_is_complete_and_self_contained() {
    let r = Run::new(2000, 11);
    let report = json(&r.path("report.json"));
    let html = read(&r.path("report.html"));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_self_contained(&html);
    // One chart per grouping (by rule, event type, lien position, event
    // year), plus the headline split.
    for id in ["by-rule", "by-event-type", "by-lien-position", "by-event-year"] {
        let start =
            html.find(&format!("<section class=\"break\" id=\"{id}\">")).unwrap_or_else(|| panic!("no section {id}"));
        let section = &html[start..];
        let end = section[1..].find("<section").map(|e| e + 1).unwrap_or(section.len());
        assert!(section[..end].contains("<svg"), "section {id} has no chart");
        assert!(section[..end].contains("<table"), "section {id} has no table");
    }
    assert!(html.matches("<svg").count() >= 5);
    // Headline numbers.
    let t = &report["totals"];
    let loans = t["loans"].as_u64().unwrap();
    assert!(html.contains(&format!("{},{:03}", loans / 1000, loans % 1000)), "loans {loans}");
    for name in MONEY {
        let v = grouped(cents(t[name].as_str().unwrap()));
        assert!(html.contains(&v), "HTML lacks totals.{name} {v}");
    }
    // Every table row of every grouping.
    for dim in DIMENSIONS {
        for g in report[dim].as_array().unwrap() {
            let v = grouped(cents(g["gross_deficiency"].as_str().unwrap()));
            assert!(html.contains(&v), "HTML lacks {dim} {} gross {v}", g["key"]);
        }
    }
    // Legal basis: every primary reason present, with its citation.
    let legal_at = html.find("id=\"legal-basis\"").expect("legal-basis section");
    let legal = &html[legal_at..];
    let rules = bin().args(["rules", "--json"]).output().expect("rules --json");
    let rules: Value = serde_json::from_slice(&rules.stdout).expect("rules JSON");
    let citation_of: BTreeMap<&str, &str> = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["code"].as_str().unwrap(), r["citation"].as_str().unwrap()))
        .collect();
    let reasons = report["by_reason"].as_array().unwrap();
    assert!(reasons.len() > 5);
    for g in reasons {
        let code = g["key"].as_str().unwrap();
        assert!(legal.contains(&format!(">{code}<")), "legal basis lacks {code}");
        if let Some(cite) = citation_of.get(code) {
            let escaped = cite
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#x27;")
                .replace('/', "&#x2f;");
            assert!(legal.contains(&escaped), "legal basis lacks the citation of {code}: {cite}");
        }
    }
    // Run facts.
    assert!(html.contains(AS_OF));
    assert!(html.contains(env!("CARGO_PKG_VERSION")));
    assert!(html.contains("Holiday calendar"));
    assert!(html.contains("p.csv"));
    assert!(html.contains("@media print"));
}

#[test]
fn reports_are_deterministic() {
    let r = Run::new(1500, 3);
    let p = |n: &str| r.path(n);
    run(
        &[
            "assess",
            s(&p("p.csv")),
            "--as-of",
            AS_OF,
            "--threads",
            "1",
            "--out",
            s(&p("again.csv")),
            "--report",
            s(&p("again.html")),
            "--report",
            s(&p("again.csv.csv")),
            "--quiet",
        ],
        0,
    );
    assert!(read(&p("again.html")) == read(&p("report.html")), "HTML differs between runs");
    assert_eq!(read(&p("again.csv.csv")), read(&p("report.csv")));
    for i in 0..2 {
        run(&["report", s(&p("results.csv")), "--report", s(&p(&format!("rebuilt{i}.html")))], 0);
    }
    assert!(read(&p("rebuilt0.html")) == read(&p("rebuilt1.html")), "rebuilt HTML differs");
}

#[test]
fn report_rejects_unknown_format() {
    let r = Run::new(10, 1);
    let out = bin().args(["report", s(&r.path("results.csv")), "--report", s(&r.path("x.pdf"))]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".html"));
    assert!(!r.path("x.pdf").exists());
}

/// Decodes an 8-bit RGB or RGBA PNG into RGBA pixels (enough for a
/// screenshot; no interlacing).
fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<[u8; 4]>) {
    use std::io::Read;
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let (mut w, mut h, mut channels) = (0u32, 0u32, 0usize);
    let mut idat = Vec::new();
    let mut i = 8;
    while i + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
        let kind = &bytes[i + 4..i + 8];
        let data = &bytes[i + 8..i + 8 + len];
        match kind {
            b"IHDR" => {
                w = u32::from_be_bytes(data[0..4].try_into().unwrap());
                h = u32::from_be_bytes(data[4..8].try_into().unwrap());
                assert_eq!(data[8], 8, "bit depth");
                channels = match data[9] {
                    2 => 3,
                    6 => 4,
                    t => panic!("PNG colour type {t} not handled"),
                };
                assert_eq!(data[12], 0, "interlaced PNG not handled");
            }
            b"IDAT" => idat.extend_from_slice(data),
            b"IEND" => break,
            _ => {}
        }
        i += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..]).read_to_end(&mut raw).expect("inflate");
    let stride = w as usize * channels;
    assert_eq!(raw.len(), (stride + 1) * h as usize, "PNG data size");
    let mut prev = vec![0u8; stride];
    let mut pixels = Vec::with_capacity(w as usize * h as usize);
    for row in raw.chunks(stride + 1) {
        let (filter, line) = (row[0], &row[1..]);
        let mut cur = vec![0u8; stride];
        for x in 0..stride {
            let a = if x >= channels { cur[x - channels] } else { 0 };
            let b = prev[x];
            let c = if x >= channels { prev[x - channels] } else { 0 };
            let pred = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                4 => {
                    let p = i16::from(a) + i16::from(b) - i16::from(c);
                    let (pa, pb, pc) = ((p - i16::from(a)).abs(), (p - i16::from(b)).abs(), (p - i16::from(c)).abs());
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                f => panic!("PNG filter {f}"),
            };
            cur[x] = line[x].wrapping_add(pred);
        }
        for px in cur.chunks(channels) {
            pixels.push([px[0], px[1], px[2], if channels == 4 { px[3] } else { 255 }]);
        }
        prev = cur;
    }
    (w, h, pixels)
}

#[test]
fn html_report_renders_in_headless_chromium() {
    if !Path::new("/usr/bin/chromium").exists() {
        println!("SKIPPED: /usr/bin/chromium is absent (scripts/render-report.sh installs it)");
        return;
    }
    let r = Run::new(2000, 9);
    let png = r.path("report.png");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/render-report.sh");
    let out =
        Command::new("bash").arg(&script).arg(r.path("report.html")).arg(&png).output().expect("run render-report.sh");
    assert!(out.status.success(), "render-report.sh failed: {}", String::from_utf8_lossy(&out.stderr));
    let (w, h, pixels) = decode_png(&std::fs::read(&png).expect("screenshot"));
    assert!(w >= 1000 && h >= 1000, "screenshot is {w}x{h}");
    let mut counts: BTreeMap<[u8; 4], usize> = BTreeMap::new();
    for p in &pixels {
        *counts.entry(*p).or_default() += 1;
    }
    let most = counts.values().copied().max().unwrap_or(0);
    assert!(counts.len() > 20, "the screenshot has only {} colours", counts.len());
    assert!(most < pixels.len() * 95 / 100, "the screenshot is almost all one colour");
    // The charts' fills made it to the screen (recoverable dark blue, barred).
    let near = |c: [u8; 3]| {
        pixels.iter().filter(|p| p[..3].iter().zip(c).all(|(x, y)| (i16::from(*x) - i16::from(y)).abs() <= 6)).count()
    };
    assert!(near([0x1f, 0x4e, 0x79]) > 500, "no recoverable fill on screen");
    assert!(near([0xc2, 0x4e, 0x1b]) > 500, "no barred fill on screen");
}
