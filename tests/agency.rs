//! `--layout fannie-mae` and `--layout freddie-mac` (README "Analysing Fannie Mae and Freddie Mac data").
//!
//! The real Fannie Mae sample is read from the shared fixtures directory at
//! test time (not copied here). Everything else is synthetic: the tests
//! write small agency files in every supported layout, run `deficiency
//! assess` on them, and check each disposition gives the same decision as a
//! hand-written native-layout row holding the same facts.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const AS_OF: &str = "2026-01-15";
/// The real sample, beside the crate in the project's shared fixtures.
const SAMPLE: &str = "fixtures/external/fannie-mae-2000Q1-nvidia-spark-rapids-examples";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_deficiency"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run deficiency")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, lines: &[String]) -> String {
    let p = dir.join(name);
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(&p, text).expect("write fixture");
    p.display().to_string()
}

/// Runs `assess` and returns (exit code, results CSV, report JSON, stderr).
fn assess(
    dir: &Path,
    tag: &str,
    layout: &str,
    inputs: &[&str],
    extra: &[&str],
) -> (i32, String, serde_json::Value, String) {
    let out = dir.join(format!("{tag}.csv"));
    let report = dir.join(format!("{tag}.json"));
    let out_s = out.display().to_string();
    let report_s = report.display().to_string();
    let mut args =
        vec!["assess", "--layout", layout, "--as-of", AS_OF, "--out", &out_s, "--report", &report_s, "--quiet"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(extra);
    let o = run(&args);
    let code = o.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "{tag}: exit {code}: {}", stderr(&o));
    let csv = std::fs::read_to_string(&out).expect("results");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("json");
    (code, csv, json, stderr(&o))
}

fn not_assessed(report: &serde_json::Value) -> Vec<(String, u64)> {
    match report.get("not_assessed").and_then(|v| v.as_object()) {
        Some(m) => m.iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0))).collect(),
        None => Vec::new(),
    }
}

fn rows(report: &serde_json::Value, key: &str) -> u64 {
    report["rows"][key].as_u64().unwrap_or(u64::MAX)
}

/// Results CSV as rows of (column -> value).
fn records(csv: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let headers = r.headers().expect("header").clone();
    r.records()
        .map(|rec| {
            headers.iter().zip(rec.expect("record").iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

// ---------------------------------------------------------------------------
// (a) the real Fannie Mae 2000Q1 sample

#[test]
fn real_fannie_mae_sample_accounts_for_every_loan() {
    let Some(dir) = common::shared_dir(SAMPLE) else { return };
    let acq = dir.join("Acquisition_2000Q1.txt");
    let perf = dir.join("Performance_2000Q1-P.txt");
    let tmp = tempfile::tempdir().expect("tempdir");
    let (acq_s, perf_s) = (acq.display().to_string(), perf.display().to_string());
    let (_, csv, report, err) = assess(tmp.path(), "r", "fannie-mae", &[&acq_s, &perf_s], &[]);
    let acquisition_loans =
        std::fs::read_to_string(&acq).expect("read").lines().filter(|l| !l.trim().is_empty()).count() as u64;
    let skipped: u64 = not_assessed(&report).iter().map(|(_, n)| n).sum();
    let read = rows(&report, "read");
    assert_eq!(read + skipped, acquisition_loans, "every acquisition loan is assessed, rejected or counted: {report}");
    assert_eq!(rows(&report, "assessed") + rows(&report, "rejected"), read);
    // The sample's four credit events (3 REO, 1 third-party sale), none in California.
    let recs = records(&csv);
    assert_eq!(recs.len(), 4, "{csv}");
    for r in &recs {
        assert_eq!(r["outcome"], "out_of_scope");
        assert_eq!(r["event_type"], "foreclosure_sale");
        assert!(!r["agency_net_loss"].is_empty());
    }
    let na: std::collections::BTreeMap<String, u64> = not_assessed(&report).into_iter().collect();
    assert_eq!(na.get("prepaid or matured"), Some(&266));
    assert_eq!(na.get("repurchased"), Some(&5));
    assert_eq!(na.get("no performance records"), Some(&4724));
    // Fannie Mae's own net-loss method on loan 100579898395 (fixture README): 27,289.13.
    let loan = recs.iter().find(|r| r["loan_id"] == "100579898395").expect("REO loan");
    assert_eq!(loan["agency_net_loss"], "27289.13");
    assert_eq!(loan["event_date"], "2003-08-01");
    assert!(err.contains("REO"), "warns that REO proceeds stand in for the sale price: {err}");
    // Regression (the summary said "4 rows read from 1 file(s)"): it names
    // both files and counts loans read, dispositions and loans not assessed.
    let out = tmp.path().join("summary.csv").display().to_string();
    let o = run(&["assess", "--layout", "fannie-mae", "--as-of", AS_OF, "--out", &out, &acq_s, &perf_s]);
    let said = stderr(&o);
    let summary = said.lines().find(|l| l.contains(" read from ")).expect("summary line");
    assert!(summary.contains(&format!("{acquisition_loans} loans read from {acq_s}, {perf_s}")), "{summary}");
    assert!(summary.contains("4 dispositions assessed"), "{summary}");
    assert!(summary.contains("4996 loans not assessed") && summary.contains("266 prepaid or matured"), "{summary}");
    // The files may come in either order.
    let (_, csv2, _, _) = assess(tmp.path(), "r2", "fannie-mae", &[&perf_s, &acq_s], &[]);
    assert_eq!(csv, csv2);
}

// ---------------------------------------------------------------------------
// (b) synthetic loans in every layout

/// A month: (month, year).
type Ym = (u32, u32);

/// One synthetic loan's facts, written into each layout.
#[derive(Clone)]
struct Loan {
    id: &'static str,
    state: &'static str,
    /// Fannie Mae codes: P purchase, C cash-out refinance, R refinance.
    purpose: char,
    /// P principal residence, I investor, S second home.
    occupancy: char,
    units: u32,
    orig: Ym,
    rate: &'static str,
    /// Current UPB on the loan's ordinary months.
    upb: &'static str,
    lpi: Ym,
    /// Zero balance code and date; `None`: still active.
    zb: Option<(&'static str, Ym)>,
    fcl: Option<Ym>,
    disp: Option<Ym>,
    fcl_costs: &'static str,
    pres: &'static str,
    recovery: &'static str,
    holding: &'static str,
    taxes: &'static str,
    nsp: &'static str,
    ce: &'static str,
    /// Freddie Mac's Actual Loss as stored (negative for a loss) and its
    /// delinquent accrued interest.
    freddie_loss: &'static str,
    freddie_dai: &'static str,
}

fn loans() -> Vec<Loan> {
    let base = Loan {
        id: "",
        state: "CA",
        purpose: 'P',
        occupancy: 'P',
        units: 1,
        orig: (3, 2005),
        rate: "6.0",
        upb: "200000.00",
        lpi: (1, 2010),
        zb: None,
        fcl: None,
        disp: None,
        fcl_costs: "",
        pres: "",
        recovery: "",
        holding: "",
        taxes: "",
        nsp: "",
        ce: "",
        freddie_loss: "",
        freddie_dai: "",
    };
    vec![
        // 1. REO after a foreclosure sale: an investor's purchase loan.
        Loan {
            id: "100000000001",
            occupancy: 'I',
            lpi: (11, 2024),
            zb: Some(("09", (11, 2025))),
            fcl: Some((11, 2025)),
            disp: Some((1, 2026)),
            fcl_costs: "3000.00",
            pres: "1500.00",
            recovery: "500.00",
            holding: "-200.00",
            taxes: "1200.00",
            nsp: "150000.00",
            ce: "10000.00",
            freddie_loss: "-59183.33",
            freddie_dai: "13183.33",
            ..base.clone()
        },
        // 2. A prepaid loan (not assessed).
        Loan { id: "100000000002", zb: Some(("01", (5, 2012))), ..base.clone() },
        // 3. A short sale: owner-occupied cash-out refinance of a duplex.
        Loan {
            id: "100000000003",
            purpose: 'C',
            units: 2,
            orig: (6, 2006),
            rate: "5.5",
            upb: "300000.00",
            lpi: (3, 2025),
            zb: Some(("03", (9, 2025))),
            disp: Some((9, 2025)),
            fcl_costs: "800.00",
            nsp: "250000.00",
            freddie_loss: "-58600.00",
            freddie_dai: "7800.00",
            ..base.clone()
        },
        // 4. A deed in lieu (Fannie Mae: code 09 without a Foreclosure Date).
        Loan {
            id: "100000000004",
            purpose: 'R',
            orig: (2, 2004),
            rate: "7.0",
            upb: "180000.00",
            lpi: (5, 2025),
            zb: Some(("09", (11, 2025))),
            disp: Some((12, 2025)),
            recovery: "1000.00",
            nsp: "120000.00",
            freddie_loss: "-67982.50",
            freddie_dai: "6982.50",
            ..base.clone()
        },
        // 5. A repurchase (not assessed).
        Loan { id: "100000000005", zb: Some(("06", (8, 2009))), ..base.clone() },
        // 6. A third-party sale at the foreclosure sale: owner-occupied purchase.
        Loan {
            id: "100000000006",
            orig: (7, 2007),
            rate: "6.5",
            upb: "250000.00",
            lpi: (2, 2025),
            zb: Some(("02", (8, 2025))),
            fcl: Some((8, 2025)),
            disp: Some((8, 2025)),
            fcl_costs: "2500.00",
            nsp: "260000.00",
            freddie_loss: "-187.50",
            freddie_dai: "7687.50",
            ..base.clone()
        },
        // 7. Still active at the end of the file (not assessed).
        Loan { id: "100000000007", ..base.clone() },
        // 8. REO in Texas: out of scope.
        Loan {
            id: "100000000008",
            state: "TX",
            lpi: (11, 2024),
            zb: Some(("09", (11, 2025))),
            fcl: Some((11, 2025)),
            disp: Some((1, 2026)),
            fcl_costs: "3000.00",
            nsp: "150000.00",
            freddie_loss: "-66183.33",
            freddie_dai: "13183.33",
            ..base.clone()
        },
    ]
}

fn add_months((m, y): Ym, n: u32) -> Ym {
    let k = y * 12 + (m - 1) + n;
    (k % 12 + 1, k / 12)
}

fn mmyyyy((m, y): Ym) -> String {
    format!("{m:02}{y}")
}
fn mm_yyyy((m, y): Ym) -> String {
    format!("{m:02}/{y}")
}
fn mm_dd_yyyy((m, y): Ym) -> String {
    format!("{m:02}/01/{y}")
}
fn yyyymm((m, y): Ym) -> String {
    format!("{y}{m:02}")
}

/// A pipe-delimited record of `width` fields with the given 1-based
/// positions set (a later entry for a position wins).
fn record(width: usize, set: &[(usize, String)]) -> String {
    let mut f = vec![String::new(); width];
    for (pos, v) in set {
        f[pos - 1] = v.clone();
    }
    f.join("|")
}

/// The months a loan reports: two ordinary months, then the zero-balance month.
fn months(l: &Loan) -> Vec<(Ym, bool)> {
    let mut v = vec![(l.lpi, false), (add_months(l.lpi, 1), false)];
    if let Some((_, d)) = l.zb {
        v.push((d, true));
    }
    v
}

/// Fannie Mae combined layout: one record per loan per month.
fn fannie_combined(width: usize, pool: &str) -> Vec<String> {
    let mut out = Vec::new();
    for l in loans() {
        for (period, last) in months(&l) {
            let mut set = vec![
                (1, pool.to_string()),
                (2, l.id.to_string()),
                (3, mmyyyy(period)),
                (4, "R".into()),
                (5, "SELLER".into()),
                (8, l.rate.into()),
                (9, l.rate.into()),
                (10, l.upb.into()),
                (12, if last { "0.00".into() } else { l.upb.into() }),
                (13, "360".into()),
                (14, mmyyyy(l.orig)),
                (27, l.purpose.to_string()),
                (28, "SF".into()),
                (29, l.units.to_string()),
                (30, l.occupancy.to_string()),
                (31, l.state.into()),
                (40, if last { String::new() } else { "00".into() }),
            ];
            if last {
                let (code, zbd) = l.zb.expect("zero balance");
                set.extend([(44, code.to_string()), (45, mmyyyy(zbd)), (46, l.upb.to_string()), (51, mmyyyy(l.lpi))]);
                if let Some(d) = l.fcl {
                    set.push((52, mmyyyy(d)));
                }
                if let Some(d) = l.disp {
                    set.push((53, mmyyyy(d)));
                }
                for (pos, v) in [
                    (54, l.fcl_costs),
                    (55, l.pres),
                    (56, l.recovery),
                    (57, l.holding),
                    (58, l.taxes),
                    (59, l.nsp),
                    (60, l.ce),
                ] {
                    set.push((pos, v.to_string()));
                }
            }
            out.push(record(width, &set));
        }
    }
    out
}

/// Fannie Mae acquisition file (25 fields), plus one loan with no performance records.
fn fannie_acquisition(width: usize) -> Vec<String> {
    let mut ls = loans();
    ls.push(Loan { id: "100000000099", ..loans()[1].clone() });
    ls.iter()
        .map(|l| {
            record(
                width,
                &[
                    (1, l.id.into()),
                    (2, "R".into()),
                    (3, "SELLER".into()),
                    (4, l.rate.into()),
                    (5, l.upb.into()),
                    (6, "360".into()),
                    (7, mm_yyyy(l.orig)),
                    (8, mm_yyyy(add_months(l.orig, 2))),
                    (9, "80".into()),
                    (13, "760".into()),
                    (14, "N".into()),
                    (15, l.purpose.to_string()),
                    (16, "SF".into()),
                    (17, l.units.to_string()),
                    (18, l.occupancy.to_string()),
                    (19, l.state.into()),
                    (20, "941".into()),
                    (22, "FRM".into()),
                ],
            )
        })
        .collect()
}

/// Fannie Mae performance file (28–31 fields), in the NVIDIA copy's style:
/// `NULL` for blanks and numbers written as floats.
fn fannie_performance(width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for l in loans() {
        for (period, last) in months(&l) {
            let null = |s: &str| if s.is_empty() { "NULL".to_string() } else { s.to_string() };
            let mut set = vec![
                (1, l.id.to_string()),
                (2, mm_dd_yyyy(period)),
                (3, "NULL".into()),
                (4, l.rate.into()),
                (5, if last { String::new() } else { l.upb.into() }),
                (6, "12.0".into()),
                (11, if last { "-1".into() } else { "0".into() }),
                (12, "N".into()),
                (13, "NULL".into()),
            ];
            if last {
                let (code, zbd) = l.zb.expect("zero balance");
                set.extend([(13, code.to_string()), (14, mm_yyyy(zbd)), (15, mm_dd_yyyy(l.lpi))]);
                if let Some(d) = l.fcl {
                    set.push((16, mm_dd_yyyy(d)));
                }
                if let Some(d) = l.disp {
                    set.push((17, mm_dd_yyyy(d)));
                }
                for (pos, v) in [
                    (18, l.fcl_costs),
                    (19, l.pres),
                    (20, l.recovery),
                    (21, l.holding),
                    (22, l.taxes),
                    (23, l.nsp),
                    (24, l.ce),
                ] {
                    set.push((pos, v.to_string()));
                }
            }
            if width >= 29 {
                set.push((29, null("")));
            }
            if width >= 31 {
                set.push((31, null("")));
            }
            out.push(record(width, &set));
        }
    }
    out
}

fn freddie_id(l: &Loan) -> String {
    format!("F110Q1{}", &l.id[6..])
}

/// Freddie Mac origination file, plus one loan with no monthly records.
fn freddie_origination(width: usize) -> Vec<String> {
    let mut ls = loans();
    ls.push(Loan { id: "100000000099", ..loans()[1].clone() });
    ls.iter()
        .map(|l| {
            let purpose = match l.purpose {
                'R' => 'N',
                p => p,
            };
            record(
                width,
                &[
                    (1, "760".into()),
                    (2, yyyymm(add_months(l.orig, 2))),
                    (3, "N".into()),
                    (4, "203501".into()),
                    (6, "0".into()),
                    (7, l.units.to_string()),
                    (8, l.occupancy.to_string()),
                    (9, "80".into()),
                    (10, "35".into()),
                    (11, l.upb.into()),
                    (12, "80".into()),
                    (13, l.rate.into()),
                    (14, "R".into()),
                    (15, "N".into()),
                    (16, "FRM".into()),
                    (17, l.state.into()),
                    (18, "SF".into()),
                    (19, "94100".into()),
                    (20, freddie_id(l)),
                    (21, purpose.to_string()),
                    (22, "360".into()),
                    (23, "1".into()),
                    (24, "SELLER".into()),
                    (25, "SERVICER".into()),
                ],
            )
        })
        .collect()
}

/// Freddie Mac monthly performance file. Before Release 47 expenses and
/// losses are stored negative. An REO loan reports `RA` from the foreclosure
/// month until the REO disposition, where the zero balance code `09` and its
/// date are the disposition's.
fn freddie_monthly(width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for l in loans() {
        let mut ms: Vec<(Ym, &str, bool)> = vec![(l.lpi, "0", false), (add_months(l.lpi, 1), "1", false)];
        match (l.zb, l.fcl) {
            (Some(("09", _)), Some(f)) => {
                ms.push((f, "RA", false));
                ms.push((add_months(f, 1), "RA", false));
                ms.push((l.disp.expect("disposition"), "RA", true));
            }
            (Some((_, d)), _) => ms.push((d, "", true)),
            (None, _) => {}
        }
        for (period, dlq, last) in ms {
            let mut set = vec![
                (1, freddie_id(&l)),
                (2, yyyymm(period)),
                (3, if last { "0".into() } else { l.upb.into() }),
                (4, dlq.to_string()),
                (5, "12".into()),
                (11, l.rate.into()),
                (12, "0".into()),
            ];
            if last {
                let (code, zbd) = l.zb.expect("zero balance");
                let zb_date = if code == "09" { l.disp.unwrap_or(zbd) } else { zbd };
                let neg = |s: &str| {
                    if s.is_empty() || s.starts_with('-') {
                        s.trim_start_matches('-').to_string()
                    } else {
                        format!("-{s}")
                    }
                };
                let legal = l.fcl_costs;
                let maint = l.pres;
                let misc = l.recovery;
                let expenses: f64 = [l.fcl_costs, l.pres, l.recovery, l.holding, l.taxes]
                    .iter()
                    .filter_map(|s| s.parse::<f64>().ok())
                    .sum();
                set.extend([(9, code.to_string()), (10, yyyymm(zb_date)), (13, yyyymm(l.lpi))]);
                if matches!(code, "02" | "03" | "09") {
                    set.extend([
                        (14, if l.ce.is_empty() { "0".into() } else { l.ce.to_string() }),
                        (15, l.nsp.to_string()),
                        (16, "0".into()),
                        (17, format!("-{expenses:.2}")),
                        (18, if legal.is_empty() { "0".into() } else { neg(legal) }),
                        (19, if maint.is_empty() { "0".into() } else { neg(maint) }),
                        (20, if l.taxes.is_empty() { "0".into() } else { neg(l.taxes) }),
                        (21, if misc.is_empty() { "0".into() } else { neg(misc) }),
                        (22, l.freddie_loss.to_string()),
                        (27, l.upb.to_string()),
                        (28, l.freddie_dai.to_string()),
                    ]);
                }
            }
            out.push(record(width, &set));
        }
    }
    out
}

const NATIVE_HEADER: &str = "loan_id,event_type,event_date,unpaid_principal,sale_price,state,loan_purpose,origination_date,property_units,owner_occupied,accrued_interest,costs,agency_net_loss";

/// The same dispositions written by hand in the native layout: interest at
/// the note rate from the last paid installment to the event, the
/// foreclosure costs, and Fannie Mae's net loss (README "Field mapping" and
/// "Agency net loss").
const FANNIE_NATIVE: &[&str] = &[
    // 12 months at 6% on 200,000 = 12,000. Net loss: 200,000 + 3,000 + 1,500 + 500 − 200 + 1,200
    // + 14 × (6% − 0.35%)/12 × 200,000 (13,183.33) − 150,000 − 10,000 = 59,183.33.
    "100000000001,foreclosure_sale,2025-11-01,200000.00,150000.00,CA,purchase,2005-03-01,1,false,12000.00,3000.00,59183.33",
    // 6 months at 5.5% on 300,000 = 8,250. Net loss: 300,000 + 800
    // + 6 × (5.5% − 0.35%)/12 × 300,000 (7,725) − 250,000 = 58,525.
    "100000000003,short_sale,2025-09-01,300000.00,250000.00,CA,cash_out_refinance,2006-06-01,2,true,8250.00,800.00,58525.00",
    // A deed in lieu, dated at the zero balance date: 6 months at 7% on 180,000 = 6,300.
    // Net loss: 180,000 + 1,000 + 7 × (7% − 0.35%)/12 × 180,000 (6,982.50) − 120,000 = 67,982.50.
    "100000000004,deed_in_lieu,2025-11-01,180000.00,120000.00,CA,refinance,2004-02-01,1,true,6300.00,,67982.50",
    // 6 months at 6.5% on 250,000 = 8,125. Net loss: 250,000 + 2,500 + 7,687.50 − 260,000 = 187.50.
    "100000000006,foreclosure_sale,2025-08-01,250000.00,260000.00,CA,purchase,2007-07-01,1,true,8125.00,2500.00,187.50",
    // 200,000 + 3,000 + 13,183.33 − 150,000 = 66,183.33.
    "100000000008,foreclosure_sale,2025-11-01,200000.00,150000.00,TX,purchase,2005-03-01,1,true,12000.00,3000.00,66183.33",
];

/// Freddie Mac: no origination date, no deed-in-lieu code, and Freddie
/// Mac's own Actual Loss (stored negative for a loss).
fn freddie_native() -> Vec<String> {
    vec![
        // Dated at the first month the status reads REO acquired (November 2025).
        "F110Q1000001,foreclosure_sale,2025-11-01,200000.00,150000.00,CA,purchase,,1,false,12000.00,3000.00,59183.33"
            .into(),
        "F110Q1000003,short_sale,2025-09-01,300000.00,250000.00,CA,cash_out_refinance,,2,true,8250.00,800.00,58600.00"
            .into(),
        // Code 09 with no REO-acquired month: a foreclosure_sale dated at the zero
        // balance date (the REO disposition, December 2025): 7 months at 7% = 7,350.
        "F110Q1000004,foreclosure_sale,2025-12-01,180000.00,120000.00,CA,refinance,,1,true,7350.00,,67982.50".into(),
        "F110Q1000006,foreclosure_sale,2025-08-01,250000.00,260000.00,CA,purchase,,1,true,8125.00,2500.00,187.50"
            .into(),
        "F110Q1000008,foreclosure_sale,2025-11-01,200000.00,150000.00,TX,purchase,,1,true,12000.00,3000.00,66183.33"
            .into(),
    ]
}

fn native_file(dir: &Path, name: &str, rows: &[String]) -> String {
    let mut lines = vec![NATIVE_HEADER.to_string()];
    lines.extend(rows.iter().cloned());
    write(dir, name, &lines)
}

/// Asserts that the agency files give the same results as the native rows.
fn same_as_native(
    dir: &Path,
    tag: &str,
    layout: &str,
    inputs: &[&str],
    native: &[String],
    paired: bool,
    extra: &[&str],
) -> String {
    let native_path = native_file(dir, &format!("{tag}-native.csv"), native);
    let (code_a, agency_csv, report, _) = assess(dir, &format!("{tag}-agency"), layout, inputs, extra);
    let (code_n, native_csv, _, _) = assess(dir, &format!("{tag}-native-out"), "native", &[&native_path], extra);
    assert_eq!(code_a, 0, "{tag}: no rejects");
    assert_eq!(code_n, 0);
    assert_eq!(agency_csv, native_csv, "{tag}: the agency files decide like the native rows");
    assert_eq!(records(&agency_csv).len(), native.len());
    let mut want = vec![
        ("active at end of file".to_string(), 1),
        ("prepaid or matured".to_string(), 1),
        ("repurchased".to_string(), 1),
    ];
    if paired {
        want.push(("no performance records".to_string(), 1));
        want.sort();
    }
    assert_eq!(not_assessed(&report), want, "{tag}");
    agency_csv
}

fn fannie_native() -> Vec<String> {
    FANNIE_NATIVE.iter().map(|s| s.to_string()).collect()
}

#[test]
fn fannie_combined_layouts_decide_like_native_rows() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let mut first = None;
    for (width, pool) in [(108, ""), (110, ""), (113, ""), (108, "5125")] {
        let tag = format!("combined{width}{pool}");
        let f = write(d, &format!("{tag}.csv"), &fannie_combined(width, pool));
        let csv = same_as_native(d, &tag, "fannie-mae", &[&f], &fannie_native(), false, &[]);
        // Every outcome a California disposition can take here, checked once.
        let recs = records(&csv);
        let by_id = |id: &str| recs.iter().find(|r| r["loan_id"] == id).expect("loan").clone();
        assert_eq!(by_id("100000000001")["outcome"], "needs_review");
        assert!(by_id("100000000001")["reasons"].contains("missing:foreclosure_method"), "{csv}");
        assert_eq!(by_id("100000000006")["primary_reason"], "580b_a3_purchase_money");
        assert_eq!(by_id("100000000004")["event_type"], "deed_in_lieu");
        assert_eq!(by_id("100000000003")["event_type"], "short_sale");
        assert_eq!(by_id("100000000008")["outcome"], "out_of_scope");
        match &first {
            None => first = Some(csv),
            Some(f) => assert_eq!(f, &csv, "{tag}: every width gives the same results"),
        }
    }
}

#[test]
fn fannie_acquisition_and_performance_decide_like_native_rows() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    for (acq_w, perf_w) in [(25, 31), (26, 28), (25, 30)] {
        let tag = format!("old{acq_w}-{perf_w}");
        let acq = write(d, &format!("Acquisition_{tag}.txt"), &fannie_acquisition(acq_w));
        let perf = write(d, &format!("Performance_{tag}.txt"), &fannie_performance(perf_w));
        same_as_native(d, &tag, "fannie-mae", &[&perf, &acq], &fannie_native(), true, &[]);
        same_as_native(d, &format!("{tag}-swapped"), "fannie-mae", &[&acq, &perf], &fannie_native(), true, &[]);
    }
}

#[test]
fn freddie_origination_and_monthly_decide_like_native_rows() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let orig = write(d, "historical_data_2010Q1.txt", &freddie_origination(32));
    let monthly = write(d, "historical_data_time_2010Q1.txt", &freddie_monthly(32));
    let csv = same_as_native(d, "freddie", "freddie-mac", &[&monthly, &orig], &freddie_native(), true, &[]);
    assert!(csv.contains("F110Q1000003,needs_review"), "{csv}");
    same_as_native(d, "freddie-swapped", "freddie-mac", &[&orig, &monthly], &freddie_native(), true, &[]);
}

#[test]
fn freddie_2017_layout_does_not_guess_what_code_03_was() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let orig = write(d, "orig.txt", &freddie_origination(26));
    let monthly: Vec<String> =
        freddie_monthly(32).iter().map(|l| l.split('|').take(23).collect::<Vec<_>>().join("|")).collect();
    let monthly = write(d, "svcg.txt", &monthly);
    let (code, csv, report, _) = assess(d, "f2017", "freddie-mac", &[&orig, &monthly], &[]);
    assert_eq!(code, 0);
    let na: std::collections::BTreeMap<String, u64> = not_assessed(&report).into_iter().collect();
    assert_eq!(
        na.get("foreclosure alternative of unreported type (Freddie Mac 03, older layout)"),
        Some(&1),
        "{report}"
    );
    assert!(!csv.contains("short_sale"));
    assert_eq!(records(&csv).len(), 4);
}

#[test]
fn assumed_trustee_sale_bars_the_foreclosure() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let assume = ["--assume", "foreclosure_method=trustee_sale"];
    let combined = write(d, "c.csv", &fannie_combined(108, ""));
    let csv = same_as_native(d, "assume-combined", "fannie-mae", &[&combined], &fannie_native(), false, &assume);
    let acq = write(d, "a.txt", &fannie_acquisition(25));
    let perf = write(d, "p.txt", &fannie_performance(31));
    let old = same_as_native(d, "assume-old", "fannie-mae", &[&acq, &perf], &fannie_native(), true, &assume);
    assert_eq!(csv, old);
    let orig = write(d, "o.txt", &freddie_origination(32));
    let monthly = write(d, "m.txt", &freddie_monthly(32));
    let freddie =
        same_as_native(d, "assume-freddie", "freddie-mac", &[&orig, &monthly], &freddie_native(), true, &assume);
    for (csv, id) in [(&csv, "100000000001"), (&freddie, "F110Q1000001")] {
        let recs = records(csv);
        let r = recs.iter().find(|r| r["loan_id"] == id).expect("REO loan");
        assert_eq!(r["outcome"], "barred", "{csv}");
        assert_eq!(r["primary_reason"], "580d_trustee_sale");
        assert!(r["flags"].split(';').any(|f| f == "assumed:foreclosure_method"), "{}", r["flags"]);
        // A short sale is not a foreclosure: the assumption does not touch it.
        let s = recs.iter().find(|r| r["event_type"] == "short_sale").expect("short sale");
        assert!(!s["flags"].contains("assumed:foreclosure_method"));
    }
}

// ---------------------------------------------------------------------------
// Bad input

fn fails(args: &[&str], needle: &str) {
    let o = run(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(needle), "{args:?}: expected {needle:?} in: {err}");
}

#[test]
fn file_level_problems_are_clear_fatal_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let acq = write(d, "a.txt", &fannie_acquisition(25));
    let perf = write(d, "p.txt", &fannie_performance(31));
    let orig = write(d, "o.txt", &freddie_origination(32));
    let out = d.join("x.csv").display().to_string();
    let base = |files: &[&str], layout: &str| -> Vec<String> {
        let mut v: Vec<String> =
            ["assess", "--layout", layout, "--as-of", AS_OF, "--out", &out].iter().map(|s| s.to_string()).collect();
        v.extend(files.iter().map(|s| s.to_string()));
        v
    };
    let call = |files: &[&str], layout: &str, needle: &str| {
        let v = base(files, layout);
        let args: Vec<&str> = v.iter().map(String::as_str).collect();
        fails(&args, needle);
        assert!(!PathBuf::from(&out).exists(), "nothing is left at the output path");
    };
    call(&[&perf], "fannie-mae", "no acquisition file given");
    call(&[&acq], "fannie-mae", "no performance file given");
    call(&[&orig], "fannie-mae", "use --layout freddie-mac");
    call(&[&perf, &acq], "freddie-mac", "use --layout fannie-mae");
    let native = native_file(d, "n.csv", &fannie_native());
    call(&[&native], "fannie-mae", "comma-separated");
    // A loan whose records are split up.
    let mut split_up = fannie_performance(31);
    let first = split_up.remove(0);
    split_up.push(first);
    let split_up = write(d, "split.txt", &split_up);
    call(&[&acq, &split_up], "fannie-mae", "appears again");
    // A record with a missing delimiter: named by line.
    let mut short = fannie_performance(31);
    short[4] = short[4].replacen('|', "", 1);
    let short = write(d, "short.txt", &short);
    call(&[&acq, &short], "fannie-mae", "line 5: it has 30 fields");
    // A performance file from another quarter.
    let other: Vec<String> = fannie_performance(31).iter().map(|l| l.replacen("1000000", "2000000", 1)).collect();
    let other = write(d, "other.txt", &other);
    call(&[&acq, &other], "fannie-mae", "appears in the acquisition file");
    // The same file twice.
    call(&[&acq, &perf, &perf], "fannie-mae", "appears again");
}

#[test]
fn unreadable_values_become_rejects_naming_the_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let mut lines = fannie_combined(108, "");
    // Loan 1's zero-balance record (line 3): net sales proceeds "1.5E5" (exponents are not read).
    let mut f: Vec<String> = lines[2].split('|').map(String::from).collect();
    f[58] = "1.5E5".into();
    lines[2] = f.join("|");
    let p = write(d, "bad-input.csv", &lines);
    let (code, csv, report, _) = assess(d, "bad", "fannie-mae", &[&p], &[]);
    assert_eq!(code, 1);
    assert_eq!(rows(&report, "rejected"), 1);
    assert!(!csv.contains("100000000001"));
    let rejects = std::fs::read_to_string(d.join("bad.rejects.csv")).expect("rejects");
    let recs = records(&rejects);
    assert_eq!(recs.len(), 1, "{rejects}");
    assert_eq!(recs[0]["loan_id"], "100000000001");
    assert_eq!(recs[0]["line"], "3");
    assert_eq!(recs[0]["column"], "sale_price");
    assert_eq!(recs[0]["value"], "1.5E5");
}
