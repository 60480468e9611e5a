//! CCP 337: four years for an action on a written obligation.
//!
//! "Within four years: (a) An action upon any contract, obligation or
//! liability founded upon an instrument in writing …" and "(d) When the
//! period in which an action must be commenced under this section has run, a
//! person shall not bring suit or initiate an arbitration or other legal
//! proceeding to collect the debt."
//!
//! Used for actions on the note: a sold-out junior, a short sale outside
//! 580e, a deed in lieu reserving the deficiency. The clock runs from
//! `accrual_date` (default: the event date, flagged). A negotiable note may
//! have six years (Com. Code 3118(a)): the engine uses four (setting
//! `note_limitations_years`) and adds `note_may_be_negotiable`. Emergency rule
//! 9(a) tolled these periods 2020-04-06 to 2020-10-01 (LEGAL-RULES §1.14).

use super::prelude::*;
use crate::deadlines::{self, Deadline, RULE_9_LONG};

/// Rule `337_four_years`: the last day to sue on the note, and whether the
/// accrual date was defaulted.
pub fn deadline(loan: &Loan, cx: &mut Ctx) -> ((Rule, Deadline), bool) {
    let s = cx.settings();
    let defaulted = loan.accrual_date.is_none();
    let accrual = loan.accrual_date.unwrap_or(loan.event_date);
    let months = s.note_limitations_years * 12;
    let tolling = s.emergency_rule_9_tolling.then_some(RULE_9_LONG);
    let dl = deadlines::deadline(accrual, months, s.month_end, tolling, true, cx.env.calendar);
    cx.note(
        Some(Rule::NoteFourYears),
        || {
            format!(
                "accrual_date {}{}; {} years",
                accrual,
                if defaulted { " (blank: event date used)" } else { "" },
                s.note_limitations_years
            )
        },
        || dl.describe(months),
    );
    ((Rule::NoteFourYears, dl), defaulted)
}
