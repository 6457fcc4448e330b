"""A list naming households refuses a health or cause term anywhere, but not inside a
household's own name: the register says who the households are, so 王大病 or 张因学 on a
到户补助 list prints no illness and no cause, on the fields, the HTML and the PDF (with
poppler and without it). A term the name does not hold (王大 and ``病户`` after it), a name
that is the very word, and the term in the list's title beside those names are refused."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from fupin.reports import notice_render
from fupin.reports.notice_privacy import TERM_LABEL, NameGuard

LIST = Path("石桥镇石桥村") / "N-2022-B-SQ"
#: (register name, planted name): ordinary words, single characters of health words, the
#: village's own name, a one-character given name, and names that hold a whole term
NAMES = [
    ("邱金涵", "王平安"),
    ("姚胜国", "张建设"),
    ("唐远", "李病"),
    ("姚思金", "刘残"),
    ("袁宇", "赵精神"),
    ("宋怡", "王一"),
    ("夏一文", "石桥"),
    ("马强", "王大病"),  # 大病
    ("钱海豪", "张因学"),  # 因学, a poverty cause
    ("潘珍", "李缺水"),  # 缺水
]
NOTICE = 'custom "notice" "N-2022-B-SQ"\n  type: "beneficiaries"'


def _renamed(extra: Sequence[tuple[str, str, str]] = ()) -> list[tuple[str, str, str]]:
    edits: list[tuple[str, str, str]] = []
    for old, new in NAMES:
        edits.append(("register/households.csv", f",{old},", f",{new},"))
        edits.append(("register/members.csv", f",{old},", f",{new},"))
    return edits + list(extra)


def test_names_that_hold_words_or_terms_publish_on_a_list(
    reader: str,
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
) -> None:
    ledger = planted(keyed_county, tmp_path, _renamed())
    out = tmp_path / "out"
    code, output = run_notices(ledger, out, "beneficiaries")
    assert code == 0, (reader, output)
    text = (out / LIST.with_suffix(".html")).read_text(encoding="utf-8")
    for _, name in NAMES:
        assert f"<td>{name}</td>" in text or f">{name}<" in text, name
    assert (out / LIST.with_suffix(".pdf")).exists()


@pytest.mark.parametrize("lints", ["all", "pdf"])
def test_a_term_in_the_lists_title_is_still_refused(
    reader: str,
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    lints: str,
) -> None:
    """大病 in the title is a term, though 王大病 is a household of the list; with the fields'
    and the HTML's lint off, the PDF's text alone refuses it."""
    title = f'{NOTICE}\n  title: "石桥村2022年大病到户补助名单"'
    ledger = planted(keyed_county, tmp_path, _renamed([("notices.beancount", NOTICE, title)]))
    if lints == "pdf":
        monkeypatch.setattr(notice_render, "lint_doc", lambda *a, **k: [])
        monkeypatch.setattr(notice_render, "lint_html", lambda *a, **k: [])
    out = tmp_path / "out"
    code, output = run_notices(ledger, out, "beneficiaries")
    assert code == 1, (reader, output)
    assert not out.exists() and "nothing published" in output
    assert f"公示 N-2022-B-SQ: {TERM_LABEL}「大病」" in output
    if lints == "pdf":
        assert "N-2022-B-SQ.pdf (PDF text)" in output
    assert "王大病" not in output


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("王大病 3组 医保缴费补贴", []),  # the term inside the name
        ("张因学\n学前教育资助", []),  # a name and the next line (the PDF's text joined)
        ("大病村王大病", []),  # inside a place of the register
        ("王大病户", ["病户"]),  # 病户 reaches past the name
        ("王大 重病户", ["重病", "病户"]),  # 王大, a name, and the words after it
        ("王大病（大病）", ["大病"]),  # the term again, outside the name
        ("重病 2组", ["重病"]),  # a name that is the very word is the word
        ("钱豪 重病", ["重病"]),
        ("陈一(大病)", ["大病"]),  # a note typed into the register's name: no name covers it
        ("孙小明大病户", ["大病", "病户"]),  # five characters are a name and a note
        ("阿不都·大病", []),  # a name of parts joined by a 间隔号
    ],
)
def test_terms_outside_names(text: str, found: list[str]) -> None:
    names = ["王大病", "张因学", "王大", "重病", "钱豪", "陈一(大病)", "孙小明大病", "阿不都·大病"]
    guard = NameGuard(names, {}, places=["石桥村", "大病村"])
    assert guard.outside_names(text, ["大病", "因学", "重病", "病户"]) == found
