//! How the programs built on this library allocate (README "Measured
//! speed"): mimalloc, declared as the global allocator by each program (the
//! `deficiency` binary, the Python package's native module). The pipeline
//! makes a few small allocations per loan on the worker threads and frees
//! them on the writer thread, which glibc's allocator handles slowly (one
//! thread, 1M loans: 3.2 s -> 2.3 s). Built without transparent huge pages
//! (`no_thp`).

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_t` (mimalloc.h; the
/// Rust bindings do not name it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Gives freed memory back to the system after 5 ms instead of mimalloc's
/// longer default, which keeps peak memory flat (Parquet, 10M loans: 282 MB
/// before; benches/RESULTS.md). Call once, first thing.
pub fn tune() {
    // SAFETY: sets a plain integer option; mimalloc reads options at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 5) };
}
