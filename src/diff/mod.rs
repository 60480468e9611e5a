//! `deficiency diff OLD NEW` (README "deficiency diff"): what changed between
//! two per-loan results files, matched by `loan_id`.
//!
//! Memory stays bounded whatever the files' size: neither file is held.
//! Each file is streamed once into [`DiffConfig::partitions`] scratch files
//! chosen by a hash of `loan_id` (a compact binary row: file position,
//! outcome, primary reason, deadline, amounts, loan id). Then, partition by
//! partition, OLD's part is loaded into a hash map and NEW's part streamed
//! against it in NEW's order; OLD's unmatched rows follow as `removed`, in
//! OLD's order. Each partition's changes go to a scratch file already sorted
//! by (NEW row, then OLD row for removed loans), and a k-way merge of those
//! files writes the output in that order. Only one partition's rows are in
//! memory at a time (about 1/128 of OLD).

pub mod render;

use crate::output::atomic::{AtomicFile, ScratchDir};
use crate::report::read::{Compact, Place, ReadError, for_each_compact};
use crate::rules::{Outcome, Reason};
use chrono::NaiveDate;
use std::collections::BinaryHeap;
use std::hash::{Hash, Hasher};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Partitions by default: 10M loans give about 80k rows a partition.
pub const PARTITIONS: usize = 128;

/// Changed loans listed in a Markdown or HTML report (JSON lists all).
pub const LISTED: usize = 1000;

/// What `deficiency diff` is asked to do.
#[derive(Debug, Clone)]
pub struct DiffConfig {
    pub old: String,
    pub new: String,
    /// The `--as-of` dates of the two runs; `deadline_passed` is judged only
    /// when both are known (results files do not record them).
    pub old_as_of: Option<NaiveDate>,
    pub new_as_of: Option<NaiveDate>,
    /// The changes as CSV (default: stdout).
    pub out: Option<PathBuf>,
    /// Reports: `.json`, `.md`, `.html`.
    pub reports: Vec<PathBuf>,
    /// Scratch partitions (at least 1).
    pub partitions: usize,
}

/// Why a diff stopped (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{0}")]
    Other(String),
}

/// A kind of change, in the fixed order the `change` column lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Added,
    Removed,
    Outcome,
    Reason,
    DeadlinePassed,
    Deadline,
    Amounts,
}

impl Kind {
    pub const ALL: [Kind; 7] =
        [Kind::Added, Kind::Removed, Kind::Outcome, Kind::Reason, Kind::DeadlinePassed, Kind::Deadline, Kind::Amounts];
    pub fn name(self) -> &'static str {
        match self {
            Kind::Added => "added",
            Kind::Removed => "removed",
            Kind::Outcome => "outcome",
            Kind::Reason => "reason",
            Kind::DeadlinePassed => "deadline_passed",
            Kind::Deadline => "deadline",
            Kind::Amounts => "amounts",
        }
    }
    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// The kinds in a set of bits, in order.
pub fn kinds_of(bits: u8) -> impl Iterator<Item = Kind> {
    Kind::ALL.into_iter().filter(move |k| bits & k.bit() != 0)
}

/// The `change` cell: kinds `;`-joined.
pub fn change_cell(bits: u8) -> String {
    kinds_of(bits).map(Kind::name).collect::<Vec<_>>().join(";")
}

/// The output's columns, in order.
pub const COLUMNS: [&str; 16] = [
    "loan_id",
    "change",
    "old_outcome",
    "new_outcome",
    "old_primary_reason",
    "new_primary_reason",
    "old_action_deadline",
    "new_action_deadline",
    "old_recoverable",
    "new_recoverable",
    "old_barred",
    "new_barred",
    "old_undetermined",
    "new_undetermined",
    "old_gross_deficiency",
    "new_gross_deficiency",
];

/// Loans and amounts (whole cents) of one results file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub loans: u64,
    pub gross: i128,
    pub recoverable: i128,
    pub barred: i128,
    pub undetermined: i128,
}

impl Totals {
    fn add(&mut self, c: &Compact) {
        self.loans += 1;
        self.gross += i128::from(c.gross);
        self.recoverable += i128::from(c.recoverable);
        self.barred += i128::from(c.barred);
        self.undetermined += i128::from(c.undetermined);
    }
}

/// What a diff found.
#[derive(Debug, Clone, Default)]
pub struct DiffSummary {
    pub old_path: String,
    pub new_path: String,
    pub old_as_of: Option<NaiveDate>,
    pub new_as_of: Option<NaiveDate>,
    pub old: Totals,
    pub new: Totals,
    /// Loans with at least one change.
    pub changed: u64,
    /// Loans per kind of change, in [`Kind::ALL`] order.
    pub by_kind: [u64; 7],
    /// Files written.
    pub written: Vec<PathBuf>,
}

/// One changed loan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kinds: u8,
    pub old: Option<Compact>,
    pub new: Option<Compact>,
}

impl Change {
    pub fn loan_id(&self) -> &str {
        self.new.as_ref().or(self.old.as_ref()).map_or("", |c| c.loan_id.as_str())
    }
}

/// The kinds of change between two rows of one loan. `as_of` is (OLD's,
/// NEW's) `--as-of`: a deadline passed between the runs when it was still
/// open at OLD's (on or after it) and missed at NEW's (before it; the
/// deadline day itself is still in time, as the engine judges it).
pub fn compare(old: &Compact, new: &Compact, as_of: Option<(NaiveDate, NaiveDate)>) -> u8 {
    let mut k = 0;
    if old.outcome != new.outcome {
        k |= Kind::Outcome.bit();
    } else if old.primary != new.primary {
        k |= Kind::Reason.bit();
    }
    let passed = matches!((as_of, old.deadline), (Some((a, b)), Some(d)) if a <= d && d < b);
    if passed {
        k |= Kind::DeadlinePassed.bit();
    } else if old.deadline != new.deadline {
        k |= Kind::Deadline.bit();
    }
    if old.recoverable != new.recoverable || old.barred != new.barred || old.undetermined != new.undetermined {
        k |= Kind::Amounts.bit();
    }
    k
}

/// Whole cents as `1234.56` (`-` before a negative amount).
pub fn cents(c: i128) -> String {
    let sign = if c < 0 { "-" } else { "" };
    let u = c.unsigned_abs();
    format!("{sign}{}.{:02}", u / 100, u % 100)
}

fn scratch_err(e: io::Error) -> DiffError {
    DiffError::Other(format!("scratch files ({}): {e}", std::env::temp_dir().display()))
}

/// Which partition a loan id goes to (FxHash: the same on every run).
fn partition(id: &str, k: usize) -> usize {
    let mut h = rustc_hash::FxHasher::default();
    id.hash(&mut h);
    ((h.finish() >> 32) as usize) % k
}

// The scratch row: position u64, place tag u8 + u64, outcome u8, deadline
// i32 (i32::MIN for none), four amounts i64, reason code (u8 length), loan
// id (u32 length); all little-endian.

fn put(out: &mut Vec<u8>, idx: u64, place: Place, c: &Compact) {
    out.extend_from_slice(&idx.to_le_bytes());
    let (tag, n) = match place {
        Place::Line(n) => (0u8, n),
        Place::Row(n) => (1u8, n),
    };
    out.push(tag);
    out.extend_from_slice(&n.to_le_bytes());
    out.push(Outcome::ALL.iter().position(|o| *o == c.outcome).unwrap_or(0) as u8);
    out.extend_from_slice(&c.deadline.map_or(i32::MIN, crate::dates::to_epoch_days).to_le_bytes());
    for m in [c.gross, c.recoverable, c.barred, c.undetermined] {
        out.extend_from_slice(&m.to_le_bytes());
    }
    let code = c.primary.code();
    out.push(code.len() as u8);
    out.extend_from_slice(code.as_bytes());
    out.extend_from_slice(&(c.loan_id.len() as u32).to_le_bytes());
    out.extend_from_slice(c.loan_id.as_bytes());
}

fn corrupt() -> io::Error {
    io::Error::other("a scratch file is corrupt")
}

fn take<const N: usize>(r: &mut impl Read) -> io::Result<[u8; N]> {
    let mut b = [0u8; N];
    r.read_exact(&mut b)?;
    Ok(b)
}

/// Reads one scratch row; `None` at the end of the file.
fn get(r: &mut impl Read) -> io::Result<Option<(u64, Place, Compact)>> {
    let mut first = [0u8; 8];
    let mut got = 0;
    while got < 8 {
        match r.read(&mut first[got..])? {
            0 if got == 0 => return Ok(None),
            0 => return Err(corrupt()),
            n => got += n,
        }
    }
    let idx = u64::from_le_bytes(first);
    let tag = take::<1>(r)?[0];
    let n = u64::from_le_bytes(take(r)?);
    let place = if tag == 0 { Place::Line(n) } else { Place::Row(n) };
    let outcome = *Outcome::ALL.get(take::<1>(r)?[0] as usize).ok_or_else(corrupt)?;
    let d = i32::from_le_bytes(take(r)?);
    let deadline = if d == i32::MIN { None } else { Some(crate::dates::from_epoch_days(d).ok_or_else(corrupt)?) };
    let mut m = [0i64; 4];
    for x in &mut m {
        *x = i64::from_le_bytes(take(r)?);
    }
    let mut code = vec![0u8; take::<1>(r)?[0] as usize];
    r.read_exact(&mut code)?;
    let primary = std::str::from_utf8(&code).ok().and_then(Reason::from_code).ok_or_else(corrupt)?;
    let mut id = vec![0u8; u32::from_le_bytes(take(r)?) as usize];
    r.read_exact(&mut id)?;
    let loan_id = String::from_utf8(id).map_err(|_| corrupt())?;
    let c = Compact {
        loan_id,
        outcome,
        primary,
        deadline,
        gross: m[0],
        recoverable: m[1],
        barred: m[2],
        undetermined: m[3],
    };
    Ok(Some((idx, place, c)))
}

/// A change record in a partition's change file: class (0: the loan is in
/// NEW, 1: removed), the row in NEW (class 0) or OLD (class 1), kinds, then
/// the OLD and NEW rows present.
fn put_change(out: &mut Vec<u8>, class: u8, row: u64, ch: &Change) {
    out.push(class);
    out.extend_from_slice(&row.to_le_bytes());
    out.push(ch.kinds);
    out.push(u8::from(ch.old.is_some()) | (u8::from(ch.new.is_some()) << 1));
    for c in [&ch.old, &ch.new].into_iter().flatten() {
        put(out, 0, Place::Row(0), c);
    }
}

fn get_change(r: &mut impl Read) -> io::Result<Option<((u8, u64), Change)>> {
    let mut class = [0u8; 1];
    if r.read(&mut class)? == 0 {
        return Ok(None);
    }
    let row = u64::from_le_bytes(take(r)?);
    let kinds = take::<1>(r)?[0];
    let has = take::<1>(r)?[0];
    let mut row_of = |present: bool| -> io::Result<Option<Compact>> {
        if !present {
            return Ok(None);
        }
        Ok(Some(get(r)?.ok_or_else(corrupt)?.2))
    };
    let old = row_of(has & 1 != 0)?;
    let new = row_of(has & 2 != 0)?;
    Ok(Some(((class[0], row), Change { kinds, old, new })))
}

/// Streams a results file into `k` partition files under `dir`, named
/// `{tag}-{i}`; returns its totals.
fn split(path: &str, dir: &Path, tag: &str, k: usize) -> Result<Totals, DiffError> {
    let mut parts = Vec::with_capacity(k);
    for i in 0..k {
        let f = std::fs::File::create(dir.join(format!("{tag}-{i}"))).map_err(scratch_err)?;
        parts.push(BufWriter::with_capacity(64 * 1024, f));
    }
    let mut totals = Totals::default();
    let mut buf = Vec::with_capacity(256);
    let mut idx = 0u64;
    let mut io_err = None;
    for_each_compact(path, &mut |place, c| {
        totals.add(&c);
        buf.clear();
        put(&mut buf, idx, place, &c);
        idx += 1;
        if let Err(e) = parts[partition(&c.loan_id, k)].write_all(&buf) {
            io_err = Some(e);
            return Err(ReadError { path: path.into(), message: "stopped: cannot write a scratch file".into() });
        }
        Ok(())
    })
    .map_err(|e| io_err.take().map_or(DiffError::Read(e), scratch_err))?;
    for mut p in parts {
        p.flush().map_err(scratch_err)?;
    }
    Ok(totals)
}

/// The first duplicate `loan_id` of a file found so far: (position of the
/// second occurrence, message).
type Dup = Option<(u64, String)>;

fn note_dup(dup: &mut Dup, path: &str, idx: u64, id: &str, first: Place, again: Place) {
    if dup.as_ref().is_none_or(|(i, _)| idx < *i) {
        let msg = format!("{path}: {again}: column \"loan_id\": \"{id}\" is a duplicate (first at {first})");
        *dup = Some((idx, msg));
    }
}

/// Compares one partition: writes its changes (sorted by key) to
/// `changes-{p}` and counts them.
fn compare_partition(
    cfg: &DiffConfig,
    dir: &Path,
    p: usize,
    s: &mut DiffSummary,
    dups: &mut (Dup, Dup),
) -> Result<(), DiffError> {
    let open = |name: String| -> Result<BufReader<std::fs::File>, DiffError> {
        let path = dir.join(name);
        let f = std::fs::File::open(&path).map_err(scratch_err)?;
        // Gone from the directory once open: disk is freed as we go.
        let _ = std::fs::remove_file(&path);
        Ok(BufReader::with_capacity(64 * 1024, f))
    };
    let mut old_rd = open(format!("old-{p}"))?;
    let mut old: Vec<(u64, Place, Compact)> = Vec::new();
    while let Some(row) = get(&mut old_rd).map_err(scratch_err)? {
        old.push(row);
    }
    drop(old_rd);
    let mut by_id: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    by_id.reserve(old.len());
    for (i, (idx, place, c)) in old.iter().enumerate() {
        if let Some(&j) = by_id.get(c.loan_id.as_str()) {
            note_dup(&mut dups.0, &cfg.old, *idx, &c.loan_id, old[j].1, *place);
        } else {
            by_id.insert(c.loan_id.as_str(), i);
        }
    }
    let mut matched = vec![false; old.len()];
    let mut seen: rustc_hash::FxHashMap<String, Place> = rustc_hash::FxHashMap::default();
    let as_of = cfg.old_as_of.zip(cfg.new_as_of);
    let f = std::fs::File::create(dir.join(format!("changes-{p}"))).map_err(scratch_err)?;
    let mut out = BufWriter::with_capacity(64 * 1024, f);
    let mut buf = Vec::with_capacity(512);
    let mut emit = |class: u8, row: u64, ch: Change, s: &mut DiffSummary| -> Result<(), DiffError> {
        s.changed += 1;
        for k in kinds_of(ch.kinds) {
            s.by_kind[k as usize] += 1;
        }
        buf.clear();
        put_change(&mut buf, class, row, &ch);
        out.write_all(&buf).map_err(scratch_err)
    };
    let mut new_rd = open(format!("new-{p}"))?;
    while let Some((idx, place, c)) = get(&mut new_rd).map_err(scratch_err)? {
        if let Some(first) = seen.get(c.loan_id.as_str()) {
            note_dup(&mut dups.1, &cfg.new, idx, &c.loan_id, *first, place);
            continue;
        }
        seen.insert(c.loan_id.clone(), place);
        let ch = match by_id.get(c.loan_id.as_str()) {
            Some(&i) => {
                matched[i] = true;
                let kinds = compare(&old[i].2, &c, as_of);
                if kinds == 0 {
                    continue;
                }
                Change { kinds, old: Some(old[i].2.clone()), new: Some(c) }
            }
            None => Change { kinds: Kind::Added.bit(), old: None, new: Some(c) },
        };
        emit(0, idx, ch, s)?;
    }
    for (i, (idx, _, c)) in old.iter().enumerate() {
        if !matched[i] && by_id.get(c.loan_id.as_str()) == Some(&i) {
            emit(1, *idx, Change { kinds: Kind::Removed.bit(), old: Some(c.clone()), new: None }, s)?;
        }
    }
    out.flush().map_err(scratch_err)
}

/// Where the CSV of changes goes.
enum Sink {
    File(AtomicFile, BufWriter<std::fs::File>),
    Stdout(BufWriter<io::StdoutLock<'static>>),
    /// stdout was closed by its reader (`diff ... | head`).
    Closed,
}

impl Sink {
    fn write(&mut self, bytes: &[u8]) -> Result<(), DiffError> {
        match self {
            Sink::File(f, w) => {
                w.write_all(bytes).map_err(|e| DiffError::Other(format!("{}: cannot write: {e}", f.path().display())))
            }
            Sink::Stdout(w) => match w.write_all(bytes) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                    *self = Sink::Closed;
                    Ok(())
                }
                Err(e) => Err(DiffError::Other(format!("stdout: cannot write: {e}"))),
            },
            Sink::Closed => Ok(()),
        }
    }
}

/// Appends one CSV row of a change.
pub fn csv_row(ch: &Change, out: &mut Vec<u8>) {
    let id = ch.loan_id();
    if id.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        out.extend_from_slice(id.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(id.as_bytes());
    }
    out.push(b',');
    out.extend_from_slice(change_cell(ch.kinds).as_bytes());
    let pair = |out: &mut Vec<u8>, f: &dyn Fn(&Compact) -> String| {
        for side in [&ch.old, &ch.new] {
            out.push(b',');
            if let Some(c) = side {
                out.extend_from_slice(f(c).as_bytes());
            }
        }
    };
    pair(out, &|c| c.outcome.name().to_string());
    pair(out, &|c| c.primary.code().into_owned());
    pair(out, &|c| c.deadline.map(|d| d.to_string()).unwrap_or_default());
    pair(out, &|c| cents(c.recoverable.into()));
    pair(out, &|c| cents(c.barred.into()));
    pair(out, &|c| cents(c.undetermined.into()));
    pair(out, &|c| cents(c.gross.into()));
    out.push(b'\n');
}

/// A report `deficiency diff` writes, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Markdown,
    Html,
}

impl ReportFormat {
    pub fn from_path(p: &Path) -> Option<ReportFormat> {
        use crate::formats::FileFormat;
        match FileFormat::of(p)? {
            FileFormat::Json => Some(ReportFormat::Json),
            FileFormat::Markdown => Some(ReportFormat::Markdown),
            FileFormat::Html => Some(ReportFormat::Html),
            _ => None,
        }
    }
}

fn create(p: &Path) -> Result<(AtomicFile, BufWriter<std::fs::File>), DiffError> {
    let cannot = |e: io::Error| DiffError::Other(format!("{}: cannot write: {e}", p.display()));
    let mut f = AtomicFile::create(p).map_err(cannot)?;
    let w = f.writer().map_err(cannot)?;
    Ok((f, w))
}

fn finish(f: AtomicFile, mut w: BufWriter<std::fs::File>) -> Result<PathBuf, DiffError> {
    let p = f.path().to_path_buf();
    let cannot = |e: io::Error| DiffError::Other(format!("{}: cannot write: {e}", p.display()));
    w.flush().map_err(cannot)?;
    drop(w);
    f.commit().map_err(cannot)?;
    Ok(p)
}

/// Runs a diff: reads both files, writes the changes and reports. Every
/// file is written in full or not at all.
pub fn run(cfg: &DiffConfig) -> Result<DiffSummary, DiffError> {
    let formats: Vec<ReportFormat> = cfg
        .reports
        .iter()
        .map(|p| {
            ReportFormat::from_path(p).ok_or_else(|| {
                DiffError::Other(format!("{}: unknown report format (use .json, .md or .html)", p.display()))
            })
        })
        .collect::<Result<_, _>>()?;
    if let Some(out) = &cfg.out
        && crate::formats::FileFormat::of(out) != Some(crate::formats::FileFormat::Csv)
    {
        return Err(DiffError::Other(format!("{}: the changes are written as CSV (use .csv)", out.display())));
    }
    let k = cfg.partitions.max(1);
    let scratch = ScratchDir::new(".deficiency-diff.").map_err(scratch_err)?;
    let dir = scratch.path();
    let mut s = DiffSummary {
        old_path: cfg.old.clone(),
        new_path: cfg.new.clone(),
        old_as_of: cfg.old_as_of,
        new_as_of: cfg.new_as_of,
        ..Default::default()
    };
    s.old = split(&cfg.old, dir, "old", k)?;
    s.new = split(&cfg.new, dir, "new", k)?;
    let mut dups: (Dup, Dup) = (None, None);
    for p in 0..k {
        compare_partition(cfg, dir, p, &mut s, &mut dups)?;
    }
    if let Some((_, msg)) = dups.0.or(dups.1) {
        return Err(DiffError::Other(msg));
    }

    // Outputs: temporary files, committed only when everything is written.
    let mut sink = match &cfg.out {
        Some(p) => {
            let (f, w) = create(p)?;
            Sink::File(f, w)
        }
        None => Sink::Stdout(BufWriter::with_capacity(1 << 20, io::stdout().lock())),
    };
    let mut reports = Vec::new();
    for (p, fmt) in cfg.reports.iter().zip(&formats) {
        let (f, mut w) = create(p)?;
        if *fmt == ReportFormat::Json {
            w.write_all(render::json_head(&s).as_bytes())
                .map_err(|e| DiffError::Other(format!("{}: cannot write: {e}", p.display())))?;
        }
        reports.push((*fmt, f, w));
    }
    sink.write(format!("{}\n", COLUMNS.join(",")).as_bytes())?;

    // k-way merge of the partitions' change files.
    let mut files = Vec::with_capacity(k);
    let mut heap = BinaryHeap::new();
    for p in 0..k {
        let path = dir.join(format!("changes-{p}"));
        let f = std::fs::File::open(&path).map_err(scratch_err)?;
        let _ = std::fs::remove_file(&path);
        let mut r = BufReader::with_capacity(64 * 1024, f);
        if let Some((key, ch)) = get_change(&mut r).map_err(scratch_err)? {
            heap.push(std::cmp::Reverse((key, p, HeapChange(ch))));
        }
        files.push(r);
    }
    let mut listed = Vec::new();
    let mut line = Vec::with_capacity(512);
    let mut n = 0u64;
    while let Some(std::cmp::Reverse((_, p, HeapChange(ch)))) = heap.pop() {
        line.clear();
        csv_row(&ch, &mut line);
        sink.write(&line)?;
        let json = reports.iter().any(|r| r.0 == ReportFormat::Json).then(|| render::json_change(&ch, n == 0));
        for (fmt, f, w) in &mut reports {
            if let (ReportFormat::Json, Some(j)) = (*fmt, &json) {
                w.write_all(j.as_bytes())
                    .map_err(|e| DiffError::Other(format!("{}: cannot write: {e}", f.path().display())))?;
            }
        }
        if listed.len() < LISTED {
            listed.push(ch);
        }
        n += 1;
        if let Some((key, ch)) = get_change(&mut files[p]).map_err(scratch_err)? {
            heap.push(std::cmp::Reverse((key, p, HeapChange(ch))));
        }
    }
    drop(files);
    drop(scratch);

    let mut written = Vec::new();
    for (fmt, f, mut w) in reports {
        let text = match fmt {
            ReportFormat::Json => render::json_tail(n).to_string(),
            ReportFormat::Markdown => render::markdown(&s, &listed),
            ReportFormat::Html => render::html(&s, &listed),
        };
        w.write_all(text.as_bytes())
            .map_err(|e| DiffError::Other(format!("{}: cannot write: {e}", f.path().display())))?;
        written.push((f, w));
    }
    match sink {
        Sink::File(f, w) => s.written.push(finish(f, w)?),
        Sink::Stdout(mut w) => match w.flush() {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
            Err(e) => return Err(DiffError::Other(format!("stdout: cannot write: {e}"))),
        },
        Sink::Closed => {}
    }
    for (f, w) in written {
        s.written.push(finish(f, w)?);
    }
    Ok(s)
}

/// A change in the merge heap, ordered by its key alone (keys are unique).
struct HeapChange(Change);

impl PartialEq for HeapChange {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for HeapChange {}
impl PartialOrd for HeapChange {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for HeapChange {
    fn cmp(&self, _: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

/// The one-paragraph summary printed on stderr.
pub fn summary_line(s: &DiffSummary) -> String {
    let kinds: Vec<String> =
        Kind::ALL.iter().zip(s.by_kind).filter(|(_, n)| *n > 0).map(|(k, n)| format!("{n} {}", k.name())).collect();
    let mut line = format!(
        "deficiency: diff {} ({} loans) -> {} ({} loans): {} loans changed{}.",
        s.old_path,
        s.old.loans,
        s.new_path,
        s.new.loans,
        s.changed,
        if kinds.is_empty() { String::new() } else { format!(" ({})", kinds.join(", ")) }
    );
    line.push_str(&format!(
        " Recoverable {} -> {}, barred {} -> {}, undetermined {} -> {}.",
        cents(s.old.recoverable),
        cents(s.new.recoverable),
        cents(s.old.barred),
        cents(s.new.barred),
        cents(s.old.undetermined),
        cents(s.new.undetermined)
    ));
    if s.old_as_of.zip(s.new_as_of).is_none() {
        line.push_str(" deadline_passed not judged (give --old-as-of and --new-as-of).");
    }
    if !s.written.is_empty() {
        let names: Vec<String> = s.written.iter().map(|p| p.display().to_string()).collect();
        line.push_str(&format!(" Wrote {}.", names.join(", ")));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::ymd;

    fn row(id: &str, outcome: Outcome, deadline: Option<NaiveDate>, recoverable: i64) -> Compact {
        Compact {
            loan_id: id.into(),
            outcome,
            primary: Reason::from_code("sale_covers_debt").expect("a rule code"),
            deadline,
            gross: 1000,
            recoverable,
            barred: 1000 - recoverable,
            undetermined: 0,
        }
    }

    #[test]
    fn a_deadline_passed_between_the_runs_when_open_at_old_and_missed_at_new() {
        let d = ymd(2027, 3, 1);
        let a = row("a", Outcome::Recoverable, Some(d), 1000);
        let as_of = |o, n| Some((o, n));
        // Open at OLD (on or after its as-of), missed at NEW (before its as-of).
        assert_eq!(compare(&a, &a, as_of(ymd(2027, 3, 1), ymd(2027, 3, 2))), Kind::DeadlinePassed.bit());
        // The deadline day itself is still in time.
        assert_eq!(compare(&a, &a, as_of(ymd(2026, 1, 1), d)), 0);
        // Already missed at OLD: not news.
        assert_eq!(compare(&a, &a, as_of(ymd(2027, 3, 2), ymd(2028, 1, 1))), 0);
        // Not judged without both dates; a moved deadline is `deadline`.
        let b = row("a", Outcome::TimeBarred, Some(ymd(2027, 4, 1)), 0);
        let k = compare(&a, &b, None);
        assert_eq!(change_cell(k), "outcome;deadline;amounts");
        let k = compare(&a, &b, as_of(ymd(2026, 1, 1), ymd(2029, 1, 1)));
        assert_eq!(change_cell(k), "outcome;deadline_passed;amounts");
    }

    #[test]
    fn scratch_rows_round_trip() {
        let mut buf = Vec::new();
        let a = row("x,\"y\"", Outcome::NeedsReview, None, 7);
        let b = Compact { primary: Reason::from_code("missing:fair_value").expect("code"), ..a.clone() };
        put(&mut buf, 3, Place::Line(9), &a);
        put_change(&mut buf, 1, 42, &Change { kinds: 0b101, old: Some(b.clone()), new: None });
        let mut r = &buf[..];
        assert_eq!(get(&mut r).unwrap(), Some((3, Place::Line(9), a)));
        let ((class, row), ch) = get_change(&mut r).unwrap().unwrap();
        assert_eq!((class, row, ch.kinds, ch.old, ch.new), (1, 42, 0b101, Some(b), None));
        assert!(get(&mut r).unwrap().is_none());
    }

    #[test]
    fn markdown_and_html_list_at_most_listed_loans_then_how_many_more() {
        let s = DiffSummary { changed: LISTED as u64 + 5, ..Default::default() };
        let listed: Vec<Change> = (0..LISTED)
            .map(|i| Change {
                kinds: Kind::Added.bit(),
                old: None,
                new: Some(row(&format!("L{i}"), Outcome::Barred, None, 0)),
            })
            .collect();
        let md = render::markdown(&s, &listed);
        assert!(md.contains("and 5 more"));
        assert_eq!(md.matches("| added |").count(), LISTED + 1, "the loans and the counts table");
        let html = render::html(&s, &listed);
        assert!(html.contains("and 5 more"));
        assert_eq!(html.matches("<td>added</td>").count(), LISTED + 1, "the loans and the counts table");
    }
}
