"""The files a load read besides its Beancount files, each as it was when read.

fupin's rules and pages read more than the ``include``d files: the household register's
three files, the seals' digest lists and their folder, every evidence file they hash, the
county's notice key. Whoever must notice that one of them changed (Fava's file watcher,
Beancount's pickle cache) takes the list from the load itself, not from a list kept by
hand, so that a new kind of input is never missed: each reader notes what it reads
(:func:`file`, :func:`folder`), and whatever runs inside :func:`recording` gets every note
made in its thread meanwhile.

A note keeps the path's ``os.stat`` at that moment (device, inode, size, modification and
change time; ``None`` for a path that is not there), taken before the bytes are read.
:meth:`Reads.changed` compares them with the paths as they are now: a file written, replaced
(even by ``cp -p`` with its old time: the change time is new), removed or added, a folder
whose list of names changed. Outside :func:`recording` a note costs one check.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

#: ``(st_dev, st_ino, st_size, st_mtime_ns, st_ctime_ns)``, or None: not there
Stamp = tuple[int, int, int, int, int] | None


def stamp_of(path: str) -> Stamp:
    """The path's stamp now (None when it is not there or cannot be reached)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _stamp(st: os.stat_result) -> Stamp:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@dataclass
class Reads:
    """The files and folders read, by absolute path, each with its stamp when first read."""

    files: dict[str, Stamp] = field(default_factory=dict)
    folders: dict[str, Stamp] = field(default_factory=dict)

    def paths(self) -> list[str]:
        """Every path noted, files and folders, sorted."""
        return sorted({*self.files, *self.folders})

    def changed(self) -> str | None:
        """The first path noted that is not as it was read (None: all are)."""
        for kind in (self.files, self.folders):
            for name, then in list(kind.items()):
                if stamp_of(name) != then:
                    return name
        return None

    def merge(self, other: Reads) -> None:
        """Take ``other``'s notes of paths not noted here yet."""
        for mine, theirs in ((self.files, other.files), (self.folders, other.folders)):
            for name, then in theirs.items():
                mine.setdefault(name, then)


class _Active(threading.local):
    stack: list[Reads]

    def __init__(self) -> None:
        self.stack = []


_ACTIVE = _Active()


@contextmanager
def recording(into: Reads | None = None) -> Iterator[Reads]:
    """Every file and folder noted in this thread within the block goes into ``into`` (a
    new :class:`Reads` when None), and into every recording around this one."""
    reads = Reads() if into is None else into
    _ACTIVE.stack.append(reads)
    try:
        yield reads
    finally:
        _ACTIVE.stack.remove(reads)


def file(path: str | Path, st: os.stat_result | None = None) -> None:
    """Note that the file ``path`` is read (or looked for: one that is not there counts,
    it may appear). ``st``: its ``os.stat`` if the reader has just taken it."""
    if _ACTIVE.stack:
        _note("files", path, st)


def folder(path: str | Path) -> None:
    """Note that the list of names in folder ``path`` is read (or that it is looked for)."""
    if _ACTIVE.stack:
        _note("folders", path, None)


def _note(kind: str, path: str | Path, st: os.stat_result | None) -> None:
    name = os.path.abspath(os.fspath(path))
    stacks = _ACTIVE.stack
    if all(name in getattr(r, kind) for r in stacks):
        return
    now = _stamp(st) if st is not None else stamp_of(name)
    for reads in stacks:
        getattr(reads, kind).setdefault(name, now)
