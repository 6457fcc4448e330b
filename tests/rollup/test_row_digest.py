"""Every roll-up checks each file's rows against the row digest its export recorded: edits
that keep the row count and the amount totals (all the roll-up checked of the postings
before) are refused by default, naming the file; DuckDB and Spark compute the digest alike."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from fupin.reports import parquet_format as fmt
from fupin.reports.rollup.dataset import scan
from fupin.reports.row_digest import arrow_sums

from .conftest import run
from .test_rollup_more import a_file, edges, meta_of, rewrite  # noqa: F401 (edges: a fixture)


def rows_of(path: Path) -> list[dict[str, Any]]:
    return pq.read_table(path, partitioning=None).to_pylist()


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write the file again with these rows and its own metadata, as a hand edit would."""
    table = pa.Table.from_pylist(rows, schema=fmt.TABLES["postings"])
    rewrite(path, table)


def totals_kept(path: Path) -> None:
    """The edit keeps what the roll-up used to check of the postings: the file's row count
    and its amount totals equal its metadata (so the old roll-up passed it)."""
    meta = meta_of(path)
    amount = pq.read_table(path, columns=["amount"], partitioning=None).column("amount")
    assert pq.read_metadata(path).num_rows == int(meta[fmt.K_ROWS])
    assert str(pc.sum(amount).as_py()) == meta[fmt.K_AMOUNT]
    assert str(pc.sum(pc.abs(amount)).as_py()) == meta[fmt.K_ABS]


def refused_naming(folder: Path, path: Path) -> str:
    code, text = run("rollup", str(folder), "--query", "exports")
    assert code == 2, text
    assert "Traceback" not in text
    assert str(path) in text and "fupin.row_digest" in text and "导出后被改动" in text
    return text


def test_an_untouched_export_passes_and_records_a_row_digest(exported: Path) -> None:
    code, text = run("rollup", str(exported), "--query", "exports")
    assert code == 0, text
    assert "旧版 fupin" not in text
    files = sorted(exported.rglob("*.parquet"))
    assert len(files) > 20
    for path in files:
        digest = meta_of(path)[fmt.K_ROW_DIGEST]
        assert len(digest) == 16 and int(digest, 16) >= 0
    empty = next(p for p in files if not pq.read_metadata(p).num_rows)
    assert meta_of(empty)[fmt.K_ROW_DIGEST] == "0" * 16


def test_two_rows_amounts_swapped_between_villages_are_refused(exported_copy: Path) -> None:
    path = a_file(exported_copy)
    rows = rows_of(path)
    a = next(i for i, r in enumerate(rows) if r["village"] and r["role"] == "expense")
    b = next(
        i
        for i, r in enumerate(rows)
        if r["village"] not in (None, rows[a]["village"]) and r["amount"] != rows[a]["amount"]
    )
    rows[a]["amount"], rows[b]["amount"] = rows[b]["amount"], rows[a]["amount"]
    write_rows(path, rows)
    totals_kept(path)
    text = refused_naming(exported_copy, path)
    assert "金额对调" in text


def test_a_row_moved_to_another_project_is_refused(exported_copy: Path) -> None:
    path = a_file(exported_copy)
    rows = rows_of(path)
    projects = sorted({r["project"] for r in rows if r["project"]})
    assert len(projects) >= 2
    moved = next(r for r in rows if r["project"] == projects[0])
    moved["project"] = projects[1]
    write_rows(path, rows)
    totals_kept(path)
    refused_naming(exported_copy, path)


def test_a_duplicated_row_pair_is_refused(exported_copy: Path) -> None:
    # one household payment replaced by a copy of another of the same amount: the payment
    # is there twice, rows and totals are as exported
    path = a_file(exported_copy)
    rows = rows_of(path)
    paid = [i for i, r in enumerate(rows) if r["household"] and r["amount"] == Decimal("600.00")]
    first, second = paid[:2]
    assert rows[first] != rows[second]
    rows[second] = dict(rows[first])
    write_rows(path, rows)
    totals_kept(path)
    refused_naming(exported_copy, path)


def test_a_deleted_row_with_a_compensating_edit_is_refused(exported_copy: Path) -> None:
    # a project payment deleted, its amount booked again as a copy of another project's row
    path = a_file(exported_copy)
    rows = rows_of(path)
    spent = [i for i, r in enumerate(rows) if r["project"] and r["amount"] > 0]
    gone = rows.pop(spent[1])
    other = next(r for r in rows if r["project"] and r["project"] != gone["project"])
    rows.append({**other, "amount": gone["amount"]})
    write_rows(path, rows)
    totals_kept(path)
    refused_naming(exported_copy, path)


def test_a_measure_renamed_to_another_rule_is_refused(exported_copy: Path) -> None:
    # the measures' SHA-256 digest covers their numbers only: a rule renamed kept it
    path = a_file(exported_copy, "measures")
    table = pq.read_table(path, partitioning=None)
    rules = table.column("rule").to_pylist()
    rules[0] = "B99" if rules[0] != "B99" else "B98"
    rewrite(path, table.set_column(0, "rule", pa.array(rules, pa.string())))
    assert fmt.sha_digest("measures", pq.read_table(path)) == meta_of(path)[fmt.K_DIGEST]
    code, text = run("rollup", str(exported_copy), "--query", "exports")
    assert code == 2 and str(path) in text and "fupin.row_digest" in text, text


def test_an_export_without_the_row_digest_is_checked_by_its_sha_digest_and_named(
    exported_copy: Path,
) -> None:
    """Exports written before the row digest: read, checked value by value (their SHA-256
    digest covers every posting), and named as old in a note; an edit is still refused."""
    own = sorted((exported_copy).glob("*/county=990102/year=*/*.parquet"))
    for path in own:
        meta = meta_of(path)
        del meta[fmt.K_ROW_DIGEST]
        pq.write_table(pq.read_table(path, partitioning=None).replace_schema_metadata(meta), path)
    code, text = run("rollup", str(exported_copy), "--query", "exports")
    assert code == 0, text
    first = min(own, key=lambda p: (p.parts[-4], str(p)))
    assert "1 个县的导出由旧版 fupin 写出, 没有行摘要" in text
    assert f"990102 ({first})" in text
    data = scan([exported_copy])
    assert data.old_exports == {"990102": first}

    path = a_file(exported_copy, county="990102")
    rows = rows_of(path)
    a, b = [i for i, r in enumerate(rows) if r["role"] == "expense" and r["village"]][:2]
    rows[a]["amount"], rows[b]["amount"] = rows[b]["amount"] + 1, rows[a]["amount"] - 1
    write_rows(path, rows)
    totals_kept(path)
    code, text = run("rollup", str(exported_copy), "--query", "exports")
    assert code == 2 and str(path) in text and "fupin.digest" in text, text


def test_the_digest_is_a_sum_not_an_xor_and_ignores_row_order(exported: Path) -> None:
    table = pq.read_table(a_file(exported), partitioning=None)
    base = arrow_sums(table)
    pair = table.take([3, 3])
    doubled = arrow_sums(pa.concat_tables([table, pair]))
    assert doubled.digest != base.digest  # an xor would cancel the pair
    assert doubled.rows == base.rows + 2
    assert arrow_sums(table.take(list(range(table.num_rows))[::-1])) == base
    assert base.digest == meta_of(a_file(exported))[fmt.K_ROW_DIGEST]


def test_spark_computes_every_files_digest_as_duckdb_does(
    exported: Path,
    edges: tuple[Path, Path],  # noqa: F811 (the fixture imported above)
    spark: Any,
) -> None:
    """The same definition on both engines, on every table: Chinese text, NULLs, negative
    and 0.01 amounts, decimal(38,28) measures, flags, dates, files without rows."""
    from fupin.reports.rollup.spark_engine import file_sums

    for folder in (exported, edges[0]):
        for table in fmt.TABLES:
            paths = sorted((folder / table).glob("county=*/year=*/*.parquet"))
            assert paths, table
            by_spark = file_sums(spark, table, paths)
            for path in paths:
                meta = meta_of(path)
                if not int(meta[fmt.K_ROWS]):
                    assert path not in by_spark
                    continue
                got = fmt.sums_checks(table, by_spark[path])
                assert got == {k: meta[k] for k in got}, path
                assert got[fmt.K_ROW_DIGEST] == arrow_sums(pq.read_table(path)).digest
