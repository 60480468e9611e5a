//! Reverse mortgages (docs/law.md, reverse_mortgage_nonrecourse,
//! reverse_mortgage_terms; docs/law.md "Flags").
//!
//! Civ. Code 1923.2: a reverse mortgage made under the chapter (from
//! 1998-01-01) on an owner-occupied home is a "nonrecourse loan": the lender
//! may look only to the property. A proprietary reverse mortgage outside the
//! chapter (earlier, or not owner-occupied, or either unknown) depends on its
//! documents: review (`reverse_mortgage_terms`).

use super::prelude::*;
use super::questions::Reading;
use crate::dates::ymd;
use crate::loan::LoanProgram;
use chrono::NaiveDate;

/// Civ. Code 1923 reaches reverse mortgages made from this day.
pub const CHAPTER_FROM: NaiveDate = ymd(1998, 1, 1);

/// Rule `reverse_mortgage_nonrecourse` (a bar), or `reverse_mortgage_terms`
/// asked and read for the borrower (a bar by review).
pub fn rule(loan: &Loan, cx: &mut Ctx) -> Result<Option<Found>, Ask> {
    if loan.loan_program != Some(LoanProgram::ReverseOther) {
        return Ok(None);
    }
    let within = loan.origination_date.is_some_and(|o| o >= CHAPTER_FROM) && loan.owner_occupied == Some(true);
    if within {
        cx.note(
            Some(Rule::ReverseMortgageNonrecourse),
            || {
                format!(
                    "reverse mortgage made {}; owner_occupied = true",
                    loan.origination_date.map(|d| d.to_string()).unwrap_or_default()
                )
            },
            || "Civ. Code 1923.2: a nonrecourse loan: no deficiency".into(),
        );
        return Ok(Some(Found::bars(Rule::ReverseMortgageNonrecourse)));
    }
    let barred = cx.ask(q::ReverseMortgage)? == Reading::Borrower;
    cx.note(
        Some(Rule::ReverseMortgageTerms),
        || {
            format!(
                "reverse mortgage made {}; owner_occupied = {}",
                loan.origination_date.map(|d| d.to_string()).unwrap_or_else(|| "unknown".into()),
                loan.owner_occupied.map(|b| b.to_string()).unwrap_or_else(|| "unknown".into())
            )
        },
        || {
            if barred {
                "outside Civ. Code 1923, read for the borrower: non-recourse".into()
            } else {
                "outside Civ. Code 1923, read for the holder: recourse".into()
            }
        },
    );
    Ok(barred.then(|| Found::bars(Rule::ReverseMortgageTerms)))
}
