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
    git_commit: str  # "" outside a git work tree
    git_dirty: bool  # a file read has uncommitted changes
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


def git_state(folder: Path, files: Iterable[Path]) -> tuple[str, bool]:
    """The commit checked out in ``folder``'s git work tree and whether ``files`` differ from
    it; ("", False) when there is no git or no work tree."""
    git = shutil.which("git")
    if git is None:
        return "", False
    try:
        head = subprocess.run(
            [git, "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        if head.returncode != 0:
            return "", False
        status = subprocess.run(
            [git, "-C", str(folder), "status", "--porcelain", "--", *map(str, files)],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return "", False
    return head.stdout.strip(), bool(status.stdout.strip())


def provenance(loaded: Loaded) -> Provenance:
    """The provenance of a loaded ledger."""
    files = ledger_files(loaded)
    root = loaded.path.resolve().parent
    commit, dirty = git_state(root, files)
    last = loaded.book.last_date
    return Provenance(
        ledger=loaded.path.name,
        sha256=content_sha256(files, root),
        files=len(files),
        git_commit=commit,
        git_dirty=dirty,
        as_of=last.isoformat() if last else "",
    )


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
