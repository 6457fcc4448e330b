"""What the 农户 Fava page shows: the monitoring register, statistics, loans, county budgets.

Plain functions over the book, its register and the rule results (no Flask, no Fava); every
figure comes from the core (:mod:`fupin.monitoring`, :mod:`fupin.aggregates`,
:mod:`fupin.microcredit`, :mod:`fupin.budget`), this module only picks and labels. Households
appear by pseudonymous id only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fupin.aggregates import (
    CadreCoverage,
    CauseRow,
    InputPerPerson,
    Mean,
    benefit_means,
    households_per_cadre,
    input_per_person,
    payments_by_year,
    poor_causes,
    risk_breakdown,
)
from fupin.budget import CountyBudget, DepartmentYear, budgets, department_shares
from fupin.findings import Finding, Measure, Severity
from fupin.households import CATEGORIES, book_register
from fupin.microcredit import STATUS_NAMES as LOAN_STATUS_NAMES
from fupin.microcredit import LoanSummary, loan_rows
from fupin.monitoring import STATE_NAMES, CaseRow, case_rows

if TYPE_CHECKING:
    from fupin.book import Book
    from fupin.engine import Results

MONITORING_RULES = ("M01", "M02", "M03", "M04", "M05", "B44")
BUDGET_RULES = ("B04", "B05", "B06")


def _status(findings: Sequence[Finding]) -> str:
    if any(f.severity == Severity.ERROR for f in findings):
        return "error"
    return "warning" if findings else "ok"


@dataclass(frozen=True)
class CaseLine:
    """A monitoring case as the page shows it, with its findings."""

    row: CaseRow
    findings: tuple[Finding, ...]

    @property
    def status(self) -> str:
        return _status(self.findings)


@dataclass(frozen=True)
class BudgetLine:
    """A budget year with the B04–B06 rows measured on it."""

    budget: CountyBudget
    measures: tuple[Measure, ...]

    @property
    def status(self) -> str:
        if any(not m.ok and m.severity == Severity.ERROR for m in self.measures):
            return "error"
        return "warning" if any(not m.ok for m in self.measures) else "ok"


@dataclass(frozen=True)
class HouseholdsView:
    """Everything the page shows, as of one day."""

    day: datetime.date
    has_register: bool
    cases: list[CaseLine]
    counts: dict[str, dict[str, int]]  # category → state → cases
    means: list[Mean]
    year: int | None
    inputs: list[InputPerPerson]
    cadres: CadreCoverage | None
    causes: list[CauseRow]
    risks: list[CauseRow]
    loans: LoanSummary
    budgets: list[BudgetLine]
    departments: list[DepartmentYear]
    category_names: dict[str, str] = field(default_factory=lambda: dict(CATEGORIES))
    state_names: dict[str, str] = field(default_factory=lambda: dict(STATE_NAMES))
    loan_status_names: dict[str, str] = field(default_factory=lambda: dict(LOAN_STATUS_NAMES))


def households_view(book: Book, results: Results, day: datetime.date) -> HouseholdsView:
    """The page as of ``day`` (Fava's time filter end, else the ledger's last date)."""
    register = book_register(book)
    by_case: dict[str, list[Finding]] = defaultdict(list)
    for found in results.findings:
        if found.rule in MONITORING_RULES:
            by_case[found.entity].append(found)
    rows = case_rows(book, register, day)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts[row.category][row.state] += 1
    years = [y for y in sorted(payments_by_year(book, register)) if y <= day.year]
    year = years[-1] if years else None
    measures: dict[str, list[Measure]] = defaultdict(list)
    for measure in results.measures:
        if measure.rule in BUDGET_RULES:
            measures[measure.entity].append(measure)
    return HouseholdsView(
        day,
        register is not None,
        [CaseLine(row, tuple(by_case.get(row.id, ()))) for row in rows],
        {k: dict(v) for k, v in counts.items()},
        benefit_means(book, register, year) if year is not None and register else [],
        year,
        [i for i in input_per_person(book, register) if i.year <= day.year and i.persons],
        households_per_cadre(book, register, day) if register else None,
        poor_causes(book, register, day) if register else [],
        risk_breakdown(book, day),
        loan_rows(book, day),
        [
            BudgetLine(item, tuple(measures.get(str(item.year), ())))
            for items in budgets(book).values()
            for item in items
            if item.year <= day.year
        ],
        [d for d in department_shares(book, register) if d.year <= day.year],
    )


def households_json(view: HouseholdsView) -> dict[str, Any]:
    """The page's figures as JSON (Decimals as strings)."""
    return {
        "as_of": view.day.isoformat(),
        "rounding": "money ROUND_HALF_UP to 0.01; ratios to 2 decimals, half up",
        "monitoring": [{**c.row.as_dict(), "status": c.status} for c in view.cases],
        "benefit_means": [m.as_dict() for m in view.means],
        "input_per_person": [i.as_dict() for i in view.inputs],
        "households_per_cadre": view.cadres.as_dict() if view.cadres else None,
        "causes": [c.as_dict() for c in view.causes],
        "risk_causes": [c.as_dict() for c in view.risks],
        "loans": {
            "outstanding": str(view.loans.outstanding),
            "overdue": str(view.loans.overdue),
            "overdue_rate": str(view.loans.overdue_rate),
            "compensated": str(view.loans.compensated),
            "rows": [
                {
                    "id": r.id,
                    "borrower": r.borrower,
                    "amount": str(r.amount),
                    "status": r.status,
                    "overdue": str(r.overdue),
                    "compensated": str(r.compensated),
                    "subsidy_by_year": {str(y): str(a) for y, a in r.subsidy.items()},
                }
                for r in view.loans.rows
            ],
        },
        "budgets": [
            {
                "year": b.budget.year,
                "level": b.budget.level,
                "special_fund": str(b.budget.special_fund),
                "revenue": None if b.budget.revenue is None else str(b.budget.revenue),
                "status": b.status,
            }
            for b in view.budgets
        ],
        "departments": [
            {
                "department": d.department,
                "year": d.year,
                "total": str(d.total),
                "poor": str(d.poor),
                "share": str(d.share),
            }
            for d in view.departments
        ],
    }
