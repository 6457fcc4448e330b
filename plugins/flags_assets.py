"""Red flags on project assets: idle or unearning (K7), weak benefit (K8), undistributed (K15), leases (K17).

Assets, rights and income plans are issue 3's entities (:mod:`fupin.assets`); asset income
posts to ``Income:AssetIncome:<ASSET>``, its payouts to ``Expenses:IncomeDistribution:<ASSET>``
(``plan:`` on the transaction, ``household:`` on each household's posting), upkeep to any
expense of a transaction tagged ``asset:``. Evaluated on the ledger's last date:

* **K7 资产闲置** [DOMAIN K7]: an asset whose status is ``idle`` for more than
  ``asset-idle-months``; an operating asset in use that declares an ``income_basis`` and has
  had no income for ``asset-income-months`` (since its handover or its last income); a
  public-welfare asset in use with no upkeep (管护) spending for ``asset-upkeep-months``
  when ``asset-upkeep-required`` is on — all warnings. (No custodian at all is B37.)
* **K8 利益联结弱** [DOMAIN K8]: the households' part of a plan's payouts (postings naming a
  ``household``; a payout's plan as B39 attributes it, payouts naming none per asset) below
  ``linkage-share-min`` of the payouts — a warning at the last payout.
* **K15 收益未分配** [DOMAIN K15]: an asset's income, aged FIFO against its payouts and other
  uses, not used within ``distribution-months`` — a warning at the oldest income.
* **K17 有租无合同** [DOMAIN K17]: rent (an income transaction whose narration says 租金 or
  whose account has a ``Rent`` component) with no operation right of a lease mode (租赁,
  出租) in force that day, or after that right's ``until`` — a warning.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from beancount.core.data import Transaction
from fupin.plugins.flags_common import (
    add_months,
    flag,
    memo,
    months_between,
    red_flag_rule,
    spend_index,
)

from fupin.assets import Asset, AssetEvent, AssetRegister, asset_of_account, asset_register
from fupin.book import Book
from fupin.engine import Item
from fupin.findings import Severity
from fupin.money import ZERO, fmt_money, fmt_pct, ratio

LEASE_WORDS = ("租赁", "出租", "lease")


def _incomes(book: Book) -> dict[str, list[tuple[datetime.date, Decimal, Transaction]]]:
    """Per asset: (date, amount received, transaction), in date order."""

    def build() -> dict[str, list[tuple[datetime.date, Decimal, Transaction]]]:
        out: dict[str, list[tuple[datetime.date, Decimal, Transaction]]] = defaultdict(list)
        for income in book.incomes:
            ident = asset_of_account(income.account)
            if ident and income.amount < 0:
                out[ident].append((income.date, -income.amount, income.entry))
        return out

    value: dict[str, list[tuple[datetime.date, Decimal, Transaction]]]
    value = memo("asset-incomes", book, build)
    return value


def _uses(book: Book) -> dict[str, list[tuple[datetime.date, Decimal, Transaction]]]:
    """Per asset: payouts and other spending from its income (upkeep included)."""
    uses: dict[str, list[tuple[datetime.date, Decimal, Transaction]]]
    uses = spend_index(book).asset_uses
    return uses


def _since(asset: Asset) -> datetime.date:
    return asset.handover or asset.accepted or asset.date


def idle_assets(book: Book) -> Iterator[Item]:
    """K7: idle assets, operating assets without income, public-welfare assets without upkeep."""
    last = book.last_date
    if last is None:
        return
    register = asset_register(book)
    policy = book.policy.at(last)
    incomes, uses = _incomes(book), _uses(book)
    for ident, asset in register.assets.items():
        if asset.date > last:
            continue
        status = register.status_on(ident, last)
        if status == "disposed":
            continue
        if status == "idle":
            since, event = _idle_since(register, asset, last)
            months = months_between(since, last)
            if add_months(since, policy.asset_idle_months) < last:
                yield _k7(
                    book,
                    asset,
                    f"状态闲置 {months} 个月 > {policy.asset_idle_months} 个月 (asset-idle-months)",
                    since,
                    "asset-idle-months",
                    event,
                )
            continue
        if status != "in_use":
            continue
        if asset.asset_class == "operating" and asset.income_basis:
            dates = [d for d, _, _ in incomes.get(ident, ())]
            since = max([_since(asset), *dates])
            if add_months(since, policy.asset_income_months) < last:
                yield _k7(
                    book,
                    asset,
                    f"经营性资产 {months_between(since, last)} 个月无收益 > "
                    f"{policy.asset_income_months} 个月 (asset-income-months); "
                    f"收益方式 {asset.income_basis}",
                    since,
                    "asset-income-months",
                )
        elif asset.asset_class == "public_welfare" and policy.asset_upkeep_required:
            dates = [d for d, _, _ in uses.get(ident, ())]
            since = max([_since(asset), *dates])
            if add_months(since, policy.asset_upkeep_months) < last:
                yield _k7(
                    book,
                    asset,
                    f"公益性资产 {months_between(since, last)} 个月无管护支出 > "
                    f"{policy.asset_upkeep_months} 个月 (asset-upkeep-months)",
                    since,
                    "asset-upkeep-months",
                )


def _idle_since(
    register: AssetRegister, asset: Asset, last: datetime.date
) -> tuple[datetime.date, AssetEvent | None]:
    """When the asset's current status began, and the event that set it (None: registered so)."""
    status: str = asset.status
    since, cause = asset.date, None
    for event in register.events.get(asset.id, ()):
        if event.date > last:
            break
        if event.new_status and event.new_status != status:
            status, since, cause = event.new_status, event.date, event
    return since, cause


def _k7(
    book: Book,
    asset: Asset,
    text: str,
    since: datetime.date,
    key: str,
    event: AssetEvent | None = None,
) -> Item:
    found: Item = flag(
        "K7",
        f"{text} — {asset.describe()}; 原值 {fmt_money(asset.original_value)} CNY, 自 {since}",
        book.entry_of(event if event is not None else asset),
        severity=Severity.WARNING,
        entity=asset.id,
        amount=asset.original_value,
        policy_key=key,
    )
    return found


def household_share(book: Book) -> Iterator[Item]:
    """K8: the households' part of each plan's payouts is at least ``linkage-share-min``.

    A plan's payouts are those :func:`fupin.facts.plan_of` gives it (B39's and the income
    notices' one attribution rule); payouts that name no plan (B39 reports them) are
    measured per asset, named as such, never as a plan."""
    facts = book.facts
    scopes: list[tuple[str, str, Decimal, Decimal, Transaction]] = []
    for ident, held in facts.plans.items():
        if held.payouts:
            households = sum((s.total for s in held.households.values()), ZERO)
            scopes.append(
                (ident, f"plan {ident}", held.paid.total, households, held.payouts[-1][0])
            )
    loose: dict[str, list[Any]] = {}
    for txn, spends in facts.unattributed_payouts:
        for spend in spends:
            asset = asset_of_account(spend.account) or ""
            row = loose.setdefault(asset, [ZERO, ZERO, txn])
            row[0] += spend.amount
            if spend.household:
                row[1] += spend.amount
            row[2] = txn
    for asset, (total, households, txn) in loose.items():
        scopes.append((asset, f"asset {asset}, 未引用分配方案 plan:", total, households, txn))
    for entity, scope, total, households, entry in scopes:
        if total <= 0:
            continue
        policy = book.policy.at(entry.date)
        share = ratio(households, total)
        if share >= policy.linkage_share_min:
            continue
        yield flag(
            "K8",
            f"收益分配到户比例 {fmt_pct(share)} < {fmt_pct(policy.linkage_share_min)} "
            f"(linkage-share-min) — [{scope}]; 到户 {fmt_money(households)} / "
            f"分配 {fmt_money(total)} CNY",
            entry,
            severity=Severity.WARNING,
            entity=entity,
            amount=total - households,
            threshold=policy.linkage_share_min,
            policy_key="linkage-share-min",
        )


def undistributed(book: Book) -> Iterator[Item]:
    """K15: asset income not used within ``distribution-months`` (FIFO)."""
    last = book.last_date
    if last is None:
        return
    policy = book.policy.at(last)
    uses = _uses(book)
    assets = book.by_id(Asset)
    for ident, received in _incomes(book).items():
        used = sum((a for _, a, _ in uses.get(ident, ())), ZERO)
        total = sum((a for _, a, _ in received), ZERO)
        left = total - used
        lots = []
        for day, amount, entry in reversed(received):
            if left <= 0:
                break
            part = min(amount, left)
            lots.append((day, part, entry))
            left -= part
        before = add_months(last, -policy.distribution_months)
        late = [(d, a, e) for d, a, e in lots if d < before]
        if not late:
            continue
        amount = sum((a for _, a, _ in late), ZERO)
        oldest = min(late, key=lambda lot: lot[0])
        asset = assets.get(ident)
        yield flag(
            "K15",
            f"资产收益超过 {policy.distribution_months} 个月未分配 {fmt_money(amount)} CNY "
            f"(distribution-months) — {asset.describe() if asset else f'[asset {ident}]'}; "
            f"最早 {oldest[0]} 到账, 截至 {last}; 收益 {fmt_money(total)} − 使用 "
            f"{fmt_money(used)} CNY",
            oldest[2],
            severity=Severity.WARNING,
            entity=ident,
            amount=amount,
            policy_key="distribution-months",
        )


def leases(book: Book) -> Iterator[Item]:
    """K17: rent with no lease in force, or after the lease ended."""
    register = None
    for income in book.incomes:
        ident = asset_of_account(income.account)
        if not ident or income.amount >= 0:
            continue
        txn = income.entry
        if "租金" not in (txn.narration or "") and "Rent" not in income.account.split(":"):
            continue
        if register is None:
            register = asset_register(book)
        holders = register.holders_on(ident, "operation", income.date)
        lease = [h for h in holders if any(w in (h.mode or "") for w in LEASE_WORDS)]
        if not lease:
            why = "收租日无租赁经营权(合同)记录"
        else:
            ended = [h for h in lease if h.until is not None and h.until < income.date]
            if len(ended) < len(lease):
                continue
            why = f"租赁合同 {ended[0].until} 到期后仍收租"
        yield flag(
            "K17",
            f"租金 {fmt_money(-income.amount)} CNY {why} — [asset {ident}]; 付租方 "
            f"{txn.payee or '?'}",
            txn,
            severity=Severity.WARNING,
            entity=ident,
            amount=-income.amount,
        )


RULES = (
    red_flag_rule("K7", idle_assets),
    red_flag_rule("K8", household_share, "收益分配"),
    red_flag_rule("K15", undistributed),
    red_flag_rule("K17", leases),
)
