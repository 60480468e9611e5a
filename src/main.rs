//! The `deficiency` binary: everything lives in the library.

/// mimalloc (see `deficiency::allocator`).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    deficiency::allocator::tune();
    if let Err(e) = deficiency::output::atomic::remove_partials_on_signal() {
        eprintln!("deficiency: cannot watch for SIGINT and SIGTERM: {e}");
        std::process::exit(2);
    }
    std::process::exit(deficiency::cli::main());
}
