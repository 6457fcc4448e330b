"""A benefit paid for several years is listed, on each year's notice, as the part the rules
count for that year (C01/C09 by ``fupin.benefits.year_parts``), with its period printed.

A copy of the sample county gets a compulsory-stage pupil (H-SQ-004 member 3, 2022 and 2023)
paid once in 2023 for ``period: "2022..2023"``: the 2022 list of the fund shows the
2,000.00 the rules fill 2022 with, the 2023 list the rest, each line reading
``所付期间 2022 至 2023``; the rest is what C09 (short) or C01 (over) measure for 2023.
"""

from __future__ import annotations

import html
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from fupin.reports.notice_context import Context, build_notices
from fupin.reports.notice_render import make_env, render_pieces

from fupin.benefits import benefit_payments, paid_items, register_of, year_parts
from fupin.households import register_for
from fupin.load import Loaded, load
from fupin.money import fmt_money

ROOT = Path(__file__).resolve().parents[2]

PUPIL = "H-SQ-004,3,武小雨,,子女,compulsory,2022=compulsory 2023=compulsory,0,0,\n"

PAYMENT = """
2023-09-25 * "青山县教育局" "义务教育资助 补发2022—2023学年"
  basis: "青教助〔2023〕31号 补发名单"
  Expenses:Benefit:Education:Compulsory  {amount} CNY
    household: "H-SQ-004"
    member: 3
    period: "2022..2023"
  Assets:Treasury:SF-2023  -{amount} CNY
"""

NOTICES = """
2023-12-20 custom "notice" "N-2023-SQ-B22"
  type: "beneficiaries"
  level: "village"
  subject: "SF-2023"
  township: "石桥镇"
  village: "石桥村"
  year: 2022
  start: 2023-12-20
  end: 2023-12-29

2023-12-20 custom "notice" "N-2023-SQ-B23"
  type: "beneficiaries"
  level: "village"
  subject: "SF-2023"
  township: "石桥镇"
  village: "石桥村"
  year: 2023
  start: 2023-12-20
  end: 2023-12-29
"""


def county(tmp_path: Path, amount: str) -> tuple[dict[str, str], Loaded]:
    """The sample with the pupil, the two-year payment and the two lists: rendered texts."""
    ledger = tmp_path / "ledger"
    shutil.copytree(ROOT / "ledger", ledger, ignore=shutil.ignore_patterns("audit-sample"))
    with (ledger / "register" / "members.csv").open("a", encoding="utf-8") as out:
        out.write(PUPIL)
    with (ledger / "benefits-2023.beancount").open("a", encoding="utf-8") as out:
        out.write(PAYMENT.format(amount=amount))
    with (ledger / "notices.beancount").open("a", encoding="utf-8") as out:
        out.write(NOTICES)
    loaded = load(ledger / "main.beancount")
    register = register_for(loaded.path, loaded.book)
    ctx = Context(loaded.book, loaded.results.measures, register, b"k" * 32)
    docs = [
        d for d in build_notices(ctx, kinds=("beneficiaries",)) if d.id.startswith("N-2023-SQ-B")
    ]
    texts = {}
    for piece in render_pieces(make_env(masked=False), docs):
        if not piece.slips:
            texts[piece.notice] = " ".join(
                html.unescape(re.sub(r"<[^>]+>", " ", piece.html)).split()
            )
    return texts, loaded


def head_lines(text: str, name: str) -> list[tuple[str, str]]:
    """The rows of one household head: (label, amount)."""
    return re.findall(
        rf"\d+ {re.escape(name)} \S+ (\S+(?: \(成员\d+\))?(?: 所付期间 \S+ 至 \S+)?) ([\d,]+\.\d\d)",
        text,
    )


def c_finding(loaded: Loaded, rule: str, year: int) -> Decimal:
    """The value a rule measured for H-SQ-004 in ``year`` (its one finding there)."""
    found = [
        f
        for f in loaded.results.findings
        if getattr(f, "rule", "") == rule
        and getattr(f, "entity", "") == "H-SQ-004"
        and f"{year}年" in f.message
    ]
    assert len(found) == 1, [f.message for f in loaded.results.findings if "H-SQ-004" in f.message]
    return Decimal(found[0].value)


@pytest.mark.parametrize(
    ("amount", "rule", "part_2023"),
    [("3500.00", "C09", "1500.00"), ("4500.00", "C01", "2500.00")],
)
def test_each_years_list_shows_the_part_the_rules_count(
    tmp_path: Path, amount: str, rule: str, part_2023: str
) -> None:
    texts, loaded = county(tmp_path, amount)
    book = loaded.book
    register = register_for(loaded.path, book)
    assert register is not None
    head = register.households["H-SQ-004"].head_name
    label = "义务教育资助 (成员3) 所付期间 2022 至 2023"
    paid = next(
        p for p in benefit_payments(book) if p.period is not None and p.household == "H-SQ-004"
    )
    parts = dict(year_parts(book, register_of(book)[0], paid))
    assert parts == {2022: Decimal("2000.00"), 2023: Decimal(part_2023)}
    assert (label, "2,000.00") in head_lines(texts["N-2023-SQ-B22"], head)
    assert (label, fmt_money(Decimal(part_2023))) in head_lines(texts["N-2023-SQ-B23"], head)
    assert fmt_money(Decimal(amount)) not in texts["N-2023-SQ-B22"]  # never the whole payment
    # the rules' own number for 2023: paid short of 2,000.00 (C09) or over it (C01)
    assert c_finding(loaded, rule, 2023) == Decimal(part_2023)
    # each list's total is the rules' per-year sum of the fund's payments there
    for year, notice in ((2022, "N-2023-SQ-B22"), (2023, "N-2023-SQ-B23")):
        items = [
            i
            for i in paid_items(
                book, fund="SF-2023", year=year, as_of=paid.date.replace(month=12, day=20)
            )
            if register.households[i.household].village == "石桥村"
        ]
        expected = sum(
            (
                part
                for p in benefit_payments(book)
                if p.spend.fund == "SF-2023"
                and p.household in register.households
                and register.households[p.household].village == "石桥村"
                for y, part in year_parts(book, register, p)
                if y == year
            ),
            Decimal(0),
        )
        assert sum((i.amount for i in items), Decimal(0)) == expected
        assert f"已发放 {len(items)} 项" in texts[notice]
        assert (
            f"合计 {fmt_money(expected)}" in texts[notice] or fmt_money(expected) in texts[notice]
        )
