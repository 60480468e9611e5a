//! The native layout in Parquet, read with polars one row group at a time
//! (bounded memory: polars is shown a footer listing only that row group, so
//! it maps and decodes nothing else; a large row group is read 64k rows at a
//! time). With several threads, a chunk's columns are decoded on the run's
//! worker threads, a share of the columns each (`RecordSource::decode_on`).
//!
//! Column types accepted: text as String; money as Decimal of any scale
//! (zeros past the cents are dropped, so decimal(38,18) reads as it should;
//! more than 12 significant places is rejected as for CSV), any integer,
//! String, or Float64/Float32 (what pandas writes by default), which is
//! rounded to the nearest cent — a binary float cannot hold most cents
//! exactly, so the cent it was meant to be is the honest reading; dates as
//! Date or a `YYYY-MM-DD` String; booleans as Boolean, integer 0/1 or String;
//! integers as any integer type or String. Each value is read in its own
//! type straight into the loan (`input::columns`); it means the text a CSV
//! twin would hold, so validation, defaults, assumptions and rejects are
//! exactly those of CSV input.

use super::columns::Column;
use super::{Header, InputError, RecordSource};
use crate::loan::Field;
use polars::io::parquet::read::FileMetadata;
use polars::prelude::*;
use polars_parquet::parquet::metadata::RowGroupMetadata;

use crate::loan::Kind;

pub(super) fn accepts(k: Kind, dt: &DataType) -> bool {
    if matches!(dt, DataType::Null) {
        return true;
    }
    match k {
        Kind::Text | Kind::Enum | Kind::State => matches!(dt, DataType::String) || dt.is_integer(),
        Kind::Money | Kind::SignedMoney => {
            matches!(dt, DataType::String | DataType::Decimal(_, _) | DataType::Float64 | DataType::Float32)
                || dt.is_integer()
        }
        Kind::Date => matches!(dt, DataType::String | DataType::Date),
        Kind::Bool => matches!(dt, DataType::String | DataType::Boolean) || dt.is_integer(),
        Kind::Count => matches!(dt, DataType::String) || dt.is_integer(),
    }
}

pub(super) fn expected(k: Kind) -> &'static str {
    match k {
        Kind::Text | Kind::Enum | Kind::State => "String",
        Kind::Money | Kind::SignedMoney => "Decimal, an integer, Float64 or String",
        Kind::Date => "Date or String (YYYY-MM-DD)",
        Kind::Bool => "Boolean, an integer (0/1) or String",
        Kind::Count => "an integer or String",
    }
}

/// Streams a native-layout Parquet file.
pub struct ParquetSource {
    path: String,
    header: Header,
    /// Columns read (known to the layout), by file position.
    read_columns: Vec<String>,
    /// What each column read holds.
    kinds: Vec<Kind>,
    /// The file's footer without its row groups (what polars is shown for
    /// one row group is this plus that group).
    footer: FileMetadata,
    /// The row groups still to read; each is dropped once read, so a large
    /// file's footer (tens of bytes a row group and column) does not stay
    /// for the whole run.
    groups: std::collections::VecDeque<RowGroupMetadata>,
    /// The row group being read, and the next row in it.
    group: usize,
    in_group: usize,
    /// Data rows handed out so far.
    rows: u64,
    /// Rows decoded but not yet handed out: the frame, and the next row.
    chunk: Option<(DataFrame, usize)>,
    /// The run's worker threads, when it has several: a chunk's columns are
    /// then decoded on them, a share of the columns each.
    workers: Option<std::sync::Arc<rayon::ThreadPool>>,
}

/// Runs polars on a file a user gave us. polars 0.55 panics on some
/// malformed files instead of returning an error (fuzz/regressions/parquet/
/// holds the ones found); such a panic becomes this file's error, and its
/// message stays off stderr, whether it happens on this thread (a worker
/// decoding its share of a chunk's columns, or the reader) or on one of
/// polars' own (should polars hand work to its thread pool; the panic then
/// reaches this thread through it).
fn guarded<T>(path: &str, read: impl FnOnce() -> Result<T, InputError>) -> Result<T, InputError> {
    use std::cell::Cell;
    use std::sync::atomic::{AtomicUsize, Ordering};
    thread_local! {
        static QUIET: Cell<bool> = const { Cell::new(false) };
    }
    /// Guarded reads under way, on any thread.
    static GUARDED: AtomicUsize = AtomicUsize::new(0);
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let polars_thread = || std::thread::current().name().is_some_and(|n| n.starts_with("polars"));
            let quiet = QUIET.with(Cell::get) || (GUARDED.load(Ordering::SeqCst) > 0 && polars_thread());
            if !quiet {
                previous(info)
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    GUARDED.fetch_add(1, Ordering::SeqCst);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    GUARDED.fetch_sub(1, Ordering::SeqCst);
    QUIET.with(|q| q.set(was));
    r.unwrap_or_else(|p| {
        let why = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no reason given".into());
        Err(InputError::Other {
            path: path.into(),
            message: format!("not a readable Parquet file: the Parquet reader failed ({why})"),
        })
    })
}

/// Checks the page headers of the columns read in row group `g` before
/// polars decodes them. polars 0.55 trusts a data page's value count: a
/// negative count (a corrupt or hostile file) makes it ask for 2^61 bytes,
/// and a failed allocation aborts the process, which no `catch_unwind`
/// stops (fuzz/regressions/parquet/oom-*). Each column chunk is read once
/// more here (from the page cache, right before polars reads it) and its
/// pages walked with polars' own page reader; a count below zero, a page
/// past its chunk or a header that does not parse is this file's error.
fn check_pages(path: &str, group: &RowGroupMetadata, g: usize, read: &[String]) -> Result<(), InputError> {
    use polars_parquet::parquet::page::{CompressedPage, DataPageHeader};
    use polars_parquet::parquet::read::PageReader;
    use std::io::{Read, Seek, SeekFrom};
    let bad = |message: String| InputError::Other {
        path: path.into(),
        message: format!("not a readable Parquet file: {message}"),
    };
    let mut file = std::fs::File::open(path).map_err(|source| InputError::Open { path: path.into(), source })?;
    let size = file.metadata().map_err(|source| InputError::Open { path: path.into(), source })?.len();
    for col in group.parquet_columns() {
        let name = col.descriptor().path_in_schema.first().map(|s| s.as_str()).unwrap_or_default();
        if !read.iter().any(|r| r == name) {
            continue;
        }
        let range = col.byte_range();
        if range.start > range.end || range.end > size {
            return Err(bad(format!("column \"{name}\" in row group {g} lies outside the file")));
        }
        let mut bytes = vec![0u8; (range.end - range.start) as usize];
        file.seek(SeekFrom::Start(range.start))
            .and_then(|_| file.read_exact(&mut bytes))
            .map_err(|e| bad(format!("column \"{name}\" in row group {g}: {e}")))?;
        let max_page = bytes.len() + 1;
        let cursor = std::io::Cursor::new(polars_buffer::Buffer::from_vec(bytes));
        for page in PageReader::new(cursor, col, Vec::new(), max_page) {
            let page = page.map_err(|e| bad(format!("column \"{name}\" in row group {g}: {e}")))?;
            let CompressedPage::Data(p) = page else { continue };
            let counts = match p.header() {
                DataPageHeader::V1(h) => [h.num_values, 0, 0],
                DataPageHeader::V2(h) => [h.num_values, h.num_nulls, h.num_rows],
            };
            if counts.iter().any(|n| *n < 0) {
                return Err(bad(format!("column \"{name}\" in row group {g} has a page with a negative value count")));
            }
        }
    }
    Ok(())
}

/// Rows decoded from a row group at a time.
const CHUNK_ROWS: usize = 64 * 1024;

fn pe(path: &str) -> impl Fn(PolarsError) -> InputError + '_ {
    move |e| InputError::Other { path: path.into(), message: format!("not a readable Parquet file: {e}") }
}

impl ParquetSource {
    pub fn open(path: &str) -> Result<ParquetSource, InputError> {
        guarded(path, || Self::open_file(path))
    }

    fn open_file(path: &str) -> Result<ParquetSource, InputError> {
        let file = std::fs::File::open(path).map_err(|source| InputError::Open { path: path.into(), source })?;
        super::parquet_footer::check(path).map_err(|m| InputError::Other {
            path: path.into(),
            message: format!("not a readable Parquet file: {m}"),
        })?;
        let mut reader = ParquetReader::new(file);
        let schema = reader.schema().map_err(pe(path))?;
        let mut footer = (**reader.get_metadata().map_err(pe(path))?).clone();
        let groups = std::mem::take(&mut footer.row_groups).into();
        let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        let full = Header::new(path, &names)?;
        // Read only the known columns; the header then indexes them in that order.
        let mut read_columns = Vec::new();
        let mut kinds = Vec::new();
        for (name, field) in schema.iter() {
            let Some(f) = Field::from_name(&name.trim().to_ascii_lowercase()) else { continue };
            let dt = DataType::from_arrow_field(field);
            if !accepts(f.kind(), &dt) {
                return Err(InputError::Other {
                    path: path.into(),
                    message: format!("column \"{}\" has type {dt}; expected {}", name, expected(f.kind())),
                });
            }
            read_columns.push(name.to_string());
            kinds.push(f.kind());
        }
        let mut header = Header::new(path, &read_columns)?;
        header.unknown = full.unknown;
        Ok(ParquetSource {
            path: path.into(),
            header,
            read_columns,
            kinds,
            footer,
            groups,
            group: 0,
            in_group: 0,
            rows: 0,
            chunk: None,
            workers: None,
        })
    }
}

impl RecordSource for ParquetSource {
    fn header(&self) -> &Header {
        &self.header
    }

    fn decode_on(&mut self, workers: Option<std::sync::Arc<rayon::ThreadPool>>) {
        self.workers = workers;
    }

    fn next_batch(&mut self, batch: &mut super::Batch, max: usize) -> Result<usize, InputError> {
        if self.chunk.as_ref().is_none_or(|(df, at)| *at >= df.height()) {
            self.chunk = None;
            match self.read_chunk()? {
                Some(df) => self.chunk = Some((df, 0)),
                None => return Ok(0),
            }
        }
        let Some((df, at)) = &mut self.chunk else { return Ok(0) };
        let n = max.min(df.height() - *at);
        let part = df.slice(*at as i64, n);
        let cols = part
            .columns()
            .iter()
            .zip(&self.kinds)
            .map(|(c, &k)| Column::new(c.as_materialized_series(), k))
            .collect::<PolarsResult<Vec<_>>>()
            .map_err(pe(&self.path))?;
        batch.columns_mut().set(self.rows + 1, n, cols);
        *at += n;
        self.rows += n as u64;
        Ok(n)
    }
}

impl ParquetSource {
    /// Decodes the next rows (at most [`CHUNK_ROWS`], within one row group).
    fn read_chunk(&mut self) -> Result<Option<DataFrame>, InputError> {
        while self.groups.front().is_some_and(|g| self.in_group >= g.num_rows()) {
            self.groups.pop_front();
            self.group += 1;
            self.in_group = 0;
        }
        let Some(group) = self.groups.front() else { return Ok(None) };
        if self.in_group == 0 {
            let (path, read, g) = (&self.path, &self.read_columns, self.group);
            guarded(path, || check_pages(path, group, g, read))?;
        }
        let n = CHUNK_ROWS.min(group.num_rows() - self.in_group);
        // Polars is shown a footer with this one row group, so it maps and
        // decodes nothing else (given the whole footer and a slice, it
        // touches every earlier row group's pages as well).
        let mut one = self.footer.clone();
        one.row_groups = vec![group.clone()];
        one.num_rows = group.num_rows();
        let (path, at, one) = (&self.path, self.in_group, std::sync::Arc::new(one));
        // Rows `at..at + n` of some of the columns (polars' own threads are
        // not used: the decoding stays on the thread that asks).
        let read = |columns: &[String]| -> Result<DataFrame, InputError> {
            let file = std::fs::File::open(path).map_err(|source| InputError::Open { path: path.clone(), source })?;
            let mut reader = ParquetReader::new(file);
            reader.set_metadata(one.clone());
            guarded(path, || {
                reader
                    .with_columns(Some(columns.to_vec()))
                    .with_slice(Some((at, n)))
                    .read_parallel(ParallelStrategy::None)
                    .set_rechunk(true)
                    .finish()
                    .map_err(pe(path))
            })
        };
        let df = match &self.workers {
            // A share of the columns to each worker, in file order.
            Some(workers) if workers.current_num_threads() > 1 && self.read_columns.len() > 1 => {
                use rayon::prelude::*;
                let share = self.read_columns.len().div_ceil(workers.current_num_threads());
                let parts: Vec<DataFrame> =
                    workers.install(|| self.read_columns.par_chunks(share).map(read).collect::<Result<_, _>>())?;
                let height = parts.first().map_or(n, DataFrame::height);
                if let Some(p) = parts.iter().find(|p| p.height() != height) {
                    return Err(InputError::Other {
                        path: path.clone(),
                        message: format!("row group {}: columns of {height} and {} rows", self.group, p.height()),
                    });
                }
                DataFrame::new(height, parts.into_iter().flat_map(DataFrame::into_columns).collect())
                    .map_err(pe(path))?
            }
            _ => read(&self.read_columns)?,
        };
        if df.height() != n {
            return Err(InputError::Other {
                path: self.path.clone(),
                message: format!(
                    "expected {n} rows in row group {} at row {}, read {}",
                    self.group,
                    self.in_group,
                    df.height()
                ),
            });
        }
        self.in_group += n;
        Ok(Some(df))
    }
}
