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
//! Formula (docs/law.md "How amounts are split"): `legal = max(0, debt + costs − max(fair value,
//! sale price))`. "Fair value" is intrinsic value (Rainer Mortgage v.
//! Silverwood). The three months run from the sale, the highest bid (Paykar
//! Construction v. Bedrosian (1999) 71 Cal.App.4th 803). Whether emergency
//! rule 9 tolls the application is a setting (default: no).

use super::bankruptcy::Status;
use super::clock::{self, Period, Rule2, TimeBar, windows};
use super::prelude::*;
use super::r366_2;
use crate::deadlines::period_end;
use crate::money::Money;
use chrono::NaiveDate;

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

/// Rule `726b_three_months` (step 6): the application was due within three
/// months of the sale, through its windows (rule 9(b) when the settings say
/// so, emergency rule 2 per `emergency_rule_2_model`, military service), then
/// 11 U.S.C. 108(c). A borrower who died before the sale first raises
/// `decedent_366_2_check`.
pub fn time_bar(loan: &Loan, cx: &mut Ctx, st: Status, judged: NaiveDate, gross: Money) -> Result<TimeBar, Ask> {
    if let Some(rule) = r366_2::judicial_check(loan, cx)? {
        return Ok(TimeBar::review(rule, gross));
    }
    let s = cx.settings();
    let period = |rule_2: bool| {
        let w = windows(loan, cx, Period::Judicial { rule_2 }, st);
        period_end(loan.event_date, 3, &w, s.month_end, true, cx.env.calendar)
    };
    let (dl, rule_2) = match clock::rule_2(cx) {
        Rule2::Without => (period(false), None),
        Rule2::With => (period(true), Some(true)),
        Rule2::BothWays => {
            let (without, with) = (period(false), period(true));
            if without.date == with.date {
                (without, None)
            } else {
                match cx.ask(q::EmergencyRule2)? {
                    questions::Rule2::Applied => (with, Some(true)),
                    questions::Rule2::NotApplied => (without, Some(false)),
                }
            }
        }
    };
    let mut tb = TimeBar {
        amount: Money::ZERO,
        all: false,
        code: Rule::JudicialThreeMonths,
        deadline: dl.date,
        listed: Default::default(),
        flags: Default::default(),
        beyond_calendar: dl.beyond_calendar,
    };
    clock::note_open(&dl, &mut tb);
    if dl.moved_by_service && dl.date.is_some() {
        tb.list(Rule::ScraTolling);
    }
    let late = clock::settle(loan, cx, st, dl.date, judged, &mut tb)?;
    cx.note(
        Some(Rule::JudicialThreeMonths),
        || {
            let rule = match rule_2 {
                Some(true) => " (emergency rule 2 applied)",
                Some(false) => " (emergency rule 2 not applied)",
                None => "",
            };
            format!("judicial sale (highest bid) {}{rule}; judged at {judged}", loan.event_date)
        },
        || {
            let mut t = dl.describe();
            if tb.deadline != dl.date
                && let Some(d) = tb.deadline
            {
                t.push_str(&format!("; 30 days after the bankruptcy stay (11 U.S.C. 108(c)): {d}"));
            }
            t.push_str(if late { ": missed, time-barred" } else { ": in time" });
            t
        },
    );
    if late {
        tb.amount = gross;
        tb.all = true;
    }
    Ok(tb)
}
