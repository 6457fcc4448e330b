"""Corrections by reversal: ``fupin correct``, rule A03, and a sealed past that keeps its figures."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from audit_helpers import SAMPLE_DIR, check, edit, findings, line_of, run

from fupin.audit import AUDIT_RULES
from fupin.corrections import corrections, link_for
from fupin.entities import Notice
from fupin.load import load
from fupin.money import fmt_money
from fupin.seals import Seal, totals, verify

#: the 2021-07-11 进度款 of P-2021-001 (413,000.00), named by file:line as a clerk would
ORIGINAL = "xianjie-2021.beancount:{}".format(
    line_of(
        SAMPLE_DIR / "xianjie-2021.beancount",
        '2021-07-11 * "青山县宏达建筑工程有限公司" "青山村肉牛养殖圈舍建设项目 进度款"',
    )
)


def correct(sample: Path, target: str = "xianjie-2022.beancount", day: str = "2022-02-01") -> Path:
    """Append the reversal and re-post of ORIGINAL, re-posted to 种植 instead of 畜牧."""
    books = sample.parent / target
    code, out = run("correct", str(sample), ORIGINAL, "--date", day, "--append", str(books))
    assert code == 0, out
    text = books.read_text(encoding="utf-8")
    head = text.index("重记 2021-07-11")
    fixed = text[:head] + text[head:].replace("Industry:Livestock", "Industry:Planting")
    books.write_text(fixed, encoding="utf-8")
    return books


def test_correct_prints_a_linked_reversal_and_repost(sample: Path) -> None:
    loaded = load(sample)
    original = next(e for e in loaded.entries if e.meta.get("voucher") == "记-2021-0011")
    link = link_for(original, str(sample.parent))
    code, out = run("correct", str(sample), "记-2021-0011", "--date", "2022-02-01")
    assert code == 0, out
    assert (
        f'2022-02-01 * "青山县宏达建筑工程有限公司" "冲销 2021-07-11 青山村肉牛养殖圈舍建设项目 进度款" ^{link}'
        in out
    )
    assert (
        f'2022-02-01 * "青山县宏达建筑工程有限公司" "重记 2021-07-11 青山村肉牛养殖圈舍建设项目 进度款" ^{link}'
        in out
    )
    assert out.count('correction: "reversal"') == 1 and out.count('correction: "repost"') == 1
    assert out.count("corrects: 2021-07-11") == 2 and 'project: "P-2021-001"' in out
    assert "voucher:" not in out.replace("voucher", "", 1)  # the number is not copied (K2)
    assert "Expenses:Industry:Livestock  -413000.00 CNY" in out
    # the same transaction named by file:line and by a path
    assert run("correct", str(sample), ORIGINAL, "--date", "2022-02-01")[1] == out


def test_correct_refuses_bad_references(sample: Path) -> None:
    code, out = run("correct", str(sample), "nowhere.beancount:1", "--date", "2022-02-01")
    assert code == 2 and "没有这样的交易" in out
    code, out = run("correct", str(sample), ORIGINAL, "--date", "2021-07-01")
    assert code == 2 and "已封存期间" in out


def test_correction_keeps_the_seal_and_the_sealed_figures(sample: Path) -> None:
    before = load(sample)
    (seal,) = before.book.all(Seal)
    correct(sample)
    code, found = check(sample)
    assert code == 0, [f for f in found if f["severity"] == "error"]
    assert not [f for f in found if f["rule"] in AUDIT_RULES]
    after = load(sample)
    (check_,) = verify(after.book).checks
    assert check_.content_intact and totals(after.book, check_.period) == seal.totals

    # as of any day of 2021 (a notice posted then) the figures are as they were; the
    # correction moves 413,000.00 from 畜牧 to 种植 from 2022-02-01 on
    def spent(loaded: Any, account: str, day: datetime.date) -> Decimal:
        return sum(
            (s.amount for s in loaded.book.spends if s.account == account and s.date <= day),
            Decimal(0),
        )

    livestock, planting = "Expenses:Industry:Livestock", "Expenses:Industry:Planting"
    for day in (
        datetime.date(2021, 7, 31),
        datetime.date(2021, 12, 31),
        datetime.date(2022, 1, 31),
    ):
        for account in (livestock, planting):
            assert spent(after, account, day) == spent(before, account, day)
    day = datetime.date(2022, 2, 1)
    assert spent(after, livestock, day) == spent(before, livestock, day) - Decimal("413000.00")
    assert spent(after, planting, day) == spent(before, planting, day) + Decimal("413000.00")
    (group,) = corrections(after.book)
    assert group.original is not None and group.original.meta.get("voucher") == "记-2021-0011"
    assert len(group.reversals) == len(group.reposts) == 1


def test_audit_lists_the_correction(sample: Path) -> None:
    correct(sample)
    code, out = run("audit", str(sample))
    assert code == 0, out
    assert "✓ ^corr-" in out and "原记录 2021-07-11 * 青山县宏达建筑工程有限公司" in out


def test_reversal_that_does_not_negate_the_original(sample: Path) -> None:
    books = correct(sample)
    text = books.read_text(encoding="utf-8")
    head, tail = text.index("冲销 2021-07-11"), text.index("重记 2021-07-11")
    fixed = text[:head] + text[head:tail].replace("413000.00", "403000.00") + text[tail:]
    books.write_text(fixed, encoding="utf-8")
    (hit,) = findings(sample, "A03")
    assert hit["severity"] == "error" and hit["line"] == line_of(books, "冲销 2021-07-11")
    assert hit["message"].startswith("A03 error: 冲销分录与原记录不符 — ^corr-")
    assert (
        "应有 Assets:Treasury:XJ-2021 413000.00 CNY, Expenses:Industry:Livestock -413000.00 CNY"
        in hit["message"]
    )


def test_correction_naming_no_original(sample: Path) -> None:
    books = correct(sample)
    edit(books, "corrects: 2021-07-11", "corrects: 2021-07-12", count=2)
    hits = findings(sample, "A03")
    assert hits and all("更正所指的原记录不存在" in h["message"] for h in hits)
    assert "2021-07-12 没有摘要以" in hits[0]["message"]


def test_correction_without_its_link(sample: Path) -> None:
    books = sample.parent / "xianjie-2022.beancount"
    with books.open("a", encoding="utf-8") as out:
        out.write(
            '\n2022-02-01 * "青山县宏达建筑工程有限公司" "冲销"\n  correction: "reversal"\n'
            "  Expenses:Industry:Livestock  -413000.00 CNY\n  Assets:Treasury:XJ-2021\n"
        )
    (hit,) = findings(sample, "A03")
    assert "更正分录缺少链接 ^corr-" in hit["message"] and hit["line"] == line_of(books, '"冲销"')


def notice_texts(path: Path) -> dict[str, str]:
    """Every notice of a ledger rendered to text (HTML without tags), by notice id."""
    import html
    import re

    from fupin.reports.notice_context import Context, build_notices
    from fupin.reports.notice_render import make_env, render_pieces

    from fupin.households import register_for

    loaded = load(path)
    ctx = Context(loaded.book, loaded.results.measures, register_for(path, loaded.book), b"k" * 32)
    out: dict[str, str] = {}
    for piece in render_pieces(make_env(masked=False), build_notices(ctx)):
        if piece.slips or piece.doc is None:
            continue
        plain = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", piece.html)))
        out[piece.doc.id] = plain
    return out


def test_posted_notices_keep_their_figures(sample: Path) -> None:
    """A 2022 correction of a 2021 payment (re-posted 10,000.00 lower) leaves every notice
    posted before it word for word; the project's figures move from the correction on."""
    before = load(sample)
    texts = notice_texts(sample)
    books = sample.parent / "xianjie-2022.beancount"
    code, out = run(
        "correct", str(sample), ORIGINAL, "--date", "2022-02-01", "--append", str(books)
    )
    assert code == 0, out
    text = books.read_text(encoding="utf-8")
    head = text.index("重记 2021-07-11")
    books.write_text(text[:head] + text[head:].replace("413000.00", "403000.00"), encoding="utf-8")
    after = load(sample)
    assert not [f for f in after.results.findings if f.rule in ("A01", "A02", "A03")]
    again = notice_texts(sample)
    posted = {n.id: n.start for n in after.book.all(Notice)}
    earlier = [ident for ident, start in posted.items() if start < datetime.date(2022, 2, 1)]
    assert len(earlier) > 20 and all(again[i] == texts[i] for i in earlier)
    # the result notice of P-2021-001 (posted 2021-11-06) prints what had been paid then
    result = "N-2021-R001-V"
    was, now = before.book.facts.project("P-2021-001"), after.book.facts.project("P-2021-001")
    paid_then = fmt_money(was.paid(posted[result]))
    assert paid_then == "708,000.00" and paid_then in again[result]
    assert now.paid(posted[result]) == was.paid(posted[result])
    assert now.paid(datetime.date(2022, 1, 31)) == was.paid(datetime.date(2022, 1, 31))
    assert now.paid() == was.paid() - Decimal("10000.00")  # from the correction on


def test_a_wrong_repost_is_corrected_in_turn(sample: Path) -> None:
    """A re-post found wrong (after its own period closed) is reversed and re-posted like any
    entry: the new pair names the re-post's own day, and A03 finds the re-post as its
    original (it used to copy the first original's ``corrects:`` and A03 never looked at a
    correction as an original: 更正所指的原记录不存在)."""
    books = correct(sample)
    repost = line_of(books, '"重记 2021-07-11')
    code, out = run(
        "correct",
        str(sample),
        f"xianjie-2022.beancount:{repost}",
        "--date",
        "2022-03-01",
        "--append",
        str(books),
    )
    assert code == 0, out
    tail = books.read_text(encoding="utf-8")[
        books.read_text(encoding="utf-8").index("冲销 2022-02-01") :
    ]
    assert "corrects: 2022-02-01" in tail
    assert "corrects: 2021-07-11" not in tail
    assert findings(sample, "A03") == []
    groups = [g for g in corrections(load(sample).book) if g.original is not None]
    assert sorted(str(g.original.date) for g in groups) == ["2021-07-11", "2022-02-01"]


def test_correct_refuses_an_original_already_reversed(sample: Path) -> None:
    """A second reversal of one original is an A03 error: the command refuses to write it,
    naming the reversal that took the original back (it wrote it, exit 0)."""
    books = correct(sample)
    before = books.read_text(encoding="utf-8")
    code, out = run(
        "correct", str(sample), ORIGINAL, "--date", "2022-02-03", "--append", str(books)
    )
    assert code == 2, out
    assert "原记录已由 ^corr-" in out and "于 2022-02-01 冲销" in out
    assert "Traceback" not in out
    assert books.read_text(encoding="utf-8") == before
    assert findings(sample, "A03") == []
