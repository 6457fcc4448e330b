"""A workbook's sheets: the table on a sheet after a cover sheet is found, a table on two
sheets is read whole (reading only the first imported half the roll with exit 0)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlwt
from beancount.core import data
from fupin.importers.roll import RollImporter
from fupin.importers.statement import StatementImporter
from fupin.importers.table import SourceError

from .conftest import LEDGER, SAMPLES

REGISTER = LEDGER / "register" / "households.csv"
ACCOUNT = "Assets:Treasury:XJ-2022"
HEADER = ["序号", "乡镇", "村", "姓名", "证件号码", "补贴金额", "一卡通账号"]


def people() -> list[dict[str, str]]:
    with open(REGISTER, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))[:6]


def roll_rows(batch: str, chosen: list[dict[str, str]]) -> list[list[object]]:
    rows: list[list[object]] = [
        ['青山县惠民惠农财政补贴资金"一卡通"发放清册'],
        [f"发放批次：{batch}", "", "", "补贴项目：公益岗位补贴"],
        ["单位：元"],
        HEADER,
    ]
    for seq, person in enumerate(chosen, 1):
        where = [person["township"], person["village"], person["head_name"]]
        rows.append([seq, *where, person["id_number"], "300.00", "6217****0001"])
    rows.append(["合计", "", "", "", "", f"{300 * len(chosen)}.00", ""])
    return rows


def xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


def xls(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = xlwt.Workbook()
    for name, rows in sheets.items():
        ws = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                ws.write(r, c, value)
    book.save(str(path))
    return path


def payments(entries: data.Entries) -> list[data.Transaction]:
    return [e for e in entries if isinstance(e, data.Transaction)]


def roll() -> RollImporter:
    return RollImporter(ACCOUNT, REGISTER)


COVER = [["填表说明"], ["1. 本表由乡镇财政所填报"], ["2. 金额单位：元"]]


@pytest.mark.parametrize("write", [xlsx, xls], ids=["xlsx", "xls"])
def test_a_roll_after_a_cover_sheet_is_read_from_its_own_sheet(tmp_path: Path, write) -> None:
    path = write(tmp_path / f"roll{write.__name__}.{write.__name__}", {
        "填表说明": COVER,
        "清册": roll_rows("2023年6月6日批", people()[:3]),
    })  # fmt: skip
    assert roll().identify(str(path))
    found = payments(roll().extract(str(path), []))
    assert [t.postings[0].units.number for t in found] == [Decimal("300.00")] * 3
    assert {t.meta["roll"] for t in found} == {"2023年6月6日批"}


@pytest.mark.parametrize("write", [xlsx, xls], ids=["xlsx", "xls"])
def test_a_roll_on_two_sheets_is_read_whole(tmp_path: Path, write) -> None:
    """Reading only the first sheet imported half the roll with exit 0; refusing it (the
    next fix) left a roll kept one sheet a batch unimportable: both sheets are one roll
    (test_workbook_tables.py has the rest)."""
    chosen = people()
    path = write(tmp_path / f"roll2.{write.__name__}", {
        "第一批": roll_rows("2023年6月5日批", chosen[:3]),
        "第二批": roll_rows("2023年6月5日批", chosen[3:6]),
    })  # fmt: skip
    assert roll().identify(str(path))
    found = payments(roll().extract(str(path), []))
    assert [t.meta["household"] for t in found] == [p["id"] for p in chosen]
    assert [t.meta["roll_row"] for t in found][2:4] == [
        "2023年6月5日批#第一批#3",
        "2023年6月5日批#第二批#1",
    ]


def test_a_pinned_sheet_is_read_alone(tmp_path: Path) -> None:
    chosen = people()
    path = xlsx(tmp_path / "roll.xlsx", {
        "第一批": roll_rows("2023年6月5日批", chosen[:3]),
        "第二批": roll_rows("2023年6月15日批", chosen[3:6]),
    })  # fmt: skip
    layout = tmp_path / "ykt-2.toml"
    preset = (SAMPLES.parent / "presets" / "ykt.toml").read_text(encoding="utf-8")
    layout.write_text(preset.replace('name = "ykt"', 'name = "ykt-2"\nsheet = "第二批"'), "utf-8")
    found = payments(RollImporter(ACCOUNT, REGISTER, layout=layout).extract(str(path), []))
    assert len(found) == 3
    assert {t.meta["roll"] for t in found} == {"2023年6月15日批"}


def test_a_statement_after_a_cover_sheet_names_the_sheet_in_its_report_and_errors(
    tmp_path: Path,
) -> None:
    sample = openpyxl.load_workbook(SAMPLES / "abc-xj2022-2022-06.xlsx").active
    rows = [list(r) for r in sample.iter_rows(values_only=True)]
    path = xlsx(
        tmp_path / "abc.xlsx", {"封面": [["账户明细 封面"], ["打印人：某某"]], "明细": rows}
    )
    importer = StatementImporter("abc", ACCOUNT, title="0622")
    assert importer.identify(str(path))
    parsed = importer.parse(str(path))
    assert [line.amount for line in parsed.rows] == [Decimal("-580000.00"), Decimal("865.20")]
    assert parsed.kinds == (
        "工作表「明细」: 3 行标题, 1 行表头, 2 行数据, 1 行合计; "
        "工作表「封面」未读: 没有本格式的表头 (封面、汇总或说明页), 不是同一张表"
    )
    rows[4][2] = "五十八万"
    bad = xlsx(tmp_path / "bad.xlsx", {"封面": [["账户明细 封面"]], "明细": rows})
    with pytest.raises(SourceError) as info:
        importer.extract(str(bad), [])
    assert info.value.row == 5
    assert "工作表「明细」" in str(info.value)
