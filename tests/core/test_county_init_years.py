"""``fupin init --years``: each mistyped range is named for what is wrong with it."""

from __future__ import annotations

import datetime

import pytest

from fupin.county_init import InitError, parse_years

TODAY = datetime.date(2025, 3, 1)


@pytest.mark.parametrize(
    ("text", "years"),
    [("", [2025]), ("2024-2025", [2024, 2025]), ("2025，2023", [2023, 2025])],
)
def test_years(text: str, years: list[int]) -> None:
    assert parse_years(text, TODAY) == years


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-2024", "--years: 年度 '2025-2024' 起年晚于止年 (应为 2024-2025)"),
        ("1990-2024", "--years: 年度 '1990-2024' 超出范围 (2000–2100)"),
        ("abc", "--years: 无法识别的年度 'abc'"),
    ],
)
def test_a_wrong_range_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InitError) as caught:
        parse_years(text, TODAY)
    assert str(caught.value).startswith(message)
