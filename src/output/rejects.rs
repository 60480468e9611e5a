//! The rejects file (SPEC §6): `file,row,line,loan_id,column,value,error`.

use crate::input::Reject;
use std::io::{self, Write};

pub const COLUMNS: &[&str] = &["file", "row", "line", "loan_id", "column", "value", "error"];

/// Writes rejects as CSV.
pub struct RejectsWriter<W: Write> {
    w: csv::Writer<W>,
}

impl<W: Write> RejectsWriter<W> {
    pub fn new(inner: W) -> io::Result<Self> {
        let mut w = csv::WriterBuilder::new().from_writer(inner);
        w.write_record(COLUMNS)?;
        Ok(RejectsWriter { w })
    }

    pub fn write(&mut self, r: &Reject) -> io::Result<()> {
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
