"""``fupin``: check, measure and report on a poverty-fund ledger.

Every command takes an optional LEDGER; without one it runs on the sample county ledger
shipped as package data (``fupin.sample``, the repository's ``ledger/``). Exit codes: 0
clean, 1 rule errors, 2 the ledger cannot be read or parsed (or a bad option). Everything a
user reads is Chinese (English in parentheses where it helps); rule ids stay as they are.
"""

from __future__ import annotations

import datetime
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from fupin import cli_zh
from fupin.basis import basis, rule_basis
from fupin.beancount_zh import message_of
from fupin.choices import UnknownChoice, ledger_years, places, require, require_year
from fupin.findings import Finding, Measure, Severity, shown
from fupin.load import LedgerUnreadable, Loaded, load
from fupin.textable import paragraph, render, set_width

LEDGER = click.argument("ledger", required=False, type=click.Path(dir_okay=False))
JSON = click.option("--json", "as_json", is_flag=True, help="输出 JSON (machine-readable)。")
AS_OF = click.option(
    "--date",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="账簿截至此日 YYYY-MM-DD (之后的记录不计; 规则按当日应完成的事项判断)。",
)


def _wide(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        set_width(None)


WIDE = click.option(
    "--wide",
    is_flag=True,
    expose_value=False,
    callback=_wide,
    help="表格不折行 (full width); 默认按终端宽度折行。",
)


XLSX = click.option(
    "--xlsx",
    "xlsx",
    type=click.Path(dir_okay=False, writable=True),
    help="写入 Excel 文件 (.xlsx, 中文表头、千分位金额、百分比) 而不是打印表格。",
)


def write_xlsx(path: str, data: bytes) -> None:
    """Write a workbook whole (a temporary file renamed into place), then say where."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise click.BadParameter(f"{path}: 文件名应以 .xlsx 结尾", param_hint="--xlsx")
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"{path}: 无法写入: {exc.strerror}") from None
    click.echo(f"已写入 {relpath(str(target))}", err=True)


def known(value: str | None, values: list[str], what: str, option: str) -> None:
    """A --village/--township value the ledger does not know: usage error, "是不是 …?"."""
    if value is None:
        return
    try:
        require(value, values, what)
    except UnknownChoice as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def known_year(year: int | None, loaded: Loaded, extra: Iterable[int] = ()) -> None:
    """A --year outside the ledger's years: usage error naming them."""
    if year is None:
        return
    try:
        require_year(year, sorted({*ledger_years(loaded.book), *extra}))
    except UnknownChoice as exc:
        raise click.BadParameter(str(exc), param_hint="--year") from None


class UnreadableLedger(click.ClickException):
    """The ledger cannot be read or parsed: exit 2, no traceback."""

    exit_code = 2


def open_ledger(path: str | None, as_of: Any = None, *, measures: bool = True) -> Loaded:
    """Load a ledger for a command (as of a day, for ``--date``), turning an unreadable
    file into exit code 2; ``measures=False`` when the command shows findings only."""
    day = as_of.date() if isinstance(as_of, datetime.datetime) else as_of
    try:
        return load(path, as_of=day, measures=measures)
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
        "message": message_of(error),  # Beancount's own in Chinese, its English kept
    }
    if isinstance(error, Finding):
        row.update(
            value=str(error.value),
            threshold=str(error.threshold),
            entity=error.entity,
            policy_key=error.policy_key,
        )
    return row


@click.group(cls=cli_zh.Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    package_name="fupin-ledger", message="%(prog)s %(version)s", help="显示版本并退出。"
)
def main() -> None:
    """fupin-ledger: 扶贫(衔接)资金、项目与资产台账 (Beancount)。

    每个命令可指定账簿 LEDGER (main.beancount); 不指定时使用随软件提供的示例县账簿。
    退出码: 0 无错误, 1 有规则错误, 2 账簿无法读取或参数有误。
    """


@main.command()
@LEDGER
@AS_OF
@JSON
def check(ledger: str | None, as_of: Any, as_json: bool) -> None:
    """检查账簿: 按规则列出每个违规与警告及其文件和行号 (check every rule)。"""
    loaded = open_ledger(ledger, as_of, measures=False)  # findings only
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
            place = f"{relpath(meta.get('filename'))}:{meta.get('lineno')}"
            click.echo(f"  {place}: {message_of(item)}")
    counts = loaded.results
    # --date D: the books as of D (the entries the rules read), as a ledger cut at D counts
    entries = loaded.book.entries if loaded.as_of is not None else loaded.entries
    day = f" 截至 {loaded.as_of}" if loaded.as_of is not None else ""
    click.echo(
        f"{relpath(str(loaded.path))}{day}: {len(entries)} 条记录, "
        f"{len(counts.errors) + len(loaded.other_errors)} 个错误, {len(counts.warnings)} 个警告"
    )


def _rule_order(rule_id: str) -> tuple[int, str]:
    return (0 if rule_id in ("BEANCOUNT", "ENTITY", "POLICY") else 1, rule_id)


MARK = {True: "✓ 合规", False: "✗ 违规"}


@main.command()
@LEDGER
@click.option("--year", type=int, help="只看该预算年度的指标 (budget year)。")
@AS_OF
@JSON
@XLSX
@WIDE
def compliance(
    ledger: str | None, year: int | None, as_of: Any, as_json: bool, xlsx: str | None
) -> None:
    """合规表: 每条规则的实测值与阈值, 含合规项 (compliance table)。"""
    from fupin.plugins import RULES

    loaded = open_ledger(ledger, as_of)
    known_year(year, loaded, (m.year for m in loaded.results.measures if m.year is not None))
    rows = [m for m in loaded.results.measures if year is None or m.year == year]
    sources = {rule_id: rule.source for rule in RULES for rule_id in rule.ids}
    if xlsx:
        from fupin.reports.xlsx import compliance_xlsx

        write_xlsx(xlsx, compliance_xlsx(rows, rule_basis()))
        return
    if as_json:
        out = [{**m.as_dict(), "rule_source": sources.get(m.rule, "")} for m in rows]
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    click.echo(compliance_table(rows))
    failed = [m for m in rows if not m.ok]
    stats = sum(1 for m in rows if m.severity == "info")  # S01–S04 (issue 15)
    click.echo(
        f"\n{len(rows) - stats} 项指标: {len(rows) - stats - len(failed)} 合规, "
        f"{sum(1 for m in failed if m.severity == Severity.ERROR)} 违规, "
        f"{sum(1 for m in failed if m.severity != Severity.ERROR)} 警告"
        + (f"; 统计指标 {stats} 项" if stats else "")
    )
    shown = {m.rule for m in rows}
    cited = [rule for rule in RULES if rule.source and shown.intersection(rule.ids)]
    if cited:
        click.echo("\n依据:")
        for rule in cited:
            ids = "/".join(i for i in rule.ids if i in shown)
            click.echo(paragraph(f"{ids} {rule.title}: {basis(rule.source)}"))


def compliance_table(rows: list[Measure]) -> str:
    """The compliance rows as a CJK-aligned text table."""
    body = [
        [
            m.rule,
            m.title,
            m.scope,
            shown(m)[0],
            m.op.replace(">=", "≥").replace("<=", "≤").replace("==", "="),
            shown(m)[1],
            "· 统计"  # issue 15: a statistic (S01–S04) states a figure, it passes nothing
            if m.severity == "info"
            else MARK[m.ok]
            if m.ok or m.severity == Severity.ERROR
            else "! 警告",
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
    help="台账日期 YYYY-MM-DD: 账簿截至此日 (默认: 账簿最后一天)。",
)
@click.option("--village", help="只看坐落于或属于该村的资产 (如 杨庄村)。")
@click.option(
    "--class",
    "asset_class",
    type=click.Choice(["operating", "public_welfare", "household"]),
    help="只看该类资产: operating 经营性, public_welfare 公益性, household 到户。",
)
@JSON
@XLSX
@WIDE
def assets(
    ledger: str | None,
    day: Any,
    village: str | None,
    asset_class: str | None,
    as_json: bool,
    xlsx: str | None,
) -> None:
    """扶贫资产台账: 某日各项权利的权利人, 按类别与层级合计 (asset register)。"""
    from fupin.reports.assets import asset_report, report_json, report_text

    loaded = open_ledger(ledger, day)
    known(village, places(loaded.book)[1], "村", "--village")
    report = asset_report(
        loaded.book, day.date() if day else None, village=village, asset_class=asset_class
    )
    if xlsx:
        from fupin.reports.xlsx import assets_xlsx

        write_xlsx(xlsx, assets_xlsx(loaded.book, report))
        return
    if as_json:
        click.echo(json.dumps(report_json(report), ensure_ascii=False, indent=1))
    else:
        click.echo(report_text(loaded.book, report))


# -- issue 5: Fava for auditors ----------------------------------------------------------
def _print_proxy_file(ctx: click.Context, on: bool, kind: str) -> None:
    """``--proxy-guide`` / ``--nginx-example``: the file shipped in the package, printed."""
    if not on or ctx.resilient_parsing:
        return
    from fupin.reports.fava.serve import proxy_file

    click.echo(proxy_file(kind), nl=False)
    ctx.exit(0)


@main.command()
@LEDGER
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址 (host)。")
@click.option(
    "--port",
    default=5000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="监听端口 (port, 1–65535)。",
)
@click.option(
    "--socket",
    "unix_socket",
    type=click.Path(dir_okay=False),
    help="监听 unix socket (权限 0660) 而不是端口, 供 nginx 反向代理 (见 --proxy-guide)。",
)
@click.option(
    "--proxy-guide",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=lambda ctx, _, on: _print_proxy_file(ctx, on, "guide"),
    help="打印审计人员经 nginx (HTTPS + 密码) 访问的设置步骤, 然后退出。",
)
@click.option(
    "--nginx-example",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=lambda ctx, _, on: _print_proxy_file(ctx, on, "nginx"),
    help="打印随软件提供的 nginx 站点配置 (fupin serve --nginx-example | sudo tee …), 然后退出。",
)
@click.option("--editable", is_flag=True, help="允许修改账簿 (仅限财务人员本机使用)。")
def serve(
    ledger: str | None, host: str, port: int, unix_socket: str | None, editable: bool
) -> None:
    """启动 Fava 审计页面 (合规、资金、项目、资产、公示); 默认只读 (read-only)。"""
    from fupin.load import installed_sample, installed_sample_refusal, resolve
    from fupin.preflight import preflight
    from fupin.reports.fava import serve as fava_serve

    path = resolve(ledger)
    if editable and installed_sample(path):
        raise click.UsageError(installed_sample_refusal("修改账簿 (--editable)"))
    try:  # issue 12: nothing Fava would crash on or echo to every auditor
        checked = preflight(path)
    except LedgerUnreadable as exc:
        raise UnreadableLedger(str(exc)) from None
    app = fava_serve.make_app(path, editable=editable, checked=checked)  # parses those bytes
    if not fava_serve.pages(app):
        click.echo(
            f"警告: {path} 未启用 fupin 审计页面; 请在账簿中加入一行\n  "
            f'2021-01-01 custom "fava-extension" "{fava_serve.EXTENSION}"',
            err=True,
        )
    if editable and unix_socket is None and host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"警告: 在 {host} 上使用 --editable: 能访问该地址的任何人都能修改账簿", err=True)
    mode = "可编辑" if editable else "只读"
    if unix_socket is None:
        address = fava_serve.first_url(app, host, port)
    else:
        address = f"unix socket {unix_socket}"
    try:  # the address is printed once it is listened on (a port in use prints no URL)
        fava_serve.run(
            app,
            host,
            port,
            Path(unix_socket) if unix_socket else None,
            listening=lambda: click.echo(f"fupin serve ({mode}): {address}", err=True),
        )
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
    "monitoring",
    "monitoring_exit",
)


@main.command()
@LEDGER
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False),
    help="输出文件夹 (output folder)。",
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(NOTICE_KINDS),
    help="只生成该类公告 (可重复): fund_allocation 资金分配, project_plan 项目计划, "
    "project_result 项目结果, site_sign 公示牌, income_plan/income_result 收益分配, "
    "beneficiaries 受益名单。",
)
@click.option("--village", help="只生成在该村张贴的公告。")
@click.option("--township", help="只生成在该乡镇张贴的公告。")
@click.option("--year", type=int, help="只生成该年开始张贴的公告。")
@click.option(
    "--format", "fmt", default="html,pdf", show_default=True, help="输出格式: html、pdf 或两者。"
)
@click.option(
    "--split",
    type=click.Choice(["notice", "village"]),
    default="notice",
    show_default=True,
    help="PDF 按公告 (notice) 或按村 (village) 分文件。",
)
@click.option("--mask-names", is_flag=True, help="姓名打印为 张* (身份证号从不打印)。")
@click.option(
    "--secret-file",
    type=click.Path(dir_okay=False),
    help="校验码的县级密钥文件 (或环境变量 FUPIN_NOTICE_SECRET_FILE)。",
)
@JSON
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
    as_json: bool,
) -> None:
    """生成公示公告: 每份公告的 HTML 和 PDF, 以及索引页 (public notices)。

    Every message names no personal number or register name (both masked as the notices
    mask them, :func:`fupin.reports.notices.redactor`); a register name in a notice's id
    or place refuses the run (:mod:`fupin.reports.notices`).
    """
    from fupin.reports.notice_privacy import redact
    from fupin.reports.notices import NoticeError, redactor, run

    if village and township:
        raise click.UsageError("--village 与 --township 只能指定一个")
    formats = [f.strip() for f in fmt.split(",") if f.strip()]
    if not formats or set(formats) - {"html", "pdf"}:
        raise click.UsageError(redact(f"--format: 应为 html、pdf 或 html,pdf, 而不是 {fmt!r}"))
    loaded = open_ledger(ledger)
    clean = redactor(loaded)
    townships, villages = places(loaded.book)
    try:
        known(village, villages, "村", "--village")
        known(township, townships, "乡镇", "--township")
    except click.BadParameter as exc:  # the typed value and the known places, masked
        raise click.BadParameter(clean(exc.message), param_hint=exc.param_hint) from None
    known_year(year, loaded)
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
            progress=False if as_json else None,
        )
    except NoticeError as exc:
        raise click.ClickException(clean(str(exc))) from None
    count = sum(1 for key in written.files if not key.endswith("-明白卡"))
    if as_json:
        files = sorted({str(p) for paths in written.files.values() for p in paths})
        summary = {"notices": count, "out": str(written.out), "index": str(written.index)}
        summary.update(pdf_rendered=written.rendered, pdf_reused=written.reused, files=files)
        click.echo(json.dumps(summary, ensure_ascii=False, indent=1))
        return
    click.echo(
        f"{count} 份公示公告 → {relpath(str(written.out))}/ (索引 {relpath(str(written.index))})"
    )


# -- issue 13: the county's notice key --------------------------------------------------
from fupin.keygen import keygen  # noqa: E402

main.add_command(keygen)


class _ImportGroup(cli_zh.Group):
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
    """导入银行对账单、一卡通发放清册和资金下达表 (import, beangulp)。"""


@main.command()
@LEDGER
@click.option("--village", help="只看该村 (如 青山村)。")
@click.option("--year", type=int, help="补助年度 (默认: 最后一个有补助的年度)。")
@AS_OF
@JSON
@XLSX
@WIDE
def households(
    ledger: str | None,
    village: str | None,
    year: int | None,
    as_of: Any,
    as_json: bool,
    xlsx: str | None,
) -> None:
    """农户与到户补助: 按村、状态和致贫原因统计; 已发补助; 应享未享 (households)。"""
    from fupin.households import RegisterError, register_for
    from fupin.reports.households import render_text, summarize

    loaded = open_ledger(ledger, as_of)
    known_year(year, loaded)
    try:
        register = register_for(loaded.path, loaded.book)
    except RegisterError as exc:
        raise UnreadableLedger(f"农户信息库: {exc}") from None
    if register is None:
        raise click.UsageError(
            f'{relpath(str(loaded.path))} 没有指明农户信息库 (custom "household-register" "<路径>")'
        )
    known(village, register.villages(), "村", "--village")
    summary = summarize(loaded.book, register, village=village, year=year)
    if xlsx:
        from fupin.reports.xlsx import households_xlsx

        write_xlsx(xlsx, households_xlsx(summary))
        return
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=1))
    else:
        click.echo(render_text(summary))


@main.command()
@LEDGER
@click.option("--year", type=int, help="只看记录日期在该年的风险点。")
@AS_OF
@JSON
@WIDE
def flags(ledger: str | None, year: int | None, as_of: Any, as_json: bool) -> None:
    """审计风险点: 按严重程度和金额排序, 附依据 (audit red flags, DOMAIN K)。"""
    from fupin.reports.flags import red_flags, render_text

    loaded = open_ledger(ledger, as_of)
    known_year(year, loaded)
    rows = red_flags(loaded.results.findings, year=year)
    if as_json:
        out = [{**r.as_dict(), "file": relpath(r.filename)} for r in rows]
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        click.echo(render_text(rows, where=relpath))
    sys.exit(1 if any(r.severity == Severity.ERROR for r in rows) else 0)


@main.command()
@LEDGER
@click.option("--year", type=int, help="只看该年度的项目。")
@click.option("--village", help="只看该村的项目。")
@JSON
@XLSX
@WIDE
def projects(
    ledger: str | None, year: int | None, village: str | None, as_json: bool, xlsx: str | None
) -> None:
    """项目库: 每个项目的阶段、预算、支出与付款 (project library)。"""
    from fupin.reports.fava import views
    from fupin.reports.xlsx import projects_xlsx

    loaded = open_ledger(ledger)
    known_year(year, loaded, (p.year for p in loaded.book.projects.values()))
    known(village, places(loaded.book)[1], "村", "--village")
    rows = [
        p
        for p in views.projects(loaded.book, views.project_index(loaded.book, loaded.results))
        if (year is None or p.project.year == year)
        and (village is None or p.project.village == village)
    ]
    if xlsx:
        write_xlsx(xlsx, projects_xlsx(rows, loaded.book.last_date))
        return
    if as_json:
        out = [views.project_json(p) for p in rows]
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    money = views.money
    body = [
        [
            p.project.id,
            p.project.name,
            f"{p.project.township}{p.project.village}",
            p.stage_name,
            money(p.budget),
            money(p.spent),
            views.pct(p.spent_ratio),
            money(p.paid),
        ]
        for p in rows
    ]
    headers = ["编号", "项目名称", "位置", "阶段", "批复预算", "已列支", "进度", "已支付"]
    click.echo(render(headers, body, right=(4, 5, 6, 7)))
    click.echo(f"\n{len(rows)} 个项目")


# -- issue 18: a new county's books ---------------------------------------------------------
from fupin.county_init import command as _init_command  # noqa: E402

main.add_command(_init_command)


# -- issue 16: Parquet export and the province roll-up -------------------------------------
from fupin import cli_rollup  # noqa: E402

main.add_command(cli_rollup.export)
main.add_command(cli_rollup.rollup)

# -- issue 17: the audit trail (fupin seal, fupin audit, fupin correct) -----------------------
from fupin.audit_cli import COMMANDS as _AUDIT_COMMANDS  # noqa: E402

for _command in _AUDIT_COMMANDS:
    main.add_command(_command)
