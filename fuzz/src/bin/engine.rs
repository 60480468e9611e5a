//! The decision engine on arbitrary well-typed loans.
//!
//! The input bytes drive an `arbitrary::Unstructured` that picks, for every
//! column of the native layout, blank or a *valid* value of the column's
//! kind: an enumeration value, an amount (0 to under 10^15 dollars, up to
//! six decimals), a date near the event date (event dates 1990-2029, other
//! dates within about +-90 years of it), a boolean, a small count. The row
//! is typed by `Header::parse_row` (so only loans the reader would accept
//! reach the engine: a loan that fails the reader's cross-checks, such as
//! a filing before the sale, is skipped rather than reported), then
//! assessed against an `--as-of` 0-22 years after the event.
//!
//! Oracles (`deficiency_fuzz::check_loan`): no panic; `assess` returns no
//! `InvariantViolation`; recoverable + barred + undetermined == gross with
//! every part >= 0; `explain` decides exactly as `assess`.

use arbitrary::{Result, Unstructured};
use chrono::{Days, NaiveDate};
use deficiency::engine::Env;
use deficiency::holidays::HolidayCalendar;
use deficiency::input::values::{Cell, ValueError};
use deficiency::input::{Cells, Header, RowContext};
use deficiency::loan::*;
use deficiency::settings::Settings;

/// A row of text cells, one per column of `Field::ALL`.
struct Row(Vec<String>);

impl Cells for Row {
    fn cell(&self, i: usize) -> std::result::Result<Cell<'_>, ValueError> {
        Ok(Cell::from_text(&self.0[i]))
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn raw(&self, i: usize) -> String {
        self.0[i].clone()
    }
}

fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| name(*v)).collect()
}

fn enum_values(f: Field) -> Vec<&'static str> {
    match f {
        Field::EventType => names(EventType::ALL, EventType::name),
        Field::LoanPurpose => names(LoanPurpose::ALL, LoanPurpose::name),
        Field::BorrowerType => names(BorrowerType::ALL, BorrowerType::name),
        Field::SeniorSaleType => names(SeniorSaleType::ALL, SeniorSaleType::name),
        Field::DeedInLieuTerms => names(DeedInLieuTerms::ALL, DeedInLieuTerms::name),
        Field::Bankruptcy => names(Bankruptcy::ALL, Bankruptcy::name),
        Field::LoanProgram => names(LoanProgram::ALL, LoanProgram::name),
        Field::HolderType => names(HolderType::ALL, HolderType::name),
        Field::CollateralType => names(CollateralType::ALL, CollateralType::name),
        Field::ForeclosureMethod => names(ForeclosureMethod::ALL, ForeclosureMethod::name),
        other => panic!("harness: no value list for enumeration column {}", other.name()),
    }
}

/// An amount as the native layout writes it: under 10^15 dollars, up to six decimals.
fn money(u: &mut Unstructured) -> Result<String> {
    let dollars: u64 = match u.int_in_range(0u8..=7)? {
        0 => 0,
        1..=3 => u.int_in_range(0..=500_000)?,
        4 | 5 => u.int_in_range(0..=50_000_000)?,
        6 => u.int_in_range(0..=999_999_999_999_999)?,
        _ => *u.choose(&[1, 99, 100, 999_999_999_999_999])?,
    };
    Ok(match u.int_in_range(0u8..=4)? {
        0 => format!("{dollars}"),
        1 | 2 => format!("{dollars}.{:02}", u.int_in_range(0u8..=99)?),
        3 => format!("{dollars}.{:04}", u.int_in_range(0u16..=9999)?),
        _ => format!("{dollars}.{:06}", u.int_in_range(0u32..=999_999)?),
    })
}

fn date_near(u: &mut Unstructured, anchor: NaiveDate) -> Result<String> {
    let offset: i64 = match u.int_in_range(0u8..=3)? {
        0 => u.int_in_range(-400..=400)?,
        1 => u.int_in_range(-3650..=3650)?,
        2 => i64::from(u.arbitrary::<i16>()?),
        _ => 0,
    };
    let d = if offset >= 0 {
        anchor.checked_add_days(Days::new(offset as u64))
    } else {
        anchor.checked_sub_days(Days::new(offset.unsigned_abs()))
    };
    Ok(d.unwrap_or(anchor).format("%Y-%m-%d").to_string())
}

fn value(u: &mut Unstructured, f: Field, event_date: NaiveDate) -> Result<String> {
    Ok(match f.kind() {
        Kind::Text => format!("L{}", u.int_in_range(0u16..=999)?),
        Kind::Enum => u.choose(&enum_values(f))?.to_string(),
        Kind::State => u.choose(&["CA", "ca", "TX", "NV", "NY"])?.to_string(),
        Kind::Money => money(u)?,
        Kind::SignedMoney => {
            let m = money(u)?;
            if u.arbitrary()? { format!("-{m}") } else { m }
        }
        Kind::Date => date_near(u, event_date)?,
        Kind::Bool => u.choose(&["true", "false", "yes", "no", "1", "0"])?.to_string(),
        Kind::Count => match u.int_in_range(0u8..=5)? {
            5 => u.arbitrary::<u32>()?.to_string(),
            n => n.to_string(),
        },
    })
}

/// One row and its `--as-of`.
fn row(u: &mut Unstructured) -> Result<(Row, NaiveDate)> {
    let base = NaiveDate::from_ymd_opt(1990, 1, 1).expect("date");
    let event_date = base + Days::new(u.int_in_range(0u64..=40 * 365)?);
    let as_of = event_date + Days::new(u.int_in_range(0u64..=8000)?);
    let event_type = *u.choose(EventType::ALL)?;
    let mut cells = Vec::with_capacity(Field::ALL.len());
    for &f in Field::ALL {
        let cell = match f {
            Field::LoanId => "L1".to_string(),
            Field::EventType => event_type.name().to_string(),
            Field::EventDate => event_date.format("%Y-%m-%d").to_string(),
            Field::UnpaidPrincipal => money(u)?,
            Field::SalePrice if event_type == EventType::SeniorSale => String::new(),
            Field::SalePrice => money(u)?,
            // Most optional columns blank: the engine's unknown-fact branching.
            _ if u.ratio(3u8, 5u8)? => String::new(),
            _ => value(u, f, event_date)?,
        };
        cells.push(cell);
    }
    Ok((Row(cells), as_of))
}

fn main() {
    let settings = Settings::default();
    let names: Vec<String> = Field::ALL.iter().map(|f| f.name().to_string()).collect();
    let header = Header::new("engine", &names).expect("header of every column");
    afl::fuzz!(|data: &[u8]| {
        let mut u = Unstructured::new(data);
        let Ok((row, as_of)) = row(&mut u) else { return };
        let cx = RowContext { as_of, assumptions: &[] };
        let parsed = match header.parse_row(&row, 1, Some(2), cx) {
            Ok(p) => p,
            Err(r) => {
                if deficiency_fuzz::debug() {
                    eprintln!("deficiency-fuzz: rejected: {r}");
                }
                return;
            }
        };
        if deficiency_fuzz::debug() {
            eprintln!("deficiency-fuzz: assessing {:?} as of {as_of}", parsed.loan);
        }
        // FUZZ_CSV=FILE: the row as a native CSV file, to replay with the CLI
        // (`deficiency assess FILE --as-of <the date printed>`).
        if let Some(path) = std::env::var_os("FUZZ_CSV") {
            let mut w = csv::Writer::from_path(path).expect("FUZZ_CSV");
            w.write_record(&names).expect("header");
            w.write_record(&row.0).expect("row");
            w.flush().expect("flush");
            eprintln!("deficiency-fuzz: wrote the row; --as-of {as_of}");
        }
        let env = Env { settings: &settings, calendar: HolidayCalendar::embedded(), as_of };
        deficiency_fuzz::with_worker_stack(|| deficiency_fuzz::check_loan(&parsed.loan, env));
    });
}
