//! Bankruptcy: discharge and pending cases.
//!
//! 11 U.S.C. 524(a)(2): a discharge "operates as an injunction against the
//! commencement or continuation of an action, the employment of process, or
//! an act, to collect, recover or offset any such debt as a personal
//! liability of the debtor, whether or not discharge of such debt is waived."
//! It reaches debts that arose before the petition (a petition — or, when
//! its date is blank, a discharge — dated on or before `origination_date`
//! shows a case filed before this loan, which the discharge does not reach);
//! a debt a court has held
//! non-dischargeable (11 U.S.C. 523, text not retrieved: UNVERIFIED) is not
//! discharged (input `discharge_exception`). A pending case stays collection
//! (11 U.S.C. 362, UNVERIFIED): the loan needs review unless nothing would be
//! recoverable anyway.

use super::prelude::*;
use crate::loan::{Bankruptcy, Loan};

/// What the bankruptcy facts mean for this loan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    None,
    /// Rule `bankruptcy_discharge`.
    Discharged,
    /// Discharged, but a court held this debt non-dischargeable.
    Excepted,
    /// Discharged in a case filed before this loan was made.
    PredatesLoan,
    /// Rule `bankruptcy_pending`.
    Pending,
}

/// Classifies the bankruptcy facts.
pub fn status(loan: &Loan, cx: &mut Ctx) -> Status {
    let st = match loan.bankruptcy {
        Bankruptcy::None => Status::None,
        Bankruptcy::Pending => Status::Pending,
        Bankruptcy::Discharged => {
            // The petition precedes the discharge, so either date on or
            // before the loan was made shows a case filed before this debt.
            let filed_by = loan.bankruptcy_petition_date.or(loan.bankruptcy_discharge_date);
            match (filed_by, loan.origination_date) {
                (Some(p), Some(o)) if p <= o => Status::PredatesLoan,
                _ if loan.discharge_exception => Status::Excepted,
                _ => Status::Discharged,
            }
        }
    };
    if st != Status::None {
        let rule = if st == Status::Pending { Rule::BankruptcyPending } else { Rule::BankruptcyDischarge };
        cx.note(
            Some(rule),
            || {
                format!(
                    "bankruptcy = {}; petition {}; discharge {}; discharge_exception = {}",
                    loan.bankruptcy.name(),
                    opt(loan.bankruptcy_petition_date),
                    opt(loan.bankruptcy_discharge_date),
                    loan.discharge_exception
                )
            },
            || match st {
                Status::Discharged => "personal liability discharged".into(),
                Status::Excepted => "held non-dischargeable: the discharge does not bar it".into(),
                Status::PredatesLoan => "the petition predates this loan: the discharge does not reach it".into(),
                Status::Pending => "a case is open: collection is stayed".into(),
                Status::None => String::new(),
            },
        );
    }
    st
}

fn opt(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "unknown".into())
}
