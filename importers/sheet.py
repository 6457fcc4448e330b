"""A document's rows, each accounted for: title, header, data, or a named non-data line.

:func:`read_sheet` finds the header row (the first of the layout's first ``header_rows``
rows that holds a column for every required role, else two adjacent rows that do together),
then gives every later line one kind:

* ``data``: a transaction, payment or allocation row (parsed by the importer);
* ``blank``: nothing in it (blank lines inside a table are common: 农商行, BOC);
* ``header``: the header again (a multi-page export repeats it on every page);
* ``subtotal`` (本页合计, 小计): checked against the data rows since the previous subtotal;
* ``total`` (合计, 人民币合计, 累计): checked against every data row above it;
* ``footer`` and ``title``: notes, page numbers, signature lines, a page's title block;
* ``balance`` (期初余额, 承前页, 期末余额): checked against the running balance (statements).

A line is non-data when its first non-empty cell starts with one of the layout's
``non_data`` patterns or the defaults (:data:`~fupin.importers.layout.DEFAULT_NON_DATA`);
every other line is data, and a data line that does not parse rejects the whole file
naming the line and the column. Nothing is skipped silently: the importer reports how many
lines of each kind the file held.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from fupin.importers.cells import (
    ONE,
    CellError,
    normal,
    parse_daxie,
    parse_day,
    parse_money,
    parse_serial,
)
from fupin.importers.layout import MONEY_ROLES, Layout
from fupin.importers.table import Document, Row, SourceError, read_rows, read_sheets

from fupin.money import fmt_money

#: a label and the figure after its colon, in one cell (``期初余额：5,000.00``)
LABELLED = re.compile(r"(\D+?)\s*[:：]\s*(.*\d.*)")
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
    #: the lines the header takes (two when its names are split over two rows)
    span: int = 1
    #: each header line's names (a multi-page export repeats them)
    lines: tuple[tuple[str, ...], ...] = ()


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
    #: (balance line: 期初余额, 承前页 …, how many data rows come before it)
    balances: list[tuple[Row, int]] = field(default_factory=list)

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
        if self.document.others:  # rows are counted in the sheet read, not the first
            problem = f"(工作表「{self.document.sheet}」) {problem}"
        return SourceError(
            self.path, row.number if row else None, self.column(role) if role else None, problem
        )

    def scale(self, role: str) -> Decimal:
        return self.header.scale.get(role, ONE)

    def day(self, text: str) -> datetime.date:
        """A date cell (:func:`~fupin.importers.cells.parse_day`; in a spreadsheet also an
        Excel date serial, a date cell saved as a number, in the workbook's date system);
        raises :class:`CellError`."""
        try:
            return parse_day(text, self.layout.date_formats)
        except CellError:
            if self.document.encoding in ("xls", "xlsx"):
                found = parse_serial(text, self.document.date1904)
                if found is not None:
                    return found
            raise

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
            "balance": "行余额",
        }
        counted = ", ".join(f"{n} {names[k]}" for k, n in self.kinds.items() if n)
        others = self.document.others
        if not others:
            return counted
        named = "、".join(f"「{s}」" for s in others)
        return f"{counted} (工作表「{self.document.sheet}」; 另有工作表 {named} 无此表头, 未读)"


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
    """The header of ``rows`` under ``layout``, or None.

    The first of the first ``header_rows`` rows that holds every required column; failing
    that, the first two adjacent rows that do together (a header over two lines, with cells
    merged across: ``发生额`` above ``借方 | 贷方``, ``交易日期`` merged down). A column of a
    two-line header answers to its lower name, to both names joined in either order
    (``发生额借方``, ``借方发生额``) and, when the lower cell is empty, to its upper name.
    """
    head = rows[: layout.header_rows]
    for position, row in enumerate(head):
        if row.cells:
            names: dict[str, int] = {}
            for index, cell in enumerate(row.cells):
                if cell:
                    names.setdefault(header_name(cell), index)
            found = _header_at(row, position, names, list(row.cells), layout)
            if found is not None:
                return found
    for position, (upper, lower) in enumerate(itertools.pairwise(head)):
        if upper.cells and lower.cells and upper.problem is None and lower.problem is None:
            names, shown = _two_lines(upper.cells, lower.cells)
            joined = Row(upper.number, tuple(shown))
            found = _header_at(joined, position, names, shown, layout, (upper, lower))
            if found is not None:
                return found
    return None


def _two_lines(upper: Sequence[str], lower: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    """The names each column of a two-line header answers to, and its text for messages."""
    names: dict[str, int] = {}
    shown: list[str] = []
    left = ""  # the upper cell a horizontally merged range starts with
    for index in range(max(len(upper), len(lower))):
        top = upper[index] if index < len(upper) else ""
        bottom = lower[index] if index < len(lower) else ""
        if top:
            left = top
        elif not bottom:
            left = ""
        above = top or left
        if bottom:
            for name in (bottom, above + bottom, bottom + above):
                names.setdefault(header_name(name), index)
        elif above:
            names.setdefault(header_name(above), index)
        shown.append(f"{above} {bottom}".strip() if top or bottom else "")
    return names, shown


def _header_at(
    row: Row,
    position: int,
    names: dict[str, int],
    texts: Sequence[str],
    layout: Layout,
    lines: Sequence[Row] = (),
) -> Header | None:
    """The header ``row`` makes under ``layout`` (its names → column), or None."""
    required = layout.required
    if len(names) < len(required) or not all(header_name(e) in names for e in layout.expect):
        return None
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
    if not all(r in columns for r in required) or (
        layout.any_of and not any(r in columns for r in layout.any_of)
    ):
        return None
    scale = {role: TEN_THOUSAND if unit == "万元" else Decimal(1) for role, unit in units.items()}
    shown = {role: texts[i] for role, i in columns.items()}
    own = [tuple(header_name(c) for c in line.cells if c) for line in lines or (row,)]
    return Header(row, position, columns, shown, tuple(memo), scale, len(own), tuple(own))


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


def read_document(path: str | Path, layout: Layout, *, head: bool = False) -> Document:
    """The worksheet of ``path`` that ``layout`` reads: the one it names, else the one sheet
    whose rows hold the layout's header (a cover or notes sheet before it is passed over and
    named in :attr:`Document.others`). A workbook with the table on two sheets is refused
    naming them (``head``: the first is taken, so ``identify`` still knows the file): one
    sheet read and the other dropped would import part of the file."""
    if layout.sheet is not None:
        return read_rows(path, layout.encoding, layout.sheet, delimiter=layout.delimiter, head=head)
    documents = read_sheets(path, layout.encoding, delimiter=layout.delimiter, head=head)
    if len(documents) == 1:
        return documents[0]
    tables = [d for d in documents if find_header(d.rows, layout) is not None]
    if not tables:
        return documents[0]
    if len(tables) > 1 and not head:
        names = "、".join(f"「{d.sheet}」" for d in tables)
        raise SourceError(
            path,
            None,
            None,
            f"工作表 {names} 都有此格式的表头: 一次只导入一个工作表, 否则其余工作表的行会漏导; "
            "请把每个工作表另存为一个文件, 或在格式中写明 sheet",
        )
    chosen = tables[0]
    others = tuple(
        d.sheet for d in documents if d is not chosen and any(not r.blank for r in d.rows)
    )
    return dataclasses.replace(chosen, others=others)


def read_sheet(path: str | Path, layout: Layout) -> Sheet:
    """Read ``path`` under ``layout`` and account for every line (module docstring)."""
    document = read_document(path, layout)
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
    sheet.kinds["header"] = header.span
    _classify(sheet, rows[header.position + header.span :])
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
            rule.no_amount,
        )
        for rule in layout.rules
        if rule.column is None
    ]
    by_column = _column_rules(sheet)
    if layout.title:
        rules.insert(0, ("title", re.compile(f".*(?:{layout.title})"), False))
    preamble = {_line_key(r.cells) for r in sheet.title if any(r.cells)}
    placeholder = re.compile(layout.placeholder) if layout.placeholder else None
    header_lines = frozenset(sheet.header.lines)
    header_firsts = frozenset(line[0] for line in header_lines if line)
    date_index = sheet.header.columns.get("date")
    fill = [sheet.header.columns[r] for r in layout.fill_down if r in sheet.header.columns]
    above: dict[int, str] = {}
    data = sheet.data
    kinds = sheet.kinds
    group_start = 0
    #: what a line's first non-empty cell says (it alone decides the patterns): the hot loop
    #: of a 100k-line statement meets each date or serial text once
    by_first: dict[str, tuple[bool, str | None, bool]] = {}
    half = min(len(line) for line in header_lines) // 2
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
            said = by_first[first] = _first_says(first, rules, header_firsts)
        maybe_header, kind, no_amount = said
        if no_amount and _carries_amount(sheet, cells):
            kind = None
        if (
            maybe_header
            and len(cells) >= half
            and tuple(header_name(c) for c in cells if c) in header_lines
        ):
            kind = "header"
        if preamble and _line_key(cells) in preamble:
            kind = "title"
        if kind is not None and kind in ("title", "footer") and date_index is not None:
            kind = _unless_dated(cells, date_index, sheet, kind)
        if kind is None and by_column:
            kind = _column_says(sheet, cells, by_column)
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
        elif kind == "balance":
            sheet.balances.append((row, len(data)))


def _column_rules(sheet: Sheet) -> list[tuple[str, re.Pattern[str], tuple[int, ...]]]:
    """The layout's rules that look at one column (its kind, pattern and cell indexes)."""
    out: list[tuple[str, re.Pattern[str], tuple[int, ...]]] = []
    for rule in sheet.layout.rules:
        if rule.column is None:
            continue
        if rule.column == "memo":
            where = sheet.header.memo
        else:
            index = sheet.header.columns.get(rule.column)
            where = () if index is None else (index,)
        if where:
            out.append((rule.kind, re.compile(rule.pattern), where))
    return out


def _column_says(
    sheet: Sheet,
    cells: tuple[str, ...],
    rules: Sequence[tuple[str, re.Pattern[str], tuple[int, ...]]],
) -> str | None:
    """The kind a column rule gives a line that carries no amount (else None: data)."""
    for kind, pattern, where in rules:
        if any(i < len(cells) and pattern.match(_line_key((cells[i],))) for i in where):
            return kind if not _carries_amount(sheet, cells) else None
    return None


def _carries_amount(sheet: Sheet, cells: tuple[str, ...]) -> bool:
    """Whether any amount cell of the line holds money (an unreadable one counts)."""
    for role in ("debit", "credit", "amount"):
        index = sheet.header.columns.get(role)
        if index is not None and index < len(cells) and cells[index]:
            try:
                if parse_money(cells[index], sheet.scale(role)):
                    return True
            except CellError:
                return True
    return False


def _line_key(cells: Sequence[str]) -> str:
    """A line's text without any whitespace (``str.split`` splits where ``\\s`` matches)."""
    return "".join("".join(cells).split())


def _first_says(
    first: str,
    rules: Sequence[tuple[str, re.Pattern[str], bool]],
    header_firsts: frozenset[str],
) -> tuple[bool, str | None, bool]:
    """Whether a line starting with ``first`` may repeat a header line, which non-data
    pattern (if any) its first cell matches, and whether that holds only without an amount."""
    maybe_header = header_name(first) in header_firsts
    key = first if first.isascii() else _line_key((unicodedata.normalize("NFKC", first),))
    for kind, pattern, no_amount in rules:
        if pattern.match(key):
            return maybe_header, kind, no_amount
    return maybe_header, None, False


def _unless_dated(cells: tuple[str, ...], index: int, sheet: Sheet, kind: str) -> str | None:
    """A title/footer-looking line whose date column holds a date is data after all."""
    if index < len(cells) and cells[index]:
        try:
            sheet.day(cells[index])
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


def labelled_balance(sheet: Sheet, row: Row) -> tuple[Decimal, str] | None:
    """The figure a balance line writes after its label (``期初余额：5,000.00``, the label
    one of the layout's balance patterns) and that cell's column name, or None when no
    cell does; an unreadable figure raises :class:`SourceError` naming the cell."""
    patterns = [re.compile(r.pattern) for r in sheet.layout.rules if r.kind == "balance"]
    names = sheet.header.row.cells
    for index, cell in enumerate(row.cells):
        found = LABELLED.fullmatch(normal(cell)) if cell else None
        if found is None or not any(p.match(_line_key((found.group(1),))) for p in patterns):
            continue
        column = names[index] if index < len(names) and names[index] else f"第{index + 1}列"
        try:
            return parse_money(found.group(2), sheet.scale("balance"), False), column
        except CellError as exc:
            raise SourceError(sheet.path, row.number, column, str(exc)) from None
    return None


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
            return sheet.day(text)
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
    not checked, any figure it holds is, in figures or in words (``贰仟元整``, also after
    ``大写：`` in any of its cells); ``共N笔`` is checked against the row count. A statement's
    totals row of one side (``借方合计``, ``贷方合计``, or 借/贷 in its direction column) is
    checked against that side's rows of a signed ``amount`` column.
    """
    for row, kind, start, end in sheet.totals:
        covered = values[start:end]
        first = next((c for c in row.cells if c), "")
        name = first if len(first) <= 8 else label(kind)
        side = _side(sheet, row, first)
        if side is not None:
            covered = [
                {"amount": abs(v["amount"])}
                for v in covered
                if "amount" in v and (v["amount"] < 0) == (side == "debit") and v["amount"]
            ]
        checked = False
        for role in roles:
            if role not in sheet.header.columns or not sheet.cell(row, role):
                continue
            got = _total_figure(sheet, row, role)
            checked = True
            _compare(sheet, row, role, name, got, covered, start, end, side)
        present = [r for r in roles if r in sheet.header.columns]
        words = None if checked or len(present) != 1 else _words_in(row)
        if words is not None:
            _compare(sheet, row, None, name, words, covered, start, end, side, present[0])
        found = COUNT.search(" ".join(row.cells))
        if found and int(found.group(1)) != len(covered):
            raise SourceError(
                sheet.path,
                row.number,
                None,
                f"{name} 注明 {found.group(0)}, 实有 {len(covered)} 行明细",
            )


DEBIT_SIDE = re.compile(r"借|支出|支取|付出|转出|出账")
CREDIT_SIDE = re.compile(r"贷|收入|存入|转入|入账")
IN_WORDS = re.compile(r"大写[)）]?\s*[:：]?\s*(.+)$")


def _side(sheet: Sheet, row: Row, first: str) -> str | None:
    """``debit``/``credit`` for a statement's totals row of one side, else None."""
    if sheet.layout.kind != "statement" or "amount" not in sheet.header.columns:
        return None
    word = sheet.cell(row, "direction")
    if word in sheet.layout.debit_words:
        return "debit"
    if word in sheet.layout.credit_words:
        return "credit"
    text = header_name(first)
    debit, credit = DEBIT_SIDE.search(text), CREDIT_SIDE.search(text)
    if bool(debit) == bool(credit):
        return None
    return "debit" if debit else "credit"


def _total_figure(sheet: Sheet, row: Row, role: str) -> Decimal:
    """A totals cell in figures, else in words (大写, always 元)."""
    try:
        return money(sheet, row, role)
    except SourceError:
        words = parse_daxie(sheet.cell(row, role))
        if words is None:
            raise
        return words


def _words_in(row: Row) -> Decimal | None:
    """The amount written in words after ``大写`` in one of the row's cells, if any."""
    for cell in row.cells:
        found = IN_WORDS.search(cell)
        if found:
            return parse_daxie(found.group(1))
    return None


def _compare(
    sheet: Sheet,
    row: Row,
    column: str | None,
    name: str,
    got: Decimal,
    covered: Sequence[Mapping[str, Decimal]],
    start: int,
    end: int,
    side: str | None,
    role: str | None = None,
) -> None:
    key = role or column or "amount"
    want = sum((v.get(key, Decimal(0)) for v in covered), Decimal(0))
    if got == want or (side == "debit" and got == -want):
        return
    what = {"debit": "借方明细之和", "credit": "贷方明细之和"}.get(side or "", "明细之和")
    problem = (
        f"{name} {fmt_money(got)} ≠ {what} {fmt_money(want)} "
        f"(第{_span(sheet, start, end)}行, 差 {fmt_money(got - want)})"
    )
    if column is None:
        raise SourceError(sheet.path, row.number, None, f"大写金额: {problem}")
    raise sheet.error(row, column, problem)


def _span(sheet: Sheet, start: int, end: int) -> str:
    if end <= start:
        return "—"
    return f"{sheet.data[start].number}–{sheet.data[end - 1].number}"
