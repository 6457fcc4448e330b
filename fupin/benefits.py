"""Household benefits (到户补助): what a payment is, the formulas, what was due and not paid.

The domain half of C01–C09 (``plugins/benefits.py`` holds the rules): every benefit posting
read once (:func:`benefit_payments`, shared by the rules, ``fupin households``, the report
aggregates, the Fava 农户 page and the notices), the education rates, the chronic-disease
aid and insurance formulas, and the benefits due by the formulas and not (fully) paid
(:func:`due_unpaid`, C09 and the household report).
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from fupin.findings import BenefitError, Finding
from fupin.households import (
    STAGE_NAMES,
    Household,
    Register,
    RegisterError,
    RegisterRef,
    cached_register,
    kind_statuses,
    register_path,
)
from fupin.money import ZERO, q2
from fupin.periods import Period, PeriodError, parse_period

if TYPE_CHECKING:
    from beancount.core.data import Meta

    from fupin.book import Book, Spend
    from fupin.policy import Policy

EDU_ACCOUNTS = {
    "Preschool": "preschool",
    "Compulsory": "compulsory",
    "SeniorSecondary": "senior_secondary",
    "UndergradNew": "undergrad_new",
    "CollegeNew": "college_new",
}
STAGE_ACCOUNTS = {stage: component for component, stage in EDU_ACCOUNTS.items()}
ANNUAL_STAGES = ("preschool", "compulsory", "senior_secondary")
ONE_OFF_STAGES = ("undergrad_new", "college_new")
KIND_NAMES = {
    **{stage: f"教育资助-{name}" for stage, name in STAGE_NAMES.items()},
    "chronic": "慢性病救助",
    "premium": "医保个人缴费补贴",
    "insurance": "精准防贫保险",
    "other": "其他到户补助",
}
PER_MEMBER = (*ANNUAL_STAGES, *ONE_OFF_STAGES, "chronic")


@functools.lru_cache(maxsize=4096)
def benefit_kind(account: str) -> str | None:
    """What a payment to ``account`` is (a stage, chronic, premium, insurance, other)."""
    parts = account.split(":")
    if parts[:2] == ["Expenses", "Insurance"] and parts[2:3] == ["AntiPoverty"]:
        return "insurance"
    if parts[:2] != ["Expenses", "Benefit"]:
        return None
    if parts[2:3] == ["Education"] and len(parts) > 3:
        return EDU_ACCOUNTS.get(parts[3], "other")
    if parts[2:4] == ["Medical", "ChronicDisease"]:
        return "chronic"
    if parts[2:4] == ["Medical", "PremiumSubsidy"]:
        return "premium"
    return "other"


def stage_rate(policy: Policy, stage: str) -> Decimal:
    """The education aid (annual) or grant (one-off) for a stage."""
    return {
        "preschool": policy.edu_aid_preschool,
        "compulsory": policy.edu_aid_compulsory,
        "senior_secondary": policy.edu_aid_senior_secondary,
        "undergrad_new": policy.edu_grant_undergrad_new,
        "college_new": policy.edu_grant_college_new,
    }[stage]


def chronic_aid(policy: Policy, self_paid: Decimal) -> Decimal:
    """C03: ``min(max(0, E − deductible) × rate, cap)``, to the cent half up."""
    over = max(ZERO, self_paid - policy.chronic_aid_deductible)
    return q2(min(over * policy.chronic_aid_rate, policy.chronic_aid_cap))


def insured_people(policy: Policy, rural_population: Decimal) -> Decimal:
    """C05: ``round(rural population × share)``, half up to a whole person."""
    return (rural_population * policy.anti_poverty_insurance_share).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )


def meta_of(spend: Spend, key: str) -> Any:
    """A posting's metadata value, else its transaction's."""
    own = spend.posting_meta or {}
    value = own.get(key)
    return value if value is not None else spend.entry.meta.get(key)


def number_of(value: Any) -> Decimal | None:
    """A metadata value as a Decimal (an Amount's number, "1,234.5"), None if unreadable."""
    if value is None or type(value) is Decimal:
        return value
    value = getattr(value, "number", value)
    if isinstance(value, Decimal | int):
        return Decimal(value)
    try:
        return Decimal(str(value).replace(",", "")) if value is not None else None
    except ArithmeticError:
        return None


def _int(value: Any) -> int | None:
    number = number_of(value)
    return int(number) if number is not None and number == number.to_integral() else None


_LOCATION = frozenset(("filename", "lineno"))


@functools.lru_cache(maxsize=4096)
def _period_of(text: str) -> Period | None:
    """A ``period`` value read once per text; None when it does not read (LEDGER says why)."""
    try:
        return parse_period(text)
    except PeriodError:
        return None


class Payment(NamedTuple):
    """One benefit posting, read once: what, for whom, on what basis, for which period."""

    spend: Spend
    kind: str
    household: str | None
    member: int | None
    basis: str | None
    year: int  # the benefit year: ``year``, else the year the period names, else the date's
    self_paid: Decimal | None
    source: Meta
    raw_member: Any = None  # the ``member`` value as written (for a message when unreadable)
    #: the period paid for (``period:``, fupin.periods); None: judged on the payment date
    period: Period | None = None
    stated_year: int | None = None  # ``year`` as written (checked against the period)

    @property
    def date(self) -> datetime.date:
        return self.spend.date

    @property
    def amount(self) -> Decimal:
        return self.spend.amount

    @property
    def years(self) -> tuple[int, ...]:
        """The benefit years the payment is for: its period's (a 补发 of two school years
        names two), else its own year."""
        period = self.period
        if period is None or self.stated_year is not None or period.first_year == period.last_year:
            return (self.year,)
        return tuple(period.years)

    def parts(self, rate_of: Callable[[int], Decimal]) -> list[tuple[int, Decimal]]:
        """The amount by benefit year: one year takes it all; a period of several years is
        filled year by year up to each year's formula amount (``rate_of``), the last year
        taking the rest (so an over-payment shows in the last year)."""
        years = self.years
        if len(years) == 1:
            return [(years[0], self.amount)]
        sign = -1 if self.amount < 0 else 1
        rest = abs(self.amount)
        out = []
        for year in years[:-1]:
            part = min(rest, max(ZERO, rate_of(year)))
            out.append((year, sign * part))
            rest -= part
        out.append((years[-1], sign * rest))
        return out

    def policy_day(self, year: int) -> datetime.date:
        """The day whose policy gives the formula amount for ``year``: the payment's date,
        or for a period paid later (补发) the period's last day in that year."""
        if self.period is None:
            return self.date
        return min(self.date, self.period.end, dec31(year))

    @property
    def claim_year(self) -> int:
        """The calendar year a claim counts in (C03): its period's, else its payment date's."""
        return self.period.first_year if self.period is not None else self.date.year


def payments(book: Book) -> list[Payment]:
    """Every benefit posting of the book, in date order."""
    out = []
    kinds: dict[str, str | None] = {}  # account → benefit kind, once per account
    new = tuple.__new__  # one record per payment: no Python-level ``__new__`` call
    for spend in book.spends:
        account = spend.account
        kind = kinds.get(account, "")
        if kind == "":
            kind = kinds[account] = (
                benefit_kind(account)
                if account.startswith(("Expenses:Benefit:", "Expenses:Insurance:"))
                else None
            )
        if kind is None:
            continue
        own = spend.posting_meta or {}
        txn = spend.entry.meta
        if own.keys() == _LOCATION:  # the posting carries its location only (most rolls)
            source = own if own["lineno"] else txn
            basis = txn.get("basis")
            member = txn.get("member")
            year = txn.get("year")
            self_paid = txn.get("self_paid")
            written = txn.get("period")
        else:
            source = own if own.get("lineno") else txn
            basis = own.get("basis") or txn.get("basis")
            member = own.get("member", txn.get("member"))
            year = own.get("year", txn.get("year"))
            self_paid = own.get("self_paid", txn.get("self_paid"))
            written = own.get("period", txn.get("period"))
        household = spend.household
        period = (
            _period_of(str(getattr(written, "number", written)))
            if written is not None and not isinstance(written, bool)
            else None
        )
        stated = _int(year) if year is not None else None
        out.append(
            new(
                Payment,
                (
                    spend,
                    kind,
                    (household if type(household) is str else str(household))
                    if household
                    else None,
                    _int(member) if member is not None else None,
                    (basis if type(basis) is str else str(basis)) if basis else None,
                    stated or (period.first_year if period is not None else spend.date.year),
                    number_of(self_paid) if self_paid is not None else None,
                    source,
                    member,
                    period,
                    stated,
                ),
            )
        )
    return out


@dataclass(frozen=True)
class Due:
    """A benefit due to a household (and member) for a year and not (fully) paid: C09."""

    household: str
    village: str
    member: int | None
    kind: str
    year: int
    due: Decimal
    paid: Decimal

    @property
    def missing(self) -> Decimal:
        return self.due - self.paid


def benefit_payments(book: Book) -> list[Payment]:
    """Every benefit posting of the book (:func:`payments`), read once per book."""
    return book.shared("benefit-payments", lambda: payments(book))


def register_of(book: Book) -> tuple[Register | None, RegisterRef | None, Finding | None]:
    """The book's register, the entry naming it, and a C08 finding when it cannot be loaded."""
    refs = book.all(RegisterRef)
    if not refs:
        return None, None, None
    ref = refs[-1]
    path = register_path(None, book)
    try:
        return cached_register(path) if path else None, ref, None
    except RegisterError as exc:
        entry = book.entry_of(ref)
        text = str(exc).replace("\n", "; ")
        return (
            None,
            ref,
            BenefitError(
                entry.meta,
                f"C08 error: 农户信息库无法读取或校验失败 — {ref.describe()}; {text}",
                entry,
                rule="C08",
                entity=ref.path,
            ),
        )


def dec31(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def eligible_in(household: Household, year: int, statuses: tuple[str, ...]) -> bool:
    """Eligible on any day of ``year`` (checked on each day its status can change)."""
    days = {datetime.date(year, 1, 1)}
    for change in household.history:
        if change.date.year == year:
            days.add(change.date)
        if change.event == "risk_cleared":
            end = household.exit_window(change)[1] + datetime.timedelta(days=1)
            if end.year == year:
                days.add(end)
    return any(household.status_on(day) in statuses for day in days)


def eligible_memo(
    seen: dict[tuple[str, ...], bool], household: Household, year: int, statuses: tuple[str, ...]
) -> bool:
    """:func:`_eligible_in`, asked once per household and set of statuses."""
    if statuses not in seen:
        seen[statuses] = eligible_in(household, year, statuses)
    return seen[statuses]


def formula_amount(
    book: Book, register: Register | None, payment: Payment
) -> Callable[[int], Decimal]:
    """The formula amount of a year for what ``payment`` pays (C01: the stage's annual aid;
    C04: the premium × the household's insured members, or one premium for a member), by
    the policy of its period (:meth:`Payment.policy_day`): how a 补发 of several years is
    split by year (:meth:`Payment.parts`)."""
    household = register.households.get(payment.household or "") if register else None

    def rate(year: int) -> Decimal:
        policy = book.policy.at(payment.policy_day(year))
        if payment.kind in ANNUAL_STAGES or payment.kind in ONE_OFF_STAGES:
            return stage_rate(policy, payment.kind)
        if payment.kind == "premium":
            insured = (
                1
                if payment.member is not None or household is None
                else household.insured_members()
            )
            return policy.medical_premium * insured
        return ZERO

    return rate


#: the kinds whose payments for several years are split by the year's formula amount
SPLIT_KINDS = frozenset((*ANNUAL_STAGES, "premium"))


def year_parts(
    book: Book, register: Register | None, payment: Payment
) -> list[tuple[int, Decimal]]:
    """The payment's amount by benefit year, as C01, C04, C09 and the notices count it: an
    annual aid or a premium subsidy for several years split by :meth:`Payment.parts` with
    the formula amounts (:func:`formula_amount`); a chronic claim in its claim year (C03);
    any other payment whole in its benefit year."""
    if payment.kind in SPLIT_KINDS:
        return payment.parts(formula_amount(book, register, payment))
    if payment.kind == "chronic":
        return [(payment.claim_year, payment.amount)]
    return [(payment.year, payment.amount)]


#: the payment kinds :func:`due_unpaid` counts
DUE_KINDS = frozenset((*ANNUAL_STAGES, *ONE_OFF_STAGES, "premium"))


def due_unpaid(book: Book, register: Register, paid: Sequence[Payment], year: int) -> list[Due]:
    """Benefits due for ``year`` by the formulas and not (fully) paid (C09, the report)."""
    policy = book.policy.at(dec31(year))
    by_member: dict[tuple[str, int, str], Decimal] = defaultdict(Decimal)
    grant_ever: set[tuple[str, int]] = set()
    premium: dict[str, Decimal] = defaultdict(Decimal)
    for payment in paid:
        if payment.household is None:
            continue
        if payment.kind in ONE_OFF_STAGES and payment.member is not None:
            grant_ever.add((payment.household, payment.member))
        if year not in payment.years:
            continue
        if payment.kind in ANNUAL_STAGES and payment.member is not None:
            for part_year, part in year_parts(book, register, payment):
                if part_year == year:
                    by_member[(payment.household, payment.member, payment.kind)] += part
        elif payment.kind == "premium":
            for part_year, part in year_parts(book, register, payment):
                if part_year == year:
                    premium[payment.household] += part
    out: list[Due] = []
    premium_statuses = kind_statuses(policy, "Medical:PremiumSubsidy")
    for household in register.households.values():
        seen: dict[tuple[str, ...], bool] = {}  # statuses → eligible this year (C.6: per kind)
        for member in household.members:
            stage = member.stage_in(year)
            edu = kind_statuses(policy, f"Education:{STAGE_ACCOUNTS[stage]}") if stage else ()
            if stage is not None and not eligible_memo(seen, household, year, edu):
                continue
            if stage in ANNUAL_STAGES:
                rate = stage_rate(policy, stage)
                got = by_member[(household.id, member.seq, stage)]
                if got < rate:
                    out.append(
                        Due(household.id, household.village, member.seq, stage, year, rate, got)
                    )
            elif stage in ONE_OFF_STAGES and (household.id, member.seq) not in grant_ever:
                rate = stage_rate(policy, stage)
                out.append(
                    Due(household.id, household.village, member.seq, stage, year, rate, ZERO)
                )
        insured = household.insured_members()
        if insured and eligible_memo(seen, household, year, premium_statuses):
            cap = policy.medical_premium * insured
            if premium[household.id] < cap:
                out.append(
                    Due(
                        household.id,
                        household.village,
                        None,
                        "premium",
                        year,
                        cap,
                        premium[household.id],
                    )
                )
    return out


def chronic_totals(
    book: Book, paid: Sequence[Payment]
) -> dict[tuple[str, int, int], list[Decimal]]:
    """Per person and year: [cumulative self-paid costs, aid paid] of chronic-disease claims."""
    del book
    sums: dict[tuple[str, int, int], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for payment in paid:
        if payment.kind != "chronic" or payment.household is None or payment.member is None:
            continue
        state = sums[(payment.household, payment.member, payment.claim_year)]
        state[0] += payment.self_paid or ZERO
        state[1] += payment.amount
    return sums


class Item(NamedTuple):
    """One line of a household benefit list: one benefit of one member (or the household)."""

    household: str
    member: int | None
    kind: str
    label: str  # the public label (policy ``notice-benefit-labels``)
    amount: Decimal
    #: the period paid for when it names several years (the line is this year's part of it)
    period: str = ""


def public_label(policy: Policy, kind: str, account: str = "") -> str:
    """What a benefit is called on a public list: its kind's label (教育资助 by stage,
    医疗救助, 医保缴费补贴 …); for any other benefit the label of the longest account path
    below ``Expenses:Benefit`` the policy names (``Temporary`` → 临时救助), else 到户补助.
    Never the condition a payment rests on."""
    labels = policy.notice_benefit_labels
    if kind != "other" and labels.get(kind):
        return labels[kind]
    if account.startswith("Expenses:Benefit:"):
        parts = account.split(":")[2:]
        for end in range(len(parts), 0, -1):
            label = labels.get(":".join(parts[:end]))
            if label:
                return label
    return labels.get("other") or "到户补助"


def paid_items(
    book: Book,
    *,
    fund: str,
    year: int,
    kinds: Sequence[str] = (),
    as_of: datetime.date | None = None,
) -> list[Item]:
    """What a fund paid each household by ``as_of`` for benefit ``year``, itemised as the
    rules count it: one line per member and kind (a preschool and a compulsory-stage child
    are two lines; two new undergraduates two grants), per household for household kinds;
    a payment for several years gives the part the rules count for ``year``
    (:func:`year_parts`), on a line of its own naming the period."""
    policy = book.policy.at(as_of or dec31(year))
    register = register_of(book)[0]
    sums: dict[tuple[str, int | None, str, str], Decimal] = defaultdict(Decimal)
    labels: dict[tuple[str, int | None, str, str], str] = {}
    for payment in benefit_payments(book):
        spend = payment.spend
        if spend.fund != fund or payment.household is None:
            continue
        if year not in payment.years and year != payment.claim_year:
            continue
        if as_of is not None and payment.date > as_of:
            continue
        if kinds and payment.kind not in kinds:
            continue
        member = payment.member if payment.kind in PER_MEMBER else None
        several = len(payment.years) > 1 and payment.kind in SPLIT_KINDS
        key = (payment.household, member, payment.kind, str(payment.period) if several else "")
        for part_year, part in year_parts(book, register, payment):
            if part_year == year:
                sums[key] += part
                labels.setdefault(key, public_label(policy, payment.kind, spend.account))
    return [
        Item(key[0], key[1], key[2], labels[key], amount, key[3])
        for key, amount in sorted(sums.items(), key=_item_order)
        if amount
    ]


def project_items(book: Book, project: str, *, as_of: datetime.date | None = None) -> list[Item]:
    """What a household-level project paid each household by ``as_of``, one line per
    household and kind of payout (a benefit's public label, else the category's name)."""
    from fupin.names import CATEGORY_NAMES

    policy = book.policy.at(as_of) if as_of is not None else book.policy.at(datetime.date.max)
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for household, spends in book.facts.project(project).household_spends.items():
        for spend in spends:
            if as_of is not None and spend.date > as_of:
                continue
            if spend.account.startswith("Expenses:Benefit:"):
                label = public_label(policy, benefit_kind(spend.account) or "other", spend.account)
            else:
                label = CATEGORY_NAMES.get(spend.category, spend.category)
            sums[(household, label)] += spend.amount
    return [
        Item(hid, None, "", label, amount)
        for (hid, label), amount in sorted(sums.items())
        if amount
    ]


def due_items(
    book: Book, register: Register, *, year: int, kinds: Sequence[str] = ()
) -> list[Item]:
    """What the formulas give each eligible household for ``year`` (a list posted before
    payment): one line per member and kind, as :func:`paid_items`."""
    policy = book.policy.at(dec31(year))
    out = []
    for due in due_unpaid(book, register, (), year):
        if kinds and due.kind not in kinds:
            continue
        out.append(
            Item(due.household, due.member, due.kind, public_label(policy, due.kind), due.due)
        )
    return sorted(
        out, key=lambda i: _item_order(((i.household, i.member, i.kind, i.period), i.amount))
    )


def _item_order(
    row: tuple[tuple[str, int | None, str, str], Decimal],
) -> tuple[str, int, str, str]:
    (household, member, kind, period), _ = row
    return household, member if member is not None else 0, kind, period
