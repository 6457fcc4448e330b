"""Good exports a third adversarial probe found refused or misread.

CR-only and mixed line endings, a DOS end-of-file mark (Ctrl-Z) after the last line, ASCII
page footers (``Page 1 of 3``, ``- 1 -``), a workbook in Excel's 1904 date system, and a
``期初余额：5000.00`` line whose figure sits in its label cell.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlwt
from beancount.core import data
from click.testing import CliRunner
from fupin.importers.statement import StatementImporter
from fupin.importers.table import SourceError
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from fupin.cli import main

from .conftest import RULES, SAMPLES
from .test_more_shapes import layout_file, write_csv

ACCOUNT = "Assets:Treasury:XJ-2022"
SAMPLE = SAMPLES / "rcb-xj2022-2022-11-12.csv"
#: the sample's ten lines, to the cent (file order is date order)
SAMPLE_AMOUNTS = [
    Decimal(x)
    for x in (
        "-574872.00", "-641540.00", "-490978.00", "-484480.00", "-216105.00",
        "-168924.00", "-59200.00", "-5300.00", "1186.42", "-115500.00",
    )
]  # fmt: skip
SAMPLE_KINDS = "3 行标题, 1 行表头, 10 行数据, 1 行合计, 1 行表尾"


def sample_lines() -> list[bytes]:
    """The sample statement's lines (GB18030, CRLF in the file) without their endings."""
    return SAMPLE.read_bytes().split(b"\r\n")[:-1]


def importer() -> StatementImporter:
    return StatementImporter("rcb", ACCOUNT, rules=RULES, title="8022")


def rejected(path: Path) -> SourceError:
    with pytest.raises(SourceError) as info:
        importer().extract(str(path), [])
    return info.value


def extract_cli(county: Path, path: Path) -> tuple[int, str, Path]:
    """``fupin import extract -e <copy of the ledger> -o out.beancount <path>``."""
    out = county.parent / "out.beancount"
    result = CliRunner().invoke(
        main, ["import", "extract", "-e", str(county), "-o", str(out), str(path)]
    )
    return result.exit_code, result.output, out


def written(out: Path, path: Path) -> str:
    """What the import wrote, the document's own path made neutral."""
    return out.read_text(encoding="utf-8").replace(str(path), "<doc>")


# -- 1. universal line endings --------------------------------------------------------------
ENDINGS = {
    "cr": lambda i: b"\r",
    "lf": lambda i: b"\n",
    "crlf": lambda i: b"\r\n",
    "mixed": lambda i: (b"\r", b"\n", b"\r\n")[i % 3],
}


def with_endings(path: Path, ending: str, lines: list[bytes] | None = None) -> Path:
    body = lines if lines is not None else sample_lines()
    path.write_bytes(b"".join(line + ENDINGS[ending](i) for i, line in enumerate(body)))
    return path


@pytest.mark.parametrize("ending", sorted(ENDINGS))
def test_every_line_ending_reads_the_same_lines(tmp_path: Path, ending: str) -> None:
    path = with_endings(tmp_path / "stmt.csv", ending)
    assert importer().identify(str(path))
    parsed = importer().parse(str(path))
    assert [r.amount for r in parsed.rows] == SAMPLE_AMOUNTS
    assert [r.number for r in parsed.rows] == list(range(5, 15))
    assert parsed.kinds == SAMPLE_KINDS
    assert (parsed.opening, parsed.closing) == (Decimal("2929270.00"), Decimal("173557.42"))


def test_cr_before_crlf_is_two_lines_never_one(tmp_path: Path) -> None:
    """``\\r\\r\\n`` is two line breaks (an editor shows a blank line): nothing merges."""
    lines = sample_lines()
    path = tmp_path / "stmt.csv"
    ends = [b"\r\r\n" if i == 5 else b"\r\n" for i in range(len(lines))]
    path.write_bytes(b"".join(x + end for x, end in zip(lines, ends, strict=True)))
    parsed = importer().parse(str(path))
    assert [r.amount for r in parsed.rows] == SAMPLE_AMOUNTS
    assert [r.number for r in parsed.rows] == [5, 6, *range(8, 16)]
    assert parsed.kinds == "3 行标题, 1 行表头, 10 行数据, 1 行空行, 1 行合计, 1 行表尾"


@pytest.mark.parametrize("ending", ["cr", "mixed"])
def test_line_numbers_in_messages_are_the_editors(tmp_path: Path, ending: str) -> None:
    lines = sample_lines()
    lines[5] = lines[5].replace(b"20221122", b"20221132")
    err = rejected(with_endings(tmp_path / "stmt.csv", ending, lines))
    assert (err.row, err.column) == (6, "交易日期")
    lines = sample_lines()
    lines[6] = lines[6].replace(b"490978.00", b"490978.\x0100")
    err = rejected(with_endings(tmp_path / "stmt.csv", ending, lines))
    assert (err.row, err.column) == (7, "第4列") and "U+0001" in err.problem


def test_cli_reads_a_cr_only_export_as_the_crlf_one(county: Path, tmp_path: Path) -> None:
    original = tmp_path / "crlf" / "stmt.csv"
    original.parent.mkdir()
    original.write_bytes(SAMPLE.read_bytes())
    want_code, want_output, out = extract_cli(county, original)
    assert want_code in (0, 1), want_output  # 1: K1 of the sample ledger, as for the original
    want = written(out, original)
    out.unlink()
    path = with_endings(tmp_path / "stmt.csv", "cr")
    code, output, out = extract_cli(county, path)
    assert (code, output.replace(str(path), "<doc>")) == (
        want_code,
        want_output.replace(str(original), "<doc>"),
    )
    assert "已写入 14 条新记录" in output
    assert written(out, path) == want
    assert len(set(re.findall(r"QSRCB\d{12}", want))) == 10  # every data line


# -- 2. Ctrl-Z after the last line ------------------------------------------------------------
@pytest.mark.parametrize("last_break", [True, False], ids=["after-break", "no-last-break"])
@pytest.mark.parametrize("tail", [b"\x1a", b"\x1a\x1a"], ids=["one", "two"])
def test_a_dos_end_of_file_mark_is_accepted_at_the_very_end(
    tmp_path: Path, tail: bytes, last_break: bool
) -> None:
    body = SAMPLE.read_bytes()
    path = tmp_path / "stmt.csv"
    path.write_bytes((body if last_break else body[:-2]) + tail)
    parsed = importer().parse(str(path))
    assert [r.amount for r in parsed.rows] == SAMPLE_AMOUNTS
    assert parsed.kinds == SAMPLE_KINDS


@pytest.mark.parametrize(
    ("where", "line", "column"),
    [("middle", 8, "第1列"), ("before-last-break", 17, "第1列")],
)
def test_ctrl_z_anywhere_else_is_an_error(
    tmp_path: Path, county: Path, where: str, line: int, column: str
) -> None:
    body = SAMPLE.read_bytes()
    if where == "middle":
        lines = sample_lines()
        lines[7] = b"\x1a" + lines[7]
        body = b"".join(x + b"\r\n" for x in lines)
    else:
        body += b"\x1a\r\n"
    path = tmp_path / "stmt.csv"
    path.write_bytes(body)
    err = rejected(path)
    assert (err.row, err.column) == (line, column) and "U+001A" in err.problem
    code, output, out = extract_cli(county, path)
    assert code == 2 and "U+001A" in output
    assert not out.exists() or "bank_serial" not in out.read_text(encoding="utf-8")


# -- 3. ASCII page footers ----------------------------------------------------------------------
FOOTERS = [b"Page 1 of 3", b"page 2/3", b"- 1 -", b"1/3", b"PAGE 3 OF 3,,,,", b"  - 2 -  "]


def test_ascii_page_footers_are_footer_lines(tmp_path: Path) -> None:
    lines = sample_lines()
    header = lines[3]
    body = [*lines[:6], FOOTERS[0], FOOTERS[1], header, *lines[6:9], FOOTERS[2], FOOTERS[3]]
    body += [*lines[9:14], FOOTERS[4], FOOTERS[5], *lines[14:]]
    path = tmp_path / "stmt.csv"
    path.write_bytes(b"".join(x + b"\r\n" for x in body))
    parsed = importer().parse(str(path))
    assert [r.amount for r in parsed.rows] == SAMPLE_AMOUNTS
    assert parsed.kinds == "3 行标题, 2 行表头, 10 行数据, 7 行表尾, 1 行合计"
    assert sum(int(n) for n in re.findall(r"(\d+) 行", parsed.kinds)) == len(body)


@pytest.mark.parametrize("first", ["1/3", "Page 1 of 3", "- 1 -"])
def test_a_page_footer_with_money_is_data(tmp_path: Path, first: str) -> None:
    """Never dropped: a line with an amount is data (and this one's date is no date)."""
    lines = sample_lines()
    bad = f"{first},QSRCB202211300099,转账支出,100.00,,1221780.00,某某,,付款".encode()
    path = tmp_path / "stmt.csv"
    path.write_bytes(b"".join(x + b"\r\n" for x in [*lines[:7], bad, *lines[7:]]))
    err = rejected(path)
    assert (err.row, err.column) == (8, "交易日期")


# -- 4. Excel's 1904 date system ---------------------------------------------------------------
XL_LAYOUT = """
name = "xian-xl"
formats = [".xls", ".xlsx"]
title = "交易流水"
[columns]
date = "交易日期"
debit = "借方"
credit = "贷方"
balance = "余额"
counterparty = "对方户名"
memo = ["摘要"]
"""
DAYS = [datetime.date(2025, 5, 6), datetime.date(2025, 5, 7), datetime.date(2025, 5, 20)]
MOVES = [(None, 800), (120.5, None), (None, 3.07)]
BALANCES = [1800.0, 1679.5, 1682.57]
EPOCHS = {False: datetime.date(1899, 12, 30), True: datetime.date(1904, 1, 1)}


def xl_rows(date1904: bool, as_serial: bool) -> list[list[object]]:
    rows: list[list[object]] = [
        ["某银行 交易流水"],
        ["交易日期", "摘要", "借方", "贷方", "余额", "对方户名"],
    ]
    for day, (debit, credit), balance in zip(DAYS, MOVES, BALANCES, strict=True):
        cell: object = (day - EPOCHS[date1904]).days if as_serial else day
        rows.append([cell, "转账", debit, credit, balance, "某某"])
    return rows


def xlsx_file(tmp_path: Path, date1904: bool, as_serial: bool) -> Path:
    book = openpyxl.Workbook()
    if date1904:
        book.epoch = CALENDAR_MAC_1904
    ws = book.active
    for row in xl_rows(date1904, as_serial):
        ws.append(row)
    path = tmp_path / "xl.xlsx"
    book.save(path)
    return path


def xls_file(tmp_path: Path, date1904: bool, as_serial: bool) -> Path:
    book = xlwt.Workbook()
    book.set_dates_1904(date1904)
    ws = book.add_sheet("流水")
    style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, row in enumerate(xl_rows(date1904, as_serial)):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                ws.write(r, c, datetime.datetime.combine(value, datetime.time()), style)
            elif value is not None:
                ws.write(r, c, value)
    path = tmp_path / "xl.xls"
    book.save(str(path))
    return path


@pytest.mark.parametrize("as_serial", [True, False], ids=["serial", "date-cell"])
@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
@pytest.mark.parametrize("write", [xlsx_file, xls_file], ids=["xlsx", "xls"])
def test_a_workbooks_own_date_system(
    tmp_path: Path, write: Callable[[Path, bool, bool], Path], date1904: bool, as_serial: bool
) -> None:
    path = write(tmp_path, date1904, as_serial)
    importer = StatementImporter(layout_file(tmp_path, XL_LAYOUT), ACCOUNT)
    entries = importer.extract(str(path), [])
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    assert [t.date for t in txns] == DAYS
    assert [t.postings[0].units.number for t in txns] == [800, Decimal("-120.5"), Decimal("3.07")]
    parsed = importer.parse(str(path))
    assert parsed.kinds == "1 行标题, 1 行表头, 3 行数据"
    assert (parsed.start, parsed.end, parsed.closing) == (DAYS[0], DAYS[-1], Decimal("1682.57"))


# -- 5. 期初余额：5000.00 in the label cell -------------------------------------------------------
def labelled(tmp_path: Path, opening: str, closing: str, *, first: bool) -> Path:
    """期初余额/期末余额 lines with their figure after the label, the 余额 column empty:
    in 摘要 (``first=False``) or as the line's only cell."""

    def line(day: str, text: str) -> list[str]:
        return [text] if first else [day, "", text, "", "", "", "", ""]

    rows = [
        ["青山农村商业银行 单位账户交易明细"],
        ["查询期间：2025-05-01 至 2025-05-31"],
        ["交易日期", "核心流水号", "摘要", "支出金额", "收入金额", "余额", "对方户名", "用途"],
        line("2025-05-01", f"期初余额：{opening}"),
        ["2025-05-03", "R1", "转账", "", "100000.00", "105000.00", "县财政局", "拨款"],
        ["2025-05-04", "R2", "转账", "2000.00", "", "103000.00", "某公司", "付款"],
        line("2025-05-31", f"期末余额: {closing}"),
    ]
    return write_csv(tmp_path / "rcb.csv", rows)


@pytest.mark.parametrize("first", [False, True], ids=["memo", "own-line"])
def test_a_balance_figure_in_the_label_cell_is_checked(tmp_path: Path, first: bool) -> None:
    statement = StatementImporter("rcb", ACCOUNT)
    parsed = statement.parse(str(labelled(tmp_path, "5,000.00", "103000.00", first=first)))
    assert [r.amount for r in parsed.rows] == [Decimal("100000.00"), Decimal("-2000.00")]
    assert parsed.kinds == "2 行标题, 1 行表头, 2 行余额, 2 行数据"
    assert (parsed.opening, parsed.closing) == (Decimal("5000.00"), Decimal("103000.00"))
    column = "交易日期" if first else "摘要"
    for opening, closing, row, stated, want in (
        ("5000.01", "103000.00", 4, "5,000.01", "期初余额 5,000.00"),
        ("5000.00", "103000.10", 7, "103,000.10", "第6行之后的余额 103,000.00"),
    ):
        path = labelled(tmp_path, opening, closing, first=first)
        with pytest.raises(SourceError) as info:
            statement.extract(str(path), [])
        err = info.value
        assert (err.path, err.row, err.column) == (str(path), row, column)
        assert err.problem == f"余额行 {stated} ≠ {want}"


def test_an_unreadable_balance_figure_in_the_label_cell_is_an_error(tmp_path: Path) -> None:
    path = labelled(tmp_path, "5000.0O", "103000.00", first=False)
    with pytest.raises(SourceError) as info:
        StatementImporter("rcb", ACCOUNT).extract(str(path), [])
    assert (info.value.row, info.value.column) == (4, "摘要")
    assert "不是数字" in info.value.problem
