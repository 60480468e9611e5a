//! Deadline arithmetic (LEGAL-RULES §2.4, §1.14).
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
/// until `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tolling {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub name: &'static str,
}

/// Emergency rule 9(a): limitations periods over 180 days, tolled 178 days.
pub const RULE_9_LONG: Tolling = Tolling { start: ymd(2020, 4, 6), end: ymd(2020, 10, 1), name: "emergency rule 9(a)" };
/// Emergency rule 9(b): limitations periods of 180 days or less, tolled 119 days.
pub const RULE_9_SHORT: Tolling = Tolling { start: ymd(2020, 4, 6), end: ymd(2020, 8, 3), name: "emergency rule 9(b)" };

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

/// A computed deadline, with how it was reached (for `explain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// The last day to act.
    pub date: NaiveDate,
    /// The date the months were added to (moved by tolling if it started in a window).
    pub start: NaiveDate,
    /// `start` + months, before tolling and roll-forward.
    pub raw: NaiveDate,
    /// Days added back by tolling.
    pub tolled_days: u64,
    /// The date after tolling, before roll-forward.
    pub before_roll: NaiveDate,
    /// The deadline lies past the holiday calendar's last year.
    pub beyond_calendar: bool,
}

impl Deadline {
    /// A one-line account: `2019-03-15 + 48 months = 2023-03-15; + 178 days tolled = 2023-09-09; rolled to 2023-09-11`.
    pub fn describe(&self, months: u32) -> String {
        let mut s = format!("{} + {} months = {}", self.start, months, self.raw);
        if self.tolled_days > 0 {
            s.push_str(&format!("; + {} days tolled = {}", self.tolled_days, self.before_roll));
        }
        if self.date != self.before_roll {
            s.push_str(&format!("; {} is a weekend or court holiday, so {}", self.before_roll, self.date));
        }
        s
    }
}

/// The last day of a period of `months` calendar months starting at `start`,
/// tolled by `tolling` when given, then rolled forward past weekends and court
/// holidays when `roll` is set.
pub fn deadline(
    start: NaiveDate,
    months: u32,
    mode: MonthEnd,
    tolling: Option<Tolling>,
    roll: bool,
    calendar: &HolidayCalendar,
) -> Deadline {
    let mut from = start;
    let mut tolled_days = 0;
    if let Some(t) = tolling
        && from >= t.start
        && from < t.end
    {
        from = t.end;
    }
    let raw = add_months(from, months, mode);
    let mut before_roll = raw;
    if let Some(t) = tolling
        && from < t.start
        && raw >= t.start
    {
        tolled_days = (t.end - t.start).num_days() as u64;
        before_roll = raw.checked_add_days(Days::new(tolled_days)).unwrap_or(LAST_DATE).min(LAST_DATE);
    }
    let date = if roll { calendar.roll_forward(before_roll).min(LAST_DATE) } else { before_roll };
    Deadline { date, start: from, raw, tolled_days, before_roll, beyond_calendar: !calendar.covers(date) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// LEGAL-RULES §5.1, month arithmetic and roll-forward, no tolling.
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
            assert_eq!(dl.date, d(rolled), "{start} + {months} rolled");
        }
    }

    /// LEGAL-RULES §5.1 notes and §1.14: the 337 deadlines with rule 9 tolling.
    #[test]
    fn emergency_rule_9_tolling() {
        let cal = HolidayCalendar::embedded();
        let t = Some(RULE_9_LONG);
        assert_eq!(deadline(d("2019-03-15"), 48, MonthEnd::Clip, t, true, cal).date, d("2023-09-11"));
        assert_eq!(deadline(d("2020-06-30"), 48, MonthEnd::Clip, t, true, cal).date, d("2024-10-01"));
        // ended before the window: untouched (S25B)
        assert_eq!(deadline(d("2016-03-15"), 48, MonthEnd::Clip, t, true, cal).date, d("2020-03-16"));
        // started after the window: untouched
        assert_eq!(deadline(d("2020-10-01"), 48, MonthEnd::Clip, t, true, cal).date, d("2024-10-01"));
        assert_eq!((RULE_9_LONG.end - RULE_9_LONG.start).num_days(), 178);
        assert_eq!((RULE_9_SHORT.end - RULE_9_SHORT.start).num_days(), 119);
        // a 3-month period running on 2020-04-06 gains 119 days
        let dl = deadline(d("2020-02-10"), 3, MonthEnd::Clip, Some(RULE_9_SHORT), true, cal);
        assert_eq!(dl.raw, d("2020-05-10"));
        assert_eq!(dl.before_roll, d("2020-09-06"));
        assert_eq!(dl.date, d("2020-09-08")); // Sun 9-6, Labor Day 9-7
    }

    #[test]
    fn absurd_dates_stay_writable() {
        let cal = HolidayCalendar::embedded();
        let dl = deadline(d("9999-12-31"), 48, MonthEnd::Clip, Some(RULE_9_LONG), true, cal);
        assert_eq!(dl.date, LAST_DATE);
        assert_eq!(add_months(d("9999-11-30"), 3, MonthEnd::Overflow), LAST_DATE);
    }

    #[test]
    fn month_end_overflow_setting() {
        assert_eq!(add_months(d("2022-11-30"), 3, MonthEnd::Overflow), d("2023-03-02"));
        assert_eq!(add_months(d("2022-11-30"), 3, MonthEnd::Clip), d("2023-02-28"));
        assert_eq!(add_months(d("2024-05-21"), 3, MonthEnd::Overflow), d("2024-08-21"));
    }
}
