"""The notice preview and PDF of the 公示 page: the notice renderer's own output.

The page renders one notice with the same builders, templates and privacy lint as
``fupin notices`` (:mod:`fupin.reports.notice_context`, :mod:`fupin.reports.notice_render`),
names masked. Household names come from the ledger's register (``custom
"household-register"``) and check codes from the county secret named by
``FUPIN_NOTICE_SECRET_FILE``; without them a notice that lists households says so instead
of printing anything unmasked.
"""

from __future__ import annotations

import html
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fupin.reports.fava.base import Snapshot


def _secret() -> bytes | None:
    path = os.environ.get("FUPIN_NOTICE_SECRET_FILE")
    if not path:
        return None
    try:
        return Path(path).read_bytes().strip() or None
    except OSError:
        return None


def _context(snap: Snapshot, ledger_path: str) -> Any:
    """The renderer's shared context for this load (register and secret included)."""
    cached = snap.__dict__.get("_notice_context")
    if cached is not None:
        return cached
    from fupin.reports.notice_context import Context

    register = None
    try:
        from fupin.households import register_for

        register = register_for(Path(ledger_path), snap.book)
    except Exception:  # a broken register is reported by `fupin check`, not here
        register = None
    ctx = Context(snap.book, snap.results.measures, register, _secret())
    snap.__dict__["_notice_context"] = ctx
    return ctx


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
        + " 无法生成: "
        + html.escape(message)
        + "</p></body>"
    )


def render_html(snap: Snapshot, notice_id: str, ledger_path: str) -> str:
    """The whole HTML document of one notice (its slips included), or a page saying why not."""
    from fupin.reports.notice_context import BUILDERS, MissingField, NoticeDataError
    from fupin.reports.notice_render import PrivacyError, page_html, render_pieces

    row = snap.notices_by_id[notice_id]
    ctx = _context(snap, ledger_path)
    env = _env()
    try:
        doc = BUILDERS[row.notice.type](ctx, row.notice)
        pieces = render_pieces(env, [doc])
    except (NoticeDataError, MissingField, PrivacyError, ImportError) as exc:
        return _problem(notice_id, str(exc))
    return str(page_html(env, pieces, title=doc.header.title, batch=False))


def render_pdf(snap: Snapshot, notice_id: str, ledger_path: str) -> bytes:
    """The notice as PDF, from the same HTML (WeasyPrint, CJK fonts from the system)."""
    from fupin.reports.notice_render import TEMPLATES
    from weasyprint import HTML

    document = render_html(snap, notice_id, ledger_path)
    return bytes(HTML(string=document, base_url=str(TEMPLATES)).write_pdf())
