//! The deadline watch (README "Deadline watch"): the loans someone must act
//! on before a deadline passes, and the ones whose deadline passed lately.
//!
//! Watched: a `recoverable` or `partially_recoverable` loan (at stake: its
//! recoverable amount), or a `needs_review` loan with an undetermined amount
//! (its decision could still make that much recoverable), whose
//! `action_deadline` is on or after the as-of date and at most the longest
//! window (default 90 days) after it. Lost this month: a `time_barred` loan
//! whose `action_deadline` fell in the [`LOST_DAYS`] days before the as-of
//! date (at stake: what is now barred).
//!
//! Each window counts every loan due within it (the 60-day figure includes
//! the 30-day loans). Loans are listed by deadline, then the larger amount
//! first, then loan id and row, so any thread count and any merge order give
//! the same list.

use crate::money::Money;
use crate::rules::{Outcome, Reason};
use chrono::NaiveDate;

/// The windows, in days after the as-of date, when `--watch-days` is not given.
pub const DEFAULT_DAYS: [u32; 3] = [30, 60, 90];

/// How far back a passed deadline counts as "lost this month".
pub const LOST_DAYS: u32 = 30;

/// Loans listed in the Markdown and HTML reports before "and N more" (the
/// JSON and CSV reports list every one).
pub const LIST_LIMIT: usize = 500;

/// The longest window `--watch-days` accepts (ten years).
pub const MAX_DAYS: u32 = 3650;

/// Parses `--watch-days`: day counts separated by commas (`30,60,90`), each
/// from 1 to [`MAX_DAYS`]; sorted, repeats dropped.
pub fn parse_days(s: &str) -> Result<Vec<u32>, String> {
    let mut days = Vec::new();
    for part in s.split(',') {
        let p = part.trim();
        let d: u32 = p.parse().map_err(|_| format!("--watch-days: {p:?} is not a number of days"))?;
        if d == 0 || d > MAX_DAYS {
            return Err(format!("--watch-days: {d} is not between 1 and {MAX_DAYS} days"));
        }
        days.push(d);
    }
    days.sort_unstable();
    days.dedup();
    Ok(days)
}

/// A loan on the watch (or lost this month).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub loan_id: String,
    /// Its row in the input, to keep equal loan ids of different rows apart.
    pub row: u64,
    pub outcome: Outcome,
    pub primary: Reason,
    /// The amount at stake: recoverable, undetermined (`needs_review`) or
    /// barred (lost).
    pub amount: Money,
    pub deadline: NaiveDate,
}

/// What decides whether a row is watched: the as-of date and the longest window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub as_of: NaiveDate,
    pub horizon: u32,
}

/// The fields of a results row the watch reads.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub loan_id: &'a str,
    pub row: u64,
    pub outcome: Outcome,
    pub primary: Reason,
    pub deadline: Option<NaiveDate>,
    pub recoverable: Money,
    pub barred: Money,
    pub undetermined: Money,
}

impl Candidate<'_> {
    /// The results row of an assessed loan.
    pub fn of(r: &crate::output::ResultRow) -> Candidate<'_> {
        let a = &r.assessment;
        Candidate {
            loan_id: &r.loan_id,
            row: r.row,
            outcome: a.outcome,
            primary: a.primary(),
            deadline: a.action_deadline,
            recoverable: a.recoverable,
            barred: a.barred,
            undetermined: a.undetermined,
        }
    }
}

impl Span {
    /// The row's entry when it is watched or lost this month.
    pub fn entry(&self, c: &Candidate) -> Option<Entry> {
        let deadline = c.deadline?;
        let days = (deadline - self.as_of).num_days();
        let amount = if (0..=i64::from(self.horizon)).contains(&days) {
            match c.outcome {
                Outcome::Recoverable | Outcome::PartiallyRecoverable => c.recoverable,
                Outcome::NeedsReview if !c.undetermined.is_zero() => c.undetermined,
                _ => return None,
            }
        } else if (-i64::from(LOST_DAYS)..0).contains(&days) && c.outcome == Outcome::TimeBarred {
            c.barred
        } else {
            return None;
        };
        Some(Entry {
            loan_id: c.loan_id.to_string(),
            row: c.row,
            outcome: c.outcome,
            primary: c.primary,
            amount,
            deadline,
        })
    }
}

/// One window's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub days: u32,
    pub loans: u64,
    pub amount: Money,
}

/// The deadline watch of a report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Watch {
    /// The as-of date the days are counted from (`None`: no watch, e.g.
    /// `deficiency report` without `--as-of`).
    pub as_of: Option<NaiveDate>,
    /// The windows, ascending.
    pub days: Vec<u32>,
    /// Watched and lost loans, in list order ([`Watch::sort`]).
    pub entries: Vec<Entry>,
}

impl Watch {
    pub fn new(as_of: NaiveDate, days: &[u32]) -> Watch {
        Watch { as_of: Some(as_of), days: days.to_vec(), entries: Vec::new() }
    }

    /// What rows must pass to be kept, if there is a watch.
    pub fn span(&self) -> Option<Span> {
        Some(Span { as_of: self.as_of?, horizon: *self.days.last()? })
    }

    /// Adds entries and puts the list back in order.
    pub fn extend(&mut self, entries: impl IntoIterator<Item = Entry>) {
        self.entries.extend(entries);
        self.sort();
    }

    fn sort(&mut self) {
        self.entries.sort_by(|a, b| {
            (a.deadline, std::cmp::Reverse(a.amount), &a.loan_id, a.row).cmp(&(
                b.deadline,
                std::cmp::Reverse(b.amount),
                &b.loan_id,
                b.row,
            ))
        });
    }

    /// Days from the as-of date to the entry's deadline (negative: passed).
    pub fn days_left(&self, e: &Entry) -> i64 {
        self.as_of.map_or(0, |a| (e.deadline - a).num_days())
    }

    /// The smallest window the entry falls in (`None`: lost).
    pub fn window_of(&self, e: &Entry) -> Option<u32> {
        let left = self.days_left(e);
        self.days.iter().copied().find(|d| left >= 0 && left <= i64::from(*d))
    }

    /// Loans whose deadline is still ahead, soonest first.
    pub fn upcoming(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| self.days_left(e) >= 0)
    }

    /// Loans whose deadline passed in the last [`LOST_DAYS`] days.
    pub fn lost(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| self.days_left(e) < 0)
    }

    /// Each window's loans and amount (a window counts every loan due within it).
    pub fn windows(&self) -> Vec<Window> {
        self.days
            .iter()
            .map(|&days| {
                let within = self.upcoming().filter(|e| self.days_left(e) <= i64::from(days));
                let (loans, amount) = within.fold((0u64, Money::ZERO), |(n, m), e| (n + 1, m + e.amount));
                Window { days, loans, amount }
            })
            .collect()
    }

    /// The lost loans' count and amount.
    pub fn lost_total(&self) -> Window {
        let (loans, amount) = self.lost().fold((0u64, Money::ZERO), |(n, m), e| (n + 1, m + e.amount));
        Window { days: LOST_DAYS, loans, amount }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn cand(outcome: Outcome, deadline: &str, recoverable: i64, undetermined: i64) -> Candidate<'static> {
        Candidate {
            loan_id: "L",
            row: 1,
            outcome,
            primary: Reason::Rule(Rule::NonjudicialDeficiency),
            deadline: Some(d(deadline)),
            recoverable: Money::from(recoverable),
            barred: Money::from(7),
            undetermined: Money::from(undetermined),
        }
    }

    #[test]
    fn parse_days_sorts_and_rejects_nonsense() {
        assert_eq!(parse_days("90, 30,60,30"), Ok(vec![30, 60, 90]));
        assert!(parse_days("0").is_err());
        assert!(parse_days("30,x").is_err());
        assert!(parse_days("3651").is_err());
    }

    #[test]
    fn which_rows_are_watched() {
        let span = Span { as_of: d("2026-01-15"), horizon: 90 };
        // On the as-of date and on the last day of the longest window: watched.
        assert!(span.entry(&cand(Outcome::Recoverable, "2026-01-15", 5, 0)).is_some());
        assert!(span.entry(&cand(Outcome::Recoverable, "2026-04-15", 5, 0)).is_some());
        assert!(span.entry(&cand(Outcome::Recoverable, "2026-04-16", 5, 0)).is_none());
        // Needs review only with something undetermined.
        assert_eq!(span.entry(&cand(Outcome::NeedsReview, "2026-02-01", 0, 9)).map(|e| e.amount), Some(Money::from(9)));
        assert!(span.entry(&cand(Outcome::NeedsReview, "2026-02-01", 0, 0)).is_none());
        assert!(span.entry(&cand(Outcome::Barred, "2026-02-01", 0, 0)).is_none());
        // Lost: time-barred within the last 30 days, at stake what is barred.
        assert_eq!(span.entry(&cand(Outcome::TimeBarred, "2025-12-16", 0, 0)).map(|e| e.amount), Some(Money::from(7)));
        assert!(span.entry(&cand(Outcome::TimeBarred, "2025-12-15", 0, 0)).is_none());
        assert!(span.entry(&cand(Outcome::Recoverable, "2026-01-14", 5, 0)).is_none());
    }

    #[test]
    fn windows_are_cumulative_and_the_list_is_ordered() {
        let span = Span { as_of: d("2026-01-15"), horizon: 90 };
        let mut w = Watch::new(d("2026-01-15"), &DEFAULT_DAYS);
        let e = |id: &str, deadline: &str, amount: i64| {
            let mut c = cand(Outcome::Recoverable, deadline, amount, 0);
            c.loan_id = Box::leak(id.to_string().into_boxed_str());
            span.entry(&c).expect("watched")
        };
        let entries = vec![e("C", "2026-03-01", 1), e("A", "2026-02-01", 2), e("B", "2026-02-01", 3)];
        w.extend(entries);
        let ids: Vec<&str> = w.entries.iter().map(|e| e.loan_id.as_str()).collect();
        assert_eq!(ids, ["B", "A", "C"]);
        let windows = w.windows();
        assert_eq!(windows.iter().map(|w| w.loans).collect::<Vec<_>>(), [2, 3, 3]);
        assert_eq!(windows[0].amount, Money::from(5));
        assert_eq!(w.window_of(&w.entries[2]), Some(60));
    }
}
