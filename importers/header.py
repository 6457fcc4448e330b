"""A document's header row under a layout: which column holds each role.

:func:`find_header` looks in the layout's first ``header_rows`` rows for one row that holds
a column for every required role, else two adjacent rows that do together (a header over
two lines with merged cells). Names are compared after :func:`header_name` (NFKC, no
spaces, no trailing colon); a ``(元)``/``(万元)`` suffix sets that column's unit.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from fupin.importers.layout import Layout
from fupin.importers.table import Row

UNIT_SUFFIX = re.compile(r"[(（\[]?(?:单位[:：])?(万元|元)[)）\]]?$")
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
