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

use super::bankruptcy::Status;
use super::clock::{self, Period, Rule2, windows};
use super::prelude::*;
use super::r108;
use crate::deadlines::period_end;
use crate::money::Money;
use chrono::NaiveDate;

/// The end of the redemption period after a judicial sale whose decree
/// permits a deficiency, through its windows (emergency rule 2 per
/// `emergency_rule_2_model`, military service) and 11 U.S.C. 108(b). `None`
/// when it cannot be known (an open window, emergency rule 2 read both ways),
/// with the flag that says why.
pub fn redemption_ends(loan: &Loan, total_debt: Money, cx: &mut Ctx, st: Status) -> (Option<NaiveDate>, Flags) {
    let covered = loan.sale_price.unwrap_or_default() >= total_debt;
    let months = if covered { 3 } else { 12 };
    let s = cx.settings();
    let period = |rule_2: bool| {
        let w = windows(loan, cx, Period::Redemption { rule_2 }, st);
        period_end(loan.event_date, months, &w, s.month_end, s.redemption_roll_forward, cx.env.calendar)
    };
    let mut flags = Flags::new();
    let dl = match clock::rule_2(cx) {
        Rule2::Without => period(false),
        Rule2::With => period(true),
        Rule2::BothWays => {
            let (without, with) = (period(false), period(true));
            if without.date != with.date {
                flags.push(Flag::EmergencyRule2Redemption);
                cx.note(
                    None,
                    || "CCP 729.030 and emergency rule 2".into(),
                    || {
                        format!(
                            "redemption ends {} without rule 2, {} with it: shown blank",
                            show(without.date),
                            show(with.date)
                        )
                    },
                );
                return (None, flags);
            }
            without
        }
    };
    let Some(end) = dl.date else {
        flags.push(Flag::ScraServiceOngoing);
        cx.note(None, || "CCP 729.030".into(), || format!("redemption: {}", dl.describe()));
        return (None, flags);
    };
    let (end, by_108b) = r108::redemption(loan, cx, st, end);
    if by_108b {
        flags.push(Flag::BankruptcyRedemption);
    }
    cx.note(
        None,
        || format!("CCP 729.030: sale price {} the debt with costs", if covered { "covers" } else { "does not cover" }),
        || {
            let mut t = format!("redemption ends {end} ({})", dl.describe());
            if by_108b {
                t.push_str("; a petition inside the period gives 60 days (11 U.S.C. 108(b))");
            }
            t
        },
    );
    (Some(end), flags)
}

fn show(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "(open)".into())
}
