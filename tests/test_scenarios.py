"""Every scenario ledger under tests/scenarios/<RULE>/ yields exactly what its first line says.

A scenario's first line is ``; expect: <RULE>[ <RULE>...]`` (those rule ids, and only those,
among the error- and warning-severity findings) or ``; expect: clean``. One run of
``fupin check --json`` per scenario, as a county would run it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fupin.cli import main

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*/*.beancount"))


def expected(path: Path) -> set[str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("; expect:"), f"{path}: first line must be '; expect: ...'"
    words = first.removeprefix("; expect:").split()
    return set() if words == ["clean"] else set(words)


def test_every_rule_folder_has_a_passing_and_a_failing_scenario() -> None:
    folders = {p.parent for p in SCENARIOS}
    for folder in folders:
        kinds = {bool(expected(p)) for p in folder.glob("*.beancount")}
        assert kinds == {True, False}, f"{folder.name}: needs one clean and one failing scenario"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scenario(path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(path), "--json"])
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(result.output)
    rules = {f["rule"] for f in findings}
    want = expected(path)
    assert rules == want, f"{path.name}: expected {sorted(want) or 'clean'}, got {findings}"
    errors = [f for f in findings if f["severity"] == "error"]
    assert result.exit_code == (1 if errors else 0)
    for finding in findings:
        assert finding["file"].endswith(path.name) and finding["line"] > 0, finding
