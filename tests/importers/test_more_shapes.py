"""More shapes of real exports (a second adversarial pass after issue 14).

Each of these was rejected although the file was a good export, with no way to say the
shape in a layout: a 借贷标志 statement with 借方合计/贷方合计 rows, amounts with a trailing
``-``, a roll whose 合计 is written in words (大写), an Excel date serial, a header over two
lines with merged cells, 期初余额/期末余额 lines in the memo column.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from beancount.core import data
from fupin.importers.allocation import AllocationImporter
from fupin.importers.cells import CellError, parse_daxie, parse_money, parse_serial
from fupin.importers.layout import LayoutError, load_layout
from fupin.importers.roll import RollImporter
from fupin.importers.statement import StatementImporter
from fupin.importers.table import SourceError

from .conftest import LEDGER, RULES

ACCOUNT = "Assets:Treasury:XJ-2022"
REGISTER = LEDGER / "register" / "households.csv"


def txns(entries: data.Entries) -> list[data.Transaction]:
    return [e for e in entries if isinstance(e, data.Transaction)]


def amounts(entries: data.Entries) -> list[Decimal]:
    return [t.postings[0].units.number for t in txns(entries)]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode("gb18030"))
    return path


def layout_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "county.toml"
    path.write_text(text, encoding="utf-8")
    return path


def rejected(importer: StatementImporter | RollImporter, path: Path) -> SourceError:
    with pytest.raises(SourceError) as info:
        importer.extract(str(path), [])
    return info.value


# -- cells ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [("1,234.50-", "-1234.50"), ("¥1,234.50", "1234.50"), ("(300.00)", "-300.00"),
     ("\u22121,234.50", "-1234.50"), ("12.00", "12.00"), ("35.20元", "35.20")],
)  # fmt: skip
def test_money_forms(text: str, value: str) -> None:
    assert parse_money(text) == Decimal(value)


def test_money_with_two_signs_is_an_error() -> None:
    with pytest.raises(CellError, match="正负号重复"):
        parse_money("-1.00-")


@pytest.mark.parametrize(
    ("text", "value"),
    [("贰仟元整", "2000.00"), ("壹万贰仟叁佰肆拾伍元陆角柒分", "12345.67"),
     ("壹亿零伍万元整", "100050000.00"), ("壹拾元零伍分", "10.05"), ("人民币伍角", "0.50")],
)  # fmt: skip
def test_amounts_in_words(text: str, value: str) -> None:
    assert parse_daxie(text) == Decimal(value)


def test_not_amounts_in_words() -> None:
    assert parse_daxie("2000.00") is None and parse_daxie("合计") is None


def test_excel_serial() -> None:
    assert parse_serial("45797") == datetime.date(2025, 5, 20)
    assert parse_serial("20250520") is None
    with pytest.raises(CellError):
        parse_serial("99999")


# -- 借贷标志 with one amount column, 借方合计/贷方合计 -----------------------------------------
DC_LAYOUT = """
name = "xian-dc"
bank = "某县农村信用合作联社"
title = "信用合作联社"
[columns]
date = "交易日期"
direction = "借贷标志"
amount = "发生额"
balance = "余额"
serial = "柜员流水号"
counterparty = "对方户名"
memo = ["摘要"]
"""


def dc_rows(sides: list[list[str]]) -> list[list[str]]:
    return [
        ["某县农村信用合作联社 对公账户明细"],
        ["查询期间：2025年05月01日 至 2025年05月31日"],
        ["交易日期", "借贷标志", "发生额", "余额", "对方户名", "摘要", "柜员流水号"],
        ["2025年05月06日", "贷", "¥200,000.00", "¥210,000.00", "县财政局", "拨款", "A1"],
        ["2025年05月20日", "借", "1,234.50元", "208,765.50", "某公司", "进度款", "A2"],
        ["2025年05月20日", "D", "1,234.50", "207,531.00", "某公司", "进度款", "A3"],
        ["2025年05月21日", "C", "35.20", "207,566.20", "信用社", "结息", "A4"],
        *sides,
    ]


def test_direction_statement_with_totals_of_each_side(tmp_path: Path) -> None:
    sides = [["借方合计", "", "2,469.00", "", "", "共2笔"], ["合计", "贷", "200,035.20"]]
    path = write_csv(tmp_path / "dc.csv", dc_rows(sides))
    importer = StatementImporter(layout_file(tmp_path, DC_LAYOUT), ACCOUNT, rules=RULES)
    entries = importer.extract(str(path), [])
    assert amounts(entries) == [Decimal(x) for x in ("200000.00", "-1234.50", "-1234.50", "35.20")]
    assert importer.parse(str(path)).kinds == "2 行标题, 1 行表头, 4 行数据, 2 行合计"


def test_direction_statement_side_total_that_does_not_add_up(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dc.csv", dc_rows([["贷方合计", "", "200,035.21"]]))
    err = rejected(StatementImporter(layout_file(tmp_path, DC_LAYOUT), ACCOUNT), path)
    assert (err.row, err.column) == (8, "发生额")
    assert "贷方合计 200,035.21 ≠ 贷方明细之和 200,035.20" in err.problem


# -- trailing minus, parentheses, 2025.05.20 and 20250510 10:21:33 -----------------------------
def test_signed_amounts_with_a_trailing_minus(tmp_path: Path) -> None:
    layout = layout_file(
        tmp_path,
        'name = "xian-signed"\ntitle = "村镇银行"\n[columns]\ndate = "记账日期"\n'
        'amount = "交易金额"\nbalance = "账户余额"\nmemo = ["摘要"]\n',
    )
    rows = [
        ["青山村镇银行 账户交易明细"],
        ["序号", "记账日期", "交易金额", "账户余额", "摘要"],
        ["1", "2025.05.02", "50,000.00", "50,000.00", "拨款"],
        ["2", "20250510 10:21:33", "1,234.50-", "48,765.50", "付款"],
        ["3", "2025.05.12", "(300.00)", "48,465.50", "付款"],
    ]
    path = write_csv(tmp_path / "signed.csv", rows)
    entries = StatementImporter(layout, ACCOUNT).extract(str(path), [])
    assert amounts(entries) == [Decimal("50000.00"), Decimal("-1234.50"), Decimal("-300.00")]


# -- 大写 totals ----------------------------------------------------------------------------
def register_rows(count: int) -> list[list[str]]:
    lines = REGISTER.read_text(encoding="utf-8").splitlines()[1 : count + 1]
    return [line.split(",") for line in lines]


def roll_file(tmp_path: Path, words: str, where: str = "cell") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["青山县2025年公益岗位补贴一卡通发放清册"])
    ws.merge_cells("A1:G1")
    ws.append(["发放批次：2025年5月20日批", "", "", "", "单位：元"])
    ws.append(["序号", "乡镇", "村", "户主姓名", "身份证号", "补贴项目", "发放金额"])
    for i, h in enumerate(register_rows(4), 1):
        ws.append([i, h[1], h[2], h[4], h[5], "公益岗位补贴", 500 if i % 2 else "500.00"])
    ws.append(["合计", "", "", "", "", "", "2,000.00"])
    if where == "cell":
        ws.append(["合计（大写）", "", "", "", "", "", words])
    else:
        ws.append([f"合计人民币（大写）：{words}"])
    ws.append(["制表人：王五", "", "审核人：赵六"])
    path = tmp_path / "roll.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("where", ["cell", "title"])
def test_roll_total_in_words(tmp_path: Path, where: str) -> None:
    importer = RollImporter(ACCOUNT, REGISTER)
    entries = importer.extract(str(roll_file(tmp_path, "贰仟元整", where)), [])
    assert amounts(entries) == [Decimal(500)] * 4


def test_roll_total_in_words_that_does_not_add_up(tmp_path: Path) -> None:
    err = rejected(RollImporter(ACCOUNT, REGISTER), roll_file(tmp_path, "贰仟零伍元整"))
    assert (err.row, err.column) == (9, "发放金额")
    assert "合计（大写） 2,005.00 ≠ 明细之和 2,000.00" in err.problem
    err = rejected(RollImporter(ACCOUNT, REGISTER), roll_file(tmp_path, "贰仟零伍元整", "title"))
    assert err.row == 9 and "大写金额: " in err.problem


# -- spreadsheets: Excel serial dates, a header over two lines ----------------------------------
XL_LAYOUT = """
name = "xian-xl"
formats = [".xlsx"]
title = "交易流水"
[columns]
date = "交易日期"
debit = ["借方", "支出"]
credit = ["贷方", "收入"]
balance = "余额"
counterparty = "对方户名"
memo = ["摘要"]
"""


def xl_file(tmp_path: Path, *, serial: bool, two_lines: bool) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["", "某银行 交易流水"])
    ws.merge_cells("B1:G1")
    if two_lines:
        ws.append(["", "交易日期", "摘要", "发生额", "", "余额", "对方户名"])
        ws.merge_cells("D2:E2")
        for column in "BCFG":
            ws.merge_cells(f"{column}2:{column}3")
        ws.append(["", "", "", "借方", "贷方", "", ""])
    else:
        ws.append(["", "交易日期", "摘要", "借方", "贷方", "余额", "对方户名"])
    balance = Decimal("1000.00")
    for i, (debit, credit) in enumerate([(None, 800), (120.5, None), (None, 3)]):
        balance += Decimal(str(credit or 0)) - Decimal(str(debit or 0))
        day = datetime.date(2025, 5, 6 + i)
        cell = (day - datetime.date(1899, 12, 30)).days if serial else day
        ws.append(["", cell, "转账", debit, credit, float(balance), "某某"])
    if two_lines:  # page two repeats both header lines
        ws.append(["", "交易日期", "摘要", "发生额", "", "余额", "对方户名"])
        ws.append(["", "", "", "借方", "贷方", "", ""])
        ws.append(["", datetime.date(2025, 5, 9), "转账", 2, None, float(balance - 2), "某某"])
    path = tmp_path / "xl.xlsx"
    book.save(path)
    return path


def test_excel_serial_dates(tmp_path: Path) -> None:
    importer = StatementImporter(layout_file(tmp_path, XL_LAYOUT), ACCOUNT)
    entries = importer.extract(str(xl_file(tmp_path, serial=True, two_lines=False)), [])
    assert [t.date.day for t in txns(entries)] == [6, 7, 8]
    assert amounts(entries) == [Decimal("800"), Decimal("-120.5"), Decimal("3")]


def test_header_over_two_lines_with_merged_cells(tmp_path: Path) -> None:
    importer = StatementImporter(layout_file(tmp_path, XL_LAYOUT), ACCOUNT)
    path = xl_file(tmp_path, serial=False, two_lines=True)
    assert importer.identify(str(path))
    parsed = importer.parse(str(path))
    assert parsed.kinds == "1 行标题, 4 行表头, 4 行数据"
    assert [r.amount for r in parsed.rows] == [800, Decimal("-120.5"), 3, -2]


def test_allocation_with_a_two_line_header_in_ten_thousands(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["青山县2025年财政衔接推进乡村振兴补助资金分配表"])
    ws.append(["文号：青财农〔2025〕12号", "", "", "", "单位：万元"])
    ws.append(["序号", "项目名称", "实施单位", "资金级次", "资金安排", ""])
    ws.merge_cells("E3:F3")
    ws.append(["", "", "", "", "下达日期", "金额"])
    ws.append([1, "青山村道路硬化", "城关镇", "中央", "2025-03-05", "45.1234"])
    ws.append([2, "红旗村肉牛养殖", "城关镇", "中央", "2025-03-05", 12.5])
    ws.append(["合计", "", "", "", "", "57.6234"])
    ws.append(["合计（大写）：伍拾柒万陆仟贰佰叁拾肆元整"])
    path = tmp_path / "fpb.xlsx"
    book.save(path)
    importer = AllocationImporter("XJ-2023")
    assert importer.identify(str(path))
    (receipt,) = txns(importer.extract(str(path), []))
    assert receipt.postings[0].units.number == Decimal("576234.00")
    assert receipt.date == datetime.date(2025, 3, 5)


# -- 期初余额 / 期末余额 lines -------------------------------------------------------------------
def rcb_with_balances(tmp_path: Path, opening: str, memo_amount: str = "") -> Path:
    rows = [
        ["青山农村商业银行 单位账户交易明细"],
        ["查询期间：2025-05-01 至 2025-05-31"],
        ["交易日期", "核心流水号", "摘要", "支出金额", "收入金额", "余额", "对方户名", "用途"],
        ["2025-05-01", "", "期初余额", "", memo_amount, opening, "", ""],
        ["2025-05-03", "R1", "转账", "", "100000.00", "105000.00", "县财政局", "拨款"],
        ["2025-05-04", "R2", "转账", "2000.00", "", "103000.00", "某公司", "付款"],
        ["2025-05-31", "", "期末余额", "", "", "103000.00", "", ""],
    ]
    return write_csv(tmp_path / "rcb.csv", rows)


def test_opening_and_closing_balance_lines(tmp_path: Path) -> None:
    importer = StatementImporter("rcb", ACCOUNT)
    parsed = importer.parse(str(rcb_with_balances(tmp_path, "5000.00")))
    assert [r.amount for r in parsed.rows] == [100000, -2000]
    assert parsed.kinds == "2 行标题, 1 行表头, 2 行余额, 2 行数据"
    assert (parsed.opening, parsed.closing) == (5000, 103000)


def test_opening_balance_line_that_does_not_follow(tmp_path: Path) -> None:
    err = rejected(StatementImporter("rcb", ACCOUNT), rcb_with_balances(tmp_path, "5000.01"))
    assert (err.row, err.column) == (4, "余额")
    assert "余额行 5,000.01 ≠ 期初余额 5,000.00" in err.problem


def test_a_balance_word_in_the_memo_of_a_line_with_money_is_data(tmp_path: Path) -> None:
    """Never dropped: a line with an amount is data whatever its memo says."""
    path = rcb_with_balances(tmp_path, "5000.00", memo_amount="5000.00")
    err = rejected(StatementImporter("rcb", ACCOUNT), path)
    assert err.row == 4  # read as data: it has no serial (and its balance would not follow)


def test_a_column_rule_names_a_role_of_its_kind(tmp_path: Path) -> None:
    bad = DC_LAYOUT + "\n"
    bad = bad.replace(
        "[columns]",
        'non_data = [{kind = "balance", column = "household", pattern = "x"}]\n[columns]',
    )
    with pytest.raises(LayoutError, match="non_data column 'household'"):
        load_layout(layout_file(tmp_path, bad))


def test_a_layout_file_s_mistakes_are_all_named_in_chinese(tmp_path: Path) -> None:
    """Every mistake of a county's layout TOML at once, in Chinese, with the near miss."""
    bad = 'kind = "statment"\ndelimter = ","\n[columns]\ndate = ["交易日期"]\n'
    with pytest.raises(LayoutError) as info:
        load_layout(layout_file(tmp_path, bad))
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'county.toml'}: ")
    assert "name: 缺少必填字段" in message
    assert "kind: 应为 statement、roll、allocation 之一 (是否应为 'statement'?)" in message
    assert "delimter: 未知字段 (是否应为 'delimiter'?)" in message
    no_date = 'name = "县农商行"\nkind = "statement"\n[columns]\namount = ["金额"]\n'
    with pytest.raises(LayoutError, match=r"statement\) 须有 columns\.date"):
        load_layout(layout_file(tmp_path, no_date))
