"""B04–B07: the county's own money — floor, growth, non-decrease, departments' targeting.

Budget years are ``custom "county-budget" "<YEAR>"`` entries (:mod:`fupin.budget`), compared
per level (county, city) with the policy in force on each year's 31 December:

* B04 [seed 002 安阳 "投入不低于2020年的水平"]: the special fund is not below the previous
  recorded year (``county-budget-non-decreasing``): 29,990,000 after 30,000,000 fails;
* B05 [seed 003 靖边 "不低于地方财政收入2%"]: special fund ≥ ``county-budget-revenue-share-min``
  × revenue (a year without ``revenue`` is not measured);
* B06 [seed 003 靖边 "逐年递增幅度不低于20%"]: special fund ≥ (1 + ``county-budget-growth-min``)
  × the year before's (consecutive years; 0 switches it off): 21,000,000 after 18,000,000
  (16.67%) fails;
* B07 [seed 003 靖边 "涉农部门…60%以上用于贫困村、贫困户"]: per project ``department`` and
  project year, the spending to poor villages (``village_status``) or registered households is
  ≥ ``department-target-share-min`` of the department's project spending.

Growth and shares are exact quotients, shown to 0.01%.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from fupin.book import Book
from fupin.budget import BudgetError, budgets, department_shares
from fupin.engine import Item, Rule, check
from fupin.households import book_register
from fupin.money import fmt_money, ratio


def budget_years(book: Book) -> Iterator[Item]:
    """B04, B05, B06 per level and year."""
    for items in budgets(book).values():
        previous = None
        for item in items:
            policy = book.policy.at(datetime.date(item.year, 12, 31))
            entry = book.entry_of(item)
            label = item.describe()
            if previous is not None and policy.county_budget_non_decreasing:
                yield from check(
                    BudgetError,
                    rule="B04",
                    title="专项扶贫资金预算",
                    scope=f"county-budget {item.year}",
                    value=item.special_fund,
                    op=">=",
                    threshold=previous.special_fund,
                    policy_key="county-budget-non-decreasing",
                    entity=str(item.year),
                    label=label,
                    inputs=f"{previous.year}年 {fmt_money(previous.special_fund)} CNY",
                    entry=entry,
                    year=item.year,
                )
            if item.revenue is not None:
                floor = policy.county_budget_revenue_share_min
                yield from check(
                    BudgetError,
                    rule="B05",
                    title="专项扶贫资金占地方财政收入比例",
                    scope=f"county-budget {item.year}",
                    value=ratio(item.special_fund, item.revenue),
                    op=">=",
                    threshold=floor,
                    unit="pct",
                    policy_key="county-budget-revenue-share-min",
                    entity=str(item.year),
                    label=label,
                    inputs=f"预算 {fmt_money(item.special_fund)} / 地方财政收入 "
                    f"{fmt_money(item.revenue)} CNY",
                    entry=entry,
                    year=item.year,
                )
            growth = policy.county_budget_growth_min
            if previous is not None and previous.year == item.year - 1 and growth > 0:
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
                    label=label,
                    inputs=f"{item.year}年 {fmt_money(item.special_fund)} / {previous.year}年 "
                    f"{fmt_money(previous.special_fund)} CNY − 1",
                    entry=entry,
                    year=item.year,
                )
            previous = item


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
