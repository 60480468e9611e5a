//! Freddie Mac Single-Family Loan-Level Dataset (the publisher's file layout).
//!
//! An origination file (one record per loan: 26 fields in the 2017 guide,
//! 32 in Release 46, 31 in Release 47) and a monthly performance file (one
//! record per loan per month: 23 fields in 2017, 32 in Release 46, 35 in
//! Release 47), pipe-delimited without a header. Widths between those are
//! accepted: the fields this reader uses keep their positions (origination
//! 1–24; monthly 1–22 and 27).
//!
//! Positions below are 0-based (the published layouts give 1-based ones).

use super::{
    Agency, Bad, Col, FileKind, Key, LoanState, OrigFacts, Row, Spec, Translation, accrued_interest, amount, blank,
    category, cells, integer_text, opt_amount, state_cell, zb_code,
};
use crate::money::{self, Money};

/// A loan sequence number: `F1YYQnXXXXXX`, `FYYQn...`, `PYYQnXXXXXXX`
/// (letters and digits, starting with a letter).
pub fn is_loan_seq(s: &str) -> bool {
    let s = s.trim();
    (8..=20).contains(&s.len()) && s.as_bytes()[0].is_ascii_alphabetic() && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Monthly files at least this wide carry field 27 (Zero Balance Removal
/// UPB) and use the zero balance codes of Release 46 (`02` third-party sale,
/// `03` short sale or charge-off). Narrower files follow the 2017 guide,
/// where `03` is the whole "foreclosure alternative group".
const NEW_CODES_WIDTH: usize = 27;

/// The monthly performance file (the publisher's file layout).
pub(crate) fn monthly_spec(width: usize) -> Spec {
    let mut keys = vec![
        (Key::ZbCode, 8),
        (Key::ZbDate, 9),
        (Key::Rate, 10),
        (Key::NonIntUpb, 11),
        (Key::Lpi, 12),
        (Key::CeProcs, 13),
        (Key::Nsp, 14),
        (Key::OtherProcs, 15),
        (Key::Expenses, 16),
        (Key::FclCosts, 17),
        (Key::PresCosts, 18),
        (Key::TaxCosts, 19),
        (Key::HoldingCosts, 20),
        (Key::ActualLoss, 21),
    ];
    if width >= NEW_CODES_WIDTH {
        keys.push((Key::RemovalUpb, 26));
    }
    if width > NEW_CODES_WIDTH {
        keys.push((Key::Dai, 27));
    }
    Spec {
        agency: Agency::Freddie,
        kind: FileKind::FreddieMonthly,
        width,
        id: 0,
        period: 1,
        upb: 2,
        dlq: Some(3),
        keys,
    }
}

/// An origination record: its loan id and facts (the publisher's file layout).
/// Freddie Mac gives no origination date (only the first payment date), so
/// `origination_date` stays blank.
pub(crate) fn origination_facts<'a>(row: &Row<'a>) -> (&'a str, OrigFacts) {
    let id = row.get(19);
    let id = if blank(id) { "" } else { id };
    (
        id,
        OrigFacts {
            state: state_cell(row.get(16)),
            loan_purpose: purpose(row.get(20)),
            origination_date: Ok(String::new()),
            property_units: units(row.get(6)),
            owner_occupied: occupancy(row.get(7)),
        },
    )
}

/// `P` purchase, `C` cash-out refinance, `N` no-cash-out refinance, `R`
/// refinance not specified; `9` (not available) and blank are unknown.
pub(crate) fn purpose(s: &str) -> Result<String, Bad> {
    let t = s.trim();
    Ok(match t.to_ascii_uppercase().as_str() {
        "" | "9" => String::new(),
        "P" => "purchase".into(),
        "C" => "cash_out_refinance".into(),
        "N" | "R" => "refinance".into(),
        _ => return Err(Bad::new(s, "is not a Freddie Mac loan purpose code (P, C, N, R or 9)")),
    })
}

/// `O` (2017 guide) or `P` (later releases) owner-occupied; `I` investment;
/// `S` second home and `9` / blank unknown.
pub(crate) fn occupancy(s: &str) -> Result<String, Bad> {
    let t = s.trim();
    Ok(match t.to_ascii_uppercase().as_str() {
        "O" | "P" => "true".into(),
        "I" => "false".into(),
        "" | "S" | "9" => String::new(),
        _ => return Err(Bad::new(s, "is not a Freddie Mac occupancy code (P, O, I, S or 9)")),
    })
}

/// `1`–`4`; `99` (not available) is unknown.
pub(crate) fn units(s: &str) -> Result<String, Bad> {
    let t = integer_text(s);
    Ok(if blank(t) || t == "99" { String::new() } else { t.to_string() })
}

fn non_zero(s: Option<&str>) -> Option<&str> {
    s.filter(|v| !blank(v) && amount(v) != Some(Money::ZERO))
}

/// Translates a finished loan (the publisher's file layout codes).
pub(crate) fn translate(st: &LoanState, spec: &Spec, orig: Option<&OrigFacts>) -> Translation {
    let code = st.get(Key::ZbCode).map(zb_code);
    let nsp_raw = st.get(Key::Nsp).unwrap_or("").trim();
    let covered = nsp_raw.eq_ignore_ascii_case("C");
    let zbd = st.date(Agency::Freddie, Key::ZbDate);
    let (event_type, event_date, reo_proxy) = match code.as_deref() {
        None => return Translation::Skip(category::ACTIVE),
        Some("01") => return Translation::Skip(category::PREPAID),
        Some("06" | "96") => return Translation::Skip(category::REPURCHASED),
        Some("15") => return Translation::Skip(category::NOTE_SALE),
        Some("16") => return Translation::Skip(category::REPERFORMING_SALE),
        Some("02") => ("foreclosure_sale", zbd, false),
        Some("03") if spec.width < NEW_CODES_WIDTH => return Translation::Skip(category::FORECLOSURE_ALTERNATIVE),
        Some("03") => {
            let sold = covered || amount(nsp_raw).is_some_and(|v| !v.is_zero());
            if nsp_raw.eq_ignore_ascii_case("U") {
                return Translation::Skip(category::SHORT_SALE_OR_CHARGE_OFF);
            }
            if !sold {
                return Translation::Skip(category::CHARGE_OFF);
            }
            ("short_sale", zbd, false)
        }
        // REO disposition: the foreclosure (or deed in lieu, which the data do
        // not tell apart) is the month the status first reads REO acquired.
        Some("09") => {
            let date = match st.first_reo {
                Some((_, d)) => super::DateField::Date(d),
                None => zbd,
            };
            ("foreclosure_sale", date, true)
        }
        Some(_) => return Translation::Skip(category::UNRECOGNISED),
    };
    let mut c = cells(&st.id);
    c[Col::EventType] = event_type.into();
    c.set(Col::EventDate, event_date.cell(Agency::Freddie));
    let upb_raw = non_zero(st.get(Key::RemovalUpb)).or(st.last_upb.get()).unwrap_or("");
    c[Col::UnpaidPrincipal] = upb_raw.to_string();
    let facts = orig.cloned().unwrap_or_else(|| OrigFacts::missing("(no origination record for this loan)"));
    facts.write_into(&mut c);
    let upb = amount(upb_raw);
    let accrued = accrued_interest(
        upb,
        st.amount(Key::NonIntUpb),
        st.amount(Key::Rate),
        &st.date(Agency::Freddie, Key::Lpi),
        event_date.date(),
    );
    match &accrued {
        Ok(Some(m)) => c[Col::AccruedInterest] = crate::money::fmt(*m),
        Ok(None) => {}
        Err(e) => c.bad(Col::AccruedInterest, "", format!("cannot be computed: {e}")),
    }
    // Expenses are stored negative before Release 47, positive after: the
    // magnitude is the cost.
    let legal = magnitude(st.get(Key::FclCosts));
    match &legal {
        Ok(Some(m)) => c[Col::Costs] = crate::money::fmt(*m),
        Ok(None) => {}
        Err(raw) => c.bad(Col::Costs, raw, "is not an amount (legal costs)"),
    }
    if covered {
        // "C" (Covered): Freddie Mac reports the proceeds covered the debt;
        // the sale price is then the debt itself (no deficiency).
        match (upb, &accrued, &legal) {
            (Some(u), Ok(a), Ok(l)) => {
                c[Col::SalePrice] = crate::money::fmt(u + a.unwrap_or_default() + l.unwrap_or_default())
            }
            _ => c.bad(
                Col::SalePrice,
                "C",
                "net sales proceeds \"C\" (covered) need the unpaid balance, interest and costs to state the price",
            ),
        }
    } else {
        match magnitude(Some(nsp_raw)) {
            Ok(Some(m)) => c[Col::SalePrice] = crate::money::fmt(m),
            Ok(None) => {}
            Err(raw) => c.bad(Col::SalePrice, &raw, "is not an amount (net sales proceeds)"),
        }
    }
    c[Col::AgencyNetLoss] = actual_loss(st, upb, covered).map(crate::money::fmt).unwrap_or_default();
    Translation::Emit { cells: c, reo_proxy }
}

/// The absolute value of an amount field (signs differ between releases).
fn magnitude(s: Option<&str>) -> Result<Option<Money>, String> {
    match s {
        None => Ok(None),
        Some(v) => opt_amount(v).map(|m| m.map(|x| x.abs())),
    }
}

/// Freddie Mac's published Actual Loss (field 22, the publisher's file layout), as a
/// positive number for a loss. The stored sign differs between releases
/// (before Release 47 expenses and losses are negative; Release 47 reportedly
/// makes both positive), so it is decided per loan:
/// 1. by the loan's own figures, when they clearly agree with one sign:
///    default UPB − net sale proceeds + delinquent accrued interest (when
///    the file has it) + expenses − MI and other recoveries;
/// 2. else by the sign of the loan's expenses (negative: loss negative);
/// 3. else the sign nearer those figures, or the 2017 guide's convention
///    (loss negative).
///
/// Zero when the proceeds are `C` (covered); blank when Freddie Mac leaves
/// it blank.
fn actual_loss(st: &LoanState, upb: Option<Money>, covered: bool) -> Option<Money> {
    let al = st.get(Key::ActualLoss).and_then(amount)?;
    if al.is_zero() || covered {
        return Some(Money::ZERO);
    }
    let abs = |k: Key| st.get(k).and_then(amount).map(|v| v.abs()).unwrap_or_default();
    let nsp = st.get(Key::Nsp).and_then(amount);
    // (distance if positive is a loss, distance if negative is a loss)
    let distances = match (upb, nsp) {
        (Some(u), Some(n)) => {
            let est = u - n.abs() + abs(Key::Dai) + abs(Key::Expenses) - abs(Key::CeProcs) - abs(Key::OtherProcs);
            Some(((al - est).abs(), (-al - est).abs()))
        }
        _ => None,
    };
    let expenses = st.get(Key::Expenses).and_then(amount).filter(|e| !e.is_zero());
    let positive_is_loss = match (distances, expenses) {
        (Some((pos, neg)), _) if pos * Money::TWO < neg => true,
        (Some((pos, neg)), _) if neg * Money::TWO < pos => false,
        (_, Some(e)) => !e.is_sign_negative(),
        (Some((pos, neg)), None) => pos < neg,
        (None, None) => false,
    };
    Some(money::cents(if positive_is_loss { al } else { -al }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::agency::Cells;
    use crate::input::agency::{Col, LoanState};
    use crate::loan::Field;

    fn loan(code: &str, nsp: &str) -> LoanState {
        let mut st = LoanState::default();
        st.reset("F125Q1000001");
        for (k, v) in [
            (Key::ZbCode, code),
            (Key::ZbDate, "202509"),
            (Key::Nsp, nsp),
            (Key::Rate, "6.0"),
            (Key::Lpi, "202503"),
            (Key::FclCosts, "-800.00"),
            (Key::RemovalUpb, "100000.00"),
            (Key::ActualLoss, "-1234.00"),
        ] {
            st.slots[k as usize].offer(20250901, v);
        }
        st
    }

    fn emitted(t: Translation) -> Cells {
        match t {
            Translation::Emit { cells, .. } => cells,
            Translation::Skip(c) => panic!("skipped: {c}"),
        }
    }

    #[test]
    fn covered_and_unknown_proceeds() {
        let spec = monthly_spec(32);
        let orig = OrigFacts {
            state: Ok("CA".into()),
            loan_purpose: Ok("purchase".into()),
            origination_date: Ok(String::new()),
            property_units: Ok("1".into()),
            owner_occupied: Ok("true".into()),
        };
        // "C": the proceeds covered the debt: 100,000 + 6 months at 6% (3,000) + legal costs 800.
        let c = emitted(translate(&loan("03", "C"), &spec, Some(&orig)));
        assert_eq!(c[Col::EventType], "short_sale");
        assert_eq!(c[Col::SalePrice], "103800.00");
        assert_eq!(c[Col::Costs], "800.00");
        assert_eq!(c[Col::AgencyNetLoss], "0.00");
        // "U" on a 03: a short sale or a charge-off, not told apart.
        assert!(matches!(
            translate(&loan("03", "U"), &spec, Some(&orig)),
            Translation::Skip(category::SHORT_SALE_OR_CHARGE_OFF)
        ));
        // No proceeds on a 03: a charge-off.
        assert!(matches!(translate(&loan("03", ""), &spec, Some(&orig)), Translation::Skip(category::CHARGE_OFF)));
        // "U" on an REO: a reject value naming the sale price and the code.
        let c = emitted(translate(&loan("09", "U"), &spec, Some(&orig)));
        let bad = c.bad.as_ref().expect("a reject value");
        assert_eq!((bad.column, bad.value.as_str()), (Field::SalePrice, "U"));
        assert!(c[Col::SalePrice].is_empty());
        // Without an origination record the state is not defaulted to CA:
        // the row is rejected naming the missing record.
        let c = emitted(translate(&loan("09", "90000"), &spec, None));
        let bad = c.bad.as_ref().expect("a reject value");
        assert_eq!(bad.column, Field::State);
        assert!(bad.error.contains("no origination record"), "{}", bad.error);
        assert!(c[Col::State].is_empty());
        // Figures not decisive and no expenses: the 2017 convention (loss stored negative).
        assert_eq!(c[Col::AgencyNetLoss], "1234.00");
    }

    #[test]
    fn codes() {
        assert!(is_loan_seq("F110Q1000001"));
        assert!(is_loan_seq("F10Q10000001"));
        assert!(!is_loan_seq("100007365142"));
        assert!(!is_loan_seq(""));
        assert_eq!(purpose("N").as_deref(), Ok("refinance"));
        assert_eq!(purpose("9").as_deref(), Ok(""));
        assert_eq!(occupancy("O").as_deref(), Ok("true"));
        assert_eq!(occupancy("P").as_deref(), Ok("true"));
        assert_eq!(occupancy("9").as_deref(), Ok(""));
        assert_eq!(units("99").as_deref(), Ok(""));
        assert_eq!(units("2").as_deref(), Ok("2"));
    }
}
