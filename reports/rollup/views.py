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
    ]
)


def full_schema(table: str) -> pa.Schema:
    """A table's columns as the engines see them: the file's, then county and year."""
    schema = fmt.TABLES[table]
    for name, kind in fmt.PARTITIONS:
        schema = schema.append(pa.field(name, kind))
    return schema


def view_filters(year: int | None) -> dict[str, tuple[str, str]]:
    """Each view a roll-up reads: the table it selects from and its WHERE clause.

    ``postings``, ``measures`` and ``findings`` hold the selected year's rows (by the year of
    a posting's date, a measure's budget year, a finding's entry date); ``fund_postings``
    holds every posting of the funds of that budget year, whatever its date, so that a
    fund's balance counts its later payments.
    """
    if year is None:
        return {
            "postings": ("postings", ""),
            "fund_postings": ("postings", ""),
            "measures": ("measures", ""),
            "findings": ("findings", ""),
        }
    year = int(year)
    return {
        "postings": ("postings", f"WHERE year = {year}"),
        "fund_postings": ("postings", f"WHERE fund_year = {year}"),
        "measures": ("measures", f"WHERE year = {year}"),
        "findings": ("findings", f"WHERE year = {year}"),
    }


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
            "postings": c.postings,
        }
        for c in dataset.counties.values()
    ]
    return pa.Table.from_pylist(rows, schema=COUNTIES)
