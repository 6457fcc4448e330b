"""What LEDGER's quick test and PII need of one file's transactions (issue 12, issue 19).

:func:`summarize` reads a group of transactions (one file's) once, with C-level maps, and
keeps only what does not depend on the rest of the ledger: the distinct metadata keys, the
distinct value of each key LEDGER checks, the posting currencies, whether any posting has
a cost or price, the currencies of metadata amounts, and whether any of the texts may hold
a personal number. The ledger's context (the entities a value must name, the operating
currency) is applied to the summaries afterwards (:meth:`LedgerChecker.judge`), so a
summary can be kept per file between runs (:mod:`fupin.file_memo`).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from beancount.core.amount import Amount
from fupin.plugins.personal_data import TextScanner, gather

if TYPE_CHECKING:
    from beancount.core.data import Meta, Transaction


class TextSummary(NamedTuple):
    """The context-free facts of a group of transactions (see the module)."""

    keys: frozenset[str]  # metadata keys, of the transactions and their postings
    watched: tuple[tuple[str, frozenset[Any]], ...]  # (key, its distinct values)
    currencies: frozenset[str] | None  # of the postings; None: a posting without units
    priced: bool  # a posting at cost or with a price
    amount_currencies: frozenset[str]  # of the metadata amounts
    personal: bool  # some text may hold a personal number (then PII reads them all)


def summarize(
    txns: list[Transaction],
    watched: frozenset[str],
    read: Callable[[set[Any]], object] | None = None,
) -> TextSummary:
    """The summary of ``txns``; ``watched``: the metadata keys whose values are kept;
    ``read`` is given the distinct texts gathered on the way (:func:`texts`)."""
    metas, pmetas, postings = _metas(txns)
    keys = set(chain.from_iterable(metas))
    keys.update(chain.from_iterable(pmetas))
    values: dict[str, frozenset[Any]] = {}
    for key in sorted(watched.intersection(keys)):
        found = {m.get(key, _ABSENT) for m in chain(metas, pmetas)}
        found.discard(_ABSENT)
        values[key] = frozenset(found)
    try:
        currencies: frozenset[str] | None = frozenset(map(_CURRENCY, postings))
    except AttributeError:  # a posting without units
        currencies = None
    scanner = TextScanner()
    scanner.values = texts(txns, metas, pmetas)
    if read is not None:
        read(scanner.values)
    amounts = frozenset(v.currency for v in scanner.values if type(v) is Amount)
    return TextSummary(
        frozenset(keys),
        tuple(values.items()),
        currencies,
        any(map(_COST, postings)) or any(map(_PRICE, postings)),
        amounts,
        scanner.suspects(),
    )


def texts(
    txns: list[Transaction],
    metas: list[Meta] | None = None,
    pmetas: list[Meta] | None = None,
) -> set[Any]:
    """The distinct texts of ``txns``: payees, narrations, tags, links, metadata values."""
    if metas is None or pmetas is None:
        metas, pmetas, _ = _metas(txns)
    values: set[Any] = set(map(_PAYEE, txns))
    values.update(map(_NARRATION, txns))
    values.update(chain.from_iterable(filter(None, map(_TAGS, txns))))
    values.update(chain.from_iterable(filter(None, map(_LINKS, txns))))
    for group in (metas, pmetas):
        for meta in group:
            gather(values, meta, len(meta))
    return values


def _metas(txns: list[Transaction]) -> tuple[list[Meta], list[Meta], list[Any]]:
    """The transactions' metadata, their postings' metadata that counts, their postings."""
    metas = list(map(_META, txns))
    postings = list(chain.from_iterable(map(_POSTINGS, txns)))
    pmetas = [m for m in map(_META, postings) if m and len(m) > 2 and not _only_automatic(m)]
    return metas, pmetas, postings


def _only_automatic(meta: Meta) -> bool:
    """A posting's metadata that holds Beancount's own ``__automatic__`` mark only."""
    return len(meta) == 3 and "__automatic__" in meta


_ABSENT = object()
_META = attrgetter("meta")
_POSTINGS = attrgetter("postings")
_PAYEE = attrgetter("payee")
_NARRATION = attrgetter("narration")
_TAGS = attrgetter("tags")
_LINKS = attrgetter("links")
_CURRENCY = attrgetter("units.currency")
_COST = attrgetter("cost")
_PRICE = attrgetter("price")
