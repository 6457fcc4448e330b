"""Shared pieces of the audit red-flag rules (K1–K19, DOMAIN K).

Each red flag guards against a finding the National Audit Office (审计署) or the discipline
inspectors published county after county. :data:`CATALOGUE` holds, per rule id, the
finding's own Chinese name (资金闲置, 虚报冒领, 挤占挪用, …) and the figures it cites; the
``Rule`` entries of ``plugins/flags_*.py`` carry that text as their ``source``, so
``fupin compliance``, ``fupin flags`` and the Fava pages show why the rule exists.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from fupin.catalogue import CATALOGUE
from fupin.engine import Item, Rule, RuleFunc
from fupin.findings import Finding, Measure, Severity

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from beancount.core.data import Directive, Meta, Transaction

    from fupin.book import Book, Spend
    from fupin.policy import Policy

T = TypeVar("T")


class RedFlag(Finding):
    """K1–K19: a pattern the national audits found (DOMAIN K); ``value`` is the amount."""

    __slots__ = ()


WARNING_ONLY = ("K7", "K8", "K9", "K15", "K17")


def red_flag_rule(rule_id: str, func: RuleFunc, scope: str = "账簿") -> Rule:
    """The ``Rule`` entry of one K row, titled and sourced from :data:`CATALOGUE`.

    Besides its findings, the rule yields one compliance row: the number of red flags it
    found (≤ 0 passes), so ``fupin compliance`` and the Fava page list every K row with its
    source even when the books are clean.
    """
    item = CATALOGUE[rule_id]

    def run(book: Book) -> Iterator[Item]:
        count, worst = 0, Severity.WARNING if rule_id in WARNING_ONLY else Severity.ERROR
        errors = 0
        for found in func(book):
            if isinstance(found, Finding):
                count += 1
                errors += found.severity == Severity.ERROR
            yield found
        severity = Severity.ERROR if errors else (Severity.WARNING if count else worst)
        yield Measure(
            rule_id,
            f"{item.name} 风险点数",
            scope,
            count,
            "<=",
            0,
            count == 0,
            str(severity),
            "count",
        )

    run.__name__ = func.__name__
    run.__doc__ = func.__doc__
    return Rule((rule_id,), f"{item.name}: {item.title}", item.source, run)


def flag(
    rule: str,
    text: str,
    entry: Directive,
    *,
    severity: str = Severity.ERROR,
    entity: str = "",
    amount: Decimal | int | str = "",
    threshold: Decimal | int | str = "",
    policy_key: str = "",
    meta: Meta | None = None,
) -> RedFlag:
    """``<RULE> <severity>: <finding name> <text>`` at ``entry`` (or at ``meta``)."""
    name = CATALOGUE[rule].name
    return RedFlag(
        meta if meta is not None else entry.meta,
        f"{rule} {severity}: {name} {text}",
        entry,
        rule=rule,
        severity=str(severity),
        value=amount,
        threshold=threshold,
        entity=entity,
        policy_key=policy_key,
    )


def policy_on(book: Book) -> Callable[[datetime.date], Policy]:
    """``book.policy.at`` memoised by day, for rules that look it up per posting."""
    cache: dict[datetime.date, Policy] = {}
    at = book.policy.at

    def lookup(day: datetime.date) -> Policy:
        policy = cache.get(day)
        if policy is None:
            policy = cache[day] = at(day)
        return policy

    return lookup


def memo(name: str, book: Book, build: Callable[[], T]) -> T:
    """One value per book, shared by rules that need the same walk (dies with the book)."""
    return book.shared(f"flags:{name}", build)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus whole calendar months, clamped to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 when end is before start)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def components(account: str) -> set[str]:
    """The components of an account name below its root."""
    return set(account.split(":")[1:])


def only_items(items: Iterable[Item]) -> list[Item]:
    """Materialise rule output (for tests)."""
    return list(items)


class SpendIndex(NamedTuple):
    """What the K rules need from the book's expense postings, collected in one walk."""

    asset_uses: dict[str, list[tuple[datetime.date, Decimal, Transaction]]]  # K7, K15
    distributions: list[Spend]  # K8: postings on Expenses:IncomeDistribution
    to_households: list[Spend]  # K2, K9: postings naming a household, amount > 0
    with_payee_type: list[Spend]  # K6: postings of transactions marked ``payee_type``


def spend_index(book: Book) -> SpendIndex:
    """The :class:`SpendIndex` of a book, built once and shared by the K rules."""
    from fupin.assets import asset_of_account

    def build() -> SpendIndex:
        asset_uses: dict[str, list[tuple[datetime.date, Decimal, Transaction]]] = defaultdict(list)
        distributions: list[Spend] = []
        households: list[Spend] = []
        payee_typed: list[Spend] = []
        of_account: dict[str, str | None] = {}
        for spend in book.spends:
            account = spend.account
            if account not in of_account:
                of_account[account] = asset_of_account(account)
            meta = spend.entry.meta
            ident = of_account[account] or meta.get("asset")
            if ident:
                asset_uses[str(ident)].append((spend.date, spend.amount, spend.entry))
            if spend.category == "IncomeDistribution":
                distributions.append(spend)
            if spend.household and spend.amount > 0:
                households.append(spend)
            if "payee_type" in meta:
                payee_typed.append(spend)
        return SpendIndex(asset_uses, distributions, households, payee_typed)

    index: SpendIndex = memo("spend-index", book, build)
    return index
