"""``fupin rollup`` on a generated province: every roll-up, its figures, both engines."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from fupin.reports.rollup import open_engine
from fupin.reports.rollup import run as run_rollups
from fupin.reports.rollup.catalogue import catalogue
from fupin.reports.rollup.dataset import scan
from fupin.reports.rollup.output import as_json

from fupin.load import load
from fupin.synth_province import County, generate_province, plan

from .conftest import run


def rollup_json(*args: str) -> dict:
    code, text = run("rollup", *args, "--json")
    assert code == 0, text
    return json.loads(text)


def by_code(counties: list[County]) -> dict[str, County]:
    return {c.code: c for c in counties}


def test_the_province_is_varied_and_deterministic(tmp_path: Path) -> None:
    counties = plan(8, 3000)
    assert len({c.code for c in counties}) == 8 and counties[0].code == "990101"
    assert len({c.transactions for c in counties}) == 8
    assert [c.industry_slots < 3 for c in counties] == [i % 3 == 1 for i in range(8)]
    assert [bool(c.idle) for c in counties] == [i % 4 == 2 for i in range(8)]
    generate_province(2, tmp_path / "a", transactions=300, years=2)
    generate_province(2, tmp_path / "b", transactions=300, years=2)
    files = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    assert files and all(
        (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files
    )


def test_every_rollup_prints_on_the_province(exported: Path) -> None:
    code, text = run("rollup", str(exported))
    assert code == 0, text
    assert "跨县汇总: 4 个县, 全部年度, 引擎 duckdb" in text
    for query in catalogue().values():
        assert f"## {query.title}  [{query.name}]" in text
    share = [line for line in text.splitlines() if line.startswith("2021  990102")]
    assert share and "✗ 违规" in share[0]  # the county under the industry share


@pytest.mark.parametrize("code", ["990102", "990103"])
def test_one_county_rollup_equals_its_compliance_figures(
    code: str, province: tuple[Path, list[County]], tmp_path: Path
) -> None:
    folder, counties = province
    ledger = str(folder / by_code(counties)[code].folder / "main.beancount")
    assert run("export", "parquet", ledger, "--county", code, "--out", str(tmp_path))[0] == 0
    status, text = run("compliance", ledger, "--json")
    assert status == 0, text
    measures = json.loads(text)
    rollups = rollup_json(str(tmp_path))["rollups"]

    b02 = {m["year"]: m for m in measures if m["rule"] == "B02"}
    rows = rollups["industry_share"]["rows"]
    assert {r["year"] for r in rows} == set(b02) and rows
    for row in rows:
        measure = b02[row["year"]]
        assert Decimal(row["share"]) == Decimal(measure["value"])
        assert Decimal(row["threshold"]) == Decimal(measure["threshold"])
        assert row["ok"] is measure["ok"]

    def key(r: dict) -> tuple:
        return (r["rule"], r["scope"], r["year"], Decimal(r["value"]), Decimal(r["threshold"]))

    breaches = sorted(key(m) for m in measures if not m["ok"])
    assert breaches  # 990102 is under the share, 990103 has idle money
    assert sorted(key(r) for r in rollups["compliance_breaches"]["rows"]) == breaches

    idle = {
        m["entity"]: Decimal(m["value"]) for m in measures if m["policy_key"] == "idle-error-months"
    }
    facts = load(ledger).book.facts.funds
    for row in rollups["fund_balances"]["rows"]:
        assert Decimal(row["idle_error"]) == idle[row["fund"]]
        assert Decimal(row["balance"]) == facts[row["fund"]].balance()

    status, text = run("flags", ledger, "--json")
    flags = sorted((f["rule"], Decimal(f["amount"]), f["entity"]) for f in json.loads(text))
    assert (
        sorted(
            (r["red_flag"], Decimal(r["amount"]), r["entity"]) for r in rollups["red_flags"]["rows"]
        )
        == flags
    )


def test_totals_add_up_across_counties_to_the_fen(
    exported: Path, province: tuple[Path, list[County]]
) -> None:
    folder, counties = province
    expected: dict[tuple[int, str], Decimal] = {}
    for county in counties:
        book = load(folder / county.folder / "main.beancount").book
        for ident, held in book.facts.funds.items():
            for category, amount in held.categories().items():
                k = (book.funds[ident].budget_year, category)
                expected[k] = expected.get(k, Decimal(0)) + amount
    rows = rollup_json(str(exported), "--query", "category_totals")["rollups"]["category_totals"]
    got = {(r["year"], r["category"]): Decimal(r["amount"]) for r in rows["rows"]}
    assert got == expected
    assert all(len(r["amount"].split(".")[1]) == 2 for r in rows["rows"])


def test_year_selection_and_csv(exported: Path) -> None:
    data = rollup_json(str(exported), "--year", "2022")
    assert data["year"] == 2022
    for name in ("industry_share", "category_totals", "top_villages", "project_execution"):
        assert {r["year"] for r in data["rollups"][name]["rows"]} == {2022}, name
    code, text = run("rollup", str(exported), "--query", "top_villages", "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["rank"] == "1" and set(rows[0]) >= {"county", "township", "village", "amount"}
    assert len({(r["year"], r["rank"]) for r in rows}) == len(rows)


def test_list_names_every_rollup() -> None:
    code, text = run("rollup", ".", "--list")
    assert code == 0 and all(name in text for name in catalogue())


def test_html_page_has_a_table_per_rollup_and_the_chart(exported: Path, tmp_path: Path) -> None:
    out = tmp_path / "report" / "province.html"
    code, text = run("rollup", str(exported), "--html", str(out))
    assert code == 0 and "汇总报告" in text
    page = out.read_text(encoding="utf-8")
    assert page.count("<table>") == len(catalogue())
    for query in catalogue().values():
        assert query.title.replace("&", "&amp;") in page
    assert page.count("<svg") == 2  # one chart per year
    assert page.count('class="th"') == 2 and "阈值 50.00%" in page  # the threshold line
    assert page.count('class="bad"') == 2  # 990102 under the share in both years
    assert "<script" not in page and "http" not in page.replace("http://www.w3.org/2000/svg", "")
    assert not [p for p in out.parent.iterdir() if p.name != out.name]  # written atomically


@pytest.mark.parametrize("year", [None, 2022])
def test_duckdb_and_spark_give_identical_results(exported: Path, spark, year: int | None) -> None:  # type: ignore[no-untyped-def]
    from fupin.reports.rollup.spark_engine import SparkEngine

    dataset = scan([exported], year)
    queries = list(catalogue().values())
    duck = open_engine("duckdb", dataset)
    try:
        expected = run_rollups(duck, queries)
    finally:
        duck.close()
    engine = SparkEngine(dataset, session=spark)
    got = run_rollups(engine, queries)
    if year is None:
        assert all(r.rows for r in expected)  # every roll-up has something to compare
    for want, have in zip(expected, got, strict=True):
        assert have.rows == want.rows, want.query.name
    assert as_json(got, {}) == as_json(expected, {})
