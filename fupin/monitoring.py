"""防止返贫动态监测: monitoring cases from discovery to risk elimination (DOMAIN G.3, F.1, B44).

The procedure [N-MON]: a household at risk is discovered (农户自主申报, 干部排查, 部门筛查预警),
verified at home (入户核实, 农户授权承诺), reviewed and posted in the village once for at least
5 days (民主评议, 村内公示), checked by the township (乡镇初审) and decided by the county
(县级审定) within 15 days of discovery; it gets a contact cadre (B44: each 边缘易致贫户) and
support measures; its risk is eliminated (风险消除) when income is stably above the year's
监测范围, after at least half a year of monitoring and at least one measure, never for a
household without labour capacity, through the same verification and a village notice.

The ledger records the procedure with pseudonymous ids and coded causes only; names, health
and labour capacity stay in the private register (:mod:`fupin.households`)::

    2022-03-02 custom "monitoring" "M-2022-QS-01"     ; the entry's date: discovery
      household: "H-QS-021"
      category: "marginal"                           ; G.3: unstable_lifted | marginal | sudden_hardship
      cause: "disaster"                              ; coded risk (G.2 codes and a few more)
      channel: "cadre_visit"                         ; self_report | cadre_visit | department

    2022-03-04 custom "monitoring-step" "M-2022-QS-01" "verified"      ; 入户核实
    2022-03-16 custom "monitoring-step" "M-2022-QS-01" "decided"       ; 县级审定
      doc: "青乡振监〔2022〕8号"
    2022-03-16 custom "monitoring-step" "M-2022-QS-01" "cadre"         ; 帮扶责任人 (B44)
      cadre: "GB-QS-003"
    2022-10-20 custom "monitoring-step" "M-2022-QS-01" "risk_cleared"  ; 风险消除
      income: 9200.00 CNY                            ; 人均纯收入 at elimination
      doc: "青乡振监〔2022〕41号"

Notices are ``custom "notice"`` entries of type ``monitoring`` (识别) and ``monitoring_exit``
(风险消除) whose ``subject`` is the case id (or several, space-separated, for one notice
listing several households). Measures are ``household-measure`` records
(:mod:`fupin.measures`). :func:`monitoring_register` groups the cases once per book.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator

from fupin.entities import Entity, Money, Notice
from fupin.findings import Finding
from fupin.households import CATEGORIES, CAUSES, HouseholdId, add_months
from fupin.workdays import CalendarGap

if TYPE_CHECKING:
    from fupin.book import Book
    from fupin.households import Register
    from fupin.measures import HouseholdMeasure, MeasureIndex

#: 风险类型: the 12 致贫原因 codes (G.2) and the risks the monitoring system adds
#: [unverified: 全国防返贫监测信息系统 风险类型, from county forms].
RISK_CAUSES = {
    **CAUSES,
    "accident": "因意外事故",
    "industry_failure": "因产业项目失败",
    "unstable_employment": "因务工就业不稳",
    "housing": "住房安全问题",
    "drinking_water": "饮水安全问题",
}
CHANNELS = {
    "self_report": "农户自主申报",
    "cadre_visit": "干部排查",
    "department": "部门筛查预警",
}
STEPS = {
    "verified": "入户核实",
    "reviewed": "民主评议",
    "township": "乡镇初审",
    "decided": "县级审定(纳入监测)",
    "cadre": "落实帮扶责任人",
    "risk_cleared": "风险消除",
    "cancelled": "撤销(识别有误/销户)",
}
#: why a risk was eliminated (N-MON: 收入稳定超过监测范围, 刚性支出问题解决, 风险自然消除)
CLEAR_REASONS = {
    "stable_income": "收入持续稳定",
    "expense_solved": "大额刚性支出问题解决",
    "natural": "风险自然消除",
}
NOTICE_TYPES = ("monitoring", "monitoring_exit")
STATE_NAMES = {
    "identifying": "识别中",
    "monitored": "监测帮扶中",
    "cleared": "风险已消除",
    "cancelled": "已撤销",
}


class MonitoringError(Finding):
    """M01–M05, B44: a monitoring case off its procedure (时限, 公示, 帮扶, 风险消除)."""

    __slots__ = ()


Category = Literal[tuple(CATEGORIES)]  # type: ignore[valid-type]
RiskCause = Literal[tuple(RISK_CAUSES)]  # type: ignore[valid-type]


class MonitoringCase(Entity):
    """A household identified for monitoring: ``custom "monitoring" "<CASE>"`` (识别)."""

    kind: ClassVar[str] = "monitoring"
    label: ClassVar[str] = "防返贫监测对象"
    refs: ClassVar[dict[str, str]] = {"household": "household"}

    id: str
    household: HouseholdId
    category: Category  # type: ignore[valid-type]
    cause: RiskCause  # type: ignore[valid-type]
    other_causes: tuple[RiskCause, ...] = ()  # type: ignore[valid-type]
    discovered: datetime.date | None = None  # 发现日期 (default: the entry's date)
    channel: Literal[tuple(CHANNELS)] | None = None  # type: ignore[valid-type]
    income: Money | None = None  # 人均纯收入 at identification
    doc: str | None = None
    note: str | None = None

    @field_validator("other_causes", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return tuple(value.split()) if isinstance(value, str) else value

    since_label: ClassVar[str] = "发现日期"

    @property
    def found(self) -> datetime.date:
        """发现日期."""
        return self.discovered or self.date

    def exists_from(self) -> datetime.date:
        """A case exists from its discovery (发现日期)."""
        return self.found

    def describe(self) -> str:
        return f"{CATEGORIES[self.category]} [household {self.household}] [monitoring {self.id}]"


class MonitoringStep(Entity):
    """A step of a case: ``custom "monitoring-step" "<CASE>" "<step>"``."""

    kind: ClassVar[str] = "monitoring-step"
    label: ClassVar[str] = "监测程序"
    positional: ClassVar[tuple[str, ...]] = ("case", "step")
    refs: ClassVar[dict[str, str]] = {"case": "monitoring"}
    parent: ClassVar[str] = "case"

    case: str
    step: Literal[tuple(STEPS)]  # type: ignore[valid-type]
    doc: str | None = None  # 文号 / 记录
    cadre: str | None = Field(default=None, validate_default=True)  # id or post, never a phone
    party_member: bool | None = None  # cadre: 党员干部
    income: Money | None = None  # risk_cleared: 人均纯收入
    reason: Literal[tuple(CLEAR_REASONS)] | None = None  # type: ignore[valid-type]
    note: str | None = None

    @field_validator("cadre")
    @classmethod
    def _cadre_named(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("step") == "cadre" and not value:
            raise ValueError("帮扶干部步骤须写明干部 (编号或职务)")
        return value

    def describe(self) -> str:
        return f"{STEPS[self.step]} [monitoring {self.case}]"


@dataclass(frozen=True)
class Case:
    """One case with its steps, notices and derived dates."""

    case: MonitoringCase
    steps: tuple[MonitoringStep, ...]
    notices: tuple[Notice, ...]  # monitoring and monitoring_exit notices naming the case

    def first(self, step: str) -> MonitoringStep | None:
        return next((s for s in self.steps if s.step == step), None)

    @property
    def decided(self) -> MonitoringStep | None:
        return self.first("decided")

    @property
    def cleared(self) -> MonitoringStep | None:
        return self.first("risk_cleared")

    @property
    def cadres(self) -> tuple[str, ...]:
        return self.cadres_by(datetime.date.max)

    def cadres_by(self, day: datetime.date, party_only: bool = False) -> tuple[str, ...]:
        """The contact cadres assigned on or before ``day`` (B44 counts those of its due
        day); ``party_only``: not those recorded ``party_member: FALSE`` (党员干部)."""
        return tuple(
            dict.fromkeys(
                s.cadre
                for s in self.steps
                if s.step == "cadre"
                and s.cadre
                and s.date <= day
                and not (party_only and s.party_member is False)
            )
        )

    def state_on(self, day: datetime.date) -> str:
        """identifying | monitored | cleared | cancelled on ``day``."""
        state = "identifying"
        for step in self.steps:
            if step.date > day:
                break
            if step.step == "decided":
                state = "monitored"
            elif step.step == "risk_cleared":
                state = "cleared"
            elif step.step == "cancelled":
                state = "cancelled"
        return state

    def monitored_days(self, until: datetime.date) -> int | None:
        """Days under monitoring, from the decision to the elimination (or ``until``)."""
        decided = self.decided
        if decided is None:
            return None
        cleared = self.cleared
        end = cleared.date if cleared is not None else until
        return (end - decided.date).days

    def earliest_clearing(self, months: int) -> datetime.date | None:
        """The first day the risk may be eliminated (decision + ``months``)."""
        decided = self.decided
        return add_months(decided.date, months) if decided else None

    def measures(self, index: MeasureIndex, until: datetime.date) -> list[HouseholdMeasure]:
        """The measures the case got by ``until`` (M03): those dated from the decision to
        ``until``, and those naming the case dated from its discovery to ``until`` (a
        measure dated after the elimination never counts for it, even naming the case)."""
        decided = self.decided
        first = decided.date if decided is not None else self.case.found
        return [
            m
            for m in index.between(self.case.household, first, until, self.case.id)
            if self.case.found <= m.date <= until
        ]

    def notices_of(self, kind: str) -> list[Notice]:
        return [n for n in self.notices if n.type == kind and not n.cut_short]


@dataclass(frozen=True)
class MonitoringRegister:
    """Every case of the book with its steps and notices (built once per book)."""

    cases: Mapping[str, Case]
    orphans: Sequence[MonitoringStep | Notice]  # steps or notices naming no case

    def of_household(self, household: str) -> list[Case]:
        return [c for c in self.cases.values() if c.case.household == household]

    def counts(self, day: datetime.date) -> dict[str, dict[str, int]]:
        """Cases by category and state on ``day`` (identified by then)."""
        out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for case in self.cases.values():
            if case.case.found <= day:
                out[case.case.category][case.state_on(day)] += 1
        return {k: dict(v) for k, v in out.items()}

    def causes(self, day: datetime.date) -> dict[str, int]:
        """Cases identified by ``day`` by main risk cause."""
        out: dict[str, int] = defaultdict(int)
        for case in self.cases.values():
            if case.case.found <= day:
                out[case.case.cause] += 1
        return dict(out)


def notice_cases(notice: Notice) -> tuple[str, ...]:
    """The case ids a monitoring notice names (its ``subject``, space-separated)."""
    return tuple(notice.subject.split())


def monitoring_register(book: Book) -> MonitoringRegister:
    """The book's monitoring cases, their steps and notices (shared by rules and reports)."""
    return book.shared("monitoring-register", lambda: _build(book))


def _build(book: Book) -> MonitoringRegister:
    cases = book.by_id(MonitoringCase)
    steps: dict[str, list[MonitoringStep]] = defaultdict(list)
    notices: dict[str, list[Notice]] = defaultdict(list)
    orphans: list[MonitoringStep | Notice] = []
    for step in book.all(MonitoringStep):
        if step.case in cases:
            steps[step.case].append(step)
        else:
            orphans.append(step)
    for notice in book.all(Notice):
        if notice.type not in NOTICE_TYPES:
            continue
        named = [c for c in notice_cases(notice) if c in cases]
        if not named:
            orphans.append(notice)
        for ident in named:
            notices[ident].append(notice)
    return MonitoringRegister(
        {
            ident: Case(case, tuple(steps.get(ident, ())), tuple(notices.get(ident, ())))
            for ident, case in sorted(cases.items())
        },
        tuple(orphans),
    )


def income_of(case: Case, register_income: Decimal | None) -> Decimal | None:
    """The per-capita income the elimination rests on: the step's, else the register's."""
    cleared = case.cleared
    if cleared is not None and cleared.income is not None:
        return cleared.income
    return register_income


@dataclass(frozen=True)
class CaseRow:
    """One line of the monitoring register (监测对象台账) on a day: pseudonymous, no cause
    beyond its code, no health or income detail."""

    id: str
    household: str
    village: str
    category: str  # code
    cause: str  # code
    discovered: datetime.date
    decided: datetime.date | None
    #: M01's measure: discovery to decision in the policy's window unit (None: undecided,
    #: or a working-day count the holiday calendar cannot answer, a POLICY error)
    decision_days: int | None
    decision_unit: str  # 天 | 个工作日
    notices: tuple[str, ...]
    cadres: tuple[str, ...]
    measures: int
    cleared: datetime.date | None
    monitored_days: int | None
    state: str  # code of STATE_NAMES
    exit_until: datetime.date | None  # the register's last day of 渐退期 after elimination

    @property
    def category_name(self) -> str:
        return CATEGORIES[self.category]

    @property
    def cause_name(self) -> str:
        return RISK_CAUSES[self.cause]

    @property
    def state_name(self) -> str:
        return STATE_NAMES[self.state]

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "household": self.household,
            "village": self.village,
            "category": self.category,
            "cause": self.cause,
            "discovered": self.discovered.isoformat(),
            "decided": self.decided.isoformat() if self.decided else None,
            "decision_days": self.decision_days,
            "decision_unit": self.decision_unit,
            "notices": list(self.notices),
            "cadres": list(self.cadres),
            "measures": self.measures,
            "cleared": self.cleared.isoformat() if self.cleared else None,
            "monitored_days": self.monitored_days,
            "state": self.state,
            "exit_until": self.exit_until.isoformat() if self.exit_until else None,
        }


def _decision(
    book: Book, found: datetime.date, decided: datetime.date | None
) -> tuple[int | None, str]:
    """Discovery to decision as M01 measures it: in the window the policy sets on the day of
    discovery (``monitoring-decision-days``), calendar or working days."""
    window = book.policy.at(found).monitoring_decision_days
    unit = "个工作日" if window.working else "天"
    if decided is None:
        return None, unit
    try:
        return window.elapsed(found, decided), unit
    except CalendarGap:
        return None, unit


def case_rows(
    book: Book, register: Register | None, day: datetime.date | None = None
) -> list[CaseRow]:
    """The monitoring register on ``day`` (default: the ledger's last date)."""
    from fupin.measures import measure_index

    day = day or book.last_date or datetime.date.today()
    measures = measure_index(book)
    households = register.households if register else {}
    rows = []
    for ident, case in monitoring_register(book).cases.items():
        found = case.case.found
        if found > day:
            continue
        decided = case.decided if case.decided and case.decided.date <= day else None
        cleared = case.cleared if case.cleared and case.cleared.date <= day else None
        household = households.get(case.case.household)
        exit_until = None
        if household is not None and cleared is not None:
            change = next(
                (
                    c
                    for c in household.history
                    if c.event == "risk_cleared" and c.date == cleared.date
                ),
                None,
            )
            exit_until = household.exit_window(change)[1] if change else None
        got = case.measures(measures, cleared.date if cleared else day) if decided else []
        rows.append(
            CaseRow(
                ident,
                case.case.household,
                household.village if household else "",
                case.case.category,
                case.case.cause,
                found,
                decided.date if decided else None,
                *_decision(book, found, decided.date if decided else None),
                tuple(n.id for n in case.notices if n.start <= day),
                tuple(
                    s.cadre for s in case.steps if s.step == "cadre" and s.cadre and s.date <= day
                ),
                len(got),
                cleared.date if cleared else None,
                case.monitored_days(day) if decided else None,
                case.state_on(day),
                exit_until,
            )
        )
    return rows
