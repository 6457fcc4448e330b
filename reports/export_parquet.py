"""``fupin export parquet``: one county's postings, measures and findings as Parquet (issue 16).

The tables (layout and checks: :mod:`fupin.reports.parquet_format`):

* ``postings``: every posting the book records (:func:`fupin.export_rows.posting_columns`),
  partitioned by the year of its date;
* ``measures``: every compliance row of the load (what ``fupin compliance --json`` prints),
  value and threshold exact as text and as decimal(38,28), partitioned by the measure's year;
* ``findings``: every finding with rule, severity, value, threshold, the amount at stake of
  a red flag (the figure ``fupin flags`` ranks by) and its date, partitioned by that year.

No payee, narration or message is written; a finding's entity only when it is an id the
ledger defines. The export is written to a staging folder inside DIR and moved into place
table by table, replacing that county's earlier export; on any failure nothing changes. An
export of that code made from other books (another county name) is not replaced unless asked.
Exports into one DIR take turns (a lock on DIR), and each removes what a killed one left.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import shutil
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from fupin.reports import parquet_format as fmt
from fupin.reports.flags import red_flags
from fupin.reports.row_digest import arrow_sums

from fupin.book import meta_source
from fupin.export_rows import MAX_AMOUNT, entry_date, posting_columns, public_entity
from fupin.findings import Finding
from fupin.provenance import Provenance, provenance

if TYPE_CHECKING:
    from collections.abc import Callable

    from fupin.households import Register
    from fupin.load import Loaded

NUMBER_QUANTUM = Decimal(1).scaleb(-fmt.NUMBER_SCALE)
NUMBER_DIGITS = 38 - fmt.NUMBER_SCALE  # integer digits of decimal(38,28)
NUMBER_CONTEXT = Context(prec=40, rounding=ROUND_HALF_UP)  # 10 integer digits, 28 decimals


class ExportError(Exception):
    """The export cannot be written (bad county code, unwritable folder)."""


@dataclass(frozen=True)
class Part:
    """One table of the export, with each row's partition year (None: no year)."""

    table: pa.Table
    years: list[int | None]


@dataclass(frozen=True)
class Written:
    """What an export wrote."""

    out: Path
    county: str
    provenance: Provenance
    rows: dict[str, int]
    files: int


def export_county(
    loaded: Loaded,
    county: str,
    out: Path,
    *,
    name: str = "",
    register: Register | None = None,
    replace: bool = False,
    ledger_errors: int = 0,
) -> Written:
    """Build the tables of one load and write them under ``out`` for ``county``.

    ``ledger_errors``: how many errors the books have (exported anyway: the files say so).
    ``replace``: replace an export of ``county`` made from books of another name.
    """
    check_county(county)
    paused = gc.isenabled()
    gc.disable()  # hundreds of thousands of rows; a full GC would walk every entry
    try:
        parts = build_parts(loaded, register)
        prov = provenance(loaded)
        title = name or str(loaded.options.get("title") or "")
        files = write_parts(
            parts, county, title, prov, out, replace=replace, ledger_errors=ledger_errors
        )
    finally:
        if paused:
            gc.enable()
    return Written(out, county, prov, {k: p.table.num_rows for k, p in parts.items()}, files)


def check_county(county: str) -> None:
    """A county code is six digits, kept as text (``010203`` keeps its zero)."""
    if not fmt.COUNTY_CODE.match(county):
        raise ExportError(f"--county {county!r}: 县代码应为 6 位行政区划代码 (6 digits), 如 410522")


def build_parts(loaded: Loaded, register: Register | None = None) -> dict[str, Part]:
    """The export's tables from one load (postings from the book, measures and findings from
    the rule results)."""
    posted = posting_columns(loaded.book, register)
    postings = pa.table(
        {
            name: pa.array(values, fmt.TABLES["postings"].field(name).type)
            for name, values in posted.columns.items()
        },
        schema=fmt.TABLES["postings"],
    )
    root = loaded.path.resolve().parent
    return {
        "postings": Part(postings, list(posted.years)),
        "measures": _measures(loaded, root),
        "findings": _findings(loaded, root),
        **_facts(loaded),
    }


def _measures(loaded: Loaded, root: Path) -> Part:
    measures = loaded.results.measures
    entity = _Memo(lambda value: public_entity(loaded.book, value))
    where = _Memo(lambda name: _relative(name, root))
    sources = [m.source or {} for m in measures]
    rows: dict[str, list[Any]] = {
        "rule": [m.rule for m in measures],
        "title": [m.title for m in measures],
        "scope": [m.scope for m in measures],
        "entity": [entity(m.entity) for m in measures],
        "unit": [m.unit for m in measures],
        "op": [m.op for m in measures],
        "value": [_text(m.value) for m in measures],
        "threshold": [_text(m.threshold) for m in measures],
        "value_num": [_number(m.value) for m in measures],
        "threshold_num": [_number(m.threshold) for m in measures],
        "ok": [m.ok for m in measures],
        "severity": [m.severity for m in measures],
        "policy_key": [m.policy_key for m in measures],
        "note": [m.note for m in measures],
        "file": [where(s.get("filename")) for s in sources],
        "line": [_line(s.get("lineno")) for s in sources],
    }
    return Part(pa.table(rows, schema=fmt.TABLES["measures"]), [m.year for m in measures])


class _Memo:
    """A one-argument function remembered per distinct argument (ids and file names repeat
    across tens of thousands of measures)."""

    def __init__(self, func: Callable[[Any], str]) -> None:
        self.func = func
        self.seen: dict[Any, str] = {}

    def __call__(self, value: Any) -> str:
        held = self.seen.get(value)
        if held is None:
            held = self.seen[value] = self.func(value)
        return held


def _findings(loaded: Loaded, root: Path) -> Part:
    entity = _Memo(lambda value: public_entity(loaded.book, value))
    where = _Memo(lambda name: _relative(name, root))
    rows: dict[str, list[Any]] = {name: [] for name in fmt.TABLES["findings"].names}
    years: list[int | None] = []
    for f in loaded.results.findings:
        if not isinstance(f, Finding):
            continue
        flagged = red_flags([f])
        flag = flagged[0] if flagged else None
        day = entry_date(f.entry)
        source = f.source or {}
        amount = _money(flag.amount) if flag else None
        _fits(amount, f"{meta_source(source)}: {f.rule}", "amount")
        values = {
            "rule": f.rule,
            "severity": str(f.severity),
            "entity": entity(f.entity),
            "policy_key": f.policy_key,
            "value": _text(f.value),
            "threshold": _text(f.threshold),
            "amount": amount,
            "red_flag": flag.rule if flag else None,
            "red_flag_name": flag.name if flag else None,
            "date": day,
            "file": where(source.get("filename")),
            "line": _line(source.get("lineno")),
        }
        for name, value in values.items():
            rows[name].append(value)
        years.append(day.year if day else None)
    return Part(pa.table(rows, schema=fmt.TABLES["findings"]), years)


def _facts(loaded: Loaded) -> dict[str, Part]:
    """The per-fund and per-project facts as of the ledger's last date (read, not summed)."""
    book = loaded.book
    day = book.last_date
    facts = book.facts
    funds: dict[str, list[Any]] = {name: [] for name in fmt.TABLES["fund_facts"].names}
    lines: dict[str, list[Any]] = {name: [] for name in fmt.TABLES["fund_lines"].names}
    fund_years: list[int | None] = []
    line_years: list[int | None] = []
    for ident, held in sorted(facts.funds.items()):
        fund = held.fund
        year = fund.budget_year if fund is not None else None
        idle = held.idle(day) if day is not None else None
        oldest = idle.oldest if idle is not None else None
        row = {
            "fund": ident,
            "name": fund.name if fund is not None else "",
            "family": fund.family if fund is not None else "",
            "restricted": fund.restricted if fund is not None else None,
            "received": held.received(day),
            "returned": held.returned_total(day),
            "spent": held.spent(day),
            "moved": held.moved_total(day),
            "balance": held.balance(day),
            "idle": idle.left if idle is not None else None,
            "idle_since": oldest.date if oldest is not None else None,
            "projects": len(held.projects),
            "as_of": day,
        }
        for name, value in row.items():
            funds[name].append(value)
        fund_years.append(year)
        for kind, series in (
            ("source", held.by_source),
            ("returned", held.returned),
            ("category", held.by_category),
            ("moved", held.moved),
        ):
            for key, amounts in sorted(series.items()):
                for name, value in (("fund", ident), ("kind", kind), ("key", key)):
                    lines[name].append(value)
                lines["amount"].append(amounts.at(day))
                line_years.append(year)
    projects: dict[str, list[Any]] = {name: [] for name in fmt.TABLES["project_facts"].names}
    project_years: list[int | None] = []
    for ident, own in sorted(facts.projects.items()):
        entity = own.project
        stage = own.stage(day)
        contract = own.contract(day)
        row = {
            "project": ident,
            "name": entity.name if entity is not None else "",
            "category": entity.category if entity is not None else "",
            "township": entity.township if entity is not None else None,
            "village": entity.village if entity is not None else None,
            "fund": entity.fund if entity is not None else None,
            "stage": stage.stage if stage is not None else None,
            "stage_date": stage.date if stage is not None else None,
            "accepted": own.reached("accepted", day),
            "budget": own.budget(day),
            "contract": contract.contract_amount if contract is not None else None,
            "settlement": own.settlement(day),
            "spent": own.spent.at(day),
            "prepayment_open": own.prepayment_open(day),
            "deposit_held": own.deposit_held(day),
            "paid": own.paid(day),
            "as_of": day,
        }
        for name, value in row.items():
            projects[name].append(value)
        project_years.append(entity.year if entity is not None else None)
    return {
        "fund_facts": _part("fund_facts", funds, fund_years),
        "fund_lines": _part("fund_lines", lines, line_years),
        "project_facts": _part("project_facts", projects, project_years),
    }


def _part(table: str, columns: dict[str, list[Any]], years: list[int | None]) -> Part:
    """A table from columns, money fields rounded to the fen (facts are unrounded sums); a
    sum too large for decimal(18,2) stops the export naming the row and field."""
    schema = fmt.TABLES[table]
    for field in schema:
        if field.type == fmt.MONEY:
            values = columns[field.name] = [_money(v) for v in columns[field.name]]
            for at, value in enumerate(values):
                _fits(value, f"{table} {columns[schema.names[0]][at]}", field.name)
    return Part(pa.table(columns, schema=schema), years)


def _fits(value: Decimal | None, what: str, name: str) -> None:
    """Stop the export when a sum is too large for decimal(18,2) (never a traceback)."""
    if value is not None and abs(value) > MAX_AMOUNT:
        raise ExportError(
            f"{what}: {name} = {value} 超出 decimal(18,2) 可存的金额 "
            f"(绝对值不超过 {MAX_AMOUNT}; too large to export exactly)"
        )


def _text(value: object) -> str:
    return str(value) if value is not None else ""


def _number(value: object) -> Decimal | None:
    """A measured value as decimal(38,28) (half up at the 28th decimal), None if not a number
    or too large."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return None
    number = value if type(value) is Decimal else Decimal(value)
    if not number.is_finite() or number.adjusted() >= NUMBER_DIGITS:
        return None
    return number.quantize(NUMBER_QUANTUM, context=NUMBER_CONTEXT)


def _money(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _line(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _relative(filename: object, root: Path) -> str:
    """A source file relative to the ledger's folder (no machine paths in the export)."""
    if not filename:
        return ""
    path = Path(str(filename))
    if str(filename).startswith("<"):
        return str(filename)
    try:
        return path.resolve().relative_to(root).as_posix()
    except (ValueError, OSError):
        return path.name


def _version() -> str:
    try:
        return importlib_metadata.version("fupin-ledger")
    except importlib_metadata.PackageNotFoundError:
        return ""


def write_parts(
    parts: dict[str, Part],
    county: str,
    name: str,
    prov: Provenance,
    out: Path,
    *,
    replace: bool = False,
    ledger_errors: int = 0,
) -> int:
    """Write each table's partitions for ``county`` into ``out``, atomically per table;
    returns the number of files written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        lock = os.open(out, os.O_RDONLY)
    except OSError as exc:
        raise ExportError(f"{out}: 无法写入 (cannot write): {exc.strerror}") from None
    try:
        _lock(lock)  # another export into this folder finishes first
        _remove_leftovers(out)
        _same_books(out, county, name, replace)
        return _write_locked(parts, county, name, prov, out, ledger_errors)
    finally:
        os.close(lock)  # releases the lock


def _lock(fd: int) -> None:
    with contextlib.suppress(OSError):  # a file system without locks: do not overlap there
        fcntl.flock(fd, fcntl.LOCK_EX)


def _remove_leftovers(out: Path) -> None:
    """What an export killed mid-way left (staging folders, replaced county folders): no
    export is running now, since this one holds the folder's lock."""
    for stale in out.glob(".fupin-staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for table in fmt.TABLES:
        for stale in (out / table).glob(".county=*.old-*"):
            shutil.rmtree(stale, ignore_errors=True)


def _same_books(out: Path, county: str, name: str, replace: bool) -> None:
    """Refuse to replace an export of ``county`` made from books of another name (a second
    ledger given the same code would silently take the first one's place)."""
    if replace:
        return
    held = next(iter(sorted((out / "postings" / f"county={county}").glob("*/*.parquet"))), None)
    if held is None:
        return
    try:
        meta = pq.read_metadata(held).metadata or {}
    except (pa.ArrowException, OSError):
        return  # a damaged export: replacing it is what the county wants
    before = meta.get(fmt.K_COUNTY_NAME.encode(), b"").decode("utf-8", "replace")
    if before and before != name:
        ledger = meta.get(fmt.K_SHA256.encode(), b"").decode("utf-8", "replace")[:12]
        raise ExportError(
            f"{out}: 县 {county} 已有 “{before}” 的导出 (账簿 sha256 {ledger}), 本次账簿为 "
            f"“{name}”: 同一县代码不能对应两本账簿 (another ledger already exported under this "
            "code); 县代码有误请改正 --county, 确为同一县改名请加 --replace"
        )


def _write_locked(
    parts: dict[str, Part],
    county: str,
    name: str,
    prov: Provenance,
    out: Path,
    ledger_errors: int,
) -> int:
    try:
        staging = out / f".fupin-staging-{county}-{uuid.uuid4().hex[:12]}"
        staging.mkdir()
    except OSError as exc:
        raise ExportError(f"{out}: 无法写入 (cannot write): {exc.strerror}") from None
    # the row digests: the aggregate the roll-up runs again (no progress bar on stdout)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    try:
        count = 0
        split = {table: _by_year(part) for table, part in parts.items()}
        listed = fmt.partitions_text({t: [y for y, _ in chunks] for t, chunks in split.items()})
        common = {
            fmt.K_SCHEMA: fmt.SCHEMA_VERSION,
            fmt.K_COUNTY: county,
            fmt.K_COUNTY_NAME: name,
            fmt.K_LEDGER: prov.ledger,
            fmt.K_SHA256: prov.sha256,
            fmt.K_FILES: str(prov.files),
            fmt.K_COMMIT: prov.git_commit,
            fmt.K_DIRTY: "true" if prov.git_dirty else "false",
            fmt.K_AS_OF: prov.as_of,
            fmt.K_VERSION: _version(),
            fmt.K_PARTITIONS: listed,
            fmt.K_ERRORS: str(ledger_errors),
        }
        for table, chunks in split.items():
            for year, chunk in chunks:
                folder = staging / table / f"county={county}" / f"year={fmt.partition_name(year)}"
                folder.mkdir(parents=True)
                meta = {
                    **common,
                    fmt.K_TABLE: table,
                    fmt.K_YEAR: "" if year is None else str(year),
                    **fmt.file_checks(table, chunk, arrow_sums(chunk, con)),
                }
                pq.write_table(
                    chunk.replace_schema_metadata(meta),
                    folder / fmt.FILE_NAME,
                    compression="zstd",
                )
                count += 1
        _swap(staging, out, county, list(parts))
        return count
    except OSError as exc:
        raise ExportError(
            f"{out}: 无法写入, 原导出未改动 (cannot write): {exc.strerror or exc}"
        ) from None
    finally:
        con.close()
        shutil.rmtree(staging, ignore_errors=True)


def _by_year(part: Part) -> list[tuple[int | None, pa.Table]]:
    """The table's rows per partition year (one empty file when it has no rows, so that
    every export writes every table)."""
    if part.table.num_rows == 0:
        return [(None, part.table)]
    years = pa.array(part.years, pa.int32())
    out: list[tuple[int | None, pa.Table]] = []
    distinct = sorted({y for y in part.years if y is not None})
    for year in distinct:
        out.append((year, part.table.filter(pc.equal(years, year))))
    if any(y is None for y in part.years):
        out.append((None, part.table.filter(pc.is_null(years))))
    return out


def _swap(staging: Path, out: Path, county: str, tables: list[str]) -> None:
    """Move each table's new ``county=`` folder into place; undo all on a failure."""
    token = uuid.uuid4().hex[:12]
    done: list[tuple[Path, Path | None]] = []
    try:
        for table in tables:
            target = out / table / f"county={county}"
            target.parent.mkdir(parents=True, exist_ok=True)
            old: Path | None = None
            if target.exists():
                old = target.parent / f".county={county}.old-{token}"
                os.replace(target, old)
            done.append((target, old))
            os.replace(staging / table / f"county={county}", target)
    except OSError:
        for target, old in reversed(done):
            if target.exists():  # the new folder, when it was moved in
                shutil.rmtree(target, ignore_errors=True)
            if old is not None:
                os.replace(old, target)
        raise
    for _target, old in done:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
