//! CCP 580d: no deficiency after a sale under power of sale.
//!
//! CCP 580d(a): "Except as provided in subdivision (b), no deficiency shall be
//! owed or collected, and no deficiency judgment shall be rendered for a
//! deficiency on a note secured by a deed of trust or mortgage on real
//! property … in any case in which the real property … has been sold by the
//! mortgagee or trustee under power of sale contained in the mortgage or deed
//! of trust."
//!
//! (b): guarantor, pledgor and surety liability, and other collateral, are
//! not affected (flag `guarantor_separate_analysis`).
//!
//! (c): "This section does not apply to any deed of trust, mortgage, or other
//! lien given to secure the payment of bonds or other evidences of
//! indebtedness authorized or permitted to be issued by the Commissioner of
//! Financial Protection and Innovation, or which is made by a public utility
//! subject to the Public Utilities Act" — those liens take the CCP 580a path.
//!
//! Applies to any property, any borrower, purchase money or not. A junior
//! sold out by another's sale is not "sold … under power of sale contained
//! in" its own deed of trust (Roseleaf; Black Sky): see `sold_out_junior`.

use super::prelude::*;

/// Rule `580d_trustee_sale`: this lien's own trustee sold the property and the
/// lien is not a 580d(c) bond or public-utility lien (a bar); a 580d(c) lien
/// takes the 580a path, `580a_deficiency`.
pub fn trustee_sale(loan: &Loan, cx: &mut Ctx) -> Result<Found, Ask> {
    let bars = !loan.bond_or_utility_lien;
    cx.note(
        Some(Rule::TrusteeSale),
        || format!("trustee's sale under this deed of trust; bond_or_utility_lien = {}", loan.bond_or_utility_lien),
        || {
            if bars {
                "580d(a) bars any deficiency".into()
            } else {
                "580d(c): 580d does not apply to a bond or public-utility lien; 580a governs".into()
            }
        },
    );
    Ok(if bars { Found::bars(Rule::TrusteeSale) } else { Found::recovers(Rule::NonjudicialDeficiency) })
}
