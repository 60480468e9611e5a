//! Probate Code 9391: a holder that forecloses after the borrower's death
//! "shall have no further claim against the estate" when it waived recourse
//! against other estate property: no deficiency (docs/law.md,
//! probate_9391_waiver).

use super::prelude::*;

/// Rule `probate_9391_waiver` (step 4, any event): a bar.
pub fn waiver(loan: &Loan, cx: &mut Ctx) -> Result<Option<Found>, Ask> {
    let waived = loan.probate_9391_waiver;
    if waived {
        cx.note(
            Some(Rule::Probate9391Waiver),
            || "probate_9391_waiver = true".into(),
            || "foreclosed waiving recourse against other estate property: no deficiency".into(),
        );
    }
    Ok(waived.then(|| Found::bars(Rule::Probate9391Waiver)))
}
