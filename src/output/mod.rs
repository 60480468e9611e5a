//! Output writers: per-loan results (CSV, JSONL), rejects (CSV), and the
//! atomic file every output is written through.
//!
//! A results row is [`ResultRow`]: the README "Output: per-loan results" columns in order, then three
//! context columns (`event_type`, `event_date`, `lien_position`, `agency_net_loss`) that let
//! `deficiency report` rebuild every report group from results alone.

pub mod atomic;
pub mod frame;
pub mod parquet;
pub mod rejects;
pub mod results;

use crate::engine::Assessment;
use crate::loan::{EventType, Loan};
use crate::money::Money;
use crate::rules::{Flag, Reason};
use chrono::NaiveDate;

/// What a results column holds; each writer (CSV, JSONL, Parquet) and the
/// results reader of `deficiency report` types a column by its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// The data-row number (Parquet UInt64).
    RowNumber,
    /// Free text (CSV: quoted when needed).
    Text,
    /// A code: an outcome, a rule code or an event type (never quoted).
    Code,
    /// `;`-separated codes (reasons, flags) or citations.
    List,
    /// Money in cents (Parquet Decimal(18,2); JSONL a string with two decimals).
    Money,
    /// `YYYY-MM-DD` (Parquet Date).
    Date,
    /// A whole number (Parquet UInt32).
    Count,
}

macro_rules! result_columns {
    ($( $variant:ident => ($name:literal, $kind:ident) ),* $(,)?) => {
        /// The columns of a results file, in order: those of README "Output: per-loan results", then the
        /// context `deficiency report` needs to rebuild every group.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Column { $( $variant ),* }
        impl Column {
            pub const ALL: &'static [Column] = &[ $( Column::$variant ),* ];
            /// The column's name in every format.
            pub const fn name(self) -> &'static str {
                match self { $( Column::$variant => $name ),* }
            }
            pub const fn kind(self) -> ColumnKind {
                match self { $( Column::$variant => ColumnKind::$kind ),* }
            }
        }
    };
}

result_columns! {
    Row => ("row", RowNumber),
    LoanId => ("loan_id", Text),
    Outcome => ("outcome", Code),
    PrimaryReason => ("primary_reason", Code),
    Reasons => ("reasons", List),
    Citations => ("citations", List),
    TotalDebt => ("total_debt", Money),
    GrossDeficiency => ("gross_deficiency", Money),
    Recoverable => ("recoverable", Money),
    Barred => ("barred", Money),
    Undetermined => ("undetermined", Money),
    Surplus => ("surplus", Money),
    ActionDeadline => ("action_deadline", Date),
    RedemptionEnds => ("redemption_ends", Date),
    Flags => ("flags", List),
    // Context, after the README "Output: per-loan results" columns.
    EventType => ("event_type", Code),
    EventDate => ("event_date", Date),
    LienPosition => ("lien_position", Count),
    AgencyNetLoss => ("agency_net_loss", Money),
}

/// Every results column name, in order.
/// OWASP "CSV injection": a text cell a spreadsheet would run as a formula
/// (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a
/// leading `'`, which spreadsheets show as text. Applied to the text that
/// comes from input files (loan ids, file names, rejected values) in CSV
/// outputs under `--csv-safe`; codes and citations never start so.
pub fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

pub fn columns() -> Vec<&'static str> {
    Column::ALL.iter().map(|c| c.name()).collect()
}

/// One cell of a results row, typed by its column's kind.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    RowNumber(u64),
    Text(&'a str),
    Code(&'static str),
    Reason(Reason),
    Reasons(&'a [Reason]),
    Citations(&'a [Reason]),
    Flags(&'a [Flag]),
    Money(Option<Money>),
    Date(Option<NaiveDate>),
    Count(Option<u32>),
}

impl Value<'_> {
    /// Appends a code or list cell as text (`;`-separated), unquoted.
    pub fn write_codes(&self, out: &mut Vec<u8>) {
        match *self {
            Value::Code(c) => out.extend_from_slice(c.as_bytes()),
            Value::Reason(r) => r.write_code(out),
            Value::Reasons(rs) => join(out, rs, |r, o| r.write_code(o)),
            Value::Citations(rs) => join(out, rs, |r, o| o.extend_from_slice(r.citation().as_bytes())),
            Value::Flags(fs) => join(out, fs, |f, o| f.write_code(o)),
            _ => {}
        }
    }
}

fn join<T: Copy>(out: &mut Vec<u8>, items: &[T], write: impl Fn(T, &mut Vec<u8>)) {
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push(b';');
        }
        write(*x, out);
    }
}

/// One assessed loan as written.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    pub row: u64,
    /// Physical line in the input (CSV), for messages; not written.
    pub line: Option<u64>,
    pub loan_id: String,
    pub event_type: EventType,
    pub event_date: NaiveDate,
    pub lien_position: Option<u32>,
    pub agency_net_loss: Option<crate::money::Money>,
    pub assessment: Assessment,
}

impl ResultRow {
    pub fn new(row: u64, line: Option<u64>, loan: Loan, assessment: Assessment) -> ResultRow {
        ResultRow {
            row,
            line,
            loan_id: loan.loan_id,
            event_type: loan.event_type,
            event_date: loan.event_date,
            lien_position: loan.lien_position,
            agency_net_loss: loan.agency_net_loss,
            assessment,
        }
    }

    /// The cell of column `c`.
    pub fn value(&self, c: Column) -> Value<'_> {
        let a = &self.assessment;
        match c {
            Column::Row => Value::RowNumber(self.row),
            Column::LoanId => Value::Text(&self.loan_id),
            Column::Outcome => Value::Code(a.outcome.name()),
            Column::PrimaryReason => Value::Reason(a.primary()),
            Column::Reasons => Value::Reasons(&a.reasons),
            Column::Citations => Value::Citations(&a.reasons),
            Column::TotalDebt => Value::Money(Some(a.amounts.total_debt)),
            Column::GrossDeficiency => Value::Money(Some(a.amounts.gross)),
            Column::Recoverable => Value::Money(Some(a.recoverable)),
            Column::Barred => Value::Money(Some(a.barred)),
            Column::Undetermined => Value::Money(Some(a.undetermined)),
            Column::Surplus => Value::Money(Some(a.amounts.surplus)),
            Column::ActionDeadline => Value::Date(a.action_deadline),
            Column::RedemptionEnds => Value::Date(a.redemption_ends),
            Column::Flags => Value::Flags(&a.flags),
            Column::EventType => Value::Code(self.event_type.name()),
            Column::EventDate => Value::Date(Some(self.event_date)),
            Column::LienPosition => Value::Count(self.lien_position),
            Column::AgencyNetLoss => Value::Money(self.agency_net_loss),
        }
    }

    /// Appends `reasons` to `out`.
    pub fn write_reasons(&self, out: &mut Vec<u8>) {
        for (i, r) in self.assessment.reasons.iter().enumerate() {
            if i > 0 {
                out.push(b';');
            }
            r.write_code(out);
        }
    }

    /// Appends `citations` to `out`.
    pub fn write_citations(&self, out: &mut Vec<u8>) {
        for (i, r) in self.assessment.reasons.iter().enumerate() {
            if i > 0 {
                out.push(b';');
            }
            out.extend_from_slice(r.citation().as_bytes());
        }
    }

    /// Appends `flags` to `out`.
    pub fn write_flags(&self, out: &mut Vec<u8>) {
        for (i, f) in self.assessment.flags.iter().enumerate() {
            if i > 0 {
                out.push(b';');
            }
            f.write_code(out);
        }
    }
}

pub use crate::dates::write_ymd as write_date;
