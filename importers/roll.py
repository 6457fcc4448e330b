"""The payment-roll importer: a 惠民惠农"一卡通" 发放清册 → benefit payments by household id.

A roll lists one payment a row (序号, 乡镇, 村, 户主姓名, 身份证号, 补贴项目, 发放金额,
发放日期, 银行账号 masked), under title rows carrying the batch number (``发放批次：…``) and
above a 合计 row. Each row becomes one transaction on the paying fund account::

    2022-12-20 * "公益岗位补贴 2022年12月 一卡通代发"
      household: "H-QS01-004"
      basis: "一卡通发放批次 YKT-2022-12-01"
      roll: "YKT-2022-12-01"
      roll_row: "YKT-2022-12-01#4"
      Expenses:Benefit:PublicWelfareJob   500.00 CNY
      Assets:Treasury:XJ-2022            -500.00 CNY

Names, ID numbers and bank accounts stay in the roll: the household is found in the
private register (:mod:`fupin.households`) by the ID number (head or member), else by name
and village, and only its pseudonymous id is written. A row that matches no household, or
two, or whose village disagrees with the register, stops the import naming the row. The
roll's total is later matched against the bank's single 代发 debit (rule R02).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import beangulp
from beancount.core import data
from beancount.core.amount import Amount
from fupin.importers.dedupe import ExactDedupe, open_missing
from fupin.importers.table import (
    Row,
    SourceError,
    Table,
    find_header,
    missing_columns,
    parse_amount,
    parse_date,
    read_rows,
)

from fupin.households import Household, Register, RegisterError, cached_register
from fupin.money import ZERO, fmt_money

BATCH = re.compile(r"(?:发放批次|批次号|批次)\s*[:：]\s*([A-Za-z0-9\-_]+)")
COLUMNS = ("序号", "村", "户主姓名", "身份证号", "补贴项目", "发放金额", "发放日期")
#: The benefit kinds of the sample county and the accounts they post to.
DEFAULT_KINDS = {
    "公益岗位补贴": "Expenses:Benefit:PublicWelfareJob",
    "临时救助": "Expenses:Benefit:TemporaryRelief",
    "产业奖补": "Expenses:Benefit:IndustryAward",
}


def mask_id(number: str) -> str:
    """``150202199001011234`` → ``1502**********1234`` (for messages only)."""
    return number[:4] + "*" * max(len(number) - 8, 0) + number[-4:] if len(number) > 8 else "****"


class RollImporter(ExactDedupe, beangulp.Importer):
    """一卡通 payment roll paid from one fund account."""

    def __init__(
        self,
        account: str,
        register: str | Path,
        *,
        kinds: Mapping[str, str] | None = None,
        encoding: str = "utf-8",
    ) -> None:
        self.ledger_account = account
        self.register_path = Path(register)
        self.kinds = dict(kinds or DEFAULT_KINDS)
        self.encoding = encoding

    @property
    def name(self) -> str:
        return f"fupin.roll:{self.ledger_account}"

    def identify(self, filepath: str) -> bool:
        if Path(filepath).suffix.lower() not in (".csv", ".xlsx", ".xls"):
            return False
        try:
            rows = read_rows(filepath, self.encoding, lenient=True)
        except SourceError:
            return False
        return find_header(filepath, rows, COLUMNS) is not None

    def account(self, filepath: str) -> str:
        return self.ledger_account

    def filename(self, filepath: str) -> str | None:
        return f"payment-roll{Path(filepath).suffix.lower()}"

    def register(self) -> Register:
        try:
            return cached_register(self.register_path)
        except (RegisterError, OSError) as exc:
            raise SourceError(
                self.register_path, None, None, f"农户信息库无法读取: {exc}"
            ) from None

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        rows = read_rows(filepath, self.encoding)
        table = find_header(filepath, rows, COLUMNS)
        if table is None:
            gone = missing_columns(rows, COLUMNS)
            raise SourceError(filepath, None, gone[0], f"找不到表头: 缺少列 {'、'.join(gone)}")
        batch = self._batch(table)
        index = _index(self.register())
        entries: list[data.Directive] = []
        seen: dict[str, int] = {}
        total = ZERO
        for row in table.rows:
            seq = table.cell(row, "序号")
            if not seq:
                raise SourceError(filepath, row.number, "序号", "序号为空")
            if seq in seen:
                raise SourceError(filepath, row.number, "序号", f"序号 {seq} 与第{seen[seq]}行重复")
            seen[seq] = row.number
            household = self._household(table, row, index)
            kind = table.cell(row, "补贴项目")
            account = self.kinds.get(kind)
            if account is None:
                known = "、".join(self.kinds)
                raise SourceError(
                    filepath, row.number, "补贴项目", f"未知补贴项目 {kind!r} (已配置: {known})"
                )
            amount = parse_amount(table, row, "发放金额", blank_zero=False)
            if amount <= 0:
                raise SourceError(filepath, row.number, "发放金额", f"发放金额 {amount} 不是正数")
            total += amount
            day = parse_date(table, row, "发放日期", ("%Y%m%d", "%Y/%m/%d", "%Y-%m-%d"))
            meta = data.new_metadata(filepath, row.number)
            meta.update(
                household=household.id,
                basis=f"一卡通发放批次 {batch}",
                roll=batch,
                roll_row=f"{batch}#{seq}",
                period=f"{day:%Y-%m}",
            )
            postings = [
                data.Posting(account, Amount(amount, "CNY"), None, None, None, None),
                data.Posting(self.ledger_account, Amount(-amount, "CNY"), None, None, None, None),
            ]
            narration = f"{kind} 一卡通代发 {batch}"
            entries.append(
                data.Transaction(
                    meta, day, "*", None, narration, frozenset(), frozenset(), postings
                )
            )
        self._check_total(table, total)
        names = {account: kind for kind, account in self.kinds.items()}
        entries.extend(open_missing(filepath, entries, existing, self.ledger_account, names))
        return entries

    def _batch(self, table: Table) -> str:
        for row in table.title:
            found = BATCH.search(" ".join(row.cells))
            if found:
                return found.group(1)
        raise SourceError(table.path, None, None, "标题行中找不到发放批次 (发放批次：…), 无法去重")

    def _household(self, table: Table, row: Row, index: Mapping[str, list[Household]]) -> Household:
        number = table.cell(row, "身份证号").upper()
        village = table.cell(row, "村")
        name = table.cell(row, "户主姓名")
        if number:
            found = index.get(number, [])
            key = f"身份证号 {mask_id(number)}"
            column = "身份证号"
        else:
            found = [h for h in index.get(f"name:{name}", []) if h.village == village]
            key = f"姓名 {name[:1]}** 与村 {village}"
            column = "户主姓名"
        if not found:
            raise SourceError(table.path, row.number, column, f"农户信息库中无 {key} 对应的农户")
        if len(found) > 1:
            ids = "、".join(h.id for h in found)
            raise SourceError(table.path, row.number, column, f"{key} 对应多户 ({ids}), 无法确定")
        household = found[0]
        if village and household.village != village:
            raise SourceError(
                table.path,
                row.number,
                "村",
                f"村 {village} 与农户信息库 {household.id} 的 {household.village} 不符",
            )
        return household

    def _check_total(self, table: Table, total: Decimal) -> None:
        footer = next((r for r in table.footer if not r.blank), None)
        if footer is None or not table.cell(footer, "发放金额"):
            return
        stated = parse_amount(table, footer, "发放金额")
        if stated != total:
            raise SourceError(
                table.path,
                footer.number,
                "发放金额",
                f"合计 {fmt_money(stated)} ≠ 明细之和 {fmt_money(total)}",
            )


def _index(register: Register) -> dict[str, list[Household]]:
    """ID numbers (head and members) and ``name:<name>`` → households, built once."""
    out: dict[str, list[Household]] = defaultdict(list)
    for household in register.households.values():
        keys = {household.id_number, *(m.id_number for m in household.members)}
        for key in keys:
            if key:
                out[key.upper()].append(household)
        for name in {household.head_name, *(m.name for m in household.members)}:
            out[f"name:{name}"].append(household)
    return out
