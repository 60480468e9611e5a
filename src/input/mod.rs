//! Reading input: the native layout's header and cells, typed into loans.
//!
//! A reader turns a file into batches of raw records; [`Header::parse_row`]
//! turns one record into a [`Loan`] or a [`Reject`] naming the file, row,
//! line, column and value. File-level problems are [`InputError`]s (fatal).
//! The native CSV reader is [`native_csv`]; a columnar (Parquet) reader can
//! produce the same cells through [`Cells`].
//!
//! A [`Reject`] is large (it names file, column, value and error), but it is
//! built only for a bad row and moved once, so results carry it unboxed.
#![allow(clippy::result_large_err)]

pub mod agency;
pub mod columns;
pub mod frame;
pub mod mapping;
pub mod native_csv;
pub mod parquet;
pub mod parquet_footer;
pub mod suggest;
pub mod values;

pub use native_csv::{Fields, Line, LineChunk, RawRecord, SplitRecord};

use crate::loan::{EventType, Field, Loan};
use crate::money::Money;
use chrono::NaiveDate;
use values::{Cell, ValueError};

/// Which layout the input files follow (`--layout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Native,
    FannieMae,
    FreddieMac,
}

/// A stream of records in some file's columns, typed by its [`Header`].
/// The native CSV reader is one; a Parquet reader or a reader that maps a
/// public data set onto the native columns is another.
pub trait RecordSource: Send {
    /// The columns of the records this source yields.
    fn header(&self) -> &Header;
    /// Fills `batch` (reusing its buffers) with up to `max` records; returns
    /// how many were read (0 at the end).
    fn next_batch(&mut self, batch: &mut Batch, max: usize) -> Result<usize, InputError>;
    /// Records read but not passed on for assessment, counted by category
    /// (e.g. loans a public data set shows as prepaid), for the report.
    fn not_assessed(&self) -> Vec<(String, u64)> {
        Vec::new()
    }
    /// Warnings about what was read (e.g. a data set's proxy for a value it
    /// lacks), known once the source is exhausted.
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
    /// Lets the source decode on the run's worker threads (a Parquet chunk's
    /// columns, a share to each worker) when the run has more than one; the
    /// records are the same either way. Sources that only scan bytes ignore
    /// it.
    fn decode_on(&mut self, _workers: Option<std::sync::Arc<rayon::ThreadPool>>) {}
}

/// A batch of records from one source. Its buffers are reused from batch
/// to batch. A source fills either raw records (built field by field) or a
/// chunk of whole CSV lines that the workers split.
#[derive(Debug, Default)]
pub struct Batch {
    records: Vec<RawRecord>,
    lines: LineChunk,
    columns: columns::Columns,
    kind: BatchKind,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum BatchKind {
    #[default]
    Records,
    Lines,
    Columns,
}

impl Batch {
    /// The records to fill, field by field.
    pub fn records_mut(&mut self) -> &mut Vec<RawRecord> {
        self.kind = BatchKind::Records;
        &mut self.records
    }

    /// The chunk of CSV lines to fill.
    pub fn lines_mut(&mut self) -> &mut LineChunk {
        self.kind = BatchKind::Lines;
        &mut self.lines
    }

    /// The typed columns to fill.
    pub fn columns_mut(&mut self) -> &mut columns::Columns {
        self.kind = BatchKind::Columns;
        &mut self.columns
    }

    /// Record `i`, split into fields with a worker's buffers.
    #[inline]
    pub fn get<'a>(&'a self, i: usize, fields: &'a mut Fields) -> Record<'a> {
        match self.kind {
            BatchKind::Lines => {
                let (row, line) = self.lines.position(i);
                Record::Split(fields.split(&self.lines, i), row, line)
            }
            BatchKind::Records => Record::Raw(&self.records[i]),
            BatchKind::Columns => Record::Column(self.columns.record(i), self.columns.row(i)),
        }
    }
}

/// Receives the records of a batch, each as its concrete kind of cells (so
/// typing is compiled for each kind rather than dispatched cell by cell).
pub trait Visit {
    fn record<C: Cells + ?Sized>(&mut self, rec: &C, row: u64, line: Option<u64>);
    /// A CSV record not yet split (see [`Header::parse_line`]).
    fn line(&mut self, rec: Line<'_>);
    /// Rows `rows` of a columnar chunk (see [`Header::parse_columns`]).
    fn columns(&mut self, cols: &columns::Columns, rows: std::ops::Range<usize>);
}

impl Batch {
    /// Hands records `rows` to `v` in order, splitting CSV lines with
    /// `fields`.
    pub fn visit(&self, rows: std::ops::Range<usize>, fields: &mut Fields, v: &mut impl Visit) {
        match self.kind {
            BatchKind::Lines => {
                for i in rows {
                    v.line(Line::new(&self.lines, i, fields));
                }
            }
            BatchKind::Records => {
                for r in &self.records[rows] {
                    v.record(r, r.row, r.line);
                }
            }
            BatchKind::Columns => v.columns(&self.columns, rows),
        }
    }
}

/// One record of a [`Batch`], ready to type.
#[derive(Debug, Clone, Copy)]
pub enum Record<'a> {
    Raw(&'a RawRecord),
    /// A CSV line split into fields, with its data row and line.
    Split(SplitRecord<'a>, u64, u64),
    /// A row of a columnar chunk, with its data row.
    Column(columns::ColumnRecord<'a>, u64),
}

impl Record<'_> {
    /// 1-based data row.
    pub fn row(&self) -> u64 {
        match self {
            Record::Raw(r) => r.row,
            Record::Split(_, row, _) | Record::Column(_, row) => *row,
        }
    }
    /// Physical line where the record starts, if the format has lines.
    pub fn line(&self) -> Option<u64> {
        match self {
            Record::Raw(r) => r.line,
            Record::Split(_, _, line) => Some(*line),
            Record::Column(..) => None,
        }
    }
}

impl Cells for Record<'_> {
    #[inline]
    fn cell(&self, i: usize) -> Result<Cell<'_>, ValueError> {
        match self {
            Record::Raw(r) => r.cell(i),
            Record::Split(s, _, _) => s.cell(i),
            Record::Column(c, _) => c.cell(i),
        }
    }
    fn len(&self) -> usize {
        match self {
            Record::Raw(r) => r.len(),
            Record::Split(s, _, _) => s.len(),
            Record::Column(c, _) => c.len(),
        }
    }
    fn raw(&self, i: usize) -> String {
        match self {
            Record::Raw(r) => r.raw(i),
            Record::Split(s, _, _) => s.raw(i),
            Record::Column(c, _) => c.raw(i),
        }
    }
    fn bad_value(&self) -> Option<&BadValue> {
        match self {
            Record::Raw(r) => r.bad.as_ref(),
            _ => None,
        }
    }
}

/// Opens input files of one layout as record sources.
pub fn open(paths: &[String], layout: Layout) -> Result<Vec<Box<dyn RecordSource>>, InputError> {
    match layout {
        Layout::Native => paths.iter().map(|p| open_native(p)).collect(),
        Layout::FannieMae | Layout::FreddieMac => agency::open(paths, layout),
    }
}

/// [`open`] with `--map`: native-layout CSV exports read through a mapping
/// (README "Your own exports: --map"); other layouts and formats refuse it.
pub fn open_mapped(
    paths: &[String],
    layout: Layout,
    map: Option<&mapping::Compiled>,
) -> Result<Vec<Box<dyn RecordSource>>, InputError> {
    let Some(map) = map else { return open(paths, layout) };
    use crate::formats::FileFormat;
    paths
        .iter()
        .map(|p| -> Result<Box<dyn RecordSource>, InputError> {
            let csv = matches!(FileFormat::of(p), Some(FileFormat::Csv | FileFormat::CsvGz | FileFormat::Text));
            if layout != Layout::Native || !(csv || p == "-") {
                return Err(InputError::Other {
                    path: p.clone(),
                    message: "--map reads CSV exports in the native layout (.csv, .csv.gz, .txt or -)".into(),
                });
            }
            Ok(Box::new(native_csv::CsvSource::open_mapped(p, Some(map))?))
        })
        .collect()
}

/// Opens one native-layout file, choosing the reader from its name.
pub fn open_native(path: &str) -> Result<Box<dyn RecordSource>, InputError> {
    use crate::formats::FileFormat;
    match FileFormat::of(path) {
        Some(FileFormat::Parquet) => Ok(Box::new(parquet::ParquetSource::open(path)?)),
        Some(FileFormat::Csv | FileFormat::CsvGz | FileFormat::Text) => {
            Ok(Box::new(native_csv::CsvSource::open(path)?))
        }
        _ if path == "-" => Ok(Box::new(native_csv::CsvSource::open(path)?)),
        _ => Err(InputError::Format { path: path.into() }),
    }
}

/// A row that could not be assessed (README "What happens when…").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub file: String,
    /// 1-based data row (header not counted).
    pub row: u64,
    /// Physical line where the record starts (CSV only).
    pub line: Option<u64>,
    pub loan_id: Option<String>,
    pub column: String,
    pub value: String,
    /// A sentence a person can act on.
    pub error: String,
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: row {}", self.file, self.row)?;
        if let Some(l) = self.line {
            write!(f, " (line {l})")?;
        }
        if !self.column.is_empty() {
            write!(f, ": column \"{}\": \"{}\"", self.column, self.value)?;
        } else {
            write!(f, ":")?;
        }
        write!(f, " {}", self.error)
    }
}

/// A value a reader could not translate into the native layout (a public
/// data set's code, date or amount), reported as the row's reject rather
/// than written into a cell for the validator to trip on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadValue {
    pub column: Field,
    /// The value as the file has it.
    pub value: String,
    /// A sentence a person can act on.
    pub error: String,
}

/// A problem with a whole input file: the run stops (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: cannot read: {source}")]
    Open { path: String, source: std::io::Error },
    #[error("{path}: the file is empty (expected a header row naming the columns)")]
    Empty { path: String },
    #[error("{path}: missing required column(s): {columns} (the header has: {found})")]
    MissingColumns { path: String, columns: String, found: String },
    #[error("{path}: column \"{column}\" appears more than once in the header")]
    DuplicateColumn { path: String, column: String },
    #[error("{path}: not a CSV file: {message}")]
    NotCsv { path: String, message: String },
    #[error("{path}: unsupported input format (use .csv, .csv.gz, .parquet or - for CSV on stdin)")]
    Format { path: String },
    #[error("{path}: {message}")]
    Other { path: String, message: String },
    /// A problem at one line of a file (a record the layout cannot read).
    #[error("{path}: line {line}: {message}")]
    Line { path: String, line: u64, message: String },
}

/// An assumed fact for blank cells (`--assume COLUMN=VALUE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assumption {
    pub field: Field,
    pub value: String,
}

impl Assumption {
    /// Parses `column=value`, checking the value is valid for the column.
    pub fn parse(s: &str) -> Result<Assumption, String> {
        let (col, value) = s.split_once('=').ok_or_else(|| format!("--assume {s:?}: expected COLUMN=VALUE"))?;
        let col = col.trim().to_ascii_lowercase();
        let col = if col == "foreclosure" { "foreclosure_method".to_string() } else { col };
        let field = Field::from_name(&col).ok_or_else(|| format!("--assume {s:?}: unknown column {col:?}"))?;
        if Field::REQUIRED.contains(&field) {
            return Err(format!("--assume {s:?}: {col} is a required column and cannot be assumed"));
        }
        let value = value.trim().to_string();
        let mut probe = Loan::new(
            "probe",
            EventType::ForeclosureSale,
            NaiveDate::MIN,
            Default::default(),
            Some(Default::default()),
        );
        values::set_optional(&mut probe, field, Cell::Text(&value))
            .map_err(|e| format!("--assume {s:?}: \"{value}\" {e}"))?;
        Ok(Assumption { field, value })
    }
}

/// Where each known column sits in a file's records.
#[derive(Debug, Clone)]
pub struct Header {
    pub path: String,
    index: Vec<Option<usize>>,
    /// The optional columns the file has, in layout order, with positions.
    optional: Vec<(Field, usize)>,
    /// Header cells that name no known column.
    pub unknown: Vec<String>,
    pub width: usize,
    /// `--map`: how the export's cells are read, and its column names.
    mapped: Option<std::sync::Arc<mapping::Applied>>,
    /// What each position of a record holds, for typing in one pass.
    plan: Vec<Slot>,
}

/// What one position of a record holds.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// A column the layout does not know.
    Other,
    /// `Field::REQUIRED[k]`.
    Required(u8),
    Optional(Field),
}

/// A record's cells, however the file stores them.
pub trait Cells {
    /// The cell at `i`, trimmed; `Cell::Blank` when empty or null.
    fn cell(&self, i: usize) -> Result<Cell<'_>, ValueError>;
    /// Number of fields in the record.
    fn len(&self) -> usize;
    /// The record has no fields.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The raw cell for error messages.
    fn raw(&self, i: usize) -> String;
    /// A value the reader already found untranslatable.
    fn bad_value(&self) -> Option<&BadValue> {
        None
    }
}

/// Run-wide facts a row is checked against.
#[derive(Debug, Clone, Copy)]
pub struct RowContext<'a> {
    pub as_of: NaiveDate,
    pub assumptions: &'a [Assumption],
}

/// The result of typing one row.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub loan: Loan,
    /// A `sale_price` was given on a `senior_sale` and ignored.
    pub ignored_sale_price: bool,
    /// A senior sale's `last_payment_date` is the sale's own date, with
    /// surplus received: surplus is not a CCP 360 payment (a warning).
    pub last_payment_is_sale: bool,
}

/// The checks between a row's dates (README "What happens when…", docs/law.md "Deadlines"): the column at
/// fault and a sentence a person can act on.
fn cross_checks(loan: &Loan, as_of: NaiveDate) -> Result<(), (Field, String)> {
    let fail = |f: Field, why: String| Err((f, why));
    if let Some(filed) = loan.deficiency_filed_date {
        if filed < loan.event_date {
            return fail(
                Field::DeficiencyFiledDate,
                format!("is before the event_date {}; a deficiency cannot be filed before the sale", loan.event_date),
            );
        }
        if filed > as_of {
            return fail(
                Field::DeficiencyFiledDate,
                format!("is after the --as-of date {as_of}; a filing cannot be in the future"),
            );
        }
    }
    match (loan.military_service_start, loan.military_service_end) {
        (None, Some(_)) => {
            return fail(
                Field::MilitaryServiceEnd,
                "is given without military_service_start; give the start of the service too".into(),
            );
        }
        (Some(start), Some(end)) if end < start => {
            return fail(Field::MilitaryServiceEnd, format!("is before military_service_start {start}"));
        }
        _ => {}
    }
    for (f, d) in [
        (Field::LastPaymentDate, loan.last_payment_date),
        (Field::BorrowerDeathDate, loan.borrower_death_date),
        (Field::CreditorClaimFiledDate, loan.creditor_claim_filed_date),
        (Field::CreditorClaimRejectedDate, loan.creditor_claim_rejected_date),
        (Field::LettersIssuedDate, loan.letters_issued_date),
        (Field::ActionCommencedDate, loan.action_commenced_date),
        (Field::WrittenAcknowledgmentDate, loan.written_acknowledgment_date),
        (Field::BankruptcyStayEndDate, loan.bankruptcy_stay_end_date),
        (Field::ModificationDate, loan.modification_date),
        (Field::BankruptcyPetitionDate, loan.bankruptcy_petition_date),
    ] {
        if let Some(d) = d
            && d > as_of
        {
            return fail(f, format!("is after the --as-of date {as_of}; it cannot be in the future"));
        }
    }
    if loan.borrower_death_date.is_none() {
        for (f, d) in [
            (Field::CreditorClaimFiledDate, loan.creditor_claim_filed_date),
            (Field::LettersIssuedDate, loan.letters_issued_date),
            (Field::ActionCommencedDate, loan.action_commenced_date),
        ] {
            if d.is_some() {
                return fail(f, format!("{} requires borrower_death_date", f.name()));
            }
        }
    }
    if let (Some(claim), Some(death)) = (loan.creditor_claim_filed_date, loan.borrower_death_date)
        && claim < death
    {
        return fail(
            Field::CreditorClaimFiledDate,
            format!("is before borrower_death_date {death}; a claim is filed in the estate after death"),
        );
    }
    if let (Some(end), Some(petition)) = (loan.bankruptcy_stay_end_date, loan.bankruptcy_petition_date)
        && end < petition
    {
        return fail(
            Field::BankruptcyStayEndDate,
            format!("is before bankruptcy_petition_date {petition}; the stay begins with the petition"),
        );
    }
    if let Some(rejected) = loan.creditor_claim_rejected_date {
        match loan.creditor_claim_filed_date {
            None => {
                return fail(
                    Field::CreditorClaimRejectedDate,
                    "is given without creditor_claim_filed_date; a claim is rejected after it is filed".into(),
                );
            }
            Some(filed) if rejected < filed => {
                return fail(Field::CreditorClaimRejectedDate, format!("is before creditor_claim_filed_date {filed}"));
            }
            _ => {}
        }
    }
    if let Some(final_date) = loan.sale_final_date
        && final_date < loan.event_date
    {
        return fail(
            Field::SaleFinalDate,
            format!("is before the event_date {}; a sale becomes final after its auction", loan.event_date),
        );
    }
    Ok(())
}

impl Header {
    /// Builds the column map from header names (trimmed, case-insensitive).
    pub fn new(path: &str, names: &[String]) -> Result<Header, InputError> {
        let mut index = vec![None; Field::ALL.len()];
        let mut unknown = Vec::new();
        for (i, raw) in names.iter().enumerate() {
            let name = raw.trim().to_ascii_lowercase();
            match Field::from_name(&name) {
                Some(f) => {
                    let slot = &mut index[f as usize];
                    if slot.is_some() {
                        return Err(InputError::DuplicateColumn { path: path.into(), column: name });
                    }
                    *slot = Some(i);
                }
                None => unknown.push(raw.trim().to_string()),
            }
        }
        let missing: Vec<&str> =
            Field::REQUIRED.iter().filter(|f| index[**f as usize].is_none()).map(|f| f.name()).collect();
        if !missing.is_empty() {
            let found: Vec<String> = names.iter().take(12).map(|n| format!("{:?}", n.trim())).collect();
            let more = if names.len() > 12 { ", ..." } else { "" };
            return Err(InputError::MissingColumns {
                path: path.into(),
                columns: missing.join(", "),
                found: if names.is_empty() { "nothing".into() } else { format!("{}{more}", found.join(", ")) },
            });
        }
        let optional =
            Field::ALL[Field::REQUIRED.len()..].iter().filter_map(|&f| index[f as usize].map(|i| (f, i))).collect();
        let mut plan = vec![Slot::Other; names.len()];
        for &f in Field::ALL {
            if let Some(i) = index[f as usize] {
                plan[i] = match Field::REQUIRED.iter().position(|&r| r == f) {
                    Some(k) => Slot::Required(k as u8),
                    None => Slot::Optional(f),
                };
            }
        }
        Ok(Header { path: path.into(), index, optional, unknown, width: names.len(), mapped: None, plan })
    }

    /// A header with no columns yet (a reader fills it in).
    pub fn placeholder(path: &str) -> Header {
        Header {
            path: path.into(),
            index: Vec::new(),
            optional: Vec::new(),
            unknown: Vec::new(),
            width: 0,
            mapped: None,
            plan: Vec::new(),
        }
    }

    /// [`Header::new`] for an export read through `--map`: its column names
    /// renamed to native ones first, its cells read through the mapping.
    pub fn mapped(path: &str, names: &[String], map: &mapping::Compiled) -> Result<Header, InputError> {
        let renamed: Vec<String> = names.iter().map(|n| map.rename(n).to_string()).collect();
        let mut h = Header::new(path, &renamed).map_err(|e| match e {
            InputError::MissingColumns { path, columns, found } => InputError::MissingColumns {
                path,
                columns: format!("{columns} (after the mapping {})", map.file),
                found,
            },
            other => other,
        })?;
        let fields: Vec<Option<Field>> =
            renamed.iter().map(|n| Field::from_name(&n.trim().to_ascii_lowercase())).collect();
        h.mapped = Some(std::sync::Arc::new(mapping::Applied::new(map, names, &fields)));
        Ok(h)
    }

    /// The column's name in the file: the export's own under `--map`.
    pub fn label(&self, f: Field) -> &str {
        self.mapped.as_ref().and_then(|m| m.label(f)).unwrap_or(f.name())
    }

    /// The position of a column, if the file has it.
    pub fn position(&self, f: Field) -> Option<usize> {
        self.index[f as usize]
    }

    /// Types one record into a loan, or says what is wrong with it.
    pub fn parse_row<C: Cells + ?Sized>(
        &self,
        rec: &C,
        row: u64,
        line: Option<u64>,
        cx: RowContext,
    ) -> Result<Parsed, Reject> {
        match &self.mapped {
            Some(applied) => self.parse_cells(&mapping::Mapped { inner: rec, applied }, row, line, cx),
            None => self.parse_cells(rec, row, line, cx),
        }
    }

    /// Types one CSV record. A record without a quote, in a file read
    /// without `--map` or `--assume`, is typed in one pass over its bytes:
    /// each field goes to its column's typing as the scan reaches its end,
    /// and only the columns the layout knows are typed. Any record that pass
    /// cannot take whole (a quote, non-ASCII text, a bad or missing value,
    /// the wrong number of fields) is split and typed by [`Header::parse_row`],
    /// which finds the same loan or says what is wrong with it (both set each
    /// column from its own cell alone, so the order does not matter).
    pub fn parse_line(&self, rec: Line<'_>, cx: RowContext) -> Result<Parsed, Reject> {
        if self.reads_plainly(cx)
            && let Some(p) = rec.unquoted().and_then(|bytes| self.one_pass(bytes, cx.as_of))
        {
            return Ok(p);
        }
        let (row, line) = rec.position();
        self.parse_row(&rec.split(), row, Some(line), cx)
    }

    /// Whether rows are read as the layout writes them (no `--map`, no
    /// `--assume`), which the fast typings of [`Header::parse_line`] and
    /// [`Header::parse_columns`] take; otherwise [`Header::parse_row`] does.
    fn reads_plainly(&self, cx: RowContext) -> bool {
        self.mapped.is_none() && cx.assumptions.is_empty()
    }

    /// [`Header::parse_line`]'s one pass; `None` for anything but a good row.
    fn one_pass(&self, rec: &[u8], as_of: NaiveDate) -> Option<Parsed> {
        let mut loan = unfilled_loan();
        let mut required = [Cell::Blank; 5];
        let mut col = 0;
        let whole = native_csv::ascii_fields(rec, |a, b| {
            col += 1;
            // Most fields are empty: nothing to type (a column the header
            // does not have is caught by the count below).
            if a == b {
                return true;
            }
            // SAFETY: `ascii_fields` hands over only ranges it has checked
            // to be ASCII, which is valid UTF-8.
            let cell = || Cell::from_text(unsafe { std::str::from_utf8_unchecked(&rec[a..b]) });
            match self.plan.get(col - 1) {
                None => false,
                Some(Slot::Other) => true,
                Some(&Slot::Required(k)) => {
                    required[k as usize] = cell();
                    true
                }
                Some(&Slot::Optional(f)) => match cell() {
                    Cell::Blank => true,
                    c => values::set_optional(&mut loan, f, c).is_ok(),
                },
            }
        });
        if !whole || col != self.width {
            return None;
        }
        good_row(loan, required, as_of)
    }

    /// Types rows `rows` of a columnar chunk into `out`, in order. Each
    /// column the file has goes down the rows in one loop (its type matched
    /// once for the run, its values read in order), then each row gets its
    /// five required cells and the checks between its dates. A row this
    /// cannot take whole (a bad or missing value), and every row read through
    /// `--map` or `--assume`, is typed by [`Header::parse_row`], which finds
    /// the same loan or says what is wrong with it (each column is set from
    /// its own cell alone, so the order does not matter).
    pub fn parse_columns(
        &self,
        cols: &columns::Columns,
        rows: std::ops::Range<usize>,
        cx: RowContext,
        out: &mut Vec<Result<Parsed, Reject>>,
    ) {
        let by_row = |r: usize| self.parse_row(&cols.record(r), cols.row(r), None, cx);
        let required: Option<Vec<usize>> = Field::REQUIRED.iter().map(|&f| self.position(f)).collect();
        let whole = self.reads_plainly(cx) && cols.width() == self.width;
        let Some(required) = required.filter(|_| whole) else {
            out.extend(rows.map(by_row));
            return;
        };
        let mut loans = vec![Some(unfilled_loan()); rows.len()];
        for &(f, i) in &self.optional {
            cols.column(i).for_each(rows.clone(), |k, cell| {
                if let Some(loan) = &mut loans[k]
                    && !cell.is_blank()
                    && values::set_optional(loan, f, cell).is_err()
                {
                    loans[k] = None;
                }
            });
        }
        for (loan, r) in loans.into_iter().zip(rows) {
            let rec = cols.record(r);
            let cells = std::array::from_fn(|j| rec.cell(required[j]).unwrap_or(Cell::Blank));
            out.push(loan.and_then(|loan| good_row(loan, cells, cx.as_of)).map_or_else(|| by_row(r), Ok));
        }
    }

    fn parse_cells<C: Cells + ?Sized>(
        &self,
        rec: &C,
        row: u64,
        line: Option<u64>,
        cx: RowContext,
    ) -> Result<Parsed, Reject> {
        let reject = |loan_id: Option<&str>, column: &str, value: String, error: String| Reject {
            file: self.path.clone(),
            row,
            line,
            loan_id: loan_id.map(str::to_string),
            column: column.into(),
            value,
            error,
        };
        // Best-effort loan id for a reject record (copied only for one).
        let id_pos = self.position(Field::LoanId);
        let loan_id = match id_pos.map(|i| rec.cell(i)) {
            Some(Ok(Cell::Text(s))) => Some(s),
            _ => None,
        };
        if rec.len() != self.width {
            return Err(reject(
                loan_id,
                "",
                String::new(),
                format!(
                    "has {} fields but the header has {}; check for a stray or missing delimiter",
                    rec.len(),
                    self.width
                ),
            ));
        }
        if let Some(b) = rec.bad_value() {
            return Err(reject(loan_id, b.column.name(), b.value.clone(), b.error.clone()));
        }
        let get = |f: Field| -> Result<Cell<'_>, Reject> {
            match self.position(f) {
                None => Ok(Cell::Blank),
                Some(i) => rec.cell(i).map_err(|e| reject(loan_id, self.label(f), rec.raw(i), e.to_string())),
            }
        };
        let required = |f: Field, cell: Cell| -> Result<(), Reject> {
            if cell.is_blank() {
                Err(reject(loan_id, self.label(f), String::new(), format!("is blank; {} is required", f.name())))
            } else {
                Ok(())
            }
        };
        let bad = |f: Field, e: ValueError| {
            reject(loan_id, self.label(f), rec.raw(self.position(f).unwrap_or(0)), e.to_string())
        };

        let id_cell = get(Field::LoanId)?;
        required(Field::LoanId, id_cell)?;
        let id = id_cell.text().unwrap_or_default().to_string();
        let et_cell = get(Field::EventType)?;
        required(Field::EventType, et_cell)?;
        let event_type = values::event_type(et_cell).map_err(|e| bad(Field::EventType, e))?;
        let ed_cell = get(Field::EventDate)?;
        required(Field::EventDate, ed_cell)?;
        let event_date = values::date(ed_cell).map_err(|e| bad(Field::EventDate, e))?;
        let up_cell = get(Field::UnpaidPrincipal)?;
        required(Field::UnpaidPrincipal, up_cell)?;
        let unpaid = values::money(up_cell).map_err(|e| bad(Field::UnpaidPrincipal, e))?;
        let sp_cell = get(Field::SalePrice)?;
        let mut ignored_sale_price = false;
        let sale_price = if event_type == EventType::SeniorSale {
            ignored_sale_price = !sp_cell.is_blank();
            None
        } else {
            if sp_cell.is_blank() {
                return Err(reject(
                    Some(&id),
                    self.label(Field::SalePrice),
                    String::new(),
                    format!(
                        "is blank; sale_price is required for a {} (only a senior_sale leaves it blank)",
                        event_type.name()
                    ),
                ));
            }
            Some(values::money(sp_cell).map_err(|e| bad(Field::SalePrice, e))?)
        };
        let mut loan = Loan::new(id, event_type, event_date, unpaid, sale_price);
        // The hot loop: errors (rare) are built out of line.
        let cold = |f: Field, value: String, e: ValueError, loan_id: &str| Reject {
            loan_id: Some(loan_id.to_string()),
            value,
            ..reject(None, self.label(f), String::new(), e.to_string())
        };
        if cx.assumptions.is_empty() {
            // Only the columns the file has; a blank cell keeps the default
            // `Loan::new` already holds (tests/values: blank == default).
            for &(f, i) in &self.optional {
                match rec.cell(i) {
                    Ok(Cell::Blank) => {}
                    Ok(cell) => {
                        if let Err(e) = values::set_optional(&mut loan, f, cell) {
                            return Err(cold(f, rec.raw(i), e, &loan.loan_id));
                        }
                    }
                    Err(e) => return Err(cold(f, rec.raw(i), e, &loan.loan_id)),
                }
            }
        } else {
            for &f in &Field::ALL[Field::REQUIRED.len()..] {
                let pos = self.position(f);
                let cell = match pos {
                    None => Cell::Blank,
                    Some(i) => match rec.cell(i) {
                        Ok(c) => c,
                        Err(e) => return Err(cold(f, rec.raw(i), e, &loan.loan_id)),
                    },
                };
                let (cell, assumed) = match cell {
                    Cell::Blank => match cx.assumptions.iter().find(|a| a.field == f) {
                        Some(a) if f != Field::ForeclosureMethod || event_type == EventType::ForeclosureSale => {
                            loan.assumed.push(f);
                            (Cell::Text(a.value.as_str()), true)
                        }
                        _ => (cell, false),
                    },
                    _ => (cell, false),
                };
                if let Err(e) = values::set_optional(&mut loan, f, cell) {
                    let value = match pos {
                        Some(i) if !assumed => rec.raw(i),
                        _ => cell.text().unwrap_or_default().to_string(),
                    };
                    return Err(cold(f, value, e, &loan.loan_id));
                }
            }
        }
        if let Err((col, why)) = cross_checks(&loan, cx.as_of) {
            let raw = self.position(col).map(|i| rec.raw(i)).unwrap_or_default();
            return Err(reject(Some(&loan.loan_id), self.label(col), raw, why));
        }
        let last_payment_is_sale = loan.event_type == EventType::SeniorSale
            && loan.last_payment_date == Some(loan.event_date)
            && loan.surplus_received > Money::ZERO;
        Ok(Parsed { loan, ignored_sale_price, last_payment_is_sale })
    }
}

/// The loan the fast typings fill in: the layout's defaults, the required
/// fields set last by [`good_row`].
fn unfilled_loan() -> Loan {
    Loan::new(String::new(), EventType::SeniorSale, NaiveDate::MIN, Money::ZERO, None)
}

/// A row whose optional columns are set on `loan`, finished with its five
/// required cells (in [`Field::REQUIRED`] order) and checked; `None` for
/// anything [`Header::parse_row`] would reject.
fn good_row(mut loan: Loan, required: [Cell; 5], as_of: NaiveDate) -> Option<Parsed> {
    let [id, event_type, event_date, unpaid, sale_price] = required;
    if required[..4].iter().any(|c| c.is_blank()) {
        return None;
    }
    loan.loan_id = id.text()?.to_string();
    loan.event_type = values::event_type(event_type).ok()?;
    loan.event_date = values::date(event_date).ok()?;
    loan.unpaid_principal = values::money(unpaid).ok()?;
    let ignored_sale_price = loan.event_type == EventType::SeniorSale && !sale_price.is_blank();
    if loan.event_type != EventType::SeniorSale {
        if sale_price.is_blank() {
            return None;
        }
        loan.sale_price = Some(values::money(sale_price).ok()?);
    }
    cross_checks(&loan, as_of).ok()?;
    let last_payment_is_sale = loan.event_type == EventType::SeniorSale
        && loan.last_payment_date == Some(loan.event_date)
        && loan.surplus_received > Money::ZERO;
    Some(Parsed { loan, ignored_sale_price, last_payment_is_sale })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;
    use crate::loan::Kind;
    use proptest::prelude::*;

    /// Generated loans as CSV, columns shuffled, an unknown column added,
    /// and some cells spoiled in ways that each leave the one-pass typing.
    fn portfolio(seed: u64, shuffle: u64, spoil: &[(usize, usize, u8)]) -> (Vec<u8>, Vec<bool>) {
        let cols = generate::columns();
        let mut order: Vec<usize> = (0..=cols.len()).collect();
        let mut st = shuffle | 1;
        for i in (1..order.len()).rev() {
            st ^= st << 13;
            st ^= st >> 7;
            st ^= st << 17;
            order.swap(i, (st % (i as u64 + 1)) as usize);
        }
        let name = |c: usize| if c == cols.len() { "note" } else { cols[c].name() };
        let mut out = order.iter().map(|&c| name(c)).collect::<Vec<_>>().join(",").into_bytes();
        out.push(b'\n');
        let mut generator = generate::Generator::new(seed);
        let mut row = generate::empty_row();
        let mut spoiled = vec![false; 40];
        for (r, was_spoiled) in spoiled.iter_mut().enumerate() {
            generator.next_row(&mut row);
            let mut cells: Vec<Vec<u8>> = order.iter().map(|&c| row.get(c).cloned().unwrap_or(b"n".to_vec())).collect();
            for &(_, c, how) in spoil.iter().filter(|s| s.0 == r) {
                *was_spoiled = true;
                let c = c % cells.len();
                match how {
                    0 => cells[c].clear(),
                    1 => cells[c] = [b"  ".as_slice(), &cells[c], b" "].concat(),
                    2 => cells[c] = b"x".to_vec(),
                    3 => cells[c] = "é".into(),
                    4 => cells[c] = [b"\"".as_slice(), &cells[c], b"\""].concat(),
                    5 => cells.push(b"1".to_vec()),
                    6 => drop(cells.remove(c)),
                    _ => cells[c] = b"-5".to_vec(),
                }
            }
            out.extend_from_slice(&cells.join(&b','));
            out.push(b'\n');
        }
        (out, spoiled)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// A CSV record typed in one pass gives exactly the loan, or the
        /// reject, that splitting it first gives; every good record that
        /// was not spoiled takes the one pass.
        #[test]
        fn one_pass_types_a_record_as_splitting_it_does(
            seed in any::<u64>(),
            shuffle in any::<u64>(),
            spoil in proptest::collection::vec((0..40usize, 0..200usize, 0..8u8), 0..24),
        ) {
            let (bytes, spoiled) = portfolio(seed, shuffle, &spoil);
            let mut src = native_csv::CsvSource::from_reader("t.csv", Box::new(std::io::Cursor::new(bytes))).unwrap();
            let cx = RowContext { as_of: NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(), assumptions: &[] };
            let mut batch = Batch::default();
            let n = src.next_batch(&mut batch, 100).unwrap();
            prop_assert_eq!(n, 40);
            let header = src.header();
            let (mut a, mut b) = (Fields::default(), Fields::default());
            let mut typed_in_one_pass = 0;
            for (i, &was_spoiled) in spoiled.iter().enumerate().take(n) {
                let one = header.parse_line(Line::new(&batch.lines, i, &mut a), cx);
                let (row, line) = batch.lines.position(i);
                let split = header.parse_row(&b.split(&batch.lines, i), row, Some(line), cx);
                prop_assert_eq!(format!("{one:?}"), format!("{split:?}"));
                let fast = Line::new(&batch.lines, i, &mut a).unquoted().and_then(|r| header.one_pass(r, cx.as_of));
                if let Some(p) = &fast {
                    prop_assert_eq!(format!("{:?}", Ok::<_, Reject>(p)), format!("{:?}", split.as_ref()));
                }
                typed_in_one_pass += fast.is_some() as usize;
                if !was_spoiled {
                    prop_assert_eq!(fast.is_some(), split.is_ok(), "row {} left the one pass", row);
                }
            }
            prop_assert!(typed_in_one_pass >= 40 - spoil.len() - 8, "{} of 40 typed in one pass", typed_in_one_pass);
        }

        /// Rows of a columnar chunk typed column by column give exactly the
        /// loans, or the rejects, that typing each row on its own gives.
        #[test]
        fn columns_type_as_rows_do(picks in proptest::collection::vec(proptest::collection::vec(0..6usize, 11), 1..40)) {
            use polars::prelude::{DataType, NamedFrom, Series};
            let text = |c: usize, good: &[&str], bad: &str| -> Vec<Option<String>> {
                picks.iter().map(|p| match p[c] { 0 => None, 1 => Some(bad.to_string()), k => Some(good[k % good.len()].to_string()) }).collect()
            };
            let money = |c: usize| -> Series {
                let v: Vec<Option<i64>> = picks.iter().map(|p| match p[c] { 0 => None, 1 => Some(-5), k => Some(k as i64 * 100_000) }).collect();
                Series::new("m".into(), v)
            };
            let days = |c: usize| -> Series {
                let v: Vec<Option<i32>> = picks.iter().map(|p| match p[c] { 0 => None, 1 => Some(i32::MAX), k => Some(18_000 + k as i32 * 300) }).collect();
                Series::new("d".into(), v).cast(&DataType::Date).unwrap()
            };
            let flags: Vec<Option<bool>> = picks.iter().map(|p| match p[7] { 0 => None, k => Some(k % 2 == 0) }).collect();
            let ids: Vec<Option<String>> = picks.iter().enumerate().map(|(i, p)| (p[0] != 0).then(|| format!("L{i}"))).collect();
            let names = [
                "loan_id", "event_type", "event_date", "unpaid_principal", "sale_price",
                "costs", "origination_date", "owner_occupied", "loan_purpose", "deficiency_filed_date", "note",
            ];
            let columns = vec![
                (Series::new("id".into(), ids), Kind::Text),
                (Series::new("e".into(), text(1, &["trustee_sale", "judicial_sale", "short_sale", "senior_sale"], "auction")), Kind::Enum),
                (days(2), Kind::Date),
                (money(3), Kind::Money),
                (money(4), Kind::Money),
                (money(5), Kind::Money),
                (days(6), Kind::Date),
                (Series::new("b".into(), flags), Kind::Bool),
                (Series::new("p".into(), text(8, &["purchase", "refinance", "other"], "gift")), Kind::Enum),
                (days(9), Kind::Date),
                (Series::new("n".into(), text(10, &["x"], "y")), Kind::Text),
            ];
            let header = Header::new("t.parquet", &names.map(String::from)).unwrap();
            let cols = columns.iter().map(|(s, k)| columns::Column::new(s, *k).unwrap()).collect();
            let mut chunk = columns::Columns::default();
            chunk.set(1, picks.len(), cols);
            let cx = RowContext { as_of: NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(), assumptions: &[] };
            // from a row past the first too: a piece of a chunk
            for from in [0, picks.len() / 2] {
                let mut typed = Vec::new();
                header.parse_columns(&chunk, from..picks.len(), cx, &mut typed);
                prop_assert_eq!(typed.len(), picks.len() - from);
                for (r, got) in (from..picks.len()).zip(&typed) {
                    let want = header.parse_row(&chunk.record(r), chunk.row(r), None, cx);
                    prop_assert_eq!(format!("{got:?}"), format!("{want:?}"));
                }
            }
        }
    }
}
