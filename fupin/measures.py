"""Support measures per household and year (帮扶措施, DOMAIN B13, B.4 "一户一法").

One record per measure a household received::

    2023-03-15 custom "household-measure" "H-QS-021" "industry"
      name: "肉牛养殖到户补助 2头"
      year: 2023                  ; default: the entry's year
      project: "P-2023-002"       ; optional: the project that delivers it
      case: "M-2022-QS-01"        ; optional: the monitoring case it answers (M03)
      amount: 6000.00 CNY         ; optional

Kinds (:data:`MEASURE_KINDS`): 产业, 就业, 教育, 健康, 住房, 饮水, 社会保障(兜底), 金融(小额
信贷), 技能培训, 公益岗位, 消费帮扶, 其他. B13 counts them per household, kind and year against
the policy ``household-measure-min`` (林州: ``"lifted:industry=3"``); M03 counts a monitoring
case's measures between its decision and its risk elimination. The record holds the
pseudonymous household id and a coded kind only: who the household is stays in the register.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from fupin.entities import Entity, Money
from fupin.households import HouseholdId
from fupin.policy import MEASURE_KINDS as _POLICY_KINDS

if TYPE_CHECKING:
    from fupin.book import Book

#: 帮扶措施类别 (the policy's ``household-measure-min`` names the same codes).
MEASURE_KINDS = {
    "industry": "产业帮扶",
    "employment": "就业帮扶",
    "education": "教育帮扶",
    "health": "健康帮扶",
    "housing": "住房安全保障",
    "water": "饮水安全保障",
    "social": "社会保障兜底",
    "finance": "金融帮扶(小额信贷)",
    "skills": "技能培训",
    "public_post": "公益岗位",
    "consumption": "消费帮扶",
    "other": "其他",
}
assert tuple(MEASURE_KINDS) == _POLICY_KINDS, "fupin.policy.MEASURE_KINDS drifted"
MeasureKind = Literal[tuple(MEASURE_KINDS)]  # type: ignore[valid-type]


class HouseholdMeasure(Entity):
    """One support measure a household received: ``custom "household-measure" "<H>" "<kind>"``."""

    kind: ClassVar[str] = "household-measure"
    label: ClassVar[str] = "帮扶措施"
    positional: ClassVar[tuple[str, ...]] = ("household", "measure")
    refs: ClassVar[dict[str, str]] = {
        "household": "household",
        "project": "project",
        "case": "monitoring",
    }

    household: HouseholdId
    measure: MeasureKind  # type: ignore[valid-type]
    name: str  # 措施内容
    year: int | None = None
    project: str | None = None
    case: str | None = None
    amount: Money | None = None
    doc: str | None = None
    note: str | None = None

    @property
    def measure_year(self) -> int:
        return self.year or self.date.year

    @property
    def kind_name(self) -> str:
        return MEASURE_KINDS[self.measure]

    def describe(self) -> str:
        return f"{self.kind_name} {self.name} [household {self.household}]"


@dataclass(frozen=True)
class MeasureIndex:
    """The book's measures by household (date order), built once per book."""

    by_household: Mapping[str, Sequence[HouseholdMeasure]]

    def count(self, household: str, year: int, kind: str = "any") -> int:
        """Measures of a kind (``any``: every kind) a household received in a year."""
        return sum(
            1
            for m in self.by_household.get(household, ())
            if m.measure_year == year and (kind == "any" or m.measure == kind)
        )

    def between(
        self, household: str, first: datetime.date, last: datetime.date, case: str | None = None
    ) -> list[HouseholdMeasure]:
        """Measures dated ``first``..``last`` (inclusive), or naming the case."""
        return [
            m
            for m in self.by_household.get(household, ())
            if (first <= m.date <= last) or (case is not None and m.case == case)
        ]

    def totals(self, year: int) -> dict[str, int]:
        """Measures by kind in a year (every household)."""
        out: dict[str, int] = defaultdict(int)
        for items in self.by_household.values():
            for m in items:
                if m.measure_year == year:
                    out[m.measure] += 1
        return dict(out)


def measure_index(book: Book) -> MeasureIndex:
    """The measures of the book by household (shared by the rules and the reports)."""

    def build() -> MeasureIndex:
        out: dict[str, list[HouseholdMeasure]] = defaultdict(list)
        for item in book.all(HouseholdMeasure):
            out[item.household].append(item)
        return MeasureIndex({k: tuple(v) for k, v in out.items()})

    return book.shared("household-measures", build)
