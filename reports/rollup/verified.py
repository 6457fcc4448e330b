"""Export files verified before, kept between roll-ups: the row digest is not recomputed.

A record says: a file of these exact bytes passed the roll-up's content checks (row count,
amount totals, row digest; or, for an export written before the row digest, the SHA-256 of
its values) under this verification code. Its key is the SHA-256 of the file's bytes
(never its modification time, nor its path), the file's recorded checks, DuckDB's version
and a SHA-256 of the verifying source (:mod:`fupin.reports.row_digest`,
:mod:`fupin.reports.parquet_format`, :mod:`fupin.reports.rollup.dataset` and this module). A
file re-exported, altered or copied over by other bytes has another key: it is verified
again. A failed check writes nothing; a file that changed while it was verified (its size,
inode or change time differ afterwards) is not recorded either. Everything else the roll-up
checks (footer, folders, schema, a county's partitions) runs every time.

The records live in fupin's cache folder (:func:`fupin.cache.directory`: ``$FUPIN_CACHE_DIR``,
else ``$XDG_CACHE_HOME/fupin``, else ``~/.cache/fupin``, mode 0700) as ``<key>.passed``,
written atomically and pruned with the load cache (``FUPIN_CACHE_MAX_MB``);
``FUPIN_CACHE=off`` switches them off; an unreadable or foreign record is a miss.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from fupin.reports import parquet_format as fmt

from fupin import cache, file_memo

#: bump when the record's layout or meaning changes
FORMAT = 1
#: the recorded checks that are part of a record's key
KEY_FIELDS = (
    fmt.K_SCHEMA,
    fmt.K_TABLE,
    fmt.K_ROWS,
    fmt.K_ROW_DIGEST,
    fmt.K_DIGEST,
    fmt.K_AMOUNT,
    fmt.K_ABS,
)


@dataclass(frozen=True)
class Stamp:
    """What identifies a file's bytes now: their SHA-256, and the stat that must not move
    while it is verified (a guard only, never part of a key)."""

    sha256: str
    stat: tuple[int, int, int, int]


def stamp(path: Path) -> Stamp:
    """The SHA-256 of the file's bytes (raises OSError)."""
    with open(path, "rb") as handle:
        before = _stat(os.fstat(handle.fileno()))
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return Stamp(digest, before)


def _stat(st: os.stat_result) -> tuple[int, int, int, int]:
    return st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns


def key(file_sha256: str, meta: dict[str, str], checks: str) -> str:
    """The record key of a file's bytes, its recorded checks and the checks run."""
    digest = hashlib.sha256()
    for part in (
        f"rollup-verified/{FORMAT}",
        code_tag(),
        checks,
        *(f"{name}={meta.get(name, '')}" for name in KEY_FIELDS),
        file_sha256,
    ):
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    return digest.hexdigest()


@functools.cache
def code_tag() -> str:
    """DuckDB's version and a SHA-256 of the source of every verifying module."""
    import duckdb
    from fupin.reports import row_digest
    from fupin.reports.rollup import dataset

    digest = hashlib.sha256(duckdb.__version__.encode())
    for module in (row_digest, fmt, dataset):
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


class Verified:
    """The records of one roll-up: :meth:`known` before verifying, :meth:`record` after.
    Without a cache folder (switched off, or one that cannot be made) nothing is kept."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else cache.directory()
        if self.folder is not None:
            try:
                self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError:
                self.folder = None

    def _path(self, record_key: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{record_key}.passed"

    def known(self, record_key: str) -> bool:
        """Whether these bytes passed these checks under this code before."""
        if self.folder is None:
            return False
        target = self._path(record_key)
        try:
            record = json.loads(target.read_bytes())
        except FileNotFoundError:
            return False
        except (OSError, ValueError):  # torn or foreign: a miss, and it goes
            with contextlib.suppress(OSError):
                target.unlink()
            return False
        if not isinstance(record, dict) or record.get("key") != record_key:
            return False
        with contextlib.suppress(OSError):
            os.utime(target)  # most recently used
        return True

    def record(self, record_key: str, path: Path, before: Stamp) -> bool:
        """Keep that ``path`` passed, unless it changed since ``before`` (False then)."""
        if self.folder is None:
            return False
        try:
            if _stat(path.stat()) != before.stat:
                return False
            blob = json.dumps({"key": record_key, "file": str(path), "sha256": before.sha256})
            file_memo.write_atomic(self._path(record_key), blob.encode())
        except OSError:  # a full disk, a read-only folder: just not kept
            return False
        return True

    def prune(self) -> None:
        """Keep the cache folder under its bound (the load cache's rule)."""
        if self.folder is not None:
            cache.prune(self.folder)
