"""The named roll-ups: one SQL file each in ``sql/``, the same text for DuckDB and Spark.

A file starts with its title and one line per output column (name, Chinese heading, kind)::

    -- title: 产业发展资金占比 (各县各年度, 对照阈值; B02)
    -- column: share 产业占比 pct

and reads only the views every engine defines (:data:`VIEWS`). Kinds tell the output how to
show a value: ``text int money pct op ok severity measure date bool category source``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from importlib import resources

#: the views a roll-up may read (defined per engine in ``duckdb_engine``/``spark_engine``)
VIEWS = (
    "postings",
    "measures",
    "findings",
    "fund_facts",
    "fund_lines",
    "project_facts",
    "counties",
)
KINDS = (
    "text",
    "int",
    "money",
    "pct",
    "op",
    "ok",
    "severity",
    "measure",
    "date",
    "bool",
    "category",  # an Expenses:<Category> code, shown with its Chinese name
    "source",  # an Income:Fund:<FUND>:<Source> code, likewise
)
#: the order roll-ups are printed in; files not named here follow by name
ORDER = (
    "industry_share",
    "industry_share_by_year",
    "fund_balances",
    "category_totals",
    "source_totals",
    "top_villages",
    "project_execution",
    "compliance_breaches",
    "breaches_by_rule",
    "red_flags",
    "red_flag_recurrence",
    "exports",
)


class UnknownQuery(Exception):
    """A roll-up name that is not in the catalogue (the message suggests the nearest)."""


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    columns: tuple[Column, ...]
    sql: str


@cache
def catalogue() -> dict[str, Query]:
    """Every roll-up shipped with fupin, in :data:`ORDER`."""
    folder = resources.files("fupin.reports.rollup") / "sql"
    found = {}
    for item in folder.iterdir():
        if item.name.endswith(".sql"):
            name = item.name.removesuffix(".sql")
            found[name] = parse(name, item.read_text(encoding="utf-8"))
    ordered = [n for n in ORDER if n in found] + sorted(set(found) - set(ORDER))
    return {name: found[name] for name in ordered}


def parse(name: str, text: str) -> Query:
    """A roll-up from its SQL file's text (header comments, then the query)."""
    title = name
    columns: list[Column] = []
    for line in text.splitlines():
        if not line.startswith("--"):
            continue
        body = line[2:].strip()
        if body.startswith("title:"):
            title = body.removeprefix("title:").strip()
        elif body.startswith("column:"):
            parts = body.removeprefix("column:").split()
            if len(parts) != 3 or parts[2] not in KINDS:
                raise ValueError(f"{name}.sql: bad column line {line!r}")
            columns.append(Column(*parts))
    sql = "\n".join(line for line in text.splitlines() if not line.startswith("--")).strip()
    return Query(name, title, tuple(columns), sql)


def select(names: tuple[str, ...] | list[str]) -> list[Query]:
    """The named roll-ups (all when none is named), in catalogue order."""
    known = catalogue()
    if not names:
        return list(known.values())
    for name in names:
        if name not in known:
            near = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
            hint = f"; 是否要找 (did you mean) {near[0]}?" if near else ""
            raise UnknownQuery(
                f"没有名为 {name!r} 的汇总 (unknown roll-up){hint} (可用: {', '.join(known)})"
            )
    return [query for query in known.values() if query.name in names]
