"""The industry share (产业发展资金占比) of a scope, as of a date: B02/B03's one measure.

``share = Σ spent in an industry category / Σ spent`` over the scope's funds, by the day
asked (cumulative, from :mod:`fupin.facts`):

* **B02**, a budget year: the funds of that budget year whose family is in
  ``fiscal-families``, against ``industry-share-min``;
* **B03**, one fund that sets its own ``industry_share_min`` (a batch: 安阳县 ≥ 70%).

The policy is the one in force on the earlier of 31 December of the budget year and the day
asked: the year-end policy for the year's verdict, the policy of the day for a notice posted
during the year. ``industry-share-strict`` makes ≥ a >. The ratio is an exact quotient,
compared unrounded; what is short is the money that would meet the threshold, rounded up
to the cent. The verdict is a year's: as of a day before 31 December of the budget
year (the year still being spent, as ``--date`` in September), a breach is a warning saying
so; from the year's end on, and for books without ``--date``, the configured severity.

Rules, the compliance table, the Fava pages and the notices all read these functions; a
fund that no share rule covers (say a 专项扶贫基金 outside ``fiscal-families`` with no own
minimum) has no share to print.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING

from fupin.money import CENT, ZERO, compare, ratio

if TYPE_CHECKING:
    from beancount.core.data import Directive

    from fupin.book import Book
    from fupin.entities import Fund
    from fupin.policy import Policy


@dataclass(frozen=True)
class Share:
    """One scope's industry share on a day, with the threshold the rule applies to it."""

    rule: str  # B02 | B03
    scope: str  # "2021年度" | "fund XJ-2021"
    label: str  # Chinese name of the scope, for messages
    entity: str  # the year ("2021") or the fund id
    year: int
    as_of: datetime.date | None
    industry: Decimal
    total: Decimal
    threshold: Decimal
    op: str  # ">=" | ">"
    severity: str
    policy_key: str
    note: str
    anchor: Directive  # the entry a finding lands on: the year's policy entry or a fund

    @property
    def value(self) -> Decimal:
        return ratio(self.industry, self.total)

    @property
    def ok(self) -> bool:
        return compare(self.value, self.op, self.threshold)

    @property
    def shortfall(self) -> Decimal:
        """Industry money missing to meet the threshold (0 when met), up to the cent."""
        need = (self.threshold * self.total - self.industry).quantize(CENT, ROUND_CEILING)
        if self.op == ">" and need >= 0:
            need += CENT
        return max(need, ZERO)


def policy_for(book: Book, year: int, as_of: datetime.date | None) -> Policy:
    """The policy a year's share is measured under on ``as_of`` (module docstring)."""
    end = datetime.date(year, 12, 31)
    return book.policy.at(min(end, as_of) if as_of is not None else end)


def open_year(book: Book, year: int) -> datetime.date | None:
    """The book's ``as_of`` day (``--date``, Fava's time filter) when it falls before 31
    December of ``year``: the year is still being spent, so a breach is a warning, the
    year-end verdict not yet due; else None. Books that merely end before 31 December (a last
    entry on 28 December) are judged as they stand: they may be the whole year."""
    day = book.as_of
    return day if day is not None and day < datetime.date(year, 12, 31) else None


def _severity(book: Book, year: int, configured: str, note: str) -> tuple[str, str]:
    """The severity and note of a year's share on the book's last day (:func:`open_year`)."""
    day = open_year(book, year)
    if day is None:
        return configured, note
    pending = f"截至 {day} {year}年度尚未结束, 年末考核"
    return "warning", f"{note}; {pending}" if note else pending


def budget_years(book: Book) -> list[int]:
    """The budget years of the book's funds, in order."""
    return sorted({fund.budget_year for fund in book.funds.values()})


def fiscal_funds(book: Book, year: int, policy: Policy) -> list[Fund]:
    """The funds a year's B02 share counts, in date order."""
    return sorted(
        (
            f
            for f in book.funds.values()
            if f.budget_year == year and f.family in policy.fiscal_families
        ),
        key=lambda f: (f.date, f.id),
    )


def year_share(book: Book, year: int, as_of: datetime.date | None = None) -> Share | None:
    """B02: the year's share over its fiscal funds; None when the year has none."""
    policy = policy_for(book, year, as_of)
    funds = fiscal_funds(book, year, policy)
    if not funds:
        return None
    facts = book.facts
    industry = sum((facts.fund(f.id).spent(as_of, policy.industry_categories) for f in funds), ZERO)
    total = sum((facts.fund(f.id).spent(as_of) for f in funds), ZERO)
    day = datetime.date(year, 12, 31) if as_of is None else min(as_of, datetime.date(year, 12, 31))
    keys = ("industry-share-min", "industry-share-severity")
    noted = next((m for k in keys if (m := book.policy.origin(k, day)) and m.get("note")), None)
    anchor: Directive = book.policy.origin_entry(keys[0], day) or book.entry_of(funds[0])
    severity, note = _severity(
        book, year, str(policy.industry_share_severity), str((noted or {}).get("note", ""))
    )
    return Share(
        rule="B02",
        scope=f"{year}年度",
        label=f"{year}年度财政扶贫/衔接资金",
        entity=str(year),
        year=year,
        as_of=as_of,
        industry=industry,
        total=total,
        threshold=policy.industry_share_min,
        op=">" if policy.industry_share_strict else ">=",
        severity=severity,
        policy_key="industry-share-min",
        note=note,
        anchor=anchor,
    )


def fund_share(book: Book, fund: Fund, as_of: datetime.date | None = None) -> Share | None:
    """B03: a fund with its own ``industry_share_min``, alone; None for any other fund."""
    if fund.industry_share_min is None:
        return None
    policy = policy_for(book, fund.budget_year, as_of)
    facts = book.facts.fund(fund.id)
    severity, note = _severity(book, fund.budget_year, str(policy.industry_share_severity), "")
    return Share(
        rule="B03",
        scope=f"fund {fund.id}",
        label=fund.describe(),
        entity=fund.id,
        year=fund.budget_year,
        as_of=as_of,
        industry=facts.spent(as_of, policy.industry_categories),
        total=facts.spent(as_of),
        threshold=fund.industry_share_min,
        op=">" if policy.industry_share_strict else ">=",
        severity=severity,
        policy_key="industry_share_min",
        note=note,
        anchor=book.entry_of(fund),
    )


def covering_share(book: Book, fund: Fund, as_of: datetime.date | None = None) -> Share | None:
    """The share rule that covers a fund on ``as_of``: its own minimum (B03), else its
    budget year's (B02) when its family is fiscal, else None."""
    own = fund_share(book, fund, as_of)
    if own is not None:
        return own
    policy = policy_for(book, fund.budget_year, as_of)
    if fund.family not in policy.fiscal_families:
        return None
    return year_share(book, fund.budget_year, as_of)


@dataclass(frozen=True)
class Allocation:
    """What a fund had allocated to projects by a day (a 资金分配结果公告's table): each
    project in the library by then with its budget then, and the industry part of it."""

    budgets: dict[str, Decimal]  # project id → budget on the day, in id order
    industry: Decimal  # the budgets of projects in an industry category
    total: Decimal

    @property
    def share(self) -> Decimal:
        """The planned industry share (exact quotient; 0 when nothing is allocated)."""
        return ratio(self.industry, self.total)


def allocation(book: Book, fund: Fund, day: datetime.date) -> Allocation:
    """The fund's allocation to its projects as of ``day``, the industry categories being
    those its share is measured with on that day (:func:`policy_for`: its budget year's by 31
    December), so that a notice's planned and spent shares count the same categories."""
    categories = policy_for(book, fund.budget_year, day).industry_categories
    held = book.facts.fund(fund.id)
    projects = sorted(
        (book.projects[p] for p in held.projects if p in book.projects),
        key=lambda p: p.id,
    )
    budgets: dict[str, Decimal] = {}
    industry = ZERO
    for project in projects:
        if project.date > day:
            continue
        budget = budgets[project.id] = book.facts.project(project.id).budget(day)
        if project.category in categories:
            industry += budget
    return Allocation(budgets, industry, sum(budgets.values(), ZERO))
