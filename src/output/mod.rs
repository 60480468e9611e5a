//! Output writers: per-loan results (CSV, JSONL), rejects (CSV), and the
//! atomic file every output is written through.
//!
//! A results row is [`ResultRow`]: the SPEC §4 columns in order, then three
//! context columns (`event_type`, `event_date`, `lien_position`, `agency_net_loss`) that let
//! `deficiency report` rebuild every report group from results alone.

pub mod atomic;
pub mod parquet;
pub mod rejects;
pub mod results;

use crate::engine::Assessment;
use crate::loan::{EventType, Loan};
use chrono::NaiveDate;

/// The SPEC §4 columns, in order.
pub const SPEC_COLUMNS: &[&str] = &[
    "row",
    "loan_id",
    "outcome",
    "primary_reason",
    "reasons",
    "citations",
    "total_debt",
    "gross_deficiency",
    "recoverable",
    "barred",
    "undetermined",
    "surplus",
    "action_deadline",
    "redemption_ends",
    "flags",
];

/// Context columns after the SPEC columns.
pub const CONTEXT_COLUMNS: &[&str] = &["event_type", "event_date", "lien_position", "agency_net_loss"];

/// Every results column, in order.
pub fn columns() -> Vec<&'static str> {
    SPEC_COLUMNS.iter().chain(CONTEXT_COLUMNS).copied().collect()
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

/// Appends a date as `YYYY-MM-DD`.
pub fn write_date(d: NaiveDate, out: &mut Vec<u8>) {
    use chrono::Datelike;
    let (y, m, dd) = (d.year().clamp(0, 9999) as u32, d.month(), d.day());
    out.extend_from_slice(&[
        b'0' + (y / 1000) as u8,
        b'0' + (y / 100 % 10) as u8,
        b'0' + (y / 10 % 10) as u8,
        b'0' + (y % 10) as u8,
        b'-',
        b'0' + (m / 10) as u8,
        b'0' + (m % 10) as u8,
        b'-',
        b'0' + (dd / 10) as u8,
        b'0' + (dd % 10) as u8,
    ]);
}
