//! Value syntax of the native layout (README "Input: the native layout"): dates, money, booleans,
//! enumerations, integers. Parsed straight from trimmed bytes.

use crate::loan::*;
use crate::money::{self, Money, MoneyError};
use chrono::{Datelike, NaiveDate};

/// One cell: trimmed text, or a value a typed (Parquet) column holds in
/// its own type. A typed cell means exactly the text [`Cell::render`]
/// writes for it, so both readings type a value the same way; the common
/// cases skip the text (see `typed_values_read_as_their_text`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Blank,
    Text(&'a str),
    /// `mantissa / 10^scale` (a Decimal or integer column; a float column's
    /// nearest cent).
    Num(i128, u32),
    /// A float that is no amount of cents (NaN, infinite, too large).
    Float(f64),
    Date(NaiveDate),
    Bool(bool),
}

impl<'a> Cell<'a> {
    /// Trims ASCII whitespace; empty is `Blank`.
    #[inline]
    pub fn from_text(s: &'a str) -> Cell<'a> {
        let b = s.as_bytes();
        // Most cells have nothing to trim.
        let t = match (b.first(), b.last()) {
            (Some(f), Some(l)) if !f.is_ascii_whitespace() && !l.is_ascii_whitespace() => s,
            _ => s.trim_ascii(),
        };
        if t.is_empty() { Cell::Blank } else { Cell::Text(t) }
    }
    /// From raw bytes; invalid UTF-8 is an error.
    pub fn from_bytes(b: &'a [u8]) -> Result<Cell<'a>, ValueError> {
        std::str::from_utf8(b).map(Cell::from_text).map_err(|_| ValueError::Utf8)
    }
    pub fn is_blank(self) -> bool {
        matches!(self, Cell::Blank)
    }
    /// The text of a text cell (`None` for blank and typed cells).
    pub fn text(self) -> Option<&'a str> {
        match self {
            Cell::Text(s) => Some(s),
            _ => None,
        }
    }
    /// Appends the text the cell stands for (what a CSV twin of the file
    /// holds): plain decimal with zeros past the cents dropped, the float's
    /// own digits, `YYYY-MM-DD`, `true`/`false`.
    pub fn render(self, out: &mut Vec<u8>) {
        match self {
            Cell::Blank => {}
            Cell::Text(s) => out.extend_from_slice(s.as_bytes()),
            Cell::Num(m, scale) => money::write_scaled(m, scale, out),
            Cell::Float(x) => out.extend_from_slice(x.to_string().as_bytes()),
            Cell::Date(d) => crate::dates::write_ymd(d, out),
            Cell::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        }
    }
    /// Calls `f` with the cell as text: a typed cell is rendered first.
    pub fn via_text<R>(self, f: impl FnOnce(Cell<'_>) -> R) -> R {
        match self {
            Cell::Blank | Cell::Text(_) => f(self),
            _ => {
                let mut buf = Vec::with_capacity(48);
                self.render(&mut buf);
                f(Cell::from_text(std::str::from_utf8(&buf).unwrap_or_default()))
            }
        }
    }
}

/// Why a cell's value is unusable; displayed after the quoted value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("is not valid UTF-8 text")]
    Utf8,
    #[error("is not a date (expected YYYY-MM-DD)")]
    Date,
    #[error("{0}")]
    Money(MoneyError),
    #[error("is not true/false (accepted: true, false, yes, no, y, n, 1, 0)")]
    Bool,
    #[error("is not one of: {0}")]
    Enum(String),
    #[error("is not a whole number {0}")]
    Integer(&'static str),
    #[error("is not a two-letter state code")]
    State,
    /// A cell the `--map` mapping reads in its own form.
    #[error("is not {0}")]
    Mapped(String),
}

/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<NaiveDate, ValueError> {
    crate::dates::parse_ymd(s).ok_or(ValueError::Date)
}

pub fn date(c: Cell) -> Result<NaiveDate, ValueError> {
    match c {
        Cell::Date(d) if (0..=9999).contains(&d.year()) => Ok(d),
        Cell::Blank | Cell::Text(_) => parse_date(c.text().unwrap_or_default()),
        _ => c.via_text(date),
    }
}

pub fn money(c: Cell) -> Result<Money, ValueError> {
    match c {
        Cell::Blank | Cell::Text(_) => {
            money::parse_money(c.text().unwrap_or_default().as_bytes()).map_err(ValueError::Money)
        }
        Cell::Num(m, scale) => match exact_amount(m, scale) {
            Some(v) => Ok(v),
            None => c.via_text(money),
        },
        _ => c.via_text(money),
    }
}

/// `mantissa / 10^scale` as [`money::parse_money`] reads its text, when it is
/// an amount; `None` leaves the error to the text reading.
fn exact_amount(mantissa: i128, scale: u32) -> Option<Money> {
    let (mut m, mut s) = (mantissa, scale);
    if m < 0 || s > 38 {
        return None;
    }
    // the text drops zeros past the cents
    while s > 2 && m % 10 == 0 {
        m /= 10;
        s -= 1;
    }
    if s > 12 || m / 10i128.pow(s) >= 10i128.pow(15) {
        return None;
    }
    Money::try_from_i128_with_scale(m, s).ok()
}

pub fn boolean(c: Cell) -> Result<bool, ValueError> {
    match c {
        Cell::Bool(b) => return Ok(b),
        Cell::Blank | Cell::Text(_) => {}
        _ => return c.via_text(boolean),
    }
    let s = c.text().unwrap_or_default().as_bytes();
    // the usual spellings first
    match s {
        b"true" | b"1" => return Ok(true),
        b"false" | b"0" => return Ok(false),
        _ => {}
    }
    let mut lower = [0u8; 5];
    if s.len() > lower.len() {
        return Err(ValueError::Bool);
    }
    for (l, b) in lower.iter_mut().zip(s) {
        *l = b.to_ascii_lowercase();
    }
    match &lower[..s.len()] {
        b"true" | b"yes" | b"y" | b"1" => Ok(true),
        b"false" | b"no" | b"n" | b"0" => Ok(false),
        _ => Err(ValueError::Bool),
    }
}

pub fn event_type(c: Cell) -> Result<EventType, ValueError> {
    c.via_text(|c| {
        EventType::parse(c.text().unwrap_or_default()).ok_or_else(|| ValueError::Enum(EventType::expected()))
    })
}

fn integer(c: Cell, min: u32, what: &'static str) -> Result<u32, ValueError> {
    match c {
        Cell::Num(m, 0) if (0..=i128::from(u32::MAX)).contains(&m) => {
            let v = m as u32;
            return if v >= min { Ok(v) } else { Err(ValueError::Integer(what)) };
        }
        Cell::Blank | Cell::Text(_) => {}
        _ => return c.via_text(|c| integer(c, min, what)),
    }
    let s = c.text().unwrap_or_default();
    match s.parse::<u32>() {
        Ok(v) if v >= min && s.bytes().all(|b| b.is_ascii_digit()) => Ok(v),
        _ => Err(ValueError::Integer(what)),
    }
}

macro_rules! opt {
    ($c:expr, $f:expr) => {
        if $c.is_blank() { None } else { Some($f($c)?) }
    };
}

macro_rules! enum_of {
    ($ty:ty) => {
        |c: Cell| <$ty>::parse(c.text().unwrap_or_default()).ok_or_else(|| ValueError::Enum(<$ty>::expected()))
    };
}

/// Sets an optional column on `loan` from its cell: blank keeps the layout's
/// default (or unknown).
pub fn set_optional(loan: &mut Loan, f: Field, c: Cell) -> Result<(), ValueError> {
    // Text, enumerations, states and signed amounts are read as text only.
    if matches!(f.kind(), Kind::Text | Kind::Enum | Kind::State | Kind::SignedMoney)
        && !matches!(c, Cell::Blank | Cell::Text(_))
    {
        return c.via_text(|c| set_optional(loan, f, c));
    }
    let b =
        |c: Cell, default: bool| -> Result<bool, ValueError> { if c.is_blank() { Ok(default) } else { boolean(c) } };
    let m0 = |c: Cell| -> Result<Money, ValueError> { if c.is_blank() { Ok(Money::ZERO) } else { money(c) } };
    match f {
        Field::State => {
            if let Cell::Text(s) = c {
                let bytes = s.as_bytes();
                if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_alphabetic) {
                    return Err(ValueError::State);
                }
                loan.state = [bytes[0].to_ascii_uppercase(), bytes[1].to_ascii_uppercase()];
            }
        }
        Field::LienPosition => loan.lien_position = opt!(c, |c| integer(c, 1, "of 1 or more")),
        Field::LoanPurpose => loan.loan_purpose = opt!(c, enum_of!(LoanPurpose)),
        Field::SellerFinanced => loan.seller_financed = b(c, false)?,
        Field::OriginationDate => loan.origination_date = opt!(c, date),
        Field::PropertyUnits => loan.property_units = opt!(c, |c| integer(c, 0, "of 0 or more")),
        Field::OwnerOccupied => loan.owner_occupied = opt!(c, boolean),
        Field::BorrowerType => loan.borrower_type = opt!(c, enum_of!(BorrowerType)),
        Field::AccruedInterest => loan.accrued_interest = m0(c)?,
        Field::Advances => loan.advances = m0(c)?,
        Field::Costs => loan.costs = m0(c)?,
        Field::FairValue => loan.fair_value = opt!(c, money),
        Field::SurplusReceived => loan.surplus_received = m0(c)?,
        Field::RefinancesPurchaseMoney => loan.refinances_purchase_money = opt!(c, boolean),
        Field::FirstRefinanceDate => loan.first_refinance_date = opt!(c, date),
        Field::PurchaseMoneyPayoff => loan.purchase_money_payoff = opt!(c, money),
        Field::RefinanceCostsFinanced => loan.refinance_costs_financed = m0(c)?,
        Field::NewAdvance => loan.new_advance = opt!(c, money),
        Field::PrincipalPaid => loan.principal_paid = opt!(c, money),
        Field::SameHolderAsSenior => loan.same_holder_as_senior = b(c, false)?,
        Field::LiensContemporaneous => loan.liens_contemporaneous = b(c, false)?,
        Field::SeniorSaleType => loan.senior_sale_type = opt!(c, enum_of!(SeniorSaleType)),
        Field::WrittenConsent => loan.written_consent = opt!(c, boolean),
        Field::DeedRecorded => loan.deed_recorded = b(c, true)?,
        Field::ProceedsTendered => loan.proceeds_tendered = b(c, true)?,
        Field::SecuredSolely => loan.secured_solely = b(c, true)?,
        Field::FraudOrWaste => loan.fraud_or_waste = b(c, false)?,
        Field::DeficiencyWaived => loan.deficiency_waived = b(c, false)?,
        Field::DeedInLieuTerms => loan.deed_in_lieu_terms = opt!(c, enum_of!(DeedInLieuTerms)),
        Field::BondOrUtilityLien => loan.bond_or_utility_lien = b(c, false)?,
        Field::Guarantor => loan.guarantor = b(c, false)?,
        Field::DeficiencyFiledDate => loan.deficiency_filed_date = opt!(c, date),
        Field::AccrualDate => loan.accrual_date = opt!(c, date),
        Field::Bankruptcy => loan.bankruptcy = if c.is_blank() { Bankruptcy::None } else { enum_of!(Bankruptcy)(c)? },
        Field::BankruptcyPetitionDate => loan.bankruptcy_petition_date = opt!(c, date),
        Field::BankruptcyDischargeDate => loan.bankruptcy_discharge_date = opt!(c, date),
        Field::DischargeException => loan.discharge_exception = b(c, false)?,
        Field::Accelerated => loan.accelerated = opt!(c, boolean),
        Field::FirstUnpaidDueDate => loan.first_unpaid_due_date = opt!(c, date),
        Field::ScheduledPayment => loan.scheduled_payment = opt!(c, money),
        Field::LastPaymentDate => loan.last_payment_date = opt!(c, date),
        Field::WrittenAcknowledgmentDate => loan.written_acknowledgment_date = opt!(c, date),
        Field::MaturityDate => loan.maturity_date = opt!(c, date),
        Field::NoteNegotiable => loan.note_negotiable = opt!(c, boolean),
        Field::BankruptcyStayEndDate => loan.bankruptcy_stay_end_date = opt!(c, date),
        Field::Chapter13CureAndMaintain => loan.chapter13_cure_and_maintain = b(c, false)?,
        Field::BorrowerDeathDate => loan.borrower_death_date = opt!(c, date),
        Field::CreditorClaimFiledDate => loan.creditor_claim_filed_date = opt!(c, date),
        Field::CreditorClaimRejectedDate => loan.creditor_claim_rejected_date = opt!(c, date),
        Field::LettersIssuedDate => loan.letters_issued_date = opt!(c, date),
        Field::ActionCommencedDate => loan.action_commenced_date = opt!(c, date),
        Field::Probate9391Waiver => loan.probate_9391_waiver = b(c, false)?,
        Field::MilitaryServiceStart => loan.military_service_start = opt!(c, date),
        Field::MilitaryServiceEnd => loan.military_service_end = opt!(c, date),
        Field::ScraCourtOrder => loan.scra_court_order = b(c, false)?,
        Field::ScraWaiverAgreement => loan.scra_waiver_agreement = b(c, false)?,
        Field::SaleFinalDate => loan.sale_final_date = opt!(c, date),
        Field::LoanProgram => loan.loan_program = opt!(c, enum_of!(LoanProgram)),
        Field::HolderType => {
            loan.holder_type = if c.is_blank() { HolderType::Private } else { enum_of!(HolderType)(c)? }
        }
        Field::Modified => loan.modified = b(c, false)?,
        Field::ModificationDate => loan.modification_date = opt!(c, date),
        Field::ModificationNewMoney => loan.modification_new_money = m0(c)?,
        Field::WorkoutWaiver => loan.workout_waiver = b(c, false)?,
        Field::SeniorSecuresThisNote => loan.senior_secures_this_note = b(c, false)?,
        Field::CollateralType => {
            loan.collateral_type =
                if c.is_blank() { CollateralType::RealProperty } else { enum_of!(CollateralType)(c)? }
        }
        Field::MixedUse => loan.mixed_use = b(c, false)?,
        Field::LienReleased => loan.lien_released = b(c, true)?,
        Field::ConsentPaymentRequired => loan.consent_payment_required = b(c, false)?,
        Field::ForeclosureMethod => {
            loan.foreclosure_method = opt!(c, |c: Cell| {
                let s = c.text().unwrap_or_default();
                let s = s.strip_suffix("_sale").unwrap_or(s);
                match s.to_ascii_lowercase().as_str() {
                    "judicial" => Ok(ForeclosureMethod::Judicial),
                    "trustee" | "nonjudicial" => Ok(ForeclosureMethod::Trustee),
                    _ => Err(ValueError::Enum("judicial_sale, trustee_sale".into())),
                }
            })
        }
        Field::AgencyNetLoss => {
            // may be negative (a gain)
            loan.agency_net_loss = opt!(c, |c: Cell| {
                money::parse_signed(c.text().unwrap_or_default().as_bytes()).map_err(ValueError::Money)
            })
        }
        Field::LoanId | Field::EventType | Field::EventDate | Field::UnpaidPrincipal | Field::SalePrice => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("2024-02-29"), Ok(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()));
        for bad in ["2023-02-29", "2024-2-29", "24-02-29", "2024/02/29", "2024-02-2x", "", "2024-13-01"] {
            assert_eq!(parse_date(bad), Err(ValueError::Date), "{bad}");
        }
    }

    #[test]
    fn booleans() {
        for (s, v) in [
            ("TRUE", true),
            ("No", false),
            ("y", true),
            ("0", false),
            ("Yes", true),
            ("fAlSe", false),
            ("N", false),
            ("1", true),
        ] {
            assert_eq!(boolean(Cell::Text(s)), Ok(v));
        }
        for bad in ["maybe", "truee", "", "2", "tru", "falsey"] {
            assert_eq!(boolean(Cell::Text(bad)), Err(ValueError::Bool), "{bad}");
        }
    }

    /// `Header::parse_row` skips blank cells: that is right only if a blank
    /// sets what `Loan::new` already holds.
    #[test]
    fn blank_cell_keeps_the_default() {
        let fresh = || Loan::new("x", EventType::TrusteeSale, NaiveDate::MIN, Money::ZERO, Some(Money::ZERO));
        for &f in &Field::ALL[Field::REQUIRED.len()..] {
            let mut l = fresh();
            set_optional(&mut l, f, Cell::Blank).unwrap();
            assert_eq!(format!("{l:?}"), format!("{:?}", fresh()), "{}", f.name());
        }
    }

    #[test]
    fn cells_trim_and_blank() {
        assert_eq!(Cell::from_text("  x \t"), Cell::Text("x"));
        assert_eq!(Cell::from_text("   "), Cell::Blank);
        assert_eq!(Cell::from_bytes(b"\xff"), Err(ValueError::Utf8));
    }

    /// A typed (Parquet) cell reads exactly as the text it renders to, the
    /// text a CSV twin of the file holds: same value (and scale), same error.
    #[test]
    fn typed_values_read_as_their_text() {
        use proptest::prelude::*;
        let as_text = |c: Cell, f: &dyn Fn(Cell) -> String| {
            let mut buf = Vec::new();
            c.render(&mut buf);
            f(Cell::from_text(std::str::from_utf8(&buf).unwrap()))
        };
        let amount = |c: Cell| format!("{:?}", money(c).map(|m| (m.mantissa(), m.scale())));
        let count = |c: Cell| format!("{:?}", integer(c, 1, "of 1 or more"));
        let flag = |c: Cell| format!("{:?}", boolean(c));
        let day = |c: Cell| format!("{:?}", date(c));
        let mut runner = proptest::test_runner::TestRunner::default();
        let mantissa = prop_oneof![
            -1000i128..100_000_000,
            any::<i64>().prop_map(i128::from),
            any::<i128>(),
            (0u32..39).prop_map(|p| 10i128.pow(p)),
            (1u32..39).prop_map(|p| 10i128.pow(p) - 1),
        ];
        runner
            .run(&(mantissa, 0u32..=38), |(m, scale)| {
                let c = Cell::Num(m, scale);
                prop_assert_eq!(amount(c), as_text(c, &amount));
                prop_assert_eq!(count(c), as_text(c, &count));
                prop_assert_eq!(flag(c), as_text(c, &flag));
                Ok(())
            })
            .unwrap();
        runner
            .run(&any::<i32>(), |days| {
                if let Some(d) = crate::dates::from_epoch_days(days) {
                    prop_assert_eq!(day(Cell::Date(d)), as_text(Cell::Date(d), &day));
                }
                Ok(())
            })
            .unwrap();
        for b in [true, false] {
            assert_eq!(flag(Cell::Bool(b)), as_text(Cell::Bool(b), &flag));
        }
        for x in [f64::NAN, f64::INFINITY, 1e300] {
            assert_eq!(amount(Cell::Float(x)), as_text(Cell::Float(x), &amount));
        }
        // An enumeration from a typed cell reads its text, as CSV would.
        let mut l = Loan::new("x", EventType::TrusteeSale, NaiveDate::MIN, Money::ZERO, Some(Money::ZERO));
        assert!(set_optional(&mut l, Field::LoanPurpose, Cell::Num(7, 0)).is_err());
        set_optional(&mut l, Field::AgencyNetLoss, Cell::Num(-1250, 2)).unwrap();
        assert_eq!(l.agency_net_loss, Some(Money::new(-1250, 2)));
    }
}
