//! The CSV report (`--report x.csv`): one row per group, for spreadsheets.
//!
//! Columns `dimension,key,loans,gross_deficiency,recoverable,barred,undetermined`,
//! money plain (`1234.56`). The first row is the totals (dimension `totals`,
//! key `all`), then every group of [`Report::dimensions`] in report order.
//! When any loan carries the agency's own net loss (public data sets), two
//! more columns follow: `agency_loans,agency_net_loss`. Records read but not
//! assessed (public data sets) close the file as rows of dimension
//! `not_assessed`, with the count under `loans` and the money cells blank.
//! With a deadline watch (README "Deadline watch"), rows of dimension
//! `deadline_watch` come before them: keys `within_<N>_days` per window and
//! `lost_last_30_days`, the loans under `loans`, the amount at stake under
//! `recoverable`, `undetermined` (loans that need review) or `barred` (lost),
//! `gross_deficiency` blank.

use super::watch::{Entry, LOST_DAYS, Watch};
use super::{Group, Report};
use crate::money::{self, Money};
use crate::rules::Outcome;

/// The fixed columns, in order.
pub const COLUMNS: [&str; 7] =
    ["dimension", "key", "loans", "gross_deficiency", "recoverable", "barred", "undetermined"];

/// The columns added when any loan carries the agency's net loss.
pub const AGENCY_COLUMNS: [&str; 2] = ["agency_loans", "agency_net_loss"];

fn row(dimension: &str, key: &str, g: &Group, agency: bool) -> Vec<String> {
    let mut r = vec![
        dimension.to_string(),
        key.to_string(),
        g.loans.to_string(),
        money::fmt(g.gross),
        money::fmt(g.recoverable),
        money::fmt(g.barred),
        money::fmt(g.undetermined),
    ];
    if agency {
        r.push(g.agency_loans.to_string());
        r.push(money::fmt(g.agency_net_loss));
    }
    r
}

/// The deadline watch's rows: key (`within_30_days`, ...,
/// `lost_last_30_days`), loans, and the amount at stake under the column it
/// comes from (recoverable, barred when lost, undetermined for loans that
/// need review).
fn watch_rows(w: &Watch) -> Vec<(String, u64, Money, Money, Money)> {
    let sum = |entries: Vec<&Entry>| {
        let mut out = (entries.len() as u64, Money::ZERO, Money::ZERO, Money::ZERO);
        for e in entries {
            match e.outcome {
                Outcome::NeedsReview => out.3 += e.amount,
                Outcome::TimeBarred => out.2 += e.amount,
                _ => out.1 += e.amount,
            }
        }
        out
    };
    let mut rows = Vec::new();
    for days in &w.days {
        let (n, r, b, u) = sum(w.upcoming().filter(|e| w.days_left(e) <= i64::from(*days)).collect());
        rows.push((format!("within_{days}_days"), n, r, b, u));
    }
    let (n, r, b, u) = sum(w.lost().collect());
    rows.push((format!("lost_last_{LOST_DAYS}_days"), n, r, b, u));
    rows
}

/// Renders the CSV report (RFC 4180 quoting, `\n` line ends).
pub fn render(r: &Report) -> Result<String, String> {
    let agency = r.totals.agency_loans > 0;
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let err = |e: csv::Error| format!("CSV report: {e}");
    let mut header: Vec<&str> = COLUMNS.to_vec();
    if agency {
        header.extend(AGENCY_COLUMNS);
    }
    w.write_record(&header).map_err(err)?;
    w.write_record(row("totals", "all", &r.totals, agency)).map_err(err)?;
    for (name, groups) in r.dimensions() {
        let dimension = name.trim_start_matches("by_");
        for (key, g) in &groups {
            w.write_record(row(dimension, key, g, agency)).map_err(err)?;
        }
    }
    if r.watch.as_of.is_some() {
        for (key, loans, recoverable, barred, undetermined) in watch_rows(&r.watch) {
            let mut rec = vec!["deadline_watch".to_string(), key, loans.to_string(), String::new()];
            rec.extend([recoverable, barred, undetermined].map(money::fmt));
            rec.resize(header.len(), String::new());
            w.write_record(&rec).map_err(err)?;
        }
    }
    for (key, n) in &r.not_assessed {
        let mut rec = vec!["not_assessed".to_string(), key.clone(), n.to_string()];
        rec.resize(header.len(), String::new());
        w.write_record(&rec).map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| format!("CSV report: {e}"))?;
    String::from_utf8(bytes).map_err(|e| format!("CSV report: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn totals_row_then_groups_with_plain_money() {
        let g = Group {
            loans: 2,
            gross: Money::from_str("1234.5").unwrap(),
            barred: Money::from_str("1234.5").unwrap(),
            ..Group::default()
        };
        let mut r = Report { totals: g, ..Report::default() };
        r.by_event_year.insert(2021, g);
        let out = render(&r).unwrap();
        assert_eq!(
            out,
            "dimension,key,loans,gross_deficiency,recoverable,barred,undetermined\n\
             totals,all,2,1234.50,0.00,1234.50,0.00\n\
             event_year,2021,2,1234.50,0.00,1234.50,0.00\n"
        );
    }

    #[test]
    fn agency_columns_and_not_assessed_rows() {
        let g = Group {
            loans: 1,
            agency_loans: 1,
            agency_net_loss: Money::from_str("-10.25").unwrap(),
            ..Group::default()
        };
        let mut r = Report { totals: g, ..Report::default() };
        r.not_assessed.insert("paid, off".into(), 7);
        let out = render(&r).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "dimension,key,loans,gross_deficiency,recoverable,barred,undetermined,agency_loans,agency_net_loss"
        );
        assert_eq!(lines[1], "totals,all,1,0.00,0.00,0.00,0.00,1,-10.25");
        assert_eq!(lines[2], "not_assessed,\"paid, off\",7,,,,,,");
    }
}
