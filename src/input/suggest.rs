//! `deficiency map --suggest EXPORT.csv` (README "Your own exports: --map"):
//! a starting mapping from an export's header and first rows. Columns are
//! placed by name (a native name, or a known synonym such as "Loan Number"
//! or "UPB"); values of code and true/false columns by their native spelling
//! or a known synonym; dates by the first format every sample reads in. What
//! it cannot place is written as a comment saying so, for a person to finish.

use super::InputError;
use super::values::{self, Cell};
use crate::loan::{Field, Kind};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Rows read to learn values and date formats.
pub const SAMPLE_ROWS: usize = 1000;

/// Distinct values listed per column at most.
const MAX_VALUES: usize = 40;

/// Lower case, letters and digits only: "FC Sale Date" → "fcsaledate".
fn norm(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// Export column names other systems use, by native column.
const COLUMN_SYNONYMS: &[(Field, &[&str])] = &[
    (Field::LoanId, &["loannumber", "loanno", "loannum", "loan", "accountnumber", "acctno", "account", "loanid"]),
    (Field::EventType, &["eventtype", "event", "dispositiontype", "disposition", "liquidationtype", "saletype"]),
    (
        Field::EventDate,
        &["eventdate", "fcsaledate", "saledate", "foreclosuresaledate", "liquidationdate", "dispositiondate"],
    ),
    (
        Field::UnpaidPrincipal,
        &["upb", "unpaidprincipal", "unpaidprincipalbalance", "principalbalance", "currentupb", "upbatsale"],
    ),
    (Field::SalePrice, &["saleprice", "salesprice", "fcsaleprice", "soldprice", "bidamount", "winningbid"]),
    (Field::State, &["state", "propertystate", "st"]),
    (Field::LienPosition, &["lienposition", "lien", "lienpos"]),
    (Field::LoanPurpose, &["loanpurpose", "purpose"]),
    (Field::OriginationDate, &["originationdate", "origdate", "notedate", "fundingdate", "closingdate"]),
    (Field::PropertyUnits, &["propertyunits", "units", "numberofunits", "unitcount"]),
    (Field::OwnerOccupied, &["owneroccupied", "occupancy", "occupied", "ownerocc"]),
    (Field::BorrowerType, &["borrowertype", "borrowerentity", "entitytype"]),
    (Field::AccruedInterest, &["accruedinterest", "interest", "interestdue"]),
    (Field::Advances, &["advances", "corporateadvances", "escrowadvances"]),
    (Field::Costs, &["costs", "fccosts", "foreclosurecosts", "fees"]),
    (Field::FairValue, &["fairvalue", "appraisedvalue", "fmv", "fairmarketvalue"]),
    (Field::ForeclosureMethod, &["foreclosuremethod", "judicial", "fctype", "foreclosuretype", "judicialnonjudicial"]),
    (Field::Bankruptcy, &["bankruptcy", "bkstatus", "bankruptcystatus", "bk"]),
    (Field::BankruptcyPetitionDate, &["bankruptcypetitiondate", "bkfilingdate", "bkfiledate", "petitiondate"]),
    (Field::BankruptcyDischargeDate, &["bankruptcydischargedate", "bkdischargedate", "dischargedate"]),
    (Field::Guarantor, &["guarantor", "guaranty", "guaranteed"]),
    (Field::SeniorSaleType, &["seniorsaletype", "seniorfctype"]),
    (Field::DeficiencyFiledDate, &["deficiencyfileddate", "deficiencyactiondate", "suitfileddate"]),
    (Field::SurplusReceived, &["surplusreceived", "surplus", "surplusproceeds"]),
];

/// Export values other systems use, by native value (normalised).
const VALUE_SYNONYMS: &[(&str, &[&str])] = &[
    ("foreclosure_sale", &["fcsale", "foreclosure", "foreclosuresale", "fc"]),
    ("trustee_sale", &["trusteesale", "trustee", "nonjudicialsale", "nonjudicial", "powerofsale", "nj"]),
    ("judicial_sale", &["judicialsale", "judicialforeclosure", "sheriffsale", "judicial", "j"]),
    ("short_sale", &["shortsale", "shortpayoff", "ss"]),
    ("deed_in_lieu", &["deedinlieu", "dil", "deedinlieuofforeclosure"]),
    ("senior_sale", &["seniorsale", "seniorliensale", "seniorforeclosure"]),
    ("trustee", &["nonjudicial", "trustee", "powerofsale", "nj"]),
    ("judicial", &["judicial", "j"]),
    ("cash_out_refinance", &["cashoutrefinance", "cashoutrefi", "cashout"]),
    ("refinance", &["refinance", "refi", "raterefinance", "ratetermrefinance", "noncashoutrefinance"]),
    ("purchase", &["purchase", "purch"]),
    ("home_equity", &["homeequity", "heloc", "he"]),
    ("none", &["none", "nobankruptcy", "no", "n"]),
    ("pending", &["pending", "active", "open"]),
    ("discharged", &["discharged", "discharge"]),
];

/// True/false spellings beyond the native ones.
const TRUE_WORDS: &[&str] = &["ownerocc", "owneroccupied", "owner", "primary", "primaryresidence", "t", "x", "checked"];
const FALSE_WORDS: &[&str] =
    &["investor", "investment", "secondhome", "nonowner", "nonowneroccupied", "f", "unchecked"];

/// Date formats tried, in order (the first every sample reads in wins).
const DATE_FORMATS: &[&str] = &["%m/%d/%Y", "%m/%d/%y", "%Y%m%d", "%m-%d-%Y", "%d-%b-%Y", "%b %d, %Y", "excel"];

fn place_column(name: &str) -> Option<Field> {
    let n = norm(name);
    Field::ALL
        .iter()
        .copied()
        .find(|f| norm(f.name()) == n)
        .or_else(|| COLUMN_SYNONYMS.iter().find(|(_, syn)| syn.contains(&n.as_str())).map(|(f, _)| *f))
}

/// A loan to try a value on.
fn scratch_loan() -> crate::loan::Loan {
    use crate::loan::{EventType, Loan};
    Loan::new("x", EventType::TrusteeSale, chrono::NaiveDate::default(), crate::money::Money::ZERO, None)
}

/// Whether the native reader takes `v` for column `f` as it is.
fn native_ok(f: Field, v: &str) -> bool {
    if f == Field::EventType {
        return values::event_type(Cell::Text(v)).is_ok();
    }
    values::set_optional(&mut scratch_loan(), f, Cell::Text(v)).is_ok()
}

/// The values the native reader takes for a code column.
fn choices(f: Field) -> Vec<String> {
    let err = if f == Field::EventType {
        values::event_type(Cell::Text("\u{1}")).err()
    } else {
        values::set_optional(&mut scratch_loan(), f, Cell::Text("\u{1}")).err()
    };
    match err {
        Some(values::ValueError::Enum(list)) => list.split(", ").map(|s| s.trim().to_string()).collect(),
        _ => Vec::new(),
    }
}

fn place_value(f: Field, v: &str) -> Option<String> {
    let n = norm(v);
    let options = choices(f);
    if let Some(c) = options.iter().find(|c| norm(c) == n) {
        return Some(c.clone());
    }
    VALUE_SYNONYMS
        .iter()
        .find(|(native, syn)| options.iter().any(|c| c == native) && syn.contains(&n.as_str()))
        .map(|(native, _)| native.to_string())
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A starting mapping for the export at `path`, as TOML text.
pub fn suggest(path: &str) -> Result<String, InputError> {
    let bytes = super::native_csv::open_bytes(path)?;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let not_csv = |e: csv::Error| InputError::NotCsv { path: path.into(), message: e.to_string() };
    let names: Vec<String> = rdr.headers().map_err(not_csv)?.iter().map(|h| h.trim().to_string()).collect();
    let mut distinct: Vec<BTreeMap<String, u64>> = vec![BTreeMap::new(); names.len()];
    let mut rows = 0;
    for rec in rdr.records().take(SAMPLE_ROWS) {
        let rec = rec.map_err(not_csv)?;
        rows += 1;
        for (i, v) in rec.iter().enumerate().take(names.len()) {
            let v = v.trim();
            if !v.is_empty() && (distinct[i].len() < 10 * MAX_VALUES || distinct[i].contains_key(v)) {
                *distinct[i].entry(v.to_string()).or_default() += 1;
            }
        }
    }

    let mut placed: Vec<Option<Field>> = Vec::new();
    let mut taken = std::collections::HashSet::new();
    let mut columns = String::new();
    let mut unplaced = String::new();
    for name in &names {
        match place_column(name) {
            Some(f) if taken.insert(f) => {
                if name != f.name() {
                    let _ = writeln!(columns, "{} = {}", quote(name), quote(f.name()));
                }
                placed.push(Some(f));
            }
            Some(f) => {
                let _ = writeln!(
                    unplaced,
                    "# {}: not placed (looks like {}, which another column has)",
                    quote(name),
                    f.name()
                );
                placed.push(None);
            }
            None => {
                let _ = writeln!(
                    unplaced,
                    "# {}: not placed (no native column by that name or a known synonym)",
                    quote(name)
                );
                placed.push(None);
            }
        }
    }
    for f in Field::REQUIRED {
        if !taken.contains(f) {
            let _ = writeln!(unplaced, "# {}: required, and no column of the export was placed there", f.name());
        }
    }

    // Dates: the first format every sample of a column reads in.
    let mut date_formats: BTreeMap<Field, &str> = BTreeMap::new();
    let mut unread_dates = String::new();
    for (i, f) in placed.iter().enumerate() {
        let Some(f) = *f else { continue };
        if f.kind() != Kind::Date || distinct[i].is_empty() {
            continue;
        }
        let samples: Vec<&String> = distinct[i].keys().collect();
        if samples.iter().all(|s| crate::dates::parse_ymd(s).is_some()) {
            continue;
        }
        let fits = |fmt: &str| {
            let d = super::mapping::Mapping { date_format: Some(fmt.into()), ..Default::default() };
            d.compile("suggest").ok().and_then(|c| {
                let read = |s: &str| c.read_date(f, s);
                samples.iter().all(|s| read(s).is_some()).then_some(())
            })
        };
        match DATE_FORMATS.iter().find(|fmt| fits(fmt).is_some()) {
            Some(fmt) => {
                date_formats.insert(f, fmt);
            }
            None => {
                let _ = writeln!(
                    unread_dates,
                    "# {}: no date format read every value (e.g. {}); add one under [dates]",
                    f.name(),
                    quote(samples[0])
                );
            }
        }
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for fmt in date_formats.values() {
        *counts.entry(fmt).or_default() += 1;
    }
    let common = counts.iter().max_by_key(|(fmt, n)| (**n, std::cmp::Reverse(**fmt))).map(|(fmt, _)| *fmt);

    // Values of code and true/false columns.
    let mut values_out = String::new();
    let mut booleans: BTreeMap<String, bool> = BTreeMap::new();
    let mut unplaced_bools = String::new();
    for (i, f) in placed.iter().enumerate() {
        let Some(f) = *f else { continue };
        match f.kind() {
            Kind::Enum => {
                let mut section = String::new();
                for v in distinct[i].keys().take(MAX_VALUES) {
                    if native_ok(f, v) {
                        continue;
                    }
                    match place_value(f, v) {
                        Some(native) => {
                            let _ = writeln!(section, "{} = {}", quote(v), quote(&native));
                        }
                        None => {
                            let _ = writeln!(
                                section,
                                "# {} = \"?\"   # not placed: one of {}",
                                quote(v),
                                choices(f).join(", ")
                            );
                        }
                    }
                }
                if !section.is_empty() {
                    let _ = writeln!(values_out, "\n[values.{}]\n{section}", f.name());
                }
            }
            Kind::Bool => {
                for v in distinct[i].keys().take(MAX_VALUES) {
                    if native_ok(f, v) {
                        continue;
                    }
                    let n = norm(v);
                    if TRUE_WORDS.contains(&n.as_str()) {
                        booleans.insert(v.clone(), true);
                    } else if FALSE_WORDS.contains(&n.as_str()) {
                        booleans.insert(v.clone(), false);
                    } else {
                        let _ = writeln!(
                            unplaced_bools,
                            "# {} = ?   # in {}: not placed as true or false",
                            quote(v),
                            f.name()
                        );
                    }
                }
            }
            _ => {}
        }
    }

    let mut out = String::new();
    let _ = writeln!(out, "# A starting mapping for {} (deficiency map --suggest, from its header and", quote(path));
    let _ = writeln!(out, "# first {rows} rows). Check every line, finish the lines marked \"not placed\",");
    let _ = writeln!(out, "# then: deficiency assess {} --map THIS.toml ...", quote(path));
    if let Some(fmt) = common {
        let _ = writeln!(out, "\ndate_format = {}", quote(fmt));
    }
    let _ = writeln!(out, "\n[columns]\n{columns}{unplaced}");
    let own: Vec<(&Field, &&str)> = date_formats.iter().filter(|(_, fmt)| Some(**fmt) != common).collect();
    if !own.is_empty() || !unread_dates.is_empty() {
        let _ = writeln!(out, "[dates]");
        for (f, fmt) in own {
            let _ = writeln!(out, "{} = {}", f.name(), quote(fmt));
        }
        let _ = writeln!(out, "{unread_dates}");
    }
    if !booleans.is_empty() || !unplaced_bools.is_empty() {
        let _ = writeln!(out, "[booleans]");
        for (v, b) in &booleans {
            let _ = writeln!(out, "{} = {b}", quote(v));
        }
        let _ = writeln!(out, "{unplaced_bools}");
    }
    out.push_str(&values_out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_values_are_placed_by_name_or_synonym() {
        assert_eq!(place_column("Loan Number"), Some(Field::LoanId));
        assert_eq!(place_column("UPB"), Some(Field::UnpaidPrincipal));
        assert_eq!(place_column("FC Sale Date"), Some(Field::EventDate));
        assert_eq!(place_column("event_type"), Some(Field::EventType));
        assert_eq!(place_column("Servicer Notes"), None);
        assert_eq!(place_value(Field::EventType, "FC Sale").as_deref(), Some("foreclosure_sale"));
        assert_eq!(place_value(Field::ForeclosureMethod, "Non-Judicial").as_deref(), Some("trustee_sale"));
        assert_eq!(place_value(Field::SeniorSaleType, "Non-Judicial").as_deref(), Some("trustee"));
        assert_eq!(place_value(Field::EventType, "Deed in Lieu").as_deref(), Some("deed_in_lieu"));
        assert_eq!(place_value(Field::EventType, "Auction"), None);
        assert!(choices(Field::BorrowerType).contains(&"individual".to_string()));
    }
}
