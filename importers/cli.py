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

import os
import sys
from pathlib import Path

import beangulp
import click
from beancount import loader
from beancount.core import data
from fupin.importers.ingest import (
    ConfigError,
    Extracted,
    ImportFailed,
    add_include,
    describe,
    extract_files,
    load_config,
    render,
    write_entries,
)

from fupin.load import DEFAULT_LEDGER

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


def _load_existing(path: str | None) -> list[data.Directive]:
    if not path:
        return []
    entries, errors, _ = loader.load_file(path)
    fatal = [
        e for e in errors if type(e).__name__ in ("ParserError", "ParserSyntaxError", "LoadError")
    ]
    if fatal:
        raise click.ClickException(f"{path}: 账簿无法解析: {fatal[0].message}")
    return entries


CONFIG_OPTION = click.option(
    "--config",
    "-c",
    type=click.Path(exists=True, dir_okay=False),
    help="Import configuration (Python file with CONFIG); default: import_config.py beside -e.",
)


@click.command("extract")
@click.argument("src", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--existing",
    "-e",
    type=click.Path(exists=True, dir_okay=False),
    help="Existing ledger: de-duplicate against it and match booked vouchers.",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), help="Write here (default: stdout)."
)
@click.option("--append", "-a", is_flag=True, help="Append to an existing --output file.")
@click.option("--include", "-i", is_flag=True, help='Add include "<output>" to the -e ledger.')
@click.option(
    "--check/--no-check",
    default=True,
    help="With -e and -o: run fupin check after writing and list the findings the import adds.",
)
@CONFIG_OPTION
def extract_cmd(
    src: tuple[str, ...],
    existing: str | None,
    output: str | None,
    append: bool,
    include: bool,
    check: bool,
    config: str | None,
) -> None:
    """Extract new entries from SRC documents: all or nothing, exact de-duplication."""
    if include and not (existing and output):
        raise click.UsageError("--include needs --existing and --output")
    if output and Path(output).exists() and not append:
        raise click.UsageError(f"{output} exists: add --append to add to it (never overwritten)")
    importers = importers_for(config, existing)
    try:
        results = extract_files(importers, src, _load_existing(existing))
    except ImportFailed as exc:
        click.echo("导入失败, 未写入任何记录:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    _report(results)
    new = sum(len(r.entries) for r in results)
    if not new:
        click.echo("没有新记录 (全部已在账簿中), 未写入。", err=True)
        return
    text = render(results)
    if output is None:
        click.echo(text, nl=False)
        return
    target = Path(output)
    before = _findings(Path(existing)) if check and existing else None
    write_entries(text, target, append=append)
    click.echo(f"已写入 {new} 条新记录 → {target}", err=True)
    added = add_include(Path(existing), target) if include and existing else None
    if added:
        click.echo(f"已在 {existing} 中加入 {added}", err=True)
    if before is not None and existing:
        _report_check(Path(existing), target, before)


def _findings(ledger: Path) -> set[tuple[str, str, str]]:
    """(rule, file:line, message) of everything ``fupin check`` reports on a ledger."""
    from fupin.load import LedgerUnreadable, load

    try:
        loaded = load(ledger)
    except LedgerUnreadable as exc:
        return {("BEANCOUNT", "", str(exc))}
    out = set()
    for item in [*loaded.other_errors, *loaded.results.findings]:
        meta = item.source or {}
        where = f"{Path(str(meta.get('filename', '?'))).name}:{meta.get('lineno', 0)}"
        out.add((getattr(item, "rule", "") or "BEANCOUNT", where, item.message))
    return out


def _report_check(ledger: Path, target: Path, before: set[tuple[str, str, str]]) -> None:
    """Check the ledger with the new entries in it; list what the import added."""
    text = ledger.read_text(encoding="utf-8")
    include = f'include "{os.path.relpath(target.resolve(), ledger.resolve().parent)}"'
    if include in text.splitlines():
        after = _findings(ledger)
    else:  # check a temporary copy of the main file that includes the output
        trial = ledger.with_name(f".{ledger.stem}.import-check.beancount")
        try:
            trial.write_text(f"{text.rstrip()}\n{include}\n", encoding="utf-8")
            after = _findings(trial)
        finally:
            trial.unlink(missing_ok=True)
    added = sorted(after - before)
    if not added:
        click.echo("fupin check: 导入未带来新的问题", err=True)
        return
    click.echo(f"fupin check: 导入后新增 {len(added)} 个问题 (记录已写入, 请核对):", err=True)
    for _rule, where, message in added:
        click.echo(f"  {where}: {message}", err=True)


def _report(results: list[Extracted]) -> None:
    """Per document: new entries, duplicates skipped, lines left to suspense."""
    for result in results:
        click.echo(
            f"{result.path.name}: {result.importer.name}: {len(result.entries)} 条新记录, "
            f"{len(result.duplicates)} 条重复已跳过",
            err=True,
        )
        for entry, held in result.duplicates[:5]:
            where = (
                f"{Path(str(held.meta.get('filename', '?'))).name}:{held.meta.get('lineno', '?')}"
            )
            click.echo(f"  重复: {describe(entry)} (已在 {where})", err=True)
        if len(result.duplicates) > 5:
            click.echo(f"  … 另有 {len(result.duplicates) - 5} 条重复", err=True)
        for txn in result.unmatched:
            row = txn.meta.get("lineno")
            suspense = txn.postings[-1].account
            click.echo(
                f"  未匹配分类规则 → {suspense}: 第{row}行 {describe(txn)} "
                f"{txn.payee or ''} {txn.narration}",
                err=True,
            )


def _beangulp(name: str, doc: str) -> click.Command:
    """Wrap one of beangulp's commands (from ``Ingest(...).cli``) with our --config option."""

    @click.command(name, help=doc, context_settings={"ignore_unknown_options": False})
    @CONFIG_OPTION
    @click.argument("src", nargs=-1, required=True, type=click.Path(exists=True))
    @click.option("--destination", "-o", type=click.Path(file_okay=False), hidden=name != "archive")
    @click.option("--dry-run", "-n", is_flag=True, hidden=name != "archive")
    @click.option("--verbose", "-v", is_flag=True, hidden=name != "identify")
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
                raise click.UsageError("archive needs --destination DIR")
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
        "Which importer recognises each document (beangulp identify).",
    ),
    "archive": _beangulp(
        "archive",
        "File documents under DIR/<account>/<date>.<name> (beangulp archive).",
    ),
}
