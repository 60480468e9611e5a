//! Deadline arithmetic (docs/law.md "How deadlines are computed").
//!
//! - "'Month' means a calendar month, unless otherwise expressed" (CCP 17(b)(4);
//!   Gov. Code 6804): take the same day of the month `n` months later.
//! - A day the target month lacks (29/30/31) is clipped to its last day by
//!   default ([`MonthEnd::Clip`]; UNVERIFIED, a setting).
//! - "computed by excluding the first day, and including the last, unless the
//!   last day is a holiday, and then it is also excluded" (CCP 12); a period
//!   ending on a holiday "is hereby extended to and including the next day
//!   that is not a holiday" (CCP 12a), holidays being Saturdays, Sundays and
//!   the judicial holidays of CCP 135 ([`HolidayCalendar`]).
//! - Cal. Rules of Court, emergency rule 9 tolled civil limitations periods
//!   in 2020: periods over 180 days from 2020-04-06 until 2020-10-01, periods
//!   of 180 days or less until 2020-08-03. Tolling stops the clock: a period
//!   running on 2020-04-06 gets the window's days added back; a period that
//!   starts inside the window starts when the window ends.

use crate::dates::ymd;
use crate::holidays::HolidayCalendar;
use crate::settings::MonthEnd;
use chrono::{Datelike, Days, Months, NaiveDate};

/// A tolling window `[start, end)`: the clock does not run from `start`
/// until `end`; an open window (`end` = `None`, military service that has not
/// ended) stops it indefinitely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub name: &'static str,
}

impl Window {
    pub const fn closed(start: NaiveDate, end: NaiveDate, name: &'static str) -> Window {
        Window { start, end: Some(end), name }
    }
}

/// A tolling window `[start, end)` (kept for the fixed 2020 windows).
pub type Tolling = Window;

/// Emergency rule 9(a): limitations periods over 180 days, tolled 178 days.
pub const RULE_9_LONG: Window = Window::closed(ymd(2020, 4, 6), ymd(2020, 10, 1), "emergency rule 9(a)");
/// Emergency rule 9(b): limitations periods of 180 days or less, tolled 119 days.
pub const RULE_9_SHORT: Window = Window::closed(ymd(2020, 4, 6), ymd(2020, 8, 3), "emergency rule 9(b)");
/// Emergency rule 2: judicial foreclosures stayed 2020-04-06 to 2020-09-01 (148 days).
pub const RULE_2: Window = Window::closed(ymd(2020, 4, 6), ymd(2020, 9, 1), "emergency rule 2");
/// The name of the military-service window (50 U.S.C. 3936).
pub const MILITARY_SERVICE: &str = "military service";

/// The last date the layout can write (`YYYY-MM-DD`); computed dates past
/// it (from absurd input dates) are held there.
pub const LAST_DATE: NaiveDate = ymd(9999, 12, 31);

/// `start` plus `months` calendar months, before any roll-forward.
pub fn add_months(start: NaiveDate, months: u32, mode: MonthEnd) -> NaiveDate {
    let d = match mode {
        // chrono clips to the last day of the target month.
        MonthEnd::Clip => start.checked_add_months(Months::new(months)),
        MonthEnd::Overflow => start
            .with_day(1)
            .and_then(|first| first.checked_add_months(Months::new(months)))
            .and_then(|target_first| target_first.checked_add_days(Days::new(u64::from(start.day() - 1)))),
    };
    d.unwrap_or(LAST_DATE).min(LAST_DATE)
}

/// `d` plus `days` calendar days, held at [`LAST_DATE`].
pub fn add_days(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap_or(LAST_DATE).min(LAST_DATE)
}

/// The names of one or more merged windows (no allocation for up to three).
pub type Names = smallvec::SmallVec<[&'static str; 3]>;

/// A computed deadline, with how it was reached (for `explain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// The last day to act; `None` while an open window (service without an
    /// end) stops the clock: the deadline cannot pass.
    pub date: Option<NaiveDate>,
    /// The date the months were added to (moved by tolling if it started in a window).
    pub start: NaiveDate,
    pub months: u32,
    /// `start` + months, before tolling and roll-forward.
    pub raw: NaiveDate,
    /// The windows that added days, with their days (merged windows named together).
    pub tolled: smallvec::SmallVec<[(Names, u64); 2]>,
    /// The date after tolling, before roll-forward.
    pub before_roll: NaiveDate,
    /// The deadline lies past the holiday calendar's last year.
    pub beyond_calendar: bool,
    /// A window named `military service` moved the start or added days.
    pub moved_by_service: bool,
    /// What moved the start, when a window did.
    pub start_moved_by: Option<Names>,
    /// The open window that leaves the deadline without a date.
    pub open_by: Option<Names>,
}

impl Deadline {
    /// The days added back by tolling.
    pub fn tolled_days(&self) -> u64 {
        self.tolled.iter().map(|(_, d)| d).sum()
    }

    /// A one-line account, e.g. `2019-10-01 + 48 months = 2023-10-01 + 178
    /// days (emergency rule 9(a)) + 365 days (military service) = 2025-03-27`.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        if let Some(by) = &self.start_moved_by {
            s.push_str(&format!("the period starts when {} ends, {}: ", by.join(" and "), self.start));
        }
        s.push_str(&format!("{} + {} months = {}", self.start, self.months, self.raw));
        for (names, days) in &self.tolled {
            s.push_str(&format!(" + {days} days ({})", names.join(" and ")));
        }
        match self.date {
            None => s.push_str(&format!(
                "; {} has no end: the clock is stopped, no deadline yet",
                self.open_by.as_ref().map(|n| n.join(" and ")).unwrap_or_else(|| "a window".into())
            )),
            Some(date) => {
                if !self.tolled.is_empty() {
                    s.push_str(&format!(" = {}", self.before_roll));
                }
                if date != self.before_roll {
                    s.push_str(&format!("; {} is a weekend or court holiday, so {date}", self.before_roll));
                }
            }
        }
        s
    }
}

/// A merged window: start, end (`None`: open), names, whether it holds
/// military service.
type Merged = (NaiveDate, Option<NaiveDate>, Names, bool);

/// Merges windows into disjoint ascending windows (overlapping or touching
/// windows merge), keeping their names. No allocation for a few windows.
fn merge(windows: &[Window]) -> smallvec::SmallVec<[Merged; 4]> {
    let mut ws: smallvec::SmallVec<[Window; 4]> = windows.iter().copied().collect();
    ws.sort_by_key(|w| w.start);
    let mut out: smallvec::SmallVec<[Merged; 4]> = smallvec::SmallVec::new();
    for w in ws {
        let service = w.name == MILITARY_SERVICE;
        if let Some(last) = out.last_mut() {
            let touches = match last.1 {
                None => true,
                Some(end) => w.start <= end,
            };
            if touches {
                last.1 = match (last.1, w.end) {
                    (None, _) | (_, None) => None,
                    (Some(a), Some(b)) => Some(a.max(b)),
                };
                if !last.2.contains(&w.name) {
                    last.2.push(w.name);
                }
                last.3 |= service;
                continue;
            }
        }
        let mut names = Names::new();
        names.push(w.name);
        out.push((w.start, w.end, names, service));
    }
    out
}

/// The last day of a period of `months` calendar months from `start`, not
/// counting the days inside `windows` (docs/law.md "How deadlines are computed"), then rolled forward past
/// weekends and court holidays when `roll` is set. With one window this is
/// exactly the v1 deadline.
pub fn period_end(
    start: NaiveDate,
    months: u32,
    windows: &[Window],
    mode: MonthEnd,
    roll: bool,
    calendar: &HolidayCalendar,
) -> Deadline {
    Windows::merge(windows).period_end(start, months, mode, roll, calendar)
}

/// Windows merged once, for many periods over the same windows (a note's
/// installments, one period each).
pub struct Windows(smallvec::SmallVec<[Merged; 4]>);

impl Windows {
    pub fn merge(windows: &[Window]) -> Windows {
        Windows(merge(windows))
    }

    /// [`period_end`] over these windows.
    pub fn period_end(
        &self,
        start: NaiveDate,
        months: u32,
        mode: MonthEnd,
        roll: bool,
        calendar: &HolidayCalendar,
    ) -> Deadline {
        period_end_merged(start, months, &self.0, mode, roll, calendar)
    }
}

fn period_end_merged(
    start: NaiveDate,
    months: u32,
    merged: &[Merged],
    mode: MonthEnd,
    roll: bool,
    calendar: &HolidayCalendar,
) -> Deadline {
    let mut s = start;
    let mut moved_by_service = false;
    let mut start_moved_by = None;
    let open = |s: NaiveDate, moved_by_service: bool, start_moved_by: Option<Names>, by: &Names| Deadline {
        date: None,
        start: s,
        months,
        raw: s,
        tolled: smallvec::SmallVec::new(),
        before_roll: s,
        beyond_calendar: false,
        moved_by_service,
        start_moved_by,
        open_by: Some(by.clone()),
    };
    for (a, b, names, service) in merged {
        if *a <= s && b.is_none_or(|b| s < b) {
            match b {
                Some(b) => {
                    s = *b;
                    moved_by_service |= service;
                    start_moved_by = Some(names.clone());
                }
                None => return open(s, moved_by_service, None, names),
            }
        }
    }
    let raw = add_months(s, months, mode);
    let mut e = raw;
    let mut tolled = smallvec::SmallVec::new();
    for (a, b, names, service) in merged {
        if s < *a && *a <= e {
            match b {
                Some(b) => {
                    let days = (*b - *a).num_days().max(0) as u64;
                    e = add_days(e, days);
                    tolled.push((names.clone(), days));
                    moved_by_service |= service;
                }
                None => {
                    let mut d = open(s, moved_by_service, start_moved_by, names);
                    d.raw = raw;
                    d.tolled = tolled;
                    return d;
                }
            }
        }
    }
    let date = if roll { calendar.roll_forward(e).min(LAST_DATE) } else { e };
    Deadline {
        date: Some(date),
        start: s,
        months,
        raw,
        tolled,
        before_roll: e,
        beyond_calendar: !calendar.covers(date),
        moved_by_service,
        start_moved_by,
        open_by: None,
    }
}

/// The last day of a period of `months` calendar months starting at `start`,
/// tolled by `tolling` when given, then rolled forward past weekends and court
/// holidays when `roll` is set: [`period_end`] with at most one window.
pub fn deadline(
    start: NaiveDate,
    months: u32,
    mode: MonthEnd,
    tolling: Option<Tolling>,
    roll: bool,
    calendar: &HolidayCalendar,
) -> Deadline {
    let windows: Vec<Window> = tolling.into_iter().collect();
    period_end(start, months, &windows, mode, roll, calendar)
}

/// `d` plus `days` calendar days, rolled forward past weekends and court
/// holidays (CCP 12a): the 30 days of 11 U.S.C. 108(c), the 60 of 108(b),
/// the 90 of Probate Code 9353.
pub fn days_then_roll(d: NaiveDate, days: u64, calendar: &HolidayCalendar) -> NaiveDate {
    calendar.roll_forward(add_days(d, days)).min(LAST_DATE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// docs/law.md "How deadlines are computed", month arithmetic and roll-forward, no tolling.
    #[test]
    fn deadline_table_5_1() {
        let cal = HolidayCalendar::embedded();
        let table = [
            ("2024-05-21", 3, "2024-08-21", "2024-08-21"),
            ("2023-11-30", 3, "2024-02-29", "2024-02-29"),
            ("2022-11-30", 3, "2023-02-28", "2023-02-28"),
            ("2024-03-15", 3, "2024-06-15", "2024-06-17"),
            ("2020-11-30", 3, "2021-02-28", "2021-03-01"),
            ("2025-12-01", 3, "2026-03-01", "2026-03-02"),
            ("2025-03-31", 3, "2025-06-30", "2025-06-30"),
            ("2019-03-15", 48, "2023-03-15", "2023-03-15"),
            ("2020-06-30", 48, "2024-06-30", "2024-07-01"),
            ("2024-07-10", 12, "2025-07-10", "2025-07-10"),
            ("2024-02-29", 12, "2025-02-28", "2025-02-28"),
            ("2025-09-05", 12, "2026-09-05", "2026-09-08"),
        ];
        for (start, months, raw, rolled) in table {
            let dl = deadline(d(start), months, MonthEnd::Clip, None, true, cal);
            assert_eq!(dl.raw, d(raw), "{start} + {months}");
            assert_eq!(dl.date, Some(d(rolled)), "{start} + {months} rolled");
        }
    }

    /// docs/law.md "How deadlines are computed": the 337 deadlines with rule 9 tolling.
    #[test]
    fn emergency_rule_9_tolling() {
        let cal = HolidayCalendar::embedded();
        let t = Some(RULE_9_LONG);
        assert_eq!(deadline(d("2019-03-15"), 48, MonthEnd::Clip, t, true, cal).date, Some(d("2023-09-11")));
        assert_eq!(deadline(d("2020-06-30"), 48, MonthEnd::Clip, t, true, cal).date, Some(d("2024-10-01")));
        // ended before the window: untouched (S25B)
        assert_eq!(deadline(d("2016-03-15"), 48, MonthEnd::Clip, t, true, cal).date, Some(d("2020-03-16")));
        // started after the window: untouched
        assert_eq!(deadline(d("2020-10-01"), 48, MonthEnd::Clip, t, true, cal).date, Some(d("2024-10-01")));
        assert_eq!((RULE_9_LONG.end.unwrap() - RULE_9_LONG.start).num_days(), 178);
        assert_eq!((RULE_9_SHORT.end.unwrap() - RULE_9_SHORT.start).num_days(), 119);
        assert_eq!((RULE_2.end.unwrap() - RULE_2.start).num_days(), 148);
        // a 3-month period running on 2020-04-06 gains 119 days
        let dl = deadline(d("2020-02-10"), 3, MonthEnd::Clip, Some(RULE_9_SHORT), true, cal);
        assert_eq!(dl.raw, d("2020-05-10"));
        assert_eq!(dl.before_roll, d("2020-09-06"));
        assert_eq!(dl.date, Some(d("2020-09-08"))); // Sun 9-6, Labor Day 9-7
    }

    #[test]
    fn absurd_dates_stay_writable() {
        let cal = HolidayCalendar::embedded();
        let dl = deadline(d("9999-12-31"), 48, MonthEnd::Clip, Some(RULE_9_LONG), true, cal);
        assert_eq!(dl.date, Some(LAST_DATE));
        assert_eq!(add_months(d("9999-11-30"), 3, MonthEnd::Overflow), LAST_DATE);
    }

    /// docs/law.md "How deadlines are computed": two windows in one period add both their days.
    #[test]
    fn windows_add_their_days_and_merge() {
        let cal = HolidayCalendar::embedded();
        let service = Window::closed(d("2021-02-01"), d("2022-02-01"), MILITARY_SERVICE);
        let dl = period_end(d("2019-10-01"), 48, &[RULE_9_LONG, service], MonthEnd::Clip, true, cal);
        assert_eq!(dl.date, Some(d("2025-03-27")));
        assert!(dl.moved_by_service);
        assert_eq!(
            dl.describe(),
            "2019-10-01 + 48 months = 2023-10-01 + 178 days (emergency rule 9(a)) + 365 days (military service) = 2025-03-27"
        );
        // Overlapping windows count each day once.
        let overlap = Window::closed(d("2020-06-01"), d("2020-12-01"), MILITARY_SERVICE);
        let dl = period_end(d("2019-10-01"), 48, &[RULE_9_LONG, overlap], MonthEnd::Clip, false, cal);
        assert_eq!(dl.tolled_days(), (d("2020-12-01") - d("2020-04-06")).num_days() as u64);
        // A period starting inside a window starts at its end.
        let dl = period_end(d("2020-05-01"), 48, &[RULE_9_LONG], MonthEnd::Clip, true, cal);
        assert_eq!(dl.start, d("2020-10-01"));
        // An open window: no deadline.
        let open = Window { start: d("2024-09-01"), end: None, name: MILITARY_SERVICE };
        assert_eq!(period_end(d("2025-06-10"), 3, &[open], MonthEnd::Clip, true, cal).date, None);
        assert_eq!(period_end(d("2024-05-01"), 3, &[open], MonthEnd::Clip, true, cal).date, Some(d("2024-08-01")));
        assert_eq!(period_end(d("2024-06-10"), 3, &[open], MonthEnd::Clip, true, cal).date, None);
        assert_eq!(period_end(d("2024-08-10"), 3, &[open], MonthEnd::Clip, true, cal).date, None);
    }

    #[test]
    fn month_end_overflow_setting() {
        assert_eq!(add_months(d("2022-11-30"), 3, MonthEnd::Overflow), d("2023-03-02"));
        assert_eq!(add_months(d("2022-11-30"), 3, MonthEnd::Clip), d("2023-02-28"));
        assert_eq!(add_months(d("2024-05-21"), 3, MonthEnd::Overflow), d("2024-08-21"));
    }
}
