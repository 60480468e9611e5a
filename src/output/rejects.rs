//! The rejects file (SPEC §6): `file,row,line,loan_id,column,value,error`.

use crate::input::Reject;
use std::io::{self, Write};

pub const COLUMNS: &[&str] = &["file", "row", "line", "loan_id", "column", "value", "error"];

/// Writes rejects as CSV.
pub struct RejectsWriter<W: Write> {
    w: csv::Writer<W>,
    header_written: bool,
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
        RejectsWriter { w: csv::WriterBuilder::new().from_writer(inner), header_written: false }
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
        self.w.write_record([
            r.file.as_str(),
            row.as_str(),
            line.as_str(),
            r.loan_id.as_deref().unwrap_or(""),
            r.column.as_str(),
            r.value.as_str(),
            r.error.as_str(),
        ])?;
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.w.flush()?;
        self.w.into_inner().map_err(|e| io::Error::other(e.to_string()))
    }
}
