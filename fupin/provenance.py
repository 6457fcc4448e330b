"""Where a load's numbers come from: the ledger's files, their content hash, the git commit.

An export carries these so that a province can tell which books a county's figures were
computed from: ``content_sha256`` hashes every file the load read (each included Beancount
file and the household register), in a fixed order, with its path relative to the main
file's folder, so that the same books give the same hash on any machine.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from fupin.load import Loaded

REGISTER_FILES = ("households.csv", "members.csv", "events.csv")


@dataclass(frozen=True)
class Provenance:
    """The ledger an export was made from."""

    ledger: str  # the main file's name
    sha256: str  # of every file read, see module docstring
    files: int
    git_commit: str  # "" when git does not track the ledger
    git_dirty: bool  # a Beancount file read differs from that commit (or is not tracked)
    as_of: str  # the ledger's last date (ISO), "" when empty


def ledger_files(loaded: Loaded) -> list[Path]:
    """Every file the load read: the included Beancount files and the household register."""
    from fupin.households import register_path

    files = [Path(name).resolve() for name in loaded.options.get("include", ())]
    if not files:
        files = [loaded.path.resolve()]
    register = register_path(loaded.path, loaded.book)
    if register is not None:
        files += [register.parent / name for name in REGISTER_FILES]
    return sorted({f for f in files if f.is_file()})


def content_sha256(files: Iterable[Path], root: Path) -> str:
    """SHA-256 over each file's relative path, size and bytes, in path order."""
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda p: _relative(p, root)):
        data = path.read_bytes()
        digest.update(f"{_relative(path, root)}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def git_state(main: Path, files: Iterable[Path]) -> tuple[str, bool]:
    """The commit checked out in the git work tree that tracks the ledger's ``main`` file,
    and whether any of ``files`` differs from it (modified, untracked or ignored);
    ("", False) when there is no git or git does not track the ledger."""
    git = shutil.which("git")
    if git is None:
        return "", False
    folder = str(main.parent)
    try:
        tracked = _git(git, folder, "ls-files", "--", main.name)
        if not tracked.strip():
            return "", False
        head = _git(git, folder, "rev-parse", "HEAD").strip()
        status = _git(git, folder, "status", "--porcelain", "--ignored", "--", *map(str, files))
    except (OSError, subprocess.SubprocessError):
        return "", False
    return head, bool(status.strip())


def _git(git: str, folder: str, *args: str) -> str:
    done = subprocess.run(
        [git, "-C", folder, *args], capture_output=True, text=True, check=False, timeout=60
    )
    return done.stdout if done.returncode == 0 else ""


def provenance(loaded: Loaded) -> Provenance:
    """The provenance of a loaded ledger."""
    files = ledger_files(loaded)
    root = loaded.path.resolve().parent
    # the register is private: a county may keep it out of the repository, so only the
    # books themselves decide whether the work tree is clean
    books = [f for f in files if f.parent != _register_folder(loaded) or f.suffix != ".csv"]
    commit, dirty = git_state(loaded.path.resolve(), books)
    last = loaded.book.last_date
    return Provenance(
        ledger=loaded.path.name,
        sha256=content_sha256(files, root),
        files=len(files),
        git_commit=commit,
        git_dirty=dirty,
        as_of=last.isoformat() if last else "",
    )


def _register_folder(loaded: Loaded) -> Path | None:
    from fupin.households import register_path

    register = register_path(loaded.path, loaded.book)
    return register.parent if register is not None else None


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
