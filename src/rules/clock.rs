//! What the deadline rules share: the tolling windows of each deadline
//! (docs/law.md "How deadlines are computed") and what a path's clock found (step 6).

use super::bankruptcy::Status;
use super::prelude::*;
use super::scra;
use crate::deadlines::{Deadline, RULE_2, RULE_9_LONG, RULE_9_SHORT, Window};
use crate::money::Money;
use crate::settings::EmergencyRule2Model;
use chrono::NaiveDate;

/// Which deadline the windows are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// An action on the note (CCP 337, Com. Code 3118).
    Note,
    /// The 726(b) application; `rule_2` adds emergency rule 2's window.
    Judicial { rule_2: bool },
    /// The 580a action.
    Nonjudicial,
    /// Redemption after a judicial sale; `rule_2` as above.
    Redemption { rule_2: bool },
}

/// The tolling windows of a deadline (docs/law.md "How deadlines are computed" table).
pub fn windows(loan: &Loan, cx: &Ctx, period: Period, st: Status) -> smallvec::SmallVec<[Window; 4]> {
    let s = cx.settings();
    let mut w = smallvec::SmallVec::new();
    match period {
        Period::Note => {
            if s.emergency_rule_9_tolling {
                w.push(RULE_9_LONG);
            }
            if s.ccp356_bankruptcy_tolling
                && st.extends()
                && let Some(stay) = stay_window(loan, st)
            {
                w.push(stay);
            }
        }
        Period::Judicial { rule_2 } => {
            if s.emergency_rule_9_tolling && s.emergency_rule_9_tolls_726b {
                w.push(RULE_9_SHORT);
            }
            if rule_2 {
                w.push(RULE_2);
            }
        }
        Period::Nonjudicial => {
            if s.emergency_rule_9_tolling {
                w.push(RULE_9_SHORT);
            }
        }
        Period::Redemption { rule_2 } => {
            if rule_2 {
                w.push(RULE_2);
            }
        }
    }
    w.extend(scra::window(loan));
    w
}

/// The stay `[petition, end)` as a note window (CCP 356, setting
/// `ccp356_bankruptcy_tolling`): open only for a pending case without an
/// end; none without the dates.
fn stay_window(loan: &Loan, st: Status) -> Option<Window> {
    let p = loan.bankruptcy_petition_date?;
    let end = loan.bankruptcy_stay_end_date.or(match st {
        Status::Reaffirmed | Status::Excepted | Status::Chapter13 => loan.bankruptcy_discharge_date,
        _ => None,
    });
    match (st, end) {
        (_, Some(e)) => Some(Window { start: p, end: Some(e), name: "bankruptcy stay" }),
        (Status::Pending, None) => Some(Window { start: p, end: None, name: "bankruptcy stay" }),
        _ => None,
    }
}

/// How emergency rule 2 enters the judicial path's periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule2 {
    Without,
    With,
    /// Computed both ways (setting `review`).
    BothWays,
}

pub fn rule_2(cx: &Ctx) -> Rule2 {
    match cx.settings().emergency_rule_2_model {
        EmergencyRule2Model::None => Rule2::Without,
        EmergencyRule2Model::Toll => Rule2::With,
        EmergencyRule2Model::Review => Rule2::BothWays,
    }
}

/// What a path's limitations rules found (step 6).
#[derive(Debug, Clone, PartialEq)]
pub struct TimeBar {
    /// The time-barred part of the gross (exact; TB of docs/law.md "How deadlines are computed").
    pub amount: Money,
    /// Everything is time-barred: the loan is `time_barred` with `code`.
    pub all: bool,
    /// The deciding code when everything is barred.
    pub code: Rule,
    /// `action_deadline`: the latest deadline of a barred block when all is
    /// barred, else the earliest of an unbarred one.
    pub deadline: Option<NaiveDate>,
    /// Codes listed in `reasons` (3118_six_years, 366_2_one_year,
    /// 9353_ninety_days, 108c_extension, scra_tolling).
    pub listed: Rules,
    pub flags: Flags,
    /// A deadline lies past the holiday calendar.
    pub beyond_calendar: bool,
}

impl TimeBar {
    /// A bar read for the borrower by a review question: time-barred, no
    /// deadline (e.g. `late_creditor_claim`).
    pub fn review(code: Rule, gross: Money) -> TimeBar {
        TimeBar {
            amount: gross,
            all: true,
            code,
            deadline: None,
            listed: Rules::new(),
            flags: Flags::new(),
            beyond_calendar: false,
        }
    }

    pub fn list(&mut self, r: Rule) {
        if !self.listed.contains(&r) {
            self.listed.push(r);
        }
    }

    pub fn flag(&mut self, f: Flag) {
        if !self.flags.contains(&f) {
            self.flags.push(f);
        }
    }
}

/// Sets a single-deadline path's deadline, after 11 U.S.C. 108(c), and
/// says whether it was missed at `judged` (an open deadline never is).
pub fn settle(
    loan: &Loan,
    cx: &mut Ctx,
    st: Status,
    date: Option<NaiveDate>,
    judged: NaiveDate,
    tb: &mut TimeBar,
) -> Result<bool, Ask> {
    tb.deadline = date;
    let Some(d) = date else { return Ok(false) };
    let ext = super::r108::extend(loan, cx, st, d, judged)?;
    if ext.extended {
        tb.list(Rule::BankruptcyExtension);
    }
    tb.deadline = Some(ext.date);
    Ok(judged > ext.date && !ext.kept_alive)
}

/// Flags a deadline left open by military service without an end.
pub fn note_open(d: &Deadline, tb: &mut TimeBar) {
    if d.date.is_none() && d.open_by.as_ref().is_some_and(|n| n.contains(&crate::deadlines::MILITARY_SERVICE)) {
        tb.flag(Flag::ScraServiceOngoing);
    }
}
