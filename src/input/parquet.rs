//! The native layout in Parquet, read with polars slice by slice (bounded
//! memory: only the row groups overlapping a slice are decoded).
//!
//! Column types accepted: text as String; money as Decimal, any integer,
//! String, or Float64/Float32 (what pandas writes by default), which is
//! rounded to the nearest cent — a binary float cannot hold most cents
//! exactly, so the cent it was meant to be is the honest reading; dates as
//! Date or a `YYYY-MM-DD` String; booleans as Boolean, integer 0/1 or String;
//! integers as any integer type or String. Each value is turned into the same
//! text the CSV reader sees, so validation, defaults, assumptions and rejects
//! are exactly those of CSV input.

use super::native_csv::RawRecord;
use super::{Header, InputError, RecordSource};
use crate::loan::Field;
use polars::prelude::*;

/// What a column holds, by the native layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Money,
    Date,
    Bool,
    Integer,
}

pub(crate) fn kind(f: Field) -> Kind {
    use Field::*;
    match f {
        UnpaidPrincipal | SalePrice | AccruedInterest | Advances | Costs | FairValue | SurplusReceived
        | PurchaseMoneyPayoff | RefinanceCostsFinanced | NewAdvance | PrincipalPaid | AgencyNetLoss => Kind::Money,
        EventDate | OriginationDate | FirstRefinanceDate | DeficiencyFiledDate | AccrualDate | BankruptcyPetitionDate
        | BankruptcyDischargeDate => Kind::Date,
        SellerFinanced | OwnerOccupied | RefinancesPurchaseMoney | SameHolderAsSenior | LiensContemporaneous
        | WrittenConsent | DeedRecorded | ProceedsTendered | SecuredSolely | FraudOrWaste | DeficiencyWaived
        | BondOrUtilityLien | Guarantor | DischargeException => Kind::Bool,
        LienPosition | PropertyUnits => Kind::Integer,
        LoanId | EventType | State | LoanPurpose | BorrowerType | SeniorSaleType | DeedInLieuTerms | Bankruptcy
        | ForeclosureMethod => Kind::Text,
    }
}

fn accepts(k: Kind, dt: &DataType) -> bool {
    if matches!(dt, DataType::Null) {
        return true;
    }
    match k {
        Kind::Text => matches!(dt, DataType::String) || dt.is_integer(),
        Kind::Money => matches!(dt, DataType::String | DataType::Decimal(_, _) | DataType::Float64 | DataType::Float32) || dt.is_integer(),
        Kind::Date => matches!(dt, DataType::String | DataType::Date),
        Kind::Bool => matches!(dt, DataType::String | DataType::Boolean) || dt.is_integer(),
        Kind::Integer => matches!(dt, DataType::String) || dt.is_integer(),
    }
}

fn expected(k: Kind) -> &'static str {
    match k {
        Kind::Text => "String",
        Kind::Money => "Decimal, an integer, Float64 or String",
        Kind::Date => "Date or String (YYYY-MM-DD)",
        Kind::Bool => "Boolean, an integer (0/1) or String",
        Kind::Integer => "an integer or String",
    }
}

/// Streams a native-layout Parquet file.
pub struct ParquetSource {
    path: String,
    header: Header,
    /// Columns read (known to the layout), by file position.
    read_columns: Vec<String>,
    rows_total: usize,
    offset: usize,
    /// Rows read from the file but not yet handed out, and where they start.
    chunk: Option<(DataFrame, usize)>,
    text: Vec<u8>,
}

/// Rows decoded from the file at a time (a few row groups).
const CHUNK_ROWS: usize = 64 * 1024;

fn pe(path: &str) -> impl Fn(PolarsError) -> InputError + '_ {
    move |e| InputError::Other { path: path.into(), message: format!("not a readable Parquet file: {e}") }
}

impl ParquetSource {
    pub fn open(path: &str) -> Result<ParquetSource, InputError> {
        let file = std::fs::File::open(path).map_err(|source| InputError::Open { path: path.into(), source })?;
        let mut reader = ParquetReader::new(file);
        let schema = reader.schema().map_err(pe(path))?;
        let rows_total = reader.num_rows().map_err(pe(path))?;
        let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        let full = Header::new(path, &names)?;
        // Read only the known columns; the header then indexes them in that order.
        let mut read_columns = Vec::new();
        for (name, field) in schema.iter() {
            let Some(f) = Field::from_name(&name.trim().to_ascii_lowercase()) else { continue };
            let dt = DataType::from_arrow_field(field);
            if !accepts(kind(f), &dt) {
                return Err(InputError::Other {
                    path: path.into(),
                    message: format!("column \"{}\" has type {dt}; expected {}", name, expected(kind(f))),
                });
            }
            read_columns.push(name.to_string());
        }
        let mut header = Header::new(path, &read_columns)?;
        header.unknown = full.unknown;
        Ok(ParquetSource { path: path.into(), header, read_columns, rows_total, offset: 0, chunk: None, text: Vec::new() })
    }
}

impl RecordSource for ParquetSource {
    fn header(&self) -> &Header {
        &self.header
    }

    fn next_batch(&mut self, batch: &mut Vec<RawRecord>, max: usize) -> Result<usize, InputError> {
        if self.offset >= self.rows_total {
            return Ok(0);
        }
        let fresh = match &self.chunk {
            Some((df, start)) => self.offset >= start + df.height(),
            None => true,
        };
        if fresh {
            let n = CHUNK_ROWS.max(max).min(self.rows_total - self.offset);
            let file = std::fs::File::open(&self.path).map_err(|source| InputError::Open { path: self.path.clone(), source })?;
            let df = ParquetReader::new(file)
                .with_columns(Some(self.read_columns.clone()))
                .with_slice(Some((self.offset, n)))
                .read_parallel(ParallelStrategy::None)
                .set_rechunk(true)
                .finish()
                .map_err(pe(&self.path))?;
            if df.height() != n {
                return Err(InputError::Other { path: self.path.clone(), message: format!("expected {n} rows at offset {}, read {}", self.offset, df.height()) });
            }
            self.chunk = Some((df, self.offset));
        }
        let Some((df, start)) = &self.chunk else { return Ok(0) };
        let at = self.offset - start;
        let n = max.min(df.height() - at);
        let part = df.slice(at as i64, n);
        if batch.len() < n {
            batch.resize_with(n, RawRecord::default);
        }
        for (i, rec) in batch.iter_mut().take(n).enumerate() {
            rec.record_mut().clear();
            rec.row = (self.offset + i + 1) as u64;
            rec.line = None;
        }
        // Row by row (each record's buffer stays in cache), reading each
        // column through a typed view.
        let views: Vec<ColView> = part.columns().iter().map(|c| ColView::new(c.as_materialized_series())).collect::<PolarsResult<_>>().map_err(pe(&self.path))?;
        for (i, rec) in batch.iter_mut().take(n).enumerate() {
            for v in &views {
                v.push(i, rec.record_mut(), &mut self.text);
            }
            rec.validate();
        }
        self.offset += n;
        Ok(n)
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

    /// Appends row `i`'s value as text (blank for null).
    fn push(&self, i: usize, rec: &mut csv::ByteRecord, text: &mut Vec<u8>) {
        text.clear();
        match self {
            ColView::Text(ca) => {
                rec.push_field(ca.get(i).unwrap_or("").as_bytes());
                return;
            }
            ColView::Decimal(ca, scale) => {
                if let Some(m) = ca.get(i) {
                    write_scaled(m, *scale, text);
                }
            }
            ColView::Float(ca) => match ca.get(i) {
                // the nearest cent (see the module header)
                Some(x) if x.is_finite() && x.abs() < 1e15 => write_scaled((x * 100.0).round() as i128, 2, text),
                Some(x) => text.extend_from_slice(x.to_string().as_bytes()),
                None => {}
            },
            ColView::Date(ca) => {
                if let Some(d) = ca.get(i).and_then(|days| chrono::NaiveDate::from_num_days_from_ce_opt(days + 719_163)) {
                    crate::output::write_date(d, text);
                }
            }
            ColView::Bool(ca) => text.extend_from_slice(match ca.get(i) {
                None => b"",
                Some(true) => b"true",
                Some(false) => b"false",
            }),
            ColView::Int(ca) => {
                if let Some(x) = ca.get(i) {
                    write_scaled(i128::from(x), 0, text);
                }
            }
            ColView::Null => {}
        }
        rec.push_field(text);
    }
}

/// Writes `mantissa / 10^scale` in plain decimal (`-12.50`, `7`).
fn write_scaled(mantissa: i128, scale: u32, out: &mut Vec<u8>) {
    if mantissa < 0 {
        out.push(b'-');
    }
    let mut digits = [0u8; 48];
    let mut n = digits.len();
    let mut u = mantissa.unsigned_abs();
    let mut written = 0;
    while u > 0 || written <= scale {
        n -= 1;
        digits[n] = b'0' + (u % 10) as u8;
        u /= 10;
        written += 1;
        if written == scale && scale > 0 {
            n -= 1;
            digits[n] = b'.';
        }
    }
    out.extend_from_slice(&digits[n..]);
}

#[cfg(test)]
mod tests {
    use super::write_scaled;

    #[test]
    fn scaled_numbers() {
        for (m, s, want) in [(1250i128, 2u32, "12.50"), (5, 2, "0.05"), (-5, 2, "-0.05"), (7, 0, "7"), (0, 0, "0"), (0, 2, "0.00"), (123456789, 3, "123456.789")] {
            let mut v = Vec::new();
            write_scaled(m, s, &mut v);
            assert_eq!(String::from_utf8(v).unwrap(), want, "{m} {s}");
        }
    }
}
