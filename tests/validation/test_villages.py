"""Townships and villages the ledger names, against the household register (issue 12)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from fupin.cli import main

ROOT = Path(__file__).resolve().parents[2]

BOOKS = """
2021-01-01 custom "household-register" "register/households.csv"
2021-01-01 open Assets:Treasury:XJ-2021 CNY
2021-01-01 open Income:Fund:XJ-2021:Central CNY
2021-01-01 custom "fund" "XJ-2021"
  name: "2021年衔接资金"
  family: "xianjie"
2021-01-05 * "县财政局" "资金下达"
  Assets:Treasury:XJ-2021  1000000.00 CNY
  Income:Fund:XJ-2021:Central
"""


def project(ident: str, township: str, village: str) -> str:
    return f"""
2021-01-10 custom "project" "{ident}"
  name: "{village}道路"
  category: "Infrastructure"
  township: "{township}"
  village: "{village}"
  year: 2021
  budget: 100000.00 CNY
  implementer: "{township}人民政府"
"""


def check(write_ledger, tmp_path: Path, text: str) -> list[dict]:
    shutil.copytree(ROOT / "ledger" / "register", tmp_path / "register")
    path = write_ledger(BOOKS + text)
    result = CliRunner().invoke(main, ["check", str(path), "--json"])
    assert result.exit_code in (0, 1), result.output
    return [f for f in json.loads(result.output) if f["rule"] == "ENTITY"]


def test_a_village_of_another_township_is_an_error_and_an_unknown_one_a_warning(
    write_ledger, tmp_path: Path
) -> None:
    rows = check(
        write_ledger,
        tmp_path,
        project("P-1", "城关镇", "青山村")  # as the register has it
        + project("P-2", "石桥镇", "青山村")  # 青山村 is in 城关镇
        + project("P-3", "城关镇", "青山材")  # a typo
        + project("P-4", "龙潭乡", "龙潭村")  # neither is registered
        + """
2021-02-01 custom "notice" "GS-1"
  type: "project_plan"
  level: "village"
  subject: "P-1"
  start: 2021-02-01
  end: 2021-02-10
  township: "城关镇"
  village: "杨庄村"
""",  # the notice's own place: 杨庄村 is in 石桥镇
    )
    by_entity = {(f["entity"], f["severity"]): f["message"] for f in rows}
    assert set(by_entity) == {
        ("P-2", "error"),
        ("P-3", "warning"),
        ("P-4", "warning"),
        ("GS-1", "error"),
    }
    assert by_entity["P-2", "error"] == (
        "ENTITY error: 项目 P-2: village = '青山村': 农户信息库中该村属于 城关镇, "
        "不属于 石桥镇 — 乡镇或村名有误"
    )
    assert by_entity["P-3", "warning"] == (
        "ENTITY warning: 项目 P-3: village = '青山材': 农户信息库中 城关镇 没有这个村 "
        "(该镇已登记的村: 柳林村、河湾村、青山村) — 村名有误, 或该村无登记农户"
    )
    assert (
        "township = '龙潭乡', village = '龙潭村': 农户信息库中没有这个乡镇和村"
        in (by_entity["P-4", "warning"])
    )
    assert (
        "公示公告 GS-1: village = '杨庄村': 农户信息库中该村属于 石桥镇"
        in by_entity["GS-1", "error"]
    )
    written = (tmp_path / "main.beancount").read_text(encoding="utf-8").splitlines()
    for finding in rows:  # each at its own entry's line
        assert f'"{finding["entity"]}"' in written[finding["line"] - 1]


def test_the_error_fails_bean_check_and_the_warning_does_not(write_ledger, tmp_path) -> None:
    from beancount import loader

    shutil.copytree(ROOT / "ledger" / "register", tmp_path / "register")
    wrong = write_ledger(BOOKS + project("P-2", "石桥镇", "青山村"), name="wrong.beancount")
    typo = write_ledger(BOOKS + project("P-3", "城关镇", "青山材"), name="typo.beancount")
    _, errors, _ = loader.load_file(str(wrong))
    assert [e.message.split(":")[0] for e in errors] == ["ENTITY error"]
    _, errors, _ = loader.load_file(str(typo))
    assert errors == []


def test_without_a_register_no_place_is_judged(write_ledger, tmp_path) -> None:
    text = BOOKS.replace('2021-01-01 custom "household-register" "register/households.csv"\n', "")
    path = write_ledger(text + project("P-4", "龙潭乡", "龙潭村"))
    result = CliRunner().invoke(main, ["check", str(path), "--json"])
    assert [f for f in json.loads(result.output) if f["rule"] == "ENTITY"] == []
