"""Household benefit lists itemise what the rules computed, with public labels only.

A 到户补助 list of a fund (``type: "beneficiaries"``, subject a fund) on a copy of the sample
county: one line per member and benefit (学前 1,500.00 and 义务教育 2,000.00 for a family with
a preschool and a compulsory-stage child, never one 3,500.00 line), every benefit kind the
fund paid, labelled 医疗救助 / 医保缴费补贴 rather than a condition, posted before payment
(公示, what the formulas give) or after it (公告, what was paid by the posting day).
"""

from __future__ import annotations

import datetime
import html
import re
import shutil
from decimal import Decimal
from pathlib import Path

from fupin.reports.notice_context import Context, build_notices
from fupin.reports.notice_render import make_env, render_pieces

from fupin.benefits import due_items, paid_items
from fupin.households import register_for
from fupin.load import load
from fupin.money import fmt_money

ROOT = Path(__file__).resolve().parents[2]

NOTICES = """
2021-12-20 custom "notice" "N-2021-SQ-LIST"
  type: "beneficiaries"
  level: "village"
  subject: "SF-2021"
  township: "石桥镇"
  village: "石桥村"
  year: 2021
  start: 2021-12-20
  end: 2021-12-29

2022-02-10 custom "notice" "N-2022-SQ-PLAN"
  type: "beneficiaries"
  level: "village"
  subject: "SF-2021"
  township: "石桥镇"
  village: "石桥村"
  year: 2022
  kinds: "preschool compulsory senior_secondary undergrad_new college_new"
  phase: "plan"
  start: 2022-02-10
  end: 2022-02-19
"""


def rendered(tmp_path: Path) -> tuple[dict[str, str], object]:
    ledger = tmp_path / "ledger"
    shutil.copytree(ROOT / "ledger", ledger, ignore=shutil.ignore_patterns("audit-sample"))
    with (ledger / "notices.beancount").open("a", encoding="utf-8") as out:
        out.write(NOTICES)
    loaded = load(ledger / "main.beancount")
    register = register_for(loaded.path, loaded.book)
    ctx = Context(loaded.book, loaded.results.measures, register, b"k" * 32)
    docs = [d for d in build_notices(ctx, kinds=("beneficiaries",)) if d.id.startswith("N-202")]
    texts = {}
    for piece in render_pieces(make_env(masked=False), docs):
        if not piece.slips:
            texts[piece.notice] = " ".join(
                html.unescape(re.sub(r"<[^>]+>", " ", piece.html)).split()
            )
    return texts, loaded


def lines_of(text: str, name: str) -> list[str]:
    """The list rows of one household head: ``<seq> <name> <group> <label> <amount> <code>``."""
    return re.findall(rf"\d+ {re.escape(name)} \S+ (\S+(?: \(成员\d+\))?) ([\d,]+\.\d\d)", text)


def test_a_family_with_two_children_gets_two_lines(tmp_path: Path) -> None:
    texts, loaded = rendered(tmp_path)
    text = texts["N-2021-SQ-LIST"]
    register = register_for(loaded.path, loaded.book)  # type: ignore[attr-defined]
    head = register.households["H-SQ-002"].head_name
    rows = lines_of(text, head)
    assert ("学前教育资助 (成员5)", "1,500.00") in rows
    assert ("义务教育资助 (成员3)", "2,000.00") in rows
    assert ("义务教育资助 (成员4)", "2,000.00") in rows
    assert not any(amount in ("3,500.00", "5,500.00") for _, amount in rows)
    assert ("医保缴费补贴", "650.00") in rows  # every kind the fund paid, not education alone


def test_list_totals_are_the_rules_items(tmp_path: Path) -> None:
    texts, loaded = rendered(tmp_path)
    book = loaded.book  # type: ignore[attr-defined]
    register = register_for(loaded.path, book)  # type: ignore[attr-defined]
    items = [
        i
        for i in paid_items(book, fund="SF-2021", year=2021, as_of=datetime.date(2021, 12, 20))
        if register.households[i.household].village == "石桥村"
    ]
    total = sum((i.amount for i in items), Decimal(0))
    text = texts["N-2021-SQ-LIST"]
    assert f"已发放 {len(items)} 项" in text and fmt_money(total) in text
    for word in ("慢性病", "因病", "重病", "残疾"):
        assert word not in text


def test_a_list_posted_before_payment_shows_what_is_due(tmp_path: Path) -> None:
    texts, loaded = rendered(tmp_path)
    text = texts["N-2022-SQ-PLAN"]
    book = loaded.book  # type: ignore[attr-defined]
    register = register_for(loaded.path, book)  # type: ignore[attr-defined]
    kinds = ("preschool", "compulsory", "senior_secondary", "undergrad_new", "college_new")
    due = [
        i
        for i in due_items(book, register, year=2022, kinds=kinds)
        if register.households[i.household].village == "石桥村"
    ]
    assert due and "拟发放" in text and "公示期满无异议后发放" in text
    assert f"拟发放到户补助 {len(due)} 项" in text
    assert fmt_money(sum((i.amount for i in due), Decimal(0))) in text
    assert "医保缴费补贴" not in text  # only the kinds the notice names
