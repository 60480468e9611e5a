//! One loan's state while its monthly records are read, and its
//! translation into native cells.

use super::*;

/// Facts tracked per loan: the latest non-blank value of each, by reporting
/// period (files need not be in period order within a loan).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Rate = 0,
    ZbCode,
    ZbDate,
    RemovalUpb,
    Lpi,
    FclDate,
    DispDate,
    FclCosts,
    PresCosts,
    RecoveryCosts,
    HoldingCosts,
    TaxCosts,
    Nsp,
    CeProcs,
    RmwProcs,
    OtherProcs,
    NonIntUpb,
    Forgiveness,
    Purpose,
    Units,
    Occupancy,
    State,
    OrigDate,
    Expenses,
    ActualLoss,
    Dai,
}

pub(crate) const NKEYS: usize = 26;

/// Where a performance layout keeps what the reader needs.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    pub agency: Agency,
    pub kind: FileKind,
    pub width: usize,
    pub id: usize,
    pub period: usize,
    /// Current actual UPB.
    pub upb: usize,
    /// Delinquency status (Freddie Mac: `R`/`RA` marks REO acquisition).
    pub dlq: Option<usize>,
    pub keys: Vec<(Key, usize)>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Slot {
    pub period: u32,
    pub set: bool,
    pub val: String,
}

impl Slot {
    pub(crate) fn offer(&mut self, period: u32, v: &str) {
        if !self.set || period >= self.period {
            self.set = true;
            self.period = period;
            self.val.clear();
            self.val.push_str(v);
        }
    }
    pub fn get(&self) -> Option<&str> {
        self.set.then_some(self.val.as_str())
    }
}

/// One loan's records so far.
#[derive(Debug, Default)]
pub(crate) struct LoanState {
    pub id: String,
    pub records: u64,
    /// Latest reporting period seen, and the line of its record.
    pub max_period: u32,
    pub line: u64,
    pub(crate) slots: Vec<Slot>,
    /// Latest non-zero current actual UPB.
    pub last_upb: Slot,
    /// Earliest period with delinquency status `R`/`RA` (REO acquisition).
    pub first_reo: Option<(u32, NaiveDate)>,
}

impl LoanState {
    pub(crate) fn reset(&mut self, id: &str) {
        self.id.clear();
        self.id.push_str(id);
        self.records = 0;
        self.max_period = 0;
        self.line = 0;
        if self.slots.len() != NKEYS {
            self.slots = vec![Slot::default(); NKEYS];
        }
        for s in &mut self.slots {
            s.set = false;
        }
        self.last_upb.set = false;
        self.first_reo = None;
    }
    /// The latest non-blank value of a field.
    pub fn get(&self, k: Key) -> Option<&str> {
        self.slots.get(k as usize).and_then(Slot::get)
    }
    pub fn date(&self, agency: Agency, k: Key) -> DateField {
        match self.get(k) {
            None => DateField::Blank,
            Some(s) => match date_of(agency, s) {
                Some(d) => DateField::Date(d),
                None => DateField::Bad(s.to_string()),
            },
        }
    }
    pub fn amount(&self, k: Key) -> Result<Option<Money>, String> {
        self.get(k).map_or(Ok(None), opt_amount)
    }
}

/// A date field of a loan.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DateField {
    Blank,
    Date(NaiveDate),
    /// Unreadable; the raw text.
    Bad(String),
}

impl DateField {
    /// The native cell, or why the agency's date could not be read.
    pub fn cell(&self, agency: Agency) -> Result<String, Bad> {
        match self {
            DateField::Blank => Ok(String::new()),
            DateField::Date(d) => Ok(date_text(*d)),
            DateField::Bad(s) => Err(Bad::new(
                s,
                match agency {
                    Agency::Fannie => "is not a Fannie Mae date (MMYYYY, MM/YYYY or MM/DD/YYYY)",
                    Agency::Freddie => "is not a Freddie Mac date (YYYYMM)",
                },
            )),
        }
    }
    pub fn is_blank(&self) -> bool {
        matches!(self, DateField::Blank)
    }
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            DateField::Date(d) => Some(*d),
            _ => None,
        }
    }
}

/// The loan facts of an acquisition / origination record, already as native
/// cells: state, loan_purpose, origination_date, property_units,
/// owner_occupied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrigFacts {
    pub(crate) state: Result<String, Bad>,
    pub(crate) loan_purpose: Result<String, Bad>,
    pub(crate) origination_date: Result<String, Bad>,
    pub(crate) property_units: Result<String, Bad>,
    pub(crate) owner_occupied: Result<String, Bad>,
}

impl OrigFacts {
    /// Facts for a loan with no origination record: the row is rejected
    /// naming the missing record; the rest stay unknown.
    pub(crate) fn missing(why: &str) -> OrigFacts {
        OrigFacts {
            state: Err(Bad::new("", why)),
            loan_purpose: Ok(String::new()),
            origination_date: Ok(String::new()),
            property_units: Ok(String::new()),
            owner_occupied: Ok(String::new()),
        }
    }

    /// Moves the facts into their native columns.
    pub(crate) fn write_into(self, c: &mut Cells) {
        c.set(Col::State, self.state);
        c.set(Col::LoanPurpose, self.loan_purpose);
        c.set(Col::OriginationDate, self.origination_date);
        c.set(Col::PropertyUnits, self.property_units);
        c.set(Col::OwnerOccupied, self.owner_occupied);
    }
}

/// What the reader makes of a finished loan.
#[derive(Debug)]
pub(crate) enum Translation {
    Emit {
        cells: Cells,
        /// `sale_price` is the REO resale's net proceeds, not the foreclosure bid.
        reo_proxy: bool,
    },
    Skip(&'static str),
}

/// A translated record: its native cells, and the first agency value that
/// could not be translated (the row's reject).
#[derive(Debug, Default)]
pub(crate) struct Cells {
    pub(crate) c: Box<[String; NCOLS]>,
    pub(crate) bad: Option<BadValue>,
}

impl std::ops::Index<Col> for Cells {
    type Output = String;
    fn index(&self, col: Col) -> &String {
        &self.c[col as usize]
    }
}

impl std::ops::IndexMut<Col> for Cells {
    fn index_mut(&mut self, col: Col) -> &mut String {
        &mut self.c[col as usize]
    }
}

impl Cells {
    /// Records that `value` could not be translated into column `col`; the
    /// first such value rejects the row.
    pub(crate) fn bad(&mut self, col: Col, value: &str, error: impl Into<String>) {
        if self.bad.is_none() {
            self.bad =
                Some(BadValue { column: COLUMNS[col as usize], value: value.trim().to_string(), error: error.into() });
        }
    }

    /// Sets `col` from a translation that may have failed.
    pub(crate) fn set(&mut self, col: Col, v: Result<String, Bad>) {
        match v {
            Ok(text) => self[col] = text,
            Err(Bad { value, error }) => self.bad(col, &value, error),
        }
    }
}

/// A value that could not be translated, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bad {
    pub(crate) value: String,
    pub(crate) error: String,
}

impl Bad {
    pub(crate) fn new(value: &str, error: impl Into<String>) -> Bad {
        Bad { value: value.trim().to_string(), error: error.into() }
    }
}

/// Builds a translated record.
pub(crate) fn cells(id: &str) -> Cells {
    let mut c = Cells::default();
    c[Col::LoanId] = id.to_string();
    c
}

/// Accrued interest at the note rate from the last paid installment's due
/// date to the event, on the interest-bearing balance, truncated to the
/// cent. `Ok(None)` when a fact is missing; `Err(text)` when one is
/// unreadable (the text becomes the cell, so the row is rejected naming it).
pub(crate) fn accrued_interest(
    upb: Option<Money>,
    non_interest: Result<Option<Money>, String>,
    rate: Result<Option<Money>, String>,
    lpi: &DateField,
    event: Option<NaiveDate>,
) -> Result<Option<Money>, String> {
    let rate = rate.map_err(|r| format!("unreadable current interest rate {r:?}"))?;
    let non_interest = non_interest.map_err(|r| format!("unreadable non-interest-bearing UPB {r:?}"))?;
    if let DateField::Bad(s) = lpi {
        return Err(format!("unreadable last paid installment date {s:?}"));
    }
    let (Some(upb), Some(rate), Some(lpi), Some(event)) = (upb, rate, lpi.date(), event) else {
        return Ok(None);
    };
    let months = months_between(lpi, event).max(0);
    let base = (upb - non_interest.unwrap_or_default()).max(Money::ZERO);
    let v = base
        .checked_mul(rate)
        .and_then(|x| x.checked_mul(Money::from(months)))
        .and_then(|x| x.checked_div(Money::from(1200)))
        .ok_or_else(|| "interest too large to compute".to_string())?;
    Ok(Some(money::cents(v)))
}
