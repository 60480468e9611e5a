//! CCP 580e: short sales.
//!
//! (a)(1): "No deficiency shall be owed or collected, and no deficiency
//! judgment shall be requested or rendered for any deficiency upon a note
//! secured solely by a deed of trust or mortgage for a dwelling of not more
//! than four units, in any case in which the trustor or mortgagor sells the
//! dwelling for a sale price less than the remaining amount of the
//! indebtedness outstanding at the time of sale, in accordance with the
//! written consent of the holder of the deed of trust or mortgage, provided
//! that both of the following have occurred: (A) Title has been voluntarily
//! transferred to a buyer by grant deed or by other document of conveyance
//! that has been recorded in the county … (B) The proceeds of the sale have
//! been tendered to the mortgagee, beneficiary, or the agent …, in accordance
//! with the parties' agreement."
//!
//! (a)(2): a note not secured solely by the dwelling: "no judgment shall be
//! rendered for any deficiency", rights determined "as if the dwelling had
//! been sold through foreclosure under a power of sale": other collateral may
//! still be pursued (flag `other_collateral_may_be_pursued`).
//!
//! (d)(1): "This section shall not apply if the trustor or mortgagor is a
//! corporation, limited liability company, limited partnership, or political
//! subdivision of the state." (d)(2): bond and public-utility liens excluded.
//! (e): "Any purported waiver of subdivision (a) or (b) shall be void".
//!
//! Versions by closing date: none before 2011-01-01; 2011-01-01 to 2011-07-14
//! (SB 931): first liens only, excluding only "a corporation or political
//! subdivision" (setting `sb931_entities`), no "secured solely" split; from
//! 2011-07-15 (SB 458): every lien, the current structure. No owner-occupancy
//! or purchase-money requirement. Trusts are not named: review
//! (`borrower_type_unclear`, UNVERIFIED).
//!
//! Order of the checks: the facts that take a sale outside 580e whatever
//! else is true (date, lien type, units, lien position, an excluded entity)
//! come first; then written consent and the conveyance conditions, which an
//! unsettled reading may excuse; then the unsettled trust question.

use super::prelude::*;
use super::questions::{BorrowerClass, LienClass, Reading};
use super::r580b::dwelling_1_to_4;
use crate::dates::ymd;
use crate::loan::BorrowerType;
use crate::settings::Sb931Entities;
use chrono::NaiveDate;

/// SB 931 made 580e effective for closings from this day.
pub const SB931_EFFECTIVE: NaiveDate = ymd(2011, 1, 1);
/// SB 458 (urgency) extended 580e to every lien from this day.
pub const SB458_EFFECTIVE: NaiveDate = ymd(2011, 7, 15);

/// What 580e does to this short sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShortSale {
    /// Rule `580e_short_sale`; `solely` is false for an (a)(2) note.
    Barred { solely: bool },
    /// Rule `580e_not_applicable`: outside 580e (with why).
    NotApplicable(&'static str),
}

/// Rule `580e_short_sale` (a bar, flagging other collateral for an (a)(2)
/// note) or `580e_not_applicable` (an action on the note, assuming the
/// borrower waived security-first).
pub fn short_sale(loan: &Loan, cx: &mut Ctx) -> Result<Found, Ask> {
    Ok(match checklist(loan, cx)? {
        ShortSale::Barred { solely: true } => Found::bars(Rule::ShortSale),
        ShortSale::Barred { solely: false } => {
            Found::bars(Rule::ShortSale).with_flag(Flag::OtherCollateralMayBePursued)
        }
        ShortSale::NotApplicable(_) => {
            Found::recovers(Rule::ShortSaleNotApplicable).with_flag(Flag::OneActionWaiverAssumed)
        }
    })
}

/// Applies 580e's checklist in the statute's order.
pub fn checklist(loan: &Loan, cx: &mut Ctx) -> Result<ShortSale, Ask> {
    let r = check(loan, cx)?;
    cx.note(Some(match r {
        ShortSale::Barred { .. } => Rule::ShortSale,
        ShortSale::NotApplicable(_) => Rule::ShortSaleNotApplicable,
    }), || format!("short sale closed {}; borrower_type = {}; written_consent = {}; deed_recorded = {}; proceeds_tendered = {}; secured_solely = {}",
        loan.event_date,
        loan.borrower_type.map(|b| b.name()).unwrap_or("unknown"),
        loan.written_consent.map(|b| b.to_string()).unwrap_or_else(|| "unknown".into()),
        loan.deed_recorded, loan.proceeds_tendered, loan.secured_solely),
        || match r {
            ShortSale::Barred { solely: true } => "580e(a)(1): no deficiency owed or collected".into(),
            ShortSale::Barred { solely: false } => "580e(a)(2): no deficiency judgment; other collateral may be pursued".into(),
            ShortSale::NotApplicable(why) => format!("580e does not apply: {why}"),
        });
    Ok(r)
}

fn check(loan: &Loan, cx: &mut Ctx) -> Result<ShortSale, Ask> {
    let closing = loan.event_date;
    if closing < SB931_EFFECTIVE {
        return Ok(ShortSale::NotApplicable("closed before 580e took effect (2011-01-01)"));
    }
    let sb931 = closing < SB458_EFFECTIVE;
    if loan.bond_or_utility_lien {
        return Ok(ShortSale::NotApplicable("a bond or public-utility lien (580e(d)(2))"));
    }
    if !dwelling_1_to_4(loan, cx)? {
        return Ok(ShortSale::NotApplicable("not a dwelling of 1-4 units"));
    }
    if sb931 {
        let first = match loan.lien_position {
            Some(p) => p == 1,
            None => cx.ask(q::LienPosition)? == LienClass::First,
        };
        if !first {
            return Ok(ShortSale::NotApplicable(
                "a junior lien, before SB 458 extended 580e to every lien (2011-07-15)",
            ));
        }
    }
    let borrower = match loan.borrower_type {
        Some(b) => b,
        None => match cx.ask(q::BorrowerType)? {
            BorrowerClass::Individual => BorrowerType::Individual,
            BorrowerClass::Corporation => BorrowerType::Corporation,
            BorrowerClass::LlcOrLp => BorrowerType::Llc,
            BorrowerClass::GeneralPartnership => BorrowerType::GeneralPartnership,
            BorrowerClass::Trust => BorrowerType::Trust,
        },
    };
    let excluded = match borrower {
        BorrowerType::Corporation | BorrowerType::PublicEntity => true,
        BorrowerType::Llc | BorrowerType::LimitedPartnership => {
            !sb931 || cx.settings().sb931_entities == Sb931Entities::AsAmended
        }
        BorrowerType::Individual | BorrowerType::GeneralPartnership | BorrowerType::Trust => false,
    };
    if excluded {
        return Ok(ShortSale::NotApplicable("the borrower is an entity 580e(d)(1) excludes"));
    }
    let consent = match loan.written_consent {
        Some(c) => c,
        None => cx.ask(q::WrittenConsent)?,
    };
    if !consent && cx.ask(q::NoWrittenConsent)? == Reading::Holder {
        return Ok(ShortSale::NotApplicable("no written consent by this holder (read for the holder)"));
    }
    if (!loan.deed_recorded || !loan.proceeds_tendered) && cx.ask(q::ShortSaleIncomplete)? == Reading::Holder {
        return Ok(ShortSale::NotApplicable(
            "title not passed by recorded deed or proceeds not tendered (read for the holder)",
        ));
    }
    if borrower == BorrowerType::Trust
        && cx.settings().entity_borrower_review
        && cx.ask(q::EntityBorrower)? == Reading::Holder
    {
        return Ok(ShortSale::NotApplicable("a trust borrower (read for the holder)"));
    }
    Ok(ShortSale::Barred { solely: sb931 || loan.secured_solely })
}
