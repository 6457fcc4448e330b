"""A cache record's entries with equal immutable values shared, for its pickle (issue 19).

Beancount's parser makes a new object for every token: each of a file's 3,000 wage payments
has its own ``"household"`` and ``"period"`` metadata keys, its own ``"CNY"``, its own
``Decimal("600.00")`` and ``Amount``, the same narration and date again and again. A pickle
writes each object it meets once and then refers to it, so equal values that are distinct
objects are written, and read back, once per use: two thirds of a record's strings.

:func:`shared` gives copies of the entries in which equal strings, dates, numbers (equal by
their text: ``600.00`` and ``600.0`` stay apart) and amounts are one object. Only immutable
values are shared; every metadata dict, posting list and entry stays its own object, with
its keys in their order, so the entries read back are equal, value for value, to the ones
parsed. The live load keeps the parsed objects: the copies are made for the pickle only.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount
from beancount.parser import grammar

_SIMPLE = (str, datetime.date, Decimal)


class _Values:
    """One object per equal immutable value met."""

    def __init__(self) -> None:
        self.seen: dict[Any, Any] = {}

    def one(self, value: Any) -> Any:
        kind = type(value)
        if kind is str:
            key: Any = value
        elif kind is Decimal:
            key = (Decimal, str(value))  # by its text: the exponent is part of the value
        elif kind is datetime.date:
            key = (datetime.date, value)
        elif kind is Amount:
            key = (Amount, str(value.number), value.currency)
            found = self.seen.get(key)
            if found is None:
                found = self.seen[key] = tuple.__new__(
                    Amount, (self.one(value.number), self.one(value.currency))
                )
            return found
        else:
            return value
        return self.seen.setdefault(key, value)

    def meta(self, meta: Any) -> Any:
        if type(meta) is not dict:
            return meta
        one = self.one
        return {one(k): one(v) for k, v in meta.items()}

    def posting(self, posting: data.Posting) -> data.Posting:
        account, units, cost, price, flag, meta = posting
        one = self.one
        return tuple.__new__(
            data.Posting,
            (one(account), one(units), cost, one(price), flag, self.meta(meta)),
        )

    def transaction(self, txn: data.Transaction) -> data.Transaction:
        meta, date, flag, payee, narration, tags, links, postings = txn
        one = self.one
        return tuple.__new__(
            data.Transaction,
            (
                self.meta(meta),
                one(date),
                flag,
                one(payee),
                one(narration),
                tags,
                links,
                list(map(self.posting, postings)) if type(postings) is list else postings,
            ),
        )

    def custom(self, custom: data.Custom) -> data.Custom:
        meta, date, kind, values = custom
        one = self.one
        if type(values) is list:
            values = [
                tuple.__new__(grammar.ValueType, (one(v.value), v.dtype))
                if type(v) is grammar.ValueType
                else v
                for v in values
            ]
        return tuple.__new__(data.Custom, (self.meta(meta), one(date), one(kind), values))


def shared(entries: list[Any]) -> list[Any]:
    """Copies of ``entries`` with equal immutable values as one object (module doc);
    entries of other types than transactions and ``custom`` entries are kept as they are."""
    values = _Values()
    copy: dict[type, Callable[[Any], Any]] = {
        data.Transaction: values.transaction,
        data.Custom: values.custom,
    }
    return [copy[type(e)](e) if type(e) in copy else e for e in entries]
