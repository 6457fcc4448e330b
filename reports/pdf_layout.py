"""Where text stands on a PDF page: lines, cells and table rows, for the privacy lint.

The notices' tables rule every cell (``th, td { border: 0.6pt solid }`` in notice.css,
``border-collapse``), and WeasyPrint strokes each cell's edges as lines. Those rules are what
tells a table row: a row's band runs from the rule above its cells to the rule below them,
however many lines a cell wraps into, whatever the cells' vertical alignment (the A3 site
sign centres them). Equal baselines do not: a cell's second line stands alone on its
baseline.

Two readers of positioned text give the same :class:`PageLayout`:

* poppler's ``pdftotext -bbox-layout`` (lines and words with their boxes), where installed;
* pdfminer.six otherwise (every glyph with its box, joined here into runs that never cross
  a rule). pypdf, which the project uses to split and read PDFs, cannot serve: its
  ``extract_text(visitor_text=…)`` hands over one run per baseline, the cells of a row
  already joined (``1 钱豪 新建…``), so where each cell starts is lost.

The rules always come from pdfminer.six (poppler's text tools do not print graphics), and
only for the pages that need them: the lint asks for a page's layout only when its text
holds every character of some term it checks (:func:`may_hold_term`).
"""

from __future__ import annotations

import html
import itertools
import re
import shutil
import subprocess
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import NamedTuple

from fupin.pii import term_form


class TextLine(NamedTuple):
    """A line of a PDF page's text, a word, a run of glyphs or a cell of lines joined, with
    its box (points, y down from the page's top)."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    height: float  # of its line (a cell: of its smallest line)


class Rules(NamedTuple):
    """The ruled lines of a page (y down): ``across`` as (y, x0, x1), ``down`` as (x, y0, y1)."""

    across: list[tuple[float, float, float]]
    down: list[tuple[float, float, float]]


class PageLayout(NamedTuple):
    """One page: its text ``lines`` (a cell's wrapped lines apart), its ``pieces`` (words or
    runs of glyphs, each inside one cell) and its ``rules``."""

    lines: list[TextLine]
    pieces: list[TextLine]
    rules: Rules


#: Lines closer than this (a share of the line's height) are lines of one cell or paragraph:
#: a wrapped cell's lines are 0.1 apart in the notices' CSS, two table rows (padding and
#: border) 0.6, two paragraphs more.
CELL_GAP = 0.3
#: How far from exact a rule may be (points): a stroke's width, a rectangle's edge.
RULE_SLACK = 1.0
#: Glyphs further apart than this share of their size are two runs (a table's cells are 4 mm
#: apart, a word space is a quarter of a character).
RUN_GAP = 1.0


def may_hold_term(text: str, terms: Sequence[str]) -> bool:
    """Whether ``text`` holds every character of some term (as :func:`term_form` reads
    both): a page without that cannot show a term in any cell, in any order of its lines."""
    chars = set(term_form(text))
    return any(form and set(form) <= chars for form in map(term_form, terms))


# -- poppler ----------------------------------------------------------------------------

_BBOX_PAGE = re.compile(r"<page\b[^>]*>(.*?)</page>", re.S)
_BBOX_LINE = re.compile(
    r'<line xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)</line>',
    re.S,
)
_BBOX_WORD = re.compile(
    r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)</word>',
    re.S,
)


def _box(x0: str, y0: str, x1: str, y1: str, text: str) -> TextLine:
    top, bottom = float(y0), float(y1)  # float-ok: page positions in points
    left, right = float(x0), float(x1)  # float-ok: page positions in points
    return TextLine(left, top, right, bottom, text, bottom - top)


def poppler_pages(path: Path) -> list[tuple[list[TextLine], list[TextLine]]] | None:
    """(lines, words) of each page (poppler's ``pdftotext -bbox-layout``); None without
    poppler or when it cannot read the file."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    done = subprocess.run(
        [tool, "-q", "-enc", "UTF-8", "-bbox-layout", str(path), "-"],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        return None
    pages: list[tuple[list[TextLine], list[TextLine]]] = []
    for page in _BBOX_PAGE.findall(done.stdout.decode("utf-8", errors="replace")):
        lines: list[TextLine] = []
        words: list[TextLine] = []
        for x0, y0, x1, y1, inner in _BBOX_LINE.findall(page):
            found = [
                _box(wx0, wy0, wx1, wy1, html.unescape(text))
                for wx0, wy0, wx1, wy1, text in _BBOX_WORD.findall(inner)
            ]
            lines.append(_box(x0, y0, x1, y1, " ".join(w.text for w in found)))
            words += found
        pages.append((lines, words))
    return pages


def pdf_lines(path: Path) -> list[list[TextLine]] | None:
    """The text lines of each page of a PDF with their boxes (poppler); None without it."""
    pages = poppler_pages(path)
    return None if pages is None else [lines for lines, _ in pages]


# -- pdfminer.six -----------------------------------------------------------------------


def pdfminer_pages(path: Path, wanted: Collection[int]) -> dict[int, tuple[list[TextLine], Rules]]:
    """(glyphs, rules) of the ``wanted`` pages (0-based) of a PDF, by pdfminer.six."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LTChar, LTCurve, LTPage, LTRect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    out: dict[int, tuple[list[TextLine], Rules]] = {}
    if not wanted:
        return out
    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    with open(path, "rb") as handle:
        pages = PDFPage.get_pages(handle, pagenos=set(wanted))
        for index, page in zip(sorted(wanted), pages, strict=False):
            interpreter.process_page(page)
            result: LTPage = device.get_result()
            top = result.y1
            glyphs: list[TextLine] = []
            rules = Rules([], [])
            for item in result:
                if isinstance(item, LTChar):
                    text = item.get_text()
                    if text.strip():
                        y0, y1 = top - item.y1, top - item.y0
                        glyphs.append(TextLine(item.x0, y0, item.x1, y1, text, y1 - y0))
                elif isinstance(item, LTCurve):  # LTLine and LTRect too
                    _add_rules(rules, [(x, top - y) for x, y in item.pts], isinstance(item, LTRect))
            out[index] = (glyphs, rules)
    return out


def _add_rules(rules: Rules, points: list[tuple[float, float]], closed: bool) -> None:
    """The straight edges of a path (a line, a rectangle, a polygon) that run across or down."""
    pairs = list(itertools.pairwise(points))
    if closed and len(points) > 2:
        pairs.append((points[-1], points[0]))
    for (ax, ay), (bx, by) in pairs:
        if abs(ay - by) <= RULE_SLACK and abs(ax - bx) > RULE_SLACK:
            rules.across.append(((ay + by) / 2, min(ax, bx), max(ax, bx)))
        elif abs(ax - bx) <= RULE_SLACK and abs(ay - by) > RULE_SLACK:
            rules.down.append(((ax + bx) / 2, min(ay, by), max(ay, by)))


def glyph_runs(glyphs: Sequence[TextLine], rules: Rules) -> list[TextLine]:
    """Glyphs joined into runs: on one baseline, close together, no rule between them."""
    runs: list[TextLine] = []
    band: list[TextLine] = []
    for glyph in sorted(glyphs, key=lambda g: ((g.y0 + g.y1) / 2, g.x0)):
        middle = (glyph.y0 + glyph.y1) / 2
        if band and abs(middle - (band[0].y0 + band[0].y1) / 2) > band[0].height * 0.3:
            runs += _split_band(band, rules)
            band = []
        band.append(glyph)
    return runs + (_split_band(band, rules) if band else [])


def _split_band(band: list[TextLine], rules: Rules) -> list[TextLine]:
    out: list[list[TextLine]] = []
    for glyph in sorted(band, key=lambda g: g.x0):
        if out:
            last = out[-1][-1]
            size = max(last.height, glyph.height)
            middle = (glyph.y0 + glyph.y1) / 2
            # a rule between the glyphs' centres: text that overflows its cell (a nowrap
            # header) ends past the rule, and is still the cell's
            left, right = (last.x0 + last.x1) / 2, (glyph.x0 + glyph.x1) / 2
            apart = glyph.x0 - last.x1 > RUN_GAP * size or any(
                left <= x <= right and y0 <= middle <= y1 for x, y0, y1 in rules.down
            )
            if not apart:
                out[-1].append(glyph)
                continue
        out.append([glyph])
    runs = []
    for run in out:
        text = run[0].text
        for before, glyph in itertools.pairwise(run):
            space = glyph.x0 - before.x1 > 0.2 * max(before.height, glyph.height)
            text += (" " if space else "") + glyph.text
        y0, y1 = min(g.y0 for g in run), max(g.y1 for g in run)
        runs.append(TextLine(run[0].x0, y0, run[-1].x1, y1, text, y1 - y0))
    return runs


def page_layouts(path: Path, wanted: Collection[int]) -> dict[int, PageLayout]:
    """The layout of the ``wanted`` pages (0-based): text by poppler where it is installed,
    else by pdfminer.six; rules by pdfminer.six."""
    mined = pdfminer_pages(path, wanted)
    poppler = poppler_pages(path) if wanted else None
    if poppler is not None and any(index >= len(poppler) for index in wanted):
        poppler = None
    layouts: dict[int, PageLayout] = {}
    for index, (glyphs, rules) in mined.items():
        if poppler is not None:
            lines, words = poppler[index]
            layouts[index] = PageLayout(lines, words, rules)
        else:
            runs = glyph_runs(glyphs, rules)
            layouts[index] = PageLayout(runs, runs, rules)
    return layouts


# -- cells and rows ---------------------------------------------------------------------


def pdf_cells(lines: Sequence[TextLine]) -> list[TextLine]:
    """One page's lines joined into cells and paragraphs: a line continues the one right
    above it (less than :data:`CELL_GAP` of a line's height between them) whose width it
    shares, so a table cell's wrapped lines are one text and two columns stay apart."""
    cells: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda x: (x.y0, x.x0)):
        best: tuple[float, int] | None = None
        for index, cell in enumerate(cells):
            last = cell[-1]
            height = min(last.height, line.height) or 1.0
            gap = line.y0 - last.y1
            if not -CELL_GAP * height <= gap <= CELL_GAP * height:
                continue
            if line.y0 <= last.y0 + height / 2 or min(line.x1, last.x1) <= max(line.x0, last.x0):
                continue
            if best is None or gap < best[0]:
                best = (gap, index)
        if best is None:
            cells.append([line])
        else:
            cells[best[1]].append(line)
    return [
        TextLine(
            min(x.x0 for x in cell),
            cell[0].y0,
            max(x.x1 for x in cell),
            cell[-1].y1,
            " ".join(x.text for x in cell),
            min(x.height for x in cell),
        )
        for cell in cells
    ]


def pdf_rows(cells: Sequence[TextLine]) -> list[list[TextLine]]:
    """Unruled cells that stand side by side on a page (their heights overlap by half a line
    or more): a row, left to right; a cell alone is no row."""
    parent = list(range(len(cells)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    order = sorted(range(len(cells)), key=lambda i: cells[i].y0)
    for k, i in enumerate(order):
        for j in order[k + 1 :]:
            if cells[j].y0 >= cells[i].y1:
                break
            overlap = min(cells[i].y1, cells[j].y1) - max(cells[i].y0, cells[j].y0)
            if overlap >= min(cells[i].height, cells[j].height) / 2:
                parent[root(j)] = root(i)
    groups: dict[int, list[TextLine]] = {}
    for index, cell in enumerate(cells):
        groups.setdefault(root(index), []).append(cell)
    return [sorted(g, key=lambda c: c.x0) for g in groups.values() if len(g) > 1]


def _snap(values: list[float]) -> dict[float, float]:
    """Each value to the first of its cluster (values within :data:`RULE_SLACK`)."""
    out: dict[float, float] = {}
    first = last = None
    for value in sorted(set(values)):
        if last is None or value - last > RULE_SLACK:
            first = value
        out[value] = first if first is not None else value
        last = value
    return out


def ruled_cell(rules: Rules, x: float, y: float) -> tuple[float, float, float, float] | None:
    """The box (top, bottom, left, right) of the ruled cell around a point: the nearest rule
    above, below, left and right of it that passes the point; None outside any."""
    above = below = left = right = None
    for ry, x0, x1 in rules.across:
        if x0 - RULE_SLACK <= x <= x1 + RULE_SLACK:
            if ry <= y and (above is None or ry > above):
                above = ry
            elif ry > y and (below is None or ry < below):
                below = ry
    for rx, y0, y1 in rules.down:
        if y0 - RULE_SLACK <= y <= y1 + RULE_SLACK:
            if rx <= x and (left is None or rx > left):
                left = rx
            elif rx > x and (right is None or rx < right):
                right = rx
    if above is None or below is None or left is None or right is None:
        return None
    return above, below, left, right


def table_rows(page: PageLayout) -> list[list[str]]:
    """The rows of a page, each its cells' texts left to right (cells with text only).

    A piece of text inside a ruled cell belongs to that cell; the cells whose rules above
    and below are the same rules are one row (a cell's wrapped lines, every line of it, are
    in its row), a ruled row of one cell too: its text is the cell's, every line of it
    joined, where :func:`pdf_cells` may see two (lines further apart than
    :data:`CELL_GAP`, as pdfminer.six boxes glyphs; a wide gap such as a full-width space
    inside a line). Text outside any ruled cell is read as :func:`pdf_cells` and
    :func:`pdf_rows` read it (cells side by side, two or more)."""
    across = _snap([y for y, _, _ in page.rules.across])
    down = _snap([x for x, _, _ in page.rules.down])
    cells: dict[tuple[float, float], dict[float, list[TextLine]]] = {}
    for piece in page.pieces:
        box = ruled_cell(page.rules, (piece.x0 + piece.x1) / 2, (piece.y0 + piece.y1) / 2)
        if box is not None:
            top, bottom, left, _ = box
            row = cells.setdefault((across[top], across[bottom]), {})
            row.setdefault(down[left], []).append(piece)
    rows = []
    for _, row in sorted(cells.items()):
        rows.append([_cell_text(row[left]) for left in sorted(row)])
    loose = [
        line
        for line in page.lines
        if ruled_cell(page.rules, (line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2) is None
    ]
    rows += [[cell.text for cell in row] for row in pdf_rows(pdf_cells(loose))]
    return rows


def _cell_text(pieces: list[TextLine]) -> str:
    """A cell's pieces in reading order: line by line (a share of a line apart), left to right."""
    ordered = sorted(pieces, key=lambda p: (p.y0, p.x0))
    lines: list[list[TextLine]] = []
    for piece in ordered:
        if lines and piece.y0 < lines[-1][0].y0 + lines[-1][0].height / 2:
            lines[-1].append(piece)
        else:
            lines.append([piece])
    return " ".join(" ".join(p.text for p in sorted(line, key=lambda p: p.x0)) for line in lines)
