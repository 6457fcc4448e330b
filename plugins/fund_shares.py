"""B01: a fund's contributions by source match its declared shares.

A fund declares ``total`` and ``shares`` (e.g. the seed's district special fund,
[seed 000_33b9fa698911b5ee.txt]: 1,000,000 yuan = 70% government, 20% raised, 10% donations)::

    2021-01-05 custom "fund" "SF-KDL"
      name: "区专项扶贫基金"
      family: "special_fund"
      total: 1000000.00 CNY
      shares: "Government=0.70 Raised=0.20 Donation=0.10"
      close: 2021-12-31

Receipts post to ``Income:Fund:SF-KDL:<Source>``. Checked, with ``fund-split-tolerance``
(default 0.00) and each expected amount = share × base rounded half-up to the cent:

* on every date: no source has given more than share × total;
* on the close date: each source has given exactly share × total;
* on each ``custom "fund-check" "SF-KDL"`` date: each source's part of what has arrived is
  its share of it (share × received so far).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from beancount.core.data import Custom

from fupin.book import Book, Receipt
from fupin.engine import Item, Rule, check, finding
from fupin.entities import Fund, FundCheck
from fupin.findings import FundShareError
from fupin.money import ZERO, fmt_money, q2

TITLE = "资金来源构成"


def _by_source(receipts: list[Receipt], until: datetime.date) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for receipt in receipts:
        if receipt.date <= until:
            totals[receipt.source] += receipt.amount
    return totals


def fund_split(book: Book) -> Iterator[Item]:
    """Compare each fund's receipts by source with its declared shares."""
    receipts: dict[str, list[Receipt]] = defaultdict(list)
    for receipt in book.receipts:
        receipts[receipt.fund].append(receipt)
    checks: dict[str, list[FundCheck]] = defaultdict(list)
    for fund_check in book.all(FundCheck):
        checks[fund_check.fund].append(fund_check)
    last = book.last_date or datetime.date.max
    funds = book.funds

    for ident in checks.keys() - funds.keys():
        entry = book.entry_of(checks[ident][0])
        yield finding(
            FundShareError,
            "B01",
            f"资金来源核对引用了不存在的资金 [fund {ident}]",
            entry,
            entity=ident,
        )

    for fund in funds.values():
        if not fund.shares or fund.total is None:
            continue
        policy = book.policy.at(fund.close or last)
        tol = policy.fund_split_tolerance
        entry = book.entry_of(fund)
        own = receipts.get(fund.id, [])
        now = _by_source(own, last)
        for source in sorted(now.keys() - fund.shares.keys()):
            bad = next(r for r in own if r.source == source)
            yield finding(
                FundShareError,
                "B01",
                f"来源 {source} 不在声明的出资构成内 ({', '.join(fund.shares)}) — {fund.describe()}; "
                f"收到 {fmt_money(now[source])} CNY",
                bad.entry,
                entity=fund.id,
            )
        names = {s: book.account_name(f"Income:Fund:{fund.id}:{s}") for s in fund.shares}
        for source, share in fund.shares.items():
            cap = q2(share * fund.total)
            yield from check(
                FundShareError,
                rule="B01",
                title=f"{TITLE} {names[source]} 累计出资",
                scope=f"fund {fund.id}",
                value=now.get(source, ZERO),
                op="<=",
                threshold=cap + tol,
                policy_key="shares",
                entity=fund.id,
                label=fund.describe(),
                entry=entry,
                year=fund.budget_year,
                inputs=f"{source} 份额 {share} × 总额 {fmt_money(fund.total)} CNY",
            )
        if fund.close and fund.close <= last:
            at_close = _by_source(own, fund.close)
            yield from _split_on(book, fund, fund.close, at_close, fund.total, "总额", entry, tol)
        for fund_check in checks.get(fund.id, []):
            then = _by_source(own, fund_check.date)
            received = sum(then.values(), ZERO)
            anchor = book.entry_of(fund_check)
            yield from _split_on(book, fund, fund_check.date, then, received, "已到位", anchor, tol)


def _split_on(
    book: Book,
    fund: Fund,
    day: datetime.date,
    given: dict[str, Decimal],
    base: Decimal,
    base_name: str,
    entry: Custom,
    tol: Decimal,
) -> Iterator[Item]:
    """Each source gave exactly its share of ``base`` by ``day`` (to the cent, half up)."""
    for source, share in (fund.shares or {}).items():
        yield from check(
            FundShareError,
            rule="B01",
            title=f"{TITLE} {book.account_name(f'Income:Fund:{fund.id}:{source}')} 截至{day}",
            scope=f"fund {fund.id}",
            value=given.get(source, ZERO),
            op="==",
            threshold=q2(share * base),
            tolerance=tol,
            policy_key="fund-split-tolerance",
            entity=fund.id,
            label=fund.describe(),
            entry=entry,
            year=fund.budget_year,
            inputs=f"{source} 份额 {share} × {base_name} {fmt_money(base)} CNY",
        )


RULE = Rule(("B01",), "资金来源构成 (70/20/10)", "seed 000_33b9fa698911b5ee.txt", fund_split)
