"""``fupin export parquet``: what lands in the files, their metadata, and what is refused."""

from __future__ import annotations

import datetime
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import beanquery
import pyarrow.parquet as pq
import pytest
from fupin.reports import export_parquet
from fupin.reports import parquet_format as fmt

from fupin.load import load
from fupin.provenance import provenance

from .conftest import SAMPLE, run


def read(out: Path, table: str) -> list[dict]:
    """Every row of one table, with county and year from the folders (as strings)."""
    rows = []
    for path in sorted((out / table).glob("county=*/year=*/*.parquet")):
        county = path.parent.parent.name.removeprefix("county=")
        year = path.parent.name.removeprefix("year=")
        for row in pq.read_table(path).to_pylist():
            rows.append({**row, "county": county, "year": year})
    return rows


@pytest.fixture(scope="module")
def sample_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample-export")
    code, text = run("export", "parquet", "--out", str(out))  # the sample's own 999901
    assert code == 0, text
    assert "县 999901:" in text and "条分录" in text
    return out


def test_postings_round_trip_to_the_fen(sample_export: Path) -> None:
    loaded = load(SAMPLE)
    rows = read(sample_export, "postings")
    # by account, against beanquery over the same entries (an independent sum)
    conn = beanquery.connect(
        "beancount:", entries=loaded.entries, errors=loaded.load_errors, options=loaded.options
    )
    ledger = dict(
        conn.execute(
            "SELECT account, sum(number) WHERE account ~ '^(Expenses|Income:Fund)' GROUP BY account"
        ).fetchall()
    )
    exported: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row["role"] in ("expense", "receipt"):
            exported[row["account"]] += row["amount"]
    assert {a: v for a, v in exported.items() if v} == {a: v for a, v in ledger.items() if v}
    # by fund and category, and by fund and source, against the facts
    facts = loaded.book.facts.funds
    by_category: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    by_source: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        if row["role"] == "expense" and row["fund"]:
            by_category[row["fund"], row["category"]] += row["amount"]
        elif row["role"] == "receipt":
            by_source[row["fund"], row["source"]] -= row["amount"]
    assert by_category == {
        (f, c): v for f, held in facts.items() for c, v in held.categories().items()
    }
    assert by_source == {(f, s): v for f, held in facts.items() for s, v in held.sources().items()}
    assert Decimal("5400000.00") == by_source["XJ-2021", "Central"]


def test_columns_are_typed_and_hold_no_payee_or_narration(sample_export: Path) -> None:
    path = next((sample_export / "postings").glob("county=999901/year=2021/*.parquet"))
    schema = pq.read_schema(path)
    assert str(schema.field("amount").type) == "decimal128(18, 2)"
    assert str(schema.field("date").type) == "date32[day]"
    assert not {"payee", "narration", "message", "county", "year"} & set(schema.names)
    rows = read(sample_export, "postings")
    assert {r["county"] for r in rows} == {"999901"}
    benefit = next(r for r in rows if r["household"])
    assert benefit["household"].startswith("H-") and benefit["village"]
    project = next(r for r in rows if r["project"] == "P-2021-001")
    assert (project["township"], project["currency"]) == ("城关镇", "CNY")
    text = b"".join(p.read_bytes() for p in sample_export.rglob("*.parquet"))
    assert "宏达建筑".encode() not in text  # a payee of the sample ledger


def test_file_metadata_carries_provenance_and_checks(sample_export: Path) -> None:
    loaded = load(SAMPLE)
    prov = provenance(loaded)
    for path in sample_export.rglob("*.parquet"):
        meta = {k.decode(): v.decode() for k, v in pq.read_metadata(path).metadata.items()}
        table = path.parent.parent.parent.name
        assert meta[fmt.K_COUNTY] == "999901" and meta[fmt.K_TABLE] == table
        assert meta[fmt.K_SHA256] == prov.sha256 and len(prov.sha256) == 64
        assert meta[fmt.K_COMMIT] == prov.git_commit
        assert meta[fmt.K_AS_OF] == str(loaded.book.last_date) == prov.as_of
        assert int(meta[fmt.K_ROWS]) == pq.read_metadata(path).num_rows
    path = sample_export / "postings" / "county=999901" / "year=2021" / fmt.FILE_NAME
    meta = pq.read_metadata(path).metadata
    amounts = pq.read_table(path).column("amount").to_pylist()
    assert Decimal(meta[b"fupin.amount_total"].decode()) == sum(amounts)


def test_measures_and_findings_are_the_loads(sample_export: Path) -> None:
    loaded = load(SAMPLE)
    measures = read(sample_export, "measures")
    assert len(measures) == len(loaded.results.measures)
    b02 = {r["year"]: r for r in measures if r["rule"] == "B02"}
    assert Decimal(b02["2022"]["threshold"]) == Decimal("0.55")
    assert b02["2022"]["value_num"] == Decimal(b02["2022"]["value"]).quantize(Decimal("1e-28"))
    # the sample's one finding: N-2021-F03 posted after its notice-grace-days, flag K10
    assert [f.rule for f in loaded.results.findings] == ["B30"]
    assert read(sample_export, "findings") == [
        {
            "rule": "B30",
            "severity": "warning",
            "entity": "N-2021-F03",
            "policy_key": "notice-grace-days",
            "value": "133",
            "threshold": "30",
            "amount": None,
            "red_flag": "K10",
            "red_flag_name": "公告公示未落实",
            "date": datetime.date(2021, 8, 12),
            "file": "assets.beancount",
            "line": 154,
            "county": "999901",
            "year": "2021",
        }
    ]
    assert [p.name for p in (sample_export / "findings" / "county=999901").iterdir()] == [
        "year=2021"
    ]


def test_facts_tables_read_the_facts(sample_export: Path) -> None:
    facts = load(SAMPLE).book.facts
    funds = {r["fund"]: r for r in read(sample_export, "fund_facts")}
    assert funds["XJ-2022"]["balance"] == facts.funds["XJ-2022"].balance()
    assert funds["XJ-2021"]["received"] == Decimal("8050800.00")
    projects = {r["project"]: r for r in read(sample_export, "project_facts")}
    assert projects["P-2021-001"]["paid"] == facts.projects["P-2021-001"].paid()
    assert projects["P-2021-001"]["year"] == "2021"


def test_audit_sample_findings_carry_rule_severity_amount(tmp_path: Path) -> None:
    ledger = SAMPLE.parent / "audit-sample" / "main.beancount"
    code, text = run("export", "parquet", str(ledger), "--county", "410522", "--out", str(tmp_path))
    assert code == 0, text
    findings = read(tmp_path, "findings")
    flags = [f for f in findings if f["red_flag"]]
    assert flags and all(f["severity"] in ("error", "warning") for f in flags)
    k1 = next(f for f in flags if f["red_flag"] == "K1")
    assert k1["amount"] == Decimal(k1["value"]) and k1["red_flag_name"] == "资金闲置"
    entities = {f["rule"]: f["entity"] for f in findings}
    assert entities["K6"] == ""  # the finding names a person (王某): not exported
    assert entities["K2"] == "记-2021-0003"  # a voucher number
    assert entities["K11"] == "P-BS-2022-001"  # "P-BS-2022-001 招标采购"
    assert entities["C09"] == "H-BS-006"  # a pseudonymous household


def test_reexport_replaces_the_county_and_a_failure_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert run("export", "parquet", "--county", "999901", "--out", str(out))[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*.parquet")}
    assert run("export", "parquet", "--county", "999901", "--out", str(out))[0] == 0
    assert {p: p.read_bytes() for p in out.rglob("*.parquet")} == before  # same books, same bytes

    calls = []
    real = pq.write_table

    def failing(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(export_parquet.pq, "write_table", failing)
    code, text = run("export", "parquet", "--county", "999901", "--out", str(out))
    assert code == 2 and "No space left on device" in text and "Traceback" not in text
    assert {p: p.read_bytes() for p in out.rglob("*.parquet")} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging left


def test_swap_failure_puts_the_old_export_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert run("export", "parquet", "--county", "999901", "--out", str(out))[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*.parquet")}
    real = export_parquet.os.replace
    moved = []

    def failing(src: object, dst: object) -> None:
        moved.append(1)
        if len(moved) == 4:  # the second table's new folder
            raise OSError(13, "Permission denied")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(export_parquet.os, "replace", failing)
    code, text = run("export", "parquet", "--county", "999901", "--out", str(out))
    assert code == 2 and "Permission denied" in text
    assert {p: p.read_bytes() for p in out.rglob("*.parquet")} == before


@pytest.mark.parametrize("county", ["41052", "ABC123", "4105221", " "])
def test_bad_county_code_exits_2(county: str, tmp_path: Path) -> None:
    code, text = run("export", "parquet", "--county", county, "--out", str(tmp_path))
    assert code == 2 and "6 位行政区划代码" in text and "Traceback" not in text
    assert not list(tmp_path.iterdir())


def test_the_county_code_comes_from_the_ledgers_county_entry(write_ledger, tmp_path: Path) -> None:
    body = """
    2021-01-01 open Assets:Treasury:XJ-2021 CNY
    2021-01-01 open Income:Fund:XJ-2021:Central CNY
    2021-01-01 custom "fund" "XJ-2021"
      name: "2021年衔接资金"
      family: "xianjie"
    {county}
    2021-01-05 * "县财政局" "资金下达"
      Assets:Treasury:XJ-2021  10000.00 CNY
      Income:Fund:XJ-2021:Central
    """
    entry = '2021-01-01 custom "county" "410522"\n      name: "安阳县"'
    path = write_ledger(body.format(county=entry))
    code, text = run("export", "parquet", str(path), "--out", str(tmp_path / "a"))
    assert code == 0, text
    assert text.startswith("县 410522: 1 条分录") and "0 个问题" in text
    assert (tmp_path / "a" / "postings" / "county=410522").is_dir()
    # no finding: the findings table is one empty file, in the partition of no year
    (empty,) = (tmp_path / "a" / "findings" / "county=410522").rglob("*.parquet")
    assert empty.parent.name == f"year={fmt.NULL_PARTITION}"
    assert pq.read_metadata(empty).num_rows == 0
    meta = pq.read_metadata(next((tmp_path / "a" / "postings").rglob("*.parquet"))).metadata
    assert meta[fmt.K_COUNTY_NAME.encode()].decode() == "安阳县"
    # a --county other than the entry's is refused (a ledger paired with the wrong code);
    # without either, a usage error naming both ways
    code, text = run(
        "export", "parquet", str(path), "--county", "410581", "--out", str(tmp_path / "b")
    )
    assert code == 2 and "声明本县为 410522" in text and not (tmp_path / "b").exists()
    path = write_ledger(body.format(county=""))
    code, text = run("export", "parquet", str(path), "--out", str(tmp_path / "c"))
    assert code == 2 and "--county" in text and 'custom "county"' in text
    # a malformed code is an ENTITY error at its line
    path = write_ledger(body.format(county=entry.replace("410522", "41052X")))
    code, text = run("check", str(path))
    assert code == 1 and "main.beancount:" in text and "ENTITY" in text and "41052X" in text


def test_personal_data_or_an_inexact_amount_is_refused(write_ledger, tmp_path: Path) -> None:
    base = """
    2021-01-01 open Assets:Treasury:XJ-2021 CNY
    2021-01-01 open Income:Fund:XJ-2021:Central CNY
    2021-01-01 open Expenses:Benefit:Other CNY
    2021-01-01 custom "fund" "XJ-2021"
      name: "2021年衔接资金"
      family: "xianjie"
    2021-01-05 * "县财政局" "资金下达"
      Assets:Treasury:XJ-2021  10000.00 CNY
      Income:Fund:XJ-2021:Central
    2021-04-01 * "临时救助"
      household: "{household}"
      Expenses:Benefit:Other  {amount} CNY
      Assets:Treasury:XJ-2021
    """
    # both are errors of `fupin check` (refused as invalid books); exported anyway with
    # --allow-invalid, the export's own row checks still stop them at the posting's line
    path = write_ledger(base.format(household="张三", amount="100.00"))
    args = ("export", "parquet", str(path), "--county", "410522", "--allow-invalid", "--out")
    code, text = run(*args, str(tmp_path / "a"))
    assert code == 2 and "main.beancount:14" in text and "不是化名编号" in text
    path = write_ledger(base.format(household="H-QS-001", amount="100.005"))
    code, text = run(*args, str(tmp_path / "b"))
    assert code == 2 and "main.beancount:14" in text and "100.005" in text
    assert not (tmp_path / "a").exists() or not list((tmp_path / "a").rglob("*.parquet"))


def test_unreadable_ledger_exits_2(tmp_path: Path) -> None:
    code, text = run(
        "export",
        "parquet",
        str(tmp_path / "nope.beancount"),
        "--county",
        "410522",
        "--out",
        str(tmp_path),
    )
    assert code == 2 and "nope.beancount" in text


def test_ledger_outside_git_has_no_commit(tmp_path: Path) -> None:
    copy = tmp_path / "ledger"
    shutil.copytree(SAMPLE.parent, copy)
    prov = provenance(load(copy / "main.beancount"))
    assert prov.git_commit == "" and not prov.git_dirty
    assert prov.sha256 == provenance(load(SAMPLE)).sha256  # the same bytes, the same hash
    (copy / "policy.beancount").write_text(
        (copy / "policy.beancount").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    assert provenance(load(copy / "main.beancount")).sha256 != prov.sha256


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_commit_and_dirty_follow_the_books(tmp_path: Path) -> None:
    import subprocess

    copy = tmp_path / "books"
    shutil.copytree(SAMPLE.parent, copy)

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(copy), *args], capture_output=True, text=True)
        return done.stdout.strip()

    git("init", "-q")
    (copy / ".gitignore").write_text("register/\n", encoding="utf-8")  # the private register
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "books")
    prov = provenance(load(copy / "main.beancount"))
    assert prov.git_commit == git("rev-parse", "HEAD") and not prov.git_dirty
    with (copy / "policy.beancount").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert provenance(load(copy / "main.beancount")).git_dirty
