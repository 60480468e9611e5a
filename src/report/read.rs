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
    let mut tally = super::tally::Tally::default();
    let total =
        parquet_slices(path, &cols, 256 * 1024, |offset, _, slice| tally_frame(slice, offset, span, &mut tally))?;
    tally.fold_into(report);
    report.inputs.push(super::InputInfo { path: path.into(), rows: total as u64 });
    report.rows.read += total as u64;
    report.rows.assessed += total as u64;
    Ok(())
}

/// One slice of a results Parquet file (or a results frame), its columns
/// read by kind.
struct Slice<'a> {
    df: &'a polars::prelude::DataFrame,
    path: &'a str,
}

impl Slice<'_> {
    fn err(&self, message: String) -> ReadError {
        ReadError { path: self.path.into(), message }
    }
    fn series(&self, name: &str) -> Result<polars::prelude::Series, ReadError> {
        self.df.column(name).map(|c| c.as_materialized_series().clone()).map_err(|e| self.err(e.to_string()))
    }
    fn text(&self, name: &str) -> Result<Vec<Option<String>>, ReadError> {
        let col = self.series(name)?;
        let ca = col.str().map_err(|e| self.err(format!("column \"{name}\": {e}")))?;
        Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
    }
    /// Money as (mantissa, scale).
    fn money(&self, name: &str) -> Result<Vec<Option<(i128, u32)>>, ReadError> {
        let col = self.series(name)?;
        let ca = col.decimal().map_err(|e| self.err(format!("column \"{name}\": {e}")))?;
        let scale = ca.scale() as u32;
        Ok(ca.physical().iter().map(|v| v.map(|m| (m, scale))).collect())
    }
    /// Dates as days since 1970-01-01.
    fn dates(&self, name: &str) -> Result<Vec<Option<i32>>, ReadError> {
        let col = self.series(name)?;
        Ok(col.date().map_err(|e| self.err(format!("column \"{name}\": {e}")))?.physical().iter().collect())
    }
}

/// Reads `cols` of a results Parquet file `step` rows at a time: `f` gets
/// each slice's first row offset, its length and the slice. Returns the
/// rows read.
fn parquet_slices(
    path: &str,
    cols: &[String],
    step: usize,
    mut f: impl FnMut(usize, usize, &Slice) -> Result<(), ReadError>,
) -> Result<usize, ReadError> {
    use polars::prelude::*;
    let err = |message: String| ReadError { path: path.into(), message };
    let open = || std::fs::File::open(path).map_err(|e| err(format!("cannot read: {e}")));
    let file = open()?;
    crate::input::parquet_footer::check(path).map_err(|m| err(format!("not a readable Parquet file: {m}")))?;
    let total = ParquetReader::new(file).num_rows().map_err(|e| err(format!("not a readable Parquet file: {e}")))?;
    let mut offset = 0;
    while offset < total {
        let n = step.min(total - offset);
        let df = ParquetReader::new(open()?)
            .with_columns(Some(cols.to_vec()))
            .with_slice(Some((offset, n)))
            .set_rechunk(true)
            .finish()
            .map_err(|e| err(format!("not a results file: {e}")))?;
        f(offset, n, &Slice { df: &df, path })?;
        offset += n;
    }
    Ok(total)
}

/// Adds every row of a results DataFrame (the typed columns of Parquet
/// results, as [`crate::output::frame::ResultFrame`] builds them or pyarrow
/// hands them over), counted as the input `label`.
pub fn add_frame(label: &str, df: &polars::prelude::DataFrame, report: &mut Report) -> Result<(), ReadError> {
    let mut tally = super::tally::Tally::default();
    tally_frame(&Slice { df, path: label }, 0, report.watch.span(), &mut tally)?;
    tally.fold_into(report);
    let rows = df.height() as u64;
    report.inputs.push(super::InputInfo { path: label.into(), rows });
    report.rows.read += rows;
    report.rows.assessed += rows;
    Ok(())
}

/// Tallies the rows of a results frame whose first row is data row
/// `offset + 1` of its file.
fn tally_frame(
    slice: &Slice,
    offset: usize,
    span: Option<super::watch::Span>,
    tally: &mut super::tally::Tally,
) -> Result<(), ReadError> {
    use polars::prelude::*;
    let n = slice.df.height();
    let err = |message: String| slice.err(message);
    let (s, text) = (|name: &str| slice.series(name), |name: &str| slice.text(name));
    let money = |name: &str| -> Result<Vec<Option<crate::money::Money>>, ReadError> {
        Ok(slice
            .money(name)?
            .into_iter()
            .map(|v| v.and_then(|(m, scale)| rust_decimal::Decimal::try_from_i128_with_scale(m, scale).ok()))
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
    let dates = slice.dates("event_date")?;
    let liens = s("lien_position")?.cast(&DataType::UInt32).map_err(|e| err(e.to_string()))?;
    let liens: Vec<Option<u32>> = liens.u32().map_err(|e| err(e.to_string()))?.iter().collect();
    // The deadline watch's columns, when there is a watch.
    let watched = match span {
        None => None,
        Some(_) => {
            let ids = text("loan_id")?;
            let row = s("row")?.cast(&DataType::UInt64).map_err(|e| err(e.to_string()))?;
            let row: Vec<Option<u64>> = row.u64().map_err(|e| err(e.to_string()))?.iter().collect();
            let deadline = slice.dates("action_deadline")?;
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
    Ok(())
}

/// The fixed flags of a `flags` cell as bits (codes it does not know, such as
/// `assumed:<column>`, are not counted).
fn flag_bits_of(cell: &str) -> u64 {
    let flags: Vec<crate::rules::Flag> =
        cell.split(';').filter_map(|c| crate::rules::Flag::from_code(c.trim())).collect();
    super::flag_bits(&flags)
}

// Streaming the rows `deficiency diff` compares, from any results format.

/// Where a row is in its results file: the physical line a CSV record starts
/// on or a JSON Lines line (both 1-based, the header is line 1 of a CSV), or
/// a Parquet data row (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Line(u64),
    Row(u64),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Line(n) => write!(f, "line {n}"),
            Place::Row(n) => write!(f, "row {n}"),
        }
    }
}

/// What `deficiency diff` compares of one results row; money in whole cents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compact {
    pub loan_id: String,
    pub outcome: Outcome,
    pub primary: Reason,
    pub deadline: Option<chrono::NaiveDate>,
    pub gross: i64,
    pub recoverable: i64,
    pub barred: i64,
    pub undetermined: i64,
}

/// The columns [`Compact`] is read from, in the order the readers take them.
const COMPACT_COLUMNS: [Column; 8] = [
    Column::LoanId,
    Column::Outcome,
    Column::PrimaryReason,
    Column::ActionDeadline,
    Column::GrossDeficiency,
    Column::Recoverable,
    Column::Barred,
    Column::Undetermined,
];

/// Builds a [`Compact`] from text cells (CSV and JSON Lines), in
/// [`COMPACT_COLUMNS`] order; `None` is a null (JSON) cell.
fn compact_of(cells: [Option<&str>; 8], place: Place, err: &dyn Fn(String) -> ReadError) -> Result<Compact, ReadError> {
    let bad = |i: usize| {
        let v = cells[i].unwrap_or("");
        let why = if v.is_empty() { "is blank" } else { "is not valid" };
        err(format!("{place}: column \"{}\": \"{v}\" {why}", COMPACT_COLUMNS[i].name()))
    };
    let text = |i: usize| cells[i].map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| bad(i));
    let money = |i: usize| -> Result<i64, ReadError> {
        let m = parse_money(text(i)?.as_bytes()).map_err(|_| bad(i))?;
        i64::try_from(crate::money::to_cents(m)).map_err(|_| bad(i))
    };
    let deadline = match cells[3].map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(v) => Some(parse_date(v).map_err(|_| bad(3))?),
    };
    Ok(Compact {
        loan_id: text(0)?.to_string(),
        outcome: Outcome::parse(text(1)?).ok_or_else(|| bad(1))?,
        primary: Reason::from_code(text(2)?).ok_or_else(|| bad(2))?,
        deadline,
        gross: money(4)?,
        recoverable: money(5)?,
        barred: money(6)?,
        undetermined: money(7)?,
    })
}

/// Calls `f` with every row of a results file (`.csv`, `.csv.gz`, `.jsonl`
/// or `.parquet`, by its name) in file order, holding at most one Parquet
/// slice or one CSV record at a time. Returns the number of rows.
pub fn for_each_compact(
    path: &str,
    f: &mut dyn FnMut(Place, Compact) -> Result<(), ReadError>,
) -> Result<u64, ReadError> {
    match crate::formats::FileFormat::of(path) {
        Some(crate::formats::FileFormat::Parquet) => compact_parquet(path, f),
        Some(crate::formats::FileFormat::Jsonl) => compact_jsonl(path, f),
        _ => compact_csv(path, f),
    }
}

fn compact_csv(path: &str, f: &mut dyn FnMut(Place, Compact) -> Result<(), ReadError>) -> Result<u64, ReadError> {
    let err = |message: String| ReadError { path: path.into(), message };
    let bytes = crate::input::native_csv::open_bytes(path).map_err(|e| err(e.to_string()))?;
    let mut rdr = csv::ReaderBuilder::new().from_reader(bytes);
    let headers = rdr.headers().map_err(|e| err(e.to_string()))?.clone();
    let mut idx = [0usize; 8];
    for (i, c) in COMPACT_COLUMNS.iter().enumerate() {
        idx[i] = headers
            .iter()
            .position(|h| h.trim() == c.name())
            .ok_or_else(|| err(format!("not a results file: no column \"{}\"", c.name())))?;
    }
    let mut rec = csv::StringRecord::new();
    let mut rows = 0u64;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(err(e.to_string())),
        }
        let place = Place::Line(rec.position().map_or(0, |p| p.line()));
        let cells = idx.map(|i| Some(rec.get(i).unwrap_or("")));
        f(place, compact_of(cells, place, &err)?)?;
        rows += 1;
    }
    Ok(rows)
}

/// A JSON Lines results row: the fields [`Compact`] needs (others ignored).
#[derive(serde::Deserialize)]
struct JsonCompact<'a> {
    #[serde(borrow)]
    loan_id: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    outcome: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    primary_reason: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    action_deadline: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    gross_deficiency: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    recoverable: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    barred: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    undetermined: Option<std::borrow::Cow<'a, str>>,
}

/// The longest JSON Lines line read (a results row is well under 4 KB).
const MAX_JSON_LINE: u64 = 64 << 20;

fn compact_jsonl(path: &str, f: &mut dyn FnMut(Place, Compact) -> Result<(), ReadError>) -> Result<u64, ReadError> {
    use std::io::{BufRead, Read};
    let err = |message: String| ReadError { path: path.into(), message };
    let bytes = crate::input::native_csv::open_bytes(path).map_err(|e| err(e.to_string()))?;
    let mut rdr = std::io::BufReader::with_capacity(1 << 20, bytes);
    let mut line = Vec::new();
    let (mut n, mut rows) = (0u64, 0u64);
    loop {
        line.clear();
        let got = (&mut rdr).take(MAX_JSON_LINE).read_until(b'\n', &mut line).map_err(|e| err(e.to_string()))?;
        if got == 0 {
            break;
        }
        n += 1;
        let place = Place::Line(n);
        if got as u64 == MAX_JSON_LINE && line.last() != Some(&b'\n') {
            return Err(err(format!("{place} is longer than 64 MB")));
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let j: JsonCompact =
            serde_json::from_slice(&line).map_err(|e| err(format!("{place}: not a results row: {e}")))?;
        let cells = [
            Some(&*j.loan_id),
            Some(&*j.outcome),
            Some(&*j.primary_reason),
            j.action_deadline.as_deref(),
            j.gross_deficiency.as_deref(),
            j.recoverable.as_deref(),
            j.barred.as_deref(),
            j.undetermined.as_deref(),
        ];
        f(place, compact_of(cells, place, &err)?)?;
        rows += 1;
    }
    Ok(rows)
}

fn compact_parquet(path: &str, f: &mut dyn FnMut(Place, Compact) -> Result<(), ReadError>) -> Result<u64, ReadError> {
    let err = |message: String| ReadError { path: path.into(), message };
    let cols: Vec<String> = COMPACT_COLUMNS.iter().map(|c| c.name().to_string()).collect();
    let total = parquet_slices(path, &cols, 64 * 1024, |offset, n, slice| {
        let text = |name: &str| slice.text(name);
        let money = |name: &str| -> Result<Vec<Option<String>>, ReadError> {
            Ok(slice
                .money(name)?
                .into_iter()
                .map(|v| {
                    v.map(|(m, scale)| {
                        let mut out = Vec::new();
                        crate::money::write_scaled(m, scale, &mut out);
                        String::from_utf8(out).unwrap_or_default()
                    })
                })
                .collect())
        };
        let ids = text("loan_id")?;
        let outcome = text("outcome")?;
        let primary = text("primary_reason")?;
        let dates: Vec<Option<String>> = slice
            .dates("action_deadline")?
            .into_iter()
            .map(|d| d.map(|d| crate::dates::from_epoch_days(d).map_or_else(|| format!("day {d}"), |d| d.to_string())))
            .collect();
        let [m0, m1, m2, m3] = ["gross_deficiency", "recoverable", "barred", "undetermined"].map(money);
        let (m0, m1, m2, m3) = (m0?, m1?, m2?, m3?);
        for i in 0..n {
            let place = Place::Row((offset + i + 1) as u64);
            let cells = [
                ids[i].as_deref(),
                outcome[i].as_deref(),
                primary[i].as_deref(),
                dates[i].as_deref(),
                m0[i].as_deref(),
                m1[i].as_deref(),
                m2[i].as_deref(),
                m3[i].as_deref(),
            ];
            f(place, compact_of(cells, place, &err)?)?;
        }
        Ok(())
    })?;
    Ok(total as u64)
}
