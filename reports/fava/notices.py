"""The notice preview and PDF of the 公示 page: the notice renderer's own output.

The page renders one notice with the same builders, templates and privacy lint as
``fupin notices`` (:mod:`fupin.reports.notice_context`, :mod:`fupin.reports.notice_render`),
names masked. Household names come from the ledger's register (``custom
"household-register"``) and check codes from the county's notice key, found as the CLI
finds it (:func:`fupin.notice_key.resolve`: ``$FUPIN_NOTICE_SECRET_FILE`` or
``notice-secret.key`` beside the register); without one, a notice that lists households
says how to provide it instead of printing anything.

PDFs are laid out one at a time (a process-wide lock): WeasyPrint needs a few hundred MB per
document, and eight downloads at once must not need eight times that. The last few PDFs are
kept, keyed by a hash of their HTML, so a repeated download is not laid out again.
"""

from __future__ import annotations

import gc
import hashlib
import html
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fupin.reports.fava.base import Snapshot

_PDF_LOCK = threading.Lock()
_PDF_CACHE: OrderedDict[str, bytes] = OrderedDict()
PDF_CACHE_SIZE = 8


def _context(snap: Snapshot, ledger_path: str) -> tuple[Any, str]:
    """The renderer's shared context for this load, and why there is no key (or "")."""
    cached = snap.__dict__.get("_notice_context")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from fupin.reports.notice_context import Context

    from fupin import notice_key
    from fupin.households import register_for, register_path

    ledger = Path(ledger_path)
    register = None
    with snap.reading():  # the register and the key: a change reloads (Fava's watcher)
        try:
            register = register_for(ledger, snap.book)
        except Exception:  # a broken register is reported by `fupin check`, not here
            register = None
        reg_path = register_path(ledger, snap.book)
        why = ""
        try:
            key = notice_key.resolve(None, reg_path, ledger)
        except notice_key.NoticeKeyError as exc:
            key, why = None, str(exc)
    if key is None and not why:
        why = notice_key.how_to_get_one(ledger, reg_path)
    ctx = Context(snap.book, snap.results.measures, register, key.secret if key else None)
    snap.__dict__["_notice_context"] = (ctx, why)
    return ctx, why


@lru_cache(maxsize=1)
def _env() -> Any:
    from fupin.reports.notice_render import make_env

    return make_env(masked=True)


def _problem(notice_id: str, message: str) -> str:
    return (
        "<!doctype html><meta charset='utf-8'><title>"
        + html.escape(notice_id)
        + "</title><body style='font-family: sans-serif'><p>公示 "
        + html.escape(notice_id)
        + " 无法生成：</p><pre style='white-space: pre-wrap'>"
        + html.escape(message)
        + "</pre></body>"
    )


def render_html(snap: Snapshot, notice_id: str, ledger_path: str) -> str:
    """The whole HTML document of one notice (its slips included), or a page saying why not."""
    from fupin.reports.notice_context import BUILDERS, MissingField, NoticeDataError
    from fupin.reports.notice_privacy import NameGuard
    from fupin.reports.notice_render import PrivacyError, page_html, render_pieces

    row = snap.notices_by_id[notice_id]
    ctx, why = _context(snap, ledger_path)
    env = _env()
    try:
        doc = BUILDERS[row.notice.type](ctx, row.notice)
        terms = snap.book.policy.at(doc.header.start).notice_health_terms
        guard = NameGuard.of(ctx.register, {doc.id: terms}, terms)
        pieces = render_pieces(env, [doc], terms={doc.id: terms}, guard=guard)
    except (NoticeDataError, PrivacyError, ImportError) as exc:
        return _problem(notice_id, str(exc))
    except MissingField as exc:
        message = str(exc)
        if "secret" in message and why:
            message = why
        return _problem(notice_id, message)
    return str(page_html(env, pieces, title=doc.header.title, batch=False))


def render_pdf(snap: Snapshot, notice_id: str, ledger_path: str) -> bytes:
    """The notice as PDF, from the same HTML (WeasyPrint), one layout at a time."""
    from fupin.reports.notice_render import TEMPLATES

    document = render_html(snap, notice_id, ledger_path)
    digest = hashlib.sha256(document.encode()).hexdigest()
    with _PDF_LOCK:
        cached = _PDF_CACHE.get(digest)
        if cached is not None:
            _PDF_CACHE.move_to_end(digest)
            return cached
        from weasyprint import HTML

        data = bytes(HTML(string=document, base_url=str(TEMPLATES)).write_pdf())
        gc.collect()
        _PDF_CACHE[digest] = data
        while len(_PDF_CACHE) > PDF_CACHE_SIZE:
            _PDF_CACHE.popitem(last=False)
        return data
