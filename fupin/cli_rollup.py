"""``fupin export parquet`` and ``fupin rollup``: counties to Parquet, roll-ups across them.

Registered in :mod:`fupin.cli`. Bad input (a ledger that cannot be read, a county code that
is not one, an export that fails its checks, an unknown roll-up) exits 2 with a message,
never a traceback. pyarrow, DuckDB and Spark are imported only when a command runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from fupin import cli_zh

#: as in :mod:`fupin.cli` (which imports this module to register its commands)
LEDGER = click.argument("ledger", required=False, type=click.Path(dir_okay=False))


class BadExport(click.ClickException):
    """An export that cannot be written or read as it stands: exit 2."""

    exit_code = 2


@click.group("export", cls=cli_zh.Group)
def export() -> None:
    """导出 (export) a county's books for the province: Parquet."""


@export.command("parquet")
@LEDGER
@click.option(
    "--county",
    default=None,
    help="县级行政区划代码 (6 digits, e.g. 410522), kept as text; default: the ledger's "
    '`custom "county"` entry (fupin init writes it).',
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False),
    help="导出目录 (shared by many counties): DIR/<table>/county=…/year=…/",
)
@click.option(
    "--name", default="", help="县名 (default: the county entry's name, else the title option)."
)
@click.option(
    "--allow-invalid",
    is_flag=True,
    help="账簿有错误 (fupin check 的 Beancount/ENTITY/LEDGER/POLICY/PII 错误) 时仍导出, "
    "文件中注明错误数, 汇总时标出 (default: refused).",
)
@click.option(
    "--replace",
    is_flag=True,
    help="替换同一县代码下另一县名的导出 (the county was renamed).",
)
def parquet(
    ledger: str | None,
    county: str | None,
    out: str,
    name: str,
    allow_invalid: bool,
    replace: bool,
) -> None:
    """把一个县的分录、合规指标与问题导出为 Parquet (postings, measures, findings)."""
    from fupin.cli import UnreadableLedger, open_ledger, relpath
    from fupin.entities import County
    from fupin.export_rows import ExportRowError
    from fupin.households import RegisterError, register_for
    from fupin.reports.export_parquet import ExportError, check_county, export_county

    loaded = open_ledger(ledger)
    declared = loaded.book.all(County)
    if county is None:
        county = declared[-1].id if declared else ""
    county = county.strip()
    if not county and not declared:
        raise click.UsageError(
            '需要县代码: --county CODE, 或在账簿中写 `custom "county" "<6 位代码>"` (name: 县名)'
        )
    try:
        check_county(county)
    except ExportError as exc:
        raise BadExport(str(exc)) from None
    if declared and declared[-1].id != county:
        raise BadExport(
            f'--county {county}: 账簿的 custom "county" ({declared[-1].date}) 声明本县为 '
            f"{declared[-1].id}, 两者不一致 (the books say they are another county): 改正其中之一"
        )
    name = name or (declared[-1].name if declared else "")
    invalid = invalid_book_errors(loaded)
    if invalid and not allow_invalid:
        raise BadExport(_invalid_message(invalid))
    try:
        register = register_for(loaded.path, loaded.book)
    except RegisterError as exc:
        raise UnreadableLedger(f"农户信息库: {exc}") from None
    try:
        written = export_county(
            loaded,
            county,
            Path(out),
            name=name,
            register=register,
            replace=replace,
            ledger_errors=len(invalid),
        )
    except (ExportError, ExportRowError) as exc:
        raise BadExport(str(exc)) from None
    rows = written.rows
    click.echo(
        f"县 {county}: {rows['postings']} 条分录, {rows['measures']} 项指标, "
        f"{rows['findings']} 个问题 → {relpath(str(written.out))}/ "
        f"({written.files} 个文件; 账簿 sha256 {written.provenance.sha256[:12]}"
        + (f", git {written.provenance.git_commit[:10]}" if written.provenance.git_commit else "")
        + (" 有未提交修改" if written.provenance.git_dirty else "")
        + ")"
    )
    if invalid:
        click.echo(
            f"注意: 账簿有 {len(invalid)} 个错误 (fupin check 查看), 已按 --allow-invalid 导出; "
            "汇总时该县标为账簿有错误",
            err=True,
        )
    sys.exit(0)


#: what makes the books themselves invalid (as for ``fupin seal``): Beancount's own errors
#: and these rules' errors. Compliance findings (B02 below its share, K1 idle money) are
#: facts of valid books: they are what the export carries.
INVALID_RULES = ("ENTITY", "LEDGER", "POLICY", "PII", "A03", "A04")


def invalid_book_errors(loaded: Any) -> list[Any]:
    """The errors that make a county's books invalid for a roll-up."""
    from fupin.findings import Severity

    own = [
        f
        for f in loaded.results.findings
        if f.rule in INVALID_RULES and f.severity == Severity.ERROR
    ]
    return [*loaded.other_errors, *own]


def _invalid_message(errors: list[Any]) -> str:
    from fupin.beancount_zh import message_of
    from fupin.cli import relpath

    shown = []
    for error in errors[:5]:
        source = getattr(error, "source", None) or {}
        where = f"{relpath(str(source.get('filename', '')))}:{source.get('lineno', '')}"
        rule = getattr(error, "rule", "") or "Beancount"
        first = (message_of(error).splitlines() or [""])[0][:240]
        shown.append(f"  {where}: {first if first.startswith(rule) else f'{rule}: {first}'}")
    more = f"\n  … 另有 {len(errors) - 5} 个" if len(errors) > 5 else ""
    return (
        f"账簿有 {len(errors)} 个错误, 未导出 (the books are invalid: figures from them would "
        "not be the county's): 先用 fupin check 改正; 确需先报送请加 --allow-invalid "
        "(导出中注明错误数)\n" + "\n".join(shown) + more
    )


@click.command("rollup", cls=cli_zh.Command)
@click.argument(
    "dirs",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, file_okay=False),
)
@click.option(
    "--engine",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="DuckDB 内嵌 (默认) 或 Spark (集群或本机 local 模式).",
)
@click.option("--year", type=int, help="只汇总该年度 (posting year, budget year of measures).")
@click.option(
    "--query",
    "names",
    multiple=True,
    help="只运行该汇总 (repeatable; --list 查看全部).",
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON (machine-readable)。")
@click.option("--csv", "as_csv", is_flag=True, help="输出一个汇总的 CSV (与 --query 同用)。")
@click.option(
    "--html",
    "html_out",
    type=click.Path(dir_okay=False),
    help="写一页 HTML 报告 (每个汇总一张表, 产业占比图).",
)
@click.option("--memory-limit", default=None, help="DuckDB 内存上限 (memory limit), 默认 768MB。")
@click.option(
    "--verify-all",
    "every_value",
    is_flag=True,
    help="另按文件顺序逐值校验 SHA-256 摘要 (also check each file's SHA-256 digest of its "
    "values in file order: the row order too; slower). 行摘要 (every column of every row) "
    "is always checked; 此前已核验且内容未变的文件 (same SHA-256 of its bytes) 不再重算, "
    "--verify-all 全部重新核验 (ignores them).",
)
@click.option("--list", "list_only", is_flag=True, help="列出所有汇总 (list the roll-ups).")
def rollup(
    dirs: tuple[str, ...],
    engine: str,
    year: int | None,
    names: tuple[str, ...],
    as_json: bool,
    as_csv: bool,
    html_out: str | None,
    memory_limit: str | None,
    every_value: bool,
    list_only: bool,
) -> None:
    """跨县汇总 (roll-up): 读取 `fupin export parquet` 导出的目录 DIR…, 运行命名的 SQL 汇总."""
    from fupin.reports.rollup import open_engine, run
    from fupin.reports.rollup.catalogue import UnknownQuery, catalogue, select
    from fupin.reports.rollup.dataset import RollupInputError, scan

    if list_only:
        for query in catalogue().values():
            click.echo(f"{query.name:24} {query.title}")
        return
    if as_json and as_csv:
        raise click.UsageError("--json 与 --csv 只能选一个 (give one)")
    try:
        queries = select(list(names))
    except UnknownQuery as exc:
        raise BadExport(str(exc)) from None
    if as_csv and len(queries) != 1:
        raise click.UsageError(
            "--csv 只输出一张表: 请加 --query NAME (one of "
            + ", ".join(q.name for q in queries)
            + ")"
        )
    try:
        dataset = scan([Path(d) for d in dirs], year, every_value=every_value)
    except RollupInputError as exc:
        raise BadExport(str(exc)) from None
    try:
        active = open_engine(engine, dataset, memory_limit=memory_limit)
    except Exception as exc:
        raise BadExport(f"--engine {engine}: {exc}") from None
    try:
        results = run(active, queries)
    finally:
        active.close()
    _emit(results, dataset, engine, year, as_json=as_json, as_csv=as_csv, html_out=html_out)


def _emit(
    results: list[Any],
    dataset: Any,
    engine: str,
    year: int | None,
    *,
    as_json: bool,
    as_csv: bool,
    html_out: str | None,
) -> None:
    from fupin.cli import relpath
    from fupin.reports.rollup import output

    counties = list(dataset.counties)
    if html_out:
        from fupin.reports.rollup.html import RollupHtmlError, write_html

        try:
            path = write_html(
                results, Path(html_out), counties=dataset.counties, year=year, engine=engine
            )
        except RollupHtmlError as exc:
            raise BadExport(str(exc)) from None
        click.echo(f"汇总报告 → {relpath(str(path))} ({len(counties)} 个县)", err=as_json or as_csv)
    notes = _notes(dataset)
    for note in notes if as_json or as_csv or html_out else ():
        click.echo(f"注意: {note}", err=True)
    if as_json:
        context = {
            "engine": engine,
            "year": year,
            "counties": counties,
            "invalid_books": {
                c.county: c.ledger_errors for c in dataset.counties.values() if c.ledger_errors
            },
            "without_year": dataset.without_year,
            "old_exports": {code: str(path) for code, path in dataset.old_exports.items()},
            "verified_files": {
                "files": dataset.verified_now + dataset.known_verified,
                "verified_now": dataset.verified_now,
                "known_verified": dataset.known_verified,
            },
        }
        click.echo(output.as_json(results, context))
    elif as_csv:
        click.echo(output.as_csv(results[0]), nl=False)
    elif not html_out:
        scope = f"{year}年度" if year else "全部年度"
        header = f"跨县汇总: {len(counties)} 个县, {scope}, 引擎 {engine}\n{verified_line(dataset)}"
        header += "".join(f"\n注意: {note}" for note in notes)
        click.echo(output.text(results, header))


def verified_line(dataset: Any) -> str:
    """How many files this run verified, and how many it knew verified (same bytes)."""
    total = dataset.verified_now + dataset.known_verified
    line = f"已核验 {total:,} 个文件"
    if dataset.known_verified:
        line += f" (其中 {dataset.known_verified:,} 个此前已核验, 内容未变)"
    return line


def _notes(dataset: Any) -> list[str]:
    """What a reader of the roll-up must know about the counties it covers."""
    out = []
    invalid = [c for c in dataset.counties.values() if c.ledger_errors]
    if invalid:
        listed = ", ".join(f"{c.county} ({c.ledger_errors} 个错误)" for c in invalid)
        out.append(
            f"{len(invalid)} 个县的账簿有错误, 按 --allow-invalid 导出, 数字可能不实 "
            f"(exported from invalid books): {listed}"
        )
    if dataset.old_exports:
        listed = ", ".join(f"{code} ({path})" for code, path in dataset.old_exports.items())
        out.append(
            f"{len(dataset.old_exports)} 个县的导出由旧版 fupin 写出, 没有行摘要 "
            f"(fupin.row_digest): 已按其 SHA-256 摘要逐值校验 (较慢), 其指标 (measures) "
            f"和项目 (project_facts) 表只校验了数值列; 请这些县用本版 fupin 重新导出: {listed}"
        )
    if dataset.without_year:
        out.append(
            f"{len(dataset.without_year)} 个县没有 {dataset.year} 年度的分录 (no postings "
            f"that year): {', '.join(dataset.without_year)}"
        )
    return out
