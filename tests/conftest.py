"""Shared fixtures: real Beancount loading (cache off) of inline and scenario ledgers."""

from __future__ import annotations

import os
import textwrap
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
