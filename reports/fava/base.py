"""The shared wiring of the fupin Fava pages: the plugin's own book and rule results.

Fava creates each extension class once per ledger and calls ``after_load_file()`` after
every (re)load; the page classes share one :class:`Snapshot` per loaded entry list. The
snapshot holds the book and results that ``plugin "fupin.plugins"`` built during Fava's
load (:mod:`fupin.session`: importing this module switches the plugin to keep them), so a
load builds the book and runs the rules once, not once more for the pages. Under Fava's
time filter a page shows the books as of the filter's last day (:meth:`Snapshot.as_of`).
Kept out of the package namespace that Fava scans, so that this base class is not itself
an extension.
"""

from __future__ import annotations

import datetime
import re
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast
from urllib.parse import urlencode

from fava.ext import FavaExtensionBase, extension_endpoint
from fupin.reports.fava import imports, views, watch
from markupsafe import Markup

from fupin import collector, session
from fupin.book import Book, build_book, release
from fupin.names import FAMILY_NAMES, SOURCE_NAMES
from fupin.reads import Reads, recording

if TYPE_CHECKING:
    from collections.abc import Sequence

    from beancount.core.data import Directive
    from fava.core import FavaLedger

    from fupin.engine import Results
    from fupin.findings import Finding


@dataclass
class Snapshot:
    """The book, the rule results and the load-time views of one loaded ledger."""

    entries: Any  # the very list Fava loaded (identity marks the load)
    book: Book
    results: Results
    #: the plugin line in an included file only (what ``fupin check`` says of it), kept for
    #: the books as of a day too
    reach: Sequence[Finding] = ()
    #: what the load read besides the books (the plugin's notes; pages add theirs): Fava's
    #: watcher reloads when one of them changes (:mod:`fupin.reports.fava.watch`)
    reads: Reads = field(default_factory=Reads)
    _dated: OrderedDict[datetime.date, Snapshot] = field(default_factory=OrderedDict, repr=False)

    def as_of(self, day: datetime.date) -> Snapshot:
        """The books as of ``day`` (later entries left out, rules run on what was due by
        then); the few most recent days asked are kept."""
        last = self.book.last_date
        if last is None or day >= last:
            return self
        held = self._dated.get(day)
        if held is None:
            from fupin.plugins import evaluate

            with collector.paused(freeze=False), self.reading():
                book = build_book(self.entries, self.book.options, as_of=day)
                held = Snapshot(self.entries, book, evaluate(book), self.reach, self.reads)
                held.results.findings.extend(self.reach)
            self._dated[day] = held
            while len(self._dated) > _KEEP_DATED:
                self._dated.popitem(last=False)
        self._dated.move_to_end(day)
        return held

    def reading(self) -> AbstractContextManager[Reads]:
        """Within this block, the files read join what this load is watched for."""
        return recording(into=self.reads)

    @cached_property
    def compliance(self) -> views.Compliance:
        return views.compliance(self.book, self.results)

    @cached_property
    def compliance_json(self) -> str:
        return views.compliance_json(self.compliance)

    @cached_property
    def funds(self) -> views.Funds:
        return views.funds(self.book, self.results)

    @cached_property
    def project_index(self) -> views.ProjectIndex:
        return views.project_index(self.book, self.results)

    @cached_property
    def projects(self) -> list[views.ProjectRow]:
        return views.projects(self.book, self.project_index)

    def project(self, ident: str) -> views.ProjectRow | None:
        return views.project(self.book, self.project_index, ident)

    @cached_property
    def notices(self) -> list[views.NoticeRow]:
        return views.notices(self.book, self.results)

    @cached_property
    def notices_by_id(self) -> dict[str, views.NoticeRow]:
        return {row.notice.id: row for row in self.notices}

    @cached_property
    def register(self) -> Any:
        """The asset register (fupin.assets), built once per load."""
        from fupin.assets import asset_register

        return asset_register(self.book)


def out_of_reach(ledger: FavaLedger) -> list[Finding]:
    """``fupin check``'s error for a ``plugin "fupin.plugins"`` line that only an included
    file has (:func:`fupin.load.plugin_out_of_reach`), read from the ledger's files."""
    from fupin.load import plugin_out_of_reach

    def read(name: str) -> bytes | None:
        try:
            return Path(name).read_bytes()
        except OSError:
            return None

    return plugin_out_of_reach(ledger.beancount_file_path, ledger.options["include"], read)


#: Snapshots by ledger (FavaLedger has slots and no weak references): the most recent few.
_SNAPSHOTS: OrderedDict[int, tuple[FavaLedger, Snapshot]] = OrderedDict()
_KEEP = 8
_KEEP_DATED = 4
session.serve_mode()  # a process serving these pages keeps what the plugin builds


def snapshot(ledger: FavaLedger) -> Snapshot:
    """The snapshot of the ledger's current load, built on first use after a load."""
    held = _SNAPSHOTS.get(id(ledger))
    if held is not None and held[0] is ledger and held[1].entries is ledger.all_entries:
        _SNAPSHOTS.move_to_end(id(ledger))
        return held[1]
    from fupin.plugins import evaluate

    # a large heap makes the cyclic GC superlinear (DESIGN: speed); under ``fupin serve``
    # the whole reload is paused, and what it leaves frozen (reports/fava/serve.py)
    read = watch.reads(ledger)
    with collector.paused(freeze=False), recording(into=read):
        built = session.take(ledger.all_entries)
        if built is not None:  # the plugin's own, built during Fava's load
            current = Snapshot(ledger.all_entries, built.book, built.results, reads=read)
        else:  # no fupin plugin in the ledger, or its entries changed after it ran
            entries = cast("Sequence[Directive]", ledger.all_entries)  # Fava's, Beancount's types
            book = build_book(entries, ledger.options)
            results = evaluate(book)
            current = Snapshot(ledger.all_entries, book, results, out_of_reach(ledger), read)
            current.results.findings.extend(current.reach)
        # Warm the load-time views so that page requests only filter and render.
        current.compliance  # noqa: B018
        current.funds  # noqa: B018
        current.projects  # noqa: B018
        current.notices  # noqa: B018
    _SNAPSHOTS[id(ledger)] = (ledger, current)
    _SNAPSHOTS.move_to_end(id(ledger))
    while len(_SNAPSHOTS) > _KEEP:
        _SNAPSHOTS.popitem(last=False)
    return current


def forget(ledger: FavaLedger) -> None:
    """Drop the ledger's snapshot (before a reload: it is rebuilt on first use after), its
    books' derived caches released, so that reference counting frees them now (a request
    still holding one recomputes what it asks for)."""
    held = _SNAPSHOTS.pop(id(ledger), None)
    if held is None:
        return
    for snap in (held[1], *held[1]._dated.values()):
        release(snap.book)


_F = TypeVar("_F", bound=Callable[..., Any])


def endpoint(name: str) -> Callable[[_F], _F]:
    """Fava's ``@extension_endpoint(name)`` (GET), typed for mypy."""
    mark: Callable[[_F], _F] = extension_endpoint(name)  # type: ignore[assignment]
    return mark


#: A page number: ASCII digits, no sign, no leading zero (``?page=²`` is not one).
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,6}")


TITLES = {400: "请求参数错误", 404: "没有找到"}


class BadRequest(Exception):
    """A request a page cannot answer: the message says which argument and why."""


def bad_request(message: str) -> NoReturn:
    """Answer 400 with ``message``."""
    refuse(400, message)


def not_found(message: str) -> NoReturn:
    """Answer 404 with ``message`` (an id the ledger does not have)."""
    refuse(404, message)


def refuse(status: int, message: str) -> NoReturn:
    """Answer ``status`` with ``message``: in Fava's layout for a page, JSON for an endpoint."""
    from flask import abort, jsonify, make_response, render_template, request
    from markupsafe import escape

    if request.endpoint == "extension_report":  # a page: Fava's layout around the message
        content = (
            f'<div class="fupin"><h2>{TITLES[status]} ({status})</h2>'
            f'<p class="status error">{escape(message)}</p></div>'
        )
        body = render_template("_layout.html", page_title=TITLES[status], content=content)
        abort(make_response(body, status))
    abort(make_response(jsonify({"error": message}), status))


class FupinPage(FavaExtensionBase):
    """Base of the fupin pages: read-only views of one snapshot."""

    #: query arguments of this page that must be page numbers
    number_args: tuple[str, ...] = ("page", "fpage")

    def before_request(self) -> None:
        """Refuse bad arguments to this page or its endpoints with 400 and a message (Fava
        calls this for every request; only ours are checked)."""
        from fava.core.filters import FilterError
        from flask import g, request

        args = request.view_args or {}
        if args.get("extension_name") != self.name:
            return
        for arg in self.number_args:
            text = request.args.get(arg)
            if text is not None and not PAGE_NUMBER.fullmatch(text):
                bad_request(f"{arg}={text!r}: 页码应为正整数 (1, 2, 3 …)")
        if self.fava_filters():
            try:
                g.filtered  # noqa: B018  (Fava parses its time, account and advanced filters)
            except FilterError as error:
                bad_request(f"筛选条件无效: {error.message}")
        try:
            self.check_args()
        except BadRequest as error:
            bad_request(str(error))

    def check_args(self) -> None:
        """Page-specific argument checks (raise :class:`BadRequest`)."""

    def after_load_file(self) -> None:
        """Rebuild the book and rerun the rules once per load (shared by all pages), and
        have Fava's watcher watch what the load read besides the books (plain ``fava`` too), and
        show an importer's input error on the import page as its message alone."""
        snapshot(self.ledger)
        watch.attach(self.ledger)
        imports.attach(self.ledger)

    @property
    def snap(self) -> Snapshot:
        """The snapshot the page shows: as of the end of Fava's time filter, if one is set."""
        current = snapshot(self.ledger)
        rng = self.date_range()
        if rng is None:
            return current
        return current.as_of(rng[1] - datetime.timedelta(days=1))

    # -- helpers the templates call ----------------------------------------------------
    money = staticmethod(views.money)
    pct = staticmethod(views.pct)

    @staticmethod
    def source_label(source: str) -> str:
        return SOURCE_NAMES.get(source, source)

    @staticmethod
    def right_name(right: str) -> str:
        from fupin.assets import RIGHTS

        return RIGHTS.get(right, right)

    @staticmethod
    def family_name(family: str) -> str:
        return FAMILY_NAMES.get(family, family)

    def export_url(self, table: str) -> str:
        """The Excel download of ``table`` (served by the compliance page), with Fava's filters."""
        return self.endpoint_url("xlsx", page="FupinCompliance", table=table)

    def endpoint_url(self, endpoint: str, page: str = "", **args: str) -> str:
        """URL of an endpoint of this page (or ``page``), keeping Fava's filters in the query."""
        from fava.application import url_for

        name = page or self.name
        path, _, query = url_for("extension_report", extension_name=name).partition("?")
        parts = [query] if query else []
        parts += [urlencode(args)] if args else []
        return path + endpoint + ("?" + "&".join(parts) if parts else "")

    #: Rows per page of the long tables (measures, projects, notices).
    per_page = 200

    def paginate(self, items: Any, arg: str = "page") -> views.Page:
        """The page of ``items`` named by ``?<arg>=`` (1 when absent or not a number)."""
        from flask import request

        text = request.args.get(arg, "1")  # checked in before_request
        number = int(text) if PAGE_NUMBER.fullmatch(text) else 1
        return views.paginate(items, number, self.per_page, arg)

    def page_args(self, **extra: str) -> dict[str, str]:
        """This page's own query arguments (Fava's filters are kept by url_for)."""
        from flask import request

        keep = {k: v for k in self.own_args if (v := request.args.get(k))}
        keep.update({k: v for k, v in extra.items() if v})
        return keep

    own_args: tuple[str, ...] = ("page", "fpage")

    def fava_filters(self) -> dict[str, str]:
        """Fava's active filters (time, account, advanced) from the request."""
        from flask import request

        return {k: v for k in ("time", "account", "filter") if (v := request.args.get(k, ""))}

    def date_range(self) -> tuple[datetime.date, datetime.date] | None:
        """The half-open date range of Fava's time filter, if one is set."""
        from flask import g

        if not self.fava_filters().get("time"):
            return None
        rng = g.filtered.date_range
        return (rng.begin, rng.end) if rng else None

    def years(self) -> set[int] | None:
        """The budget years Fava's time filter covers (None without one)."""
        rng = self.date_range()
        if rng is None:
            return None
        return set(range(rng[0].year, (rng[1] - datetime.timedelta(days=1)).year + 1))

    # -- charts (figures from fupin.chart_figures, drawn by fupin.reports.fava.charts) ----
    def share_chart(self) -> Markup:
        from fupin.reports.fava import charts

        from fupin import chart_figures

        measures = self.snap.results.measures
        return charts.industry_share(chart_figures.industry_shares(measures, self.years()))

    def flow_chart(self) -> Markup:
        from fupin.reports.fava import charts

        from fupin import chart_figures

        day = self.selected_date() if self.date_range() else None
        return charts.fund_flow(chart_figures.fund_flow(self.snap.book, day, self.years()))

    def stage_chart(self) -> Markup:
        from fupin.reports.fava import charts

        from fupin import chart_figures

        day = self.selected_date() if self.date_range() else None
        return charts.stage_progress(
            chart_figures.stage_progress(self.snap.book, day, self.years())
        )

    def asset_chart(self) -> Markup:
        from fupin.reports.fava import charts

        from fupin import chart_figures

        values = chart_figures.asset_values(self.snap.register, self.selected_date())
        return charts.asset_values(values)

    def selected_date(self) -> datetime.date:
        """The date the page is 'as of': the end of Fava's time filter, else the last entry."""
        rng = self.date_range()
        if rng is not None:
            return rng[1] - datetime.timedelta(days=1)
        return snapshot(self.ledger).book.last_date or datetime.date.today()
