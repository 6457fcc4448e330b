"""Confined, atomic notice output: safe names, a staging folder and one rename swap.

* **Names.** Every file and folder name is made from an id or place name by
  :func:`safe_name`: NFKC, no path separators, control characters or leading dots, never
  ``.``/``..``, at most :data:`MAX_NAME_BYTES` bytes of UTF-8 (longer names are cut and get a
  short hash, so two long names never collide), unique within its folder. Every path written
  is checked to resolve inside the staging folder.
* **Staging and swap.** A run writes into ``.<out>.staging-<pid>-<random>`` beside ``--out``
  (same file system), then publishes by one ``renameat2(RENAME_EXCHANGE)`` of the staging
  folder and ``--out``: a reader sees the previous set or the new one, whole, never a mix;
  the previous set is then removed. Where the exchange is not supported, ``--out`` is moved
  aside and the new set moved in (two renames; a run killed between them leaves the previous
  set under ``.<out>.old-*``, which the next run puts back before anything else).
* **One run at a time.** A lock file ``.<out>.lock`` beside ``--out`` (``flock``); under it
  the leftovers of killed runs (staging and old folders) are removed.
* **Never someone else's folder.** An existing ``--out`` is replaced only when it is empty,
  holds a fupin manifest, or holds an ``index.html`` among nothing but ``.html``/``.pdf``
  files (the first version's output).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import functools
import hashlib
import json
import os
import secrets
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MAX_NAME_BYTES = 100
MANIFEST = ".fupin-manifest.json"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_RESERVED = frozenset(
    {
        "con",
        "prn",
        "aux",
        "nul",
        *(f"com{i}" for i in range(1, 10)),
        *(f"lpt{i}" for i in range(1, 10)),
    }
)
_KEEP = frozenset("-_.·（）()〔〕")


class OutputError(Exception):
    """``--out`` cannot be used: not a folder, someone else's folder, or locked by a run."""


def safe_name(text: str, suffix: str = "", *, limit: int = MAX_NAME_BYTES) -> str:
    """A file or folder name made from ``text`` (+ ``suffix``, e.g. ``.pdf``): see module doc.

    A name that had to be cleaned or cut gets ``-`` and 8 hex digits of the original's hash,
    so two different ids never end up with one name.
    """
    nfkc = unicodedata.normalize("NFKC", text)
    cleaned = "".join(c if (c.isalnum() or c in _KEEP) else "_" for c in nfkc)
    cleaned = cleaned.lstrip("._ ").rstrip("_ ") or "_"
    if cleaned.lower().split(".", 1)[0] in _RESERVED:
        cleaned = "_" + cleaned
    budget = limit - len(suffix.encode())
    if cleaned != nfkc or len(cleaned.encode()) > budget:
        tag = "-" + hashlib.sha256(text.encode()).hexdigest()[:8]
        cleaned = _cut(cleaned, budget - len(tag)) + tag
    return cleaned + suffix


def _cut(text: str, budget: int) -> str:
    out = text.encode()[: max(1, budget)].decode(errors="ignore")
    return out or "_"


class Names:
    """Unique safe names within each folder (case-insensitively)."""

    def __init__(self) -> None:
        self._used: dict[str, dict[str, str]] = {}

    def get(self, folder: str, text: str, suffix: str = "") -> str:
        used = self._used.setdefault(folder, {})
        name = safe_name(text, suffix)
        key = name.casefold()
        if key in used and used[key] != text + suffix:
            tag = "-" + hashlib.sha256((text + suffix).encode()).hexdigest()[:8]
            stem = name[: len(name) - len(suffix)] if suffix else name
            name = _cut(stem, MAX_NAME_BYTES - len(tag) - len(suffix.encode())) + tag + suffix
            key = name.casefold()
        used[key] = text + suffix
        return name


def inside(root: Path, path: Path) -> Path:
    """``path``, after checking that it resolves inside ``root`` (else a bug: raise).

    The folder is resolved (symbolic links followed) once; the last name must be a plain one.
    """
    name = path.name
    if name in ("", ".", "..") or "/" in name or "\\" in name:
        raise OutputError(f"refusing to write outside the output folder: {path}")
    if not _resolved(path.parent).is_relative_to(_resolved(root)):
        raise OutputError(f"refusing to write outside the output folder: {path}")
    return path


@functools.lru_cache(maxsize=4096)
def _resolved(path: Path) -> Path:
    return path.resolve()


# -- staging and publishing -------------------------------------------------------------


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False when not supported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = (
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    )
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read_manifest(out: Path) -> dict[str, Any]:
    """The manifest of the set published in ``out`` (empty when there is none)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _ours(out: Path) -> bool:
    """``out`` is empty, or a notices folder this program wrote (its manifest, or an index
    page among nothing but notices: the first version's output)."""
    if (out / MANIFEST).is_file() or not any(out.iterdir()):
        return True
    if not (out / "index.html").is_file():
        return False
    for path in out.rglob("*"):
        if path.is_symlink() or (path.is_file() and path.suffix.lower() not in (".html", ".pdf")):
            return False
    return True


class Publisher:
    """The staging folder of one run and its publication (use as a context manager)."""

    def __init__(self, out: Path) -> None:
        self.out = Path(os.path.abspath(out))
        if self.out.is_symlink():
            raise OutputError(f"{self.out}: is a symbolic link; give the real folder as --out")
        if self.out.exists() and not self.out.is_dir():
            raise OutputError(f"{self.out}: exists and is not a folder")
        self.parent = self.out.parent
        self.stem = safe_name(self.out.name, limit=60)
        self._lock_fd: int | None = None
        self.stage = Path()

    def _siblings(self, kind: str) -> Iterator[Path]:
        yield from self.parent.glob(f".{self.stem}.{kind}-*")

    def __enter__(self) -> Publisher:
        self.parent.mkdir(parents=True, exist_ok=True)
        lock = self.parent / f".{self.stem}.lock"
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise OutputError(
                f"{self.out}: another `fupin notices` run is writing it (lock {lock})"
            ) from None
        self._lock_fd = fd
        self.recover()
        if self.out.exists() and not _ours(self.out):
            self.__exit__(None, None, None)
            raise OutputError(
                f"{self.out}: this folder holds files that are not notices; give an empty or "
                "new folder as --out (the whole folder is replaced by each run)"
            )
        self.stage = self.parent / f".{self.stem}.staging-{os.getpid()}-{secrets.token_hex(4)}"
        self.stage.mkdir()
        return self

    def recover(self) -> None:
        """Put back a previous set a killed run left aside; remove every leftover."""
        olds = sorted(self._siblings("old"), key=lambda p: p.stat().st_mtime)
        if olds and not self.out.exists():
            olds[-1].rename(self.out)
            olds = olds[:-1]
        for leftover in [*olds, *self._siblings("staging")]:
            shutil.rmtree(leftover, ignore_errors=True)

    def publish(self) -> None:
        """Replace ``out`` by the staging folder in one step; remove the previous set."""
        _fsync_dir(self.stage)
        if not self.out.exists():
            os.rename(self.stage, self.out)
        elif _exchange(self.stage, self.out):
            shutil.rmtree(self.stage, ignore_errors=True)  # now the previous set
        else:
            old = self.parent / f".{self.stem}.old-{os.getpid()}-{secrets.token_hex(4)}"
            os.rename(self.out, old)
            os.rename(self.stage, self.out)
            shutil.rmtree(old, ignore_errors=True)
        _fsync_dir(self.parent)

    def __exit__(self, *exc: object) -> None:
        if self.stage != Path() and self.stage.exists():
            shutil.rmtree(self.stage, ignore_errors=True)
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
