//! `--layout freddie-mac`: the input is one to three agency files separated by
//! NUL bytes (e.g. an acquisition/origination file, NUL, a performance
//! file; or one combined file). Each is written to a scratch file, opened
//! with `input::open(.., Layout::FreddieMac)` and drained like the CSV target.

use deficiency::input::Layout;

fn main() {
    let dir = deficiency_fuzz::scratch_dir();
    afl::fuzz!(|data: &[u8]| {
        let paths: Vec<String> = deficiency_fuzz::split_files(data, 3)
            .iter()
            .enumerate()
            .map(|(i, part)| deficiency_fuzz::write_input(&dir, &format!("freddie_mac-{i}.txt"), part))
            .collect();
        deficiency_fuzz::open_and_drain(&paths, Layout::FreddieMac);
    });
}
