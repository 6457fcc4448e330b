"""Booking of plain transactions, exactly as Beancount books them, for a file that books alone.

Beancount's full booking (``beancount.parser.booking_full``) handles every kind of posting:
lots held at cost, prices, currencies left to infer from an account's balance, several
currencies in one transaction. Most transactions of a county's books use none of that: one
currency, every amount written except at most one auto posting (``Expenses:… `` with no
amount), no cost and no price. For such a *plain* transaction the booking comes down to:

1. the tolerances Beancount infers from its postings (its own ``infer_tolerances``);
2. the auto posting's amount: minus the sum of the others, quantized as Beancount quantizes
   it (its own ``quantize_with_tolerance``), marked ``__automatic__``, and dropped when the
   others sum to zero;
3. a copy of the transaction with the booked postings and ``__tolerances__`` in its
   metadata.

Beancount also keeps every account's running balance while booking; a file that books alone
(:func:`fupin.cache._books_alone`: no cost, no currency to infer) never reads it. So
:func:`book_and_balance` books the plain transactions itself and leaves every other one to
Beancount, in order. The result is Beancount's to the object graph (the same values, the
same representation of every number, the same dict order): ``tests/speed/test_plain_booking.py``
compares the pickles of both on the sample, a generated county and random transactions.

Whether a plain transaction balances (Beancount's ``validate_check_transaction_balances``:
the residual of all its postings within the inferred tolerance) is decided here too, from the
same sum, so that the cache can record it (:attr:`fupin.cache.Record.balanced`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from beancount.core import data, interpolate
from beancount.core.amount import Amount
from beancount.core.number import MISSING, ZERO
from beancount.ops import validation
from beancount.parser import booking, booking_full

Booked = tuple[list[Any], list[Any]]

# Beancount's functions are untyped: typed handles on the ones used here
_infer: Callable[..., Any] = interpolate.infer_tolerances
_user_specified: Callable[[Decimal], bool] = interpolate.is_tolerance_user_specified
_book_run: Callable[[list[Any], dict[str, Any], Any], Booked] = booking_full.book
_missing: Callable[[list[Any], dict[str, Any]], list[Any]] = booking.validate_missing_eliminated
_balances: Callable[[list[Any], dict[str, Any]], list[Any]] = (
    validation.validate_check_transaction_balances
)
_AUTOMATIC = interpolate.AUTOMATIC_META
_RESIDUAL = interpolate.AUTOMATIC_RESIDUAL
_TOLERANCES = interpolate.AUTOMATIC_TOLERANCES
_Transaction = data.Transaction
_Posting = data.Posting


def _amount(number: Decimal, currency: str) -> Amount:
    """``Amount(number, currency)`` without its constructor's type assertions (both checked)."""
    return tuple.__new__(Amount, (number, currency))


assert _Transaction._fields == (
    "meta",
    "date",
    "flag",
    "payee",
    "narration",
    "tags",
    "links",
    "postings",
), "a Beancount whose Transaction this module does not know"
assert _Posting._fields == ("account", "units", "cost", "price", "flag", "meta")


def book_and_balance(
    entries: list[Any], options_map: dict[str, Any], methods: Any
) -> tuple[list[Any], list[Any], bool]:
    """Book the sorted ``entries`` of a file that books alone: ``(booked, errors)`` as
    ``booking_full.book`` followed by ``booking.validate_missing_eliminated`` gives them, and
    whether every transaction balances (Beancount's ``validate_check_transaction_balances``)."""
    return _book(entries, options_map, methods)


class _Tolerances:
    """Beancount's tolerances of plain transactions, inferred once per shape.

    For a plain transaction ``infer_tolerances`` reads only the currency and the negative
    exponents of the written amounts, in order (a posting marked ``__automatic__`` is
    skipped): that is the shape. The first transaction of each shape gets Beancount's own
    answer; the others share it (an immutable mapping).
    """

    def __init__(self, options_map: dict[str, Any]) -> None:
        self.options_map = options_map
        self.precise = bool(options_map["use_precise_interpolation"])
        self.known: dict[tuple[Any, ...], tuple[Any, Any, Decimal | None]] = {}

    def of(self, postings: list[Any], shape: tuple[Any, ...]) -> tuple[Any, Any, Decimal | None]:
        """``(tolerances, tolerances to interpolate with, quantum)`` of the shape."""
        found = self.known.get(shape)
        if found is None:
            tolerances = _infer(postings, self.options_map, mode="max")
            interp = _infer(postings, self.options_map, mode="min") if self.precise else tolerances
            found = self.known[shape] = (tolerances, interp, _quantum(interp, shape[0]))
        return found


def _quantum(tolerances: Any, currency: str) -> Decimal | None:
    """What ``quantize_with_tolerance`` quantizes an interpolated number to, if anything."""
    tolerance = tolerances.get(currency)
    if not tolerance:
        return None
    quantum: Decimal = (tolerance * 2).normalize()
    return quantum if _user_specified(quantum) else None


def _book(
    entries: list[Any], options_map: dict[str, Any], methods: Any
) -> tuple[list[Any], list[Any], bool]:
    inferred = _Tolerances(options_map)
    out: list[Any] = []
    others: list[Any] = []  # (position in ``out``, entry) booked by Beancount
    balanced = True
    for entry in entries:
        if type(entry) is _Transaction:
            done = _plain(entry, inferred)
            if done is not None:
                booked, small = done
                out.append(booked)
                balanced = balanced and small
                continue
            others.append((len(out), entry))
            out.append(None)
        else:
            out.append(entry)
    errors: list[Any] = []
    if others:
        booked_others, errors = _book_run([e for _, e in others], options_map, methods)
        errors.extend(_missing(booked_others, options_map))
        if errors or len(booked_others) != len(others):
            # an error drops the transaction: let Beancount book the file, as it would
            booked_all, errors = _book_run(entries, options_map, methods)
            errors.extend(_missing(booked_all, options_map))
            return booked_all, errors, not errors and not _balances(booked_all, options_map)
        for (index, _), entry in zip(others, booked_others, strict=True):
            out[index] = entry
        balanced = balanced and not _balances(booked_others, options_map)
    return out, errors, balanced


def _plain(entry: data.Transaction, inferred: _Tolerances) -> tuple[data.Transaction, bool] | None:
    """The booked transaction and whether it balances; None unless it is plain."""
    postings = entry.postings
    auto = -1
    currency: str | None = None
    total: Decimal | None = None  # Beancount's residual inventory of one currency
    exponents: list[int] = []
    for index, posting in enumerate(postings):
        if posting.cost is not None or posting.price is not None:
            return None
        units: Any = posting.units  # an Amount, or MISSING (an auto posting)
        meta: Any = posting.meta
        if meta and meta.get(_RESIDUAL, False):
            return None  # Beancount leaves it out of the residual: not plain
        if units is MISSING:
            if auto >= 0 or not meta:
                return None
            auto = index
            continue
        if type(units) is not Amount:
            return None
        number, unit = units.number, units.currency
        if type(number) is not Decimal or type(unit) is not str or not number.is_finite():
            return None
        if currency is None:
            currency = unit
        elif unit != currency:
            return None
        if not (meta and _AUTOMATIC in meta):  # Beancount infers no tolerance from those
            exponent: Any = number.as_tuple().exponent
            if exponent < 0:
                exponents.append(exponent)
        if total is None:
            if number != ZERO:
                total = number
        else:
            total = total + number
            if total == ZERO:
                total = None
    if currency is None:
        return None
    tolerances, _, quantum = inferred.of(postings, (currency, *exponents))
    new_postings = list(postings)
    residual = total
    if auto >= 0:
        if total is None:
            del new_postings[auto]
        else:
            number = -total
            if quantum is not None:
                number = number.quantize(quantum)
            old = postings[auto]
            old_meta: Any = old.meta  # checked above: a dict
            old_meta[_AUTOMATIC] = True  # on the parsed posting's own metadata, as Beancount
            new_postings[auto] = _Posting(
                old.account, _amount(number, currency), None, None, old.flag, old.meta
            )
            residual = total + number
    meta = entry.meta.copy()
    meta[_TOLERANCES] = tolerances
    small = residual is None or residual == ZERO or abs(residual) <= tolerances.get(currency)
    booked = _Transaction(
        meta,
        entry.date,
        entry.flag,
        entry.payee,
        entry.narration,
        entry.tags,
        entry.links,
        new_postings,
    )
    return booked, small
