"""The notice filters: Chinese capitals, masking, day counting."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from fupin.reports.filters import (
    cn_date,
    daxie,
    limit,
    mask_account,
    mask_id,
    mask_name,
    mask_phone,
    pct_beside,
    period,
    wan,
    wan_places,
)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("700000", "柒拾万元整"),
        ("1200000.00", "壹佰贰拾万元整"),
        ("1176500", "壹佰壹拾柒万陆仟伍佰元整"),
        ("1005000.05", "壹佰万零伍仟元零伍分"),
        ("100010", "壹拾万零壹拾元整"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("100000001", "壹亿零壹元整"),
        ("98000", "玖万捌仟元整"),
        ("88133.13", "捌万捌仟壹佰叁拾叁元壹角叁分"),
        ("0.05", "伍分"),
        ("0", "零元整"),
        ("10", "壹拾元整"),
        ("-3", "负叁元整"),
        ("0.005", "壹分"),  # cents half up
    ],
)
def test_daxie(amount: str, text: str) -> None:
    assert daxie(Decimal(amount)) == text


def test_wan_has_four_decimals() -> None:
    assert wan(Decimal("1200000")) == "120.0000"
    assert wan(Decimal("1468900.50")) == "146.8901"


def test_a_wan_column_takes_the_decimals_its_amounts_need() -> None:
    assert wan_places([Decimal("1200000"), Decimal("1468901")]) == 4
    assert wan_places([Decimal("1200000"), Decimal("1468900.50")]) == 6
    assert wan(Decimal("1468900.50"), 6) == "146.890050"


def test_a_share_beside_its_threshold_keeps_the_digits_that_tell_them_apart() -> None:
    assert pct_beside(Decimal("0.549996"), Decimal("0.55")) == "54.9996%"
    assert pct_beside(Decimal("0.5523"), Decimal("0.55")) == "55.23%"
    assert pct_beside(Decimal("0.55"), Decimal("0.55")) == "55.00%"
    assert pct_beside(Decimal("0.5523"), None) == "55.23%"
    assert limit(Decimal("0.55")) == "55.00%"
    assert limit(Decimal("0.55555")) == "55.555%"


def test_masks() -> None:
    assert mask_id("410522199001011234") == "410522********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_account("6228832886325208846") == "****8846"
    assert mask_name("张三") == "张*"
    assert mask_name("王小明") == "王*明"
    assert mask_id(None) == mask_phone("") == ""


def test_period_prints_the_notices_own_day_count() -> None:
    start = datetime.date(2021, 5, 1)
    assert period(start, datetime.date(2021, 5, 10), 10) == "2021年5月1日至2021年5月10日（共10天）"
    # the figure is the notice's (Notice.announced_days), formatted, not counted again
    assert period(start, datetime.date(2021, 5, 10), 7).endswith("（共7天）")
    assert period(start, None, None) == "自2021年5月1日起长期公开"
    assert cn_date(None) == "长期"
