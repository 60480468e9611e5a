//! The public loan-level data sets (README "Analysing Fannie Mae and Freddie Mac data"): Fannie Mae's Single-Family
//! Loan Performance Data ([`fannie`]) and Freddie Mac's Single-Family
//! Loan-Level Dataset ([`freddie`]).
//!
//! An agency reader is a [`RecordSource`] that *translates*: it reads the
//! agency's pipe-delimited, headerless monthly files, keeps the state of one
//! loan at a time, and when the loan's records end emits one record in the
//! native layout's columns ([`COLUMNS`]). Those records then go through the
//! same typing, validation, `--assume` handling and engine as native input.
//! Facts the data do not carry (foreclosure method, fair value, written
//! consent, lien position, ...) are left blank. Loans that did not end in a
//! disposition (prepaid, repurchased, still active, note sales, ...) are not
//! emitted but counted in [`RecordSource::not_assessed`].
//!
//! Layouts are recognised from each file's field count and the pattern of
//! its first fields, never from its name. Files may be given in any order:
//! acquisition (Fannie Mae, before October 2020) and origination (Freddie
//! Mac) files are loaded first into one table keyed by loan id; each
//! performance or monthly file then becomes one source.
//!
//! Memory: one loan's state at a time (the agencies publish each loan's
//! monthly records together), the acquisition/origination table (one small
//! entry per loan) and an 8-byte fingerprint per finished loan, used to
//! detect a loan whose records are split up. It does not grow with the
//! number of monthly records.
//!
//! See the README section "Analysing Fannie Mae and Freddie Mac data" for the field mapping and what it assumes.

pub mod fannie;
pub mod freddie;

mod detect;
mod lines;
mod source;
mod state;
mod table;
mod values;

pub use detect::{FileKind, detect};
pub(crate) use detect::{expected, layout_flag};
pub(crate) use lines::*;
pub use source::AgencySource;
pub(crate) use state::*;
pub(crate) use table::*;
pub(crate) use values::*;

use super::native_csv::open_bytes;
use super::{BadValue, Header, InputError, Layout, RawRecord, RecordSource};
use crate::loan::Field;
use crate::money::{self, Money};
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::sync::{Arc, Mutex};

/// The native columns of every translated record, in order (their kinds
/// and names come from [`Field`]).
pub const COLUMNS: &[Field] = &[
    Field::LoanId,
    Field::EventType,
    Field::EventDate,
    Field::UnpaidPrincipal,
    Field::SalePrice,
    Field::State,
    Field::LoanPurpose,
    Field::OriginationDate,
    Field::PropertyUnits,
    Field::OwnerOccupied,
    Field::AccruedInterest,
    Field::Costs,
    Field::AgencyNetLoss,
];

/// Positions in [`COLUMNS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    LoanId = 0,
    EventType,
    EventDate,
    UnpaidPrincipal,
    SalePrice,
    State,
    LoanPurpose,
    OriginationDate,
    PropertyUnits,
    OwnerOccupied,
    AccruedInterest,
    Costs,
    AgencyNetLoss,
}

pub(crate) const NCOLS: usize = COLUMNS.len();

/// Not-assessed categories (keys of the report's `not_assessed`).
pub mod category {
    pub const PREPAID: &str = "prepaid or matured";
    pub const REPURCHASED: &str = "repurchased";
    pub const ACTIVE: &str = "active at end of file";
    pub const NOTE_SALE: &str = "non-performing note sale";
    pub const REPERFORMING_SALE: &str = "reperforming loan sale";
    pub const REMOVED: &str = "removed (non-credit event)";
    pub const CAS_CREDIT_EVENT: &str = "credit event without a disposition (CAS 97/98)";
    pub const CHARGE_OFF: &str = "charge-off without a sale";
    pub const SHORT_SALE_OR_CHARGE_OFF: &str = "short sale or charge-off, proceeds unknown";
    pub const FORECLOSURE_ALTERNATIVE: &str =
        "foreclosure alternative of unreported type (Freddie Mac 03, older layout)";
    pub const UNRECOGNISED: &str = "unrecognised zero balance code";
    pub const NO_PERFORMANCE: &str = "no performance records";
}

/// Which agency file a file is, recognised from its first record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Agency {
    Fannie,
    Freddie,
}

/// Recognises a file from its first record's fields.
/// Opens the files of one agency layout as record sources: one source per
/// performance (monthly) file, in the order given, after loading every
pub fn open(paths: &[String], layout: Layout) -> Result<Vec<Box<dyn RecordSource>>, InputError> {
    let mut origination: Vec<(Lines, FileKind)> = Vec::new();
    let mut performance: Vec<(Lines, FileKind, usize)> = Vec::new();
    for path in paths {
        let mut lines = Lines::open(path)?;
        let (kind, width) = {
            let Some((line_no, text)) = lines.peek()? else {
                return Err(InputError::Other {
                    path: path.clone(),
                    message: format!("the file is empty (expected {})", expected(layout)),
                });
            };
            let fields: Vec<&str> = text.split('|').collect();
            match detect(&fields) {
                Some(k) if k.layout() == layout => (k, fields.len()),
                Some(k) => {
                    return Err(InputError::Line {
                        path: path.clone(),
                        line: line_no,
                        message: format!("looks like {}; use {} for it", k.describe(), layout_flag(k.layout())),
                    });
                }
                None => {
                    let hint = if fields.len() == 1 && text.contains(',') {
                        " It looks like a comma-separated file; native-layout CSV is read with --layout native."
                            .to_string()
                    } else {
                        String::new()
                    };
                    let shown: String = text.chars().take(80).collect();
                    return Err(InputError::Line {
                        path: path.clone(),
                        line: line_no,
                        message: format!(
                            "not a record of a known {} layout: it has {} pipe-delimited field(s) ({shown:?}{}); expected {}.{hint}",
                            if layout == Layout::FreddieMac { "Freddie Mac" } else { "Fannie Mae" },
                            fields.len(),
                            if text.chars().count() > 80 { "..." } else { "" },
                            expected(layout)
                        ),
                    });
                }
            }
        };
        if kind.is_origination() {
            origination.push((lines, kind));
        } else {
            performance.push((lines, kind, width));
        }
    }
    let paired = performance.iter().any(|(_, k, _)| *k != FileKind::FannieCombined);
    let pair_names = match layout {
        Layout::FreddieMac => ("origination", "monthly performance"),
        _ => ("acquisition", "performance"),
    };
    if performance.is_empty() {
        let path = origination.first().map(|(l, _)| l.path.clone()).unwrap_or_default();
        return Err(InputError::Other {
            path,
            message: format!(
                "no {} file given: the {} file(s) hold only loan characteristics; give the {} file(s) of the same quarter(s) too",
                pair_names.1, pair_names.0, pair_names.1
            ),
        });
    }
    if paired && origination.is_empty() {
        let path = performance
            .iter()
            .find(|(_, k, _)| *k != FileKind::FannieCombined)
            .map(|(l, _, _)| l.path.clone())
            .unwrap_or_default();
        return Err(InputError::Other {
            path,
            message: format!(
                "no {} file given: the {} file does not say where the property is or what the loan was for; give the {} file(s) of the same quarter(s) too",
                pair_names.0, pair_names.1, pair_names.0
            ),
        });
    }
    if !paired && !origination.is_empty() {
        let path = origination.first().map(|(l, _)| l.path.clone()).unwrap_or_default();
        return Err(InputError::Other {
            path,
            message: "an acquisition file was given with only combined-layout performance files, which carry the acquisition facts themselves; give its performance file (28 to 31 fields) or leave it out".into(),
        });
    }
    let table = if paired {
        let mut t = OrigTable::default();
        for (lines, kind) in origination {
            t.load(lines, kind)?;
        }
        Some(t)
    } else {
        None
    };
    let shared = Arc::new(Mutex::new(Shared { finished: HashSet::new(), orig: table }));
    let last_paired = performance.iter().rposition(|(_, k, _)| *k != FileKind::FannieCombined);
    let mut sources: Vec<Box<dyn RecordSource>> = Vec::with_capacity(performance.len());
    for (i, (lines, kind, width)) in performance.into_iter().enumerate() {
        let spec = match kind {
            FileKind::FannieCombined => fannie::combined_spec(width),
            FileKind::FanniePerformance => fannie::performance_spec(width),
            _ => freddie::monthly_spec(width),
        };
        sources.push(Box::new(AgencySource::new(lines, spec, Arc::clone(&shared), Some(i) == last_paired)?));
    }
    Ok(sources)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates() {
        assert_eq!(fannie_date("122003"), Some(d(2003, 12, 1)));
        assert_eq!(fannie_date("12/2003"), Some(d(2003, 12, 1)));
        assert_eq!(fannie_date("02/01/2003"), Some(d(2003, 2, 1)));
        assert_eq!(fannie_date("132003"), None);
        assert_eq!(fannie_date("2003-12-01"), None);
        assert_eq!(freddie_date("200312"), Some(d(2003, 12, 1)));
        assert_eq!(freddie_date("122003"), None);
        assert_eq!(freddie_date("20031"), None);
        assert_eq!(months_between(d(2003, 2, 1), d(2004, 5, 1)), 15);
    }

    #[test]
    fn amounts() {
        assert_eq!(amount("74319.0"), Some(Money::from(74319)));
        assert_eq!(amount("-435.56"), Some(-Money::new(43556, 2)));
        assert_eq!(amount("1.2E5"), None);
        assert_eq!(opt_amount("NULL"), Ok(None));
        assert_eq!(opt_amount(" "), Ok(None));
        assert_eq!(opt_amount("x"), Err("x".into()));
        assert_eq!(zb_code("9"), "09");
        assert_eq!(zb_code("1.0"), "01");
        assert_eq!(zb_code("09"), "09");
        assert_eq!(integer_text("1.0"), "1");
        assert_eq!(integer_text("99"), "99");
    }

    #[test]
    fn interest() {
        let upb = Some(Money::from(120_000));
        let lpi = DateField::Date(d(2010, 1, 1));
        let got = accrued_interest(upb, Ok(None), Ok(Some(Money::from(6))), &lpi, Some(d(2010, 7, 1)));
        assert_eq!(got, Ok(Some(Money::from(3600))));
        let got = accrued_interest(upb, Ok(None), Err("x".into()), &lpi, Some(d(2010, 7, 1)));
        assert!(got.is_err());
        let got = accrued_interest(upb, Ok(None), Ok(None), &lpi, Some(d(2010, 7, 1)));
        assert_eq!(got, Ok(None));
    }

    #[test]
    fn detection() {
        let combined = format!("|100000000001|012020|R|A|B||3.5|3.5|200000.00||199000.00|360|012019{}", "|".repeat(94));
        let f: Vec<&str> = combined.split('|').collect();
        assert_eq!(f.len(), 108);
        assert_eq!(detect(&f), Some(FileKind::FannieCombined));
        let acq = "100007365142|R|BANK|8|75000|360|12/1999|02/2000|79||1|62|763|N|R|SF|1|P|PA|173||FRM|||N|200001";
        assert_eq!(detect(&acq.split('|').collect::<Vec<_>>()), Some(FileKind::FannieAcquisition));
        let perf = "100007365142|01/01/2000|NULL|8.0||0.0|360.0|359.0|01/2030|0.0|0|N|NULL||||||||||||||||NULL||NULL";
        assert_eq!(detect(&perf.split('|').collect::<Vec<_>>()), Some(FileKind::FanniePerformance));
        let orig =
            "750|201003|N|204002||0|1|O|80|30|200000|80|6.0|R|N|FRM|CA|SF|94100|F110Q1000001|P|360|01|SELLER|SERVICER|";
        assert_eq!(detect(&orig.split('|').collect::<Vec<_>>()), Some(FileKind::FreddieOrigination));
        let monthly = format!("F110Q1000001|201003|200000|0|1|359|N||||6.0|0|{}", "|".repeat(10));
        assert_eq!(detect(&monthly.split('|').collect::<Vec<_>>()), Some(FileKind::FreddieMonthly));
        assert_eq!(detect(&["loan_id,event_type"]), None);
    }
}
