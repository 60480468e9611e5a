#!/usr/bin/env bash
# Instructions and allocations per loan (valgrind callgrind; exact and
# immune to a noisy machine): CSV->CSV on the default generated mix and on a
# mix where about half of every optional cell is blank (the unknown-fact
# branches the round-2 questions multiply), and Parquet->Parquet on the
# default mix. With BASE=<git ref>, the same for that commit, built in a
# temporary worktree, so a change shows as a before/after pair.
#
#   scripts/instructions.sh                 # this checkout
#   BASE=acd26cb scripts/instructions.sh    # ... and a commit before it
#   ROWS=50000 scripts/instructions.sh      # more loans (default 20000)
#
# Appends the table (machine, commits) to benches/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROWS=${ROWS:-20000}
WORK=${WORK:-/tmp/deficiency-instructions}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/deficiency-target}"
mkdir -p "$WORK"
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }

cargo build --release -q
cp "$CARGO_TARGET_DIR/release/deficiency" "$WORK/deficiency-head"
BINS=("head|$WORK/deficiency-head|$(git rev-parse --short HEAD)")
if [ -n "${BASE:-}" ]; then
  rm -rf "$WORK/base"
  git worktree add -f -q --detach "$WORK/base" "$BASE"
  (cd "$WORK/base" && cargo build --release -q)
  cp "$CARGO_TARGET_DIR/release/deficiency" "$WORK/deficiency-base"
  git worktree remove --force "$WORK/base"
  cargo build --release -q  # leave this checkout's binary in place
  BINS+=("base|$WORK/deficiency-base|$(git rev-parse --short "$BASE")")
fi

"$WORK/deficiency-head" generate --rows "$ROWS" --seed 11 --out "$WORK/default.csv"
"$WORK/deficiency-head" generate --rows "$ROWS" --seed 11 --out "$WORK/default.parquet"
# Blank about half of the optional cells (never the five required columns),
# the same cells every time.
python3 - "$WORK/default.csv" "$WORK/blanks.csv" <<'PY'
import csv, random, sys
rng = random.Random(5)
required = {"loan_id", "event_type", "event_date", "unpaid_principal", "sale_price"}
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as g:
    r, w = csv.reader(f), csv.writer(g, lineterminator="\n")
    head = next(r)
    w.writerow(head)
    for row in r:
        w.writerow([v if h in required or rng.random() < 0.5 else "" for h, v in zip(head, row)])
PY

measure() { # BIN INPUT OUTPUT -> "instructions allocations"
  valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$1" assess "$2" --as-of 2026-01-15 \
    --threads 1 --out "$3" --report "$WORK/r.json" --quiet >/dev/null 2>"$WORK/cg.log" || true
  # allocations: calls of the allocator's entry points (__rust_alloc, __rust_alloc_zeroed)
  python3 - "$WORK/cg.out" "$(grep -m1 -oP 'Collected : \K[0-9]+' "$WORK/cg.log")" <<'PY'
import re, sys
names, current, calls = {}, None, 0
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
    if m:
        if m.group(2):
            names[m.group(1)] = m.group(2).strip()
        current = names.get(m.group(1), "") if line.startswith("cfn=") else None
    elif line.startswith("calls=") and current and re.search(r"__rust_alloc(_zeroed)?$", current):
        calls += int(line[6:].split()[0])
print(sys.argv[2], calls)
PY
}

{
  echo
  echo "## Instructions per loan, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "valgrind callgrind, \`assess --threads 1\` with a JSON report, $ROWS generated loans (seed 11); whole run, start-up included. Instructions a loan, then allocations a loan (calls of the allocator)."
  echo
  echo "| build | commit | CSV->CSV, default mix | CSV->CSV, half the optional cells blank | Parquet->Parquet, default mix |"
  echo "|---|---|---:|---:|---:|"
  for b in "${BINS[@]}"; do
    IFS='|' read -r name bin commit <<<"$b"
    read -r di da < <(measure "$bin" "$WORK/default.csv" "$WORK/r.csv")
    read -r ki ka < <(measure "$bin" "$WORK/blanks.csv" "$WORK/r.csv")
    read -r pi pa < <(measure "$bin" "$WORK/default.parquet" "$WORK/r.parquet")
    per() { python3 -c "print(f'{$1 / $ROWS:,.0f} / {$2 / $ROWS:.1f}')"; }
    printf '| %s | %s | %s | %s | %s |\n' "$name" "$commit" "$(per "$di" "$da")" "$(per "$ki" "$ka")" "$(per "$pi" "$pa")"
  done
} | tee -a benches/RESULTS.md
