"""What both engines define the same way: the views' year selection and the counties table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
from fupin.reports import parquet_format as fmt

if TYPE_CHECKING:
    from fupin.reports.rollup.dataset import Dataset

COUNTIES = pa.schema(
    [
        ("county", pa.string()),
        ("name", pa.string()),
        ("ledger", pa.string()),
        ("ledger_sha256", pa.string()),
        ("git_commit", pa.string()),
        ("git_dirty", pa.bool_()),
        ("as_of", pa.string()),
        ("version", pa.string()),
        ("postings", pa.int64()),
        ("errors", pa.int64()),
    ]
)


def full_schema(table: str) -> pa.Schema:
    """A table's columns as the engines see them: the file's, then county and year."""
    schema = fmt.TABLES[table]
    for name, kind in fmt.PARTITIONS:
        schema = schema.append(pa.field(name, kind))
    return schema


def view_filters(year: int | None) -> dict[str, str]:
    """Each view a roll-up reads (one per table) and its WHERE clause: the selected year's
    rows (a posting's date, a measure's budget year, a finding's entry date, a fund's budget
    year, a project's year), or every row."""
    where = "" if year is None else f"WHERE year = {int(year)}"
    return {table: where for table in fmt.TABLES}


def counties_table(dataset: Dataset) -> pa.Table:
    """One row per county: its name and the provenance its files carry."""
    rows = [
        {
            "county": c.county,
            "name": c.name,
            "ledger": c.ledger,
            "ledger_sha256": c.ledger_sha256,
            "git_commit": c.git_commit,
            "git_dirty": c.git_dirty,
            "as_of": c.as_of,
            "version": c.version,
            "postings": c.posting_rows,
            "errors": c.ledger_errors,
        }
        for c in dataset.counties.values()
    ]
    return pa.Table.from_pylist(rows, schema=COUNTIES)
