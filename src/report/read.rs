//! Reading per-loan results files back, for `deficiency report`.

use super::{Group, Line, Report};
use crate::input::values::parse_date;
use crate::loan::EventType;
use crate::money::parse_money;
use crate::rules::{Outcome, Reason};
use chrono::Datelike;

/// A results file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ReadError {
    pub path: String,
    pub message: String,
}

/// Adds every row of a CSV results file to `report`.
pub fn add_csv(path: &str, report: &mut Report) -> Result<(), ReadError> {
    let err = |message: String| ReadError { path: path.into(), message };
    let bytes = crate::input::native_csv::open_bytes(path).map_err(|e| err(e.to_string()))?;
    let mut rdr = csv::ReaderBuilder::new().from_reader(bytes);
    let headers = rdr.headers().map_err(|e| err(e.to_string()))?.clone();
    let pos = |name: &str| -> Result<usize, ReadError> {
        headers.iter().position(|h| h.trim() == name).ok_or_else(|| err(format!("not a results file: no column \"{name}\"")))
    };
    let cols = [
        "outcome",
        "primary_reason",
        "total_debt",
        "gross_deficiency",
        "recoverable",
        "barred",
        "undetermined",
        "event_type",
        "event_date",
        "lien_position",
    ]
    .map(pos);
    let net_loss_col = headers.iter().position(|h| h.trim() == "agency_net_loss");
    let mut idx = [0usize; 10];
    for (i, c) in cols.into_iter().enumerate() {
        idx[i] = c?;
    }
    let mut rows = 0u64;
    for (n, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| err(e.to_string()))?;
        let line = n + 2;
        let get = |i: usize| rec.get(idx[i]).unwrap_or("").trim();
        let bad = |col: &str, v: &str| err(format!("line {line}: column \"{col}\": \"{v}\" is not valid"));
        let money = |i: usize, col: &str| parse_money(get(i).as_bytes()).map_err(|_| bad(col, get(i)));
        let net_loss = match net_loss_col.and_then(|i| rec.get(i)).map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(v) => Some(match v.strip_prefix('-') {
                Some(rest) => -parse_money(rest.as_bytes()).map_err(|_| bad("agency_net_loss", v))?,
                None => parse_money(v.as_bytes()).map_err(|_| bad("agency_net_loss", v))?,
            }),
        };
        let l = Line {
            outcome: Outcome::parse(get(0)).ok_or_else(|| bad("outcome", get(0)))?,
            primary: Reason::from_code(get(1)).ok_or_else(|| bad("primary_reason", get(1)))?,
            event_type: EventType::parse(get(7)).ok_or_else(|| bad("event_type", get(7)))?,
            lien_position: if get(9).is_empty() { None } else { Some(get(9).parse().map_err(|_| bad("lien_position", get(9)))?) },
            event_year: parse_date(get(8)).map_err(|_| bad("event_date", get(8)))?.year(),
            amounts: Group {
                loans: 1,
                total_debt: money(2, "total_debt")?,
                gross: money(3, "gross_deficiency")?,
                recoverable: money(4, "recoverable")?,
                barred: money(5, "barred")?,
                undetermined: money(6, "undetermined")?,
                agency_loans: u64::from(net_loss.is_some()),
                agency_net_loss: net_loss.unwrap_or_default(),
            },
        };
        report.add(&l);
        rows += 1;
    }
    report.inputs.push(super::InputInfo { path: path.into(), rows });
    report.rows.read += rows;
    report.rows.assessed += rows;
    Ok(())
}
