//! Output writers: per-loan results (CSV, JSONL), rejects (CSV), and the
//! atomic file every output is written through.
//!
//! A results row is [`ResultRow`]: the SPEC §4 columns in order, then three
//! context columns (`event_type`, `event_date`, `lien_position`, `agency_net_loss`) that let
//! `deficiency report` rebuild every report group from results alone.

pub mod atomic;
pub mod parquet;
pub mod results;
pub mod rejects;

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
    pub loan_id: String,
    pub event_type: EventType,
    pub event_date: NaiveDate,
    pub lien_position: Option<u32>,
    pub agency_net_loss: Option<crate::money::Money>,
    pub assessment: Assessment,
}

impl ResultRow {
    pub fn new(row: u64, loan: &Loan, assessment: Assessment) -> ResultRow {
        ResultRow {
            row,
            loan_id: loan.loan_id.clone(),
            event_type: loan.event_type,
            event_date: loan.event_date,
            lien_position: loan.lien_position,
            agency_net_loss: loan.agency_net_loss,
            assessment,
        }
    }

    /// `reasons` as written: codes joined by `;`.
    pub fn reasons(&self) -> String {
        join(self.assessment.reasons.iter().map(|r| r.code()))
    }

    /// `citations` as written, one per reason.
    pub fn citations(&self) -> String {
        join(self.assessment.reasons.iter().map(|r| r.citation().into()))
    }

    /// `flags` as written.
    pub fn flags(&self) -> String {
        join(self.assessment.flags.iter().map(|f| f.code()))
    }
}

fn join<'a>(it: impl Iterator<Item = std::borrow::Cow<'a, str>>) -> String {
    let mut s = String::new();
    for (i, x) in it.enumerate() {
        if i > 0 {
            s.push(';');
        }
        s.push_str(&x);
    }
    s
}
