//! The rejects file (README "What happens when…"): `file,row,line,loan_id,column,value,error`.

use crate::input::Reject;
use std::io::{self, Write};

pub const COLUMNS: &[&str] = &["file", "row", "line", "loan_id", "column", "value", "error"];

/// Writes rejects as CSV.
pub struct RejectsWriter<W: Write> {
    w: csv::Writer<W>,
    header_written: bool,
    /// `--csv-safe`: see [`super::spreadsheet_safe`].
    safe: bool,
}

impl<W: Write> RejectsWriter<W> {
    /// A rejects file: its header is written at once, so a run without
    /// rejects leaves a file with the header alone.
    pub fn new(inner: W) -> io::Result<Self> {
        let mut r = RejectsWriter::lazy(inner);
        r.header()?;
        Ok(r)
    }

    /// Rejects on a stream shared with other messages (stderr): the header
    /// comes with the first reject, so a run without rejects prints nothing.
    pub fn lazy(inner: W) -> Self {
        RejectsWriter { w: csv::WriterBuilder::new().from_writer(inner), header_written: false, safe: false }
    }

    /// Writes the cells that come from the input (file, loan id, value)
    /// spreadsheet-safe ([`super::spreadsheet_safe`]).
    pub fn spreadsheet_safe(mut self, on: bool) -> Self {
        self.safe = on;
        self
    }

    fn header(&mut self) -> io::Result<()> {
        if !self.header_written {
            self.w.write_record(COLUMNS)?;
            self.header_written = true;
        }
        Ok(())
    }

    pub fn write(&mut self, r: &Reject) -> io::Result<()> {
        self.header()?;
        let row = r.row.to_string();
        let line = r.line.map(|l| l.to_string()).unwrap_or_default();
        let cell = |s: &'_ str| if self.safe { super::spreadsheet_safe(s).into_owned() } else { s.to_string() };
        let (file, loan_id, value) = (cell(&r.file), cell(r.loan_id.as_deref().unwrap_or("")), cell(&r.value));
        self.w.write_record([
            file.as_str(),
            row.as_str(),
            line.as_str(),
            loan_id.as_str(),
            r.column.as_str(),
            value.as_str(),
            r.error.as_str(),
        ])?;
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.w.flush()?;
        self.w.into_inner().map_err(|e| io::Error::other(e.to_string()))
    }
}
