//! CCP 580a: a deficiency action after a trustee's sale, where one is
//! permitted (in this pipeline only 580d(c) bond and public-utility liens).
//!
//! "The court may render judgment for not more than the amount by which the
//! entire amount of the indebtedness due at the time of sale exceeded the fair
//! market value … with interest thereon from the date of the sale; provided,
//! however, that in no event shall the amount of the judgment, exclusive of
//! interest after the date of sale, exceed the difference between the amount
//! for which the property was sold and the entire amount of the
//! indebtedness." "Any such action must be brought within three months of the
//! time of sale under the deed of trust or mortgage." CCP 337(a) repeats the
//! three-month limit.
//!
//! Formula (LEGAL-RULES §2.2): `legal = max(0, indebtedness − max(fair market
//! value, sale price))`, the indebtedness being principal + interest +
//! advances (the trustee's `costs` are not part of it). Deadline: 3 months,
//! tolled by emergency rule 9(b) (periods of 180 days or less) when enabled.

use super::prelude::*;
use crate::deadlines::{self, Deadline, RULE_9_SHORT};
use crate::money::Money;

/// The 580a limit: indebtedness (without costs) over the greater of fair
/// market value and sale price, never below zero.
pub fn legal(loan: &Loan, total_debt: Money, fair_value: Money) -> Money {
    let indebtedness = total_debt - loan.costs;
    let floor = fair_value.max(loan.sale_price.unwrap_or_default());
    (indebtedness - floor).max(Money::ZERO)
}

/// Rule `580a_three_months`: the last day to bring the 580a action.
pub fn deadline(loan: &Loan, cx: &mut Ctx) -> (Rule, Deadline) {
    let s = cx.settings();
    let tolling = s.emergency_rule_9_tolling.then_some(RULE_9_SHORT);
    let dl = deadlines::deadline(loan.event_date, 3, s.month_end, tolling, true, cx.env.calendar);
    cx.note(Some(Rule::NonjudicialThreeMonths), || format!("trustee's sale {}", loan.event_date), || dl.describe(3));
    (Rule::NonjudicialThreeMonths, dl)
}
