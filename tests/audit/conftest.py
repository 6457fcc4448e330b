"""Fixtures of the audit-trail tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from audit_helpers import copy_sample


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the sample ledger folder (sealed through 2021-12); its main file."""
    return copy_sample(tmp_path)
