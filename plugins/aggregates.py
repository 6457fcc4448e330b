"""S01–S04: the figures annual reports quote, as compliance rows (统计指标, severity info).

Computed by :mod:`fupin.aggregates` (rounding stated there: money to the cent, ratios to 2
decimals, half up) and shown by ``fupin compliance`` beside the rules, by ``fupin
households`` and by the Fava 农户 page. They fail nothing: each row states the figure and the
formula behind it.

* S01 到户补助户均/人均 per benefit account and year (安阳: 3,139,600.00 / 497 户 = 6,317.10);
* S02 人均财政扶贫投入 per budget year (靖边: 78,700,000.00 / 18,900 人 = 4,164.02);
* S03 户均帮扶干部 at each year's end (and the book's day) from the register's year on
  (沂源: 20,694 户 / 9,867 人 = 2.10);
* S04 致贫原因构成 (persons' share), likewise.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from fupin.aggregates import (
    benefit_means,
    households_per_cadre,
    input_per_person,
    payments_by_year,
    poor_causes,
)
from fupin.book import Book
from fupin.engine import Item, Rule, measures_wanted
from fupin.findings import Measure
from fupin.households import RegisterRef, book_register
from fupin.money import fmt_money

INFO = "info"


def statistics(book: Book) -> Iterator[Item]:
    """Every statistic as an info row (skipped in the plugin, which keeps no rows)."""
    if not measures_wanted():
        return
    register = book_register(book)
    refs = book.all(RegisterRef)
    anchor = book.meta_of(refs[-1]) if refs else None

    def row(
        rule: str, title: str, scope: str, value: Decimal, formula: str, unit: str, year: int
    ) -> Measure:
        return Measure(
            rule, title, scope, value, "==", formula, True, INFO, unit, "", "", anchor, "", year
        )

    if register is not None:
        for year in sorted(payments_by_year(book, register)):
            for mean in benefit_means(book, register, year):
                scope = f"{year}年度"
                yield row(
                    "S01",
                    f"{mean.name}户均",
                    scope,
                    mean.per_household,
                    f"{fmt_money(mean.total)} / {mean.households:,} 户",
                    "money",
                    year,
                )
                yield row(
                    "S01",
                    f"{mean.name}人均",
                    scope,
                    mean.per_person,
                    f"{fmt_money(mean.total)} / {mean.persons:,} 人",
                    "money",
                    year,
                )
    for item in input_per_person(book, register):
        if item.persons:
            yield row(
                "S02",
                "人均财政扶贫投入",
                f"{item.year}年度",
                item.per_person,
                f"{fmt_money(item.received)} / {item.persons:,} 人",
                "money",
                item.year,
            )
    last = book.last_date
    if register is None or last is None or not refs:
        return
    for year in range(refs[-1].date.year, last.year + 1):
        day = min(last, datetime.date(year, 12, 31))  # each year's end, and the book's day
        cover = households_per_cadre(book, register, day)
        if cover.cadres:
            yield row(
                "S03",
                "户均帮扶干部(每名干部联系户数)",
                str(day),
                cover.per_cadre,
                f"{cover.paired:,} 户 / {cover.cadres:,} 名干部",
                "count",
                year,
            )
        for cause in poor_causes(book, register, day):
            yield row(
                "S04",
                f"致贫原因 {cause.name} 人数占比",
                str(day),
                cause.share,
                f"{cause.persons:,} 人 / {cause.households:,} 户",
                "pct",
                year,
            )


RULE = Rule(
    ("S01", "S02", "S03", "S04"),
    "统计指标: 户均人均补助、人均投入、户均帮扶干部、致贫原因构成",
    "seed 002 (安阳 防贫保险 497户 313.96万元); seed 003 (靖边 7870万元 / 18,900人); "
    "seed 001 (沂源 9,867名干部结对 20,694户); seed 000 (致贫原因); DOMAIN K20",
    statistics,
)
