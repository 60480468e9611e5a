//! Deeds in lieu of foreclosure (no statute; docs/law.md "deed_in_lieu_terms").
//!
//! No statute addresses a deficiency after a deed in lieu: 580d needs a sale
//! under a power of sale, and 580e a sale to a buyer. For a purchase-money
//! loan 580b still bars it, "regardless of how that security is exhausted"
//! (Coker's reasoning; DeBerard: non-waivable) — UNVERIFIED, setting
//! `deed_in_lieu_purchase_money_barred`. Otherwise the agreement decides:
//! `waived` bars it; `reserved` leaves an action on the note (the borrower's
//! voluntary conveyance taken to waive security-first, a Wozab analogy,
//! UNVERIFIED; setting `deed_in_lieu_reserved`); `silent` needs review.

use super::prelude::*;
use super::questions::Reading;
use crate::loan::DeedInLieuTerms;
use crate::settings::DeedInLieuReserved;

/// What the agreement does to the deficiency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terms {
    /// Rule `deed_in_lieu_waiver`.
    Waived,
    /// Rule `deed_in_lieu_reserved`.
    Reserved,
}

/// Rule `deed_in_lieu_waiver` (a bar) or `deed_in_lieu_reserved` (an
/// action on the note, assuming the borrower waived security-first).
pub fn agreement(loan: &Loan, cx: &mut Ctx) -> Result<Found, Ask> {
    Ok(match terms(loan, cx)? {
        Terms::Waived => Found::bars(Rule::DeedInLieuWaiver),
        Terms::Reserved => Found::recovers(Rule::DeedInLieuReserved).with_flag(Flag::OneActionWaiverAssumed),
    })
}

/// Whether CCP 580b bars a deficiency after a deed in lieu on a
/// purchase-money loan: the setting, else the unsettled point read both ways.
pub fn purchase_money_barred(cx: &mut Ctx) -> Result<bool, Ask> {
    Ok(cx.settings().deed_in_lieu_purchase_money_barred || cx.ask(q::DeedInLieuPurchaseMoney)? == Reading::Borrower)
}

/// Reads the agreement's terms, asking when blank or silent.
pub fn terms(loan: &Loan, cx: &mut Ctx) -> Result<Terms, Ask> {
    let terms = match loan.deed_in_lieu_terms {
        Some(t) => t,
        None => cx.ask(q::DeedInLieuTerms)?,
    };
    let result = match terms {
        DeedInLieuTerms::Waived => Terms::Waived,
        DeedInLieuTerms::Reserved if cx.settings().deed_in_lieu_reserved == DeedInLieuReserved::Recoverable => {
            Terms::Reserved
        }
        DeedInLieuTerms::Reserved | DeedInLieuTerms::Silent => {
            if cx.ask(q::DeedInLieuSilent)? == Reading::Holder {
                Terms::Reserved
            } else {
                Terms::Waived
            }
        }
    };
    let rule = match (terms, result) {
        (DeedInLieuTerms::Waived, _) => Rule::DeedInLieuWaiver,
        (DeedInLieuTerms::Reserved, Terms::Reserved) => Rule::DeedInLieuReserved,
        _ => Rule::DeedInLieuTerms,
    };
    cx.note(
        Some(rule),
        || format!("deed_in_lieu_terms = {}", terms.name()),
        || match (terms, result) {
            (DeedInLieuTerms::Waived, _) => "the agreement waives the deficiency".into(),
            (DeedInLieuTerms::Reserved, Terms::Reserved) => {
                "the agreement reserves the deficiency: an action on the note".into()
            }
            (_, Terms::Reserved) => "unsettled terms read for the holder: deficiency reserved".into(),
            (_, Terms::Waived) => "unsettled terms read for the borrower: deficiency waived".into(),
        },
    );
    Ok(result)
}
