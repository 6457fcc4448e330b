"""Exact de-duplication on stable source keys (not beangulp's fuzzy comparator).

beangulp's default ``Importer.cmp`` calls two entries the same when dates are within two
days and amounts within 5%: two households' identical 500.00 CNY payments on one day would
hide each other. Every entry an importer here writes carries a key from its source instead
(the bank serial, the roll row, the allocation row), and an entry is a duplicate exactly
when the existing ledger already holds that key.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

from beancount.core import data
from beangulp import extract

#: Metadata beangulp sets on an extracted entry that the ledger already holds.
DUPLICATE = extract.DUPLICATE

SourceKey = tuple[Hashable, ...]


def source_key(entry: data.Directive) -> SourceKey | None:
    """The stable identity of an imported entry, or None for one typed in by hand."""
    meta = entry.meta or {}
    if isinstance(entry, data.Transaction):
        if "bank_serial" in meta:
            return ("bank", str(meta["bank_serial"]), entry.date)
        if "roll_row" in meta:
            return ("roll", str(meta["roll_row"]))
        if "alloc_row" in meta:
            return ("alloc", str(meta["alloc_row"]))
        return None
    if isinstance(entry, data.Custom) and entry.values:
        first = str(entry.values[0].value)
        if entry.type == "bank-line":
            return ("bank", first, entry.date)
        if entry.type == "statement":
            return ("statement", first)
        return None
    if isinstance(entry, data.Balance):
        return ("balance", entry.date, entry.account, entry.amount.number)
    if isinstance(entry, data.Open):
        return ("open", entry.account)
    return None


class KeyIndex:
    """Source keys of the existing ledger → the entry holding each, built in one pass."""

    def __init__(self, existing: Iterable[data.Directive] = ()) -> None:
        self.keys: dict[SourceKey, data.Directive] = {}
        self.add(existing)

    def add(self, entries: Iterable[data.Directive]) -> None:
        for entry in entries:
            key = source_key(entry)
            if key is not None:
                self.keys.setdefault(key, entry)

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


class ExactDedupe:
    """Mixin for ``beangulp.Importer``: exact source-key comparison and de-duplication."""

    @staticmethod
    def cmp(entry1: data.Directive, entry2: data.Directive) -> bool:
        key = source_key(entry1)
        return key is not None and key == source_key(entry2)

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        """Mark each entry whose source key the existing entries already hold."""
        KeyIndex(existing).mark(entries)


def open_missing(
    filepath: str,
    entries: data.Entries,
    existing: data.Entries,
    account: str,
    names: Mapping[str, str],
) -> list[data.Open]:
    """``open`` (with a Chinese ``name:``) each account the new transactions use that the
    ledger has not opened, dated the earliest use. Only against a real ledger: one that
    opens the importer's own ``account``; without one (tests, no ``-e``) nothing is added.
    """
    opened = {e.account for e in existing if isinstance(e, data.Open)}
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
        if name in names:
            meta["name"] = names[name]
        opens.append(data.Open(meta, entry.date, name, None, None))  # type: ignore[arg-type]
    return opens
