"""Beancount's own loader, parser, booking and validation messages in Chinese.

Beancount speaks English (``File glob "x/*.bean" does not match any files``, ``Invalid
reference to unknown account 'Assets:X'``); a county clerk reads Chinese. :data:`TABLE` maps
each common message to a Chinese one filled from the English text's parts; the English is
kept after it as ``(原文: …)`` for anyone who searches the web for it, and the place
(``file:line``) is the error's own, printed by the caller. A message the table does not
know is shown unchanged: never dropped, never guessed at.

For fupin's own commands and pages only: ``bean-check`` and Fava's own error page print
Beancount's text as Beancount wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fupin.findings import Finding

#: the parser's token names (as in ``syntax error, unexpected RPAREN``) as a clerk sees them
TOKENS = {
    "EOL": "行尾",
    "end of file": "文件结尾",
    "INDENT": "缩进",
    "NUMBER": "数字",
    "STRING": "带引号的文本",
    "ACCOUNT": "账户名",
    "CURRENCY": "币种",
    "DATE": "日期",
    "KEY": "元数据键",
    "TAG": "标签 (#…)",
    "LINK": "链接 (^…)",
    "FLAG": "标记",
    "LPAREN": '"("',
    "RPAREN": '")"',
    "LCURL": '"{"',
    "RCURL": '"}"',
    "LCURLCURL": '"{{"',
    "RCURLCURL": '"}}"',
    "COMMA": '","',
    "COLON": '":"',
    "AT": '"@"',
    "ATAT": '"@@"',
    "PIPE": '"|"',
    "TILDE": '"~"',
    "HASH": '"#"',
    "ASTERISK": '"*"',
    "SLASH": '"/"',
    "PLUS": '"+"',
    "MINUS": '"-"',
    "BOOL": "TRUE/FALSE",
    "NONE": "NULL",
}


def _tokens(names: str) -> str:
    """``RPAREN`` → ``)``, ``end of file or EOL`` → ``文件结尾、行尾``."""
    return "、".join(TOKENS.get(name.strip(), name.strip()) for name in names.split(" or "))


def _syntax(match: re.Match[str]) -> str:
    text = f"语法错误: 此处不应出现 {_tokens(match['got'])}"
    if match["want"]:
        text += f", 应为 {_tokens(match['want'])}"
    return text + " (常见原因: 金额与币种之间缺空格、多了括号、分录未缩进)"


Template = str | Callable[[re.Match[str]], str]

#: Beancount's English (the whole first line, from ``beancount.loader``, ``parser``,
#: ``parser.booking*``, ``ops.*``) → Chinese, ``\g<name>`` filled from the match.
TABLE: tuple[tuple[re.Pattern[str], Template], ...] = tuple(
    (re.compile(pattern), text)
    for pattern, text in (
        # loader: includes and plugins
        (
            r'File glob "(?P<p>.*)" does not match any files$',
            r'include "\g<p>" 没有匹配到任何文件 (路径相对于写这行 include 的文件; 检查文件名与文件夹)',
        ),
        (
            r'Duplicate filename parsed: "(?P<f>.*)"$',
            r'文件 "\g<f>" 被 include 了不止一次 (include 成环, 或同一文件写了两行 include): 删去多余的一行',
        ),
        (r'File "(?P<f>.*)" does not exist$', r'include 的文件 "\g<f>" 不存在'),
        (
            r'Error importing "(?P<m>[^"]*)"(?::.*)?$',
            r'无法加载插件 "\g<m>": 检查 plugin 行的模块名 (如 "fupin.plugins"), 及该模块是否已安装',
        ),
        (r'Error applying plugin "(?P<m>[^"]*)"(?::.*)?$', r'插件 "\g<m>" 运行出错'),
        # parser
        (
            r"syntax error, unexpected (?P<got>.+?)(?:, expecting (?P<want>.+))?$",
            _syntax,
        ),
        (r"Invalid token: .*$", "无法识别的字符或词 (该行内容不予显示)"),
        (r"(?:ValueError: )?(?:month|day|year) (?:must be in|is out of range).*$", "日期无效"),
        (r"Invalid option: '(?P<o>[^']*)'$", r"未知的 option \g<o>"),
        (r"Option '(?P<o>[^']*)' may not be set$", r"option \g<o> 不能在账簿中设置"),
        (r"Error for option '(?P<o>[^']*)': .*$", r"option \g<o> 的值无效"),
        (
            r"Invalid account name: (?P<a>\S+)$",
            r"账户名 \g<a> 无效 (每段须以大写英文字母开头; 中文名写在 open 的 name: 元数据中)",
        ),
        (r"Duplicate metadata field on entry: .*$", "同一条记录中元数据键重复"),
        (r"Duplicate posting metadata field: .*$", "同一分录中元数据键重复"),
        (r"Unbalanced pushed tag: '(?P<t>[^']*)'$", r"pushtag \g<t> 没有对应的 poptag"),
        (r"Attempting to pop absent tag: '(?P<t>[^']*)'$", r"poptag \g<t> 之前没有 pushtag"),
        (r"Invalid booking method: (?P<b>\S+)$", r"未知的记账方法 (booking) \g<b>"),
        (
            r"Too many strings on transaction description: .*$",
            "交易标题的文本过多 (最多两段: 收付款人 与 摘要)",
        ),
        (r"Negative prices are not allowed: .*$", "价格不能为负数"),
        # booking
        (
            r"You may not have more than one auto-posting per currency$",
            "同一笔交易中, 一个币种最多只能有一个省略金额的分录",
        ),
        (
            r"Failed to categorize posting (?P<n>\d+)$",
            r"第 \g<n> 个分录无法确定币种 (请写明金额与币种)",
        ),
        (
            r"Too many missing numbers for currency group '(?P<c>[^']*)'$",
            r"币种 \g<c> 省略的金额太多, 无法推算 (最多省略一个)",
        ),
        (r"Could not resolve (?P<n>\S+) currency$", r"无法确定\g<n>币种 (请写明币种)"),
        (r"Transaction has incomplete elements$", "交易不完整 (缺金额或币种)"),
        (r'Not enough lots to reduce "(?P<p>[^"]*)".*$', r"持仓不足, 无法减少 \g<p>"),
        (r'No position matches "(?P<p>[^"]*)" against balance.*$', r"没有与 \g<p> 相符的持仓"),
        (r'Ambiguous matches for "(?P<p>[^"]*)".*$', r"\g<p> 与多个持仓相符: 请写明成本"),
        # validations
        (
            r"Invalid reference to unknown account '(?P<a>[^']*)'$",
            r"引用了没有开设 (open) 的账户 \g<a>: 先写它的 open 指令, 或检查拼写",
        ),
        (
            r"Invalid reference to inactive account '(?P<a>[^']*)'$",
            r"账户 \g<a> 在此日期未开设或已关闭 (记录日期早于 open 或晚于 close)",
        ),
        (
            r"Transaction does not balance: \((?P<r>.*)\)$",
            r"交易借贷不平衡: 各分录合计 \g<r>, 应为零",
        ),
        (
            r"Balance failed for '(?P<a>[^']*)': expected (?P<e>.+?) != accumulated (?P<g>.+?) "
            r"\((?P<d>\S+) too much\)$",
            r"余额断言不符: 账户 \g<a> 应为 \g<e>, 账簿累计 \g<g>, 多 \g<d>",
        ),
        (
            r"Balance failed for '(?P<a>[^']*)': expected (?P<e>.+?) != accumulated (?P<g>.+?) "
            r"\((?P<d>\S+) too little\)$",
            r"余额断言不符: 账户 \g<a> 应为 \g<e>, 账簿累计 \g<g>, 少 \g<d>",
        ),
        (
            r"Invalid currency (?P<c>\S+) for account '(?P<a>[^']*)'$",
            r"账户 \g<a> 不收 \g<c> (该币种不在其 open 指令所列币种中)",
        ),
        (
            r"Invalid currency '(?P<c>[^']*)' for Balance directive: .*$",
            r"余额断言的币种 \g<c> 不在该账户 open 指令所列币种中",
        ),
        (r"Duplicate open directive for (?P<a>\S+)$", r"账户 \g<a> 重复开设 (open 写了两次)"),
        (r"Duplicate close directive for (?P<a>\S+)$", r"账户 \g<a> 重复关闭 (close 写了两次)"),
        (r"Unopened account (?P<a>\S+) is being closed$", r"关闭了没有开设的账户 \g<a>"),
        (
            r"Duplicate balance assertion with different amounts$",
            "同一天同一账户有两个金额不同的余额断言",
        ),
        (r"Duplicate commodity directives for '(?P<c>[^']*)'$", r"币种 \g<c> 的 commodity 重复"),
        (r'File does not exist: "(?P<f>.*)"$', r'document 所指文件 "\g<f>" 不存在'),
        (r"Document root '(?P<d>.*)' does not exist$", r"option documents 所指文件夹 \g<d> 不存在"),
        (r"Unused Pad entry$", "pad 没有用上 (其后没有该账户的 balance 断言)"),
        (r"Invalid data types: .*$", "记录的字段类型无效"),
    )
)


def translate(message: str) -> str:
    """Beancount's ``message`` in Chinese, its English kept as ``(原文: …)``; a message the
    table does not know, or one already translated, unchanged."""
    first, newline, rest = message.partition("\n")
    for pattern, template in TABLE:
        match = pattern.match(first)
        if match is None:
            continue
        chinese = template(match) if callable(template) else match.expand(template)
        return f"{chinese} (原文: {first}){newline}{rest}"
    return message


def message_of(error: Any) -> str:
    """What fupin shows of one load error: a fupin finding's own (Chinese) message, or a
    Beancount error's, translated."""
    if isinstance(error, Finding):
        return str(error.message)
    return translate(str(error.message))
