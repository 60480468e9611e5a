//! CCP 729.010–729.030: redemption after a judicial sale.
//!
//! CCP 729.010(a): "If the decree of foreclosure … determines that a
//! deficiency judgment may be ordered against the defendant, the real
//! property … shall be sold subject to the right of redemption."
//! CCP 729.030: "The redemption period … ends: (a) Three months after the
//! date of sale if the proceeds of the sale are sufficient to satisfy the
//! secured indebtedness with interest and costs of action and of sale. (b)
//! One year after the date of sale if the proceeds of the sale are not
//! sufficient …".
//!
//! Same month arithmetic as deadlines; whether CCP 12a roll-forward applies
//! to the redemption period is UNVERIFIED (setting `redemption_roll_forward`,
//! default on). No redemption when the deficiency is waived or CCP 580b
//! prohibits all of it (CCP 726(e), 716.020).

use super::prelude::*;
use crate::deadlines;
use crate::money::Money;
use chrono::NaiveDate;

/// The end of the redemption period after a judicial sale whose decree
/// permits a deficiency.
pub fn redemption_ends(loan: &Loan, total_debt: Money, cx: &mut Ctx) -> NaiveDate {
    let covered = loan.sale_price.unwrap_or_default() >= total_debt;
    let months = if covered { 3 } else { 12 };
    let s = cx.settings();
    let dl =
        deadlines::deadline(loan.event_date, months, s.month_end, None, s.redemption_roll_forward, cx.env.calendar);
    cx.note(
        None,
        || format!("CCP 729.030: sale price {} the debt with costs", if covered { "covers" } else { "does not cover" }),
        || format!("redemption ends {} ({})", dl.date, dl.describe(months)),
    );
    dl.date
}
