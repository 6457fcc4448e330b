"""A workbook's worksheets under a layout: which hold the table, which are skipped and why.

Banks and payroll systems split a long statement over several sheets (at 65,536 rows in an
``.xls``, or one sheet a month); a clerk's roll is often one sheet a village (Sheet1,
Sheet2 … or 一组, 二组 …) with the header repeated. :func:`table_sheets` reads every sheet
and keeps, in sheet order, those holding the layout's header: they are one table when their
headers are the same cell by cell (after :func:`~fupin.importers.header.header_name`); two
that differ in a column are refused naming both sheets and the column. Every other sheet is
listed with why it was not read (blank; no header of the layout: a cover, summary or notes
sheet), except that a sheet whose header row shares most of the table's names but not all
(a column renamed, added or moved) is refused too: skipping it would lose its rows.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fupin.importers.header import Header, find_header, header_name
from fupin.importers.layout import Layout
from fupin.importers.table import Document, Row, SourceError, read_rows, read_sheets

BLANK = "空白工作表"
NOT_THE_TABLE = "没有本格式的表头 (封面、汇总或说明页), 不是同一张表"


@dataclass(frozen=True)
class Skipped:
    """A worksheet not read, and why."""

    sheet: str
    reason: str


@dataclass(frozen=True)
class Tables:
    """The worksheets holding the table (a text document: itself), each with its header
    (none when no sheet holds it), and the sheets skipped."""

    documents: tuple[Document, ...]
    headers: tuple[Header, ...]
    skipped: tuple[Skipped, ...] = ()


def first_table(path: str | Path, layout: Layout, *, head: bool = False) -> Document:
    """The first worksheet holding the layout's header, else the first (``identify``)."""
    if layout.sheet is not None:
        return read_rows(path, layout.encoding, layout.sheet, delimiter=layout.delimiter, head=head)
    documents = read_sheets(path, layout.encoding, delimiter=layout.delimiter, head=head)
    return next((d for d in documents if find_header(d.rows, layout)), documents[0])


def table_sheets(path: str | Path, layout: Layout) -> Tables:
    """The sheets that hold the table, their headers and the sheets skipped (module
    docstring); rows name their sheet when the workbook has more than one that holds
    something. Raises :class:`SourceError` for two sheets of one table whose headers differ."""
    if layout.sheet is not None:
        chosen = read_rows(path, layout.encoding, layout.sheet, delimiter=layout.delimiter)
        header = find_header(chosen.rows, layout)
        reason = f"格式指定只读工作表「{chosen.sheet}」(sheet = {layout.sheet!r})"
        others = tuple(Skipped(n, reason) for n in chosen.names if n != chosen.sheet)
        if len(chosen.names) > 1:
            chosen = _named(chosen)
        return Tables((chosen,), (header,) if header else (), others)
    documents = read_sheets(path, layout.encoding, delimiter=layout.delimiter)
    if len(documents) > 1 and sum(not _blank(d) for d in documents) > 1:
        documents = [_named(d) for d in documents]
    found = [(d, find_header(d.rows, layout)) for d in documents]
    tables = [(d, h) for d, h in found if h is not None]
    if not tables:
        return Tables((documents[0],), ())
    first, top = tables[0][0], tables[0][1].row
    want = _signature(top.cells)
    for document, header in tables[1:]:
        _same_header(path, first, top, header.row, document)
    skipped: list[Skipped] = []
    for document, header in found:
        if header is not None:
            continue
        if _blank(document):
            skipped.append(Skipped(document.sheet, BLANK))
            continue
        like = _like(document.rows, layout, want)
        if like is not None:
            _same_header(path, first, top, like, document)
        skipped.append(Skipped(document.sheet, NOT_THE_TABLE))
    return Tables(tuple(d for d, _ in tables), tuple(h for _, h in tables), tuple(skipped))


def _blank(document: Document) -> bool:
    return all(r.blank for r in document.rows)


def _named(document: Document) -> Document:
    """The document with every row naming its sheet."""
    name = document.sheet
    rows = [Row(r.number, r.cells, r.problem, name) for r in document.rows]
    return dataclasses.replace(document, rows=rows)


def _signature(cells: Sequence[str]) -> tuple[str, ...]:
    names = [header_name(c) for c in cells]
    while names and not names[-1]:
        names.pop()
    return tuple(names)


def _like(rows: Sequence[Row], layout: Layout, want: tuple[str, ...]) -> Row | None:
    """A row among the first ``header_rows`` sharing at least two thirds of the table's
    header names (and two): the same table's header with a column changed."""
    names = {n for n in want if n}
    need = max(2, math.ceil(len(names) * 2 / 3))
    for row in rows[: layout.header_rows]:
        if row.problem is None and len(names & {header_name(c) for c in row.cells if c}) >= need:
            return row
    return None


def _same_header(path: str | Path, first: Document, top: Row, row: Row, document: Document) -> None:
    """Refuse ``document``'s header ``row`` unless it is the first sheet's (``top``), cell by
    cell, naming the first column that differs."""
    got, want = _signature(row.cells), _signature(top.cells)
    if got == want:
        return
    index = next(i for i in range(max(len(got), len(want))) if _at(got, i) != _at(want, i))
    mine = _at(row.cells, index) or "(空)"
    theirs = _at(top.cells, index) or "(空)"
    raise SourceError(
        path,
        row,
        f"第{index + 1}列",
        f"表头与工作表「{first.sheet}」不同: 此列为「{mine}」, 「{first.sheet}」为「{theirs}」; "
        f"工作表「{first.sheet}」与「{document.sheet}」看来是同一张表, 表头须逐列相同才能合并导入 "
        "(否则请把各工作表另存为单独的文件, 或在格式中写明 sheet)",
    )


def _at(names: Sequence[str], index: int) -> str:
    return names[index] if index < len(names) else ""
