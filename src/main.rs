//! The `deficiency` binary: everything lives in the library.

/// mimalloc: the pipeline makes a few small allocations per loan on the
/// worker threads and frees them on the writer thread, which glibc's
/// allocator handles slowly (README "Measured speed": 1 thread 3.2 s -> 2.3 s
/// on 1M loans). Built without transparent huge pages (`no_thp`).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_t` (mimalloc.h; the
/// Rust bindings do not name it). Freed memory goes back to the system after
/// 5 ms instead of mimalloc's longer default, which keeps peak memory flat
/// (Parquet, 10M loans: 282 MB -> see benches/RESULTS.md).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    // SAFETY: sets a plain integer option; mimalloc reads options at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 5) };
    if let Err(e) = deficiency::output::atomic::remove_partials_on_signal() {
        eprintln!("deficiency: cannot watch for SIGINT and SIGTERM: {e}");
        std::process::exit(2);
    }
    std::process::exit(deficiency::cli::main());
}
