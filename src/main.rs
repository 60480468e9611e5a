//! The `deficiency` binary: everything lives in the library.

fn main() {
    std::process::exit(deficiency::cli::main());
}
