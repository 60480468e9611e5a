//! Reading per-loan results files back, for `deficiency report`.

use super::watch::Candidate;
use super::{Group, Line, Report};
use crate::input::values::parse_date;
use crate::loan::EventType;
use crate::money::parse_money;
use crate::output::Column;
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
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| err(format!("not a results file: no column \"{name}\"")))
    };
    let cols = [
        Column::Outcome.name(),
        Column::PrimaryReason.name(),
        Column::TotalDebt.name(),
        Column::GrossDeficiency.name(),
        Column::Recoverable.name(),
        Column::Barred.name(),
        Column::Undetermined.name(),
        Column::EventType.name(),
        Column::EventDate.name(),
        Column::LienPosition.name(),
    ]
    .map(pos);
    let net_loss_col = headers.iter().position(|h| h.trim() == Column::AgencyNetLoss.name());
    let flags_col = headers.iter().position(|h| h.trim() == Column::Flags.name());
    let mut idx = [0usize; 10];
    for (i, c) in cols.into_iter().enumerate() {
        idx[i] = c?;
    }
    // The deadline watch reads three more columns.
    let span = report.watch.span();
    let watch_cols = match span {
        None => None,
        Some(_) => Some([pos(Column::LoanId.name())?, pos(Column::Row.name())?, pos(Column::ActionDeadline.name())?]),
    };
    let mut rows = 0u64;
    let mut tally = super::tally::Tally::default();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| err(e.to_string()))?;
        // The physical line the record starts on (a quoted field may span lines).
        let line = rec.position().map_or(0, |p| p.line());
        let get = |i: usize| rec.get(idx[i]).unwrap_or("").trim();
        let bad = |col: &str, v: &str| err(format!("line {line}: column \"{col}\": \"{v}\" is not valid"));
        let money = |i: usize, col: &str| parse_money(get(i).as_bytes()).map_err(|_| bad(col, get(i)));
        let net_loss = match net_loss_col.and_then(|i| rec.get(i)).map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(v) => Some(crate::money::parse_signed(v.as_bytes()).map_err(|_| bad("agency_net_loss", v))?),
        };
        let flags = flags_col.and_then(|i| rec.get(i)).map_or(0, flag_bits_of);
        let l = Line {
            flags,
            outcome: Outcome::parse(get(0)).ok_or_else(|| bad("outcome", get(0)))?,
            primary: Reason::from_code(get(1)).ok_or_else(|| bad("primary_reason", get(1)))?,
            event_type: EventType::parse(get(7)).ok_or_else(|| bad("event_type", get(7)))?,
            lien_position: if get(9).is_empty() {
                None
            } else {
                Some(get(9).parse().map_err(|_| bad("lien_position", get(9)))?)
            },
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
        tally.add(&l);
        rows += 1;
        if let Some([id, row, deadline]) = watch_cols {
            let cell = |i: usize| rec.get(i).unwrap_or("").trim();
            let deadline = match cell(deadline) {
                "" => None,
                v => Some(parse_date(v).map_err(|_| bad("action_deadline", v))?),
            };
            let c = Candidate {
                loan_id: cell(id),
                row: cell(row).parse().map_err(|_| bad("row", cell(row)))?,
                outcome: l.outcome,
                primary: l.primary,
                deadline,
                recoverable: l.amounts.recoverable,
                barred: l.amounts.barred,
                undetermined: l.amounts.undetermined,
            };
            tally.watch(span, &c);
        }
    }
    tally.fold_into(report);
    report.inputs.push(super::InputInfo { path: path.into(), rows });
    report.rows.read += rows;
    report.rows.assessed += rows;
    Ok(())
}

/// Adds every row of a results file (`.csv`, `.csv.gz` or `.parquet`).
pub fn add(path: &str, report: &mut Report) -> Result<(), ReadError> {
    match crate::formats::FileFormat::of(path) {
        Some(crate::formats::FileFormat::Parquet) => add_parquet(path, report),
        _ => add_csv(path, report),
    }
}

/// Adds every row of a Parquet results file, a row group's slice at a time.
pub fn add_parquet(path: &str, report: &mut Report) -> Result<(), ReadError> {
    use polars::prelude::*;
    let err = |message: String| ReadError { path: path.into(), message };
    let open = || std::fs::File::open(path).map_err(|e| err(format!("cannot read: {e}")));
    let total = ParquetReader::new(open()?).num_rows().map_err(|e| err(e.to_string()))?;
    let cols: Vec<String> = [
        crate::output::Column::Outcome.name(),
        crate::output::Column::PrimaryReason.name(),
        crate::output::Column::TotalDebt.name(),
        crate::output::Column::GrossDeficiency.name(),
        crate::output::Column::Recoverable.name(),
        crate::output::Column::Barred.name(),
        crate::output::Column::Undetermined.name(),
        crate::output::Column::EventType.name(),
        crate::output::Column::EventDate.name(),
        crate::output::Column::LienPosition.name(),
        crate::output::Column::AgencyNetLoss.name(),
        crate::output::Column::Flags.name(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let span = report.watch.span();
    let mut cols = cols;
    if span.is_some() {
        use crate::output::Column as C;
        cols.extend([C::LoanId, C::Row, C::ActionDeadline].map(|c| c.name().to_string()));
    }
    let step = 256 * 1024;
    let mut tally = super::tally::Tally::default();
    let mut offset = 0;
    while offset < total {
        let n = step.min(total - offset);
        let df = ParquetReader::new(open()?)
            .with_columns(Some(cols.clone()))
            .with_slice(Some((offset, n)))
            .set_rechunk(true)
            .finish()
            .map_err(|e| err(format!("not a results file: {e}")))?;
        let s =
            |name: &str| df.column(name).map(|c| c.as_materialized_series().clone()).map_err(|e| err(e.to_string()));
        let text = |name: &str| -> Result<Vec<Option<String>>, ReadError> {
            let col = s(name)?;
            let ca = col.str().map_err(|e| err(format!("column \"{name}\": {e}")))?;
            Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
        };
        let money = |name: &str| -> Result<Vec<Option<crate::money::Money>>, ReadError> {
            let col = s(name)?;
            let ca = col.decimal().map_err(|e| err(format!("column \"{name}\": {e}")))?;
            let scale = ca.scale() as u32;
            Ok(ca
                .physical()
                .iter()
                .map(|v| v.and_then(|m| rust_decimal::Decimal::try_from_i128_with_scale(m, scale).ok()))
                .collect())
        };
        let outcome = text("outcome")?;
        let primary = text("primary_reason")?;
        let event_type = text("event_type")?;
        let flags = text("flags")?;
        let amounts = ["total_debt", "gross_deficiency", "recoverable", "barred", "undetermined"].map(money);
        let [m0, m1, m2, m3, m4] = amounts;
        let (m0, m1, m2, m3, m4) = (m0?, m1?, m2?, m3?, m4?);
        let net = money("agency_net_loss")?;
        let dates = s("event_date")?;
        let dates: Vec<Option<i32>> =
            dates.date().map_err(|e| err(format!("column \"event_date\": {e}")))?.physical().iter().collect();
        let liens = s("lien_position")?.cast(&DataType::UInt32).map_err(|e| err(e.to_string()))?;
        let liens: Vec<Option<u32>> = liens.u32().map_err(|e| err(e.to_string()))?.iter().collect();
        // The deadline watch's columns, when there is a watch.
        let watched = match span {
            None => None,
            Some(_) => {
                let ids = text("loan_id")?;
                let row = s("row")?.cast(&DataType::UInt64).map_err(|e| err(e.to_string()))?;
                let row: Vec<Option<u64>> = row.u64().map_err(|e| err(e.to_string()))?.iter().collect();
                let deadline = s("action_deadline")?;
                let deadline: Vec<Option<i32>> = deadline
                    .date()
                    .map_err(|e| err(format!("column \"action_deadline\": {e}")))?
                    .physical()
                    .iter()
                    .collect();
                Some((ids, row, deadline))
            }
        };
        for i in 0..n {
            let bad = |col: &str| err(format!("row {}: column \"{col}\" is missing or invalid", offset + i + 1));
            let year = dates[i].and_then(crate::dates::from_epoch_days).ok_or_else(|| bad("event_date"))?.year();
            let l = Line {
                flags: flags[i].as_deref().map_or(0, flag_bits_of),
                outcome: outcome[i].as_deref().and_then(Outcome::parse).ok_or_else(|| bad("outcome"))?,
                primary: primary[i].as_deref().and_then(Reason::from_code).ok_or_else(|| bad("primary_reason"))?,
                event_type: event_type[i].as_deref().and_then(EventType::parse).ok_or_else(|| bad("event_type"))?,
                lien_position: liens[i],
                event_year: year,
                amounts: Group {
                    loans: 1,
                    total_debt: m0[i].ok_or_else(|| bad("total_debt"))?,
                    gross: m1[i].ok_or_else(|| bad("gross_deficiency"))?,
                    recoverable: m2[i].ok_or_else(|| bad("recoverable"))?,
                    barred: m3[i].ok_or_else(|| bad("barred"))?,
                    undetermined: m4[i].ok_or_else(|| bad("undetermined"))?,
                    agency_loans: u64::from(net[i].is_some()),
                    agency_net_loss: net[i].unwrap_or_default(),
                },
            };
            tally.add(&l);
            if let Some((ids, rows, deadlines)) = &watched {
                let c = Candidate {
                    loan_id: ids[i].as_deref().ok_or_else(|| bad("loan_id"))?,
                    row: rows[i].ok_or_else(|| bad("row"))?,
                    outcome: l.outcome,
                    primary: l.primary,
                    deadline: match deadlines[i] {
                        None => None,
                        Some(d) => Some(crate::dates::from_epoch_days(d).ok_or_else(|| bad("action_deadline"))?),
                    },
                    recoverable: l.amounts.recoverable,
                    barred: l.amounts.barred,
                    undetermined: l.amounts.undetermined,
                };
                tally.watch(span, &c);
            }
        }
        offset += n;
    }
    tally.fold_into(report);
    report.inputs.push(super::InputInfo { path: path.into(), rows: total as u64 });
    report.rows.read += total as u64;
    report.rows.assessed += total as u64;
    Ok(())
}

/// The fixed flags of a `flags` cell as bits (codes it does not know, such as
/// `assumed:<column>`, are not counted).
fn flag_bits_of(cell: &str) -> u64 {
    let flags: Vec<crate::rules::Flag> =
        cell.split(';').filter_map(|c| crate::rules::Flag::from_code(c.trim())).collect();
    super::flag_bits(&flags)
}
