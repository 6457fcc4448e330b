"""Plain-text tables that line up with Chinese text (CJK characters are two columns wide).

A table fits the terminal: when its natural width is more than the terminal's, the widest
text columns are narrowed (numbers never are) and their cells wrap onto more lines, at a
``; ``, a space or between CJK characters. Output to a pipe or file keeps full width unless
``$COLUMNS`` is set; ``--wide`` (:func:`set_width` ``(None)``) never wraps.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import unicodedata
from collections.abc import Sequence

#: Columns this narrow never wrap, nor does any column get narrower; nor narrower than its
#: longest unbreakable word (an asset id, an amount, a file:line).
MIN_COLUMN = 10
_WORD = re.compile(r"[\x21-\x2a\x2c-\x2e\x30-\x7e]+[+/]?|[+/]")  # "+", "/" end a word
_NO_LINE_START = ")）]】,，;；、。:：%"
_BREAK_AFTER = " ;,；，、+/"
_GAP = 2

#: The width tables are fitted to: ``"auto"`` (the terminal's), None (never wrap) or columns.
_width: int | str | None = "auto"


def set_width(columns: int | str | None) -> None:
    """Fit tables to ``columns`` (None: never wrap; ``"auto"``: the terminal's width)."""
    global _width
    _width = columns


def table_width() -> int | None:
    """The width to fit tables to now, or None for no limit."""
    if _width != "auto":
        return _width if isinstance(_width, int) else None
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def width(text: str) -> int:
    """Terminal columns of ``text``: wide and full-width characters count two."""
    return sum(char_width(ch) for ch in text)


def pad(text: str, columns: int, right: bool = False) -> str:
    """Pad ``text`` to ``columns`` terminal columns."""
    fill = " " * max(0, columns - width(text))
    return fill + text if right else text + fill


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` terminal columns, broken after a space or
    ``;``/``,``, or between CJK characters; an ASCII word (an id, an amount) is cut only
    when it is longer than a line. Closing punctuation stays with what it closes."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        rest = paragraph
        while width(rest) > columns:
            used = hard = 0
            soft = -1
            for i, ch in enumerate(rest):
                used += char_width(ch)
                if used > columns:
                    break
                hard = i + 1
                after = rest[i + 1] if i + 1 < len(rest) else " "
                if (ch in _BREAK_AFTER or char_width(ch) == 2 or char_width(after) == 2) and (
                    after not in _NO_LINE_START
                ):
                    soft = i + 1
            cut = soft if soft > 0 else max(hard, 1)
            lines.append(rest[:cut].rstrip())
            rest = rest[cut:].lstrip()
        lines.append(rest)
    return lines


def shortest(cells: Sequence[str]) -> int:
    """The narrowest a column of ``cells`` may wrap to: its longest unbreakable word."""
    words = [width(w) for cell in cells for w in _WORD.findall(cell)]
    return max([MIN_COLUMN, *words])


def fit(natural: Sequence[int], least: Sequence[int], limit: int) -> list[int]:
    """Column widths within ``limit``: the widest columns narrowed first, none below
    ``least`` (a column whose ``least`` is its natural width never wraps)."""
    widths = list(natural)
    total = sum(widths) + _GAP * (len(widths) - 1)
    while total > limit:
        free = [i for i in range(len(widths)) if widths[i] > least[i]]
        if not free:
            break
        widest = max(free, key=lambda i: widths[i])
        others = [widths[i] for i in free if i != widest]
        target = max(least[widest], widths[widest] - (total - limit), max(others, default=0))
        if target >= widths[widest]:
            target = widths[widest] - 1
        total -= widths[widest] - target
        widths[widest] = target
    return widths


def render(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: Sequence[int] = (),
    *,
    max_width: int | str | None = "auto",
) -> str:
    """A table with a header rule; columns in ``right`` are right-aligned (and never
    wrapped). ``max_width``: ``"auto"`` fits :func:`table_width`; None never wraps."""
    natural = [width(h) for h in headers]
    for row in rows:
        natural = [max(w, width(cell)) for w, cell in zip(natural, row, strict=True)]
    limit = table_width() if max_width == "auto" else max_width
    widths = natural
    if isinstance(limit, int):
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in headers]
        least = [
            natural[i]
            if i in right or natural[i] <= MIN_COLUMN
            else min(natural[i], shortest([h, *col]))
            for i, (h, col) in enumerate(zip(headers, columns, strict=True))
        ]
        widths = fit(natural, least, limit)
    lines = ["  ".join(pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        cells = [[c] if w >= width(c) else wrap(c, w) for c, w in zip(row, widths, strict=True)]
        for n in range(max(len(c) for c in cells)):
            parts = [
                pad(c[n] if n < len(c) else "", w, i in right)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ]
            lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def paragraph(text: str, indent: str = "  ", hang: str = "    ") -> str:
    """``text`` wrapped to the table width: first line after ``indent``, the rest after
    ``hang`` (unchanged when there is no limit)."""
    limit = table_width()
    if limit is None or width(indent + text) <= limit:
        return indent + text
    lines = wrap(text, max(MIN_COLUMN, limit - max(width(indent), width(hang))))
    return "\n".join([indent + lines[0], *(hang + line for line in lines[1:])])
