"""Beancount's validations after a load, sparing what each file's record already knows.

Beancount validates the whole list of entries after the plugins, every time. Three of its
checks look at one transaction at a time against the ledger's ``open`` and ``close``
directives or against nothing at all:

* ``validate_check_transaction_balances``: a function of the transaction (and the booking
  options); a record keeps whether every transaction of its file balances;
* ``validate_active_accounts``: every posting's account is open on the transaction's day;
* ``validate_currency_constraints``: every posting's currency is one its account's ``open``
  allows.

For the last two a record keeps its file's :func:`usage`: for each account its transactions
post to, the first and last day and the currencies. On the next load a file whose
transactions are all still the very objects of its record, with equal postings (no plugin
replaced or changed them), is judged from its usage against the ``open`` and ``close``
directives of the whole ledger as it is now (an account opened once, on or before the first
day, and closed at most once, on or after the last day; every currency allowed). If every
such file passes, Beancount's checks run on the other entries only (every entry that is not
a transaction, and the transactions of the other files or that a plugin added), and find
what they would find on all of them; if one does not, they run on all entries. Every other
validation runs on all entries, in Beancount's order.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from beancount.core import data
from beancount.ops import validation

Check = Callable[[list[Any], dict[str, Any]], list[Any]]
#: account → (first day, last day, currencies) of one file's postings
Usage = dict[str, tuple[datetime.date, datetime.date, frozenset[str]]]

# Beancount's functions are untyped: typed handles on the ones used here
_validate_all: Callable[[list[Any], dict[str, Any], None, None], list[Any]] = validation.validate
_balances: Check = validation.validate_check_transaction_balances
_active: Check = validation.validate_active_accounts
_currencies: Check = validation.validate_currency_constraints
_Transaction = data.Transaction


def usage(entries: Sequence[Any]) -> Usage:
    """For each account the transactions of ``entries`` post to: the first and last day
    and the currencies of its postings."""
    found: dict[str, tuple[datetime.date, datetime.date, set[str]]] = {}
    for entry in entries:
        if type(entry) is not _Transaction:
            continue
        day = entry.date
        for posting in entry.postings:
            seen = found.get(posting.account)
            units: Any = posting.units
            currency: Any = units.currency if units is not None else None
            if seen is None:
                found[posting.account] = (day, day, {currency})
            else:
                first, last, currencies = seen
                currencies.add(currency)
                if day < first or day > last:
                    found[posting.account] = (min(first, day), max(last, day), currencies)
    return {name: (first, last, frozenset(c)) for name, (first, last, c) in found.items()}


@dataclass
class Known:
    """What the records of a load know, taken before any plugin runs."""

    #: id of each transaction of a record → (its postings as booked, the record's index)
    postings: dict[int, tuple[tuple[Any, ...], int]]
    #: each record's usage (None: not kept), and how many transactions it holds
    usages: list[Usage | None]
    counts: list[int]
    #: after :func:`validate`: the files whose transactions were judged from their usage
    spared: int = 0


def known(records: Sequence[tuple[list[Any], bool, Usage | None]]) -> Known | None:
    """From each file's (booked entries, whether all balance, usage); None unless every
    file's record found all its transactions balanced (then Beancount checks them all)."""
    if not all(balanced for _, balanced, _ in records):
        return None
    postings: dict[int, tuple[tuple[Any, ...], int]] = {}
    counts: list[int] = []
    for index, (entries, _, _) in enumerate(records):
        before = len(postings)
        for entry in entries:
            if type(entry) is _Transaction:
                postings[id(entry)] = (tuple(entry.postings), index)
        counts.append(len(postings) - before)
    return Known(postings, [use for _, _, use in records], counts)


def validate(entries: list[Any], options_map: dict[str, Any], known: Known | None) -> list[Any]:
    """Beancount's ``validation.validate(entries, options_map)``, sparing what is known."""
    if known is None:
        return _validate_all(entries, options_map, None, None)
    rest: list[Any] = []  # transactions a record does not vouch for
    unchanged = [0] * len(known.counts)
    file_of: dict[int, int] = {}  # id of each vouched transaction → its record's index
    vouched = known.postings
    opens: dict[str, list[data.Open]] = {}
    closes: dict[str, list[data.Close]] = {}
    for entry in entries:  # one walk: the vouched transactions, the opens and closes
        if type(entry) is _Transaction:
            seen = vouched.get(id(entry))
            # the very postings, or equal ones (a tuple compares by identity first): the
            # checks are functions of the postings' values
            if seen is not None and seen[0] == tuple(entry.postings):
                unchanged[seen[1]] += 1
                file_of[id(entry)] = seen[1]
            else:
                rest.append(entry)
        elif isinstance(entry, data.Open):
            opens.setdefault(entry.account, []).append(entry)
        elif isinstance(entry, data.Close):
            closes.setdefault(entry.account, []).append(entry)
    whole = [i for i, n in enumerate(unchanged) if n == known.counts[i] and known.usages[i]]
    others = None
    if whole and _passes([known.usages[i] for i in whole], opens, closes):
        spared = set(whole)
        others = [e for e in entries if file_of.get(id(e)) not in spared]
        known.spared = len(spared)
    errors: list[Any] = []
    checks: list[Check] = validation.VALIDATIONS
    for check in checks:
        if check is _balances:
            errors.extend(check(rest, options_map))
        elif others is not None and (check is _active or check is _currencies):
            errors.extend(check(others, options_map))
        else:
            errors.extend(check(entries, options_map))
    return errors


def _passes(
    usages: Sequence[Usage | None],
    opens: dict[str, list[data.Open]],
    closes: dict[str, list[data.Close]],
) -> bool:
    """Whether the transactions behind ``usages`` give no error in either check, given the
    ledger's opens and closes by account (in the order of the entries)."""
    # Beancount's constraint: the last open of the account that names currencies
    allowed = {
        name: found[-1]
        for name, items in opens.items()
        if (found := [o for o in items if o.currencies])
    }
    for use in usages:
        assert use is not None
        for account, (first, last, currencies) in use.items():
            opened = opens.get(account)
            if opened is None or len(opened) != 1 or opened[0].date > first:
                return False
            closed = closes.get(account)
            if closed is not None and (len(closed) != 1 or closed[0].date < last):
                return False
            constraint = allowed.get(account)
            if constraint is not None and not currencies <= set(constraint.currencies):
                return False
    return True
