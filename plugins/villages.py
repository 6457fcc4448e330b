"""The places the ledger names, against the household register (issue 12).

A project's or a notice's ``township`` and ``village`` are typed by hand: a mistyped
青山材 would become a village of its own in every per-village figure, notice and roll-up
row. With a register, each named place is compared with the places its households live in:

* a village the register places only in other townships: **error** (the pair cannot be
  right: either the township or the village is mistyped);
* a township, or a village of a known township, the register does not know: **warning**
  (a village with no registered household is possible, say a road in a non-poor village,
  so the officer is shown the register's villages of that township, not refused).

Without a register, or with one C08 reports as broken, nothing is compared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from fupin.entities import Notice, Project
from fupin.findings import Finding, Severity
from fupin.households import RegisterError, RegisterRef, cached_register, register_path
from fupin.integrity import entity_finding
from fupin.messages_zh import show_input

if TYPE_CHECKING:
    from fupin.book import Book
    from fupin.entities import Entity

#: how many of a township's villages a warning lists
SHOWN = 8


def places(book: Book) -> dict[str, set[str]] | None:
    """The register's villages by township; None without a (readable) register."""
    if not book.all(RegisterRef):
        return None
    path = register_path(None, book)
    try:
        households = cached_register(path).households if path else None
    except (RegisterError, OSError):
        return None
    if not households:
        return None
    out: dict[str, set[str]] = defaultdict(set)
    for household in households.values():
        out[household.township].add(household.village)
    return dict(out)


def unknown_places(book: Book) -> Iterator[Finding]:
    """ENTITY findings for projects and notices naming a place the register does not hold."""
    known = places(book)
    if known is None:
        return
    townships_of: dict[str, list[str]] = defaultdict(list)
    for name, villages in known.items():
        for place in villages:
            townships_of[place].append(name)
    named: list[Entity] = [*book.all(Project), *book.all(Notice)]
    for item in named:
        township = getattr(item, "township", None)
        village = getattr(item, "village", None)
        text = _judge(known, townships_of, township, village)
        if text is not None:
            severity, message = text
            yield entity_finding(
                item, book.entry_of(item), message, severity=severity, policy_key="village"
            )


def _judge(
    known: dict[str, set[str]],
    townships_of: dict[str, list[str]],
    township: str | None,
    village: str | None,
) -> tuple[str, str] | None:
    """(severity, message) for one named place, or None when the register agrees."""
    if village is None:
        if township is None or township in known:
            return None
        return Severity.WARNING, f"township = {show_input(township)}: 农户信息库中没有这个乡镇"
    elsewhere = sorted(townships_of.get(village, ()))
    if township is None:
        if elsewhere:
            return None
        return Severity.WARNING, f"village = {show_input(village)}: 农户信息库中没有这个村"
    if village in known.get(township, ()):
        return None
    if elsewhere:
        return (
            Severity.ERROR,
            f"village = {show_input(village)}: 农户信息库中该村属于 {'、'.join(elsewhere)}, "
            f"不属于 {township} — 乡镇或村名有误",
        )
    if township not in known:
        return (
            Severity.WARNING,
            f"township = {show_input(township)}, village = {show_input(village)}: "
            "农户信息库中没有这个乡镇和村",
        )
    villages = sorted(known[township])
    listed = "、".join(villages[:SHOWN]) + (" 等" if len(villages) > SHOWN else "")
    return (
        Severity.WARNING,
        f"village = {show_input(village)}: 农户信息库中 {township} 没有这个村 "
        f"(该镇已登记的村: {listed}) — 村名有误, 或该村无登记农户",
    )
