"""Shared fixtures: the command line to compare against, and input files.

The tests compare the package with the `deficiency` binary built from the
same checkout (scripts/test-python.sh builds it and sets DEFICIENCY_BIN).
Nothing is skipped: without the binary the tests fail.
"""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample-portfolio.csv"
AS_OF = "2026-01-15"


def _bin() -> str:
    b = os.environ.get("DEFICIENCY_BIN")
    if not b:
        target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
        b = os.path.join(target, "debug" if os.environ.get("PROFILE") == "dev" else "release", "deficiency")
    assert os.path.exists(b), f"no deficiency binary at {b}: run scripts/test-python.sh (or set DEFICIENCY_BIN)"
    return b


@pytest.fixture(scope="session")
def cli():
    b = _bin()

    def run(*args, check=True):
        p = subprocess.run([b, *map(str, args)], capture_output=True, text=True)
        if check and p.returncode not in (0, 1):
            raise AssertionError(f"deficiency {' '.join(map(str, args))}: exit {p.returncode}\n{p.stderr}")
        return p

    return run


@pytest.fixture(scope="session")
def sample_cli(cli, tmp_path_factory):
    """The sample portfolio assessed by the command line: results (Parquet),
    rejects and the JSON report."""
    d = tmp_path_factory.mktemp("sample")
    out, rep = d / "results.parquet", d / "report.json"
    cli("assess", SAMPLE, "--as-of", AS_OF, "--out", out, "--report", rep, "--quiet")
    return {"results": out, "report": json.loads(rep.read_text()), "rejects": d / "results.rejects.csv"}


@pytest.fixture(scope="session")
def generated(cli, tmp_path_factory):
    """A generated portfolio as typed Parquet, assessed by the command line."""
    rows = int(os.environ.get("DEFICIENCY_TEST_ROWS", "200000"))
    d = tmp_path_factory.mktemp("generated")
    src, out, rep = d / "portfolio.parquet", d / "results.parquet", d / "report.json"
    cli("generate", "--rows", rows, "--seed", 7, "--out", src)
    cli("assess", src, "--as-of", AS_OF, "--out", out, "--report", rep, "--quiet")
    return {"input": src, "results": out, "report": json.loads(rep.read_text()), "rows": rows}
