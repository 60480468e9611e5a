//! Excel workbooks (README "Excel workbooks"), written with `rust_xlsxwriter`.
//!
//! `--report x.xlsx` writes the report sheets: Summary, Deadline watch, By
//! rule, Groups. `--out x.xlsx` writes the same sheets followed by Results,
//! one row per loan, streamed to disk as the run goes (the crate's
//! constant-memory mode), up to Excel's 1,048,575 data rows; one more is a
//! write error (exit 2, nothing left).
//!
//! Cells are typed: money is a number formatted `#,##0.00` (the amount
//! truncated to the cent, [`money::to_spreadsheet_number`]; text past 2^53
//! cents), dates are date cells `yyyy-mm-dd` (text before 1900, where Excel
//! has no dates), counts are numbers. Every header row is bold and frozen
//! with an autofilter. Text from the input (loan ids) is always made
//! spreadsheet-safe ([`crate::output::spreadsheet_safe`]): written as typed, a cell
//! starting with `=` would be a formula. A workbook's properties carry the
//! as-of date, not the time it was written, so the same run gives the same
//! bytes.

use super::watch::{Entry, LOST_DAYS, Watch};
use super::{Group, Report};
use crate::money::{self, Money};
use crate::output::{Column, ColumnKind, ResultRow, Value, spreadsheet_safe};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};
use std::io::{self, Write};

/// The most data rows one Excel worksheet holds (1,048,576 rows less the header).
pub const MAX_ROWS: u64 = 1_048_575;

/// The report sheets, in order, then the per-loan sheet of `--out`.
pub const SHEETS: [&str; 5] = ["Summary", "Deadline watch", "By rule", "Groups", "Results"];

fn xe(e: XlsxError) -> io::Error {
    io::Error::other(format!("Excel workbook: {e}"))
}

/// The cell formats of a workbook.
struct Formats {
    header: Format,
    money: Format,
    date: Format,
    title: Format,
    bold: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new().set_bold().set_align(FormatAlign::Top).set_text_wrap(),
            money: Format::new().set_num_format("#,##0.00"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            title: Format::new().set_bold().set_font_size(14),
            bold: Format::new().set_bold(),
        }
    }
}

/// Writes `m` at (row, col): a number formatted to cents, or text when a
/// double cannot hold it.
fn money_cell(ws: &mut Worksheet, row: u32, col: u16, m: Money, f: &Formats) -> Result<(), XlsxError> {
    match money::to_spreadsheet_number(m) {
        Some(x) => ws.write_number_with_format(row, col, x, &f.money)?,
        None => ws.write_string(row, col, money::fmt(m))?,
    };
    Ok(())
}

/// Writes `d` at (row, col): a date cell, or text before 1900.
fn date_cell(ws: &mut Worksheet, row: u32, col: u16, d: NaiveDate, f: &Formats) -> Result<(), XlsxError> {
    let excel = u16::try_from(d.year())
        .ok()
        .filter(|y| *y >= 1900)
        .and_then(|y| ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok());
    match excel {
        Some(x) => ws.write_datetime_with_format(row, col, &x, &f.date)?,
        None => ws.write_string(row, col, d.to_string())?,
    };
    Ok(())
}

/// A header row at `row`, bold, with the given column widths.
fn header(ws: &mut Worksheet, row: u32, names: &[(&str, f64)], f: &Formats) -> Result<(), XlsxError> {
    for (i, (name, width)) in names.iter().enumerate() {
        ws.write_string_with_format(row, i as u16, *name, &f.header)?;
        ws.set_column_width(i as u16, *width)?;
    }
    Ok(())
}

/// Freezes the rows above `row + 1` and filters `row..=last` over `cols` columns.
fn table(ws: &mut Worksheet, row: u32, last: u32, cols: usize) -> Result<(), XlsxError> {
    ws.set_freeze_panes(row + 1, 0)?;
    ws.autofilter(row, 0, last.max(row), cols.saturating_sub(1) as u16)?;
    Ok(())
}

const AMOUNT_COLUMNS: [(&str, f64); 5] =
    [("loans", 9.0), ("gross deficiency", 17.0), ("recoverable", 17.0), ("barred", 17.0), ("undetermined", 17.0)];

/// The loans and amounts of a group from column `col` on.
fn group_cells(ws: &mut Worksheet, row: u32, col: u16, g: &Group, f: &Formats) -> Result<(), XlsxError> {
    ws.write_number(row, col, g.loans as f64)?;
    for (i, m) in [g.gross, g.recoverable, g.barred, g.undetermined].into_iter().enumerate() {
        money_cell(ws, row, col + 1 + i as u16, m, f)?;
    }
    Ok(())
}

fn summary(ws: &mut Worksheet, r: &Report, f: &Formats) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, "Deficiency screening report", &f.title)?;
    ws.write_string(1, 0, "A screening aid, not legal advice.")?;
    let mut row = 3;
    ws.write_string_with_format(row, 0, "as of", &f.bold)?;
    match r.as_of {
        Some(d) => date_cell(ws, row, 1, d, f)?,
        None => {
            ws.write_string(row, 1, "not recorded (rebuilt from per-loan results files)")?;
        }
    }
    row += 1;
    for (label, n) in
        [("rows read", r.rows.read), ("rows assessed", r.rows.assessed), ("rows rejected", r.rows.rejected)]
    {
        ws.write_string_with_format(row, 0, label, &f.bold)?;
        ws.write_number(row, 1, n as f64)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, "tool version", &f.bold)?;
    ws.write_string(row, 1, format!("deficiency {}", env!("CARGO_PKG_VERSION")))?;
    row += 1;
    for i in &r.inputs {
        ws.write_string_with_format(row, 0, "input", &f.bold)?;
        ws.write_string(row, 1, spreadsheet_safe(&i.path))?;
        ws.write_number(row, 2, i.rows as f64)?;
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, "Totals", &f.title)?;
    row += 1;
    let mut names = vec![("", 24.0), ("total debt", 17.0)];
    names.extend(AMOUNT_COLUMNS);
    header(ws, row, &names, f)?;
    row += 1;
    ws.write_string(row, 0, "all loans")?;
    money_cell(ws, row, 1, r.totals.total_debt, f)?;
    group_cells(ws, row, 2, &r.totals, f)?;
    row += 2;
    ws.write_string_with_format(row, 0, "By outcome", &f.title)?;
    row += 1;
    let mut names = vec![("outcome", 24.0)];
    names.extend(AMOUNT_COLUMNS);
    for (i, (name, _)) in names.iter().enumerate() {
        ws.write_string_with_format(row, i as u16, *name, &f.header)?;
    }
    for (k, g) in &r.by_outcome {
        row += 1;
        ws.write_string(row, 0, k.name())?;
        group_cells(ws, row, 1, g, f)?;
    }
    Ok(())
}

const WATCH_COLUMNS: [(&str, f64); 7] = [
    ("loan id", 18.0),
    ("outcome", 22.0),
    ("primary reason", 30.0),
    ("amount at stake", 17.0),
    ("action deadline", 13.0),
    ("days left", 9.0),
    ("window (days)", 9.0),
];

fn watch_sheet(ws: &mut Worksheet, w: &Watch, f: &Formats) -> Result<(), XlsxError> {
    if w.as_of.is_none() {
        ws.write_string(0, 0, "No deadline watch: the report has no as-of date (give deficiency report --as-of).")?;
        return Ok(());
    }
    ws.write_string_with_format(0, 0, "within (days)", &f.header)?;
    ws.write_string_with_format(0, 1, "loans", &f.header)?;
    ws.write_string_with_format(0, 2, "amount at stake", &f.header)?;
    let mut row = 0;
    for x in w.windows() {
        row += 1;
        ws.write_number(row, 0, f64::from(x.days))?;
        ws.write_number(row, 1, x.loans as f64)?;
        money_cell(ws, row, 2, x.amount, f)?;
    }
    let lost = w.lost_total();
    row += 1;
    ws.write_string(row, 0, format!("lost in the last {LOST_DAYS} days"))?;
    ws.write_number(row, 1, lost.loans as f64)?;
    money_cell(ws, row, 2, lost.amount, f)?;
    row += 2;
    let top = row;
    header(ws, top, &WATCH_COLUMNS, f)?;
    let entries: Vec<&Entry> = w.upcoming().chain(w.lost()).collect();
    for e in entries {
        row += 1;
        ws.write_string(row, 0, spreadsheet_safe(&e.loan_id))?;
        ws.write_string(row, 1, e.outcome.name())?;
        ws.write_string(row, 2, e.primary.code())?;
        money_cell(ws, row, 3, e.amount, f)?;
        date_cell(ws, row, 4, e.deadline, f)?;
        ws.write_number(row, 5, w.days_left(e) as f64)?;
        if let Some(days) = w.window_of(e) {
            ws.write_number(row, 6, f64::from(days))?;
        } else {
            ws.write_string(row, 6, "lost")?;
        }
    }
    table(ws, top, row, WATCH_COLUMNS.len())
}

fn by_rule(ws: &mut Worksheet, r: &Report, f: &Formats) -> Result<(), XlsxError> {
    let mut names = vec![("primary reason", 30.0), ("citation", 30.0), ("what it means", 60.0)];
    names.extend(AMOUNT_COLUMNS);
    header(ws, 0, &names, f)?;
    let mut row = 0;
    for (k, g) in &r.by_reason {
        row += 1;
        ws.write_string(row, 0, k.code())?;
        ws.write_string(row, 1, k.citation())?;
        ws.write_string(row, 2, super::reason_summary(*k))?;
        group_cells(ws, row, 3, g, f)?;
    }
    table(ws, 0, row, names.len())
}

fn groups(ws: &mut Worksheet, r: &Report, f: &Formats) -> Result<(), XlsxError> {
    let mut names = vec![("dimension", 16.0), ("key", 30.0)];
    names.extend(AMOUNT_COLUMNS);
    header(ws, 0, &names, f)?;
    let mut row = 0;
    for (name, rows) in r.dimensions() {
        for (k, g) in rows {
            row += 1;
            ws.write_string(row, 0, name.trim_start_matches("by_"))?;
            ws.write_string(row, 1, k)?;
            group_cells(ws, row, 2, &g, f)?;
        }
    }
    table(ws, 0, row, names.len())
}

/// A workbook whose first sheets are the report's; the creation date is the
/// as-of date (or 2000-01-01 for merged results), so the bytes do not depend
/// on when it was written.
fn workbook(as_of: Option<NaiveDate>) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let when = as_of.unwrap_or(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default());
    let created = ExcelDateTime::from_ymd(
        u16::try_from(when.year()).unwrap_or(2000).clamp(1900, 9999),
        when.month() as u8,
        when.day() as u8,
    )?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("Deficiency screening")
            .set_comment("A screening aid, not legal advice.")
            .set_creation_datetime(&created),
    );
    for name in &SHEETS[..4] {
        wb.add_worksheet().set_name(*name)?;
    }
    Ok(wb)
}

/// Fills the report sheets (the first four) of `wb`.
fn fill_report(wb: &mut Workbook, r: &Report) -> Result<(), XlsxError> {
    let f = Formats::new();
    summary(wb.worksheet_from_index(0)?, r, &f)?;
    watch_sheet(wb.worksheet_from_index(1)?, &r.watch, &f)?;
    by_rule(wb.worksheet_from_index(2)?, r, &f)?;
    groups(wb.worksheet_from_index(3)?, r, &f)?;
    Ok(())
}

/// The report as a workbook (`--report x.xlsx`).
pub fn report_workbook(r: &Report) -> Result<Vec<u8>, String> {
    let run = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = workbook(r.as_of)?;
        fill_report(&mut wb, r)?;
        wb.save_to_buffer()
    };
    run().map_err(|e| format!("Excel workbook: {e}"))
}

/// Column widths of the Results sheet, by kind.
fn width(c: Column) -> f64 {
    let by_kind: f64 = match c.kind() {
        ColumnKind::RowNumber | ColumnKind::Count => 8.0,
        ColumnKind::Text => 18.0,
        ColumnKind::Code => 24.0,
        ColumnKind::List => 40.0,
        ColumnKind::Money => 16.0,
        ColumnKind::Date => 12.0,
    };
    by_kind.max(c.name().len() as f64 + 2.0)
}

/// Per-loan results as a workbook (`--out x.xlsx`): the report sheets, then
/// Results, one row per loan as the run goes; written to `out` at the end.
pub struct XlsxResults<W: Write + Send> {
    wb: Workbook,
    out: Option<W>,
    formats: Formats,
    rows: u64,
    /// [`MAX_ROWS`] (smaller in tests).
    limit: u64,
    buf: Vec<u8>,
}

impl<W: Write + Send> XlsxResults<W> {
    /// `tempdir`: where the Results rows wait until the end (beside the
    /// output, so a full disk shows there).
    pub fn new(out: W, as_of: NaiveDate, tempdir: Option<&std::path::Path>) -> io::Result<Self> {
        let mut wb = workbook(Some(as_of)).map_err(xe)?;
        if let Some(dir) = tempdir {
            wb.set_tempdir(dir).map_err(xe)?;
        }
        let formats = Formats::new();
        let ws = wb.add_worksheet_with_constant_memory().map_err(xe)?;
        ws.set_name(SHEETS[4]).map_err(xe)?;
        for (i, c) in Column::ALL.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, c.name(), &formats.header).map_err(xe)?;
            ws.set_column_width(i as u16, width(*c)).map_err(xe)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xe)?;
        Ok(XlsxResults { wb, out: Some(out), formats, rows: 0, limit: MAX_ROWS, buf: Vec::new() })
    }

    fn results(&mut self) -> io::Result<&mut Worksheet> {
        self.wb.worksheet_from_index(4).map_err(xe)
    }

    /// Adds one loan.
    pub fn write(&mut self, r: &ResultRow) -> io::Result<()> {
        if self.rows >= self.limit {
            return Err(io::Error::other(format!(
                "more than {} loans do not fit in one Excel worksheet; write the results as .csv or .parquet",
                self.limit
            )));
        }
        self.rows += 1;
        let row = self.rows as u32;
        let mut buf = std::mem::take(&mut self.buf);
        let f = &self.formats;
        let ws = self.wb.worksheet_from_index(4).map_err(xe)?;
        for (i, c) in Column::ALL.iter().enumerate() {
            let col = i as u16;
            let v = r.value(*c);
            match v {
                Value::RowNumber(n) => {
                    ws.write_number(row, col, n as f64).map_err(xe)?;
                }
                Value::Text(t) => {
                    ws.write_string(row, col, spreadsheet_safe(t)).map_err(xe)?;
                }
                Value::Money(Some(m)) => money_cell(ws, row, col, m, f).map_err(xe)?,
                Value::Date(Some(d)) => date_cell(ws, row, col, d, f).map_err(xe)?,
                Value::Count(Some(n)) => {
                    ws.write_number(row, col, f64::from(n)).map_err(xe)?;
                }
                Value::Money(None) | Value::Date(None) | Value::Count(None) => {}
                Value::Code(_) | Value::Reason(_) | Value::Reasons(_) | Value::Citations(_) | Value::Flags(_) => {
                    buf.clear();
                    v.write_codes(&mut buf);
                    if !buf.is_empty() {
                        ws.write_string(row, col, String::from_utf8_lossy(&buf)).map_err(xe)?;
                    }
                }
            }
        }
        self.buf = buf;
        Ok(())
    }

    /// Fills the report sheets, filters the Results sheet and writes the
    /// workbook.
    pub fn finish(mut self, report: &Report) -> io::Result<()> {
        let last = self.rows as u32;
        let cols = Column::ALL.len();
        self.results()?.autofilter(0, 0, last, cols as u16 - 1).map_err(xe)?;
        fill_report(&mut self.wb, report).map_err(xe)?;
        let mut out = self.out.take().ok_or_else(|| io::Error::other("Excel workbook written twice"))?;
        self.wb.save_to_writer(&mut out).map_err(xe)?;
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    /// A results row: a trustee sale with a shortfall.
    fn row() -> ResultRow {
        let loan = crate::loan::Loan::new(
            "=HYPERLINK(1)",
            crate::loan::EventType::TrusteeSale,
            d("2025-06-10"),
            Money::from(300_000),
            Some(Money::from(250_000)),
        );
        let env = crate::engine::Env {
            settings: &crate::settings::Settings::default(),
            calendar: crate::holidays::HolidayCalendar::embedded(),
            as_of: d("2026-01-15"),
        };
        let a = crate::engine::assess(&loan, env).expect("assess");
        ResultRow::new(1, None, loan, a)
    }

    #[test]
    fn one_row_past_the_limit_is_a_clear_error() {
        let mut w = XlsxResults::new(Vec::new(), d("2026-01-15"), None).expect("workbook");
        w.limit = 3;
        let r = row();
        for _ in 0..3 {
            w.write(&r).expect("fits");
        }
        let e = w.write(&r).expect_err("one too many");
        assert!(e.to_string().contains("more than 3 loans do not fit in one Excel worksheet"), "{e}");
        assert_eq!(MAX_ROWS, 1_048_576 - 1);
    }

    #[test]
    fn money_beyond_a_double_is_text() {
        assert_eq!(money::to_spreadsheet_number(Money::new(12345, 2)), Some(123.45));
        assert_eq!(money::to_spreadsheet_number(Money::new(-5, 3)), Some(0.0));
        assert_eq!(money::to_spreadsheet_number(Money::from(100_000_000_000_000i64)), None);
    }
}
