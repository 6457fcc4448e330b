"""What a statement line may carry that must not reach the ledger as typed: a mobile number
or an ID number split by spaces in its memo; and spaces inside an amount that do not group
thousands (``12 34.50`` was read as 1234.50); Excel's text marks on numbers in a CSV."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from fupin.importers.cells import CellError, parse_money
from fupin.importers.ingest import run_files
from fupin.importers.statement import StatementImporter
from fupin.importers.table import SourceError, scrub

from fupin import pii

from .conftest import RULES

HEADER = "交易日期,对方户名,对方账号,收入金额,支出金额,余额,摘要,用途,核心流水号"
TOP = [
    "青山农村商业银行 单位账户交易明细",
    "账号：6230 **** **** 8023,户名：青山县财政局(2023年衔接资金专户)",
    "查询期间：2023-01-01 至 2023-02-28,,币种：人民币,第1页",
    HEADER,
]


def statement(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join(TOP + lines) + "\r\n").encode("gb18030"))
    return path


def importer() -> StatementImporter:
    return StatementImporter("rcb", "Assets:Treasury:XJ-2023", rules=RULES, title="8023")


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("退款 联系电话13812345678", "退款 联系电话138****5678"),
        ("电话 138-1234-5678 转", "电话 138****5678 转"),
        ("身份证 430524 19900101 1234", "身份证 4305****1234"),
        ("卡号 6217 0012 3456 7890 123", "卡号 6217****0123"),
        ("6217001234567890123", "6217****0123"),
        ("监督电话 0371-12317, 12317", "监督电话 0371-12317, 12317"),
        ("2023年衔接资金 县级 580,000.00", "2023年衔接资金 县级 580,000.00"),
    ],
)
def test_scrub_masks_every_personal_number_however_typed(typed: str, shown: str) -> None:
    assert scrub(typed) == shown
    assert pii.find(scrub(typed)) == []


def test_no_phone_or_id_number_of_a_memo_reaches_the_ledger(tmp_path: Path) -> None:
    path = statement(
        tmp_path / "pii.csv",
        [
            "20230104,张三,,1000.00,,51000.00,退款 联系电话13812345678,身份证 430524 19900101 1234,1",
            "20230105,李四 138 1234 5678,,,200.00,50800.00,电话 138-1234-5678,转账,2",
        ],
    )
    found = [e for e in importer().extract(str(path), []) if isinstance(e, data.Transaction)]
    assert [t.postings[0].units.number for t in found] == [Decimal("1000.00"), Decimal("-200.00")]
    texts = [f"{t.payee} {t.narration}" for t in found]
    assert texts == [
        "张三 退款 联系电话138****5678 身份证 4305****1234",
        "李四 138****5678 电话 138****5678 转账",
    ]
    for text in texts:
        assert pii.find(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [("1 234 567.89", "1234567.89"), ("1\u00a0234.50", "1234.50"), ("¥ 1,234.00", "1234.00")],
)
def test_spaces_that_group_thousands_are_read(text: str, value: str) -> None:
    assert parse_money(text) == Decimal(value)


@pytest.mark.parametrize("text", ["12 34.50", "1 234,50", "1234.5 6", "5 0"])
def test_spaces_inside_an_amount_that_group_nothing_are_refused(text: str) -> None:
    with pytest.raises(CellError, match="数字中间有空格"):
        parse_money(text)


def test_a_statement_amount_with_a_stray_space_names_its_line_and_column(tmp_path: Path) -> None:
    path = statement(tmp_path / "space.csv", ["20230104,某公司,,12 34.50,,51234.50,x,x,1"])
    with pytest.raises(SourceError) as info:
        importer().extract(str(path), [])
    assert (info.value.row, info.value.column) == (5, "收入金额")
    assert "数字中间有空格" in info.value.problem


def test_excels_text_marks_on_numbers_are_dropped(tmp_path: Path) -> None:
    """``="20230104"`` and ``'0001`` (banks write them so Excel keeps leading zeros) were a
    date that is no date and an amount that is no number."""
    path = statement(
        tmp_path / "marks.csv",
        [
            '="20230104",某公司,="6217001234567890123",="1234.50",,="51234.50",x,x,="0001"',
            "'20230105,某公司,'6217001234567890123,,'234.50,'51000.00,y,y,'0002",
        ],
    )
    found = [e for e in importer().extract(str(path), []) if isinstance(e, data.Transaction)]
    assert [(t.date.isoformat(), t.meta["bank_serial"]) for t in found] == [
        ("2023-01-04", "0001"),
        ("2023-01-05", "0002"),
    ]
    assert [t.postings[0].units.number for t in found] == [Decimal("1234.50"), Decimal("-234.50")]


def test_an_apostrophe_in_a_memo_stays(tmp_path: Path) -> None:
    path = statement(tmp_path / "memo.csv", ["20230104,某公司,,1234.50,,51234.50,'青山' 项目,x,1"])
    (txn,) = [e for e in importer().extract(str(path), []) if isinstance(e, data.Transaction)]
    assert txn.narration == "'青山' 项目 x"


def test_a_serial_kept_with_its_text_mark_by_an_earlier_import_is_the_same_line(
    tmp_path: Path,
) -> None:
    """Before the text marks were dropped, a ``'0001`` serial was kept as typed: the books
    imported then hold ``bank_serial: "'0001"``, and re-importing that file adds nothing."""
    path = statement(tmp_path / "marked.csv", ["20230104,张三,,1000.00,,51000.00,退款,转账,'0001"])
    [fresh] = [e for e in importer().extract(str(path), []) if isinstance(e, data.Transaction)]
    assert fresh.meta["bank_serial"] == "0001"
    earlier = fresh._replace(meta={**fresh.meta, "bank_serial": "'0001"})
    [result] = run_files([importer()], [path], [earlier]).results
    assert not [e for e in result.entries if isinstance(e, data.Transaction)]
    assert [held for _, held in result.duplicates] == [earlier]
