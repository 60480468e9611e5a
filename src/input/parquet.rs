//! The native layout in Parquet, read with polars one row group at a time
//! (bounded memory: polars is shown a footer listing only that row group, so
//! it maps and decodes nothing else; a large row group is read 64k rows at a
//! time).
//!
//! Column types accepted: text as String; money as Decimal of any scale
//! (zeros past the cents are dropped, so decimal(38,18) reads as it should;
//! more than 12 significant places is rejected as for CSV), any integer,
//! String, or Float64/Float32 (what pandas writes by default), which is
//! rounded to the nearest cent — a binary float cannot hold most cents
//! exactly, so the cent it was meant to be is the honest reading; dates as
//! Date or a `YYYY-MM-DD` String; booleans as Boolean, integer 0/1 or String;
//! integers as any integer type or String. Each value is turned into the same
//! text the CSV reader sees, so validation, defaults, assumptions and rejects
//! are exactly those of CSV input.

use super::{Header, InputError, RecordSource};
use crate::loan::Field;
use polars::io::parquet::read::FileMetadata;
use polars::prelude::*;

use crate::loan::Kind;

fn accepts(k: Kind, dt: &DataType) -> bool {
    if matches!(dt, DataType::Null) {
        return true;
    }
    match k {
        Kind::Text | Kind::Enum | Kind::State => matches!(dt, DataType::String) || dt.is_integer(),
        Kind::Money | Kind::SignedMoney => {
            matches!(dt, DataType::String | DataType::Decimal(_, _) | DataType::Float64 | DataType::Float32)
                || dt.is_integer()
        }
        Kind::Date => matches!(dt, DataType::String | DataType::Date),
        Kind::Bool => matches!(dt, DataType::String | DataType::Boolean) || dt.is_integer(),
        Kind::Count => matches!(dt, DataType::String) || dt.is_integer(),
    }
}

fn expected(k: Kind) -> &'static str {
    match k {
        Kind::Text | Kind::Enum | Kind::State => "String",
        Kind::Money | Kind::SignedMoney => "Decimal, an integer, Float64 or String",
        Kind::Date => "Date or String (YYYY-MM-DD)",
        Kind::Bool => "Boolean, an integer (0/1) or String",
        Kind::Count => "an integer or String",
    }
}

/// Streams a native-layout Parquet file.
pub struct ParquetSource {
    path: String,
    header: Header,
    /// Columns read (known to the layout), by file position.
    read_columns: Vec<String>,
    /// The file's footer: which row groups hold which rows.
    metadata: std::sync::Arc<FileMetadata>,
    /// The row group being read, and the next row in it.
    group: usize,
    in_group: usize,
    /// Data rows handed out so far.
    rows: u64,
    /// Rows decoded but not yet handed out: the frame, and the next row.
    chunk: Option<(DataFrame, usize)>,
}

/// Rows decoded from a row group at a time.
const CHUNK_ROWS: usize = 64 * 1024;

fn pe(path: &str) -> impl Fn(PolarsError) -> InputError + '_ {
    move |e| InputError::Other { path: path.into(), message: format!("not a readable Parquet file: {e}") }
}

impl ParquetSource {
    pub fn open(path: &str) -> Result<ParquetSource, InputError> {
        let file = std::fs::File::open(path).map_err(|source| InputError::Open { path: path.into(), source })?;
        let mut reader = ParquetReader::new(file);
        let schema = reader.schema().map_err(pe(path))?;
        let metadata = reader.get_metadata().map_err(pe(path))?.clone();
        let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        let full = Header::new(path, &names)?;
        // Read only the known columns; the header then indexes them in that order.
        let mut read_columns = Vec::new();
        for (name, field) in schema.iter() {
            let Some(f) = Field::from_name(&name.trim().to_ascii_lowercase()) else { continue };
            let dt = DataType::from_arrow_field(field);
            if !accepts(f.kind(), &dt) {
                return Err(InputError::Other {
                    path: path.into(),
                    message: format!("column \"{}\" has type {dt}; expected {}", name, expected(f.kind())),
                });
            }
            read_columns.push(name.to_string());
        }
        let mut header = Header::new(path, &read_columns)?;
        header.unknown = full.unknown;
        Ok(ParquetSource {
            path: path.into(),
            header,
            read_columns,
            metadata,
            group: 0,
            in_group: 0,
            rows: 0,
            chunk: None,
        })
    }
}

impl RecordSource for ParquetSource {
    fn header(&self) -> &Header {
        &self.header
    }

    fn next_batch(&mut self, batch: &mut super::Batch, max: usize) -> Result<usize, InputError> {
        if self.chunk.as_ref().is_none_or(|(df, at)| *at >= df.height()) {
            self.chunk = None;
            match self.read_chunk()? {
                Some(df) => self.chunk = Some((df, 0)),
                None => return Ok(0),
            }
        }
        let Some((df, at)) = &mut self.chunk else { return Ok(0) };
        let n = max.min(df.height() - *at);
        let part = df.slice(*at as i64, n);
        let cols = batch.columns_mut();
        cols.start(self.rows + 1, n, part.width());
        for (k, c) in part.columns().iter().enumerate() {
            let view = ColView::new(c.as_materialized_series()).map_err(pe(&self.path))?;
            view.write_text(cols.column_mut(k));
        }
        if !cols.finish() {
            return Err(InputError::Other {
                path: self.path.clone(),
                message: format!(
                    "rows {} to {}: a column holds more than 4 GB of text",
                    self.rows + 1,
                    self.rows + n as u64
                ),
            });
        }
        *at += n;
        self.rows += n as u64;
        Ok(n)
    }
}

impl ParquetSource {
    /// Decodes the next rows (at most [`CHUNK_ROWS`], within one row group).
    fn read_chunk(&mut self) -> Result<Option<DataFrame>, InputError> {
        while self.group < self.metadata.row_groups.len()
            && self.in_group >= self.metadata.row_groups[self.group].num_rows()
        {
            self.group += 1;
            self.in_group = 0;
        }
        let Some(group) = self.metadata.row_groups.get(self.group) else { return Ok(None) };
        let n = CHUNK_ROWS.min(group.num_rows() - self.in_group);
        // Polars is shown a footer with this one row group, so it maps and
        // decodes nothing else (given the whole footer and a slice, it
        // touches every earlier row group's pages as well).
        let mut one = (*self.metadata).clone();
        one.row_groups = vec![group.clone()];
        one.num_rows = group.num_rows();
        let file =
            std::fs::File::open(&self.path).map_err(|source| InputError::Open { path: self.path.clone(), source })?;
        let mut reader = ParquetReader::new(file);
        reader.set_metadata(std::sync::Arc::new(one));
        let df = reader
            .with_columns(Some(self.read_columns.clone()))
            .with_slice(Some((self.in_group, n)))
            .read_parallel(ParallelStrategy::None)
            .set_rechunk(true)
            .finish()
            .map_err(pe(&self.path))?;
        if df.height() != n {
            return Err(InputError::Other {
                path: self.path.clone(),
                message: format!(
                    "expected {n} rows in row group {} at row {}, read {}",
                    self.group,
                    self.in_group,
                    df.height()
                ),
            });
        }
        self.in_group += n;
        Ok(Some(df))
    }
}

/// One column of a chunk, typed, for reading row by row.
enum ColView {
    Text(StringChunked),
    Decimal(Int128Chunked, u32),
    Float(Float64Chunked),
    Date(Int32Chunked),
    Bool(BooleanChunked),
    Int(Int64Chunked),
    Null,
}

impl ColView {
    fn new(s: &Series) -> PolarsResult<ColView> {
        let s = s.rechunk();
        Ok(match s.dtype() {
            DataType::String => ColView::Text(s.str()?.clone()),
            DataType::Decimal(_, _) => {
                let ca = s.decimal()?;
                ColView::Decimal(ca.physical().clone(), ca.scale() as u32)
            }
            DataType::Float64 | DataType::Float32 => ColView::Float(s.cast(&DataType::Float64)?.f64()?.clone()),
            DataType::Date => ColView::Date(s.date()?.physical().clone()),
            DataType::Boolean => ColView::Bool(s.bool()?.clone()),
            DataType::Null => ColView::Null,
            dt if dt.is_integer() => ColView::Int(s.cast(&DataType::Int64)?.i64()?.clone()),
            dt => polars_bail!(ComputeError: "column {} has unsupported type {}", s.name(), dt),
        })
    }

    /// Writes every value of the column as text (blank for null), in order.
    fn write_text(&self, out: &mut super::columns::TextColumn) {
        match self {
            ColView::Text(ca) => ca.iter().for_each(|v| out.push_str(v.unwrap_or(""))),
            ColView::Decimal(ca, scale) => ca.iter().for_each(|v| {
                out.push_with(|t| {
                    if let Some(m) = v {
                        write_scaled(m, *scale, t)
                    }
                })
            }),
            ColView::Float(ca) => ca.iter().for_each(|v| {
                out.push_with(|t| {
                    // the nearest cent (see the module header)
                    if let Some(x) = v {
                        match crate::money::cents_from_float(x) {
                            Some(c) => write_scaled(c, 2, t),
                            None => t.extend_from_slice(x.to_string().as_bytes()),
                        }
                    }
                })
            }),
            ColView::Date(ca) => ca.iter().for_each(|v| {
                out.push_with(|t| {
                    if let Some(d) = v.and_then(crate::dates::from_epoch_days) {
                        crate::dates::write_ymd(d, t);
                    }
                })
            }),
            ColView::Bool(ca) => ca.iter().for_each(|v| {
                out.push_str(match v {
                    None => "",
                    Some(true) => "true",
                    Some(false) => "false",
                })
            }),
            ColView::Int(ca) => ca.iter().for_each(|v| {
                out.push_with(|t| {
                    if let Some(x) = v {
                        write_scaled(i128::from(x), 0, t)
                    }
                })
            }),
            ColView::Null => (0..out.rows()).for_each(|_| out.push_str("")),
        }
    }
}

/// Writes `mantissa / 10^scale` in plain decimal (`-12.50`, `7`).
fn write_scaled(mantissa: i128, scale: u32, out: &mut Vec<u8>) {
    if mantissa < 0 {
        out.push(b'-');
    }
    let mut digits = [0u8; 48];
    let mut n = digits.len();
    // In groups of 19 digits, so the digit loop divides 64-bit numbers
    // (several times faster than 128-bit ones).
    const GROUP: u128 = 10_000_000_000_000_000_000;
    let mut v = mantissa.unsigned_abs();
    loop {
        let mut low = (v % GROUP) as u64;
        v /= GROUP;
        let top = v == 0;
        let mut count = 0;
        loop {
            n -= 1;
            digits[n] = b'0' + (low % 10) as u8;
            low /= 10;
            count += 1;
            // the top group unpadded, the others to 19 digits
            if low == 0 && (top || count == 19) {
                break;
            }
        }
        if top {
            break;
        }
    }
    // at least one digit before the point (Decimal scales are at most 38)
    let scale = (scale as usize).min(40);
    while digits.len() - n <= scale {
        n -= 1;
        digits[n] = b'0';
    }
    let int_end = digits.len() - scale;
    out.extend_from_slice(&digits[n..int_end]);
    // Zeros past the cents are not precision (a decimal(38,18) column
    // holds 18 places for every value): they are dropped.
    let mut frac_end = digits.len();
    while frac_end > int_end + 2 && digits[frac_end - 1] == b'0' {
        frac_end -= 1;
    }
    if frac_end > int_end {
        out.push(b'.');
        out.extend_from_slice(&digits[int_end..frac_end]);
    }
}

#[cfg(test)]
mod tests {
    use super::write_scaled;

    #[test]
    fn scaled_numbers() {
        for (m, s, want) in [
            (1250i128, 2u32, "12.50"),
            (5, 2, "0.05"),
            (-5, 2, "-0.05"),
            (7, 0, "7"),
            (0, 0, "0"),
            (0, 2, "0.00"),
            (123456789, 3, "123456.789"),
            (123456780, 3, "123456.78"),
            (5_000_000, 6, "5.00"),
            (1_230_000, 6, "1.23"),
            (1_234_500, 6, "1.2345"),
            (10, 1, "1.0"),
            (i128::from(u64::MAX) * 10 + 5, 1, "18446744073709551615.5"),
            (-(1i128 << 100), 0, "-1267650600228229401496703205376"),
            (10i128.pow(19), 0, "10000000000000000000"),
            (10i128.pow(38) + 7, 2, "1000000000000000000000000000000000000.07"),
            (i128::MIN + 1, 0, "-170141183460469231731687303715884105727"),
        ] {
            let mut v = Vec::new();
            write_scaled(m, s, &mut v);
            assert_eq!(String::from_utf8(v).unwrap(), want, "{m} {s}");
        }
    }
}
