//! `--settings FILE.toml`: the input bytes are the TOML text, parsed with
//! `Settings::from_toml` (what `Settings::from_file` calls after reading).
//! Settings that parse are then documented (`docs()`, as `deficiency rules`
//! does) and used to assess the hand-worked loans of data/hand-cases.csv,
//! with every engine oracle (see `deficiency_fuzz::check_loan`): a setting
//! the parser accepts must never make the engine panic or break the money
//! invariant.

use deficiency::engine::Env;
use deficiency::holidays::HolidayCalendar;
use deficiency::input::native_csv::CsvSource;
use deficiency::input::{Batch, Fields, RecordSource, RowContext};
use deficiency::loan::Loan;
use deficiency::settings::Settings;

const HAND_CASES: &[u8] = include_bytes!("../../../data/hand-cases.csv");

fn hand_loans() -> Vec<Loan> {
    let as_of = deficiency_fuzz::as_of();
    let mut src = CsvSource::from_reader("hand-cases.csv", Box::new(HAND_CASES)).expect("hand cases");
    let (mut batch, mut fields, mut out) = (Batch::default(), Fields::default(), Vec::new());
    loop {
        let n = src.next_batch(&mut batch, 64).expect("hand cases");
        if n == 0 {
            return out;
        }
        for i in 0..n {
            let rec = batch.get(i, &mut fields);
            let cx = RowContext { as_of, assumptions: &[] };
            out.push(src.header().parse_row(&rec, rec.row(), rec.line(), cx).expect("hand case").loan);
        }
    }
}

fn main() {
    let loans = hand_loans();
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else { return };
        let Ok(settings) = Settings::from_toml(text) else { return };
        let _ = settings.docs();
        let env = Env { settings: &settings, calendar: HolidayCalendar::embedded(), as_of: deficiency_fuzz::as_of() };
        deficiency_fuzz::with_worker_stack(|| {
            for loan in &loans {
                deficiency_fuzz::check_loan(loan, env);
            }
        });
    });
}
