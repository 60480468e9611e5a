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
use std::fmt::Write as _;

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
    text: String,
}

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
        Ok(ParquetSource { path: path.into(), header, read_columns, rows_total, offset: 0, text: String::new() })
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
        let n = max.min(self.rows_total - self.offset);
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
        if batch.len() < n {
            batch.resize_with(n, RawRecord::default);
        }
        for (i, rec) in batch.iter_mut().take(n).enumerate() {
            rec.record.clear();
            rec.row = (self.offset + i + 1) as u64;
            rec.line = None;
        }
        for col in df.columns() {
            let s = col.as_materialized_series();
            fill_column(s, &mut batch[..n], &mut self.text).map_err(pe(&self.path))?;
        }
        self.offset += n;
        Ok(n)
    }
}

/// Appends one column's values, as text, to each record.
fn fill_column(s: &Series, recs: &mut [RawRecord], text: &mut String) -> PolarsResult<()> {
    match s.dtype() {
        DataType::String => {
            for (rec, v) in recs.iter_mut().zip(s.str()?.iter()) {
                rec.record.push_field(v.unwrap_or("").as_bytes());
            }
        }
        DataType::Decimal(_, _) => {
            let ca = s.decimal()?;
            let scale = ca.scale() as u32;
            for (rec, v) in recs.iter_mut().zip(ca.physical().iter()) {
                match v {
                    None => rec.record.push_field(b""),
                    Some(m) => {
                        text.clear();
                        let d = rust_decimal::Decimal::try_from_i128_with_scale(m, scale.min(28));
                        match d {
                            Ok(d) => {
                                let _ = write!(text, "{d}");
                            }
                            Err(_) => text.push_str("too-large"),
                        }
                        rec.record.push_field(text.as_bytes());
                    }
                }
            }
        }
        DataType::Float64 | DataType::Float32 => {
            let ca = s.cast(&DataType::Float64)?;
            for (rec, v) in recs.iter_mut().zip(ca.f64()?.iter()) {
                match v {
                    None => rec.record.push_field(b""),
                    Some(x) => {
                        text.clear();
                        if x.is_finite() {
                            let _ = write!(text, "{x:.2}");
                        } else {
                            let _ = write!(text, "{x}");
                        }
                        rec.record.push_field(text.as_bytes());
                    }
                }
            }
        }
        DataType::Date => {
            let ca = s.date()?;
            for (rec, v) in recs.iter_mut().zip(ca.physical().iter()) {
                match v.and_then(|days| chrono::NaiveDate::from_num_days_from_ce_opt(days + 719_163)) {
                    None => rec.record.push_field(b""),
                    Some(d) => {
                        text.clear();
                        let _ = write!(text, "{}", d.format("%Y-%m-%d"));
                        rec.record.push_field(text.as_bytes());
                    }
                }
            }
        }
        DataType::Boolean => {
            for (rec, v) in recs.iter_mut().zip(s.bool()?.iter()) {
                rec.record.push_field(match v {
                    None => b"",
                    Some(true) => b"true",
                    Some(false) => b"false",
                });
            }
        }
        DataType::Null => {
            for rec in recs.iter_mut() {
                rec.record.push_field(b"");
            }
        }
        dt if dt.is_integer() => {
            let ca = s.cast(&DataType::Int64)?;
            for (rec, v) in recs.iter_mut().zip(ca.i64()?.iter()) {
                match v {
                    None => rec.record.push_field(b""),
                    Some(x) => {
                        text.clear();
                        let _ = write!(text, "{x}");
                        rec.record.push_field(text.as_bytes());
                    }
                }
            }
        }
        dt => polars_bail!(ComputeError: "column {} has unsupported type {}", s.name(), dt),
    }
    Ok(())
}
