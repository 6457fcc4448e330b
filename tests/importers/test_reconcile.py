"""R01/R02 details: exact finding text, values, and the greedy closest-date matching."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from fupin.plugins.reconcile import Flow, Line, match

from fupin.load import load

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def test_r02_message_and_values() -> None:
    loaded = load(SCENARIOS / "R02" / "roll_differs_by_a_cent.beancount")
    (finding,) = [f for f in loaded.results.findings if f.rule == "R02"]
    assert finding.value == Decimal("999.99") and finding.threshold == Decimal("1000.00")
    assert finding.entity == "YKT-2023-01" and finding.source["lineno"] == 29
    assert finding.message == (
        "R02 error: 代发银行扣款 999.99 ≠ 1,000.00 (bank-match-days, ±5 天) — 一卡通发放清册合计 "
        "[roll YKT-2023-01]; 账面 Assets:Treasury:DN-2023 2023-01-20 -1,000.00 CNY; "
        "县农村商业银行对账单 2023-01-01 至 2023-01-31 [statement RCB-DN-2023-202301] 内无同额支出, "
        "最接近的银行流水 B0003 2023-01-20 -999.99 CNY"
    )


def test_policy_window_is_dated_data(tmp_path: Path) -> None:
    text = (SCENARIOS / "R01" / "unmatched_6_days.beancount").read_text(encoding="utf-8")
    path = tmp_path / "wide.beancount"
    path.write_text(text + '\n2023-01-01 custom "policy" "bank-match-days" 6\n', encoding="utf-8")
    assert not [f for f in load(path).results.findings if f.rule.startswith("R")]


def test_match_takes_closest_line_and_uses_each_once() -> None:
    day = datetime.date(2023, 1, 10)
    amount = Decimal("-500.00")
    flows = [Flow(day, "A", amount, "v1", None, None), Flow(day, "A", amount, "v2", None, None)]  # type: ignore[arg-type]
    lines = [
        Line(day + datetime.timedelta(days=3), "A", amount, "far", None),
        Line(day, "A", amount, "near", None),
        Line(day, "B", amount, "other-account", None),
    ]
    pairs, left = match(flows, lines, 5)
    assert [pairs[0].serial, pairs[1].serial] == ["near", "far"]
    assert [line.serial for line in left] == ["other-account"]
