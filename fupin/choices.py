"""What a command's ``--village``, ``--township``, ``--project`` or ``--year`` may name.

A value the ledger does not know is a usage error with the closest known values ("是不是
…?"), never an empty result with exit 0: ``notices --village 青三村`` must not quietly
write nothing. A known village with nothing to show is fine (and says so).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fupin.book import Book


class UnknownChoice(ValueError):
    """A value the ledger does not know; the message suggests the closest known ones."""


def _names(values: Iterable[str | None]) -> list[str]:
    return sorted({v for v in values if v})


def places(book: Book) -> tuple[list[str], list[str]]:
    """(townships, villages) the ledger names: of its projects, assets and notices."""
    from fupin.assets import Asset
    from fupin.entities import Notice

    items: list[tuple[str | None, str | None]] = []
    items += [(p.township, p.village) for p in book.projects.values()]
    items += [(a.township, a.village) for a in book.all(Asset)]
    items += [(n.township, n.village) for n in book.all(Notice)]
    return _names(t for t, _ in items), _names(v for _, v in items)


def ledger_years(book: Book) -> list[int]:
    """Every year from the ledger's first dated entry to its last."""
    dates = [e.date for e in book.entries[:1]]
    last = book.last_date
    if not dates or last is None:
        return []
    return list(range(dates[0].year, last.year + 1))


def suggest(value: str, known: Sequence[str]) -> list[str]:
    """The known values closest to ``value`` (at most three)."""
    return difflib.get_close_matches(value, list(known), n=3, cutoff=0.4)


def require(value: str, known: Sequence[str], what: str) -> str:
    """``value`` when the ledger knows it; else :class:`UnknownChoice` ("是不是 …?")."""
    if value in known:
        return value
    close = suggest(value, known)
    hint = f"; 是不是 {'、'.join(close)}?" if close else ""
    listed = "、".join(known[:12]) + (" …" if len(known) > 12 else "")
    raise UnknownChoice(f"账簿中没有{what} {value!r}{hint} (已知{what}: {listed or '无'})")


def require_year(year: int, known: Sequence[int], what: str = "年度") -> int:
    """``year`` when it is one of ``known``; else :class:`UnknownChoice` naming the range."""
    if year in known:
        return year
    span = f"{min(known)}–{max(known)}" if known else "无"
    raise UnknownChoice(f"账簿中没有{what} {year} 的数据 (账簿中的{what}: {span})")
