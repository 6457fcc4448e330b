"""A document's rows, each accounted for: title, header, data, or a named non-data line.

:func:`read_sheet` finds the header row (the first of the layout's first ``header_rows``
rows that holds a column for every required role), then gives every later line one kind:

* ``data``: a transaction, payment or allocation row (parsed by the importer);
* ``blank``: nothing in it (blank lines inside a table are common: 农商行, BOC);
* ``header``: the header again (a multi-page export repeats it on every page);
* ``subtotal`` (本页合计, 小计): checked against the data rows since the previous subtotal;
* ``total`` (合计, 人民币合计, 累计): checked against every data row above it;
* ``footer`` and ``title``: notes, page numbers, signature lines, a page's title block.

A line is non-data when its first non-empty cell starts with one of the layout's
``non_data`` patterns or the defaults (:data:`~fupin.importers.layout.DEFAULT_NON_DATA`);
every other line is data, and a data line that does not parse rejects the whole file
naming the line and the column. Nothing is skipped silently: the importer reports how many
lines of each kind the file held.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from fupin.importers.cells import ONE, CellError, parse_day, parse_money
from fupin.importers.layout import MONEY_ROLES, Layout
from fupin.importers.table import Document, Row, SourceError, read_rows

from fupin.money import fmt_money

UNIT_SUFFIX = re.compile(r"[(（\[]?(?:单位[:：])?(万元|元)[)）\]]?$")
UNIT_LINE = re.compile(r"(?:金额)?单位\s*[:：]\s*(万元|元)")
COUNT = re.compile(r"共\s*(\d+)\s*(?:笔|条|行|户|人|项)")
SPACES = re.compile(r"\s+")
TEN_THOUSAND = Decimal(10000)


def header_name(text: str) -> str:
    """A header cell → comparable name (NFKC, no spaces, no trailing colon)."""
    name = SPACES.sub("", unicodedata.normalize("NFKC", text))
    return name.rstrip(":")


@dataclass(frozen=True)
class Header:
    """The header row and where each role's column is."""

    row: Row
    position: int
    columns: dict[str, int]
    names: dict[str, str]
    memo: tuple[int, ...]
    scale: dict[str, Decimal]


@dataclass
class Sheet:
    """A document read under a layout: the header, the data rows, every line's kind."""

    path: Path
    layout: Layout
    document: Document
    header: Header
    title: list[Row]
    data: list[Row]
    kinds: Counter[str] = field(default_factory=Counter)
    #: (totals row, kind, index of the first and one past the last data row it covers)
    totals: list[tuple[Row, str, int, int]] = field(default_factory=list)

    def index(self, role: str) -> int | None:
        return self.header.columns.get(role)

    def cell(self, row: Row, role: str) -> str:
        index = self.header.columns.get(role)
        if index is None or index >= len(row.cells):
            return ""
        return row.cells[index]

    def column(self, role: str) -> str:
        """The column's header text as the document writes it (for messages)."""
        return self.header.names.get(role, role)

    def error(self, row: Row | None, role: str | None, problem: str) -> SourceError:
        return SourceError(
            self.path, row.number if row else None, self.column(role) if role else None, problem
        )

    def scale(self, role: str) -> Decimal:
        return self.header.scale.get(role, ONE)

    def title_text(self) -> str:
        return "\n".join(" ".join(c for c in row.cells if c) for row in self.title)

    def describe(self) -> str:
        """``12 行数据, 2 行本页合计 …`` (what every line of the file was)."""
        names = {
            "data": "行数据",
            "title": "行标题",
            "header": "行表头",
            "blank": "行空行",
            "subtotal": "行小计",
            "total": "行合计",
            "footer": "行表尾",
        }
        return ", ".join(f"{n} {names[k]}" for k, n in self.kinds.items() if n)


def _match(names: dict[str, int], aliases: Sequence[str]) -> tuple[int, str] | None:
    for alias in aliases:
        wanted = header_name(alias)
        if wanted in names:
            return names[wanted], ""
        for name, index in names.items():
            found = UNIT_SUFFIX.search(name)
            if found and found.start() > 0 and name[: found.start()] == wanted:
                return index, found.group(1)
    return None


def find_header(rows: Sequence[Row], layout: Layout) -> Header | None:
    """The header row of ``rows`` under ``layout``, or None."""
    required = layout.required
    expect = [header_name(n) for n in layout.expect]
    for position, row in enumerate(rows[: layout.header_rows]):
        if not row.cells:
            continue
        names: dict[str, int] = {}
        for index, cell in enumerate(row.cells):
            if cell:
                names.setdefault(header_name(cell), index)
        if len(names) < len(required) or not all(e in names for e in expect):
            continue
        columns: dict[str, int] = {}
        units: dict[str, str] = {}
        memo: list[int] = []
        for role, aliases in layout.columns.items():
            if role == "memo":
                memo = [names[header_name(a)] for a in aliases if header_name(a) in names]
                continue
            found = _match(names, aliases)
            if found is not None:
                columns[role], unit = found
                if unit:
                    units[role] = unit
        if all(r in columns for r in required) and (
            not layout.any_of or any(r in columns for r in layout.any_of)
        ):
            scale = {
                role: TEN_THOUSAND if unit == "万元" else Decimal(1) for role, unit in units.items()
            }
            shown = {role: row.cells[i] for role, i in columns.items()}
            return Header(row, position, columns, shown, tuple(memo), scale)
    return None


def missing_columns(rows: Sequence[Row], layout: Layout) -> list[str]:
    """The required columns absent from the best header candidate (for the error text)."""
    best: list[str] | None = None
    for row in rows[: layout.header_rows]:
        names = {header_name(c): i for i, c in enumerate(row.cells) if c}
        gone = [
            layout.columns[r][0]
            for r in layout.required
            if _match(names, layout.columns[r]) is None
        ]
        gone += [e for e in layout.expect if header_name(e) not in names]
        if best is None or len(gone) < len(best):
            best = gone
    return best if best is not None else [layout.columns[r][0] for r in layout.required]


def read_sheet(path: str | Path, layout: Layout) -> Sheet:
    """Read ``path`` under ``layout`` and account for every line (module docstring)."""
    document = read_rows(path, layout.encoding, layout.sheet, delimiter=layout.delimiter)
    rows = document.rows
    header = find_header(rows, layout)
    if header is None:
        gone = missing_columns(rows, layout)
        where = f"{layout.bank or layout.description or layout.name}"
        raise SourceError(
            path,
            None,
            gone[0] if gone else None,
            f"找不到表头: 缺少列 {'、'.join(gone)} ({where}; 按 {document.encoding} 读取)",
        )
    title = rows[: header.position]
    for row in title:
        if row.problem is not None:
            raise SourceError(path, row.number, f"第{row.problem[0]}列", row.problem[1])
    sheet = Sheet(Path(path), layout, document, header, title, [])
    sheet.kinds["title"] = len(title)
    sheet.kinds["header"] = 1
    _classify(sheet, rows[header.position + 1 :])
    _apply_units(sheet)
    return sheet


def _classify(sheet: Sheet, rows: Sequence[Row]) -> None:
    layout = sheet.layout
    rules = [
        (
            rule.kind,
            re.compile(
                f"^.{{0,10}}?(?:{rule.pattern})"
                if rule.kind in ("subtotal", "total")
                else rule.pattern
            ),
        )
        for rule in layout.rules
    ]
    if layout.title:
        rules.insert(0, ("title", re.compile(f".*(?:{layout.title})")))
    preamble = {_line_key(r.cells) for r in sheet.title if any(r.cells)}
    placeholder = re.compile(layout.placeholder) if layout.placeholder else None
    header_cells = tuple(header_name(c) for c in sheet.header.row.cells if c)
    date_index = sheet.header.columns.get("date")
    fill = [sheet.header.columns[r] for r in layout.fill_down if r in sheet.header.columns]
    above: dict[int, str] = {}
    data = sheet.data
    kinds = sheet.kinds
    group_start = 0
    #: what a line's first non-empty cell says (it alone decides the patterns): the hot loop
    #: of a 100k-line statement meets each date or serial text once
    by_first: dict[str, tuple[bool, str | None]] = {}
    half = len(header_cells) // 2
    for row in rows:
        if row.problem is not None:
            index, problem = row.problem
            names = sheet.header.row.cells
            column = names[index - 1] if 0 < index <= len(names) and names[index - 1] else None
            raise SourceError(sheet.path, row.number, column or f"第{index}列", problem)
        cells = row.cells
        if placeholder is not None and any(cells):
            cleaned = tuple("" if placeholder.fullmatch(c) else c for c in cells)
            if cleaned != cells:
                row = Row(row.number, cleaned)
                cells = cleaned
        first = cells[0] if cells and cells[0] else next((c for c in cells if c), None)
        if first is None:
            kinds["blank"] += 1
            continue
        said = by_first.get(first)
        if said is None:
            said = by_first[first] = _first_says(first, rules, header_cells)
        maybe_header, kind = said
        if (
            maybe_header
            and len(cells) >= half
            and tuple(header_name(c) for c in cells if c) == header_cells
        ):
            kind = "header"
        if preamble and _line_key(cells) in preamble:
            kind = "title"
        if kind is not None and kind in ("title", "footer") and date_index is not None:
            kind = _unless_dated(cells, date_index, layout, kind)
        if kind is None:
            if fill:
                row = _filled(row, fill, above)
            data.append(row)
            kinds["data"] += 1
            continue
        kinds[kind] += 1
        if kind == "subtotal":
            sheet.totals.append((row, kind, group_start, len(data)))
            group_start = len(data)
        elif kind == "total":
            sheet.totals.append((row, kind, 0, len(data)))
            group_start = len(data)


def _line_key(cells: Sequence[str]) -> str:
    """A line's text without any whitespace (``str.split`` splits where ``\\s`` matches)."""
    return "".join("".join(cells).split())


def _first_says(
    first: str, rules: Sequence[tuple[str, re.Pattern[str]]], header_cells: tuple[str, ...]
) -> tuple[bool, str | None]:
    """Whether a line starting with ``first`` may repeat the header, and which non-data
    pattern (if any) its first cell matches."""
    maybe_header = bool(header_cells) and header_name(first) == header_cells[0]
    key = first if first.isascii() else _line_key((unicodedata.normalize("NFKC", first),))
    for kind, pattern in rules:
        if pattern.match(key):
            return maybe_header, kind
    return maybe_header, None


def _unless_dated(cells: tuple[str, ...], index: int, layout: Layout, kind: str) -> str | None:
    """A title/footer-looking line whose date column holds a date is data after all."""
    if index < len(cells) and cells[index]:
        try:
            parse_day(cells[index], layout.date_formats)
        except CellError:
            return kind
        return None
    return kind


def _filled(row: Row, fill: Sequence[int], above: dict[int, str]) -> Row:
    """Blank cells of fill-down columns take the value above (cells merged down a group)."""
    cells = list(row.cells)
    changed = False
    for index in fill:
        value = cells[index] if index < len(cells) else ""
        if value:
            above[index] = value
        elif index in above:
            while len(cells) <= index:
                cells.append("")
            cells[index] = above[index]
            changed = True
    return Row(row.number, tuple(cells)) if changed else row


def _apply_units(sheet: Sheet) -> None:
    """A unit line (``单位：万元``) above the header scales money columns without a suffix."""
    layout = sheet.layout
    unit: str = layout.unit
    if unit == "auto":
        found = UNIT_LINE.search(unicodedata.normalize("NFKC", sheet.title_text()))
        unit = found.group(1) if found else "元"
    if unit == "万元":
        for role in (*MONEY_ROLES,):
            if role in sheet.header.columns:
                sheet.header.scale.setdefault(role, TEN_THOUSAND)


def money(sheet: Sheet, row: Row, role: str, *, blank: bool = True) -> Decimal:
    """The money in ``row``'s ``role`` column (raises :class:`SourceError` naming it)."""
    try:
        return parse_money(sheet.cell(row, role), sheet.scale(role), blank)
    except CellError as exc:
        raise sheet.error(row, role, str(exc)) from None


def row_date(
    sheet: Sheet, row: Row, default: datetime.date | None = None, missing: str = "日期为空"
) -> datetime.date:
    """The row's date cell, else ``default`` (a form's date from its title or document),
    else an error naming the row: ``missing`` says where the date was looked for."""
    text = sheet.cell(row, "date")
    if text:
        try:
            return parse_day(text, sheet.layout.date_formats)
        except CellError as exc:
            raise sheet.error(row, "date", str(exc)) from None
    if default is None:
        raise sheet.error(row, "date", missing)
    return default


def latest_day(sheet: Sheet, default: datetime.date | None) -> datetime.date | None:
    """The latest date of the sheet's rows (a row without one has ``default``): the day a
    form is filed under (beangulp's ``date``); None when no row has a readable date."""
    days = []
    for row in sheet.data:
        try:
            days.append(row_date(sheet, row, default))
        except SourceError:
            continue  # extract names the row
    return max(days, default=None)


def verify_totals(
    sheet: Sheet,
    values: Sequence[Mapping[str, Decimal]],
    roles: Sequence[str],
    *,
    label: Callable[[str], str] = lambda kind: "本页合计" if kind == "subtotal" else "合计",
) -> None:
    """Every subtotal and total row's figures equal the sums of the data rows it covers.

    ``values[i]`` holds data row ``i``'s parsed money by role; a totals row's empty cell is
    not checked, any figure it holds is; ``共N笔`` is checked against the row count.
    """
    for row, kind, start, end in sheet.totals:
        covered = values[start:end]
        first = next((c for c in row.cells if c), "")
        name = first if len(first) <= 8 else label(kind)
        for role in roles:
            if role not in sheet.header.columns or not sheet.cell(row, role):
                continue
            got = money(sheet, row, role)
            want = sum((v.get(role, Decimal(0)) for v in covered), Decimal(0))
            if got != want:
                raise sheet.error(
                    row,
                    role,
                    f"{name} {fmt_money(got)} ≠ 明细之和 {fmt_money(want)} "
                    f"(第{_span(sheet, start, end)}行, 差 {fmt_money(got - want)})",
                )
        found = COUNT.search(" ".join(row.cells))
        if found and int(found.group(1)) != len(covered):
            raise SourceError(
                sheet.path,
                row.number,
                None,
                f"{name} 注明 {found.group(0)}, 实有 {len(covered)} 行明细",
            )


def _span(sheet: Sheet, start: int, end: int) -> str:
    if end <= start:
        return "—"
    return f"{sheet.data[start].number}–{sheet.data[end - 1].number}"
