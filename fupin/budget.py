"""County budget inputs per year and department targeting (DOMAIN B.1: B04–B07).

A county's (or city's) budgeted special poverty fund and its local fiscal revenue, one
entry per year::

    2023-01-18 custom "county-budget" "2023"
      special_fund: 36000000.00 CNY     ; 县级财政专项扶贫(衔接)资金预算
      revenue: 1250000000.00 CNY        ; 地方财政收入 (一般公共预算收入)
      level: "county"                   ; county | city
      doc: "青山县2023年财政预算报告"

B04 (安阳: not below the year before), B05 (靖边: ≥ 2% of revenue) and B06 (靖边: +20% a
year) compare these years. B07 (靖边: departments' 到村到户 project money ≥ 60% to 贫困村/
贫困户) reads the projects' ``department`` and ``village_status``; :func:`department_shares`
computes its figures once per book.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Field, field_validator

from fupin.entities import Entity, Money, Project
from fupin.findings import Finding
from fupin.money import ZERO, ratio

if TYPE_CHECKING:
    from fupin.book import Book
    from fupin.households import Register

LEVELS = {"county": "县级", "city": "市级"}


class BudgetError(Finding):
    """B04–B07: a budgeted special fund below its floor or growth, a department off target."""

    __slots__ = ()


class CountyBudget(Entity):
    """One year's budget figures: ``custom "county-budget" "<YEAR>"``."""

    kind: ClassVar[str] = "county-budget"
    label: ClassVar[str] = "县级财政扶贫投入"
    positional: ClassVar[tuple[str, ...]] = ("year",)
    refs: ClassVar[dict[str, str]] = {}

    year: int
    special_fund: Money  # 本级财政专项扶贫(衔接)资金预算
    revenue: Annotated[Money, Field(gt=0)] | None = None  # 地方财政收入 (> 0)
    level: Literal[tuple(LEVELS)] = "county"  # type: ignore[valid-type]
    doc: str | None = None
    note: str | None = None

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, value: Any) -> Any:
        text = str(value).strip()
        if not text.isdigit() or not 1990 <= int(text) <= 2100:
            raise ValueError('应为预算年度 (1990–2100), 如 "2023"')
        return int(text)

    def describe(self) -> str:
        return f"{self.year}年{LEVELS[self.level]}财政专项扶贫资金预算 [county-budget {self.year}]"


def budgets(book: Book) -> dict[str, list[CountyBudget]]:
    """Budget entries per level, by year (the last entry of a year wins)."""
    out: dict[str, dict[int, CountyBudget]] = defaultdict(dict)
    for item in book.all(CountyBudget):
        out[item.level][item.year] = item
    return {level: [years[y] for y in sorted(years)] for level, years in out.items()}


@dataclass
class DepartmentYear:
    """B07 figures of one department and project year: spending to poor villages/households."""

    department: str
    year: int
    total: Decimal = ZERO
    poor: Decimal = ZERO
    projects: list[Project] = field(default_factory=list)

    @property
    def share(self) -> Decimal:
        return ratio(self.poor, self.total)


def department_shares(book: Book, register: Register | None) -> list[DepartmentYear]:
    """Per department and project year: Σ spending of its projects, and the part that went
    to a village of ``department-target-village-statuses`` or to a registered household of
    ``department-target-household-statuses`` on the payment day."""

    def build() -> list[DepartmentYear]:
        rows: dict[tuple[str, int], DepartmentYear] = {}
        projects = {p.id: p for p in book.projects.values() if p.department}
        for _ident, project in sorted(projects.items()):
            key = (str(project.department), project.year)
            rows.setdefault(key, DepartmentYear(*key)).projects.append(project)
        households: Mapping[str, Any] = register.households if register else {}
        for spend in book.spends:
            owner = projects.get(spend.project or "")
            if owner is None:
                continue
            policy = book.policy.at(spend.date)
            row = rows[(str(owner.department), owner.year)]
            row.total += spend.amount
            if owner.village_status in policy.department_target_village_statuses:
                row.poor += spend.amount
            elif spend.household:
                household = households.get(str(spend.household))
                if household is not None and household.status_on(spend.date) in (
                    policy.department_target_household_statuses
                ):
                    row.poor += spend.amount
        return [rows[k] for k in sorted(rows)]

    return book.shared("department-shares", build)
