"""One writer at a time per ledger: ``fupin seal``, ``fupin correct --append`` and ``fupin
import extract -e … -o …``.

Two clerks (or a cron job and a clerk) who seal at the same instant would each plan a seal
from the books as they were, and both append it: two seal entries for one period, or a
digest list that no longer matches its entry. So every command that writes into the books
holds an exclusive lock on ``.fupin.lock`` in the main file's folder for the whole of
load → plan → write → verify; the second run waits, then loads the books the first left.

The lock is the operating system's (``fcntl.flock`` on Linux and macOS, ``msvcrt.locking``
on Windows): it goes with the process, so a run that is killed leaves no stale lock. The
file itself stays (removing it would let a third run lock a new file while the second
holds the old one). A file system that cannot lock (some network shares) is an error
naming the file, never a write without the lock.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

LOCK_NAME = ".fupin.lock"

#: how long a Windows run sleeps between two tries (msvcrt has no blocking lock of its own)
_POLL_SECONDS = 0.2


class LockUnavailable(Exception):
    """The lock file cannot be created or locked: its message names it, in Chinese."""


def lock_path(main: Path) -> Path:
    """The lock of the ledger whose main file is ``main``."""
    return main.resolve().parent / LOCK_NAME


@contextlib.contextmanager
def writing(main: Path, on_wait: Callable[[Path], None]) -> Iterator[None]:
    """Hold the ledger's write lock for the block; call ``on_wait`` once if another run
    holds it (then wait until it ends). A main file whose folder does not exist is not
    locked: there is nothing to write to, and the load names the missing file."""
    path = lock_path(main)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except FileNotFoundError:
        yield
        return
    except OSError as exc:
        raise LockUnavailable(f"{path}: 无法创建锁文件 ({exc.strerror})") from None
    try:
        if not _try_lock(fd, path):
            on_wait(path)
            _wait_lock(fd, path)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def held(main: Path, undone: str) -> Iterator[None]:
    """:func:`writing` for a command: says on stderr that this run waits for another, and
    turns a lock that cannot be taken into a Chinese error ending with ``undone``."""
    import click

    from fupin.cli import relpath

    def waiting(lock: Path) -> None:
        click.echo(
            f"另一个 fupin 命令正在写这本账簿 (锁 {relpath(str(lock))}): 等它结束后再继续…",
            err=True,
        )

    try:
        with writing(main, waiting):
            yield
    except LockUnavailable as exc:
        raise click.ClickException(f"{exc}; {undone}") from None


_BUSY = {errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EDEADLK}


def _unsupported(path: Path, exc: OSError) -> LockUnavailable:
    return LockUnavailable(
        f"{path}: 无法加锁 ({exc.strerror}; 网络共享盘可能不支持文件锁), "
        "请在账簿所在电脑的本地磁盘上运行"
    )


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int, path: Path) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            if exc.errno in _BUSY:
                return False
            raise _unsupported(path, exc) from None
        return True

    def _wait_lock(fd: int, path: Path) -> None:
        while not _try_lock(fd, path):
            time.sleep(_POLL_SECONDS)

else:
    import fcntl

    def _try_lock(fd: int, path: Path) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in _BUSY:
                return False
            raise _unsupported(path, exc) from None
        return True

    def _wait_lock(fd: int, path: Path) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:
            raise _unsupported(path, exc) from None
