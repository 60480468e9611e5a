//! Deterministic synthetic portfolio generator (`deficiency generate`).
//!
//! Produces loans in the native input layout (README "Input: the native layout") with a realistic mix
//! of event types, loan purposes, lien positions, borrower types, missing
//! facts, refinance chains, deadlines and bankruptcies, tuned so that every
//! outcome and every rule path of the engine occurs within a few thousand rows.
//! It is what benchmarks and demos run on.
//!
//! # Determinism
//!
//! The bytes produced for a seed never change with crate or compiler
//! versions: only integer arithmetic is used (no floats, no `rand`, no hash
//! maps), and the PRNG is written out here:
//!
//! * Row `n` (1-based) is drawn from its own **xoshiro256\*\*** generator
//!   (Blackman & Vigna, 2018), whose 256-bit state is the next four outputs of
//!   **SplitMix64** (Steele, Lea & Flood, 2014) started at
//!   `key ^ n.wrapping_mul(0xD1B5_4A32_D192_ED03)`, where `key` is the first
//!   SplitMix64 output for state `seed`.
//! * Bounded draws are `(x as u128 * bound as u128) >> 64` (Lemire's
//!   multiply-shift, without rejection; the bias is below 2^-40 and is part of
//!   the definition).
//!
//! A row's cells therefore depend only on `(seed, n)`: the CSV writer, a
//! Parquet writer, or a parallel writer that starts at row `n` with
//! [`Generator::starting_at`] all see the same loans.
//!
//! # Validity
//!
//! Every cell is valid per README "Input: the native layout": dates `YYYY-MM-DD`, money `123456.78`
//! (never negative), booleans `true`/`false`, enumerations in lower
//! snake_case, `sale_price` blank exactly on `senior_sale` rows, and
//! `event_date <= deficiency_filed_date <= 2025-12-31` (so a run with
//! `--as-of 2026-01-15` or later rejects nothing). No cell contains a comma,
//! quote or newline. Refinance amounts always add up:
//! `unpaid_principal + principal_paid = purchase_money_payoff +
//! refinance_costs_financed + new_advance` (a blank `refinance_costs_financed`
//! stands for 0; a blank `principal_paid` is derivable by that identity).

mod cells;
mod mix;
mod rng;

use crate::loan::Field;
use cells::put_u64;
use mix::fill_row;
use rng::{Rng, splitmix64};
use std::io::{self, BufWriter, Write};

/// The columns `generate` writes: every native input column (declared in
/// [`Field`]) but the extensions, in declared order, so a column's position
/// is its [`Field`] number.
pub fn columns() -> &'static [Field] {
    &Field::ALL[..Field::ALL.len() - Field::EXTENSIONS.len()]
}

/// Where column `f` sits in a generated row.
pub(super) const fn col(f: Field) -> usize {
    f as usize
}

/// Latest date the generator ever writes (any `--as-of` from 2026-01-01 on
/// accepts every `deficiency_filed_date`).
pub const LATEST_DATE: &str = "2025-12-31";

/// Whole dollars as cents.
pub(super) const fn dollars(d: u64) -> u64 {
    d * 100
}

// ---------------------------------------------------------------------------
// Generator

/// A deterministic stream of synthetic loans for one seed.
#[derive(Clone, Debug)]
pub struct Generator {
    seed: u64,
    key: u64,
    /// 1-based number of the next row.
    next: u64,
    prefix: Vec<u8>,
}

impl Generator {
    /// The stream for `seed`, starting at its first loan.
    pub fn new(seed: u64) -> Self {
        Self::starting_at(seed, 0)
    }

    /// The stream for `seed`, positioned so that the next call to
    /// [`next_row`](Self::next_row) yields the loan with 0-based index
    /// `index` (for writers that split a portfolio into parallel chunks).
    pub fn starting_at(seed: u64, index: u64) -> Self {
        let mut st = seed;
        let key = splitmix64(&mut st);
        let mut prefix = Vec::with_capacity(24);
        prefix.push(b'G');
        put_u64(&mut prefix, seed);
        prefix.push(b'-');
        Generator { seed, key, next: index + 1, prefix }
    }

    /// The seed this stream was made from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Number of rows produced so far (including skipped ones).
    pub fn rows_generated(&self) -> u64 {
        self.next - 1
    }

    /// Fills `row` with the next loan's cells, one `Vec<u8>` per column of
    /// [`columns`], in that order. Each buffer is cleared and reused, so no
    /// allocation happens per row once the buffers have grown; an empty
    /// buffer is a blank cell (unknown, or the column's default).
    ///
    /// # Panics
    /// If `row.len() != columns().len()` (see [`empty_row`]).
    pub fn next_row(&mut self, row: &mut [Vec<u8>]) {
        assert_eq!(row.len(), columns().len(), "row must have one buffer per column of COLUMNS");
        for cell in row.iter_mut() {
            cell.clear();
        }
        let n = self.next;
        self.next += 1;
        let mut rng = Rng::for_row(self.key, n);
        fill_row(&mut rng, &self.prefix, n, row);
    }
}

/// Fresh row buffers for [`Generator::next_row`], one per column.
pub fn empty_row() -> Vec<Vec<u8>> {
    (0..columns().len()).map(|_| Vec::with_capacity(24)).collect()
}

/// Writes the header line: [`columns`] joined by `,`, then `\n`.
pub fn write_csv_header<W: Write>(out: &mut W) -> io::Result<()> {
    let mut line = Vec::with_capacity(1024);
    for (i, name) in columns().iter().map(|f| f.name()).enumerate() {
        if i > 0 {
            line.push(b',');
        }
        line.extend_from_slice(name.as_bytes());
    }
    line.push(b'\n');
    out.write_all(&line)
}

/// Appends one CSV record (cells joined by `,`, then `\n`) to `line`.
/// No quoting is needed: generated cells never contain `,`, `"` or newlines.
pub fn append_csv_record(row: &[Vec<u8>], line: &mut Vec<u8>) {
    for (i, cell) in row.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        line.extend_from_slice(cell);
    }
    line.push(b'\n');
}

/// Writes `rows` loans for `seed` as CSV (header + rows, LF line ends) to
/// `out`.
///
/// `out` is wrapped in a 1 MiB [`BufWriter`] internally, so pass the raw
/// `File` / `Stdout` (an already-buffered writer also works, just with one
/// extra copy). The buffer is flushed before returning; write errors are
/// returned, never swallowed.
pub fn write_csv<W: Write>(rows: u64, seed: u64, out: W) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, out);
    write_csv_header(&mut out)?;
    let mut generator = Generator::new(seed);
    let mut row = empty_row();
    let mut line: Vec<u8> = Vec::with_capacity(64 * 1024);
    for _ in 0..rows {
        generator.next_row(&mut row);
        append_csv_record(&row, &mut line);
        if line.len() >= 60 * 1024 {
            out.write_all(&line)?;
            line.clear();
        }
    }
    out.write_all(&line)?;
    out.flush()
}

/// Why `generate` could not write its file.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("{path}: generate writes .csv or .parquet")]
    Format { path: String },
    #[error("{path}: cannot write: {source}")]
    Write { path: String, source: io::Error },
}

/// Writes `rows` generated loans for `seed` to `path`: CSV or Parquet by its
/// extension, the same loans either way; nothing is left at `path` on error.
pub fn write_file(path: &std::path::Path, rows: u64, seed: u64) -> Result<(), GenerateError> {
    use crate::formats::FileFormat;
    let err = |source| GenerateError::Write { path: path.display().to_string(), source };
    let format = FileFormat::of(path);
    if !matches!(format, Some(FileFormat::Csv | FileFormat::Parquet)) {
        return Err(GenerateError::Format { path: path.display().to_string() });
    }
    let mut f = crate::output::atomic::AtomicFile::create(path).map_err(err)?;
    let w = f.writer().map_err(err)?;
    if format == Some(FileFormat::Csv) {
        write_csv(rows, seed, w).map_err(err)?;
    } else {
        let mut pw = crate::output::parquet::NativeParquetWriter::new(w, columns()).map_err(err)?;
        let mut g = Generator::new(seed);
        let mut row = empty_row();
        for _ in 0..rows {
            g.next_row(&mut row);
            pw.push(&row).map_err(err)?;
        }
        pw.finish().map_err(err)?;
    }
    f.commit().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::ymd;
    use cells::{put_date, put_money};
    use mix::*;

    #[test]
    fn generated_columns_are_the_native_layout_without_extensions() {
        let cols = columns();
        for (i, f) in cols.iter().enumerate() {
            assert_eq!(col(*f), i, "{}", f.name());
            assert!(!Field::EXTENSIONS.contains(f));
        }
        assert_eq!(cols.len() + Field::EXTENSIONS.len(), Field::ALL.len());
        assert_eq!(&Field::ALL[cols.len()..], Field::EXTENSIONS);
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(EARLIEST_ORIGINATION, ymd(1992, 1, 1).to_epoch_days());
        assert_eq!(REFI_GATE, ymd(2013, 1, 1).to_epoch_days());
        assert_eq!(SB931_TO, ymd(2011, 7, 14).to_epoch_days());
        let mut b = Vec::new();
        put_date(&mut b, ymd(2024, 2, 29).to_epoch_days());
        assert_eq!(b, b"2024-02-29");
        assert_eq!(LATEST_DATE.as_bytes(), {
            let mut b = Vec::new();
            put_date(&mut b, LATEST);
            b
        });
    }

    #[test]
    fn money_format() {
        let mut b = Vec::new();
        put_money(&mut b, 0);
        b.push(b' ');
        put_money(&mut b, 5);
        b.push(b' ');
        put_money(&mut b, 12_345_678);
        assert_eq!(b, b"0.00 0.05 123456.78");
    }

    #[test]
    fn starting_at_matches_sequential() {
        let mut a = Generator::new(7);
        let mut ra = empty_row();
        for _ in 0..100 {
            a.next_row(&mut ra);
        }
        a.next_row(&mut ra);
        let mut b = Generator::starting_at(7, 100);
        let mut rb = empty_row();
        b.next_row(&mut rb);
        assert_eq!(ra, rb);
        assert_eq!(&ra[0][..], b"G7-00000101");
    }
}
