#!/usr/bin/env bash
# Coverage-guided fuzzing of deficiency with cargo afl (AFL++), stable Rust.
#
#   scripts/fuzz.sh TARGET MINUTES     one target for MINUTES of fuzzing time
#   scripts/fuzz.sh all MINUTES        every target in turn, MINUTES each
#   scripts/fuzz.sh list               the targets
#
# Installs cargo-afl if missing (AFL++ is built from source by it, with the C
# compiler on the machine), builds the targets in fuzz/ with
# `cargo afl build --release` into $CARGO_TARGET_DIR (default
# ~/.cache/deficiency-fuzz-target, never the main crate's target dir), runs
# `cargo afl fuzz -V SECONDS` with the seeds in fuzz/corpus/TARGET and the
# output in fuzz/out/TARGET (a previous run's output is kept, renamed with
# its date), prints a summary from fuzzer_stats and appends one line to the
# campaign table in FUZZING.md. Builds and fuzzing run under `nice -n 10`.
#
# Environment: FUZZ_NOTE (text for the table's notes column), FUZZ_TIMEOUT
# (afl -t, ms; default afl's own), FUZZ_NO_TABLE=1 (do not touch FUZZING.md),
# FUZZ_JOBS (cargo -j; default 2).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FUZZ="$ROOT/fuzz"
TARGETS=(native_csv parquet fannie_mae freddie_mac settings report_reader engine)

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/deficiency-fuzz-target}"
export AFL_SKIP_CPUFREQ=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_UI=1
# Do not pin to a core: the machine is shared with builds and tests.
export AFL_NO_AFFINITY=1
export AFL_FAST_CAL=1
NICE=(nice -n 10)

usage() {
    echo "usage: scripts/fuzz.sh TARGET|all MINUTES   (targets: ${TARGETS[*]})" >&2
    exit 2
}

[[ $# -ge 1 ]] || usage
if [[ $1 == list ]]; then
    printf '%s\n' "${TARGETS[@]}"
    exit 0
fi
[[ $# -eq 2 ]] || usage
WHAT=$1
MINUTES=$2
[[ $MINUTES =~ ^[0-9]+([.][0-9]+)?$ ]] || usage
SECONDS_BUDGET=$(awk -v m="$MINUTES" 'BEGIN { s = int(m * 60); if (s < 10) s = 10; print s }')

if [[ $WHAT == all ]]; then
    RUN=("${TARGETS[@]}")
else
    found=0
    for t in "${TARGETS[@]}"; do [[ $t == "$WHAT" ]] && found=1; done
    [[ $found == 1 ]] || { echo "unknown target: $WHAT" >&2; usage; }
    RUN=("$WHAT")
fi

ensure_tools() {
    if ! cargo afl --version >/dev/null 2>&1; then
        echo "== installing cargo-afl (builds AFL++ from source; a few minutes)" >&2
        "${NICE[@]}" cargo install --locked cargo-afl
    fi
    # `cargo afl fuzz -h` prints afl-fuzz's help only once AFL++ is built.
    local help
    help=$(cargo afl fuzz -h 2>&1 || true)
    if ! grep -q -- '-V seconds' <<<"$help"; then
        echo "== building AFL++ for this rustc" >&2
        "${NICE[@]}" cargo afl config --build
    fi
}

build() {
    echo "== cargo afl build --release (target dir $CARGO_TARGET_DIR)" >&2
    (cd "$FUZZ" && "${NICE[@]}" cargo afl build --release -j "${FUZZ_JOBS:-2}" --bins)
}

stat() { # stat FILE KEY
    awk -F: -v k="$2" '{ key = $1; gsub(/ /, "", key) } key == k { v = $2; gsub(/^ +| +$/, "", v); print v; exit }' "$1"
}

record() { # record TARGET STATS_FILE OUT_DIR
    local t=$1 stats=$2 out=$3
    local execs paths crashes hangs eps cov stab
    execs=$(stat "$stats" execs_done)
    paths=$(stat "$stats" corpus_count)
    [[ -n $paths ]] || paths=$(stat "$stats" paths_total)
    crashes=$(stat "$stats" saved_crashes)
    [[ -n $crashes ]] || crashes=$(stat "$stats" unique_crashes)
    hangs=$(stat "$stats" saved_hangs)
    [[ -n $hangs ]] || hangs=$(stat "$stats" unique_hangs)
    eps=$(stat "$stats" execs_per_sec)
    cov=$(stat "$stats" bitmap_cvg)
    stab=$(stat "$stats" stability)
    echo
    echo "== $t: ${MINUTES} min: execs_done=$execs corpus_count=$paths saved_crashes=$crashes saved_hangs=$hangs execs_per_sec=$eps bitmap_cvg=$cov stability=$stab"
    if [[ ${crashes:-0} != 0 ]]; then
        echo "   crashes in $out/default/crashes/ (replay: $CARGO_TARGET_DIR/release/$t < FILE)"
    fi
    if [[ ${hangs:-0} != 0 ]]; then
        echo "   hangs in $out/default/hangs/"
    fi
    if [[ ${FUZZ_NO_TABLE:-0} != 1 && -f $ROOT/FUZZING.md ]]; then
        local note="${FUZZ_NOTE:-} ${eps} exec/s, bitmap ${cov}"
        local line
        line="| $t | $(date +%F) | $MINUTES | $execs | $paths | $crashes | $hangs | ${note# } |"
        # Insert before the end marker of the table.
        awk -v line="$line" '/<!-- campaign-table-end -->/ { print line } { print }' "$ROOT/FUZZING.md" >"$ROOT/FUZZING.md.tmp"
        mv "$ROOT/FUZZING.md.tmp" "$ROOT/FUZZING.md"
    fi
}

fuzz_one() {
    local t=$1
    local out="$FUZZ/out/$t"
    local bin="$CARGO_TARGET_DIR/release/$t"
    mkdir -p "$FUZZ/out"
    if [[ -e $out ]]; then
        mv "$out" "$out.$(date +%Y%m%d-%H%M%S)"
    fi
    local args=(-V "$SECONDS_BUDGET" -i "$FUZZ/corpus/$t" -o "$out")
    [[ -n ${FUZZ_TIMEOUT:-} ]] && args+=(-t "$FUZZ_TIMEOUT")
    [[ -f $FUZZ/dict/$t.dict ]] && args+=(-x "$FUZZ/dict/$t.dict")
    echo "== $t: fuzzing for $SECONDS_BUDGET s (output $out)" >&2
    # afl-fuzz exits non-zero on some setup problems; report and go on.
    "${NICE[@]}" cargo afl fuzz "${args[@]}" -- "$bin" >"$FUZZ/out/$t.log" 2>&1 || {
        echo "   cargo afl fuzz exited $?; last lines of $FUZZ/out/$t.log:" >&2
        tail -20 "$FUZZ/out/$t.log" >&2
    }
    local stats="$out/default/fuzzer_stats"
    if [[ -f $stats ]]; then
        record "$t" "$stats" "$out"
    else
        echo "== $t: no fuzzer_stats (the run did not start); see $FUZZ/out/$t.log" >&2
        return 1
    fi
}

cleanup_scratch() {
    # The parquet, agency and report targets write their input to
    # /dev/shm/deficiency-fuzz-PID (PID: the afl fork server); drop the ones
    # whose process is gone.
    local d
    for d in /dev/shm/deficiency-fuzz-* "${TMPDIR:-/tmp}"/deficiency-fuzz-*; do
        [[ -d $d ]] || continue
        kill -0 "${d##*-}" 2>/dev/null || rm -rf "$d"
    done
}

ensure_tools
build
status=0
for t in "${RUN[@]}"; do
    fuzz_one "$t" || status=1
    cleanup_scratch
done
exit $status
