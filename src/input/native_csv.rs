//! The native CSV reader: header row, UTF-8 (a BOM is ignored), LF, CRLF or
//! CR line ends, quoted fields, `-` for stdin, `.csv.gz` decompressed on the
//! fly.
//!
//! Reading is split so that the parallel workers do most of it:
//!
//! - the reader thread only finds where each record ends ([`CsvSource`]
//!   fills a [`LineChunk`]: the raw bytes of up to a batch of whole records
//!   and each record's span and line), a `memchr` scan for the line end;
//! - each worker types a record without a quote in one pass over its bytes
//!   ([`Line`], [`ascii_fields`]: each field is handed to its column's
//!   typing as the scan finds its comma, see `Header::parse_line`), and
//!   splits any other record into fields first ([`Fields::split`]): on
//!   commas, or through `csv_core` (the csv crate's own parser) for a record
//!   with a quote, checking the record as UTF-8 once.
//!
//! The result is the same as the csv crate's reader with `flexible(true)`:
//! blank lines are skipped, `\r\n`, `\n` and `\r` end records, a quote opens
//! a quoted field only at the start of a field, and row and line numbers
//! count the same way (tests compare the two on random input).

use super::values::{Cell, ValueError};
use super::{Cells, Header, InputError, RecordSource};
use std::io::Read;

/// One raw record and where it came from, for sources that build records
/// field by field (Parquet, the public data sets).
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
    /// A value the reader could not translate (agency layouts): the row is
    /// rejected naming it.
    pub bad: Option<super::BadValue>,
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
    fn bad_value(&self) -> Option<&super::BadValue> {
        self.bad.as_ref()
    }
}

/// Where one record sits in a [`LineChunk`].
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    /// Exclusive; the line end is not included.
    end: usize,
    /// Physical line where the record starts.
    line: u64,
    /// The record holds a `"`: split it with `csv_core`.
    quoted: bool,
}

/// Whole CSV records as read from the file, not yet split into fields.
#[derive(Debug, Default)]
pub struct LineChunk {
    data: Vec<u8>,
    spans: Vec<Span>,
    /// Data row of the first record.
    first_row: u64,
}

impl LineChunk {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.spans.len()
    }
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
    /// Data row (1-based) and line of record `i`.
    pub fn position(&self, i: usize) -> (u64, u64) {
        (self.first_row + i as u64, self.spans[i].line)
    }
}

/// A worker's reusable buffers for splitting records into fields.
#[derive(Default)]
pub struct Fields {
    bounds: Vec<(usize, usize)>,
    decoded: Vec<u8>,
    ends: Vec<usize>,
    core: Option<csv_core::Reader>,
}

impl Fields {
    /// Splits record `i` of `chunk` into fields.
    pub fn split<'a>(&'a mut self, chunk: &'a LineChunk, i: usize) -> SplitRecord<'a> {
        let s = chunk.spans[i];
        let rec = &chunk.data[s.start..s.end];
        self.bounds.clear();
        let bytes: &'a [u8] = if s.quoted {
            self.decode(rec);
            &self.decoded
        } else {
            let mut start = 0;
            commas(rec, |k| {
                self.bounds.push((start, k));
                start = k + 1;
            });
            self.bounds.push((start, rec.len()));
            rec
        };
        SplitRecord { text: std::str::from_utf8(bytes).ok(), bytes, bounds: &self.bounds }
    }

    /// Decodes a record with quotes through `csv_core`.
    fn decode(&mut self, rec: &[u8]) {
        let core = self.core.get_or_insert_with(csv_core::Reader::new);
        core.reset();
        self.decoded.resize(rec.len().max(1), 0);
        if self.ends.len() < 64 {
            self.ends.resize(64, 0);
        }
        let (mut nin, mut nout, mut nend) = (0, 0, 0);
        // The span holds exactly one record; its end is signalled with an
        // empty input, as at the end of a file.
        let mut at_end = false;
        loop {
            let input = if at_end { &[][..] } else { &rec[nin..] };
            let (res, i, o, e) = core.read_record(input, &mut self.decoded[nout..], &mut self.ends[nend..]);
            nin += i;
            nout += o;
            nend += e;
            match res {
                csv_core::ReadRecordResult::OutputFull => {
                    let n = self.decoded.len() * 2;
                    self.decoded.resize(n, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                csv_core::ReadRecordResult::InputEmpty if !at_end => at_end = true,
                csv_core::ReadRecordResult::InputEmpty
                | csv_core::ReadRecordResult::Record
                | csv_core::ReadRecordResult::End => break,
            }
        }
        self.decoded.truncate(nout);
        let mut start = 0;
        for &end in &self.ends[..nend] {
            self.bounds.push((start, end));
            start = end;
        }
        if self.bounds.is_empty() {
            self.bounds.push((0, 0));
        }
    }
}

/// The top bit of each byte of `w` (eight bytes, little-endian) that is a
/// comma; exact (no carry between bytes).
#[inline(always)]
fn comma_bits(w: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const COMMAS: u64 = 0x2C2C_2C2C_2C2C_2C2C;
    let x = w ^ COMMAS;
    // a byte is zero after the xor exactly when it was a comma
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// Calls `f` with the position of each comma in `rec`, in order. Eight bytes
/// at a time (a branch per comma, not per byte: fields are short and their
/// lengths vary, so a per-byte branch is mispredicted often).
#[inline]
fn commas(rec: &[u8], mut f: impl FnMut(usize)) {
    let words = rec.chunks_exact(8);
    let tail = words.remainder();
    let mut at = 0;
    for word in words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let mut hits = comma_bits(u64::from_le_bytes(bytes));
        while hits != 0 {
            f(at + (hits.trailing_zeros() / 8) as usize);
            hits &= hits - 1;
        }
        at += 8;
    }
    for (k, &b) in tail.iter().enumerate() {
        if b == b',' {
            f(at + k);
        }
    }
}

/// Calls `f(start, end)` for each field of `rec` in order (fields end at
/// commas and at the end), in the same eight-bytes-at-a-time scan that
/// checks the bytes are ASCII. Stops early, returning `false`, at the first
/// non-ASCII word or when `f` returns `false`; `true` when every field was
/// handed over.
///
/// Every byte of a range passed to `f` has been checked to be ASCII before
/// the call (a word is checked before any comma in it is acted on; the tail
/// is checked before its fields), so the range is valid UTF-8.
#[inline]
pub fn ascii_fields(rec: &[u8], mut f: impl FnMut(usize, usize) -> bool) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let words = rec.chunks_exact(8);
    let tail = words.remainder();
    let (mut at, mut start) = (0, 0);
    for word in words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let w = u64::from_le_bytes(bytes);
        if w & HIGH != 0 {
            return false;
        }
        let mut hits = comma_bits(w);
        while hits != 0 {
            let k = at + (hits.trailing_zeros() / 8) as usize;
            if !f(start, k) {
                return false;
            }
            start = k + 1;
            hits &= hits - 1;
        }
        at += 8;
    }
    if !tail.is_ascii() {
        return false;
    }
    for (k, &b) in tail.iter().enumerate() {
        if b == b',' {
            if !f(start, at + k) {
                return false;
            }
            start = at + k + 1;
        }
    }
    f(start, rec.len())
}

/// One CSV record of a chunk, not yet split: typed in one pass when it has
/// no quote (`Header::parse_line`), split into fields otherwise.
pub struct Line<'a> {
    chunk: &'a LineChunk,
    i: usize,
    fields: &'a mut Fields,
}

impl<'a> Line<'a> {
    pub(crate) fn new(chunk: &'a LineChunk, i: usize, fields: &'a mut Fields) -> Line<'a> {
        Line { chunk, i, fields }
    }
    /// The record's bytes when it holds no quote (its fields are then the
    /// bytes between commas).
    pub fn unquoted(&self) -> Option<&'a [u8]> {
        let s = self.chunk.spans[self.i];
        (!s.quoted).then(|| &self.chunk.data[s.start..s.end])
    }
    /// Data row (1-based) and line where the record starts.
    pub fn position(&self) -> (u64, u64) {
        self.chunk.position(self.i)
    }
    /// The record split into fields.
    pub fn split(self) -> SplitRecord<'a> {
        self.fields.split(self.chunk, self.i)
    }
}

/// One record split into fields, borrowed from a chunk and a worker's
/// [`Fields`].
#[derive(Debug, Clone, Copy)]
pub struct SplitRecord<'a> {
    /// The whole record, when it is valid UTF-8.
    text: Option<&'a str>,
    bytes: &'a [u8],
    bounds: &'a [(usize, usize)],
}

impl SplitRecord<'_> {
    /// The raw bytes of field `i`.
    pub fn field(&self, i: usize) -> Option<&[u8]> {
        self.bounds.get(i).map(|&(a, b)| &self.bytes[a..b])
    }
}

impl Cells for SplitRecord<'_> {
    #[inline]
    fn cell(&self, i: usize) -> Result<Cell<'_>, ValueError> {
        let Some(&(a, b)) = self.bounds.get(i) else { return Ok(Cell::Blank) };
        if a == b {
            return Ok(Cell::Blank);
        }
        // Fields of valid text split at ASCII bytes are valid text.
        match self.text.and_then(|t| t.get(a..b)) {
            Some(s) => Ok(Cell::from_text(s)),
            None => Cell::from_bytes(&self.bytes[a..b]),
        }
    }
    fn len(&self) -> usize {
        self.bounds.len()
    }
    fn raw(&self, i: usize) -> String {
        self.field(i).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default()
    }
}

/// Bytes read from the file at a time.
const READ_BLOCK: usize = 1 << 20;

/// The longest record accepted (a longer one almost always means a quote
/// that is never closed, which would swallow the rest of the file).
const MAX_RECORD: usize = 64 << 20;

/// Streams a native-layout CSV file in chunks of whole records.
pub struct CsvSource {
    input: Box<dyn Read + Send>,
    pub header: Header,
    /// Bytes read past the last record handed out.
    pending: Vec<u8>,
    eof: bool,
    /// Line of the first byte of `pending`.
    line: u64,
    rows: u64,
    consumed: u64,
    path: String,
    /// Finds the end of a quoted record.
    core: csv_core::Reader,
    /// Bytes of the quoted record under way that `core` has read.
    quoted_at: usize,
    /// Where reads land before they join a chunk.
    block: Vec<u8>,
    /// [`MAX_RECORD`], smaller in tests.
    max_record: usize,
    scratch: Vec<u8>,
    scratch_ends: Vec<usize>,
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
    if path.ends_with(".gz") { Ok(Box::new(flate2::read::MultiGzDecoder::new(raw))) } else { Ok(raw) }
}

impl CsvSource {
    /// Opens a file and reads its header.
    pub fn open(path: &str) -> Result<CsvSource, InputError> {
        CsvSource::open_mapped(path, None)
    }

    /// [`CsvSource::open`] for an export read through `--map`.
    pub fn open_mapped(path: &str, map: Option<&super::mapping::Compiled>) -> Result<CsvSource, InputError> {
        let input = open_bytes(path)?;
        CsvSource::from_reader_mapped(path, input, map)
    }

    /// Reads the header from any byte stream; `path` names it in messages.
    pub fn from_reader(path: &str, input: Box<dyn Read + Send>) -> Result<CsvSource, InputError> {
        CsvSource::from_reader_mapped(path, input, None)
    }

    fn from_reader_mapped(
        path: &str,
        input: Box<dyn Read + Send>,
        map: Option<&super::mapping::Compiled>,
    ) -> Result<CsvSource, InputError> {
        let placeholder = Header::placeholder(path);
        let mut src = CsvSource {
            input,
            header: placeholder,
            pending: Vec::new(),
            eof: false,
            line: 1,
            rows: 0,
            consumed: 0,
            path: path.into(),
            core: csv_core::Reader::new(),
            quoted_at: 0,
            block: vec![0; READ_BLOCK],
            max_record: MAX_RECORD,
            scratch: vec![0; 1 << 16],
            scratch_ends: vec![0; 1 << 10],
        };
        // A BOM at the very start is not part of the first name.
        let mut first = Vec::new();
        while first.len() < 3 && !src.eof {
            src.read_more(&mut first)?;
        }
        src.pending = first;
        if src.pending.starts_with(b"\xEF\xBB\xBF") {
            src.pending.drain(..3);
            src.consumed += 3;
        }
        let mut chunk = LineChunk::default();
        src.fill(&mut chunk, 1)?;
        src.rows = 0;
        if chunk.is_empty() {
            return Err(InputError::Empty { path: path.into() });
        }
        let mut fields = Fields::default();
        let rec = fields.split(&chunk, 0);
        if rec.len() == 1 && rec.field(0).is_some_and(|h| h.iter().all(u8::is_ascii_whitespace)) {
            return Err(InputError::Empty { path: path.into() });
        }
        let mut names = Vec::with_capacity(rec.len());
        for i in 0..rec.len() {
            let h = rec.field(i).unwrap_or_default();
            match std::str::from_utf8(h) {
                Ok(s) => names.push(s.to_string()),
                Err(_) => {
                    return Err(InputError::NotCsv {
                        path: path.into(),
                        message: format!("header cell {} is not UTF-8 text ({:?})", i + 1, String::from_utf8_lossy(h)),
                    });
                }
            }
        }
        src.header = match map {
            Some(m) => Header::mapped(path, &names, m)?,
            None => Header::new(path, &names)?,
        };
        Ok(src)
    }

    /// Bytes consumed so far (for progress).
    pub fn bytes_read(&self) -> u64 {
        self.consumed
    }

    /// Appends up to a block of input to `data`; sets `eof` at the end.
    fn read_more(&mut self, data: &mut Vec<u8>) -> Result<(), InputError> {
        // Read into a block zeroed once, then copy what came: a short read
        // (a pipe, a decompressor) costs only its own bytes.
        let got = loop {
            match self.input.read(&mut self.block) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(InputError::Other { path: self.path.clone(), message: format!("read error: {e}") });
                }
            }
        };
        data.extend_from_slice(&self.block[..got]);
        if got == 0 {
            self.eof = true;
        }
        Ok(())
    }

    /// Fills `chunk` with up to `max` whole records.
    fn fill(&mut self, chunk: &mut LineChunk, max: usize) -> Result<usize, InputError> {
        chunk.spans.clear();
        chunk.first_row = self.rows + 1;
        // The chunk's buffer takes over the pending bytes.
        std::mem::swap(&mut chunk.data, &mut self.pending);
        self.pending.clear();
        let data = &mut chunk.data;
        let mut pos = 0;
        let mut search_from = 0;
        let mut line = self.line;
        while chunk.spans.len() < max {
            // Blank lines between records are skipped.
            while pos < data.len() && (data[pos] == b'\n' || data[pos] == b'\r') {
                if data[pos] == b'\n' {
                    line += 1;
                }
                pos += 1;
            }
            if pos == data.len() {
                if self.eof {
                    break;
                }
                if chunk.spans.is_empty() {
                    // Only blank lines so far: drop them.
                    data.clear();
                    self.consumed += pos as u64;
                    pos = 0;
                }
                self.read_more(data)?;
                continue;
            }
            // Search on from where the last read left off (a long record
            // is scanned once, not once per read).
            let from = search_from.max(pos);
            let need_more = match memchr::memchr3(b'\n', b'\r', b'"', &data[from..]) {
                Some(k) if data[from + k] != b'"' && self.quoted_at == 0 => {
                    chunk.spans.push(Span { start: pos, end: from + k, line, quoted: false });
                    pos = from + k;
                    false
                }
                None if self.eof && self.quoted_at == 0 => {
                    chunk.spans.push(Span { start: pos, end: data.len(), line, quoted: false });
                    pos = data.len();
                    false
                }
                None if self.quoted_at == 0 => true,
                // A quote (or a quoted record under way): csv_core decides.
                _ => match self.quoted_end(&data[pos..]) {
                    Some(n) => {
                        chunk.spans.push(Span { start: pos, end: pos + n, line, quoted: true });
                        line += memchr::memchr_iter(b'\n', &data[pos..pos + n]).count() as u64;
                        pos += n;
                        false
                    }
                    None => true,
                },
            };
            if need_more {
                if data.len() - pos > self.max_record {
                    return Err(InputError::NotCsv {
                        path: self.path.clone(),
                        message: format!(
                            "row {} (line {line}) is longer than {} MB; check for a quote that is never closed, or that this is a CSV file with line ends",
                            self.rows + chunk.spans.len() as u64 + 1,
                            self.max_record >> 20
                        ),
                    });
                }
                search_from = data.len();
                self.read_more(data)?;
            } else {
                search_from = pos;
            }
        }
        self.pending.extend_from_slice(&data[pos..]);
        self.consumed += pos as u64;
        data.truncate(pos);
        self.line = line;
        self.rows += chunk.spans.len() as u64;
        Ok(chunk.spans.len())
    }

    /// Where the record at the start of `data` (which holds a quote) ends,
    /// as `csv_core` reads it; `None` if more input is needed to tell. The
    /// parser keeps its place between calls (`quoted_at`), so a long quoted
    /// record is read once however many reads it spans.
    fn quoted_end(&mut self, data: &[u8]) -> Option<usize> {
        if self.quoted_at == 0 {
            self.core.reset();
        }
        loop {
            // Only where the record ends matters: the decoded fields go to
            // a scratch buffer that is reused when full.
            let input = &data[self.quoted_at..];
            let (res, nin, _, _) = self.core.read_record(input, &mut self.scratch, &mut self.scratch_ends);
            self.quoted_at += nin;
            match res {
                csv_core::ReadRecordResult::OutputFull | csv_core::ReadRecordResult::OutputEndsFull => {}
                csv_core::ReadRecordResult::InputEmpty if !self.eof => return None,
                csv_core::ReadRecordResult::Record => {
                    let read = std::mem::take(&mut self.quoted_at);
                    // Given input, csv_core stops right after the line-end
                    // byte that ended the record, which the span leaves
                    // out; given none (the end of the file), there is none.
                    return Some(if input.is_empty() { read } else { read.saturating_sub(1) });
                }
                csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => {
                    self.quoted_at = 0;
                    return Some(data.len());
                }
            }
        }
    }
}

impl RecordSource for CsvSource {
    fn header(&self) -> &Header {
        &self.header
    }

    fn next_batch(&mut self, batch: &mut super::Batch, max: usize) -> Result<usize, InputError> {
        self.fill(batch.lines_mut(), max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A record as read: data row, line, fields.
    type Record3 = (u64, u64, Vec<Vec<u8>>);

    /// Every record as the csv crate reads it: (row, fields). (Its line
    /// numbers count from the end of the previous record, before any blank
    /// lines; ours give the line where the record starts.)
    fn with_csv_crate(data: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(data);
        let mut out = Vec::new();
        let mut rec = csv::ByteRecord::new();
        let mut row = 0;
        while r.read_byte_record(&mut rec).unwrap() {
            row += 1;
            out.push((row, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    fn with_chunks(data: &[u8], max: usize) -> Vec<Record3> {
        read_in_chunks(data, max, MAX_RECORD).unwrap()
    }

    fn read_in_chunks(data: &[u8], max: usize, max_record: usize) -> Result<Vec<Record3>, InputError> {
        // Tiny reads, so records straddle every read boundary.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(self.0.len()).min(3);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let bytes: &'static [u8] = Box::leak(data.to_vec().into_boxed_slice());
        let mut src = CsvSource {
            input: Box::new(Trickle(bytes)),
            header: Header::placeholder("t"),
            pending: Vec::new(),
            eof: false,
            line: 1,
            rows: 0,
            consumed: 0,
            path: "t".into(),
            core: csv_core::Reader::new(),
            quoted_at: 0,
            block: vec![0; READ_BLOCK],
            max_record,
            scratch: vec![0; 1 << 16],
            scratch_ends: vec![0; 1 << 10],
        };
        let mut out = Vec::new();
        let mut chunk = LineChunk::default();
        let mut fields = Fields::default();
        loop {
            let n = src.fill(&mut chunk, max)?;
            if n == 0 {
                break;
            }
            for i in 0..n {
                let (row, line) = chunk.position(i);
                let rec = fields.split(&chunk, i);
                out.push((row, line, (0..rec.len()).map(|j| rec.field(j).unwrap().to_vec()).collect()));
            }
        }
        Ok(out)
    }

    #[test]
    fn same_records_as_the_csv_crate() {
        for data in [
            &b"a,b\n1,2\n"[..],
            b"a,b\r\n1,2\r\n\r\n3,4",
            b"a,\"b,c\"\n\"x\ny\",2\n3,\"4\"\"5\"\n",
            b"\n\na\rb\r\n\"q\"\r\nz",
            b"ab\"c,d\n\"unterminated,x\ny",
            b"\"a\"b,c\n,\n",
            b"\xff\xfe,\"\xc3\"\n",
        ] {
            for max in [1, 2, 1000] {
                assert_eq!(
                    without_lines(with_chunks(data, max)),
                    with_csv_crate(data),
                    "{:?} max {max}",
                    String::from_utf8_lossy(data)
                );
            }
        }
    }

    fn without_lines(v: Vec<Record3>) -> Vec<(u64, Vec<Vec<u8>>)> {
        v.into_iter().map(|(r, _, f)| (r, f)).collect()
    }

    #[test]
    fn a_quote_never_closed_is_a_clear_error_not_a_hang() {
        // 200 kB of records after an opening quote, read 3 bytes at a time:
        // scanned once (a rescan per read would take minutes), then refused.
        let mut data = b"a,b\n1,\"x\n".to_vec();
        data.extend(b"2,y\n".repeat(50_000));
        let err = read_in_chunks(&data, 1000, 100_000).unwrap_err().to_string();
        assert!(err.contains("row 2 (line 2)") && err.contains("never closed"), "{err}");
        // under the limit, the rest of the file is one field, as the csv crate reads it
        let rows = read_in_chunks(&data, 1000, 1 << 20).unwrap();
        assert_eq!(without_lines(rows), with_csv_crate(&data));
    }

    #[test]
    fn lines_are_where_records_start() {
        let data = b"a,b\n\n1,2\r\n\"x\ny\",3\n\n\n4,\"5\n\n\"\n6,7";
        let lines: Vec<(u64, u64)> = with_chunks(data, 2).into_iter().map(|(r, l, _)| (r, l)).collect();
        assert_eq!(lines, vec![(1, 1), (2, 3), (3, 4), (4, 8), (5, 11)]);
    }

    proptest! {
        #[test]
        fn commas_are_found_eight_bytes_at_a_time(rec in proptest::collection::vec(prop_oneof![Just(b','), any::<u8>()], 0..80)) {
            let mut found = Vec::new();
            commas(&rec, |k| found.push(k));
            let want: Vec<usize> = rec.iter().enumerate().filter(|(_, b)| **b == b',').map(|(k, _)| k).collect();
            prop_assert_eq!(found, want);
        }

        #[test]
        fn random_input_reads_like_the_csv_crate(
            parts in proptest::collection::vec(prop_oneof![
                Just(&b","[..]), Just(&b"\""[..]), Just(&b"\n"[..]), Just(&b"\r"[..]), Just(&b"\r\n"[..]),
                Just(&b"ab"[..]), Just(&b"x y"[..]), Just(&b"\"\""[..]), Just(&b"\xc3\xa9"[..]), Just(&b"\xff"[..]),
            ], 0..40),
            max in 1usize..5,
        ) {
            let data: Vec<u8> = parts.concat();
            prop_assert_eq!(without_lines(with_chunks(&data, max)), with_csv_crate(&data));
        }
    }
}
