"""What a statement's title block states (账号, 户名, 币种), and one account per file.

A clerk may export two special accounts into one workbook (one sheet each). Only the first
sheet's title decides ``identify``, so :func:`check_one_account` compares every sheet's own
title values with the first stated: a sheet (or a title block repeated inside a sheet) that
states another account or card number (账号, 卡号), account name or alias (户名, 卡别名) or
currency is refused, naming the file, both sheets and both numbers masked
(:func:`mask_account`). A sheet that states none of them is
the first's (a bank splitting a long statement repeats only the header). A value is read
from ``label：value`` in one cell (several in a cell: ``账号：… 户名：…``) or from a label cell
followed by its value cell (``账　号：`` | ``4305*********2021``, ``账号`` | ``9810****2023``).

**Refused, not read as the other account** (even when the import configuration has an
importer for it): a file is one document, filed under one account (beangulp's
``account()``, ``fupin import archive``), recorded as one ``custom "statement"`` with one
period and one closing balance, and reconciled against one bank statement. Splitting it
between importers would file one account's document under the other and import lines no
importer was chosen for; the officer saves each account's sheet as its own file instead.

Account numbers agree when their visible digits can be the same number: ``6228 **** ****
0622`` agrees with ``6228****0622`` and ``6228480012340622``, not with ``6228****0621``.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fupin.importers.table import Row, SourceError, scrub

#: the labels of each value a title block may state (compared without spaces)
LABELS: dict[str, tuple[str, ...]] = {
    "account": (
        "账号", "帐号", "账户", "帐户", "账户号", "帐户号", "账户号码", "帐户号码", "单位账号",
        "客户账号", "本方账号", "银行账号", "对公账号", "账号/卡号", "卡号/账号",
    ),
    "card": ("卡号", "银行卡号", "借记卡号"),
    "name": ("户名", "账户名称", "帐户名称", "账户名", "帐户名", "单位名称", "客户名称", "账户户名"),
    "alias": ("卡别名", "账户别名", "帐户别名"),
    "currency": ("币种", "币别", "货币", "币种名称"),
}  # fmt: skip
#: how messages name each value
SHOWN = {"account": "账号", "card": "卡号", "name": "户名", "alias": "账户别名", "currency": "币种"}
MASK_CHARS = "*＊xX×#•●"
_BY_LABEL = {label: role for role, labels in LABELS.items() for label in labels}
_LABEL = "|".join(
    r"\s*".join(re.escape(c) for c in label) for label in sorted(_BY_LABEL, key=len, reverse=True)
)
#: a known label and its colon, at the start of a cell or after a space or separator
_LABELLED = re.compile(rf"(?:^|(?<=[\s,;，；]))({_LABEL})\s*[:：]\s*")
#: any ``label:`` ending the value before it (``账号：… 户名：…``)
_NEXT_LABEL = re.compile(r"[\s,;，；]+[^\s\d:：,;，；]{1,12}\s*[:：]")
_LABEL_CELL = re.compile(rf"({_LABEL})\s*[:：]?")
_CURRENCIES = {"CNY": ("人民币", "CNY", "RMB", "本币", "156"), "USD": ("美元", "USD", "840")}


@dataclass(frozen=True)
class Stated:
    """One value a title row states: the role, the text as written, the row."""

    role: str
    text: str
    row: Row


def stated(rows: Iterable[Row]) -> list[Stated]:
    """The values the title ``rows`` state, in order (an account or card number needs four
    digits: ``账户：单位结算账户`` states none)."""
    out: list[Stated] = []
    for row in rows:
        cells = [unicodedata.normalize("NFKC", c).strip() for c in row.cells]
        for index, cell in enumerate(cells):
            if not cell:
                continue
            alone = _LABEL_CELL.fullmatch(cell)
            if alone is not None:
                value = next((c for c in cells[index + 1 :] if c), "")
                if value and not _LABEL_CELL.fullmatch(value) and ":" not in value:
                    _add(out, _role(alone.group(1)), value, row)
                continue
            for found in _LABELLED.finditer(cell):
                rest = cell[found.end() :]
                end = _NEXT_LABEL.search(rest)
                _add(out, _role(found.group(1)), (rest[: end.start()] if end else rest), row)
    return out


def _role(label: str) -> str:
    return _BY_LABEL["".join(label.split())]


def _add(out: list[Stated], role: str, value: str, row: Row) -> None:
    value = value.strip(" ,;，；")
    if not value or (role in ("account", "card") and sum(c.isdigit() for c in value) < 4):
        return
    out.append(Stated(role, value, row))


def mask_account(text: str) -> str:
    """An account number for messages, as the importers mask numbers (:func:`scrub`):
    ``6228480012340622`` and ``6228 **** **** 0622`` → ``6228****0622``; at most eight
    digits shown, and of an unmasked number of eight digits or fewer only the last four."""
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) > 8:
        return f"{digits[:4]}****{digits[-4:]}"
    head, tail, masked = _number(text)
    if masked:  # the bank's own mask (``4305*********2021``): what it left visible
        return f"{head[:4]}****{tail[-4:]}"
    return f"****{digits[-4:]}"


def _number(text: str) -> tuple[str, str, bool]:
    """The visible digits before the first mask and after the last, and whether masked."""
    kept = "".join(c if c.isdigit() else "*" for c in text if c.isdigit() or c in MASK_CHARS)
    if "*" not in kept:
        return kept, kept, False
    return kept[: kept.index("*")], kept[kept.rindex("*") + 1 :], True


def same_account(one: str, two: str) -> bool:
    """Whether two account numbers as printed (masked or not) can be the same account."""
    (head1, tail1, masked1), (head2, tail2, masked2) = _number(one), _number(two)
    if not masked1 and not masked2:
        return head1 == head2
    heads = head1.startswith(head2) or head2.startswith(head1)
    tails = tail1.endswith(tail2) or tail2.endswith(tail1)
    return heads and tails


def _currency(text: str) -> str:
    upper = "".join(text.split()).upper()
    for code, names in _CURRENCIES.items():
        if any(name in upper for name in names):
            return code
    return upper


def _agree(role: str, one: str, two: str) -> bool:
    if role in ("account", "card"):
        return same_account(one, two)
    if role == "currency":
        return _currency(one) == _currency(two)
    return "".join(one.split()) == "".join(two.split())


def _shown(role: str, text: str) -> str:
    return mask_account(text) if role in ("account", "card") else scrub(text)


def _from(row: Row) -> str:
    return f"工作表「{row.sheet}」" if row.sheet else f"第{row.number}行起"


def blocks(rows: Sequence[Row]) -> list[list[Row]]:
    """Title lines inside a table, as blocks of consecutive rows (a page's title block)."""
    out: list[list[Row]] = []
    for row in rows:
        if out and (out[-1][-1].sheet, out[-1][-1].number + 1) == (row.sheet, row.number):
            out[-1].append(row)
        else:
            out.append([row])
    return out


def check_one_account(path: str | Path, titles: Sequence[Sequence[Row]], account: str) -> None:
    """Refuse a file whose title blocks (``titles``, in file order: each sheet's title rows,
    then the title lines inside its table, :func:`blocks`) state two accounts (module
    docstring): within a block the first value of each kind counts, each block's against
    the first block stating it; ``account``: the importer's ledger account, named in the
    message. Raises :class:`SourceError` at the later row."""
    first: dict[str, Stated] = {}
    for rows in titles:
        own: dict[str, Stated] = {}
        for found in stated(rows):
            own.setdefault(found.role, found)
        for value in own.values():
            known = first.setdefault(value.role, value)
            if known is value or _agree(value.role, known.text, value.text):
                continue
            label = SHOWN[value.role]
            raise SourceError(
                path,
                value.row,
                label,
                f"{label} {_shown(value.role, value.text)} 与{known.row.place}的 "
                f"{_shown(value.role, known.text)} 不同: {_from(value.row)}是另一个账户的对账单, 不能并入 {account} 的流水 "
                "(一个文件只能是一个账户的对账单; 请把各账户的工作表另存为单独的文件, 分别导入)",
            )


def check_periods(
    path: str | Path, periods: Sequence[tuple[Row, datetime.date, datetime.date]]
) -> None:
    """The 起止日期 the sheets state are one statement's: each the same as another's, or
    not overlapping it (one sheet a month; a shared boundary day allowed). Two that overlap
    without being the same are two exports glued together: refused naming both sheets."""
    for index, (row, start, end) in enumerate(periods):
        for other, first, last in periods[:index]:
            same = (start, end) == (first, last)
            apart = end <= first or start >= last
            if same or apart:
                continue
            raise SourceError(
                path,
                row,
                "起止日期",
                f"起止日期 {start} 至 {end} 与{other.place}的 {first} 至 "
                f"{last} 重叠又不相同: 不是同一份对账单按页或按月分开的工作表 "
                "(请把各次导出另存为单独的文件, 分别导入)",
            )
