"""Shared fixtures: real Beancount loading (cache off) of inline and scenario ledgers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
# fupin's own per-file cache (fupin/cache.py) stays on, in a folder of this test run only,
# so that every test that loads a ledger file also exercises it (issue 19)
if not os.environ.get("FUPIN_CACHE_DIR"):
    import atexit
    import shutil
    import tempfile

    os.environ["FUPIN_CACHE_DIR"] = tempfile.mkdtemp(prefix="fupin-test-cache-")
    atexit.register(shutil.rmtree, os.environ["FUPIN_CACHE_DIR"], ignore_errors=True)

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "tests" / "scenarios"
SAMPLE = ROOT / "ledger" / "main.beancount"

HEADER = 'option "operating_currency" "CNY"\nplugin "fupin.plugins"\n'


#: what a ``fupin`` command prints when another run holds the ledger's write lock
WAITING = "另一个 fupin 命令正在写这本账簿"
Concurrent = Callable[..., list[tuple[int, str]]]


def _fupin(*args: str) -> subprocess.Popen[str]:
    """``fupin <args>`` in a process of its own, as a clerk's terminal runs it."""
    return subprocess.Popen(
        [sys.executable, "-c", "from fupin.cli import main; main()", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


@pytest.fixture
def started_while_locked() -> Concurrent:
    """Runs of ``fupin`` that are certainly concurrent: ``(main, *runs)`` starts every run
    while the test holds the ledger's write lock and lets go once all of them say they wait
    (on code without the lock none waits and the test fails at once; no timing assumed);
    gives their exit codes and whole output (stderr first)."""
    from fupin.ledger_lock import writing

    def started(main: Path, *runs: tuple[str, ...]) -> list[tuple[int, str]]:
        procs: list[subprocess.Popen[str]] = []
        with writing(main, lambda _: None):
            procs = [_fupin(*args) for args in runs]
            for proc in procs:
                assert proc.stderr is not None
                first = proc.stderr.readline()  # blocks until the run waits (or ends)
                assert WAITING in first, first + proc.stderr.read()
        done = []
        for proc in procs:
            out, err = proc.communicate()
            done.append((proc.returncode, err + out))
        return done

    return started


@pytest.fixture
def write_ledger(tmp_path: Path):
    """Write a dedented ledger text (with the fupin plugin header) and return its path."""

    def write(text: str, name: str = "main.beancount", header: bool = True) -> Path:
        path = tmp_path / name
        body = textwrap.dedent(text).lstrip("\n")
        path.write_text((HEADER if header else "") + body, encoding="utf-8")
        return path

    return write


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Under ``make test`` (``FUPIN_NO_SKIP=1``) a skipped test fails unless marked
    ``may_skip``: the set-up installs Chromium, Java, nginx and fonts, so a skip means a
    promised part did not run."""
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and os.environ.get("FUPIN_NO_SKIP")
        and not hasattr(report, "wasxfail")
        and item.get_closest_marker("may_skip") is None
    ):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under make test (FUPIN_NO_SKIP=1): {reason}"
