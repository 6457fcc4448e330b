"""fupin's Fava extension: pages for auditors (合规, 资金, 项目, 资产, 公示, 农户).

Enable it with one line in the ledger::

    2021-01-01 custom "fava-extension" "fupin.reports.fava"

Fava then shows six pages in its sidebar (农户, issue 15, the sixth). Each class here only wires a page to the plain
functions in :mod:`fupin.reports.fava.views` (and the asset and notice modules); the book
and the rule results are rebuilt once per load in ``after_load_file()``. Every endpoint is
GET-only and free of side effects, so ``fava --read-only`` (``fupin serve``'s default)
leaves nothing an auditor can change.
"""

from __future__ import annotations

import datetime
from typing import Any

from flask import Response, g, jsonify, request
from fupin.reports.fava import base as _base
from fupin.reports.fava import views as _views


class FupinCompliance(_base.FupinPage):
    """合规: every rule's value against its threshold, and the findings with their source."""

    report_title = "合规"
    own_args = ("rule", "page", "fpage")
    #: FupinCompliance.js puts the Chinese account names beside Fava's account links
    has_js_module = True

    @_base.endpoint("account_names")
    def account_names(self) -> Response:
        """Each opened account's Chinese name (its ``name:``), for FupinCompliance.js."""
        book = self.snap.book
        names = {a: book.account_name(a) for a in book.opens}
        return jsonify({a: n for a, n in names.items() if n != a})

    def rule(self) -> str:
        return request.args.get("rule", "")

    def check_args(self) -> None:
        rule = self.rule()
        if rule and rule not in _views.rule_titles():
            raise _base.BadRequest(f"rule={rule!r}: 没有这条规则")

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

    @_base.endpoint("xlsx")
    def xlsx(self) -> Response:
        """One of the four tables as an Excel download (``?table=compliance|assets|
        households|projects``): the same workbook as the CLI's ``--xlsx``, under Fava's
        time filter (compliance rows of its years; the register on its last day)."""
        from fupin.reports.fava import exports

        from fupin.households import RegisterError

        table = request.args.get("table", "compliance")
        if table not in exports.TABLES:
            _base.bad_request(f"table={table!r}: 应为 {'、'.join(exports.TABLES)} 之一")
        rows = [r.measure for r in self.measure_rows(self.view())]
        try:
            name, data = exports.workbook(
                table, self.snap, self.ledger.beancount_file_path, self.selected_date(), rows
            )
        except (exports.NoRegister, RegisterError) as error:
            _base.not_found(str(error))
        return Response(
            data,
            mimetype=exports.MIME,
            headers={"Content-Disposition": exports.disposition(name)},
        )

    @_base.endpoint("data")
    def data(self) -> Response:
        """The filtered compliance rows and findings as JSON (what ``fupin compliance --json`` gives)."""
        if not self.fava_filters():
            return Response(self.snap.compliance_json, mimetype="application/json")
        return Response(_views.compliance_json(self.view()), mimetype="application/json")


class FupinFunds(_base.FupinPage):
    """资金: sources declared vs actual, balances, budget vs actual by year, uses chart."""

    report_title = "资金"

    def view(self) -> _views.Funds:
        return self.snap.funds

    def categories_chart(self) -> Any:
        """Fava's own hierarchy chart of the expense accounts, under Fava's filters."""
        from fava.internal_api import ChartApi

        return ChartApi.hierarchy("Expenses", label="支出结构(按科目)")

    @_base.endpoint("data")
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

    report_title = "项目"

    def selected(self) -> _views.ProjectRow | None:
        """The project named by ``?project=``; 404 for an unknown id."""
        ident = request.args.get("project")
        if not ident:
            return None
        row = self.snap.project(ident)
        if row is None:
            _base.not_found(f"账簿中没有项目 {ident!r}")
        return row

    def rows(self) -> list[_views.ProjectRow]:
        """The library; under Fava's time filter, the projects of those years."""
        rows = self.snap.projects
        rng = self.date_range()
        if rng is None:
            return rows
        years = range(rng[0].year, (rng[1] - datetime.timedelta(days=1)).year + 1)
        return [r for r in rows if r.project.year in years]

    @_base.endpoint("data")
    def data(self) -> Response:
        return jsonify([_views.project_json(p) for p in self.rows()])


class FupinAssets(_base.FupinPage):
    """资产: the register with every right's holders on Fava's date; one page per asset."""

    report_title = "资产"

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
            _base.not_found(f"账簿中没有资产 {ident!r}")
        return detail

    @_base.endpoint("data")
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

    report_title = "公示"

    def rows(self) -> list[_views.NoticeRow]:
        return self.snap.notices

    def selected(self) -> _views.NoticeRow | None:
        """The notice named by ``?notice=``; 404 for an unknown id."""
        ident = request.args.get("notice")
        if not ident:
            return None
        row = self.snap.notices_by_id.get(ident)
        if row is None:
            _base.not_found(f"账簿中没有公告 {ident!r}")
        return row

    def _document(self) -> Any:
        from fupin.reports.fava import notices

        row = self.selected()
        if row is None:
            _base.bad_request("请用 ?notice=<公告编号> 指明公告")
        return notices, row

    @_base.endpoint("preview")
    def preview(self) -> Response:
        """The notice rendered as HTML (the same template the printed notice uses)."""
        notices, row = self._document()
        html = notices.render_html(self.snap, row.notice.id, self.ledger.beancount_file_path)
        return Response(html, mimetype="text/html")

    @_base.endpoint("pdf")
    def pdf(self) -> Response:
        """The notice as a PDF download (rendered from the same HTML)."""
        notices, row = self._document()
        data = notices.render_pdf(self.snap, row.notice.id, self.ledger.beancount_file_path)
        return Response(
            data,
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{row.notice.id}.pdf"'},
        )

    @_base.endpoint("data")
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
                    "withdrawn": r.notice.withdrawn.isoformat() if r.notice.withdrawn else None,
                    "days": r.days,
                    "status": r.status,
                }
                for r in self.rows()
            ]
        )


class FupinHouseholds(_base.FupinPage):
    """农户: the 防返贫监测 register, statistics, loans and county budgets (pseudonymous ids)."""

    report_title = "农户"

    def view(self) -> Any:
        """The page as of Fava's date (the end of its time filter, else the last entry)."""
        from fupin.reports.fava import households

        snap = self.snap
        return households.households_view(snap.book, snap.results, self.selected_date())

    @_base.endpoint("data")
    def data(self) -> Response:
        from fupin.reports.fava import households

        return jsonify(households.households_json(self.view()))


class FupinAudit(_base.FupinPage):
    """审计: seals (period, hash, entries, status), evidence per project and stage,
    corrections and the audit-trail findings (issue 17); the same report as ``fupin audit``."""

    report_title = "审计"
    own_args = ("page", "fpage")

    def report(self) -> Any:
        from fupin.reports.fava import audit

        return audit.report(self.snap)

    def stage_rows(self) -> list[Any]:
        return [row for row in self.report().evidence if row.need == "stage"]

    def other_rows(self) -> list[Any]:
        return [row for row in self.report().evidence if row.need != "stage"]

    @staticmethod
    def place(where: str) -> dict[str, Any]:
        """``file:line`` as what the source-link macro reads."""
        from fupin.reports.fava import audit

        return audit.place(where)

    @_base.endpoint("evidence")
    def evidence(self) -> Response:
        """An evidence file declared by ``evidence:`` metadata (documents: Fava's own link)."""
        from fupin.reports.fava import audit

        path = audit.evidence_file(self.report(), request.args.get("path", ""))
        if path is None:
            _base.not_found("没有这份证据文件 (只提供账簿登记的 evidence: 文件)")
        from flask import send_file

        return send_file(path)

    @_base.endpoint("data")
    def data(self) -> Response:
        """The report as JSON (what ``fupin audit --json`` prints)."""
        from fupin.reports.fava import audit

        return Response(audit.report_json(self.report()), mimetype="application/json")


# Fava lists an extension module's pages in the order of its attribute names
# (``inspect.getmembers``), so by class name: 资产 before 合规. These aliases sort before
# the class names and give the sidebar the order auditors work in; each class is still
# loaded once, under its own name (its URL stays extension/FupinCompliance/, …).
A1, A2, A3, A4, A5 = FupinCompliance, FupinFunds, FupinProjects, FupinAssets, FupinNotices
A6 = FupinHouseholds  # issue 15: 农户, after 公示
A7 = FupinAudit  # issue 17: 审计, last
