//! The record source: reads a performance file, keeps one loan at a time
//! and emits a native record when its records end.

use super::*;

/// One performance / monthly file, translated loan by loan.
pub struct AgencySource {
    pub(crate) header: Header,
    pub(crate) lines: Lines,
    pub(crate) offs: Vec<(usize, usize)>,
    pub(crate) acc: Acc,
}

pub(crate) struct Acc {
    pub(crate) spec: Spec,
    pub(crate) path: String,
    pub(crate) shared: Arc<Mutex<Shared>>,
    pub(crate) state: LoanState,
    pub(crate) open: bool,
    pub(crate) done: bool,
    pub(crate) emitted: u64,
    pub(crate) loans: u64,
    pub(crate) matched: u64,
    pub(crate) reo_proxy: u64,
    pub(crate) counts: BTreeMap<&'static str, u64>,
    /// This source reports acquisition loans never seen in any performance file.
    pub(crate) report_unseen: bool,
}

impl AgencySource {
    pub(crate) fn new(
        lines: Lines,
        spec: Spec,
        shared: Arc<Mutex<Shared>>,
        report_unseen: bool,
    ) -> Result<AgencySource, InputError> {
        let names: Vec<String> = COLUMNS.iter().map(|f| f.name().to_string()).collect();
        let header = Header::new(&lines.path, &names)?;
        let path = lines.path.clone();
        Ok(AgencySource {
            header,
            lines,
            offs: Vec::with_capacity(128),
            acc: Acc {
                spec,
                path,
                shared,
                state: LoanState::default(),
                open: false,
                done: false,
                emitted: 0,
                loans: 0,
                matched: 0,
                reo_proxy: 0,
                counts: BTreeMap::new(),
                report_unseen,
            },
        })
    }
}

impl Acc {
    pub(crate) fn err(&self, message: String) -> InputError {
        InputError::Other { path: self.path.clone(), message }
    }

    /// A problem at `line` of this file.
    pub(crate) fn err_at(&self, line: u64, message: String) -> InputError {
        InputError::Line { path: self.path.clone(), line, message }
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a new loan at `line_no`, checking its records were not seen before.
    pub(crate) fn start(&mut self, id: &str, line_no: u64) -> Result<(), InputError> {
        if self.lock().finished.contains(&crate::loan::id_fingerprint(id)) {
            return Err(self.err_at(line_no, format!(
                "loan {id} appears again after other loans' records. The reader needs each loan's monthly records \
                 together (as the agencies publish them); sort the file by loan identifier, or check that no file was given twice."
            )));
        }
        self.state.reset(id);
        self.open = true;
        self.loans += 1;
        Ok(())
    }

    pub(crate) fn absorb(&mut self, row: &Row, line_no: u64) -> Result<(), InputError> {
        let raw_period = row.get(self.spec.period);
        let Some(p) = date_of(self.spec.agency, raw_period) else {
            return Err(self.err_at(
                line_no,
                format!("the monthly reporting period (field {}) {raw_period:?} is not a date", self.spec.period + 1),
            ));
        };
        let period = u32::try_from(p.year()).unwrap_or(0) * 10_000 + p.month() * 100 + p.day();
        let st = &mut self.state;
        st.records += 1;
        if period >= st.max_period {
            st.max_period = period;
            st.line = line_no;
        }
        for &(k, i) in &self.spec.keys {
            let v = row.get(i);
            if !blank(v)
                && let Some(slot) = st.slots.get_mut(k as usize)
            {
                slot.offer(period, v);
            }
        }
        let upb = row.get(self.spec.upb);
        if !blank(upb) && amount(upb) != Some(Money::ZERO) {
            st.last_upb.offer(period, upb);
        }
        if let Some(i) = self.spec.dlq {
            let d = row.get(i);
            if (d.eq_ignore_ascii_case("R") || d.eq_ignore_ascii_case("RA"))
                && st.first_reo.is_none_or(|(q, _)| period < q)
            {
                st.first_reo = Some((period, p));
            }
        }
        Ok(())
    }

    /// Ends the open loan; returns the record to emit, if any.
    pub(crate) fn finish(&mut self, slot: &mut RawRecord) -> bool {
        if !self.open {
            return false;
        }
        self.open = false;
        let fp = crate::loan::id_fingerprint(&self.state.id);
        let paired = self.spec.kind != FileKind::FannieCombined;
        let orig = {
            let mut sh = self.lock();
            sh.finished.insert(fp);
            match sh.orig.as_mut() {
                Some(t) if paired => match t.index.get(self.state.id.as_str()).copied() {
                    Some(i) => {
                        if let Some(s) = t.seen.get_mut(i as usize) {
                            *s = true;
                        }
                        t.facts.get(i as usize).cloned()
                    }
                    None => None,
                },
                _ => None,
            }
        };
        if orig.is_some() {
            self.matched += 1;
        }
        let t = match self.spec.agency {
            Agency::Fannie => fannie::translate(&self.state, &self.spec, orig.as_ref()),
            Agency::Freddie => freddie::translate(&self.state, &self.spec, orig.as_ref()),
        };
        match t {
            Translation::Skip(cat) => {
                *self.counts.entry(cat).or_default() += 1;
                false
            }
            Translation::Emit { cells, reo_proxy } => {
                if reo_proxy {
                    self.reo_proxy += 1;
                }
                self.emitted += 1;
                let record = slot.record_mut();
                record.clear();
                for c in cells.c.iter() {
                    record.push_field(c.as_bytes());
                }
                slot.validate();
                slot.bad = cells.bad;
                slot.row = self.emitted;
                slot.line = Some(self.state.line);
                true
            }
        }
    }

    pub(crate) fn end_of_file(&mut self) -> Result<(), InputError> {
        self.done = true;
        let paired = self.spec.kind != FileKind::FannieCombined;
        if paired && self.loans > 0 && self.matched == 0 {
            let what = if self.spec.agency == Agency::Freddie { "origination" } else { "acquisition" };
            return Err(self.err(format!(
                "none of the {} loans in this file appears in the {what} file(s) given; give the {what} file of the same quarter",
                self.loans
            )));
        }
        if self.report_unseen {
            let sh = self.lock();
            if let Some(t) = sh.orig.as_ref() {
                let unseen = t.seen.iter().filter(|s| !**s).count() as u64;
                drop(sh);
                if unseen > 0 {
                    *self.counts.entry(category::NO_PERFORMANCE).or_default() += unseen;
                }
            }
        }
        Ok(())
    }
}

impl RecordSource for AgencySource {
    fn header(&self) -> &Header {
        &self.header
    }

    fn next_batch(&mut self, batch: &mut crate::input::Batch, max: usize) -> Result<usize, InputError> {
        let batch = batch.records_mut();
        if batch.len() < max {
            batch.resize_with(max, RawRecord::default);
        }
        let mut n = 0;
        while n < max && !self.acc.done {
            let Some((line_no, text)) = self.lines.next()? else {
                if let Some(slot) = batch.get_mut(n)
                    && self.acc.finish(slot)
                {
                    n += 1;
                }
                self.acc.end_of_file()?;
                break;
            };
            split(text, &mut self.offs);
            let row = Row::new(text, &self.offs);
            if row.len() != self.acc.spec.width {
                return Err(self.acc.err_at(
                    line_no,
                    format!(
                        "it has {} fields, but this file's first record has {}; check for a stray or missing delimiter",
                        row.len(),
                        self.acc.spec.width
                    ),
                ));
            }
            let id = row.get(self.acc.spec.id);
            if blank(id) {
                return Err(self
                    .acc
                    .err_at(line_no, format!("the loan identifier (field {}) is blank", self.acc.spec.id + 1)));
            }
            if !self.acc.open || self.acc.state.id != id {
                if let Some(slot) = batch.get_mut(n)
                    && self.acc.finish(slot)
                {
                    n += 1;
                }
                self.acc.start(id, line_no)?;
            }
            self.acc.absorb(&row, line_no)?;
        }
        Ok(n)
    }

    fn not_assessed(&self) -> Vec<(String, u64)> {
        self.acc.counts.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn warnings(&self) -> Vec<String> {
        if self.acc.reo_proxy == 0 {
            return Vec::new();
        }
        vec![format!(
            "{}: {} loan(s) ended in REO or a deed in lieu: their sale_price is the net proceeds of the later \
             REO resale, not the foreclosure-sale bid or the credit given, which the data do not carry \
             (see the README section on Fannie Mae and Freddie Mac data)",
            self.acc.path, self.acc.reo_proxy
        )]
    }
}
