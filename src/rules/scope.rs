//! Scope: California property only.
//!
//! The anti-deficiency statutes applied here (CCP 580a, 580b, 580d, 580e,
//! 726) govern California real property. A loan on property in another state
//! is `out_of_scope` / `out_of_state`: its whole deficiency is undetermined.

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
