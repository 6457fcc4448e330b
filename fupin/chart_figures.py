"""The figures behind the four Fava charts, each as of a date (core: no Flask, no SVG).

* **industry share per year** against its threshold: the B02 measures (the rule's own
  value and threshold, never recomputed);
* **fund flow**: sources → funds → expense categories, from the facts (a fund's receipts by
  source and its spending by category as of the day);
* **project progress**: how many projects have reached each stage by the day, and how many
  stand at it (the facts' stage timelines);
* **asset value** by class and owner level: the register's assets on the day (not disposed),
  their original values added per class and level (the same grouping as the register's
  totals).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fupin.entities import STAGE_NAMES, STAGES
from fupin.names import CATEGORY_NAMES, SOURCE_NAMES

if TYPE_CHECKING:
    from fupin.book import Book
    from fupin.findings import Measure


@dataclass(frozen=True)
class ShareYear:
    year: int
    share: Decimal
    threshold: Decimal
    ok: bool
    severity: str


def industry_shares(
    measures: Sequence[Measure], years: Collection[int] | None = None
) -> list[ShareYear]:
    """B02's measured industry share and threshold of each budget year."""
    out = []
    for m in measures:
        if m.rule != "B02" or m.year is None or (years is not None and m.year not in years):
            continue
        if isinstance(m.value, Decimal) and isinstance(m.threshold, Decimal):
            out.append(ShareYear(m.year, m.value, m.threshold, m.ok, m.severity))
    return sorted(out, key=lambda s: s.year)


@dataclass(frozen=True)
class Flow:
    source: str  # node label
    target: str
    amount: Decimal


@dataclass(frozen=True)
class FundFlow:
    sources: Sequence[str]
    funds: Sequence[str]
    categories: Sequence[str]
    flows: Sequence[Flow]


def fund_flow(
    book: Book, day: datetime.date | None = None, years: Collection[int] | None = None
) -> FundFlow:
    """Money from each source into each fund, and from each fund to each expense category,
    as of ``day`` (funds of ``years`` only, when given)."""
    facts = book.facts
    flows: list[Flow] = []
    sources: dict[str, None] = {}
    funds: dict[str, None] = {}
    categories: dict[str, None] = {}
    for fund in sorted(book.funds.values(), key=lambda f: (f.budget_year, f.id)):
        if years is not None and fund.budget_year not in years:
            continue
        held = facts.fund(fund.id)
        label = fund.name or fund.id
        for source, amount in sorted(held.sources(day).items()):
            if amount > 0:
                name = _source_name(book, fund.id, source)
                sources.setdefault(name)
                funds.setdefault(label)
                flows.append(Flow(name, label, amount))
        for category, amount in sorted(held.categories(day).items()):
            if amount > 0:
                name = _category_name(book, category)
                categories.setdefault(name)
                funds.setdefault(label)
                flows.append(Flow(label, name, amount))
    return FundFlow(list(sources), list(funds), list(categories), flows)


def _source_name(book: Book, fund: str, source: str) -> str:
    """The source's name as the ledger gives it (``中央衔接资金``), else the conventions'."""
    account = f"Income:Fund:{fund}:{source}"
    name = book.account_name(account)
    return name if name != account else SOURCE_NAMES.get(source, source)


def _category_name(book: Book, category: str) -> str:
    name = book.account_name(f"Expenses:{category}")
    return name if name != f"Expenses:{category}" else CATEGORY_NAMES.get(category, category)


@dataclass(frozen=True)
class StageCount:
    stage: str
    name: str
    reached: int  # projects that reached this stage (or a later one) by the day
    current: int  # projects standing at it on the day


def stage_progress(
    book: Book, day: datetime.date | None = None, years: Collection[int] | None = None
) -> list[StageCount]:
    """For each stage, the projects that reached it and those standing at it."""
    reached: dict[str, int] = defaultdict(int)
    current: dict[str, int] = defaultdict(int)
    for project in book.projects.values():
        if years is not None and project.year not in years:
            continue
        facts = book.facts.project(project.id)
        now = facts.stage(day)
        if now is None:
            continue
        current[now.stage] += 1
        for stage in STAGES:
            if facts.reached(stage, day) is not None:
                reached[stage] += 1
    return [StageCount(s, STAGE_NAMES[s], reached[s], current[s]) for s in STAGES]


@dataclass(frozen=True)
class AssetValues:
    classes: Sequence[tuple[str, str]]  # (class, Chinese name)
    levels: Sequence[tuple[str, str]]  # (owner level, Chinese name)
    value: dict[tuple[str, str], Decimal]  # (class, level) → original value
    count: dict[tuple[str, str], int]


def asset_values(register: Any, day: datetime.date) -> AssetValues:
    """Original value of the assets on the register on ``day`` (disposed ones left out),
    by class and owner level."""
    from fupin.assets import ASSET_CLASSES, LEVEL_NAMES, value_totals

    cells = value_totals(register.at(day)).cells
    value = {key: cell.value for key, cell in cells.items()}
    count = {key: cell.count for key, cell in cells.items()}
    classes = [(c, n) for c, n in ASSET_CLASSES.items() if any(k[0] == c for k in value)]
    levels = [(lv, n) for lv, n in LEVEL_NAMES.items() if any(k[1] == lv for k in value)]
    return AssetValues(classes, levels, value, count)
