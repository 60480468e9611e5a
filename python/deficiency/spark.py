"""The engine on Spark: each partition is assessed by the Rust engine in its
Python worker through ``mapInArrow`` (Arrow batches in, Arrow batches out;
no Python per row), and reports are built per partition and merged on the
driver exactly as ``deficiency report`` merges shards.

    >>> from deficiency import spark as dspark
    >>> results = dspark.assess(df, as_of="2026-01-15")
    >>> summary = dspark.report(results, as_of="2026-01-15")

Row numbers: with ``row_numbers=True`` (the default) a first, cheap pass
counts each partition's rows so that ``row`` is the row's place in the whole
DataFrame, as the command line numbers a file's rows (true to the file when
the DataFrame reads one file in order, as ``spark.read.csv`` and
``spark.read.parquet`` do).

Duplicate loan ids: as on the command line, the first *assessed* row with a
loan id is kept and every later assessed row with it is a reject. Within a
partition the engine finds them; across partitions a cheap pass over the
input's loan ids (its smallest and largest partition per id) says whether any
id is in two partitions. If none is (the usual case) that is all; otherwise
the assessed rows are cached, the ids assessed in more than one partition are
gathered on the driver with their first row, and a second, narrow pass turns
the later rows into rejects with the command line's words.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Optional, Sequence

import pyarrow as pa

import deficiency as _d


def _spark_type(kind: str):
    from pyspark.sql import types as T

    return {
        "row_number": T.LongType(),
        "text": T.StringType(),
        "code": T.StringType(),
        "list": T.StringType(),
        "money": T.DecimalType(18, 2),
        "date": T.DateType(),
        "count": T.LongType(),
    }[kind]


def _arrow_type(kind: str) -> pa.DataType:
    return {
        "row_number": pa.int64(),
        "text": pa.string(),
        "code": pa.string(),
        "list": pa.string(),
        "money": pa.decimal128(18, 2),
        "date": pa.date32(),
        "count": pa.int64(),
    }[kind]


def _columns():
    return [(c["name"], c["kind"]) for c in _d.rules()["result_columns"]]


def results_schema():
    """The Spark schema of results: the Parquet results' columns, with
    ``row`` and ``lien_position`` as LongType (Spark has no unsigned
    integers)."""
    from pyspark.sql import types as T

    return T.StructType([T.StructField(n, _spark_type(k), True) for n, k in _columns()])


def rejects_schema():
    """The Spark schema of rejects (the rejects CSV's columns)."""
    from pyspark.sql import types as T

    s, long_ = T.StringType(), T.LongType()
    names = [("file", s), ("row", long_), ("line", long_), ("loan_id", s), ("column", s), ("value", s), ("error", s)]
    return T.StructType([T.StructField(n, t, True) for n, t in names])


def _partition_offsets(df) -> list:
    """The number of rows before each partition."""

    def count(batches):
        from pyspark import TaskContext

        n = sum(b.num_rows for b in batches)
        yield pa.RecordBatch.from_pydict(
            {"p": [TaskContext.get().partitionId()], "n": [n]}, schema=pa.schema([("p", pa.int64()), ("n", pa.int64())])
        )

    counts = dict((r["p"], r["n"]) for r in df.mapInArrow(count, "p long, n long").collect())
    offsets, total = [], 0
    for p in range(df.rdd.getNumPartitions()):
        offsets.append(total)
        total += counts.get(p, 0)
    return offsets


# The ASCII whitespace the engine trims from a cell (Rust's trim_ascii).
_BLANKS = "[ \\t\\n\\f\\r]"


def _ids_in_two_partitions(df) -> bool:
    """Whether any loan id (trimmed as the engine trims it) is in more than
    one partition of ``df``: ids equal to the engine are equal here."""
    from pyspark.sql import functions as F

    if "loan_id" not in df.columns:
        return False
    key = F.regexp_replace(F.col("loan_id").cast("string"), f"^{_BLANKS}+|{_BLANKS}+$", "")
    pid = F.spark_partition_id()
    spread = (
        df.select(key.alias("k"), pid.alias("p"))
        .where(F.col("k").isNotNull() & (F.col("k") != ""))
        .groupBy("k")
        .agg((F.min("p") != F.max("p")).alias("split"))
        .where("split")
    )
    return len(spread.limit(1).collect()) > 0


def assess(
    df,
    as_of: Any,
    settings: Optional[Mapping[str, Any]] = None,
    assume: Optional[Mapping[str, Any]] = None,
    *,
    name: str = "spark",
    threads: int = 0,
    row_numbers: bool = True,
    with_rejects: bool = False,
    across_partitions: bool = True,
):
    """Assesses a Spark DataFrame of native-layout rows. Returns the results
    DataFrame (:func:`results_schema`), or ``(results, rejects)`` with
    ``with_rejects=True`` (then the assessed rows are cached so the engine
    runs once). ``across_partitions=False`` skips the duplicate check across
    partitions (duplicates are then found within a partition only), as does
    ``row_numbers=False`` (which row came first is then unknown)."""
    as_of = _d._as_of(as_of)
    # Fail on the driver, not in a worker: settings, assumptions, columns.
    _d.Assessor(as_of, settings, assume)
    offsets = _partition_offsets(df) if row_numbers else None
    cols = _columns()
    res_arrow = pa.schema([pa.field(n, _arrow_type(k)) for n, k in cols])
    rej_arrow = pa.schema(
        [pa.field(n, pa.int64() if n in ("row", "line") else pa.string()) for n in _d.rejects_schema().names]
    )
    kind_field = pa.field("_kind", pa.string())
    both = pa.schema(
        [kind_field] + list(res_arrow) + [pa.field("reject_" + f.name, f.type) for f in rej_arrow]
    )
    # Rejects are yielded beside results when asked for, or when a repeat
    # across partitions may turn a result into a reject.
    split = across_partitions and row_numbers and _ids_in_two_partitions(df)
    kinds = with_rejects or split

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        import deficiency

        p = TaskContext.get().partitionId()
        a = deficiency.Assessor(as_of, settings, assume, threads=threads)
        # Rows number on from the partitions before this one.
        a._last_name, a._rows = name, (offsets[p] if offsets is not None else 0)
        for b in batches:
            res, rej = a.assess(b, name)
            res = res.cast(res_arrow)
            if not kinds:
                yield from res.to_batches()
                continue
            rej = rej.cast(rej_arrow)
            n, m = res.num_rows, rej.num_rows
            arrays = [pa.array(["result"] * n + ["reject"] * m, pa.string())]
            for f in res_arrow:
                arrays.append(pa.concat_arrays([res.column(f.name).combine_chunks(), pa.nulls(m, f.type)]))
            for f in rej_arrow:
                arrays.append(pa.concat_arrays([pa.nulls(n, f.type), rej.column(f.name).combine_chunks()]))
            yield pa.RecordBatch.from_arrays(arrays, schema=both)

    if not kinds:
        return df.mapInArrow(run, results_schema())
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    spark_both = T.StructType(
        [T.StructField("_kind", T.StringType(), True)]
        + list(results_schema().fields)
        + [T.StructField("reject_" + f.name, f.dataType, True) for f in rejects_schema().fields]
    )
    out = df.mapInArrow(run, spark_both).cache()
    if split:
        out = _reject_later_repeats(out, name)
    results = out.filter(F.col("_kind") == "result").select(*[n for n, _ in cols])
    rejects = out.filter(F.col("_kind") == "reject").select(
        *[F.col("reject_" + n).alias(n) for n in rejects_schema().names]
    )
    return (results, rejects) if with_rejects else results


def _reject_later_repeats(out, name: str):
    """Turns every assessed row whose loan id an earlier assessed row (in
    another partition) had into a reject, as the command line does."""
    from pyspark.sql import functions as F

    repeats = (
        out.filter(F.col("_kind") == "result")
        .groupBy("loan_id")
        .agg(F.min("row").alias("first"), F.count(F.lit(1)).alias("n"))
        .where("n > 1")
        .select("loan_id", "first")
        .collect()
    )
    if not repeats:
        return out
    ids = pa.array([r["loan_id"] for r in repeats], pa.string())
    firsts = pa.array([r["first"] for r in repeats], pa.int64())
    message = _d._native.DUPLICATE_ERROR

    def mark(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow.compute as pc

        for b in batches:
            col = b.column("loan_id")
            # Each row's first row with its id (null: an id seen once).
            first_row = pc.take(firsts, pc.index_in(col, value_set=ids.cast(col.type)))
            later = pc.fill_null(
                pc.and_kleene(pc.equal(b.column("_kind"), "result"), pc.not_equal(b.column("row"), first_row)),
                False,
            )
            if not pc.any(later).as_py():
                yield b
                continue
            # A later repeat keeps its place, as a reject (column by column).
            reject = {
                "file": name,
                "row": b.column("row"),
                "line": None,
                "loan_id": col,
                "column": "loan_id",
                "value": col,
                "error": message,
            }
            arrays = []
            for f in b.schema:
                if f.name == "_kind":
                    v = pa.scalar("reject", f.type)
                elif f.name.startswith("reject_"):
                    v = reject[f.name[len("reject_") :]]
                    v = v.cast(f.type) if isinstance(v, (pa.Array, pa.ChunkedArray)) else pa.scalar(v, f.type)
                else:
                    v = pa.scalar(None, f.type)
                arrays.append(pc.if_else(later, v, b.column(f.name)))
            yield pa.RecordBatch.from_arrays(arrays, schema=b.schema)

    return out.mapInArrow(mark, out.schema)


_REPORT_COLUMNS = [
    "outcome",
    "primary_reason",
    "total_debt",
    "gross_deficiency",
    "recoverable",
    "barred",
    "undetermined",
    "event_type",
    "event_date",
    "lien_position",
    "agency_net_loss",
    "flags",
    "loan_id",
    "row",
    "action_deadline",
]


def report(
    results_df,
    as_of: Any = None,
    watch_days: Optional[Sequence[int]] = None,
    *,
    name: str = "spark",
) -> dict:
    """The JSON report of a results DataFrame: each partition's report is
    built where its rows are (one line of JSON per partition), then the
    driver merges them in partition order as ``deficiency report --as-of``
    merges shards. All partitions count as one input, ``name``."""
    as_of = None if as_of is None else _d._as_of(as_of)
    days = list(watch_days or [])

    def part(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        import deficiency

        batches = list(batches)
        if not batches:
            return
        t = pa.Table.from_batches(batches)
        partial = deficiency.partial_report(t, name, as_of, days)
        yield pa.RecordBatch.from_pydict(
            {"p": [TaskContext.get().partitionId()], "partial": [partial]},
            schema=pa.schema([("p", pa.int64()), ("partial", pa.string())]),
        )

    cols = [c for c in _REPORT_COLUMNS if c in results_df.columns]
    rows = results_df.select(*cols).mapInArrow(part, "p long, partial string").collect()
    partials = [r["partial"] for r in sorted(rows, key=lambda r: r["p"])]
    if not partials:
        return _d.report(_d.results_schema().empty_table(), as_of=as_of, watch_days=days, names=[name])
    return _d.merge_reports(partials, as_of=as_of, watch_days=days)
