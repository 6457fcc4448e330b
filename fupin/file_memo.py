"""What a check learns of one unchanged file, kept beside the file's cache record.

Some of the plugin's work is a function of one file's transactions alone: the distinct
metadata keys and values LEDGER's quick test reads, whether any of the file's texts may
hold a personal number (PII). :func:`recall` keeps such a result under the file's record
key (:func:`fupin.cache.record_key`: path, SHA-256 of the bytes, booking options, code
versions), so the re-check after editing one file of a ledger spread over monthly files
computes it for that file only. A result is offered only when

* the load is :mod:`fupin.cache`'s (``fupin check``, ``fupin serve``) and the cache is on;
* ``fupin.plugins`` is the ledger's first plugin (no plugin of the county's changed the
  transactions before ours: Beancount's own ``documents`` step adds documents only);
* the transactions asked about are the very objects the file's record holds, all of them
  (a book cut at ``--date`` or a plugin that replaced one computes afresh).

A preflight verdict (:func:`fupin.preflight.preflight`: a function of a file's name and
bytes) is kept the same way (:func:`verdict`, :func:`mark_passed`). Records are written
atomically into the cache folder and pruned with it; an unreadable one is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class _File:
    key: str
    entries: list[Any]  # the record's entries (the transactions are looked up lazily)
    ids: frozenset[int] | None = None


@dataclass
class Recalls:
    """What the last cached load's memos did (for benchmarks and tests)."""

    kept: int = 0  # results taken from an earlier run
    computed: int = 0  # results computed (and kept) in this run


LAST = Recalls()


class _Load(threading.local):
    folder: Path | None = None
    files: dict[str, _File] | None = None


_LOAD = _Load()


@contextlib.contextmanager
def offered(folder: Path | None, files: Iterable[tuple[str, str, list[Any]]]) -> Any:
    """Within this block (the plugins' run of a cached load), memos of these files
    (name, record key, the record's entries) may be recalled and kept."""
    global LAST
    LAST = Recalls()
    previous = _LOAD.folder, _LOAD.files
    _LOAD.folder = folder
    _LOAD.files = {name: _File(key, entries) for name, key, entries in files}
    try:
        yield
    finally:
        _LOAD.folder, _LOAD.files = previous


def recall(name: str, kind: str, txns: list[Any], compute: Callable[[], T]) -> T:
    """``compute()`` for the transactions ``txns`` of file ``name``: kept from an earlier
    run of the same file's bytes and code, or computed now (and kept, when allowed)."""
    folder, file = _LOAD.folder, (_LOAD.files or {}).get(name)
    if folder is None or file is None or not _whole(file, txns):
        return compute()
    target = folder / f"{file.key}.{kind}.pickle"
    try:
        with open(target, "rb") as handle:
            key, found_kind, value = pickle.load(handle)
        if key == file.key and found_kind == kind:
            LAST.kept += 1
            return value  # type: ignore[no-any-return]
    except FileNotFoundError:
        pass
    except Exception:  # a torn or foreign record: a miss
        with contextlib.suppress(OSError):
            target.unlink()
    value = compute()
    LAST.computed += 1
    _write(target, pickle.dumps((file.key, kind, value), protocol=pickle.HIGHEST_PROTOCOL))
    return value


def _whole(file: _File, txns: list[Any]) -> bool:
    """Whether ``txns`` are exactly the transactions of the file's record."""
    if file.ids is None:
        from beancount.core.data import Transaction

        file.ids = frozenset(id(e) for e in file.entries if type(e) is Transaction)
    return len(txns) == len(file.ids) and all(id(t) in file.ids for t in txns)


def write_atomic(target: Path, blob: bytes) -> None:
    """Write ``blob`` to a temporary file beside ``target`` and rename it into place (a
    reader sees the whole file or none); raises OSError (a full disk, a read-only folder)."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".pickle")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _write(target: Path, blob: bytes) -> None:
    with contextlib.suppress(OSError):  # a full disk or a read-only folder: just not kept
        write_atomic(target, blob)


# -- preflight verdicts ---------------------------------------------------------------------
def _passed_path(folder: Path, name: str, content_digest: bytes) -> Path:
    from fupin.cache import code_tag

    digest = hashlib.sha256()
    for part in ("preflight", code_tag(), name):
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    digest.update(content_digest)
    return folder / f"{digest.hexdigest()}.passed"


def content_digest(content: bytes) -> bytes | None:
    """The SHA-256 of a file's bytes, by which its verdict and its record are kept; None
    with the cache off (nothing is kept, so nothing is hashed)."""
    from fupin.cache import directory

    return None if directory() is None else hashlib.sha256(content).digest()


def verdict(name: str, digest: bytes | None) -> Path | None:
    """Where the preflight's verdict on the bytes of file ``name`` whose SHA-256 is
    ``digest`` (:func:`content_digest`) is kept (None with the cache off); the file exists
    when they passed before, with this code."""
    from fupin.cache import directory

    folder = directory()
    return None if folder is None or digest is None else _passed_path(folder, name, digest)


def passed(name: str, content: bytes) -> bool:
    """Whether these bytes of file ``name`` passed the preflight of this code before."""
    kept = verdict(name, content_digest(content))
    return kept is not None and kept.is_file()


def mark_passed(kept: Path) -> None:
    """Remember that the bytes behind ``kept`` (:func:`verdict`) passed the preflight."""
    with contextlib.suppress(OSError):
        kept.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write(kept, b"")
