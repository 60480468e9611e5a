"""California anti-deficiency screening of foreclosed mortgage loans, from Python.

The engine is the ``deficiency`` Rust library (the same one the command line
runs); this package hands it Arrow data through the Arrow PyCapsule
interface, so a pyarrow Table or RecordBatch, a polars DataFrame or a pandas
DataFrame reaches it as Arrow buffers, never as Python objects per cell. The
engine runs with the GIL released, on all cores.

    >>> import deficiency
    >>> results, rejects = deficiency.assess(table, as_of="2026-01-15")

``results`` has exactly the columns and types of ``deficiency assess --out
results.parquet`` (money Decimal(18,2), dates date32, ``row`` uint64);
``rejects`` those of the rejects CSV. See the repository README, "From
Python and Spark".
"""

from __future__ import annotations

import datetime as _dt
import json as _json
from typing import Any, Iterable, Iterator, Mapping, Optional, Sequence

import pyarrow as pa

from . import _native

__version__ = _native.__version__

__all__ = [
    "assess",
    "assess_batches",
    "Assessor",
    "BatchResults",
    "report",
    "explain",
    "rules",
    "results_schema",
    "rejects_schema",
]


# ------------------------------------------------------------------ helpers


def _as_of(as_of: Any) -> str:
    if isinstance(as_of, (_dt.date, _dt.datetime)):
        return as_of.isoformat()[:10]
    if isinstance(as_of, str):
        return as_of
    raise TypeError(f"as_of must be a date or a 'YYYY-MM-DD' string, not {type(as_of).__name__}")


def _toml_value(name: str, v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return _json.dumps(v)
    raise ValueError(f"setting {name!r}: {v!r} is not a string, an integer or a boolean")


def _settings(settings: Optional[Mapping[str, Any]]) -> Optional[str]:
    """A settings dict as the TOML text of ``--settings FILE.toml``."""
    if settings is None:
        return None
    if not isinstance(settings, Mapping):
        raise TypeError("settings must be a dict of setting name -> value (see deficiency.rules()['settings'])")
    return "\n".join(f"{_json.dumps(str(k))} = {_toml_value(str(k), v)}" for k, v in settings.items())


def _assume(assume: Optional[Mapping[str, Any]]) -> list:
    """An assume dict as ``--assume COLUMN=VALUE`` arguments."""
    if assume is None:
        return []
    if not isinstance(assume, Mapping):
        raise TypeError("assume must be a dict of column -> value")
    out = []
    for k, v in assume.items():
        if isinstance(v, bool):
            v = "true" if v else "false"
        out.append(f"{k}={v}")
    return out


def _layout(layout: str) -> None:
    if layout not in ("native", "fannie-mae", "freddie-mac"):
        raise ValueError(f"layout {layout!r}: use native, fannie-mae or freddie-mac")


def _is_pandas(data: Any) -> bool:
    return type(data).__module__.split(".")[0] == "pandas" and type(data).__name__ == "DataFrame"


def _plain_type(t: pa.DataType) -> Optional[pa.DataType]:
    """The type the engine reads for a type it does not (None: as it is)."""
    if pa.types.is_dictionary(t):
        return _plain_type(t.value_type) or t.value_type
    if pa.types.is_timestamp(t) or pa.types.is_date64(t):
        return pa.date32()
    return None


_INPUT_COLUMNS: Optional[frozenset] = None


def _input_columns() -> frozenset:
    global _INPUT_COLUMNS
    if _INPUT_COLUMNS is None:
        _INPUT_COLUMNS = frozenset(c["name"] for c in rules()["input_columns"])
    return _INPUT_COLUMNS


def _normalise(t, loans: bool = True):
    """Casts columns the engine does not read as they are (dictionary
    columns, pandas timestamps) to plain ones, and hands over columns the
    layout does not know by name only (as nulls: they are ignored, with a
    warning, whatever their type); Arrow compute, no Python per cell."""
    known = _input_columns() if loans else None
    arrays = []
    changed = False
    for f, col in zip(t.schema, t.columns):
        if known is not None and f.name.strip().lower() not in known:
            if not pa.types.is_null(f.type):
                changed = True
                col = pa.nulls(len(col))
        else:
            plain = _plain_type(f.type)
            if plain is not None:
                changed = True
                col = col.cast(plain)
        arrays.append(col)
    if not changed:
        return t
    if isinstance(t, pa.RecordBatch):
        return pa.RecordBatch.from_arrays(arrays, names=t.schema.names)
    return pa.Table.from_arrays(arrays, names=t.schema.names)


def _arrow(data: Any, loans: bool = True):
    """Any table-like input as a pyarrow Table or RecordBatch (``loans``:
    native-layout rows, else results)."""
    if isinstance(data, (pa.Table, pa.RecordBatch)):
        t = data
    elif isinstance(data, pa.RecordBatchReader):
        t = data.read_all()
    elif _is_pandas(data):
        t = pa.Table.from_pandas(data, preserve_index=False)
    elif hasattr(data, "__arrow_c_stream__"):
        t = pa.table(data)
    elif hasattr(data, "__arrow_c_array__"):
        t = pa.record_batch(data)
    else:
        raise TypeError(
            "expected a pyarrow Table or RecordBatch, a polars or pandas DataFrame, "
            f"or an object with __arrow_c_stream__; got {type(data).__name__}"
        )
    return _normalise(t, loans)


_RESULTS_SCHEMA: Optional[pa.Schema] = None
_REJECTS_SCHEMA: Optional[pa.Schema] = None


def _string_plain(schema: pa.Schema) -> pa.Schema:
    return pa.schema(
        [pa.field(f.name, pa.string(), f.nullable) if pa.types.is_string_view(f.type) else f for f in schema]
    )


def results_schema() -> pa.Schema:
    """The schema of a results table: that of ``deficiency assess --out
    results.parquet`` read with pyarrow (README "Output: per-loan results"):
    text as ``string_view``, money ``decimal128(18, 2)``, dates ``date32``,
    ``row`` ``uint64``, ``lien_position`` ``uint32``."""
    global _RESULTS_SCHEMA
    if _RESULTS_SCHEMA is None:
        _RESULTS_SCHEMA = pa.table(_native.empty_results()).schema
    return _RESULTS_SCHEMA


def rejects_schema() -> pa.Schema:
    """The schema of a rejects table: the rejects CSV's columns (``row`` and
    ``line`` uint64, the rest string)."""
    global _REJECTS_SCHEMA
    if _REJECTS_SCHEMA is None:
        _REJECTS_SCHEMA = _string_plain(pa.table(_native.empty_rejects()).schema)
    return _REJECTS_SCHEMA


def _table(stream, schema: pa.Schema) -> pa.Table:
    t = pa.table(stream)
    return t if t.schema == schema else t.cast(schema)


# ------------------------------------------------------------------ assess


class Assessor:
    """One run of the engine over tables given one at a time: loan ids are
    checked for duplicates across every table (the first is kept, later ones
    are rejects, as in one file), and :meth:`report` adds up every table.

    Tables given under the same ``name`` one after another number their rows
    on from each other, as the rows of one file would be.
    """

    def __init__(
        self,
        as_of: Any,
        settings: Optional[Mapping[str, Any]] = None,
        assume: Optional[Mapping[str, Any]] = None,
        layout: str = "native",
        *,
        threads: int = 0,
        watch_days: Optional[Sequence[int]] = None,
    ) -> None:
        _layout(layout)
        self._layout = layout
        self._session = _native.Session(
            _as_of(as_of), _settings(settings), _assume(assume), int(threads), list(watch_days or [])
        )
        self._last_name: Optional[str] = None
        self._rows = 0

    def assess(self, data: Any, name: str = "<table>") -> "tuple[pa.Table, pa.Table]":
        """Assesses every row of ``data``; returns ``(results, rejects)``.

        With ``layout="fannie-mae"`` or ``"freddie-mac"``, ``data`` is the
        data set's files (paths, as ``deficiency assess --layout`` takes
        them: acquisition + performance, or origination + monthly), read
        by the same readers as the command line."""
        if self._layout != "native":
            paths = [str(p) for p in ([data] if isinstance(data, (str, bytes)) or hasattr(data, "__fspath__") else data)]
            res, rej = self._session.assess_files(paths, self._layout)
            return _table(res, results_schema()), _table(rej, rejects_schema())
        t = _arrow(data)
        first = self._rows + 1 if name == self._last_name else 1
        res, rej, n = self._session.assess(t, name, first)
        self._rows = first - 1 + n
        self._last_name = name
        return _table(res, results_schema()), _table(rej, rejects_schema())

    def report(self) -> dict:
        """The report of every row so far, as ``deficiency assess --report
        report.json`` writes it."""
        return _json.loads(self._session.report_json())

    def partial_report(self) -> str:
        """The report so far as one line of JSON, for :func:`merge_reports`."""
        return self._session.partial_report()

    @property
    def warnings(self) -> list:
        """The warnings the command line would print (unknown columns, ...)."""
        return self._session.warnings()


def assess(
    data: Any,
    as_of: Any,
    settings: Optional[Mapping[str, Any]] = None,
    assume: Optional[Mapping[str, Any]] = None,
    layout: str = "native",
    *,
    name: str = "<table>",
    threads: int = 0,
) -> "tuple[pa.Table, pa.Table]":
    """Assesses every loan of ``data`` (native layout columns, README "Input:
    the native layout") as of ``as_of``. With ``layout="fannie-mae"`` or
    ``"freddie-mac"``, ``data`` is the data set's files (paths), as
    ``deficiency assess --layout`` reads them.

    Returns ``(results, rejects)`` as pyarrow Tables: ``results`` with the
    typed schema of ``deficiency assess --out results.parquet``, ``rejects``
    with the columns of the rejects CSV (``name`` stands for the file). A bad
    row is a reject, never an exception; a missing required column, a column
    of a type the engine cannot read or an unknown setting raises
    ``ValueError``.
    """
    return Assessor(as_of, settings, assume, layout, threads=threads).assess(data, name)


class BatchResults:
    """The results of :func:`assess_batches`: iterate for result
    RecordBatches (one per input batch, in order). After the last one,
    :attr:`rejects` holds every reject and :meth:`report` the report."""

    def __init__(self, assessor: Assessor, batches: Iterable[Any], name: str) -> None:
        self._assessor = assessor
        self._batches = iter(batches)
        self._name = name
        self._rejects: list = []

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        return self

    def __next__(self) -> pa.RecordBatch:
        batch = next(self._batches)
        res, rej = self._assessor.assess(batch, self._name)
        if rej.num_rows:
            self._rejects.append(rej)
        res = res.combine_chunks()
        batches = res.to_batches()
        return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=results_schema())

    @property
    def rejects(self) -> pa.Table:
        """The rejects so far."""
        if not self._rejects:
            return rejects_schema().empty_table()
        return pa.concat_tables(self._rejects)

    def report(self) -> dict:
        """The report of the batches read so far."""
        return self._assessor.report()

    @property
    def warnings(self) -> list:
        return self._assessor.warnings


def assess_batches(
    batches: Iterable[Any],
    as_of: Any,
    settings: Optional[Mapping[str, Any]] = None,
    assume: Optional[Mapping[str, Any]] = None,
    layout: str = "native",
    *,
    name: str = "<batches>",
    threads: int = 0,
) -> BatchResults:
    """Assesses a stream of batches (RecordBatches, a RecordBatchReader,
    tables or DataFrames), one at a time: only one input batch and its
    results are in memory. Rows number on across batches and loan ids are
    checked across batches, as for one file. Returns an iterator of result
    RecordBatches (see :class:`BatchResults`)."""
    a = Assessor(as_of, settings, assume, layout, threads=threads)
    return BatchResults(a, batches, name)


# ----------------------------------------------------------------- reports


def report(
    *results_tables: Any,
    as_of: Any = None,
    watch_days: Optional[Sequence[int]] = None,
    names: Optional[Sequence[str]] = None,
) -> dict:
    """The JSON report of results tables (as :func:`assess` returns them or
    ``pyarrow.parquet.read_table`` reads results files), merged as
    ``deficiency report a.parquet b.parquet --report r.json`` merges them;
    ``as_of`` adds the deadline watch (``--as-of``). Each table counts as an
    input named by ``names`` (default ``<table 1>``, ``<table 2>``, ...)."""
    tables = [_arrow(t, loans=False) for t in results_tables]
    if names is None:
        names = [f"<table {i + 1}>" for i in range(len(tables))]
    text = _native.report_json(
        tables, list(names), None if as_of is None else _as_of(as_of), list(watch_days or [])
    )
    return _json.loads(text)


def partial_report(
    results: Any, name: str = "<table>", as_of: Any = None, watch_days: Optional[Sequence[int]] = None
) -> str:
    """The report of one results table as one line of JSON, to merge with
    :func:`merge_reports` (one per Spark partition, say)."""
    return _native.partial_report(
        _arrow(results, loans=False), name, None if as_of is None else _as_of(as_of), list(watch_days or [])
    )


def merge_reports(partials: Sequence[str], as_of: Any = None, watch_days: Optional[Sequence[int]] = None) -> dict:
    """Merges partial reports in order (``deficiency report`` merging shards)."""
    text = _native.merge_partials(list(partials), None if as_of is None else _as_of(as_of), list(watch_days or []))
    return _json.loads(text)


# ------------------------------------------------------- explain and rules


def explain(
    data: Any,
    loan_id: str,
    as_of: Any,
    settings: Optional[Mapping[str, Any]] = None,
    assume: Optional[Mapping[str, Any]] = None,
    *,
    as_json: bool = False,
    name: str = "<table>",
):
    """Every rule considered for one loan, as ``deficiency explain --loan
    ID`` prints it (``as_json=True``: the ``--json`` document as a dict).
    ``KeyError`` when no row has the id; ``ValueError`` when its row is a
    reject."""
    text, js = _native.explain(_arrow(data), str(loan_id), _as_of(as_of), name, _settings(settings), _assume(assume))
    return _json.loads(js) if as_json else text


def rules(settings: Optional[Mapping[str, Any]] = None) -> dict:
    """Rule codes, flags, open questions, settings (with their values) and
    columns, as ``deficiency rules --json`` prints them."""
    return _json.loads(_native.rules_json(_settings(settings)))
