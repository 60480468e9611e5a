//! Native-layout CSV: the input bytes are the file. Read with the library's
//! CSV source (in memory; the same reader `input::open` builds for a `.csv`
//! path), every batch typed as the pipeline's workers type it and checked
//! against typing each record on its own, every accepted loan assessed
//! (oracles: see `deficiency_fuzz::drain` and `deficiency_fuzz::check_loan`).

use deficiency::input::RecordSource;
use deficiency::input::native_csv::CsvSource;
use deficiency::settings::Settings;

fn main() {
    let settings = Settings::default();
    afl::fuzz!(|data: &[u8]| {
        let input: Box<dyn std::io::Read + Send> = Box::new(std::io::Cursor::new(data.to_vec()));
        if let Ok(src) = CsvSource::from_reader("fuzz.csv", input) {
            let sources: Vec<Box<dyn RecordSource>> = vec![Box::new(src)];
            deficiency_fuzz::with_worker_stack(|| deficiency_fuzz::drain(sources, &settings));
        }
    });
}
