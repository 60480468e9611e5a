#!/usr/bin/env bash
# Benchmark: deficiency assess (CSV->CSV, CSV->Parquet, Parquet->Parquet at
# --threads 1 and 2) beside the same decisions as one DuckDB SQL query over
# the same CSV and over the same Parquet file (read_parquet -> COPY ...
# (FORMAT parquet)), and `wc -l` as the I/O floor, on generated portfolios of 1M
# and 10M loans. Prints seconds, loans/s, peak memory and the ratio to DuckDB,
# and appends the table (with machine and commit) to benches/RESULTS.md.
#
#   scripts/bench.sh                 # 1M and 10M rows
#   SIZES="1000000" scripts/bench.sh # just 1M
#   BENCH_DIR=/big/disk scripts/bench.sh
#   REPEAT=5 scripts/bench.sh        # rounds (default 3); the median time is kept
#
# Installs what it needs itself: GNU time (Debian) and DuckDB (PyPI, in a venv
# under ~/.cache). Builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SIZES=${SIZES:-"1000000 10000000"}
REPEAT=${REPEAT:-3}
BENCH_DIR=${BENCH_DIR:-/tmp/deficiency-bench}
AS_OF=2026-01-15
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/deficiency-target}"
mkdir -p "$BENCH_DIR"

if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
VENV="$HOME/.cache/deficiency-bench-venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import duckdb' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q duckdb
fi
DUCKDB_VERSION=$("$VENV/bin/python" -c 'import duckdb; print(duckdb.__version__)')

cargo build --release -q
BIN="$CARGO_TARGET_DIR/release/deficiency"

calc() { python3 -c "print($1)"; }

# measure NAME ROWS CMD... : runs CMD under GNU time; records seconds and peak RSS (MB)
RUNS=()
measure() {
  local name=$1 rows=$2; shift 2
  local log="$BENCH_DIR/time.log"
  /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>"$BENCH_DIR/stderr.log" || {
    local rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then echo "FAILED ($rc): $*" >&2; cat "$BENCH_DIR/stderr.log" >&2; exit 1; fi
  }
  read -r secs kb < <(tail -n 1 "$log")
  RUNS+=("$name|$rows|$secs|$kb")
  printf '  %-34s %10s rows %8.2fs %8.0f MB\n' "$name" "$rows" "$secs" "$(calc "$kb/1024")"
}

DUCK_SQL="$BENCH_DIR/duckdb_assess.py"
cat > "$DUCK_SQL" <<'PY'
# The main rules as one DuckDB query: the decision a researcher would write.
import sys, duckdb
src, out, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
con = duckdb.connect()
con.execute(f"SET threads={threads}")
money = ["unpaid_principal","sale_price","accrued_interest","advances","costs","fair_value","surplus_received",
         "purchase_money_payoff","refinance_costs_financed","new_advance","principal_paid"]
types = ", ".join(f"'{c}': 'DECIMAL(18,2)'" for c in money)
# The same query over either file: a CSV read with Decimal money, or the
# Parquet file as it is typed; the results written in the same format.
parquet = src.endswith(".parquet")
source = f"read_parquet('{src}')" if parquet else f"read_csv('{src}', header=true, types={{{types}}})"
options = "FORMAT parquet" if parquet else "HEADER, DELIMITER ','"
con.execute(f"""
COPY (
  WITH l AS (
    SELECT *, unpaid_principal + coalesce(accrued_interest,0) + coalesce(advances,0) + coalesce(costs,0) AS total_debt
    FROM {source}
  ), g AS (
    SELECT *, greatest(total_debt - CASE WHEN event_type='senior_sale' THEN coalesce(surplus_received,0) ELSE sale_price END, 0) AS gross
    FROM l
  ), d AS (
    SELECT *,
      CASE
        WHEN coalesce(upper(state),'CA') <> 'CA' THEN 'out_of_scope'
        WHEN gross <= 0 THEN 'no_deficiency'
        WHEN coalesce(fraud_or_waste,false) THEN 'needs_review'
        WHEN coalesce(seller_financed,false) THEN 'barred'
        WHEN loan_purpose IN ('purchase','construction') AND owner_occupied AND property_units BETWEEN 1 AND 4 THEN 'barred'
        WHEN loan_purpose IN ('refinance','cash_out_refinance') AND origination_date >= DATE '2013-01-01'
             AND refinances_purchase_money AND coalesce(new_advance,0) = 0 THEN 'barred'
        WHEN event_type = 'trustee_sale' AND NOT coalesce(bond_or_utility_lien,false) THEN 'barred'
        WHEN event_type = 'short_sale' AND event_date >= DATE '2011-07-15' AND property_units BETWEEN 1 AND 4
             AND written_consent AND coalesce(borrower_type,'individual') NOT IN ('corporation','llc','limited_partnership','public_entity') THEN 'barred'
        WHEN event_type = 'deed_in_lieu' AND deed_in_lieu_terms = 'waived' THEN 'barred'
        WHEN event_type = 'judicial_sale' AND coalesce(deficiency_waived,false) THEN 'barred'
        WHEN coalesce(bankruptcy,'none') = 'discharged' THEN 'discharged'
        WHEN event_type = 'judicial_sale' AND coalesce(deficiency_filed_date, DATE '{sys.argv[4]}') > event_date + INTERVAL 3 MONTH THEN 'time_barred'
        WHEN event_type IN ('senior_sale','short_sale','deed_in_lieu')
             AND coalesce(deficiency_filed_date, DATE '{sys.argv[4]}') > coalesce(accrual_date, event_date) + INTERVAL 4 YEAR THEN 'time_barred'
        WHEN event_type = 'judicial_sale' AND fair_value IS NULL THEN 'needs_review'
        ELSE 'recoverable'
      END AS outcome
    FROM g
  )
  SELECT row_number() OVER () AS row, loan_id, outcome, total_debt, gross AS gross_deficiency,
         CASE WHEN outcome = 'recoverable' THEN
           CASE WHEN event_type = 'judicial_sale' THEN greatest(total_debt - greatest(fair_value, sale_price), 0) ELSE gross END
         ELSE 0 END AS recoverable,
         CASE WHEN outcome IN ('needs_review','out_of_scope') THEN gross ELSE 0 END AS undetermined
  FROM d
) TO '{out}' ({options});
""")
PY

echo "deficiency benchmark: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), DuckDB $DUCKDB_VERSION"
for n in $SIZES; do
  csv="$BENCH_DIR/p$n.csv"; pq="$BENCH_DIR/p$n.parquet"
  # (re)generate when missing or older than the binary
  [ -s "$csv" ] && [ "$csv" -nt "$BIN" ] || "$BIN" generate --rows "$n" --seed 42 --out "$csv"
  [ -s "$pq" ] && [ "$pq" -nt "$BIN" ] || "$BIN" generate --rows "$n" --seed 42 --out "$pq"
  cat "$csv" >/dev/null; cat "$pq" >/dev/null   # warm the page cache
  # Rounds run every command in turn, so a noisy spell hits them alike.
  for round in $(seq "$REPEAT"); do
    echo "$n loans, round $round of $REPEAT:"
    measure "wc -l (I/O floor)" "$n" wc -l "$csv"
    measure "duckdb SQL, 2 threads" "$n" "$VENV/bin/python" "$DUCK_SQL" "$csv" "$BENCH_DIR/duck.csv" 2 "$AS_OF"
    measure "duckdb SQL parquet->parquet, 2 threads" "$n" "$VENV/bin/python" "$DUCK_SQL" "$pq" "$BENCH_DIR/duck.parquet" 2 "$AS_OF"
    for t in 1 2; do
      measure "assess csv->csv, $t thread(s)" "$n" "$BIN" assess "$csv" --as-of $AS_OF --threads $t --out "$BENCH_DIR/r.csv" --quiet
      measure "assess csv->parquet, $t thread(s)" "$n" "$BIN" assess "$csv" --as-of $AS_OF --threads $t --out "$BENCH_DIR/r.parquet" --quiet
      measure "assess parquet->parquet, $t thread(s)" "$n" "$BIN" assess "$pq" --as-of $AS_OF --threads $t --out "$BENCH_DIR/r2.parquet" --quiet
    done
  done
done

# DuckDB reads the Parquet results with their types (Decimal money, Date dates).
TYPES=$("$VENV/bin/python" -c '
import sys, duckdb
t = dict((r[0], r[1]) for r in duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet(\x27{sys.argv[1]}\x27)").fetchall())
want = {"row": "UBIGINT", "recoverable": "DECIMAL(18,2)", "barred": "DECIMAL(18,2)", "action_deadline": "DATE", "event_date": "DATE"}
bad = {k: t.get(k) for k, v in want.items() if t.get(k) != v}
print("ok: " + ", ".join(f"{k} {v}" for k, v in want.items()) if not bad else f"WRONG: {bad}")
' "$BENCH_DIR/r2.parquet")
echo "Parquet results as DuckDB reads them: $TYPES"

# Per command: the median time and the highest peak memory over the rounds.
mapfile -t RESULTS < <(printf '%s\n' "${RUNS[@]}" | python3 -c '
import sys, statistics
runs = {}
for line in sys.stdin:
    name, n, secs, kb = line.strip().split("|")
    runs.setdefault((name, n), []).append((float(secs), int(kb)))
for (name, n), v in runs.items():
    print(f"{name}|{n}|{statistics.median(s for s, _ in v):.2f}|{max(k for _, k in v)}")
')

# Table, with ratios to DuckDB on the same file: runs reading Parquet
# against DuckDB's Parquet query, the others against its CSV query.
same_input() {
  local a=0 b=0
  [[ "$1" == *"parquet->"* ]] && a=1
  [[ "$2" == *parquet* ]] && b=1
  [ $a = $b ]
}
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain 2>/dev/null | grep -q . && echo "+uncommitted" || true)
{
  echo
  echo "## $(date -u +%Y-%m-%dT%H:%MZ), commit $commit$dirty"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; DuckDB $DUCKDB_VERSION (Python). Median of $REPEAT rounds; peak memory is the highest round."
  echo
  echo "Parquet results as DuckDB reads them: $TYPES"
  echo
  echo "| run | loans | seconds | loans/s | peak MB | time vs DuckDB |"
  echo "|---|---:|---:|---:|---:|---:|"
  for r in "${RESULTS[@]}"; do
    IFS='|' read -r name rows secs kb <<<"$r"
    duck=""
    for r2 in "${RESULTS[@]}"; do
      IFS='|' read -r n2 rows2 s2 _ <<<"$r2"
      # each run against DuckDB on the same input file
      if [ "$rows2" = "$rows" ] && [[ "$n2" == duckdb* ]] && same_input "$name" "$n2"; then duck=$s2; fi
    done
    rate=$(calc "$rows/max($secs,0.01)")
    ratio=$( [ -n "$duck" ] && calc "round($secs/max($duck,0.01),2)" || echo "")
    printf '| %s | %d | %.2f | %.0f | %.0f | %s |\n' "$name" "$rows" "$secs" "$rate" "$(calc "$kb/1024")" "$ratio"
  done
  # The issue's targets, checked against this run.
  echo
  printf '%s\n' "${RESULTS[@]}" | python3 -c '
import sys
rows = {}
for line in sys.stdin:
    name, n, secs, kb = line.strip().split("|")
    rows[(name, int(n))] = (float(secs), int(kb) / 1024)
def get(name, n): return rows.get((name, n))
print("Targets (issue 12; 2-core machine, ratios from this run):")
sizes = sorted({n for _, n in rows})
def mark(ok): return "met" if ok else "NOT met"
for n in sizes:
    duck = get("duckdb SQL, 2 threads", n)
    duckp = get("duckdb SQL parquet->parquet, 2 threads", n)
    c2 = get("assess csv->csv, 2 thread(s)", n); c1 = get("assess csv->csv, 1 thread(s)", n)
    p2 = get("assess parquet->parquet, 2 thread(s)", n); p1 = get("assess parquet->parquet, 1 thread(s)", n)
    if c2 and duck:
        print(f"- {n} loans: CSV->CSV at 2 threads in at most half DuckDB time: {c2[0]:.2f}s vs {duck[0]:.2f}s ({c2[0]/duck[0]:.2f}x): {mark(c2[0] <= duck[0]/2)}")
    if c2:
        print(f"- {n} loans: CSV->CSV at least 1.5M loans/s: {n/c2[0]:,.0f}/s: {mark(n/c2[0] >= 1.5e6)}")
    if p2 and duckp:
        print(f"- {n} loans: Parquet->Parquet at 2 threads in at most half DuckDB time on the same file: {p2[0]:.2f}s vs {duckp[0]:.2f}s ({p2[0]/duckp[0]:.2f}x): {mark(p2[0] <= duckp[0]/2)}")
    for what, one, two in (("CSV->CSV", c1, c2), ("Parquet->Parquet", p1, p2)):
        if one and two:
            print(f"- {n} loans: {what} 2 threads at least 1.8x faster than 1: {one[0]/two[0]:.2f}x: {mark(one[0]/two[0] >= 1.8)}")
    for name in ("assess csv->csv, 2 thread(s)", "assess csv->parquet, 2 thread(s)", "assess parquet->parquet, 2 thread(s)"):
        r = get(name, n)
        if r:
            print(f"- {n} loans: {name} peak memory under 256 MB: {r[1]:.0f} MB: {mark(r[1] < 256)}")
if len(sizes) >= 2:
    lo, hi = sizes[0], sizes[-1]
    for name in ("assess csv->csv, 2 thread(s)", "assess parquet->parquet, 2 thread(s)"):
        a, b = get(name, lo), get(name, hi)
        if a and b:
            per = (b[1] - a[1]) * 1024 * 1024 / (hi - lo)
            print(f"- {name}: memory growth {per:.1f} bytes a loan ({lo} to {hi}): {mark(per <= 12)}")
'
} | tee -a benches/RESULTS.md
