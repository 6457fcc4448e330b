"""A table that goes on over several sheets of a workbook is read as one table.

Rolls kept one sheet a village (the header repeated, rows numbered from 1 on each sheet),
statements split over sheets (as banks split at 65,536 rows or by month), allocation sheets
continued on a second sheet: one table in sheet order, every row named by file + sheet + row
in messages, in ``fupin import``'s accounting and in the entries' metadata; the other
sheets (a summary, a blank sheet) are listed as not read with their reason; two sheets of
one table whose headers differ in a column are refused naming both and the column.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlrd
from beancount.core import data
from click.testing import CliRunner
from fupin.importers.allocation import AllocationImporter
from fupin.importers.ingest import run_files
from fupin.importers.sheet import SHEET_KEY, read_sheet
from fupin.importers.statement import StatementImporter
from fupin.importers.table import SourceError

from fupin.cli import main

from .conftest import RULES, SAMPLES
from .test_workbook_sheets import ACCOUNT, HEADER, REGISTER, people, roll, xls, xlsx

Write = Callable[[Path, dict[str, list[list[object]]]], Path]
WRITERS = pytest.mark.parametrize("write", [xlsx, xls], ids=["xlsx", "xls"])
BATCH = "2023年6月5日批"


def village(
    rows: list[dict[str, str]],
    amount: str,
    *,
    first: int = 1,
    title: bool = True,
    total: bool = True,
    header: list[str] = HEADER,
) -> list[list[object]]:
    """One village's sheet of a roll: title block, header, its rows numbered from ``first``,
    its own 合计."""
    out: list[list[object]] = []
    if title:
        out += [
            ['青山县惠民惠农财政补贴资金"一卡通"发放清册'],
            [f"发放批次：{BATCH}", "", "", "补贴项目：公益岗位补贴"],
            ["单位：元"],
        ]
    out.append(header)
    for seq, person in enumerate(rows, first):
        where = [person["township"], person["village"], person["head_name"]]
        out.append([seq, *where, person["id_number"], amount, "6217****0001"])
    if total:
        out.append(["合计", "", "", "", "", str(Decimal(amount) * len(rows)), ""])
    return out


SUMMARY = [["各组汇总"], ["序号", "村", "户数", "补贴金额"], [1, "青山村", 3, "900.00"]]


def txns(entries: data.Entries) -> list[data.Transaction]:
    return [e for e in entries if isinstance(e, data.Transaction)]


def refused(importer: object, path: Path) -> SourceError:
    with pytest.raises(SourceError) as info:
        importer.extract(str(path), [])  # type: ignore[attr-defined]
    return info.value


# -- rolls --------------------------------------------------------------------------------------
@WRITERS
def test_a_roll_kept_one_sheet_a_village_is_one_roll(tmp_path: Path, write: Write) -> None:
    chosen = people()
    path = write(tmp_path / f"roll.{write.__name__}", {
        "一组": village(chosen[:3], "300.00"),
        "二组": village(chosen[3:6], "500.00"),
        "汇总": SUMMARY,
        "Sheet3": [],
    })  # fmt: skip
    importer = roll()
    assert importer.identify(str(path))
    found = txns(importer.extract(str(path), []))
    assert [t.postings[0].units.number for t in found] == [Decimal("300.00")] * 3 + [
        Decimal("500.00")
    ] * 3
    assert [t.meta["household"] for t in found] == [p["id"] for p in chosen]
    assert [(t.meta[SHEET_KEY], t.meta["lineno"]) for t in found] == [
        ("一组", 5), ("一组", 6), ("一组", 7), ("二组", 5), ("二组", 6), ("二组", 7),
    ]  # fmt: skip
    # each sheet numbers its rows from 1: the key names the sheet, so no payment hides another
    assert [t.meta["roll_row"] for t in found] == [
        f"{BATCH}#{sheet}#{seq}" for sheet in ("一组", "二组") for seq in (1, 2, 3)
    ]
    assert {t.meta["roll"] for t in found} == {BATCH}
    assert [line.text() for line in importer.lines_read(str(path)) or ()] == [
        "工作表「一组」: 3 行标题, 1 行表头, 3 行数据, 1 行合计",
        "工作表「二组」: 3 行标题, 1 行表头, 3 行数据, 1 行合计",
        "工作表「汇总」未读: 没有本格式的表头 (封面、汇总或说明页), 不是同一张表",
        "工作表「Sheet3」未读: 空白工作表",
    ]


@WRITERS
def test_a_roll_going_on_over_a_sheet_without_title_is_the_one_sheet_roll(
    tmp_path: Path, write: Write
) -> None:
    """Rows numbered on from sheet to sheet, the batch and date only above the first, one
    合计 of the whole roll on the last: the same entries as the roll on one sheet."""
    chosen = people()
    split = write(tmp_path / f"split.{write.__name__}", {
        "Sheet1": village(chosen[:4], "300.00", total=False),
        "Sheet2": [*village(chosen[4:6], "300.00", first=5, title=False, total=False),
                   ["合计", "", "", "", "", "1800.00", ""]],
    })  # fmt: skip
    whole = write(tmp_path / f"whole.{write.__name__}", {"清册": village(chosen, "300.00")})
    got, want = txns(roll().extract(str(split), [])), txns(roll().extract(str(whole), []))
    assert [t.meta["roll_row"] for t in got] == [f"{BATCH}#{n}" for n in range(1, 7)]
    assert [(t.date, t.meta["roll_row"], t.postings) for t in got] == [
        (t.date, t.meta["roll_row"], t.postings) for t in want
    ]
    assert [(t.meta[SHEET_KEY], t.meta["lineno"]) for t in got][3:] == [
        ("Sheet1", 8), ("Sheet2", 2), ("Sheet2", 3),
    ]  # fmt: skip
    # a re-import of either file adds nothing: the keys are the same
    run = run_files([roll()], [split], want)
    assert run.results[0].entries == [] and len(run.results[0].duplicates) == 6


@WRITERS
def test_the_same_payment_on_two_sheets_is_refused_naming_both(
    tmp_path: Path, write: Write
) -> None:
    chosen = people()
    second = village(chosen[2:5], "300.00", first=3)
    path = write(tmp_path / f"twice.{write.__name__}", {
        "一组": village(chosen[:3], "300.00"),
        "二组": second,
    })  # fmt: skip
    error = refused(roll(), path)
    assert str(error).startswith(f"twice.{write.__name__} 工作表「二组」第5行 [序号]: ")
    assert "序号 3 与工作表「一组」第7行重复 (同一行出现在两个工作表中)" in error.problem


@WRITERS
def test_a_sheets_total_is_its_own_or_the_whole_tables(tmp_path: Path, write: Write) -> None:
    chosen = people()
    wrong = village(chosen[3:6], "500.00")
    wrong[-1][5] = "1400.00"  # neither 二组's 1,500.00 nor the 2,400.00 of both sheets
    path = write(tmp_path / f"total.{write.__name__}", {
        "一组": village(chosen[:3], "300.00"),
        "二组": wrong,
    })  # fmt: skip
    error = refused(roll(), path)
    assert error.sheet == "二组" and error.row == 8
    assert "合计 1,400.00 ≠ 明细之和 1,500.00 (工作表「二组」第5–7行, 差 -100.00)" in error.problem


@WRITERS
@pytest.mark.parametrize(
    ("name", "shown"),
    [("发放金额", "发放金额"), ("补助 金额", "补助 金额")],
    ids=["alias", "other-name"],
)
def test_sheets_whose_headers_differ_in_a_column_are_refused_naming_both(
    tmp_path: Path, write: Write, name: str, shown: str
) -> None:
    """A second sheet with another name for the amount column (one the layout knows, or one
    it does not, which would otherwise make the sheet look like no table at all)."""
    chosen = people()
    header = [name if h == "补贴金额" else h for h in HEADER]
    path = write(tmp_path / f"head.{write.__name__}", {
        "一组": village(chosen[:3], "300.00"),
        "二组": village(chosen[3:6], "300.00", header=header),
    })  # fmt: skip
    error = refused(roll(), path)
    assert (error.sheet, error.row, error.column) == ("二组", 4, "第6列")
    assert f"表头与工作表「一组」不同: 此列为「{shown}」, 「一组」为「补贴金额」" in error.problem
    assert "工作表「一组」与「二组」看来是同一张表" in error.problem


def test_an_extra_column_on_one_sheet_is_refused_naming_it(tmp_path: Path) -> None:
    chosen = people()
    header = [*HEADER[:6], "备注", HEADER[6]]
    rows = village(chosen[3:6], "300.00", header=header)
    path = xlsx(tmp_path / "extra.xlsx", {"一组": village(chosen[:3], "300.00"), "二组": rows})
    error = refused(roll(), path)
    assert (error.sheet, error.column) == ("二组", "第7列")
    assert "此列为「备注」, 「一组」为「一卡通账号」" in error.problem


def test_a_pinned_sheet_names_the_sheets_it_leaves(tmp_path: Path) -> None:
    chosen = people()
    path = xlsx(tmp_path / "roll.xlsx", {
        "第一批": village(chosen[:3], "300.00"),
        "第二批": village(chosen[3:6], "300.00"),
    })  # fmt: skip
    sheet = read_sheet(path, roll().layout.model_copy(update={"sheet": "第二批"}))
    assert sheet.describe() == (
        "工作表「第二批」: 3 行标题, 1 行表头, 3 行数据, 1 行合计; "
        "工作表「第一批」未读: 格式指定只读工作表「第二批」(sheet = '第二批')"
    )


# -- statements ---------------------------------------------------------------------------------
ABC_HEADER = ["交易日期", "交易时间", "交易金额", "本次余额", "对方户名", "对方账号", "交易用途", "摘要", "交易流水号"]  # fmt: skip


def abc_title(period: str = "2022-06-01至2022-06-30") -> list[list[object]]:
    return [
        ["中国农业银行 账户明细查询"],
        ["账户：6228 **** **** 0622", "户名：青山县财政局(2022年衔接资金专户)"],
        [f"起止日期：{period}"],
    ]


def abc_line(day: str, serial: str, amount: str, balance: str, memo: str) -> list[object]:
    return [day, "101233", amount, balance, "青山县绿源农业开发有限公司", "6228****3344", memo, "转账", serial]  # fmt: skip


def abc() -> StatementImporter:
    return StatementImporter("abc", ACCOUNT, rules=RULES, title="0622")


def split_statement() -> dict[str, list[list[object]]]:
    """June over two sheets: a page header repeated inside the first, the 合计 of the whole
    statement at the end of the second."""
    return {
        "明细1": [
            *abc_title(),
            ABC_HEADER,
            abc_line("20220602", "S01", "-1000.00", "9000.00", "进度款"),
            abc_line("20220605", "S02", "500.00", "9500.00", "结息"),
            ABC_HEADER,  # the next printed page
            abc_line("20220610", "S03", "-2000.00", "7500.00", "进度款"),
        ],
        "明细2": [
            ABC_HEADER,
            abc_line("20220620", "S04", "-250.00", "7250.00", "杂项"),
            abc_line("20220628", "S05", "40.00", "7290.00", "结息"),
            ["合计", "", "-2710.00"],
        ],
    }


def test_a_statement_split_over_two_sheets_is_one_statement(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "abc.xlsx", split_statement())
    importer = abc()
    assert importer.identify(str(path))
    entries = importer.extract(str(path), [])
    found = txns(entries)
    assert [t.meta["bank_serial"] for t in found] == ["S01", "S02", "S03", "S04", "S05"]
    assert [t.postings[0].units.number for t in found] == [
        Decimal(x) for x in ("-1000.00", "500.00", "-2000.00", "-250.00", "40.00")
    ]
    assert [(t.meta.get(SHEET_KEY), t.meta["lineno"]) for t in found] == [
        ("明细1", 5), ("明细1", 6), ("明细1", 8), ("明细2", 2), ("明细2", 3),
    ]  # fmt: skip
    (balance,) = [e for e in entries if isinstance(e, data.Balance)]
    assert balance.amount.number == Decimal("7290.00")
    (statement,) = [e for e in entries if isinstance(e, data.Custom)]
    assert (statement.meta["opening"].number, statement.meta["rows"]) == (10000, 5)
    assert importer.parse(str(path)).kinds == (
        "工作表「明细1」: 3 行标题, 2 行表头, 3 行数据; "
        "工作表「明细2」: 1 行表头, 2 行数据, 1 行合计"
    )


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        (
            (1, 8, "S02"),
            "工作表「明细2」第2行 [交易流水号]",
            "流水号 S02 与工作表「明细1」第6行重复",
        ),
        (
            (1, 3, "7200.00"),
            "工作表「明细2」第2行 [本次余额]",
            "余额 7,200.00 ≠ 上一行余额 7,500.00",
        ),
        ((1, 0, "20220531"), "工作表「明细2」第2行 [交易日期]", "2022-05-31 不在对账期"),
    ],
    ids=["serial-on-two-sheets", "balance-across-sheets", "date"],
)
def test_a_bad_line_on_a_later_sheet_is_named_by_its_sheet(
    tmp_path: Path, change: tuple[int, int, str], where: str, problem: str
) -> None:
    sheets = split_statement()
    line, column, value = change
    sheets["明细2"][line][column] = value
    error = refused(abc(), xlsx(tmp_path / "abc.xlsx", sheets))
    assert str(error).startswith(f"abc.xlsx {where}: "), str(error)
    assert problem in error.problem


def test_month_sheets_each_with_their_period(tmp_path: Path) -> None:
    """One sheet a month, each with its own 起止日期: the statement runs from the first
    start to the last end; a line outside its own sheet's month is refused."""
    june = [*abc_title(), ABC_HEADER, abc_line("20220610", "S1", "-1000.00", "9000.00", "进度款")]
    july = [
        *abc_title("2022-07-01至2022-07-31"),
        ABC_HEADER,
        abc_line("20220712", "S2", "-500.00", "8500.00", "进度款"),
    ]
    path = xlsx(tmp_path / "months.xlsx", {"6月": june, "7月": july})
    entries = abc().extract(str(path), [])
    (statement,) = [e for e in entries if isinstance(e, data.Custom)]
    assert (str(statement.meta["start"]), str(statement.meta["end"])) == (
        "2022-06-01",
        "2022-07-31",
    )
    july[4][0] = "20220630"  # in the statement's period, not in its sheet's
    error = refused(abc(), xlsx(tmp_path / "bad.xlsx", {"6月": june, "7月": july}))
    assert (error.sheet, error.row) == ("7月", 5)
    assert "2022-06-30 不在对账期 2022-07-01 至 2022-07-31 内" in error.problem


def test_an_xls_statement_split_keeps_its_twins_and_keys(tmp_path: Path) -> None:
    """The CCB .xls sample cut between its two identical 86,500.50 debits: the same keys
    (date/amount/balance/ordinal) and entries as the file on one sheet."""
    sample = SAMPLES / "ccb-xj2021-2021-08.xls"
    book = xlrd.open_workbook(str(sample))
    ws = book.sheet_by_index(0)
    rows: list[list[object]] = [ws.row_values(i) for i in range(ws.nrows)]
    head, lines, footer = rows[:6], rows[6:-1], rows[-1:]
    path = xls(
        tmp_path / "ccb.xls",
        {"第1页": [*head, *lines[:2]], "第2页": [rows[5], *lines[2:], *footer]},
    )
    importer = StatementImporter("ccb", "Assets:Treasury:XJ-2021", rules=RULES)
    got, want = importer.extract(str(path), []), importer.extract(str(sample), [])
    assert [t.meta["bank_serial"] for t in txns(got)] == [t.meta["bank_serial"] for t in txns(want)]
    assert [t.postings for t in txns(got)] == [t.postings for t in txns(want)]
    assert [t.meta.get(SHEET_KEY) for t in txns(got)] == ["第1页", "第1页", "第2页", "第2页"]
    assert [(e.date, e.amount) for e in got if isinstance(e, data.Balance)] == [
        (e.date, e.amount) for e in want if isinstance(e, data.Balance)
    ]


# -- allocation sheets --------------------------------------------------------------------------
def test_an_allocation_sheet_going_on_to_a_second_sheet(tmp_path: Path) -> None:
    """The fpb sample cut after its first 文号's 小计; the second sheet has no title (the
    万元 unit and the date are the first sheet's): the same receipts as the sample."""
    ws = openpyxl.load_workbook(SAMPLES / "fpb-xj2023-2023-03.xlsx").active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    path = xlsx(tmp_path / "fpb.xlsx", {"分配表": rows[:6], "续表": [rows[2], *rows[6:]]})
    importer = AllocationImporter("XJ-2023", payer="青山县财政局")
    got = txns(importer.extract(str(path), []))
    want = txns(importer.extract(str(SAMPLES / "fpb-xj2023-2023-03.xlsx"), []))
    assert [(t.date, t.meta["alloc_row"], t.postings) for t in got] == [
        (t.date, t.meta["alloc_row"], t.postings) for t in want
    ]
    assert got[1].postings[0].units.number == Decimal("440066.00")
    assert [(t.meta.get(SHEET_KEY), t.meta["lineno"]) for t in got] == [("分配表", 4), ("续表", 2)]
    rows[6:6] = [["单位：元"]]  # the second sheet says 元 where the first says 万元
    bad = xlsx(tmp_path / "bad.xlsx", {"分配表": rows[:6], "续表": [rows[6], rows[2], *rows[7:]]})
    error = refused(importer, bad)
    assert (error.sheet, error.row) == ("续表", 1)
    assert "金额单位为元, 工作表「分配表」为万元" in error.problem


# -- fupin import -------------------------------------------------------------------------------
def test_fupin_import_accounts_for_every_sheet(county: Path) -> None:
    """The sample roll kept one sheet a village, through ``fupin import extract``: the new
    entries, each sheet's lines and the sheets not read, in text and JSON; a re-import adds
    nothing."""
    sample = SAMPLES / "ykt-2022-11-c.xlsx"
    out = county.parent / "imports" / "roll.beancount"
    args = ["import", "extract", "-e", str(county), "-o", str(out), "-i", "--no-check", str(sample)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    # six payments and the open of 临时救助's account, which the sample ledger lacks
    assert "ykt-2022-11-c.xlsx: fupin.roll:Assets:Treasury:XJ-2022: 7 条新记录" in result.output
    for line in (
        "  工作表「青山村」: 3 行标题, 1 行表头, 2 行数据, 1 行合计, 1 行表尾",
        "  工作表「北坡村」: 3 行标题, 1 行表头, 2 行数据, 1 行合计, 1 行表尾",
        "  工作表「汇总」未读: 没有本格式的表头 (封面、汇总或说明页), 不是同一张表",
        "  工作表「Sheet3」未读: 空白工作表",
    ):
        assert line in result.output.splitlines()
    text = out.read_text(encoding="utf-8")
    assert text.count("roll_row:") == 6 and "2022年11月28日批#河湾村#2" in text
    assert "__sheet__" not in text and "sheet:" not in text
    again = CliRunner().invoke(main, [*args[:4], "--json", str(sample)])
    report = json.loads(again.output)
    (file,) = report["files"]
    assert (file["new"], file["duplicates"]) == (0, 6)
    assert file["sheets"][0] == {
        "sheet": "青山村",
        "lines": {"title": 3, "header": 1, "data": 2, "total": 1, "footer": 1},
    }
    assert file["sheets"][3:] == [
        {"sheet": "汇总", "skipped": "没有本格式的表头 (封面、汇总或说明页), 不是同一张表"},
        {"sheet": "Sheet3", "skipped": "空白工作表"},
    ]


def test_fupin_import_names_the_sheet_of_an_unmatched_line(tmp_path: Path) -> None:
    config = tmp_path / "import_config.py"
    config.write_text(
        "from fupin.importers.statement import StatementImporter\n"
        f"CONFIG = [StatementImporter('abc', {ACCOUNT!r}, rules={str(RULES)!r})]\n",
        encoding="utf-8",
    )
    path = xlsx(tmp_path / "abc.xlsx", split_statement())
    result = CliRunner().invoke(main, ["import", "extract", "-c", str(config), str(path)])
    assert result.exit_code == 0, result.output
    assert (
        "未匹配分类规则 → Assets:Suspense:XJ-2022: 工作表「明细2」第2行 2022-06-20" in result.output
    )
    assert "  工作表「明细2」: 1 行表头, 2 行数据, 1 行合计" in result.output.splitlines()


def test_a_newest_first_xls_split_over_sheets_is_the_one_sheet_statement(tmp_path: Path) -> None:
    """CCB 单位客户账户交易明细, newest first, its newest line on the first sheet and the two
    older ones on the second: read in sheet order, then turned oldest first as on one sheet."""
    sample = SAMPLES / "ccb-dw-xj2021-2021-07.xls"
    ws = xlrd.open_workbook(str(sample)).sheet_by_index(0)
    rows: list[list[object]] = [ws.row_values(i) for i in range(ws.nrows)]
    path = xls(tmp_path / "dw.xls", {"Sheet1": rows[:5], "Sheet2": [rows[3], *rows[5:]]})
    importer = StatementImporter("ccb-dw", "Assets:Treasury:XJ-2021", rules=RULES)
    parsed = importer.parse(str(path))
    assert parsed.newest_first
    assert [(r.serial, r.sheet, r.number) for r in parsed.rows] == [
        ("3301-202107020001", "Sheet2", 3),
        ("3301-202107110005", "Sheet2", 2),
        ("3301-202107200002", "Sheet1", 5),
    ]
    got, want = importer.extract(str(path), []), importer.extract(str(sample), [])
    assert [(t.date, t.meta["bank_serial"], t.postings) for t in txns(got)] == [
        (t.date, t.meta["bank_serial"], t.postings) for t in txns(want)
    ]


def test_page_subtotals_and_a_carried_balance_on_each_sheet(tmp_path: Path) -> None:
    """Each sheet's 本页合计 covers its own page, a 承前页 line opening the second sheet states
    the balance the first left; a wrong 本页合计 on the second sheet names that sheet's rows."""
    sheets = split_statement()
    sheets["明细1"].append(["本页合计", "", "-2500.00"])
    sheets["明细2"][-1:] = [["本页合计", "", "-210.00"], ["合计", "", "-2710.00"]]
    sheets["明细2"].insert(1, ["承前页", "", "", "7500.00"])
    path = xlsx(tmp_path / "pages.xlsx", sheets)
    parsed = abc().parse(str(path))
    assert [r.amount for r in parsed.rows][-2:] == [Decimal("-250.00"), Decimal("40.00")]
    assert parsed.kinds == (
        "工作表「明细1」: 3 行标题, 2 行表头, 3 行数据, 1 行小计; "
        "工作表「明细2」: 1 行表头, 1 行余额, 2 行数据, 1 行小计, 1 行合计"
    )
    sheets["明细2"][1][3] = "7400.00"
    error = refused(abc(), xlsx(tmp_path / "carried.xlsx", sheets))
    assert (error.sheet, error.row) == ("明细2", 2)
    assert "余额行 7,400.00 ≠ 工作表「明细1」第8行之后的余额 7,500.00" in error.problem
    sheets["明细2"][1][3] = "7500.00"
    sheets["明细2"][4][2] = "-200.00"
    error = refused(abc(), xlsx(tmp_path / "page.xlsx", sheets))
    assert (error.sheet, error.row) == ("明细2", 5)
    assert "本页合计 -200.00 ≠ 明细之和 -210.00 (工作表「明细2」第3–4行, 差 10.00)" in error.problem


@WRITERS
def test_village_subtotals_on_every_sheet(tmp_path: Path, write: Write) -> None:
    """Each sheet of a roll kept one sheet a township: a 小计 after each village, the sheet's
    合计 (小计 rows inside a sheet are handled as on one sheet)."""
    chosen = people()
    sheets: dict[str, list[list[object]]] = {}
    for name, rows in (("一组", chosen[:3]), ("二组", chosen[3:6])):
        body = village(rows, "300.00", total=False)
        for person in rows[::-1]:
            at = next(i for i, r in enumerate(body) if person["id_number"] in r)
            if at + 1 == len(body) or body[at + 1][2] != person["village"]:
                count = sum(1 for r in body[4:] if r[2] == person["village"])
                body.insert(
                    at + 1, ["", "", f"{person['village']}小计", "", "", f"{300 * count}.00"]
                )
        body.append(["合计", "", "", "", "", f"{300 * len(rows)}.00"])
        sheets[name] = body
    path = write(tmp_path / f"groups.{write.__name__}", sheets)
    found = txns(roll().extract(str(path), []))
    assert len(found) == 6
    lines = roll().lines_read(str(path))
    assert lines is None  # another importer object read it
    importer = roll()
    importer.extract(str(path), [])
    counted = [dict(line.kinds) for line in importer.lines_read(str(path)) or ()]
    assert [c["data"] for c in counted] == [3, 3]
    assert [c["subtotal"] for c in counted] == [
        len({p["village"] for p in chosen[:3]}),
        len({p["village"] for p in chosen[3:6]}),
    ]


def test_no_sheet_with_the_header_names_the_columns_missing(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "none.xlsx", {"封面": [["填表说明"]], "汇总": SUMMARY})
    assert not roll().identify(str(path))
    error = refused(roll(), path)
    assert "找不到表头" in error.problem


def xml2003(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """An XML Spreadsheet 2003 workbook (what many 网银 "Excel" downloads are, named .xls)."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?mso-application progid="Excel.Sheet"?>',
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"',
        ' xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">',
    ]
    for name, rows in sheets.items():
        out.append(f'<Worksheet ss:Name="{html.escape(name)}"><Table>')
        for row in rows:
            cells = "".join(
                f'<Cell><Data ss:Type="Number">{c}</Data></Cell>'
                if isinstance(c, float)
                else f'<Cell><Data ss:Type="String">{html.escape(str(c))}</Data></Cell>'
                for c in row
            )
            out.append(f"<Row>{cells}</Row>")
        out.append("</Table></Worksheet>")
    out.append("</Workbook>")
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def test_an_xml_2003_workbook_of_two_worksheets_is_one_statement(tmp_path: Path) -> None:
    sample = SAMPLES / "ccb-xj2021-2021-08.xls"
    ws = xlrd.open_workbook(str(sample)).sheet_by_index(0)
    rows: list[list[object]] = [ws.row_values(i) for i in range(ws.nrows)]
    path = xml2003(
        tmp_path / "ccb.xls", {"第1页": [*rows[:6], *rows[6:8]], "第2页": [rows[5], *rows[8:]]}
    )
    importer = StatementImporter("ccb", "Assets:Treasury:XJ-2021", rules=RULES)
    got, want = importer.extract(str(path), []), importer.extract(str(sample), [])
    assert [(t.meta["bank_serial"], t.postings) for t in txns(got)] == [
        (t.meta["bank_serial"], t.postings) for t in txns(want)
    ]
    assert [(t.meta.get(SHEET_KEY), t.meta["lineno"]) for t in txns(got)] == [
        ("第1页", 7), ("第1页", 8), ("第2页", 2), ("第2页", 3),
    ]  # fmt: skip
    rows[9][5] = 1.0  # a balance that does not follow, on the second worksheet
    bad = xml2003(tmp_path / "bad.xls", {"第1页": rows[:8], "第2页": [rows[5], *rows[8:]]})
    error = refused(importer, bad)
    assert str(error).startswith("bad.xls 工作表「第2页」第3行 [账户余额"), str(error)


def test_a_duplicate_in_the_same_run_names_the_sheet_that_holds_it(tmp_path: Path) -> None:
    sample, copy = tmp_path / "a.xlsx", tmp_path / "b.xlsx"  # read in this order
    for path in (sample, copy):
        path.write_bytes((SAMPLES / "ykt-2022-11-c.xlsx").read_bytes())
    config = tmp_path / "import_config.py"
    config.write_text(
        "from fupin.importers.roll import RollImporter\n"
        f"CONFIG = [RollImporter({ACCOUNT!r}, {str(REGISTER)!r})]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["import", "extract", "-c", str(config), str(sample), str(copy)]
    )
    assert result.exit_code == 0, result.output
    assert "b.xlsx: fupin.roll:Assets:Treasury:XJ-2022: 0 条新记录, 6 条重复已跳过" in result.output
    assert (
        "  重复: 2022-11-28 2022年11月28日批#河湾村#1 500.00 (已在 a.xlsx 工作表「河湾村」第5行)"
    ) in result.output.splitlines()


@pytest.mark.parametrize("name", ["ykt-2022-11-c.xlsx", "ccb-xj2021-2021-08.xls"])
def test_every_row_of_every_sheet_is_accounted_for(name: str) -> None:
    """Each sheet read: its lines of every kind add up to its rows; each other sheet is
    listed with its reason; the data rows are the entries."""
    from fupin.importers.table import read_sheets

    importer = roll() if name.startswith("ykt") else StatementImporter("ccb", ACCOUNT, rules=RULES)
    path = SAMPLES / name
    sheet = read_sheet(path, importer.layout)
    rows = {d.sheet: len(d.rows) for d in read_sheets(path)}
    lines = sheet.lines()
    assert {line.sheet or next(iter(rows)) for line in lines} == set(rows)
    for line in lines:
        if not line.skipped:
            assert sum(n for _, n in line.kinds) == rows[line.sheet or next(iter(rows))]
    entries = importer.extract(str(path), [])
    assert len(txns(entries)) == sheet.kinds["data"]
