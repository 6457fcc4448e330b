"""B13: a minimum of support measures per household of a category, kind and year.

[seed 002_614e7ab1822f3d29.txt] 林州市: 每户脱贫户 "至少享有三项以上" 产业帮扶措施. The policy
``household-measure-min`` names the minimums as ``"<category>:<kind>=<n>"`` pairs: the
category is a register status (``lifted`` 脱贫户, ``monitored`` 监测对象, …) or a monitoring
category (``marginal`` …) on the year's 31 December — a 脱贫户 (贫困户) under monitoring or in
its 渐退期 still counts as ``lifted`` (``registered``) — the kind a ``household-measure`` kind
(``industry`` …) or ``any``::

    2023-01-01 custom "policy" "household-measure-min" "lifted:industry=3"
      source: "林州市: 每户脱贫户至少享有三项以上产业帮扶措施 (seed 002)"

By the end of each year the ledger covers, every household of a listed category has at least
that many ``household-measure`` records of the kind for the year (``year:``, else the entry's
year); 2 where 3 are due is an error at the household's last measure of the year (or at the
policy entry when it has none). Empty (the default): not checked.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from fupin.book import Book
from fupin.engine import Item, Rule, check
from fupin.findings import Finding
from fupin.households import CATEGORIES, STATUSES, Household, book_register
from fupin.measures import MEASURE_KINDS, measure_index


class MeasureError(Finding):
    """B13: a household got fewer support measures of a kind than its category needs."""

    __slots__ = ()


def measure_minimums(book: Book) -> Iterator[Item]:
    """B13 per household, category, kind and complete year."""
    last = book.last_date
    register = book_register(book)
    if last is None or register is None or not book.entries:
        return
    index = measure_index(book)
    for year in range(book.entries[0].date.year, last.year + 1):
        end = datetime.date(year, 12, 31)
        if end > last:
            break
        policy = book.policy.at(end)
        minimums = policy.household_measure_min
        if not minimums:
            continue
        origin = book.policy.origin("household-measure-min", end)
        for household in register.households.values():
            groups = {
                household.status_on(end),
                household.category_on(end),
                _registered_as(household, end),
            }
            for key, wanted in minimums.items():
                group, kind = key.split(":", 1)
                if group not in groups:
                    continue
                got = [
                    m
                    for m in index.by_household.get(household.id, ())
                    if m.measure_year == year and (kind == "any" or m.measure == kind)
                ]
                name = MEASURE_KINDS.get(kind, "帮扶")
                who = STATUSES.get(group) or CATEGORIES.get(group, group)
                anchor = book.entry_of(got[-1]) if got else None
                yield from check(
                    MeasureError,
                    rule="B13",
                    title=f"{year}年{who}{name}措施项数",
                    scope=f"household {household.id} {year}",
                    value=len(got),
                    op=">=",
                    threshold=wanted,
                    unit="count",
                    policy_key="household-measure-min",
                    entity=household.id,
                    label=household.describe(),
                    inputs="; ".join(m.name for m in got) or "无措施记录",
                    meta=anchor.meta if anchor is not None else origin,
                    entry=anchor,
                    year=year,
                )


def _registered_as(household: Household, day: datetime.date) -> str:
    """The household's 建档立卡 standing on ``day`` beneath any monitoring or 渐退期:
    ``registered`` (贫困户), ``lifted`` (脱贫户), ``removed`` or ``general`` — a 脱贫户
    under monitoring (脱贫不稳定户) is still a 脱贫户 for a ``lifted`` minimum."""
    standing = "general"
    for change in household.history:
        if change.date > day:
            break
        if change.event == "identified":
            standing = "registered"
        elif change.event == "lifted":
            standing = "lifted"
        elif change.event == "removed":
            standing = "removed"
    return standing


RULE = Rule(
    ("B13",),
    "帮扶措施: 每户每年措施项数",
    "seed 002 (林州: 每户脱贫户至少享有三项以上产业帮扶措施)",
    measure_minimums,
)
