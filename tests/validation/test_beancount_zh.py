"""Beancount's own messages in Chinese in ``fupin check`` (text and JSON) and ``fupin seal``:
broken ledgers loaded by real Beancount; the place, the Chinese and the English all shown.
``bean-check`` keeps Beancount's English."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fupin.beancount_zh import TABLE, translate
from fupin.cli import main

HEAD = 'option "operating_currency" "CNY"\n2021-01-01 open Assets:Bank CNY\n'
PAY = '2021-02-01 * "x"\n  Assets:Bank  -10.00 CNY\n  Expenses:Industry  10.00 CNY\n'
OPENED = HEAD + "2021-01-01 open Expenses:Industry CNY\n"

#: (what breaks, ledger text, its other files, line, Chinese, Beancount's English)
CASES = [
    (
        "include glob",
        HEAD + 'include "villages/*.beancount"\n',
        {},
        "{dir}/main.beancount:3",  # the include line (Beancount itself says <load>:0)
        'include "villages/*.beancount" 没有匹配到任何文件',
        'File glob "villages/*.beancount" does not match any files',
    ),
    (
        "include cycle",
        HEAD + 'include "b.beancount"\n',
        {"b.beancount": '; b\ninclude "main.beancount"\n'},
        "{dir}/b.beancount:2",  # the include that closes the cycle
        '文件 "{dir}/main.beancount" 被 include 了不止一次 (include 成环',
        'Duplicate filename parsed: "{dir}/main.beancount"',
    ),
    (
        "include written twice",
        HEAD + 'include "b.beancount"\ninclude "b.beancount"\n',
        {"b.beancount": "; b\n"},
        "{dir}/main.beancount:4",  # the second of the two lines
        '文件 "{dir}/b.beancount" 被 include 了不止一次',
        'Duplicate filename parsed: "{dir}/b.beancount"',
    ),
    (
        "unknown plugin",
        'plugin "fupin.plugin"\n' + HEAD,
        {},
        "<load>:0",
        '无法加载插件 "fupin.plugin": 检查 plugin 行的模块名',
        'Error importing "fupin.plugin": ModuleNotFoundError: No module named',
    ),
    (
        "syntax error",
        OPENED + PAY.replace("10.00 CNY\n  Exp", "10.00 CNY)\n  Exp"),
        {},
        "{dir}/main.beancount:5",
        '语法错误: 此处不应出现 ")", 应为 文件结尾、行尾、"@@"、"@"',
        "syntax error, unexpected RPAREN, expecting end of file or EOL or ATAT or AT",
    ),
    (
        "date",
        OPENED + PAY.replace("2021-02-01", "2021-13-01"),
        {},
        "{dir}/main.beancount:4",
        "日期无效",
        "ValueError: month must be in 1..12",
    ),
    (
        "balance",
        OPENED + PAY + "2021-02-02 balance Assets:Bank  -9.00 CNY\n",
        {},
        "{dir}/main.beancount:7",
        "余额断言不符: 账户 Assets:Bank 应为 -9.00 CNY, 账簿累计 -10.00 CNY, 少 1.00",
        "Balance failed for 'Assets:Bank': expected -9.00 CNY != accumulated -10.00 CNY "
        "(1.00 too little)",
    ),
    (
        "balance too much",
        OPENED + PAY + "2021-02-02 balance Assets:Bank  -11.00 CNY\n",
        {},
        "{dir}/main.beancount:7",
        "余额断言不符: 账户 Assets:Bank 应为 -11.00 CNY, 账簿累计 -10.00 CNY, 多 1.00",
        "Balance failed for 'Assets:Bank': expected -11.00 CNY != accumulated -10.00 CNY "
        "(1.00 too much)",
    ),
    (
        "unknown account",
        HEAD + PAY,
        {},
        "{dir}/main.beancount:3",
        "引用了没有开设 (open) 的账户 Expenses:Industry: 先写它的 open 指令, 或检查拼写",
        "Invalid reference to unknown account 'Expenses:Industry'",
    ),
    (
        "does not balance",
        OPENED + PAY.replace("  10.00 CNY", "  9.00 CNY"),
        {},
        "{dir}/main.beancount:4",
        "交易借贷不平衡: 各分录合计 -1.00 CNY, 应为零",
        "Transaction does not balance: (-1.00 CNY)",
    ),
    (
        "closed account",
        OPENED + "2021-01-31 close Expenses:Industry\n" + PAY,
        {},
        "{dir}/main.beancount:5",
        "账户 Expenses:Industry 在此日期未开设或已关闭",
        "Invalid reference to inactive account 'Expenses:Industry'",
    ),
    (
        "currency",
        OPENED + PAY.replace("CNY", "USD"),
        {},
        "{dir}/main.beancount:4",
        "账户 Assets:Bank 不收 USD (该币种不在其 open 指令所列币种中)",
        "Invalid currency USD for account 'Assets:Bank'",
    ),
    (
        "open twice",
        OPENED + "2021-01-02 open Expenses:Industry CNY\n",
        {},
        "{dir}/main.beancount:4",
        "账户 Expenses:Industry 重复开设 (open 写了两次)",
        "Duplicate open directive for Expenses:Industry",
    ),
    (
        "two auto postings",
        OPENED + '2021-02-01 * "x"\n  Assets:Bank\n  Expenses:Industry\n',
        {},
        "{dir}/main.beancount:6",  # the second posting without an amount
        "同一笔交易中, 一个币种最多只能有一个省略金额的分录",
        "You may not have more than one auto-posting per currency",
    ),
    (
        "document",
        OPENED + '2021-02-01 document Assets:Bank "receipt.pdf"\n',
        {},
        "{dir}/main.beancount:4",
        'document 所指文件 "{dir}/receipt.pdf" 不存在',
        'File does not exist: "{dir}/receipt.pdf"',
    ),
]


def check(ledger: Path, *flags: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", str(ledger), *flags])
    return result.exit_code, result.output


def write(folder: Path, text: str, others: dict[str, str]) -> Path:
    for name, other in others.items():
        (folder / name).write_text(other, encoding="utf-8")
    ledger = folder / "main.beancount"
    ledger.write_text(text, encoding="utf-8")
    return ledger


@pytest.mark.parametrize(
    ("text", "others", "place", "chinese", "english"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_fupin_check_says_it_in_chinese_with_the_place_and_the_english(
    tmp_path: Path, text: str, others: dict[str, str], place: str, chinese: str, english: str
) -> None:
    ledger = write(tmp_path, text, others)
    code, out = check(ledger)
    fill = {"dir": str(tmp_path)}
    place, chinese, english = (s.format(**fill) for s in (place, chinese, english))
    assert code in (1, 2) and "Traceback" not in out
    (line,) = [x for x in out.splitlines() if english in x]
    assert line.lstrip().startswith(f"{place}: {chinese}"), line
    assert f" (原文: {english}" in line, line
    if code == 1:  # a ledger that loads: the JSON carries the same message
        code, out = check(ledger, "--json")
        (row,) = [r for r in json.loads(out) if english in r["message"]]
        assert row["rule"] == "BEANCOUNT" and row["message"].startswith(chinese)


def test_a_message_the_table_does_not_know_is_shown_unchanged(tmp_path: Path) -> None:
    ledger = write(
        tmp_path,
        'plugin "beancount.plugins.leafonly"\n'
        + OPENED
        + "2021-01-01 open Expenses:Industry:Livestock CNY\n"
        + PAY,
        {},
    )
    english = "Non-leaf account 'Expenses:Industry' has postings on it"
    assert not any(pattern.match(english) for pattern, _ in TABLE)
    code, out = check(ledger)
    assert code == 1 and f"main.beancount:4: {english}\n" in out
    assert translate("syntax error\nsecond line") == "syntax error\nsecond line"


def test_a_seal_refused_for_beancount_errors_says_them_in_chinese(tmp_path: Path) -> None:
    ledger = write(tmp_path, HEAD + PAY, {})
    result = CliRunner().invoke(main, ["seal", str(ledger), "--through", "2021-02"])
    assert result.exit_code == 1, result.output
    assert (
        "main.beancount:3: 引用了没有开设 (open) 的账户 Expenses:Industry: 先写它的 open 指令, "
        "或检查拼写 (原文: Invalid reference to unknown account 'Expenses:Industry')"
    ) in result.output


def test_bean_check_keeps_beancounts_english(tmp_path: Path) -> None:
    ledger = write(tmp_path, HEAD + PAY, {})
    bean_check = Path(sys.executable).parent / "bean-check"
    done = subprocess.run([str(bean_check), str(ledger)], capture_output=True, text=True)
    assert "Invalid reference to unknown account 'Expenses:Industry'" in done.stderr
    assert "原文" not in done.stderr + done.stdout
