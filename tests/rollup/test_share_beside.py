"""A province's share table and chart: a county just under its threshold never reads as
meeting it (49.999996% beside 50.00%, not 50.00% beside 50.00% with a ✗)."""

from __future__ import annotations

from decimal import Decimal

from fupin.reports.rollup.chart import share_charts
from fupin.reports.rollup.output import cell

ROW = {
    "year": 2024,
    "county": "990101",
    "name": "甲县",
    "share": Decimal("0.499999955"),
    "op": ">=",
    "threshold": Decimal("0.50"),
    "ok": False,
    "severity": "error",
    "as_of": "2024-12-31",
}


def test_table_cell_keeps_the_digits_beside_the_threshold() -> None:
    assert cell(ROW, "share", "pct") == "49.999996%"
    assert cell(ROW, "threshold", "pct") == "50.00%"
    assert cell({**ROW, "share": Decimal("0.6773")}, "share", "pct") == "67.73%"


def test_chart_keeps_the_digits_beside_the_threshold() -> None:
    [(year, svg)] = share_charts([ROW])
    assert year == 2024
    assert "甲县: 49.999996%" in svg and ">49.999996%<" in svg and ">50.00%<" not in svg
