"""Fava's import page: a fupin importer's input error reaches the auditor as its message.

Fava wraps every exception of an importer's ``extract`` in ``ImporterExtractError``, whose
message is the whole Python traceback (``fava/core/ingest.py``); our message, naming the
file, row and field, was only its last line. Fava has no exception type it shows plainly
from ``extract``, so each ledger's ``ingest.extract`` is wrapped once (:func:`attach`): an
error whose cause is one of :data:`INPUT_ERRORS` becomes an :class:`ImportInputError` of that
message alone; any other (a bug) keeps Fava's traceback.

A refused input is the user's file at fault, not the server's: Fava's JSON API answers a plain
``FavaAPIError`` with 500 and logs it with its traceback, but a ``FavaJSONAPIError`` with its
own ``status`` and no log (``fava/json_api.py``, 1.30.2 to 1.30.x alike). So
:class:`ImportInputError` is one of those, with 422 (Unprocessable Content, what Fava itself
answers for a file it cannot use): the body is ``{"error": message}``. A bug's
``ImporterExtractError`` still takes Fava's 500 path.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from fava.core.ingest import ImporterExtractError
from fava.json_api import FavaJSONAPIError
from fupin.importers.layout import LayoutError
from fupin.importers.rules import RulesError
from fupin.importers.table import SourceError

from fupin.households import RegisterError

if TYPE_CHECKING:
    from fava.core import FavaLedger

#: the importers' errors for input a person fixes (a row, the rules, a layout, the register)
INPUT_ERRORS: tuple[type[Exception], ...] = (SourceError, RulesError, LayoutError, RegisterError)


class ImportInputError(FavaJSONAPIError):
    """An importer's input error: its own message (file, row, field), no traceback; a client
    error (422), not a server error."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY


class PlainInputErrors:
    """Fava's ``ingest.extract``, with :data:`INPUT_ERRORS` shown as their message."""

    def __init__(self, extract: Callable[[str, str], list[Any]]) -> None:
        self.extract = extract

    def __call__(self, filename: str, importer_name: str) -> list[Any]:
        try:
            return self.extract(filename, importer_name)
        except ImporterExtractError as exc:
            cause = exc.__cause__
            if isinstance(cause, INPUT_ERRORS):
                raise ImportInputError(str(cause)) from None
            raise


def attach(ledger: FavaLedger) -> None:
    """Wrap the ledger's ``ingest.extract`` once (Fava keeps its ingest module on reload)."""
    ingest = ledger.ingest
    if not isinstance(ingest.extract, PlainInputErrors):
        ingest.extract = PlainInputErrors(ingest.extract)  # type: ignore[method-assign]
