//! The agencies' value conventions: blanks, amounts, dates, codes.

use super::*;

/// An empty field, the literal `NULL` some copies carry, or a field of spaces
/// (older Freddie Mac files pad unknown values with spaces).
pub(crate) fn blank(s: &str) -> bool {
    let s = s.trim();
    s.is_empty() || s.eq_ignore_ascii_case("null")
}

/// A decimal amount, possibly negative, possibly written as a float
/// (`74319.0`). No exponents, no thousands separators beyond what the native
/// money syntax accepts.
pub(crate) fn amount(s: &str) -> Option<Money> {
    money::parse_signed(s.trim().as_bytes()).ok()
}

/// An amount field: `Ok(None)` when blank, `Err(raw)` when unreadable.
pub(crate) fn opt_amount(s: &str) -> Result<Option<Money>, String> {
    if blank(s) {
        return Ok(None);
    }
    amount(s).map(Some).ok_or_else(|| s.trim().to_string())
}

pub(crate) fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A date in the years the data sets can hold (1900–2199); anything else
/// is a misread field.
pub(crate) fn data_set_date(y: u32, m: u32, d: u32) -> Option<NaiveDate> {
    if !(1900..=2199).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// Fannie Mae dates: `MMYYYY` (combined layout), `MM/YYYY` and `MM/DD/YYYY`
/// (older files). A month-only date is the first of the month.
pub(crate) fn fannie_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        return data_set_date(digits(&s[2..])?, digits(&s[..2])?, 1);
    }
    let parts: Vec<&str> = s.split('/').collect();
    match parts.as_slice() {
        [m, y] if m.len() <= 2 && y.len() == 4 => data_set_date(digits(y)?, digits(m)?, 1),
        [m, d, y] if m.len() <= 2 && d.len() <= 2 && y.len() == 4 => data_set_date(digits(y)?, digits(m)?, digits(d)?),
        _ => None,
    }
}

/// Freddie Mac dates: `YYYYMM`, the first of the month.
pub(crate) fn freddie_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() == 6 && s.is_ascii() {
        return data_set_date(digits(&s[..4])?, digits(&s[4..])?, 1);
    }
    None
}

pub(crate) fn is_mmyyyy(s: &str) -> bool {
    s.len() == 6 && fannie_date(s).is_some()
}
pub(crate) fn is_month_slash_year(s: &str) -> bool {
    s.matches('/').count() == 1 && fannie_date(s).is_some()
}
pub(crate) fn is_mm_dd_yyyy(s: &str) -> bool {
    s.matches('/').count() == 2 && fannie_date(s).is_some()
}
pub(crate) fn is_yyyymm(s: &str) -> bool {
    freddie_date(s).is_some()
}

pub(crate) fn date_of(agency: Agency, s: &str) -> Option<NaiveDate> {
    match agency {
        Agency::Fannie => fannie_date(s),
        Agency::Freddie => freddie_date(s),
    }
}

/// Whole calendar months from `a` to `b` (days ignored), as the agencies
/// count them.
pub(crate) fn months_between(a: NaiveDate, b: NaiveDate) -> i64 {
    (i64::from(b.year()) - i64::from(a.year())) * 12 + i64::from(b.month()) - i64::from(a.month())
}

/// A zero balance code normalised: `1`, `1.0` and `01` are all `01`.
pub(crate) fn zb_code(s: &str) -> String {
    let s = s.trim();
    let s = s.strip_suffix(".0").unwrap_or(s);
    if s.len() == 1 && s.as_bytes()[0].is_ascii_digit() { format!("0{s}") } else { s.to_ascii_uppercase() }
}

/// An integer field written as `2` or `2.0`.
pub(crate) fn integer_text(s: &str) -> &str {
    let s = s.trim();
    match s.split_once('.') {
        Some((i, f)) if !i.is_empty() && f.bytes().all(|b| b == b'0') => i,
        _ => s,
    }
}

pub(crate) fn date_text(d: NaiveDate) -> String {
    let mut out = Vec::with_capacity(10);
    crate::dates::write_ymd(d, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// The property state: blank is not "unknown" here (the native default
/// would be California), so the row is rejected.
pub(crate) fn state_cell(s: &str) -> Result<String, Bad> {
    if blank(s) {
        Err(Bad::new(s, "is blank in the agency file; the property's state decides which law applies"))
    } else {
        Ok(s.trim().to_string())
    }
}
