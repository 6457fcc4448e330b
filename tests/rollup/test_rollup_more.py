"""The export and the roll-up as a province meets them (issue 16, the adversarial pass):
folders named twice, stray and missing files, one code for two ledgers, invalid books,
killed exports, years without data, an older format, amounts at the edges, both engines."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from fupin.reports import parquet_format as fmt
from fupin.reports.rollup import open_engine
from fupin.reports.rollup import run as run_rollups
from fupin.reports.rollup.catalogue import catalogue
from fupin.reports.rollup.dataset import scan
from fupin.reports.rollup.output import as_json

from fupin.cli import main
from fupin.load import load
from fupin.synth_province import County

from .conftest import ROOT, run

Province = tuple[Path, list[County]]


def invoke(*args: str) -> tuple[int, str, str]:
    """``fupin ARGS``: exit code, what went to stdout, what went to stderr."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def rollup_json(*args: str) -> dict:
    code, out, err = invoke("rollup", *args, "--json")
    assert code == 0, out + err
    return json.loads(out)


def refused(*args: str) -> str:
    code, text = run("rollup", *args)
    assert code == 2, text
    assert "Traceback" not in text
    return text


def ledger_of(province: Province, index: int) -> str:
    folder, counties = province
    return str(folder / counties[index].folder / "main.beancount")


def export(ledger: str, code: str, out: Path, *more: str) -> tuple[int, str]:
    return run("export", "parquet", ledger, "--county", code, "--out", str(out), *more)


def a_file(out: Path, table: str = "postings", county: str = "990101", year: int = 2021) -> Path:
    return out / table / f"county={county}" / f"year={year}" / fmt.FILE_NAME


def meta_of(path: Path) -> dict[str, str]:
    raw = pq.read_metadata(path).metadata or {}
    return {k.decode(): v.decode() for k, v in raw.items()}


def rewrite(path: Path, table: pa.Table | None = None, **changes: str) -> None:
    """Write ``path`` again (``table`` or its own rows) with metadata keys changed."""
    data = table if table is not None else pq.read_table(path, partitioning=None)
    meta = {**meta_of(path), **{k.replace("__", "."): v for k, v in changes.items()}}
    pq.write_table(data.replace_schema_metadata(meta), path)


# --- the folders a roll-up is given -------------------------------------------------------


def test_a_folder_named_twice_is_read_once(exported: Path) -> None:
    once = rollup_json(str(exported), "--query", "category_totals", "--query", "exports")
    twice = rollup_json(
        str(exported), str(exported), f"{exported}/.", "--query", "category_totals",
        "--query", "exports",
    )  # fmt: skip
    assert twice["rollups"] == once["rollups"]
    rows = once["rollups"]["category_totals"]["rows"]
    assert rows and all(r["funds"] <= 4 for r in rows)  # each fund counted once


def test_a_copy_beside_an_exports_file_is_refused_naming_it(exported_copy: Path) -> None:
    own = a_file(exported_copy)
    copy = own.with_name("part-0 (1).parquet")  # what a file manager calls a copy
    shutil.copy(own, copy)
    text = refused(str(exported_copy))
    assert str(copy) in text and "多余的副本" in text


def test_a_missing_year_of_a_county_is_refused(exported_copy: Path) -> None:
    shutil.rmtree(exported_copy / "postings" / "county=990101" / "year=2022")
    text = refused(str(exported_copy))
    missing = a_file(exported_copy, year=2022)
    assert "县 990101" in text and str(missing) in text and "不见了" in text


def test_a_partition_it_did_not_write_is_refused(exported_copy: Path) -> None:
    # a year's file copied to another year, its metadata made to agree with the folder:
    # every check of the file itself passes, yet its money would count twice
    own = a_file(exported_copy)
    stray = a_file(exported_copy, year=2019)
    stray.parent.mkdir(parents=True)
    shutil.copy(own, stray)
    rewrite(stray, fupin__year="2019")
    text = refused(str(exported_copy))
    assert str(stray) in text and "不属于县 990101 的这次导出" in text


def test_one_ledger_under_two_codes_is_refused(province: Province, tmp_path: Path) -> None:
    ledger = ledger_of(province, 0)
    assert export(ledger, "990101", tmp_path)[0] == 0
    assert export(ledger, "990121", tmp_path)[0] == 0  # the wrong code in a loop
    text = refused(str(tmp_path))
    assert "县 990101 与县 990121 的导出来自同一本账簿" in text


# --- what an export replaces or refuses -----------------------------------------------------


def test_another_ledger_under_an_exported_code_is_not_replaced(
    province: Province, tmp_path: Path
) -> None:
    first, second = ledger_of(province, 0), ledger_of(province, 1)
    assert export(first, "990101", tmp_path, "--name", "东川县")[0] == 0
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.parquet")}
    code, text = export(second, "990101", tmp_path, "--name", "西岭县")
    assert code == 2 and "已有 “东川县” 的导出" in text and "--replace" in text
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.parquet")} == before
    assert export(first, "990101", tmp_path, "--name", "东川县")[0] == 0  # its own books again
    code, text = export(second, "990101", tmp_path, "--name", "西岭县", "--replace")
    assert code == 0, text
    rows = rollup_json(str(tmp_path), "--query", "exports")["rollups"]["exports"]["rows"]
    assert [(r["county"], r["name"]) for r in rows] == [("990101", "西岭县")]


UNBALANCED = """
2021-01-01 open Assets:Treasury:XJ-2021 CNY
2021-01-01 open Income:Fund:XJ-2021:Central CNY
2021-01-01 open Expenses:Industry:Planting CNY
2021-01-01 custom "fund" "XJ-2021"
  name: "2021年衔接资金"
  family: "xianjie"
2021-01-05 * "县财政局" "资金下达"
  Assets:Treasury:XJ-2021  10000.00 CNY
  Income:Fund:XJ-2021:Central
2021-03-01 * "种植基地" "少记一笔"
  Expenses:Industry:Planting  100.00 CNY
  Assets:Treasury:XJ-2021  -90.00 CNY
"""


def test_invalid_books_are_refused_or_exported_flagged(write_ledger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = str(write_ledger(UNBALANCED))
    code, text = export(path, "990131", tmp_path / "a")
    assert code == 2 and "账簿有 1 个错误, 未导出" in text and "--allow-invalid" in text
    assert (
        "main.beancount:12: Beancount: 交易借贷不平衡: 各分录合计 10.00 CNY, 应为零" in text
        and "(原文: Transaction does not balance: (10.00 CNY))" in text
    )
    assert not (tmp_path / "a").exists() or not list((tmp_path / "a").rglob("*.parquet"))
    code, _out, err = invoke(
        "export", "parquet", path, "--county", "990131", "--out", str(tmp_path / "a"),
        "--allow-invalid",
    )  # fmt: skip
    assert code == 0 and "已按 --allow-invalid 导出" in err
    assert meta_of(a_file(tmp_path / "a", county="990131"))[fmt.K_ERRORS] == "1"
    code, text = run("rollup", str(tmp_path / "a"), "--query", "exports")
    assert code == 0 and "1 个县的账簿有错误" in text and "990131 (1 个错误)" in text
    data = rollup_json(str(tmp_path / "a"), "--query", "exports")
    assert data["invalid_books"] == {"990131": 1}
    assert data["rollups"]["exports"]["rows"][0]["errors"] == 1


KILLER = """
import os, signal
import pyarrow.parquet as pq
from fupin.reports import export_parquet
from fupin.cli import main

calls = []


def count() -> None:
    calls.append(1)
    if len(calls) == AT:
        os.kill(os.getpid(), signal.SIGKILL)


if MODE == "write":
    write = pq.write_table

    def writing(*args, **kwargs):
        count()
        return write(*args, **kwargs)

    pq.write_table = writing
else:
    swap, replace = export_parquet._swap, os.replace

    def replacing(*args, **kwargs):
        count()
        return replace(*args, **kwargs)

    def swapping(*args, **kwargs):
        os.replace = replacing
        return swap(*args, **kwargs)

    export_parquet._swap = swapping
main(ARGS)
"""


def killed_export(args: list[str], mode: str, at: int) -> int:
    """An export in its own process, killed with SIGKILL at the ``at``-th file written
    (``write``) or folder moved into place (``swap``); its exit code."""
    script = f"MODE, AT, ARGS = {mode!r}, {at}, {args!r}\n" + KILLER
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True).returncode


@pytest.mark.parametrize(("mode", "at"), [("write", 4), ("swap", 4)])
def test_a_killed_export_is_never_read_and_the_next_one_cleans_up(
    province: Province, exported_copy: Path, mode: str, at: int
) -> None:
    _folder, counties = province
    ledger, name = ledger_of(province, 1), counties[1].name
    before = rollup_json(str(exported_copy))["rollups"]
    args = ["export", "parquet", ledger, "--county", "990102", "--name", name, "--out"]
    assert killed_export([*args, str(exported_copy)], mode, at) == -9
    assert [p for p in exported_copy.rglob(".*") if p.is_dir()]  # what the killed run left
    if mode == "write":  # killed before any swap: the old export stands, the new one unread
        assert rollup_json(str(exported_copy))["rollups"] == before
    else:  # killed mid-swap: one table of the county gone, refused rather than read half
        assert "县 990102" in refused(str(exported_copy))
    # the next export into the folder (here another county's) removes the leftovers
    other = ledger_of(province, 2)
    assert export(other, "990103", exported_copy, "--name", counties[2].name)[0] == 0
    assert not list(exported_copy.rglob(".*"))
    assert run(*args, str(exported_copy))[0] == 0
    assert rollup_json(str(exported_copy))["rollups"] == before


# --- years, versions, every value -----------------------------------------------------------


def test_a_year_without_data_is_refused_and_counties_without_it_named(
    exported_copy: Path, write_ledger, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    text = refused(str(exported_copy), "--year", "2030")
    assert "--year 2030" in text and "years present: 2020, 2021, 2022" in text
    books = write_ledger(UNBALANCED.replace("  -90.00 CNY", ""))  # balanced
    code, text = export(str(books), "990141", exported_copy)
    assert code == 0, text  # 2021 only
    code, text = run("rollup", str(exported_copy), "--year", "2022", "--query", "exports")
    assert code == 0 and "1 个县没有 2022 年度的分录" in text and ": 990141" in text
    data = rollup_json(str(exported_copy), "--year", "2022", "--query", "exports")
    assert data["without_year"] == ["990141"]


def test_an_older_export_is_refused_with_re_export_advice(exported_copy: Path) -> None:
    for path in exported_copy.rglob("*.parquet"):
        rewrite(path, fupin__schema="1")
    text = refused(str(exported_copy))
    assert "导出格式版本 1" in text and "re-export with this fupin" in text


def test_a_changed_village_is_refused_and_verify_all_also_checks_the_row_order(
    exported_copy: Path,
) -> None:
    path = a_file(exported_copy)
    table = pq.read_table(path, partitioning=None)
    villages = ["别的村" if v else v for v in table.column("village").to_pylist()]
    changed = table.set_column(
        table.schema.get_field_index("village"), "village", pa.array(villages, pa.string())
    )
    rewrite(path, changed)
    text = refused(str(exported_copy), "--query", "exports")  # rows and totals agree
    assert str(path) in text and "fupin.row_digest" in text and "导出后被改动" in text
    # the same rows in another order: the roll-ups are the same, the row digest too; the
    # SHA-256 digest of the values in file order (--verify-all) is not
    rewrite(path, table.take(list(range(table.num_rows))[::-1]))
    code, text = run("rollup", str(exported_copy), "--query", "exports")
    assert code == 0, text
    text = refused(str(exported_copy), "--verify-all", "--query", "exports")
    assert str(path) in text and "fupin.digest" in text and "导出后被改动" in text


def test_a_sum_too_large_for_decimal_18_2_stops_the_export(write_ledger, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    receipt = (
        '2021-01-{day:02d} * "县财政局" "资金下达"\n'
        "  Assets:Treasury:XJ-2021  999999999999999.99 CNY\n"
        "  Income:Fund:XJ-2021:Central\n"
    )
    head = UNBALANCED.split("2021-01-05")[0]
    books = write_ledger(head + "".join(receipt.format(day=d) for d in range(5, 17)))
    code, text = export(str(books), "990151", tmp_path)
    assert code == 2 and "Traceback" not in text
    assert "fund_facts XJ-2021: received = 11999999999999999.88 超出 decimal(18,2)" in text


# --- amounts at the edges, on both engines ---------------------------------------------------

EDGES = """
2021-01-01 custom "county" "010203"
  name: "零<script>alert(1)</script>&县"
2021-01-01 open Assets:Treasury:XJ-2021 CNY
2021-01-01 open Income:Fund:XJ-2021:Central CNY
2021-01-01 open Income:Fund:XJ-2021:Provincial CNY
2021-01-01 open Expenses:Benefit:Other CNY
2021-01-01 custom "fund" "XJ-2021"
  name: "2021年衔接资金"
  family: "xianjie"
2021-01-05 * "县财政局" "资金下达"
  Assets:Treasury:XJ-2021  999999999999.99 CNY
  Income:Fund:XJ-2021:Central
2021-01-06 * "县财政局" "资金下达"
  Assets:Treasury:XJ-2021  0.01 CNY
  Income:Fund:XJ-2021:Provincial
2021-04-01 * "临时救助"
  household: "H-QS-001"
  Expenses:Benefit:Other  0.10 CNY
  Assets:Treasury:XJ-2021
2021-04-02 * "临时救助"
  household: "H-QS-002"
  Expenses:Benefit:Other  0.20 CNY
  Assets:Treasury:XJ-2021
2021-04-03 * "临时救助 退回"
  household: "H-QS-001"
  Expenses:Benefit:Other  -0.10 CNY
  Assets:Treasury:XJ-2021
"""


@pytest.fixture(scope="module")
def edges(province: Province, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One folder: the edge amounts (county 010203, its code's zero kept), books exported
    with --allow-invalid, and a county of the province."""
    books = tmp_path_factory.mktemp("edges")
    (books / "main.beancount").write_text(
        'option "operating_currency" "CNY"\nplugin "fupin.plugins"\n' + EDGES, encoding="utf-8"
    )
    (books / "bad.beancount").write_text(
        'option "operating_currency" "CNY"\nplugin "fupin.plugins"\n' + UNBALANCED,
        encoding="utf-8",
    )
    out = tmp_path_factory.mktemp("edges-out")
    code, text = run("export", "parquet", str(books / "main.beancount"), "--out", str(out))
    assert code == 0 and text.startswith("县 010203:"), text
    assert export(str(books / "bad.beancount"), "990131", out, "--allow-invalid")[0] == 0
    assert export(ledger_of(province, 0), "990101", out)[0] == 0
    return out, books


def test_edge_amounts_are_exact_and_the_engines_agree(edges: tuple[Path, Path], spark) -> None:  # type: ignore[no-untyped-def]
    from fupin.reports.rollup.spark_engine import SparkEngine

    out, books = edges
    dataset = scan([out])
    queries = list(catalogue().values())
    duck = open_engine("duckdb", dataset)
    try:
        expected = run_rollups(duck, queries)
    finally:
        duck.close()
    got = run_rollups(SparkEngine(dataset, session=spark), queries)
    for want, have in zip(expected, got, strict=True):
        assert have.rows == want.rows, want.query.name
    assert as_json(got, {}) == as_json(expected, {})

    rows = {r.query.name: r.rows for r in expected}
    own = [r for r in rows["source_totals"] if r["year"] == 2021]
    by_source = {r["source"]: r["received"] for r in own}
    assert by_source["Central"] >= Decimal("999999999999.99")
    fund = next(r for r in rows["fund_balances"] if r["county"] == "010203")
    assert (fund["received"], fund["spent"], fund["balance"]) == (
        Decimal("1000000000000.00"),
        Decimal("0.20"),  # 0.10 + 0.20 − 0.10, to the fen
        Decimal("999999999999.80"),
    )
    assert {r["county"] for r in rows["exports"]} == {"010203", "990101", "990131"}
    assert {r["county"]: r["errors"] for r in rows["exports"]}["990131"] == 1
    share = [r for r in rows["industry_share"] if r["county"] == "010203"]
    assert share and all(r["as_of"] == "2021-04-03" for r in share)
    # the same figures as the county's own books
    facts = load(books / "main.beancount").book.facts.funds["XJ-2021"]
    assert facts.balance() == fund["balance"]
