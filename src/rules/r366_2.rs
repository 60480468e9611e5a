//! Deceased borrowers: CCP 366.2 and the creditor's claim (docs/law.md,
//! 366_2_one_year, 9353_ninety_days, late_creditor_claim,
//! decedent_366_2_check, 580a_366_2_conflict).
//!
//! CCP 366.2(a): "If a person against whom an action may be brought on a
//! liability of the person, whether arising in contract, tort, or otherwise,
//! and whether accrued or not accrued, dies before the expiration of the
//! applicable limitations period, and the cause of action survives, an
//! action may be commenced within one year after the date of death, and the
//! limitations period that would have been applicable does not apply."
//! Probate Code 9352: a filed claim tolls the period while it is pending;
//! 9353(a): after notice of rejection the claimant must sue "within 90 days
//! after the notice is given" (for a claim not yet due, within 90 days after
//! it becomes due), "regardless of" the other period. 9100: claims are due
//! four months after letters issue (a late claim may be allowed, 9103);
//! 9002(b) bars a claim not filed as required. 9391: a holder that forecloses
//! waiving recourse against other estate property has no deficiency.

use super::prelude::*;
use super::questions::{OneYearOrThreeMonths, Reading};
use crate::deadlines::{Deadline, RULE_9_LONG, Window, add_months, days_then_roll, period_end};
use chrono::NaiveDate;

/// The date a deceased borrower's deadlines are judged at on the note and
/// 580a paths: the filing date or `--as-of`, or the claim's filing date
/// when earlier and the claim was not rejected (a claim pending or allowed
/// stops the clock, Probate Code 9352).
pub fn judged(loan: &Loan, base: NaiveDate) -> NaiveDate {
    match (loan.borrower_death_date, loan.creditor_claim_filed_date, loan.creditor_claim_rejected_date) {
        (Some(_), Some(c), None) => base.min(c),
        _ => base,
    }
}

/// The 366.2 year from death, through its windows (rule 9(a) when both
/// settings say so; military service).
pub fn one_year(loan: &Loan, cx: &Ctx, death: NaiveDate, service: Option<Window>) -> Deadline {
    let s = cx.settings();
    let rule9 = (s.emergency_rule_9_tolling && s.emergency_rule_9_tolls_366_2).then_some(RULE_9_LONG);
    let windows: Vec<Window> = rule9.into_iter().chain(service).collect();
    let _ = loan;
    period_end(death, 12, &windows, s.month_end, true, cx.env.calendar)
}

/// Probate Code 9353: a deadline not passed when the claim was filed is
/// replaced by 90 days from the rejection; `None` without a rejection.
pub fn rejected_claim(loan: &Loan, cx: &Ctx, dl: Option<NaiveDate>) -> Option<NaiveDate> {
    let (Some(_), Some(filed), Some(rejected)) =
        (loan.borrower_death_date, loan.creditor_claim_filed_date, loan.creditor_claim_rejected_date)
    else {
        return None;
    };
    // An open deadline had not passed either.
    dl.is_none_or(|d| d >= filed).then(|| days_then_roll(rejected, 90, cx.env.calendar))
}

/// Q-LATE-CLAIM (note and 580a paths, asked before the deadlines): a claim
/// filed more than four months after letters issued. `Some` when read for
/// the borrower: barred under Probate Code 9002(b).
pub fn late_claim(loan: &Loan, cx: &mut Ctx) -> Result<Option<Rule>, Ask> {
    let (Some(_), Some(filed), Some(letters)) =
        (loan.borrower_death_date, loan.creditor_claim_filed_date, loan.letters_issued_date)
    else {
        return Ok(None);
    };
    let due = add_months(letters, 4, cx.settings().month_end);
    if filed <= due {
        return Ok(None);
    }
    let barred = cx.ask(q::LateClaim)? == Reading::Borrower;
    cx.note(
        Some(Rule::LateCreditorClaim),
        || format!("letters issued {letters}; claim period ended {due}; claim filed {filed}"),
        || {
            if barred {
                "a late claim, read for the borrower: barred (Probate Code 9002(b))".into()
            } else {
                "a late claim, read for the holder: allowed (Probate Code 9100(a)(2), 9103)".into()
            }
        },
    );
    Ok(barred.then_some(Rule::LateCreditorClaim))
}

/// Q-366-2-JUDICIAL (judicial path, asked before the deadlines): the
/// borrower died before the sale and the action was not commenced within a
/// year of death (no tolling). `Some` when read for the borrower.
pub fn judicial_check(loan: &Loan, cx: &mut Ctx) -> Result<Option<Rule>, Ask> {
    let Some(death) = loan.borrower_death_date else { return Ok(None) };
    if death >= loan.event_date || loan.probate_9391_waiver {
        return Ok(None);
    }
    let year = cx.env.calendar.roll_forward(add_months(death, 12, cx.settings().month_end));
    if loan.action_commenced_date.is_some_and(|c| c <= year) {
        return Ok(None);
    }
    let barred = cx.ask(q::DecedentJudicial)? == Reading::Borrower;
    cx.note(
        Some(Rule::DecedentJudicialCheck),
        || {
            format!(
                "borrower died {death}, before the sale {}; action commenced {} (366.2 year ends {year})",
                loan.event_date,
                loan.action_commenced_date.map(|d| d.to_string()).unwrap_or_else(|| "unknown".into())
            )
        },
        || {
            if barred {
                "read for the borrower: the deficiency needed a claim and 366.2's year: time-barred".into()
            } else {
                "read for the holder: the judicial path continues".into()
            }
        },
    );
    Ok(barred.then_some(Rule::DecedentJudicialCheck))
}

/// CCP 366.2 on the 580a path: it may shorten the three months, never
/// lengthen them (CCP 337(a) proviso) unless that is read for the holder
/// (Q-580A-366-2). Returns the deadline and whether 366.2 gave it.
pub fn on_580a(
    loan: &Loan,
    cx: &mut Ctx,
    dl: Option<NaiveDate>,
    judged: NaiveDate,
    service: Option<Window>,
) -> Result<(Option<NaiveDate>, bool), Ask> {
    let Some(death) = loan.borrower_death_date else { return Ok((dl, false)) };
    if dl.is_some_and(|d| death > d) {
        return Ok((dl, false));
    }
    let year = one_year(loan, cx, death, service).date;
    let shorter = match (year, dl) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(y), Some(d)) => y <= d,
    };
    if shorter {
        return Ok((year, true));
    }
    match dl {
        Some(d) if judged > d => Ok(match cx.ask(q::Decedent580a)? {
            OneYearOrThreeMonths::OneYear => (year, true),
            OneYearOrThreeMonths::ThreeMonths => (dl, false),
        }),
        _ => Ok((dl, false)),
    }
}
