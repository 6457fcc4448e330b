"""One load: the book and rule results the plugin built, handed to whoever loaded.

The plugin (``plugin "fupin.plugins"``) builds the book and runs every rule while
Beancount loads the ledger. ``fupin check``/``compliance``/``notices`` (:mod:`fupin.load`)
and the Fava extension take that very book and those results instead of building and
running them again:

* a caller that wants them says so first (:func:`collecting`; Fava's extension and
  ``fupin serve`` switch on :func:`serve_mode`), so that a plain ``bean-check`` keeps
  nothing and builds no compliance rows;
* the plugin leaves what it built for the current thread (:func:`publish`);
* the caller takes it only for the entries it got back (:func:`take`): Beancount's own
  pad and balance steps run after every plugin and return new lists, so the check is that
  the same entries, in the same order, came back (a balance entry may be a checked copy).
  Anything else — a pad that added entries, a plugin after ours, Beancount's pickle cache
  (whose hit runs no plugin) — and the caller builds the book itself, as before.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from beancount.core.data import Balance

if TYPE_CHECKING:
    from fupin.book import Book
    from fupin.engine import Results


@dataclass(frozen=True)
class Built:
    """What the plugin built in one load."""

    entries: Sequence[Any]  # the list the plugin saw
    book: Book
    results: Results
    measures: bool  # whether the results keep every compliance row
    as_of: datetime.date | None = None  # the day the book is as of (None: its last entry)


class _State(threading.local):
    wanted: int = 0  # callers in this thread that asked for the plugin's results
    measures: bool = False
    as_of: datetime.date | None = None
    built: Built | None = None


_STATE = _State()
_SERVING = False


def serve_mode(on: bool = True) -> None:
    """A long-lived server (Fava) keeps what every load's plugin builds, measures included."""
    global _SERVING
    _SERVING = on


@contextmanager
def collecting(*, measures: bool = True, as_of: datetime.date | None = None) -> Iterator[None]:
    """Within this block, the plugin keeps what it builds for :func:`take` (with ``as_of``:
    the book as of that day, as ``fupin check --date`` shows it)."""
    state = _STATE
    state.wanted += 1
    previous, previous_day = state.measures, state.as_of
    state.measures = measures or previous
    state.as_of = as_of
    try:
        yield
    finally:
        state.wanted -= 1
        state.measures, state.as_of = previous, previous_day
        if not state.wanted and not _SERVING:
            state.built = None


def keep_measures() -> bool:
    """Whether the plugin's run should keep every compliance row (a caller wants them)."""
    return _SERVING or (_STATE.wanted > 0 and _STATE.measures)


def wanted() -> bool:
    return _SERVING or _STATE.wanted > 0


def as_of() -> datetime.date | None:
    """The day the caller wants the plugin's book as of (None: the whole ledger)."""
    return _STATE.as_of if _STATE.wanted > 0 else None


def publish(
    entries: Sequence[Any],
    book: Book,
    results: Results,
    measures: bool,
    as_of: datetime.date | None = None,
) -> None:
    """Called by the plugin: what it built for these entries (kept only when wanted)."""
    _STATE.built = Built(entries, book, results, measures, as_of) if wanted() else None


def take(
    entries: Sequence[Any], *, measures: bool = True, as_of: datetime.date | None = None
) -> Built | None:
    """What the plugin built, if it built it for ``entries`` (and kept measures when they
    are needed, as of the same day); None otherwise. Hands it over once."""
    built = _STATE.built
    _STATE.built = None
    if built is None or (measures and not built.measures) or built.as_of != as_of:
        return None
    return built if same_entries(built.entries, entries) else None


def same_entries(seen: Sequence[Any], final: Sequence[Any]) -> bool:
    """The same entries in the same order (a balance entry may be Beancount's checked copy)."""
    if seen is final:
        return True
    if len(seen) != len(final):
        return False
    for a, b in zip(seen, final, strict=True):
        if a is not b and not (type(a) is Balance and type(b) is Balance and a.date == b.date):
            return False
    return True
