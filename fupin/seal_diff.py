"""Naming what changed in a sealed period: its entries now against its digest list.

:func:`diff` pairs the lines that vanished from a period with the entries that appeared in
it: same date and identity (a transaction's payee and narration, a custom entry's type and
first values) is a change, same identity on another date a change of date, otherwise a
deletion or an insertion; an extra copy of a sealed line is a duplicate, and a deleted
entry found again outside the period was moved out. :func:`describe_change` says in words
which fields differ (``金额 … → …``, ``元数据 doc: … → …``, ``科目 … → …``); a character
that cannot be seen (a zero-width space, a combining mark) is shown as ``<U+200B>``, and two
texts that look alike are said to differ in their code points.
"""

from __future__ import annotations

import difflib
import json
import os
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core.data import Custom, Transaction

from fupin.canonical import canonical

if TYPE_CHECKING:
    from beancount.core.data import Directive

    from fupin.book import Book
    from fupin.seals import Listed, Period


def where(meta: Any, root: str) -> str:
    """``file:line`` of an entry, the file relative to the ledger's folder."""
    filename = str((meta or {}).get("filename") or "?")
    if root and os.path.isabs(filename):
        filename = os.path.relpath(filename, root)
    return f"{filename.replace(os.sep, '/')}:{(meta or {}).get('lineno', 0)}"


@dataclass
class Difference:
    """One entry of a sealed period that is not as it was sealed."""

    #: changed | redated | deleted | moved_out | inserted | duplicate
    kind: str
    entry: Directive | None  # the entry now (None when deleted)
    sealed: Listed | None  # the entry as sealed (None when inserted)
    detail: str = ""


def diff(book: Book, period: Period, listed: Sequence[Listed], root: str) -> list[Difference]:
    """The entries of a period that differ from its digest list, paired where possible."""
    was: dict[str, list[Listed]] = defaultdict(list)
    for x in listed:
        was[x.line].append(x)
    now: dict[str, list[Directive]] = defaultdict(list)
    for line, entry in zip(period.lines, period.entries, strict=True):
        now[line].append(entry)
    missing = [x for line, xs in was.items() for x in xs[len(now.get(line, ())) :]]
    out: list[Difference] = []
    extra: list[tuple[Directive, str]] = []
    for line, entries in now.items():
        sealed = was.get(line, [])
        for entry in entries[len(sealed) :]:
            if sealed:
                out.append(Difference("duplicate", entry, sealed[0]))
            else:
                extra.append((entry, canonical(entry, root)))
    out.extend(_pair(missing, extra, root))
    deleted = [d for d in out if d.kind == "deleted"]
    if deleted:
        _moved_out(book, period, deleted, root)
    return sorted(out, key=_order)


def _order(d: Difference) -> tuple[str, str]:
    day = d.entry.date.isoformat() if d.entry is not None else (d.sealed.day if d.sealed else "")
    return (day, d.kind)


def identity(form: list[Any]) -> tuple[Any, ...]:
    """What names an entry apart from its content: a transaction's payee and narration, a
    custom entry's type and first values, otherwise its kind and account (or name)."""
    kind = form[0]
    if kind == "txn":
        return (kind, form[3], form[4])
    if kind == "custom":
        return (kind, form[2], json.dumps(form[3][:2], ensure_ascii=False))
    return (kind, json.dumps(form[2], ensure_ascii=False) if len(form) > 2 else "")


def _pair(missing: list[Listed], extra: list[tuple[Directive, str]], root: str) -> list[Difference]:
    """Pair vanished lines with new entries: by date and identity, then identity alone (a
    change of date), then date, kind and file (a change of what names it); each pass looks
    the new entries up by key, so a large change costs what a small one does, per entry."""
    out: list[Difference] = []
    old = [(x, json.loads(x.text)) for x in missing]
    new = [(entry, json.loads(text)) for entry, text in extra]
    old_ids = [identity(form) for _, form in old]
    new_ids = [identity(form) for _, form in new]
    used_old: set[int] = set()
    used_new: set[int] = set()
    passes: list[tuple[Any, Any]] = [
        (lambda i: (old[i][1][1], old_ids[i]), lambda j: (new[j][1][1], new_ids[j])),
        (lambda i: old_ids[i], lambda j: new_ids[j]),
        (
            lambda i: (old[i][1][1], old[i][1][0], old[i][0].where.rsplit(":", 1)[0]),
            lambda j: (new[j][1][1], new[j][1][0], where(new[j][0].meta, root).rsplit(":", 1)[0]),
        ),
    ]
    for old_key, new_key in passes:
        waiting: dict[Any, list[int]] = defaultdict(list)
        for i in range(len(old)):
            if i not in used_old:
                waiting[old_key(i)].append(i)
        for j in range(len(new)):
            if j in used_new:
                continue
            held = waiting.get(new_key(j))
            if not held:
                continue
            i = held.pop(0)
            used_old.add(i)
            used_new.add(j)
            (x, was), (entry, form) = old[i], new[j]
            kind = "changed" if was[1] == form[1] else "redated"
            out.append(Difference(kind, entry, x, describe_change(was, form)))
    out.extend(Difference("deleted", None, x) for i, (x, _) in enumerate(old) if i not in used_old)
    out.extend(
        Difference("inserted", entry, None) for j, (entry, _) in enumerate(new) if j not in used_new
    )
    return out


def _moved_out(book: Book, period: Period, deleted: list[Difference], root: str) -> None:
    """Look for deleted transactions and entities that now sit outside the period."""
    wanted: dict[tuple[Any, ...], list[Difference]] = defaultdict(list)
    for d in deleted:
        if d.sealed is not None:
            wanted[identity(json.loads(d.sealed.text))].append(d)
    after, end = period.after, period.seal.date
    for entry in book.entries:
        if (after is None or entry.date > after) and entry.date <= end:
            continue
        if type(entry) is Transaction:
            key: tuple[Any, ...] = ("txn", entry.payee, entry.narration)
        elif type(entry) is Custom and entry.type != "seal":
            form = json.loads(canonical(entry, root))
            key = identity(form)
        else:
            continue
        held = wanted.get(key)
        if held:
            d = held.pop(0)
            d.kind, d.entry = "moved_out", entry
            d.detail = f"日期 {d.sealed.day if d.sealed else '?'} → {entry.date} (移出封存期)"


def describe_change(was: list[Any], now: list[Any]) -> str:
    """What differs between two canonical forms, in words (``金额 … → …``)."""
    kind = was[0]
    notes: list[str] = []
    if was[1] != now[1]:
        notes.append(f"日期 {was[1]} → {now[1]}")
    if kind == "txn" and now[0] == "txn":
        for index, name in ((2, "标记"), (3, "收付款人"), (4, "摘要"), (5, "标签"), (6, "链接")):
            if was[index] != now[index]:
                notes.append(change(name, was[index], now[index]))
        notes += _meta_change(was[7], now[7])
        notes += _postings_change(was[8], now[8])
    elif kind == "custom" and now[0] == "custom":
        if was[2] != now[2]:
            notes.append(f"类型 {was[2]} → {now[2]}")
        if was[3] != now[3]:
            notes.append(change("值", was[3], now[3]))
        notes += _meta_change(was[4], now[4])
    else:
        for index, (a, b) in enumerate(zip(was[2:-1], now[2:-1], strict=False), 2):
            if a != b:
                notes.append(change(f"字段{index}", a, b))
        notes += _meta_change(was[-1], now[-1])
    return "; ".join(notes) or "内容改动"


def _meta_change(was: list[list[Any]], now: list[list[Any]]) -> list[str]:
    old = {key: value for key, value in was}
    new = {key: value for key, value in now}
    notes = []
    for key in sorted(old.keys() | new.keys()):
        if key not in new:
            notes.append(f"元数据 {key}: 删除 {show(old[key])}")
        elif key not in old:
            notes.append(f"元数据 {key}: 新增 {show(new[key])}")
        elif old[key] != new[key]:
            notes.append(change(f"元数据 {key}:", old[key], new[key]))
    return notes


def _postings_change(was: list[list[Any]], now: list[list[Any]]) -> list[str]:
    old = Counter(json.dumps(p, ensure_ascii=False) for p in was)
    new = Counter(json.dumps(p, ensure_ascii=False) for p in now)
    gone = [json.loads(p) for p in (old - new).elements()]
    came = [json.loads(p) for p in (new - old).elements()]
    notes = []
    for p in list(gone):
        twin = next((q for q in came if q[0] == p[0]), None) or next(
            (q for q in came if q[1:] == p[1:]), None
        )
        if twin is None:
            continue
        gone.remove(p)
        came.remove(twin)
        if twin[0] == p[0]:
            if p[1] != twin[1]:
                notes.append(f"金额 {p[0]} {show(p[1])} → {show(twin[1])}")
            if p[2:] != twin[2:]:
                notes.append(f"分录 {show_posting(p)} → {show_posting(twin)}")
        else:
            notes.append(f"科目 {p[0]} → {twin[0]} ({show(p[1])})")
    notes += [f"删除分录 {show_posting(p)}" for p in gone]
    notes += [f"新增分录 {show_posting(p)}" for p in came]
    return notes


def _hidden(char: str) -> bool:
    """A character a reader does not see: format, control, private or unassigned ones,
    combining marks, and every space but the plain one."""
    return unicodedata.category(char)[0] in "CMZ" and char != " "


def visible(text: str) -> str:
    """``text`` with each hidden character written ``<U+200B>``."""
    if not any(_hidden(c) for c in text):
        return text
    return "".join(f"<U+{ord(c):04X}>" if _hidden(c) else c for c in text)


def lookalike(was: str, now: str) -> str:
    """Which code points differ, when two texts look alike (the same once compatibility
    forms are folded and hidden characters dropped): ``'' `` when they do not."""

    def seen(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKC", text) if not _hidden(c))

    if was == now or seen(was) != seen(now):
        return ""
    parts = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, was, now, autojunk=False).get_opcodes():
        if op != "equal":
            old = " ".join(f"U+{ord(c):04X}" for c in was[a1:a2]) or "(无)"
            new = " ".join(f"U+{ord(c):04X}" for c in now[b1:b2]) or "(无)"
            parts.append(f"{old} → {new}")
    return "看似相同, Unicode 编码不同: " + ", ".join(parts[:3])


def change(name: str, was: Any, now: Any) -> str:
    """``<name> <was> → <now>``, saying so when two texts only look alike."""
    text = f"{name} {show(was)} → {show(now)}"
    if isinstance(was, str) and isinstance(now, str):
        note = lookalike(was, now)
        if note:
            text += f" ({note})"
    return text


def show(item: Any) -> str:
    """A canonical value as a reader writes it (hidden characters made visible)."""
    if isinstance(item, str):
        return visible(item)
    if item is None:
        return "(空)"
    if item is True:
        return "TRUE"
    if item is False:
        return "FALSE"
    if isinstance(item, list):
        if item and item[0] == "n" and len(item) == 2:
            return str(item[1])
        if item and item[0] == "d" and len(item) == 2:
            return str(item[1])
        if item and item[0] == "a" and len(item) == 3:
            return f"{item[1]} {item[2]}"
        return "[" + ", ".join(show(x) for x in item) + "]"
    return visible(str(item))


def show_posting(posting: list[Any]) -> str:
    text = f"{posting[0]} {show(posting[1])}"
    if posting[2] is not None:
        text += " {" + show(posting[2]) + "}"
    if posting[3] is not None:
        text += f" @ {show(posting[3])}"
    if posting[5]:
        text += " " + ", ".join(f"{k}: {show(v)}" for k, v in posting[5])
    return text


def summary(form: list[Any]) -> str:
    """One line naming an entry from its canonical form (for a deleted entry)."""
    kind = form[0]
    if kind == "txn":
        amounts = [p[1] for p in form[8] if p[1] is not None and p[1][1] is not None]
        biggest = max(amounts, key=lambda a: Decimal(a[1]), default=None)
        amount = show(biggest) if biggest is not None else ""
        return " ".join(
            visible(x) for x in (form[1], form[2] or "", form[3] or "", form[4] or "", amount) if x
        )
    if kind == "custom":
        values = " ".join(show(v) for v in form[3])
        return f'{form[1]} custom "{form[2]}" {values}'
    return f"{form[1]} {kind} {show(form[2]) if len(form) > 2 else ''}".strip()


def entry_summary(entry: Directive, root: str = "") -> str:
    """One line naming an entry (date, kind, payee/narration or values, first amount)."""
    return summary(json.loads(canonical(entry, root)))
