//! Per-loan results as Parquet (polars' batched writer): money as
//! Decimal(18,2), dates as Date, `row` as UInt64, lists as `;`-joined text,
//! so DuckDB, pyarrow and pandas read them with the right types. Rows are
//! buffered and written a row group at a time; memory stays bounded.

use super::frame::ResultFrame;
use super::results::ResultWriter;
use super::{Column as ResultColumn, ColumnKind, ResultRow};
use crate::loan::Kind;
use crate::money;
use polars::prelude::*;
use std::io::{self, Write};

/// Rows per row group.
pub const ROW_GROUP: usize = 32 * 1024;

fn days(d: chrono::NaiveDate) -> i32 {
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
    frame: ResultFrame,
}

fn to_io(e: PolarsError) -> io::Error {
    io::Error::other(e.to_string())
}

impl<W: Write + Send> ParquetResults<W> {
    /// A writer to `w`; with `parallel`, each row group's columns are
    /// encoded on polars' threads at once (the same bytes either way,
    /// `tests/determinism.rs`): the writer thread is then not the limit of a
    /// run on many cores (README "How a run is organised").
    pub fn new(w: W, parallel: bool) -> io::Result<Self> {
        let writer = ParquetWriter::new(w)
            .with_compression(ParquetCompression::Zstd(None))
            .set_parallel(parallel)
            .batched(&schema())
            .map_err(to_io)?;
        Ok(ParquetResults { writer, frame: ResultFrame::default() })
    }

    fn flush_group(&mut self) -> io::Result<()> {
        if self.frame.is_empty() {
            return Ok(());
        }
        let df = self.frame.take().map_err(to_io)?;
        self.writer.write_batch(&df).map_err(to_io)
    }
}

impl<W: Write + Send> ResultWriter for ParquetResults<W> {
    fn write(&mut self, r: &ResultRow) -> io::Result<()> {
        self.frame.push(r).map_err(to_io)?;
        if self.frame.len() >= ROW_GROUP {
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
