"""click in Chinese: help headings, usage line and click's own error messages.

click writes its few fixed strings through ``gettext`` and ships no Chinese catalogue, so
``fupin`` gives its group a context whose help formatter writes 用法/选项/命令, help and
version options with Chinese help, and a ``main`` that prints click's errors itself
(错误: …), translating click's own messages (a missing option, an unknown option, a value
not among the choices) and keeping its exit codes (2 for a usage error).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from typing import Any, NoReturn

import click

HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
#: click's own messages (from click/exceptions.py and click/types.py) → Chinese, in both
#: wordings the dependency range allows (click 8.1: ``No such option: --x``; 8.2 and later:
#: ``No such option '--x'.``, ``Did you mean '--y'?``). Applied in order, each to every line.
MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), text)
    for pattern, text in (
        (r"^Missing option '?([^']+?)'?\.?$", r"缺少选项 \1"),
        (r"^Missing argument '?([^']+?)'?\.?$", r"缺少参数 \1"),
        (r"^No such option:? '?([^'\s]+?)'?\.?(?=\s|$)", r"没有选项 \1"),
        (r"^No such command:? '?([^'\s]+?)'?\.?(?=\s|$)", r"没有命令 \1"),
        (r"^Got unexpected extra arguments? \((.*)\)$", r"多余的参数: \1"),
        (r"^Option '([^']+)' requires an argument\.$", r"选项 \1 需要一个值"),
        (
            r"^Invalid value for '([^']+)': '([^']*)' is not one of (.*)\.$",
            r"\1: \2 不是可选值 (\3)",
        ),
        (r"^Invalid value for '([^']+)': '([^']*)' is not a valid integer\.$", r"\1: \2 不是整数"),
        (
            r"^Invalid value for '([^']+)': '([^']*)' does not match the format '([^']*)'\.$",
            r"\1: \2 不是日期 (格式 YYYY-MM-DD)",
        ),
        (
            r"^Invalid value for '([^']+)': '?([^']*?)'? is not in the range (.*)\.$",
            r"\1: \2 不在范围 \3 内",
        ),
        (r"^Invalid value for '([^']+)' / '([^']+)': ", r"\1/\2: "),
        (r"^Invalid value for '?([^':]+)'?: (.*)$", r"\1: \2"),
        (r"(?:File|Directory|Path) '([^']*)' does not exist\.", r"\1: 不存在"),
        (r"(?:File|Path) '([^']*)' is a directory\.", r"\1: 是文件夹, 不是文件"),
        (r"(?:Directory|Path) '([^']*)' is a file\.", r"\1: 是文件, 不是文件夹"),
        (r"(?:File|Directory|Path) '([^']*)' is not readable\.", r"\1: 无法读取"),
        (r"(?:File|Directory|Path) '([^']*)' is not writable\.", r"\1: 无法写入"),
        (r"\(?Did you mean one of:? (.*)\?\)?$", r"(是不是 \1?)"),
        (r"Did you mean (.*)\?$", r"是不是 \1?"),
        (r"\(Possible options: (.*)\)", r"(可选: \1)"),
        (r"^Invalid value for (.*)$", r"\1"),
        (r"^\[([A-Z_.]+)\]: ", r"\1: "),  # an optional argument's hint, e.g. [LEDGER]
    )
)


def translate(message: str) -> str:
    """One of click's messages in Chinese (unchanged when it is already ours)."""
    lines = []
    for line in message.splitlines():
        for pattern, text in MESSAGES:
            line = pattern.sub(text, line)
        lines.append(line)
    return "\n".join(lines)


class Formatter(click.HelpFormatter):
    """Help with Chinese headings and ``[默认: …]``."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法: ")

    def write_heading(self, heading: str) -> None:
        super().write_heading(HEADINGS.get(heading, heading))

    def write_dl(self, rows: Iterable[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        rows = [
            (term, text.replace("[default: ", "[默认: ").replace("[required]", "[必填]"))
            for term, text in rows
        ]
        super().write_dl(rows, *args, **kwargs)


class Context(click.Context):
    formatter_class = Formatter


def _chinese(option: click.Option | None) -> click.Option | None:
    if option is not None:
        option.help = "显示帮助并退出 (help)。"
    return option


class Command(click.Command):
    context_class = Context

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _chinese(super().get_help_option(ctx))


class Group(click.Group):
    """``fupin``: its commands and their errors in Chinese."""

    context_class = Context
    command_class = Command

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _chinese(super().get_help_option(ctx))

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.UsageError as exc:
            if exc.ctx is not None:
                click.echo(exc.ctx.get_usage(), err=True)
                click.echo(f"查看帮助: {exc.ctx.command_path} --help\n", err=True)
            click.echo(f"错误: {translate(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"错误: {translate(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("已中止", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)
