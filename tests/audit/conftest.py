"""Fixtures of the audit-trail tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from audit_helpers import copy_sample, run


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the sample ledger folder (sealed through 2021-12); its main file."""
    return copy_sample(tmp_path)


@pytest.fixture(scope="session")
def _two_seals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    main = copy_sample(tmp_path_factory.mktemp("two-seals"))
    (main.parent / "seals.beancount").write_text("", encoding="utf-8")
    shutil.rmtree(main.parent / "seals")
    for month, day in (("2021-06", "2021-07-05"), ("2021-12", "2022-01-20")):
        code, out = run("seal", str(main), "--through", month, "--date", day)
        assert code == 0, out
    return main.parent


@pytest.fixture
def two_seals(_two_seals: Path, tmp_path: Path) -> Path:
    """A copy of the sample re-sealed through 2021-06 and then 2021-12; its main file."""
    copy = tmp_path / "ledger"
    shutil.copytree(_two_seals, copy)
    return copy / "main.beancount"
