"""The canonical form of a Beancount entry and its SHA-256 digest (issue 17: seals).

A seal (:mod:`fupin.seals`) hashes what each entry *says*, not how or where it is written.
The canonical form of an entry is one line of JSON (UTF-8, no spaces, no escapes of
non-ASCII), a list whose first two items are the directive kind and the ISO date:

=============  =============================================================================
kind           items after the date
=============  =============================================================================
``open``       account, sorted currencies, booking method or null, meta
``close``      account, meta
``commodity``  currency, meta
``pad``        account, source account, meta
``balance``    account, amount, tolerance or null, meta
``txn``        flag, payee, narration, sorted tags, sorted links, meta, sorted postings
``note``       account, comment, sorted tags, sorted links, meta
``event``      type, description, meta
``query``      name, query string, meta
``price``      currency, amount, meta
``document``   account, path relative to the main ledger's folder (``/``), tags, links, meta
``custom``     type, values (each encoded as below), meta
=============  =============================================================================

A posting is ``[account, units, cost, price, flag, meta]`` and the postings of a
transaction are sorted by their own JSON text (their order in the file carries no
meaning). ``meta`` is a list of ``[key, value]`` sorted by key, **without** ``filename``,
``lineno`` and Beancount's internal ``__…`` keys (which a ledger cannot spell). Values:

* a string (also an account, currency or tag) is a JSON string, as written;
* ``TRUE``/``FALSE`` are JSON booleans; a missing value is ``null``;
* a number is ``["n", "<digits>"]`` with its **value** normalised: no exponent, no
  trailing zeros, ``-0`` is ``0`` (``5000``, ``5000.00`` and ``5.0E3`` are one number;
  ``5000.01`` is another);
* a date is ``["d", "YYYY-MM-DD"]``; an amount ``["a", "<number>", "<currency>"]``;
  a cost ``["c", "<number>", "<currency>", "<date>", "<label>"]``.

Strings are hashed as the code points they hold: no Unicode normalisation, so a
full-width digit, a decomposed (NFD) character or a zero-width space is a change (the
message shows such characters as ``<U+200B>``). Equal numbers written differently are one
value: Beancount gives them one meaning (it infers tolerances from the digits, but a
sealed entry's amounts are fixed, so a sealed check cannot come out otherwise).

So re-formatting (spacing, alignment, quoting, trailing zeros, an interpolated amount
written out), moving an entry to another file and re-ordering entries within a day or
postings within a transaction leave the form unchanged; any change of a date, flag, payee,
narration, tag, link, account, amount, cost, price or metadata value changes it. The digest
is the SHA-256 of the UTF-8 bytes of the form, in lowercase hex.

Only the standard library and Beancount's data types are used, so that an auditor can read
and re-run this module on its own.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from decimal import Decimal
from json.encoder import encode_basestring as _string  # the C encoder
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount.core.amount import Amount
from beancount.core.data import (
    Balance,
    Close,
    Commodity,
    Custom,
    Document,
    Event,
    Note,
    Open,
    Pad,
    Price,
    Query,
    Transaction,
)
from beancount.core.position import Cost

from fupin import reads

if TYPE_CHECKING:
    from collections.abc import Callable

    from beancount.core.data import Directive, Meta, Posting

#: Named in every digest list and seal, so that a future form can be told apart.
VERSION = "fupin-canonical-1"

_NUMBERS: dict[Decimal, str] = {}  # 5000 and 5000.00 are equal keys: one canonical text
_SKIP = frozenset(("filename", "lineno"))


def number(value: Decimal) -> str:
    """The canonical text of a number's value: ``5000.00`` → ``5000``, ``-0.50`` → ``-0.5``."""
    held = _NUMBERS.get(value)
    if held is None:
        if not value:
            held = "0"
        elif value.is_finite():
            held = format(value.normalize(), "f")
        else:
            held = str(value)
        if len(_NUMBERS) > 65536:
            _NUMBERS.clear()
        _NUMBERS[value] = held
    return held


def _text(item: str | None) -> str:
    return "null" if item is None else _string(item)


def _amount(amount: Amount | None) -> str:
    if amount is None:
        return "null"
    num = amount.number
    shown = _string(number(num)) if isinstance(num, Decimal) else "null"
    return f'["a",{shown},{_text(amount.currency)}]'


def _names(items: frozenset[str] | set[str] | None) -> str:
    if not items:
        return "[]"
    return "[" + ",".join([_string(x) for x in sorted(items)]) + "]"


def value(item: Any) -> str:
    """A metadata or custom value as JSON text (see the module docstring)."""
    kind = type(item)
    if kind is str:
        return _string(item)
    if item is None:
        return "null"
    if kind is bool:
        return "true" if item else "false"
    if isinstance(item, Decimal):
        return f'["n","{number(item)}"]'
    if kind is int:
        return f'["n","{number(Decimal(item))}"]'
    if kind is Amount:
        return _amount(item)
    if kind is datetime.date:
        return f'["d","{item.isoformat()}"]'
    if kind is Cost:
        day = f'"{item.date.isoformat()}"' if item.date else "null"
        return f'["c","{number(item.number)}",{_text(item.currency)},{day},{_text(item.label)}]'
    if isinstance(item, str):
        return _string(str(item))
    if isinstance(item, frozenset | set):
        return _names(item)
    return "[" + _string("?") + "," + _string(type(item).__name__) + "," + _string(str(item)) + "]"


def meta_items(meta: Meta | None) -> str:
    """``[[key, value], …]`` sorted by key, without the location and Beancount's own keys."""
    if not meta:
        return "[]"
    parts = []
    keys = _KEYS
    for key in sorted(meta):
        shown = keys.get(key)
        if shown is None:
            if key in _SKIP or key[:2] == "__":
                continue
            shown = keys[key] = "[" + _string(key) + ","
        item = meta[key]
        parts.append(shown + (_string(item) if type(item) is str else value(item)) + "]")
    return "[" + ",".join(parts) + "]" if parts else "[]"


#: ``[<key as JSON>,`` by metadata key (a ledger has a few dozen keys)
_KEYS: dict[str, str] = {}


def _posting(posting: Posting) -> str:
    account, units, cost, price, flag, meta = posting
    if (
        cost is None
        and price is None
        and flag is None
        and units is not None
        and (meta is None or (len(meta) == 2 and "lineno" in meta and "filename" in meta))
    ):
        key = (account, units.number, units.currency)  # Amount hashes in Python: slow
        held = _PLAIN.get(key)
        if held is None:
            if len(_PLAIN) > 65536:
                _PLAIN.clear()
            held = _PLAIN[key] = f"[{_string(account)},{_amount(units)},null,null,null,[]]"
        return held
    return (
        f"[{_string(account)},{_amount(units)},"
        f"{value(cost) if cost is not None else 'null'},{_amount(price)},"
        f"{_text(flag)},{meta_items(meta)}]"
    )


#: the form of a posting with no cost, price, flag or metadata, by account and units
_PLAIN: dict[tuple[str, Any, str], str] = {}


def _txn(entry: Transaction, day: str, root: str) -> str:
    meta, postings, tags, links = entry.meta, entry.postings, entry.tags, entry.links
    if len(postings) == 2:
        one, two = _posting(postings[0]), _posting(postings[1])
        body = f"{one},{two}" if one <= two else f"{two},{one}"
    else:
        body = ",".join(sorted([_posting(p) for p in postings]))
    payee, narration, flag = entry.payee, entry.narration, entry.flag
    return (
        f'["txn","{day}",{"null" if flag is None else _string(flag)},'
        f"{'null' if payee is None else _string(payee)},"
        f"{'null' if narration is None else _string(narration)},"
        f"{_names(tags) if tags else '[]'},{_names(links) if links else '[]'},"
        f"{meta_items(meta)},[{body}]]"
    )


def _path(filename: str, root: str) -> str:
    if not root or not os.path.isabs(filename):
        return filename.replace(os.sep, "/")
    return os.path.relpath(filename, root).replace(os.sep, "/")


def _join(*items: str) -> str:
    return "[" + ",".join(items) + "]"


_FORMS: dict[type, Callable[[Any, str, str], str]] = {
    Open: lambda e, d, r: _join(
        '"open"',
        d,
        _string(e.account),
        _names(e.currencies and set(e.currencies)),
        _text(e.booking.name if e.booking is not None else None),
        meta_items(e.meta),
    ),
    Close: lambda e, d, r: _join('"close"', d, _string(e.account), meta_items(e.meta)),
    Commodity: lambda e, d, r: _join('"commodity"', d, _string(e.currency), meta_items(e.meta)),
    Pad: lambda e, d, r: _join(
        '"pad"', d, _string(e.account), _string(e.source_account), meta_items(e.meta)
    ),
    Balance: lambda e, d, r: _join(
        '"balance"',
        d,
        _string(e.account),
        _amount(e.amount),
        _text(number(e.tolerance) if e.tolerance is not None else None),
        meta_items(e.meta),
    ),
    Note: lambda e, d, r: _join(
        '"note"',
        d,
        _string(e.account),
        _text(e.comment),
        _names(e.tags),
        _names(e.links),
        meta_items(e.meta),
    ),
    Event: lambda e, d, r: _join(
        '"event"', d, _text(e.type), _text(e.description), meta_items(e.meta)
    ),
    Query: lambda e, d, r: _join(
        '"query"', d, _text(e.name), _text(e.query_string), meta_items(e.meta)
    ),
    Price: lambda e, d, r: _join(
        '"price"', d, _string(e.currency), _amount(e.amount), meta_items(e.meta)
    ),
    Document: lambda e, d, r: _join(
        '"document"',
        d,
        _string(e.account),
        _string(_path(e.filename, r)),
        _names(e.tags),
        _names(e.links),
        meta_items(e.meta),
    ),
    Custom: lambda e, d, r: _join(
        '"custom"',
        d,
        _text(e.type),
        "[" + ",".join([value(v.value) for v in e.values or ()]) + "]",
        meta_items(e.meta),
    ),
}


def canonical(entry: Directive, root: str = "") -> str:
    """The canonical form of ``entry``: one line of JSON (see the module docstring).

    ``root`` is the folder of the main ledger file; document paths are written relative
    to it, so that the whole ledger folder can move.
    """
    kind = type(entry)
    if kind is Transaction:
        return _txn(entry, entry.date.isoformat(), root)  # type: ignore[arg-type]
    form = _FORMS.get(kind)
    day = f'"{entry.date.isoformat()}"'
    if form is None:
        return _join(_string(kind.__name__.lower()), day, _string(str(entry)))
    return form(entry, day, root)


def digest(text: str) -> str:
    """SHA-256 of a canonical form, lowercase hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_digest(entry: Directive, root: str = "") -> str:
    """The digest of one entry's canonical form."""
    return digest(canonical(entry, root))


_FILE_HASHES: dict[tuple[str, int, int, int, int, int], str] = {}


def file_sha256(path: Path) -> str | None:
    """SHA-256 of a file's bytes (None when it cannot be read), cached in this process by
    path, device, inode, size, modification and change time: a file replaced by one of the
    same size with its modification time set back (``cp -p``, ``touch -r``) still gets a new
    inode or change time, which no user can set (Fava keeps this process running). Noted
    as read (:mod:`fupin.reads`), a missing file too."""
    try:
        stat = path.stat()
    except OSError:
        reads.file(path)  # not there now: it may appear
        return None
    reads.file(path, stat)
    key = (
        str(path),
        stat.st_dev,
        stat.st_ino,
        stat.st_size,
        stat.st_mtime_ns,
        stat.st_ctime_ns,
    )
    held = _FILE_HASHES.get(key)
    if held is None:
        hasher = hashlib.sha256()
        try:
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    hasher.update(block)
        except OSError:
            return None
        held = _FILE_HASHES[key] = hasher.hexdigest()
    return held


#: hex characters of a digest shown in a message: ten (40 bits: enough to tell two apart by
#: eye), so that a digest is never eleven digits in a row, which a reader — and the mask of
#: personal numbers every finding goes through (:mod:`fupin.engine`) — would take for a phone
SHOWN_DIGEST = 10


def short_digest(value: str) -> str:
    """A digest as a message shows it: its first :data:`SHOWN_DIGEST` characters and ``…``."""
    return f"{value[:SHOWN_DIGEST]}…"
