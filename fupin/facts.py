"""Facts: every derived figure that more than one consumer needs, each as of any date.

Built once per book (:attr:`fupin.book.Book.facts`) from the book's one pass — its
receipts, spends, movements and incomes, and its entities — never by walking the entries
again. Rules compute their measures from these figures; ``fupin compliance``, the
registers, the Fava pages and the notices format them and never add up postings.

*As of D* means cumulative up to and including D; ``None`` means the whole book. Amounts
are exact Decimals (unrounded sums of the postings); consumers round for display only
(:func:`fupin.money.q2`, half up).

Definitions used everywhere (docs/ledger-conventions.md):

* a project's **spent** (列支) is the sum of its expense postings; **prepaid** the
  prepayments paid out to ``Assets:Prepayment:<FUND>`` and **applied** those settled
  against expenses; **withheld** the quality deposit credited to
  ``Liabilities:QualityDeposit:<FUND>`` and **released** what was paid back from it;
  **paid** (已支付) = spent + prepaid − applied − (withheld − released): the money that
  left the fund's cash for the project;
* a fund's **received** is the net of its receipts by source (a return to a source is a
  negative receipt, shown apart as **returned**); **spent** by category; **balance** =
  received − spent − what moved to its prepayment, deposit, loan and transit accounts;
* an income plan's **paid** is the income distributed under it: a payout posting
  (``Expenses:IncomeDistribution:…``) belongs to the plan its posting's ``plan:`` names,
  else the plan its transaction's ``plan:`` names, else to no plan (B39 reports it).
"""

from __future__ import annotations

import bisect
import datetime
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from itertools import accumulate, islice, pairwise
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from fupin.entities import STAGES, Fund, Notice, Project, ProjectStage
from fupin.money import ZERO

F = TypeVar("F")  # a facts class (AssetFacts, PlanFacts)

if TYPE_CHECKING:
    from beancount.core.data import Transaction

    from fupin.assets import Asset, IncomePlan
    from fupin.book import Book, Movement, Receipt, Spend

STAGE_ORDER = {stage: i for i, stage in enumerate(STAGES)}
#: payment kinds (transaction ``payment:``) that need the final-payment stage (B35)
LATE_PAYMENTS = frozenset(("final", "deposit"))
#: movement roles that take money out of a fund's reach (K1's "uses"), with expenses
CONSUMING_ROLES = frozenset(("prepayment", "receivable", "general"))
PAYOUT_CATEGORY = "IncomeDistribution"


class Series:
    """Amounts by date; :meth:`at` is their sum up to and including a day.

    Filled in date order by the book's records (the loader sorts entries); an amount added
    out of order is still placed by its date. Adding only appends. A question sums the
    amounts up to its day (in C); a series asked more than :data:`SUMS_KEPT` times keeps
    its running sums (one per day) from then on, so that most series — asked once or
    never — cost two appends per amount and no running sum at all.
    """

    __slots__ = ("_amounts", "_asked", "_cum", "_dates", "_days", "_ordered")

    def __init__(self) -> None:
        self._dates: list[datetime.date] = []  # as added (in date order once asked)
        self._amounts: list[Decimal] = []
        self._days: list[datetime.date] = []  # each day once, in order (with ``_cum``)
        self._cum: list[Decimal] | None = None
        self._ordered = True
        self._asked = 0

    def add(self, day: datetime.date, amount: Decimal) -> None:
        self._dates.append(day)
        self._amounts.append(amount)
        self._cum = None
        self._ordered = False

    def appenders(
        self,
    ) -> tuple[Callable[[datetime.date], None], Callable[[Decimal], None]]:
        """``(dates.append, amounts.append)``: :meth:`add` without a Python call, for the
        one loop over the book's records (call both, once per amount)."""
        self._cum = None
        self._ordered = False
        return self._dates.append, self._amounts.append

    def _order(self) -> None:
        """Put the amounts in date order (a stable sort: each day's in the order added)."""
        dates = self._dates
        if dates != sorted(dates):
            order = sorted(range(len(dates)), key=dates.__getitem__)
            self._dates = [dates[i] for i in order]
            self._amounts = [self._amounts[i] for i in order]
        self._ordered = True

    def _cumulative(self) -> list[Decimal]:
        """The running sum at the end of each day (``_days``), in date order."""
        if not self._ordered:
            self._order()
        dates = self._dates
        cum = list(accumulate(self._amounts, operator.add, initial=ZERO))
        del cum[0]
        if len(set(dates)) < len(dates):  # a day's amounts: keep its last running sum
            ends = [at for at, (day, after) in enumerate(pairwise(dates)) if day != after]
            ends.append(len(dates) - 1)
            self._days = [dates[at] for at in ends]
            cum = [cum[at] for at in ends]
        else:
            self._days = dates
        self._cum = cum
        return cum

    def began(self, day: datetime.date) -> bool:
        """Whether an amount is dated on or before ``day``."""
        return bool(self._dates) and min(self._dates) <= day

    def at(self, day: datetime.date | None = None) -> Decimal:
        """The sum of the amounts dated on or before ``day`` (all of them for None)."""
        if not self._dates:
            return ZERO
        cum = self._cum
        if cum is None:
            self._asked += 1
            if self._asked <= SUMS_KEPT:
                if day is None:
                    return sum(self._amounts, ZERO)
                if not self._ordered:
                    self._order()
                index = bisect.bisect_right(self._dates, day)
                return sum(islice(self._amounts, index), ZERO)
            cum = self._cumulative()
        if day is None:
            return cum[-1]
        index = bisect.bisect_right(self._days, day)
        return cum[index - 1] if index else ZERO

    @property
    def total(self) -> Decimal:
        return self.at(None)

    def first_above(self, limit: Decimal) -> datetime.date | None:
        """The first day on which the running sum exceeds ``limit``."""
        if not self._dates:
            return None
        cum = self._cum if self._cum is not None else self._cumulative()
        return next((d for d, c in zip(self._days, cum, strict=True) if c > limit), None)

    def days(self) -> Sequence[datetime.date]:
        if self._dates and self._cum is None:
            self._cumulative()
        return self._days

    def __bool__(self) -> bool:
        return bool(self._dates)


#: questions a series answers by summing its amounts before it keeps its running sums
SUMS_KEPT = 4


def _series() -> Series:
    return Series()


# -- projects -------------------------------------------------------------------------------
@dataclass(eq=False)
class ProjectFacts:
    """One project's money and stages (``project:`` metadata; stage entries)."""

    id: str
    project: Project | None = None
    stages: list[ProjectStage] = field(default_factory=list)
    spent: Series = field(default_factory=Series)
    prepaid: Series = field(default_factory=Series)
    applied: Series = field(default_factory=Series)
    withheld: Series = field(default_factory=Series)
    released: Series = field(default_factory=Series)
    by_fund: dict[str, Series] = field(default_factory=lambda: defaultdict(Series))
    #: household → amount paid to it by this project, and the first posting's account
    households: dict[str, Series] = field(default_factory=lambda: defaultdict(Series))
    household_spends: dict[str, list[Spend]] = field(default_factory=lambda: defaultdict(list))
    first_payment: Transaction | None = None  # the earliest expense or prepayment
    last_prepayment: Transaction | None = None
    last_deposit: Transaction | None = None
    late_payments: list[Transaction] = field(default_factory=list)  # payment: final | deposit
    #: (date, transaction, expense amount) in date order: where the spend crossed a limit
    _spend_txns: list[tuple[datetime.date, Transaction, Decimal]] = field(default_factory=list)
    #: its expense postings, then its prepayment and deposit movements, as the book's walk
    #: met them: what :meth:`payment_lines` adds up per transaction when asked
    _records: list[Spend | Movement] = field(default_factory=list)

    # -- stages ---------------------------------------------------------------------------
    def known(self, day: datetime.date | None = None) -> list[ProjectStage]:
        """The stage entries dated on or before ``day``."""
        if day is None:
            return self.stages
        return [s for s in self.stages if s.date <= day]

    def stage(self, day: datetime.date | None = None) -> ProjectStage | None:
        """The latest stage entry on or before ``day``."""
        known = self.known(day)
        return known[-1] if known else None

    def entry(self, stage: str, day: datetime.date | None = None) -> ProjectStage | None:
        """The first entry of ``stage`` on or before ``day``."""
        return next((s for s in self.known(day) if s.stage == stage), None)

    def reached(self, stage: str, day: datetime.date | None = None) -> datetime.date | None:
        """The first date the project was at ``stage`` or beyond (None: not by ``day``)."""
        want = STAGE_ORDER.get(stage)
        if want is None:
            return None
        return next((s.date for s in self.known(day) if STAGE_ORDER.get(s.stage, -1) >= want), None)

    def budget(self, day: datetime.date | None = None) -> Decimal:
        """The approved budget on ``day``: the latest stage entry carrying one, else the
        library budget (B35's limit)."""
        budgets = [s.budget for s in self.known(day) if s.budget is not None]
        if budgets:
            return budgets[-1]
        return self.project.budget if self.project is not None else ZERO

    def contract(self, day: datetime.date | None = None) -> ProjectStage | None:
        """The latest stage entry on or before ``day`` that carries a contract amount."""
        return next((s for s in reversed(self.known(day)) if s.contract_amount is not None), None)

    def settlement(self, day: datetime.date | None = None) -> Decimal | None:
        """The latest settlement (结算金额) known on ``day``."""
        return next(
            (s.settlement for s in reversed(self.known(day)) if s.settlement is not None), None
        )

    # -- money ----------------------------------------------------------------------------
    def deposit_held(self, day: datetime.date | None = None) -> Decimal:
        """Quality deposit withheld and not yet released."""
        return self.withheld.at(day) - self.released.at(day)

    def prepayment_open(self, day: datetime.date | None = None) -> Decimal:
        """Prepayments paid out and not yet settled against expenses."""
        return self.prepaid.at(day) - self.applied.at(day)

    def paid(self, day: datetime.date | None = None) -> Decimal:
        """Money that left the fund's cash for the project (module docstring)."""
        return self.spent.at(day) + self.prepayment_open(day) - self.deposit_held(day)

    def crossing(self, limit: Decimal) -> Transaction | None:
        """The payment with which the project's expenses first exceeded ``limit``."""
        total = ZERO
        for _, txn, amount in self._spend_txns:
            total += amount
            if total > limit:
                return txn
        return None

    def payment_lines(
        self, day: datetime.date | None = None
    ) -> list[tuple[Transaction, tuple[Decimal, Decimal, Decimal]]]:
        """Each payment by ``day``: (transaction, (spent, paid, deposit withheld (+) or
        released (−))), in date order; paid as in the module docstring."""
        from fupin.book import Movement

        # per transaction: [txn, spent, prepayment (+ paid out, − applied), deposit (+ withheld)]
        lines: dict[int, list[Any]] = {}
        for record in self._records:
            txn = record.entry
            held = lines.get(id(txn))
            if held is None:
                held = lines[id(txn)] = [txn, ZERO, ZERO, ZERO]
            if type(record) is not Movement:
                held[1] += record.amount
            elif record.role == "prepayment":
                held[2] += record.amount
            else:
                held[3] -= record.amount
        out = []
        for txn, spent, prepay, deposit in sorted(lines.values(), key=lambda r: r[0].date):
            if day is None or txn.date <= day:
                out.append((txn, (spent, spent + prepay - deposit, deposit)))
        return out

    def paid_to(self, day: datetime.date | None = None) -> dict[str, Decimal]:
        """Household → amount this project paid it by ``day`` (nonzero only)."""
        out = {hid: s.at(day) for hid, s in self.households.items()}
        return {hid: amount for hid, amount in out.items() if amount}


# -- funds ----------------------------------------------------------------------------------
class IdleLot(NamedTuple):
    """The unspent part of one receipt (K1, FIFO)."""

    receipt: Receipt
    amount: Decimal


@dataclass(frozen=True)
class Idle:
    """A fund's unspent receipts on a day, aged first-in first-out."""

    day: datetime.date
    received: Decimal
    used: Decimal
    lots: tuple[IdleLot, ...]  # oldest first

    @property
    def left(self) -> Decimal:
        return self.received - self.used

    def older_than(self, before: datetime.date) -> Decimal:
        """The unspent amount that arrived before ``before``."""
        return sum((lot.amount for lot in self.lots if lot.receipt.date < before), ZERO)

    @property
    def oldest(self) -> Receipt | None:
        return self.lots[0].receipt if self.lots else None


@dataclass(eq=False)
class FundFacts:
    """One fund's money in and out (``Income:Fund:<FUND>:<Source>``, its accounts)."""

    id: str
    fund: Fund | None = None
    receipts: list[Receipt] = field(default_factory=list)
    by_source: dict[str, Series] = field(default_factory=lambda: defaultdict(Series))
    returned: dict[str, Series] = field(default_factory=lambda: defaultdict(Series))
    by_category: dict[str, Series] = field(default_factory=lambda: defaultdict(Series))
    moved: dict[str, Series] = field(default_factory=lambda: defaultdict(Series))
    used: Series = field(default_factory=Series)  # expenses and consuming movements (K1)
    projects: list[str] = field(default_factory=list)  # ids of projects naming the fund

    def received(self, day: datetime.date | None = None, source: str | None = None) -> Decimal:
        """Net receipts by ``day`` (of one source, or all)."""
        if source is not None:
            series = self.by_source.get(source)
            return series.at(day) if series is not None else ZERO
        return sum((s.at(day) for s in self.by_source.values()), ZERO)

    def sources(self, day: datetime.date | None = None) -> dict[str, Decimal]:
        """Source → net receipts by ``day``, in the order money first arrived (every source
        the books know, a later one at zero)."""
        return {source: s.at(day) for source, s in self.by_source.items()}

    def arrived(self, day: datetime.date | None = None) -> dict[str, Decimal]:
        """:meth:`sources` of the levels whose money had begun to arrive by ``day``: what
        a notice of that day may name as the fund's sources."""
        return {
            source: s.at(day) for source, s in self.by_source.items() if day is None or s.began(day)
        }

    def categories(self, day: datetime.date | None = None) -> dict[str, Decimal]:
        """Expense category → spent by ``day``."""
        return {category: s.at(day) for category, s in self.by_category.items()}

    def spent(self, day: datetime.date | None = None, categories: Iterable[str] = ()) -> Decimal:
        """Spent by ``day``, in the given categories (all when none are given)."""
        wanted = set(categories)
        return sum(
            (s.at(day) for c, s in self.by_category.items() if not wanted or c in wanted), ZERO
        )

    def moved_to(self, role: str, day: datetime.date | None = None) -> Decimal:
        series = self.moved.get(role)
        return series.at(day) if series is not None else ZERO

    def returned_total(self, day: datetime.date | None = None) -> Decimal:
        """Money sent back to its sources by ``day`` (shown apart from the receipts)."""
        return sum((s.at(day) for s in self.returned.values()), ZERO)

    def moved_total(self, day: datetime.date | None = None) -> Decimal:
        """Moved to the fund's prepayment, deposit, loan and transit accounts by ``day``."""
        return sum((s.at(day) for s in self.moved.values()), ZERO)

    def balance(self, day: datetime.date | None = None) -> Decimal:
        """Money left in the fund's own cash accounts (module docstring)."""
        return self.received(day) - self.spent(day) - self.moved_total(day)

    def receipts_until(self, day: datetime.date | None = None) -> list[Receipt]:
        return [r for r in self.receipts if day is None or r.date <= day]

    def idle(self, day: datetime.date) -> Idle:
        """The unspent receipts on ``day``, aged FIFO against the fund's uses (K1)."""
        own = self.receipts_until(day)
        received = sum((r.amount for r in own), ZERO)
        used = self.used.at(day)
        remaining = received - used
        lots: list[IdleLot] = []
        for receipt in reversed(own):
            if remaining <= 0:
                break
            part = min(receipt.amount, remaining)
            if part > 0:
                lots.append(IdleLot(receipt, part))
                remaining -= part
        lots.reverse()
        return Idle(day, received, used, tuple(lots))


# -- assets and income plans ----------------------------------------------------------------
@dataclass(eq=False)
class AssetFacts:
    """One asset's income, depreciation and distributions (by account or ``asset:``)."""

    id: str
    asset: Asset | None = None
    income: Series = field(default_factory=Series)  # Income:AssetIncome:<A>
    depreciation: Series = field(default_factory=Series)  # Expenses:Depreciation:<A>
    distributed: Series = field(default_factory=Series)  # Expenses:IncomeDistribution:<A>
    unattributed: Series = field(default_factory=Series)  # payouts naming no plan
    #: transactions that moved the asset's money: [txn, income, distributed], date order
    lines: dict[int, list[Any]] = field(default_factory=dict)

    @property
    def value(self) -> Decimal:
        return self.asset.original_value if self.asset is not None else ZERO

    def money_lines(
        self, day: datetime.date | None = None
    ) -> list[tuple[Transaction, Decimal, Decimal]]:
        """(transaction, income received, distributed) up to ``day``, in date order."""
        rows = sorted(self.lines.values(), key=lambda r: r[0].date)
        return [(t, i, d) for t, i, d in rows if day is None or t.date <= day]


@dataclass(eq=False)
class PlanFacts:
    """What was paid out under one income plan (the attribution rule: module docstring)."""

    id: str
    plan: IncomePlan | None = None
    paid: Series = field(default_factory=Series)
    households: dict[str, Series] = field(default_factory=lambda: defaultdict(Series))
    #: household → the payout's stated basis (posting ``basis:``, else the narration)
    basis: dict[str, str] = field(default_factory=dict)
    collective: dict[str, Series] = field(default_factory=lambda: defaultdict(Series))
    #: (transaction, its payout spends under this plan), in date order
    payouts: list[tuple[Transaction, list[Spend]]] = field(default_factory=list)

    def paid_to(self, day: datetime.date | None = None) -> dict[str, Decimal]:
        out = {hid: s.at(day) for hid, s in self.households.items()}
        return {hid: amount for hid, amount in out.items() if amount}

    def collective_by_village(self, day: datetime.date | None = None) -> dict[str, Decimal]:
        out = {v: s.at(day) for v, s in self.collective.items()}
        return {v: amount for v, amount in out.items() if amount}

    def last_payout(self, day: datetime.date | None = None) -> Transaction | None:
        txns = [t for t, _ in self.payouts if day is None or t.date <= day]
        return txns[-1] if txns else None


def asset_account(account: str) -> tuple[str, str] | None:
    """``Income:AssetIncome:A-1`` → ``("AssetIncome", "A-1")``; also
    ``Expenses:IncomeDistribution:<A>`` and ``Expenses:Depreciation:<A>``; else None."""
    parts = account.split(":")
    if len(parts) >= 3 and parts[1] in ("AssetIncome", "IncomeDistribution", "Depreciation"):
        return parts[1], parts[2]
    return None


def plan_of(spend: Spend) -> str | None:
    """The income plan a payout posting belongs to: its own ``plan:``, else its
    transaction's (the one attribution rule of B39 and the income notices)."""
    meta = spend.posting_meta
    tagged = meta.get("plan") if meta else None
    if tagged is None:
        tagged = spend.entry.meta.get("plan")
    return str(tagged) if tagged is not None else None


# -- notices --------------------------------------------------------------------------------
@dataclass(frozen=True)
class NoticeFacts:
    """Where and how long a notice was posted, and what it discloses."""

    notice: Notice
    subject_kind: str  # fund | project | income-plan | "" (unknown subject)
    township: str
    village: str
    #: the day the subject was entered in the books (its ``custom`` entry's date)
    subject_since: datetime.date | None = None

    @property
    def days(self) -> int | None:
        return self.notice.days

    @property
    def before_subject(self) -> bool:
        """Whether the notice was posted before the books knew its subject: it would print
        a project, fund or plan that did not yet exist on its day."""
        since = self.subject_since
        return since is not None and self.notice.start < since


# -- the facts of one book ------------------------------------------------------------------
class Facts:
    """Every derived figure of one book, built on first use and then kept with the book."""

    def __init__(self, book: Book) -> None:
        self.book = book

    # money, one loop per record list -----------------------------------------------------
    @cached_property
    def _money(
        self,
    ) -> tuple[
        dict[str, ProjectFacts], dict[str, FundFacts], dict[str, AssetFacts], dict[str, PlanFacts]
    ]:
        book = self.book
        projects: dict[str, ProjectFacts] = {}
        funds: dict[str, FundFacts] = {}
        assets: dict[str, AssetFacts] = {}
        plans: dict[str, PlanFacts] = {}

        def project(ident: str) -> ProjectFacts:
            held = projects.get(ident)
            if held is None:
                held = projects[ident] = ProjectFacts(ident)
            return held

        def fund(ident: str) -> FundFacts:
            held = funds.get(ident)
            if held is None:
                held = funds[ident] = FundFacts(ident)
            return held

        def asset(ident: str) -> AssetFacts:
            held = assets.get(ident)
            if held is None:
                held = assets[ident] = AssetFacts(ident)
            return held

        for receipt in book.receipts:
            held = fund(receipt.fund)
            held.receipts.append(receipt)
            held.by_source[receipt.source].add(receipt.date, receipt.amount)
            if receipt.amount < 0:
                held.returned[receipt.source].add(receipt.date, -receipt.amount)

        of_account: dict[str, tuple[str, str] | None] = {}
        #: (fund, category) → the fund's series that an expense of that pair adds to
        Adders = tuple[Callable[[Any], None], ...]
        uses: dict[tuple[str, str], Adders] = {}
        for spend in book.spends:
            # fields by position (a Spend is a tuple): entry, date, fund, category, account,
            # amount, project — this loop runs once per expense posting of the ledger
            _, date, spent_from, category, account, amount, on_project = spend[:7]
            if spent_from is not None:
                adders = uses.get((spent_from, category))
                if adders is None:
                    held = fund(spent_from)
                    adders = uses[(spent_from, category)] = (
                        *held.by_category[category].appenders(),
                        *held.used.appenders(),
                    )
                adders[0](date)
                adders[1](amount)
                adders[2](date)
                adders[3](amount)
            if on_project is not None:
                _note_spend(project(on_project), spend)
            own = of_account.get(account, _UNSEEN)
            if own is _UNSEEN:
                own = of_account[account] = asset_account(account)
            facts = None
            if own is not None:
                facts = asset(own[1])
                if own[0] == "Depreciation":
                    facts.depreciation.add(date, amount)
                else:
                    facts.distributed.add(date, amount)
                    _line(facts, spend.entry)[2] += amount
            if category == PAYOUT_CATEGORY:
                _note_payout(plans, facts, spend)

        for movement in book.movements:
            if movement.fund is not None:
                held = fund(movement.fund)
                held.moved[movement.role].add(movement.date, movement.amount)
                if movement.role in CONSUMING_ROLES:
                    held.used.add(movement.date, movement.amount)
            if movement.project is not None:
                _note_movement(project(movement.project), movement)

        for income in book.incomes:
            account = income.account
            if account not in of_account:
                of_account[account] = asset_account(account)
            own = of_account[account]
            if own is None or own[0] != "AssetIncome":
                continue
            facts = asset(own[1])
            facts.income.add(income.date, -income.amount)
            _line(facts, income.entry)[1] -= income.amount

        for ident, entity in book.projects.items():
            project(ident).project = entity
            if entity.fund:
                fund(entity.fund).projects.append(ident)
        for ident, stages in book.stages().items():
            project(ident).stages = stages
        for ident, found in book.funds.items():
            fund(ident).fund = found
        return projects, funds, assets, plans

    @property
    def projects(self) -> dict[str, ProjectFacts]:
        """Every project named by an entity, a stage or a posting, by id."""
        return self._money[0]

    @property
    def funds(self) -> dict[str, FundFacts]:
        """Every fund defined or posted to, by id."""
        return self._money[1]

    @cached_property
    def assets(self) -> dict[str, AssetFacts]:
        """Every asset registered or with money on its accounts, by id."""
        from fupin.assets import Asset

        return _joined(self._money[2], self.book.all(Asset), AssetFacts, "asset")

    @cached_property
    def plans(self) -> dict[str, PlanFacts]:
        """Every income plan defined or named by a payout, by id."""
        from fupin.assets import IncomePlan

        return _joined(self._money[3], self.book.all(IncomePlan), PlanFacts, "plan")

    def project(self, ident: str) -> ProjectFacts:
        """One project's facts (empty ones for an id nothing names)."""
        return self.projects.get(ident) or ProjectFacts(ident, self.book.projects.get(ident))

    def fund(self, ident: str) -> FundFacts:
        return self.funds.get(ident) or FundFacts(ident, self.book.funds.get(ident))

    def asset(self, ident: str) -> AssetFacts:
        return self.assets.get(ident) or AssetFacts(ident)

    def plan(self, ident: str) -> PlanFacts:
        return self.plans.get(ident) or PlanFacts(ident)

    @cached_property
    def unattributed_payouts(self) -> list[tuple[Transaction, list[Spend]]]:
        """Payout transactions with postings that name no plan (B39), in date order."""
        out: dict[int, tuple[Transaction, list[Spend]]] = {}
        for spend in self.book.spends:
            if spend.category == PAYOUT_CATEGORY and plan_of(spend) is None:
                out.setdefault(id(spend.entry), (spend.entry, []))[1].append(spend)
        return list(out.values())

    # notices --------------------------------------------------------------------------------
    def notice(self, notice: Notice) -> NoticeFacts:
        """Where a notice was posted (its own place, else its subject's) and its subject."""
        return self._notices.get(notice.id) or self._notice_facts(notice)

    @cached_property
    def _notices(self) -> dict[str, NoticeFacts]:
        return {n.id: self._notice_facts(n) for n in self.book.all(Notice)}

    def _notice_facts(self, notice: Notice) -> NoticeFacts:
        from fupin.assets import Asset, IncomePlan

        book = self.book
        place: Any = None
        kind = ""
        since: datetime.date | None = None
        if notice.subject in book.projects:
            place, kind = book.projects[notice.subject], "project"
            since = place.date
        elif notice.subject in book.funds:
            kind, since = "fund", book.funds[notice.subject].date
        else:
            plan = book.by_id(IncomePlan).get(notice.subject)
            if plan is not None:
                kind, since = "income-plan", plan.date
                place = book.by_id(Asset).get(plan.asset)
        township = notice.township or (place.township if place is not None else "")
        village = notice.village or (place.village if place is not None else "")
        return NoticeFacts(notice, kind, township, village, since)

    def notices_of(self, subject: str) -> list[Notice]:
        """The notices disclosing ``subject`` (a fund, project or plan id), by start date."""
        return self._by_subject.get(subject, [])

    @cached_property
    def _by_subject(self) -> dict[str, list[Notice]]:
        out: dict[str, list[Notice]] = defaultdict(list)
        for notice in sorted(self.book.all(Notice), key=lambda n: (n.start, n.id)):
            out[notice.subject].append(notice)
        return dict(out)


_UNSEEN: Any = object()


def _line(facts: AssetFacts, txn: Transaction) -> list[Any]:
    held = facts.lines.get(id(txn))
    if held is None:
        held = facts.lines[id(txn)] = [txn, ZERO, ZERO]
    return held


def _note_spend(facts: ProjectFacts, spend: Spend) -> None:
    txn, date, amount = spend.entry, spend.date, spend.amount
    facts.spent.add(date, amount)
    facts._records.append(spend)
    if spend.fund is not None:
        facts.by_fund[spend.fund].add(date, amount)
    if spend.household is not None:
        facts.households[spend.household].add(date, amount)
        facts.household_spends[spend.household].append(spend)
    spend_txns = facts._spend_txns
    if spend_txns and spend_txns[-1][1] is txn:
        last = spend_txns[-1]
        spend_txns[-1] = (last[0], txn, last[2] + amount)
    else:
        spend_txns.append((date, txn, amount))
    first = facts.first_payment
    if first is None or date < first.date:
        facts.first_payment = txn
    if spend.payment in LATE_PAYMENTS:
        _note_late(facts, txn)


def _note_movement(facts: ProjectFacts, movement: Movement) -> None:
    txn, date, amount = movement.entry, movement.date, movement.amount
    if movement.role == "prepayment":
        facts._records.append(movement)
        if amount > 0:
            facts.prepaid.add(date, amount)
            facts.last_prepayment = txn
            first = facts.first_payment
            if first is None or date < first.date:
                facts.first_payment = txn
        else:
            facts.applied.add(date, -amount)
        _note_late(facts, txn, read=True)
    elif movement.role == "deposit":
        facts._records.append(movement)
        if amount < 0:
            facts.withheld.add(date, -amount)
            facts.last_deposit = txn
        else:
            facts.released.add(date, amount)
        _note_late(facts, txn, read=True)


def _note_late(facts: ProjectFacts, txn: Transaction, *, read: bool = False) -> None:
    if read and txn.meta.get("payment") not in LATE_PAYMENTS:
        return
    late = facts.late_payments
    if not late or late[-1] is not txn:
        late.append(txn)


def _note_payout(plans: dict[str, PlanFacts], asset: AssetFacts | None, spend: Spend) -> None:
    ident = plan_of(spend)
    if ident is None:
        if asset is not None:
            asset.unattributed.add(spend.date, spend.amount)
        return
    held = plans.get(ident)
    if held is None:
        held = plans[ident] = PlanFacts(ident)
    txn = spend.entry
    held.paid.add(spend.date, spend.amount)
    if held.payouts and held.payouts[-1][0] is txn:
        held.payouts[-1][1].append(spend)
    else:
        held.payouts.append((txn, [spend]))
    meta = spend.posting_meta or {}
    if spend.household:
        held.households[spend.household].add(spend.date, spend.amount)
        held.basis.setdefault(spend.household, str(meta.get("basis") or txn.narration))
    else:
        village = meta.get("village")
        held.collective[str(village) if village else ""].add(spend.date, spend.amount)


def touched_entities(book: Book, entries: Iterable[Any]) -> set[str]:
    """Fund and project ids that the given transactions touch (their ``project:`` metadata,
    a posting's ``project:``, the funds of their accounts): what Fava's account or advanced
    filter selects on the fupin pages."""
    from beancount.core.data import Transaction as Txn

    out: set[str] = set()
    for entry in entries:
        if not isinstance(entry, Txn):
            continue
        project = entry.meta.get("project")
        if project:
            out.add(str(project))
        for posting in entry.postings:
            info = book.accounts.get(posting.account)
            if info is not None and info.fund:
                out.add(info.fund)
            pmeta = posting.meta or {}
            if pmeta.get("project"):
                out.add(str(pmeta["project"]))
    return out


def _joined(
    held: dict[str, F], entities: Sequence[Any], make: Callable[[str], F], attr: str
) -> dict[str, F]:
    """``held`` with a facts object for every entity, each knowing its entity as ``attr``
    (facts the money walk made for an id keep their figures and gain the entity)."""
    for entity in entities:
        facts = held.get(entity.id)
        if facts is None:
            facts = held[entity.id] = make(entity.id)
        if getattr(facts, attr) is None:
            setattr(facts, attr, entity)
    return held
