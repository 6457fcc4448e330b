"""Spreadsheets that are markup: an HTML table or an Excel 2003 XML workbook named ``.xls``.

Many 网银 "Excel" downloads are not BIFF workbooks: the bank writes an HTML page holding a
``<table>`` (Excel opens it without a word) or an XML Spreadsheet 2003 file
(``urn:schemas-microsoft-com:office:spreadsheet``), and names it ``.xls``. :func:`kind`
tells them from a real workbook by their first bytes, whatever the file is called; the
readers here turn them into the rows Excel shows:

* **HTML**: every ``<tr>`` is a row, and every block of text outside the tables (a title
  in ``<h1>``, an account line in ``<p>`` or ``<div>``) is a row of one cell, in document
  order, as Excel lays the page out. A cell spanning columns (``colspan``) is followed by
  empty cells, one spanning rows (``rowspan``) leaves its column empty in the rows below,
  so the columns line up with the header as in a merged sheet.
* **XML 2003**: ``<Row>``/``<Cell>`` with ``ss:Index`` (skipped rows and columns stay, empty),
  ``ss:MergeAcross`` and ``ss:MergeDown``; a ``Number`` as written (never a float), a
  ``DateTime`` as an ISO date (with its time when it has one). Entities are not expanded
  and nothing is fetched.

Row numbers are the rows as Excel numbers them, so an error names the row the officer sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree, html

SPREADSHEET_NS = "urn:schemas-microsoft-com:office:spreadsheet"
_SS = f"{{{SPREADSHEET_NS}}}"
#: elements whose text Excel shows as a row of its own when outside a table
_BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "li", "pre", "center"}
)
_HTML_START = re.compile(rb"^\s*<(?:!doctype\s+html|html|head|body|meta|table|title|style)\b", re.I)


def kind(head: bytes) -> str | None:
    """``"html"`` or ``"xml2003"`` for a markup spreadsheet's first bytes, else None."""
    text = head.removeprefix(b"\xef\xbb\xbf")
    if text.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 markup
        text = text[2:].replace(b"\x00", b"")
    if SPREADSHEET_NS.encode() in text and b"<Workbook" in text:
        return "xml2003"
    if _HTML_START.match(text) and b"<table" in text.lower():
        return "html"
    return None


Cells = list[str]
_WHITE = re.compile(r"[ \t\r\n\f]+")  # what an HTML page shows as one space


def html_rows(text: str, limit: int | None = None) -> list[tuple[int, Cells]]:
    """(row number, cells) of an HTML page's tables and the text blocks around them."""
    root = html.document_fromstring(text)
    for br in root.iter("br"):
        br.tail = " " + (br.tail or "")
    rows: list[tuple[int, Cells]] = []
    spans: dict[int, int] = {}  # column → rows a rowspan still covers
    for element in _rows_in_order(root):
        if limit is not None and len(rows) >= limit:
            break
        if element.tag == "tr":
            cells = _html_cells(element, spans)
        else:
            spans.clear()
            cells = [element.text_content()]
        rows.append((len(rows) + 1, [_WHITE.sub(" ", c).strip(" ") for c in cells]))
    return rows


def _rows_in_order(root: Any) -> Iterator[Any]:
    """The ``<tr>`` elements (innermost tables' only) and the text blocks outside tables."""
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue  # a comment or processing instruction
        if tag == "tr":
            if not element.xpath(".//tr"):
                yield element
        elif tag in _BLOCKS and _text_block(element):
            yield element


def _text_block(element: Any) -> bool:
    """A block outside any table, holding text and no table or block of its own."""
    if element.xpath("ancestor::table") or element.xpath(".//table"):
        return False
    if any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in element.iterdescendants()):
        return False
    return bool(element.text_content().strip())


def _html_cells(row: Any, spans: dict[int, int]) -> Cells:
    cells: Cells = []

    def fill_spanned() -> None:
        while spans.get(len(cells), 0) > 0:
            spans[len(cells)] -= 1
            cells.append("")

    for cell in row:
        if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
            continue
        fill_spanned()
        across = _span(cell.get("colspan"))
        down = _span(cell.get("rowspan"))
        start = len(cells)
        cells.append(cell.text_content())
        cells.extend("" for _ in range(across - 1))
        if down > 1:
            for column in range(start, start + across):
                spans[column] = down - 1
    fill_spanned()
    return cells


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def xml2003_sheets(raw: bytes) -> Any:
    """The workbook's ``<Worksheet>`` elements (raises ``etree.XMLSyntaxError``)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(raw, parser=parser)
    return root.findall(f"{_SS}Worksheet")


def sheet_name(sheet: Any) -> str:
    return str(sheet.get(f"{_SS}Name") or "")


def xml2003_rows(sheet: Any, limit: int | None = None) -> list[tuple[int, list[Any]]]:
    """(row number, cell texts) of one ``<Worksheet>``: numbers as written, dates ISO."""
    rows: list[tuple[int, list[Any]]] = []
    table = sheet.find(f"{_SS}Table")
    if table is None:
        return rows
    spans: dict[int, int] = {}
    number = 0
    for row in table.iterfind(f"{_SS}Row"):
        index = _index(row.get(f"{_SS}Index"))
        while index is not None and number + 1 < index:  # rows skipped: empty
            number += 1
            rows.append((number, []))
        number += 1
        if limit is not None and number > limit:
            break
        values: list[Any] = []
        for cell in row.iterfind(f"{_SS}Cell"):
            at = _index(cell.get(f"{_SS}Index"))
            while spans.get(len(values), 0) > 0 or (at is not None and len(values) + 1 < at):
                if spans.get(len(values), 0) > 0:
                    spans[len(values)] -= 1
                values.append("")
            across = 1 + (_index(cell.get(f"{_SS}MergeAcross")) or 0)
            down = _index(cell.get(f"{_SS}MergeDown")) or 0
            start = len(values)
            values.append(_xml_value(cell))
            values.extend("" for _ in range(across - 1))
            for column in range(start, start + across):
                if down:
                    spans[column] = down
        while spans.get(len(values), 0) > 0:
            spans[len(values)] -= 1
            values.append("")
        rows.append((number, values))
    return rows


def _index(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _xml_value(cell: Any) -> Any:
    data = cell.find(f"{_SS}Data")
    if data is None:
        return ""
    text = "".join(data.itertext())
    kind_ = data.get(f"{_SS}Type", "String")
    if kind_ == "Number":
        try:
            return format(Decimal(text.strip()), "f")  # as written: 1.5E3 → 1500
        except InvalidOperation:
            return text
    if kind_ == "DateTime":
        day, _, time = text.strip().partition("T")
        time = time.split(".")[0]
        return day if time in ("", "00:00:00") else f"{day} {time}"
    return text
