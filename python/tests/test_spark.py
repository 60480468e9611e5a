"""The engine on Spark (local[2]): results equal the command line's row for
row, and the report merged from many partitions equals its JSON report."""

import json
import os

import pyarrow as pa
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
