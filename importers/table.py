"""Read a bank or office spreadsheet (CSV in any encoding, .xls, .xlsx) as rows of text.

Every importer reads its document through :func:`read_rows` and :func:`find_header`, so a
malformed input gets one kind of message everywhere: :class:`SourceError`, naming the
file, the 1-based row (as the officer sees it in Excel or a text editor) and the column.
Cell values are text; numbers are never turned into binary floats on the way (an Excel
numeric cell is taken by its shortest exact decimal representation).
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

#: How many rows above the header a document may carry (bank name, account, period …).
HEADER_SCAN_ROWS = 30
#: A first cell starting with one of these ends the data (totals, signatures).
FOOTER_PREFIXES = ("合计", "总计", "本页合计", "本期合计", "累计", "小计", "制表", "打印", "经办")

SUFFIXES = (".csv", ".txt", ".xls", ".xlsx")


class SourceError(Exception):
    """A malformed input document: names the file, row and column; nothing is imported."""

    def __init__(self, path: str | Path, row: int | None, column: str | None, problem: str):
        self.path, self.row, self.column, self.problem = str(path), row, column, problem
        where = Path(path).name
        if row is not None:
            where += f" 第{row}行"
        if column:
            where += f" [{column}]"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Row:
    """One row of a document: its 1-based number and its cells as stripped text."""

    number: int
    cells: tuple[str, ...]

    @property
    def blank(self) -> bool:
        return not any(self.cells)


def read_rows(
    path: str | Path, encoding: str = "utf-8", sheet: str | int = 0, *, lenient: bool = False
) -> list[Row]:
    """Every row of a CSV/XLS/XLSX document; a bad byte is a :class:`SourceError`.

    ``lenient`` (for ``identify``) reads only the head of the document (enough for the
    title and header rows) and replaces undecodable bytes instead of failing.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    limit = HEADER_SCAN_ROWS + 5 if lenient else None
    if suffix == ".xlsx":
        return _xlsx_rows(path, sheet, limit)
    if suffix == ".xls":
        return _xls_rows(path, sheet)
    return _csv_rows(path, encoding, lenient)


def _csv_rows(path: Path, encoding: str, lenient: bool = False) -> list[Row]:
    if lenient:
        with open(path, "rb") as handle:
            raw = handle.read(65536)
        if len(raw) == 65536:
            raw = raw[: raw.rfind(b"\n") + 1]
    else:
        raw = path.read_bytes()
    if encoding.replace("-", "").lower() in ("utf8", "utf8sig"):
        encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding, errors="replace" if lenient else "strict")
    except UnicodeDecodeError as exc:
        raise _decode_error(path, raw, exc, encoding) from None
    if "\t" in text:  # bank exports pad numbers with tabs to keep Excel from reformatting them
        text = text.replace("\t", "")
    reader = csv.reader(io.StringIO(text, newline=""))
    strip = str.strip
    return [Row(reader.line_num, tuple(map(strip, cells))) for cells in reader]


def _decode_error(path: Path, raw: bytes, exc: UnicodeDecodeError, encoding: str) -> SourceError:
    """Name the row and column holding the first byte that is not valid ``encoding``."""
    start = raw.rfind(b"\n", 0, exc.start) + 1
    row = raw.count(b"\n", 0, exc.start) + 1
    before = raw[start : exc.start].decode(encoding, errors="replace")
    column = before.count(",") + 1
    return SourceError(
        path,
        row,
        f"第{column}列",
        f"无法按 {encoding} 编码读取 (字节 0x{raw[exc.start]:02x}); 请确认文件编码 (GBK/UTF-8)",
    )


def _cell_text(value: Any) -> str:
    """Spreadsheet cell → text, exactly (floats by their shortest repr, dates ISO)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        text = repr(value)  # shortest round-trip decimal: 1234.5 → "1234.5"
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip().replace("\t", "")


def _xlsx_rows(path: Path, sheet: str | int, limit: int | None = None) -> list[Row]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, …: not a readable workbook
        raise SourceError(path, None, None, f"不是有效的 xlsx 文件: {exc}") from None
    try:
        ws = book[sheet] if isinstance(sheet, str) else book.worksheets[sheet]
        return [
            Row(number, tuple(_cell_text(v) for v in values))
            for number, values in enumerate(ws.iter_rows(max_row=limit, values_only=True), 1)
        ]
    finally:
        book.close()


def _xls_rows(path: Path, sheet: str | int) -> list[Row]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path))
    except Exception as exc:  # xlrd.XLRDError and friends
        raise SourceError(path, None, None, f"不是有效的 xls 文件: {exc}") from None
    ws = book.sheet_by_name(sheet) if isinstance(sheet, str) else book.sheet_by_index(sheet)
    rows = []
    for index in range(ws.nrows):
        cells = []
        for cell in ws.row(index):
            value: Any = cell.value
            if cell.ctype == xlrd.XL_CELL_DATE:
                value = xlrd.xldate_as_datetime(value, book.datemode)
            cells.append(_cell_text(value))
        rows.append(Row(index + 1, tuple(cells)))
    return rows


@functools.lru_cache(maxsize=4096)
def _norm(name: str) -> str:
    """Header cell → comparable name (no spaces, full-width brackets as ASCII)."""
    return re.sub(r"\s+", "", name).replace("（", "(").replace("）", ")").replace("：", ":")


@dataclass(frozen=True)
class Table:
    """A document's data rows under its header, up to the totals row."""

    path: Path
    header: Row
    columns: Mapping[str, int]
    rows: Sequence[Row]
    title: Sequence[Row]
    footer: Sequence[Row]

    def cell(self, row: Row, column: str) -> str:
        index = self.columns[_norm(column)]
        return row.cells[index] if index < len(row.cells) else ""


def find_header(
    path: str | Path, rows: Sequence[Row], required: Iterable[str], optional: Iterable[str] = ()
) -> Table | None:
    """Locate the header row holding every ``required`` column; None when there is none.

    Rows above it are the title block; data rows run until a blank row or a totals row
    (first cell in :data:`FOOTER_PREFIXES`); the rest is the footer.
    """
    wanted = [_norm(c) for c in required]
    for position, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        names = {_norm(c): i for i, c in enumerate(row.cells) if c}
        if all(w in names for w in wanted):
            body: list[Row] = []
            rest = rows[position + 1 :]
            for index, data in enumerate(rest):
                first = next((c for c in data.cells if c), "")
                if data.blank or _norm(first).startswith(FOOTER_PREFIXES):
                    return Table(Path(path), row, names, body, rows[:position], rest[index:])
                body.append(data)
            return Table(Path(path), row, names, body, rows[:position], ())
    return None


def missing_columns(rows: Sequence[Row], required: Iterable[str]) -> list[str]:
    """The required columns absent from the best header candidate (for the error text)."""
    wanted = [_norm(c) for c in required]
    best: list[str] = wanted
    for row in rows[:HEADER_SCAN_ROWS]:
        names = {_norm(c) for c in row.cells if c}
        gone = [w for w in wanted if w not in names]
        if len(gone) < len(best):
            best = gone
    return best


LONG_NUMBER = re.compile(r"(?<![0-9])(\d{4})\d{7,14}(\d{3}[0-9Xx])(?![0-9])")


def scrub(text: str) -> str:
    """Mask ID-card and bank-account numbers (12–22 digits) a memo may carry: the ledger
    never holds them (``6217001234567890123`` → ``6217****0123``)."""
    return LONG_NUMBER.sub(r"\1****\2", text) if text else text


AMOUNT_JUNK = re.compile(r"[,，\s¥￥元]")
SIMPLE_AMOUNT = re.compile(r"-?\d+(\.\d{1,2})?$")
CENT = Decimal("0.01")


def parse_amount(
    table: Table, row: Row, column: str, *, blank_zero: bool = True, scale: Decimal = Decimal(1)
) -> Decimal:
    """A money cell → Decimal yuan (``1,234.50``, ``-12.00``, ``(12.00)``); else SourceError.

    ``scale`` converts a cell in another unit (10000 for 万元) before the cents check.
    """
    text = table.cell(row, column)
    if scale == 1 and text and SIMPLE_AMOUNT.match(text):  # the common case: "1234.50"
        value = Decimal(text)
        cents = value.quantize(CENT)
        if value == cents:
            return cents
    cleaned = AMOUNT_JUNK.sub("", text)
    if cleaned in ("", "-", "--") and blank_zero:
        return Decimal(0)
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = cleaned[1:-1]
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise SourceError(table.path, row.number, column, f"金额 {text!r} 不是数字") from None
    if not value.is_finite():
        raise SourceError(table.path, row.number, column, f"金额 {text!r} 不是数字")
    value *= scale
    cents = value.quantize(CENT)
    if value != cents:
        raise SourceError(table.path, row.number, column, f"金额 {text!r} 不是整分 (超过两位小数)")
    return -cents if negative else cents


@functools.lru_cache(maxsize=65536)
def _date(text: str, formats: tuple[str, ...]) -> datetime.date | None:
    """``text`` in the first of ``formats`` that fits (statements repeat days: cached)."""
    for form in (*formats, "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def parse_date(table: Table, row: Row, column: str, formats: Sequence[str]) -> datetime.date:
    """A date cell in one of ``formats`` (the ISO form of an Excel date is always accepted)."""
    text = table.cell(row, column)
    day = _date(text, tuple(formats))
    if day is not None:
        return day
    raise SourceError(
        table.path, row.number, column, f"日期 {text!r} 不符合格式 {' / '.join(formats)}"
    )
