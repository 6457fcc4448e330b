"""``fupin check``'s cache and the files the rules read besides the books (issues 17/18/19).

The cache (:mod:`fupin.cache`) keeps what parsing and booking made of each ``.beancount``
file, and per file what LEDGER and PII learn of its transactions alone (:mod:`fupin.file_memo`),
keyed by that file's bytes; every rule runs again on every check. So nothing it keeps is made
from the register, the digest lists or the evidence files, and a re-check after editing only
one of them must parse no ledger file again and still give the findings of a cold check.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from fupin import cache, file_memo

from .test_cache import check_json, sample  # noqa: F401 (fixture)


def drop_events_of(main: Path) -> None:
    """The register's events file: H-SQ-025's identification and lifting rows deleted."""
    events = main.parent / "register" / "events.csv"
    lines = events.read_text(encoding="utf-8").splitlines(keepends=True)
    events.write_text("".join(x for x in lines if not x.startswith("H-SQ-025,")), encoding="utf-8")


def row_twice(main: Path) -> None:
    """A household row of the register pasted a second time."""
    register = main.parent / "register" / "households.csv"
    lines = register.read_text(encoding="utf-8").splitlines()
    register.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")


def evidence_replaced(main: Path) -> None:
    pdf = main.parent / "documents" / "P-2021-001" / "2021-01-09-proposed-resolution.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n% replaced\n")


def digests_edited(main: Path) -> None:
    digests = main.parent / "seals" / "2021-12.digests"
    digests.write_bytes(digests.read_bytes() + b"# note\n")


EDITS: dict[str, tuple[Callable[[Path], None], str]] = {
    "register events": (drop_events_of, "C06 error: 付款日 2021-03-15 农户状态 一般农户"),
    "register row": (row_twice, "农户编号 H-QS-001 重复 (第 2 行已有)"),
    "evidence file": (evidence_replaced, "A04 error: 证据文件哈希不符 (封存期 2021-12)"),
    "digest list": (digests_edited, "A02 error: 封存摘要清单被改动 — 封存期 2021-12"),
}


@pytest.mark.parametrize("name", EDITS)
def test_a_recheck_after_editing_only_a_file_the_rules_read_is_the_cold_check(
    name: str,
    sample: Path,  # noqa: F811
    cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    edit, seen = EDITS[name]
    before = check_json(sample, monkeypatch, cached=True)  # the cache filled
    assert seen not in before
    edit(sample)
    after = check_json(sample, monkeypatch, cached=True)
    stats = cache.LAST
    assert stats.used and stats.files >= 10 and stats.hits == stats.files
    assert stats.parsed == 0  # no ledger file read again: the records were used
    assert file_memo.LAST.kept > 0 and file_memo.LAST.computed == 0
    cold = check_json(sample, monkeypatch, cached=False)
    assert after == cold  # the same bytes as a check without the cache
    assert seen in after and after != before
    assert len(json.loads(after)) > len(json.loads(before))
