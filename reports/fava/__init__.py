"""fupin's Fava extension: pages for auditors (合规, 资金, 项目, 资产, 公示).

Enable it with one line in the ledger::

    2021-01-01 custom "fava-extension" "fupin.reports.fava"

Fava then shows five pages in its sidebar. Each class here only wires a page to the plain
functions in :mod:`fupin.reports.fava.views` (and the asset and notice modules); the book
and the rule results are rebuilt once per load in ``after_load_file()``. Every endpoint is
GET-only and free of side effects, so ``fava --read-only`` (``fupin serve``'s default)
leaves nothing an auditor can change.
"""

from __future__ import annotations

import datetime
from typing import Any

from fava.ext import extension_endpoint
from flask import Response, abort, g, jsonify, request
from fupin.reports.fava import base as _base
from fupin.reports.fava import views as _views


class FupinCompliance(_base.FupinPage):
    """合规: every rule's value against its threshold, and the findings with their source."""

    report_title = "合规 Compliance"
    own_args = ("rule", "page", "fpage")

    def rule(self) -> str:
        return request.args.get("rule", "")

    def measure_rows(self, view: _views.Compliance) -> list[_views.MeasureRow]:
        """The rows of the rule chosen with ``?rule=`` (all rows without it)."""
        rule = self.rule()
        return [r for r in view.rows if r.measure.rule == rule] if rule else list(view.rows)

    def view(self) -> _views.Compliance:
        """The compliance rows under Fava's time, account and advanced filters."""
        filters = self.fava_filters()
        snap = self.snap
        if not filters:
            return snap.compliance
        years = dates = entries = entities = None
        rng = self.date_range()
        if rng is not None:
            dates = rng
            years = set(range(rng[0].year, (rng[1] - datetime.timedelta(days=1)).year + 1))
        if filters.get("account") or filters.get("filter"):
            filtered = g.filtered.entries
            entries = {id(e) for e in filtered}
            entities = _views.touched_entities(snap.book, filtered)
        return _views.compliance(
            snap.book, snap.results, years=years, dates=dates, entries=entries, entities=entities
        )

    @extension_endpoint("data")
    def data(self) -> Response:
        """The filtered compliance rows and findings as JSON (what ``fupin compliance --json`` gives)."""
        if not self.fava_filters():
            return Response(self.snap.compliance_json, mimetype="application/json")
        return Response(_views.compliance_json(self.view()), mimetype="application/json")


class FupinFunds(_base.FupinPage):
    """资金: sources declared vs actual, balances, budget vs actual by year, uses chart."""

    report_title = "资金 Funds"

    def view(self) -> _views.Funds:
        return self.snap.funds

    def categories_chart(self) -> Any:
        """Fava's own hierarchy chart of the expense accounts, under Fava's filters."""
        from fava.internal_api import ChartApi

        return ChartApi.hierarchy("Expenses", label="支出结构(按科目)")

    @extension_endpoint("data")
    def data(self) -> Response:
        view = self.view()
        return jsonify(
            {
                "funds": [
                    {
                        "id": f.fund.id,
                        "name": f.fund.name,
                        "received": str(f.received),
                        "spent": str(f.spent),
                        "balance": str(f.balance),
                        "prepaid": str(f.prepaid),
                        "deposit": str(f.deposit),
                        "projects_budget": str(f.projects_budget),
                        "sources": [
                            {
                                "source": s.source,
                                "actual": str(s.actual),
                                "declared": None if s.declared is None else str(s.declared),
                            }
                            for s in f.sources
                        ],
                    }
                    for f in view.funds
                ],
                "years": [
                    {
                        "year": y.year,
                        "received": str(y.received),
                        "spent": str(y.spent),
                        "industry": str(y.industry),
                        "share": None if y.share is None else str(y.share.measure.value),
                        "threshold": None if y.share is None else str(y.share.measure.threshold),
                    }
                    for y in view.years
                ],
            }
        )


class FupinProjects(_base.FupinPage):
    """项目: the project library, and one page per project (``?project=<id>``)."""

    report_title = "项目 Projects"

    def selected(self) -> _views.ProjectRow | None:
        """The project named by ``?project=``; 404 for an unknown id."""
        ident = request.args.get("project")
        if not ident:
            return None
        row = self.snap.project(ident)
        if row is None:
            abort(404)
        return row

    def rows(self) -> list[_views.ProjectRow]:
        """The library; under Fava's time filter, the projects of those years."""
        rows = self.snap.projects
        rng = self.date_range()
        if rng is None:
            return rows
        years = range(rng[0].year, (rng[1] - datetime.timedelta(days=1)).year + 1)
        return [r for r in rows if r.project.year in years]

    @extension_endpoint("data")
    def data(self) -> Response:
        return jsonify(
            [
                {
                    "id": p.project.id,
                    "name": p.project.name,
                    "stage": p.stage,
                    "budget": str(p.budget),
                    "spent": str(p.spent),
                    "paid": str(p.paid),
                    "deposit_held": str(p.deposit_held),
                }
                for p in self.rows()
            ]
        )


class FupinAssets(_base.FupinPage):
    """资产: the register with every right's holders on Fava's date; one page per asset."""

    report_title = "资产 Assets"

    def view(self) -> _views.Assets:
        snap = self.snap
        return _views.assets(snap.book, snap.register, self.selected_date())

    def selected(self) -> _views.AssetDetail | None:
        """The asset named by ``?asset=``; 404 for an unknown id."""
        ident = request.args.get("asset")
        if not ident:
            return None
        snap = self.snap
        detail = _views.asset_detail(
            snap.book, snap.results, snap.register, ident, self.selected_date()
        )
        if detail is None:
            abort(404)
        return detail

    @extension_endpoint("data")
    def data(self) -> Response:
        view = self.view()
        return jsonify(
            {
                "date": view.day.isoformat(),
                "count": view.count,
                "value": str(view.value),
                "assets": [
                    {
                        "id": row.state.asset.id,
                        "name": row.state.asset.name,
                        "class": row.state.asset.asset_class,
                        "status": row.state.status,
                        "owner_level": row.state.owner_level,
                        "value": str(row.state.asset.original_value),
                        "rights": row.holders,
                    }
                    for row in view.rows
                ],
            }
        )


class FupinNotices(_base.FupinPage):
    """公示: notices with their periods and rule status; each previewed (HTML) and as PDF."""

    report_title = "公示 Notices"

    def rows(self) -> list[_views.NoticeRow]:
        return self.snap.notices

    def selected(self) -> _views.NoticeRow | None:
        """The notice named by ``?notice=``; 404 for an unknown id."""
        ident = request.args.get("notice")
        if not ident:
            return None
        row = self.snap.notices_by_id.get(ident)
        if row is None:
            abort(404)
        return row

    def _document(self) -> Any:
        from fupin.reports.fava import notices

        row = self.selected()
        if row is None:
            abort(404)
        return notices, row

    @extension_endpoint("preview")
    def preview(self) -> Response:
        """The notice rendered as HTML (the same template the printed notice uses)."""
        notices, row = self._document()
        html = notices.render_html(self.snap, row.notice.id, self.ledger.beancount_file_path)
        return Response(html, mimetype="text/html")

    @extension_endpoint("pdf")
    def pdf(self) -> Response:
        """The notice as a PDF download (rendered from the same HTML)."""
        notices, row = self._document()
        data = notices.render_pdf(self.snap, row.notice.id, self.ledger.beancount_file_path)
        return Response(
            data,
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{row.notice.id}.pdf"'},
        )

    @extension_endpoint("data")
    def data(self) -> Response:
        return jsonify(
            [
                {
                    "id": r.notice.id,
                    "type": r.notice.type,
                    "level": r.notice.level,
                    "subject": r.notice.subject,
                    "start": r.notice.start.isoformat(),
                    "end": r.notice.end.isoformat() if r.notice.end else None,
                    "days": r.days,
                    "status": r.status,
                }
                for r in self.rows()
            ]
        )
