//! Every legal setting (the unsettled points of docs/law.md, "Settings")
//! changes the decision it names, through `--settings FILE.toml`: each case
//! runs a loan with the defaults and with one setting flipped. The round-2
//! settings that restore version 1 (D1-D3 of the round-2 changes) are shown
//! both ways too.

use std::collections::HashMap;
use std::process::Command;

fn assess(cols: &[(&str, &str)], settings: Option<&str>, as_of: &str) -> HashMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    let header: Vec<&str> = cols.iter().map(|c| c.0).collect();
    let row: Vec<&str> = cols.iter().map(|c| c.1).collect();
    std::fs::write(&input, format!("{}\n{}\n", header.join(","), row.join(","))).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_deficiency"));
    cmd.arg("assess").arg(&input).args(["--as-of", as_of, "--quiet"]);
    if let Some(toml) = settings {
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, toml).unwrap();
        cmd.arg("--settings").arg(&path);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut rdr = csv::Reader::from_reader(&out.stdout[..]);
    let headers = rdr.headers().unwrap().clone();
    let rec = rdr.records().next().unwrap().unwrap();
    headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
}

fn check(r: &HashMap<String, String>, want: &[(&str, &str)], what: &str) {
    for (k, v) in want {
        assert_eq!(r[*k], *v, "{what}: column {k} (row: {r:?})");
    }
}

const S04: &[(&str, &str)] = &[
    ("loan_id", "S04"),
    ("event_type", "judicial_sale"),
    ("event_date", "2025-06-10"),
    ("unpaid_principal", "100000.00"),
    ("sale_price", "60000.00"),
    ("loan_purpose", "refinance"),
    ("origination_date", "2014-03-01"),
    ("property_units", "1"),
    ("owner_occupied", "true"),
    ("fair_value", "60000.00"),
    ("refinances_purchase_money", "true"),
    ("purchase_money_payoff", "80000.00"),
    ("new_advance", "20000.00"),
    ("principal_paid", "0.00"),
    ("deficiency_filed_date", "2025-08-01"),
];

#[test]
fn refinance_allocation_pro_rata() {
    check(
        &assess(S04, None, "2026-01-15"),
        &[("outcome", "partially_recoverable"), ("recoverable", "20000.00"), ("barred", "20000.00")],
        "cap",
    );
    let r = assess(S04, Some("refinance_allocation = \"pro_rata\"\n"), "2026-01-15");
    // 40000 legal x 20000 new advance / 100000 unpaid principal
    check(&r, &[("outcome", "partially_recoverable"), ("recoverable", "8000.00"), ("barred", "32000.00")], "pro_rata");
}

#[test]
fn interest_on_the_new_advance() {
    let mut cols = S04.to_vec();
    cols.push(("accrued_interest", "10000.00"));
    check(&assess(&cols, None, "2026-01-15"), &[("recoverable", "20000.00")], "default");
    // cap = 20000 + 10000 x 20000 / 100000 = 22000
    let r = assess(&cols, Some("refinance_interest_on_new_advance_recoverable = true\n"), "2026-01-15");
    check(&r, &[("outcome", "partially_recoverable"), ("recoverable", "22000.00"), ("barred", "28000.00")], "interest");
}

#[test]
fn pre2013_chain_review_off() {
    let mut cols = S04.to_vec();
    cols.push(("first_refinance_date", "2011-05-01"));
    check(
        &assess(&cols, None, "2026-01-15"),
        &[("outcome", "needs_review"), ("primary_reason", "refinance_chain_pre2013"), ("undetermined", "40000.00")],
        "default",
    );
    let r = assess(&cols, Some("refinance_chain_pre2013_review = false\n"), "2026-01-15");
    check(&r, &[("outcome", "recoverable"), ("recoverable", "40000.00")], "unprotected");
}

const JUDICIAL: &[(&str, &str)] = &[
    ("loan_id", "J1"),
    ("event_type", "judicial_sale"),
    ("event_date", "2022-11-30"),
    ("unpaid_principal", "250000.00"),
    ("sale_price", "200000.00"),
    ("loan_purpose", "other"),
    ("fair_value", "205000.00"),
    ("costs", "7500.00"),
    ("deficiency_filed_date", "2023-03-01"),
];

#[test]
fn month_end_overflow() {
    check(
        &assess(JUDICIAL, None, "2026-01-15"),
        &[("outcome", "time_barred"), ("action_deadline", "2023-02-28")],
        "clip",
    );
    let r = assess(JUDICIAL, Some("month_end = \"overflow\"\n"), "2026-01-15");
    check(
        &r,
        &[("outcome", "recoverable"), ("action_deadline", "2023-03-02"), ("recoverable", "52500.00")],
        "overflow",
    );
}

#[test]
fn redemption_roll_forward_off() {
    let mut cols = JUDICIAL.to_vec();
    cols.retain(|c| c.0 != "event_date" && c.0 != "deficiency_filed_date");
    cols.push(("event_date", "2025-09-05"));
    // 2026-09-05 is a Saturday and 2026-09-07 is Labor Day
    check(&assess(&cols, None, "2026-01-15"), &[("redemption_ends", "2026-09-08")], "rolled");
    check(
        &assess(&cols, Some("redemption_roll_forward = false\n"), "2026-01-15"),
        &[("redemption_ends", "2026-09-05")],
        "not rolled",
    );
}

#[test]
fn emergency_rule_9_also_for_726b() {
    let mut cols = JUDICIAL.to_vec();
    cols.retain(|c| c.0 != "event_date" && c.0 != "deficiency_filed_date");
    cols.push(("event_date", "2020-03-02"));
    cols.push(("deficiency_filed_date", "2020-07-01"));
    // Emergency rule 2 is set aside here (its own test is below).
    let no_rule_2 = "emergency_rule_2_model = \"none\"\n";
    check(
        &assess(&cols, Some(no_rule_2), "2026-01-15"),
        &[("outcome", "time_barred"), ("action_deadline", "2020-06-02")],
        "untolled",
    );
    // 2020-06-02 + 119 days = 2020-09-29
    let r = assess(&cols, Some(&format!("{no_rule_2}emergency_rule_9_tolls_726b = true\n")), "2026-01-15");
    check(&r, &[("outcome", "recoverable"), ("action_deadline", "2020-09-29")], "tolled");
}

/// D2: a 726(b) period running on 2020-04-06. Review by default (the two
/// readings differ), version 1 with `none`, tolled 148 days with `toll`.
#[test]
fn emergency_rule_2_model_review_toll_none() {
    let mut cols = JUDICIAL.to_vec();
    cols.retain(|c| c.0 != "event_date" && c.0 != "deficiency_filed_date");
    cols.push(("event_date", "2020-03-02"));
    cols.push(("deficiency_filed_date", "2020-07-01"));
    let r = assess(&cols, None, "2026-01-15");
    check(
        &r,
        &[
            ("outcome", "needs_review"),
            ("primary_reason", "emergency_rule_2_extension"),
            ("action_deadline", "2020-06-02"),
        ],
        "review",
    );
    assert_eq!(r["redemption_ends"], "");
    assert!(r["flags"].contains("emergency_rule_2_redemption"));
    check(
        &assess(&cols, Some("emergency_rule_2_model = \"none\"\n"), "2026-01-15"),
        &[("outcome", "time_barred"), ("primary_reason", "726b_three_months"), ("action_deadline", "2020-06-02")],
        "none",
    );
    // 2020-06-02 + 148 days = 2020-10-28 (Wed)
    check(
        &assess(&cols, Some("emergency_rule_2_model = \"toll\"\n"), "2026-01-15"),
        &[("outcome", "recoverable"), ("action_deadline", "2020-10-28")],
        "toll",
    );
}

/// D1: a senior sale with accrual_date and accelerated blank is tried both
/// ways by default; `event_date` restores version 1.
#[test]
fn blank_accrual_date_unknown_or_event_date() {
    let cols: &[(&str, &str)] = &[
        ("loan_id", "D1"),
        ("event_type", "senior_sale"),
        ("event_date", "2025-08-04"),
        ("unpaid_principal", "50000"),
        ("sale_price", ""),
        ("lien_position", "2"),
        ("loan_purpose", "home_equity"),
        ("origination_date", "2018-10-10"),
    ];
    let r = assess(cols, None, "2026-01-15");
    // Earliest accrual: 2018-10-10 + 48 months + 178 days (rule 9(a)) = 2023-04-06.
    check(
        &r,
        &[("outcome", "needs_review"), ("primary_reason", "missing:accrual_date"), ("action_deadline", "2023-04-06")],
        "unknown",
    );
    assert!(r["flags"].contains("accrual_date_bounded"));
    let r = assess(cols, Some("blank_accrual_date = \"event_date\"\n"), "2026-01-15");
    check(&r, &[("outcome", "recoverable"), ("action_deadline", "2029-08-06")], "event_date");
    assert!(r["flags"].contains("accrual_date_defaulted"));
}

/// D3: 11 U.S.C. 108(c) extends a deadline that had not run at the petition
/// to 30 days after the stay ended; `bankruptcy_108c = false` is version 1.
#[test]
fn bankruptcy_108c_on_and_off() {
    let cols: &[(&str, &str)] = &[
        ("loan_id", "D3"),
        ("event_type", "senior_sale"),
        ("event_date", "2020-09-01"),
        ("unpaid_principal", "27000"),
        ("sale_price", ""),
        ("lien_position", "2"),
        ("loan_purpose", "home_equity"),
        ("accrual_date", "2021-01-11"),
        ("bankruptcy", "dismissed"),
        ("bankruptcy_petition_date", "2024-08-05"),
        ("bankruptcy_stay_end_date", "2025-02-20"),
        ("deficiency_filed_date", "2025-03-20"),
    ];
    // 2021-01-11 + 48 months = Sat 2025-01-11 -> 2025-01-13; stay end + 30 = Sat 2025-03-22 -> 2025-03-24.
    let r = assess(cols, None, "2026-01-15");
    check(&r, &[("outcome", "recoverable"), ("action_deadline", "2025-03-24")], "108(c)");
    assert!(r["reasons"].contains("108c_extension"));
    check(
        &assess(cols, Some("bankruptcy_108c = false\n"), "2026-01-15"),
        &[("outcome", "time_barred"), ("action_deadline", "2025-01-13")],
        "version 1",
    );
}

/// Com. Code 3118(a): six years for a negotiable note, set by
/// `negotiable_note_limitations_years`.
#[test]
fn negotiable_note_years() {
    let cols: &[(&str, &str)] = &[
        ("loan_id", "N6"),
        ("event_type", "senior_sale"),
        ("event_date", "2020-08-03"),
        ("unpaid_principal", "41000"),
        ("sale_price", ""),
        ("lien_position", "2"),
        ("loan_purpose", "home_equity"),
        ("accrual_date", "2020-11-02"),
        ("note_negotiable", "true"),
    ];
    let r = assess(cols, None, "2026-01-15");
    check(&r, &[("outcome", "recoverable"), ("action_deadline", "2026-11-02")], "six years");
    assert!(r["reasons"].contains("3118_six_years"));
    // Four years: 2024-11-02 (Sat) -> 2024-11-04.
    let r = assess(cols, Some("negotiable_note_limitations_years = 4\n"), "2026-01-15");
    check(
        &r,
        &[("outcome", "time_barred"), ("primary_reason", "3118_six_years"), ("action_deadline", "2024-11-04")],
        "four",
    );
}

/// Whether rule 9(a) also tolls the CCP 366.2 year.
#[test]
fn emergency_rule_9_and_the_366_2_year() {
    let cols: &[(&str, &str)] = &[
        ("loan_id", "DY"),
        ("event_type", "senior_sale"),
        ("event_date", "2019-06-03"),
        ("unpaid_principal", "30000"),
        ("sale_price", ""),
        ("lien_position", "2"),
        ("loan_purpose", "home_equity"),
        ("accrual_date", "2019-07-01"),
        ("note_negotiable", "false"),
        ("borrower_death_date", "2020-01-15"),
        ("deficiency_filed_date", "2021-03-01"),
    ];
    // One year from death 2021-01-15, + 178 days (rule 9(a)) = 2021-07-12.
    let r = assess(cols, None, "2026-01-15");
    check(&r, &[("outcome", "recoverable"), ("action_deadline", "2021-07-12")], "tolled");
    assert!(r["reasons"].contains("366_2_one_year"));
    check(
        &assess(cols, Some("emergency_rule_9_tolls_366_2 = false\n"), "2026-01-15"),
        &[("outcome", "time_barred"), ("primary_reason", "366_2_one_year"), ("action_deadline", "2021-01-15")],
        "untolled",
    );
}

/// CCP 356: the whole stay tolls the note's period when the setting says so.
#[test]
fn ccp356_bankruptcy_tolling_on() {
    let cols: &[(&str, &str)] = &[
        ("loan_id", "ST"),
        ("event_type", "senior_sale"),
        ("event_date", "2018-12-03"),
        ("unpaid_principal", "20000"),
        ("sale_price", ""),
        ("lien_position", "2"),
        ("loan_purpose", "home_equity"),
        ("accrual_date", "2019-01-07"),
        ("note_negotiable", "false"),
        ("bankruptcy", "dismissed"),
        ("bankruptcy_petition_date", "2022-01-03"),
        ("bankruptcy_stay_end_date", "2022-07-01"),
        ("deficiency_filed_date", "2023-09-01"),
    ];
    // 2023-01-07 + 178 days = 2023-07-04 (a holiday) -> 2023-07-05.
    check(&assess(cols, None, "2026-01-15"), &[("outcome", "time_barred"), ("action_deadline", "2023-07-05")], "off");
    // + 179 days of stay = Sat 2023-12-30 -> (New Year's Day) 2024-01-02.
    check(
        &assess(cols, Some("ccp356_bankruptcy_tolling = true\n"), "2026-01-15"),
        &[("outcome", "recoverable"), ("action_deadline", "2024-01-02")],
        "on",
    );
}

/// The months after service in which a sale needs a court order.
#[test]
fn scra_post_service_months_longer() {
    let cols: &[(&str, &str)] = &[
        ("loan_id", "SV"),
        ("event_type", "trustee_sale"),
        ("event_date", "2024-09-10"),
        ("unpaid_principal", "100000"),
        ("sale_price", "60000"),
        ("loan_purpose", "home_equity"),
        ("origination_date", "2015-03-01"),
        ("military_service_start", "2021-01-04"),
        ("military_service_end", "2023-06-30"),
    ];
    check(&assess(cols, None, "2026-01-15"), &[("outcome", "barred"), ("primary_reason", "580d_trustee_sale")], "12");
    check(
        &assess(cols, Some("scra_post_service_months = 18\n"), "2026-01-15"),
        &[("outcome", "needs_review"), ("primary_reason", "scra_sale_validity"), ("undetermined", "40000.00")],
        "18",
    );
}

const JUNIOR: &[(&str, &str)] = &[
    ("loan_id", "J2"),
    ("event_type", "senior_sale"),
    ("event_date", "2019-02-01"),
    ("unpaid_principal", "78250.50"),
    ("sale_price", ""),
    ("lien_position", "2"),
    ("loan_purpose", "home_equity"),
    ("accrual_date", "2019-03-15"),
    ("deficiency_filed_date", "2023-03-16"),
];

#[test]
fn note_years_and_tolling() {
    check(
        &assess(JUNIOR, None, "2026-01-15"),
        &[("outcome", "recoverable"), ("action_deadline", "2023-09-11")],
        "default",
    );
    check(
        &assess(JUNIOR, Some("emergency_rule_9_tolling = false\n"), "2026-01-15"),
        &[("outcome", "time_barred"), ("action_deadline", "2023-03-15")],
        "no tolling",
    );
    // 2019-03-15 + 6 years = 2025-03-15 (Saturday) + 178 days tolled = 2025-09-09
    check(
        &assess(JUNIOR, Some("note_limitations_years = 6\n"), "2026-01-15"),
        &[("outcome", "recoverable"), ("action_deadline", "2025-09-09")],
        "six years",
    );
}

#[test]
fn same_holder_contemporaneous_review_off() {
    let mut cols = JUNIOR.to_vec();
    cols.retain(|c| !matches!(c.0, "event_date" | "accrual_date" | "deficiency_filed_date"));
    cols.extend([
        ("event_date", "2025-08-04"),
        ("accrual_date", "2025-05-01"),
        ("same_holder_as_senior", "true"),
        ("liens_contemporaneous", "true"),
    ]);
    check(
        &assess(&cols, None, "2026-01-15"),
        &[("outcome", "needs_review"), ("primary_reason", "same_holder_contemporaneous")],
        "default",
    );
    check(
        &assess(&cols, Some("same_holder_contemporaneous_review = false\n"), "2026-01-15"),
        &[("outcome", "recoverable"), ("primary_reason", "sold_out_junior")],
        "Black Sky",
    );
}

const DIL: &[(&str, &str)] = &[
    ("loan_id", "D1"),
    ("event_type", "deed_in_lieu"),
    ("event_date", "2025-08-04"),
    ("unpaid_principal", "500000.00"),
    ("sale_price", "430000.00"),
    ("loan_purpose", "home_equity"),
    ("deed_in_lieu_terms", "reserved"),
];

#[test]
fn deed_in_lieu_settings() {
    check(
        &assess(DIL, None, "2026-01-15"),
        &[("outcome", "recoverable"), ("primary_reason", "deed_in_lieu_reserved")],
        "default",
    );
    check(
        &assess(DIL, Some("deed_in_lieu_reserved = \"review\"\n"), "2026-01-15"),
        &[("outcome", "needs_review"), ("primary_reason", "deed_in_lieu_terms")],
        "review",
    );
    let mut pm = DIL.to_vec();
    pm.retain(|c| c.0 != "loan_purpose");
    pm.extend([("loan_purpose", "purchase"), ("owner_occupied", "true"), ("property_units", "1")]);
    check(
        &assess(&pm, None, "2026-01-15"),
        &[("outcome", "barred"), ("primary_reason", "580b_a3_purchase_money")],
        "purchase money",
    );
    check(
        &assess(&pm, Some("deed_in_lieu_purchase_money_barred = false\n"), "2026-01-15"),
        &[("outcome", "needs_review"), ("primary_reason", "deed_in_lieu_terms")],
        "purchase money review",
    );
}

const SHORT: &[(&str, &str)] = &[
    ("loan_id", "SS"),
    ("event_type", "short_sale"),
    ("event_date", "2011-03-01"),
    ("unpaid_principal", "60000.00"),
    ("sale_price", "5000.00"),
    ("lien_position", "1"),
    ("loan_purpose", "home_equity"),
    ("property_units", "1"),
    ("borrower_type", "llc"),
    ("written_consent", "true"),
    ("accrual_date", "2011-03-01"),
];

#[test]
fn sb931_entities_and_trusts() {
    check(
        &assess(SHORT, None, "2012-07-01"),
        &[("outcome", "barred"), ("primary_reason", "580e_short_sale")],
        "SB 931 text covers an LLC",
    );
    check(
        &assess(SHORT, Some("sb931_entities = \"as_amended\"\n"), "2012-07-01"),
        &[("outcome", "recoverable"), ("primary_reason", "580e_not_applicable")],
        "as amended",
    );
    let mut trust = SHORT.to_vec();
    trust.retain(|c| c.0 != "borrower_type");
    trust.push(("borrower_type", "trust"));
    check(
        &assess(&trust, None, "2012-07-01"),
        &[("outcome", "needs_review"), ("primary_reason", "borrower_type_unclear")],
        "trust review",
    );
    check(
        &assess(&trust, Some("entity_borrower_review = false\n"), "2012-07-01"),
        &[("outcome", "barred"), ("primary_reason", "580e_short_sale")],
        "trust covered",
    );
}

#[test]
fn unknown_or_bad_settings_are_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, "no_such_setting = 1\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_deficiency"))
        .args(["assess", "data/sample-portfolio.csv", "--as-of", "2026-01-15", "--quiet", "--settings"])
        .arg(&path)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("s.toml") && err.contains("no_such_setting"), "{err}");
}
