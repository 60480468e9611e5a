//! Per-loan results as Parquet (polars' batched writer): money as
//! Decimal(18,2), dates as Date, `row` as UInt64, lists as `;`-joined text,
//! so DuckDB, pyarrow and pandas read them with the right types. Rows are
//! buffered and written a row group at a time; memory stays bounded.

use super::results::ResultWriter;
use super::{Column as ResultColumn, ColumnKind, ResultRow, Value};
use crate::loan::Kind;
use crate::money;
use chrono::NaiveDate;
use polars::prelude::*;
use std::io::{self, Write};

/// Rows per row group.
pub const ROW_GROUP: usize = 32 * 1024;

/// One results column being filled for a row group; text is built in place
/// (no string per cell).
enum Builder {
    RowNumber(Vec<u64>),
    Text(StringChunkedBuilder),
    Money(Vec<Option<i128>>),
    Date(Vec<Option<i32>>),
    Count(Vec<Option<u32>>),
}

impl Builder {
    fn new(c: ResultColumn) -> Builder {
        match c.kind() {
            ColumnKind::RowNumber => Builder::RowNumber(Vec::with_capacity(ROW_GROUP)),
            ColumnKind::Text | ColumnKind::Code | ColumnKind::List => {
                Builder::Text(StringChunkedBuilder::new(c.name().into(), ROW_GROUP))
            }
            ColumnKind::Money => Builder::Money(Vec::with_capacity(ROW_GROUP)),
            ColumnKind::Date => Builder::Date(Vec::with_capacity(ROW_GROUP)),
            ColumnKind::Count => Builder::Count(Vec::with_capacity(ROW_GROUP)),
        }
    }

    fn push(&mut self, v: Value, text: &mut Vec<u8>) {
        match (self, v) {
            (Builder::RowNumber(b), Value::RowNumber(n)) => b.push(n),
            (Builder::Text(b), Value::Text(t)) => b.append_value(t),
            (Builder::Text(b), v) => {
                // codes and citations are ASCII text
                text.clear();
                v.write_codes(text);
                b.append_value(std::str::from_utf8(text).unwrap_or_default());
            }
            (Builder::Money(b), Value::Money(m)) => b.push(m.map(money::to_cents)),
            (Builder::Date(b), Value::Date(d)) => b.push(d.map(days)),
            (Builder::Count(b), Value::Count(n)) => b.push(n),
            // A column's value always has its column's kind (`ResultRow::value`).
            _ => {}
        }
    }

    fn finish(self, c: ResultColumn) -> PolarsResult<Column> {
        let name = c.name().into();
        Ok(match self {
            Builder::RowNumber(v) => Column::new(name, v),
            Builder::Text(b) => b.finish().into_series().into(),
            Builder::Money(v) => {
                Int128Chunked::from_iter_options(name, v.into_iter()).into_decimal_unchecked(18, 2).into_series().into()
            }
            Builder::Date(v) => Int32Chunked::from_iter_options(name, v.into_iter()).into_date().into_series().into(),
            Builder::Count(v) => UInt32Chunked::from_iter_options(name, v.into_iter()).into_series().into(),
        })
    }
}

fn days(d: NaiveDate) -> i32 {
    crate::dates::to_epoch_days(d)
}

/// The Arrow schema of a results file, from the column kinds.
pub fn schema() -> Schema {
    let mut s = Schema::default();
    for c in ResultColumn::ALL {
        let dt = match c.kind() {
            ColumnKind::RowNumber => DataType::UInt64,
            ColumnKind::Money => DataType::Decimal(18, 2),
            ColumnKind::Date => DataType::Date,
            ColumnKind::Count => DataType::UInt32,
            ColumnKind::Text | ColumnKind::Code | ColumnKind::List => DataType::String,
        };
        s.with_column(c.name().into(), dt);
    }
    s
}

/// Parquet results.
pub struct ParquetResults<W: Write + Send> {
    writer: BatchedWriter<W>,
    cols: Vec<Builder>,
    rows: usize,
    text: Vec<u8>,
}

fn to_io(e: PolarsError) -> io::Error {
    io::Error::other(e.to_string())
}

fn builders() -> Vec<Builder> {
    ResultColumn::ALL.iter().map(|c| Builder::new(*c)).collect()
}

impl<W: Write + Send> ParquetResults<W> {
    pub fn new(w: W) -> io::Result<Self> {
        let writer = ParquetWriter::new(w)
            .with_compression(ParquetCompression::Zstd(None))
            .set_parallel(false)
            .batched(&schema())
            .map_err(to_io)?;
        Ok(ParquetResults { writer, cols: builders(), rows: 0, text: Vec::with_capacity(256) })
    }

    fn flush_group(&mut self) -> io::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let height = std::mem::take(&mut self.rows);
        let cols = std::mem::replace(&mut self.cols, builders());
        let cols = cols.into_iter().zip(ResultColumn::ALL).map(|(b, c)| b.finish(*c)).collect::<PolarsResult<Vec<_>>>();
        let df = DataFrame::new(height, cols.map_err(to_io)?).map_err(to_io)?;
        self.writer.write_batch(&df).map_err(to_io)
    }
}

impl<W: Write + Send> ResultWriter for ParquetResults<W> {
    fn write(&mut self, r: &ResultRow) -> io::Result<()> {
        for (b, c) in self.cols.iter_mut().zip(ResultColumn::ALL) {
            b.push(r.value(*c), &mut self.text);
        }
        self.rows += 1;
        if self.rows >= ROW_GROUP {
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
    kinds: Vec<(String, Kind)>,
    cells: Vec<Vec<Option<String>>>,
}

impl<W: Write + Send> NativeParquetWriter<W> {
    pub fn new(w: W, columns: &[crate::loan::Field]) -> io::Result<Self> {
        let mut schema = Schema::default();
        let mut kinds = Vec::new();
        for f in columns {
            let k = f.kind();
            let dt = match k {
                Kind::Money | Kind::SignedMoney => DataType::Decimal(18, 2),
                Kind::Date => DataType::Date,
                Kind::Bool => DataType::Boolean,
                Kind::Count => DataType::UInt32,
                Kind::Text | Kind::Enum | Kind::State => DataType::String,
            };
            schema.with_column(f.name().into(), dt);
            kinds.push((f.name().to_string(), k));
        }
        let writer = ParquetWriter::new(w)
            .with_compression(ParquetCompression::Zstd(None))
            .set_parallel(false)
            .batched(&schema)
            .map_err(to_io)?;
        let cells = vec![Vec::new(); columns.len()];
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
        let height = self.cells[0].len();
        if height == 0 {
            return Ok(());
        }
        let mut cols = Vec::with_capacity(self.kinds.len());
        for ((name, k), cells) in self.kinds.iter().zip(self.cells.iter_mut()) {
            let cells = std::mem::take(cells);
            let bad = |v: &str| io::Error::other(format!("column {name}: {v:?} is not valid"));
            let col: Column = match k {
                Kind::Money | Kind::SignedMoney => {
                    let mut v = Vec::with_capacity(height);
                    for c in &cells {
                        v.push(match c {
                            None => None,
                            Some(s) => Some(money::to_cents(money::parse_signed(s.as_bytes()).map_err(|_| bad(s))?)),
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
                Kind::Count => {
                    let mut v = Vec::with_capacity(height);
                    for c in &cells {
                        v.push(match c {
                            None => None,
                            Some(s) => Some(s.parse::<u32>().map_err(|_| bad(s))?),
                        });
                    }
                    UInt32Chunked::from_iter_options(name.as_str().into(), v.into_iter()).into_series().into()
                }
                Kind::Text | Kind::Enum | Kind::State => {
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
