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

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data
from fupin.importers.dedupe import KeyIndex, index_of

Where = Callable[[data.Directive], str]


@dataclass(frozen=True)
class Problem:
    """One thing the import added: where (file:line), which rule, the message."""

    where: str
    rule: str
    message: str
    severity: str = "error"


def _account_refs(entry: data.Directive) -> list[str]:
    if isinstance(entry, data.Transaction):
        return [p.account for p in entry.postings]
    if isinstance(entry, data.Balance):
        return [entry.account]
    if isinstance(entry, data.Custom):
        account = entry.meta.get("account")
        return [account] if isinstance(account, str) and ":" in account else []
    return []


def beancount_checks(
    index: KeyIndex, existing: Sequence[data.Directive], new: Sequence[data.Directive], where: Where
) -> list[Problem]:
    """Beancount's validation of the new entries against the existing ledger (docstring 1)."""
    opens: dict[str, data.Open] = {}
    closes: dict[str, data.Close] = {}
    for entry in (*(e for e in existing if isinstance(e, data.Open | data.Close)), *new):
        if isinstance(entry, data.Open):
            opens.setdefault(entry.account, entry)
        elif isinstance(entry, data.Close):
            closes.setdefault(entry.account, entry)
    problems: list[Problem] = []
    touched: set[str] = set()
    for entry in new:
        for account in _account_refs(entry):
            touched.add(account)
            opened = opens.get(account)
            closed = closes.get(account)
            if opened is None:
                problems.append(
                    Problem(
                        where(entry),
                        "BEANCOUNT",
                        f"Invalid reference to unknown account '{account}'",
                    )
                )
            elif opened.date > entry.date or (closed is not None and closed.date < entry.date):
                problems.append(
                    Problem(
                        where(entry),
                        "BEANCOUNT",
                        f"Invalid reference to inactive account '{account}'",
                    )
                )
        if isinstance(entry, data.Transaction):
            sums: dict[str, Decimal] = defaultdict(Decimal)
            for posting in entry.postings:
                units = posting.units
                if units is None or units.number is None:
                    problems.append(Problem(where(entry), "BEANCOUNT", "Posting without an amount"))
                    continue
                sums[units.currency] += units.number
                allowed = opens.get(posting.account)
                if (
                    allowed is not None
                    and allowed.currencies
                    and units.currency not in allowed.currencies
                ):
                    problems.append(
                        Problem(
                            where(entry),
                            "BEANCOUNT",
                            f"Invalid currency {units.currency} for account '{posting.account}'",
                        )
                    )
            for currency, total in sums.items():
                if total:
                    problems.append(
                        Problem(
                            where(entry),
                            "BEANCOUNT",
                            f"Transaction does not balance: ({total} {currency})",
                        )
                    )
    problems.extend(_balances(index, existing, new, touched, where))
    return problems


def _balances(
    index: KeyIndex,
    existing: Sequence[data.Directive],
    new: Sequence[data.Directive],
    touched: set[str],
    where: Where,
) -> list[Problem]:
    """Every balance assertion on an account the new entries touch, as Beancount checks it."""
    assertions = [e for e in (*existing, *new) if isinstance(e, data.Balance)]
    assertions = [
        b
        for b in assertions
        if any(a == b.account or a.startswith(b.account + ":") for a in touched)
    ]
    if not assertions:
        return []
    out: list[Problem] = []
    for account in sorted({b.account for b in assertions}):
        moves: list[tuple[Any, Decimal, str]] = []
        subs = [a for a in index.by_account if a == account or a.startswith(account + ":")]
        seen: set[int] = set()
        for name in subs:
            for txn in index.transactions_on(name):
                if id(txn) in seen:
                    continue
                seen.add(id(txn))
                moves.extend(_moves(txn, account))
        for entry in new:
            if isinstance(entry, data.Transaction) and id(entry) not in seen:
                moves.extend(_moves(entry, account))
        moves.sort(key=lambda m: m[0])
        checks = sorted((b for b in assertions if b.account == account), key=lambda b: b.date)
        totals: dict[str, Decimal] = defaultdict(Decimal)
        position = 0
        for balance in checks:
            while position < len(moves) and moves[position][0] < balance.date:
                _, number, currency = moves[position]
                totals[currency] += number
                position += 1
            want = balance.amount
            got = totals[want.currency]
            if abs(got - want.number) > Decimal("0.005"):
                diff = got - want.number
                out.append(
                    Problem(
                        where(balance),
                        "BEANCOUNT",
                        f"Balance failed for '{account}': expected {want.number} {want.currency} != "
                        f"accumulated {got} {want.currency} ({abs(diff)} too {'much' if diff > 0 else 'little'})",
                    )
                )
    return out


def _moves(txn: data.Transaction, account: str) -> Iterable[tuple[Any, Decimal, str]]:
    for posting in txn.postings:
        if (
            posting.account == account or posting.account.startswith(account + ":")
        ) and posting.units:
            number = posting.units.number
            if number is not None:
                yield txn.date, number, posting.units.currency


def rule_findings(
    existing: Sequence[data.Directive],
    options: dict[str, Any],
    new: Sequence[data.Directive],
    before: Iterable[Any] | None,
    where: Where,
) -> list[Problem]:
    """Every fupin rule over existing + new entries in memory; what is new (docstring 2)."""
    from fupin.plugins import evaluate

    from fupin.book import build_book
    from fupin.findings import Severity

    if before is None:
        before = evaluate(build_book(list(existing), options), keep_measures=False).findings
    known = {(getattr(f, "rule", ""), f.message) for f in before}
    combined = list(
        heapq.merge(existing, sorted(new, key=data.entry_sortkey), key=data.entry_sortkey)
    )
    fresh = {id(e) for e in new}
    out = []
    for item in evaluate(build_book(combined, options), keep_measures=False).findings:
        mine = item.entry is not None and id(item.entry) in fresh
        if item.severity == Severity.ERROR:
            if (item.rule, item.message) in known:
                continue
        elif not mine:
            continue
        place = where(item.entry) if mine else _source(item.source)
        out.append(Problem(place, item.rule, item.message, str(item.severity)))
    return out


def _source(meta: Any) -> str:
    meta = meta or {}
    return f"{meta.get('filename', '?')}:{meta.get('lineno', 0)}"


def check_import(
    existing: Sequence[data.Directive],
    options: dict[str, Any],
    new: Sequence[data.Directive],
    where: Where,
    before: Iterable[Any] | None = None,
) -> list[Problem]:
    """What the import adds: Beancount's checks of the new entries and the new findings.

    ``before``: the fupin findings the ledger had (the plugin's, from its load); None runs
    the rules on the existing entries first.
    """
    index = index_of(existing)
    problems = beancount_checks(index, existing, new, where)
    problems.extend(rule_findings(existing, options, new, before, where))
    return problems
