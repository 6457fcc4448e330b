"""The cyclic garbage collector around a load (DESIGN.md, speed; docs/architecture.md).

Loading a ledger allocates millions of small container objects (entries, postings, meta
dicts, the book's records) that all survive: each of the collector's full passes walks
every one of them again, which makes a large load superlinear. So a load runs with the
collector paused, and the objects alive at its end are frozen (``gc.freeze()``: moved to
a generation the collector never walks). Freezing frees nothing and keeps nothing alive:
reference counting still frees a frozen object as soon as nothing refers to it; only a
*cycle* of frozen garbage waits until it is unfrozen and collected.

Only the outermost pause acts (:func:`paused` nests): ``fupin check``'s load, ``fupin
serve``'s reload, else the plugin itself (a plain ``bean-check``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_depth = 0
_froze = False  # whether an outermost plugin pass has frozen once in this process


def outermost() -> bool:
    """Whether no pause is under way (the caller's pause would be the outermost)."""
    return _depth == 0


@contextmanager
def paused(*, freeze: bool = True, reclaim: bool = False) -> Iterator[None]:
    """The collector off within; the outermost pause, when it ends, freezes what is alive.

    ``reclaim`` (a long-lived server, once per reload): first unfreeze what an earlier load
    froze, and collect once at the end, before freezing again, so that the previous load's
    cyclic garbage is freed and the server's memory stays flat over any number of reloads.
    """
    global _depth
    outer = _depth == 0
    enabled = gc.isenabled()
    if outer and reclaim:
        gc.unfreeze()
    gc.disable()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if outer:
            if reclaim:
                gc.collect()
            if freeze:
                gc.freeze()
            if enabled:
                gc.enable()


def freeze_once() -> bool:
    """For a plugin pass that is the outermost pause: freeze only the first time.

    A plain ``bean-check`` loads once: freezing its entries spares Beancount's validation
    after the plugin every walk over them. A process that reloads without fupin's own
    wrapper (plain ``fava`` with the plugin) freezes its first load only, so at most that
    load's cyclic garbage is kept; later loads leave the collector as they found it.
    """
    global _froze
    if _froze:
        return False
    _froze = True
    return True
