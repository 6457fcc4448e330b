"""A roll's ID numbers as counties type them: with spaces or full-width digits (they matched
no household), and the reason a number matches none when the number itself tells it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from beancount.core import data
from fupin.importers.roll import RollImporter
from fupin.importers.table import SourceError

from fupin.pii import id_check_char

from .test_workbook_sheets import ACCOUNT, REGISTER, people, roll_rows


def write(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def with_id(tmp_path: Path, number: object) -> Path:
    rows = roll_rows("2023年7月1日批", people()[:2])
    rows[5][4] = number
    return write(tmp_path / "roll.xlsx", rows)


def extract(path: Path) -> list[data.Transaction]:
    entries = RollImporter(ACCOUNT, REGISTER).extract(str(path), [])
    return [e for e in entries if isinstance(e, data.Transaction)]


def refused_at(path: Path, row: int, column: str) -> SourceError:
    """The import of ``path`` stops at ``row`` naming ``column``."""
    with pytest.raises(SourceError) as info:
        extract(path)
    assert (info.value.row, info.value.column) == (row, column)
    return info.value


def refused(path: Path) -> SourceError:
    return refused_at(path, 6, "证件号码")


def test_an_id_number_typed_with_spaces_or_full_width_finds_its_household(tmp_path: Path) -> None:
    second = people()[1]
    number = second["id_number"]
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}"
    wide = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    for typed in (spaced, wide, f"{number[:6]}-{number[6:]}"):
        found = extract(with_id(tmp_path, typed))
        assert [t.meta["household"] for t in found] == [people()[0]["id"], second["id"]]


def test_a_wrong_check_digit_is_said(tmp_path: Path) -> None:
    number = people()[1]["id_number"]
    wrong = "0" if number[-1] != "0" else "1"
    assert id_check_char(number[:17]) != wrong
    assert "校验位不符, 号码有误" in refused(with_id(tmp_path, number[:17] + wrong)).problem


def test_an_id_number_excel_cut_to_15_digits_is_said(tmp_path: Path) -> None:
    number = people()[1]["id_number"]
    cut = int(number[:15] + "000")  # what a number cell keeps of it
    problem = refused(with_id(tmp_path, cut)).problem
    assert "Excel 只保留 15 位" in problem
    assert number[4:15] not in problem  # the number itself is never echoed


def test_an_id_number_of_the_wrong_length_is_said(tmp_path: Path) -> None:
    assert (
        "应为 18 位, 此处 17 位"
        in refused(with_id(tmp_path, people()[1]["id_number"][:17])).problem
    )
