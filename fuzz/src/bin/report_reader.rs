//! `deficiency report RESULTS.csv --report ...`: the input bytes are a
//! results CSV, written to a scratch `.csv` file and read with
//! `report::read::add` (which dispatches to `add_csv`). A file that reads
//! is rendered in every report format (JSON, Markdown, HTML, CSV), as the
//! command does. Oracle: no panic (a `ReadError` or a render error is a
//! reported failure, not a crash).

use deficiency::report::{Report, ReportFormat};

fn main() {
    let dir = deficiency_fuzz::scratch_dir();
    afl::fuzz!(|data: &[u8]| {
        let path = deficiency_fuzz::write_input(&dir, "results.csv", data);
        let mut report = Report::default();
        if deficiency::report::read::add(&path, &mut report).is_ok() {
            // Reading the same shard twice is what merging shards does.
            let _ = deficiency::report::read::add(&path, &mut report);
            for f in [ReportFormat::Json, ReportFormat::Markdown, ReportFormat::Html, ReportFormat::Csv] {
                let _ = f.render(&report);
            }
        }
    });
}
