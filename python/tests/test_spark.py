"""The engine on Spark (local[2]): results equal the command line's row for
row, and the report merged from many partitions equals its JSON report."""

import json
import os

import pyarrow as pa
import pyarrow.csv  # noqa: F401  (pa.csv)
import pyarrow.parquet as pq
import pytest

from deficiency import spark as dspark
from conftest import AS_OF, SAMPLE


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    s = (
        SparkSession.builder.master("local[2]")
        .appName("deficiency-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "10000")
        .getOrCreate()
    )
    yield s
    s.stop()


def as_spark_types(t: pa.Table) -> pa.Table:
    """The command line's results with Spark's integer types."""
    fields = [pa.field(f.name, pa.int64() if pa.types.is_unsigned_integer(f.type) else f.type) for f in t.schema]
    return t.cast(pa.schema(fields))


def check(df, cli_results, cli, tmp_path, name):
    assert df.rdd.getNumPartitions() > 1
    results = dspark.assess(df, AS_OF, name=name)
    got = results.toArrow()
    want = as_spark_types(pq.read_table(cli_results).replace_schema_metadata(None))
    assert got.num_rows == want.num_rows
    assert got.equals(want.cast(got.schema))
    # the merged report is `deficiency report --as-of` on the CLI's results
    rep = tmp_path / f"{name}.json"
    cli("report", cli_results, "--as-of", AS_OF, "--report", rep)
    want_report = json.loads(rep.read_text())
    want_report["inputs"] = [{"path": name, "rows": want.num_rows}]
    assert dspark.report(results, as_of=AS_OF, name=name) == want_report


def test_sample_portfolio_on_spark(spark, sample_cli, cli, tmp_path):
    spark.conf.set("spark.sql.files.maxPartitionBytes", "16k")
    df = spark.read.option("header", True).csv(str(SAMPLE))
    check(df, sample_cli["results"], cli, tmp_path, "sample")


def test_generated_portfolio_on_spark(spark, generated, cli, tmp_path):
    # several row groups (32k rows each) per file: one partition per few row groups
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(max(1, os.path.getsize(generated["input"]) // 4)))
    df = spark.read.parquet(str(generated["input"]))
    check(df, generated["results"], cli, tmp_path, "generated")


def test_spark_rejects(spark, tmp_path):
    lines = SAMPLE.read_text().splitlines()
    rows = lines[1:11]
    rows[4] = rows[4].replace(",2025-", ",2025-99-", 1)
    p = tmp_path / "bad.csv"
    p.write_text("\n".join([lines[0]] + rows) + "\n")
    df = spark.read.option("header", True).csv(str(p))
    results, rejects = dspark.assess(df, AS_OF, with_rejects=True)
    assert results.count() == 9
    r = rejects.collect()
    assert len(r) == 1 and r[0]["row"] == 5 and r[0]["column"] == "event_date"


def test_repeated_loan_ids_across_partitions_are_rejected_as_on_the_command_line(spark, cli, tmp_path):
    # Early loans repeated at the end of the file, in a later partition; the
    # first row of one of them is bad, so its repeat is the first assessed
    # row with that id and is kept, as on the command line.
    lines = SAMPLE.read_text().splitlines()
    head, rows = lines[0], lines[1:]
    rows[9] = rows[9].replace(",2025-", ",2025-99-", 1)
    repeats = [rows[1], rows[9], rows[40], rows[1], rows[2].replace(",", " ,", 1)]
    p = tmp_path / "repeats.csv"
    p.write_text("\n".join([head] + rows + repeats) + "\n")
    out = tmp_path / "results.parquet"
    cli("assess", p, "--as-of", AS_OF, "--out", out, "--quiet")
    want = as_spark_types(pq.read_table(out).replace_schema_metadata(None))
    want_rejects = pa.csv.read_csv(tmp_path / "results.rejects.csv").to_pylist()
    assert sum(r["error"].startswith("duplicates") for r in want_rejects) == 4

    spark.conf.set("spark.sql.files.maxPartitionBytes", "16k")
    df = spark.read.option("header", True).csv(str(p))
    assert df.rdd.getNumPartitions() > 1
    results, rejects = dspark.assess(df, AS_OF, name="repeats", with_rejects=True)
    got = results.toArrow()
    assert got.equals(want.cast(got.schema))
    got_rejects = sorted(rejects.collect(), key=lambda r: r["row"])
    keep = ("row", "loan_id", "column", "value", "error")
    assert [{k: r[k] for k in keep} for r in got_rejects] == [
        {k: (str(r[k]) if k in ("loan_id", "value") else r[k]) for k in keep} for r in want_rejects
    ]
    # results alone, and the report of what was kept
    only = dspark.assess(df, AS_OF, name="repeats")
    assert only.toArrow().equals(got)
    rep = tmp_path / "report.json"
    cli("report", out, "--as-of", AS_OF, "--report", rep)
    want_report = json.loads(rep.read_text())
    want_report["inputs"] = [{"path": "repeats", "rows": want.num_rows}]
    assert dspark.report(only, as_of=AS_OF, name="repeats") == want_report
    # with the check off, the repeat in another partition stays
    loose = dspark.assess(df, AS_OF, name="repeats", across_partitions=False)
    assert loose.count() > want.num_rows
