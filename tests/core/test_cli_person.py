"""The CLI as a person uses it (issue 18): Chinese help, tables that fit, typos caught,
and ``fupin init`` giving a county books that pass ``fupin check`` at once."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from fupin import notice_key
from fupin.cli import main
from fupin.textable import render, set_width, width, wrap

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


def run(*args: str, columns: int | None = None) -> click.testing.Result:
    env = {"COLUMNS": str(columns)} if columns else {}
    set_width("auto")
    return CliRunner().invoke(main, list(args), env=env)


def commands() -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = [("fupin", main)]
    assert isinstance(main, click.Group)
    for name, command in main.commands.items():
        out.append((f"fupin {name}", command))
    return out


@pytest.mark.parametrize(("name", "command"), commands(), ids=[n for n, _ in commands()])
def test_every_command_and_option_is_explained_in_chinese(
    name: str, command: click.Command
) -> None:
    assert command.help and CJK.search(command.help), name
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help and CJK.search(param.help), f"{name} {param.opts}"
    text = run(*name.split()[1:], "--help").output
    assert text.startswith("用法: ") and "选项:" in text and "显示帮助并退出" in text
    assert "Show this message" not in text and "[default:" not in text


def test_unknown_village_is_an_error_with_did_you_mean(tmp_path: Path) -> None:
    result = run("notices", "--village", "青三村", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "--village: 账簿中没有村 '青三村'; 是不是 青山村?" in result.output
    assert not (tmp_path / "out").exists()
    result = run("notices", "--township", "城关乡", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "是不是 城关镇?" in result.output
    result = run("assets", "--village", "杨庄")
    assert result.exit_code == 2 and "是不是 杨庄村?" in result.output
    result = run("households", "--village", "河湾")
    assert result.exit_code == 2 and "是不是 河湾村?" in result.output


@pytest.mark.parametrize("command", ["compliance", "flags", "households", "notices"])
def test_a_year_outside_the_ledger_is_an_error(command: str, tmp_path: Path) -> None:
    extra = ["--out", str(tmp_path)] if command == "notices" else []
    result = run(command, "--year", "2030", *extra)
    assert result.exit_code == 2, result.output
    assert (
        "错误: --year: 账簿中没有年度 2030 的数据 (账簿中的年度: 2021–2024)" in result.output
    )  # issue 15: the sample runs into 2024


def test_click_errors_are_chinese() -> None:
    result = run("notices")
    assert result.exit_code == 2 and "错误: 缺少选项 --out" in result.output
    result = run("assets", "--class", "shop")
    assert result.exit_code == 2 and "--class: shop 不是可选值" in result.output
    result = run("check", "/no/such/ledger.beancount")
    assert result.exit_code == 2 and "找不到账簿文件" in result.output
    assert "Error" not in result.output


def test_tables_fit_the_terminal_and_wide_keeps_them_whole() -> None:
    lines = run("compliance", columns=100).output.splitlines()
    assert max(width(line) for line in lines) <= 100
    narrow = run("assets", columns=160).output.splitlines()
    assert max(width(line) for line in narrow) <= 160
    # an asset id never wraps: each id is whole at the start of its row
    ids = [line.split()[0] for line in narrow if line.startswith("A-")]
    assert "A-2021-002B" in ids and "A-2021-003" in ids
    wide = run("assets", "--wide", columns=160).output.splitlines()
    assert max(width(line) for line in wide) > 300
    assert len(wide) < len(narrow)


def test_wrap_breaks_between_words_and_keeps_closing_punctuation() -> None:
    assert wrap("石桥村股份经济合作社 40.00%; 杨庄村股份经济合作社 35.00%", 22) == [
        "石桥村股份经济合作社",
        "40.00%; 杨庄村股份经济",
        "合作社 35.00%",
    ]
    assert wrap("河湾村蔬菜种植专业合作社 (租赁)", 24)[-1].endswith("(租赁)")
    text = render(["编号", "名称"], [["A-2021-001", "青山村肉牛养殖圈舍" * 3]], max_width=30)
    assert all(width(line) <= 30 for line in text.splitlines())
    assert text.splitlines()[2].startswith("A-2021-001  ")


def test_init_lays_out_books_that_pass_check(tmp_path: Path) -> None:
    county = tmp_path / "qinghe"
    result = run(
        "init", str(county), "--county", "清河县", "--code", "130534", "--years", "2024,2025"
    )
    assert result.exit_code == 0, result.output
    main_file = (county / "main.beancount").read_text(encoding="utf-8")
    assert 'option "title" "清河县衔接资金与扶贫资产台账"' in main_file
    assert 'custom "fava-option" "language" "zh"' in main_file
    assert 'custom "fava-option" "default-page" "extension/FupinCompliance/"' in main_file
    accounts = (county / "accounts.beancount").read_text(encoding="utf-8")
    assert "2024-01-01 open Assets:Treasury:XJ-2025 CNY" in accounts
    assert 'name: "2025年衔接资金专户"' in accounts
    header = (county / "register" / "households.csv").read_text(encoding="utf-8")
    assert header.startswith("id,township,village,")
    key = county / "register" / "notice-secret.key"
    assert key.stat().st_mode & 0o777 == 0o600 and len(notice_key.read(key).secret) == 32
    other = tmp_path / "other"
    run("init", str(other), "--county", "清河县", "--code", "130534")
    assert key.read_text() != (other / "register" / "notice-secret.key").read_text()
    checked = run("check", str(county / "main.beancount"))
    assert checked.exit_code == 0, checked.output
    assert "0 个错误, 0 个警告" in checked.output
    assert run("compliance", str(county / "main.beancount")).exit_code == 0
    # the repository auditors read takes the books, never the register, keys or a pickle
    subprocess.run(["git", "init", "-q", str(county)], check=True)
    ignored = subprocess.run(
        ["git", "-C", str(county), "check-ignore", "--no-index", "--stdin"],
        input="register/households.csv\nregister/notice-secret.key\n"
        ".main.beancount.picklecache\nmain.beancount\naccounts.beancount\n",
        capture_output=True,
        text=True,
    ).stdout.split()
    assert ignored == [
        "register/households.csv",
        "register/notice-secret.key",
        ".main.beancount.picklecache",
    ]


def test_init_refuses_a_folder_that_holds_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    result = run("init", str(tmp_path), "--county", "清河县", "--code", "130534")
    assert result.exit_code == 2 and "文件夹不是空的" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    result = run("init", str(tmp_path / "x"), "--code", "13053")
    assert result.exit_code == 2 and "6 位数字" in result.output
    result = run("init", str(tmp_path / "y"), "--code", "130534", "--years", "二〇二四")
    assert result.exit_code == 2 and "无法识别的年度" in result.output


def test_sample_queries_are_the_template_queries() -> None:
    from jinja2 import Environment

    template = (ROOT / "fupin" / "template" / "queries.beancount.j2").read_text(encoding="utf-8")
    env = Environment(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    rendered = env.from_string(template).render(start="2022-01-01")
    assert (ROOT / "ledger" / "queries.beancount").read_text(encoding="utf-8") == rendered
