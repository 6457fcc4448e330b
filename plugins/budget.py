"""B04–B07: the county's own money — floor, growth, non-decrease, departments' targeting.

Budget years are ``custom "county-budget" "<YEAR>"`` entries (:mod:`fupin.budget`), compared
per level (county, city) with the policy in force on each year's 31 December:

* B04 [seed 002 安阳 "市、县财政专项扶贫资金投入不低于2020年的水平"]: each year after
  ``county-budget-baseline-year`` (2020; years up to it are not checked) is not below that
  year's special fund (the earliest recorded year stands in when 2020 is not recorded;
  ``county-budget-non-decreasing`` FALSE switches it off): 29,990,000 after 30,000,000 fails, 32,000,000 after 35,000,000 passes
  when 2020 was 30,000,000;
* B05 [seed 003 靖边 "不低于地方财政收入2%"]: special fund ≥ ``county-budget-revenue-share-min``
  × revenue, 2% exactly passes (a year without ``revenue`` is not measured; a revenue of 0
  is an entity error);
* B06 [seed 003 靖边 "逐年递增幅度不低于20%"]: special fund ≥ (1 + ``county-budget-growth-min``)
  × the year before's, 20% exactly passes (0 switches it off): 21,000,000 after 18,000,000
  (16.67%) fails; a year missing between two recorded years is a warning at the later one;
* B07 [seed 003 靖边 "涉农部门…60%以上用于贫困村、贫困户"]: per project ``department`` and
  project year, the spending to poor villages (``village_status``) or registered households is
  ≥ ``department-target-share-min`` of the department's project spending.

Growth and shares are exact quotients, shown to 0.01%.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from fupin.book import Book
from fupin.budget import LEVELS, BudgetError, CountyBudget, budgets, department_shares
from fupin.engine import Item, Rule, check, finding
from fupin.findings import Severity
from fupin.households import book_register
from fupin.money import ZERO, fmt_money, fmt_pct, ratio


def budget_years(book: Book) -> Iterator[Item]:
    """B04, B05, B06 per level and year."""
    for items in budgets(book).values():
        by_year = {item.year: item for item in items}
        previous = None
        for item in items:
            policy = book.policy.at(datetime.date(item.year, 12, 31))
            if policy.county_budget_non_decreasing:
                yield from _not_below_baseline(
                    book,
                    item,
                    by_year.get(policy.county_budget_baseline_year, items[0]),
                    policy.county_budget_baseline_year,
                )
            if item.revenue is not None:
                yield from _revenue_share(book, item, policy.county_budget_revenue_share_min)
            growth = policy.county_budget_growth_min
            if previous is not None and growth > 0:
                yield from _growth(book, item, previous, growth)
            previous = item


def _not_below_baseline(
    book: Book, item: CountyBudget, base: CountyBudget, baseline_year: int
) -> Iterator[Item]:
    """B04: a year after the baseline year (过渡期: from 2021) is not below it; the earliest
    recorded year stands in for a baseline year the books do not record. Years up to the
    baseline year are not checked."""
    if item.year <= max(base.year, baseline_year):
        return
    own = "" if base.year == baseline_year else f" ({baseline_year}年未登记, 以最早登记年度为基数)"
    yield from check(
        BudgetError,
        rule="B04",
        title="专项扶贫资金预算不低于基数年",
        scope=f"county-budget {item.year}",
        value=item.special_fund,
        op=">=",
        threshold=base.special_fund,
        policy_key="county-budget-baseline-year",
        entity=str(item.year),
        label=item.describe(),
        inputs=f"{base.year}年 {fmt_money(base.special_fund)} CNY{own}",
        entry=book.entry_of(item),
        year=item.year,
    )


def _revenue_share(book: Book, item: CountyBudget, floor: Decimal) -> Iterator[Item]:
    """B05: special fund ≥ floor × local fiscal revenue (revenue > 0, the entity's rule)."""
    revenue = item.revenue or ZERO
    yield from check(
        BudgetError,
        rule="B05",
        title="专项扶贫资金占地方财政收入比例",
        scope=f"county-budget {item.year}",
        value=ratio(item.special_fund, revenue),
        op=">=",
        threshold=floor,
        unit="pct",
        policy_key="county-budget-revenue-share-min",
        entity=str(item.year),
        label=item.describe(),
        inputs=f"预算 {fmt_money(item.special_fund)} / 地方财政收入 {fmt_money(revenue)} CNY",
        entry=book.entry_of(item),
        year=item.year,
    )


def _growth(
    book: Book, item: CountyBudget, previous: CountyBudget, growth: Decimal
) -> Iterator[Item]:
    """B06: special fund ≥ (1 + growth) × the year before's; a year missing in between is a
    warning (the growth cannot be checked year on year); after a year of 0 any budget meets
    budget ≥ (1 + growth) × 0."""
    entry = book.entry_of(item)
    if previous.year != item.year - 1:
        yield finding(
            BudgetError,
            "B06",
            f"{item.year - 1}年{LEVELS[item.level]}预算未登记 (上一登记年度 {previous.year}年), "
            f"逐年增幅 (county-budget-growth-min {fmt_pct(growth)}) 无法核对 — {item.describe()}",
            entry,
            severity=Severity.WARNING,
            entity=str(item.year),
            policy_key="county-budget-growth-min",
        )
        return
    if not previous.special_fund:
        return
    yield from check(
        BudgetError,
        rule="B06",
        title="专项扶贫资金预算增幅",
        scope=f"county-budget {item.year}",
        value=ratio(item.special_fund - previous.special_fund, previous.special_fund),
        op=">=",
        threshold=growth,
        unit="pct",
        policy_key="county-budget-growth-min",
        entity=str(item.year),
        label=item.describe(),
        inputs=f"{item.year}年 {fmt_money(item.special_fund)} / {previous.year}年 "
        f"{fmt_money(previous.special_fund)} CNY − 1",
        entry=entry,
        year=item.year,
    )


def department_targeting(book: Book) -> Iterator[Item]:
    """B07 per department and project year."""
    for row in department_shares(book, book_register(book)):
        if not row.total:
            continue
        policy = book.policy.at(datetime.date(row.year, 12, 31))
        yield from check(
            BudgetError,
            rule="B07",
            title="部门到村到户项目资金用于贫困村、贫困户比例",
            scope=f"department {row.department} {row.year}",
            value=row.share,
            op=">=",
            threshold=policy.department_target_share_min,
            unit="pct",
            policy_key="department-target-share-min",
            entity=row.department,
            label=f"{row.department} {row.year}年 ({len(row.projects)} 个项目)",
            inputs=f"贫困村/户 {fmt_money(row.poor)} / 合计 {fmt_money(row.total)} CNY",
            entry=book.entry_of(row.projects[0]),
            year=row.year,
        )


def budget_rules(book: Book) -> Iterator[Item]:
    yield from budget_years(book)
    yield from department_targeting(book)


RULE = Rule(
    ("B04", "B05", "B06", "B07"),
    "县级投入: 不减、占财政收入比例、增幅与部门到村到户比例",
    "seed 002 (安阳: 不低于2020年水平); seed 003 (靖边: ≥地方财政收入2%, 年增≥20%, 部门资金60%以上到贫困村户)",
    budget_rules,
)
