//! Native layout as Parquet: the input bytes are written to a `.parquet`
//! file, opened with `input::open(.., Layout::Native)` (the Parquet source)
//! and drained like the CSV target.

use deficiency::input::Layout;

fn main() {
    let dir = deficiency_fuzz::scratch_dir();
    afl::fuzz!(|data: &[u8]| {
        let path = deficiency_fuzz::write_input(&dir, "input.parquet", data);
        deficiency_fuzz::open_and_drain(&[path], Layout::Native);
    });
}
