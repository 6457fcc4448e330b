"""Every malformed input stops the import naming file, row and column; nothing is written."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from fupin.importers.allocation import AllocationImporter
from fupin.importers.roll import RollImporter
from fupin.importers.statement import StatementImporter
from fupin.importers.table import SourceError

from fupin.cli import main

from .conftest import LEDGER, RULES, SAMPLES

GOOD = [
    ["20230105", "S001", "转账支出", "1000.00", "", "9000.00", "青山县宏达建筑工程有限公司", "6217****0001", "进度款"],
    ["20230110", "S002", "结息", "", "12.50", "9012.50", "青山农商银行", "", "结息"],
]  # fmt: skip


def importer() -> StatementImporter:
    return StatementImporter("rcb", "Assets:Treasury:XJ-2022", rules=RULES)


def error_of(path: Path) -> SourceError:
    with pytest.raises(SourceError) as info:
        importer().extract(str(path), [])
    return info.value


def with_cell(row: int, column: int, value: str) -> list[list[str]]:
    rows = [list(r) for r in GOOD]
    rows[row][column] = value
    return rows


def test_good_statement_parses(rcb_file) -> None:
    entries = importer().extract(str(rcb_file(GOOD, total=["1000.00", "12.50"])), [])
    txns = [e for e in entries if type(e).__name__ == "Transaction"]
    assert [t.postings[0].units.number for t in txns] == [-1000, 12.50]
    assert str(txns[1].postings[0].units.number) == "12.50"


def test_bad_date(rcb_file) -> None:
    err = error_of(rcb_file(with_cell(1, 0, "2023-13-45")))
    assert (err.row, err.column) == (6, "交易日期")
    assert "stmt.csv 第6行 [交易日期]: 日期 '2023-13-45'" in str(err)


def test_non_numeric_amount(rcb_file) -> None:
    err = error_of(rcb_file(with_cell(0, 3, "1,000.0O")))
    assert (err.row, err.column) == (5, "借方发生额")
    assert "不是数字" in err.problem


def test_three_decimals_rejected(rcb_file) -> None:
    err = error_of(rcb_file(with_cell(0, 3, "1000.005")))
    assert (err.row, err.column) == (5, "借方发生额")


def test_missing_column(tmp_path: Path) -> None:
    text = (SAMPLES / "rcb-xj2022-2022-11-12.csv").read_bytes().decode("gbk")
    path = tmp_path / "nocol.csv"
    path.write_bytes(text.replace(",余额,", ",结余,").encode("gbk"))
    assert not importer().identify(str(path))
    err = error_of(path)
    assert err.column == "余额" and "缺少列 余额" in err.problem


def test_wrong_encoding_names_row_and_column(rcb_file, tmp_path: Path) -> None:
    raw = rcb_file(GOOD).read_bytes()
    # a stray byte (0x80) that GBK cannot decode, in the 用途 cell of row 5
    bad = raw.replace("进度款".encode("gbk"), "进度款".encode("gbk") + b"\x80")
    path = tmp_path / "mixed.csv"
    path.write_bytes(bad)
    assert importer().identify(str(path))
    err = error_of(path)
    assert err.row == 5 and err.column == "第9列" and "gb18030" in err.problem


def test_utf8_statement_reads_like_the_gbk_one(tmp_path: Path) -> None:
    """Encoding by evidence: the same statement saved as UTF-8 (with or without a BOM)."""
    original = SAMPLES / "rcb-xj2022-2022-11-12.csv"
    text = original.read_bytes().decode("gbk")
    want = importer().parse(str(original)).rows
    for name, encoding in (("utf8.csv", "utf-8"), ("bom.csv", "utf-8-sig"), ("u16.csv", "utf-16")):
        path = tmp_path / name
        path.write_text(text, encoding=encoding)
        assert importer().identify(str(path)), name
        assert importer().parse(str(path)).rows == want


def test_running_balance_mismatch(rcb_file) -> None:
    err = error_of(rcb_file(with_cell(1, 5, "9012.51")))
    assert (err.row, err.column) == (6, "余额")
    assert "余额 9,012.51 ≠ 上一行余额 9,000.00 + 本笔发生额 12.50 = 9,012.50" in err.problem


def test_totals_row_mismatch(rcb_file) -> None:
    err = error_of(rcb_file(GOOD, total=["1000.00", "12.00"]))
    assert (err.row, err.column) == (7, "贷方发生额")


def test_repeated_serial(rcb_file) -> None:
    err = error_of(rcb_file(with_cell(1, 1, "S001")))
    assert (err.row, err.column) == (6, "交易流水号")


def test_debit_and_credit_both_filled(rcb_file) -> None:
    err = error_of(rcb_file(with_cell(0, 4, "5.00")))
    assert (err.row, err.column) == (5, "贷方发生额")


def test_row_outside_period(rcb_file) -> None:
    err = error_of(rcb_file(with_cell(1, 0, "20230201")))
    assert (err.row, err.column) == (6, "交易日期")


def test_cli_rejects_the_bad_document_and_imports_the_good_one(rcb_file, tmp_path: Path) -> None:
    good = SAMPLES / "rcb-xj2022-2022-11-12.csv"
    bad = rcb_file(with_cell(1, 0, "20230230"), name="bad.csv")
    out = tmp_path / "out.beancount"
    result = CliRunner().invoke(
        main, ["import", "extract", "-o", str(out), str(good), str(bad), "-c", str(CONFIG)]
    )
    assert result.exit_code == 2
    assert (
        "已拒绝, 未写入此文件的任何记录: bad.csv 第6行 [交易日期]: 日期 '20230230' 不存在"
        in result.output
    )
    written = out.read_text(encoding="utf-8")
    assert "rcb-xj2022-2022-11-12.csv" in written and "bad.csv" not in written
    assert written.count("bank_serial:") == 10


def test_cli_unidentified_file_fails(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "extract", str(path), "-c", str(CONFIG)])
    assert result.exit_code == 2 and "没有导入器能识别此文件" in result.output


def test_an_unrecognised_file_is_told_apart_by_what_reading_it_finds(tmp_path: Path) -> None:
    """Empty, blank, a damaged workbook, or a header of no configured layout: each named
    as what it is, each rejected whole (exit 2), nothing written."""
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "blank.csv").write_text("\n,,,\n\n", encoding="utf-8")
    (tmp_path / "damaged.xlsx").write_bytes(b"PK\x03\x04 not the rest of a workbook")
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    out = tmp_path / "new.beancount"
    names = ("empty.csv", "blank.csv", "damaged.xlsx", "notes.csv")
    result = CliRunner().invoke(
        main,
        [
            "import",
            "extract",
            "-o",
            str(out),
            *(str(tmp_path / n) for n in names),
            "-c",
            str(CONFIG),
        ],
    )
    assert result.exit_code == 2
    said = result.output
    assert "empty.csv: 文件为空 (0 字节), 没有可导入的内容" in said
    assert "blank.csv: 文件中没有任何内容 (只有空行或空白单元格)" in said
    assert "damaged.xlsx: 不是有效的 xlsx 文件" in said and "; 没有导入器能识别此文件" in said
    assert "notes.csv: 没有导入器能识别此文件 (表头与任何已配置格式都不符)" in said
    assert "Traceback" not in said and not out.exists()


CONFIG = LEDGER / "import_config.py"


# -- payment roll ----------------------------------------------------------------------------
def roll_copy(tmp_path: Path, edit) -> Path:
    """A copy of the sample roll with one edit applied to the worksheet."""
    path = tmp_path / "roll.xlsx"
    shutil.copy(SAMPLES / "ykt-2022-12.xlsx", path)
    book = openpyxl.load_workbook(path)
    edit(book.active)
    book.save(path)
    return path


def roll_error(path: Path) -> SourceError:
    importer = RollImporter("Assets:Treasury:XJ-2022", LEDGER / "register" / "households.csv")
    with pytest.raises(SourceError) as info:
        importer.extract(str(path), [])
    return info.value


def test_roll_unknown_household(tmp_path: Path) -> None:
    def edit(ws) -> None:
        ws["E5"] = "999901190001011234"

    err = roll_error(roll_copy(tmp_path, edit))
    assert (err.row, err.column) == (5, "身份证号")
    assert "9999**********1234" in err.problem and "无" in err.problem
    assert "999901190001011234" not in str(err)  # the ID number is masked even in errors


def test_roll_two_households(tmp_path: Path) -> None:
    register = tmp_path / "register"
    shutil.copytree(LEDGER / "register", register)
    with open(register / "households.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    first = rows[0]
    twin = dict(first, id=first["id"][:-3] + "999")
    with open(register / "households.csv", "a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(first)).writerow(twin)
    importer = RollImporter("Assets:Treasury:XJ-2022", register / "households.csv")
    with pytest.raises(SourceError) as info:
        importer.extract(str(SAMPLES / "ykt-2022-12.xlsx"), [])
    err = info.value
    # since 8f5cc60 the register itself refuses one ID number on two households (at its
    # later row, naming the earlier): the roll is refused naming the register, not a row
    assert Path(err.path).name == "households.csv"
    assert f"households.csv:{len(rows) + 2}: id_number: 身份证号与第 2 行相同" in err.problem
    assert first["id_number"] not in str(err)


def test_roll_unknown_kind(tmp_path: Path) -> None:
    def edit(ws) -> None:
        ws["F6"] = "旅游补贴"

    err = roll_error(roll_copy(tmp_path, edit))
    assert (err.row, err.column) == (6, "补贴项目")


def test_roll_total_mismatch(tmp_path: Path) -> None:
    def edit(ws) -> None:
        ws["G4"] = "501.00"

    err = roll_error(roll_copy(tmp_path, edit))
    assert err.column == "发放金额" and "合计" in err.problem


def test_roll_without_batch_number(tmp_path: Path) -> None:
    def edit(ws) -> None:
        ws["A2"] = "资金来源：2022年衔接资金"

    err = roll_error(roll_copy(tmp_path, edit))
    assert "发放批次" in err.problem


# -- allocation sheet ------------------------------------------------------------------------
def allocation_copy(tmp_path: Path, edit) -> Path:
    path = tmp_path / "alloc.xlsx"
    shutil.copy(SAMPLES / "allocation-xj2023.xlsx", path)
    book = openpyxl.load_workbook(path)
    edit(book.active)
    book.save(path)
    return path


def allocation_error(path: Path) -> SourceError:
    with pytest.raises(SourceError) as info:
        AllocationImporter("XJ-2023").extract(str(path), [])
    return info.value


def test_allocation_unknown_level(tmp_path: Path) -> None:
    def edit(ws) -> None:
        ws["C5"] = "乡级"

    err = allocation_error(allocation_copy(tmp_path, edit))
    assert (err.row, err.column) == (5, "资金级次")


def test_allocation_bad_amount(tmp_path: Path) -> None:
    def edit(ws) -> None:
        ws["F6"] = "四十五万"

    err = allocation_error(allocation_copy(tmp_path, edit))
    assert (err.row, err.column) == (6, "下达金额（元）")


def test_allocation_in_ten_thousands(tmp_path: Path) -> None:
    def edit(ws) -> None:
        ws["F3"] = "下达金额（万元）"
        for row in range(4, 9):  # the four rows and the 合计 row
            ws[f"F{row}"] = str(Decimal(ws[f"F{row}"].value) / 10000)

    path = allocation_copy(tmp_path, edit)
    entries = AllocationImporter("XJ-2023").extract(str(path), [])
    assert str(entries[0].postings[0].units.number) == "1250000.00"


def test_numbers_in_memos_never_reach_the_ledger(rcb_file) -> None:
    rows = with_cell(0, 8, "退回 张三 身份证150202199001011234 账号6217001234567890123")
    entries = importer().extract(str(rcb_file(rows)), [])
    memo = entries[0].narration
    assert "1502****1234" in memo and "6217****0123" in memo
    assert "150202199001011234" not in memo and "6217001234567890123" not in memo
