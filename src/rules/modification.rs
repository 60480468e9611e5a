//! Modifications, forbearance and workout waivers (docs/law.md,
//! modification_new_money; docs/law.md "Flags").
//!
//! A modification is not a refinance: the loan keeps its purpose, and
//! capitalised arrears are not new advances. A renegotiated purchase-money
//! obligation keeps its character (Palm v. Schilling (1988) 199 Cal.App.3d
//! 63); whether new cash advanced in the modification is protected is
//! unsettled (`modification_new_money`): read for the holder, only the new
//! cash can be recovered, as a 580b(b) new advance. A waiver of 580b signed
//! in a workout is void (DeBerard Properties v. Lim (1999) 20 Cal.4th 659);
//! no statute voids a post-default waiver of 580d (flag only).

use super::prelude::*;
use super::questions::Reading;
use super::r580b::Split;
use crate::loan::LoanPurpose;
use crate::money::Money;

/// Q-MOD, when 580b(a)(3) would bar a modified loan with new money: `None`
/// when the bar stands (read for the borrower), else the split that leaves
/// only the new money (at most the unpaid principal) recoverable.
pub fn new_money(loan: &Loan, cx: &mut Ctx) -> Result<Option<Split>, Ask> {
    if !loan.modified || loan.modification_new_money <= Money::ZERO {
        return Ok(None);
    }
    let holder = cx.ask(q::ModificationNewMoney)? == Reading::Holder;
    let outstanding = loan.modification_new_money.min(loan.unpaid_principal);
    cx.note(
        Some(Rule::ModificationNewMoney),
        || format!("modified; new money {}", crate::money::fmt(loan.modification_new_money)),
        || {
            if holder {
                format!(
                    "read for the holder: the new money is a new advance, at most {} recoverable",
                    crate::money::fmt(outstanding)
                )
            } else {
                "read for the borrower: the purchase-money bar stands".into()
            }
        },
    );
    Ok(holder.then_some(Split {
        protected: None,
        new_advance: loan.modification_new_money,
        principal_paid: None,
        outstanding,
    }))
}

/// Flag `refinance_vs_modification_check`: a modified loan entered as a
/// refinance without a payoff.
pub fn refinance_check(loan: &Loan) -> Option<Flag> {
    let refinance = matches!(loan.loan_purpose, Some(LoanPurpose::Refinance | LoanPurpose::CashOutRefinance));
    (loan.modified && refinance && loan.purchase_money_payoff.is_none()).then_some(Flag::RefinanceVsModificationCheck)
}
