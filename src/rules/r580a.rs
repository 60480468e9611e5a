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
//! Formula (docs/law.md "How amounts are split"): `legal = max(0, indebtedness − max(fair market
//! value, sale price))`, the indebtedness being principal + interest +
//! advances (the trustee's `costs` are not part of it). Deadline: 3 months,
//! tolled by emergency rule 9(b) (periods of 180 days or less) when enabled.

use super::bankruptcy::Status;
use super::clock::{self, Period, TimeBar, windows};
use super::prelude::*;
use super::r366_2;
use crate::deadlines::period_end;
use crate::money::Money;
use chrono::NaiveDate;

/// The 580a limit: indebtedness (without costs) over the greater of fair
/// market value and sale price, never below zero.
pub fn legal(loan: &Loan, total_debt: Money, fair_value: Money) -> Money {
    let indebtedness = total_debt - loan.costs;
    let floor = fair_value.max(loan.sale_price.unwrap_or_default());
    (indebtedness - floor).max(Money::ZERO)
}

/// Rule `580a_three_months` (step 6): the action was due within three months
/// of the sale (rule 9(b), military service), shortened by CCP 366.2 after a
/// death (`580a_366_2_conflict` where it would lengthen it), replaced by
/// Probate Code 9353 after a rejected claim, then 11 U.S.C. 108(c).
pub fn time_bar(loan: &Loan, cx: &mut Ctx, st: Status, judged: NaiveDate, gross: Money) -> Result<TimeBar, Ask> {
    if let Some(rule) = r366_2::late_claim(loan, cx)? {
        return Ok(TimeBar::review(rule, gross));
    }
    let s = cx.settings();
    let w = windows(loan, cx, Period::Nonjudicial, st);
    let dl = period_end(loan.event_date, 3, &w, s.month_end, true, cx.env.calendar);
    let mut tb = TimeBar {
        amount: Money::ZERO,
        all: false,
        code: Rule::NonjudicialThreeMonths,
        deadline: dl.date,
        listed: Default::default(),
        flags: Default::default(),
        beyond_calendar: dl.beyond_calendar,
    };
    clock::note_open(&dl, &mut tb);
    let mut service_moved = dl.moved_by_service;
    let mut date = dl.date;
    let service = crate::rules::scra::window(loan);
    let (d366, by_366) = r366_2::on_580a(loan, cx, date, judged, service)?;
    if by_366 {
        date = d366;
        tb.code = Rule::DecedentOneYear;
        service_moved =
            loan.borrower_death_date.is_some_and(|death| r366_2::one_year(loan, cx, death, service).moved_by_service);
    }
    if let Some(d) = r366_2::rejected_claim(loan, cx, date) {
        date = Some(d);
        tb.code = Rule::RejectedClaimNinetyDays;
        service_moved = false;
    }
    if service_moved && date.is_some() {
        tb.list(Rule::ScraTolling);
    }
    if tb.code != Rule::NonjudicialThreeMonths {
        tb.list(tb.code);
    }
    let late = clock::settle(loan, cx, st, date, judged, &mut tb)?;
    cx.note(
        Some(tb.code),
        || format!("trustee's sale {}; judged at {judged}", loan.event_date),
        || {
            let mut t = dl.describe();
            if tb.deadline != dl.date {
                t.push_str(&format!(
                    "; after the death, claims and bankruptcy: {}",
                    tb.deadline.map(|d| d.to_string()).unwrap_or_else(|| "no deadline".into())
                ));
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
