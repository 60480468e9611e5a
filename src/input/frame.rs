//! The native layout from a polars DataFrame in memory (the Python package
//! hands over Arrow data this way, README "From Python and Spark"). The
//! columns are read in their own types exactly as a Parquet file's are
//! (`input::parquet` lists the types accepted, `input::columns` reads
//! them), so a frame and the Parquet file holding it give the same loans,
//! rejects and results.

use super::columns::Column;
use super::parquet::{accepts, expected};
use super::{Batch, Header, InputError, RecordSource};
use crate::loan::{Field, Kind};
use polars::prelude::*;

/// Streams the rows of a DataFrame.
pub struct FrameSource {
    header: Header,
    /// The columns the layout knows, in frame order, and what each holds.
    columns: Vec<Series>,
    kinds: Vec<Kind>,
    height: usize,
    /// The next row to hand out.
    at: usize,
    /// The data row number of the frame's first row, less one.
    offset: u64,
}

impl FrameSource {
    /// A source over `df`, named `name` in rejects and reports; its first
    /// row is data row `first_row` (1 for a whole input; more for a later
    /// batch of a stream, so rows number as in one file). A missing required
    /// column, a duplicate or a column of a type the layout cannot read is
    /// an error, as for a Parquet file.
    pub fn new(name: &str, df: &DataFrame, first_row: u64) -> Result<FrameSource, InputError> {
        let names: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
        let full = Header::new(name, &names)?;
        let mut read = Vec::new();
        let mut columns = Vec::new();
        let mut kinds = Vec::new();
        for c in df.columns() {
            let Some(f) = Field::from_name(&c.name().trim().to_ascii_lowercase()) else { continue };
            if !accepts(f.kind(), c.dtype()) {
                return Err(InputError::Other {
                    path: name.into(),
                    message: format!("column \"{}\" has type {}; expected {}", c.name(), c.dtype(), expected(f.kind())),
                });
            }
            read.push(c.name().to_string());
            columns.push(c.as_materialized_series().clone());
            kinds.push(f.kind());
        }
        let mut header = Header::new(name, &read)?;
        header.unknown = full.unknown;
        Ok(FrameSource { header, columns, kinds, height: df.height(), at: 0, offset: first_row.saturating_sub(1) })
    }
}

impl RecordSource for FrameSource {
    fn header(&self) -> &Header {
        &self.header
    }

    fn next_batch(&mut self, batch: &mut Batch, max: usize) -> Result<usize, InputError> {
        let n = max.min(self.height - self.at);
        if n == 0 {
            return Ok(0);
        }
        let cols = self
            .columns
            .iter()
            .zip(&self.kinds)
            .map(|(s, &k)| Column::new(&s.slice(self.at as i64, n), k))
            .collect::<PolarsResult<Vec<_>>>()
            .map_err(|e| InputError::Other { path: self.header.path.clone(), message: e.to_string() })?;
        batch.columns_mut().set(self.offset + self.at as u64 + 1, n, cols);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Cells, Fields};

    fn frame() -> DataFrame {
        let ids = Series::new("loan_id".into(), ["A", "B", "C"]);
        let et = Series::new("event_type".into(), ["foreclosure_sale"; 3]);
        let ed = Series::new("event_date".into(), ["2024-01-02"; 3]);
        let up = Series::new("unpaid_principal".into(), [100i64, 200, 300]);
        let sp = Series::new("sale_price".into(), [50i64, 60, 70]);
        let extra = Series::new("note".into(), ["x"; 3]);
        DataFrame::new(3, vec![ids.into(), et.into(), ed.into(), up.into(), sp.into(), extra.into()]).unwrap()
    }

    #[test]
    fn rows_number_from_first_row_across_batches() {
        let mut src = FrameSource::new("mem", &frame(), 11).unwrap();
        assert_eq!(src.header().unknown, ["note"]);
        let mut batch = Batch::default();
        let mut fields = Fields::default();
        assert_eq!(src.next_batch(&mut batch, 2).unwrap(), 2);
        let rec = batch.get(1, &mut fields);
        assert_eq!(rec.row(), 12);
        assert_eq!(rec.raw(src.header().position(Field::LoanId).unwrap()), "B");
        assert_eq!(src.next_batch(&mut batch, 2).unwrap(), 1);
        assert_eq!(batch.get(0, &mut fields).row(), 13);
        assert_eq!(src.next_batch(&mut batch, 2).unwrap(), 0);
    }

    #[test]
    fn a_missing_column_or_a_wrong_type_is_an_input_error() {
        let df = frame().drop("event_date").unwrap();
        let e = FrameSource::new("mem", &df, 1).err().unwrap().to_string();
        assert!(e.contains("missing required column(s): event_date"), "{e}");
        let mut df = frame();
        df.with_column(Series::new("event_date".into(), [true, false, true]).into()).unwrap();
        let e = FrameSource::new("mem", &df, 1).err().unwrap().to_string();
        assert!(e.contains("column \"event_date\" has type bool; expected Date or String"), "{e}");
    }
}
