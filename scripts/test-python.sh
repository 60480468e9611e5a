#!/usr/bin/env bash
# The Python tests (README "From Python and Spark"): builds the binary the
# tests compare against, installs the package into the venv
# (scripts/python-setup.sh), then runs pytest on python/tests: the package
# against the command line (sample portfolio, a generated 200k-loan
# portfolio, rejects, reports, explain, rules) and PySpark local[2]. Nothing
# is skipped: a missing binary, package or Java fails the run.
#
#   scripts/test-python.sh                         # what .ci/run runs
#   DEFICIENCY_TEST_ROWS=20000 scripts/test-python.sh   # a smaller generated portfolio
#   scripts/test-python.sh -k spark                # pytest arguments pass through
#   PROFILE=release scripts/test-python.sh         # optimised builds (default: dev,
#                                                  # which reuses what `cargo test` built)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/deficiency-target}"
VENV="${VENV:-$HOME/.cache/deficiency-py-venv}"
export VENV
PROFILE="${PROFILE:-dev}"
export PROFILE
started=$SECONDS
if [ "$PROFILE" = release ]; then
  cargo build --release --quiet --bin deficiency
  export DEFICIENCY_BIN="$CARGO_TARGET_DIR/release/deficiency"
else
  cargo build --quiet --bin deficiency
  export DEFICIENCY_BIN="$CARGO_TARGET_DIR/debug/deficiency"
fi
scripts/python-setup.sh
# Spark's workers must run the venv's Python (with the package).
export PYSPARK_PYTHON="$VENV/bin/python" PYSPARK_DRIVER_PYTHON="$VENV/bin/python"
cd python
"$VENV/bin/python" -m pytest tests -q -p no:cacheprovider "$@"
echo "python tests: $((SECONDS - started))s"
