//! The deficiency arithmetic (docs/law.md "How amounts are split").
//!
//! - `total_debt` = unpaid principal + accrued interest + advances + costs.
//! - `gross_deficiency` = total debt − sale price (for `senior_sale`: total
//!   debt − surplus received), never below zero.
//! - `surplus` = sale price − total debt when positive (always 0 for
//!   `senior_sale`).
//! - `gross_deficiency`, `recoverable` and `undetermined` are truncated to the
//!   cent ([`money::cents`], CCP 577.5); `barred` is the remainder, so
//!   `recoverable + barred + undetermined = gross_deficiency` exactly.

use crate::loan::{EventType, Loan};
use crate::money::{self, Money};

/// The amounts that do not depend on the law.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amounts {
    /// Exact, as the inputs add up.
    pub total_debt: Money,
    /// In cents.
    pub gross: Money,
    /// In cents.
    pub surplus: Money,
}

/// Computes the amounts for one loan.
pub fn amounts(loan: &Loan) -> Amounts {
    let total_debt = loan.unpaid_principal + loan.accrued_interest + loan.advances + loan.costs;
    let credit = match loan.event_type {
        EventType::SeniorSale => loan.surplus_received,
        _ => loan.sale_price.unwrap_or_default(),
    };
    let shortfall = total_debt - credit;
    let gross = money::cents(shortfall.max(Money::ZERO));
    let surplus = match loan.event_type {
        EventType::SeniorSale => Money::ZERO,
        _ => money::cents((-shortfall).max(Money::ZERO)),
    };
    Amounts { total_debt, gross, surplus }
}

/// The split of the gross deficiency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub recoverable: Money,
    pub barred: Money,
    pub undetermined: Money,
}

/// A violated money invariant: a bug in the engine, never a data problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "money invariant violated for loan {loan_id}: recoverable {recoverable} + barred {barred} + undetermined {undetermined} != gross {gross}, or a part is negative"
)]
pub struct InvariantViolation {
    pub loan_id: String,
    pub gross: Money,
    pub recoverable: Money,
    pub barred: Money,
    pub undetermined: Money,
}

/// Splits `gross` given the recoverable and undetermined parts (each
/// truncated to the cent); `barred` is the remainder. Checks the invariant.
pub fn split(
    loan_id: &str,
    gross: Money,
    recoverable: Money,
    undetermined: Money,
) -> Result<Split, InvariantViolation> {
    let recoverable = money::cents(recoverable);
    let undetermined = money::cents(undetermined);
    let barred = gross - recoverable - undetermined;
    let ok = recoverable >= Money::ZERO
        && undetermined >= Money::ZERO
        && barred >= Money::ZERO
        && recoverable + barred + undetermined == gross;
    if ok {
        Ok(Split { recoverable, barred, undetermined })
    } else {
        Err(InvariantViolation { loan_id: loan_id.to_string(), gross, recoverable, barred, undetermined })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use std::str::FromStr;

    fn m(s: &str) -> Money {
        Money::from_str(s).unwrap()
    }

    #[test]
    fn gross_and_surplus() {
        let date = NaiveDate::from_ymd_opt(2025, 6, 10).unwrap();
        let mut loan = Loan::new("x", EventType::JudicialSale, date, m("100000"), Some(m("85000")));
        loan.costs = m("5000");
        let a = amounts(&loan);
        assert_eq!((a.total_debt, a.gross, a.surplus), (m("105000"), m("20000"), m("0")));
        loan.sale_price = Some(m("105000.019"));
        let a = amounts(&loan);
        assert_eq!((a.gross, a.surplus), (m("0"), m("0.01")));
        let mut junior = Loan::new("j", EventType::SeniorSale, date, m("78250.509"), None);
        junior.surplus_received = m("1000");
        let a = amounts(&junior);
        assert_eq!((a.gross, a.surplus), (m("77250.50"), m("0")));
    }

    #[test]
    fn split_checks_the_invariant() {
        let s = split("x", m("100"), m("40.009"), m("0")).unwrap();
        assert_eq!((s.recoverable, s.barred, s.undetermined), (m("40.00"), m("60.00"), m("0")));
        assert!(split("x", m("100"), m("80"), m("30")).is_err());
    }
}
