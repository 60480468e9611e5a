//! Flags computed from the finished row (docs/law.md "Flags",
//! do_not_collect and the flags after it). They never change an outcome or
//! an amount.
//!
//! Collection law (setting `collection_flags`): "no deficiency shall be owed
//! or collected" (CCP 580b, 580d, 580e) and a discharge (11 U.S.C.
//! 524(a)(2)) forbid collecting more than `recoverable`; CCP 337(d) and Civ.
//! Code 1788.56 forbid suing on a time-barred debt, and Civ. Code
//! 1788.14(d) requires a notice in the first letter to an individual; Civ.
//! Code 2924.13 governs junior-lien foreclosures from 2025-06-30. Reporting
//! (setting `reporting_flags`): cancelled principal of 600.00 or more may be
//! an identifiable event for Form 1099-C (26 CFR 1.6050P-1); a holder that
//! acquired the property may owe a Form 1099-A. Advisory, not tax advice.

use super::{Flag, Outcome, Reason, Rule};
use crate::loan::{BorrowerType, EventType, ForeclosureMethod, Loan, SeniorSaleType};
use crate::money::Money;
use crate::settings::Settings;

/// The finished row the flags read.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub outcome: Outcome,
    pub reasons: &'a [Reason],
    pub gross: Money,
    pub barred: Money,
    /// The time-barred part of a note or 580a path (TB of docs/law.md "How deadlines are computed").
    pub time_barred: Money,
}

impl Row<'_> {
    fn primary(&self) -> Option<Rule> {
        match self.reasons.first() {
            Some(Reason::Rule(r)) => Some(*r),
            _ => None,
        }
    }
    fn lists(&self, r: Rule) -> bool {
        self.reasons.contains(&Reason::Rule(r))
    }
}

/// A limitations period of the note or 580a path.
fn note_or_580a_time_bar(r: Rule) -> bool {
    matches!(
        r,
        Rule::NoteFourYears
            | Rule::NoteSixYears
            | Rule::DecedentOneYear
            | Rule::RejectedClaimNinetyDays
            | Rule::LateCreditorClaim
            | Rule::NonjudicialThreeMonths
    )
}

/// Adds every flag of the finished row to `out`.
pub fn flags(loan: &Loan, row: Row, settings: &Settings, out: &mut super::Flags) {
    let primary = row.primary();
    if let Some(f) = super::federal::program_flags(loan, row.gross) {
        out.push(f);
    }
    if let Some(f) = super::modification::refinance_check(loan) {
        out.push(f);
    }
    let barred_by_580d =
        row.outcome == Outcome::Barred && (row.lists(Rule::TrusteeSale) || row.lists(Rule::SameSecurity));
    if loan.workout_waiver && barred_by_580d {
        out.push(Flag::WorkoutWaiver580dUnsettled);
    }
    if post_auction_bidding(loan) {
        out.push(Flag::Civ2924mPostAuctionBidding);
    }
    if loan.consent_payment_required && row.outcome == Outcome::Barred && row.lists(Rule::ShortSale) {
        out.push(Flag::ExtraCompensation580e);
    }
    if settings.collection_flags {
        collection(loan, row, primary, out);
    }
    if settings.reporting_flags {
        reporting(loan, row, primary, out);
    }
}

/// Civ. Code 2924m: a trustee's sale of 1-4 units from 2021 that became
/// final after post-auction bidding.
fn post_auction_bidding(loan: &Loan) -> bool {
    let trustee = match loan.event_type {
        EventType::TrusteeSale => true,
        EventType::ForeclosureSale => loan.foreclosure_method != Some(ForeclosureMethod::Judicial),
        EventType::SeniorSale => loan.senior_sale_type != Some(SeniorSaleType::Judicial),
        _ => false,
    };
    trustee
        && loan.property_units.is_some_and(|u| (1..=4).contains(&u))
        && loan.event_date >= crate::dates::ymd(2021, 1, 1)
        && loan.sale_final_date.is_some_and(|d| d > loan.event_date)
}

/// docs/law.md "Flags".
fn collection(loan: &Loan, row: Row, primary: Option<Rule>, out: &mut super::Flags) {
    let not_a_note_bar = match row.outcome {
        Outcome::Barred | Outcome::Discharged | Outcome::NoDeficiency => true,
        Outcome::TimeBarred => primary == Some(Rule::JudicialThreeMonths),
        Outcome::Recoverable | Outcome::PartiallyRecoverable => {
            primary == Some(Rule::Refinance)
                || row.lists(Rule::JudicialFairValue)
                || row.lists(Rule::NonjudicialFairValue)
        }
        Outcome::NeedsReview | Outcome::OutOfScope => false,
    };
    if not_a_note_bar && row.barred > Money::ZERO {
        out.push(Flag::DoNotCollect);
    }
    let no_suit = (row.outcome == Outcome::TimeBarred && primary.is_some_and(note_or_580a_time_bar))
        || row.lists(Rule::InstallmentsTimeBarred);
    if no_suit {
        out.push(Flag::NoSuitTimeBarred);
        if loan.borrower_type == Some(BorrowerType::Individual) {
            out.push(Flag::RosenthalTimeBarredNotice);
        }
    }
    let foreclosure =
        matches!(loan.event_type, EventType::TrusteeSale | EventType::JudicialSale | EventType::ForeclosureSale);
    if foreclosure
        && loan.lien_position.is_some_and(|p| p >= 2)
        && loan.property_units.is_some_and(|u| (1..=4).contains(&u))
        && loan.event_date >= crate::dates::ymd(2025, 6, 30)
        && row.outcome != Outcome::OutOfScope
    {
        out.push(Flag::Civ292413JuniorLien);
    }
    let other_collateral = matches!(
        primary,
        Some(Rule::SellerFinanced | Rule::PurchaseMoney | Rule::Refinance | Rule::TrusteeSale | Rule::SameSecurity)
    );
    if !loan.secured_solely && row.outcome == Outcome::Barred && other_collateral {
        out.push(Flag::OtherCollateralMayBePursued);
    }
}

/// docs/law.md "Flags".
fn reporting(loan: &Loan, row: Row, primary: Option<Rule>, out: &mut super::Flags) {
    let eligible = match row.outcome {
        Outcome::Barred | Outcome::NoDeficiency | Outcome::Recoverable | Outcome::PartiallyRecoverable => true,
        Outcome::TimeBarred => primary == Some(Rule::JudicialThreeMonths),
        _ => false,
    };
    let principal = (row.barred - row.time_barred).max(Money::ZERO).min(loan.unpaid_principal);
    let mut cancelled = false;
    if eligible && principal >= Money::from(600) {
        cancelled = true;
        let bar_580b = matches!(primary, Some(Rule::SellerFinanced | Rule::PurchaseMoney | Rule::Refinance));
        out.push(if loan.event_type == EventType::SeniorSale && bar_580b {
            Flag::Form1099cWhenCollectionStops
        } else {
            Flag::Form1099cEvent
        });
    }
    let acquired = matches!(
        loan.event_type,
        EventType::JudicialSale | EventType::TrusteeSale | EventType::ForeclosureSale | EventType::DeedInLieu
    );
    if acquired && row.outcome != Outcome::OutOfScope && !cancelled {
        out.push(Flag::Form1099aEvent);
    }
}
