"""The files the plugin reads besides the books, made part of Beancount's load-cache key.

``bean-check`` keeps its whole result, the plugin's errors included, in
``.<main>.picklecache`` and reuses it while every ``include``d file keeps its modification
time and size. The digest lists, the evidence files and the household register are read by
the plugin, not included: a replaced evidence file, an edited digest list or a register
broken after the first ``bean-check`` passed a second one from that cache. When a load goes through that cache, they (and the folders that hold them, so a file
added or removed counts) are appended to ``options["include"]``, which Beancount hashes
after the plugins ran. Other loads (``fupin``'s own, Fava's uncached one) keep their list.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fupin.book import Book


def through_beancount_cache() -> bool:
    """Whether this load runs inside Beancount's pickle-cache wrapper (``bean-check``,
    ``loader.load_file`` with the cache on). With the cache off (``BEANCOUNT_DISABLE_LOAD_CACHE``,
    ``loader.initialize(use_cache=False)``) Beancount wraps its loader too, in a function that
    only deletes a stale cache file: that one does not count."""
    from beancount import loader

    code = getattr(loader._load_file, "__code__", None)
    if code is None or code is not _cache_wrapper_code():
        return False  # the cache is off in this process
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is code:
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


@functools.cache
def _cache_wrapper_code() -> Any:
    """The code of the function Beancount's pickle cache wraps a loader in (every such
    wrapper shares it)."""
    from beancount import loader

    def load(*_args: Any, **_kw: Any) -> None:
        return None

    return loader.pickle_cache_function(lambda name: name, 0.0, load).__code__


def audit_inputs(book: Book) -> list[str]:
    """Every digest list and evidence file the seals and evidence rules read, with their
    folders (the seals' ``seals/`` folder, every folder under the documents folder), and the
    household register's three files that the household rules read."""
    from fupin.evidence import collect
    from fupin.households import register_path
    from fupin.seals import DIGESTS_DIR, digests_path, ledger_root, verify

    root = ledger_root(book)
    found: set[str] = set()
    for check in verify(book).checks:
        found.add(str(digests_path(check.seal, check.period.entry, root)))
    if root:
        found.add(str(Path(root) / DIGESTS_DIR))
    evidence = collect(book)
    found.update(str(piece.file) for piece in evidence.pieces)
    folders = [evidence.folder] + [
        Path(root or ".") / str(name) for name in book.options.get("documents") or ()
    ]
    for folder in folders:
        found.update(_folders(folder))
    register = register_path(None, book)
    if register is not None:
        for name in (register.name, "members.csv", "events.csv"):
            found.add(str(register.parent / name))  # a missing one counts once it appears
    return sorted(found)


def _folders(top: Path) -> Iterable[str]:
    if not top.is_dir():
        return
    for here, _dirs, _files in os.walk(top):
        yield here


def extend(options_map: Any, paths: Iterable[str]) -> None:
    """Append what is not yet in ``options_map["include"]``."""
    included = options_map.setdefault("include", [])
    known = set(included)
    included.extend(p for p in paths if p not in known)
