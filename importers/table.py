"""Read a bank or office document (CSV/TSV in any encoding, .xls, .xlsx) as rows of text.

Every importer reads its document through :func:`read_rows`, so a malformed input gets one
kind of message everywhere: :class:`SourceError`, naming the file, the 1-based line or row
(as the officer sees it in a text editor or in Excel) and the column.

* **Encoding by evidence**: a byte-order mark decides (UTF-16LE/BE, UTF-8); else the text
  is strict UTF-8 when it decodes as such; else GB18030 (the superset of GBK and GB2312
  that banks really write: a strict GBK decoder fails on rare characters such as 䶮). A
  layout may pin one encoding; a BOM still wins. Bytes that decode in none are an error
  naming the line and column.
* **One physical line, one record**: a line ends at CR, LF or CRLF (universal line endings,
  mixed in one file too), as a text editor counts them; a quoted field never spans lines in a bank export,
  so a stray quote is an error naming its line and column instead of a field that
  swallows the rest of the file. Cells are stripped of spaces and tabs (ICBC pads every
  cell with both); control characters and cells longer than :data:`MAX_CELL` characters
  are errors, save the DOS end-of-file mark (Ctrl-Z, U+001A) as the file's very last
  character(s). Excel's text marks on a number (``="0001"``, ``'0001``) are dropped.
* Spreadsheet cells are text too: numbers by their shortest exact decimal form (never a
  binary float on the way), dates as ISO text; an unreadable workbook or an impossible
  date serial is an error naming the row and column.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from fupin.importers import markup

from fupin import pii

#: The longest cell a document may hold (a bank memo is a few hundred characters at most).
MAX_CELL = 4000
#: How many bytes ``identify`` reads (enough for the title and header rows).
HEAD_BYTES = 65536
SUFFIXES = (".csv", ".txt", ".tsv", ".xls", ".xlsx")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029\ufffe\uffff]")
#: what is stripped from either end of every cell (ICBC pads its cells with spaces and TABs)
PAD = " \t\r\u3000"
GB_NAMES = {"gbk", "gb2312", "gb18030", "cp936", "936", "euccn", "gb"}
#: the DOS end-of-file mark some exports append after the last line
DOS_EOF = "\x1a"
#: the first bytes of an .xlsx (a zip archive) and of an .xls (an OLE2 compound file)
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SourceError(Exception):
    """A malformed input document: names the file, the worksheet (of a workbook whose table
    or other sheets make it worth naming), the row and the column; nothing is imported.

    ``row`` is a :class:`Row` (its number and sheet) or a row number."""

    def __init__(
        self,
        path: str | Path,
        row: Row | int | None,
        column: str | None,
        problem: str,
        *,
        sheet: str = "",
    ):
        number = row.number if isinstance(row, Row) else row
        if isinstance(row, Row):
            sheet = row.sheet or sheet
        self.path, self.row, self.column, self.problem = str(path), number, column, problem
        self.sheet = sheet
        where = Path(path).name
        if number is not None:
            where += f" {place(number, sheet)}"
        elif sheet:
            where += f" 工作表「{sheet}」"
        if column:
            where += f" [{column}]"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True, slots=True)
class Row:
    """One line or sheet row: its 1-based number and its cells as stripped text.

    ``problem`` is set (and ``cells`` empty) for a line that cannot be split into cells:
    ``(column number, message)``; the sheet reader rejects the file naming it.
    """

    number: int
    cells: tuple[str, ...]
    problem: tuple[int, str] | None = None
    #: the worksheet, when the workbook has more than one that holds something (else "")
    sheet: str = ""

    @property
    def blank(self) -> bool:
        return self.problem is None and not any(self.cells)

    @property
    def place(self) -> str:
        """``第5行``, or ``工作表「一组」第5行`` (for messages)."""
        return place(self.number, self.sheet)


def place(number: object, sheet: object = "") -> str:
    """A row's place for messages: ``第5行``, or ``工作表「一组」第5行``."""
    return f"工作表「{sheet}」第{number}行" if sheet else f"第{number}行"


@dataclass(frozen=True)
class Document:
    """What was read: the rows, and how (the encoding found, for messages; a workbook's
    date system, for its date serials)."""

    path: Path
    rows: list[Row]
    encoding: str
    #: the workbook counts dates in Excel's 1904 date system (Mac Excel)
    date1904: bool = False
    #: the worksheet read (a workbook's; "" for text)
    sheet: str = ""
    #: every worksheet of the workbook, in order (a text document has none)
    names: tuple[str, ...] = ()


def read_rows(
    path: str | Path,
    encoding: str = "auto",
    sheet: str | int = 0,
    *,
    delimiter: str = ",",
    head: bool = False,
) -> Document:
    """Every row of a CSV/TSV/XLS/XLSX document (raises :class:`SourceError`).

    ``head`` (for ``identify``) reads only the first :data:`HEAD_BYTES` bytes or 60 sheet
    rows and replaces undecodable bytes instead of failing.
    """
    return read_sheets(path, encoding, sheet, delimiter=delimiter, head=head)[0]


def read_sheets(
    path: str | Path,
    encoding: str = "auto",
    sheet: str | int | None = None,
    *,
    delimiter: str = ",",
    head: bool = False,
) -> list[Document]:
    """:func:`read_rows` of one worksheet, or of every worksheet of a workbook when
    ``sheet`` is None (a text document is one)."""
    path = Path(path)
    suffix = path.suffix.lower()
    limit = 60 if head else None
    try:
        with open(path, "rb") as handle:
            start = handle.read(4096)
    except OSError as exc:
        raise SourceError(path, None, None, f"文件无法读取: {exc.strerror}") from None
    # by what the file is, not by its name: banks save HTML and XML 2003 pages as .xls
    if start.startswith(ZIP_MAGIC) or (suffix == ".xlsx" and not _markup_or_text(start)):
        sheets, date1904, names = _xlsx_rows(path, sheet, limit)
        return [Document(path, rows, "xlsx", date1904, name, names) for name, rows in sheets]
    if start.startswith(OLE2_MAGIC) or (suffix == ".xls" and not _markup_or_text(start)):
        sheets, date1904, names = _xls_rows(path, sheet, limit)
        return [Document(path, rows, "xls", date1904, name, names) for name, rows in sheets]
    try:
        if head:
            with open(path, "rb") as handle:
                raw = handle.read(HEAD_BYTES)
        else:
            raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, None, None, f"文件无法读取: {exc.strerror}") from None
    found_kind = markup.kind(start)
    if found_kind == "xml2003":
        sheets, names = _xml2003_rows(path, raw, sheet, limit, head)
        return [Document(path, rows, "xml2003", False, name, names) for name, rows in sheets]
    text, found = decode(path, raw, encoding, lenient=head)
    if found_kind == "html":
        rows = [_sheet_row(path, n, cells) for n, cells in markup.html_rows(text, limit)]
        return [Document(path, rows, f"html ({found})")]
    if head and len(raw) == HEAD_BYTES:
        text = text[: max(text.rfind("\n"), text.rfind("\r")) + 1]  # drop the cut last line
    return [Document(path, split_lines(path, text, delimiter, lenient=head), found)]


# -- decoding ---------------------------------------------------------------------------------
def decode(
    path: Path, raw: bytes, encoding: str = "auto", *, lenient: bool = False
) -> tuple[str, str]:
    """Bytes → text by evidence (module docstring); returns the text and the encoding used."""
    errors = "replace" if lenient else "strict"
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if raw.startswith(bom):
            body = raw[len(bom) :]
            if name.startswith("utf-16") and len(body) % 2:
                if not lenient:
                    raise SourceError(
                        path, None, None, f"{name} 文件长度为奇数字节: 文件被截断或损坏"
                    )
                body = body[:-1]
            return _decode(path, body, name, errors), name
    if _looks_utf16le(raw):
        body = raw[: len(raw) - len(raw) % 2] if lenient else raw
        return _decode(path, body, "utf-16-le", errors), "utf-16-le"
    wanted = encoding.replace("_", "-").lower()
    if wanted.replace("-", "") in GB_NAMES:
        return _decode(path, raw, "gb18030", errors), "gb18030"
    if wanted not in ("auto", ""):
        try:
            codecs.lookup(wanted)
        except LookupError:
            raise SourceError(path, None, None, f"未知编码 {encoding!r}") from None
        return _decode(path, raw, wanted, errors), wanted
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _decode(path, raw, "gb18030", errors), "gb18030"


def _looks_utf16le(raw: bytes) -> bool:
    """UTF-16LE without a BOM: ASCII text with a NUL after every character."""
    sample = raw[:400]
    return len(sample) >= 8 and sample[1::2].count(0) > len(sample) // 2 * 0.6


def _decode(path: Path, raw: bytes, encoding: str, errors: str) -> str:
    try:
        return raw.decode(encoding, errors=errors)
    except UnicodeDecodeError as exc:
        raise _decode_error(path, raw, exc, encoding) from None


def _decode_error(path: Path, raw: bytes, exc: UnicodeDecodeError, encoding: str) -> SourceError:
    """Name the line and column holding the first byte that is not valid ``encoding``."""
    good = raw[: exc.start].decode(encoding, errors="replace")
    line = line_of(good, len(good))
    before = good[max(good.rfind("\n"), good.rfind("\r")) + 1 :]
    column = before.count(",") + before.count("\t") + 1
    return SourceError(
        path,
        line,
        f"第{column}列",
        f"无法按 {encoding} 编码读取 (字节 0x{raw[exc.start]:02x}); "
        "文件应为 UTF-8、GB18030/GBK 或带 BOM 的 UTF-16",
    )


# -- lines → cells ----------------------------------------------------------------------------
def line_of(text: str, at: int) -> int:
    """The 1-based line of ``text[at]`` as an editor counts lines (CR, LF and CRLF end one)."""
    return text.count("\n", 0, at) + text.count("\r", 0, at) - text.count("\r\n", 0, at) + 1


def split_lines(path: Path, text: str, delimiter: str, *, lenient: bool = False) -> list[Row]:
    """One :class:`Row` per physical line: universal line endings (CR, LF, CRLF, mixed),
    a trailing DOS end-of-file mark dropped."""
    if delimiter == "auto":
        delimiter = sniff(text)
    text = text.rstrip(DOS_EOF)
    if not lenient:
        bad = CONTROL.search(text)
        if bad:
            start = max(text.rfind("\n", 0, bad.start()), text.rfind("\r", 0, bad.start())) + 1
            column = text.count(delimiter, start, bad.start()) + 1
            raise SourceError(
                path,
                line_of(text, bad.start()),
                f"第{column}列",
                f"含控制字符 U+{ord(bad.group()):04X} (文件损坏?)",
            )
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    rows: list[Row] = []
    append = rows.append
    for number, line in enumerate(lines, 1):
        if '"' not in line:
            cells = line.split(delimiter)
        else:
            try:
                cells = next(csv.reader((line,), delimiter=delimiter, strict=True), [])
            except csv.Error as exc:
                append(Row(number, (), _quote_problem(line, delimiter, exc)))
                continue
        if len(line) > MAX_CELL and any(len(c) > MAX_CELL for c in cells):
            index = next(i for i, c in enumerate(cells) if len(c) > MAX_CELL)
            length = len(cells[index])
            append(Row(number, (), (index + 1, f"单元格过长 ({length:,} 字符 > {MAX_CELL:,})")))
            continue
        if " " in line or "\t" in line or "\u3000" in line:
            cells = [c.strip(PAD) for c in cells]
        if "'" in line or '="' in line:
            cells = [as_text(c) for c in cells]
        append(Row(number, tuple(cells)))
    return rows


#: Excel's marks of a number kept as text in a CSV: ``="0001"`` and ``'0001``
AS_TEXT = re.compile(r'="(.*)"|\'(?=[0-9+\-])(.*)', re.DOTALL)


def as_text(cell: str) -> str:
    """A cell without Excel's text mark (``="20230104"`` → ``20230104``, ``'6217…`` →
    ``6217…``): banks write it so that Excel keeps leading zeros and long numbers."""
    found = AS_TEXT.fullmatch(cell)
    if found is None:
        return cell
    inner = found.group(1) if found.group(1) is not None else found.group(2)
    return inner.strip(PAD)


def _quote_problem(line: str, delimiter: str, exc: csv.Error) -> tuple[int, str]:
    """Where the unbalanced quote of a line is (its column number) and what is wrong."""
    column, inside, start = 1, False, 1
    for char in line:
        if char == '"':
            inside = not inside
            if inside:
                start = column
        elif char == delimiter and not inside:
            column += 1
    where = start if inside else column
    if "field larger" in str(exc):
        return where, "单元格过长"
    return where, '引号不成对 (单元格内多了一个 ")'


def sniff(text: str) -> str:
    """TAB when the first lines hold more TABs than commas, else comma."""
    head = text[:4000]
    return "\t" if head.count("\t") > head.count(",") else ","


# -- spreadsheets ------------------------------------------------------------------------------
def _cell_text(value: Any) -> str:
    """Spreadsheet cell → text, exactly (floats by their shortest repr, dates ISO)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip(" \t\r\n\u3000\xa0")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):  # float-ok
            return "#NUM!"
        text = repr(value)  # shortest round-trip decimal: 1234.5 → "1234.5"
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _xlsx_rows(
    path: Path, sheet: str | int | None, limit: int | None
) -> tuple[list[tuple[str, list[Row]]], bool, tuple[str, ...]]:
    """Each sheet's name and rows (``sheet``'s, or all), whether the workbook uses the
    1904 date system, and every sheet's name."""
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, XML errors: not a workbook
        raise SourceError(path, None, None, f"不是有效的 xlsx 文件: {_short(exc)}") from None
    sheets: list[tuple[str, list[Row]]] = []
    rows: list[Row] = []
    try:
        for name in _pick(path, book.sheetnames, sheet):
            rows = []
            sheets.append((name, rows))
            ws = book[name]
            for number, values in enumerate(ws.iter_rows(max_row=limit, values_only=True), 1):
                rows.append(_sheet_row(path, number, values))
    except SourceError:
        raise
    except Exception as exc:  # a corrupt sheet part, a date serial out of range …
        raise SourceError(path, len(rows) + 1, None, f"xlsx 内容无法读取: {_short(exc)}") from None
    finally:
        book.close()
    return sheets, book.epoch == CALENDAR_MAC_1904, tuple(book.sheetnames)


def _sheet_row(path: Path, number: int, values: Sequence[Any]) -> Row:
    cells = tuple(_cell_text(v) for v in values)
    while cells and not cells[-1]:
        cells = cells[:-1]
    for index, cell in enumerate(cells):
        if len(cell) > MAX_CELL:
            return Row(number, (), (index + 1, f"单元格过长 ({len(cell):,} 字符 > {MAX_CELL:,})"))
        if CONTROL.search(cell):
            return Row(number, (), (index + 1, "含控制字符 (文件损坏?)"))
    return Row(number, cells)


def _pick(path: Path, names: Sequence[str], sheet: str | int | None) -> list[str]:
    """The names of the sheets to read: ``sheet`` (a name or an index), or all (None)."""
    if not names:
        raise SourceError(path, None, None, "工作簿中没有工作表")
    if sheet is None:
        return list(names)
    if isinstance(sheet, str):
        if sheet not in names:
            raise SourceError(path, None, None, f"找不到工作表 {sheet!r} (有: {'、'.join(names)})")
        return [sheet]
    if not 0 <= sheet < len(names):
        raise SourceError(path, None, None, f"没有第{sheet + 1}个工作表")
    return [names[sheet]]


def _xls_rows(
    path: Path, sheet: str | int | None, limit: int | None
) -> tuple[list[tuple[str, list[Row]]], bool, tuple[str, ...]]:
    """Each sheet's name and rows (``sheet``'s, or all), whether the workbook uses the
    1904 date system, and every sheet's name."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:  # xlrd.XLRDError, struct errors, …: not a readable workbook
        raise SourceError(path, None, None, f"不是有效的 xls 文件: {_short(exc)}") from None
    try:
        sheets: list[tuple[str, list[Row]]] = []
        for name in _pick(path, book.sheet_names(), sheet):
            ws = book.sheet_by_name(name)
            rows = []
            for index in range(ws.nrows if limit is None else min(ws.nrows, limit)):
                values: list[Any] = []
                for col, cell in enumerate(ws.row(index)):
                    value: Any = cell.value
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        try:
                            value = xlrd.xldate_as_datetime(value, book.datemode)
                        except Exception:
                            raise SourceError(
                                path, index + 1, f"第{col + 1}列", f"日期单元格 {value!r} 超出范围"
                            ) from None
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        value = "#错误"
                    values.append(value)
                rows.append(_sheet_row(path, index + 1, values))
            sheets.append((name, rows))
        return sheets, book.datemode == 1, tuple(book.sheet_names())
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(path, None, None, f"xls 内容无法读取: {_short(exc)}") from None
    finally:
        book.release_resources()


def _markup_or_text(start: bytes) -> bool:
    """Whether a file named .xls/.xlsx is an HTML or XML 2003 page, or plain text (a CSV
    or TSV a bank named .xls): anything but a workbook's bytes."""
    if markup.kind(start) is not None:
        return True
    if b"\x00" in start and not start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    cut = start.rfind(b"\n")  # a character cut at the 4096th byte is not a decoding error
    try:
        decode(Path("?"), start[:cut] if cut > 0 else start, "auto")
    except SourceError:
        return False
    return bool(start.strip())


def _xml2003_rows(
    path: Path, raw: bytes, sheet: str | int | None, limit: int | None, head: bool
) -> tuple[list[tuple[str, list[Row]]], tuple[str, ...]]:
    """Each worksheet's name and rows of an XML Spreadsheet 2003 file (:mod:`.markup`):
    ``sheet``'s, or all; and every worksheet's name."""
    from lxml import etree

    try:
        sheets = markup.xml2003_sheets(raw)
    except etree.XMLSyntaxError as exc:
        if head:  # identify reads the first bytes only: the page is cut, not broken
            return [("", [])], ()
        raise SourceError(path, exc.lineno, None, f"XML 表格无法读取: {_short(exc)}") from None
    if not sheets:
        raise SourceError(path, None, None, "XML 表格中没有工作表 (Worksheet)")
    by_name = {markup.sheet_name(s): s for s in sheets}
    names = tuple(markup.sheet_name(s) for s in sheets)
    return [
        (name, [_sheet_row(path, n, v) for n, v in markup.xml2003_rows(by_name[name], limit)])
        for name in _pick(path, names, sheet)
    ], names


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 120 else text[:117] + "…"


LONG_NUMBER = re.compile(r"(?<![0-9])(\d{4})\d{7,14}(\d{3}[0-9Xx])(?![0-9])")
ASCII_DIGIT = re.compile(r"[0-9Xx]")


@functools.lru_cache(maxsize=65536)
def scrub(text: str) -> str:
    """Mask the personal numbers a memo or payee may carry, however typed (ID-card, mobile
    and bank-card numbers as :func:`fupin.pii.find` reads them: ``138-1234-5678``,
    ``430524 19900101 1234``), and any other run of 15–22 digits: the ledger never holds
    them (``6217001234567890123`` → ``6217****0123``, ``13812345678`` → ``138****5678``)."""
    if not text:
        return text
    text = LONG_NUMBER.sub(r"\1****\2", text)  # the common case, and the detector's fast test
    if not pii.may_hold_number(text):
        return text
    for hit in reversed(pii.find(text)):
        digits = "".join(ASCII_DIGIT.findall(pii.normalise(text[hit.start : hit.end])))
        keep = 3 if hit.kind == "mobile" else 4
        text = f"{text[: hit.start]}{digits[:keep]}****{digits[-4:]}{text[hit.end :]}"
    return text
