#!/usr/bin/env bash
# Instructions per loan (valgrind callgrind; exact and immune to a noisy
# machine), on the default generated mix and on a mix where about half of
# every optional cell is blank (the unknown-fact branches the round-2
# questions multiply). With BASE=<git ref>, the same for that commit, built
# in a temporary worktree, so a change shows as a before/after pair.
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

measure() { # BIN INPUT -> instructions
  valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$1" assess "$2" --as-of 2026-01-15 \
    --threads 1 --out "$WORK/r.csv" --report "$WORK/r.json" --quiet >/dev/null 2>"$WORK/cg.log" || true
  grep -m1 -oP 'Collected : \K[0-9]+' "$WORK/cg.log"
}

{
  echo
  echo "## Instructions per loan, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "valgrind callgrind, \`assess --threads 1\` with CSV results and a JSON report, $ROWS generated loans (seed 11); whole run, start-up included."
  echo
  echo "| build | commit | default mix | half the optional cells blank |"
  echo "|---|---|---:|---:|"
  for b in "${BINS[@]}"; do
    IFS='|' read -r name bin commit <<<"$b"
    d=$(measure "$bin" "$WORK/default.csv")
    k=$(measure "$bin" "$WORK/blanks.csv")
    printf '| %s | %s | %s | %s |\n' "$name" "$commit" "$((d / ROWS))" "$((k / ROWS))"
  done
} | tee -a benches/RESULTS.md
