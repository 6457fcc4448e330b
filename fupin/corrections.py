"""Corrections by reversal (冲销更正): after a seal, the past is corrected in an open period.

A mistake in a sealed transaction is never edited: two new transactions, dated in an open
period, reverse it and post it again as it should have been::

    2022-01-15 * "青山县宏达建筑工程有限公司" "冲销 2021-07-11 …进度款" ^corr-3f5a9c01d2e4
      correction: "reversal"
      corrects: 2021-07-11
      Expenses:Industry:Livestock  -413000.00 CNY
      Assets:Treasury:XJ-2021       413000.00 CNY

    2022-01-15 * "青山县宏达建筑工程有限公司" "重记 2021-07-11 …进度款" ^corr-3f5a9c01d2e4
      correction: "repost"
      corrects: 2021-07-11
      Expenses:Industry:Livestock   403000.00 CNY
      Assets:Treasury:XJ-2021      -403000.00 CNY

The link ``^corr-<12 hex>`` is the start of the original's digest (:mod:`fupin.canonical`)
and ``corrects`` its date, so the pair names the original without touching it: the sealed
period, and every notice computed as of a date before the correction, keep their figures.
:func:`correction_texts` writes such a pair (``fupin correct``); :func:`check_corrections`
(rule A03) checks that each group names an original, comes after it, that its reversal
negates it exactly, and that no original is reversed by two groups (the link may spell
more of the digest than 12 hex, so two links can name one original).
"""

from __future__ import annotations

import bisect
import datetime
import io
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from beancount.core.amount import Amount
from beancount.core.data import Posting, Transaction
from beancount.parser import printer

from fupin.canonical import entry_digest
from fupin.findings import Finding
from fupin.seals import ledger_root

if TYPE_CHECKING:
    from beancount.core.data import Directive

    from fupin.book import Book

LINK = re.compile(r"^corr-([0-9a-f]{12,64})$")
KINDS = ("reversal", "repost")
#: Metadata a correction does not copy: numbers that must stay unique (K2) and our own.
NOT_COPIED = frozenset(
    (
        "voucher",
        "invoice",
        "bank_serial",
        "roll_row",
        "alloc_row",
        "evidence",
        "correction",
        "corrects",  # a correction of a correction names its own original's day
    )
)


class CorrectionError(Finding):
    """A03: a correction that names no original, or does not reverse it exactly."""

    __slots__ = ()


def link_for(entry: Directive, root: str = "") -> str:
    """The correction link of an original entry: ``corr-`` + 12 hex of its digest."""
    return "corr-" + entry_digest(entry, root)[:12]


@dataclass
class Correction:
    """One correction group: the transactions sharing a ``^corr-…`` link."""

    link: str
    day: datetime.date | None  # the original's date (``corrects``)
    original: Transaction | None
    reversals: list[Transaction] = field(default_factory=list)
    reposts: list[Transaction] = field(default_factory=list)


@dataclass(frozen=True)
class CorrectionProblem:
    entry: Directive
    link: str
    text: str


def corrections(book: Book) -> list[Correction]:
    """Every correction group of the ledger, with its original found (once per book)."""
    return book.shared("fupin.corrections", lambda: _groups(book))


def _groups(book: Book) -> list[Correction]:
    root = ledger_root(book)
    groups: dict[str, Correction] = {}
    loose: list[Transaction] = []
    for entry in book.entries:
        if type(entry) is not Transaction or "correction" not in entry.meta:
            continue
        link = next((x for x in sorted(entry.links or ()) if LINK.match(x)), None)
        if link is None:
            loose.append(entry)
            continue
        group = groups.get(link)
        if group is None:
            day = entry.meta.get("corrects")
            group = groups[link] = Correction(
                link, day if isinstance(day, datetime.date) else None, None
            )
        kind = entry.meta.get("correction")
        (group.reversals if kind == "reversal" else group.reposts).append(entry)
    for group in groups.values():
        group.original = _original(book, group, root)
    out = sorted(groups.values(), key=lambda g: (g.day or datetime.date.min, g.link))
    for entry in loose:
        out.append(Correction("", None, None, [entry]))
    return out


def _original(book: Book, group: Correction, root: str) -> Transaction | None:
    if group.day is None:
        return None
    prefix = LINK.match(group.link).group(1)  # type: ignore[union-attr]
    entries = book.entries  # in date order: the original's day is found by bisection
    low = bisect.bisect_left(entries, group.day, key=_date)
    high = bisect.bisect_right(entries, group.day, lo=low, key=_date)
    for entry in entries[low:high]:
        # the original may itself be a correction (a re-post found wrong after its own seal)
        if type(entry) is Transaction and entry_digest(entry, root).startswith(prefix):
            return entry
    return None


def check_corrections(book: Book) -> list[CorrectionProblem]:
    """What is wrong with each correction group (rule A03)."""
    problems = []
    first: dict[int, Correction] = {}  # the earliest group reversing each original
    for group in corrections(book):
        if group.original is not None and group.reversals:
            held = first.get(id(group.original))
            if held is None or _reversed_on(group) < _reversed_on(held):
                first[id(group.original)] = group
    for group in corrections(book):
        members = [*group.reversals, *group.reposts]
        if not group.link:
            problems.append(
                CorrectionProblem(
                    members[0],
                    "",
                    "更正分录缺少链接 ^corr-<原记录摘要前12位> — 用 fupin correct 生成",
                )
            )
            continue
        head = members[0]
        for entry in members:
            kind = entry.meta.get("correction")
            if kind not in KINDS:
                problems.append(
                    CorrectionProblem(
                        entry,
                        group.link,
                        f"correction = {kind!r}: 应为 reversal 或 repost — ^{group.link}",
                    )
                )
        if group.original is None:
            day = group.day.isoformat() if group.day else "(corrects 缺失)"
            problems.append(
                CorrectionProblem(
                    head,
                    group.link,
                    f"更正所指的原记录不存在 — ^{group.link}; {day} 没有摘要以 "
                    f"{group.link[5:]} 开头的交易 (原记录被改动或删除?)",
                )
            )
            continue
        original = group.original
        earlier = first.get(id(original))
        if group.reversals and earlier is not None and earlier is not group:
            problems.append(
                CorrectionProblem(
                    min(group.reversals, key=_date),
                    group.link,
                    f"原记录已被冲销, 不能再次冲销 — ^{group.link} 原记录 {original.date} "
                    f"{original.narration}; 已由 ^{earlier.link} 于 {_reversed_on(earlier)[0]} 冲销",
                )
            )
        if len(group.reversals) != 1:
            problems.append(
                CorrectionProblem(
                    head,
                    group.link,
                    f"更正应有且只有一笔冲销 (reversal), 现 {len(group.reversals)} 笔 — ^{group.link}",
                )
            )
        for entry in members:
            if entry.date <= original.date:
                problems.append(
                    CorrectionProblem(
                        entry,
                        group.link,
                        f"更正早于原记录 — ^{group.link}; {entry.date} ≤ 原记录 {original.date}",
                    )
                )
        for reversal in group.reversals:
            gap = _mismatch(original, reversal)
            if gap:
                problems.append(
                    CorrectionProblem(
                        reversal,
                        group.link,
                        f"冲销分录与原记录不符 — ^{group.link} 原记录 {original.date} "
                        f"{original.narration}; {gap}",
                    )
                )
    return problems


def _legs(txn: Transaction, sign: int) -> Counter[tuple[str, str, Decimal]]:
    out: Counter[tuple[str, str, Decimal]] = Counter()
    for posting in txn.postings:
        units = posting.units
        if units is not None and isinstance(units.number, Decimal):
            out[(posting.account, units.currency, sign * units.number)] += 1
    return out


def _mismatch(original: Transaction, reversal: Transaction) -> str:
    want, have = _legs(original, -1), _legs(reversal, 1)
    if want == have:
        return ""
    missing = sorted(f"{a} {n} {c}" for (a, c, n) in (want - have).elements())
    extra = sorted(f"{a} {n} {c}" for (a, c, n) in (have - want).elements())
    parts = []
    if missing:
        parts.append("应有 " + ", ".join(missing))
    if extra:
        parts.append("多出 " + ", ".join(extra))
    return "; ".join(parts)


def correction_texts(book: Book, original: Transaction, day: datetime.date) -> str:
    """The reversal and re-post pair of ``original`` dated ``day``, as ledger text.

    The re-post repeats the original: edit it to what should have been booked.
    """
    link = link_for(original, ledger_root(book))
    keep = {
        k: v
        for k, v in original.meta.items()
        if k not in NOT_COPIED and k not in ("filename", "lineno") and not k.startswith("__")
    }
    what = original.narration or ""
    households = "household" in original.meta or any(
        "household" in (p.meta or {}) for p in original.postings
    )
    if households and not {"period", "year"} & (original.meta.keys() | _posting_keys(original)):
        keep["year"] = Decimal(original.date.year)  # a benefit counts in the year it was for

    def make(kind: str, title: str, sign: int) -> Transaction:
        meta = {"filename": "<correction>", "lineno": 0}
        meta.update({"correction": kind, "corrects": original.date, **keep})
        postings = [
            Posting(
                p.account,
                Amount(sign * p.units.number, p.units.currency)
                if p.units is not None and isinstance(p.units.number, Decimal)
                else p.units,
                p.cost,
                p.price,
                p.flag,
                {k: v for k, v in (p.meta or {}).items() if k not in ("filename", "lineno")},
            )
            for p in original.postings
        ]
        return Transaction(
            meta,
            day,
            original.flag,
            original.payee,
            f"{title} {original.date} {what}".strip(),
            original.tags,
            frozenset({link}),
            postings,
        )

    out = io.StringIO()
    out.write(f"; 更正 {original.date} {what} (原 {link}): 冲销, 再按正确内容重记\n")
    out.write(printer.format_entry(make("reversal", "冲销", -1)))
    out.write("\n; 重记: 把下列分录改为应记的科目和金额; 另编新的记账凭证号 voucher\n")
    out.write(printer.format_entry(make("repost", "重记", 1)))
    return out.getvalue()


def _posting_keys(txn: Transaction) -> set[str]:
    return {key for p in txn.postings for key in (p.meta or {})}


def _date(entry: Directive) -> datetime.date:
    return entry.date


def reversed_by(book: Book, original: Transaction) -> Correction | None:
    """The earliest correction group that already reverses ``original`` (None when none)."""
    groups = [g for g in corrections(book) if g.original is original and g.reversals]
    return min(groups, key=_reversed_on) if groups else None


def _reversed_on(group: Correction) -> tuple[datetime.date, str]:
    """When a group's first reversal was booked (then its link, to break a tie)."""
    return (min(r.date for r in group.reversals), group.link)


def find_transaction(book: Book, ref: str) -> list[Transaction]:
    """Transactions named by ``file:line`` (the file's name or path), ``^link`` or voucher."""
    ref = ref.strip()
    txns = [e for e in book.entries if type(e) is Transaction]
    if ref.startswith("^"):
        link = ref[1:]
        return [t for t in txns if link in (t.links or ())]
    name, sep, line = ref.rpartition(":")
    if sep and line.isdigit():
        wanted = int(line)
        return [
            t
            for t in txns
            if t.meta.get("lineno") == wanted
            and _same_file(str(t.meta.get("filename") or ""), name)
        ]
    return [t for t in txns if str(t.meta.get("voucher") or "") == ref]


def _same_file(filename: str, name: str) -> bool:
    if os.path.isabs(name) or os.sep in name or "/" in name:
        try:
            return os.path.samefile(filename, name)
        except OSError:
            return False
    return os.path.basename(filename) == name


def sealed_through(book: Book) -> datetime.date | None:
    """The last sealed day of the ledger (None when nothing is sealed)."""
    from fupin.seals import seal_entries

    pairs = seal_entries(book)
    return pairs[-1][0].date if pairs else None
