"""The sample ledger's demo notice key, generated when missing (as `make demo` does)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from fupin import notice_key

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "ledger" / "main.beancount"
SAMPLE_KEY = ROOT / "ledger" / "register" / notice_key.KEY_NAME


def sample_key() -> bytes:
    """The sample's demo key (made on first use; never committed)."""
    if not SAMPLE_KEY.exists():
        with contextlib.suppress(notice_key.NoticeKeyError):  # made meanwhile elsewhere
            notice_key.generate(SAMPLE_KEY, sample_for=SAMPLE)
    return notice_key.read(SAMPLE_KEY).secret


@pytest.fixture(scope="session", autouse=True)
def sample_secret() -> bytes:
    return sample_key()
