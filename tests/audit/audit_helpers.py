"""Helpers of the audit-trail tests: copies of the sealed sample ledger, real loads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from fupin.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = ROOT / "ledger"


def copy_sample(folder: Path) -> Path:
    """A copy of the sample ledger folder (sealed through 2021-12); its main file."""
    copy = folder / "ledger"
    shutil.copytree(SAMPLE_DIR, copy)
    return copy / "main.beancount"


def run(*args: str) -> tuple[int, str]:
    """``fupin <args>`` as a county runs it."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def check(path: Path) -> tuple[int, list[dict[str, Any]]]:
    """``fupin check --json`` on a ledger: exit code and findings."""
    code, out = run("check", str(path), "--json")
    assert code in (0, 1), out
    return code, json.loads(out)


def line_of(path: Path, text: str, start: int = 1) -> int:
    """The 1-based number of the first line at or after ``start`` that contains ``text``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if number >= start and text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in a file (it must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def block(path: Path, first_line: str) -> str:
    """The entry that starts with ``first_line`` (up to the next blank line)."""
    text = path.read_text(encoding="utf-8")
    start = text.index(first_line)
    end = text.find("\n\n", start)
    return text[start : end + 1 if end >= 0 else len(text)]


def findings(path: Path, *rules: str) -> list[dict[str, Any]]:
    """The findings of some rules (all severities) of a ledger."""
    return [f for f in check(path)[1] if f["rule"] in rules]
