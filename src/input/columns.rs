//! The cells of a Parquet chunk, read in their own types: a Decimal,
//! integer or float amount, a Date or a Boolean becomes a typed
//! [`Cell`] straight from its column (no text is built), and a String
//! column's value is borrowed as it is. A piece of a chunk is typed column
//! by column (`Header::parse_columns`: each column's type matched once, its
//! values read in order), with the validation, defaults, assumptions and
//! rejects of a CSV row (a typed cell means the text [`Cell::render`]
//! writes; `values` checks they agree).

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

/// One column of a chunk in its file type: polars' own arrays (shared, not
/// copied), one concrete array per column so that reading a cell is one
/// bounds check, one validity bit and one load (going through polars'
/// chunk list and a dynamic downcast for each of ~60 cells a row cost a
/// fifth of the run).
pub enum Column {
    Text(Arr<StringType>),
    /// A Decimal column: the unscaled values and the scale.
    Decimal(Arr<Int128Type>, u32),
    Int(Arr<Int64Type>),
    Float(Arr<Float64Type>),
    /// Days since 1970-01-01.
    Date(Arr<Int32Type>),
    Bool(Arr<BooleanType>),
    Null,
}

/// The one array of a polars column of type `P`.
type Arr<P> = <P as PolarsDataType>::Array;

/// The one array of `c` (its chunks joined first, when there are several);
/// `None` for a column with no chunks (no rows).
fn array<P: PolarsDataType>(c: &ChunkedArray<P>) -> Option<Arr<P>>
where
    Arr<P>: Clone,
{
    c.rechunk().downcast_get(0).cloned()
}

/// Value `r` of a primitive array, `None` when null or past the end.
macro_rules! value {
    ($a:expr, $r:expr) => {{
        let (a, r) = ($a, $r);
        (r < a.len() && a.validity().is_none_or(|v| v.get_bit(r))).then(|| a.values()[r])
    }};
}

impl Column {
    /// The column of `s`, read for a field of kind `kind`: text fields
    /// (ids, enumerations, states) read an integer column as its digits.
    pub fn new(s: &Series, kind: Kind) -> PolarsResult<Column> {
        let text_field = matches!(kind, Kind::Text | Kind::Enum | Kind::State);
        let column = match s.dtype() {
            DataType::String => array(s.str()?).map(Column::Text),
            dt if dt.is_integer() && text_field => array(s.cast(&DataType::String)?.str()?).map(Column::Text),
            DataType::Decimal(_, _) => {
                let ca = s.decimal()?;
                array(ca.physical()).map(|a| Column::Decimal(a, ca.scale() as u32))
            }
            DataType::Float64 | DataType::Float32 => array(s.cast(&DataType::Float64)?.f64()?).map(Column::Float),
            DataType::Date => array(s.date()?.physical()).map(Column::Date),
            DataType::Boolean => array(s.bool()?).map(Column::Bool),
            DataType::Null => None,
            dt if dt.is_integer() => array(s.cast(&DataType::Int64)?.i64()?).map(Column::Int),
            dt => polars_bail!(ComputeError: "column {} has unsupported type {}", s.name(), dt),
        };
        // No chunk: no rows, so no cell to read.
        Ok(column.unwrap_or(Column::Null))
    }

    /// Row `r` as a cell; null (or past the end) is blank.
    #[inline]
    fn cell(&self, r: usize) -> Cell<'_> {
        match self {
            Column::Text(a) => text_cell(a, r),
            Column::Decimal(a, scale) => decimal_cell(a, *scale, r),
            Column::Int(a) => int_cell(a, r),
            Column::Float(a) => float_cell(a, r),
            Column::Date(a) => date_cell(a, r),
            Column::Bool(a) => bool_cell(a, r),
            Column::Null => Cell::Blank,
        }
    }

    /// Calls `f(k, cell)` for each row of `rows` in order, `k` counting
    /// from 0: the cells of [`Column::cell`], with the column's type matched
    /// once for the run instead of once a cell.
    pub fn for_each<'a>(&'a self, rows: std::ops::Range<usize>, mut f: impl FnMut(usize, Cell<'a>)) {
        let start = rows.start;
        match self {
            Column::Text(a) => rows.for_each(|r| f(r - start, text_cell(a, r))),
            Column::Decimal(a, scale) => rows.for_each(|r| f(r - start, decimal_cell(a, *scale, r))),
            Column::Int(a) => rows.for_each(|r| f(r - start, int_cell(a, r))),
            Column::Float(a) => rows.for_each(|r| f(r - start, float_cell(a, r))),
            Column::Date(a) => rows.for_each(|r| f(r - start, date_cell(a, r))),
            Column::Bool(a) => rows.for_each(|r| f(r - start, bool_cell(a, r))),
            Column::Null => rows.for_each(|r| f(r - start, Cell::Blank)),
        }
    }
}

// A cell of each kind of column: null (or past the end) is blank.
#[inline(always)]
fn text_cell(a: &Arr<StringType>, r: usize) -> Cell<'_> {
    if r < a.len() { a.get(r) } else { None }.map_or(Cell::Blank, Cell::from_text)
}
#[inline(always)]
fn decimal_cell(a: &Arr<Int128Type>, scale: u32, r: usize) -> Cell<'static> {
    value!(a, r).map_or(Cell::Blank, |m| Cell::Num(m, scale))
}
#[inline(always)]
fn int_cell(a: &Arr<Int64Type>, r: usize) -> Cell<'static> {
    value!(a, r).map_or(Cell::Blank, |v| Cell::Num(i128::from(v), 0))
}
/// The nearest cent (see `input::parquet`).
#[inline(always)]
fn float_cell(a: &Arr<Float64Type>, r: usize) -> Cell<'static> {
    value!(a, r).map_or(Cell::Blank, |x| match crate::money::cents_from_float(x) {
        Some(cents) => Cell::Num(cents, 2),
        None => Cell::Float(x),
    })
}
/// A day no calendar date holds reads as blank, as it always has.
#[inline(always)]
fn date_cell(a: &Arr<Int32Type>, r: usize) -> Cell<'static> {
    value!(a, r).and_then(crate::dates::from_epoch_days).map_or(Cell::Blank, Cell::Date)
}
#[inline(always)]
fn bool_cell(a: &Arr<BooleanType>, r: usize) -> Cell<'static> {
    if r < a.len() { a.get(r) } else { None }.map_or(Cell::Blank, Cell::Bool)
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

    /// Number of columns.
    pub fn width(&self) -> usize {
        self.cols.len()
    }

    /// Column `i`.
    pub fn column(&self, i: usize) -> &Column {
        &self.cols[i]
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
            Some(Column::Text(a)) if self.r < a.len() => {
                out.extend_from_slice(a.get(self.r).unwrap_or_default().as_bytes())
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
