"""click's own messages come out in Chinese in every wording the dependency range allows
(click 8.1 and 8.2+ word an unknown option, a missing argument and a missing file apart)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from fupin.cli import main
from fupin.cli_zh import translate


@pytest.mark.parametrize(
    ("message", "chinese"),
    [
        ("No such option: --frob", "没有选项 --frob"),  # click 8.1
        ("No such option '--frob'.", "没有选项 --frob"),  # click 8.2 and later
        ("No such option: --chek Did you mean --check?", "没有选项 --chek 是不是 --check?"),
        ("No such option '--chek'. Did you mean '--check'?", "没有选项 --chek 是不是 '--check'?"),
        ("No such option: --x (Possible options: --xa, --xb)", "没有选项 --x (可选: --xa, --xb)"),
        (
            "No such option '--x'. (Did you mean one of: '--xa', '--xb'?)",
            "没有选项 --x (是不是 '--xa', '--xb'?)",
        ),
        ("No such command 'frob'.", "没有命令 frob"),
        ("Missing argument 'DIRS...'.", "缺少参数 DIRS..."),
        ("Missing option '--out'.", "缺少选项 --out"),
        (
            "Invalid value for 'DIRS...': Directory '/nope' does not exist.",
            "DIRS...: /nope: 不存在",
        ),
        ("Invalid value for 'SRC...': Path '/a.csv' does not exist.", "SRC...: /a.csv: 不存在"),
        (
            "Invalid value for '--config' / '-c': File '/c.py' does not exist.",
            "--config/-c: /c.py: 不存在",
        ),
        ("Invalid value for 'LEDGER': File 'x' is a directory.", "LEDGER: x: 是文件夹, 不是文件"),
        ("Invalid value for '[LEDGER]': File 'x' is a directory.", "LEDGER: x: 是文件夹, 不是文件"),
        ("Invalid value for '--year': 'abc' is not a valid integer.", "--year: abc 不是整数"),
        ("Option '--date' requires an argument.", "选项 --date 需要一个值"),
        (
            "Invalid value for '--port': 80000 is not in the range 1<=x<=65535.",
            "--port: 80000 不在范围 1<=x<=65535 内",
        ),
        ("--village: 账簿中没有村 '青三村'", "--village: 账簿中没有村 '青三村'"),  # ours: unchanged
    ],
)
def test_click_messages_in_chinese(message: str, chinese: str) -> None:
    assert translate(message) == chinese


def test_the_installed_click_says_an_unknown_option_in_chinese() -> None:
    result = CliRunner().invoke(main, ["check", "--frob"])
    assert result.exit_code == 2 and "错误: 没有选项 --frob" in result.output
    result = CliRunner().invoke(main, ["rollup"])
    assert result.exit_code == 2 and "错误: 缺少参数 DIRS..." in result.output
    assert "No such" not in result.output and "Missing" not in result.output
    result = CliRunner().invoke(main, ["serve", "--port", "80000"])
    assert result.exit_code == 2 and "错误: --port: 80000 不在范围 1<=x<=65535 内" in result.output
