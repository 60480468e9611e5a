//! Sold-out junior lienholders (case law; no statute).
//!
//! Roseleaf Corp. v. Chierighino (1963) 59 Cal.2d 35: a junior whose lien was
//! wiped out by a senior's sale may sue on its note; §§ 580a, 580d and the
//! 726(b) fair-value limit do not apply. Recovery is the unpaid balance less
//! any surplus the junior received. Exception: a purchase-money junior is
//! barred by 580b (Brown v. Jensen (1953) 41 Cal.2d 193) — applied before
//! this rule.
//!
//! Same holder of both liens: Simon v. Superior Court (1992) 4 Cal.App.4th 63
//! barred the junior after the holder's own trustee's sale on the senior;
//! Black Sky Capital, LLC v. Cobb (2019) 7 Cal.5th 156 held "under the
//! circumstances here, section 580d does not preclude a creditor holding two
//! deeds of trust on the same property from recovering a deficiency judgment
//! on the junior lien" (loans about two years apart). Whether Black Sky
//! reaches liens made in one transaction (a piggyback) is UNVERIFIED: review
//! `same_holder_contemporaneous` (setting `same_holder_contemporaneous_review`).
//! A contemporaneous junior held by a different holder may recover
//! (Cadlerock Joint Venture v. Lobel (2012)).

use super::prelude::*;
use super::questions::{self, Reading};
use crate::loan::SeniorSaleType;

/// Rule `sold_out_junior` (an action on the note), or `580d_same_holder`
/// when the same holder's contemporaneous liens are read for the borrower
/// (Simon).
pub fn junior(loan: &Loan, cx: &mut Ctx) -> Result<Found, Ask> {
    if let Some(found) = same_security(loan, cx)? {
        return Ok(found);
    }
    let why = test(loan, cx)?;
    trace(loan, cx, why);
    Ok(match why {
        Junior::SimonBars => Found::bars(Rule::SameHolderSimon),
        _ => Found::recovers(Rule::SoldOutJunior),
    })
}

/// Union Bank v. Wendland (1976) 54 Cal.App.3d 393: when the same holder's
/// senior deed of trust also secured this note (a dragnet or
/// cross-collateral clause), its sale under the power of sale was a sale
/// under this note's security: 580d bars it (`580d_same_security`). After a
/// judicial senior sale, whether the deficiency had to be sought in that
/// action is unsettled (`same_security_judicial_senior`). A blank senior
/// sale type is asked (`missing:senior_sale_type`). Checked before the
/// same-holder review.
fn same_security(loan: &Loan, cx: &mut Ctx) -> Result<Option<Found>, Ask> {
    if !(loan.same_holder_as_senior && loan.senior_secures_this_note) {
        return Ok(None);
    }
    let judicial = match loan.senior_sale_type {
        Some(t) => t == SeniorSaleType::Judicial,
        None => cx.ask(q::SeniorSaleType)? == questions::SeniorSale::Judicial,
    };
    if !judicial {
        cx.note(
            Some(Rule::SameSecurity),
            || "same holder; the senior deed of trust also secured this note; trustee's sale".into(),
            || "sold under the power of sale of this note's security: 580d bars any deficiency".into(),
        );
        return Ok(Some(Found::bars(Rule::SameSecurity)));
    }
    let barred = cx.ask(q::SameSecurityJudicial)? == Reading::Borrower;
    cx.note(
        Some(Rule::SameSecurityJudicialSenior),
        || "same holder; the senior mortgage also secured this note; judicial sale".into(),
        || {
            if barred {
                "read for the borrower: the deficiency had to be sought in that action: barred".into()
            } else {
                "read for the holder: the junior note may still be sued on".into()
            }
        },
    );
    Ok(barred.then(|| Found::bars(Rule::SameSecurityJudicialSenior)))
}

/// Why the junior may or may not sue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Junior {
    /// Sold out by another's sale (Roseleaf) or the same holder's separate loans (Black Sky).
    MaySue,
    /// Same holder, contemporaneous liens, the setting off: Black Sky followed.
    ContemporaneousAllowed,
    /// Same holder, contemporaneous liens, read for the holder (Black Sky).
    ContemporaneousForHolder,
    /// Same holder, contemporaneous liens, read for the borrower (Simon).
    SimonBars,
}

fn test(loan: &Loan, cx: &mut Ctx) -> Result<Junior, Ask> {
    if !(loan.same_holder_as_senior && loan.liens_contemporaneous) {
        return Ok(Junior::MaySue);
    }
    if !cx.settings().same_holder_contemporaneous_review {
        return Ok(Junior::ContemporaneousAllowed);
    }
    Ok(match cx.ask(q::SameHolderContemporaneous)? {
        Reading::Holder => Junior::ContemporaneousForHolder,
        Reading::Borrower => Junior::SimonBars,
    })
}

fn trace(loan: &Loan, cx: &mut Ctx, why: Junior) {
    match why {
        Junior::MaySue => cx.note(
            Some(Rule::SoldOutJunior),
            || {
                format!(
                    "same_holder_as_senior = {}; liens_contemporaneous = {}",
                    loan.same_holder_as_senior, loan.liens_contemporaneous
                )
            },
            || {
                if loan.same_holder_as_senior {
                    "same holder, separate loans: Black Sky allows recovery on the junior".into()
                } else {
                    "sold out by another's sale: Roseleaf allows an action on the note".into()
                }
            },
        ),
        Junior::ContemporaneousAllowed => {}
        Junior::ContemporaneousForHolder | Junior::SimonBars => cx.note(
            Some(Rule::SameHolderContemporaneous),
            || "same_holder_as_senior = true; liens_contemporaneous = true".into(),
            || {
                if why == Junior::SimonBars {
                    "read for the borrower (Simon): barred".into()
                } else {
                    "read for the holder (Black Sky): recoverable".into()
                }
            },
        ),
    }
}
