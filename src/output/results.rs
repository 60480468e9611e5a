//! Per-loan results writers: CSV and JSON Lines (SPEC §4).
//!
//! CSV: money as plain `1234.56`, dates `YYYY-MM-DD`, blank for none, lists
//! joined by `;`. JSONL: one object per loan with the same names; money as
//! strings with two decimals (exact), dates as strings or null, `reasons`,
//! `citations` and `flags` as arrays.

use super::{columns, write_date, ResultRow};
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

/// CSV results.
pub struct CsvResults<W: Write> {
    w: csv::Writer<W>,
    buf: Vec<u8>,
}

impl<W: Write> CsvResults<W> {
    pub fn new(inner: W) -> io::Result<Self> {
        let mut w = csv::WriterBuilder::new().buffer_capacity(1 << 16).from_writer(inner);
        w.write_record(columns())?;
        Ok(CsvResults { w, buf: Vec::with_capacity(64) })
    }
}

impl<W: Write + Send> ResultWriter for CsvResults<W> {
    fn write(&mut self, r: &ResultRow) -> io::Result<()> {
        let a = &r.assessment;
        let w = &mut self.w;
        let b = &mut self.buf;
        b.clear();
        itoa_into(r.row, b);
        w.write_field(&b[..])?;
        w.write_field(r.loan_id.as_bytes())?;
        w.write_field(a.outcome.name())?;
        w.write_field(a.primary().code().as_bytes())?;
        b.clear();
        r.write_reasons(b);
        w.write_field(&b[..])?;
        b.clear();
        r.write_citations(b);
        w.write_field(&b[..])?;
        for m in [a.amounts.total_debt, a.amounts.gross, a.recoverable, a.barred, a.undetermined, a.amounts.surplus] {
            b.clear();
            money::format_cents(m, b);
            w.write_field(&b[..])?;
        }
        for d in [a.action_deadline, a.redemption_ends] {
            b.clear();
            if let Some(d) = d {
                write_date(d, b);
            }
            w.write_field(&b[..])?;
        }
        b.clear();
        r.write_flags(b);
        w.write_field(&b[..])?;
        w.write_field(r.event_type.name())?;
        b.clear();
        write_date(r.event_date, b);
        w.write_field(&b[..])?;
        match r.lien_position {
            Some(p) => {
                b.clear();
                itoa_into(u64::from(p), b);
                w.write_field(&b[..])?
            }
            None => w.write_field("")?,
        }
        match r.agency_net_loss {
            Some(m) => {
                b.clear();
                money::format_cents(m, b);
                w.write_field(&b[..])?
            }
            None => w.write_field("")?,
        }
        w.write_record(None::<&[u8]>)?;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.w.flush()
    }
}

fn itoa_into(mut n: u64, out: &mut Vec<u8>) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&tmp[i..]);
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
