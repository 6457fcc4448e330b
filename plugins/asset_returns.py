"""E01/E02: asset income against its expected return; cash payouts need a labour basis.

* E01 [DOMAIN E.3 预期收益; 新乡红旗区 2022]: for each full year of an ``asset-return``
  (:mod:`fupin.asset_returns`), the income booked equals ``rate × base`` (to the cent, half
  up) within ``asset-return-tolerance`` (0.00); a difference is a warning at the return entry:
  1,468,900.00 × 6% = 88,134.00 against 88,133.13 booked is 0.87 short;
* E02 [seed 001 "以奖代补、多劳多得", 产业扶贫项目收益 only as 劳务补助、务工奖励; DOMAIN E.6
  "cash payouts without labour/condition basis → warning"]: an asset-income payout to a
  household (``Expenses:IncomeDistribution:*`` posting naming ``household``) names a
  ``basis`` containing a word of ``asset-payout-basis-values`` (务工, 公益岗位, 奖补 …),
  unless the register records the household without labour capacity
  (``asset-payout-no-labour-exempt``: 兜底 for 无劳动能力户); otherwise a warning.
"""

from __future__ import annotations

from collections.abc import Iterator

from fupin.asset_returns import AssetReturnError, return_years
from fupin.book import Book
from fupin.engine import Item, Rule, check
from fupin.findings import Severity
from fupin.households import book_register
from fupin.money import fmt_money, fmt_pct


def expected_returns(book: Book) -> Iterator[Item]:
    """E01 per asset and full year."""
    for row in return_years(book):
        item = row.entity
        policy = book.policy.at(item.date)
        name = row.asset.name if row.asset else ""
        yield from check(
            AssetReturnError,
            rule="E01",
            title=f"{row.year}年资产收益到账",
            scope=f"asset {item.asset} {row.year}",
            value=row.booked,
            op="==",
            threshold=row.expected,
            severity=Severity.WARNING,
            policy_key="asset-return-tolerance",
            entity=item.asset,
            label=f"{name} [asset {item.asset}]".strip(),
            inputs=f"预期 {fmt_money(row.base)} × {fmt_pct(item.rate)} = "
            f"{fmt_money(row.expected)}, {'少收' if row.difference < 0 else '多收'} "
            f"{fmt_money(abs(row.difference))} CNY",
            entry=book.entry_of(item),
            tolerance=policy.asset_return_tolerance,
            year=row.year,
        )


def payout_basis(book: Book) -> Iterator[Item]:
    """E02: household payouts of asset income carry a labour or condition basis."""
    register = book_register(book)
    for spend in book.spends:
        if spend.category != "IncomeDistribution" or not spend.household:
            continue
        own = spend.posting_meta or {}
        basis = str(own.get("basis") or spend.entry.meta.get("basis") or "")
        policy = book.policy.at(spend.date)
        if any(word in basis for word in policy.asset_payout_basis_values):
            continue
        household = register.households.get(str(spend.household)) if register else None
        if (
            policy.asset_payout_no_labour_exempt
            and household is not None
            and household.has_labour() is False
        ):
            continue
        yield AssetReturnError(
            own if own.get("lineno") else spend.entry.meta,
            f"E02 warning: 资产收益现金发放到户 {fmt_money(spend.amount)} CNY 无劳务/条件依据 "
            f"(basis{': ' + basis if basis else ' 缺失'}; asset-payout-basis-values) — "
            f"[household {spend.household}] {book.account_label(spend.account)}",
            spend.entry,
            rule="E02",
            severity=Severity.WARNING,
            value=spend.amount,
            entity=str(spend.household),
            policy_key="asset-payout-basis-values",
        )


def asset_return_rules(book: Book) -> Iterator[Item]:
    yield from expected_returns(book)
    yield from payout_basis(book)


RULE = Rule(
    ("E01", "E02"),
    "资产收益: 预期收益到账与到户发放依据",
    "N-ASSET2021 §(5) (收益分配方案与预期收益); seed 001 (以奖代补、多劳多得)",
    asset_return_rules,
)
