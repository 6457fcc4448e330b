"""The files the plugin read besides the books: kept with the load, and made part of
Beancount's load-cache key.

The plugin records what its rules read (:mod:`fupin.reads`: the register's files, digest
lists and their folder, evidence files, each with its state when read) and keeps it in the
load's options (:func:`keep`), where Fava's watcher takes it (``fupin.reports.fava.watch``).

``bean-check`` keeps its whole result, the plugin's errors included, in
``.<main>.picklecache`` and reuses it while every ``include``d file keeps its modification
time and size. The files the rules read are not included: a replaced evidence file, an
edited digest list or a register broken after the first ``bean-check`` passed a second one
from that cache. When a load goes through that cache, they (and the folders whose names were
read, so a file added or removed counts) are appended to ``options["include"]``, which
Beancount hashes after the plugins ran. Other loads (``fupin``'s own, Fava's uncached one)
keep their list: Fava serves every included file as source, the register must not be one.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable
from typing import Any

from fupin.reads import Reads


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


#: where a load's options keep what its rules read (:func:`keep`, :func:`of`)
KEY = "fupin_reads"


def keep(options_map: Any, read: Reads) -> None:
    """Keep with the load's options what its rules read (Fava's watcher takes it there)."""
    options_map[KEY] = read


def of(options_map: Any) -> Reads:
    """What the load of these options read: the plugin's notes, to which later readers of
    the same load (the Fava pages) add theirs; a new, empty one for a load without them."""
    held = options_map.get(KEY)
    if not isinstance(held, Reads):
        held = options_map[KEY] = Reads()
    return held


def extend(options_map: Any, paths: Iterable[str]) -> None:
    """Append what is not yet in ``options_map["include"]``."""
    included = options_map.setdefault("include", [])
    known = set(included)
    included.extend(p for p in paths if p not in known)
