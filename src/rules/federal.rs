//! Federal programs and holders (docs/law.md, hecm_nonrecourse,
//! federal_holder; docs/law.md "Flags").
//!
//! A HECM (FHA-insured reverse mortgage) is non-recourse: 24 CFR 206.27 makes
//! the borrower liable only to the extent of the property, and HUD Handbook
//! 4235.1 repeats it, whoever holds the note. A note the United States holds
//! is governed by federal law where federal interests require it (United
//! States v. Kimbell Foods (1979) 440 U.S. 715; United States v. Summerlin
//! (1940) 310 U.S. 414: state limitations periods do not run against the
//! United States; 28 U.S.C. 2415(a) sets its own): state bars and periods
//! may not govern, so the loan is reviewed. A HUD partial-claim note is held
//! by HUD. VA, FHA and USDA keep claims of their own against the borrower
//! (flags only: they are never the holder's money).

use super::prelude::*;
use crate::dates::ymd;
use crate::loan::{HolderType, LoanProgram};
use chrono::NaiveDate;

/// VA claims limited to fraud for loans closed from this day (38 U.S.C. 3703(e)).
pub const VA_FRAUD_ONLY_FROM: NaiveDate = ymd(1990, 1, 1);
/// HUD may require the deficiency judgment for loans insured from this day (24 CFR 203.369).
pub const HUD_FROM: NaiveDate = ymd(1988, 3, 28);

/// Rule `hecm_nonrecourse` (step 4, first): a bar whoever holds the note.
pub fn hecm(loan: &Loan, cx: &mut Ctx) -> Result<Option<Found>, Ask> {
    let hecm = loan.loan_program == Some(LoanProgram::Hecm);
    if hecm {
        cx.note(
            Some(Rule::HecmNonrecourse),
            || "loan_program = hecm".into(),
            || "an FHA reverse mortgage is non-recourse: no deficiency".into(),
        );
    }
    Ok(hecm.then(|| Found::bars(Rule::HecmNonrecourse)))
}

/// Rule `federal_holder` (a step-3 carve-out): the United States (or HUD,
/// for a partial claim) holds the note; never for a HECM.
pub fn federal_holder(loan: &Loan, cx: &mut Ctx) -> Option<Rule> {
    let federal = loan.holder_type == HolderType::Federal || loan.loan_program == Some(LoanProgram::PartialClaim);
    let applies = federal && loan.loan_program != Some(LoanProgram::Hecm);
    if applies {
        cx.note(
            Some(Rule::FederalHolder),
            || {
                format!(
                    "holder_type = {}; loan_program = {}",
                    loan.holder_type.name(),
                    loan.loan_program.map(|p| p.name()).unwrap_or("blank")
                )
            },
            || "the United States holds the note: state bars and periods may not govern; needs review".into(),
        );
    }
    applies.then_some(Rule::FederalHolder)
}

/// The VA and USDA flags, for a loan with a shortfall.
pub fn program_flags(loan: &Loan, gross: crate::money::Money) -> Option<Flag> {
    if gross.is_zero() {
        return None;
    }
    match loan.loan_program {
        Some(LoanProgram::Va) => Some(match loan.origination_date {
            Some(o) if o >= VA_FRAUD_ONLY_FROM => Flag::VaClaimFraudOnly,
            _ => Flag::VaGuarantyClaimPossible,
        }),
        Some(LoanProgram::Usda) => Some(Flag::UsdaTreasuryCollection),
        _ => None,
    }
}

/// The FHA flag, per branch: a judicial path that leaves something
/// recoverable or undetermined on a loan insured from 1988-03-28.
pub fn hud_may_require(loan: &Loan) -> bool {
    loan.loan_program == Some(LoanProgram::Fha) && loan.origination_date.is_some_and(|o| o >= HUD_FROM)
}
