"""``fupin households``: the register by village, status and poverty cause; benefits paid; 应享未享;
the monitoring register; the figures annual reports quote; the loan register.

Views of one ledger and its household register, all by pseudonymous household id (no name,
ID number or phone is ever printed):

1. per village: households and persons by status on a day (默认: the ledger's last day) and
   by main poverty cause (致贫原因, DOMAIN G.2), persons' share to 0.1%, half up (the seed's
   228 households / 479 persons table, [seed 000_33b9fa698911b5ee.txt]);
2. benefits paid in a year per household and kind (教育资助, 慢性病救助, 医保补贴, …);
3. benefits due that year by the formulas and not (fully) paid (the C09 computation);
4. (issue 15) the 防返贫监测 register: each case's dates, notices, cadres, measures, state;
5. (issue 15) statistics, county-wide: mean payout per household and per person by benefit,
   input per person served, households per cadre (money to the cent, ratios to 2 decimals,
   shares to 0.01%, all half up), causes and risk causes;
6. (issue 15) the 小额信贷 register: loans, subsidies by interest year, overdue, compensation.

Every number comes from the core (:mod:`fupin.aggregates`, :mod:`fupin.monitoring`,
:mod:`fupin.microcredit`, and :mod:`fupin.benefits`' formulas); this module formats.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from fupin.aggregates import (
    CadreCoverage,
    CauseRow,
    InputPerPerson,
    Mean,
    benefit_means,
    households_per_cadre,
    input_per_person,
    paid_in_year,
    payments_by_year,
    poor_causes,
    risk_breakdown,
)
from fupin.benefits import KIND_NAMES, Due
from fupin.households import CATEGORIES, CAUSES, STATUSES, Register
from fupin.microcredit import STATUS_NAMES as LOAN_STATUS_NAMES
from fupin.microcredit import LoanSummary, loan_rows
from fupin.money import ZERO, fmt_money, fmt_pct
from fupin.monitoring import CaseRow, case_rows
from fupin.textable import render

if TYPE_CHECKING:
    from fupin.book import Book

ALL = "合计"
STATUS_ORDER = ("registered", "lifted", "monitored", "gradual_exit", "general", "removed")
SHORT = {
    "preschool": "学前",
    "compulsory": "义务教育",
    "senior_secondary": "高中",
    "undergrad_new": "本科新生",
    "college_new": "专科新生",
    "chronic": "慢性病救助",
    "premium": "医保补贴",
    "other": "其他",
}


def pct1(part: int, whole: int) -> str:
    """``part / whole`` as a percentage with one decimal, half up (``33.2``)."""
    if not whole:
        return "0.0"
    value = Decimal(part) * 100 / Decimal(whole)
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass
class Tally:
    """Households and persons of one group."""

    households: int = 0
    persons: int = 0

    def add(self, persons: int) -> None:
        self.households += 1
        self.persons += persons


@dataclass
class VillageView:
    """One village's (or the total's) counts."""

    village: str
    township: str
    total: Tally = field(default_factory=Tally)
    status: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    category: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    cause: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))

    def as_dict(self) -> dict[str, Any]:
        persons = self.total.persons
        return {
            "village": self.village,
            "township": self.township,
            "households": self.total.households,
            "persons": persons,
            "status": {
                k: {"households": t.households, "persons": t.persons}
                for k, t in self.status.items()
            },
            "monitoring_category": {
                k: {"households": t.households, "persons": t.persons}
                for k, t in self.category.items()
            },
            "cause": {
                k: {
                    "name": CAUSES[k],
                    "households": t.households,
                    "persons": t.persons,
                    "persons_pct": pct1(t.persons, persons),
                }
                for k, t in self.cause.items()
            },
        }


def village_views(
    register: Register, as_of: datetime.date, village: str | None = None
) -> list[VillageView]:
    """Counts per village in register order, then the total (``合计``)."""
    views: dict[str, VillageView] = {}
    total = VillageView(ALL, "")
    for household in register.households.values():
        if village and household.village != village:
            continue
        view = views.setdefault(
            household.village, VillageView(household.village, household.township)
        )
        status = household.status_on(as_of)
        category = household.category_on(as_of)
        for target in (view, total):
            target.total.add(household.size)
            target.status[status].add(household.size)
            if category:
                target.category[category].add(household.size)
            target.cause[household.cause or "other"].add(household.size)
    if len(views) == 1:
        return list(views.values())
    return [*views.values(), total] if views else []


@dataclass(frozen=True)
class Summary:
    """Everything the command shows."""

    as_of: datetime.date
    year: int | None
    villages: list[VillageView]
    paid: dict[str, dict[str, Decimal]]  # household → kind → amount
    village_of: dict[str, str]
    unpaid: list[Due]
    monitoring: list[CaseRow] = field(default_factory=list)
    means: list[Mean] = field(default_factory=list)
    inputs: list[InputPerPerson] = field(default_factory=list)
    cadres: CadreCoverage | None = None
    causes: list[CauseRow] = field(default_factory=list)
    risks: list[CauseRow] = field(default_factory=list)
    loans: LoanSummary | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "year": self.year,
            "villages": [v.as_dict() for v in self.villages],
            "benefits_paid": [
                {
                    "household": hid,
                    "village": self.village_of.get(hid, ""),
                    "kinds": {k: str(v) for k, v in sorted(kinds.items())},
                    "total": str(sum(kinds.values(), ZERO)),
                }
                for hid, kinds in sorted(self.paid.items())
            ],
            "due_unpaid": [
                {
                    "household": d.household,
                    "village": d.village,
                    "member": d.member,
                    "kind": d.kind,
                    "year": d.year,
                    "due": str(d.due),
                    "paid": str(d.paid),
                    "missing": str(d.missing),
                }
                for d in self.unpaid
            ],
            "monitoring": [row.as_dict() for row in self.monitoring],
            "statistics": {
                "rounding": "money ROUND_HALF_UP to 0.01; ratios to 2 decimals, half up",
                "benefit_means": [m.as_dict() for m in self.means],
                "input_per_person": [i.as_dict() for i in self.inputs],
                "households_per_cadre": self.cadres.as_dict() if self.cadres else None,
                "causes": [c.as_dict() for c in self.causes],
                "risk_causes": [c.as_dict() for c in self.risks],
            },
            "loans": _loans_dict(self.loans) if self.loans else None,
        }


def _loans_dict(loans: LoanSummary) -> dict[str, Any]:
    return {
        "as_of": loans.day.isoformat(),
        "outstanding": str(loans.outstanding),
        "overdue": str(loans.overdue),
        "overdue_rate": str(loans.overdue_rate),
        "compensated": str(loans.compensated),
        "subsidy_by_year": {str(y): str(a) for y, a in loans.subsidy.items()},
        "loans": [
            {
                "id": r.id,
                "borrower": r.borrower,
                "kind": r.kind,
                "bank": r.bank,
                "amount": str(r.amount),
                "start": r.start.isoformat(),
                "ends": r.ends.isoformat(),
                "rate": str(r.rate),
                "status": r.status,
                "outstanding": str(r.outstanding),
                "overdue": str(r.overdue),
                "compensated": str(r.compensated),
                "subsidy_by_year": {str(y): str(a) for y, a in r.subsidy.items()},
            }
            for r in loans.rows
        ],
    }


def summarize(
    book: Book,
    register: Register,
    *,
    village: str | None = None,
    year: int | None = None,
    as_of: datetime.date | None = None,
) -> Summary:
    """Build the views for one village (or all) and one benefit year."""
    years = sorted(payments_by_year(book, register))  # each year a payment's part is in
    if year is None and years:
        year = years[-1]
    if as_of is None:
        last = book.last_date or datetime.date.today()
        as_of = min(last, datetime.date(year, 12, 31)) if year else last
    households = register.households
    wanted = {h for h, hh in households.items() if not village or hh.village == village}
    paid: dict[str, dict[str, Decimal]] = {}
    unpaid: list[Due] = []
    if year is not None:
        found = paid_in_year(book, register, year, wanted)
        paid, unpaid = found.paid, found.unpaid
    loans = loan_rows(book, as_of, wanted if village else None)
    return Summary(
        as_of,
        year,
        village_views(register, as_of, village),
        paid,
        {h: households[h].village for h in paid if h in households},
        unpaid,
        [r for r in case_rows(book, register, as_of) if r.household in wanted],
        benefit_means(book, register, year) if year is not None else [],
        [i for i in input_per_person(book, register) if i.year <= as_of.year],
        households_per_cadre(book, register, as_of),
        poor_causes(book, register, as_of),
        risk_breakdown(book, as_of),
        loans,
    )


def render_text(summary: Summary) -> str:
    """The three views as CJK-aligned text tables."""
    out: list[str] = []
    statuses = [s for s in STATUS_ORDER if any(v.status.get(s) for v in summary.villages)]
    rows = []
    for view in summary.villages:
        cells = [view.village, str(view.total.households), str(view.total.persons)]
        for status in statuses:
            tally = view.status.get(status, Tally())
            cells.append(f"{tally.households}/{tally.persons}")
        cells.append(
            " ".join(
                f"{CATEGORIES[c]}{t.households}" for c, t in sorted(view.category.items()) if t
            )
            or "-"
        )
        rows.append(cells)
    out.append(f"农户状态 (截至 {summary.as_of}; 户/人)")
    out.append(
        render(
            ["村", "户数", "人数", *(STATUSES[s] for s in statuses), "监测类别(户)"],
            rows,
            right=tuple(range(1, 3 + len(statuses))),
        )
    )

    out.append("\n致贫原因 (户/人, 占人数%)")
    rows = []
    for view in summary.villages:
        for cause in CAUSES:
            counted = view.cause.get(cause)
            if not counted:
                continue
            rows.append(
                [
                    view.village,
                    CAUSES[cause],
                    str(counted.households),
                    str(counted.persons),
                    f"{pct1(counted.persons, view.total.persons)}%",
                ]
            )
    out.append(render(["村", "致贫原因", "户数", "人数", "占比"], rows, right=(2, 3, 4)))

    if summary.year is not None:
        kinds = sorted({k for kinds in summary.paid.values() for k in kinds}, key=_kind_order)
        rows = []
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for hid, paid in sorted(summary.paid.items()):
            cells = [hid, summary.village_of.get(hid, "")]
            for kind in kinds:
                amount = paid.get(kind)
                cells.append(fmt_money(amount) if amount else "")
                totals[kind] += amount or ZERO
            cells.append(fmt_money(sum(paid.values(), ZERO)))
            rows.append(cells)
        rows.append(
            [ALL, "", *(fmt_money(totals[k]) for k in kinds), fmt_money(sum(totals.values(), ZERO))]
        )
        out.append(f"\n{summary.year}年到户补助发放 (元, 按户)")
        out.append(
            render(
                ["农户", "村", *(SHORT.get(k, k) for k in kinds), "合计"],
                rows,
                right=tuple(range(2, 3 + len(kinds))),
            )
        )
        out.append(f"\n{summary.year}年应享未享 (按公式应发而未足额发放)")
        if summary.unpaid:
            rows = [
                [
                    d.household,
                    d.village,
                    str(d.member) if d.member is not None else "",
                    KIND_NAMES[d.kind],
                    fmt_money(d.due),
                    fmt_money(d.paid),
                    fmt_money(d.missing),
                ]
                for d in summary.unpaid
            ]
            out.append(
                render(
                    ["农户", "村", "成员", "项目", "应发", "已发", "未发"], rows, right=(4, 5, 6)
                )
            )
        else:
            out.append("无")
    out += _monitoring_text(summary)
    out += _statistics_text(summary)
    out += _loans_text(summary)
    return "\n".join(out)


def _days(days: int | None, unit: str) -> str:
    return f"{days} {unit}" if days is not None else f"? {unit}"


def _monitoring_text(summary: Summary) -> list[str]:
    rows = [
        [
            r.id,
            r.household,
            r.village,
            r.category_name,
            r.cause_name,
            str(r.discovered),
            f"{r.decided} ({_days(r.decision_days, r.decision_unit)})" if r.decided else "未审定",
            " ".join(r.notices) or "-",
            " ".join(r.cadres) or "-",
            str(r.measures),
            r.state_name,
            str(r.cleared or "-"),
            str(r.monitored_days if r.monitored_days is not None else "-"),
            str(r.exit_until or "-"),
        ]
        for r in summary.monitoring
    ]
    head = ["编号", "农户", "村", "类别", "风险类型", "发现", "县级审定", "公示", "帮扶责任人"]
    head += ["措施", "状态", "风险消除", "监测天数", "渐退期至"]
    return [
        f"\n防返贫监测对象台账 (截至 {summary.as_of}; 化名编号)",
        render(head, rows, right=(9, 12)) if rows else "无",
    ]


def _statistics_text(summary: Summary) -> list[str]:
    out = [
        f"\n统计指标 (全县; 金额四舍五入到分, 比值保留两位小数, 占比到 0.01%; 截至 {summary.as_of})"
    ]
    rows = [
        [
            m.name,
            str(m.year),
            fmt_money(m.total),
            str(m.households),
            str(m.persons),
            fmt_money(m.per_household),
            fmt_money(m.per_person),
        ]
        for m in summary.means
    ]
    if rows:
        out.append(
            render(
                ["到户补助", "年度", "金额", "户数", "人数", "户均", "人均"],
                rows,
                right=(2, 3, 4, 5, 6),
            )
        )
    rows = [
        [
            str(i.year),
            fmt_money(i.received),
            str(i.persons),
            fmt_money(i.per_person),
            fmt_money(i.cumulative),
            fmt_money(i.cumulative_per_person),
        ]
        for i in summary.inputs
        if i.persons
    ]
    if rows:
        out.append(
            render(
                ["预算年度", "财政扶贫资金", "服务人口", "人均投入", "累计", "累计人均"],
                rows,
                right=(1, 2, 3, 4, 5),
            )
        )
    if summary.cadres is not None and summary.cadres.cadres:
        c = summary.cadres
        out.append(
            f"户均帮扶干部: {c.paired} 户 / {c.cadres} 名干部 = 每名干部联系 {c.per_cadre} 户"
            f" ({c.households - c.paired} 户未落实帮扶责任人)"
        )
    rows = [[c.name, str(c.households), str(c.persons), fmt_pct(c.share)] for c in summary.causes]
    if rows:
        out.append(render(["致贫原因", "户数", "人数", "人数占比"], rows, right=(1, 2, 3)))
    rows = [[c.name, str(c.households), fmt_pct(c.share)] for c in summary.risks]
    if rows:
        out.append(render(["监测风险类型", "户数", "占比"], rows, right=(1, 2)))
    return out


def _loans_text(summary: Summary) -> list[str]:
    loans = summary.loans
    if loans is None or not loans.rows:
        return []
    years = sorted({y for r in loans.rows for y in r.subsidy})
    rows = [
        [
            r.id,
            r.borrower,
            r.kind,
            r.bank,
            fmt_money(r.amount),
            f"{r.start} 至 {r.ends}",
            fmt_pct(r.rate),
            LOAN_STATUS_NAMES[r.status],
            fmt_money(r.overdue),
            fmt_money(r.compensated),
            *(fmt_money(r.subsidy.get(y, ZERO)) for y in years),
        ]
        for r in loans.rows
    ]
    head = ["贷款", "借款户", "类型", "银行", "金额", "期限", "年利率", "状态", "逾期", "代偿"]
    return [
        f"\n小额信贷台账 (截至 {loans.day})",
        render(
            [*head, *(f"{y}年贴息" for y in years)],
            rows,
            right=(4, 8, 9, *range(10, 10 + len(years))),
        ),
        f"在贷余额 {fmt_money(loans.outstanding)}; 逾期 {fmt_money(loans.overdue)} "
        f"(逾期率 {fmt_pct(loans.overdue_rate)}); 风险补偿金代偿 {fmt_money(loans.compensated)} CNY",
    ]


def _kind_order(kind: str) -> int:
    order = list(KIND_NAMES)
    return order.index(kind) if kind in order else len(order)
