//! Per-loan results writers: CSV and JSON Lines (README "Output: per-loan results").
//!
//! CSV: money as plain `1234.56`, dates `YYYY-MM-DD`, blank for none, lists
//! joined by `;`. JSONL: one object per loan with the same names; money as
//! strings with two decimals (exact), dates as strings or null, `reasons`,
//! `citations` and `flags` as arrays.

use super::{Column, ResultRow, Value, columns, write_date};
use crate::money;
use std::io::{self, Write};

/// A sink for results rows, written in input order.
pub trait ResultWriter: Send {
    fn write(&mut self, r: &ResultRow) -> io::Result<()>;
    /// Flushes; the caller then commits the file.
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// Results format, chosen from the output path's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
    Parquet,
    /// An Excel workbook ([`super::xlsx`]).
    Xlsx,
}

impl Format {
    pub fn from_path(p: &std::path::Path) -> Option<Format> {
        use crate::formats::FileFormat;
        match FileFormat::of(p)? {
            FileFormat::Csv => Some(Format::Csv),
            FileFormat::Jsonl => Some(Format::Jsonl),
            FileFormat::Parquet => Some(Format::Parquet),
            FileFormat::Xlsx => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// CSV results. Each row is formatted by [`csv_row`]; the pipeline's
/// workers format rows in parallel and hand the bytes to
/// [`CsvResults::write_raw`] in input order.
pub struct CsvResults<W: Write> {
    w: W,
    buf: Vec<u8>,
    /// `--csv-safe`: see [`super::spreadsheet_safe`].
    safe: bool,
}

impl<W: Write> CsvResults<W> {
    pub fn new(mut inner: W) -> io::Result<Self> {
        let mut head = Vec::new();
        for (i, c) in columns().iter().enumerate() {
            if i > 0 {
                head.push(b',');
            }
            head.extend_from_slice(c.as_bytes());
        }
        head.push(b'\n');
        inner.write_all(&head)?;
        Ok(CsvResults { w: inner, buf: Vec::with_capacity(512), safe: false })
    }

    /// Writes text cells spreadsheet-safe ([`super::spreadsheet_safe`]).
    pub fn spreadsheet_safe(mut self, on: bool) -> Self {
        self.safe = on;
        self
    }

    /// Writes rows already formatted by [`csv_row`].
    pub fn write_raw(&mut self, rows: &[u8]) -> io::Result<()> {
        self.w.write_all(rows)
    }
}

impl<W: Write + Send> ResultWriter for CsvResults<W> {
    fn write(&mut self, r: &ResultRow) -> io::Result<()> {
        self.buf.clear();
        csv_row(r, &mut self.buf, self.safe);
        self.w.write_all(&self.buf)
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.w.flush()
    }
}

/// Appends one results row as a CSV record ending in `\n`: the bytes the
/// csv crate's writer gives with its defaults (a field is quoted only when
/// it holds a comma, a quote or a line end; quotes are doubled). Columns and
/// their order come from [`Column`].
/// With `safe`, text cells are made spreadsheet-safe
/// ([`super::spreadsheet_safe`]).
pub fn csv_row(r: &ResultRow, out: &mut Vec<u8>, safe: bool) {
    for (i, &c) in Column::ALL.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match r.value(c) {
            Value::RowNumber(n) => money::write_u64(n, out),
            Value::Count(n) => {
                if let Some(n) = n {
                    money::write_u64(u64::from(n), out);
                }
            }
            Value::Text(t) => {
                let start = out.len();
                if safe {
                    out.extend_from_slice(super::spreadsheet_safe(t).as_bytes());
                } else {
                    out.extend_from_slice(t.as_bytes());
                }
                quote_if_needed(out, start);
            }
            Value::Money(m) => {
                if let Some(m) = m {
                    money::format_cents(m, out);
                }
            }
            Value::Date(d) => {
                if let Some(d) = d {
                    write_date(d, out);
                }
            }
            // Citations are quoted only for a comma, known when compiling;
            // codes never need quoting (tests::codes_and_citations_are_csv_safe).
            v @ Value::Citations(rs) => {
                let quote = rs.iter().any(|x| x.citation_has_comma());
                if quote {
                    out.push(b'"');
                }
                v.write_codes(out);
                if quote {
                    out.push(b'"');
                }
            }
            v @ (Value::Code(_) | Value::Reason(_) | Value::Reasons(_) | Value::Flags(_)) => v.write_codes(out),
        }
    }
    out.push(b'\n');
}

/// Quotes the field written since `start` if it holds a comma, a quote or
/// a line end (doubling any quote), as the csv crate does.
fn quote_if_needed(out: &mut Vec<u8>, start: usize) {
    // A table and no branch per byte: fields are short.
    const SPECIAL: [bool; 256] = {
        let mut t = [false; 256];
        t[b',' as usize] = true;
        t[b'"' as usize] = true;
        t[b'\n' as usize] = true;
        t[b'\r' as usize] = true;
        t
    };
    if !out[start..].iter().fold(false, |any, &b| any | SPECIAL[b as usize]) {
        return;
    }
    let field = out.split_off(start);
    out.push(b'"');
    for &b in &field {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// JSON Lines results.
pub struct JsonlResults<W: Write> {
    w: W,
}

impl<W: Write> JsonlResults<W> {
    pub fn new(w: W) -> Self {
        JsonlResults { w }
    }
}

/// One results row as a JSON object, its keys the [`Column`]s in order.
struct JsonRow<'a>(&'a ResultRow);

impl serde::Serialize for JsonRow<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = ser.serialize_map(Some(Column::ALL.len()))?;
        for &c in Column::ALL {
            let key = c.name();
            match self.0.value(c) {
                Value::RowNumber(n) => m.serialize_entry(key, &n)?,
                Value::Count(n) => m.serialize_entry(key, &n)?,
                Value::Text(t) => m.serialize_entry(key, t)?,
                Value::Code(t) => m.serialize_entry(key, t)?,
                Value::Reason(r) => m.serialize_entry(key, &r.code())?,
                Value::Reasons(rs) => m.serialize_entry(key, &rs.iter().map(|r| r.code()).collect::<Vec<_>>())?,
                Value::Citations(rs) => m.serialize_entry(key, &rs.iter().map(|r| r.citation()).collect::<Vec<_>>())?,
                Value::Flags(fs) => m.serialize_entry(key, &fs.iter().map(|f| f.code()).collect::<Vec<_>>())?,
                Value::Money(v) => m.serialize_entry(key, &v.map(money::fmt))?,
                Value::Date(d) => m.serialize_entry(key, &d.map(|d| d.to_string()))?,
            }
        }
        m.end()
    }
}

impl<W: Write + Send> ResultWriter for JsonlResults<W> {
    fn write(&mut self, r: &ResultRow) -> io::Result<()> {
        serde_json::to_writer(&mut self.w, &JsonRow(r))?;
        self.w.write_all(b"\n")
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loan::Field;
    use crate::rules::{Flag, Reason, Rule};
    use proptest::prelude::*;

    /// `csv_row` writes codes unquoted and quotes citations only for a
    /// comma: that is the csv crate's quoting only if these hold.
    #[test]
    fn codes_and_citations_are_csv_safe() {
        let special = |s: &str| s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r' | b';'));
        let mut reasons: Vec<Reason> = Rule::ALL.iter().map(|r| Reason::Rule(*r)).collect();
        reasons.extend(Field::ALL.iter().map(|f| Reason::Missing(*f)));
        for r in reasons {
            assert!(!special(&r.code()), "{}", r.code());
            let c = r.citation();
            assert!(!c.bytes().any(|b| matches!(b, b'"' | b'\n' | b'\r' | b';')), "{c}");
            assert_eq!(r.citation_has_comma(), c.contains(','), "{c}");
        }
        let mut flags: Vec<Flag> = Flag::FIXED.to_vec();
        flags.extend(Field::ALL.iter().map(|f| Flag::Assumed(*f)));
        for f in flags {
            assert!(!special(&f.code()), "{}", f.code());
        }
        for o in crate::rules::Outcome::ALL {
            assert!(!special(o.name()));
        }
    }

    proptest! {
        /// Fields are quoted exactly as the csv crate's writer quotes them.
        #[test]
        fn quoting_matches_the_csv_crate(fields in proptest::collection::vec("[a-c ,\"\r\n;]{0,6}", 1..5)) {
            let mut ours = Vec::new();
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    ours.push(b',');
                }
                let start = ours.len();
                ours.extend_from_slice(f.as_bytes());
                quote_if_needed(&mut ours, start);
            }
            ours.push(b'\n');
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&fields).unwrap();
            let theirs = w.into_inner().unwrap();
            // The csv crate quotes a lone empty field; a results row never has one.
            prop_assume!(!(fields.len() == 1 && fields[0].is_empty()));
            prop_assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(theirs).unwrap());
        }
    }
}
