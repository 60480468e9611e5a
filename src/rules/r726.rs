//! CCP 726: the one-action rule, the fair-value limit and the three-month
//! application after a judicial foreclosure.
//!
//! CCP 726(b): the decree, "unless judgment for any deficiency … is waived by
//! the judgment creditor or a deficiency judgment is prohibited by Section
//! 580b, shall determine the personal liability of any defendant …. In the
//! event of waiver, or if the prohibition of Section 580b is applicable, the
//! decree shall so declare and there shall be no judgment for a deficiency."
//! "[U]pon application of the plaintiff filed at any time within three months
//! of the date of the foreclosure sale and after a hearing … as to the fair
//! value of the real property … as of the date of sale, the court shall render
//! a money judgment … for the amount by which the amount of the indebtedness
//! with interest and costs of levy and sale and of action exceeds the fair
//! value …. In no event shall the amount of the judgment, exclusive of
//! interest from the date of sale and of costs exceed the difference between
//! the amount for which the real property … was sold and the entire amount of
//! the indebtedness secured".
//!
//! Formula (LEGAL-RULES §2.2): `legal = max(0, debt + costs − max(fair value,
//! sale price))`. "Fair value" is intrinsic value (Rainer Mortgage v.
//! Silverwood). The three months run from the sale, the highest bid (Paykar
//! Construction v. Bedrosian (1999) 71 Cal.App.4th 803). Whether emergency
//! rule 9 tolls the application is a setting (default: no).

use super::prelude::*;
use crate::deadlines::{self, Deadline, RULE_9_SHORT};
use crate::money::Money;

/// Rule `726b_waived` when the lender waived the deficiency in the action
/// (a bar), else the judicial path `726b_deficiency`.
pub fn waiver(loan: &Loan, cx: &mut Ctx) -> Result<Found, Ask> {
    cx.note(
        Some(Rule::JudicialWaived),
        || format!("deficiency_waived = {}", loan.deficiency_waived),
        || {
            if loan.deficiency_waived {
                "waived in the action: no deficiency judgment".into()
            } else {
                "not waived".into()
            }
        },
    );
    Ok(if loan.deficiency_waived {
        Found::bars(Rule::JudicialWaived)
    } else {
        Found::recovers(Rule::JudicialDeficiency)
    })
}

/// Rule `726b_fair_value`: debt + costs over the greater of fair value and
/// sale price, never below zero.
pub fn legal(loan: &Loan, total_debt: Money, fair_value: Money) -> Money {
    (total_debt - fair_value.max(loan.sale_price.unwrap_or_default())).max(Money::ZERO)
}

/// Rule `726b_three_months`: the last day to file the deficiency application.
pub fn deadline(loan: &Loan, cx: &mut Ctx) -> (Rule, Deadline) {
    let s = cx.settings();
    let tolling = (s.emergency_rule_9_tolling && s.emergency_rule_9_tolls_726b).then_some(RULE_9_SHORT);
    let dl = deadlines::deadline(loan.event_date, 3, s.month_end, tolling, true, cx.env.calendar);
    cx.note(
        Some(Rule::JudicialThreeMonths),
        || format!("judicial sale (highest bid) {}", loan.event_date),
        || dl.describe(3),
    );
    (Rule::JudicialThreeMonths, dl)
}
