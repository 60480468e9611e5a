//! Recognising an agency file from its first record: which agency, which
//! file of the layout.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Fannie Mae combined layout (October 2020 on): 108, 110 or 113 fields.
    FannieCombined,
    /// Fannie Mae acquisition file (before October 2020).
    FannieAcquisition,
    /// Fannie Mae performance file (before October 2020).
    FanniePerformance,
    /// Freddie Mac origination file.
    FreddieOrigination,
    /// Freddie Mac monthly performance file.
    FreddieMonthly,
}

impl FileKind {
    pub fn describe(self) -> &'static str {
        match self {
            FileKind::FannieCombined => "a Fannie Mae loan performance file (combined layout)",
            FileKind::FannieAcquisition => "a Fannie Mae acquisition file",
            FileKind::FanniePerformance => "a Fannie Mae performance file",
            FileKind::FreddieOrigination => "a Freddie Mac origination file",
            FileKind::FreddieMonthly => "a Freddie Mac monthly performance file",
        }
    }
    pub(crate) fn layout(self) -> Layout {
        match self {
            FileKind::FannieCombined | FileKind::FannieAcquisition | FileKind::FanniePerformance => Layout::FannieMae,
            FileKind::FreddieOrigination | FileKind::FreddieMonthly => Layout::FreddieMac,
        }
    }
    /// A file of loan-level facts, one record per loan.
    pub(crate) fn is_origination(self) -> bool {
        matches!(self, FileKind::FannieAcquisition | FileKind::FreddieOrigination)
    }
}

/// Recognises a file from its first record's fields.
pub fn detect(fields: &[&str]) -> Option<FileKind> {
    let n = fields.len();
    let f = |i: usize| fields.get(i).map(|s| s.trim()).unwrap_or("");
    if matches!(n, 108 | 110 | 113) && !f(1).is_empty() && is_mmyyyy(f(2)) {
        return Some(FileKind::FannieCombined);
    }
    if (22..=26).contains(&n) && fannie::is_channel(f(1)) && is_month_slash_year(f(6)) {
        return Some(FileKind::FannieAcquisition);
    }
    if (28..=31).contains(&n) && !f(0).is_empty() && is_mm_dd_yyyy(f(1)) {
        return Some(FileKind::FanniePerformance);
    }
    if (26..=32).contains(&n)
        && (f(0).is_empty() || f(0).bytes().all(|b| b.is_ascii_digit()))
        && freddie::is_loan_seq(f(19))
    {
        return Some(FileKind::FreddieOrigination);
    }
    if (23..=35).contains(&n) && freddie::is_loan_seq(f(0)) && is_yyyymm(f(1)) {
        return Some(FileKind::FreddieMonthly);
    }
    None
}

pub(crate) fn expected(layout: Layout) -> &'static str {
    match layout {
        Layout::FreddieMac => {
            "a Freddie Mac origination file (26 to 32 pipe-delimited fields, the loan sequence number in field 20) \
             or monthly performance file (23 to 35 fields, the loan sequence number in field 1 and the period YYYYMM in field 2)"
        }
        _ => {
            "a Fannie Mae combined loan performance file (108, 110 or 113 pipe-delimited fields, the period MMYYYY in field 3), \
             an acquisition file (25 or 26 fields, the channel R/B/C in field 2) \
             or a performance file (28 to 31 fields, the period MM/DD/YYYY in field 2)"
        }
    }
}

pub(crate) fn layout_flag(layout: Layout) -> &'static str {
    match layout {
        Layout::FreddieMac => "--layout freddie-mac",
        Layout::FannieMae => "--layout fannie-mae",
        Layout::Native => "--layout native",
    }
}
