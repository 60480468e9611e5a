//! A fast running tally for the writer stage: one hash lookup and a few
//! integer additions per loan (amounts in whole cents, exact), folded into a
//! [`Report`] once at the end. Same totals as [`Report::add`], cheaper.

use super::watch::{Candidate, Entry, Span};
use super::{Group, Line, Report};
use crate::loan::EventType;
use crate::money::Money;
use crate::rules::{Outcome, Reason};
use rustc_hash::FxHashMap as HashMap;

type Key = (Outcome, Reason, EventType, Option<u32>, i32, u64);

#[derive(Default, Clone, Copy)]
struct Sums {
    loans: u64,
    agency_loans: u64,
    /// total debt, gross, recoverable, barred, undetermined, agency net loss
    cents: [i128; 6],
}

/// Running sums by every report dimension at once, and the loans on the
/// deadline watch.
#[derive(Default, Clone)]
pub struct Tally {
    map: HashMap<Key, Sums>,
    watched: Vec<Entry>,
}

use crate::money::to_cents;

fn from_cents(c: i128) -> Money {
    Money::from_i128_with_scale(c, 2)
}

impl Tally {
    /// Adds one loan.
    pub fn add(&mut self, l: &Line) {
        let s =
            self.map.entry((l.outcome, l.primary, l.event_type, l.lien_position, l.event_year, l.flags)).or_default();
        let g = &l.amounts;
        s.loans += g.loans;
        s.agency_loans += g.agency_loans;
        for (acc, m) in
            s.cents.iter_mut().zip([g.total_debt, g.gross, g.recoverable, g.barred, g.undetermined, g.agency_net_loss])
        {
            *acc += to_cents(m);
        }
    }

    /// Takes one loan back out (a row the writer found to be a duplicate
    /// after a worker had tallied it).
    pub fn remove(&mut self, l: &Line) {
        let s =
            self.map.entry((l.outcome, l.primary, l.event_type, l.lien_position, l.event_year, l.flags)).or_default();
        let g = &l.amounts;
        s.loans -= g.loans.min(s.loans);
        s.agency_loans -= g.agency_loans.min(s.agency_loans);
        for (acc, m) in
            s.cents.iter_mut().zip([g.total_debt, g.gross, g.recoverable, g.barred, g.undetermined, g.agency_net_loss])
        {
            *acc -= to_cents(m);
        }
    }

    /// Keeps the loan when it is on the deadline watch of `span`.
    pub fn watch(&mut self, span: Option<Span>, c: &Candidate) {
        if let Some(e) = span.and_then(|s| s.entry(c)) {
            self.watched.push(e);
        }
    }

    /// Takes a loan back off the watch (a duplicate row; see [`Tally::remove`]).
    pub fn unwatch(&mut self, span: Option<Span>, c: &Candidate) {
        if let Some(e) = span.and_then(|s| s.entry(c))
            && let Some(i) = self.watched.iter().rposition(|x| *x == e)
        {
            self.watched.remove(i);
        }
    }

    /// Adds another tally's sums (a worker's piece of a batch) to this one
    /// and empties it, keeping its memory for reuse.
    pub fn absorb(&mut self, other: &mut Tally) {
        self.watched.append(&mut other.watched);
        for (k, o) in other.map.drain() {
            let s = self.map.entry(k).or_default();
            s.loans += o.loans;
            s.agency_loans += o.agency_loans;
            for (acc, c) in s.cents.iter_mut().zip(o.cents) {
                *acc += c;
            }
        }
    }

    /// Adds everything tallied to `report`, in a fixed order.
    pub fn fold_into(self, report: &mut Report) {
        report.watch.extend(self.watched);
        let mut entries: Vec<(Key, Sums)> = self.map.into_iter().collect();
        entries.sort_by_key(|a| a.0);
        for ((outcome, primary, event_type, lien_position, event_year, flags), s) in entries {
            if s.loans == 0 {
                continue; // only duplicates were tallied here, and taken out
            }
            let [t, g, r, b, u, n] = s.cents.map(from_cents);
            report.add(&Line {
                outcome,
                primary,
                event_type,
                lien_position,
                event_year,
                flags,
                amounts: Group {
                    loans: s.loans,
                    total_debt: t,
                    gross: g,
                    recoverable: r,
                    barred: b,
                    undetermined: u,
                    agency_loans: s.agency_loans,
                    agency_net_loss: n,
                },
            });
        }
    }
}
