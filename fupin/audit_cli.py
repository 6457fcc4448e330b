"""``fupin seal``, ``fupin audit`` and ``fupin correct``: the audit trail's commands (issue 17).

* ``fupin seal [LEDGER] --through 2021-12`` seals every entry up to the end of that month
  that no earlier seal covers: it writes ``seals/2021-12.digests`` and appends a ``custom
  "seal"`` entry to ``seals.beancount`` beside the ledger (adding its ``include`` to the main
  file when needed), then loads the ledger again and keeps the seal only if it verifies.
* ``fupin audit [LEDGER]`` prints the seals (period, hash, entries, status), evidence
  coverage per project and stage, the corrections and every A01–A05 finding.
* ``fupin correct [LEDGER] REF --date D`` prints (or ``--append``\\ s) the reversal and
  re-post of the transaction named by ``file:line``, ``^link`` or voucher number.

Writes are all or nothing: each file is written whole to a temporary file, synced and
renamed. ``seal`` and ``correct --append`` hold the ledger's write lock
(:mod:`fupin.ledger_lock`) from the load to the last write, so a second run at the same
instant waits and then works on the books the first left (``期间 2024-03 已封存``).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from fupin import cli_zh
from fupin.beancount_zh import message_of
from fupin.findings import Severity
from fupin.ledger_lock import held

# the same argument and option as fupin.cli's (which imports this module to register it)
LEDGER = click.argument("ledger", required=False, type=click.Path(dir_okay=False))
JSON = click.option("--json", "as_json", is_flag=True, help="输出 JSON (machine-readable)。")


def open_ledger(path: str | None) -> Any:
    from fupin.cli import open_ledger as open_it

    return open_it(path)


def relpath(filename: str | None) -> str:
    from fupin.cli import relpath as relative

    return relative(filename)


SEAL_RULES = ("A01", "A02")
#: Errors that must be mended before a period is sealed, for a sealed entry can no longer
#: be edited: invalid entities, transactions' metadata and policy, personal numbers in the
#: ledger's text (issue 12), broken corrections and evidence files. (Rule breaches such as
#: idle money are facts of the books and do not block a seal.)
BLOCKING = ("ENTITY", "LEDGER", "POLICY", "PII", "A03", "A04")


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole: a temporary file beside it, then a rename. The file
    keeps its permissions (a new one gets the usual ones under the umask, not mkstemp's 0600:
    Fava or an auditor may read the books as another user)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows cannot open a folder)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _restore(path: Path, text: str | None) -> None:
    if text is None:
        path.unlink(missing_ok=True)
    else:
        _write(path, text)


def _broken_seals(loaded: Any) -> list[Any]:
    return [
        f for f in loaded.results.findings if f.rule in SEAL_RULES and f.severity == Severity.ERROR
    ]


def _show(problems: list[Any]) -> None:
    for problem in problems[:20]:
        if isinstance(problem, Exception):
            click.echo(f"  {problem}", err=True)
            continue
        meta = problem.source or {}
        click.echo(
            f"  {relpath(meta.get('filename'))}:{meta.get('lineno')}: {message_of(problem)}",
            err=True,
        )
    if len(problems) > 20:
        click.echo(f"  … 另有 {len(problems) - 20} 条", err=True)


@click.command("seal", cls=cli_zh.Command)
@LEDGER
@click.option(
    "--through",
    required=True,
    metavar="YYYY-MM",
    help="封存至该月末(含) (seal through the end of this month).",
)
@click.option(
    "--file",
    "seal_file",
    type=click.Path(dir_okay=False),
    help="封存记录文件 (默认: 主账簿旁的 seals.beancount).",
)
@click.option(
    "--date",
    "on",
    type=click.DateTime(["%Y-%m-%d"]),
    help="封存日期 (默认: 今天); 须晚于所封存的期末.",
)
def seal(ledger: str | None, through: str, seal_file: str | None, on: Any) -> None:
    """封存: 对截至 --through 月末、尚未封存的全部记录计算哈希并加入封存链."""
    from fupin.load import installed_sample, installed_sample_refusal, resolve

    if installed_sample(resolve(ledger)) or (seal_file and installed_sample(seal_file)):
        raise click.UsageError(installed_sample_refusal("封存"))
    # another seal (or correction) of these books finishes first; this one then plans from
    # the books it left, so one period is never sealed twice (issue 17)
    with held(resolve(ledger), "未封存"):
        _seal(ledger, through, seal_file, on)


def _seal(ledger: str | None, through: str, seal_file: str | None, on: Any) -> None:
    from fupin.load import LedgerUnreadable, load
    from fupin.seals import SealRefused, plan

    loaded = open_ledger(ledger)
    if loaded.other_errors:
        click.echo("账簿有 Beancount 错误, 先修正再封存:", err=True)
        _show(loaded.other_errors)
        sys.exit(1)
    broken = _broken_seals(loaded)
    if broken:
        click.echo("现有封存已被破坏, 不能再封存 (fupin audit 查看详情):", err=True)
        _show(broken)
        sys.exit(1)
    day = on.date() if on else datetime.date.today()
    invalid = [
        f for f in loaded.results.findings if f.rule in BLOCKING and f.severity == Severity.ERROR
    ]
    if invalid:
        click.echo("账簿有须先修正的错误 (封存后不能再改), 不能封存:", err=True)
        _show(invalid)
        sys.exit(1)
    try:
        made = plan(loaded.book, through, day)
    except SealRefused as exc:
        raise click.UsageError(str(exc)) from None
    main_path = loaded.path.resolve()
    seals_path = Path(seal_file).resolve() if seal_file else main_path.parent / "seals.beancount"
    digests = seals_path.parent / made.digests_name
    if digests.exists():
        raise click.UsageError(
            f"{relpath(str(digests))} 已存在 (没有封存记录的旧摘要清单?): 查明后再封存"
        )
    before_seals, before_main = _read(seals_path), _read(main_path)
    included = {str(Path(p).resolve()) for p in loaded.options.get("include", ())}
    try:
        _write(digests, made.digests_text)
        head = before_seals if before_seals and before_seals.strip() else _SEALS_HEADER
        _write(seals_path, head.rstrip("\n") + "\n\n" + made.entry_text)
        if str(seals_path) not in included and before_main is not None:
            name = os.path.relpath(seals_path, main_path.parent).replace(os.sep, "/")
            _write(main_path, before_main.rstrip("\n") + f'\ninclude "{name}"\n')
        try:
            check = load(main_path)
        except LedgerUnreadable as exc:
            raise _Rollback([exc]) from None
        problems = [f for f in _broken_seals(check) if f.entity == made.period] + check.other_errors
        if problems:
            raise _Rollback(problems)
    except _Rollback as exc:
        _undo(digests, seals_path, before_seals, main_path, before_main)
        click.echo("新封存未能通过复核, 已撤回:", err=True)
        _show(exc.problems)
        sys.exit(1)
    except OSError as exc:  # a folder the user may not write: nothing is left half-written
        with contextlib.suppress(OSError):
            _undo(digests, seals_path, before_seals, main_path, before_main)
        raise click.ClickException(f"{exc.filename}: 无法写入 ({exc.strerror}); 未封存") from None
    except BaseException:
        _undo(digests, seals_path, before_seals, main_path, before_main)
        raise
    click.echo(
        f"已封存 {made.period} (至 {made.through}): {made.count:,} 条记录\n"
        f"  期间哈希 sha256 {made.sha256}\n"
        f"  链哈希   chain  {made.chain}\n"
        f"  写入 {relpath(str(seals_path))}, {relpath(str(digests))}\n"
        "请把链哈希记入审计底稿或报送上级: fupin audit --expect <链哈希> 可随时复核."
    )


class _Rollback(Exception):
    def __init__(self, problems: list[Any]) -> None:
        super().__init__("seal does not verify")
        self.problems = problems


def _undo(
    digests: Path, seals: Path, seals_text: str | None, main: Path, main_text: str | None
) -> None:
    digests.unlink(missing_ok=True)
    _restore(seals, seals_text)
    _restore(main, main_text)


_SEALS_HEADER = """\
; 封存记录 (seals): written by `fupin seal`, never by hand. Each seal hashes every entry
; dated up to its day that no earlier seal covers; its digest list is in seals/.
; After a seal, correct a mistake by reversal in an open period (`fupin correct`).
"""


@click.command("audit", cls=cli_zh.Command)
@LEDGER
@click.option("--expect", metavar="CHAIN", help="核对审计底稿记录的链哈希 (≥12 位).")
@JSON
def audit(ledger: str | None, expect: str | None, as_json: bool) -> None:
    """审计留痕: 封存 (期间、哈希、记录数、状态)、各项目各阶段的证据、更正, 及 A01–A05 发现."""
    from fupin.audit import audit_report, expected_chain, report_json, report_text

    if expect is not None:
        _check_expected(expect)
    loaded = open_ledger(ledger)
    report = audit_report(loaded.book, loaded.results, place=relpath)
    if as_json:
        click.echo(report_json(report))
    else:
        click.echo(report_text(report))
    failed = report.errors > 0
    if expect:
        row = expected_chain(report, expect)
        if row is None:
            click.echo(f"✗ 链哈希 {expect} 不在本账簿的封存链中 (封存被替换或删除?)")
            failed = True
        else:
            later = report.seals[report.seals.index(row) :]
            fine = all(s.status == "ok" for s in report.seals[: report.seals.index(row) + 1])
            click.echo(
                f"{'✓' if fine else '✗'} 链哈希 {expect} = 封存 {row.period} 的链哈希"
                + ("; 该封存及之前各期完好" if fine else "; 但该封存或之前某期已被破坏")
                + (f"; 之后另有 {len(later) - 1} 个封存" if len(later) > 1 else "")
            )
            failed = failed or not fine
    sys.exit(1 if failed else 0)


def _check_expected(value: str) -> None:
    """Refuse, before loading, a ``--expect`` that cannot be a chain hash (it used to be
    reported as 不在本账簿的封存链中, as if the books had changed)."""
    text = value.strip()
    if not text or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise click.UsageError(f"--expect {value!r}: 链哈希应为十六进制数字 (0-9, a-f)")
    if len(text) < 12:
        raise click.UsageError(
            f"--expect {text}: 只有 {len(text)} 位, 至少写链哈希的前 12 位 (审计底稿记录的 chain)"
        )
    if len(text) > 64:
        raise click.UsageError(f"--expect {text[:16]}…: {len(text)} 位, 链哈希为 64 位")


@click.command("correct", cls=cli_zh.Command)
@LEDGER
@click.argument("ref")
@click.option(
    "--date",
    "on",
    type=click.DateTime(["%Y-%m-%d"]),
    help="更正日期 (默认: 今天); 须在未封存期间.",
)
@click.option(
    "--append",
    "append_to",
    type=click.Path(dir_okay=False),
    help="把冲销与重记分录追加到此文件 (默认: 只打印).",
)
def correct(ledger: str | None, ref: str, on: Any, append_to: str | None) -> None:
    """冲销更正: 为 REF (文件:行号, ^链接 或 凭证号) 所指交易生成冲销和重记分录."""
    from fupin.load import installed_sample, installed_sample_refusal, resolve

    if not append_to:
        _correct(ledger, ref, on, None)
        return
    if installed_sample(append_to):
        raise click.UsageError(installed_sample_refusal("追加更正分录"))
    # a seal or another correction of these books finishes first: the date is then checked
    # against the seals as they are, and two appends to one file keep both
    with held(resolve(ledger), "未追加"):
        _correct(ledger, ref, on, append_to)


def _correct(ledger: str | None, ref: str, on: Any, append_to: str | None) -> None:
    from fupin.corrections import correction_texts, find_transaction, reversed_by, sealed_through

    loaded = open_ledger(ledger)
    found = find_transaction(loaded.book, ref)
    if not found:
        raise click.UsageError(f"{ref}: 没有这样的交易 (用 文件:行号, ^链接 或 凭证号)")
    if len(found) > 1:
        places = ", ".join(
            f"{relpath(t.meta.get('filename'))}:{t.meta.get('lineno')}" for t in found[:5]
        )
        raise click.UsageError(f"{ref}: 指向 {len(found)} 笔交易 ({places}); 请用 文件:行号")
    original = found[0]
    day = on.date() if on else datetime.date.today()
    sealed = sealed_through(loaded.book)
    if sealed is not None and day <= sealed:
        raise click.UsageError(
            f"更正日期 {day} 在已封存期间 (至 {sealed}) 内: 请用 {sealed} 之后的日期"
        )
    if day <= original.date:
        raise click.UsageError(f"更正日期 {day} 须晚于原记录 {original.date}")
    earlier = reversed_by(loaded.book, original)
    if earlier is not None:
        # a second reversal is an A03 error: the command would write books that fail
        first = min(earlier.reversals, key=lambda r: r.date)
        raise click.UsageError(
            f"{ref}: 原记录已由 ^{earlier.link} 于 {first.date} 冲销 "
            f"({relpath(first.meta.get('filename'))}:{first.meta.get('lineno')}), 不能再次冲销; "
            "重记有误时更正那笔重记分录"
        )
    text = correction_texts(loaded.book, original, day)
    if not append_to:
        click.echo(text, nl=False)
        return
    target = Path(append_to)
    if target.exists() and not target.is_file():
        raise click.UsageError(f"{append_to}: 不是文件")
    before = _read(target) or ""
    try:
        _write(target, (before.rstrip("\n") + "\n\n" if before else "") + text)
    except OSError as exc:
        raise click.ClickException(f"{exc.filename}: 无法写入 ({exc.strerror})") from None
    click.echo(
        f"冲销与重记分录已追加到 {relpath(str(target))}: 请修改重记分录为应记内容, 并编新凭证号"
    )


COMMANDS = (seal, audit, correct)
