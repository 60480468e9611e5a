//! Scope: California real property, whose lien the event ended (docs/law.md,
//! out_of_state, chattel_manufactured_home, lien_survives).
//!
//! The anti-deficiency statutes applied here (CCP 580a, 580b, 580d, 580e,
//! 726) govern California real property. A loan on property in another state
//! is `out_of_scope` / `out_of_state`: its whole deficiency is undetermined.
//! A manufactured home titled as personal property is a Commercial Code
//! security interest, outside the chapter (CCP 730.5): `out_of_scope` /
//! `chattel_manufactured_home`. A holder that did not release its lien in a
//! short sale still has its security (CCP 580e(a), 726(a)): there was no
//! deficiency event (`lien_survives`).

use super::prelude::*;

/// Rule `out_of_state`: the property is not in California.
pub fn out_of_state(loan: &Loan, cx: &mut Ctx) -> Option<Rule> {
    let out = !loan.in_california();
    cx.note(
        Some(Rule::OutOfState),
        || format!("state = {}", loan.state_str()),
        || {
            if out { "outside California: out of scope".into() } else { "California property: in scope".into() }
        },
    );
    out.then_some(Rule::OutOfState)
}

/// Step 1, in order: out of state, a chattel manufactured home, a lien that
/// survived the short sale. `Some` takes the loan out of scope.
pub fn out_of_scope(loan: &Loan, cx: &mut Ctx) -> Option<Rule> {
    if let Some(r) = out_of_state(loan, cx) {
        return Some(r);
    }
    if loan.collateral_type == crate::loan::CollateralType::ManufacturedHomeChattel {
        cx.note(
            Some(Rule::ChattelManufacturedHome),
            || "collateral_type = manufactured_home_chattel".into(),
            || "personal property (CCP 730.5): out of scope".into(),
        );
        return Some(Rule::ChattelManufacturedHome);
    }
    if loan.event_type == crate::loan::EventType::ShortSale && !loan.lien_released {
        cx.note(
            Some(Rule::LienSurvives),
            || "short sale; lien_released = false".into(),
            || "the lien survived: its security still exists, out of scope".into(),
        );
        return Some(Rule::LienSurvives);
    }
    None
}
