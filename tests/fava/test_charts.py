"""The four fupin charts (issue 18): drawn from the rules' measures and the facts, in
Fava's palette, on the sample and the audit sample, under Fava's time filter."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from fupin.reports.fava import charts
from fupin.reports.fava.base import snapshot
from fupin.reports.fava.serve import make_app

from fupin.chart_figures import asset_values, fund_flow, industry_shares, stage_progress

ROOT = Path(__file__).resolve().parents[2]


def snap_of(app: Flask) -> Any:
    ledgers = app.config["LEDGERS"]
    return snapshot(ledgers[ledgers.first_slug()])


def titles(svg: str) -> list[str]:
    return re.findall(r"<title>(.*?)</title>", svg)


def test_palette_is_favas_hcl_range() -> None:
    """Fava's hcl_color_range(10): ten hues from 270° (a blue) at 36° steps."""
    colours = charts.palette(10)
    assert len(set(colours)) == 10
    red, green, blue = (int(colours[0][i : i + 2], 16) for i in (1, 3, 5))
    assert blue > green > red


def test_industry_share_bars_and_threshold_lines(app: Flask, page: Any) -> None:
    snap = snap_of(app)
    years = industry_shares(snap.results.measures)
    b02 = {m.year: m for m in snap.results.measures if m.rule == "B02"}
    assert [(y.year, y.share, y.threshold) for y in years] == [
        (year, b02[year].value, b02[year].threshold) for year in sorted(b02)
    ]
    html = page("FupinFunds")
    assert "2021年 产业发展资金占比 67.73%, 阈值 50.00%" in html
    assert "2022年 产业发展资金占比 68.39%, 阈值 55.00%" in html
    assert html.count('class="threshold"') == 2
    assert ">2021年<" in html and "Jan 2021" not in html
    only_2022 = page("FupinFunds", time="2022")
    assert only_2022.count('class="threshold"') == 1 and "阈值 55.00%" in only_2022


def test_a_share_just_under_its_threshold_never_reads_as_met() -> None:
    """49.9999955% beside 50%: the chart prints the digits that tell them apart."""
    from fupin.chart_figures import ShareYear

    just_under = ShareYear(2024, Decimal("0.499999955"), Decimal("0.50"), False, "error")
    svg = str(charts.industry_share([just_under]))
    assert "2024年 产业发展资金占比 49.999996%, 阈值 50.00%" in titles(svg)
    assert ">49.999996%<" in svg and ">50.00%<" not in svg


def test_fund_flow_carries_the_facts(app: Flask, page: Any) -> None:
    book = snap_of(app).book
    flow = fund_flow(book)
    xj = book.facts.fund("XJ-2021")
    into = {f.source: f.amount for f in flow.flows if f.target == book.funds["XJ-2021"].name}
    assert into == {
        "中央衔接资金": xj.sources()["Central"],
        "省级衔接资金": xj.sources()["Provincial"],
        "县级衔接资金": xj.sources()["County"],
    }
    out = sum(f.amount for f in flow.flows if f.source == book.funds["XJ-2021"].name)
    assert out == sum(xj.categories().values(), Decimal(0))
    svg = str(charts.fund_flow(flow))
    assert svg.count("<path ") == len(flow.flows)
    assert "中央衔接资金 → 2021年衔接推进乡村振兴补助资金: 5,400,000.00 元" in titles(svg)
    assert "资金流向" in page("FupinFunds")


def test_stage_progress_counts_projects(app: Flask, page: Any) -> None:
    book = snap_of(app).book
    stages = stage_progress(book)
    assert stages[0].reached == len(book.projects)  # every project was proposed
    assert sum(s.current for s in stages) == len(book.projects)
    assert [s.reached for s in stages] == sorted((s.reached for s in stages), reverse=True)
    html = page("FupinProjects")
    closed = stages[-1]
    assert f"结项: 已到达 {closed.reached} 个项目, 当前处于此阶段 {closed.current} 个" in html


def test_asset_values_by_class_and_level(app: Flask, page: Any) -> None:
    snap = snap_of(app)
    day = snap.book.last_date
    values = asset_values(snap.register, day)
    total = sum(values.value.values(), Decimal(0))
    assert total == Decimal("16091300.00")  # the register's total (test_browser: 4-assets)
    svg = str(charts.asset_values(values))
    assert len(titles(svg)) == len(values.value)
    assert "资产原值" in page("FupinAssets")


@pytest.mark.parametrize(
    "path", ["FupinCompliance/", "FupinFunds/", "FupinProjects/", "FupinAssets/"]
)
def test_charts_on_the_audit_sample(path: str) -> None:
    app = make_app(ROOT / "ledger" / "audit-sample" / "main.beancount")
    slug = app.config["LEDGERS"].first_slug()
    with app.test_client() as client:
        response = client.get(f"/{slug}/extension/{path}")
    assert response.status_code == 200
    assert '<svg class="fupin-chart"' in response.text
