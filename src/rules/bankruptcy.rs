//! Bankruptcy: discharge, pending and dismissed cases, reaffirmation, and
//! Chapter 13 cure-and-maintain (docs/law.md, bankruptcy_discharge,
//! bankruptcy_pending, reaffirmed_524c, ch13_1322b5_not_discharged).
//!
//! 11 U.S.C. 524(a)(2): a discharge "operates as an injunction against the
//! commencement or continuation of an action, the employment of process, or
//! an act, to collect, recover or offset any such debt as a personal
//! liability of the debtor, whether or not discharge of such debt is waived."
//! It reaches debts that arose before the petition: a petition (or, when its
//! date is blank, a discharge) dated on or before `origination_date` shows a
//! case filed before this loan, which the discharge does not reach. A debt a
//! court has held non-dischargeable (11 U.S.C. 523) is not discharged.
//! 524(c): a debt reaffirmed by an enforceable agreement is not discharged.
//! 1328(a)(1): a Chapter 13 discharge excepts a debt "provided for under
//! section 1322(b)(5)" (arrears cured, payments maintained). A pending case
//! stays collection (11 U.S.C. 362): the loan needs review unless nothing
//! would be recoverable anyway. A dismissed case ends without a discharge.
//!
//! Pending and dismissed cases filed on or before the loan was made do not
//! reach it either (no flag). Every case that reaches the loan and did not
//! discharge it extends deadlines under 11 U.S.C. 108(c) (see `r108`).

use super::prelude::*;
use crate::loan::Bankruptcy;
use chrono::NaiveDate;

/// What the bankruptcy facts mean for this loan (docs/law.md "How deadlines are computed").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    None,
    /// The case was filed on or before this loan was made; `flag` for a
    /// discharge or reaffirmation (`discharge_predates_loan`).
    PredatesLoan {
        flag: bool,
    },
    /// Rule `bankruptcy_pending`.
    Pending,
    /// The case ended without a discharge.
    Dismissed,
    /// Rule `bankruptcy_discharge`.
    Discharged,
    /// Discharged, but a court held this debt non-dischargeable.
    Excepted,
    /// A Chapter 13 discharge of a loan provided for under 1322(b)(5).
    Chapter13,
    /// Discharged, but this debt was reaffirmed (524(c)).
    Reaffirmed,
}

impl Status {
    /// A case that reaches the loan without discharging it: 11 U.S.C. 108(c)
    /// and 108(b) apply.
    pub fn extends(self) -> bool {
        matches!(self, Status::Pending | Status::Dismissed | Status::Excepted | Status::Chapter13 | Status::Reaffirmed)
    }

    /// The code listed in `reasons` for a case that keeps the debt alive.
    pub fn listed(self) -> Option<Rule> {
        match self {
            Status::Reaffirmed => Some(Rule::Reaffirmed524c),
            Status::Chapter13 => Some(Rule::Chapter13CureAndMaintain),
            _ => None,
        }
    }
}

/// Classifies the bankruptcy facts.
pub fn status(loan: &Loan, cx: &mut Ctx) -> Status {
    let before_loan = |d: Option<NaiveDate>| matches!((d, loan.origination_date), (Some(p), Some(o)) if p <= o);
    // The petition precedes the discharge, so either date on or before the
    // loan was made shows a case filed before this debt.
    let discharge_filed_by = loan.bankruptcy_petition_date.or(loan.bankruptcy_discharge_date);
    let st = match loan.bankruptcy {
        Bankruptcy::None => Status::None,
        Bankruptcy::Pending | Bankruptcy::Dismissed if before_loan(loan.bankruptcy_petition_date) => {
            Status::PredatesLoan { flag: false }
        }
        Bankruptcy::Pending => Status::Pending,
        Bankruptcy::Dismissed => Status::Dismissed,
        Bankruptcy::Discharged | Bankruptcy::Reaffirmed if before_loan(discharge_filed_by) => {
            Status::PredatesLoan { flag: true }
        }
        Bankruptcy::Reaffirmed => Status::Reaffirmed,
        Bankruptcy::Discharged if loan.discharge_exception => Status::Excepted,
        Bankruptcy::Discharged if loan.chapter13_cure_and_maintain => Status::Chapter13,
        Bankruptcy::Discharged => Status::Discharged,
    };
    trace(loan, cx, st);
    st
}

fn trace(loan: &Loan, cx: &mut Ctx, st: Status) {
    if st == Status::None {
        return;
    }
    let rule = match st {
        Status::Pending => Rule::BankruptcyPending,
        Status::Reaffirmed => Rule::Reaffirmed524c,
        Status::Chapter13 => Rule::Chapter13CureAndMaintain,
        _ => Rule::BankruptcyDischarge,
    };
    cx.note(
        Some(rule),
        || {
            format!(
                "bankruptcy = {}; petition {}; discharge {}; stay ended {}; discharge_exception = {}; chapter13_cure_and_maintain = {}",
                loan.bankruptcy.name(),
                opt(loan.bankruptcy_petition_date),
                opt(loan.bankruptcy_discharge_date),
                opt(loan.bankruptcy_stay_end_date),
                loan.discharge_exception,
                loan.chapter13_cure_and_maintain
            )
        },
        || match st {
            Status::Discharged => "personal liability discharged".into(),
            Status::Excepted => "held non-dischargeable: the discharge does not bar it".into(),
            Status::Chapter13 => "a Chapter 13 discharge does not reach a loan provided for under 1322(b)(5)".into(),
            Status::Reaffirmed => "reaffirmed under 524(c): the discharge does not reach it".into(),
            Status::PredatesLoan { .. } => "the case was filed before this loan was made: it does not reach it".into(),
            Status::Pending => "a case is open: collection is stayed".into(),
            Status::Dismissed => "the case was dismissed without a discharge".into(),
            Status::None => String::new(),
        },
    );
}

fn opt(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "unknown".into())
}
