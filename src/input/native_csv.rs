//! The native CSV reader: header row, UTF-8 (a BOM is ignored), LF or CRLF,
//! quoted fields, `-` for stdin, `.csv.gz` decompressed on the fly.
//!
//! Records are read into a reused pool of `csv::ByteRecord`s, so a batch
//! allocates nothing once the pool is warm; cells are decoded lazily when a
//! row is typed.

use super::values::{Cell, ValueError};
use super::{Cells, Header, InputError, RecordSource};
use std::io::Read;

/// One raw record and where it came from.
///
/// A source fills the record through [`RawRecord::record_mut`] and then calls
/// [`RawRecord::validate`], which checks the whole record as UTF-8 once
/// (`csv::StringRecord::from_byte_record`: one ASCII scan for most records),
/// so cells are read as text without checking each one again. A record that
/// is not valid UTF-8 stays bytes, and its bad cell is reported by column.
#[derive(Debug, Default, Clone)]
pub struct RawRecord {
    bytes: csv::ByteRecord,
    /// The same content, validated; `bytes` is then empty.
    text: Option<csv::StringRecord>,
    /// 1-based data row.
    pub row: u64,
    /// Physical line where the record starts (CSV), if the format has lines.
    pub line: Option<u64>,
}

impl RawRecord {
    /// The record to fill (any validated text is turned back into bytes).
    pub fn record_mut(&mut self) -> &mut csv::ByteRecord {
        if let Some(t) = self.text.take() {
            self.bytes = t.into_byte_record();
        }
        &mut self.bytes
    }

    /// Checks the whole record as UTF-8 once.
    pub fn validate(&mut self) {
        if self.text.is_none() {
            match csv::StringRecord::from_byte_record(std::mem::take(&mut self.bytes)) {
                Ok(t) => self.text = Some(t),
                Err(e) => self.bytes = e.into_byte_record(),
            }
        }
    }

    /// The raw bytes of field `i`.
    pub fn field(&self, i: usize) -> Option<&[u8]> {
        match &self.text {
            Some(t) => t.get(i).map(str::as_bytes),
            None => self.bytes.get(i),
        }
    }
}

impl Cells for RawRecord {
    fn cell(&self, i: usize) -> Result<Cell<'_>, ValueError> {
        match &self.text {
            Some(t) => Ok(t.get(i).map(Cell::from_text).unwrap_or(Cell::Blank)),
            None => match self.bytes.get(i) {
                Some(b) => Cell::from_bytes(b),
                None => Ok(Cell::Blank),
            },
        }
    }
    fn len(&self) -> usize {
        match &self.text {
            Some(t) => t.len(),
            None => self.bytes.len(),
        }
    }
    fn raw(&self, i: usize) -> String {
        self.field(i).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default()
    }
}

/// Streams a native-layout CSV file in batches.
pub struct CsvSource {
    reader: csv::Reader<Box<dyn Read + Send>>,
    pub header: Header,
    rows: u64,
    path: String,
}

/// Opens `path` (`-` is stdin) for reading, decompressing `.gz`.
pub fn open_bytes(path: &str) -> Result<Box<dyn Read + Send>, InputError> {
    let open_err = |source| InputError::Open { path: path.into(), source };
    let raw: Box<dyn Read + Send> = if path == "-" {
        Box::new(std::io::stdin())
    } else {
        let f = std::fs::File::open(path).map_err(open_err)?;
        if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            return Err(InputError::Other { path: path.into(), message: "is a directory, not a file".into() });
        }
        Box::new(f)
    };
    if path.ends_with(".gz") {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(raw)))
    } else {
        Ok(raw)
    }
}

impl CsvSource {
    /// Opens a file and reads its header.
    pub fn open(path: &str) -> Result<CsvSource, InputError> {
        let bytes = open_bytes(path)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::None)
            .buffer_capacity(1 << 20)
            .from_reader(bytes);
        let headers = reader.byte_headers().map_err(|e| csv_error(path, e))?.clone();
        if headers.is_empty() || (headers.len() == 1 && headers[0].iter().all(u8::is_ascii_whitespace)) {
            return Err(InputError::Empty { path: path.into() });
        }
        let mut names = Vec::with_capacity(headers.len());
        for (i, h) in headers.iter().enumerate() {
            // a BOM the reader did not strip
            let h = if i == 0 { h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h) } else { h };
            match std::str::from_utf8(h) {
                Ok(s) => names.push(s.to_string()),
                Err(_) => {
                    return Err(InputError::NotCsv {
                        path: path.into(),
                        message: format!("header cell {} is not UTF-8 text ({:?})", i + 1, String::from_utf8_lossy(h)),
                    })
                }
            }
        }
        let header = Header::new(path, &names)?;
        Ok(CsvSource { reader, header, rows: 0, path: path.into() })
    }

    /// Bytes consumed so far (for progress).
    pub fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }
}

impl RecordSource for CsvSource {
    fn header(&self) -> &Header {
        &self.header
    }

    fn next_batch(&mut self, batch: &mut Vec<RawRecord>, max: usize) -> Result<usize, InputError> {
        if batch.len() < max {
            batch.resize_with(max, RawRecord::default);
        }
        let mut n = 0;
        while n < max {
            let slot = &mut batch[n];
            match self.reader.read_byte_record(slot.record_mut()) {
                Ok(true) => {
                    self.rows += 1;
                    slot.row = self.rows;
                    slot.line = slot.record_mut().position().map(|p| p.line());
                    slot.validate();
                    n += 1;
                }
                Ok(false) => break,
                Err(e) => return Err(csv_error(&self.path, e)),
            }
        }
        Ok(n)
    }
}

fn csv_error(path: &str, e: csv::Error) -> InputError {
    match e.kind() {
        csv::ErrorKind::Io(_) => InputError::Other { path: path.into(), message: format!("read error: {e}") },
        _ => InputError::NotCsv { path: path.into(), message: e.to_string() },
    }
}
