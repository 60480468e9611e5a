//! The ordered writer: drops duplicate loan ids, writes results and rejects
//! in input order, and adds each loan to the report.

use super::duplicates::FingerprintSet;
use super::schedule::{FileEnd, Msg, Piece};
use super::sink::{Results, Sink, out_err, wr};
use super::{RunConfig, RunError};
use crate::input::Reject;
use crate::report::{InputInfo, Line, Report};
use std::sync::mpsc;

pub(super) struct Writer<'a> {
    pub(super) cfg: &'a RunConfig,
    pub(super) sink: Sink,
    pub(super) report: Report,
    pub(super) seen: FingerprintSet,
    /// Scratch: per row of a piece, whether its loan id was new.
    pub(super) fresh: Vec<bool>,
    pub(super) tally: crate::report::tally::Tally,
    pub(super) progress: Option<indicatif::ProgressBar>,
    /// Warnings the sources gave at the end of their files.
    pub(super) warnings: Vec<String>,
}

impl<'a> Writer<'a> {
    pub(super) fn new(
        cfg: &'a RunConfig,
        sink: Sink,
        report: Report,
        progress: Option<indicatif::ProgressBar>,
    ) -> Self {
        Writer {
            cfg,
            sink,
            report,
            seen: FingerprintSet::default(),
            fresh: Vec::new(),
            tally: Default::default(),
            progress,
            warnings: Vec::new(),
        }
    }

    pub(super) fn end_file(&mut self, end: FileEnd) {
        self.report.inputs.push(InputInfo { path: end.path, rows: end.rows });
        for (k, n) in end.not_assessed {
            *self.report.not_assessed.entry(k).or_default() += n;
        }
        self.warnings.extend(end.warnings);
    }

    /// Writes the assessed pieces of one batch, in order, leaving them empty
    /// for reuse.
    pub(super) fn batch(&mut self, pieces: &mut [Piece], header: &crate::input::Header) -> Result<(), RunError> {
        for piece in pieces {
            self.piece(piece, header)?;
        }
        if let Some(pb) = &self.progress {
            pb.set_message(format!("{} rows", self.report.rows.read));
            pb.tick();
        }
        Ok(())
    }

    pub(super) fn piece(&mut self, piece: &mut Piece, header: &crate::input::Header) -> Result<(), RunError> {
        let cfg = self.cfg;
        self.tally.absorb(&mut piece.tally);
        // Which assessed rows are the first with their loan id, in order.
        let items = &piece.items;
        self.seen.insert_all(&piece.hashes, |j| matches!(items[j], Ok(Ok(_))), &mut self.fresh);
        // CSV bytes not yet written start here.
        let mut pending = 0;
        // Rows are read in place (the next fill of this piece frees them).
        for (j, item) in piece.items.iter().enumerate() {
            self.report.rows.read += 1;
            let duplicate;
            let rej = match item {
                Err(bug) => return Err(bug.clone().into()),
                Ok(Ok(row)) if self.fresh[j] => {
                    self.sink.results.write_row(row).map_err(|e| out_err(cfg, e))?;
                    self.report.rows.assessed += 1;
                    continue;
                }
                Ok(Ok(row)) => {
                    // A duplicate: the worker wrote and tallied it; take it out.
                    self.tally.remove(&Line::of(row));
                    self.tally.unwatch(self.report.watch.span(), &crate::report::watch::Candidate::of(row));
                    if let Results::Csv(w) = &mut self.sink.results {
                        let begin = j.checked_sub(1).map_or(0, |p| piece.ends[p]);
                        w.write_raw(&piece.csv[pending..begin]).map_err(|e| out_err(cfg, e))?;
                    }
                    pending = piece.ends[j];
                    duplicate = Reject {
                        file: header.path.clone(),
                        row: row.row,
                        line: row.line,
                        loan_id: Some(row.loan_id.clone()),
                        column: "loan_id".into(),
                        value: row.loan_id.clone(),
                        error: super::DUPLICATE_LOAN_ID.into(),
                    };
                    &duplicate
                }
                Ok(Err(rej)) => rej,
            };
            self.report.rows.rejected += 1;
            self.sink.rejects.write(rej).map_err(wr(&self.sink.rejects_name))?;
            if let Some(max) = cfg.max_rejects
                && self.report.rows.rejected > max
            {
                return Err(RunError::TooManyRejects {
                    rejected: self.report.rows.rejected,
                    max,
                    last: rej.to_string(),
                });
            }
        }
        if let Results::Csv(w) = &mut self.sink.results {
            w.write_raw(&piece.csv[pending..]).map_err(|e| out_err(cfg, e))?;
        }
        Ok(())
    }

    pub(super) fn finish(self) -> (Sink, Report) {
        if let Some(pb) = self.progress {
            pb.finish_and_clear();
        }
        let mut report = self.report;
        self.tally.fold_into(&mut report);
        report.warnings = self.warnings;
        (self.sink, report)
    }
}

/// Runs the writer stage on its own thread, fed by a channel.
pub(super) fn write_stage<'a>(
    mut w: Writer<'a>,
    rx: mpsc::Receiver<Msg<(Vec<Piece>, usize)>>,
    done: mpsc::Sender<Vec<Piece>>,
) -> Result<Writer<'a>, RunError> {
    for msg in rx.iter() {
        match msg {
            Msg::End(end) => w.end_file(end),
            Msg::Batch((mut pieces, count), _, header) => {
                w.batch(&mut pieces[..count], &header)?;
                let _ = done.send(pieces);
            }
        }
    }
    Ok(w)
}
