"""Excel workbooks (.xlsx) of the tables auditors open: 合规表, 资产台账, 农户与补助, 项目库.

Formatting only: every figure is one the rules, the facts or the report builders already
computed (``Measure``, :class:`fupin.reports.assets.AssetReport`, the households
``Summary``, the Fava project rows); nothing here adds up postings. Amounts are written as
exact numbers with ``#,##0.00``, shares as ratios with ``0.00%``; headers are Chinese, the
header row is frozen and filtered, and each column is as wide as its content.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from fupin.findings import Severity, shown
from fupin.textable import width

if TYPE_CHECKING:
    from fupin.reports.assets import AssetReport

    from fupin.book import Book
    from fupin.findings import Measure

#: number formats by column kind
FORMATS = {
    "money": "#,##0.00",
    "pct": "0.00%",
    "int": "0",
    "days": '0" 天"',
    "workdays": '0" 个工作日"',
    "date": "yyyy-mm-dd",
    "text": "@",
}
MAX_WIDTH = 60


def number_format(kind: str) -> str:
    """The format of a column kind; ``pct3``, ``pct4``…: a share shown with that many
    decimals (a compliance value beside a threshold it would otherwise print like)."""
    if kind.startswith("pct") and kind[3:].isdigit():
        return "0." + "0" * int(kind[3:]) + "%"
    return FORMATS[kind]


def _pct_kind(text: str) -> str:
    """The kind that shows a share as ``text`` (``68.386%`` → ``pct3``) prints it."""
    places = len(text.rstrip("%").partition(".")[2])
    return "pct" if places <= 2 else f"pct{places}"


MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # a key of FORMATS


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    caption: str = ""  # a first line above the table (date, scope)


def _shown(value: Any, kind: str) -> str:
    """Roughly what Excel shows, to size the column."""
    if isinstance(value, Typed):
        value, kind = value
    if value is None:
        return ""
    if kind == "money" and isinstance(value, Decimal):
        return f"{value:,.2f}"
    if kind.startswith("pct") and isinstance(value, Decimal):
        places = int(kind[3:]) if kind[3:].isdigit() else 2
        return f"{value * 100:.{places}f}%"
    return str(value)


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as one .xlsx file."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        top = 1
        if sheet.caption:
            ws.cell(row=1, column=1, value=sheet.caption).font = bold
            top = 3
        for col, column in enumerate(sheet.columns, 1):
            cell = ws.cell(row=top, column=col, value=column.header)
            cell.font = bold
            cell.fill = fill
            cell.alignment = Alignment(vertical="center")
        for r, row in enumerate(sheet.rows, top + 1):
            for col, (value, column) in enumerate(zip(row, sheet.columns, strict=True), 1):
                kind = column.kind
                if isinstance(value, Typed):
                    value, kind = value
                cell = ws.cell(row=r, column=col, value=value)
                if value is not None and kind != "text":
                    cell.number_format = number_format(kind)
                elif isinstance(value, str) and "\n" in value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        for col, column in enumerate(sheet.columns, 1):
            widest = max(
                [
                    width(column.header),
                    *(width(_shown(row[col - 1], column.kind)) for row in sheet.rows),
                ]
            )
            ws.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, widest + 2)
        ws.freeze_panes = ws.cell(row=top + 1, column=1)
        if sheet.rows:
            last = get_column_letter(len(sheet.columns))
            ws.auto_filter.ref = f"A{top}:{last}{top + len(sheet.rows)}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Typed(NamedTuple):
    """A cell with its own number format (a column whose rows have different units)."""

    value: Any
    kind: str


def _value(value: Any, unit: str, text: str = "") -> Any:
    """A measured value or threshold in its unit: money and shares as numbers (a share with
    the decimals of ``text``, as :func:`fupin.findings.shown` prints it)."""
    if isinstance(value, Decimal) and unit == "pct" and text:
        return Typed(value, _pct_kind(text))
    if isinstance(value, Decimal) and unit in ("money", "pct"):
        return Typed(value, unit)
    if unit in ("days", "workdays") and isinstance(value, int):
        return Typed(value, unit)
    return None if value is None else str(value)


def _result(m: Measure) -> str:
    if m.ok:
        return "合规"
    return "违规" if m.severity == Severity.ERROR else "警告"


def compliance_sheets(measures: Sequence[Measure], sources: dict[str, str]) -> list[Sheet]:
    """合规表: one row per measure (value and threshold in their unit), and the 依据."""
    columns = [
        Column("规则"),
        Column("指标"),
        Column("范围"),
        Column("年度", "int"),
        Column("实测"),
        Column("比较"),
        Column("阈值"),
        Column("单位"),
        Column("结果"),
        Column("政策参数"),
        Column("对象"),
        Column("文件"),
        Column("行", "int"),
    ]
    ops = {">=": "≥", "<=": "≤", "==": "="}
    rows = []
    for m in measures:
        meta = m.source or {}
        rows.append(
            [
                m.rule,
                m.title,
                m.scope,
                m.year,
                _value(m.value, m.unit, shown(m)[0]),
                ops.get(m.op, m.op),
                _value(m.threshold, m.unit, shown(m)[1]),
                {"money": "元", "pct": "%", "days": "天", "workdays": "工作日"}.get(m.unit, m.unit),
                _result(m),
                m.policy_key,
                m.entity,
                str(meta.get("filename", "")).rsplit("/", 1)[-1],
                meta.get("lineno"),
            ]
        )
    sheet = Sheet("合规表", columns, rows)
    rules = {m.rule for m in measures}
    cited = [[rule, text] for rule, text in sources.items() if rule in rules and text]
    return [sheet, Sheet("依据", [Column("规则"), Column("依据 (文件名称与文号)")], cited)]


def compliance_xlsx(measures: Sequence[Measure], sources: dict[str, str]) -> bytes:
    return workbook(compliance_sheets(measures, sources))


def assets_xlsx(book: Book, report: AssetReport) -> bytes:
    """资产台账 on the report's day: every asset with its rights' holders, and the totals."""
    from fupin.assets import ASSET_CLASSES, LEVEL_NAMES, RIGHTS, STATUSES
    from fupin.money import ZERO

    columns = [
        Column("编号"),
        Column("名称"),
        Column("类别"),
        Column("乡镇"),
        Column("村"),
        Column("规模"),
        Column("单位"),
        Column("原值(元)", "money"),
        Column("状态"),
        Column("累计收益(元)", "money"),
        *(Column(RIGHTS[r]) for r in report.rights),
    ]
    rows = []
    for state in report.states:
        asset = state.asset
        rows.append(
            [
                asset.id,
                asset.name,
                ASSET_CLASSES[asset.asset_class],
                asset.township,
                asset.village,
                asset.quantity,
                asset.unit,
                asset.original_value,
                STATUSES[state.status],
                report.income.get(asset.id, ZERO),
                *(state.holders(r) or "—" for r in report.rights),
            ]
        )
    totals = [Column("分组"), Column("名称"), Column("数量", "int"), Column("原值(元)", "money")]
    total_rows: list[list[Any]] = [
        ["按类别", ASSET_CLASSES[c], t.count, t.value] for c, t in report.by_class.items()
    ]
    total_rows += [
        ["按所有权层级", LEVEL_NAMES[level], t.count, t.value]
        for level, t in report.by_level.items()
        if t.count or level != "unassigned"
    ]
    total_rows.append(["合计", "", report.total.count, report.total.value])
    if report.disposed.count:
        total_rows.append(["已处置 (不计入合计)", "", report.disposed.count, report.disposed.value])
    caption = f"扶贫项目资产台账 (截至 {report.day.isoformat()}, 共 {len(report.states)} 项)"
    return workbook(
        [
            Sheet("资产台账", columns, rows, caption),
            Sheet("合计", totals, total_rows, caption),
        ]
    )


def households_xlsx(summary: Any) -> bytes:
    """农户与到户补助: counts by village and status/cause, benefits paid, benefits due unpaid."""
    from fupin.reports.households import STATUS_ORDER

    from fupin.benefits import KIND_NAMES
    from fupin.households import CAUSES, STATUSES

    status_rows = []
    cause_rows = []
    for view in summary.villages:
        for status in STATUS_ORDER:
            tally = view.status.get(status)
            if tally and tally.households:
                status_rows.append(
                    [view.village, STATUSES.get(status, status), tally.households, tally.persons]
                )
        for cause, tally in view.cause.items():
            share = (
                Decimal(tally.persons) / Decimal(view.total.persons) if view.total.persons else None
            )
            cause_rows.append(
                [view.village, CAUSES.get(cause, cause), tally.households, tally.persons, share]
            )
    kinds = sorted({k for paid in summary.paid.values() for k in paid}, key=list(KIND_NAMES).index)
    paid_rows = [
        [hid, summary.village_of.get(hid, ""), *(paid.get(k) for k in kinds)]
        for hid, paid in sorted(summary.paid.items())
    ]
    due_rows = [
        [d.household, d.village, d.member, KIND_NAMES[d.kind], d.year, d.due, d.paid, d.missing]
        for d in summary.unpaid
    ]
    caption = f"截至 {summary.as_of.isoformat()}" + (
        f"; 补助年度 {summary.year}" if summary.year else ""
    )
    tally = [Column("村"), Column("状态"), Column("户数", "int"), Column("人数", "int")]
    causes = [*tally[:1], Column("致贫原因"), *tally[2:], Column("占人数", "pct")]
    money = [
        Column("农户"),
        Column("村"),
        *(Column(f"{KIND_NAMES[k]}(元)", "money") for k in kinds),
    ]
    due = [
        Column("农户"),
        Column("村"),
        Column("成员", "int"),
        Column("项目"),
        Column("年度", "int"),
        Column("应发(元)", "money"),
        Column("已发(元)", "money"),
        Column("未发(元)", "money"),
    ]
    return workbook(
        [
            Sheet("农户状态", tally, status_rows, caption),
            Sheet("致贫原因", causes, cause_rows, caption),
            Sheet("到户补助", money, paid_rows, caption),
            Sheet("应享未享", due, due_rows, caption),
        ]
    )


def projects_xlsx(rows: Sequence[Any], day: datetime.date | None) -> bytes:
    """项目库: every project with its stage and money (the Fava project rows' figures)."""
    table = [
        [
            p.project.id,
            p.project.name,
            p.project.year,
            p.project.township,
            p.project.village,
            p.category_name,
            p.project.fund,
            p.stage_name,
            p.budget,
            p.spent,
            p.spent_ratio,
            p.paid,
            p.prepaid,
            p.deposit_held,
            p.project.implementer,
        ]
        for p in rows
    ]
    columns = [
        Column("编号"),
        Column("项目名称"),
        Column("年度", "int"),
        Column("乡镇"),
        Column("村"),
        Column("类别"),
        Column("资金"),
        Column("阶段"),
        Column("批复预算(元)", "money"),
        Column("已列支(元)", "money"),
        Column("支出进度", "pct"),
        Column("已支付(元)", "money"),
        Column("未结预拨(元)", "money"),
        Column("在押质保金(元)", "money"),
        Column("实施单位"),
    ]
    caption = f"项目库 (截至 {day.isoformat()})" if day else "项目库"
    return workbook([Sheet("项目库", columns, table, caption)])
