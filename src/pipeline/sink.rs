//! Opening the outputs: results (stdout or a file), rejects, and how a
//! failed write becomes a [`RunError`].

use super::{RunConfig, RunError, default_rejects_path};
use crate::output::atomic::AtomicFile;
use crate::output::rejects::RejectsWriter;
use crate::output::results::{CsvResults, Format, JsonlResults, ResultWriter};
use crate::report::xlsx::XlsxResults;
use std::io::{self, Write};

/// The results writer. CSV rows are formatted by the workers and written
/// here as bytes; other formats are written row by row.
pub(super) enum Results {
    Csv(CsvResults<Box<dyn Write + Send>>),
    Rows(Box<dyn ResultWriter>),
    /// A workbook: its report sheets are filled at the end.
    Xlsx(Box<XlsxResults<io::BufWriter<std::fs::File>>>),
    /// Kept in memory ([`super::memory::Session`]).
    Frame(crate::output::frame::ResultFrame),
}

impl Results {
    pub(super) fn is_csv(&self) -> bool {
        matches!(self, Results::Csv(_))
    }
    /// Writes what is left; a workbook adds the report's sheets.
    pub(super) fn finish(self, report: &crate::report::Report) -> io::Result<()> {
        match self {
            Results::Csv(w) => Box::new(w).finish(),
            Results::Rows(w) => w.finish(),
            Results::Xlsx(w) => w.finish(report),
            Results::Frame(_) => Ok(()),
        }
    }

    /// Writes one row (formats other than CSV).
    pub(super) fn write_row(&mut self, r: &crate::output::ResultRow) -> io::Result<()> {
        match self {
            Results::Csv(_) => Ok(()),
            Results::Rows(w) => w.write(r),
            Results::Xlsx(w) => w.write(r),
            Results::Frame(f) => f.push(r).map_err(|e| io::Error::other(e.to_string())),
        }
    }
}

/// Where rejects go: a CSV file or stream, or memory.
#[allow(clippy::large_enum_variant)] // one per run, never moved in a loop
pub(super) enum Rejects {
    Csv(RejectsWriter<Box<dyn Write + Send>>),
    Memory(Vec<crate::input::Reject>),
}

impl Rejects {
    pub(super) fn write(&mut self, r: &crate::input::Reject) -> io::Result<()> {
        match self {
            Rejects::Csv(w) => w.write(r),
            Rejects::Memory(v) => {
                v.push(r.clone());
                Ok(())
            }
        }
    }

    /// Writes what is left.
    pub(super) fn finish(self) -> io::Result<()> {
        match self {
            Rejects::Csv(w) => w.finish()?.flush(),
            Rejects::Memory(_) => Ok(()),
        }
    }
}

pub(super) struct Sink {
    pub(super) results: Results,
    pub(super) results_file: Option<AtomicFile>,
    pub(super) rejects: Rejects,
    pub(super) rejects_file: Option<AtomicFile>,
    /// Where rejects go, for an error message: the path, or `stderr`.
    pub(super) rejects_name: std::path::PathBuf,
}

pub(super) fn wr(path: &std::path::Path) -> impl Fn(io::Error) -> RunError + '_ {
    move |source| write_error(path.display().to_string(), source)
}

/// A write failed: a closed pipe stops the run quietly, anything else is fatal.
pub(super) fn write_error(path: String, source: io::Error) -> RunError {
    if source.kind() == io::ErrorKind::BrokenPipe { RunError::ClosedPipe } else { RunError::Write { path, source } }
}

impl Sink {
    pub(super) fn open(cfg: &RunConfig) -> Result<Sink, RunError> {
        let (results, results_file) = match &cfg.out {
            None => {
                let out: Box<dyn Write + Send> = Box::new(io::BufWriter::with_capacity(1 << 20, io::stdout()));
                (
                    Results::Csv(
                        CsvResults::new(out).map_err(wr(std::path::Path::new("-")))?.spreadsheet_safe(cfg.csv_safe),
                    ),
                    None,
                )
            }
            Some(p) => {
                let mut f = AtomicFile::create(p).map_err(wr(p))?;
                let w = f.writer().map_err(wr(p))?;
                let rw = match Format::from_path(p) {
                    Some(Format::Csv) => Results::Csv(
                        CsvResults::new(Box::new(w) as Box<dyn Write + Send>)
                            .map_err(wr(p))?
                            .spreadsheet_safe(cfg.csv_safe),
                    ),
                    Some(Format::Jsonl) => Results::Rows(Box::new(JsonlResults::new(w))),
                    Some(Format::Parquet) => Results::Rows(Box::new(
                        crate::output::parquet::ParquetResults::new(w, cfg.threads > 1).map_err(wr(p))?,
                    )),
                    Some(Format::Xlsx) => {
                        let dir = p.parent().filter(|d| !d.as_os_str().is_empty());
                        Results::Xlsx(Box::new(XlsxResults::new(w, cfg.as_of, dir).map_err(wr(p))?))
                    }
                    None => {
                        return Err(RunError::Usage(format!(
                            "{}: unknown results format (use .csv, .jsonl, .parquet or .xlsx)",
                            p.display()
                        )));
                    }
                };
                (rw, Some(f))
            }
        };
        let rejects_path = cfg.rejects.clone().or_else(|| cfg.out.as_deref().map(default_rejects_path));
        let rejects_name = rejects_path.clone().unwrap_or_else(|| "stderr".into());
        let (rejects, rejects_file): (RejectsWriter<Box<dyn Write + Send>>, _) = match rejects_path {
            None => (
                RejectsWriter::lazy(Box::new(io::stderr()) as Box<dyn Write + Send>).spreadsheet_safe(cfg.csv_safe),
                None,
            ),
            Some(p) => {
                let mut f = AtomicFile::create(&p).map_err(wr(&p))?;
                let w: Box<dyn Write + Send> = Box::new(f.writer().map_err(wr(&p))?);
                (RejectsWriter::new(w).map_err(wr(&p))?.spreadsheet_safe(cfg.csv_safe), Some(f))
            }
        };
        Ok(Sink { results, results_file, rejects: Rejects::Csv(rejects), rejects_file, rejects_name })
    }
}

pub(super) fn out_err(cfg: &RunConfig, e: io::Error) -> RunError {
    write_error(cfg.out.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "stdout".into()), e)
}
