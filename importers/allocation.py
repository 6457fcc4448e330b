"""The allocation-sheet importer: a 资金分配表 / 资金下达明细表 → receipts by source and project.

The sheet attached to an allocation document lists, one row per project, the project
(项目名称, sometimes 项目编号), the amount (元 or 万元, up to four decimals in 万元: converted
exactly) and, in real forms, only some of: the document number (文号, often merged down a
group or written once in the title), the source level (资金级次), the date. The layout
(``presets/fpb.toml`` or the county's own) maps the columns by alias; what a form lacks
comes from elsewhere:

* 文号: the column (merged cells filled down), else the title (``文号：云财农〔2025〕8号``);
* level: the column, else the layout's ``default_level`` (or the importer's);
* date: the column, else a date in the title, else the date of the ledger's entry for that
  文号 (a ``custom`` entry naming it, such as the fund it allocates), else ``default_date``;
* project: the id column, else the ledger's project of that name, else ``project_name:``.

Rows of one document, level and date become one receipt into the fund, one income posting
per project; 小计 and 合计 rows are checked; income accounts are opened as needed::

    2025-03-05 * "县财政局" "资金下达 云财农〔2025〕8号 中央"
      alloc_doc: "云财农〔2025〕8号"
      alloc_row: "云财农〔2025〕8号/中央/2025-03-05"
      Assets:Treasury:XJ-2025            800000.00 CNY
      Income:Fund:XJ-2025:Central       -500000.00 CNY
        project: "P-2025-001"
      Income:Fund:XJ-2025:Central       -300000.00 CNY
        project: "P-2025-002"

The bank credit naming the 文号 is later linked to this receipt, never counted twice
(rule R04 names any difference).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import beangulp
from beancount.core import data
from beancount.core.amount import Amount
from fupin.importers.cells import days_in, parse_day
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
from fupin.plugins.reconcile import ref_key

LEVELS = {
    "中央": "Central",
    "中央财政": "Central",
    "中央资金": "Central",
    "省级": "Provincial",
    "省级财政": "Provincial",
    "省级资金": "Provincial",
    "市级": "Municipal",
    "市级财政": "Municipal",
    "市级资金": "Municipal",
    "州级": "Municipal",
    "县级": "County",
    "县级财政": "County",
    "县级资金": "County",
}
LEVEL_NAMES = {
    "Central": "中央财政衔接资金",
    "Provincial": "省级财政衔接资金",
    "Municipal": "市级财政衔接资金",
    "County": "县级财政衔接资金",
}
T = TypeVar("T")
DOC_NUMBER = re.compile(r"\S{1,12}?[〔\[［【(（]\d{4}[〕\]］】)）]\d+号")


class AllocationImporter(ExactDedupe, Accounted, beangulp.Importer):
    """资金分配表 of one fund."""

    def __init__(
        self,
        fund: str,
        *,
        payer: str = "财政局",
        levels: Mapping[str, str] | None = None,
        cash: str = "Assets:Treasury:{fund}",
        income: str = "Income:Fund:{fund}:{source}",
        layout: Layout | str | Path = "fpb",
        default_level: str | None = None,
    ) -> None:
        self.fund = fund
        self.payer = payer
        self.levels = dict(levels or LEVELS)
        self.cash = cash.replace("{fund}", fund)
        self.income = income.replace("{fund}", fund)
        self.layout = layout if isinstance(layout, Layout) else load_layout(layout)
        if self.layout.kind != "allocation":
            raise ValueError(
                f"layout {self.layout.name!r} is a {self.layout.kind}, not an allocation sheet"
            )
        self.default_level = default_level or self.layout.default_level

    @property
    def name(self) -> str:
        return f"fupin.allocation:{self.fund}"

    def identify(self, filepath: str) -> bool:
        layout = self.layout
        if Path(filepath).suffix.lower() not in layout.formats:
            return False
        try:
            rows = read_document(filepath, layout, head=True).rows
        except SourceError:
            return False
        header = find_header(rows, layout)
        if header is None or "project_name" not in header.columns:
            return False
        # an allocation sheet names its document (column or title) and no household
        above = " ".join(" ".join(r.cells) for r in rows[: header.position])
        has_doc = "doc" in header.columns or DOC_NUMBER.search(above) is not None
        return has_doc and not re.search(r"身份证|证件号码|户主", " ".join(header.row.cells))

    def account(self, filepath: str) -> str:
        return self.cash

    def filename(self, filepath: str) -> str | None:
        return f"allocation{Path(filepath).suffix.lower()}"

    def date(self, filepath: str) -> datetime.date | None:
        """The latest day the sheet's rows carry (else its title's), not the file's mtime."""
        try:
            sheet = read_sheet(filepath, self.layout)
        except SourceError:
            return None
        days = self._title_days(sheet)
        return latest_day(sheet, lambda part: days[part.name])

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        sheet = read_sheet(filepath, self.layout)
        self.remember(filepath, sheet)
        docs = _inherited([self._title_doc(part) for part in sheet.parts])
        title_docs = {part.name: doc for part, doc in zip(sheet.parts, docs, strict=True)}
        title_days = self._title_days(sheet)
        documents = _document_dates(existing)
        projects = _projects_by_name(existing)
        groups: dict[tuple[str, str, datetime.date], list[data.Posting]] = {}
        first_row: dict[tuple[str, str, datetime.date], Row] = {}
        seen: dict[tuple[str, str, str], Row] = {}
        values: list[dict[str, Decimal]] = []
        for index, row in enumerate(sheet.data):
            part = sheet.part_of(index)
            title_doc, title_day = title_docs[part.name], title_days[part.name]
            doc = sheet.cell(row, "doc") or title_doc
            if not doc:
                raise sheet.error(row, "doc", "文号为空 (表中无文号, 标题中也未写明)")
            level = sheet.cell(row, "level") or self.default_level or ""
            source = self.levels.get(level)
            if source is None:
                known = "、".join(self.levels)
                shown = level or "(空)"
                raise sheet.error(
                    row,
                    "level",
                    f"未知资金级次 {shown} (可用: {known}; 或在格式中设 default_level)",
                )
            project, name = sheet.cell(row, "project"), sheet.cell(row, "project_name")
            if not project and name:
                project = projects.get(name, "")
            if not project and not name:
                raise sheet.error(row, "project_name", "项目名称为空")
            ident = project or name
            if (doc, level, ident) in seen:
                raise sheet.error(
                    row,
                    "project" if project else "project_name",
                    f"{doc} {level} {ident} 与{seen[(doc, level, ident)].place}重复",
                )
            seen[(doc, level, ident)] = row
            amount = money(sheet, row, "amount", blank=False)
            if amount <= 0:
                raise sheet.error(row, "amount", f"金额 {amount} 不是正数")
            values.append({"amount": amount})
            day = row_date(
                sheet,
                row,
                documents.get(ref_key(doc)) or title_day,
                "下达日期为空 (表中无日期列, 标题、账簿中该文号和格式 default_date 都没有日期)",
            )
            key = (doc, level, day)
            meta: dict[str, object] = {"project": project} if project else {"project_name": name}
            posting = data.Posting(
                self.income.replace("{source}", source),
                Amount(-amount, "CNY"),
                None,
                None,
                None,
                meta,
            )
            groups.setdefault(key, []).append(posting)
            first_row.setdefault(key, row)
        if not groups:
            raise sheet.error(sheet.header.row, None, "分配表没有明细行")
        verify_totals(
            sheet, values, ("amount",), label=lambda k: "小计" if k == "subtotal" else "合计"
        )
        entries: list[data.Directive] = []
        for (doc, level, day), postings in groups.items():
            total = -sum(
                (p.units.number for p in postings if p.units and p.units.number), Decimal(0)
            )
            meta = row_meta(filepath, first_row[(doc, level, day)])
            meta.update(alloc_doc=doc, alloc_row=f"{doc}/{level}/{day.isoformat()}")
            cash = data.Posting(self.cash, Amount(total, "CNY"), None, None, None, None)
            entries.append(
                data.Transaction(
                    meta,
                    day,
                    "*",
                    self.payer,
                    f"资金下达 {doc} {level}",
                    frozenset(),
                    frozenset(),
                    [cash, *postings],
                )
            )
        names = {
            self.income.replace("{source}", source): f"{self.fund} {label}"
            for source, label in LEVEL_NAMES.items()
        }
        entries.extend(open_missing(filepath, entries, existing, self.cash, names))
        return entries

    def _title_doc(self, part: Part) -> str | None:
        for row in part.title:
            for cell in row.cells:
                for pattern in self.layout.doc:
                    found = re.search(pattern, cell)
                    if found:
                        return found.group(1)
        for row in part.title:
            found = DOC_NUMBER.search(" ".join(row.cells))
            if found:
                return found.group(0)
        return None

    def _title_days(self, sheet: Sheet) -> dict[str, datetime.date | None]:
        """Each sheet's date: the one its title states, else the sheet before's, else the
        layout's ``default_date``."""
        default = parse_day(self.layout.default_date) if self.layout.default_date else None
        days = _inherited([_title_day(part) for part in sheet.parts])
        return {p.name: day or default for p, day in zip(sheet.parts, days, strict=True)}


def _title_day(part: Part) -> datetime.date | None:
    for row in part.title:
        found = days_in(" ".join(c for c in row.cells if c))
        if len(found) == 1:
            return found[0]
    return None


def _inherited(values: list[T | None]) -> list[T | None]:
    """Each sheet's value, else the one of the sheet before it (a sheet without a title)."""
    out: list[T | None] = []
    for value in values:
        out.append(value if value is not None else (out[-1] if out else None))
    return out


def _document_dates(existing: data.Entries) -> dict[str, datetime.date]:
    """文号 → the date of the ledger entry that names it (a document, a fund it allocates)."""
    out: dict[str, datetime.date] = {}
    for entry in existing:
        if not isinstance(entry, data.Custom):
            continue
        for key in ("doc", "alloc_doc", "number"):
            value = entry.meta.get(key)
            if isinstance(value, str) and value:
                out.setdefault(ref_key(value), entry.date)
        if entry.type == "document" and entry.values and isinstance(entry.values[0].value, str):
            out.setdefault(ref_key(entry.values[0].value), entry.date)
    return out


def _projects_by_name(existing: data.Entries) -> dict[str, str]:
    """Project name → id, from the ledger's ``custom "project"`` entries."""
    out: dict[str, str] = {}
    for entry in existing:
        if isinstance(entry, data.Custom) and entry.type == "project" and entry.values:
            name = entry.meta.get("name")
            if isinstance(name, str):
                out.setdefault(name, str(entry.values[0].value))
    return out
