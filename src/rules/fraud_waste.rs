//! Fraud and waste carve-outs.
//!
//! CCP 580e(c): "If the trustor or mortgagor commits either fraud with respect
//! to the sale of, or waste with respect to, the real property …, this section
//! shall not limit the ability of the holder … to seek damages and use
//! existing rights and remedies … for fraud or waste." See also CCP
//! 726(f)–(h) (fraud inducing the loan) and Cornelison v. Kornbluth (1975)
//! 15 Cal.3d 590 (waste). These preserve a damages claim, not the deficiency
//! as such, and its amount is for a court: the loan goes to `needs_review`
//! with the whole gross deficiency undetermined (docs/law.md "How amounts are split").

use super::prelude::*;

/// Rule `fraud_or_waste`: the borrower committed fraud in the sale or waste.
pub fn carve_out(loan: &Loan, cx: &mut Ctx) -> Option<Rule> {
    let f = loan.fraud_or_waste;
    if f {
        cx.note(Some(Rule::FraudOrWaste), || "fraud_or_waste = true".into(), || {
            "a damages claim may reach the whole shortfall: needs review (the statutory result without the flag follows)".into()
        });
    }
    f.then_some(Rule::FraudOrWaste)
}
