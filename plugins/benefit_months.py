"""C12: a monthly benefit within its monthly amount, a 补发 within the amount × its months.

A county that sets ``benefit-monthly-max`` (the most a kind pays a household a month: the
account path below ``Expenses:Benefit``, longest prefix wins; off by default, DOMAIN gives
no monthly amount)::

    2023-01-01 custom "policy" "benefit-monthly-max" "Dibao=500.00"
      source: "县民政局 2023年农村低保标准"

has each household's payments of the kind summed per calendar month: a payment naming its
``period`` (fupin.periods) fills the months of it in order, each up to the month's amount,
the last month taking the rest (so 补发 ``2024-01..2024-02`` may pay 2 × 500.00 = 1,000.00,
and 1,000.01 is February's 500.01 > 500.00); one without a period counts in its own month.
The amount of a month is the policy's in force on the month's last day, or on the payment
date when that comes first. A finding per breach at the posting; a measure per year.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from fupin.benefits import Payment, benefit_payments
from fupin.book import Book
from fupin.engine import Item, Rule, check
from fupin.findings import BenefitError, Measure, Severity
from fupin.households import benefit_kind_path
from fupin.money import ZERO, compare, fmt_money

Month = tuple[int, int]


def _prefix(kind: str, amounts: dict[str, Decimal]) -> str:
    """The longest ``benefit-monthly-max`` key the kind path is (or lies below)."""
    best = ""
    for key in amounts:
        if (kind == key or kind.startswith(key + ":")) and len(key) > len(best):
            best = key
    return best


def _months(payment: Payment) -> list[Month]:
    period = payment.period
    return period.months() if period is not None else [(payment.date.year, payment.date.month)]


def _cap(book: Book, payment: Payment, key: str, month: Month) -> Decimal:
    """The month's amount for ``key``: the policy on the month's last day (the payment date
    when earlier); 0 when that policy no longer names the kind."""
    year, number = month
    last = datetime.date(year, number, calendar.monthrange(year, number)[1])
    amounts = book.policy.at(min(last, payment.date)).benefit_monthly_max
    return amounts.get(key, ZERO)


def _parts(book: Book, payment: Payment, key: str) -> list[tuple[Month, Decimal, Decimal]]:
    """(month, part, the month's amount): filled month by month, the last taking the rest."""
    months = _months(payment)
    caps = [_cap(book, payment, key, month) for month in months]
    sign = -1 if payment.amount < 0 else 1
    rest = abs(payment.amount)
    out = []
    for index, (month, cap) in enumerate(zip(months, caps, strict=True)):
        part = rest if index == len(months) - 1 else min(rest, cap)
        out.append((month, sign * part, cap))
        rest -= part
    return out


def monthly_amounts(book: Book) -> Iterator[Item]:
    """C12 over every monthly benefit payment of a kind with a monthly amount."""
    if not any(p.benefit_monthly_max for p in book.policy.snapshots):
        return  # no ledger sets a monthly amount (the default is none)
    sums: dict[tuple[str, str, Month], Decimal] = defaultdict(Decimal)
    paths: dict[str, str | None] = {}
    breaches: dict[int, int] = defaultdict(int)
    years: set[int] = set()
    for payment in benefit_payments(book):
        if payment.kind != "other" or payment.household is None:
            continue
        account = payment.spend.account
        if account not in paths:
            paths[account] = benefit_kind_path(account)
        kind = paths[account]
        amounts = book.policy.at(payment.date).benefit_monthly_max
        key = _prefix(kind, amounts) if kind and amounts else ""
        if not key:
            continue
        years.add(payment.date.year)
        reported = False
        for month, part, cap in _parts(book, payment, key):
            slot = (payment.household, key, month)
            sums[slot] += part
            if reported or compare(sums[slot], "<=", cap):
                continue
            reported = True
            breaches[payment.date.year] += 1
            shown = f"{month[0]}-{month[1]:02d}"
            period = f", 所付期间 {payment.period}" if payment.period is not None else ""
            for item in check(
                BenefitError,
                rule="C12",
                title=f"{shown} {book.account_name(account)}当月累计",
                scope=f"household {payment.household} {shown}",
                value=sums[slot],
                op="<=",
                threshold=cap,
                policy_key="benefit-monthly-max",
                entity=payment.household,
                label=f"[household {payment.household}]",
                inputs=f"每月 {fmt_money(cap)} CNY ({key}){period}",
                meta=payment.source,
                entry=payment.spend.entry,
                year=payment.date.year,
            ):
                if not isinstance(item, Measure):
                    yield item
    for year in sorted(years):
        count = breaches[year]
        yield Measure(
            rule="C12",
            title="按月标准超付笔数",
            scope=f"{year}年度",
            value=count,
            op="<=",
            threshold=0,
            ok=count == 0,
            severity=str(Severity.ERROR),
            unit="count",
            year=year,
        )


RULE = Rule(
    ("C12",),
    "到户补助: 按月发放标准 (补发按所付月数)",
    "seed 002 (低保按月发放, 县定标准 benefit-monthly-max); DOMAIN K2 (同期重复领取)",
    monthly_amounts,
)
