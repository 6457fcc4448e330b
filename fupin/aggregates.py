"""The figures county annual reports quote, computed from the books and the register.

Never typed in (DOMAIN K row 20: "KPIs are computed from entries, never typed in, so they
cannot drift"). Rounding, stated once: money per household or person is the exact quotient
rounded to the cent, ROUND_HALF_UP (安阳 3,139,600.00 / 497 户 = 6,317.10); a ratio of
counts to 2 decimals, half up (沂源 20,694 户 / 9,867 名干部 = 2.10); a share as a percentage
to 2 decimals, half up (fupin.money.fmt_pct).

* :func:`benefit_means`: per benefit account (and in all) for a year: Σ paid, households
  and persons reached, mean per household and per person;
* :func:`input_per_person`: a budget year's fiscal poverty funds received (funds of
  ``fiscal-families``) over the population the funds serve (register statuses
  ``poor-population-statuses`` on the year's last day covered): 靖边 78,700,000 / 18,900 =
  4,164.02;
* :func:`households_per_cadre`: households of those statuses with a 帮扶责任人 over the
  distinct cadres;
* :func:`cause_breakdown`: households and persons by main poverty cause (G.2), persons'
  share; :func:`risk_breakdown`: monitoring cases by risk cause.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from fupin.households import CAUSES, Register
from fupin.money import ZERO, q2, ratio

if TYPE_CHECKING:
    from fupin.benefits import Payment
    from fupin.book import Book

#: a benefit payment and its part of one benefit year
YearPart = tuple["Payment", Decimal]

TWO = Decimal("0.01")
ALL = "合计"


def per(total: Decimal, count: int) -> Decimal:
    """``total / count`` to the cent, half up (0 when nothing is counted)."""
    return q2(ratio(total, Decimal(count))) if count else ZERO


def two_decimals(value: Decimal) -> Decimal:
    """A ratio of counts to 2 decimals, half up."""
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def payments_by_year(book: Book, register: Register | None) -> dict[int, list[YearPart]]:
    """The book's benefit payments by benefit year, each with its part of that year, once
    per book and register: a payment for several years is under each of its years with
    the part :func:`fupin.benefits.year_parts` gives it (as C01, C04, C09 count it)."""
    from fupin.benefits import benefit_payments, year_parts

    held: dict[int, tuple[Register | None, dict[int, list[YearPart]]]]
    held = book.shared("benefit-payments-by-year", dict)
    cached = held.get(id(register))
    if cached is not None and cached[0] is register:
        return cached[1]
    out: dict[int, list[YearPart]] = defaultdict(list)
    for payment in benefit_payments(book):
        for year, part in year_parts(book, register, payment):
            out[year].append((payment, part))
    held[id(register)] = (register, dict(out))  # the register held: its id stays its own
    return held[id(register)][1]


@dataclass(frozen=True)
class Mean:
    """Σ paid of one benefit account (or all) in a year, and whom it reached."""

    account: str  # the account, or ALL
    name: str  # its Chinese name
    year: int
    total: Decimal
    households: int
    persons: int

    @property
    def per_household(self) -> Decimal:
        return per(self.total, self.households)

    @property
    def per_person(self) -> Decimal:
        return per(self.total, self.persons)

    def as_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "name": self.name,
            "year": self.year,
            "total": str(self.total),
            "households": self.households,
            "persons": self.persons,
            "per_household": str(self.per_household),
            "per_person": str(self.per_person),
        }


def benefit_means(book: Book, register: Register | None, year: int) -> list[Mean]:
    """Per benefit account paid to households for ``year`` (each payment's part of that
    benefit year, :func:`payments_by_year`), then all accounts together; a household is
    reached by a part > 0, and persons are the register sizes of the households reached."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    reached: dict[str, set[str]] = defaultdict(set)
    for payment, part in payments_by_year(book, register).get(year, ()):
        if payment.household is None:
            continue
        for key in (payment.spend.account, ALL):
            totals[key] += part
            if part > 0:
                reached[key].add(payment.household)
    households = register.households if register else {}
    out = []
    for key in sorted(totals, key=lambda k: (k == ALL, k)):
        ids = reached[key]
        persons = sum(households[h].size for h in ids if h in households)
        name = "到户补助合计" if key == ALL else book.account_name(key)
        out.append(Mean(key, name, year, totals[key], len(ids), persons))
    return out


@dataclass(frozen=True)
class InputPerPerson:
    """A budget year's fiscal poverty funds over the population they serve."""

    year: int
    day: datetime.date
    received: Decimal
    funds: tuple[str, ...]
    persons: int
    households: int
    cumulative: Decimal  # funds received of budget years up to this one

    @property
    def per_person(self) -> Decimal:
        return per(self.received, self.persons)

    @property
    def cumulative_per_person(self) -> Decimal:
        return per(self.cumulative, self.persons)

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "as_of": self.day.isoformat(),
            "received": str(self.received),
            "funds": list(self.funds),
            "persons": self.persons,
            "households": self.households,
            "per_person": str(self.per_person),
            "cumulative": str(self.cumulative),
            "cumulative_per_person": str(self.cumulative_per_person),
        }


def _year_end(book: Book, year: int) -> datetime.date:
    last = book.last_date or datetime.date(year, 12, 31)
    return min(last, datetime.date(year, 12, 31))


def input_per_person(book: Book, register: Register | None) -> list[InputPerPerson]:
    """Per budget year with fiscal funds received (funds of ``fiscal-families``)."""
    received: dict[int, Decimal] = defaultdict(lambda: ZERO)
    funds: dict[int, list[str]] = defaultdict(list)
    facts = book.facts
    for ident, fund in sorted(book.funds.items()):
        policy = book.policy.at(datetime.date(fund.budget_year, 12, 31))
        got = facts.funds.get(ident)
        amount = got.received() if got is not None else ZERO
        if fund.family not in policy.fiscal_families or not amount:
            continue
        received[fund.budget_year] += amount
        funds[fund.budget_year].append(ident)
    out = []
    running = ZERO
    for year in sorted(received):
        running += received[year]
        day = _year_end(book, year)
        statuses = book.policy.at(day).poor_population_statuses
        served = [
            h
            for h in (register.households.values() if register else ())
            if h.status_on(day) in statuses
        ]
        out.append(
            InputPerPerson(
                year,
                day,
                received[year],
                tuple(funds[year]),
                sum(h.size for h in served),
                len(served),
                running,
            )
        )
    return out


@dataclass(frozen=True)
class CadreCoverage:
    """Households with a 帮扶责任人 and the cadres they are paired with, on a day."""

    day: datetime.date
    households: int  # of the served statuses
    paired: int  # of those, with a cadre
    cadres: int  # distinct cadres

    @property
    def per_cadre(self) -> Decimal:
        return (
            two_decimals(ratio(Decimal(self.paired), Decimal(self.cadres))) if self.cadres else ZERO
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.day.isoformat(),
            "households": self.households,
            "paired": self.paired,
            "cadres": self.cadres,
            # no cadre recorded: no ratio (never a "0" beside the households)
            "households_per_cadre": str(self.per_cadre) if self.cadres else None,
        }


def households_per_cadre(
    book: Book, register: Register, day: datetime.date | None = None
) -> CadreCoverage:
    """Paired households over distinct cadres (register ``cadre``) on ``day``."""
    day = day or book.last_date or datetime.date.today()
    statuses = book.policy.at(day).poor_population_statuses
    served = [h for h in register.households.values() if h.status_on(day) in statuses]
    paired = [h for h in served if h.cadre]
    return CadreCoverage(day, len(served), len(paired), len({h.cadre for h in paired}))


@dataclass(frozen=True)
class CauseRow:
    """One cause: households and persons, and the persons' share (exact)."""

    cause: str
    name: str
    households: int
    persons: int
    share: Decimal  # of persons (monitoring: of cases)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cause": self.cause,
            "name": self.name,
            "households": self.households,
            "persons": self.persons,
            "share": str(self.share),
        }


def poor_causes(book: Book, register: Register, day: datetime.date) -> list[CauseRow]:
    """S04's breakdown: the poor population of ``day`` (policy ``poor-population-statuses``
    in force that day) by main cause; what the compliance row, the CLI and Fava show."""
    return cause_breakdown(register, day, book.policy.at(day).poor_population_statuses)


def cause_breakdown(
    register: Register, day: datetime.date, statuses: Sequence[str] | None = None
) -> list[CauseRow]:
    """Households and persons by main poverty cause (G.2) among the given statuses (all
    households when None), in the code list's order; share of persons, exact."""
    households: dict[str, int] = defaultdict(int)
    persons: dict[str, int] = defaultdict(int)
    for household in register.households.values():
        if statuses is not None and household.status_on(day) not in statuses:
            continue
        cause = household.cause or "other"
        households[cause] += 1
        persons[cause] += household.size
    whole = sum(persons.values())
    return [
        CauseRow(
            c, CAUSES[c], households[c], persons[c], ratio(Decimal(persons[c]), Decimal(whole))
        )
        for c in CAUSES
        if households.get(c)
    ]


def risk_breakdown(book: Book, day: datetime.date) -> list[CauseRow]:
    """Monitoring cases identified by ``day`` by main risk cause; share of cases, exact."""
    from fupin.monitoring import RISK_CAUSES, monitoring_register

    counts = monitoring_register(book).causes(day)
    whole = sum(counts.values())
    return [
        CauseRow(c, RISK_CAUSES[c], n, 0, ratio(Decimal(n), Decimal(whole)))
        for c, n in sorted(counts.items(), key=lambda kv: list(RISK_CAUSES).index(kv[0]))
    ]


@dataclass(frozen=True)
class PaidInYear:
    """Benefits paid per household and kind in a benefit year, and what was due and not paid."""

    year: int
    paid: dict[str, dict[str, Decimal]]  # household → kind → amount
    unpaid: list[Any]  # fupin.benefits.Due


def paid_in_year(
    book: Book, register: Register, year: int, households: set[str] | None = None
) -> PaidInYear:
    """Benefits paid for ``year`` per household and kind (each payment's part of that year,
    :func:`payments_by_year`; the households given, else all), and the benefits due by the
    formulas and not fully paid (C09's computation, chronic claims in their claim year
    included)."""
    from fupin.benefits import Due, benefit_payments, chronic_aid, chronic_totals, due_unpaid

    every = benefit_payments(book)
    wanted = households if households is not None else set(register.households)
    paid: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for payment, part in payments_by_year(book, register).get(year, ()):
        if part and payment.household in wanted:  # a year the split left nothing: no line
            paid[payment.household][payment.kind] += part
    unpaid = [d for d in due_unpaid(book, register, every, year) if d.household in wanted]
    policy = book.policy.at(datetime.date(year, 12, 31))
    for (hid, seq, claim_year), (spent, got) in sorted(chronic_totals(book, every).items()):
        if claim_year != year or hid not in wanted:
            continue
        due = chronic_aid(policy, spent)
        if got < due:
            unpaid.append(
                Due(hid, register.households[hid].village, seq, "chronic", year, due, got)
            )
    return PaidInYear(year, {h: dict(k) for h, k in paid.items()}, unpaid)
