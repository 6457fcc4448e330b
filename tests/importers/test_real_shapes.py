"""The failures issue 14 reported, each on a file shaped like the real export.

Each of these imported part of its file with exit 0 in the first version; now every line
is accounted for, or the file is rejected naming the line and the column.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import beangulp
import openpyxl
import pytest
import xlwt
from beancount.core import data
from fupin.importers.allocation import AllocationImporter
from fupin.importers.ingest import run_files
from fupin.importers.roll import RollImporter
from fupin.importers.statement import StatementImporter
from fupin.importers.table import MAX_CELL, SourceError

from .conftest import LEDGER, RULES, SAMPLES

REGISTER = LEDGER / "register" / "households.csv"


def txns(entries: list[data.Directive]) -> list[data.Transaction]:
    return [e for e in entries if isinstance(e, data.Transaction)]


def statement(layout: str, account: str = "Assets:Treasury:XJ-2023") -> StatementImporter:
    return StatementImporter(layout, account, rules=RULES)


def rejected(importer: beangulp.Importer, path: Path) -> SourceError:
    with pytest.raises(SourceError) as info:
        importer.extract(str(path), [])
    return info.value


def test_abc_sample_with_a_blank_row_imports_both_rows(tmp_path: Path) -> None:
    path = tmp_path / "abc.xlsx"
    shutil.copy(SAMPLES / "abc-xj2022-2022-06.xlsx", path)
    book = openpyxl.load_workbook(path)
    book.active.insert_rows(6)  # a blank row between the two data rows
    book.save(path)
    importer = statement("abc", "Assets:Treasury:XJ-2022")
    parsed = importer.parse(str(path))
    assert len(parsed.rows) == 2 and "1 行空行" in parsed.kinds
    assert len(txns(importer.extract(str(path), []))) == 2


def test_roll_with_subtotals_imports_every_payment() -> None:
    importer = RollImporter("Assets:Treasury:XJ-2022", REGISTER)
    entries = txns(importer.extract(str(SAMPLES / "ykt-2022-11-a.xlsx"), []))
    assert len(entries) == 6
    assert {e.meta["roll"] for e in entries} == {"2022年11月15日批"}


def test_roll_subtotal_that_does_not_add_up_is_named(tmp_path: Path) -> None:
    path = tmp_path / "roll.xlsx"
    shutil.copy(SAMPLES / "ykt-2022-11-a.xlsx", path)
    book = openpyxl.load_workbook(path)
    book.active["F7"] = "700.00"  # the first village's 小计 (two rows of 300.00)
    book.save(path)
    err = rejected(RollImporter("Assets:Treasury:XJ-2022", REGISTER), path)
    assert (err.row, err.column) == (7, "补贴金额")
    assert "小计 700.00 ≠ 明细之和 600.00 (第5–6行, 差 100.00)" in err.problem


def test_second_roll_batch_is_a_different_batch() -> None:
    importer = RollImporter("Assets:Treasury:XJ-2022", REGISTER)
    files = [SAMPLES / "ykt-2022-11-a.xlsx", SAMPLES / "ykt-2022-11-b.xlsx"]
    run = run_files([importer], files)
    assert not run.problems
    assert [len(txns(r.entries)) for r in run.results] == [6, 6]
    assert [len(r.duplicates) for r in run.results] == [0, 0]
    again = run_files([importer], files, [e for r in run.results for e in r.entries])
    assert [len(r.entries) for r in again.results] == [0, 0]


def test_allocation_sheet_with_subtotals_imports_every_row() -> None:
    entries = AllocationImporter("XJ-2023").extract(str(SAMPLES / "fpb-xj2023-2023-03.xlsx"), [])
    postings = [p for t in txns(entries) for p in t.postings if p.account.startswith("Income")]
    assert len(postings) == 4
    # 万元 with four decimals, exactly: 45.1234 万元 = 451,234.00
    assert sorted(-p.units.number for p in postings)[-2:] == [451234, 805000]
    assert {t.date.isoformat() for t in txns(entries)} == {"2023-03-05"}  # the title's date


def test_allocation_subtotal_that_does_not_add_up_is_named(tmp_path: Path) -> None:
    path = tmp_path / "fpb.xlsx"
    shutil.copy(SAMPLES / "fpb-xj2023-2023-03.xlsx", path)
    book = openpyxl.load_workbook(path)
    book.active["F6"] = "125.6235"
    book.save(path)
    err = rejected(AllocationImporter("XJ-2023"), path)
    assert (err.row, err.column) == (
        6,
        "金额",
    ) and "小计 1,256,235.00 ≠ 明细之和 1,256,234.00" in err.problem


def test_two_page_rcb_export_imports_both_pages() -> None:
    importer = statement("rcb")
    parsed = importer.parse(str(SAMPLES / "rcb-xj2023-2023-01-02.csv"))
    assert len(parsed.rows) == 10
    # every one of the file's 26 lines is accounted for
    assert parsed.kinds == "6 行标题, 2 行表头, 10 行数据, 4 行空行, 2 行小计, 1 行合计, 1 行表尾"
    assert any("䶮" in r.counterparty for r in parsed.rows)  # GB18030, not GBK


def test_page_subtotal_is_checked(tmp_path: Path) -> None:
    raw = (SAMPLES / "rcb-xj2023-2023-01-02.csv").read_bytes().decode("gb18030")
    path = tmp_path / "pages.csv"
    path.write_bytes(
        raw.replace("本页合计,,,600012.35", "本页合计,,,600012.36", 1).encode("gb18030")
    )
    err = rejected(statement("rcb"), path)
    assert (
        err.row == 11
        and err.column == "收入金额"
        and "本页合计 600,012.36 ≠ 明细之和 600,012.35" in err.problem
    )


def test_stray_quote_in_memo_names_the_line_and_column(tmp_path: Path) -> None:
    raw = (SAMPLES / "rcb-xj2022-2022-11-12.csv").read_bytes().decode("gbk")
    lines = raw.split("\r\n")
    cells = lines[6].split(",")
    cells[8] = '"' + cells[8]
    lines[6] = ",".join(cells)
    path = tmp_path / "quote.csv"
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    err = rejected(statement("rcb", "Assets:Treasury:XJ-2022"), path)
    assert (err.row, err.column) == (7, "用途") and "引号不成对" in err.problem


def test_ccb_footer_is_not_a_row() -> None:
    for name in ("ccb-xj2021-2021-08.xls", "ccb-xj2021-2021-08.xlsx"):
        parsed = statement("ccb", "Assets:Treasury:XJ-2021").parse(str(SAMPLES / name))
        assert len(parsed.rows) == 4 and parsed.kinds.endswith("4 行数据, 1 行表尾"), name


def test_no_serial_key_keeps_twins_and_reimport_adds_nothing() -> None:
    importer = statement("icbc-mx")
    path = SAMPLES / "icbc-mx-xj2023-2023-03.csv"
    (first,) = run_files([importer], [path]).results
    twins = [t for t in txns(first.entries) if t.postings[0].units.number == -120000]
    assert len(twins) == 2 and len({t.meta["bank_serial"] for t in twins}) == 2
    (again,) = run_files([importer], [path], first.entries).results
    assert again.entries == [] and len(again.duplicates) == len(first.entries)


class Crashing(beangulp.Importer):
    """An importer with a bug: identify raises on one kind of file."""

    name = "crashing"

    def identify(self, filepath: str) -> bool:
        if filepath.endswith(".txt"):
            raise ZeroDivisionError("bug")
        return False

    def account(self, filepath: str) -> str:
        return "Assets:X"

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        return []


def test_crash_identifying_one_file_does_not_stop_the_others() -> None:
    files = [SAMPLES / "boc-xj2023-2023-04.txt", SAMPLES / "psbc-xj2023-2023-05.csv"]
    run = run_files([Crashing(), statement("psbc")], files)
    assert [r.path.name for r in run.results] == ["psbc-xj2023-2023-05.csv"]
    (message,) = run.problems
    assert message.startswith("boc-xj2023-2023-04.txt: 识别时内部错误 ZeroDivisionError")


def _rcb_with(tmp_path: Path, column: int, value: str) -> Path:
    raw = (SAMPLES / "rcb-xj2022-2022-11-12.csv").read_bytes().decode("gbk")
    lines = raw.split("\r\n")
    cells = lines[5].split(",")
    cells[column] = value
    lines[5] = ",".join(cells)
    path = tmp_path / "edited.csv"
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    return path


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("9" * 40, "过大"),
        ("1e999999", "不是数字"),
        ("NaN", "不是数字"),
        ("12.345", "不是整分"),
    ],
)
def test_bad_amounts_are_named_errors(tmp_path: Path, value: str, problem: str) -> None:
    err = rejected(statement("rcb", "Assets:Treasury:XJ-2022"), _rcb_with(tmp_path, 3, value))
    assert (err.row, err.column) == (6, "借方发生额") and problem in err.problem


def test_huge_field_is_a_named_error(tmp_path: Path) -> None:
    err = rejected(
        statement("rcb", "Assets:Treasury:XJ-2022"), _rcb_with(tmp_path, 8, "x" * 131_072)
    )
    assert (err.row, err.column) == (6, "用途") and f"> {MAX_CELL:,}" in err.problem


def test_corrupt_xlsx_is_a_named_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes((SAMPLES / "abc-xj2022-2022-06.xlsx").read_bytes()[:700])
    err = rejected(statement("abc", "Assets:Treasury:XJ-2022"), path)
    assert "不是有效的 xlsx 文件" in str(err)


def test_out_of_range_xls_date_is_a_named_error(tmp_path: Path) -> None:
    book = xlwt.Workbook()
    ws = book.add_sheet("交易明细")
    for col, name in enumerate(
        ["记账日", "交易日期", "支出", "收入", "账户余额", "对方户名", "交易地点"]
    ):
        ws.write(0, col, name)
    ws.write(1, 0, 9_999_999.0, xlwt.easyxf(num_format_str="yyyy-mm-dd"))
    path = tmp_path / "date.xls"
    book.save(str(path))
    err = rejected(statement("ccb", "Assets:Treasury:XJ-2021"), path)
    assert (err.row, err.column) == (2, "第1列") and "超出范围" in err.problem
