"""The check after an import: what the new entries add to the ledger's findings.

The first version loaded the whole ledger twice more (before and after writing); at 100k
transactions that was most of an import's time. The existing ledger is loaded once anyway
(for de-duplication), so the new entries are checked against it in memory:

1. **Beancount's own checks, on the new entries, against indexes of the existing ledger**
   (what ``bean-check`` would report about them): every account they use is open on the
   entry's date and not closed, in a currency its ``open`` allows; every transaction
   balances; every ``balance`` assertion on an account they touch, new or existing, still
   holds (running sums of that account's postings, children included, as Beancount
   computes them);
2. **every fupin rule** (:data:`fupin.plugins.RULES`) over the existing and the new entries
   together, in memory (one pass; no parsing or booking of the old ledger again). An error
   finding is new when the ledger did not have it before (same rule and message); a
   warning is listed when it is anchored on a new entry.

The new entries are written exactly as checked (``render`` round-trips, tested), so the
check cannot miss an error the full ``fupin check`` would give on them; the suite compares
the two on imports that break each check.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any

from beancount.core import data, getters
from fupin.importers.dedupe import KeyIndex, index_of

from fupin.money import ZERO


def where(entry: data.Directive) -> str:
    """``file:line`` of an entry (the new ones carry the lines they are written on:
    :func:`fupin.importers.ingest.as_written`)."""
    return _source(entry.meta)


@dataclass(frozen=True)
class Problem:
    """One thing the import added: where (file:line), which rule, the message."""

    where: str
    rule: str
    message: str
    severity: str = "error"


def _account_refs(entry: data.Directive) -> list[str]:
    """The accounts an entry refers to, as Beancount's active-account check reads them (a
    transaction's postings, a balance's account, a custom's account values; not metadata)."""
    if isinstance(entry, data.Transaction):  # the common case, without Beancount's visitor
        postings = entry.postings
        if len(postings) == 2 and postings[0].account != postings[1].account:
            return [postings[0].account, postings[1].account]
    return sorted(getters.get_entry_accounts(entry))


def beancount_checks(index: KeyIndex, new: Sequence[data.Directive]) -> list[Problem]:
    """Beancount's validation of the new entries against the existing ledger (docstring 1)."""
    opens = dict(index.opens)
    closes = dict(index.closes)
    for entry in new:
        if isinstance(entry, data.Open):
            opens.setdefault(entry.account, entry)
        elif isinstance(entry, data.Close):
            closes.setdefault(entry.account, entry)
    problems: list[Problem] = []
    touched: dict[str, datetime.date] = {}  # account → the earliest new entry on it
    for entry in new:
        date = entry.date
        for account in _account_refs(entry):
            first = touched.get(account)
            if first is None or date < first:
                touched[account] = date
            opened = opens.get(account)
            if opened is None:
                problems.append(
                    Problem(
                        where(entry),
                        "BEANCOUNT",
                        f"Invalid reference to unknown account '{account}'",
                    )
                )
                continue
            closed = closes.get(account)
            if opened.date > date or (closed is not None and closed.date < date):
                problems.append(
                    Problem(
                        where(entry),
                        "BEANCOUNT",
                        f"Invalid reference to inactive account '{account}'",
                    )
                )
        if isinstance(entry, data.Transaction):
            problems.extend(_balanced(entry, opens))
    problems.extend(_balances(index, new, touched))
    return problems


def _balanced(txn: data.Transaction, opens: dict[str, data.Open]) -> list[Problem]:
    """A transaction's postings: each with an amount in a currency its account allows, and
    summing to zero per currency."""
    problems = []
    sums: dict[str, Decimal] = {}
    for posting in txn.postings:
        units = posting.units
        if units is None or units.number is None:
            problems.append(Problem(where(txn), "BEANCOUNT", "Posting without an amount"))
            continue
        currency = units.currency
        sums[currency] = sums.get(currency, ZERO) + units.number
        allowed = opens.get(posting.account)
        if allowed is not None and allowed.currencies and currency not in allowed.currencies:
            problems.append(
                Problem(
                    where(txn),
                    "BEANCOUNT",
                    f"Invalid currency {currency} for account '{posting.account}'",
                )
            )
    for currency, total in sums.items():
        if total:
            problems.append(
                Problem(
                    where(txn), "BEANCOUNT", f"Transaction does not balance: ({total} {currency})"
                )
            )
    return problems


def _under(account: str, parent: str) -> bool:
    return account == parent or account.startswith(parent + ":")


def _balances(
    index: KeyIndex,
    new: Sequence[data.Directive],
    touched: dict[str, datetime.date],
) -> list[Problem]:
    """Every balance assertion the new entries can change, as Beancount checks it: a new one,
    or one on an account they touch (children included) dated after the earliest of them
    (an assertion checks the postings before its day; one before every new entry holds or
    fails as the ledger's own load already said)."""
    fresh = {id(e) for e in new}
    assertions = [
        *(b for b in index.balances if id(b) not in fresh),
        *(e for e in new if isinstance(e, data.Balance)),
    ]
    relevant = [
        b
        for b in assertions
        if id(b) in fresh
        or any(_under(a, b.account) and day < b.date for a, day in touched.items())
    ]
    out: list[Problem] = []
    for account in sorted({b.account for b in relevant}):
        moves = _moves(index, new, fresh, account, touched)
        checks = sorted((b for b in relevant if b.account == account), key=lambda b: b.date)
        totals: dict[str, Decimal] = defaultdict(Decimal)
        position = 0
        for balance in checks:
            while position < len(moves) and moves[position][0] < balance.date:
                _, number, currency = moves[position]
                totals[currency] += number
                position += 1
            want = balance.amount
            got = totals[want.currency]
            expected = want.number if want.number is not None else ZERO
            if abs(got - expected) > Decimal("0.005"):
                diff = got - expected
                out.append(
                    Problem(
                        where(balance),
                        "BEANCOUNT",
                        f"Balance failed for '{account}': expected {want.number} {want.currency} != "
                        f"accumulated {got} {want.currency} ({abs(diff)} too {'much' if diff > 0 else 'little'})",
                    )
                )
    return out


def _moves(
    index: KeyIndex,
    new: Sequence[data.Directive],
    fresh: set[int],
    account: str,
    touched: Iterable[str],
) -> list[tuple[datetime.date, Decimal, str]]:
    """Every posting on ``account`` or below it, ledger and import, in date order."""
    held = {a for a in index.by_account if _under(a, account)}
    txns = [t for name in held for t in index.transactions_on(name) if id(t) not in fresh]
    if len(held) > 1:  # a transaction on two of the accounts is listed under both
        txns = list({id(t): t for t in txns}.values())
    txns.extend(e for e in new if isinstance(e, data.Transaction))
    subs = held | {a for a in touched if _under(a, account)}
    out = []
    for txn in txns:
        date = txn.date
        for posting in txn.postings:
            units = posting.units
            if posting.account in subs and units is not None and units.number is not None:
                out.append((date, units.number, units.currency))
    out.sort(key=itemgetter(0))  # two sorted runs (ledger, import): one merge
    return out


def rule_findings(
    existing: Sequence[data.Directive],
    options: dict[str, Any],
    new: Sequence[data.Directive],
    before: Iterable[Any] | None,
) -> list[Problem]:
    """Every fupin rule over existing + new entries in memory; what is new (docstring 2)."""
    from fupin.plugins import evaluate
    from fupin.plugins.integrity import TEXT_SCOPE

    from fupin.book import build_book
    from fupin.findings import Severity

    if before is None:
        before = evaluate(build_book(list(existing), options), keep_measures=False).findings
    known = {(getattr(f, "rule", ""), f.message) for f in before}
    combined = [*existing, *new]
    combined.sort(key=data.entry_sortkey)  # stable: two sorted runs, merged
    fresh = {id(e) for e in new}
    book = build_book(combined, options)
    book.shared(TEXT_SCOPE, lambda: frozenset(fresh))  # the old texts were read at load
    out = []
    for item in evaluate(book, keep_measures=False).findings:
        mine = item.entry is not None and id(item.entry) in fresh
        if item.severity == Severity.ERROR:
            if (item.rule, item.message) in known:
                continue
        elif not mine:
            continue
        out.append(Problem(_source(item.source), item.rule, item.message, str(item.severity)))
    return out


def _source(meta: Any) -> str:
    meta = meta or {}
    return f"{meta.get('filename', '?')}:{meta.get('lineno', 0)}"


def check_import(
    existing: Sequence[data.Directive],
    options: dict[str, Any],
    new: Sequence[data.Directive],
    before: Iterable[Any] | None = None,
    index: KeyIndex | None = None,
) -> list[Problem]:
    """What the import adds: Beancount's checks of the new entries and the new findings.

    ``before``: the fupin findings the ledger had (the plugin's, from its load); None runs
    the rules on the existing entries first. ``index``: the import run's index of the
    ledger (:attr:`fupin.importers.ingest.Run.index`), else built here.
    """
    problems = beancount_checks(index or index_of(existing), new)
    problems.extend(rule_findings(existing, options, new, before))
    return problems
