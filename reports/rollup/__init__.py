"""``fupin rollup``: the named roll-ups over many counties' Parquet exports (issue 16).

:func:`open_engine` verifies the exports (:mod:`.dataset`) and defines the views on DuckDB
(embedded, the default) or Spark; :func:`run` runs each roll-up's SQL (:mod:`.catalogue`)
and returns its rows with plain Python values (Decimal, int, date, bool, str), identical
between the engines.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Protocol

from fupin.money import CENT

if TYPE_CHECKING:
    from collections.abc import Sequence

    from fupin.reports.rollup.catalogue import Query
    from fupin.reports.rollup.dataset import Dataset

ENGINES = ("duckdb", "spark")


class Engine(Protocol):
    name: str

    def run(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Result:
    """One roll-up's rows, as dicts keyed by the query's column names."""

    query: Query
    rows: list[dict[str, Any]]


def open_engine(name: str, dataset: Dataset, *, memory_limit: str | None = None) -> Engine:
    """DuckDB or Spark with the roll-up views over ``dataset``."""
    if name == "duckdb":
        from fupin.reports.rollup.duckdb_engine import DEFAULT_MEMORY, DuckEngine

        duck: Engine = DuckEngine(dataset, memory_limit=memory_limit or DEFAULT_MEMORY)
        return duck
    if name == "spark":
        from fupin.reports.rollup.spark_engine import SparkEngine

        spark: Engine = SparkEngine(dataset)
        return spark
    raise ValueError(f"unknown engine {name!r} (one of {', '.join(ENGINES)})")


def run(engine: Engine, queries: Sequence[Query]) -> list[Result]:
    """Run each roll-up on ``engine``."""
    results = []
    for query in queries:
        names, rows = engine.run(query.sql)
        expected = [c.name for c in query.columns]
        if names != expected:
            raise RuntimeError(
                f"roll-up {query.name}: the query returns {names}, its header declares {expected}"
            )
        kinds = [c.kind for c in query.columns]
        results.append(
            Result(
                query,
                [
                    {n: _plain(v, k) for n, v, k in zip(names, row, kinds, strict=True)}
                    for row in rows
                ],
            )
        )
    return results


def _plain(value: Any, kind: str) -> Any:
    """One value as the same Python value whichever engine returned it."""
    if value is None:
        return None
    if kind == "money":
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    if kind == "pct":
        return Decimal(value)
    if kind == "int":
        return int(value)
    if kind in ("ok", "bool"):
        return bool(value)
    if kind == "date":
        return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
    return str(value)
