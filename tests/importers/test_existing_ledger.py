"""The ``-e`` ledger of an import is loaded as ``fupin check`` loads it.

Preflighted (a file saved over with the household register is refused with its file and line,
nothing of it echoed), read through fupin's cache outside the books, and never left as
Beancount's pickle of the whole ledger beside it (which would hold the register's names next
to the books an auditor's repository takes).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from beancount import loader
from click.testing import CliRunner

from fupin import cache
from fupin.cli import main

from .conftest import LEDGER, SAMPLES

STATEMENT = SAMPLES / "rcb-xj2022-2022-11-12.csv"


def test_the_existing_ledger_leaves_no_pickle_beside_the_books(
    county: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BEANCOUNT_DISABLE_LOAD_CACHE", raising=False)
    monkeypatch.setattr(loader, "PICKLE_CACHE_THRESHOLD", 0.0)  # Beancount would pickle any load
    loader.initialize(use_cache=True)
    try:
        out = county.parent / "imports" / "2022-12.beancount"
        result = CliRunner().invoke(
            main, ["import", "extract", "-e", str(county), "-o", str(out), str(STATEMENT)]
        )
    finally:
        loader.initialize(use_cache=False)
    assert result.exit_code in (0, 1), result.output  # 1: the check's findings of the import
    assert "14 条新记录" in result.output and out.exists()
    assert cache.LAST.used and cache.LAST.files > 10  # fupin's per-file cache read the ledger
    left = sorted(p.name for p in county.parent.rglob("*") if "pickle" in p.name)
    assert left == []


def test_an_existing_ledger_saved_over_is_refused_by_file_and_line(county: Path) -> None:
    register = (LEDGER / "register" / "households.csv").read_bytes()
    (county.parent / "benefits-2022.beancount").write_bytes(register)
    out = county.parent / "imports" / "2022-12.beancount"
    result = CliRunner().invoke(
        main, ["import", "extract", "-e", str(county), "-o", str(out), str(STATEMENT)]
    )
    assert result.exit_code != 0 and not out.exists()
    assert "benefits-2022.beancount:1" in result.output
    assert "Traceback" not in result.output
    first_row = register.decode("utf-8").splitlines()[1]
    assert all(cell not in result.output for cell in first_row.split(",") if len(cell) >= 2)
