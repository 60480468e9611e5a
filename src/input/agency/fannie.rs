//! Fannie Mae Single-Family Loan Performance Data (the publisher's file layout).
//!
//! Two layouts, both pipe-delimited without a header:
//! - the combined layout (October 2020 on): 108, 110 or 113 fields per
//!   monthly record, the loan's acquisition facts repeated on every record;
//! - the older pair: an acquisition file (25 fields; 26 in the NVIDIA copy,
//!   22 to 24 in early downloads) with one record per loan, and a
//!   performance file (28 to 31 fields) with one record per loan per month.
//!
//! Positions below are 0-based (the published layouts give 1-based ones).

use super::{
    Agency, Bad, Col, DateField, FileKind, Key, LoanState, OrigFacts, Row, Spec, Translation, accrued_interest, amount,
    blank, category, cells, fannie_date, integer_text, months_between, opt_amount, state_cell, zb_code,
};
use crate::money::{self, Money};

/// The origination channel of an acquisition record: `R`, `B`, `C` (and
/// the words used before 2015).
pub fn is_channel(s: &str) -> bool {
    let u = s.trim().to_ascii_uppercase();
    matches!(u.as_str(), "R" | "B" | "C" | "T" | "RETAIL" | "BROKER" | "CORRESPONDENT")
}

/// The combined layout (the publisher's file layout).
pub(crate) fn combined_spec(width: usize) -> Spec {
    Spec {
        agency: Agency::Fannie,
        kind: FileKind::FannieCombined,
        width,
        id: 1,
        period: 2,
        upb: 11,
        dlq: None,
        keys: vec![
            (Key::Rate, 8),
            (Key::OrigDate, 13),
            (Key::Purpose, 26),
            (Key::Units, 28),
            (Key::Occupancy, 29),
            (Key::State, 30),
            (Key::ZbCode, 43),
            (Key::ZbDate, 44),
            (Key::RemovalUpb, 45),
            (Key::Lpi, 50),
            (Key::FclDate, 51),
            (Key::DispDate, 52),
            (Key::FclCosts, 53),
            (Key::PresCosts, 54),
            (Key::RecoveryCosts, 55),
            (Key::HoldingCosts, 56),
            (Key::TaxCosts, 57),
            (Key::Nsp, 58),
            (Key::CeProcs, 59),
            (Key::RmwProcs, 60),
            (Key::OtherProcs, 61),
            (Key::NonIntUpb, 62),
            (Key::Forgiveness, 63),
        ],
    }
}

/// The older performance file (the publisher's file layout).
pub(crate) fn performance_spec(width: usize) -> Spec {
    Spec {
        agency: Agency::Fannie,
        kind: FileKind::FanniePerformance,
        width,
        id: 0,
        period: 1,
        upb: 4,
        dlq: None,
        keys: vec![
            (Key::Rate, 3),
            (Key::ZbCode, 12),
            (Key::ZbDate, 13),
            (Key::Lpi, 14),
            (Key::FclDate, 15),
            (Key::DispDate, 16),
            (Key::FclCosts, 17),
            (Key::PresCosts, 18),
            (Key::RecoveryCosts, 19),
            (Key::HoldingCosts, 20),
            (Key::TaxCosts, 21),
            (Key::Nsp, 22),
            (Key::CeProcs, 23),
            (Key::RmwProcs, 24),
            (Key::OtherProcs, 25),
            (Key::NonIntUpb, 26),
            (Key::Forgiveness, 27),
        ],
    }
}

/// An acquisition record: its loan id and facts (the publisher's file layout).
pub(crate) fn acquisition_facts<'a>(row: &Row<'a>) -> (&'a str, OrigFacts) {
    let id = row.get(0);
    let id = if blank(id) { "" } else { id };
    (
        id,
        OrigFacts {
            state: state_cell(row.get(18)),
            loan_purpose: purpose(row.get(14)),
            origination_date: origination_date(row.get(6)),
            property_units: units(row.get(16)),
            owner_occupied: occupancy(row.get(17)),
        },
    )
}

/// Loan purpose: `P` purchase, `C` cash-out refinance, `R` refinance, `U`
/// refinance not specified (mapped to `refinance`; the rules treat both
/// refinance values alike). Words from pre-2015 files are accepted.
/// Anything else is passed through, so the row is rejected showing it.
pub(crate) fn purpose(s: &str) -> Result<String, Bad> {
    if blank(s) {
        return Ok(String::new());
    }
    let u = s.trim().to_ascii_uppercase();
    let native = if u == "P" || u.starts_with("PURCHASE") {
        "purchase"
    } else if u == "C" || u.starts_with("CASH") {
        "cash_out_refinance"
    } else if u == "R" || u == "U" || u.starts_with("NO CASH") || u.starts_with("REFI") {
        "refinance"
    } else {
        return Err(Bad::new(s, "is not a Fannie Mae loan purpose code (P, C, R or U)"));
    };
    Ok(native.to_string())
}

/// Occupancy: `P` principal residence → owner-occupied; `I` investor → not;
/// `S` second home and `U` unknown → blank (whether a second home is
/// "occupied by the purchaser" is not settled).
pub(crate) fn occupancy(s: &str) -> Result<String, Bad> {
    if blank(s) {
        return Ok(String::new());
    }
    let u = s.trim().to_ascii_uppercase();
    match u.as_str() {
        "P" | "PRINCIPAL" => Ok("true".into()),
        "I" | "INVESTOR" | "INVESTMENT" => Ok("false".into()),
        "S" | "SECOND" | "U" | "UNKNOWN" => Ok(String::new()),
        _ => Err(Bad::new(s, "is not a Fannie Mae occupancy code (P, I, S or U)")),
    }
}

pub(crate) fn units(s: &str) -> Result<String, Bad> {
    Ok(if blank(s) { String::new() } else { integer_text(s).to_string() })
}

fn origination_date(s: &str) -> Result<String, Bad> {
    if blank(s) {
        return Ok(String::new());
    }
    match fannie_date(s) {
        Some(d) => Ok(super::date_text(d)),
        None => Err(Bad::new(s, "is not a Fannie Mae origination date (MMYYYY, MM/YYYY or MM/DD/YYYY)")),
    }
}

/// An amount field as its native cell (as written), or why it is not one.
fn amount_cell(s: &str, what: &str) -> Result<String, Bad> {
    match opt_amount(s) {
        Ok(_) => Ok(s.trim().to_string()),
        Err(raw) => Err(Bad::new(&raw, format!("is not an amount ({what})"))),
    }
}

fn non_zero(s: Option<&str>) -> Option<&str> {
    s.filter(|v| !blank(v) && amount(v) != Some(Money::ZERO))
}

/// Translates a finished loan (the publisher's file layout codes).
pub(crate) fn translate(st: &LoanState, spec: &Spec, orig: Option<&OrigFacts>) -> Translation {
    let code = st.get(Key::ZbCode).map(zb_code);
    let fcl = st.date(Agency::Fannie, Key::FclDate);
    let disp = st.date(Agency::Fannie, Key::DispDate);
    let zbd = st.date(Agency::Fannie, Key::ZbDate);
    let (event_type, event_date, reo_proxy) = match code.as_deref() {
        None => return Translation::Skip(category::ACTIVE),
        Some("01") => return Translation::Skip(category::PREPAID),
        Some("06") => return Translation::Skip(category::REPURCHASED),
        Some("15") => return Translation::Skip(category::NOTE_SALE),
        Some("16") => return Translation::Skip(category::REPERFORMING_SALE),
        Some("96") => return Translation::Skip(category::REMOVED),
        Some("97" | "98") => return Translation::Skip(category::CAS_CREDIT_EVENT),
        // Third-party sale at the foreclosure sale: the proceeds are the sale's.
        Some("02") => ("foreclosure_sale", if fcl.is_blank() { zbd.clone() } else { fcl.clone() }, false),
        Some("03") => ("short_sale", if disp.is_blank() { zbd.clone() } else { disp.clone() }, false),
        // "Deed-in-Lieu or REO Disposition": a completed foreclosure has a
        // Foreclosure Date; without one, the property came by deed in lieu.
        Some("09") if !fcl.is_blank() => ("foreclosure_sale", fcl.clone(), true),
        Some("09") => ("deed_in_lieu", zbd.clone(), true),
        Some(_) => return Translation::Skip(category::UNRECOGNISED),
    };
    let mut c = cells(&st.id);
    c[Col::EventType] = event_type.into();
    c.set(Col::EventDate, event_date.cell(Agency::Fannie));
    let upb_raw = non_zero(st.get(Key::RemovalUpb)).or(st.last_upb.get()).unwrap_or("");
    c.set(Col::UnpaidPrincipal, amount_cell(upb_raw, "unpaid principal"));
    c.set(Col::SalePrice, amount_cell(st.get(Key::Nsp).unwrap_or(""), "net sales proceeds"));
    let facts = match (spec.kind, orig) {
        (FileKind::FannieCombined, _) => OrigFacts {
            state: state_cell(st.get(Key::State).unwrap_or("")),
            loan_purpose: purpose(st.get(Key::Purpose).unwrap_or("")),
            origination_date: origination_date(st.get(Key::OrigDate).unwrap_or("")),
            property_units: units(st.get(Key::Units).unwrap_or("")),
            owner_occupied: occupancy(st.get(Key::Occupancy).unwrap_or("")),
        },
        (_, Some(f)) => f.clone(),
        (_, None) => OrigFacts::missing("(no acquisition record for this loan)"),
    };
    facts.write_into(&mut c);
    let upb = amount(upb_raw);
    match accrued_interest(
        upb,
        st.amount(Key::NonIntUpb),
        st.amount(Key::Rate),
        &st.date(Agency::Fannie, Key::Lpi),
        event_date.date(),
    ) {
        Ok(Some(m)) => c[Col::AccruedInterest] = crate::money::fmt(m),
        Ok(None) => {}
        Err(e) => c.bad(Col::AccruedInterest, "", format!("cannot be computed: {e}")),
    }
    c.set(Col::Costs, amount_cell(st.get(Key::FclCosts).unwrap_or(""), "foreclosure costs"));
    if let DateField::Date(_) = &disp {
        match net_loss(st) {
            Ok(Some(m)) => c[Col::AgencyNetLoss] = crate::money::fmt(m),
            Ok(None) => {}
            Err(e) => c.bad(Col::AgencyNetLoss, "", format!("cannot be computed: {e}")),
        }
    }
    Translation::Emit { cells: c, reo_proxy }
}

/// Fannie Mae's net loss on a completed disposition (the publisher's file layout,
/// `LPPUB_StatFile_Production.R`):
///
/// ```text
/// NET_LOSS = LAST_UPB + FCC + PP + AR + IE + TAX + PFG + INT_COST − NS − CE − RMW − O
/// INT_COST = months(LPI → disposition) × ((rate/100 − 0.0035)/12) × (LAST_UPB − NON_INT_UPB)
/// ```
///
/// LAST_UPB is the last non-zero current actual UPB (the UPB at removal when
/// there is none); missing components count as 0; INT_COST is floored at 0
/// (as in Fannie's `Loss_101.R`). Truncated to the cent.
fn net_loss(st: &LoanState) -> Result<Option<Money>, String> {
    let get = |k: Key, name: &str| st.amount(k).map_err(|r| format!("unreadable {name} {r:?}"));
    let last_upb = match st.last_upb.get().and_then(amount) {
        Some(v) => v,
        None => match non_zero(st.get(Key::RemovalUpb)).and_then(amount) {
            Some(v) => v,
            None => return Ok(None),
        },
    };
    let non_int = get(Key::NonIntUpb, "non-interest-bearing UPB")?.unwrap_or_default();
    let rate = get(Key::Rate, "current interest rate")?;
    let lpi = st.date(Agency::Fannie, Key::Lpi);
    let disp = st.date(Agency::Fannie, Key::DispDate);
    if let DateField::Bad(s) = &lpi {
        return Err(format!("unreadable last paid installment date {s:?}"));
    }
    let overflow = || "net loss too large to compute".to_string();
    let int_cost = match (rate, lpi.date(), disp.date()) {
        (Some(rate), Some(lpi), Some(disp)) => {
            let months = Money::from(months_between(lpi, disp).max(0));
            let net_rate = (rate / Money::from(100)).checked_sub(Money::new(35, 4)).ok_or_else(overflow)?;
            let v = months
                .checked_mul(net_rate)
                .and_then(|x| x.checked_div(Money::from(12)))
                .and_then(|x| x.checked_mul(last_upb - non_int))
                .ok_or_else(overflow)?;
            if v.is_sign_negative() { Money::ZERO } else { v }
        }
        _ => Money::ZERO,
    };
    let mut total = last_upb.checked_add(int_cost).ok_or_else(overflow)?;
    for (k, name) in [
        (Key::FclCosts, "foreclosure costs"),
        (Key::PresCosts, "property preservation and repair costs"),
        (Key::RecoveryCosts, "asset recovery costs"),
        (Key::HoldingCosts, "miscellaneous holding expenses and credits"),
        (Key::TaxCosts, "associated taxes for holding property"),
        (Key::Forgiveness, "principal forgiveness amount"),
    ] {
        total = total.checked_add(get(k, name)?.unwrap_or_default()).ok_or_else(overflow)?;
    }
    for (k, name) in [
        (Key::Nsp, "net sales proceeds"),
        (Key::CeProcs, "credit enhancement proceeds"),
        (Key::RmwProcs, "repurchase make whole proceeds"),
        (Key::OtherProcs, "other foreclosure proceeds"),
    ] {
        total = total.checked_sub(get(k, name)?.unwrap_or_default()).ok_or_else(overflow)?;
    }
    Ok(Some(money::cents(total)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::agency::{Row, split};

    #[test]
    fn codes() {
        assert_eq!(purpose("P").as_deref(), Ok("purchase"));
        assert_eq!(purpose("PURCHASE").as_deref(), Ok("purchase"));
        assert_eq!(purpose("C").as_deref(), Ok("cash_out_refinance"));
        assert_eq!(purpose("U").as_deref(), Ok("refinance"));
        assert_eq!(purpose("NULL").as_deref(), Ok(""));
        assert_eq!(purpose("Z").unwrap_err().value, "Z");
        assert_eq!(occupancy("P").as_deref(), Ok("true"));
        assert_eq!(occupancy("I").as_deref(), Ok("false"));
        assert_eq!(occupancy("S").as_deref(), Ok(""));
        assert_eq!(units("1.0").as_deref(), Ok("1"));
    }

    #[test]
    fn acquisition_record() {
        let line = "100007365142|R|BANK|8|75000|360|12/1999|02/2000|79||1|62|763|N|R|SF|1|P|PA|173||FRM|||N|200001";
        let mut offs = Vec::new();
        split(line, &mut offs);
        let (id, f) = acquisition_facts(&Row::new(line, &offs));
        assert_eq!(id, "100007365142");
        assert_eq!(f.state.as_deref(), Ok("PA"));
        assert_eq!(f.loan_purpose.as_deref(), Ok("refinance"));
        assert_eq!(f.origination_date.as_deref(), Ok("1999-12-01"));
        assert_eq!(f.property_units.as_deref(), Ok("1"));
        assert_eq!(f.owner_occupied.as_deref(), Ok("true"));
    }
}
