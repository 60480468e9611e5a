#!/usr/bin/env bash
# Benchmark of `deficiency diff`: one generated portfolio assessed at two
# --as-of dates years apart (so deadlines pass and outcomes change), then the
# two results files compared (CSV vs CSV, Parquet vs Parquet, CSV vs
# Parquet). Prints seconds and peak memory (GNU time) of each diff; the bound
# to check is peak memory under 256 MB at ROWS=10000000.
#
#   scripts/bench-diff.sh                          # 10M rows, release build
#   ROWS=200000 PROFILE=debug scripts/bench-diff.sh  # a quick check
#   BENCH_DIR=/big/disk scripts/bench-diff.sh      # disk: about 2 GB a million loans
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-10000000}
PROFILE=${PROFILE:-release}
BENCH_DIR=${BENCH_DIR:-/tmp/deficiency-bench-diff}
OLD_AS_OF=2026-01-15
NEW_AS_OF=2029-06-30
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/deficiency-target}"
mkdir -p "$BENCH_DIR"
# Scratch partitions go beside the data, not in a small /tmp.
export TMPDIR="$BENCH_DIR"

if [ ! -x /usr/bin/time ]; then
  echo "GNU time (/usr/bin/time) is needed: apt-get install time" >&2
  exit 2
fi
if [ "$PROFILE" = release ]; then
  cargo build --release -q
else
  cargo build -q
fi
BIN="$CARGO_TARGET_DIR/$PROFILE/deficiency"

P="$BENCH_DIR/portfolio-$ROWS.csv"
[ -f "$P" ] || "$BIN" generate --rows "$ROWS" --seed 7 --out "$P"
for side in old new; do
  as_of=$OLD_AS_OF
  [ "$side" = new ] && as_of=$NEW_AS_OF
  for ext in csv parquet; do
    out="$BENCH_DIR/$side-$ROWS.$ext"
    if [ ! -f "$out" ]; then
      "$BIN" assess "$P" --as-of "$as_of" --out "$out" --rejects "$BENCH_DIR/$side-$ROWS.$ext.rejects.csv" --quiet || [ $? -eq 1 ]
    fi
  done
done

printf '| diff | loans | seconds | peak MB | changed loans | exit |\n|---|---:|---:|---:|---:|---:|\n'
for pair in "csv csv" "parquet parquet" "csv parquet"; do
  set -- $pair
  log="$BENCH_DIR/time-$1-$2.txt"
  code=0
  /usr/bin/time -v -o "$log" "$BIN" diff "$BENCH_DIR/old-$ROWS.$1" "$BENCH_DIR/new-$ROWS.$2" \
    --old-as-of $OLD_AS_OF --new-as-of $NEW_AS_OF --out "$BENCH_DIR/changes-$1-$2.csv" --quiet || code=$?
  if [ "$code" -ge 2 ]; then
    echo "diff $1 vs $2 failed (exit $code)" >&2
    exit 2
  fi
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$log")
  kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  changed=$(($(wc -l < "$BENCH_DIR/changes-$1-$2.csv") - 1))
  printf '| %s vs %s (%s) | %s | %s | %s | %s | %s |\n' "$1" "$2" "$PROFILE" "$ROWS" "$secs" $((kb / 1024)) "$changed" "$code"
done
