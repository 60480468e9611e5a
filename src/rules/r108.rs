//! 11 U.S.C. 108(b) and (c): a bankruptcy case extends periods that had not
//! run when the petition was filed (docs/law.md, 108c_extension,
//! 108b_redemption; setting `bankruptcy_108c`).
//!
//! 108(c): "if applicable nonbankruptcy law ... fixes a period for
//! commencing or continuing a civil action in a court other than a
//! bankruptcy court on a claim against the debtor, ... and such period has
//! not expired before the date of the filing of the petition, then such
//! period does not expire until the later of (1) the end of such period,
//! including any suspension of such period occurring on or after the
//! commencement of the case; or (2) 30 days after notice of the termination
//! or expiration of the stay under section 362, 922, 1201, or 1301".
//! 108(b): a period to "cure a default, or perform any other similar act"
//! (here, redemption) that has not expired before the petition runs to the
//! later of its end and 60 days after the order for relief.
//!
//! Day counts are calendar days, then rolled forward past weekends and
//! court holidays (unsettled; docs/law.md, 108c_extension).

use super::bankruptcy::Status;
use super::prelude::*;
use super::questions::{Petition, StayEnd};
use crate::deadlines::days_then_roll;
use chrono::NaiveDate;

/// A deadline after 108(c).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extended {
    pub date: NaiveDate,
    /// A pending case with no stay end: the period cannot expire.
    pub kept_alive: bool,
    /// 108(c) moved the deadline (or kept it alive past the judged date):
    /// `108c_extension` is listed.
    pub extended: bool,
}

/// The stay's end: `bankruptcy_stay_end_date`, else the discharge date for a
/// discharged case that did not discharge this debt.
fn stay_end(loan: &Loan, st: Status) -> Option<NaiveDate> {
    loan.bankruptcy_stay_end_date.or(match st {
        Status::Reaffirmed | Status::Excepted | Status::Chapter13 => loan.bankruptcy_discharge_date,
        _ => None,
    })
}

/// Applies 108(c) to the deadline `dl` judged at `judged` (docs/law.md "How deadlines are computed"),
/// asking for a blank petition or stay end only when it matters.
pub fn extend(loan: &Loan, cx: &mut Ctx, st: Status, dl: NaiveDate, judged: NaiveDate) -> Result<Extended, Ask> {
    let same = Extended { date: dl, kept_alive: false, extended: false };
    if !cx.settings().bankruptcy_108c || !st.extends() {
        return Ok(same);
    }
    let petition = match loan.bankruptcy_petition_date {
        Some(p) if p > dl => return Ok(same), // the period ran before the petition
        Some(p) => Some(p),
        None if judged <= dl => return Ok(same),
        None => match cx.ask(q::PetitionDate)? {
            Petition::AfterDeadline => return Ok(same),
            Petition::BeforeDeadline => None,
        },
    };
    let end = match stay_end(loan, st) {
        Some(e) => Some(e),
        None if st == Status::Pending => {
            // The period cannot expire while the case is pending.
            return Ok(Extended { date: dl, kept_alive: true, extended: judged > dl });
        }
        None if judged <= dl => return Ok(same),
        None => match cx.ask(q::StayEndDate)? {
            StayEnd::AtJudgedDate => Some(judged),
            StayEnd::AtPetition => petition,
        },
    };
    Ok(match end {
        Some(e) => {
            let later = days_then_roll(e, 30, cx.env.calendar);
            if later > dl { Extended { date: later, kept_alive: false, extended: true } } else { same }
        }
        None => same,
    })
}

/// Applies 108(b) to the end of the redemption period: a petition inside it
/// gives at least 60 days (flag `108b_redemption`).
pub fn redemption(loan: &Loan, cx: &Ctx, st: Status, end: NaiveDate) -> (NaiveDate, bool) {
    let applies = cx.settings().bankruptcy_108c && !matches!(st, Status::None | Status::PredatesLoan { .. });
    match loan.bankruptcy_petition_date {
        Some(p) if applies && loan.event_date <= p && p <= end => {
            (end.max(days_then_roll(p, 60, cx.env.calendar)), true)
        }
        _ => (end, false),
    }
}
