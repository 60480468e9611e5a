//! `--layout freddie-mac`: the input is one to three agency files separated by
//! NUL bytes (e.g. an acquisition/origination file, NUL, a performance
//! file; or one combined file). Each is written to a scratch file, opened
//! with `input::open(.., Layout::FreddieMac)` and drained like the CSV target.

use deficiency::input::Layout;

fn main() {
    let dir = deficiency_fuzz::scratch_dir();
    afl::fuzz!(|data: &[u8]| deficiency_fuzz::agency_files(&dir, data, "freddie_mac", Layout::FreddieMac));
}
