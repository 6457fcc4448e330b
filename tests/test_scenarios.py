"""Every scenario ledger under tests/scenarios/<RULE>/ yields exactly what its first line says.

A scenario's first line is ``; expect: <RULE>[ <RULE>...]`` or ``; expect: clean``; a rule
written ``<RULE>:warning`` must find warnings only, and an optional second line
``; lines: <N> [<N>...]`` names the lines the folder's rule must report at. Among the
findings of the folder's rule (``tests/scenarios/B31/`` → B31), of any rule the line names,
and Beancount's own, entity and policy errors (a broken scenario never passes), exactly the
named rule ids must appear. Findings of unrelated rules are not this scenario's business:
each rule is tested in isolation, so a scenario need not carry every other rule's evidence.
One run of ``fupin check --json`` per scenario, as a county would run it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fupin.cli import main

ALWAYS = {"BEANCOUNT", "ENTITY", "POLICY", "LEDGER", "PII"}
SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*/*.beancount"))


def expected(path: Path) -> set[str]:
    """The rule ids the first line names (``:warning`` marks stripped)."""
    return {word.split(":")[0] for word in _words(path)}


def _words(path: Path) -> list[str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("; expect:"), f"{path}: first line must be '; expect: ...'"
    words = first.removeprefix("; expect:").split()
    return [] if words == ["clean"] else words


def expected_lines(path: Path) -> list[int] | None:
    """The lines of a ``; lines:`` second line, if the scenario has one."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if len(lines) > 1 and lines[1].startswith("; lines:"):
        return sorted(int(n) for n in lines[1].removeprefix("; lines:").split())
    return None


def test_every_rule_folder_has_a_passing_and_a_failing_scenario() -> None:
    folders = {p.parent for p in SCENARIOS}
    for folder in folders:
        kinds = {bool(expected(p)) for p in folder.glob("*.beancount")}
        assert kinds == {True, False}, f"{folder.name}: needs one clean and one failing scenario"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scenario(path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(path), "--json"])
    assert result.exit_code in (0, 1), result.output
    want = expected(path)
    watched = {path.parent.name, *want, *ALWAYS}
    findings = [f for f in json.loads(result.output) if f["rule"] in watched]
    rules = {f["rule"] for f in findings}
    assert rules == want, f"{path.name}: expected {sorted(want) or 'clean'}, got {findings}"
    if not findings:
        return
    errors = [f for f in findings if f["severity"] == "error"]
    if errors:
        assert result.exit_code == 1
    for finding in findings:
        assert finding["file"].endswith(path.name) and finding["line"] > 0, finding
    for word in _words(path):
        if word.endswith(":warning"):
            rule = word.split(":")[0]
            assert all(f["severity"] == "warning" for f in findings if f["rule"] == rule), findings
    lines = expected_lines(path)
    if lines is not None:
        got = sorted(f["line"] for f in findings if f["rule"] == path.parent.name)
        assert got == lines, f"{path.name}: expected findings at lines {lines}, got {findings}"
