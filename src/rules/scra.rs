//! Servicemembers (docs/law.md, scra_sale_validity, scra_tolling; setting
//! `scra_post_service_months`).
//!
//! 50 U.S.C. 3953(c): "A sale, foreclosure, or seizure of property for a
//! breach of an obligation described in subsection (a) shall not be valid if
//! made during, or within one year after, the period of the servicemember's
//! military service except (1) upon a court order granted before such sale
//! ... or (2) if made pursuant to an agreement as provided in section 3918".
//! Subsection (a) reaches obligations "that originated before the period of
//! the servicemember's military service". Mil. & Vet. Code 408, as amended
//! from 2019, reaches any such obligation on property the servicemember
//! owns. 50 U.S.C. 3936 (and Mil. & Vet. Code 404): "The period of a
//! servicemember's military service may not be included in computing any
//! period limited by law ... for the bringing of any action". 50 U.S.C.
//! 3937 caps interest on pre-service obligations at 6 % during service (and a
//! year after, for mortgages).

use super::prelude::*;
use crate::dates::ymd;
use crate::deadlines::{MILITARY_SERVICE, Window, add_days, add_months};
use crate::loan::{EventType, SeniorSaleType};
use chrono::NaiveDate;

/// Mil. & Vet. Code 408 as amended reaches any obligation from this day.
pub const AMENDED_408: NaiveDate = ymd(2019, 1, 1);

/// The military-service tolling window `[start, end + 1 day)`, open when the
/// service has no end.
pub fn window(loan: &Loan) -> Option<Window> {
    let start = loan.military_service_start?;
    Some(Window { start, end: loan.military_service_end.map(|e| add_days(e, 1)), name: MILITARY_SERVICE })
}

/// The sale dates in the protected period: during service or within
/// `scra_post_service_months` after it (open-ended while serving).
fn protected_dates(loan: &Loan, cx: &Ctx) -> Vec<NaiveDate> {
    let Some(start) = loan.military_service_start else { return Vec::new() };
    let last = loan
        .military_service_end
        .map(|e| add_months(e, cx.settings().scra_post_service_months, cx.settings().month_end));
    [Some(loan.event_date), loan.sale_final_date]
        .into_iter()
        .flatten()
        .filter(|d| *d >= start && last.is_none_or(|l| *d <= l))
        .collect()
}

/// Whether this sale is one a court did not order: a trustee's sale, any
/// `foreclosure_sale` (its method is not a column), a senior sale not known
/// to be judicial.
fn nonjudicial_sale(loan: &Loan) -> bool {
    match loan.event_type {
        EventType::TrusteeSale | EventType::ForeclosureSale => true,
        EventType::SeniorSale => loan.senior_sale_type != Some(SeniorSaleType::Judicial),
        _ => false,
    }
}

/// What the sale-validity rule found: it fires, and whether it fires only
/// because `origination_date` is blank (then `missing:origination_date` is
/// listed after the carve-out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub origination_unknown: bool,
}

/// Rule `scra_sale_validity` (step 1): a sale without a court order or a
/// waiver in the protected period (from 2019 any obligation; before, only
/// one made before the service).
pub fn sale_validity(loan: &Loan, cx: &mut Ctx) -> Option<Validity> {
    if !nonjudicial_sale(loan) || loan.scra_court_order || loan.scra_waiver_agreement {
        return None;
    }
    let start = loan.military_service_start?;
    let mut found: Option<Validity> = None;
    for d in protected_dates(loan, cx) {
        let v = if d >= AMENDED_408 {
            Some(Validity { origination_unknown: false })
        } else {
            match loan.origination_date {
                Some(o) if o < start => Some(Validity { origination_unknown: false }),
                Some(_) => None,
                None => Some(Validity { origination_unknown: true }),
            }
        };
        found = match (found, v) {
            (Some(f), Some(v)) => {
                Some(Validity { origination_unknown: f.origination_unknown && v.origination_unknown })
            }
            (f, v) => f.or(v),
        };
    }
    if let Some(v) = found {
        cx.note(
            Some(Rule::ScraSaleValidity),
            || {
                format!(
                    "sale {}{}; military service {} to {}; no court order or waiver agreement; origination {}",
                    loan.event_date,
                    loan.sale_final_date.map(|d| format!(" (final {d})")).unwrap_or_default(),
                    start,
                    loan.military_service_end.map(|d| d.to_string()).unwrap_or_else(|| "(still serving)".into()),
                    loan.origination_date.map(|d| d.to_string()).unwrap_or_else(|| "unknown".into())
                )
            },
            || {
                if v.origination_unknown {
                    "a sale in the protected period; whether the loan predates the service is unknown: needs review"
                        .into()
                } else {
                    "a sale in the protected period without a court order may be invalid: needs review".into()
                }
            },
        );
    }
    found
}

/// Advisory flags: `scra_servicemember` for a court-ordered sale in the
/// protected period, `scra_interest_cap` for a pre-service loan.
pub fn flags(loan: &Loan, cx: &Ctx) -> impl Iterator<Item = Flag> {
    let judicial = match loan.event_type {
        EventType::JudicialSale => true,
        EventType::SeniorSale => loan.senior_sale_type == Some(SeniorSaleType::Judicial),
        _ => false,
    };
    let servicemember = judicial && !protected_dates(loan, cx).is_empty();
    let cap = match (loan.military_service_start, loan.origination_date) {
        (Some(s), Some(o)) => s <= loan.event_date && o < s,
        _ => false,
    };
    [servicemember.then_some(Flag::ScraServicemember), cap.then_some(Flag::ScraInterestCap)].into_iter().flatten()
}
