"""The Parquet layout of a county export (issue 16): tables, columns, file metadata, checks.

One folder holds any number of counties::

    DIR/<table>/county=<code>/year=<year>/part-0.parquet

(``postings``, ``measures``, ``findings``; the facts ``fund_facts``, ``fund_lines`` and
``project_facts``), hive-partitioned by county (a string: ``410522``, leading zeros kept) and year (an integer;
``__HIVE_DEFAULT_PARTITION__`` for rows without one). The partition columns are not stored
in the files. Each file's key-value metadata says which county and table it is, the schema
version, the ledger it came from (content hash, git commit, last date, how many errors the
books had when they were exported anyway), every partition of that county's export (so that a
missing or extra file is seen) and its own checks:
the row count, the sum of its ``amount`` column where it has one, the order-independent
row digest of every column (:mod:`fupin.reports.row_digest`: one SQL aggregate, the same
for the writer and for the roll-up, on DuckDB or Spark) and the SHA-256 digest of the
values of the columns :data:`DIGESTED` names, in file order (checked by ``--verify-all``,
and for exports made before the row digest). The roll-up refuses a file whose checks do
not match.
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from fupin.reports.row_digest import Sums

#: 2: every file lists its export's partitions and the books' error count (1 did neither)
SCHEMA_VERSION = "2"
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
FILE_NAME = "part-0.parquet"
COUNTY_CODE = re.compile(r"^\d{6}$")

MONEY = pa.decimal128(18, 2)
#: measured values and thresholds as numbers (exact text beside them): 10 integer digits,
#: 28 decimals (the precision of fupin.money.ratio)
NUMBER = pa.decimal128(38, 28)
NUMBER_SCALE = 28

TABLES: dict[str, pa.Schema] = {
    "postings": pa.schema(
        [
            ("date", pa.date32()),
            ("txn", pa.int64()),
            ("account", pa.string()),
            ("role", pa.string()),
            ("fund", pa.string()),
            ("fund_year", pa.int32()),
            ("source", pa.string()),
            ("category", pa.string()),
            ("project", pa.string()),
            ("township", pa.string()),
            ("village", pa.string()),
            ("household", pa.string()),
            ("amount", MONEY),
            ("currency", pa.string()),
        ]
    ),
    "measures": pa.schema(
        [
            ("rule", pa.string()),
            ("title", pa.string()),
            ("scope", pa.string()),
            ("entity", pa.string()),
            ("unit", pa.string()),
            ("op", pa.string()),
            ("value", pa.string()),
            ("threshold", pa.string()),
            ("value_num", NUMBER),
            ("threshold_num", NUMBER),
            ("ok", pa.bool_()),
            ("severity", pa.string()),
            ("policy_key", pa.string()),
            ("note", pa.string()),
            ("file", pa.string()),
            ("line", pa.int32()),
        ]
    ),
    "findings": pa.schema(
        [
            ("rule", pa.string()),
            ("severity", pa.string()),
            ("entity", pa.string()),
            ("policy_key", pa.string()),
            ("value", pa.string()),
            ("threshold", pa.string()),
            ("amount", MONEY),
            ("red_flag", pa.string()),
            ("red_flag_name", pa.string()),
            ("date", pa.date32()),
            ("file", pa.string()),
            ("line", pa.int32()),
        ]
    ),
    "fund_facts": pa.schema(
        [
            ("fund", pa.string()),
            ("name", pa.string()),
            ("family", pa.string()),
            ("restricted", pa.bool_()),
            ("received", MONEY),
            ("returned", MONEY),
            ("spent", MONEY),
            ("moved", MONEY),
            ("balance", MONEY),
            ("idle", MONEY),
            ("idle_since", pa.date32()),
            ("projects", pa.int32()),
            ("as_of", pa.date32()),
        ]
    ),
    "fund_lines": pa.schema(
        [
            ("fund", pa.string()),
            ("kind", pa.string()),  # source | returned | category | moved
            ("key", pa.string()),
            ("amount", MONEY),
        ]
    ),
    "project_facts": pa.schema(
        [
            ("project", pa.string()),
            ("name", pa.string()),
            ("category", pa.string()),
            ("township", pa.string()),
            ("village", pa.string()),
            ("fund", pa.string()),
            ("stage", pa.string()),
            ("stage_date", pa.date32()),
            ("accepted", pa.date32()),
            ("budget", MONEY),
            ("contract", MONEY),
            ("settlement", MONEY),
            ("spent", MONEY),
            ("prepayment_open", MONEY),
            ("deposit_held", MONEY),
            ("paid", MONEY),
            ("as_of", pa.date32()),
        ]
    ),
}
#: the columns each table's SHA-256 digest (:func:`digest`, file order) covers (None: every
#: column): measures by the numbers and flags the roll-ups compare, the others by every
#: value. The row digest (:mod:`fupin.reports.row_digest`) covers every column of every table.
DIGESTED: dict[str, tuple[str, ...] | None] = {
    "postings": None,
    "measures": ("value_num", "threshold_num", "ok"),
    "findings": None,
    "fund_facts": None,
    "fund_lines": None,
    "project_facts": tuple(
        f.name for f in TABLES["project_facts"] if f.type in (MONEY, pa.date32())
    ),
}


PARTITIONS = (("county", pa.string()), ("year", pa.int32()))

# key-value metadata keys (bytes in the file, text here)
K_SCHEMA = "fupin.schema"
K_TABLE = "fupin.table"
K_COUNTY = "fupin.county"
K_COUNTY_NAME = "fupin.county_name"
K_YEAR = "fupin.year"
K_LEDGER = "fupin.ledger"
K_SHA256 = "fupin.ledger_sha256"
K_FILES = "fupin.ledger_files"
K_COMMIT = "fupin.git_commit"
K_DIRTY = "fupin.git_dirty"
K_AS_OF = "fupin.as_of"
K_VERSION = "fupin.version"
K_ROWS = "fupin.rows"
K_AMOUNT = "fupin.amount_total"
K_ABS = "fupin.amount_abs_total"
K_DIGEST = "fupin.digest"
K_ROW_DIGEST = "fupin.row_digest"
K_PARTITIONS = "fupin.partitions"
K_ERRORS = "fupin.ledger_errors"
CHECK_KEYS = (K_ROWS, K_AMOUNT, K_ABS, K_ROW_DIGEST, K_DIGEST)


def partition_name(year: int | None) -> str:
    """A year's partition folder value (``__HIVE_DEFAULT_PARTITION__`` for none)."""
    return NULL_PARTITION if year is None else str(year)


def partitions_text(partitions: dict[str, list[int | None]]) -> str:
    """The partitions of one county's export as its files' metadata writes them (JSON:
    table → year folder values, sorted)."""
    listed = {t: sorted(partition_name(y) for y in years) for t, years in partitions.items()}
    return json.dumps(listed, sort_keys=True, separators=(",", ":"))


def parse_partitions(text: str) -> set[tuple[str, int | None]]:
    """The (table, year) pairs :func:`partitions_text` wrote; ValueError when it is not."""
    listed = json.loads(text)
    if not isinstance(listed, dict):
        raise ValueError(text)
    out: set[tuple[str, int | None]] = set()
    for table, years in listed.items():
        if table not in TABLES or not isinstance(years, list):
            raise ValueError(text)
        for year in years:
            out.add((table, None if year == NULL_PARTITION else int(year)))
    return out


def file_checks(name: str, table: pa.Table, sums: Sums) -> dict[str, str]:
    """The checks an export records for one file: rows, amount totals and row digest from
    ``sums`` (:func:`fupin.reports.row_digest.arrow_sums`, the aggregate the roll-up runs
    again), and the SHA-256 digest of its values (``fupin rollup --verify-all``)."""
    return {**sums_checks(name, sums), K_DIGEST: sha_digest(name, table)}


def sums_checks(name: str, sums: Sums) -> dict[str, str]:
    """The metadata text of a file's row count, amount totals and row digest."""
    checks = {K_ROWS: str(sums.rows)}
    if "amount" in TABLES[name].names:
        checks[K_AMOUNT] = total_text(sums.amount)
        checks[K_ABS] = total_text(sums.amount_abs)
    checks[K_ROW_DIGEST] = sums.digest
    return checks


def digest_columns(name: str) -> list[str] | None:
    """The columns :func:`sha_digest` reads for a table (None: all)."""
    wanted = DIGESTED[name]
    return None if wanted is None else list(wanted)


def sha_digest(name: str, table: pa.Table) -> str:
    """The SHA-256 digest of a table's :data:`DIGESTED` columns, in file order."""
    wanted = digest_columns(name)
    return digest(table if wanted is None else table.select(wanted))


def total_text(total: Decimal | None) -> str:
    """An amount total as the metadata writes it (``"0.00"`` for no rows); the roll-up
    compares the totals it computes (in pyarrow or DuckDB) in this form."""
    return str(total if total is not None else Decimal("0.00"))


def digest(table: pa.Table) -> str:
    """SHA-256 over every value of ``table``, column by column: text as lengths and bytes,
    numbers, dates and flags as their fixed-width values, with the positions of nulls."""
    sha = hashlib.sha256()
    for name in table.column_names:
        column = table.column(name).combine_chunks()
        count = len(column)
        sha.update(f"{name}\0{count}\0{column.null_count}\0".encode())
        if not count:
            continue
        if column.null_count:
            sha.update(_values(pc.is_null(column).cast(pa.int8()), 1))
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            text = column if not column.null_count else pc.fill_null(column, "")
            if not pa.types.is_large_string(text.type):
                text = text.cast(pa.large_string())
            sha.update(_values(pc.binary_length(text), 8))
            offsets = memoryview(text.buffers()[1])
            at = text.offset * 8
            first = int.from_bytes(offsets[at : at + 8], "little", signed=True)
            last = int.from_bytes(
                offsets[at + count * 8 : at + count * 8 + 8], "little", signed=True
            )
            data = text.buffers()[2]
            if data is not None:
                sha.update(memoryview(data)[first:last])
            continue
        if pa.types.is_boolean(column.type):
            column = column.cast(pa.int8())
        if column.null_count:
            column = pc.fill_null(column, _zero(column.type))
        sha.update(_values(column, column.type.byte_width))
    return sha.hexdigest()


def _zero(kind: pa.DataType) -> pa.Scalar:
    if pa.types.is_decimal(kind):
        return pa.scalar(Decimal(0), kind)
    if pa.types.is_date32(kind):
        return pa.scalar(0, pa.int32()).cast(kind)
    return pa.scalar(0, kind)


def _values(array: pa.Array, width: int) -> memoryview:
    """The bytes of a fixed-width array's values (its slice only)."""
    buffer = memoryview(array.buffers()[1])
    return buffer[array.offset * width : (array.offset + len(array)) * width]
