"""``fupin``: check, measure and report on a poverty-fund ledger.

Every command takes an optional LEDGER; without one it runs on the sample county ledger
shipped in ``ledger/main.beancount``. Exit codes: 0 clean, 1 rule errors, 2 the ledger
cannot be read or parsed (or a bad option).
"""

from __future__ import annotations

import datetime
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import click

from fupin.findings import Finding, Measure, Severity, fmt_value
from fupin.load import LedgerUnreadable, Loaded, load
from fupin.textable import render

LEDGER = click.argument("ledger", required=False, type=click.Path(dir_okay=False))
JSON = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
AS_OF = click.option(
    "--date",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="账簿截至此日 (the books as of this day: later entries left out, rules judge what "
    "was due by then).",
)


class UnreadableLedger(click.ClickException):
    """The ledger cannot be read or parsed: exit 2, no traceback."""

    exit_code = 2


def open_ledger(path: str | None, as_of: Any = None) -> Loaded:
    """Load a ledger for a command (as of a day, for ``--date``), turning an unreadable
    file into exit code 2."""
    day = as_of.date() if isinstance(as_of, datetime.datetime) else as_of
    try:
        return load(path, as_of=day)
    except LedgerUnreadable as exc:
        raise UnreadableLedger(str(exc)) from None


def relpath(filename: str | None) -> str:
    """A file name relative to the working directory when it is below it."""
    if not filename:
        return "?"
    try:
        return str(Path(filename).resolve().relative_to(Path.cwd()))
    except ValueError:
        return filename


def error_dict(error: Any) -> dict[str, Any]:
    """One finding or Beancount error as JSON."""
    meta = error.source or {}
    row: dict[str, Any] = {
        "rule": getattr(error, "rule", "") or "BEANCOUNT",
        "severity": getattr(error, "severity", Severity.ERROR),
        "file": relpath(meta.get("filename")),
        "line": meta.get("lineno"),
        "message": error.message,
    }
    if isinstance(error, Finding):
        row.update(
            value=str(error.value),
            threshold=str(error.threshold),
            entity=error.entity,
            policy_key=error.policy_key,
        )
    return row


@click.group()
@click.version_option(package_name="fupin-ledger")
def main() -> None:
    """fupin-ledger: 扶贫(衔接)资金、项目与资产台账 on Beancount."""


@main.command()
@LEDGER
@AS_OF
@JSON
def check(ledger: str | None, as_of: Any, as_json: bool) -> None:
    """Check LEDGER: every rule breach with file:line, grouped by rule."""
    loaded = open_ledger(ledger, as_of)
    problems = [*loaded.other_errors, *loaded.results.findings]
    if as_json:
        click.echo(json.dumps([error_dict(e) for e in problems], ensure_ascii=False, indent=1))
    else:
        _print_grouped(loaded, problems)
    has_error = any(getattr(e, "severity", Severity.ERROR) == Severity.ERROR for e in problems)
    sys.exit(1 if has_error else 0)


def _print_grouped(loaded: Loaded, problems: list[Any]) -> None:
    from fupin.plugins import RULES

    titles = {rule_id: rule.title for rule in RULES for rule_id in rule.ids}
    titles.update(BEANCOUNT="Beancount", ENTITY="实体字段与引用", POLICY="政策参数")
    groups: dict[str, list[Any]] = defaultdict(list)
    for problem in problems:
        groups[getattr(problem, "rule", "") or "BEANCOUNT"].append(problem)
    for rule_id in sorted(groups, key=_rule_order):
        items = groups[rule_id]
        errors = sum(1 for e in items if getattr(e, "severity", "error") == Severity.ERROR)
        click.echo(
            f"{rule_id} {titles.get(rule_id, '')}: {errors} 错误, {len(items) - errors} 警告"
        )
        for item in items:
            meta = item.source or {}
            click.echo(f"  {relpath(meta.get('filename'))}:{meta.get('lineno')}: {item.message}")
    counts = loaded.results
    click.echo(
        f"{relpath(str(loaded.path))}: {len(loaded.entries)} 条记录, "
        f"{len(counts.errors) + len(loaded.other_errors)} 个错误, {len(counts.warnings)} 个警告"
    )


def _rule_order(rule_id: str) -> tuple[int, str]:
    return (0 if rule_id in ("BEANCOUNT", "ENTITY", "POLICY") else 1, rule_id)


MARK = {True: "✓ 合规", False: "✗ 违规"}


@main.command()
@LEDGER
@click.option("--year", type=int, help="Only rows of this budget year.")
@AS_OF
@JSON
def compliance(ledger: str | None, year: int | None, as_of: Any, as_json: bool) -> None:
    """Every rule's measured value against its threshold, passing rows included."""
    from fupin.plugins import RULES

    loaded = open_ledger(ledger, as_of)
    rows = [m for m in loaded.results.measures if year is None or m.year == year]
    sources = {rule_id: rule.source for rule in RULES for rule_id in rule.ids}
    if as_json:
        out = [{**m.as_dict(), "rule_source": sources.get(m.rule, "")} for m in rows]
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    click.echo(compliance_table(rows))
    failed = [m for m in rows if not m.ok]
    click.echo(
        f"\n{len(rows)} 项指标: {len(rows) - len(failed)} 合规, "
        f"{sum(1 for m in failed if m.severity == Severity.ERROR)} 违规, "
        f"{sum(1 for m in failed if m.severity != Severity.ERROR)} 警告"
    )
    shown = {m.rule for m in rows}
    cited = [rule for rule in RULES if rule.source and shown.intersection(rule.ids)]
    if cited:
        click.echo("\n依据:")
        for rule in cited:
            ids = "/".join(i for i in rule.ids if i in shown)
            click.echo(f"  {ids} {rule.title}: {rule.source}")


def compliance_table(rows: list[Measure]) -> str:
    """The compliance rows as a CJK-aligned text table."""
    body = [
        [
            m.rule,
            m.title,
            m.scope,
            fmt_value(m.value, m.unit),
            m.op.replace(">=", "≥").replace("<=", "≤").replace("==", "="),
            fmt_value(m.threshold, m.unit),
            MARK[m.ok] if m.ok or m.severity == Severity.ERROR else "! 警告",
        ]
        for m in rows
    ]
    header = ["规则", "指标", "范围", "实测", "", "阈值", "结果"]
    if any(m.note for m in rows):  # e.g. 未到位 x / 应到 y before a fund's close date
        header.append("说明")
        for line, m in zip(body, rows, strict=True):
            line.append(m.note)
    return render(header, body, right=(3, 5))


# -- issue 3: the poverty-asset register ------------------------------------------------------
@main.command()
@LEDGER
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    help="台账日期: 账簿截至此日 (the register and books as of this day; default: the "
    "ledger's last).",
)
@click.option("--village", help="Only assets in, or owned by, this village (e.g. 杨庄村).")
@click.option(
    "--class",
    "asset_class",
    type=click.Choice(["operating", "public_welfare", "household"]),
    help="Only this class.",
)
@JSON
def assets(
    ledger: str | None, day: Any, village: str | None, asset_class: str | None, as_json: bool
) -> None:
    """The asset register (扶贫资产台账): every right's holder on a date, totals by class and level."""
    from fupin.reports.assets import asset_report, report_json, report_text

    loaded = open_ledger(ledger, day)
    report = asset_report(
        loaded.book, day.date() if day else None, village=village, asset_class=asset_class
    )
    if as_json:
        click.echo(json.dumps(report_json(report), ensure_ascii=False, indent=1))
    else:
        click.echo(report_text(loaded.book, report))


# -- issue 5: Fava for auditors ----------------------------------------------------------
@main.command()
@LEDGER
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--editable", is_flag=True, help="Allow edits (finance officer's own machine only).")
def serve(ledger: str | None, host: str, port: int, editable: bool) -> None:
    """Start Fava on LEDGER with the fupin pages; read-only unless --editable."""
    from fupin.load import resolve
    from fupin.preflight import preflight
    from fupin.reports.fava import serve as fava_serve

    path = resolve(ledger)
    try:
        preflight(path)  # issue 12: nothing Fava would crash on or echo to every auditor
    except LedgerUnreadable as exc:
        raise UnreadableLedger(str(exc)) from None
    app = fava_serve.make_app(path, editable=editable)
    if not fava_serve.pages(app):
        click.echo(
            f"warning: {path} does not enable the fupin pages; add the line\n  "
            f'2021-01-01 custom "fava-extension" "{fava_serve.EXTENSION}"',
            err=True,
        )
    if editable and host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: --editable on {host}: anyone who reaches it can change the books", err=True
        )
    mode = "可编辑 editable" if editable else "只读 read-only"
    click.echo(f"fupin serve ({mode}): {fava_serve.first_url(app, host, port)}", err=True)
    try:
        fava_serve.run(app, host, port)
    except fava_serve.ServeError as exc:
        raise click.ClickException(str(exc)) from None


NOTICE_KINDS = (
    "fund_allocation",
    "project_plan",
    "project_result",
    "site_sign",
    "income_plan",
    "income_result",
    "beneficiaries",
)


@main.command()
@LEDGER
@click.option(
    "--out", "out", required=True, type=click.Path(file_okay=False), help="Folder to write."
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(NOTICE_KINDS),
    help="Only this type (repeatable).",
)
@click.option("--village", help="Only notices posted in this village.")
@click.option("--township", help="Only notices posted in this township.")
@click.option("--year", type=int, help="Only notices first posted in this year.")
@click.option("--format", "fmt", default="html,pdf", show_default=True, help="html, pdf or both.")
@click.option(
    "--split",
    type=click.Choice(["notice", "village"]),
    default="notice",
    show_default=True,
    help="One PDF per notice or per village.",
)
@click.option(
    "--mask-names", is_flag=True, help="Print 张* for names (ID numbers are never printed)."
)
@click.option(
    "--secret-file",
    type=click.Path(dir_okay=False),
    help="County secret for check codes (or $FUPIN_NOTICE_SECRET_FILE).",
)
def notices(
    ledger: str | None,
    out: str,
    kinds: tuple[str, ...],
    village: str | None,
    township: str | None,
    year: int | None,
    fmt: str,
    split: str,
    mask_names: bool,
    secret_file: str | None,
) -> None:
    """Render every posted notice (公示公告) of LEDGER to HTML and PDF, plus an index page."""
    from fupin.reports.notices import NoticeError, run

    if village and township:
        raise click.UsageError("give --village or --township, not both")
    formats = [f.strip() for f in fmt.split(",") if f.strip()]
    if not formats or set(formats) - {"html", "pdf"}:
        raise click.UsageError(f"--format: html, pdf or html,pdf, not {fmt!r}")
    loaded = open_ledger(ledger)
    try:
        written = run(
            loaded,
            Path(out),
            kinds=kinds,
            village=village,
            township=township,
            year=year,
            formats=formats,
            masked=mask_names,
            split=split,
            secret_file=Path(secret_file) if secret_file else None,
        )
    except NoticeError as exc:
        raise click.ClickException(str(exc)) from None
    count = sum(1 for key in written.files if not key.endswith("-明白卡"))
    click.echo(
        f"{count} 份公示公告 → {relpath(str(written.out))}/ (索引 {relpath(str(written.index))})"
    )


class _ImportGroup(click.Group):
    """``fupin import``: its commands load (with beangulp) only when used (issue 4)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from fupin.importers.cli import COMMANDS

        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from fupin.importers.cli import COMMANDS

        command: click.Command | None = COMMANDS.get(cmd_name)
        return command


@main.group("import", cls=_ImportGroup)
def import_() -> None:
    """Import bank statements, 一卡通 payment rolls and allocation sheets (beangulp)."""


@main.command()
@LEDGER
@click.option("--village", help="Only this village (e.g. 青山村).")
@click.option("--year", type=int, help="Benefit year (default: the last year with benefits).")
@AS_OF
@JSON
def households(
    ledger: str | None, village: str | None, year: int | None, as_of: Any, as_json: bool
) -> None:
    """Households by village, status and poverty cause; benefits paid; benefits due not paid."""
    from fupin.households import RegisterError, register_for
    from fupin.reports.households import render_text, summarize

    loaded = open_ledger(ledger, as_of)
    try:
        register = register_for(loaded.path, loaded.book)
    except RegisterError as exc:
        raise UnreadableLedger(f"农户信息库: {exc}") from None
    if register is None:
        raise click.UsageError(
            f"{relpath(str(loaded.path))} names no household register "
            '(custom "household-register" "<path>")'
        )
    if village and village not in register.villages():
        raise click.UsageError(f"no village {village!r}; known: {', '.join(register.villages())}")
    summary = summarize(loaded.book, register, village=village, year=year)
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=1))
    else:
        click.echo(render_text(summary))


@main.command()
@LEDGER
@click.option("--year", type=int, help="Only flags whose entry is dated in this year.")
@AS_OF
@JSON
def flags(ledger: str | None, year: int | None, as_of: Any, as_json: bool) -> None:
    """Audit red flags (审计风险点, DOMAIN K): ranked by severity and amount, with their sources."""
    from fupin.reports.flags import red_flags, render_text

    loaded = open_ledger(ledger, as_of)
    rows = red_flags(loaded.results.findings, year=year)
    if as_json:
        out = [{**r.as_dict(), "file": relpath(r.filename)} for r in rows]
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        click.echo(render_text(rows, where=relpath))
    sys.exit(1 if any(r.severity == Severity.ERROR for r in rows) else 0)
