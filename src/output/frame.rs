//! Per-loan results and rejects as polars DataFrames in memory, with the
//! typed schema of Parquet results (README "Output: per-loan results"):
//! money Decimal(18,2), dates Date, `row` UInt64, lists as `;`-joined text.
//! The Parquet writer builds each row group with [`ResultFrame`]; a caller
//! that wants the results in memory (the Python package) takes the frames.

use super::{Column as ResultColumn, ColumnKind, ResultRow, Value};
use crate::input::Reject;
use crate::money;
use polars::prelude::*;

/// Rows a builder reserves room for at first.
const RESERVE: usize = 32 * 1024;

/// One results column being filled; text is built in place (no string per
/// cell).
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
            ColumnKind::RowNumber => Builder::RowNumber(Vec::with_capacity(RESERVE)),
            ColumnKind::Text | ColumnKind::Code | ColumnKind::List => {
                Builder::Text(StringChunkedBuilder::new(c.name().into(), RESERVE))
            }
            ColumnKind::Money => Builder::Money(Vec::with_capacity(RESERVE)),
            ColumnKind::Date => Builder::Date(Vec::with_capacity(RESERVE)),
            ColumnKind::Count => Builder::Count(Vec::with_capacity(RESERVE)),
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
            (Builder::Date(b), Value::Date(d)) => b.push(d.map(crate::dates::to_epoch_days)),
            (Builder::Count(b), Value::Count(n)) => b.push(n),
            // A column's value always has its column's kind (`ResultRow::value`).
            _ => {}
        }
    }

    fn finish(self, c: ResultColumn) -> Column {
        let name = c.name().into();
        match self {
            Builder::RowNumber(v) => Column::new(name, v),
            Builder::Text(b) => b.finish().into_series().into(),
            Builder::Money(v) => {
                Int128Chunked::from_iter_options(name, v.into_iter()).into_decimal_unchecked(18, 2).into_series().into()
            }
            Builder::Date(v) => Int32Chunked::from_iter_options(name, v.into_iter()).into_date().into_series().into(),
            Builder::Count(v) => UInt32Chunked::from_iter_options(name, v.into_iter()).into_series().into(),
        }
    }
}

/// Results rows gathered into the columns of a DataFrame, [`RESERVE`] rows
/// to a chunk: a long run in memory never grows (and copies) one huge
/// vector per column, and each chunk's scratch is reused.
pub struct ResultFrame {
    cols: Vec<Builder>,
    /// Rows in `cols`.
    rows: usize,
    /// Chunks finished.
    done: Option<DataFrame>,
    text: Vec<u8>,
}

impl Default for ResultFrame {
    fn default() -> Self {
        ResultFrame { cols: builders(), rows: 0, done: None, text: Vec::with_capacity(256) }
    }
}

fn builders() -> Vec<Builder> {
    ResultColumn::ALL.iter().map(|c| Builder::new(*c)).collect()
}

impl ResultFrame {
    /// Adds one row.
    pub fn push(&mut self, r: &ResultRow) -> PolarsResult<()> {
        for (b, c) in self.cols.iter_mut().zip(ResultColumn::ALL) {
            b.push(r.value(*c), &mut self.text);
        }
        self.rows += 1;
        if self.rows >= RESERVE {
            let chunk = self.finish_chunk()?;
            match &mut self.done {
                Some(done) => {
                    done.vstack_mut_owned(chunk)?;
                }
                None => self.done = Some(chunk),
            }
        }
        Ok(())
    }

    /// Rows gathered since the last [`ResultFrame::take`].
    pub fn len(&self) -> usize {
        self.done.as_ref().map_or(0, DataFrame::height) + self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn finish_chunk(&mut self) -> PolarsResult<DataFrame> {
        let height = std::mem::take(&mut self.rows);
        let cols = std::mem::replace(&mut self.cols, builders());
        let cols = cols.into_iter().zip(ResultColumn::ALL).map(|(b, c)| b.finish(*c)).collect();
        DataFrame::new(height, cols)
    }

    /// The rows gathered, as a DataFrame of [`super::parquet::schema`] (in
    /// chunks of at most [`RESERVE`] rows, the same in every column);
    /// starts again empty.
    pub fn take(&mut self) -> PolarsResult<DataFrame> {
        match self.done.take() {
            // The builders are empty (a chunk just ended): keep them.
            Some(done) if self.rows == 0 => Ok(done),
            Some(mut done) => {
                done.vstack_mut_owned(self.finish_chunk()?)?;
                Ok(done)
            }
            None => self.finish_chunk(),
        }
    }
}

/// Rejects as a DataFrame with the columns of the rejects file
/// ([`super::rejects::COLUMNS`]): `row` and `line` UInt64 (`line` null
/// outside CSV), the rest String (`loan_id` null when unknown).
pub fn rejects_frame(rejects: &[Reject]) -> PolarsResult<DataFrame> {
    let text = |name: &str, get: &dyn Fn(&Reject) -> Option<&str>| -> Column {
        StringChunked::from_iter_options(name.into(), rejects.iter().map(get)).into_series().into()
    };
    let cols = vec![
        text("file", &|r| Some(r.file.as_str())),
        Column::new("row".into(), rejects.iter().map(|r| r.row).collect::<Vec<u64>>()),
        UInt64Chunked::from_iter_options("line".into(), rejects.iter().map(|r| r.line)).into_series().into(),
        text("loan_id", &|r| r.loan_id.as_deref()),
        text("column", &|r| Some(r.column.as_str())),
        text("value", &|r| Some(r.value.as_str())),
        text("error", &|r| Some(r.error.as_str())),
    ];
    DataFrame::new(rejects.len(), cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_frame_has_the_rejects_file_columns() {
        let r = Reject {
            file: "a.csv".into(),
            row: 3,
            line: None,
            loan_id: Some("L1".into()),
            column: "event_date".into(),
            value: "soon".into(),
            error: "is not a date".into(),
        };
        let df = rejects_frame(&[r]).unwrap();
        let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
        assert_eq!(names, super::super::rejects::COLUMNS);
        assert_eq!(df.column("row").unwrap().u64().unwrap().get(0), Some(3));
        assert_eq!(df.column("line").unwrap().u64().unwrap().get(0), None);
        assert_eq!(df.column("value").unwrap().str().unwrap().get(0), Some("soon"));
        assert_eq!(rejects_frame(&[]).unwrap().height(), 0);
    }

    #[test]
    fn an_empty_result_frame_has_the_parquet_schema() {
        let df = ResultFrame::default().take().unwrap();
        assert_eq!(df.height(), 0);
        let schema = df.schema();
        for (name, dt) in super::super::parquet::schema().iter() {
            assert_eq!(schema.get(name), Some(dt), "{name}");
        }
        assert_eq!(schema.len(), ResultColumn::ALL.len());
    }
}
