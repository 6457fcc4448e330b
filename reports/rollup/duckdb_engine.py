"""The embedded engine: DuckDB over the verified Parquet files, with a memory limit.

Table access lives here and only here: each table's view reads its file list with hive
partitioning (``county`` as VARCHAR, ``year`` as INTEGER); the year selection is a view
over it. The roll-ups' SQL is the same text Spark runs.
"""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
from fupin.reports.rollup.views import counties_table, view_filters

if TYPE_CHECKING:
    from fupin.reports.rollup.dataset import Dataset

DEFAULT_MEMORY = "768MB"


class DuckEngine:
    """A DuckDB connection with the roll-up views defined."""

    name = "duckdb"

    def __init__(
        self, dataset: Dataset, *, memory_limit: str = DEFAULT_MEMORY, threads: int | None = None
    ) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="fupin-duckdb-")
        self.con = duckdb.connect(
            ":memory:",
            config={
                "memory_limit": memory_limit,
                "threads": threads or os.cpu_count() or 1,
                "temp_directory": self._tmp.name,
                "enable_external_access": True,
            },
        )
        self.con.execute("SET enable_progress_bar = false")  # the output is the roll-ups only
        for table, files in dataset.files.items():
            if files:
                paths = ", ".join(_quote(str(f.path)) for f in files)
                source = (
                    f"read_parquet([{paths}], hive_partitioning = true, "
                    "hive_types = {'county': VARCHAR, 'year': INTEGER})"
                )
                self.con.execute(f"CREATE VIEW {table}_files AS SELECT * FROM {source}")
            else:
                self.con.register(f"{table}_files", _empty(table))
        self.con.register("counties_table", counties_table(dataset))
        self.con.execute("CREATE VIEW counties AS SELECT * FROM counties_table")
        for view, where in view_filters(dataset.year).items():
            self.con.execute(f"CREATE VIEW {view} AS SELECT * FROM {view}_files {where}")

    def run(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of one query."""
        cursor = self.con.execute(sql)
        names = [d[0] for d in cursor.description or ()]
        return names, cursor.fetchall()

    def close(self) -> None:
        self.con.close()
        self._tmp.cleanup()


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _empty(table: str) -> pa.Table:
    from fupin.reports.rollup.views import full_schema

    return full_schema(table).empty_table()
