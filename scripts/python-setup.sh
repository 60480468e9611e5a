#!/usr/bin/env bash
# Installs the Python package (python/, README "From Python and Spark") into
# a virtualenv from this checkout: creates the venv if needed, installs
# maturin and the test dependencies from PyPI, then builds the extension
# (release) with maturin into the venv.
#
#   scripts/python-setup.sh            # venv at $HOME/.cache/deficiency-py-venv
#   VENV=/some/dir scripts/python-setup.sh
#   PROFILE=dev scripts/python-setup.sh   # an unoptimised build (what the tests use in CI)
#   . "$HOME/.cache/deficiency-py-venv/bin/activate"   # then: import deficiency
#
# Builds go to CARGO_TARGET_DIR (default under $HOME/.cache), so a second run
# only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-$HOME/.cache/deficiency-py-venv}"
PYTHON="${PYTHON:-python3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/deficiency-target}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
DEPS=(maturin pyarrow polars pandas pytest pyspark)
if ! "$PY" -c 'import maturin, pyarrow, polars, pandas, pytest, pyspark' 2>/dev/null; then
  "$PY" -m pip install --quiet --upgrade pip
  "$PY" -m pip install --quiet "${DEPS[@]}"
fi
PROFILE="${PROFILE:-release}"
case "$PROFILE" in
  release) MODE=(--release) ;;
  dev) MODE=() ;;
  *) echo "PROFILE must be release or dev" >&2; exit 2 ;;
esac
# maturin develop installs into the venv named by VIRTUAL_ENV.
VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" \
  maturin develop "${MODE[@]}" --quiet --manifest-path python/Cargo.toml
"$PY" -c 'import deficiency; print("deficiency", deficiency.__version__, "installed in", "'"$VENV"'")'
