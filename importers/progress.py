"""A progress bar on stderr for long imports (tqdm), quiet unless asked for.

``fupin import extract`` turns it on for an interactive terminal (stderr is a TTY and no
``--json``); importers wrap their long loops in :func:`track`, which returns the iterable
itself when the bar is off or the loop is short, so tests and pipes see no output.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")
#: loops shorter than this get no bar
MIN_ITEMS = 20_000
_ON: ContextVar[bool] = ContextVar("fupin_import_progress", default=False)


@contextlib.contextmanager
def shown(on: bool = True) -> Iterator[None]:
    """Show bars inside the block (when ``on`` and stderr is a terminal)."""
    token = _ON.set(on and sys.stderr.isatty())
    try:
        yield
    finally:
        _ON.reset(token)


def track(items: Iterable[T], total: int, what: str) -> Iterable[T]:
    """``items`` with a bar on stderr (``what``: a Chinese label) when bars are on."""
    if not _ON.get() or total < MIN_ITEMS:
        return items
    from tqdm import tqdm

    bar: Iterable[T] = tqdm(
        items, total=total, desc=what, unit="行", file=sys.stderr, leave=False, mininterval=0.5
    )
    return bar
