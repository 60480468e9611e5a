"""The package gives the command line's answers: results cell for cell,
rejects, reports, explanations and the rules catalogue."""

import json

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import deficiency
from conftest import AS_OF, ROOT, SAMPLE


def read_strings(path):
    """A CSV with every column read as text (as the command line reads it)."""
    names = path.open().readline().strip().split(",")
    opts = pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False)
    return pacsv.read_csv(path, convert_options=opts)


def test_results_schema_is_the_parquet_results_schema(sample_cli):
    assert deficiency.results_schema() == pq.read_schema(sample_cli["results"]).remove_metadata()


def test_sample_portfolio_same_results_and_report_as_the_cli(sample_cli):
    table = read_strings(SAMPLE)
    a = deficiency.Assessor(AS_OF)
    results, rejects = a.assess(table, name=str(SAMPLE))
    cli = pq.read_table(sample_cli["results"]).replace_schema_metadata(None)
    assert results.schema == cli.schema
    assert results.num_rows == cli.num_rows > 300
    assert results.equals(cli)
    assert a.report() == sample_cli["report"]
    assert rejects.num_rows == sample_cli["report"]["rows"]["rejected"]


def test_generated_parquet_through_pyarrow_and_polars(generated):
    import polars as pl

    cli = pq.read_table(generated["results"]).replace_schema_metadata(None)
    table = pq.read_table(generated["input"])
    a = deficiency.Assessor(AS_OF)
    results, rejects = a.assess(table, name=str(generated["input"]))
    assert results.equals(cli)
    assert a.report() == generated["report"]
    # polars in, the same answers out
    results_pl, _ = deficiency.assess(pl.read_parquet(generated["input"]), AS_OF)
    assert results_pl.equals(cli)


def test_pandas_input(sample_cli):
    df = read_strings(SAMPLE).to_pandas()
    results, _ = deficiency.assess(df, AS_OF)
    cli = pq.read_table(sample_cli["results"]).replace_schema_metadata(None)
    assert results.equals(cli)


def test_report_of_results_tables_is_deficiency_report(cli, sample_cli, tmp_path):
    out = tmp_path / "merged.json"
    path = sample_cli["results"]
    cli("report", path, path, "--as-of", AS_OF, "--report", out)
    want = json.loads(out.read_text())
    t = pq.read_table(path)
    got = deficiency.report(t, t, as_of=AS_OF, names=[str(path), str(path)])
    assert got == want
    # without --as-of: no deadline watch
    cli("report", path, "--report", out)
    assert deficiency.report(t, names=[str(path)]) == json.loads(out.read_text())


def test_a_bad_row_is_a_reject_not_an_exception():
    t = read_strings(SAMPLE).slice(0, 3)
    cols = {n: t.column(n).to_pylist() for n in t.column_names}
    cols["event_date"][1] = "2025-13-45"
    cols["loan_id"][2] = cols["loan_id"][0]
    results, rejects = deficiency.assess(pa.table(cols), AS_OF, name="mine.csv")
    assert results.num_rows == 1
    assert rejects.schema == deficiency.rejects_schema()
    assert rejects.column_names == ["file", "row", "line", "loan_id", "column", "value", "error"]
    r = rejects.to_pylist()
    assert [x["row"] for x in r] == [2, 3]
    assert r[0]["file"] == "mine.csv" and r[0]["column"] == "event_date" and r[0]["value"] == "2025-13-45"
    assert r[0]["line"] is None
    assert r[1]["column"] == "loan_id" and "duplicates an earlier loan_id" in r[1]["error"]


def test_rejects_match_the_cli_rejects_file(cli, tmp_path):
    src = tmp_path / "bad.csv"
    lines = SAMPLE.read_text().splitlines()
    head, rows = lines[0], lines[1:6]
    rows[2] = rows[2].replace(",2025-", ",2025-99-", 1)
    src.write_text("\n".join([head] + rows) + "\n")
    cli("assess", src, "--as-of", AS_OF, "--out", tmp_path / "r.parquet", "--quiet")
    want = pacsv.read_csv(tmp_path / "r.rejects.csv", convert_options=pacsv.ConvertOptions(
        column_types={"file": pa.string(), "loan_id": pa.string(), "value": pa.string(), "line": pa.uint64(), "row": pa.uint64()},
        strings_can_be_null=False))
    _, got = deficiency.assess(read_strings(src), AS_OF, name=str(src))
    assert got.num_rows == want.num_rows == 1
    for col in ["file", "row", "loan_id", "column", "value", "error"]:
        assert got.column(col).to_pylist() == want.column(col).to_pylist(), col


def test_missing_column_and_unknown_setting_raise_value_error():
    t = read_strings(SAMPLE).drop(["event_date"])
    with pytest.raises(ValueError, match="missing required column.*event_date"):
        deficiency.assess(t, AS_OF)
    with pytest.raises(ValueError, match="no_such_setting"):
        deficiency.assess(read_strings(SAMPLE), AS_OF, settings={"no_such_setting": 1})
    with pytest.raises(ValueError, match="unknown column"):
        deficiency.assess(read_strings(SAMPLE), AS_OF, assume={"no_such_column": "x"})
    with pytest.raises(ValueError, match="not a date"):
        deficiency.assess(read_strings(SAMPLE), "2026-99-01")


def test_settings_and_assume_as_the_cli(cli, tmp_path):
    rules = deficiency.rules()
    setting = next(s for s in rules["settings"] if s["name"] == "note_limitations_years")
    other = 6 if str(setting["value"]) == "4" else 4
    toml = tmp_path / "s.toml"
    toml.write_text(f"note_limitations_years = {other}\n")
    out = tmp_path / "r.parquet"
    cli("assess", SAMPLE, "--as-of", AS_OF, "--settings", toml, "--assume", "foreclosure_method=trustee_sale",
        "--out", out, "--quiet")
    got, _ = deficiency.assess(read_strings(SAMPLE), AS_OF, settings={"note_limitations_years": other},
                               assume={"foreclosure_method": "trustee_sale"})
    assert got.equals(pq.read_table(out).replace_schema_metadata(None))
    assert deficiency.rules({"note_limitations_years": other})["settings"] != rules["settings"]


def test_assess_batches_streams_with_the_same_answers(sample_cli):
    table = read_strings(SAMPLE)
    stream = deficiency.assess_batches(table.to_batches(max_chunksize=37), AS_OF, name=str(SAMPLE))
    parts = list(stream)
    assert len(parts) == -(-table.num_rows // 37)
    assert all(isinstance(p, pa.RecordBatch) for p in parts)
    cli = pq.read_table(sample_cli["results"]).replace_schema_metadata(None)
    assert pa.Table.from_batches(parts, schema=deficiency.results_schema()).equals(cli)
    assert stream.report() == sample_cli["report"]


def test_explain_is_deficiency_explain(cli):
    loan = read_strings(SAMPLE).column("loan_id")[5].as_py()
    text = cli("explain", SAMPLE, "--loan", loan, "--as-of", AS_OF).stdout
    assert deficiency.explain(read_strings(SAMPLE), loan, AS_OF, name=str(SAMPLE)) == text
    js = cli("explain", SAMPLE, "--loan", loan, "--as-of", AS_OF, "--json").stdout
    assert deficiency.explain(read_strings(SAMPLE), loan, AS_OF, as_json=True) == json.loads(js)
    with pytest.raises(KeyError):
        deficiency.explain(read_strings(SAMPLE), "no-such-loan", AS_OF)


def test_rules_is_rules_json(cli):
    assert deficiency.rules() == json.loads(cli("rules", "--json").stdout)


def test_partial_reports_merge_to_the_whole(sample_cli):
    t = pq.read_table(sample_cli["results"])
    whole = deficiency.report(t, as_of=AS_OF, names=["x"])
    parts = [deficiency.partial_report(t.slice(i, 50), "x", AS_OF) for i in range(0, t.num_rows, 50)]
    assert deficiency.merge_reports(parts, as_of=AS_OF) == whole


def test_fannie_mae_files_through_the_package_as_the_cli(cli, tmp_path):
    """layout="fannie-mae": the data set's files, read by the command line's
    own readers, give the command line's results and report."""
    sample = ROOT.parent / "shared" / "fixtures" / "external" / "fannie-mae-2000Q1-nvidia-spark-rapids-examples"
    files = [sample / "Acquisition_2000Q1.txt", sample / "Performance_2000Q1-P.txt"]
    assert all(f.exists() for f in files), f"the real Fannie Mae sample is expected beside the checkout: {sample}"
    out, rep = tmp_path / "r.parquet", tmp_path / "r.json"
    cli("assess", "--layout", "fannie-mae", "--as-of", AS_OF, "--out", out, "--report", rep, "--quiet", *files)
    want = pq.read_table(out).replace_schema_metadata(None)
    a = deficiency.Assessor(AS_OF, layout="fannie-mae")
    results, rejects = a.assess(files)
    assert results.num_rows == want.num_rows > 0
    assert results.equals(want)
    got, expected = a.report(), json.loads(rep.read_text())
    assert got["totals"] == expected["totals"] and got["by_reason"] == expected["by_reason"]
    with pytest.raises(ValueError):
        deficiency.Assessor(AS_OF, layout="ginnie-mae")
