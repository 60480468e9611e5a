#!/usr/bin/env bash
# Speed of the Python package beside the command line on the same input:
# a generated portfolio of ROWS loans as Parquet; `deficiency assess
# in.parquet --out out.parquet` against `deficiency.assess(pq.read_table(...))`
# in Python (reading included in both), then PySpark local[2] on the same
# file (results written to Parquet). Prints seconds; the table goes into
# benches/RESULTS.md by hand.
#
#   ROWS=1000000 scripts/bench-python.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/deficiency-target}"
VENV="${VENV:-$HOME/.cache/deficiency-py-venv}"
ROWS="${ROWS:-1000000}"
DIR="${BENCH_DIR:-/tmp/deficiency-bench-py}"
SPARK="${SPARK:-1}"
mkdir -p "$DIR"
cargo build --release --quiet --bin deficiency
scripts/python-setup.sh >/dev/null
BIN="$CARGO_TARGET_DIR/release/deficiency"
IN="$DIR/portfolio-$ROWS.parquet"
[ -f "$IN" ] || "$BIN" generate --rows "$ROWS" --seed 7 --out "$IN"
best() { sort -n | head -1; }
cli=$(for _ in 1 2 3; do
  s=$(date +%s.%N); "$BIN" assess "$IN" --as-of 2026-01-15 --out "$DIR/cli.parquet" --quiet || true
  e=$(date +%s.%N); echo "$e - $s" | bc; done | best)
export PYSPARK_PYTHON="$VENV/bin/python" PYSPARK_DRIVER_PYTHON="$VENV/bin/python"
"$VENV/bin/python" - "$IN" "$DIR" "$cli" "$SPARK" <<'PY'
import sys, time
import pyarrow.parquet as pq
import deficiency
src, d, cli, spark = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4] == "1"
times = []
for _ in range(3):
    t = time.perf_counter()
    results, rejects = deficiency.assess(pq.read_table(src), "2026-01-15")
    pq.write_table(results, f"{d}/py.parquet", compression="zstd")
    times.append(time.perf_counter() - t)
py = min(times)
n = results.num_rows
print(f"rows {n}: CLI {cli:.2f}s, Python (pyarrow Table in, Parquet out) {py:.2f}s, ratio {py / cli:.2f}x")
if spark:
    from pyspark.sql import SparkSession
    from deficiency import spark as dspark
    s = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
    t = time.perf_counter()
    dspark.assess(s.read.parquet(src), "2026-01-15", threads=1).write.mode("overwrite").parquet(f"{d}/spark")
    sp = time.perf_counter() - t
    print(f"PySpark local[2] (threads=1 per task): {sp:.2f}s ({n / sp:,.0f} loans/s)")
    s.stop()
PY
