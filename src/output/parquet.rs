//! Per-loan results as Parquet (polars' batched writer): money as
//! Decimal(18,2), dates as Date, `row` as UInt64, lists as `;`-joined text,
//! so DuckDB, pyarrow and pandas read them with the right types. Rows are
//! buffered and written a row group at a time; memory stays bounded.

use super::results::ResultWriter;
use super::{ResultRow, columns};
use crate::money;
use chrono::NaiveDate;
use polars::prelude::*;
use std::io::{self, Write};

/// Rows per row group.
pub const ROW_GROUP: usize = 32 * 1024;

/// Text columns are built in place (no string per cell).
struct Columns {
    row: Vec<u64>,
    loan_id: StringChunkedBuilder,
    outcome: StringChunkedBuilder,
    primary: StringChunkedBuilder,
    reasons: StringChunkedBuilder,
    citations: StringChunkedBuilder,
    money: [Vec<Option<i128>>; 6],
    action_deadline: Vec<Option<i32>>,
    redemption_ends: Vec<Option<i32>>,
    flags: StringChunkedBuilder,
    event_type: StringChunkedBuilder,
    event_date: Vec<Option<i32>>,
    lien_position: Vec<Option<u32>>,
    agency_net_loss: Vec<Option<i128>>,
}

impl Default for Columns {
    fn default() -> Self {
        let text = |name: &str| StringChunkedBuilder::new(name.into(), ROW_GROUP);
        Columns {
            row: Vec::with_capacity(ROW_GROUP),
            loan_id: text("loan_id"),
            outcome: text("outcome"),
            primary: text("primary_reason"),
            reasons: text("reasons"),
            citations: text("citations"),
            money: Default::default(),
            action_deadline: Vec::new(),
            redemption_ends: Vec::new(),
            flags: text("flags"),
            event_type: text("event_type"),
            event_date: Vec::new(),
            lien_position: Vec::new(),
            agency_net_loss: Vec::new(),
        }
    }
}

fn days(d: NaiveDate) -> i32 {
    crate::dates::to_epoch_days(d)
}

/// The Arrow schema of a results file.
pub fn schema() -> Schema {
    let mut s = Schema::default();
    for name in columns() {
        let dt = match name {
            "row" => DataType::UInt64,
            "total_debt" | "gross_deficiency" | "recoverable" | "barred" | "undetermined" | "surplus"
            | "agency_net_loss" => DataType::Decimal(18, 2),
            "action_deadline" | "redemption_ends" | "event_date" => DataType::Date,
            "lien_position" => DataType::UInt32,
            _ => DataType::String,
        };
        s.with_column(name.into(), dt);
    }
    s
}

/// Parquet results.
pub struct ParquetResults<W: Write + Send> {
    writer: BatchedWriter<W>,
    cols: Columns,
    text: Vec<u8>,
}

fn to_io(e: PolarsError) -> io::Error {
    io::Error::other(e.to_string())
}

impl<W: Write + Send> ParquetResults<W> {
    pub fn new(w: W) -> io::Result<Self> {
        let writer = ParquetWriter::new(w)
            .with_compression(ParquetCompression::Zstd(None))
            .set_parallel(false)
            .batched(&schema())
            .map_err(to_io)?;
        Ok(ParquetResults { writer, cols: Columns::default(), text: Vec::with_capacity(256) })
    }

    fn flush_group(&mut self) -> io::Result<()> {
        if self.cols.row.is_empty() {
            return Ok(());
        }
        let c = std::mem::take(&mut self.cols);
        let dec = |name: &str, v: Vec<Option<i128>>| -> PolarsResult<Column> {
            Ok(Int128Chunked::from_iter_options(name.into(), v.into_iter())
                .into_decimal_unchecked(18, 2)
                .into_series()
                .into())
        };
        let date = |name: &str, v: Vec<Option<i32>>| -> Column {
            Int32Chunked::from_iter_options(name.into(), v.into_iter()).into_date().into_series().into()
        };
        let [m0, m1, m2, m3, m4, m5] = c.money;
        let height = c.row.len();
        let cols: Vec<Column> = vec![
            Column::new("row".into(), c.row),
            c.loan_id.finish().into_series().into(),
            c.outcome.finish().into_series().into(),
            c.primary.finish().into_series().into(),
            c.reasons.finish().into_series().into(),
            c.citations.finish().into_series().into(),
            dec("total_debt", m0).map_err(to_io)?,
            dec("gross_deficiency", m1).map_err(to_io)?,
            dec("recoverable", m2).map_err(to_io)?,
            dec("barred", m3).map_err(to_io)?,
            dec("undetermined", m4).map_err(to_io)?,
            dec("surplus", m5).map_err(to_io)?,
            date("action_deadline", c.action_deadline),
            date("redemption_ends", c.redemption_ends),
            c.flags.finish().into_series().into(),
            c.event_type.finish().into_series().into(),
            date("event_date", c.event_date),
            UInt32Chunked::from_iter_options("lien_position".into(), c.lien_position.into_iter()).into_series().into(),
            dec("agency_net_loss", c.agency_net_loss).map_err(to_io)?,
        ];
        let df = DataFrame::new(height, cols).map_err(to_io)?;
        self.writer.write_batch(&df).map_err(to_io)
    }
}

impl<W: Write + Send> ResultWriter for ParquetResults<W> {
    fn write(&mut self, r: &ResultRow) -> io::Result<()> {
        let a = &r.assessment;
        let c = &mut self.cols;
        c.row.push(r.row);
        c.loan_id.append_value(&r.loan_id);
        c.outcome.append_value(a.outcome.name());
        let t = &mut self.text;
        // codes and citations are ASCII text
        t.clear();
        a.primary().write_code(t);
        c.primary.append_value(std::str::from_utf8(t).unwrap_or_default());
        t.clear();
        r.write_reasons(t);
        c.reasons.append_value(std::str::from_utf8(t).unwrap_or_default());
        t.clear();
        r.write_citations(t);
        c.citations.append_value(std::str::from_utf8(t).unwrap_or_default());
        for (v, m) in c.money.iter_mut().zip([
            a.amounts.total_debt,
            a.amounts.gross,
            a.recoverable,
            a.barred,
            a.undetermined,
            a.amounts.surplus,
        ]) {
            v.push(Some(money::to_cents(m)));
        }
        c.action_deadline.push(a.action_deadline.map(days));
        c.redemption_ends.push(a.redemption_ends.map(days));
        t.clear();
        r.write_flags(t);
        c.flags.append_value(std::str::from_utf8(t).unwrap_or_default());
        c.event_type.append_value(r.event_type.name());
        c.event_date.push(Some(days(r.event_date)));
        c.lien_position.push(r.lien_position);
        c.agency_net_loss.push(r.agency_net_loss.map(money::to_cents));
        if c.row.len() >= ROW_GROUP {
            self.flush_group()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.flush_group()?;
        self.writer.finish().map_err(to_io)?;
        Ok(())
    }
}

/// Writes native-layout rows (text cells in `names` order, as the generator
/// makes them) as typed Parquet: money Decimal(18,2), dates Date, booleans
/// Boolean, integers UInt32, text String. Used by `generate`, so the same
/// seed gives the same loans in CSV and Parquet.
pub struct NativeParquetWriter<W: Write + Send> {
    writer: BatchedWriter<W>,
    kinds: Vec<(String, crate::input::parquet::Kind)>,
    cells: Vec<Vec<Option<String>>>,
}

impl<W: Write + Send> NativeParquetWriter<W> {
    pub fn new(w: W, names: &[&str]) -> io::Result<Self> {
        use crate::input::parquet::{Kind, kind};
        let mut schema = Schema::default();
        let mut kinds = Vec::new();
        for n in names {
            let f = crate::loan::Field::from_name(n).ok_or_else(|| io::Error::other(format!("unknown column {n}")))?;
            let k = kind(f);
            let dt = match k {
                Kind::Money => DataType::Decimal(18, 2),
                Kind::Date => DataType::Date,
                Kind::Bool => DataType::Boolean,
                Kind::Integer => DataType::UInt32,
                Kind::Text => DataType::String,
            };
            schema.with_column((*n).into(), dt);
            kinds.push((n.to_string(), k));
        }
        let writer = ParquetWriter::new(w)
            .with_compression(ParquetCompression::Zstd(None))
            .set_parallel(false)
            .batched(&schema)
            .map_err(to_io)?;
        let cells = vec![Vec::new(); names.len()];
        Ok(NativeParquetWriter { writer, kinds, cells })
    }

    /// Adds one row of text cells (blank = null).
    pub fn push(&mut self, row: &[Vec<u8>]) -> io::Result<()> {
        for (col, cell) in self.cells.iter_mut().zip(row) {
            col.push(if cell.is_empty() { None } else { Some(String::from_utf8_lossy(cell).into_owned()) });
        }
        if self.cells[0].len() >= ROW_GROUP {
            self.flush_group()?;
        }
        Ok(())
    }

    fn flush_group(&mut self) -> io::Result<()> {
        use crate::input::parquet::Kind;
        let height = self.cells[0].len();
        if height == 0 {
            return Ok(());
        }
        let mut cols = Vec::with_capacity(self.kinds.len());
        for ((name, k), cells) in self.kinds.iter().zip(self.cells.iter_mut()) {
            let cells = std::mem::take(cells);
            let bad = |v: &str| io::Error::other(format!("column {name}: {v:?} is not valid"));
            let col: Column = match k {
                Kind::Money => {
                    let mut v = Vec::with_capacity(height);
                    for c in &cells {
                        v.push(match c {
                            None => None,
                            Some(s) => Some(money::to_cents(money::parse_money(s.as_bytes()).map_err(|_| bad(s))?)),
                        });
                    }
                    Int128Chunked::from_iter_options(name.as_str().into(), v.into_iter())
                        .into_decimal_unchecked(18, 2)
                        .into_series()
                        .into()
                }
                Kind::Date => {
                    let mut v = Vec::with_capacity(height);
                    for c in &cells {
                        v.push(match c {
                            None => None,
                            Some(s) => Some(days(crate::input::values::parse_date(s).map_err(|_| bad(s))?)),
                        });
                    }
                    Int32Chunked::from_iter_options(name.as_str().into(), v.into_iter())
                        .into_date()
                        .into_series()
                        .into()
                }
                Kind::Bool => {
                    let mut v = Vec::with_capacity(height);
                    for c in &cells {
                        v.push(match c {
                            None => None,
                            Some(s) => Some(
                                crate::input::values::boolean(crate::input::values::Cell::Text(s))
                                    .map_err(|_| bad(s))?,
                            ),
                        });
                    }
                    BooleanChunked::from_iter_options(name.as_str().into(), v.into_iter()).into_series().into()
                }
                Kind::Integer => {
                    let mut v = Vec::with_capacity(height);
                    for c in &cells {
                        v.push(match c {
                            None => None,
                            Some(s) => Some(s.parse::<u32>().map_err(|_| bad(s))?),
                        });
                    }
                    UInt32Chunked::from_iter_options(name.as_str().into(), v.into_iter()).into_series().into()
                }
                Kind::Text => {
                    StringChunked::from_iter_options(name.as_str().into(), cells.into_iter()).into_series().into()
                }
            };
            cols.push(col);
        }
        let df = DataFrame::new(height, cols).map_err(to_io)?;
        self.writer.write_batch(&df).map_err(to_io)
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.flush_group()?;
        self.writer.finish().map_err(to_io)?;
        Ok(())
    }
}
