"""A workbook whose later sheet is another account's statement is refused, not joined.

A clerk exports two special accounts into one book (sheet 1: the 2022 account, sheet 2: the
2021 one). Only the first sheet's title decided ``identify``; each sheet's own 账号, 户名,
币种 and 起止日期 must now agree with the first's where the sheet states them. Messages name
the file, both sheets and both account numbers masked, never a full number.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import xlrd
from beancount.core import data
from click.testing import CliRunner
from fupin.importers.statement import StatementImporter
from fupin.importers.table import SourceError
from fupin.importers.titles import mask_account, same_account, stated

from fupin.cli import main

from .conftest import RULES, SAMPLES
from .test_workbook_sheets import xls, xlsx
from .test_workbook_tables import ABC_HEADER, abc_line

ACCOUNT_2022, ACCOUNT_2021 = "Assets:Treasury:XJ-2022", "Assets:Treasury:XJ-2021"
#: full numbers, as a bank prints them on an unmasked export (never echoed)
NUMBER_2022, NUMBER_2021 = "6228480012340622", "6228480099990621"
NAME_2022, NAME_2021 = "青山县财政局(2022年衔接资金专户)", "青山县财政局(2021年衔接资金专户)"


def title(
    number: str = NUMBER_2022,
    name: str = NAME_2022,
    period: str = "2022-06-01至2022-06-30",
    currency: str | None = None,
) -> list[list[object]]:
    rows: list[list[object]] = [
        ["中国农业银行 账户明细查询"],
        [f"账户：{number}", f"户名：{name}"],
        [f"起止日期：{period}"],
    ]
    if currency:
        rows[2].append(f"币种：{currency}")
    return rows


def june_2022() -> list[list[object]]:
    return [
        *title(),
        ABC_HEADER,
        abc_line("20220602", "S01", "-1000.00", "9000.00", "进度款"),
        abc_line("20220605", "S02", "500.00", "9500.00", "结息"),
    ]


def june_2021(**kw: str) -> list[list[object]]:
    """The other account's June, its balances going on from the first sheet's (so only the
    title tells it apart)."""
    return [
        *title(**({"number": NUMBER_2021, "name": NAME_2021} | kw)),
        ABC_HEADER,
        abc_line("20220610", "T01", "-2000.00", "7500.00", "进度款"),
        abc_line("20220620", "T02", "40.00", "7540.00", "结息"),
    ]


def importer(account: str = ACCOUNT_2022, digits: str = "0622") -> StatementImporter:
    return StatementImporter("abc", account, rules=RULES, title=digits)


def refused(path: Path, by: StatementImporter | None = None) -> SourceError:
    with pytest.raises(SourceError) as info:
        (by or importer()).extract(str(path), [])
    return info.value


def no_full_number(text: str) -> None:
    for number in (NUMBER_2022, NUMBER_2021):
        assert number not in text and number[4:12] not in text


def test_another_accounts_statement_on_sheet_two_is_refused(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "two.xlsx", {"2022专户": june_2022(), "2021专户": june_2021()})
    assert importer().identify(str(path))  # the first sheet is the 2022 account's
    assert not importer(ACCOUNT_2021, "0621").identify(str(path))
    error = refused(path)
    assert (error.sheet, error.row, error.column) == ("2021专户", 2, "账号")
    assert str(error) == (
        "two.xlsx 工作表「2021专户」第2行 [账号]: 账号 6228****0621 与"
        "工作表「2022专户」第2行的 6228****0622 不同: 工作表「2021专户」是另一个账户的对账单, "
        "不能并入 Assets:Treasury:XJ-2022 的流水 (一个文件只能是一个账户的对账单; "
        "请把各账户的工作表另存为单独的文件, 分别导入)"
    )
    no_full_number(str(error))


def test_an_xls_book_of_two_ccb_accounts_is_refused(tmp_path: Path) -> None:
    """The CCB .xls sample (账　号 in one cell, the number in the next) and a second sheet
    of the same layout for another account, written with xlwt."""
    ws = xlrd.open_workbook(str(SAMPLES / "ccb-xj2021-2021-08.xls")).sheet_by_index(0)
    rows: list[list[object]] = [ws.row_values(i) for i in range(ws.nrows)]
    other = [list(r) for r in rows]
    assert other[3][1] == "4305*********2021"
    other[3][1] = "430512345678902022"
    path = xls(tmp_path / "ccb.xls", {"XJ-2021": rows, "XJ-2022": other})
    ccb = StatementImporter("ccb", ACCOUNT_2021, rules=RULES, title="2021")
    assert ccb.identify(str(path))
    error = refused(path, ccb)
    assert str(error).startswith(
        "ccb.xls 工作表「XJ-2022」第4行 [账号]: 账号 4305****2022 与工作表「XJ-2021」第4行的 "
        "4305****2021 不同: 工作表「XJ-2022」是另一个账户的对账单, 不能并入 "
        "Assets:Treasury:XJ-2021 的流水"
    ), str(error)
    assert "430512345678902022" not in str(error) and "12345678" not in str(error)
    # the same account on both sheets (the sample cut in two) still reads as one statement
    path = xls(tmp_path / "cut.xls", {"第1页": rows[:8], "第2页": [*rows[:6], *rows[8:]]})
    assert len([e for e in ccb.extract(str(path), []) if isinstance(e, data.Transaction)]) == 4


def test_the_same_account_masked_otherwise_on_sheet_two_is_one_statement(tmp_path: Path) -> None:
    """Sheet 2 repeats the account masked (``6228 **** **** 0622``) and its name with other
    spacing: the same account, one statement of four lines."""
    second = june_2021(number="6228 **** **** 0622", name="青山县财政局 (2022年衔接资金专户)")
    second[2] = ["起止日期：2022-06-01至2022-06-30"]
    path = xlsx(tmp_path / "same.xlsx", {"明细1": june_2022(), "明细2": second})
    entries = importer().extract(str(path), [])
    found = [e for e in entries if isinstance(e, data.Transaction)]
    assert [t.meta["bank_serial"] for t in found] == ["S01", "S02", "T01", "T02"]
    (balance,) = [e for e in entries if isinstance(e, data.Balance)]
    assert str(balance.amount.number) == "7540.00"


@pytest.mark.parametrize(
    ("change", "column", "problem"),
    [
        (
            {"number": NUMBER_2022},  # same number, another name
            "户名",
            f"户名 {NAME_2021} 与工作表「一」第2行的 {NAME_2022} 不同",
        ),
        (
            {"number": NUMBER_2022, "name": NAME_2022, "currency": "美元"},
            "币种",
            "币种 美元 与工作表「一」第3行的 人民币 不同",
        ),
    ],
    ids=["name", "currency"],
)
def test_another_name_or_currency_is_another_account(
    tmp_path: Path, change: dict[str, str], column: str, problem: str
) -> None:
    first = june_2022()
    first[:3] = title(currency="人民币")
    path = xlsx(tmp_path / "other.xlsx", {"一": first, "二": june_2021(**change)})
    error = refused(path)
    assert (error.sheet, error.column) == ("二", column)
    assert error.problem.startswith(problem), error.problem


def test_a_currency_written_cny_on_one_sheet_and_人民币_on_another_agrees(tmp_path: Path) -> None:
    first = june_2022()
    first[:3] = title(currency="人民币")
    second = june_2021(number="6228****0622", name=NAME_2022, currency="CNY")
    path = xlsx(tmp_path / "cny.xlsx", {"一": first, "二": second})
    assert (
        len([e for e in importer().extract(str(path), []) if isinstance(e, data.Transaction)]) == 4
    )


def test_a_second_title_block_inside_the_first_sheet_is_refused(tmp_path: Path) -> None:
    """The other account's statement pasted below the first on the same sheet: its title
    lines are inside the table (read as title lines), and still say another account."""
    path = xlsx(tmp_path / "pasted.xlsx", {"Sheet1": june_2022() + june_2021()})
    error = refused(path)
    assert (error.sheet, error.row, error.column) == ("", 8, "账号")
    assert error.problem.startswith(
        "账号 6228****0621 与第2行的 6228****0622 不同: 第8行起是另一个账户的对账单"
    )
    no_full_number(str(error))


def test_overlapping_periods_that_differ_are_refused(tmp_path: Path) -> None:
    second = june_2021(number=NUMBER_2022, name=NAME_2022, period="2022-06-10至2022-07-09")
    path = xlsx(tmp_path / "glued.xlsx", {"一": june_2022(), "二": second})
    error = refused(path)
    assert (error.sheet, error.row, error.column) == ("二", 3, "起止日期")
    assert error.problem.startswith(
        "起止日期 2022-06-10 至 2022-07-09 与工作表「一」第3行的 2022-06-01 至 2022-06-30 "
        "重叠又不相同"
    )


def test_fupin_import_refuses_the_book_and_writes_nothing(tmp_path: Path) -> None:
    """Both accounts are in the configuration: the book is still refused (one file is one
    account's statement), named in the run's report; nothing is written."""
    config = tmp_path / "import_config.py"
    config.write_text(
        "from fupin.importers.statement import StatementImporter\n"
        "CONFIG = [\n"
        f"    StatementImporter('abc', {ACCOUNT_2022!r}, rules={str(RULES)!r}, title='0622'),\n"
        f"    StatementImporter('abc', {ACCOUNT_2021!r}, rules={str(RULES)!r}, title='0621'),\n"
        "]\n",
        encoding="utf-8",
    )
    book = xlsx(tmp_path / "two.xlsx", {"2022专户": june_2022(), "2021专户": june_2021()})
    out = tmp_path / "new.beancount"
    result = CliRunner().invoke(
        main, ["import", "extract", "-c", str(config), "-o", str(out), str(book)]
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert (
        "已拒绝, 未写入此文件的任何记录: two.xlsx 工作表「2021专户」第2行 [账号]: "
        "账号 6228****0621 与工作表「2022专户」第2行的 6228****0622 不同"
    ) in result.output
    no_full_number(result.output)
    assert not out.exists()


def test_an_account_and_its_card_a_name_and_its_alias_on_each_sheet(tmp_path: Path) -> None:
    """A title stating 账号 and 卡号, 户名 and 卡别名 (different values of different kinds) on
    both sheets: one account; the second sheet's 卡别名 of another account is refused."""

    def sheet(alias: str, lines: list[list[object]]) -> list[list[object]]:
        head: list[list[object]] = [
            ["中国农业银行 账户明细查询"],
            [f"账户：{NUMBER_2022}", "卡号：6228 **** **** 9901"],
            [f"户名：{NAME_2022}", f"卡别名：{alias}"],
            ["起止日期：2022-06-01至2022-06-30"],
        ]
        return [*head, ABC_HEADER, *lines]

    first = sheet("衔接资金", june_2022()[4:])
    second = sheet("衔接资金", june_2021()[4:])
    path = xlsx(tmp_path / "card.xlsx", {"一": first, "二": second})
    found = [e for e in importer().extract(str(path), []) if isinstance(e, data.Transaction)]
    assert len(found) == 4
    second[2][1] = "卡别名：财政专户"
    error = refused(xlsx(tmp_path / "alias.xlsx", {"一": first, "二": second}))
    assert (error.sheet, error.row, error.column) == ("二", 3, "账户别名")
    assert error.problem.startswith("账户别名 财政专户 与工作表「一」第3行的 衔接资金 不同")


def test_title_values_and_masks() -> None:
    from fupin.importers.table import Row

    rows = [
        Row(1, ("账号：4305 **** **** 2021  户名：青山县财政局(2021年衔接资金专户)",)),
        Row(2, ("币\u3000\u3000种：", "人民币")),
        Row(3, ("账号", "9810****2023", "账户类型", "单位结算账户")),
        Row(4, ("子账户类别: 活期", "卡别名: 青山县2023年衔接资金专户")),
    ]
    assert [(s.role, s.text) for s in stated(rows)] == [
        ("account", "4305 **** **** 2021"),
        ("name", "青山县财政局(2021年衔接资金专户)"),
        ("currency", "人民币"),
        ("account", "9810****2023"),
        ("alias", "青山县2023年衔接资金专户"),
    ]
    assert mask_account(NUMBER_2022) == "6228****0622"
    assert mask_account("12340622") == "****0622"
    assert same_account("6228 **** **** 0622", NUMBER_2022)
    assert same_account("6228****0622", "6228 **** **** 0622")
    assert not same_account("6228****0621", NUMBER_2022)
    assert not same_account(NUMBER_2021, NUMBER_2022)
