"""The mutation test (issue 12): one-change mutations of the sample ledger.

For each clearly invalid mutation, an error at the mutated entry's line naming the field
(or, for unreadable input, a message naming the file and line, exit 2); for each valid one,
no new finding (the sample is clean); none may end in a traceback or an internal rule error.

``make test`` runs a deterministic sample of :data:`DEFAULT_COUNT` mutations;
``FUPIN_MUTATIONS=all`` runs every one (``FUPIN_MUTATIONS=<n>`` a sample of n). The figures
are printed, and written as JSON to ``$FUPIN_MUTATION_REPORT`` when that is set.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from .mutations import by_kind, figures, generate, judge, sample

LEDGER = Path(__file__).resolve().parents[2] / "ledger"
DEFAULT_COUNT = 150


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mutations") / "ledger"
    shutil.copytree(LEDGER, folder, ignore=shutil.ignore_patterns("audit-sample", "*.py", "*.toml"))
    return folder


def _selected(folder: Path):
    mutations = generate(folder)
    wanted = os.environ.get("FUPIN_MUTATIONS", "")
    if wanted == "all":
        return mutations
    return sample(mutations, int(wanted) if wanted.isdigit() else DEFAULT_COUNT)


def test_the_generator_makes_several_hundred_mutations_of_every_kind(copy: Path) -> None:
    mutations = generate(copy)
    kinds = {m.kind for m in mutations}
    assert len(mutations) >= 400
    assert sum(not m.valid for m in mutations) >= 300 and sum(m.valid for m in mutations) >= 40
    for kind in (
        "reference",
        "duplicate",
        "vocabulary",
        "year",
        "amount",
        "currency",
        "date",
        "order",
        "empty text",
        "missing field",
        "unknown field",
        "custom type",
        "custom without value",
        "field twice",
        "entry date",
        "over budget",
        "place",
        "before registration",
        "metadata value",
        "policy",
        "policy twice",
        "personal data (mobile)",
        "personal data (id)",
        "personal data (bank)",
        "include csv",
        "include folder",
        "include binary",
        "long line",
        "valid text",
        "valid note",
        "valid policy",
    ):
        assert kind in kinds, kind


def test_one_change_mutations_are_reported_at_their_line(copy: Path, capsys) -> None:
    originals = {p.name: p.read_text(encoding="utf-8") for p in copy.glob("*.beancount")}
    verdicts = [judge(m, copy, originals) for m in _selected(copy)]
    numbers = figures(verdicts)
    with capsys.disabled():
        print("\nmutation test (issue 12):", json.dumps(numbers, ensure_ascii=False))
        for kind, count, good in by_kind(verdicts):
            print(f"  {kind}: {good}/{count}")
    report = os.environ.get("FUPIN_MUTATION_REPORT")
    if report:
        Path(report).write_text(
            json.dumps(
                {
                    "figures": numbers,
                    "by_kind": [list(row) for row in by_kind(verdicts)],
                    "misses": [
                        {"id": v.mutation.ident, "expect": v.mutation.expect, "said": v.messages}
                        for v in verdicts
                        if (v.findings if v.mutation.valid else not v.reported)
                    ],
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    broken = [v for v in verdicts if v.traceback or v.internal]
    assert not broken, [(v.mutation.ident, v.traceback or v.internal) for v in broken][:3]
    noisy = [v for v in verdicts if v.mutation.valid and v.findings]
    assert not noisy, [(v.mutation.ident, v.messages[:3]) for v in noisy][:5]
    missed = [v for v in verdicts if not v.mutation.valid and not v.reported]
    assert numbers["reported_pct"] >= 99, [(v.mutation.ident, v.messages[:3]) for v in missed][:10]
    assert numbers["tracebacks"] == numbers["internal_errors"] == 0
    assert numbers["valid_accepted"] == numbers["valid"]
