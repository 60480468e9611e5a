//! A check of a Parquet file's footer before polars decodes it. The footer
//! is Thrift compact-protocol data, and polars 0.55 reserves memory for
//! every list it declares before reading one element: a corrupt or hostile
//! footer that claims a list of two billion column chunks makes it ask for
//! tens of gigabytes, and a failed allocation aborts the process, which no
//! `catch_unwind` stops (found by fuzzing, FUZZING.md). This walks the
//! footer once, without allocating, and refuses any list, map or string
//! longer than the bytes left to hold it, and nesting deeper than
//! [`MAX_DEPTH`] (a stack overflow in any decoder).

use std::io::{Read, Seek, SeekFrom};

/// Structs, lists and maps nested in each other at most (Parquet's own
/// footer needs about ten).
const MAX_DEPTH: u32 = 64;

/// Checks the footer of the Parquet file at `path`. A file that does not end
/// in `PAR1` is left to polars, which says so.
pub fn check(path: &str) -> Result<(), String> {
    let mut f = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let size = f.metadata().map_err(|e| format!("cannot read: {e}"))?.len();
    if size < 12 {
        return Ok(());
    }
    let mut tail = [0u8; 8];
    f.seek(SeekFrom::Start(size - 8)).and_then(|_| f.read_exact(&mut tail)).map_err(|e| format!("cannot read: {e}"))?;
    if &tail[4..] != b"PAR1" {
        return Ok(());
    }
    let len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if len + 8 > size {
        return Err(format!("its footer claims {len} bytes, more than the file holds"));
    }
    let mut footer = vec![0u8; len as usize];
    f.seek(SeekFrom::Start(size - 8 - len))
        .and_then(|_| f.read_exact(&mut footer))
        .map_err(|e| format!("cannot read: {e}"))?;
    let mut w = Walker { b: &footer, pos: 0 };
    w.structure(0).map_err(|e| format!("its footer is not valid ({e})"))
}

struct Walker<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Walker<'_> {
    fn left(&self) -> usize {
        self.b.len() - self.pos
    }
    fn byte(&mut self) -> Result<u8, String> {
        let v = *self.b.get(self.pos).ok_or("it ends in the middle of a value")?;
        self.pos += 1;
        Ok(v)
    }
    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            if shift < 64 {
                v |= u64::from(b & 0x7f) << shift;
            }
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a number is too long".into())
    }
    fn skip(&mut self, n: u64, what: &str) -> Result<(), String> {
        if n > self.left() as u64 {
            return Err(format!("{what} of {n} bytes where {} are left", self.left()));
        }
        self.pos += n as usize;
        Ok(())
    }
    /// Each element of a list takes at least one byte.
    fn count(&mut self, n: u64, per: u64, what: &str) -> Result<u64, String> {
        if n.saturating_mul(per) > self.left() as u64 {
            return Err(format!("a {what} of {n} items where {} bytes are left", self.left()));
        }
        Ok(n)
    }
    fn value(&mut self, kind: u8, depth: u32) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("values nested more than {MAX_DEPTH} deep"));
        }
        match kind {
            1 | 2 => Ok(()), // a boolean field: the value is in the type
            3 => self.skip(1, "a byte"),
            4..=6 => self.varint().map(|_| ()),
            7 => self.skip(8, "a double"),
            8 => {
                let n = self.varint()?;
                self.skip(n, "a string")
            }
            9 | 10 => {
                let head = self.byte()?;
                let n = match head >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                let elem = head & 0x0f;
                let n = self.count(n, 1, "list")?;
                for _ in 0..n {
                    // A boolean element takes one byte.
                    if matches!(elem, 1 | 2) { self.skip(1, "a boolean")? } else { self.value(elem, depth + 1)? }
                }
                Ok(())
            }
            11 => {
                let n = self.varint()?;
                if n == 0 {
                    return Ok(());
                }
                let types = self.byte()?;
                let n = self.count(n, 2, "map")?;
                for _ in 0..n {
                    for t in [types >> 4, types & 0x0f] {
                        if matches!(t, 1 | 2) { self.skip(1, "a boolean")? } else { self.value(t, depth + 1)? }
                    }
                }
                Ok(())
            }
            12 => self.structure(depth + 1),
            t => Err(format!("unknown value type {t}")),
        }
    }
    fn structure(&mut self, depth: u32) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("values nested more than {MAX_DEPTH} deep"));
        }
        loop {
            let head = self.byte()?;
            if head == 0 {
                return Ok(());
            }
            if head >> 4 == 0 {
                self.varint()?; // the field id, in full
            }
            self.value(head & 0x0f, depth)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(b: &[u8]) -> Result<(), String> {
        Walker { b, pos: 0 }.structure(0)
    }

    #[test]
    fn lengths_past_the_bytes_left_are_refused() {
        // field 1, a list (type 9) of 15+ i32 elements: varint 2^31
        assert!(walk(&[0x19, 0xf5, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00]).unwrap_err().contains("list of 2147483648"));
        // field 1, a string of 100 bytes with 2 left
        assert!(walk(&[0x18, 100, b'a', b'b']).unwrap_err().contains("string of 100 bytes"));
        // a list of two i32: 1 and 2, then stop
        assert_eq!(walk(&[0x19, 0x25, 0x02, 0x04, 0x00]), Ok(()));
        // nesting: a struct in a struct ... 100 deep
        let mut deep = vec![0x1c; 100];
        deep.extend(vec![0x00; 101]);
        assert!(walk(&deep).unwrap_err().contains("nested"));
    }

    #[test]
    fn real_footers_pass() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/parquet");
        let mut seen = 0;
        for e in std::fs::read_dir(dir).expect("corpus").flatten() {
            let p = e.path();
            assert_eq!(check(p.to_str().expect("utf8")), Ok(()), "{}", p.display());
            seen += 1;
        }
        assert!(seen >= 3);
    }
}
