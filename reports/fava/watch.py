"""Fava's file watcher, told of the files fupin's rules and pages read besides the books.

Fava reloads a ledger when its watcher sees a change in ``options["include"]`` or a
documents folder (``FavaLedger.changed()``: on every page request and the browser's poll of
``/api/changed``). The register, the digest lists, the evidence files and the notice key
are none of these, so a replaced evidence file left the pages showing the old findings. They
cannot join ``options["include"]``: Fava serves every file listed there as source, and the
register holds ID numbers.

So each ledger's watcher is wrapped once (:func:`attach`): its ``check()`` is Fava's, and
also true when a file or folder the current load read (:mod:`fupin.reads`, kept with the
load's options by the plugin and added to by the pages) is not as it was read: written,
replaced, removed, or there now and not then. Then Fava reloads as for a saved
``.beancount`` file, and the ledger's ``mtime`` moves on, so the browser's poll notices.
Comparing stamps costs one ``stat`` per file read and sees what a watcher of modification
times misses (``cp -p`` keeps the old one; the change time is new). The sample's 174 paths take
0.6 ms; a county with 5,000 evidence files ~45 ms, so a sweep that took more than
:data:`SWEEP_FLOOR` is not repeated for :data:`SWEEP_SHARE` times as long (at most a tenth of
the time goes to sweeps, and a change is seen within half a second at that size: the browser
polls every five).
"""

from __future__ import annotations

import time
import types
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from fava.core.watcher import WatcherBase

from fupin import load_inputs
from fupin.reads import Reads

if TYPE_CHECKING:
    from fava.core import FavaLedger

#: a sweep of the stamps quicker than this (seconds) may run again at once
SWEEP_FLOOR = 0.005
#: after a slower one, the next waits this many times as long as it took
SWEEP_SHARE = 10


class InputWatcher(WatcherBase):
    """Fava's own watcher (``inner``) plus the files the current load read (``reads``)."""

    def __init__(self, inner: WatcherBase) -> None:
        self.inner = inner
        self.reads: Reads | None = None
        self.next_sweep = 0.0  # time.monotonic() before which the stamps are not compared

    @property
    def last_checked(self) -> int:  # Fava reads it as the ledger's mtime
        return self.inner.last_checked

    @last_checked.setter
    def last_checked(self, value: int) -> None:
        self.inner.last_checked = value

    @property
    def last_notified(self) -> int:
        return self.inner.last_notified

    @last_notified.setter
    def last_notified(self, value: int) -> None:
        self.inner.last_notified = value

    def update(self, files: Iterable[Path], folders: Iterable[Path]) -> None:
        self.inner.update(files, folders)

    def notify(self, path: Path) -> None:
        self.inner.notify(path)

    def check(self) -> bool:
        """Fava's check; else whether a file the load read changed (then the ledger's
        mtime moves on by one, as if Fava's watcher had seen it)."""
        if self.inner.check():
            return True
        start = time.monotonic()
        if self.reads is None or start < self.next_sweep:
            return False
        changed = self.reads.changed()
        spent = time.monotonic() - start
        self.next_sweep = start + SWEEP_SHARE * spent if spent > SWEEP_FLOOR else 0.0
        if changed is None:
            return False
        self.inner.last_checked += 1
        return True

    def _get_latest_mtime(self) -> int:
        return self.inner._get_latest_mtime()

    def __enter__(self) -> None:
        enter = getattr(self.inner, "__enter__", None)
        if enter is not None:
            enter()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        leave = getattr(self.inner, "__exit__", None)
        if leave is not None:
            leave(exc_type, exc_value, traceback)


def reads(ledger: FavaLedger) -> Reads:
    """What the ledger's current load read (the plugin's notes; the pages add theirs)."""
    return load_inputs.of(cast("dict[str, Any]", ledger.options))


def attach(ledger: FavaLedger) -> InputWatcher:
    """Make the ledger's watcher also watch what its current load read (after each load)."""
    current: WatcherBase = ledger.watcher
    if isinstance(current, InputWatcher):
        watcher = current
    else:
        watcher = InputWatcher(current)
        # Fava types the slot as its two watchers; every use of it is WatcherBase's API
        ledger.watcher = watcher  # type: ignore[assignment]
    watcher.reads = reads(ledger)
    watcher.next_sweep = 0.0
    return watcher
