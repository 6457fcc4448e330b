"""Excel exports (issue 18): the CLI's --xlsx writes what --json says, formatted for people."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from openpyxl import load_workbook

from fupin.cli import main


def export(tmp_path: Path, command: str, *args: str) -> Any:
    out = tmp_path / f"{command}.xlsx"
    result = CliRunner().invoke(main, [command, *args, "--xlsx", str(out)])
    assert result.exit_code == 0, result.output
    assert "已写入" in result.output
    return load_workbook(out)


def as_json(command: str, *args: str) -> Any:
    result = CliRunner().invoke(main, [command, *args, "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def rows(ws: Any, header_row: int) -> list[dict[str, Any]]:
    header = [c.value for c in ws[header_row]]
    return [
        dict(zip(header, (c for c in row), strict=True))
        for row in ws.iter_rows(min_row=header_row + 1)
    ]


def test_compliance_workbook_has_the_measures_in_their_units(tmp_path: Path) -> None:
    book = export(tmp_path, "compliance", "--year", "2022")
    ws = book["合规表"]
    assert [c.value for c in ws[1]][:9] == [
        "规则",
        "指标",
        "范围",
        "年度",
        "实测",
        "比较",
        "阈值",
        "单位",
        "结果",
    ]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    measures = as_json("compliance", "--year", "2022")
    found = rows(ws, 1)
    assert len(found) == len(measures)
    share = next(r for r in found if r["规则"].value == "B02")
    want = next(m for m in measures if m["rule"] == "B02")
    assert share["实测"].number_format == "0.00%" and share["阈值"].number_format == "0.00%"
    assert Decimal(str(share["实测"].value)).quantize(Decimal("1e-12")) == Decimal(
        want["value"]
    ).quantize(Decimal("1e-12"))
    assert share["阈值"].value == 0.55 and share["结果"].value == "合规"
    money = next(r for r in found if r["单位"].value == "元")
    assert money["实测"].number_format == "#,##0.00"
    assert "依据" in book.sheetnames


def test_asset_register_workbook(tmp_path: Path) -> None:
    book = export(tmp_path, "assets", "--date", "2022-03-31")
    ws = book["资产台账"]
    assert ws["A1"].value.startswith("扶贫项目资产台账 (截至 2022-03-31")
    found = {r["编号"].value: r for r in rows(ws, 3)}
    data = as_json("assets", "--date", "2022-03-31")
    for asset in data["assets"]:
        row = found[asset["id"]]
        assert Decimal(str(row["原值(元)"].value)) == Decimal(asset["value"])
        assert row["原值(元)"].number_format == "#,##0.00"
    assert {"所有权", "经营权", "收益权", "监督权"} <= {c.value for c in ws[3]}
    assert ws.column_dimensions["B"].width >= 20  # names are wide, so is their column
    totals = rows(book["合计"], 3)
    assert totals[-1]["分组"].value in ("合计", "已处置 (不计入合计)")


def test_households_and_projects_workbooks(tmp_path: Path) -> None:
    book = export(tmp_path, "households", "--year", "2021")
    assert book.sheetnames == ["农户状态", "致贫原因", "到户补助", "应享未享"]
    cause = rows(book["致贫原因"], 3)[0]
    assert cause["占人数"].number_format == "0.00%"
    book = export(tmp_path, "projects")
    found = {r["编号"].value: r for r in rows(book["项目库"], 3)}
    for project in as_json("projects"):
        row = found[project["id"]]
        assert Decimal(str(row["批复预算(元)"].value)) == Decimal(project["budget"])
        assert Decimal(str(row["已支付(元)"].value)) == Decimal(project["paid"])


def test_a_bad_file_name_writes_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["compliance", "--xlsx", str(tmp_path / "out.csv")])
    assert result.exit_code == 2 and ".xlsx" in result.output
    assert list(tmp_path.iterdir()) == []
