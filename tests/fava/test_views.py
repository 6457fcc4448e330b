"""The pages' plain functions, without Flask or Fava: a small ledger written inline."""

from __future__ import annotations

import datetime
from decimal import Decimal

from beancount import loader
from beancount.core.data import Transaction
from fupin.plugins import evaluate
from fupin.reports.fava import views

from fupin.book import build_book

LEDGER = """
option "operating_currency" "CNY"
plugin "fupin.plugins"

2021-01-01 open Assets:Treasury:SF-2021 CNY
2021-01-01 open Income:Fund:SF-2021:Government CNY
2021-01-01 open Income:Fund:SF-2021:Raised CNY
2021-01-01 open Income:Fund:SF-2021:Donation CNY
2021-01-01 open Expenses:Industry:Livestock CNY

2021-01-01 custom "fund" "SF-2021"
  name: "县专项扶贫基金"
  family: "special_fund"
  total: 1000.00 CNY
  shares: "Government=0.70 Raised=0.20 Donation=0.10"

2021-02-01 * "财政局" "政府出资"
  Assets:Treasury:SF-2021  700.00 CNY
  Income:Fund:SF-2021:Government

2021-03-01 * "工商联" "募集"
  Assets:Treasury:SF-2021  150.00 CNY
  Income:Fund:SF-2021:Raised

2021-04-01 custom "project" "P-1"
  name: "养殖项目"
  category: "Industry"
  township: "城关镇"
  village: "青山村"
  year: 2021
  budget: 500.00 CNY
  implementer: "合作社"
  fund: "SF-2021"
  targets: "增收"

2021-04-02 custom "project-stage" "P-1" "in_library"
2021-04-03 custom "project-stage" "P-1" "approved"
  doc: "批复1号"

2021-05-01 * "施工方" "进度款"
  project: "P-1"
  payment: "progress"
  Expenses:Industry:Livestock  300.00 CNY
  Assets:Treasury:SF-2021

2021-06-01 custom "notice" "N-1"
  type: "project_plan"
  level: "village"
  subject: "P-1"
  start: 2021-06-01
  end: 2021-06-07
"""


def book_and_results():  # type: ignore[no-untyped-def]
    entries, _errors, options = loader.load_string(LEDGER)
    book = build_book(entries, options)
    return book, evaluate(book)


def test_fund_split_and_balance() -> None:
    book, results = book_and_results()
    fund = views.funds(book, results).funds[0]
    assert fund.received == Decimal("850.00")
    assert fund.spent == Decimal("300.00")
    assert fund.balance == Decimal("550.00")  # 850 received − 300 spent
    split = {s.source: (s.actual, s.declared, s.diff) for s in fund.sources}
    assert split["Government"] == (Decimal("700.00"), Decimal("700.00"), Decimal("0.00"))
    assert split["Raised"] == (Decimal("150.00"), Decimal("200.00"), Decimal("-50.00"))
    assert split["Donation"] == (Decimal(0), Decimal("100.00"), Decimal("-100.00"))


def test_project_row() -> None:
    book, results = book_and_results()
    index = views.project_index(book, results)
    [row] = views.projects(book, index)
    assert (row.stage, row.budget, row.spent, row.paid) == (
        "approved",
        Decimal("500.00"),
        Decimal("300.00"),
        Decimal("300.00"),
    )
    assert row.timeline == []  # the list leaves the detail out
    detail = views.project(book, index, "P-1")
    assert detail is not None
    assert [s.stage for s in detail.timeline if s.entry] == ["in_library", "approved"]
    assert [e.ref for e in detail.evidence] == ["批复1号"]
    assert views.project(book, index, "P-X") is None


def test_short_notice_is_flagged() -> None:
    book, results = book_and_results()
    [notice] = views.notices(book, results)
    assert notice.days == 7
    assert notice.status == "error"  # B31: 7 days < 10
    assert any(f.finding.rule == "B31" for f in notice.findings)


def test_compliance_filters() -> None:
    book, results = book_and_results()
    everything = views.compliance(book, results)
    assert len(everything.rows) == len(results.measures)
    none_2022 = views.compliance(book, results, years={2022})
    assert all(r.measure.year in (2022, None) for r in none_2022.rows)
    dated = views.compliance(
        book, results, dates=(datetime.date(2022, 1, 1), datetime.date(2023, 1, 1))
    )
    # transactions outside the period are left out; a finding on an entity (a fund, a
    # project) is the state at the period's end and stays
    assert all(
        f.date is None or f.date.year == 2022 or not isinstance(f.entry, Transaction)
        for f in dated.findings
    )
    assert dated.filtered and not everything.filtered


def test_paginate_clamps() -> None:
    page = views.paginate(list(range(450)), 9, 200)
    assert (page.number, page.pages, page.first, page.last, len(page.items)) == (3, 3, 401, 450, 50)
    assert views.paginate([], 1, 200).first == 0
