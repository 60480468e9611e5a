//! The cells of a Parquet chunk, read in their own types: a Decimal,
//! integer or float amount, a Date or a Boolean becomes a typed
//! [`Cell`] straight from its column (no text is built), and a String
//! column's value is borrowed as it is. Each row is then typed as a CSV row
//! is (same validation, defaults, assumptions and rejects: a typed cell
//! means the text [`Cell::render`] writes, `values` checks they agree).

use super::Cells;
use super::values::{Cell, ValueError};
use crate::loan::Kind;
use polars::prelude::*;

/// The cells of one chunk, column by column.
#[derive(Default)]
pub struct Columns {
    cols: Vec<Column>,
    first_row: u64,
    rows: usize,
}

/// One column of a chunk in its file type. Numbers, dates and booleans are
/// copied out of polars' buffers once per chunk, so reading a cell is one
/// index into a plain vector (following polars' chunk, array and buffer
/// pointers for each of ~60 cells a row cost a fifth of the run).
pub enum Column {
    Text(StringChunked),
    /// A Decimal column: the unscaled values and the scale.
    Decimal(Values<i128>, u32),
    Int(Values<i64>),
    Float(Values<f64>),
    /// Days since 1970-01-01.
    Date(Values<i32>),
    Bool(Values<bool>),
    Null,
}

/// A column's values, with which are null.
pub struct Values<T> {
    values: Vec<T>,
    /// Empty when no value is null.
    valid: Vec<bool>,
}

impl<T: Copy + Default> Values<T> {
    fn of<P>(c: &ChunkedArray<P>, get: impl Fn(P::Physical<'_>) -> T) -> Values<T>
    where
        P: PolarsDataType,
    {
        let valid = if c.null_count() > 0 { c.iter().map(|v| v.is_some()).collect() } else { Vec::new() };
        let values = c.iter().map(|v| v.map_or(T::default(), &get)).collect();
        Values { values, valid }
    }
}

impl<T: NumericNative> Values<T> {
    /// A numeric column's buffers copied as they are (a null's slot holds
    /// whatever the file put there; `valid` hides it).
    fn numbers<P: PolarsNumericType<Native = T>>(c: &ChunkedArray<P>) -> Values<T> {
        let mut values = Vec::with_capacity(c.len());
        let mut valid = Vec::new();
        let nulls = c.null_count() > 0;
        for a in c.downcast_iter() {
            values.extend_from_slice(a.values());
            if nulls {
                match a.validity() {
                    Some(bits) => valid.extend(bits.iter()),
                    None => valid.resize(values.len(), true),
                }
            }
        }
        Values { values, valid }
    }
}

impl<T: Copy> Values<T> {
    #[inline]
    fn get(&self, r: usize) -> Option<T> {
        let v = *self.values.get(r)?;
        (self.valid.is_empty() || self.valid.get(r) == Some(&true)).then_some(v)
    }
}

impl Column {
    /// The column of `s`, read for a field of kind `kind`: text fields
    /// (ids, enumerations, states) read an integer column as its digits.
    pub fn new(s: &Series, kind: Kind) -> PolarsResult<Column> {
        let s = s.rechunk();
        let text_field = matches!(kind, Kind::Text | Kind::Enum | Kind::State);
        Ok(match s.dtype() {
            DataType::String => Column::Text(s.str()?.clone()),
            dt if dt.is_integer() && text_field => {
                Column::Text(s.cast(&DataType::String)?.str()?.rechunk().into_owned())
            }
            DataType::Decimal(_, _) => {
                let ca = s.decimal()?;
                Column::Decimal(Values::numbers(ca.physical()), ca.scale() as u32)
            }
            DataType::Float64 | DataType::Float32 => Column::Float(Values::numbers(s.cast(&DataType::Float64)?.f64()?)),
            DataType::Date => Column::Date(Values::numbers(s.date()?.physical())),
            DataType::Boolean => Column::Bool(Values::of(s.bool()?, |v| v)),
            DataType::Null => Column::Null,
            dt if dt.is_integer() => Column::Int(Values::numbers(s.cast(&DataType::Int64)?.i64()?)),
            dt => polars_bail!(ComputeError: "column {} has unsupported type {}", s.name(), dt),
        })
    }

    /// Row `r` as a cell; null (or past the end) is blank.
    #[inline]
    fn cell(&self, r: usize) -> Cell<'_> {
        let blank = Cell::Blank;
        match self {
            Column::Text(c) => match c.downcast_get(0) {
                Some(a) if r < a.len() => a.get(r).map_or(blank, Cell::from_text),
                _ => blank,
            },
            Column::Decimal(c, scale) => c.get(r).map_or(blank, |m| Cell::Num(m, *scale)),
            Column::Int(c) => c.get(r).map_or(blank, |v| Cell::Num(i128::from(v), 0)),
            // the nearest cent (see `input::parquet`)
            Column::Float(c) => c.get(r).map_or(blank, |x| match crate::money::cents_from_float(x) {
                Some(cents) => Cell::Num(cents, 2),
                None => Cell::Float(x),
            }),
            // a day no calendar date holds reads as blank, as it always has
            Column::Date(c) => c.get(r).and_then(crate::dates::from_epoch_days).map_or(blank, Cell::Date),
            Column::Bool(c) => c.get(r).map_or(blank, Cell::Bool),
            Column::Null => blank,
        }
    }
}

impl std::fmt::Debug for Columns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Columns").field("first_row", &self.first_row).field("rows", &self.rows).finish()
    }
}

impl Columns {
    /// Holds a chunk of `rows` rows, the first being data row `first_row`.
    pub fn set(&mut self, first_row: u64, rows: usize, cols: Vec<Column>) {
        self.cols = cols;
        self.first_row = first_row;
        self.rows = rows;
    }

    /// Data row (1-based) of row `r`.
    pub fn row(&self, r: usize) -> u64 {
        self.first_row + r as u64
    }

    /// Row `r` as cells.
    pub fn record(&self, r: usize) -> ColumnRecord<'_> {
        ColumnRecord { cols: self, r }
    }
}

/// One row of a [`Columns`] chunk.
#[derive(Clone, Copy)]
pub struct ColumnRecord<'a> {
    cols: &'a Columns,
    r: usize,
}

impl std::fmt::Debug for ColumnRecord<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ColumnRecord").field("row", &self.cols.row(self.r)).finish()
    }
}

impl Cells for ColumnRecord<'_> {
    #[inline]
    fn cell(&self, i: usize) -> Result<Cell<'_>, ValueError> {
        Ok(match self.cols.cols.get(i) {
            Some(c) => c.cell(self.r),
            None => Cell::Blank,
        })
    }
    fn len(&self) -> usize {
        self.cols.cols.len()
    }
    /// The value as its CSV twin holds it (a text cell untrimmed).
    fn raw(&self, i: usize) -> String {
        let mut out = Vec::new();
        match self.cols.cols.get(i) {
            Some(Column::Text(c)) if self.r < c.len() => {
                out.extend_from_slice(c.get(self.r).unwrap_or_default().as_bytes())
            }
            _ => self.cell(i).unwrap_or(Cell::Blank).render(&mut out),
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_cells_by_row_and_column() {
        let text = Series::new("a".into(), [Some("a"), None, Some(" b ")]);
        let ids = Series::new("id".into(), [Some(7i64), None, Some(-3)]);
        let amounts = Series::new("m".into(), [Some(150i64), None, Some(-2)]);
        let floats = Series::new("f".into(), [Some(1.25f64), Some(f64::NAN), None]);
        let dates = Series::new("d".into(), [Some(19_723i32), None, Some(i32::MAX)]).cast(&DataType::Date).unwrap();
        let flags = Series::new("b".into(), [Some(true), Some(false), None]);
        let mut c = Columns::default();
        c.set(
            10,
            3,
            vec![
                Column::new(&text, Kind::Text).unwrap(),
                Column::new(&ids, Kind::Text).unwrap(),
                Column::new(&amounts, Kind::Money).unwrap(),
                Column::new(&floats, Kind::Money).unwrap(),
                Column::new(&dates, Kind::Date).unwrap(),
                Column::new(&flags, Kind::Bool).unwrap(),
                Column::Null,
            ],
        );
        let recs: Vec<_> = (0..4).map(|r| c.record(r)).collect();
        let cells = |r: usize| (0..8).map(|i| recs[r].cell(i).unwrap()).collect::<Vec<_>>();
        let d = crate::dates::ymd(2024, 1, 1);
        assert_eq!(
            cells(0),
            [
                Cell::Text("a"),
                Cell::Text("7"),
                Cell::Num(150, 0),
                Cell::Num(125, 2),
                Cell::Date(d),
                Cell::Bool(true),
                Cell::Blank,
                Cell::Blank
            ]
        );
        assert_eq!(cells(1)[..3], [Cell::Blank, Cell::Blank, Cell::Blank]);
        assert_eq!(cells(1)[4..6], [Cell::Blank, Cell::Bool(false)]);
        assert!(matches!(cells(1)[3], Cell::Float(x) if x.is_nan()));
        assert_eq!(cells(2)[..3], [Cell::Text("b"), Cell::Text("-3"), Cell::Num(-2, 0)]);
        assert_eq!(cells(2)[4], Cell::Blank, "a day past any calendar date");
        assert_eq!(c.record(2).raw(0), " b ");
        assert_eq!(c.record(0).raw(3), "1.25");
        assert_eq!(c.record(0).raw(4), "2024-01-01");
        assert_eq!(c.record(1).raw(3), "NaN");
        assert_eq!(c.record(2).len(), 7);
        assert_eq!(c.row(2), 12);
        assert_eq!(cells(3)[0], Cell::Blank, "a row past the chunk");
    }
}
