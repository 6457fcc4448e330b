"""B20/B21/B24: restricted money stays on its earmark (专款专用、专账核算).

For every expense posting of a restricted fund (``restricted: TRUE``, the default):

* B20 (衔接资金, N-FUND2021) / B21 (财政专项扶贫资金, N-FUND2017 art. 10): its category is
  not on the negative list ``negative-categories`` (单位基本支出、交通工具及通讯设备、楼堂馆所、
  奖金津贴福利、偿还债务和垫资);
* B24: it names a known ``project`` whose category it matches, or, in a
  ``household-categories`` category, a ``household``; only ``no-project-categories``
  (the management fee) need neither.

And for every transaction: it draws on one fund only, and no restricted money moves to an
account that belongs to no fund (an agency's own operating account, a loan receivable).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from fupin.book import Book
from fupin.engine import Item, Rule, check, finding
from fupin.findings import EarmarkError
from fupin.money import fmt_money
from fupin.policy import Policy

NEGATIVE_RULE = {"xianjie": "B20", "special_poverty": "B21"}


def earmark(book: Book) -> Iterator[Item]:
    """Negative list, project/household naming and leaks to general accounts, per posting."""
    funds = book.funds
    projects = book.projects
    negative: dict[str, Decimal] = defaultdict(Decimal)
    unnamed: dict[str, int] = defaultdict(int)
    leaked: dict[str, Decimal] = defaultdict(Decimal)

    # Most postings repeat a (fund, category, project, household?, policy) combination that
    # is known to be fine: remember those and skip them.
    fine: set[tuple[object, ...]] = set()
    policies: dict[datetime.date, Policy] = {}  # the policy in force, looked up once a day
    for spend in book.spends:
        policy = policies.get(spend.date)
        if policy is None:
            policy = policies[spend.date] = book.policy.at(spend.date)
        key = (spend.fund, spend.category, spend.project, spend.household is None, id(policy))
        if key in fine:
            continue
        fund = funds.get(spend.fund or "")
        if fund is None or not fund.restricted:
            fine.add(key)
            continue
        if spend.category in policy.negative_categories:
            negative[fund.id] += spend.amount
            yield finding(
                EarmarkError,
                NEGATIVE_RULE.get(fund.family, "B20"),
                f"负面清单支出 {fmt_money(spend.amount)} CNY 列入 {book.account_label(spend.account)} (negative-categories) — "
                f"{fund.describe()}",
                spend.entry,
                entity=fund.id,
                policy_key="negative-categories",
                value=spend.amount,
            )
            continue
        if spend.category in policy.no_project_categories:
            fine.add(key)
            continue
        if spend.category in policy.household_categories:
            if spend.household:
                fine.add(key)
            else:
                unnamed[fund.id] += 1
                yield finding(
                    EarmarkError,
                    "B24",
                    f"到户支出未注明 household — {fund.describe()}; {book.account_label(spend.account)} "
                    f"{fmt_money(spend.amount)} CNY",
                    spend.entry,
                    entity=fund.id,
                    policy_key="household-categories",
                )
            continue
        project = projects.get(spend.project or "")
        if project is None:
            unnamed[fund.id] += 1
            what = f"未知项目 {spend.project}" if spend.project else "未注明 project"
            yield finding(
                EarmarkError,
                "B24",
                f"专款支出{what} — {fund.describe()}; {book.account_label(spend.account)} "
                f"{fmt_money(spend.amount)} CNY",
                spend.entry,
                entity=fund.id,
            )
        elif spend.category != project.category:
            unnamed[fund.id] += 1
            yield finding(
                EarmarkError,
                "B24",
                f"支出科目 {spend.account} 与项目类别 {project.category} 不符 — {project.describe()}; "
                f"{fmt_money(spend.amount)} CNY 来自 {fund.describe()}",
                spend.entry,
                entity=project.id,
            )
        else:
            fine.add(key)

    for movement in book.movements:
        fund = funds.get(movement.fund or "")
        if movement.role != "general" or fund is None or not fund.restricted:
            continue
        if movement.amount > 0:
            leaked[fund.id] += movement.amount
            yield finding(
                EarmarkError,
                "B24",
                f"专款转入非专户账户 {movement.account} {fmt_money(movement.amount)} CNY — "
                f"{fund.describe()}",
                movement.entry,
                entity=fund.id,
                value=movement.amount,
            )

    for txn, ids in book.mixed:
        yield finding(
            EarmarkError,
            "B24",
            f"一张凭证动用多个资金 ({', '.join(ids)}); 专账核算要求每笔支出只来自一个资金",
            txn,
            entity=",".join(ids),
        )

    for fund in funds.values():
        if not fund.restricted:
            continue
        label, entry = fund.describe(), book.entry_of(fund)
        scope = f"fund {fund.id}"
        yield from check(
            EarmarkError,
            rule=NEGATIVE_RULE.get(fund.family, "B20"),
            title="负面清单支出",
            scope=scope,
            value=negative[fund.id],
            op="<=",
            threshold=Decimal(0),
            policy_key="negative-categories",
            entity=fund.id,
            label=label,
            entry=entry,
            report=False,
            year=fund.budget_year,
        )
        yield from check(
            EarmarkError,
            rule="B24",
            title="未注明项目/农户的专款支出笔数",
            scope=scope,
            value=unnamed[fund.id],
            op="<=",
            threshold=0,
            unit="count",
            entity=fund.id,
            label=label,
            entry=entry,
            report=False,
            year=fund.budget_year,
        )
        yield from check(
            EarmarkError,
            rule="B24",
            title="转入非专户金额",
            scope=scope,
            value=leaked[fund.id],
            op="<=",
            threshold=Decimal(0),
            entity=fund.id,
            label=label,
            entry=entry,
            report=False,
            year=fund.budget_year,
        )


RULE = Rule(
    ("B20", "B21", "B24"),
    "专款专用与负面清单",
    "N-FUND2021 (负面清单); N-FUND2017 art. 10; seed 003_51c41f0f276e6241.txt (专款专用)",
    earmark,
)
