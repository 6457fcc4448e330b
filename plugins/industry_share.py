"""B02/B03/B08/B09: the industry share of fiscal poverty funds, per budget year and per batch.

``industry share = Σ expenses in an industry category / Σ all expenses`` of the funds whose
family is in ``fiscal-families``, grouped by the fund's budget year. The threshold is
``industry-share-min`` in force on 31 December of that year: 50% by default ([seed
002_614e7ab1822f3d29.txt] "50%以上"), 55% for 2022 (B08) and 60% from 2023 (B09, "力争",
so a county may set ``industry-share-severity`` to ``warning``). ``industry-share-strict``
turns ≥ into >. A fund with its own ``industry_share_min`` (a batch, B03: 安阳县 "70%以上")
is checked alone as well. The ratio is an exact Decimal quotient; shown to 0.01%, half up.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from fupin.book import Book
from fupin.engine import Item, Rule, check
from fupin.entities import Fund
from fupin.findings import IndustryShareError
from fupin.money import fmt_money, ratio
from fupin.policy import Policy

TITLE = "产业发展资金占比"


def industry_share(book: Book) -> Iterator[Item]:
    """Per budget year over fiscal funds, and per fund that sets its own minimum."""
    funds = book.funds
    year_end: dict[int, Policy] = {}
    sums: dict[object, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for ident, totals in book.fund_totals.items():
        fund = funds.get(ident)
        if fund is None:
            continue
        year = fund.budget_year
        policy = year_end.get(year)
        if policy is None:
            policy = year_end[year] = book.policy.at(datetime.date(year, 12, 31))
        industry = sum(
            (v for c, v in totals.by_category.items() if c in policy.industry_categories),
            Decimal(0),
        )
        total = sum(totals.by_category.values(), Decimal(0))
        keys: list[object] = [fund.id]
        if fund.family in policy.fiscal_families:
            keys.append(year)
        for key in keys:
            pair = sums[key]
            pair[0] += industry
            pair[1] += total

    first_fund: dict[int, Fund] = {}
    for fund in sorted(funds.values(), key=lambda f: f.date):
        first_fund.setdefault(fund.budget_year, fund)

    for key, (industry, total) in sorted(sums.items(), key=lambda kv: str(kv[0])):
        if not total:
            continue
        if isinstance(key, int):
            policy = year_end[key]
            threshold, rule = policy.industry_share_min, "B02"
            anchor = first_fund[key]
            scope, label = f"{key}年度", f"{key}年度财政扶贫/衔接资金"
            entity = str(key)
            end = datetime.date(key, 12, 31)
            metas = [
                book.policy.origin(k, end)
                for k in ("industry-share-min", "industry-share-severity")
            ]
            meta = next((m for m in metas if m and m.get("note")), metas[0])
        else:
            fund = funds[str(key)]
            if fund.industry_share_min is None:
                continue
            policy = year_end[fund.budget_year]
            threshold, rule, anchor = fund.industry_share_min, "B03", fund
            scope, label, entity, meta = f"fund {fund.id}", fund.describe(), fund.id, None
        yield from check(
            IndustryShareError,
            rule=rule,
            title=TITLE,
            scope=scope,
            value=ratio(industry, total),
            op=">" if policy.industry_share_strict else ">=",
            threshold=threshold,
            severity=policy.industry_share_severity,
            unit="pct",
            policy_key="industry-share-min" if rule == "B02" else "industry_share_min",
            entity=entity,
            label=label,
            inputs=f"产业 {fmt_money(industry)} / 合计 {fmt_money(total)} CNY",
            entry=book.entry_of(anchor),
            year=key if isinstance(key, int) else funds[str(key)].budget_year,
            note=str((meta or {}).get("note", "")),
        )


RULE = Rule(
    ("B02", "B03"),
    "产业发展资金占比",
    "seed 002_614e7ab1822f3d29.txt (≥50%, 安阳县 batch ≥70%); N-SHARE2022 (55%); N-SHARE2023 (60%)",
    industry_share,
)
