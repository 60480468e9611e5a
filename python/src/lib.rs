//! `deficiency._native`: the `deficiency` library for Python (README "From
//! Python and Spark"). Tables come in and go out through the Arrow C stream
//! interface (the Arrow PyCapsule protocol, `__arrow_c_stream__` /
//! `__arrow_c_array__`): pyarrow, polars and pandas-through-pyarrow data
//! reach the engine as Arrow buffers, never as Python objects per cell.
//! The engine runs with the GIL released, on rayon threads. The Python
//! layer (`deficiency/__init__.py`) is the public API; this module is its
//! engine room.

use deficiency::engine::Env;
use deficiency::holidays::HolidayCalendar;
use deficiency::input::frame::FrameSource;
use deficiency::input::{Assumption, InputError, RowContext};
use deficiency::pipeline::RunError;
use deficiency::pipeline::memory::Session;
use deficiency::report::Report;
use deficiency::settings::Settings;
use polars::prelude::*;
use polars_arrow::array::{Array, StructArray};
use polars_arrow::datatypes::{ArrowDataType, Field as ArrowField};
use polars_arrow::ffi;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::ffi::CString;
use std::sync::Mutex;

/// The engine's allocations (not Python's) go to mimalloc, as in the
/// command line (`deficiency::allocator`).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

fn runtime_error(e: impl std::fmt::Display) -> PyErr {
    PyRuntimeError::new_err(e.to_string())
}

/// A run's error: a problem with the input (a missing column, a column of
/// the wrong type) is the caller's `ValueError`; anything else is a
/// `RuntimeError`.
fn run_error(e: RunError) -> PyErr {
    match e {
        RunError::Input(e) => value_error(e),
        RunError::Usage(m) => value_error(m),
        e => runtime_error(e),
    }
}

fn parse_date(s: &str, what: &str) -> PyResult<chrono::NaiveDate> {
    deficiency::input::values::parse_date(s.trim())
        .map_err(|_| value_error(format!("{what} {s:?} is not a date (expected YYYY-MM-DD)")))
}

fn settings_of(toml: Option<&str>) -> PyResult<Settings> {
    match toml {
        None => Ok(Settings::default()),
        Some(t) => Settings::from_toml(t).map_err(|e| value_error(format!("settings: {e}"))),
    }
}

fn assumptions_of(assume: &[String]) -> PyResult<Vec<Assumption>> {
    assume.iter().map(|s| Assumption::parse(s).map_err(value_error)).collect()
}

// ---------------------------------------------------------------- Arrow in

/// The capsule `obj.<method>()` returns, checked to carry `name`.
fn capsule<'py>(c: &Bound<'py, PyAny>, name: &str) -> PyResult<Bound<'py, PyCapsule>> {
    let c = c.downcast::<PyCapsule>().map_err(|_| PyTypeError::new_err(format!("expected a {name} capsule")))?;
    match c.name()? {
        Some(n) if n.to_bytes() == name.as_bytes() => Ok(c.clone()),
        _ => Err(PyTypeError::new_err(format!("expected a {name} capsule"))),
    }
}

/// A struct array (a record batch) as a DataFrame.
fn batch_frame(array: Box<dyn Array>) -> PyResult<DataFrame> {
    let Some(s) = array.as_any().downcast_ref::<StructArray>() else {
        return Err(PyTypeError::new_err("expected a table: an Arrow stream of record batches (struct arrays)"));
    };
    let s = if s.validity().is_some_and(|v| v.unset_bits() == 0) { s.clone().with_validity(None) } else { s.clone() };
    DataFrame::try_from(s).map_err(value_error)
}

/// An empty frame with the columns of a stream's schema.
fn empty_frame(field: &ArrowField) -> PyResult<DataFrame> {
    let ArrowDataType::Struct(fields) = field.dtype() else {
        return Err(PyTypeError::new_err("expected a table: an Arrow stream of record batches (struct arrays)"));
    };
    let cols = fields
        .iter()
        .map(|f| Series::new_empty(f.name.clone(), &DataType::from_arrow_field(f)).into())
        .collect::<Vec<Column>>();
    DataFrame::new(0, cols).map_err(value_error)
}

/// Reads a table from an object with `__arrow_c_stream__` (a pyarrow Table
/// or RecordBatchReader, a polars DataFrame, ...) or `__arrow_c_array__`
/// (a pyarrow RecordBatch). The buffers are shared, not copied.
fn import_frame(obj: &Bound<'_, PyAny>) -> PyResult<DataFrame> {
    if obj.hasattr("__arrow_c_stream__")? {
        let c = capsule(&obj.call_method0("__arrow_c_stream__")?, "arrow_array_stream")?;
        // Moves the stream out; the capsule keeps a released (empty) one.
        let stream =
            unsafe { std::ptr::replace(c.pointer() as *mut ffi::ArrowArrayStream, ffi::ArrowArrayStream::empty()) };
        let mut reader = unsafe { ffi::ArrowArrayStreamReader::try_new(Box::new(stream)) }.map_err(value_error)?;
        let field = reader.field().clone();
        let mut df: Option<DataFrame> = None;
        while let Some(array) = unsafe { reader.next() } {
            let part = batch_frame(array.map_err(value_error)?)?;
            match &mut df {
                None => df = Some(part),
                Some(df) => {
                    df.vstack_mut_owned(part).map_err(value_error)?;
                }
            }
        }
        return match df {
            Some(df) => Ok(df),
            None => empty_frame(&field),
        };
    }
    if obj.hasattr("__arrow_c_array__")? {
        let pair = obj.call_method0("__arrow_c_array__")?;
        let (schema, array): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair.extract()?;
        let schema = capsule(&schema, "arrow_schema")?;
        let array = capsule(&array, "arrow_array")?;
        let field = unsafe { ffi::import_field_from_c(&*(schema.pointer() as *const ffi::ArrowSchema)) }
            .map_err(value_error)?;
        let raw = unsafe { std::ptr::replace(array.pointer() as *mut ffi::ArrowArray, ffi::ArrowArray::empty()) };
        let array = unsafe { ffi::import_array_from_c(raw, field.dtype().clone()) }.map_err(value_error)?;
        return batch_frame(array);
    }
    Err(PyTypeError::new_err(format!(
        "expected Arrow data (an object with __arrow_c_stream__ or __arrow_c_array__), got {}",
        obj.get_type().name()?
    )))
}

// --------------------------------------------------------------- Arrow out

/// A table handed to Python: one Arrow C stream, read once through
/// `__arrow_c_stream__` (`pyarrow.table(stream)`).
#[pyclass(module = "deficiency._native", name = "ArrowStream")]
struct ArrowStream {
    stream: Mutex<Option<ffi::ArrowArrayStream>>,
}

#[pymethods]
impl ArrowStream {
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema; // the schema is fixed; pyarrow casts if it asked for another
        let stream = self
            .stream
            .lock()
            .map_err(runtime_error)?
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("this Arrow stream was already read"))?;
        let name = CString::new("arrow_array_stream").map_err(runtime_error)?;
        PyCapsule::new(py, stream, Some(name))
    }
}

/// A frame as an Arrow stream of its chunks. Strings are `string_view`,
/// as pyarrow reads them from a Parquet results file (polars records its
/// Arrow schema there).
fn export_frame(mut df: DataFrame) -> ArrowStream {
    // One batch per chunk; the engine's frames have the same chunks in
    // every column, so nothing is copied unless a caller's frame differs.
    if df.should_rechunk() {
        df.rechunk_mut();
    }
    let level = CompatLevel::newest();
    let fields: Vec<ArrowField> = df.columns().iter().map(|c| c.field().to_arrow(level)).collect();
    let dtype = ArrowDataType::Struct(fields);
    let batches: Vec<PolarsResult<Box<dyn Array>>> = df
        .iter_chunks(level, false)
        .map(|b| {
            let height = b.height();
            Ok(StructArray::new(dtype.clone(), height, b.into_arrays(), None).boxed())
        })
        .collect();
    let field = ArrowField::new("".into(), dtype, false);
    let stream = ffi::export_iterator(Box::new(batches.into_iter()), field);
    ArrowStream { stream: Mutex::new(Some(stream)) }
}

// ---------------------------------------------------------------- Sessions

/// One run (`deficiency assess` over tables given one at a time).
#[pyclass(module = "deficiency._native", name = "Session")]
struct PySession {
    inner: Mutex<Session>,
    as_of: chrono::NaiveDate,
}

#[pymethods]
impl PySession {
    #[new]
    #[pyo3(signature = (as_of, settings_toml = None, assume = Vec::new(), threads = 0, watch_days = Vec::new()))]
    fn new(
        as_of: &str,
        settings_toml: Option<&str>,
        assume: Vec<String>,
        threads: usize,
        watch_days: Vec<u32>,
    ) -> PyResult<Self> {
        let as_of = parse_date(as_of, "as_of")?;
        let settings = settings_of(settings_toml)?;
        let assumptions = assumptions_of(&assume)?;
        let s = Session::new(as_of, settings, assumptions, threads, watch_days).map_err(run_error)?;
        Ok(PySession { inner: Mutex::new(s), as_of })
    }

    /// Assesses every row of `data` (named `name` in rejects and the
    /// report; its first row is data row `first_row`). Returns (results,
    /// rejects, rows read) with results and rejects as Arrow streams.
    #[pyo3(signature = (data, name, first_row = 1))]
    fn assess(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        name: &str,
        first_row: u64,
    ) -> PyResult<(ArrowStream, ArrowStream, u64)> {
        let df = import_frame(data)?;
        let rows = df.height() as u64;
        let mut src = FrameSource::new(name, &df, first_row).map_err(value_error)?;
        let (results, rejects) = py.allow_threads(|| -> PyResult<(DataFrame, DataFrame)> {
            let mut s = self.inner.lock().map_err(runtime_error)?;
            let out = s.assess(&mut src).map_err(run_error)?;
            let rejects = out.rejects_frame().map_err(run_error)?;
            Ok((out.results, rejects))
        })?;
        Ok((export_frame(results), export_frame(rejects), rows))
    }

    /// Assesses the files of a public data set (`layout` "fannie-mae" or
    /// "freddie-mac", as `deficiency assess --layout`), read by the same
    /// readers as the command line. Returns (results, rejects).
    fn assess_files(&self, py: Python<'_>, paths: Vec<String>, layout: &str) -> PyResult<(ArrowStream, ArrowStream)> {
        let layout = match layout {
            "fannie-mae" => deficiency::input::Layout::FannieMae,
            "freddie-mac" => deficiency::input::Layout::FreddieMac,
            "native" => deficiency::input::Layout::Native,
            other => return Err(value_error(format!("layout {other:?}: use native, fannie-mae or freddie-mac"))),
        };
        let (results, rejects) = py.allow_threads(|| -> PyResult<(DataFrame, DataFrame)> {
            let mut sources = deficiency::input::open(&paths, layout).map_err(value_error)?;
            let mut s = self.inner.lock().map_err(runtime_error)?;
            let mut results: Option<DataFrame> = None;
            let mut rejects = Vec::new();
            for src in &mut sources {
                let out = s.assess(src.as_mut()).map_err(run_error)?;
                rejects.extend(out.rejects);
                results = Some(match results {
                    None => out.results,
                    Some(mut r) => {
                        r.vstack_mut(&out.results).map_err(runtime_error)?;
                        r
                    }
                });
            }
            let all = deficiency::pipeline::memory::Assessed {
                results: results.ok_or_else(|| value_error("no input files"))?,
                rejects,
            };
            let rejects = all.rejects_frame().map_err(run_error)?;
            Ok((all.results, rejects))
        })?;
        Ok((export_frame(results), export_frame(rejects)))
    }

    /// The JSON report of every row assessed so far (`assess --report x.json`).
    fn report_json(&self, py: Python<'_>) -> PyResult<String> {
        py.allow_threads(|| {
            let s = self.inner.lock().map_err(runtime_error)?;
            Ok(deficiency::report::json::render(&s.report()))
        })
    }

    /// The report so far as a partial report (for a merge on a driver).
    fn partial_report(&self, py: Python<'_>) -> PyResult<String> {
        py.allow_threads(|| {
            let s = self.inner.lock().map_err(runtime_error)?;
            Ok(deficiency::report::partial::encode(&s.report()))
        })
    }

    /// The warnings so far, as the command line prints them.
    fn warnings(&self) -> PyResult<Vec<String>> {
        Ok(self.inner.lock().map_err(runtime_error)?.warnings())
    }

    #[getter]
    fn as_of(&self) -> String {
        self.as_of.to_string()
    }
}

// ----------------------------------------------------------------- Reports

fn report_base(as_of: Option<&str>, watch_days: &[u32]) -> PyResult<Report> {
    let mut r = Report::default();
    if let Some(d) = as_of {
        let d = parse_date(d, "as_of")?;
        let days = if watch_days.is_empty() { &deficiency::report::watch::DEFAULT_DAYS[..] } else { watch_days };
        r.as_of = Some(d);
        r.watch = deficiency::report::watch::Watch::new(d, days);
    }
    Ok(r)
}

/// The JSON report of results tables, merged as `deficiency report` merges
/// results files (each table counted under its name).
#[pyfunction]
#[pyo3(signature = (tables, names, as_of = None, watch_days = Vec::new()))]
fn report_json(
    py: Python<'_>,
    tables: Vec<Bound<'_, PyAny>>,
    names: Vec<String>,
    as_of: Option<&str>,
    watch_days: Vec<u32>,
) -> PyResult<String> {
    if tables.len() != names.len() {
        return Err(value_error("give one name per results table"));
    }
    let frames = tables.iter().map(import_frame).collect::<PyResult<Vec<_>>>()?;
    let mut report = report_base(as_of, &watch_days)?;
    py.allow_threads(|| {
        for (df, name) in frames.iter().zip(&names) {
            deficiency::report::read::add_frame(name, df, &mut report).map_err(value_error)?;
        }
        Ok(deficiency::report::json::render(&report))
    })
}

/// The partial report of one results table (one Spark partition's rows).
#[pyfunction]
#[pyo3(signature = (table, name, as_of = None, watch_days = Vec::new()))]
fn partial_report(
    py: Python<'_>,
    table: &Bound<'_, PyAny>,
    name: &str,
    as_of: Option<&str>,
    watch_days: Vec<u32>,
) -> PyResult<String> {
    let df = import_frame(table)?;
    let mut report = report_base(as_of, &watch_days)?;
    py.allow_threads(|| {
        deficiency::report::read::add_frame(name, &df, &mut report).map_err(value_error)?;
        Ok(deficiency::report::partial::encode(&report))
    })
}

/// Merges partial reports (in order) into the JSON report.
#[pyfunction]
#[pyo3(signature = (partials, as_of = None, watch_days = Vec::new()))]
fn merge_partials(partials: Vec<String>, as_of: Option<&str>, watch_days: Vec<u32>) -> PyResult<String> {
    let parts = partials
        .iter()
        .map(|p| deficiency::report::partial::decode(p).map_err(value_error))
        .collect::<PyResult<Vec<_>>>()?;
    let base = report_base(as_of, &watch_days)?;
    let merged = deficiency::report::partial::merge(&parts, base.as_of, &base.watch.days);
    Ok(deficiency::report::json::render(&merged))
}

// ------------------------------------------------------- Rules and explain

/// `deficiency rules --json` with these settings.
#[pyfunction]
#[pyo3(signature = (settings_toml = None))]
fn rules_json(settings_toml: Option<&str>) -> PyResult<String> {
    let settings = settings_of(settings_toml)?;
    serde_json::to_string_pretty(&deficiency::catalog::rules_json(&settings)).map_err(runtime_error)
}

/// `deficiency explain`: (text, JSON) for the first row of `data` with
/// this loan id.
#[pyfunction]
#[pyo3(signature = (data, loan_id, as_of, name, settings_toml = None, assume = Vec::new()))]
fn explain(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    loan_id: &str,
    as_of: &str,
    name: &str,
    settings_toml: Option<&str>,
    assume: Vec<String>,
) -> PyResult<(String, String)> {
    let as_of = parse_date(as_of, "as_of")?;
    let settings = settings_of(settings_toml)?;
    let assumptions = assumptions_of(&assume)?;
    let df = import_frame(data)?;
    let mut src = FrameSource::new(name, &df, 1).map_err(|e: InputError| value_error(e))?;
    let found = py.allow_threads(|| {
        let env = Env { settings: &settings, calendar: HolidayCalendar::embedded(), as_of };
        let row_cx = RowContext { as_of, assumptions: &assumptions };
        deficiency::explain::find_and_explain(&mut src, loan_id, env, row_cx)
    });
    match found {
        Ok(Some(e)) => Ok((e.text, e.json)),
        Ok(None) => Err(pyo3::exceptions::PyKeyError::new_err(format!("{name}: no loan with loan_id {loan_id:?}"))),
        Err(deficiency::explain::ExplainError::Input(e)) => Err(value_error(e)),
        Err(deficiency::explain::ExplainError::Rejected(r)) => Err(value_error(r)),
        Err(e) => Err(runtime_error(e)),
    }
}

/// An empty results table: its schema is the Parquet results' schema.
#[pyfunction]
fn empty_results() -> PyResult<ArrowStream> {
    let df = deficiency::output::frame::ResultFrame::default().take().map_err(runtime_error)?;
    Ok(export_frame(df))
}

/// An empty rejects table.
#[pyfunction]
fn empty_rejects() -> PyResult<ArrowStream> {
    Ok(export_frame(deficiency::output::frame::rejects_frame(&[]).map_err(runtime_error)?))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    deficiency::allocator::tune();
    m.add_class::<PySession>()?;
    m.add_class::<ArrowStream>()?;
    m.add_function(wrap_pyfunction!(report_json, m)?)?;
    m.add_function(wrap_pyfunction!(partial_report, m)?)?;
    m.add_function(wrap_pyfunction!(merge_partials, m)?)?;
    m.add_function(wrap_pyfunction!(rules_json, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(empty_results, m)?)?;
    m.add_function(wrap_pyfunction!(empty_rejects, m)?)?;
    m.add("DUPLICATE_ERROR", deficiency::pipeline::DUPLICATE_LOAN_ID)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
