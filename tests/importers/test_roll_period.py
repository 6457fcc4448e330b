"""A roll's 所属期间 column (补发): each row's ``period:`` is the period it pays for, else the
payment's own month; a period that does not read or begins after the payment stops the import."""

from __future__ import annotations

from pathlib import Path

import pytest

from fupin.periods import from_text

from .test_roll_ids import extract, refused_at, write
from .test_workbook_sheets import people, roll_rows


def with_period(tmp_path: Path, *periods: str) -> Path:
    """The 2023-07-01 batch of two households, a 所属期间 column after the amount."""
    rows = roll_rows("2023年7月1日批", people()[:2])
    rows[3] = [*rows[3][:6], "所属期间", *rows[3][6:]]
    for index, period in enumerate(periods):
        row = rows[4 + index]
        rows[4 + index] = [*row[:6], period, *row[6:]]
    rows[-1] = [*rows[-1][:6], "", *rows[-1][6:]]
    return write(tmp_path / "roll.xlsx", rows)


@pytest.mark.parametrize(
    ("cell", "period"),
    [
        ("2023年5月", "2023-05"),
        ("2023年5—6月", "2023-05..2023-06"),
        ("2023年5月至6月", "2023-05..2023-06"),
        ("2022年11月至2023年2月", "2022-11..2023-02"),
        ("2022年度", "2022"),
        ("202305", "2023-05"),
        ("2023-05..2023-06", "2023-05..2023-06"),
    ],
)
def test_chinese_period_cells(cell: str, period: str) -> None:
    assert from_text(cell) == period


def test_a_roll_row_names_the_period_it_pays_for(tmp_path: Path) -> None:
    # row 1 pays May–June in arrears; row 2 leaves the cell blank: the batch's month
    found = extract(with_period(tmp_path, "2023年5—6月", ""))
    assert [t.meta["period"] for t in found] == ["2023-05..2023-06", "2023-07"]


def test_a_bad_or_future_period_stops_the_import_at_its_row(tmp_path: Path) -> None:
    error = refused_at(with_period(tmp_path, "2023年13月"), 5, "所属期间")
    assert "所属期间 '2023年13月': 月份 13 应在 01–12 之间" in error.problem
    error = refused_at(with_period(tmp_path, "2023年8月"), 5, "所属期间")
    assert "起于 2023-08-01, 晚于发放日期 2023-07-01 (不得预发)" in error.problem
