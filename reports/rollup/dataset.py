"""Find and verify the county exports a roll-up reads (issue 16).

Every file under ``DIR/<table>/county=<code>/year=<year>/`` is checked before any engine
reads it: a readable Parquet footer, fupin metadata of one schema version, the county and
year of its folder, the columns of its table, and its own checks: row count, amount totals
and the row digest of every column (:mod:`fupin.reports.row_digest`), recomputed by DuckDB
in one pass per table; the SHA-256 digest of its values in file order with ``--verify-all``
and for files exported before the row digest. All files of a county must come from one
export (one ledger hash, every table present) and a county may sit in one DIR only. Any
failure is a :class:`RollupInputError` naming the file; nothing is read. A file whose exact
bytes passed these content checks before (:mod:`fupin.reports.rollup.verified`, keyed by
their SHA-256) is not recomputed, except with ``--verify-all``; every other check runs.
"""

from __future__ import annotations

import os
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq
from fupin.reports import parquet_format as fmt
from fupin.reports import row_digest
from fupin.reports.rollup import verified

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

T = TypeVar("T")


class RollupInputError(Exception):
    """The exports cannot be rolled up as they stand (exit 2)."""


@dataclass(frozen=True)
class ExportFile:
    """One verified file of an export."""

    path: Path
    root: Path  # the DIR it was found in
    table: str
    county: str
    year: int | None
    rows: int
    meta: dict[str, str]
    footer: pq.FileMetaData | None = None


@dataclass(frozen=True)
class County:
    """One county's export, from its files' metadata."""

    county: str
    name: str
    root: Path
    ledger: str
    ledger_sha256: str
    git_commit: str
    git_dirty: bool
    as_of: str
    version: str
    posting_rows: int  # rows of the selected years
    ledger_errors: int  # errors of invalid books exported with --allow-invalid (0: valid)


@dataclass(frozen=True)
class Dataset:
    """The verified files of every table, and the counties they hold."""

    files: dict[str, list[ExportFile]]
    counties: dict[str, County]
    year: int | None
    #: county → its first file exported before the row digest (checked by its SHA-256
    #: digest instead; its measures and project facts by their numbers only)
    old_exports: dict[str, Path] = field(default_factory=dict)
    #: files whose content was verified by this run / known verified (the same bytes
    #: passed the same checks before: :mod:`fupin.reports.rollup.verified`)
    verified_now: int = 0
    known_verified: int = 0

    @property
    def without_year(self) -> list[str]:
        """The counties with no posting in the selected year (none when no year is)."""
        if self.year is None:
            return []
        return [code for code, c in self.counties.items() if not c.posting_rows]

    def by_root(self, table: str) -> dict[Path, list[ExportFile]]:
        """A table's files grouped by the DIR they came from."""
        out: dict[Path, list[ExportFile]] = defaultdict(list)
        for file in self.files[table]:
            out[file.root].append(file)
        return dict(out)


def scan(dirs: Sequence[Path], year: int | None = None, *, every_value: bool = False) -> Dataset:
    """Find, verify and describe the exports under ``dirs``; ``year`` is the selection the
    engines' views apply (every file is verified: a fund's later years feed its balance).
    Every file is checked by its rows, amount totals and row digest (every column, in any
    row order), by its SHA-256 digest too with ``every_value`` (the values in file order)."""
    found: list[tuple[Path, str, Path]] = []
    seen: set[Path] = set()
    for root in dirs:
        same = root.resolve()
        if same in seen:  # one folder named twice: read once, never summed twice
            continue
        seen.add(same)
        here = _files_under(root)
        if not here:
            raise RollupInputError(_nothing_here(root))
        found += here
    footers = _parallel(_footer, found)
    _one_schema_version(footers)
    files = [_describe(*item) for item in footers]
    counties = _counties(files, year)
    if year is not None and all(f.year != year for f in files):
        present = sorted({f.year for f in files if f.year is not None})
        listed = ", ".join(str(y) for y in present) or "无"
        raise RollupInputError(
            f"--year {year}: 各县导出中没有该年度的数据 (no county has data for {year}; "
            f"导出中的年度 years present: {listed})"
        )
    old = [f for f in files if fmt.K_ROW_DIGEST not in f.meta]
    records = verified.Verified()
    stamps, keys, known = _known(records, files, every_value)
    todo = [f for f in files if f.path not in known]
    _verify_sums(todo)
    _parallel(_verify_digest, [(f,) for f in todo if every_value or fmt.K_ROW_DIGEST not in f.meta])
    if records.folder is not None and todo:
        for file in todo:  # every check passed (a failure raised before)
            records.record(keys[file.path], file.path, stamps[file.path])
        records.prune()
    by_table: dict[str, list[ExportFile]] = {name: [] for name in fmt.TABLES}
    for file in sorted(files, key=lambda f: (f.table, f.county, f.year or 0, str(f.path))):
        by_table[file.table].append(file)
    old_exports: dict[str, Path] = {}
    for file in sorted(old, key=lambda f: (f.county, f.table, str(f.path))):
        old_exports.setdefault(file.county, file.path)
    return Dataset(by_table, counties, year, old_exports, len(todo), len(known))


def _known(
    records: verified.Verified, files: list[ExportFile], every_value: bool
) -> tuple[dict[Path, verified.Stamp], dict[Path, str], set[Path]]:
    """Each file's stamp and record key (none without a cache folder), and the files whose
    bytes passed these checks before (none with ``every_value``: everything is verified)."""
    if records.folder is None:
        return {}, {}, set()
    stamps = dict(
        zip((f.path for f in files), _parallel(_stamp, [(f,) for f in files]), strict=True)
    )
    keys = {f.path: verified.key(stamps[f.path].sha256, f.meta, _checks_run(f)) for f in files}
    if every_value:
        return stamps, keys, set()
    return stamps, keys, {f.path for f in files if records.known(keys[f.path])}


def _checks_run(file: ExportFile) -> str:
    """What a roll-up verifies of a file without ``--verify-all``."""
    return "row-digest" if fmt.K_ROW_DIGEST in file.meta else "sha256-values"


def _stamp(file: ExportFile) -> verified.Stamp:
    try:
        return verified.stamp(file.path)
    except OSError as exc:
        raise RollupInputError(f"{file.path}: 无法读取 (cannot be read): {exc}") from None


def _files_under(root: Path) -> list[tuple[Path, str, Path]]:
    out = []
    for table in fmt.TABLES:
        for path in sorted((root / table).glob("county=*/year=*/*.parquet")):
            out.append((root, table, path))
    return out


def _nothing_here(root: Path) -> str:
    hint = ""
    if root.name in fmt.TABLES or root.name.startswith("county="):
        top = root.parent if root.name in fmt.TABLES else root.parent.parent
        hint = f"; 请指定导出目录本身 (name the export folder itself: {top})"
    return (
        f"{root}: 没有县级导出 (no county export here; expected {root}/postings/county=<code>/"
        f"year=<year>/{fmt.FILE_NAME}; 用 `fupin export parquet --county CODE --out {root}` 导出)"
        + hint
    )


Footer = tuple[Path, str, Path, pq.FileMetaData, dict[str, str]]


def _footer(root: Path, table: str, path: Path) -> Footer:
    try:
        meta = pq.read_metadata(path)
    except (pa.ArrowException, OSError) as exc:
        raise RollupInputError(
            f"{path}: 无法读取的 Parquet 文件 (not a readable Parquet file: truncated or "
            f"damaged): {exc}"
        ) from None
    raw = meta.metadata or {}
    kv = {k.decode("utf-8", "replace"): v.decode("utf-8", "replace") for k, v in raw.items()}
    if fmt.K_SCHEMA not in kv:
        raise RollupInputError(
            f"{path}: 不是 fupin 导出文件 (not a fupin export: no {fmt.K_SCHEMA} in its metadata)"
        )
    return root, table, path, meta, kv


def _one_schema_version(footers: list[Footer]) -> None:
    versions: dict[str, Path] = {}
    for _root, _table, path, _meta, kv in footers:
        versions.setdefault(kv[fmt.K_SCHEMA], path)
    if len(versions) > 1:
        listed = "; ".join(f"{path} 为版本 {v}" for v, path in sorted(versions.items()))
        raise RollupInputError(
            f"导出格式版本不一致 (mixed export schema versions): {listed}; "
            "请用同一版本的 fupin 重新导出各县"
        )
    (version,) = versions
    if version != fmt.SCHEMA_VERSION:
        older = version.isdigit() and int(version) < int(fmt.SCHEMA_VERSION)
        advice = (
            "请用本版 fupin 重新导出各县 (an older export: re-export with this fupin)"
            if older
            else "请升级 fupin (a newer export: upgrade fupin)"
        )
        raise RollupInputError(
            f"{versions[version]}: 导出格式版本 {version}, 本 fupin 读取版本 "
            f"{fmt.SCHEMA_VERSION}: {advice}"
        )


def _describe(
    root: Path, table: str, path: Path, meta: pq.FileMetaData, kv: dict[str, str]
) -> ExportFile:
    county = path.parent.parent.name.removeprefix("county=")
    year_text = path.parent.name.removeprefix("year=")
    year = None if year_text == fmt.NULL_PARTITION else _int(year_text, path, "year folder")
    for key, folder_value in (
        (fmt.K_TABLE, table),
        (fmt.K_COUNTY, county),
        (fmt.K_YEAR, "" if year is None else str(year)),
    ):
        if kv.get(key) != folder_value:
            raise RollupInputError(
                f"{path}: 元数据 {key} = {kv.get(key)!r}, 但目录为 {folder_value!r} "
                "(the folder says otherwise: a file moved or renamed after export)"
            )
    if path.name != fmt.FILE_NAME:
        raise RollupInputError(
            f"{path}: 导出每个分区只有一个 {fmt.FILE_NAME}, 此文件是多余的副本 (a copy beside "
            "the export's own file: its rows would be counted twice); 请删除它或重新导出该县"
        )
    expected = fmt.TABLES[table]
    schema = meta.schema.to_arrow_schema()
    if not schema.remove_metadata().equals(expected):
        raise RollupInputError(
            f"{path}: 列与版本 {fmt.SCHEMA_VERSION} 的 {table} 表不符 (columns differ): "
            f"has {_columns(schema)}, expected {_columns(expected)}"
        )
    rows = _int(kv.get(fmt.K_ROWS, ""), path, fmt.K_ROWS)
    if rows != meta.num_rows:
        raise RollupInputError(
            f"{path}: 文件有 {meta.num_rows} 行, 元数据记载 {rows} 行 "
            "(rows differ from its metadata: truncated or altered after export)"
        )
    return ExportFile(path, root, table, county, year, rows, kv, meta)


def _verify_sums(files: list[ExportFile]) -> None:
    """Recompute every file's rows, amount totals and row digest (when its export recorded
    one) with DuckDB, one parallel pass per table, and compare them with its metadata."""
    import duckdb

    by_table: dict[str, list[ExportFile]] = defaultdict(list)
    for file in files:
        by_table[file.table].append(file)
    if not by_table:
        return
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")  # stdout carries the roll-ups
        for table, own in sorted(by_table.items()):
            computed = _table_sums(con, table, own)
            for file in own:
                checks = fmt.sums_checks(table, computed.get(str(file.path), NO_ROWS))
                if fmt.K_ROW_DIGEST not in file.meta:  # exported before the row digest
                    del checks[fmt.K_ROW_DIGEST]
                for key, value in checks.items():
                    if file.meta.get(key) != value:
                        raise RollupInputError(_altered(file, key, value))


NO_ROWS = row_digest.Sums(0, None, None, row_digest.EMPTY)


def _table_sums(con: Any, table: str, files: list[ExportFile]) -> dict[str, row_digest.Sums]:
    """Each file's checks (files without rows have none), by its path as given."""
    import duckdb

    source = "read_parquet(?, filename = true, hive_partitioning = false)"
    query = row_digest.checks_sql(fmt.TABLES[table], "duckdb", source, "filename")
    try:
        rows = con.execute(query, [[str(f.path) for f in files]]).fetchall()
    except duckdb.Error:
        for file in files:  # name the file that cannot be read
            try:
                con.execute(query, [[str(file.path)]]).fetchall()
            except duckdb.Error as exc:
                first = (str(exc).splitlines() or [""])[0]
                raise RollupInputError(f"{file.path}: 无法读取 (cannot be read): {first}") from None
        raise
    return {path: row_digest.sums(rest) for path, *rest in rows}


def _verify_digest(file: ExportFile) -> None:
    """Recompute the file's SHA-256 digest of its values, in file order, and compare it."""
    try:
        table = pq.read_table(file.path, columns=fmt.digest_columns(file.table), partitioning=None)
    except (pa.ArrowException, OSError) as exc:
        raise RollupInputError(f"{file.path}: 无法读取 (cannot be read): {exc}") from None
    value = fmt.sha_digest(file.table, table)
    if file.meta.get(fmt.K_DIGEST) != value:
        raise RollupInputError(_altered(file, fmt.K_DIGEST, value))


def _altered(file: ExportFile, key: str, value: str) -> str:
    what = (
        " (行的内容变了: 金额对调, 改了村、项目或其他字段, 删除、重复或移入的行; "
        "a row's content changed)"
        if key in (fmt.K_ROW_DIGEST, fmt.K_DIGEST)
        else ""
    )
    return (
        f"{file.path}: {key} 为 {value}, 元数据记载 {file.meta.get(key, '(无 missing)')}{what}: "
        "导出后被改动, 拒绝读取 (altered after export: refused)"
    )


def _counties(files: list[ExportFile], year: int | None) -> dict[str, County]:
    by_county: dict[str, list[ExportFile]] = defaultdict(list)
    for file in files:
        by_county[file.county].append(file)
    out: dict[str, County] = {}
    for code, own in sorted(by_county.items()):
        roots = sorted({str(f.root) for f in own})
        if len(roots) > 1:
            raise RollupInputError(
                f"县 {code} 在多个目录中都有导出 (in more than one folder: "
                f"{', '.join(roots)}): 每个县只能指定一次"
            )
        hashes = {f.meta.get(fmt.K_SHA256, "") for f in own}
        if len(hashes) > 1:
            odd = next(f for f in own if f.meta.get(fmt.K_SHA256) != own[0].meta.get(fmt.K_SHA256))
            raise RollupInputError(
                f"县 {code}: 文件来自不同的导出 (files of different exports: {own[0].path}, "
                f"{odd.path}): 导出中断或混入了其他文件, 请重新导出该县"
            )
        missing = set(fmt.TABLES) - {f.table for f in own}
        if missing:
            raise RollupInputError(
                f"县 {code} ({roots[0]}): 缺少 {', '.join(sorted(missing))} 表 (table missing: "
                "an incomplete export), 请重新导出该县"
            )
        _check_partitions(code, own)
        kv = own[0].meta
        out[code] = County(
            county=code,
            name=kv.get(fmt.K_COUNTY_NAME, ""),
            root=own[0].root,
            ledger=kv.get(fmt.K_LEDGER, ""),
            ledger_sha256=kv.get(fmt.K_SHA256, ""),
            git_commit=kv.get(fmt.K_COMMIT, ""),
            git_dirty=kv.get(fmt.K_DIRTY) == "true",
            as_of=kv.get(fmt.K_AS_OF, ""),
            version=kv.get(fmt.K_VERSION, ""),
            posting_rows=sum(
                f.rows for f in own if f.table == "postings" and (year is None or f.year == year)
            ),
            ledger_errors=_int(kv.get(fmt.K_ERRORS, ""), own[0].path, fmt.K_ERRORS),
        )
    _one_code_per_ledger(out)
    return out


def _check_partitions(code: str, own: list[ExportFile]) -> None:
    """The county's files are exactly the partitions its export wrote (its metadata lists
    them): a deleted year folder would silently drop that year's money."""
    listed = {f.meta.get(fmt.K_PARTITIONS, "") for f in own}
    if len(listed) > 1:
        raise RollupInputError(
            f"县 {code}: 文件来自不同的导出 (files of different exports: {own[0].path} lists "
            "other partitions than the rest): 请重新导出该县"
        )
    text = listed.pop()
    try:
        declared = fmt.parse_partitions(text)
    except (TypeError, ValueError):
        raise RollupInputError(
            f"{own[0].path}: 元数据 {fmt.K_PARTITIONS} = {text[:80]!r} 无法读取 (not the "
            "partitions an export writes): 请重新导出该县"
        ) from None
    found = {(f.table, f.year) for f in own}
    lost = sorted(declared - found, key=_partition_key)
    if lost:
        table, year = lost[0]
        folder = own[0].root / table / f"county={code}" / f"year={fmt.partition_name(year)}"
        raise RollupInputError(
            f"县 {code}: 缺少 {folder / fmt.FILE_NAME} (导出写了该分区, 现在不见了: a partition "
            f"of the export is missing{f', and {len(lost) - 1} more' if len(lost) > 1 else ''})"
            ": 请重新导出该县"
        )
    extra = next((f for f in own if (f.table, f.year) not in declared), None)
    if extra is not None:
        raise RollupInputError(
            f"{extra.path}: 不属于县 {code} 的这次导出 (not a partition its export wrote: "
            "copied in from elsewhere): 请删除它或重新导出该县"
        )


def _partition_key(item: tuple[str, int | None]) -> tuple[str, int]:
    return item[0], item[1] if item[1] is not None else 99999


def _one_code_per_ledger(counties: dict[str, County]) -> None:
    """One set of books exported under two county codes would be summed twice."""
    codes: dict[str, str] = {}
    for code, county in counties.items():
        first = codes.setdefault(county.ledger_sha256, code)
        if first != code:
            raise RollupInputError(
                f"县 {first} 与县 {code} 的导出来自同一本账簿 (the same books under two county "
                f"codes: ledger sha256 {county.ledger_sha256[:12]}; {counties[first].root}, "
                f"{county.root}): 其中一个县代码有误, 请删除错误的导出"
            )


def _columns(schema: pa.Schema) -> str:
    return ", ".join(f"{f.name} {f.type}" for f in schema)


def _int(text: str, path: Path, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise RollupInputError(f"{path}: {what} {text!r} 不是数字 (not a number)") from None


def _parallel(func: Callable[..., T], items: Sequence[tuple[Any, ...]]) -> list[T]:
    """``func(*item)`` for each item, on a thread per core (pyarrow reads outside the GIL)."""
    workers = min(len(items), os.cpu_count() or 1, 8)
    if workers <= 1:
        return [func(*item) for item in items]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda item: func(*item), items))
