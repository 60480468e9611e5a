//! Column-major text cells: a chunk of a columnar file (Parquet) turned
//! into text one column at a time, so each row is then typed exactly as a
//! CSV row is (same validation, defaults, assumptions and rejects).

use super::Cells;
use super::values::{Cell, ValueError};

/// The cells of one chunk, column by column.
#[derive(Debug, Default)]
pub struct TextColumns {
    cols: Vec<TextColumn>,
    first_row: u64,
    rows: usize,
}

/// One column's cells, end to end.
#[derive(Debug, Default)]
pub struct TextColumn {
    /// While filling.
    bytes: Vec<u8>,
    /// Once filled and checked as UTF-8 (always, for what the readers write).
    text: Option<String>,
    /// Where each row's cell starts, then where the last one ends
    /// (`rows + 1` offsets; a chunk's column is far below 4 GB).
    offsets: Vec<u32>,
    rows: usize,
}

impl TextColumns {
    /// Starts a chunk of `rows` rows and `width` columns, reusing buffers.
    pub fn start(&mut self, first_row: u64, rows: usize, width: usize) {
        self.cols.resize_with(width, TextColumn::default);
        for c in &mut self.cols {
            if let Some(t) = c.text.take() {
                c.bytes = t.into_bytes();
            }
            c.bytes.clear();
            c.offsets.clear();
            c.offsets.push(0);
            c.rows = rows;
        }
        self.first_row = first_row;
        self.rows = rows;
    }

    /// Column `k` to fill, in row order.
    pub fn column_mut(&mut self, k: usize) -> &mut TextColumn {
        &mut self.cols[k]
    }

    /// Checks every column as UTF-8 once; a column is then read as text.
    /// False if a column outgrew its 4 GB of offsets (the caller stops).
    pub fn finish(&mut self) -> bool {
        let fits = self.cols.iter().all(|c| u32::try_from(c.bytes.len()).is_ok());
        for c in &mut self.cols {
            let end = offset(c.bytes.len());
            c.offsets.resize(c.rows + 1, end);
            match String::from_utf8(std::mem::take(&mut c.bytes)) {
                Ok(t) => c.text = Some(t),
                Err(e) => c.bytes = e.into_bytes(),
            }
        }
        fits
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

impl TextColumn {
    /// Appends the next row's cell.
    pub fn push_str(&mut self, s: &str) {
        self.bytes.extend_from_slice(s.as_bytes());
        self.offsets.push(offset(self.bytes.len()));
    }

    /// Appends the next row's cell, written by `f`.
    pub fn push_with(&mut self, f: impl FnOnce(&mut Vec<u8>)) {
        f(&mut self.bytes);
        self.offsets.push(offset(self.bytes.len()));
    }

    /// Rows this column is to hold.
    pub fn rows(&self) -> usize {
        self.rows
    }

    #[inline]
    fn bounds(&self, r: usize) -> Option<(usize, usize)> {
        match self.offsets.get(r..r + 2) {
            Some(&[a, b]) => Some((a as usize, b as usize)),
            _ => None,
        }
    }
}

/// A byte offset as stored; a chunk holds at most a batch of rows, so a
/// column of it stays far below 4 GB ([`TextColumns::finish`] says if not).
fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One row of a [`TextColumns`] chunk.
#[derive(Debug, Clone, Copy)]
pub struct ColumnRecord<'a> {
    cols: &'a TextColumns,
    r: usize,
}

impl ColumnRecord<'_> {
    /// The raw bytes of field `i`.
    pub fn field(&self, i: usize) -> Option<&[u8]> {
        let c = self.cols.cols.get(i)?;
        let (a, b) = c.bounds(self.r)?;
        match &c.text {
            Some(t) => t.as_bytes().get(a..b),
            None => c.bytes.get(a..b),
        }
    }
}

impl Cells for ColumnRecord<'_> {
    #[inline]
    fn cell(&self, i: usize) -> Result<Cell<'_>, ValueError> {
        let Some(c) = self.cols.cols.get(i) else { return Ok(Cell::Blank) };
        let Some((a, b)) = c.bounds(self.r) else { return Ok(Cell::Blank) };
        if a == b {
            return Ok(Cell::Blank);
        }
        match c.text.as_deref().and_then(|t| t.get(a..b)) {
            Some(s) => Ok(Cell::from_text(s)),
            None => Cell::from_bytes(c.bytes.get(a..b).unwrap_or_default()),
        }
    }
    fn len(&self) -> usize {
        self.cols.cols.len()
    }
    fn raw(&self, i: usize) -> String {
        self.field(i).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_by_row_and_column() {
        let mut c = TextColumns::default();
        for round in 0..2 {
            c.start(10, 3, 2);
            for v in ["a", "", " b "] {
                c.column_mut(0).push_str(v);
            }
            c.column_mut(1).push_with(|t| t.extend_from_slice(b"1.50"));
            c.column_mut(1).push_with(|_| {});
            c.column_mut(1).push_with(|t| t.extend_from_slice(b"\xff"));
            assert!(c.finish());
            assert_eq!(c.record(0).cell(0), Ok(Cell::Text("a")), "round {round}");
            assert_eq!(c.record(1).cell(0), Ok(Cell::Blank));
            assert_eq!(c.record(2).cell(0), Ok(Cell::Text("b")));
            assert_eq!(c.record(0).cell(1), Ok(Cell::Text("1.50")));
            assert_eq!(c.record(1).cell(1), Ok(Cell::Blank));
            assert_eq!(c.record(2).cell(1), Err(ValueError::Utf8));
            assert_eq!(c.record(2).raw(1), "\u{fffd}");
            assert_eq!(c.record(2).len(), 2);
            assert_eq!(c.row(2), 12);
        }
    }
}
