"""Expected returns of operating assets (预期收益, DOMAIN E.3) against the income booked.

An operating asset leased, entrusted or invested for a fixed return declares it, dated::

    2022-01-01 custom "asset-return" "A-2022-HQ-01"
      rate: 0.06                 ; or "6%": the yearly return on the base
      base: 1468900.00 CNY       ; default: the asset's original value (Σ funding)
      since: 2022-01-01          ; default: the entry's date
      until: 2026-12-31          ; optional: the contract's last day
      basis: "委托经营 固定收益 6%"

For every full calendar year inside ``since``..``until`` that the ledger covers, the income
booked on ``Income:AssetIncome:<ASSET>`` for that year (a transaction's ``year:``, else its
date's year) is compared with ``rate × base`` rounded to the cent, half up (新乡红旗区 2022:
1,468,900.00 × 6% = 88,134.00 against 88,133.13 published: a 0.87 difference).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from fupin.assets import Asset, asset_of_account
from fupin.entities import Entity, Money, Rate
from fupin.findings import Finding
from fupin.money import HUNDRED, ZERO, q2, to_year

if TYPE_CHECKING:
    from fupin.book import Book


class AssetReturnError(Finding):
    """E01/E02: asset income off its expected return; a cash payout without a basis."""

    __slots__ = ()


class AssetReturn(Entity):
    """An asset's contracted yearly return: ``custom "asset-return" "<ASSET>"``."""

    kind: ClassVar[str] = "asset-return"
    label: ClassVar[str] = "资产预期收益"
    positional: ClassVar[tuple[str, ...]] = ("asset",)
    refs: ClassVar[dict[str, str]] = {"asset": "asset"}

    asset: str
    rate: Rate
    base: Money | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None
    basis: str | None = None
    note: str | None = None

    @property
    def first_day(self) -> datetime.date:
        return self.since or self.date

    def describe(self) -> str:
        return f"预期收益 {q2(self.rate * HUNDRED)}% [asset {self.asset}]"


@dataclass(frozen=True)
class ReturnYear:
    """One full year of an asset's expected return and the income booked for it."""

    entity: AssetReturn
    asset: Asset | None
    year: int
    base: Decimal
    expected: Decimal
    booked: Decimal

    @property
    def difference(self) -> Decimal:
        return self.booked - self.expected


def booked_income(book: Book) -> dict[tuple[str, int], Decimal]:
    """Asset income per (asset, income year), positive."""
    out: dict[tuple[str, int], Decimal] = defaultdict(lambda: ZERO)
    for movement in book.incomes:
        asset = asset_of_account(movement.account)
        if asset is None:
            continue
        year = to_year(movement.entry.meta.get("year")) or movement.date.year
        out[(asset, year)] -= movement.amount
    return dict(out)


def return_years(book: Book) -> list[ReturnYear]:
    """Every full, covered year of every declared return (shared by rule and pages)."""

    def build() -> list[ReturnYear]:
        last = book.last_date
        if last is None:
            return []
        assets = book.by_id(Asset)
        income = booked_income(book)
        out = []
        for item in book.all(AssetReturn):
            asset = assets.get(item.asset)
            base = item.base if item.base is not None else (asset.original_value if asset else None)
            if base is None:
                continue
            first = item.first_day
            start = first.year if (first.month, first.day) == (1, 1) else first.year + 1
            for year in range(start, last.year + 1):
                end = datetime.date(year, 12, 31)
                if end > last or (item.until is not None and item.until < end):
                    break
                out.append(
                    ReturnYear(
                        item,
                        asset,
                        year,
                        base,
                        q2(base * item.rate),
                        income.get((item.asset, year), ZERO),
                    )
                )
        return out

    return book.shared("asset-return-years", build)
