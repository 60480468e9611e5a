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
use super::questions::Reading;

/// Rule `sold_out_junior` (an action on the note), or `580d_same_holder`
/// when the same holder's contemporaneous liens are read for the borrower
/// (Simon).
pub fn junior(loan: &Loan, cx: &mut Ctx) -> Result<Found, Ask> {
    let why = test(loan, cx)?;
    trace(loan, cx, why);
    Ok(match why {
        Junior::SimonBars => Found::bars(Rule::SameHolderSimon),
        _ => Found::recovers(Rule::SoldOutJunior),
    })
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
