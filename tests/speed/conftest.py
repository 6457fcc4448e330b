"""Helpers of the speed tests."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """fupin's cache in a folder of this test, switched on."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("FUPIN_CACHE_DIR", str(folder))
    monkeypatch.delenv("FUPIN_CACHE", raising=False)
    return folder


def exact(value: Any) -> Any:
    """A form of ``value`` whose equality is identity of content: numbers by their text,
    dicts in order and with any default, named tuples by type."""
    kind = type(value)
    if kind is Decimal:
        return ("Decimal", str(value))
    if isinstance(value, dict):
        items = tuple((k, exact(v)) for k, v in value.items())
        return (kind.__name__, exact(getattr(value, "default", None)), items)
    if isinstance(value, list | tuple):
        return (kind.__name__, tuple(exact(v) for v in value))
    if isinstance(value, set | frozenset):
        return (kind.__name__, tuple(sorted(map(repr, value))))
    return (kind.__name__, repr(value))
