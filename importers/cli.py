"""``fupin import identify|extract|archive``: beangulp's command set for finance officers.

``identify`` and ``archive`` are beangulp's own commands run over the configured importers.
``extract`` is beangulp's extract made safe for books of public money: every document is
checked first and nothing is written if any row is malformed; duplicates are found by exact
source key (bank serial, roll row, allocation row) and skipped, not written commented out;
the output is written atomically, and ``--include`` adds it to the ledger.

The importers come from a Fava-style configuration module (``CONFIG = [...]``): ``--config``,
else ``import_config.py`` beside the ``-e`` ledger, else the sample county's.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import beangulp
import click
from beancount.core import data
from fupin.importers import progress
from fupin.importers.check import Problem, check_import
from fupin.importers.ingest import (
    ConfigError,
    Run,
    add_include,
    as_written,
    describe,
    load_config,
    render_lines,
    run_files,
    unfit_to_archive,
    write_entries,
)
from fupin.importers.sheet import SHEET_KEY, meta_place

from fupin.cli_zh import Command
from fupin.ledger_lock import held as ledger_held
from fupin.load import (
    DEFAULT_LEDGER,
    LedgerUnreadable,
    installed_package,
    installed_sample_refusal,
    load,
)

SAMPLE_CONFIG = DEFAULT_LEDGER.parent / "import_config.py"


def config_path(config: str | None, existing: str | None) -> Path:
    """The configuration module to use (see the module docstring)."""
    if config:
        return Path(config)
    if existing:
        beside = Path(existing).resolve().parent / "import_config.py"
        if beside.is_file():
            return beside
    return SAMPLE_CONFIG


def importers_for(config: str | None, existing: str | None) -> list[beangulp.Importer]:
    try:
        return load_config(config_path(config, existing))
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


@dataclass
class Ledger:
    """The existing ledger of an import: its entries, options, and the fupin findings its
    own load gave (None without a ledger)."""

    entries: list[data.Directive]
    options: dict[str, Any]
    findings: list[Any] | None


def load_existing(path: str | None) -> Ledger:
    """Load the ``-e`` ledger once, as ``fupin check`` does (:func:`fupin.load.load`): for
    de-duplication, reconciliation and the findings it had before the import.

    So the ledger is preflighted (a file Beancount would crash on or echo is refused with its
    file and line, nothing of it printed), its files are read through fupin's per-file cache
    (outside the books: never Beancount's pickle of the whole ledger beside it, which would
    hold the register's names and which it does not re-check), and the findings are the
    plugin's own from that load.
    """
    if not path:
        return Ledger([], {}, None)
    try:
        loaded = load(path, measures=False)
    except LedgerUnreadable as exc:
        raise click.ClickException(str(exc)) from None
    return Ledger(loaded.entries, loaded.options, list(loaded.results.findings))


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off (DESIGN: speed): an import allocates hundreds of
    thousands of acyclic entries, and each collection would walk the whole ledger."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


CONFIG_OPTION = click.option(
    "--config",
    "-c",
    type=click.Path(exists=True, dir_okay=False),
    help="导入配置 (含 CONFIG 的 Python 文件; 默认: -e 账簿旁的 import_config.py)。",
)


@click.command("extract", cls=Command)
@click.argument("src", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--existing",
    "-e",
    type=click.Path(exists=True, dir_okay=False),
    help="现有账簿: 按来源键去重, 并与已记凭证、清册、分配表对账。",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), help="写入此文件 (默认: 标准输出)。"
)
@click.option("--append", "-a", is_flag=True, help="追加到已有的 --output 文件。")
@click.option("--include", "-i", is_flag=True, help='在 -e 账簿中加入 include "<output>"。')
@click.option(
    "--check/--no-check",
    default=True,
    help="有 -e 与 -o 时: 写入后检查新记录, 列出导入带来的新问题。",
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出报告 (不显示进度条)。")
@CONFIG_OPTION
@gc_paused()
def extract_cmd(
    src: tuple[str, ...],
    existing: str | None,
    output: str | None,
    append: bool,
    include: bool,
    check: bool,
    as_json: bool,
    config: str | None,
) -> None:
    """从 SRC 文件提取新记录: 每个文件全部导入或全部不导入, 按来源键精确去重。

    有问题的文件 (某行、某列有误, 无法识别) 不写入任何记录并指明文件、行、列; 其余文件照常导入。
    任一文件被拒绝时退出码为 2。
    """
    if include and not (existing and output):
        raise click.UsageError("--include 须与 --existing (-e) 和 --output (-o) 一同使用")
    if (output and installed_package(output)) or (include and installed_package(str(existing))):
        raise click.UsageError(installed_sample_refusal("写入导入记录"))
    if output and Path(output).exists() and not append:
        raise click.UsageError(f"{output} 已存在: 加 --append (-a) 追加到它后面 (从不覆盖)")
    if existing is not None and output is not None:
        # the books are read (to dedupe) and written (output, include) by one run at a time: a
        # second run waits, then dedupes against what the first wrote; held until the command
        # ends (its context closes), exit included
        click.get_current_context().with_resource(ledger_held(Path(existing), "未导入"))
    importers = importers_for(config, existing)
    ledger = load_existing(existing)
    with progress.shown(not as_json):
        run = run_files(importers, src, ledger.entries)
    report: dict[str, Any] = {"files": [], "rejected": [], "written": None, "check": []}
    _report(run, report, as_json)
    new = sum(len(r.entries) for r in run.results)
    status = 2 if run.problems else 0
    if not new:
        if not as_json:
            click.echo("没有新记录, 未写入。", err=True)
        _finish(report, as_json, status)
        return
    target = Path(output) if output else None
    start = 1
    if target is not None and append and target.exists():
        old = target.read_text(encoding="utf-8")
        start = old.count("\n") + 1 + (bool(old) and not old.endswith("\n"))
    text, lines = render_lines(run.results, start)
    if target is None:
        if as_json:
            report["text"] = text
        else:
            click.echo(text, nl=False)
        _finish(report, as_json, status)
        return
    write_entries(text, target, append=append)
    report["written"] = str(target)
    if not as_json:
        click.echo(f"已写入 {new} 条新记录 → {target}", err=True)
    added = add_include(Path(existing), target) if include and existing else None
    if added and not as_json:
        click.echo(f"已在 {existing} 中加入 {added}", err=True)
    if check and existing:
        fresh = as_written(run.results, target, lines)
        problems = check_import(ledger.entries, ledger.options, fresh, ledger.findings, run.index)
        report["check"] = [p.__dict__ for p in problems]
        if not as_json:
            _report_check(problems)
        if not status and any(p.severity == "error" for p in problems):
            status = 1  # written, but the books now have errors (as `fupin check` exits 1)
    _finish(report, as_json, status)


def _finish(report: dict[str, Any], as_json: bool, status: int) -> None:
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    if status:
        sys.exit(status)


def _report_check(problems: list[Problem]) -> None:
    if not problems:
        click.echo("fupin check: 导入未带来新的问题", err=True)
        return
    click.echo(f"fupin check: 导入后新增 {len(problems)} 个问题 (记录已写入, 请核对):", err=True)
    for problem in problems:
        click.echo(f"  {problem.where}: {problem.message}", err=True)


def _report(run: Run, report: dict[str, Any], as_json: bool) -> None:
    """Per document: new entries, duplicates skipped, lines left to suspense; rejections."""
    for result in run.results:
        report["files"].append(
            {
                "file": str(result.path),
                "importer": result.importer.name,
                "new": len(result.entries),
                "duplicates": len(result.duplicates),
                "suspense": len(result.unmatched),
                "sheets": [line.as_dict() for line in result.lines],
            }
        )
        if as_json:
            continue
        click.echo(
            f"{result.path.name}: {result.importer.name}: {len(result.entries)} 条新记录, "
            f"{len(result.duplicates)} 条重复已跳过",
            err=True,
        )
        for line in result.lines:
            click.echo(f"  {line.text() if line.sheet else '各行: ' + line.text()}", err=True)
        for entry, held in result.duplicates[:5]:
            where = (
                f"{Path(str(held.meta.get('filename', '?'))).name}:{held.meta.get('lineno', '?')}"
            )
            if SHEET_KEY in held.meta:  # a document before it in this run
                where = f"{Path(str(held.meta['filename'])).name} {meta_place(held.meta)}"
            click.echo(f"  重复: {describe(entry)} (已在 {where})", err=True)
        if len(result.duplicates) > 5:
            click.echo(f"  … 另有 {len(result.duplicates) - 5} 条重复", err=True)
        for txn in result.unmatched[:20]:
            suspense = txn.postings[-1].account
            click.echo(
                f"  未匹配分类规则 → {suspense}: {meta_place(txn.meta)} {describe(txn)} "
                f"{txn.payee or ''} {txn.narration}",
                err=True,
            )
        if len(result.unmatched) > 20:
            click.echo(f"  … 另有 {len(result.unmatched) - 20} 行未匹配分类规则", err=True)
    for path, message in [*run.rejected, *run.internal]:
        report["rejected"].append({"file": str(path), "message": message})
        if not as_json:
            click.echo(f"已拒绝, 未写入此文件的任何记录: {message}", err=True)


def _beangulp(name: str, doc: str) -> click.Command:
    """Wrap one of beangulp's commands (from ``Ingest(...).cli``) with our --config option."""

    @click.command(name, cls=Command, help=doc, context_settings={"ignore_unknown_options": False})
    @CONFIG_OPTION
    @click.argument("src", nargs=-1, required=True, type=click.Path(exists=True))
    @click.option(
        "--destination",
        "-o",
        type=click.Path(file_okay=False),
        hidden=name != "archive",
        help="归档目录 (archive: DIR/<科目>/<日期>.<文件名>)。",
    )
    @click.option(
        "--dry-run", "-n", is_flag=True, hidden=name != "archive", help="只列出, 不移动文件。"
    )
    @click.option(
        "--verbose", "-v", is_flag=True, hidden=name != "identify", help="列出每个导入器的判断。"
    )
    @click.pass_context
    def run(
        ctx: click.Context,
        config: str | None,
        src: tuple[str, ...],
        destination: str | None,
        dry_run: bool,
        verbose: bool,
    ) -> None:
        ingest = beangulp.Ingest(importers_for(config, None))
        command = ingest.cli.commands[name]
        ctx.obj = ingest
        paths = [str(Path(s).resolve()) for s in src]
        if name == "archive":
            if destination is None:
                raise click.UsageError("archive 需要 --destination DIR (归档目录)")
            shipped = [s for s in paths if installed_package(s)]
            if shipped and not dry_run:  # moving it would break the install
                raise click.UsageError(
                    f"{shipped[0]}: 随软件安装的示例文件不能归档 (移动); 请先复制"
                )
            problems = unfit_to_archive(ingest.importers, paths)
            for problem in problems:
                click.echo(f"已拒绝, 不归档: {problem}", err=True)
            if problems:  # beangulp's own rule: one error and no document is filed
                click.echo("有文件无法导入, 未归档任何文件。", err=True)
                ctx.exit(2)
            ctx.invoke(
                command,
                src=paths,
                destination=str(Path(destination).resolve()),
                dry_run=dry_run,
                overwrite=False,
                failfast=False,
                quiet=0,
            )
        else:
            ctx.invoke(command, src=paths, failfast=False, verbose=verbose)

    return run


COMMANDS: dict[str, click.Command] = {
    "extract": extract_cmd,
    "identify": _beangulp(
        "identify",
        "列出每个文件由哪个导入器识别 (which importer recognises each document; "
        "beangulp identify)。",
    ),
    "archive": _beangulp(
        "archive",
        "把已导入的文件归档到 DIR/<科目>/<日期>.<文件名> (file documents; beangulp archive)。",
    ),
}
