//! CCP 580b: the purchase-money bar and the refinance split.
//!
//! (a): "Except as provided in subdivision (c), no deficiency shall be owed or
//! collected, and no deficiency judgment shall lie, for any of the following:"
//! (a)(2) "Under a deed of trust or mortgage given to the vendor to secure
//! payment of the balance of the purchase price of that real property …"
//! (a)(3) "Under a deed of trust or mortgage on a dwelling for not more than
//! four families given to a lender to secure repayment of a loan that was used
//! to pay all or part of the purchase price of that dwelling, occupied
//! entirely or in part by the purchaser."
//!
//! (b): "No deficiency shall be owed or collected, and no deficiency judgment
//! shall lie, on a loan, refinance, or other credit transaction … that is used
//! to refinance a purchase money loan, or subsequent refinances of a purchase
//! money loan, except to the extent that in a credit transaction the lender or
//! creditor advances new principal (hereafter 'new advance') that is not
//! applied to an obligation owed or to be owed under the purchase money loan,
//! or to fees, costs, or related expenses of the credit transaction. A new
//! credit transaction shall be deemed to be a purchase money loan except as to
//! the principal amount of a new advance. For purposes of this section, any
//! payment of principal shall be deemed to be applied first to the principal
//! balance of the purchase money loan, and then to the principal balance of a
//! new advance …. This subdivision applies only to credit transactions that
//! are executed on or after January 1, 2013."
//!
//! The bar applies to every disposition: judicial and trustee's sales, a
//! sold-out junior (Brown v. Jensen (1953) 41 Cal.2d 193), a short sale
//! (Coker v. JPMorgan Chase Bank (2016) 62 Cal.4th 667); it cannot be waived
//! (DeBerard Properties v. Lim (1999) 20 Cal.4th 659). A construction loan
//! for the borrower's own residence qualifies (Prunty v. Bank of America
//! (1974) 37 Cal.App.3d 430).
//!
//! Split (docs/law.md, 580b_b_refinance): protected = purchase-money payoff + refinance
//! costs financed; new advance outstanding = new advance − max(0, principal
//! paid − protected); recoverable = min(legal deficiency, new advance
//! outstanding) under the default `cap` allocation (UNVERIFIED; settings
//! `refinance_allocation`, `refinance_interest_on_new_advance_recoverable`).

use super::deed_in_lieu;
use super::prelude::*;
use super::questions::{Era, PurposeClass, Units};
use crate::loan::{BorrowerType, EventType, LoanPurpose};
use crate::money::{self, Money};
use crate::settings::RefinanceAllocation;
use chrono::NaiveDate;

/// SB 1069: 580b(b) reaches credit transactions executed on or after this day.
pub const REFINANCE_GATE: NaiveDate = crate::dates::ymd(2013, 1, 1);

/// The loan's purpose class, asking when `loan_purpose` is blank.
pub fn purpose(loan: &Loan, cx: &mut Ctx) -> Result<PurposeClass, Ask> {
    Ok(match loan.loan_purpose {
        Some(LoanPurpose::Purchase | LoanPurpose::Construction) => PurposeClass::Purchase,
        Some(LoanPurpose::Refinance | LoanPurpose::CashOutRefinance) => PurposeClass::Refinance,
        Some(LoanPurpose::HomeEquity | LoanPurpose::Other) => PurposeClass::Other,
        None => cx.ask(q::LoanPurpose)?,
    })
}

/// Rule `580b_a2_seller_financed`: a seller carryback, on any real property.
pub fn seller_financed(loan: &Loan, cx: &mut Ctx) -> Result<Option<Found>, Ask> {
    let bars = loan.seller_financed;
    cx.note(
        Some(Rule::SellerFinanced),
        || format!("seller_financed = {bars}"),
        || {
            if bars {
                "a note to the vendor for the price: 580b(a)(2) bars any deficiency".into()
            } else {
                "not a seller carryback".into()
            }
        },
    );
    Ok(bars.then(|| Found::bars(Rule::SellerFinanced)))
}

/// A dwelling "for not more than four families": 1 to 4 units.
/// A 1-4 unit building also used commercially (`mixed_use`) asks whether
/// it is a dwelling (`mixed_use_dwelling`, unsettled), once per loan.
pub fn dwelling_1_to_4(loan: &Loan, cx: &mut Ctx) -> Result<bool, Ask> {
    let units = match loan.property_units {
        Some(u) => (1..=4).contains(&u),
        None => cx.ask(q::PropertyUnits)? == Units::OneToFour,
    };
    if units && loan.mixed_use {
        let dwelling = cx.ask(q::MixedUse)? == questions::Dwelling::Dwelling;
        cx.note(
            Some(Rule::MixedUseDwelling),
            || "mixed_use = true".into(),
            || {
                if dwelling {
                    "read for the borrower: a dwelling".into()
                } else {
                    "read for the holder: not a dwelling".into()
                }
            },
        );
        return Ok(dwelling);
    }
    Ok(units)
}

/// Why 580b(a)(3) does or does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PurchaseMoney {
    NotPurchase,
    NotOccupied,
    NotDwelling,
    /// An entity borrower, the unsettled point read for the holder.
    EntityForHolder(BorrowerType),
    /// A deed in lieu, whether 580b reaches it read for the holder.
    DeedInLieuForHolder,
    Applies,
}

/// Rule `580b_a3_purchase_money`: a lender's loan used to buy (or build) a
/// 1–4 unit dwelling that the purchaser occupied.
pub fn purchase_money(loan: &Loan, cx: &mut Ctx) -> Result<Option<Found>, Ask> {
    let why = purchase_money_test(loan, cx)?;
    trace_purchase_money(loan, cx, why);
    Ok((why == PurchaseMoney::Applies).then(|| Found::bars(Rule::PurchaseMoney)))
}

fn purchase_money_test(loan: &Loan, cx: &mut Ctx) -> Result<PurchaseMoney, Ask> {
    if purpose(loan, cx)? != PurposeClass::Purchase {
        return Ok(PurchaseMoney::NotPurchase);
    }
    let occupied = match loan.owner_occupied {
        Some(o) => o,
        None => cx.ask(q::OwnerOccupied)?,
    };
    if !occupied {
        return Ok(PurchaseMoney::NotOccupied);
    }
    if !dwelling_1_to_4(loan, cx)? {
        return Ok(PurchaseMoney::NotDwelling);
    }
    if let Some(bt) = loan.borrower_type
        && bt != BorrowerType::Individual
        && cx.settings().entity_borrower_review
        && cx.ask(q::EntityBorrower)? == questions::Reading::Holder
    {
        return Ok(PurchaseMoney::EntityForHolder(bt));
    }
    if loan.event_type == EventType::DeedInLieu && !deed_in_lieu::purchase_money_barred(cx)? {
        return Ok(PurchaseMoney::DeedInLieuForHolder);
    }
    Ok(PurchaseMoney::Applies)
}

fn trace_purchase_money(loan: &Loan, cx: &mut Ctx, why: PurchaseMoney) {
    let purpose = || format!("loan_purpose = {}", loan.loan_purpose.map(|p| p.name()).unwrap_or("unknown (branch)"));
    let units = || loan.property_units.map(|u| u.to_string()).unwrap_or_else(|| "unknown (branch)".into());
    match why {
        PurchaseMoney::NotPurchase => cx.note(Some(Rule::PurchaseMoney), purpose, || {
            "not a purchase or construction loan: 580b(a)(3) does not apply".into()
        }),
        PurchaseMoney::NotOccupied => cx.note(
            Some(Rule::PurchaseMoney),
            || format!("{}; owner_occupied = false", purpose()),
            || "not occupied by the purchaser: 580b(a)(3) does not apply".into(),
        ),
        PurchaseMoney::NotDwelling => cx.note(
            Some(Rule::PurchaseMoney),
            || format!("{}; property_units = {}", purpose(), units()),
            || "not a dwelling of 1-4 units: 580b(a)(3) does not apply".into(),
        ),
        PurchaseMoney::EntityForHolder(bt) => cx.note(
            Some(Rule::BorrowerTypeUnclear),
            || format!("borrower_type = {}", bt.name()),
            || "read for the holder: an entity does not occupy, so 580b(a)(3) does not apply".into(),
        ),
        PurchaseMoney::DeedInLieuForHolder => cx.note(
            Some(Rule::DeedInLieuTerms),
            || format!("{}; owner_occupied = true; property_units = {}; event_type = deed_in_lieu", purpose(), units()),
            || "whether 580b reaches a deed in lieu, read for the holder: not barred".into(),
        ),
        PurchaseMoney::Applies => cx.note(
            Some(Rule::PurchaseMoney),
            || format!("{}; owner_occupied = true; property_units = {}", purpose(), units()),
            || "a purchase-money loan on an owner-occupied 1-4 unit dwelling: 580b(a)(3) bars any deficiency".into(),
        ),
    }
}

/// The 580b(b) split of a protected refinance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// Purchase-money payoff + refinance costs financed ("deemed to be a purchase money loan").
    pub protected: Option<Money>,
    pub new_advance: Money,
    pub principal_paid: Option<Money>,
    /// New-advance principal still owed after payments were applied to the protected part first.
    pub outstanding: Money,
}

/// Why 580b(b) does or does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refi {
    NotRefinance,
    BeforeGate,
    OriginalNotPurchaseMoney,
    NotOfPurchaseMoney,
    /// A chain begun before 2013, read as unprotected (`true`: for the holder).
    Pre2013Chain(NaiveDate),
    Applies(Split),
}

/// Rule `580b_b_refinance` (and `refinance_chain_pre2013`): a bar when no
/// new advance is owed, else a limit carrying the split that caps recovery.
pub fn refinance(loan: &Loan, cx: &mut Ctx) -> Result<Option<Found<Split>>, Ask> {
    let why = refinance_test(loan, cx)?;
    trace_refinance(loan, cx, why);
    Ok(match why {
        Refi::Applies(s) if s.outstanding.is_zero() => Some(Found::bars(Rule::Refinance)),
        Refi::Applies(s) => Some(Found::limits(Rule::Refinance, s)),
        _ => None,
    })
}

fn refinance_test(loan: &Loan, cx: &mut Ctx) -> Result<Refi, Ask> {
    if purpose(loan, cx)? != PurposeClass::Refinance {
        return Ok(Refi::NotRefinance);
    }
    // A loan is made no later than its own sale and no earlier than the
    // first refinance of its chain: ask only when those leave both eras open.
    let executed_after_gate = match loan.origination_date {
        Some(d) => d >= REFINANCE_GATE,
        None if loan.event_date < REFINANCE_GATE => false,
        None if loan.first_refinance_date.is_some_and(|f| f >= REFINANCE_GATE) => true,
        None => cx.ask(q::OriginationEra)? == Era::From2013,
    };
    if !executed_after_gate {
        return Ok(Refi::BeforeGate);
    }
    // For a refinance, owner_occupied and property_units describe the
    // original purchase loan: known facts that rule out a 580b(a)(3) loan
    // rule out 580b(b) too. (A `refinances_purchase_money = true` asserts the
    // original was of that kind, so unknown facts here are not asked.)
    if loan.owner_occupied == Some(false) || loan.property_units.is_some_and(|u| !(1..=4).contains(&u)) {
        return Ok(Refi::OriginalNotPurchaseMoney);
    }
    let of_purchase_money = match loan.refinances_purchase_money {
        Some(b) => b,
        None => cx.ask(q::RefinancesPurchaseMoney)?,
    };
    if !of_purchase_money {
        return Ok(Refi::NotOfPurchaseMoney);
    }
    if let Some(first) = loan.first_refinance_date
        && first < REFINANCE_GATE
    {
        let holder =
            !cx.settings().refinance_chain_pre2013_review || cx.ask(q::Pre2013Chain)? == questions::Reading::Holder;
        cx.note(
            Some(Rule::RefinanceChainPre2013),
            || format!("first refinance {first}; this refinance {}", date_fact(loan.origination_date)),
            || {
                if holder {
                    "the chain began before 2013: read as unprotected".into()
                } else {
                    "the chain began before 2013: read as protected".into()
                }
            },
        );
        if holder {
            return Ok(Refi::Pre2013Chain(first));
        }
    }
    Ok(Refi::Applies(split(loan, cx)?))
}

fn trace_refinance(loan: &Loan, cx: &mut Ctx, why: Refi) {
    match why {
        Refi::NotRefinance | Refi::Pre2013Chain(_) => {}
        Refi::BeforeGate => cx.note(
            Some(Rule::Refinance),
            || format!("refinance executed {}", date_fact(loan.origination_date)),
            || "executed before 2013-01-01: 580b(b) does not reach it (SB 1069)".into(),
        ),
        Refi::OriginalNotPurchaseMoney => cx.note(
            Some(Rule::Refinance),
            || {
                format!(
                    "owner_occupied = {:?}; property_units = {:?} (of the original purchase loan)",
                    loan.owner_occupied, loan.property_units
                )
            },
            || "the original loan was not an owner-occupied 1-4 unit purchase loan: 580b(b) does not apply".into(),
        ),
        Refi::NotOfPurchaseMoney => cx.note(
            Some(Rule::Refinance),
            || "refinances_purchase_money = false".into(),
            || "does not refinance a 580b(a)(3) loan: 580b(b) does not apply".into(),
        ),
        Refi::Applies(split) => cx.note(
            Some(Rule::Refinance),
            || {
                format!(
                    "purchase_money_payoff {} + refinance_costs_financed {} = protected {}; new_advance {}; principal_paid {}",
                    opt_money(loan.purchase_money_payoff),
                    money::fmt(loan.refinance_costs_financed),
                    opt_money(split.protected),
                    money::fmt(split.new_advance),
                    opt_money(split.principal_paid),
                )
            },
            || match (split.principal_paid, split.protected) {
                (Some(paid), Some(protected)) => format!(
                    "principal payments go to the protected part first: new advance still owed = new_advance {} - max(0, principal_paid {} - protected {}) = {}",
                    money::fmt(split.new_advance),
                    money::fmt(paid),
                    money::fmt(protected),
                    money::fmt(split.outstanding)
                ),
                _ => format!(
                    "principal payments go to the protected part first: new advance still owed {}",
                    money::fmt(split.outstanding)
                ),
            },
        ),
    }
}

/// Computes the new advance still owed, asking about amounts the input leaves
/// blank when they change the answer.
fn split(loan: &Loan, cx: &mut Ctx) -> Result<Split, Ask> {
    let unpaid = loan.unpaid_principal;
    let new_advance = match loan.new_advance {
        Some(v) => v,
        // The most the facts allow is the whole unpaid principal; the least is nothing.
        None => {
            if cx.ask(q::NewAdvance)? == questions::AdvanceBound::Largest {
                unpaid
            } else {
                Money::ZERO
            }
        }
    };
    let costs = loan.refinance_costs_financed;
    let (protected, paid, outstanding) = match (loan.principal_paid, loan.purchase_money_payoff) {
        // Derived principal_paid: the payoff cancels out, leaving min(new advance, unpaid).
        (None, payoff) => {
            let protected = payoff.map(|p| p + costs);
            let paid = payoff.map(|p| (p + costs + new_advance - unpaid).max(Money::ZERO));
            (protected, paid, new_advance.min(unpaid))
        }
        (Some(paid), Some(payoff)) => {
            let protected = payoff + costs;
            (Some(protected), Some(paid), outstanding(new_advance, paid, protected))
        }
        (Some(paid), None) => {
            let low = outstanding(new_advance, paid, costs);
            let high = outstanding(new_advance, paid, paid.max(costs));
            let o = if low == high || cx.ask(q::PurchaseMoneyPayoff)? == questions::AdvanceBound::Largest {
                high
            } else {
                low
            };
            (None, Some(paid), o)
        }
    };
    Ok(Split { protected, new_advance, principal_paid: paid, outstanding: outstanding.min(unpaid) })
}

fn outstanding(new_advance: Money, paid: Money, protected: Money) -> Money {
    (new_advance - (paid - protected).max(Money::ZERO)).max(Money::ZERO)
}

/// The part of the legal deficiency the split leaves recoverable.
pub fn recoverable(split: &Split, legal: Money, loan: &Loan, cx: &Ctx) -> Money {
    let s = cx.settings();
    let unpaid = loan.unpaid_principal;
    let mut cap = split.outstanding;
    if s.refinance_interest_on_new_advance_recoverable && !unpaid.is_zero() {
        cap += loan.accrued_interest * split.outstanding / unpaid;
    }
    let r = match s.refinance_allocation {
        RefinanceAllocation::Cap => legal.min(cap),
        RefinanceAllocation::ProRata if unpaid.is_zero() => legal,
        RefinanceAllocation::ProRata => (legal * cap / unpaid).min(legal),
    };
    money::cents(r)
}

/// Flag `refinance_amounts_inconsistent`: every amount is given and payoff +
/// costs + new advance differs from unpaid principal + principal paid.
pub fn amounts_inconsistent(loan: &Loan) -> bool {
    match (loan.purchase_money_payoff, loan.new_advance, loan.principal_paid) {
        (Some(p), Some(n), Some(paid)) => p + loan.refinance_costs_financed + n != loan.unpaid_principal + paid,
        _ => false,
    }
}

fn date_fact(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "on an unknown date (branch)".into())
}

fn opt_money(m: Option<Money>) -> String {
    m.map(money::fmt).unwrap_or_else(|| "unknown".into())
}
