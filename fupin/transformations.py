"""Beancount's plugin run (``loader.run_transformations``), with its own three passes lean.

Beancount runs every ledger's plugins in a fixed order: ``beancount.ops.documents`` first,
then the ledger's ``plugin`` lines, then ``beancount.ops.pad`` and ``beancount.ops.balance``,
and sorts the whole list after each one. Those three of Beancount's own each walk the whole
ledger even when there is nothing for them to do, and the walk is a large share of a load:

* ``documents`` only adds entries for the folders of ``option "documents"`` and checks that
  the files of ``document`` directives exist;
* ``pad`` only inserts transactions after ``pad`` directives;
* ``balance`` only checks ``balance`` directives, against the postings of the accounts they
  assert (and their sub-accounts).

So :func:`run` runs the same plugins in the same order with the same errors, except that
``documents`` is not called without a documents folder or a ``document`` directive, nor
``pad`` without a ``pad`` directive (their output would be their input, which is sorted),
and ``balance`` is given
only what it reads: every entry that is not a transaction, and the transactions with a
posting to an asserted account or below one. A balance directive it replaces (a failed
assertion) is put back in its place. No sort follows a pass that changed no entry's place.
Every other plugin runs and is sorted after, as in Beancount. ``tests/speed/test_plugin_run.py``
compares both on ledgers with pads, failing and passing balances, document folders and
plugins that fail.
"""

from __future__ import annotations

import importlib
import itertools
import re
import traceback
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from beancount import loader
from beancount.core import data
from beancount.ops import balance

Plugin = tuple[str, Any]
_DOCUMENTS = "beancount.ops.documents"
_PAD = "beancount.ops.pad"
_BALANCE = "beancount.ops.balance"
_OWN = (_DOCUMENTS, _PAD, _BALANCE)
_check: Callable[[list[Any], dict[str, Any]], tuple[list[Any], list[Any]]] = balance.check
_sortkey = data.entry_sortkey
#: the attribute (True) of a plugin function that, given sorted entries, returns either the
#: very list, untouched, or a new sorted list: no sort is needed after it (fupin's rules and
#: its depreciation; any other plugin's entries are sorted after it, as Beancount does)
KEEPS_ENTRIES = "fupin_keeps_entries"


def run(
    entries: list[Any], parse_errors: list[Any], options_map: dict[str, Any]
) -> tuple[list[Any], list[Any]]:
    """``loader.run_transformations(entries, parse_errors, options_map, None)``, lean."""
    errors = list(parse_errors)
    kinds: set[type] | None = None  # the types of the entries, until a plugin runs
    for name, config in _plugins(options_map):
        renamed = loader.RENAMED_MODULES.get(name)
        if renamed:
            warnings.warn(
                f"Deprecation notice: Module '{name}' has been renamed to '{renamed}'; "
                "please adjust your plugin directive.",
                stacklevel=2,
            )
            name = renamed
        if name in _OWN:
            if kinds is None:
                kinds = set(map(type, entries))  # one walk for the passes in a row
            if (
                name == _DOCUMENTS
                and not options_map["documents"]
                and not _has(kinds, data.Document)
            ):
                continue  # it would add nothing, find no file missing and sort the sorted list
            if name == _PAD and not _has(kinds, data.Pad):
                continue  # nothing to pad
            if name == _BALANCE:
                if _has(kinds, data.Balance):
                    entries = _balance(entries, options_map, errors)
                continue
        kinds = None
        try:
            module = importlib.import_module(name)
            if not hasattr(module, "__plugins__"):
                continue
        except ImportError:
            text = traceback.format_exc().replace("\n", "\n  ")
            errors.append(_load_error(f'Error importing "{name}": {text}'))
            continue
        kept = True  # every function of the module returned sorted entries
        for function in module.__plugins__:
            callback = getattr(module, function) if isinstance(function, str) else function
            args = () if config is None else (config,)
            try:
                entries, plugin_errors = callback(entries, options_map, *args)
                errors.extend(plugin_errors)
            except Exception as exc:
                if isinstance(exc, SystemExit):
                    raise
                text = traceback.format_exc().replace("\n", "\n  ")
                errors.append(_load_error(f'Error applying plugin "{name}": {text}'))
                continue
            kept = kept and getattr(callback, KEEPS_ENTRIES, False)
        if not kept:
            entries.sort(key=_sortkey)  # Beancount does not trust a plugin's order
    return entries, errors


def _plugins(options_map: dict[str, Any]) -> Iterable[Plugin]:
    mode = options_map["plugin_processing_mode"]
    if mode == "raw":
        return list(options_map["plugin"])
    return itertools.chain(
        loader.PLUGINS_PRE, options_map["plugin"], loader.PLUGINS_AUTO, loader.PLUGINS_POST
    )


def _balance(entries: list[Any], options_map: dict[str, Any], errors: list[Any]) -> list[Any]:
    """Beancount's balance check on the entries it reads; failed assertions put back."""
    asserted = {e.account for e in entries if isinstance(e, data.Balance)}
    # an asserted account or one below it (Beancount's ``account.parent_matcher``)
    pattern = re.compile("|".join(f"(?:{re.escape(a)})(?::|$)" for a in sorted(asserted)))
    relevant: dict[str, bool] = {}

    def reads(txn: data.Transaction) -> bool:
        for posting in txn.postings:
            name = posting.account
            found = relevant.get(name)
            if found is None:
                found = relevant[name] = pattern.match(name) is not None
            if found:
                return True
        return False

    read = [e for e in entries if type(e) is not data.Transaction or reads(e)]
    checked, check_errors = _check(read, options_map)
    errors.extend(check_errors)
    replaced = {id(old): new for old, new in zip(read, checked, strict=True) if old is not new}
    if not replaced:
        return entries
    return [replaced.get(id(e), e) for e in entries]


def _has(kinds: set[type], directive: type) -> bool:
    """Whether an entry of these types is a ``directive`` (Beancount's passes test isinstance)."""
    return any(issubclass(kind, directive) for kind in kinds)


def _load_error(message: str) -> Any:
    return loader.LoadError(data.new_metadata("<load>", 0), message, None)
