"""扶贫小额信贷 / 脱贫人口小额信贷: loans to households, interest subsidies, risk compensation.

[N-LOAN] "5万元以下、3年期以内、免担保免抵押、基准利率放贷、财政贴息、县建风险补偿金";
脱贫人口小额信贷 (2021–): full 贴息 to the end of 2023, 70% in 2024–2025 (青阳县). A loan is an
entity; its later life is dated events; the county's money is ordinary transactions::

    2023-03-20 custom "loan" "L-2023-QS-01"
      borrower: "H-QS-021"           ; the household (pseudonymous id)
      amount: 50000.00 CNY
      start: 2023-03-20              ; default: the entry's date
      term: 36                       ; months
      rate: 0.0365                   ; annual (or "3.65%")
      bank: "青山县农村信用合作联社"
      type: "lifted"                 ; poverty 扶贫小额信贷 | lifted 脱贫人口小额信贷

    2024-05-10 custom "loan-event" "L-2023-QS-01" "overdue"   ; overdue | repaid | recovered | extended | rate
      amount: 12000.00 CNY

    2024-02-20 custom "loan-event" "L-2023-QS-01" "rate"      ; LPR 重定价: the rate from this day
      rate: "3.45%"

    2024-01-15 * "青山县财政局" "2023年第四季度小额信贷贴息"
      Expenses:Benefit:LoanInterestSubsidy  456.25 CNY
        household: "H-QS-021"
        loan: "L-2023-QS-01"
        interest: 456.25 CNY         ; the interest the bank charged for the period
        year: 2023                   ; the interest year (``interest_from``/``interest_to``: the days)
        basis: "青山信用社贴息清单 2023Q4"
      Assets:Treasury:CB-2024

**Interest per day-segment.** The rate is a dated series (:meth:`LoanState.rates`: the
contract's, then each ``rate`` event's, or an ``extended`` one naming ``rate``); the 贴息 share
is dated policy (:func:`share_on`: ``loan-subsidy-share`` once set, else the schedule
``loan-subsidy-shares``, 100% to 2023-12-31 and 70% from 2024-01-01). Rounding rule: the
contract interest of a settlement (or of a loan-year) is Σ amount × rate × days over its
segments of one rate, exact in Decimal, divided once by ``loan-interest-days`` and rounded
once, to the cent half up; an interest is split into parts of one calendar year and one share
in proportion to each segment's rate × days (by days when the loan has one rate), each part
rounded half up but the last, which takes the rest; each part × its share is rounded half up
and the limit is their sum. A loan with one rate and the share changing on 1 January keeps
the figures of one rate per loan.

Risk compensation (风险补偿金代偿) is an expense on a ``loan-compensation-accounts`` account
naming the loan. :func:`loan_book` reads it all once per book; :func:`loan_rows` is the
register (台账) the reports print: status, subsidy by year, overdue, compensation.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator

from fupin.entities import Entity, Money, Rate
from fupin.findings import Finding
from fupin.households import HouseholdId, add_months
from fupin.money import ZERO, q2, to_decimal, to_year
from fupin.policy import DEFAULT_POLICY

if TYPE_CHECKING:
    from beancount.core.data import Meta

    from fupin.book import Book, Spend
    from fupin.policy import Policy

LOAN_KINDS = {"poverty": "扶贫小额信贷", "lifted": "脱贫人口小额信贷"}
EVENTS = {
    "overdue": "逾期",
    "recovered": "逾期收回",
    "repaid": "结清",
    "extended": "展期",
    "rate": "利率调整",
}
STATUS_NAMES = {
    "active": "在贷",
    "overdue": "逾期",
    "repaid": "已结清",
    "matured": "到期未记录结清",
    "pending": "未放款",
}


class LoanError(Finding):
    """L01–L03: a loan above its caps, to an ineligible borrower, or a subsidy above its share."""

    __slots__ = ()


class Loan(Entity):
    """A household loan: ``custom "loan" "<LOAN>"``."""

    kind: ClassVar[str] = "loan"
    label: ClassVar[str] = "小额信贷"
    refs: ClassVar[dict[str, str]] = {"borrower": "household"}

    id: str
    borrower: HouseholdId
    amount: Money
    start: datetime.date | None = None
    term: Annotated[int, Field(ge=1, le=120)]  # months
    rate: Rate
    bank: str
    type: Literal[tuple(LOAN_KINDS)] = "lifted"  # type: ignore[valid-type]
    member: Annotated[int, Field(ge=1)] | None = None  # 借款人: the member's seq (L02 age)
    purpose: str | None = None
    doc: str | None = None
    note: str | None = None

    since_label: ClassVar[str] = "放款日期"

    @property
    def begins(self) -> datetime.date:
        return self.start or self.date

    def exists_from(self) -> datetime.date:
        """The loan exists from its disbursement (``start``, else the entry's date)."""
        return self.begins

    def describe(self) -> str:
        return f"{LOAN_KINDS[self.type]} {self.bank} [household {self.borrower}] [loan {self.id}]"


class LoanEvent(Entity):
    """A dated change of a loan: ``custom "loan-event" "<LOAN>" "<event>"``."""

    kind: ClassVar[str] = "loan-event"
    label: ClassVar[str] = "小额信贷变动"
    positional: ClassVar[tuple[str, ...]] = ("loan", "event")
    refs: ClassVar[dict[str, str]] = {"loan": "loan"}
    parent: ClassVar[str] = "loan"

    loan: str
    event: Literal[tuple(EVENTS)]  # type: ignore[valid-type]
    amount: Money | None = None  # overdue: the amount overdue; recovered: the amount back
    months: Annotated[int, Field(ge=1, le=36)] | None = None  # extended: 展期 months
    #: rate (and extended, when the 展期 reprices): the annual rate from the event's day on
    rate: Rate | None = Field(default=None, validate_default=True)
    doc: str | None = None
    note: str | None = None

    @field_validator("rate")
    @classmethod
    def _rate_for_its_event(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        event = info.data.get("event")
        if event == "rate" and value is None:
            raise ValueError('利率调整 (loan-event "rate") 须写新的年利率 rate, 如 "3.45%"')
        if value is not None and event not in (None, "rate", "extended"):
            raise ValueError(f'{EVENTS.get(str(event), event)} 不调整利率; 利率调整写 "rate" 事件')
        return value

    def describe(self) -> str:
        return f"{EVENTS[self.event]} [loan {self.loan}]"


def birth_date(id_number: str | None) -> datetime.date | None:
    """The birth date an ID number carries (18 digits: YYYYMMDD at 7–14; 15 digits: 19YYMMDD
    at 7–12), None without a readable one."""
    if not id_number:
        return None
    digits = id_number[6:14] if len(id_number) == 18 else "19" + id_number[6:12]
    try:
        return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def age_on(birth: datetime.date, day: datetime.date) -> int:
    """Full years of age (周岁) on ``day``; one born on 29 February turns a year older on
    1 March of a common year."""
    years = day.year - birth.year
    return years - 1 if (day.month, day.day) < (birth.month, birth.day) else years


@dataclass(frozen=True)
class Payment:
    """One interest-subsidy or risk-compensation posting naming a loan."""

    spend: Spend
    loan: str | None
    year: int  # the interest year (``year:``, else the payment's)
    interest: Decimal | None  # the bank's interest for the period (``interest:``)
    source: Meta
    problem: str = ""  # an unreadable ``year`` or ``interest`` (reported by L03)
    #: the bank's interest period (``interest_from``/``interest_to``, both days included)
    period: tuple[datetime.date, datetime.date] | None = None

    @property
    def amount(self) -> Decimal:
        return self.spend.amount


@dataclass(frozen=True)
class LoanState:
    """A loan with its events and money."""

    loan: Loan
    events: tuple[LoanEvent, ...] = ()
    subsidies: tuple[Payment, ...] = ()
    compensations: tuple[Payment, ...] = ()

    @property
    def extended(self) -> int:
        return sum(e.months or 0 for e in self.events if e.event == "extended")

    @property
    def ends(self) -> datetime.date:
        """Maturity: start + term (+ extensions) months."""
        return add_months(self.loan.begins, self.loan.term + self.extended)

    def repaid_on(self, day: datetime.date) -> datetime.date | None:
        return next((e.date for e in self.events if e.event == "repaid" and e.date <= day), None)

    def overdue_on(self, day: datetime.date) -> Decimal:
        """The amount overdue on ``day`` (the last overdue event, unless recovered/repaid)."""
        amount = ZERO
        for event in self.events:
            if event.date > day:
                break
            if event.event == "overdue":
                amount = event.amount or self.loan.amount
            elif event.event in ("recovered", "repaid"):
                amount = max(ZERO, amount - (event.amount or amount))
        return amount

    def status_on(self, day: datetime.date) -> str:
        if day < self.loan.begins:
            return "pending"
        if self.repaid_on(day):
            return "repaid"
        if self.overdue_on(day) > 0:
            return "overdue"
        return "active" if day < self.ends else "matured"

    def subsidy_by_year(self) -> dict[int, Decimal]:
        out: dict[int, Decimal] = defaultdict(Decimal)
        for payment in self.subsidies:
            out[payment.year] += payment.amount
        return dict(sorted(out.items()))

    @property
    def compensated(self) -> Decimal:
        return sum((p.amount for p in self.compensations), ZERO)

    def days_in(self, year: int) -> int:
        """Days of ``year`` the loan ran (start to maturity or repayment, exclusive)."""
        return self.days_between(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @property
    def stops(self) -> datetime.date:
        """The first day the loan no longer runs: maturity, or repayment when earlier."""
        repaid = self.repaid_on(datetime.date.max)
        return min(self.ends, repaid) if repaid is not None else self.ends

    def days_between(self, first: datetime.date, last: datetime.date) -> int:
        """Days from ``first`` to ``last`` (both included) the loan ran (start to maturity
        or repayment, exclusive)."""
        stop = min(self.stops, last + DAY)
        return max(0, (stop - max(self.loan.begins, first)).days)

    def rates(self) -> list[tuple[datetime.date, Decimal]]:
        """The annual rate as a dated series: the contract's from the start, then each
        ``rate`` event's (or a repricing ``extended``) from its day (LPR 重定价)."""
        out = [(self.loan.begins, self.loan.rate)]
        for event in sorted(self.events, key=lambda e: e.date):
            if event.rate is not None:
                out.append((max(event.date, self.loan.begins), event.rate))
        return out

    def rate_on(self, day: datetime.date) -> Decimal:
        """The annual rate in force on ``day``."""
        rate = self.loan.rate
        for since, value in self.rates():
            if since > day:
                break
            rate = value
        return rate

    def rate_days(self, first: datetime.date, last: datetime.date) -> list[tuple[Decimal, int]]:
        """(rate, days) of each day-segment of one rate among the days ``first`` … ``last``
        (both included) the loan ran, in order."""
        begin, stop = max(self.loan.begins, first), min(self.stops, last + DAY)
        if stop <= begin:
            return []
        cuts = sorted({day for day, _ in self.rates() if begin < day < stop})
        points = [begin, *cuts, stop]
        return [(self.rate_on(a), (b - a).days) for a, b in itertools.pairwise(points)]

    def accrual(self, first: datetime.date, last: datetime.date) -> Decimal:
        """Σ amount × rate × days over the rate segments of ``first`` … ``last``: the exact
        numerator of the contract interest (divided once by the day count, then rounded)."""
        amount = self.loan.amount
        return sum((amount * rate * days for rate, days in self.rate_days(first, last)), ZERO)


DAY = datetime.timedelta(days=1)
#: the 贴息 share in force on a day (:func:`share_on`)
ShareOn = Callable[[datetime.date], Decimal]


def scheduled(schedule: Mapping[datetime.date, Decimal], day: datetime.date) -> Decimal:
    """The share of a dated schedule (``loan-subsidy-shares``) on ``day``: the value from
    the latest date on or before it (before the first: the first's)."""
    dates = sorted(schedule)
    share = schedule[dates[0]]
    for since in dates:
        if since > day:
            break
        share = schedule[since]
    return share


def share_on(book: Book) -> ShareOn:
    """The 贴息 share on a day: ``loan-subsidy-share`` once the ledger sets it, else the
    dated default ``loan-subsidy-shares`` (100% to 2023-12-31, 70% from 2024-01-01)."""
    memo: dict[datetime.date, Decimal] = {}

    def share(day: datetime.date) -> Decimal:
        found = memo.get(day)
        if found is None:
            policy = book.policy.at(day)
            found = memo[day] = (
                policy.loan_subsidy_share
                if policy.loan_subsidy_share is not None
                else scheduled(policy.loan_subsidy_shares, day)
            )
        return found

    return share


def share_changes(book: Book) -> tuple[datetime.date, ...]:
    """Every day the share may change on: the ledger's policy dates and the schedules' dates."""
    days = set(book.policy.dates)
    for policy in (DEFAULT_POLICY, *book.policy.snapshots):
        days.update(policy.loan_subsidy_shares)
    return tuple(sorted(days))


def contract_interest(state: LoanState, year: int, policy: Policy) -> Decimal:
    """The contract interest of a year: Σ amount × rate × days over its rate segments /
    ``loan-interest-days``, rounded once to the cent half up (the most a subsidy may rest on
    without the bank's figure)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return q2(state.accrual(first, last) / policy.loan_interest_days)


#: one part of an interest: its calendar year, its amount and the share of its days
Part = tuple[int, Decimal, Decimal]


def apportion(
    state: LoanState,
    interest: Decimal,
    span: tuple[datetime.date, datetime.date],
    share: ShareOn,
    changes: Sequence[datetime.date] = (),
) -> list[Part]:
    """An interest accrued over ``span`` (both days included) split into parts of one
    calendar year and one share: cut at each year end, rate change and share change, each
    day-segment weighted by its rate × days (by days alone when the rate is one), the parts
    rounded to the cent half up and the last taking the remainder (they add up to the
    interest). One year and one share: one part, the whole interest."""
    first, last = span
    stop = last + DAY
    cuts = {datetime.date(y, 1, 1) for y in range(first.year + 1, last.year + 1)}
    cuts |= {day for day, _ in state.rates() if first < day <= last}
    cuts |= {day for day in changes if first < day <= last}
    points = [first, *sorted(cuts), stop]
    one_rate = len({rate for _, rate in state.rates()}) == 1
    groups: list[list[Any]] = []  # [year, share, weight]
    for a, b in itertools.pairwise(points):
        weight = Decimal((b - a).days) * (1 if one_rate else state.rate_on(a))
        year, value = a.year, share(a)
        if groups and groups[-1][0] == year and groups[-1][1] == value:
            groups[-1][2] += weight
        else:
            groups.append([year, value, weight])
    total = sum((g[2] for g in groups), ZERO)
    if total == 0:  # a rate of 0: by days
        return (
            [(first.year, interest, share(first))]
            if len(groups) == 1
            else _by_days(interest, points, share)
        )
    parts: list[Part] = []
    rest = interest
    for index, (year, value, weight) in enumerate(groups):
        part = rest if index == len(groups) - 1 else q2(interest * weight / total)
        parts.append((year, part, value))
        rest -= part
    return parts


def _by_days(interest: Decimal, points: list[datetime.date], share: ShareOn) -> list[Part]:
    total = (points[-1] - points[0]).days
    parts: list[Part] = []
    rest = interest
    for index, (a, b) in enumerate(itertools.pairwise(points)):
        part = rest if index == len(points) - 2 else q2(interest * (b - a).days / total)
        parts.append((a.year, part, share(a)))
        rest -= part
    return parts


def interest_parts(
    payment: Payment, state: LoanState, share: ShareOn, changes: Sequence[datetime.date] = ()
) -> list[Part]:
    """The stated interest by calendar year and share (:func:`apportion`): over the bank's
    period (a settlement from 2023-12-21 to 2024-03-20 is 11/91 interest of 2023 at 100%
    and 80/91 of 2024 at 70%), else over the loan's days of the interest year."""
    interest = payment.interest
    if interest is None:
        return []
    if payment.period is not None:
        return apportion(state, interest, payment.period, share, changes)
    return over_year(state, interest, payment.year, share, changes)


def over_year(
    state: LoanState, amount: Decimal, year: int, share: ShareOn, changes: Sequence[datetime.date]
) -> list[Part]:
    """``amount`` of interest year ``year``, over the loan's days in it."""
    first = max(state.loan.begins, datetime.date(year, 1, 1))
    last = min(state.stops - DAY, datetime.date(year, 12, 31))
    if last < first:
        end = datetime.date(year, 12, 31)
        return [(year, amount, share(end))]
    return apportion(state, amount, (first, last), share, changes)


def payment_limit(parts: Sequence[Part]) -> Decimal:
    """The most a posting may pay: each part of its interest × its share, each rounded to
    the cent half up, summed."""
    return sum((q2(part * value) for _, part, value in parts), ZERO)


def subsidy_limit(
    state: LoanState,
    year: int,
    policy: Policy,
    share: ShareOn,
    changes: Sequence[datetime.date] = (),
) -> tuple[Decimal, Decimal, bool]:
    """(limit, interest basis, stated?) for a loan-year: Σ share × interest, to the cent.

    The interest basis is the Σ ``interest`` the year's subsidy postings state (the bank's
    贴息清单), else the contract interest of the year. Each stated interest is one bank
    settlement that the county pays on its own, so its share is rounded to the cent (half
    up) per posting and the limit is their sum: four quarters of 456.25 at 70% allow
    4 × 319.38 = 1,277.52, not q2(1,825.00 × 70%) = 1,277.50. An interest whose days cross
    a year end or a change of share is split (:func:`apportion`) and each part takes the
    share of its days.
    """
    stated = [p for p in state.subsidies if p.year == year and p.interest is not None]
    if stated:
        limit = sum((payment_limit(interest_parts(p, state, share, changes)) for p in stated), ZERO)
        return limit, sum((p.interest or ZERO for p in stated), ZERO), True
    basis = contract_interest(state, year, policy)
    return payment_limit(over_year(state, basis, year, share, changes)), basis, False


def interest_cap(state: LoanState, year: int, policy: Policy) -> tuple[Decimal, int]:
    """(cap, days) of the interest the year's postings may state: the contract interest
    over their periods when every stated posting names one (Σ per settlement, each rounded
    once to the cent), else over the loan's days of the year."""
    stated = [p for p in state.subsidies if p.year == year and p.interest is not None]
    periods = [p.period for p in stated if p.period is not None]
    if not stated or len(periods) < len(stated):
        return contract_interest(state, year, policy), state.days_in(year)
    basis = policy.loan_interest_days
    cap = sum((q2(state.accrual(first, last) / basis) for first, last in periods), ZERO)
    return cap, sum(state.days_between(first, last) for first, last in periods)


def cap_spans(state: LoanState, year: int) -> list[tuple[datetime.date, datetime.date]]:
    """The spans :func:`interest_cap` accrues over (for its message)."""
    stated = [p for p in state.subsidies if p.year == year and p.interest is not None]
    periods = [p.period for p in stated if p.period is not None]
    if not stated or len(periods) < len(stated):
        return [(datetime.date(year, 1, 1), datetime.date(year, 12, 31))]
    return periods


@dataclass(frozen=True)
class LoanBook:
    """Every loan of the book with its events, subsidies and compensations."""

    loans: Mapping[str, LoanState]
    #: subsidy or compensation postings naming no known loan (or none)
    unmatched: Sequence[Payment] = field(default_factory=tuple)


def _value(spend: Spend, key: str) -> Any:
    own = spend.posting_meta or {}
    value = own.get(key)
    return value if value is not None else spend.entry.meta.get(key)


def _payment(spend: Spend) -> Payment:
    loan = _value(spend, "loan")
    year = _value(spend, "year")
    interest = _value(spend, "interest")
    own = spend.posting_meta or {}
    problems: list[str] = []
    period = _period(_value(spend, "interest_from"), _value(spend, "interest_to"), problems)
    default_year = period[1].year if period is not None else spend.date.year
    read_year = to_year(year) if year is not None else default_year
    if read_year is None:
        problems.append(f"year = {year!r} 不是年份")
    elif period is not None and not period[0].year <= read_year <= period[1].year:
        problems.append(f"year = {read_year} 不在计息期 {period[0]} 至 {period[1]} 内")
    read_interest = to_decimal(interest) if interest is not None else None
    if interest is not None and (read_interest is None or read_interest < 0):
        problems.append(f"interest = {interest!r} 不是金额")
    return Payment(
        spend,
        str(loan) if loan else None,
        read_year or spend.date.year,
        read_interest if read_interest is not None and read_interest >= 0 else None,
        own if own.get("lineno") else spend.entry.meta,
        "; ".join(problems),
        period,
    )


def _period(
    first: object, last: object, problems: list[str]
) -> tuple[datetime.date, datetime.date] | None:
    """The interest period ``interest_from``..``interest_to`` (dates, both included)."""
    if first is None and last is None:
        return None
    first, last = _day(first), _day(last)
    if not isinstance(first, datetime.date) or not isinstance(last, datetime.date):
        problems.append(
            "计息期须同时写 interest_from 与 interest_to 两个日期 (interest_from = "
            f"{_shown(first)}, interest_to = {_shown(last)})"
        )
        return None
    if last < first:
        problems.append(f"计息期 interest_to {last} 早于 interest_from {first}")
        return None
    return first, last


def _shown(value: object) -> str:
    """A metadata value as the ledger writes it: a date plain, text quoted, absent 无."""
    if value is None:
        return "无"
    return str(value) if isinstance(value, datetime.date) else repr(value)


def _day(value: object) -> object:
    """A date, or an ISO date written as text (``"2023-12-21"``); anything else unchanged."""
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


def _is(account: str, components: Sequence[str]) -> bool:
    return any(part in components for part in account.split(":")[1:])


def account_filter(book: Book, key: str) -> Callable[[str], bool]:
    """Whether an account has a component that policy ``key`` (a list of components) names
    in any policy in force in the book: the cheap first test, cached per account, so that a
    walk over every expense posting asks the dated policy only for the few that may match."""
    names = {name for p in (DEFAULT_POLICY, *book.policy.snapshots) for name in getattr(p, key)}
    seen: dict[str, bool] = {}

    def maybe(account: str) -> bool:
        hit = seen.get(account)
        if hit is None:
            hit = seen[account] = _is(account, tuple(names))
        return hit

    return maybe


def loan_book(book: Book) -> LoanBook:
    """The loans, their events and the postings naming them (built once per book)."""
    return book.shared("loan-book", lambda: _build(book))


def _build(book: Book) -> LoanBook:
    loans = book.by_id(Loan)
    events: dict[str, list[LoanEvent]] = defaultdict(list)
    for event in book.all(LoanEvent):
        events[event.loan].append(event)
    subsidies: dict[str, list[Payment]] = defaultdict(list)
    compensations: dict[str, list[Payment]] = defaultdict(list)
    unmatched: list[Payment] = []
    subsidy = account_filter(book, "loan_subsidy_accounts")
    compensation = account_filter(book, "loan_compensation_accounts")
    for spend in book.spends:
        account = spend.account
        if not subsidy(account) and not compensation(account):
            continue
        policy = book.policy.at(spend.date)
        if _is(spend.account, policy.loan_subsidy_accounts):
            target = subsidies
        elif _is(spend.account, policy.loan_compensation_accounts):
            target = compensations
        else:
            continue
        payment = _payment(spend)
        if payment.loan in loans:
            target[payment.loan].append(payment)
        else:
            unmatched.append(payment)
    return LoanBook(
        {
            ident: LoanState(
                loan,
                tuple(events.get(ident, ())),
                tuple(subsidies.get(ident, ())),
                tuple(compensations.get(ident, ())),
            )
            for ident, loan in sorted(loans.items())
        },
        tuple(unmatched),
    )


@dataclass(frozen=True)
class LoanRow:
    """One line of the loan register (小额信贷台账) on a day."""

    id: str
    borrower: HouseholdId
    kind: str
    bank: str
    amount: Decimal
    start: datetime.date
    ends: datetime.date
    rate: Decimal  # in force on the register's day
    status: str
    outstanding: Decimal  # amount not repaid (0 once repaid)
    overdue: Decimal
    compensated: Decimal
    subsidy: Mapping[int, Decimal]


@dataclass(frozen=True)
class LoanSummary:
    """The register and its totals; the overdue rate is exact, shown to 0.01%."""

    day: datetime.date
    rows: Sequence[LoanRow]
    outstanding: Decimal
    overdue: Decimal
    compensated: Decimal
    subsidy: Mapping[int, Decimal]

    @property
    def overdue_rate(self) -> Decimal:
        from fupin.money import ratio

        return ratio(self.overdue, self.outstanding)


def loan_rows(
    book: Book, day: datetime.date | None = None, households: set[str] | None = None
) -> LoanSummary:
    """The loan register on ``day`` (default: the ledger's last date), of the borrowers
    given (default: all) and its totals."""
    day = day or book.last_date or datetime.date.today()
    rows = []
    subsidy: dict[int, Decimal] = defaultdict(Decimal)
    for ident, state in loan_book(book).loans.items():
        loan = state.loan
        if loan.begins > day or (households is not None and loan.borrower not in households):
            continue
        status = state.status_on(day)
        paid: dict[int, Decimal] = defaultdict(Decimal)
        for payment in state.subsidies:
            if payment.spend.date <= day:
                paid[payment.year] += payment.amount
        for year, amount in paid.items():
            subsidy[year] += amount
        rows.append(
            LoanRow(
                ident,
                loan.borrower,
                LOAN_KINDS[loan.type],
                loan.bank,
                loan.amount,
                loan.begins,
                state.ends,
                state.rate_on(day),
                status,
                ZERO if status == "repaid" else loan.amount,
                state.overdue_on(day),
                sum((p.amount for p in state.compensations if p.spend.date <= day), ZERO),
                dict(sorted(paid.items())),
            )
        )
    return LoanSummary(
        day,
        rows,
        sum((r.outstanding for r in rows), ZERO),
        sum((r.overdue for r in rows), ZERO),
        sum((r.compensated for r in rows), ZERO),
        dict(sorted(subsidy.items())),
    )
