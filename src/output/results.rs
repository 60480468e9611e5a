//! Per-loan results writers: CSV and JSON Lines (SPEC §4).
//!
//! CSV: money as plain `1234.56`, dates `YYYY-MM-DD`, blank for none, lists
//! joined by `;`. JSONL: one object per loan with the same names; money as
//! strings with two decimals (exact), dates as strings or null, `reasons`,
//! `citations` and `flags` as arrays.

use super::{ResultRow, columns, write_date};
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
}

impl Format {
    pub fn from_path(p: &std::path::Path) -> Option<Format> {
        let name = p.file_name()?.to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".csv") {
            Some(Format::Csv)
        } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
            Some(Format::Jsonl)
        } else if name.ends_with(".parquet") {
            Some(Format::Parquet)
        } else {
            None
        }
    }
}

/// CSV results. Each row is formatted by [`csv_row`]; the pipeline's
/// workers format rows in parallel and hand the bytes to
/// [`CsvResults::write_raw`] in input order.
pub struct CsvResults<W: Write> {
    w: W,
    buf: Vec<u8>,
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
        Ok(CsvResults { w: inner, buf: Vec::with_capacity(512) })
    }

    /// Writes rows already formatted by [`csv_row`].
    pub fn write_raw(&mut self, rows: &[u8]) -> io::Result<()> {
        self.w.write_all(rows)
    }
}

impl<W: Write + Send> ResultWriter for CsvResults<W> {
    fn write(&mut self, r: &ResultRow) -> io::Result<()> {
        self.buf.clear();
        csv_row(r, &mut self.buf);
        self.w.write_all(&self.buf)
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.w.flush()
    }
}

/// Appends one results row as a CSV record ending in `\n`: the bytes the
/// csv crate's writer gives with its defaults (a field is quoted only when
/// it holds a comma, a quote or a line end; quotes are doubled).
pub fn csv_row(r: &ResultRow, out: &mut Vec<u8>) {
    let a = &r.assessment;
    money::write_u64(r.row, out);
    out.push(b',');
    let start = out.len();
    out.extend_from_slice(r.loan_id.as_bytes());
    quote_if_needed(out, start);
    out.push(b',');
    // Codes never need quoting (tests::codes_and_citations_are_csv_safe);
    // citations only for a comma, known when compiling.
    out.extend_from_slice(a.outcome.name().as_bytes());
    out.push(b',');
    a.primary().write_code(out);
    out.push(b',');
    r.write_reasons(out);
    out.push(b',');
    let quote = a.reasons.iter().any(|x| x.citation_has_comma());
    if quote {
        out.push(b'"');
    }
    r.write_citations(out);
    if quote {
        out.push(b'"');
    }
    for m in [a.amounts.total_debt, a.amounts.gross, a.recoverable, a.barred, a.undetermined, a.amounts.surplus] {
        out.push(b',');
        money::format_cents(m, out);
    }
    for d in [a.action_deadline, a.redemption_ends] {
        out.push(b',');
        if let Some(d) = d {
            write_date(d, out);
        }
    }
    out.push(b',');
    r.write_flags(out);
    out.push(b',');
    out.extend_from_slice(r.event_type.name().as_bytes());
    out.push(b',');
    write_date(r.event_date, out);
    out.push(b',');
    if let Some(p) = r.lien_position {
        money::write_u64(u64::from(p), out);
    }
    out.push(b',');
    if let Some(m) = r.agency_net_loss {
        money::format_cents(m, out);
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

#[derive(serde::Serialize)]
struct JsonRow<'a> {
    row: u64,
    loan_id: &'a str,
    outcome: &'static str,
    primary_reason: String,
    reasons: Vec<String>,
    citations: Vec<&'static str>,
    total_debt: String,
    gross_deficiency: String,
    recoverable: String,
    barred: String,
    undetermined: String,
    surplus: String,
    action_deadline: Option<String>,
    redemption_ends: Option<String>,
    flags: Vec<String>,
    event_type: &'static str,
    event_date: String,
    lien_position: Option<u32>,
    agency_net_loss: Option<String>,
}

impl<W: Write + Send> ResultWriter for JsonlResults<W> {
    fn write(&mut self, r: &ResultRow) -> io::Result<()> {
        let a = &r.assessment;
        let row = JsonRow {
            row: r.row,
            loan_id: &r.loan_id,
            outcome: a.outcome.name(),
            primary_reason: a.primary().code().into_owned(),
            reasons: a.reasons.iter().map(|x| x.code().into_owned()).collect(),
            citations: a.reasons.iter().map(|x| x.citation()).collect(),
            total_debt: money::fmt(a.amounts.total_debt),
            gross_deficiency: money::fmt(a.amounts.gross),
            recoverable: money::fmt(a.recoverable),
            barred: money::fmt(a.barred),
            undetermined: money::fmt(a.undetermined),
            surplus: money::fmt(a.amounts.surplus),
            action_deadline: a.action_deadline.map(|d| d.to_string()),
            redemption_ends: a.redemption_ends.map(|d| d.to_string()),
            flags: a.flags.iter().map(|f| f.code().into_owned()).collect(),
            event_type: r.event_type.name(),
            event_date: r.event_date.to_string(),
            lien_position: r.lien_position,
            agency_net_loss: r.agency_net_loss.map(money::fmt),
        };
        serde_json::to_writer(&mut self.w, &row)?;
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
