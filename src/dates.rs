//! Dates: the one strict `YYYY-MM-DD` parser, constant dates, and the
//! day numbers columnar files store (days since 1970-01-01, chrono's epoch
//! days).

use chrono::{Datelike, NaiveDate};

/// A date known when compiling; an impossible date fails the build.
pub const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("invalid constant date"),
    }
}

/// Parses a strict `YYYY-MM-DD` (ten characters, digits and two dashes).
pub fn parse_ymd(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// The date `days` after 1970-01-01 (Parquet and Arrow `Date`).
pub fn from_epoch_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_epoch_days(days)
}

/// Days since 1970-01-01 (Parquet and Arrow `Date`).
pub fn to_epoch_days(d: NaiveDate) -> i32 {
    d.to_epoch_days()
}

/// Appends a date as `YYYY-MM-DD`.
pub fn write_ymd(d: NaiveDate, out: &mut Vec<u8>) {
    let (y, m, dd) = (d.year().clamp(0, 9999) as u32, d.month(), d.day());
    out.extend_from_slice(&[
        b'0' + (y / 1000) as u8,
        b'0' + (y / 100 % 10) as u8,
        b'0' + (y / 10 % 10) as u8,
        b'0' + (y % 10) as u8,
        b'-',
        b'0' + (m / 10) as u8,
        b'0' + (m % 10) as u8,
        b'-',
        b'0' + (dd / 10) as u8,
        b'0' + (dd % 10) as u8,
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_dates() {
        assert_eq!(parse_ymd("2024-02-29"), Some(ymd(2024, 2, 29)));
        for bad in ["2023-02-29", "2024-2-29", "24-02-29", "2024/02/29", "2024-02-2x", "", "2024-13-01", "+024-01-01"] {
            assert_eq!(parse_ymd(bad), None, "{bad}");
        }
    }

    #[test]
    fn epoch_days_round_trip() {
        assert_eq!(to_epoch_days(ymd(1970, 1, 1)), 0);
        assert_eq!(from_epoch_days(19_723), Some(ymd(2024, 1, 1)));
        assert_eq!(from_epoch_days(to_epoch_days(ymd(2026, 1, 15))), Some(ymd(2026, 1, 15)));
    }
}
