//! Reading an agency file line by line and splitting records at `|`.

use super::*;

/// A file read line by line into one reused buffer.
pub(crate) struct Lines {
    pub path: String,
    pub(crate) reader: BufReader<Box<dyn std::io::Read + Send>>,
    pub(crate) buf: Vec<u8>,
    pub(crate) lossy: String,
    /// Physical line number of the line in `buf`.
    pub line: u64,
    pub(crate) replay: bool,
    pub(crate) at_end: bool,
}

impl Lines {
    pub fn open(path: &str) -> Result<Lines, InputError> {
        let raw = open_bytes(path)?;
        Ok(Lines {
            path: path.to_string(),
            reader: BufReader::with_capacity(1 << 20, raw),
            buf: Vec::with_capacity(4096),
            lossy: String::new(),
            line: 0,
            replay: false,
            at_end: false,
        })
    }

    /// The first non-blank line, which the next [`Lines::next`] returns again.
    pub fn peek(&mut self) -> Result<Option<(u64, &str)>, InputError> {
        if !self.replay {
            if self.read()?.is_none() {
                return Ok(None);
            }
            self.replay = true;
        }
        Ok(Some((self.line, self.text())))
    }

    /// The next non-blank line (line ending removed) and its line number.
    pub fn next(&mut self) -> Result<Option<(u64, &str)>, InputError> {
        if self.replay {
            self.replay = false;
        } else if self.read()?.is_none() {
            return Ok(None);
        }
        Ok(Some((self.line, self.text())))
    }

    pub(crate) fn read(&mut self) -> Result<Option<()>, InputError> {
        if self.at_end {
            return Ok(None);
        }
        loop {
            self.buf.clear();
            let n = self.reader.read_until(b'\n', &mut self.buf).map_err(|e| InputError::Other {
                path: self.path.clone(),
                message: format!("read error after line {}: {e}", self.line),
            })?;
            if n == 0 {
                self.at_end = true;
                return Ok(None);
            }
            self.line += 1;
            while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
                self.buf.pop();
            }
            if self.line == 1 && self.buf.starts_with(b"\xEF\xBB\xBF") {
                self.buf.drain(..3);
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.lossy.clear();
            if std::str::from_utf8(&self.buf).is_err() {
                self.lossy.push_str(&String::from_utf8_lossy(&self.buf));
            }
            return Ok(Some(()));
        }
    }

    pub(crate) fn text(&self) -> &str {
        if !self.lossy.is_empty() {
            return &self.lossy;
        }
        std::str::from_utf8(&self.buf).unwrap_or_default()
    }
}

/// Splits `line` at `|` into `out` as byte ranges.
pub(crate) fn split(line: &str, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let mut start = 0;
    for (i, b) in line.bytes().enumerate() {
        if b == b'|' {
            out.push((start, i));
            start = i + 1;
        }
    }
    out.push((start, line.len()));
}

/// One record's fields.
#[derive(Clone, Copy)]
pub(crate) struct Row<'a> {
    pub(crate) line: &'a str,
    pub(crate) offs: &'a [(usize, usize)],
}

impl<'a> Row<'a> {
    pub fn new(line: &'a str, offs: &'a [(usize, usize)]) -> Row<'a> {
        Row { line, offs }
    }
    /// Field `i` (0-based), trimmed; `""` when absent.
    pub fn get(&self, i: usize) -> &'a str {
        match self.offs.get(i) {
            Some(&(s, e)) => self.line.get(s..e).unwrap_or("").trim(),
            None => "",
        }
    }
    pub fn len(&self) -> usize {
        self.offs.len()
    }
}
