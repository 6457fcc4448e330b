"""``fupin households``: the register by village, status and poverty cause; benefits paid; 应享未享.

Three views of one ledger and its household register, all by pseudonymous household id
(no name, ID number or phone is ever printed):

1. per village: households and persons by status on a day (默认: the ledger's last day) and
   by main poverty cause (致贫原因, DOMAIN G.2), persons' share to 0.1%, half up (the seed's
   228 households / 479 persons table, [seed 000_33b9fa698911b5ee.txt]);
2. benefits paid in a year per household and kind (教育资助, 慢性病救助, 医保补贴, …);
3. benefits due that year by the formulas and not (fully) paid (the C09 computation).

The numbers come from :mod:`fupin.plugins.benefits` (the same functions the rules use).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from fupin.plugins.benefits import KIND_NAMES, Due, chronic_aid, due_unpaid, payments

from fupin.households import CATEGORIES, CAUSES, STATUSES, Register
from fupin.money import ZERO, fmt_money
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
        }


def summarize(
    book: Book,
    register: Register,
    *,
    village: str | None = None,
    year: int | None = None,
    as_of: datetime.date | None = None,
) -> Summary:
    """Build the three views for one village (or all) and one benefit year."""
    paid_all = payments(book)
    years = sorted({p.year for p in paid_all})
    if year is None and years:
        year = years[-1]
    if as_of is None:
        last = book.last_date or datetime.date.today()
        as_of = min(last, datetime.date(year, 12, 31)) if year else last
    households = register.households
    wanted = {h for h, hh in households.items() if not village or hh.village == village}
    paid: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    chronic: dict[tuple[str, int], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for payment in paid_all:
        if payment.household not in wanted or payment.year != year:
            continue
        paid[payment.household][payment.kind] += payment.amount
        if payment.kind == "chronic" and payment.member is not None:
            state = chronic[(payment.household, payment.member)]
            state[0] += payment.self_paid or ZERO
            state[1] += payment.amount
    unpaid: list[Due] = []
    if year is not None:
        unpaid = [d for d in due_unpaid(book, register, paid_all, year) if d.household in wanted]
        policy = book.policy.at(datetime.date(year, 12, 31))
        for (hid, seq), (spent, got) in sorted(chronic.items()):
            due = chronic_aid(policy, spent)
            if got < due:
                unpaid.append(Due(hid, households[hid].village, seq, "chronic", year, due, got))
    return Summary(
        as_of,
        year,
        village_views(register, as_of, village),
        {h: dict(k) for h, k in paid.items()},
        {h: households[h].village for h in paid if h in households},
        unpaid,
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
    return "\n".join(out)


def _kind_order(kind: str) -> int:
    order = list(KIND_NAMES)
    return order.index(kind) if kind in order else len(order)
