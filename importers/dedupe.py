"""Exact de-duplication on stable source keys (not beangulp's fuzzy comparator).

beangulp's default ``Importer.cmp`` calls two entries the same when dates are within two
days and amounts within 5%: two households' identical 500.00 CNY payments on one day would
hide each other. Every entry an importer here writes carries a key from its source instead
(the bank serial, the roll row, the allocation row), and an entry is a duplicate exactly
when the existing ledger already holds that key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping

from beancount.core import data
from beangulp import extract
from fupin.importers.sheet import SHEET_KEY
from fupin.importers.table import as_text

#: Metadata beangulp sets on an extracted entry that the ledger already holds.
DUPLICATE = extract.DUPLICATE

SourceKey = tuple[Hashable, ...]


def source_key(entry: data.Directive) -> SourceKey | None:
    """The stable identity of an imported entry, or None for one typed in by hand.

    A serial kept with Excel's text mark by an earlier import (``'0001``, ``="0001"``) is the
    key the reader now gives (``0001``): re-importing that file adds nothing."""
    meta = entry.meta or {}
    if isinstance(entry, data.Transaction):
        if "bank_serial" in meta:
            return ("bank", as_text(str(meta["bank_serial"])), entry.date)
        if "roll_row" in meta:
            return ("roll", str(meta["roll_row"]))
        if "alloc_row" in meta:
            return ("alloc", str(meta["alloc_row"]))
        return None
    if isinstance(entry, data.Custom) and entry.values:
        first = str(entry.values[0].value)
        if entry.type == "bank-line":
            return ("bank", as_text(first), entry.date)
        if entry.type == "statement":
            return ("statement", first)
        return None
    if isinstance(entry, data.Balance):
        return ("balance", entry.date, entry.account, entry.amount.number)
    if isinstance(entry, data.Open):
        return ("open", entry.account)
    return None


class KeyIndex:
    """The existing ledger as importers need it, built in one pass: source keys → the entry
    holding each, transactions and bank lines by account, the accounts opened."""

    def __init__(self, existing: Iterable[data.Directive] = ()) -> None:
        self.keys: dict[SourceKey, data.Directive] = {}
        self.by_account: dict[str, list[data.Transaction]] = defaultdict(list)
        self.lines: dict[str, list[data.Custom]] = defaultdict(list)
        self.opened: set[str] = set()
        #: the first ``open`` and ``close`` of each account, every ``balance`` assertion
        #: (what the post-import check validates new entries against)
        self.opens: dict[str, data.Open] = {}
        self.closes: dict[str, data.Close] = {}
        self.balances: list[data.Balance] = []
        self.add(existing)

    def add(self, entries: Iterable[data.Directive]) -> None:
        keys, by_account = self.keys, self.by_account
        for entry in entries:
            key = source_key(entry)
            if key is not None:
                keys.setdefault(key, entry)
            if isinstance(entry, data.Transaction):
                postings = entry.postings
                if len(postings) == 2 and postings[0].account != postings[1].account:
                    by_account[postings[0].account].append(entry)
                    by_account[postings[1].account].append(entry)
                else:
                    for account in dict.fromkeys(p.account for p in postings):
                        by_account[account].append(entry)
            elif isinstance(entry, data.Open):
                self.opened.add(entry.account)
                self.opens.setdefault(entry.account, entry)
            elif isinstance(entry, data.Close):
                self.closes.setdefault(entry.account, entry)
            elif isinstance(entry, data.Balance):
                self.balances.append(entry)
            elif isinstance(entry, data.Custom) and entry.type == "bank-line":
                self.lines[str(entry.meta.get("account"))].append(entry)

    def transactions_on(self, account: str) -> list[data.Transaction]:
        return self.by_account.get(account, [])

    def bank_lines(self, account: str) -> list[data.Custom]:
        return self.lines.get(account, [])

    def mark(self, entries: Iterable[data.Directive]) -> int:
        """Mark entries already held with ``__duplicate__``; return how many."""
        count = 0
        for entry in entries:
            key = source_key(entry)
            held = self.keys.get(key) if key is not None else None
            if held is not None:
                entry.meta[DUPLICATE] = held
                count += 1
        return count


class Existing(list[data.Directive]):
    """The existing entries of an import run, with their :class:`KeyIndex` kept up to date
    as the run adds each document's new entries (so no importer rebuilds it)."""

    def __init__(self, entries: Iterable[data.Directive] = ()) -> None:
        super().__init__(entries)
        self.held = KeyIndex(self)

    def extend(self, entries: Iterable[data.Directive]) -> None:
        entries = list(entries)
        super().extend(entries)
        self.held.add(entries)


def index_of(existing: Iterable[data.Directive] | KeyIndex) -> KeyIndex:
    """The index of ``existing`` (kept on an :class:`Existing`, else built now)."""
    if isinstance(existing, KeyIndex):
        return existing
    if isinstance(existing, Existing):
        return existing.held
    return KeyIndex(existing)


class ExactDedupe:
    """Mixin for ``beangulp.Importer``: exact source-key comparison and de-duplication."""

    @staticmethod
    def cmp(entry1: data.Directive, entry2: data.Directive) -> bool:
        key = source_key(entry1)
        return key is not None and key == source_key(entry2)

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        """Mark each entry whose source key the existing entries already hold."""
        index_of(existing).mark(entries)


def open_missing(
    filepath: str,
    entries: data.Entries,
    existing: data.Entries | KeyIndex,
    account: str,
    names: Mapping[str, str],
) -> list[data.Open]:
    """``open`` (with a Chinese ``name:``) each account the new transactions use that the
    ledger has not opened, dated the earliest use. Only against a real ledger: one that
    opens the importer's own ``account``; without one (tests, no ``-e``) nothing is added.
    """
    opened = index_of(existing).opened
    if account not in opened:
        return []
    first: dict[str, data.Transaction] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                if posting.account not in opened:
                    held = first.get(posting.account)
                    if held is None or entry.date < held.date:
                        first[posting.account] = entry
    opens = []
    for name, entry in first.items():
        meta = data.new_metadata(filepath, entry.meta.get("lineno", 0))
        if SHEET_KEY in entry.meta:
            meta[SHEET_KEY] = entry.meta[SHEET_KEY]
        if name in names:
            meta["name"] = names[name]
        opens.append(data.Open(meta, entry.date, name, None, None))  # type: ignore[arg-type]
    return opens
