"""Every rendered notice prints the facts and the rules' thresholds as of the day it was posted.

Over the sample county, the audit sample and a generated ledger: each notice's text (its
rendered HTML, tags removed) is read and every amount, share and threshold it must show is
looked up in :mod:`fupin.facts` / :mod:`fupin.shares` *as of the notice's first day*; a
builder that printed a book-end figure (the whole year's spending on a March notice, a
completion date from October on an April sign) fails here.
"""

from __future__ import annotations

import datetime
import html
import re
from pathlib import Path

import pytest
from fupin.reports.notice_context import Context, NoticeDoc, build_notices
from fupin.reports.notice_render import make_env, render_pieces

from fupin.entities import Notice
from fupin.households import register_for
from fupin.load import Loaded, load
from fupin.money import fmt_money, fmt_pct
from fupin.shares import covering_share
from fupin.synth import generate

ROOT = Path(__file__).resolve().parents[2]


def cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def rendered(loaded: Loaded) -> list[tuple[NoticeDoc, str]]:
    register = register_for(loaded.path, loaded.book)
    ctx = Context(loaded.book, loaded.results.measures, register, b"k" * 32)
    docs = build_notices(ctx)
    assert not ctx.refused, ctx.refused
    out = []
    for piece in render_pieces(make_env(masked=False), docs):
        if piece.slips or piece.doc is None:
            continue
        plain = html.unescape(re.sub(r"<[^>]+>", " ", piece.html))
        out.append((piece.doc, re.sub(r"\s+", " ", plain)))
    return out


@pytest.fixture(scope="module", params=["sample", "audit-sample", "generated"])
def ledger(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    if request.param == "sample":
        return load(ROOT / "ledger" / "main.beancount")
    if request.param == "audit-sample":
        return load(ROOT / "ledger" / "audit-sample" / "main.beancount")
    return load(generate(2500, tmp_path_factory.mktemp("gen"), years=2))


def check_fund(loaded: Loaded, notice: Notice, text: str) -> int:
    book, day = loaded.book, notice.start
    fund = book.funds[notice.subject]
    facts = book.facts.fund(fund.id)
    for amount in facts.sources(day).values():
        assert fmt_money(amount) in text
    assert f"合计（已下达） {fmt_money(facts.received(day))}" in text
    for project in facts.projects:
        if book.projects[project].date <= day:
            budget = book.facts.project(project).budget(day)
            assert f"{budget / 10000:.4f}" in text, (notice.id, project)
    share = covering_share(book, fund, day)
    if share is None:
        assert "要求不低于" not in text and "要求高于" not in text
        return 1
    assert f"{fmt_pct(share.threshold)}" in text
    if share.total:
        assert f"实际支出中产业发展占比 {fmt_pct(share.value)}" in text
    else:
        assert "尚无实际支出" in text
    year_end = datetime.date(share.year, 12, 31)
    if day >= year_end:  # then the rule's own measure is the same scope on the same day
        measure = next(
            m for m in loaded.results.measures if m.rule == share.rule and m.scope == share.scope
        )
        assert measure.threshold == share.threshold
    return 1


def check_project(loaded: Loaded, notice: Notice, text: str) -> int:
    facts, day = loaded.book.facts.project(notice.subject), notice.start
    assert fmt_money(facts.budget(day)) in text
    contract = facts.contract(day)
    if contract is None or not contract.contractor:
        assert "施工单位" not in text or notice.type == "project_plan"
    if notice.type in ("project_result", "site_sign"):
        completed = facts.entry("completed", day)
        if notice.type == "site_sign":
            assert ("在建" in text) == (completed is None)
        later = facts.entry("completed")
        if later is not None and later.date > day:
            assert cn_date(later.date) not in text
    if notice.type == "project_result":
        for figure in (facts.spent.at(day), facts.paid(day), facts.deposit_held(day)):
            assert fmt_money(figure) in text, (notice.id, figure)
        settlement = facts.settlement(day)
        assert settlement is not None and fmt_money(settlement) in text
    return 1


def check_income(loaded: Loaded, notice: Notice, text: str) -> int:
    plan = loaded.book.facts.plan(notice.subject)
    day = notice.start
    if notice.type == "income_result":
        assert f"实际分配合计 {fmt_money(plan.paid.at(day))}" in text
        for amount in plan.paid_to(day).values():
            assert fmt_money(amount) in text
    return 1


def check_beneficiaries(loaded: Loaded, notice: Notice, text: str) -> int:
    paid = loaded.book.facts.project(notice.subject).paid_to(notice.start)
    for amount in paid.values():
        assert fmt_money(amount) in text
    return 1


def check_monitoring(loaded: Loaded, notice: Notice, text: str) -> int:
    """Issue 15: each case's household is listed with its category, never its cause."""
    from fupin.households import CATEGORIES
    from fupin.monitoring import RISK_CAUSES, monitoring_register, notice_cases

    cases = monitoring_register(loaded.book).cases
    for ident in notice_cases(notice):
        case = cases[ident].case
        assert CATEGORIES[case.category] in text, (notice.id, ident)
        assert RISK_CAUSES[case.cause] not in text, (notice.id, ident)
    return 1


CHECKS = {
    "fund_allocation": check_fund,
    "project_plan": check_project,
    "project_result": check_project,
    "site_sign": check_project,
    "income_plan": check_income,
    "income_result": check_income,
    "beneficiaries": check_beneficiaries,
    "monitoring": check_monitoring,
    "monitoring_exit": check_monitoring,
}


def test_every_notice_prints_the_facts_of_its_day(ledger: Loaded) -> None:
    checked = 0
    for doc, text in rendered(ledger):
        notice = next(n for n in ledger.book.all(Notice) if n.id == doc.id)
        checked += CHECKS[notice.type](ledger, notice, text)
    assert checked >= 3
