"""A document's rows, each accounted for: title, header, data, or a named non-data line.

:func:`read_sheet` finds the header row (:func:`~fupin.importers.header.find_header`), then
gives every later line one kind:

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

A workbook whose table goes on over several sheets (:mod:`fupin.importers.workbook`) is one
table in sheet order: each sheet is a :class:`Part` with its own title, header line, kinds
and 小计/合计 rows (a sheet's 合计 covers its own rows, or every row so far); the data rows
are joined, each naming its sheet; the sheets skipped are listed with their reason.
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

from beancount.core import data
from fupin.importers.cells import (
    ONE,
    CellError,
    normal,
    parse_daxie,
    parse_day,
    parse_money,
    parse_serial,
)
from fupin.importers.header import TEN_THOUSAND, Header, find_header, header_name, missing_columns
from fupin.importers.layout import MONEY_ROLES, Layout
from fupin.importers.table import Document, Row, SourceError, place
from fupin.importers.workbook import Skipped, first_table, table_sheets

from fupin.money import fmt_money

__all__ = ["Header", "find_header", "header_name", "read_document", "read_sheet"]

#: a label and the figure after its colon, in one cell (``期初余额：5,000.00``)
LABELLED = re.compile(r"(\D+?)\s*[:：]\s*(.*\d.*)")
UNIT_LINE = re.compile(r"(?:金额)?单位\s*[:：]\s*(万元|元)")
COUNT = re.compile(r"共\s*(\d+)\s*(?:笔|条|行|户|人|项)")
#: the names of the kinds of line, as reports print them
KIND_NAMES = {
    "data": "行数据",
    "title": "行标题",
    "header": "行表头",
    "blank": "行空行",
    "subtotal": "行小计",
    "total": "行合计",
    "footer": "行表尾",
    "balance": "行余额",
}


@dataclass
class Part:
    """One worksheet of the table (a text document's only part): its title rows, its
    header, where its data rows are in :attr:`Sheet.data`, what each of its lines was."""

    name: str
    title: list[Row]
    header: Header
    start: int = 0
    end: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    #: title lines inside the table (a page's title block repeated, a second title block)
    repeated: list[Row] = field(default_factory=list)

    def describe(self) -> str:
        """``3 行标题, 1 行表头, 10 行数据 …``."""
        return ", ".join(f"{n} {KIND_NAMES[k]}" for k, n in self.kinds.items() if n)


@dataclass(frozen=True)
class Lines:
    """What one worksheet's (or a text document's) lines were, or why it was not read."""

    sheet: str
    kinds: tuple[tuple[str, int], ...] = ()
    skipped: str = ""

    def text(self) -> str:
        if self.skipped:
            return f"工作表「{self.sheet}」未读: {self.skipped}"
        counted = ", ".join(f"{n} {KIND_NAMES[k]}" for k, n in self.kinds if n)
        return f"工作表「{self.sheet}」: {counted}" if self.sheet else counted

    def as_dict(self) -> dict[str, object]:
        if self.skipped:
            return {"sheet": self.sheet, "skipped": self.skipped}
        return {"sheet": self.sheet or None, "lines": dict(self.kinds)}


@dataclass
class Sheet:
    """A document read under a layout: the header, the data rows, every line's kind."""

    path: Path
    layout: Layout
    document: Document
    header: Header
    title: list[Row]
    data: list[Row]
    #: each worksheet of the table, in order (one for a text document or a single sheet)
    parts: list[Part] = field(default_factory=list)
    #: the workbook's sheets not read, each with its reason
    skipped: tuple[Skipped, ...] = ()
    #: (totals row, kind, index of the first and one past the last data row it covers)
    totals: list[tuple[Row, str, int, int]] = field(default_factory=list)
    #: (balance line: 期初余额, 承前页 …, how many data rows come before it)
    balances: list[tuple[Row, int]] = field(default_factory=list)

    @property
    def kinds(self) -> Counter[str]:
        """How many lines of each kind the table's sheets held together."""
        total: Counter[str] = Counter()
        for part in self.parts:
            total.update(part.kinds)
        return total

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
            self.path, row, self.column(role) if role else None, problem, sheet=self.named
        )

    @property
    def named(self) -> str:
        """The one sheet read, when the workbook has others that hold something (for the
        messages of no row); "" otherwise."""
        return self.parts[0].name if len(self.parts) == 1 else ""

    def part_of(self, index: int) -> Part:
        """The part data row ``index`` is on."""
        for part in self.parts:
            if index < part.end:
                return part
        return self.parts[-1]

    def rows_of(self, part: Part) -> list[Row]:
        return self.data[part.start : part.end]

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

    def lines(self) -> tuple[Lines, ...]:
        """What every line of every sheet was, and each sheet skipped with its reason."""
        own = [Lines(p.name, tuple((k, n) for k, n in p.kinds.items() if n)) for p in self.parts]
        return (*own, *(Lines(s.sheet, skipped=s.reason) for s in self.skipped))

    def describe(self) -> str:
        """``12 行数据, 2 行本页合计 …`` (what every line of the file was); per sheet, with
        the sheets not read and why, for a workbook of several."""
        return "; ".join(line.text() for line in self.lines())


#: the metadata key of an extracted entry's worksheet (beside ``filename`` and ``lineno``;
#: a ``__`` key, like them never written to the ledger)
SHEET_KEY = "__sheet__"


def row_meta(filepath: str, row: Row) -> data.Meta:
    """An entry's metadata naming its source row: file, line (and sheet, when named)."""
    meta = data.new_metadata(filepath, row.number)
    if row.sheet:
        meta[SHEET_KEY] = row.sheet
    return meta


def meta_place(meta: Mapping[str, object]) -> str:
    """``第5行`` or ``工作表「一组」第5行`` of an extracted entry (for reports)."""
    return place(meta.get("lineno", "?"), meta.get(SHEET_KEY, ""))


class Accounted:
    """Mixin for the importers: what every line of the file last read was (``fupin import``
    reports it), and the entries sorted as beangulp sorts them with the sheets in order."""

    _read: tuple[str, tuple[Lines, ...], dict[str, int]] | None = None

    def remember(self, filepath: str, sheet: Sheet) -> None:
        order = {p.name: i for i, p in enumerate(sheet.parts)}
        self._read = (filepath, sheet.lines(), order)

    def lines_read(self, filepath: str) -> tuple[Lines, ...] | None:
        """The :class:`Lines` of ``filepath`` if it was the last file read."""
        return self._read[1] if self._read and self._read[0] == filepath else None

    def sort(self, entries: data.Entries, reverse: bool = False) -> None:
        order = self._read[2] if self._read else {}

        def key(entry: data.Directive) -> tuple[datetime.date, int, int, int]:
            meta = entry.meta
            sheet = order.get(meta.get(SHEET_KEY, ""), 0)
            return (entry.date, data.SORT_ORDER.get(type(entry), 0), sheet, meta["lineno"])

        entries.sort(key=key, reverse=reverse)


def read_document(path: str | Path, layout: Layout, *, head: bool = False) -> Document:
    """The (first) worksheet of ``path`` holding the layout's table (``identify``)."""
    return first_table(path, layout, head=head)


def read_sheet(path: str | Path, layout: Layout) -> Sheet:
    """Read ``path`` under ``layout`` and account for every line (module docstring)."""
    tables = table_sheets(path, layout)
    document = tables.documents[0]
    if not tables.headers:
        rows = document.rows
        gone = missing_columns(rows, layout)
        where = f"{layout.bank or layout.description or layout.name}"
        raise SourceError(
            path,
            None,
            gone[0] if gone else None,
            f"找不到表头: 缺少列 {'、'.join(gone)} ({where}; 按 {document.encoding} 读取)",
        )
    parts = []
    for doc, header in zip(tables.documents, tables.headers, strict=True):
        title = doc.rows[: header.position]
        for row in title:
            if row.problem is not None:
                raise SourceError(path, row, f"第{row.problem[0]}列", row.problem[1])
        parts.append(Part(doc.sheet if doc.rows and doc.rows[0].sheet else "", title, header))
    first = parts[0]
    sheet = Sheet(Path(path), layout, document, first.header, first.title, [], parts)
    sheet.skipped = tables.skipped
    preamble = {_line_key(r.cells) for p in parts for r in p.title if any(r.cells)}
    for part, doc in zip(parts, tables.documents, strict=True):
        part.kinds["title"] = len(part.title)
        part.kinds["header"] = part.header.span
        _classify(sheet, part, doc.rows[part.header.position + part.header.span :], preamble)
        part.end = len(sheet.data)
    _apply_units(sheet)
    return sheet


def _classify(sheet: Sheet, part: Part, rows: Sequence[Row], preamble: set[str]) -> None:
    """Give each line of ``part`` after its header its kind (module docstring); ``preamble``:
    the title lines of every sheet (a page's title block repeated is a title line)."""
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
    placeholder = re.compile(layout.placeholder) if layout.placeholder else None
    header_lines = frozenset(part.header.lines)
    header_firsts = frozenset(line[0] for line in header_lines if line)
    date_index = sheet.header.columns.get("date")
    fill = [sheet.header.columns[r] for r in layout.fill_down if r in sheet.header.columns]
    above: dict[int, str] = {}
    data = sheet.data
    kinds = part.kinds
    group_start = part.start = len(data)
    #: what a line's first non-empty cell says (it alone decides the patterns): the hot loop
    #: of a 100k-line statement meets each date or serial text once
    by_first: dict[str, tuple[bool, str | None, bool]] = {}
    half = min(len(line) for line in header_lines) // 2
    for row in rows:
        if row.problem is not None:
            index, problem = row.problem
            names = sheet.header.row.cells
            column = names[index - 1] if 0 < index <= len(names) and names[index - 1] else None
            raise SourceError(sheet.path, row, column or f"第{index}列", problem)
        cells = row.cells
        if placeholder is not None and any(cells):
            cleaned = tuple("" if placeholder.fullmatch(c) else c for c in cells)
            if cleaned != cells:
                row = Row(row.number, cleaned, None, row.sheet)
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
        if kind == "title":
            part.repeated.append(row)
        elif kind == "subtotal":
            sheet.totals.append((row, kind, group_start, len(data)))
            group_start = len(data)
        elif kind == "total":
            sheet.totals.append((row, kind, part.start, len(data)))
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
    return Row(row.number, tuple(cells), None, row.sheet) if changed else row


def _apply_units(sheet: Sheet) -> None:
    """A unit line (``单位：万元``) above the header scales money columns without a suffix;
    the sheets of one table that state a unit state the same one (a sheet without a unit
    line is in the unit of the others)."""
    layout = sheet.layout
    unit: str = layout.unit
    if unit == "auto":
        stated: dict[str, Row] = {}
        for part in sheet.parts:
            for row in part.title:
                text = " ".join(c for c in row.cells if c)
                found = UNIT_LINE.search(unicodedata.normalize("NFKC", text))
                if found:
                    stated.setdefault(found.group(1), row)
                    break
        if len(stated) > 1:
            (one, first), (other, second) = list(stated.items())[:2]
            raise SourceError(
                sheet.path,
                second,
                None,
                f"金额单位为{other}, 工作表「{first.sheet}」为{one}: 一张表的各工作表须用同一单位",
            )
        unit = next(iter(stated), "元")
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
            raise SourceError(sheet.path, row, column, str(exc)) from None
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


def latest_day(
    sheet: Sheet, default: Callable[[Part], datetime.date | None]
) -> datetime.date | None:
    """The latest date of the sheet's rows (a row without one has its sheet's ``default``,
    a date from that sheet's title): the day a form is filed under (beangulp's ``date``);
    None when no row has a readable date."""
    days = []
    for part in sheet.parts:
        day = default(part)
        for row in sheet.rows_of(part):
            try:
                days.append(row_date(sheet, row, day))
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
    checked against that side's rows of a signed ``amount`` column. A 合计 on a later sheet
    of a table covers that sheet's rows, or every row up to it (a grand total).
    """
    for row, kind, start, end in sheet.totals:
        spans = [(start, end)] if kind != "total" or start == 0 else [(start, end), (0, end)]
        failed: SourceError | None = None
        for first, last in spans:
            try:
                _check_total(sheet, values, roles, label, row, kind, first, last)
            except SourceError as exc:
                failed = failed or exc
                continue
            failed = None
            break
        if failed is not None:
            raise failed


def _check_total(
    sheet: Sheet,
    values: Sequence[Mapping[str, Decimal]],
    roles: Sequence[str],
    label: Callable[[str], str],
    row: Row,
    kind: str,
    start: int,
    end: int,
) -> None:
    """One totals row against the data rows ``start:end`` (:func:`verify_totals`)."""
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
            sheet.path, row, None, f"{name} 注明 {found.group(0)}, 实有 {len(covered)} 行明细"
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
        f"({_span(sheet, start, end)}, 差 {fmt_money(got - want)})"
    )
    if column is None:
        raise SourceError(sheet.path, row, None, f"大写金额: {problem}")
    raise sheet.error(row, column, problem)


def _span(sheet: Sheet, start: int, end: int) -> str:
    """``第5–12行``, ``工作表「一组」第5–12行``, ``工作表「一组」第5行–工作表「二组」第3行``."""
    if end <= start:
        return "第—行"
    one, two = sheet.data[start], sheet.data[end - 1]
    if one.sheet == two.sheet:
        return place(f"{one.number}–{two.number}", one.sheet)
    return f"{one.place}–{two.place}"
