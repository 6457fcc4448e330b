"""The allocation-sheet importer: a 资金下达 table (xlsx) → receipts by source and project.

The table attached to an allocation document lists, one row per project, the document
number (下达文号), the source level (资金级次: 中央/省级/市级/县级), the project (项目编号,
项目名称), the amount (下达金额(元), or (万元)) and the date. Rows of one document, level
and date become one receipt into the fund, with one income posting per project::

    2023-01-06 * "青山县财政局" "资金下达 青财农〔2023〕3号 中央"
      alloc_doc: "青财农〔2023〕3号"
      alloc_row: "青财农〔2023〕3号/中央/2023-01-06"
      Assets:Treasury:XJ-2023            800000.00 CNY
      Income:Fund:XJ-2023:Central       -500000.00 CNY
        project: "P-2023-001"
      Income:Fund:XJ-2023:Central       -300000.00 CNY
        project: "P-2023-002"

ready for the fund-allocation notice (which groups receipts by ``alloc_doc``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import beangulp
from beancount.core import data
from beancount.core.amount import Amount
from fupin.importers.dedupe import ExactDedupe
from fupin.importers.table import (
    SourceError,
    Table,
    find_header,
    missing_columns,
    parse_amount,
    parse_date,
    read_rows,
)

COLUMNS = ("下达文号", "资金级次", "项目编号", "项目名称", "下达日期")
AMOUNT_COLUMNS = {"下达金额(元)": Decimal(1), "下达金额(万元)": Decimal(10000)}
LEVELS = {
    "中央": "Central",
    "中央财政": "Central",
    "省级": "Provincial",
    "省级财政": "Provincial",
    "市级": "Municipal",
    "市级财政": "Municipal",
    "县级": "County",
    "县级财政": "County",
}


class AllocationImporter(ExactDedupe, beangulp.Importer):
    """资金下达表 of one fund."""

    def __init__(
        self,
        fund: str,
        *,
        payer: str = "财政局",
        levels: Mapping[str, str] | None = None,
        cash: str = "Assets:Treasury:{fund}",
        income: str = "Income:Fund:{fund}:{source}",
    ) -> None:
        self.fund = fund
        self.payer = payer
        self.levels = dict(levels or LEVELS)
        self.cash = cash.replace("{fund}", fund)
        self.income = income.replace("{fund}", fund)

    @property
    def name(self) -> str:
        return f"fupin.allocation:{self.fund}"

    def identify(self, filepath: str) -> bool:
        if Path(filepath).suffix.lower() not in (".xlsx", ".xls", ".csv"):
            return False
        try:
            rows = read_rows(filepath, lenient=True)
        except SourceError:
            return False
        table = find_header(filepath, rows, COLUMNS)
        return table is not None and _amount_column(table) is not None

    def account(self, filepath: str) -> str:
        return self.cash

    def filename(self, filepath: str) -> str | None:
        return f"allocation{Path(filepath).suffix.lower()}"

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        rows = read_rows(filepath)
        table = find_header(filepath, rows, COLUMNS)
        if table is None:
            gone = missing_columns(rows, COLUMNS)
            raise SourceError(filepath, None, gone[0], f"找不到表头: 缺少列 {'、'.join(gone)}")
        amount_column = _amount_column(table)
        if amount_column is None:
            raise SourceError(filepath, table.header.number, "下达金额(元)", "缺少下达金额列")
        groups: dict[tuple[str, str, datetime.date], list[data.Posting]] = {}
        first_row: dict[tuple[str, str, datetime.date], int] = {}
        seen: dict[tuple[str, str, str], int] = {}
        for row in table.rows:
            doc = table.cell(row, "下达文号")
            if not doc:
                raise SourceError(filepath, row.number, "下达文号", "下达文号为空")
            level = table.cell(row, "资金级次")
            source = self.levels.get(level)
            if source is None:
                known = "、".join(self.levels)
                raise SourceError(
                    filepath, row.number, "资金级次", f"未知资金级次 {level!r} ({known})"
                )
            project = table.cell(row, "项目编号")
            if not project:
                raise SourceError(filepath, row.number, "项目编号", "项目编号为空")
            if (doc, level, project) in seen:
                raise SourceError(
                    filepath,
                    row.number,
                    "项目编号",
                    f"{doc} {level} {project} 与第{seen[(doc, level, project)]}行重复",
                )
            seen[(doc, level, project)] = row.number
            scale = AMOUNT_COLUMNS[amount_column]
            amount = parse_amount(table, row, amount_column, blank_zero=False, scale=scale)
            if amount <= 0:
                raise SourceError(
                    filepath, row.number, amount_column, f"下达金额 {amount} 不是正数"
                )
            day = parse_date(table, row, "下达日期", ("%Y%m%d", "%Y/%m/%d", "%Y-%m-%d"))
            key = (doc, level, day)
            posting = data.Posting(
                self.income.replace("{source}", source),
                Amount(-amount, "CNY"),
                None,
                None,
                None,
                {"project": project},
            )
            groups.setdefault(key, []).append(posting)
            first_row.setdefault(key, row.number)
        entries: list[data.Directive] = []
        for (doc, level, day), postings in groups.items():
            total = Decimal(0)
            for posting in postings:
                total -= posting.units.number if posting.units and posting.units.number else 0
            meta = data.new_metadata(filepath, first_row[(doc, level, day)])
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
        return entries


def _amount_column(table: Table) -> str | None:
    return next((c for c in AMOUNT_COLUMNS if c in table.columns), None)
