"""The payment-roll importer: a 惠民惠农"一卡通" 发放清册 → benefit payments by household id.

A roll lists one payment a row under a merged title, a unit line and a batch stated in
Chinese (``发放批次：2025年5月20日批``), with 小计 rows after each group, a 合计 row and
signature lines under the table. Its columns vary by county: the layout (``presets/ykt.toml``
or the county's own) maps them by alias (证件号码/身份证号, 发放金额/金额/补贴金额 …).
Each row becomes one transaction on the paying fund account::

    2025-05-20 * "公益岗位补贴 一卡通代发 2025年5月20日批"
      household: "H-QS01-004"
      basis: "一卡通发放批次 2025年5月20日批"
      roll: "2025年5月20日批"
      roll_row: "2025年5月20日批#4"
      Expenses:Benefit:PublicWelfareJob   500.00 CNY
      Assets:Treasury:XJ-2025            -500.00 CNY

The batch id is the batch's full text: the May and the June rolls are different batches.
Columns a roll form lacks come from its title (发放日期, 补贴项目) or the layout's defaults;
without a 序号 column a row's key is its ordinal in the roll. Names, ID numbers and bank
accounts stay in the roll: the household is found in the private register
(:mod:`fupin.households`) by the ID number (head or member), else by name and village,
and only its pseudonymous id is written. A row that matches no household, or two, or
whose village disagrees with the register, stops the import naming the row. The roll's
total is later matched against the bank's 代发 debits (rule R02).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import beangulp
from beancount.core import data
from beancount.core.amount import Amount
from fupin.importers.cells import days_in, normal, parse_day
from fupin.importers.dedupe import ExactDedupe, open_missing
from fupin.importers.layout import Layout, load_layout
from fupin.importers.sheet import (
    Accounted,
    Part,
    Sheet,
    find_header,
    latest_day,
    money,
    read_document,
    read_sheet,
    row_date,
    row_meta,
    verify_totals,
)
from fupin.importers.table import Row, SourceError

from fupin.households import Household, Register, RegisterError, cached_register
from fupin.periods import PeriodError, from_text, parse_period
from fupin.pii import id_check_char

#: The benefit kinds of the sample county and the accounts they post to.
DEFAULT_KINDS = {
    "公益岗位补贴": "Expenses:Benefit:PublicWelfareJob",
    "临时救助": "Expenses:Benefit:TemporaryRelief",
    "产业奖补": "Expenses:Benefit:IndustryAward",
}
KIND_IN_TITLE = re.compile(r"(?:补贴项目|补贴类别|补贴名称|资金项目)\s*[:：]\s*(\S+)")
DATE_IN_TITLE = re.compile(r"发放(?:日期|时间)")


#: what may stand between an ID number's digits in a roll (spaces, dashes)
ID_GAPS = re.compile(r"[\s\-]+")
ID_SHAPE = re.compile(r"\d{17}[\dX]")


def _period(sheet: Sheet, row: Row, day: datetime.date) -> str:
    """The period a row pays for: its 所属期间 cell (a 补发 of ``2024年1—2月`` is
    ``2024-01..2024-02``, fupin.periods), else the payment's own month."""
    written = sheet.cell(row, "period") if sheet.index("period") is not None else ""
    if not written:
        return f"{day:%Y-%m}"
    text = from_text(written)
    try:
        period = parse_period(text)
    except PeriodError as exc:
        raise sheet.error(row, "period", f"所属期间 {written!r}: {exc}") from None
    if period.start > day:
        raise sheet.error(
            row,
            "period",
            f"所属期间 {written!r} 起于 {period.start}, 晚于发放日期 {day} (不得预发)",
        )
    return text


def mask_id(number: str) -> str:
    """``150202199001011234`` → ``1502**********1234`` (for messages only)."""
    return number[:4] + "*" * max(len(number) - 8, 0) + number[-4:] if len(number) > 8 else "****"


@dataclass(frozen=True)
class Form:
    """What a sheet of the roll says of its rows: the batch, the payment day, the kind."""

    batch: str
    day: datetime.date | None
    kind: str | None


class RollImporter(ExactDedupe, Accounted, beangulp.Importer):
    """一卡通 payment roll paid from one fund account."""

    def __init__(
        self,
        account: str,
        register: str | Path,
        *,
        kinds: Mapping[str, str] | None = None,
        layout: Layout | str | Path = "ykt",
    ) -> None:
        self.ledger_account = account
        self.register_path = Path(register)
        self.kinds = dict(kinds or DEFAULT_KINDS)
        self.layout = layout if isinstance(layout, Layout) else load_layout(layout)
        if self.layout.kind != "roll":
            raise ValueError(f"layout {self.layout.name!r} is a {self.layout.kind}, not a roll")

    @property
    def name(self) -> str:
        return f"fupin.roll:{self.ledger_account}"

    def identify(self, filepath: str) -> bool:
        layout = self.layout
        if Path(filepath).suffix.lower() not in layout.formats:
            return False
        try:
            rows = read_document(filepath, layout, head=True).rows
        except SourceError:
            return False
        header = find_header(rows, layout)
        return header is not None and (
            "seq" in header.columns or "kind" in header.columns or "village" in header.columns
        )

    def account(self, filepath: str) -> str:
        return self.ledger_account

    def filename(self, filepath: str) -> str | None:
        return f"payment-roll{Path(filepath).suffix.lower()}"

    def date(self, filepath: str) -> datetime.date | None:
        """The latest payment day of the roll, not the file's modification time."""
        try:
            sheet = read_sheet(filepath, self.layout)
            forms = self._forms(sheet)
        except SourceError:
            return None
        return latest_day(sheet, lambda part: forms[part.name].day)

    def register(self) -> Register:
        try:
            return cached_register(self.register_path)
        except (RegisterError, OSError) as exc:
            raise SourceError(
                self.register_path, None, None, f"农户信息库无法读取: {exc}"
            ) from None

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        sheet = read_sheet(filepath, self.layout)
        self.remember(filepath, sheet)
        forms = self._forms(sheet)
        index = _index(self.register())
        entries: list[data.Directive] = []
        values: list[dict[str, Decimal]] = []
        for part, row, seq in _numbered(sheet, forms):
            form = forms[part.name]
            household = self._household(sheet, row, index)
            kind = sheet.cell(row, "kind") or form.kind
            if not kind:
                raise sheet.error(row, "kind", "补贴项目为空 (表中无此列, 标题中也未写明)")
            account = self.kinds.get(kind)
            if account is None:
                known = "、".join(self.kinds)
                raise sheet.error(row, "kind", f"未知补贴项目 {kind!r} (已配置: {known})")
            amount = money(sheet, row, "amount", blank=False)
            if amount <= 0:
                raise sheet.error(row, "amount", f"发放金额 {amount} 不是正数")
            values.append({"amount": amount})
            day = row_date(sheet, row, form.day, "发放日期为空 (表中、标题和批次中都没有日期)")
            meta = row_meta(filepath, row)
            batch = form.batch
            meta.update(
                household=household.id,
                basis=f"一卡通发放批次 {batch}",
                roll=batch,
                roll_row=f"{batch}#{seq}",
                period=_period(sheet, row, day),
            )
            project = sheet.cell(row, "project")
            if project:
                meta["project"] = project
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
        if not entries:
            raise sheet.error(sheet.header.row, None, "发放清册没有明细行")
        verify_totals(
            sheet, values, ("amount",), label=lambda k: "小计" if k == "subtotal" else "合计"
        )
        names = {account: kind for kind, account in self.kinds.items()}
        entries.extend(open_missing(filepath, entries, existing, self.ledger_account, names))
        return entries

    def _forms(self, sheet: Sheet) -> dict[str, Form]:
        """Each sheet's batch, payment day and benefit kind: what its title (or batch column)
        says, else what the sheet before it says (a sheet that goes on without a title),
        else the layout's defaults."""
        forms: dict[str, Form] = {}
        before: Form | None = None
        for part in sheet.parts:
            batch = self._batch(sheet, part)
            day = _title_day(part)
            if day is None and batch is not None:
                day = next(iter(days_in(batch)), None)
            kind = _title_kind(part)
            if before is None:
                if batch is None:
                    raise sheet.error(None, None, "标题行中找不到发放批次 (发放批次：…), 无法去重")
                if day is None and self.layout.default_date:
                    day = parse_day(self.layout.default_date)
                before = Form(batch, day, kind or self.layout.default_kind)
            else:
                before = Form(batch or before.batch, day or before.day, kind or before.kind)
            forms[part.name] = before
        return forms

    def _batch(self, sheet: Sheet, part: Part) -> str | None:
        """The batch: its full text in the title (``发放批次：2025年5月20日批``) or column."""
        for row in part.title:
            for cell in row.cells:
                for pattern in self.layout.batch:
                    found = re.search(pattern, cell)
                    if found and found.group(1).strip():
                        return _clean_batch(found.group(1))
        if sheet.index("batch") is not None:
            rows = sheet.rows_of(part)
            batches = {sheet.cell(r, "batch") for r in rows}
            if len(batches) == 1 and "" not in batches:
                return _clean_batch(batches.pop())
            if len(batches) > 1:
                raise sheet.error(
                    rows[0], "batch", f"一份清册中有多个批次: {'、'.join(sorted(batches))}"
                )
        return None

    def _household(self, sheet: Sheet, row: Row, index: Mapping[str, list[Household]]) -> Household:
        number = ID_GAPS.sub("", normal(sheet.cell(row, "id_number"))).upper()
        village = sheet.cell(row, "village")
        name = sheet.cell(row, "name")
        if number:
            found = index.get(number, [])
            key = f"身份证号 {mask_id(number)}"
            role = "id_number"
        elif name:
            found = [
                h for h in index.get(f"name:{name}", []) if not village or h.village == village
            ]
            key = f"姓名 {name[:1]}** 与村 {village}"
            role = "name"
        else:
            raise sheet.error(
                row,
                "id_number" if sheet.index("id_number") is not None else "name",
                "身份证号与姓名都为空",
            )
        if not found:
            raise sheet.error(row, role, f"农户信息库中无 {key} 对应的农户{_id_hint(number)}")
        if len(found) > 1:
            ids = "、".join(h.id for h in found)
            raise sheet.error(row, role, f"{key} 对应多户 ({ids}), 无法确定")
        household = found[0]
        if village and household.village != village:
            raise sheet.error(
                row,
                "village",
                f"村 {village} 与农户信息库 {household.id} 的 {household.village} 不符",
            )
        return household


def _id_hint(number: str) -> str:
    """Why an ID number matches no household, when the number itself says so."""
    if not number:
        return ""
    if not ID_SHAPE.fullmatch(number):
        return f" (应为 18 位, 此处 {len(number)} 位)"
    if id_check_char(number[:17]) == number[17]:
        return ""
    if number.endswith("000"):  # Excel keeps 15 significant digits of a number cell
        return " (校验位不符: 该列存为数字格式时 Excel 只保留 15 位, 请设为文本后重新录入)"
    return " (校验位不符, 号码有误)"


def _title_day(part: Part) -> datetime.date | None:
    """The payment day a sheet's title states (``发放日期：2025年5月20日``)."""
    for row in part.title:
        text = " ".join(c for c in row.cells if c)
        if DATE_IN_TITLE.search(text):
            found = days_in(text)
            if found:
                return found[0]
    return None


def _title_kind(part: Part) -> str | None:
    """The benefit a sheet's title states (``补贴项目：公益岗位补贴``)."""
    for row in part.title:
        found = KIND_IN_TITLE.search(" ".join(row.cells))
        if found:
            return found.group(1)
    return None


def _numbered(sheet: Sheet, forms: Mapping[str, Form]) -> list[tuple[Part, Row, str]]:
    """Every data row with its key in its batch: its 序号, else its ordinal in the roll.

    A 序号 twice on one sheet is refused, and so is the same row on two sheets (one
    payment exported twice); sheets that each number their own rows (one sheet a village,
    each from 1) key every row by its sheet as well (``一组#3``)."""
    has_seq = sheet.index("seq") is not None
    out: list[tuple[Part, Row, str]] = []
    seen: dict[tuple[str, str], Row] = {}
    per_sheet = False
    for part in sheet.parts:
        batch = forms[part.name].batch
        mine: dict[str, Row] = {}
        for ordinal, row in enumerate(sheet.rows_of(part), part.start + 1):
            seq = sheet.cell(row, "seq") if has_seq else str(ordinal)
            if not seq:
                raise sheet.error(row, "seq", "序号为空")
            if seq in mine:
                raise sheet.error(row, "seq", f"序号 {seq} 与{mine[seq].place}重复")
            mine[seq] = row
            held = seen.setdefault((batch, seq), row)
            if held is not row:
                if held.cells == row.cells:
                    raise sheet.error(
                        row, "seq", f"序号 {seq} 与{held.place}重复 (同一行出现在两个工作表中)"
                    )
                per_sheet = True
            out.append((part, row, seq))
    if per_sheet:
        return [(part, row, f"{part.name}#{seq}") for part, row, seq in out]
    return out


def _clean_batch(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" ：:")


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
