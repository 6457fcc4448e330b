"""A notice taken down early (``withdrawn: DATE``): the lists say so and count the days it
was up, up to the day before it was taken down, as B31 counts; its paper still prints the
period it was posted with.

One small ledger: a village board plan notice announced for 2023-03-01 至 2023-03-10 and
taken down on 2023-03-05 (up 4 days: 3-01 … 3-04), a board notice that ran its period, and
a county website notice taken down on 2023-04-01 (B32: not 长期公开).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from click.testing import CliRunner
from fupin.reports.fava.serve import make_app

from fupin.cli import main
from fupin.entities import Notice
from fupin.load import load

LEDGER = """
2023-01-01 custom "fava-extension" "fupin.reports.fava"
2023-01-01 custom "fund" "XJ-2023"
  name: "2023年衔接资金"
  family: "xianjie"
  alloc_doc: "青财农〔2023〕3号"
2023-01-01 open Assets:Treasury:XJ-2023 CNY
2023-01-01 open Income:Fund:XJ-2023:Central CNY
  name: "中央衔接资金"
2023-01-05 * "青山县财政局" "资金下达"
  Assets:Treasury:XJ-2023  500000.00 CNY
  Income:Fund:XJ-2023:Central
2023-01-09 custom "project" "P-2023-001"
  name: "青山村肉牛养殖圈舍建设项目"
  category: "Industry"
  township: "城关镇"
  village: "青山村"
  year: 2023
  budget: 500000.00 CNY
  implementer: "青山村股份经济合作社"
  fund: "XJ-2023"
  content: "新建圈舍800平方米"
  period: "2023-04 至 2023-09"
  beneficiaries: "脱贫户32户"
  targets: "带动脱贫户32户户均年增收1500元"
2023-01-09 custom "project" "P-2023-002"
  name: "青山村道路硬化项目"
  category: "Infrastructure"
  township: "城关镇"
  village: "青山村"
  year: 2023
  budget: 200000.00 CNY
  implementer: "城关镇人民政府"
  fund: "XJ-2023"
  content: "硬化道路1公里"
  period: "2023-04 至 2023-06"
  beneficiaries: "青山村村民"
  targets: "方便群众出行"
2023-01-09 custom "project-stage" "P-2023-001" "proposed"
2023-01-09 custom "project-stage" "P-2023-002" "proposed"
2023-03-01 custom "notice" "N-2023-P001-V"
  type: "project_plan"
  level: "village"
  subject: "P-2023-001"
  channel: "board"
  start: 2023-03-01
  end: 2023-03-10
  withdrawn: 2023-03-05
2023-03-01 custom "notice" "N-2023-P002-V"
  type: "project_plan"
  level: "village"
  subject: "P-2023-002"
  channel: "board"
  start: 2023-03-01
  end: 2023-03-10
2023-02-01 custom "notice" "N-2023-F01"
  type: "fund_allocation"
  level: "county"
  subject: "XJ-2023"
  channel: "website"
  issuer: "青山县乡村振兴局"
  start: 2023-02-01
  withdrawn: 2023-04-01
"""

DAY = datetime.date


def test_a_withdrawn_notice_counts_the_days_it_was_up(write_ledger: Any) -> None:
    loaded = load(write_ledger(LEDGER))
    notices = {n.id: n for n in loaded.book.all(Notice)}
    cut, full, web = notices["N-2023-P001-V"], notices["N-2023-P002-V"], notices["N-2023-F01"]
    assert (cut.last_posted, cut.days, cut.announced_days) == (DAY(2023, 3, 4), 4, 10)
    assert (full.last_posted, full.days, full.announced_days) == (DAY(2023, 3, 10), 10, 10)
    assert (web.last_posted, web.days, web.announced_days) == (DAY(2023, 3, 31), 59, None)
    assert cut.listed_period() == "2023-03-01 至 2023-03-10 (2023-03-05 撤下)"
    assert full.listed_period() == "2023-03-01 至 2023-03-10"
    assert web.listed_period() == "2023-02-01 至 长期 (2023-04-01 撤下)"
    # the rules' verdicts are B31's and B32's own, the same count: 4 days < 10, taken down
    b31 = {m.entity: m for m in loaded.results.measures if m.rule == "B31"}
    assert (b31["N-2023-P001-V"].value, b31["N-2023-P001-V"].ok) == (4, False)
    assert (b31["N-2023-P002-V"].value, b31["N-2023-P002-V"].ok) == (10, True)
    (b32,) = [f for f in loaded.results.findings if f.rule == "B32"]
    assert b32.entity == "N-2023-F01" and "2023-04-01 撤下" in b32.message


def test_the_notices_index_shows_the_withdrawal_and_the_paper_its_period(
    write_ledger: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    ledger = write_ledger(LEDGER)
    result = CliRunner().invoke(
        main, ["notices", str(ledger), "--out", str(out), "--format", "html"]
    )
    assert result.exit_code == 0, result.output
    index = (out / "index.html").read_text(encoding="utf-8")
    rows = {r.split("</td>", 1)[0]: r for r in index.split("<tr><td>")[1:]}
    cut, full, web = rows["N-2023-P001-V"], rows["N-2023-P002-V"], rows["N-2023-F01"]
    assert '2023年3月1日 至 2023年3月10日（2023年3月5日撤下）</td><td class="num">4</td>' in cut
    assert '2023年3月1日 至 2023年3月10日</td><td class="num">10</td>' in full
    assert "撤下" not in full
    assert '2023年2月1日 至 长期（2023年4月1日撤下）</td><td class="num">59</td>' in web
    # the paper was posted as issued: it prints the period it announced, not the cut one
    (paper,) = out.rglob("N-2023-P001-V*.html")
    text = paper.read_text(encoding="utf-8")
    assert "2023年3月1日至2023年3月10日（共10天）" in text and "撤下" not in text


def test_the_fava_notices_page_shows_the_withdrawal(write_ledger: Any) -> None:
    app = make_app(write_ledger(LEDGER))
    base = f"/{quote(app.config['LEDGERS'].first_slug())}/extension/FupinNotices/"
    with app.test_client() as client:
        listing = client.get(base)
        detail = client.get(base, query_string={"notice": "N-2023-P001-V"})
        data = client.get(base + "data")
    assert listing.status_code == detail.status_code == data.status_code == 200
    html = listing.text
    assert "<td>2023-03-01 至 2023-03-10 (2023-03-05 撤下)</td>" in html
    assert '2023-03-05 撤下)</td>\n    <td class="num">4</td>' in html
    assert "<td>2023-03-01 至 2023-03-10</td>" in html  # the one that ran its period
    assert '<td>2023-02-01 至 长期 (2023-04-01 撤下)</td>\n    <td class="num">59</td>' in html
    assert "2023-03-01 至 2023-03-10 (2023-03-05 撤下) (张贴 4 天)" in detail.text
    rows = {r["id"]: r for r in data.get_json()}
    assert (rows["N-2023-P001-V"]["withdrawn"], rows["N-2023-P001-V"]["days"]) == ("2023-03-05", 4)
    assert (rows["N-2023-P002-V"]["withdrawn"], rows["N-2023-P002-V"]["days"]) == (None, 10)
    assert (rows["N-2023-F01"]["withdrawn"], rows["N-2023-F01"]["days"]) == ("2023-04-01", 59)
