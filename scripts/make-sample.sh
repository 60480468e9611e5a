#!/usr/bin/env bash
# Rebuilds data/sample-portfolio.csv: the hand-written cases in
# data/hand-cases.csv followed by 300 generated loans (seed 2026).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo run -q -- generate --rows 300 --seed 2026 --out "$tmp/gen.csv"
python3 - "$tmp/gen.csv" <<'PY'
import csv, sys
gen = list(csv.reader(open(sys.argv[1], newline="")))
cols = gen[0]
hand = list(csv.DictReader(open("data/hand-cases.csv", newline="")))
with open("data/sample-portfolio.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(cols)
    for r in hand:
        w.writerow([r.get(c, "") for c in cols])
    w.writerows(gen[1:])
PY
echo "wrote data/sample-portfolio.csv"
