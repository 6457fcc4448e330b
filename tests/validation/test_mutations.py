"""The mutation test (issue 12): one-change mutations of the sample ledger.

For each clearly invalid mutation, an error at the mutated entry's line naming the field
(or, for unreadable input, a message naming the file and line, exit 2); for each valid one,
no finding beyond the unmutated sample's (its one B30 warning, a notice posted late); none may
end in a traceback or an internal rule error.

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

from .mutations import (
    Mutation,
    Seen,
    Verdict,
    baseline,
    by_kind,
    figures,
    generate,
    judge,
    sample,
)

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
    known = baseline(copy)
    assert list(known.elements()) == [
        Seen(
            "NoticeError",
            "B30",
            "warning",
            "assets.beancount",
            "N-2021-F03",
            "B30 warning: 公告已发布但逾期: 距首个批复 133 天 > 30 天 (notice-grace-days) — "
            "青山县2021年东西部协作资金分配结果公告 [notice N-2021-F03]; 开始 2021-08-12, "
            "最迟 2021-05-01, 首个批复 2021-04-01; 2021年东西部协作资金(结对帮扶) [fund EW-2021]",
        )
    ]
    verdicts = [judge(m, copy, originals, known) for m in _selected(copy)]
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


def test_a_finding_counts_only_beyond_the_unmutated_copys(copy: Path) -> None:
    """The baseline's B30 warning is no change's doing, also when a line inserted above moves
    it to line 155; a finding the change adds still counts, and only it is said."""
    originals = {p.name: p.read_text(encoding="utf-8") for p in copy.glob("*.beancount")}
    known = baseline(copy)

    def inserted(line: str) -> Verdict:
        return judge(
            Mutation("t", "valid note", "assets.beancount", "insert", 6, (line,), (7, 7), True),
            copy,
            originals,
            known,
        )

    comment = inserted("; 备注")
    assert (comment.findings, comment.messages) == (0, [])
    again = inserted("2021-01-01 open Assets:AssetIncome:A-2021-001 CNY")
    assert again.findings == 2
    assert again.messages == [
        "assets.beancount:11: Duplicate open directive for Assets:AssetIncome:A-2021-001",
        "assets.beancount:7: A01 error: 封存期 2021-12 内新增记录 (封存后补记或倒签) — "
        "2021-01-01 open Assets:AssetIncome:A-2021-001",
    ]
    assert (copy / "assets.beancount").read_text(encoding="utf-8") == originals["assets.beancount"]
