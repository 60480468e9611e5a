//! Aggregate reports (README "Reports"): totals and groups of recoverable versus
//! barred balances, built by adding results rows one at a time, so shards can
//! be assessed apart and merged ([`Report::merge`]) to the same totals.

pub mod csv_report;
pub mod html;
pub mod json;
pub mod markdown;
pub mod partial;
pub mod read;
pub mod tally;
pub mod watch;
pub mod xlsx;

use crate::loan::EventType;
use crate::money::Money;
use crate::output::ResultRow;
use crate::rules::{Flag, Outcome, Reason};
use chrono::Datelike;
use std::collections::BTreeMap;

/// The amounts of a group of loans.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Group {
    pub loans: u64,
    pub total_debt: Money,
    pub gross: Money,
    pub recoverable: Money,
    pub barred: Money,
    pub undetermined: Money,
    /// Loans carrying the agency's own net loss (public data sets), and its sum.
    pub agency_loans: u64,
    pub agency_net_loss: Money,
}

impl Group {
    fn add(&mut self, g: &Group) {
        self.agency_loans += g.agency_loans;
        self.agency_net_loss += g.agency_net_loss;
        self.loans += g.loans;
        self.total_debt += g.total_debt;
        self.gross += g.gross;
        self.recoverable += g.recoverable;
        self.barred += g.barred;
        self.undetermined += g.undetermined;
    }
}

/// What a report needs of one results row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    pub outcome: Outcome,
    pub primary: Reason,
    pub event_type: EventType,
    pub lien_position: Option<u32>,
    pub event_year: i32,
    /// The row's fixed flags, one bit each ([`flag_bits`]).
    pub flags: u64,
    pub amounts: Group,
}

/// What a primary reason means, in one line, for the reports' legal basis.
pub fn reason_summary(reason: Reason) -> String {
    match reason {
        Reason::Rule(r) => r.summary().to_string(),
        Reason::Missing(field) => {
            format!("{} is blank and the decision depends on it: a person must decide", field.name())
        }
    }
}

/// A set of fixed flags as bits, in the order of [`Flag::FIXED`].
pub fn flag_bits<'a>(flags: impl IntoIterator<Item = &'a Flag>) -> u64 {
    flags.into_iter().filter_map(|f| Flag::FIXED.iter().position(|x| x == f)).fold(0, |acc, i| acc | (1u64 << i))
}

impl Line {
    pub fn of(r: &ResultRow) -> Line {
        let a = &r.assessment;
        Line {
            flags: flag_bits(&a.flags),
            outcome: a.outcome,
            primary: a.primary(),
            event_type: r.event_type,
            lien_position: r.lien_position,
            event_year: r.event_date.year(),
            amounts: Group {
                loans: 1,
                total_debt: crate::money::cents(a.amounts.total_debt),
                gross: a.amounts.gross,
                recoverable: a.recoverable,
                barred: a.barred,
                undetermined: a.undetermined,
                agency_loans: u64::from(r.agency_net_loss.is_some()),
                agency_net_loss: r.agency_net_loss.map(crate::money::cents).unwrap_or_default(),
            },
        }
    }
}

/// One input file and its data rows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InputInfo {
    pub path: String,
    pub rows: u64,
}

/// Row counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowCounts {
    pub read: u64,
    pub assessed: u64,
    pub rejected: u64,
}

/// The aggregate report of one run (or of merged results).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub as_of: Option<chrono::NaiveDate>,
    pub inputs: Vec<InputInfo>,
    pub rows: RowCounts,
    pub totals: Group,
    pub by_outcome: BTreeMap<Outcome, Group>,
    pub by_reason: BTreeMap<Reason, Group>,
    pub by_event_type: BTreeMap<EventType, Group>,
    pub by_lien_position: BTreeMap<Option<u32>, Group>,
    pub by_event_year: BTreeMap<i32, Group>,
    /// Loans and amounts per advisory flag (a loan counts under each of its
    /// flags): "how much may we not collect?".
    pub by_flag: BTreeMap<Flag, Group>,
    /// Records read but not assessed, by category (public data sets).
    pub not_assessed: BTreeMap<String, u64>,
    /// Settings (name, value) the run used.
    pub settings: Vec<(String, String)>,
    /// Holiday calendar version and years.
    pub calendar: Option<(String, i32, i32)>,
    /// Warnings the inputs gave (printed by the command line, not rendered).
    pub warnings: Vec<String>,
    /// The deadline watch (README "Deadline watch").
    pub watch: watch::Watch,
    /// `--map`: the mapping file and what it says (JSON report only).
    pub mapping: Option<serde_json::Value>,
}

impl Report {
    /// Adds one assessed loan.
    pub fn add(&mut self, l: &Line) {
        let g = &l.amounts;
        self.totals.add(g);
        self.by_outcome.entry(l.outcome).or_default().add(g);
        self.by_reason.entry(l.primary).or_default().add(g);
        self.by_event_type.entry(l.event_type).or_default().add(g);
        self.by_lien_position.entry(l.lien_position).or_default().add(g);
        self.by_event_year.entry(l.event_year).or_default().add(g);
        for (i, f) in Flag::FIXED.iter().enumerate() {
            if l.flags & (1u64 << i) != 0 {
                self.by_flag.entry(*f).or_default().add(g);
            }
        }
    }

    /// Adds another report's loans and rows (shards of one portfolio).
    pub fn merge(&mut self, other: &Report) {
        self.inputs.extend(other.inputs.iter().cloned());
        self.rows.read += other.rows.read;
        self.rows.assessed += other.rows.assessed;
        self.rows.rejected += other.rows.rejected;
        self.totals.add(&other.totals);
        for (k, n) in &other.not_assessed {
            *self.not_assessed.entry(k.clone()).or_default() += n;
        }
        fn m<K: Ord + Clone>(a: &mut BTreeMap<K, Group>, b: &BTreeMap<K, Group>) {
            for (k, g) in b {
                a.entry(k.clone()).or_default().add(g);
            }
        }
        m(&mut self.by_outcome, &other.by_outcome);
        m(&mut self.by_reason, &other.by_reason);
        m(&mut self.by_event_type, &other.by_event_type);
        m(&mut self.by_lien_position, &other.by_lien_position);
        m(&mut self.by_event_year, &other.by_event_year);
        m(&mut self.by_flag, &other.by_flag);
        if self.watch.as_of.is_none() {
            self.watch.as_of = other.watch.as_of;
            self.watch.days = other.watch.days.clone();
        }
        self.watch.extend(other.watch.entries.iter().cloned());
    }

    /// The grouping dimensions in report order: (name, [(key, group)]).
    pub fn dimensions(&self) -> Vec<(&'static str, Vec<(String, Group)>)> {
        vec![
            ("by_outcome", self.by_outcome.iter().map(|(k, g)| (k.name().to_string(), *g)).collect()),
            ("by_reason", self.by_reason.iter().map(|(k, g)| (k.code().into_owned(), *g)).collect()),
            ("by_event_type", self.by_event_type.iter().map(|(k, g)| (k.name().to_string(), *g)).collect()),
            (
                "by_lien_position",
                self.by_lien_position
                    .iter()
                    .map(|(k, g)| (k.map(|p| p.to_string()).unwrap_or_else(|| "unknown".into()), *g))
                    .collect(),
            ),
            ("by_event_year", self.by_event_year.iter().map(|(k, g)| (k.to_string(), *g)).collect()),
            ("by_flag", self.by_flag.iter().map(|(k, g)| (k.code().into_owned(), *g)).collect()),
        ]
    }
}

/// Report format from a path's extension: `.json`, `.md`/`.markdown`,
/// `.html`/`.htm`, `.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Markdown,
    Html,
    Csv,
    Xlsx,
}

impl ReportFormat {
    pub fn from_path(p: &std::path::Path) -> Option<ReportFormat> {
        use crate::formats::FileFormat;
        match FileFormat::of(p)? {
            FileFormat::Json => Some(ReportFormat::Json),
            FileFormat::Markdown => Some(ReportFormat::Markdown),
            FileFormat::Html => Some(ReportFormat::Html),
            FileFormat::Csv => Some(ReportFormat::Csv),
            FileFormat::Xlsx => Some(ReportFormat::Xlsx),
            _ => None,
        }
    }

    /// Renders a report in this format: JSON ([`json`]), Markdown
    /// ([`markdown`]), a self-contained HTML page with inline SVG charts
    /// ([`html`]), one CSV row per group ([`csv_report`]) or an Excel
    /// workbook ([`xlsx`]). The same report always renders to
    /// the same bytes.
    pub fn render(self, r: &Report) -> Result<Vec<u8>, String> {
        match self {
            ReportFormat::Json => Ok(json::render(r).into_bytes()),
            ReportFormat::Markdown => Ok(markdown::render(r).into_bytes()),
            ReportFormat::Html => html::render(r).map(String::into_bytes),
            ReportFormat::Csv => csv_report::render(r).map(String::into_bytes),
            ReportFormat::Xlsx => xlsx::report_workbook(r),
        }
    }
}
