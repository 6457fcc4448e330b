"""The row digest of an export file, one SQL definition that DuckDB and Spark compute alike.

Each row's canonical text joins its columns, in the table's schema order, with U+001F (the
unit separator); NULL is U+001E, so that it differs from an empty text. A string is itself;
an integer its digits (``-12``); a date ``YYYY-MM-DD``; a flag ``true`` or ``false``; a
decimal its plain text at the column's scale, ``-`` for negatives, no exponent and no
separators (``-1234.50``, ``0.00``; a ``decimal(38,28)`` keeps its 28 decimals). Both
control characters never occur in a ledger's names, ids or accounts; a text holding one
could shift a field into its neighbour unseen (a length before each text would rule that
out too, and cost as much again as the whole digest).

The row's hash is the MD5 of that text's UTF-8 bytes (both engines have ``md5``; their own
``hash`` functions differ), read by its first 8 bytes as an unsigned big-endian integer.
The file's digest is the sum of those integers mod 2^64, as 16 hex digits, beside the row
count: it does not depend on the order of the rows (the roll-ups do not), and unlike an
xor a duplicated pair of rows does not cancel (it adds twice its hash). Swapped amounts, a
row moved to another project, a deleted row with a compensating edit: every change of a
row's text changes its hash, whatever the totals do. The checks catch accidents and naive
edits: they are not signatures (whoever can rewrite a file can rewrite its metadata).

:func:`checks_sql` is the one aggregate the export records (over the Arrow table it writes)
and the roll-up recomputes (over the files, on the scan it makes anyway): row count, amount
totals, digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

import pyarrow as pa

if TYPE_CHECKING:
    from collections.abc import Sequence

    import duckdb

Dialect = Literal["duckdb", "spark"]

MOD = 2**64
#: the digest of no rows
EMPTY = f"{0:016x}"


@dataclass(frozen=True)
class Sums:
    """What :func:`checks_sql` returns for one file."""

    rows: int
    amount: Decimal | None  # sum(amount), None without an amount column or rows
    amount_abs: Decimal | None
    digest: str


def row_text_sql(schema: pa.Schema, dialect: Dialect) -> str:
    """The canonical text of a row of ``schema`` as an SQL expression."""
    text = "VARCHAR" if dialect == "duckdb" else "STRING"
    fields = []
    for field in schema:
        column = _quote(field.name, dialect)
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            value = column
        elif (
            pa.types.is_integer(field.type)
            or pa.types.is_date32(field.type)
            or pa.types.is_boolean(field.type)
            or pa.types.is_decimal(field.type)
        ):
            value = f"CAST({column} AS {text})"
        else:  # a new column type must be given a canonical text first
            raise TypeError(f"no canonical text for {field.name} {field.type}")
        fields.append(f"coalesce({value}, chr(30))")
    return f"concat_ws(chr(31), {', '.join(fields)})"


def _lane(hashed: str, dialect: Dialect) -> str:
    """The first 8 bytes of an MD5 given in hex, as an exact unsigned integer."""
    if dialect == "duckdb":
        return f"CAST('0x' || substr({hashed}, 1, 16) AS UBIGINT)"
    return f"CAST(conv(substr({hashed}, 1, 16), 16, 10) AS DECIMAL(20,0))"


def checks_sql(schema: pa.Schema, dialect: Dialect, source: str, group: str | None) -> str:
    """One aggregate over ``source`` (a table or a table function), per ``group`` (a file
    name column) when given: [group,] rows, sum(amount), sum(abs(amount)) and the exact
    sum of the row hashes (:func:`digest_text` takes it mod 2^64)."""
    money = "DECIMAL(38,2)" if dialect == "duckdb" else "DECIMAL(28,2)"
    amount = "amount" in schema.names
    hashed = f"md5({row_text_sql(schema, dialect)})"
    inner = [f"{hashed} AS h"] + (["amount"] if amount else []) + ([group] if group else [])
    outer = [
        "count(*)",
        f"CAST(sum(amount) AS {money})" if amount else "NULL",
        f"CAST(sum(abs(amount)) AS {money})" if amount else "NULL",
        f"sum({_lane('h', dialect)})",
    ]
    by = f" GROUP BY {group}" if group else ""
    head = [group] if group else []
    return (
        f"SELECT {', '.join(head + outer)} FROM (SELECT {', '.join(inner)} FROM {source}) AS r{by}"
    )


def sums(row: Sequence[object]) -> Sums:
    """One result row of :func:`checks_sql` (without its group column)."""
    count, total, absolute, hashes = row
    return Sums(
        rows=int(count),  # type: ignore[call-overload]
        amount=_decimal(total),
        amount_abs=_decimal(absolute),
        digest=digest_text(hashes),
    )


def digest_text(hashes: object) -> str:
    """The digest of the exact sum of the row hashes (None for no rows): 16 hex digits."""
    total = int(hashes) if hashes is not None else 0  # type: ignore[call-overload]
    return f"{total % MOD:016x}"


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def arrow_sums(table: pa.Table, con: duckdb.DuckDBPyConnection | None = None) -> Sums:
    """The checks of an Arrow table, computed by DuckDB with :func:`checks_sql` (what the
    export records; ``con``: a DuckDB connection to reuse)."""
    import duckdb

    own = con or duckdb.connect()
    try:
        own.execute("SET enable_progress_bar = false")  # stdout is the caller's
        own.register("fupin_rows", table)
        (row,) = own.execute(checks_sql(table.schema, "duckdb", "fupin_rows", None)).fetchall()
        own.unregister("fupin_rows")
    finally:
        if con is None:
            own.close()
    return sums(row)


def _quote(name: str, dialect: Dialect) -> str:
    return f'"{name}"' if dialect == "duckdb" else f"`{name}`"
