"""``fupin init DIR``: lay out a new county's books from the template in ``fupin/template``.

The template (Jinja2, ``*.j2``) gives a ledger that ``fupin check`` passes at once: the chart
of accounts with Chinese names for each budget year's 衔接资金, one fund per year, the policy
file (defaults apply; a county adds its own dated thresholds), Fava's options (Chinese,
zh_CN, the compliance page first, the import page wired to ``fupin.importers``), the saved
queries auditors run, and an empty household register with its headers and a fresh notice
key (mode 0600) beside it. Nothing is written into a folder that already holds files.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import click

from fupin import cli_zh
from fupin.households import EVENT_FIELDS, HOUSEHOLD_FIELDS, MEMBER_FIELDS

#: 行政区划代码: six digits (GB/T 2260), e.g. 130123.
CODE = re.compile(r"\d{6}")
#: The notice key beside the register (what ``fupin notices`` reads by default).
KEY_NAME = "notice-secret.key"


class InitError(Exception):
    """A folder or option ``fupin init`` cannot use (message for the user)."""


def parse_years(text: str, today: datetime.date) -> list[int]:
    """``2024,2025`` or ``2023-2025`` → budget years; empty → this year."""
    if not text.strip():
        return [today.year]
    years: set[int] = set()
    for part in text.replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        low, _, high = part.partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            raise InitError(
                f"--years: 无法识别的年度 {part!r} (例如 2024,2025 或 2023-2025)"
            ) from None
        if first > last:
            raise InitError(f"--years: 年度 {part!r} 起年晚于止年 (应为 {last}-{first})")
        if not 2000 <= first <= last <= 2100:
            raise InitError(f"--years: 年度 {part!r} 超出范围 (2000–2100)")
        years.update(range(first, last + 1))
    return sorted(years)


def _templates() -> list[tuple[str, str]]:
    """(target name, template text) of every file in the template folder."""
    folder = resources.files("fupin.template")
    out = []
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.name.endswith(".j2"):
            name = item.name.removesuffix(".j2")
            out.append((".gitignore" if name == "gitignore" else name, item.read_text("utf-8")))
    return out


def _write_csv(path: Path, header: Sequence[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(header)


def init(
    target: Path,
    *,
    county: str,
    code: str,
    years: Sequence[int],
    today: datetime.date | None = None,
) -> list[Path]:
    """Write a county's books into ``target`` (new or empty); the files written."""
    from jinja2 import Environment, StrictUndefined

    if target.exists() and not target.is_dir():
        raise InitError(f"{target}: 已存在且不是文件夹")
    if target.is_dir() and any(target.iterdir()):
        raise InitError(f"{target}: 文件夹不是空的; 请指定一个新的或空的文件夹")
    if not county.strip():
        raise InitError("--county: 县名不能为空")
    if not CODE.fullmatch(code):
        raise InitError(f"--code: 行政区划代码应为 6 位数字 (如 130123), 不是 {code!r}")
    if not years:
        raise InitError("--years: 至少需要一个年度")
    day = today or datetime.date.today()
    env = Environment(
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True
    )
    values = {
        "county": county.strip(),
        "code": code,
        "years": list(years),
        "start": f"{min(years)}-01-01",
        "today": day.isoformat(),
    }
    rendered = [(name, env.from_string(text).render(values)) for name, text in _templates()]
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in rendered:
        path = target / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    register = target / "register"
    register.mkdir()
    for name, header in (
        ("households.csv", HOUSEHOLD_FIELDS),
        ("members.csv", MEMBER_FIELDS),
        ("events.csv", EVENT_FIELDS),
    ):
        _write_csv(register / name, header)
        written.append(register / name)
    (target / "downloads").mkdir()
    written.append(write_key(register / KEY_NAME))
    return written


def write_key(path: Path) -> Path:
    """A fresh county notice key beside the register, mode 0600 (``fupin keygen``'s writer)."""
    from fupin import notice_key

    notice_key.generate(path)
    return path


@click.command("init", cls=cli_zh.Command)
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--county", default="本县", show_default=True, help="县名 (county name), 如 青山县。")
@click.option(
    "--code", default="000000", show_default=True, help="行政区划代码, 6 位 (county code)。"
)
@click.option(
    "--years",
    default="",
    help="预算年度 (budget years): 2024,2025 或 2023-2025; 默认今年。",
)
def command(folder: str, county: str, code: str, years: str) -> None:
    """在新的或空的 FOLDER 中建立一个县的账簿 (a county's books from the template)。"""
    try:
        written = init(
            Path(folder), county=county, code=code, years=parse_years(years, datetime.date.today())
        )
    except InitError as exc:
        raise click.UsageError(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"{folder}: 无法写入: {exc.strerror}") from None
    main = Path(folder) / "main.beancount"
    click.echo(f"已建立 {county} 的账簿: {folder}/ ({len(written)} 个文件)")
    click.echo(f"  检查:     fupin check {main}")
    click.echo(f"  审计页面: fupin serve {main}")
    click.echo(f"  农户信息库与公告密钥在 {folder}/register/ (私密, 不要提交到仓库)")
