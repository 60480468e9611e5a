//! Tests of the synthetic portfolio generator (`deficiency::generate`).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use deficiency::generate::{Generator, columns, write_csv};
use deficiency::loan::Kind;

/// The generated column names, from the input schema.
fn names() -> Vec<&'static str> {
    columns().iter().map(|f| f.name()).collect()
}

/// The generated columns of one kind.
fn of_kind(kind: Kind) -> Vec<&'static str> {
    columns().iter().filter(|f| f.kind() == kind).map(|f| f.name()).collect()
}

const ROWS: u64 = 20_000;
const SEED: u64 = 20_260_115;

/// The CSV for `ROWS` rows of `SEED`, generated once.
fn sample() -> &'static str {
    static CSV: OnceLock<String> = OnceLock::new();
    CSV.get_or_init(|| csv(ROWS, SEED))
}

fn csv(rows: u64, seed: u64) -> String {
    let mut out = Vec::new();
    write_csv(rows, seed, &mut out).expect("write to a Vec");
    String::from_utf8(out).expect("UTF-8")
}

/// Data rows of the sample, as maps column -> cell.
fn records() -> &'static Vec<HashMap<&'static str, &'static str>> {
    static RECORDS: OnceLock<Vec<HashMap<&'static str, &'static str>>> = OnceLock::new();
    RECORDS.get_or_init(|| {
        sample()
            .lines()
            .skip(1)
            .map(|line| {
                let cells: Vec<&str> = line.split(',').collect();
                assert_eq!(cells.len(), names().len(), "line: {line}");
                names().into_iter().zip(cells).collect()
            })
            .collect()
    })
}

fn col<'a>(r: &'a HashMap<&str, &str>, name: &str) -> &'a str {
    r.get(name).unwrap_or_else(|| panic!("no column {name}"))
}

/// Cents of a money cell: digits, optionally `.` and 1–2 digits.
fn parse_money(s: &str) -> Option<u64> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) || (s.contains('.') && frac.is_empty()) {
        return None;
    }
    let mut cents: u64 = int.parse::<u64>().ok()?.checked_mul(100)?;
    let mut f = frac.to_string();
    while f.len() < 2 {
        f.push('0');
    }
    cents += f.parse::<u64>().ok()?;
    Some(cents)
}

/// A valid `YYYY-MM-DD` calendar date, returned as (y, m, d).
fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &s[r];
        if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().ok() } else { None }
    };
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (d >= 1 && d <= days_in_month).then_some((y, m, d))
}

const EVENT_TYPES: &[&str] =
    &["judicial_sale", "trustee_sale", "foreclosure_sale", "short_sale", "deed_in_lieu", "senior_sale"];
const LOAN_PURPOSES: &[&str] = &["purchase", "construction", "refinance", "cash_out_refinance", "home_equity", "other"];
const BORROWER_TYPES: &[&str] =
    &["individual", "corporation", "llc", "limited_partnership", "general_partnership", "trust", "public_entity"];

#[test]
fn same_seed_gives_identical_bytes() {
    assert_eq!(csv(3_000, 42), csv(3_000, 42));
    // A prefix of a longer run is the shorter run.
    let long = csv(3_500, 42);
    assert!(long.starts_with(&csv(3_000, 42)));
}

#[test]
fn different_seed_gives_different_bytes() {
    let a = csv(1_000, 1);
    let b = csv(1_000, 2);
    assert_ne!(a, b);
    // Not just the loan ids: the loans themselves differ.
    let body =
        |s: &str| -> Vec<String> { s.lines().skip(1).map(|l| l.split_once(',').unwrap().1.to_string()).collect() };
    assert_ne!(body(&a), body(&b));
}

#[test]
fn header_is_columns_joined() {
    let header = sample().lines().next().unwrap();
    assert_eq!(header, names().join(","));
    assert!(sample().ends_with('\n'));
    assert!(!sample().contains('\r'));
    assert!(!sample().contains('"'));
}

#[test]
fn every_row_has_every_field() {
    let lines: Vec<&str> = sample().lines().collect();
    assert_eq!(lines.len() as u64, ROWS + 1);
    for line in &lines[1..] {
        assert_eq!(line.split(',').count(), names().len(), "line: {line}");
    }
}

#[test]
fn zero_rows_is_just_the_header() {
    assert_eq!(csv(0, 5), format!("{}\n", names().join(",")));
}

#[test]
fn next_row_gives_the_same_loans_as_write_csv() {
    let mut generator = Generator::new(SEED);
    let mut row: Vec<Vec<u8>> = vec![Vec::new(); names().len()];
    for line in sample().lines().skip(1).take(2_000) {
        generator.next_row(&mut row);
        let joined = row.iter().map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(",");
        assert_eq!(joined, line);
    }
}

#[test]
fn loan_ids_are_unique() {
    let mut seen = HashSet::new();
    for r in records() {
        let id = col(r, "loan_id");
        assert!(!id.is_empty());
        assert!(seen.insert(id), "duplicate loan_id {id}");
    }
    assert_eq!(seen.len() as u64, ROWS);
}

#[test]
fn required_columns_are_filled() {
    for r in records() {
        for name in ["loan_id", "event_type", "event_date", "unpaid_principal"] {
            assert!(!col(r, name).is_empty(), "{name} blank in {r:?}");
        }
    }
}

#[test]
fn sale_price_blank_exactly_on_senior_sales() {
    let mut senior = 0;
    for r in records() {
        let is_senior = col(r, "event_type") == "senior_sale";
        senior += is_senior as usize;
        assert_eq!(col(r, "sale_price").is_empty(), is_senior, "{r:?}");
    }
    assert!(senior > 0);
}

#[test]
fn every_enum_value_appears() {
    for (name, values) in
        [("event_type", EVENT_TYPES), ("loan_purpose", LOAN_PURPOSES), ("borrower_type", BORROWER_TYPES)]
    {
        let seen: HashSet<&str> = records().iter().map(|r| col(r, name)).collect();
        for v in values.iter() {
            assert!(seen.contains(v), "{name}={v} never generated");
        }
        for v in &seen {
            assert!(v.is_empty() || values.contains(v), "{name}={v} is not a value of the native layout");
        }
    }
}

#[test]
fn other_enums_and_booleans_are_valid() {
    let allowed: [(&str, &[&str]); 5] = [
        ("senior_sale_type", &["", "judicial", "trustee"]),
        ("deed_in_lieu_terms", &["", "waived", "reserved", "silent"]),
        ("bankruptcy", &["", "none", "pending", "discharged", "dismissed"]),
        ("loan_program", &["", "hecm", "va", "fha"]),
        ("bond_or_utility_lien", &["", "true", "false"]),
    ];
    for r in records() {
        for (name, values) in allowed {
            assert!(values.contains(&col(r, name)), "{name}={}", col(r, name));
        }
        for name in of_kind(Kind::Bool) {
            assert!(["", "true", "false"].contains(&col(r, name)), "{name}={}", col(r, name));
        }
        let state = col(r, "state");
        assert!(state.is_empty() || (state.len() == 2 && state.bytes().all(|b| b.is_ascii_uppercase())));
        for name in ["lien_position", "property_units"] {
            let v = col(r, name);
            assert!(v.is_empty() || v.parse::<u32>().is_ok(), "{name}={v}");
        }
        if let Ok(lien) = col(r, "lien_position").parse::<u32>() {
            assert!(lien >= 1);
        }
    }
}

#[test]
fn money_is_non_negative_with_at_most_two_places() {
    for r in records() {
        for name in of_kind(Kind::Money) {
            let v = col(r, name);
            if !v.is_empty() {
                assert!(parse_money(v).is_some(), "{name}={v:?} is not plain money");
            }
        }
        let up = parse_money(col(r, "unpaid_principal")).unwrap();
        assert!((2_000_000..=150_000_000).contains(&up), "unpaid_principal {up}");
    }
}

#[test]
fn dates_are_valid() {
    for r in records() {
        for name in of_kind(Kind::Date) {
            let v = col(r, name);
            if !v.is_empty() {
                assert!(parse_date(v).is_some(), "{name}={v:?} is not a valid YYYY-MM-DD date");
                // A maturity or the end of a service may lie ahead.
                if !["maturity_date", "military_service_end"].contains(&name) {
                    assert!(v <= "2025-12-31", "{name}={v} is in the future");
                }
            }
        }
        let event = col(r, "event_date");
        assert!(("2009-01-01"..="2025-12-31").contains(&event), "event_date {event}");
        assert!(col(r, "origination_date") < event);
        let accrual = col(r, "accrual_date");
        assert!(accrual.is_empty() || accrual <= event, "accrual {accrual} after event {event}");
        let first = col(r, "first_refinance_date");
        assert!(first.is_empty() || first <= col(r, "origination_date"));
        let (p, d) = (col(r, "bankruptcy_petition_date"), col(r, "bankruptcy_discharge_date"));
        assert!(p.is_empty() || d.is_empty() || p <= d);
    }
}

#[test]
fn filed_date_between_event_and_end_of_2025() {
    let mut filed = 0;
    for r in records() {
        let f = col(r, "deficiency_filed_date");
        if !f.is_empty() {
            filed += 1;
            assert!(f >= col(r, "event_date") && f <= "2025-12-31", "filed {f} for {r:?}");
        }
    }
    assert!(filed > 0);
}

#[test]
fn refinance_amounts_add_up() {
    let cents = |r: &HashMap<&str, &str>, name: &str| parse_money(col(r, name));
    let mut checked = 0;
    for r in records() {
        if let (Some(payoff), Some(new_advance), Some(paid)) =
            (cents(r, "purchase_money_payoff"), cents(r, "new_advance"), cents(r, "principal_paid"))
        {
            let costs = cents(r, "refinance_costs_financed").unwrap_or(0);
            let unpaid = cents(r, "unpaid_principal").unwrap();
            assert_eq!(unpaid + paid, payoff + costs + new_advance, "{r:?}");
            checked += 1;
        }
    }
    assert!(checked > 100);
}

#[test]
fn mix_is_realistic() {
    let n = records().len() as f64;
    let share = |pred: &dyn Fn(&HashMap<&str, &str>) -> bool| records().iter().filter(|r| pred(r)).count() as f64 / n;
    let trustee = share(&|r| col(r, "event_type") == "trustee_sale");
    assert!((0.40..0.50).contains(&trustee), "trustee share {trustee}");
    let out_of_state = share(&|r| !matches!(col(r, "state"), "" | "CA"));
    assert!((0.01..0.04).contains(&out_of_state), "out-of-state share {out_of_state}");
    let fraud = share(&|r| col(r, "fraud_or_waste") == "true");
    assert!(fraud > 0.0 && fraud < 0.02, "fraud share {fraud}");
    for name in ["owner_occupied", "property_units", "loan_purpose", "borrower_type", "lien_position"] {
        let blank = share(&|r| col(r, name).is_empty());
        assert!((0.02..0.10).contains(&blank), "{name} blank share {blank}");
    }
    // Facts that only some paths need still occur.
    for (name, value) in [
        ("seller_financed", "true"),
        ("written_consent", "false"),
        ("deed_recorded", "false"),
        ("proceeds_tendered", "false"),
        ("secured_solely", "false"),
        ("deficiency_waived", "true"),
        ("bond_or_utility_lien", "true"),
        ("guarantor", "true"),
        ("same_holder_as_senior", "true"),
        ("liens_contemporaneous", "true"),
        ("senior_sale_type", "judicial"),
        ("deed_in_lieu_terms", "silent"),
        ("bankruptcy", "pending"),
        ("bankruptcy", "discharged"),
        ("discharge_exception", "true"),
        ("new_advance", "0.00"),
        ("property_units", "0"),
        ("property_units", "5"),
        ("lien_position", "3"),
    ] {
        assert!(share(&|r| col(r, name) == value) > 0.0, "{name}={value} never generated");
    }
    // Short sales inside each § 580e window.
    for (from, to) in [("2009-01-01", "2010-12-31"), ("2011-01-01", "2011-07-14"), ("2011-07-15", "2025-12-31")] {
        assert!(
            share(&|r| col(r, "event_type") == "short_sale" && (from..=to).contains(&col(r, "event_date"))) > 0.0,
            "no short sale between {from} and {to}"
        );
    }
    // A pre-2013 refinance chain with this loan executed after.
    assert!(
        share(&|r| {
            let first = col(r, "first_refinance_date");
            !first.is_empty() && first < "2013-01-01" && col(r, "origination_date") >= "2013-01-01"
        }) > 0.0
    );
    // Sales that cover the debt, and fair values that do.
    assert!(
        share(&|r| {
            let debt: u64 = ["unpaid_principal", "accrued_interest", "advances", "costs"]
                .iter()
                .map(|c| parse_money(col(r, c)).unwrap_or(0))
                .sum();
            parse_money(col(r, "sale_price")).is_some_and(|s| s >= debt)
        }) > 0.01
    );
}

/// The generator's output is part of its interface: benchmarks, demos and
/// saved reports are reproduced from a seed. If a deliberate change to the
/// mix breaks this test, update the pinned rows and say so in the changelog.
/// (Round 2 added 31 columns, blank on these rows; the version-1 cells of a
/// seed did not change.)
#[test]
fn pinned_output_for_seed_1() {
    let text = csv(3, 1);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[1],
        "G1-00000001,trustee_sale,2019-05-30,496913.47,429680.52,CA,1,refinance,false,2008-10-16,1,true,individual,33326.33,12025.30,2323.65,,,true,,511342.52,11449.13,0.00,25878.18,,,,,,,,false,,,,,,2018-06-04,none,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"
    );
    assert_eq!(
        lines[3],
        "G1-00000003,trustee_sale,2010-03-08,426270.47,296236.24,CA,1,purchase,,1998-08-27,1,true,individual,20407.69,10912.52,5061.58,,,,,,,,,,,,,,,,false,,,false,,,2009-03-22,none,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"
    );
}

/// Round 2 (README "Input: the native layout"): the new columns appear at low rates, blank
/// otherwise, and a run at 2026-01-15 rejects none of them.
#[test]
fn round_2_columns_at_low_rates() {
    let recs = records();
    let n = recs.len() as f64;
    let share = |f: &dyn Fn(&HashMap<&str, &str>) -> bool| recs.iter().filter(|r| f(r)).count() as f64 / n;
    let senior = recs.iter().filter(|r| col(r, "event_type") == "senior_sale").count() as f64;
    let installments = recs
        .iter()
        .filter(|r| col(r, "event_type") == "senior_sale" && !col(r, "first_unpaid_due_date").is_empty())
        .count() as f64
        / senior;
    assert!((0.02..0.09).contains(&installments), "installment facts on {installments} of senior sales");
    let dismissed = share(&|r| col(r, "bankruptcy") == "dismissed");
    assert!((0.01..0.03).contains(&dismissed), "dismissed {dismissed}");
    for p in ["hecm", "va", "fha"] {
        let s = share(&|r| col(r, "loan_program") == p);
        assert!((0.004..0.02).contains(&s), "{p} {s}");
    }
    for c in ["borrower_death_date", "military_service_start"] {
        let s = share(&|r| !col(r, c).is_empty());
        assert!((0.004..0.02).contains(&s), "{c} {s}");
    }
    for r in recs {
        if !col(r, "military_service_end").is_empty() {
            assert!(col(r, "military_service_start") <= col(r, "military_service_end"));
        }
        let (death, claim, rejected) = (
            col(r, "borrower_death_date"),
            col(r, "creditor_claim_filed_date"),
            col(r, "creditor_claim_rejected_date"),
        );
        assert!(claim.is_empty() || (!death.is_empty() && death <= claim));
        assert!(rejected.is_empty() || (!claim.is_empty() && claim <= rejected));
    }
}
