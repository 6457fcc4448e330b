"""The typed view of a loaded ledger: one pass over the entries, built once per load.

Every consumer (the plugin's rules, ``fupin check``/``compliance``, reports, the Fava
extension) reads this view; nothing else walks the entries again.

Account conventions (docs/ledger-conventions.md):

* ``Income:Fund:<FUND>:<Source>``: money received into fund ``<FUND>`` from a source;
* ``Assets:<Kind>:<FUND>``: the fund's money (``Treasury``/``Bank``) and its prepayments
  (``Prepayment``); ``Liabilities:QualityDeposit:<FUND>``: retention withheld;
* ``Expenses:<Category>:...``: uses, the second component is the category
  (``Industry``, ``Infrastructure``, ``ManagementFee``, ...).

A transaction draws on one fund: the fund whose accounts it touches.
"""

from __future__ import annotations

import bisect
import datetime
from collections import Counter, defaultdict
from collections.abc import (
    Callable,
    ItemsView,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
    ValuesView,
)
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from beancount.core.data import Custom, Open, Transaction

from fupin.entities import Entity, Fund, Project, ProjectStage, parse_entity
from fupin.findings import EntityError, Finding
from fupin.integrity import drop_redefinitions
from fupin.policy import PolicyTimeline, build_timeline

if TYPE_CHECKING:
    from beancount.core.data import Directive, Meta

    from fupin.facts import Facts

E = TypeVar("E", bound=Entity)
T = TypeVar("T")
_MISSING = object()

#: Transaction metadata keys indexed by value (``book.txns_by("project", "P-1")``).
INDEXED_KEYS = (
    "project",
    "asset",
    "household",
    "voucher",
    "invoice",
    "contract",
    "bank_serial",  # issue 4: statement lines imported as transactions (reconciliation)
    "alloc_doc",  # issue 14: receipts booked from an allocation document (R04)
)

#: Second components of a fund's ``Assets`` accounts that are not its cash (issue 7):
#: a loan out of the fund (对外出借, K3) and an intermediate level's account the money
#: passes through (乡镇/主管部门过渡户, K19). Both are recorded as movements.
RECEIVABLE_KINDS = ("Receivable", "Loan", "OtherReceivable")
TRANSIT_KINDS = ("Township", "Agency", "Transit")
MOVEMENT_ROLES = ("prepayment", "receivable", "transit", "deposit", "fund_liability")


class AccountInfo(NamedTuple):
    """What an account means under the conventions."""

    root: str
    fund: str | None
    #: cash | prepayment | receivable | transit | deposit | fund_liability | receipt | expense
    #: | general | other
    role: str
    category: str | None = None
    source: str | None = None


class Receipt(NamedTuple):
    """Money into a fund from a source (``Income:Fund:<FUND>:<Source>``), positive."""

    entry: Transaction
    date: datetime.date
    fund: str
    source: str
    amount: Decimal


class Spend(NamedTuple):
    """One expense posting: a use of money, by category (refunds are negative)."""

    entry: Transaction
    date: datetime.date
    fund: str | None
    category: str
    account: str
    amount: Decimal
    project: str | None
    household: str | None
    payment: str | None  # prepayment | progress | final | deposit (transaction meta)
    posting_meta: Meta | None = None  # the posting's own metadata (member, basis, ...)


class Movement(NamedTuple):
    """A fund balance-sheet posting: a prepayment, a quality deposit, a transfer."""

    entry: Transaction
    date: datetime.date
    fund: str | None
    role: str
    account: str
    amount: Decimal
    project: str | None


@dataclass(frozen=True)
class Book:
    """One frozen, typed view of a ledger."""

    entries: Sequence[Directive]
    options: Mapping[str, Any]
    policy: PolicyTimeline
    entities: Mapping[str, Sequence[Entity]]
    opens: Mapping[str, Open]
    receipts: Sequence[Receipt]
    spends: Sequence[Spend]
    movements: Sequence[Movement]
    #: transactions drawing on two funds at once (entry, fund ids)
    mixed: Sequence[tuple[Transaction, tuple[str, ...]]]
    index: Mapping[str, Mapping[str, Sequence[Transaction]]]
    errors: Sequence[Finding]
    #: ids of ``custom`` entities that failed validation, by kind (rules skip them)
    invalid: Mapping[str, frozenset[str]]
    _sources: Mapping[int, Custom] = field(repr=False)
    accounts: Mapping[str, AccountInfo] = field(repr=False)
    #: postings on non-fund ``Income`` accounts (asset income, rent, fees), role ``income``
    incomes: Sequence[Movement] = ()
    #: the day the book is "as of" (``--date``, Fava's time filter): entries after it are
    #: not in the book, and rules judge what was due by then; None: the last entry's date
    as_of: datetime.date | None = None
    #: with ``as_of``: the ids of the ``custom`` entries after it, by type — what a reference
    #: of an earlier entry may name in the whole ledger (a contract registered later)
    later_ids: Mapping[str, frozenset[str]] = field(default_factory=dict, repr=False)
    #: values derived once per book and shared by rules (:meth:`shared`)
    _shared: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def shared(self, name: str, build: Callable[[], T]) -> T:
        """A value derived from the book once (a rule family's walk, a register) and shared
        by every rule that asks for ``name``; it lives and dies with the book."""
        held = self._shared.get(name, _MISSING)
        if held is _MISSING:
            held = self._shared[name] = build()
        return held  # type: ignore[no-any-return]

    # -- entities -------------------------------------------------------------------------
    def all(self, model: type[E]) -> Sequence[E]:
        """Every valid entity of a kind, in date order."""
        return self.entities.get(model.kind, ())  # type: ignore[return-value]

    def by_id(self, model: type[E]) -> dict[str, E]:
        """Entities of a kind by id (ids are unique: a redefinition is an ENTITY error and
        left out, see fupin.integrity)."""
        return {getattr(e, "id"): e for e in self.all(model)}  # noqa: B009

    @cached_property
    def funds(self) -> dict[str, Fund]:
        """Funds by id (computed once; do not mutate)."""
        return self.by_id(Fund)

    @cached_property
    def projects(self) -> dict[str, Project]:
        """Projects by id (computed once; do not mutate)."""
        return self.by_id(Project)

    def stages(self) -> dict[str, list[ProjectStage]]:
        """Stage entries per project, in date order (computed once; do not mutate)."""
        return self._stages

    @cached_property
    def _stages(self) -> dict[str, list[ProjectStage]]:
        out: dict[str, list[ProjectStage]] = defaultdict(list)
        for stage in self.all(ProjectStage):
            out[stage.project].append(stage)
        return dict(out)

    @cached_property
    def facts(self) -> Facts:
        """Every derived figure, as of any date (:mod:`fupin.facts`; built on first use)."""
        from fupin.facts import Facts

        return Facts(self)

    def entry_of(self, entity: Entity) -> Custom:
        """The ``custom`` directive an entity came from."""
        return self._sources[id(entity)]

    def meta_of(self, entity: Entity) -> Meta:
        return self.entry_of(entity).meta

    # -- transactions ---------------------------------------------------------------------
    def txns_by(self, key: str, value: str) -> Sequence[Transaction]:
        """Transactions whose metadata ``key`` equals ``value`` (keys in INDEXED_KEYS)."""
        return self.index.get(key, {}).get(value, ())

    def repeated(self, key: str) -> dict[str, Sequence[Transaction]]:
        """The values of ``key`` (in INDEXED_KEYS) on two or more transactions, with them."""
        index = self.index
        if isinstance(index, _Index):  # no index of every value built for this
            return index.repeated(key)
        return {value: txns for value, txns in index[key].items() if len(txns) > 1}

    def account_name(self, account: str) -> str:
        """The Chinese ``name:`` of an account's ``open``, else the account itself."""
        entry = self.opens.get(account)
        name = entry.meta.get("name") if entry else None
        return str(name) if name else account

    def account_label(self, account: str) -> str:
        """``中文名 (Account)`` when the account has a Chinese name, else the account."""
        name = self.account_name(account)
        return account if name == account else f"{name} ({account})"

    @property
    def last_date(self) -> datetime.date | None:
        """The book's "today": its ``as_of`` day, else the date of its last entry."""
        if self.as_of is not None:
            return self.as_of
        return self.entries[-1].date if self.entries else None


#: what :meth:`_Classifier.plan` says about a transaction shape
Plan = tuple[str | None, tuple[str, ...], tuple[tuple[int, AccountInfo], ...]]


class _Classifier:
    """Account → :class:`AccountInfo`, computed once per account."""

    def __init__(self, fund_ids: Iterable[str]) -> None:
        self.funds = set(fund_ids)
        self.cache: dict[str, AccountInfo] = {}
        #: the accounts of a transaction's postings → :meth:`plan` (transactions repeat a
        #: handful of shapes: a roll's expense and cash, a receipt and its income account)
        self.plans: dict[tuple[str, ...], Plan] = {}

    def plan(self, accounts: tuple[str, ...]) -> Plan:
        """The fund a transaction on ``accounts`` draws on (None when none or two), the
        funds when it mixes two or more, and the postings (position, info) it records."""
        infos = [self(account) for account in accounts]
        fund = None
        mixed: tuple[str, ...] = ()
        for info in infos:
            if info.fund is not None and info.fund != fund:
                if fund is not None:
                    mixed = tuple(sorted({i.fund for i in infos if i.fund}))
                    fund = None
                    break
                fund = info.fund
        recorded = tuple((at, info) for at, info in enumerate(infos) if info.role in _RECORDED)
        return fund, mixed, recorded

    def __call__(self, account: str) -> AccountInfo:
        info = self.cache.get(account)
        if info is None:
            info = self.cache[account] = self._classify(account)
        return info

    def _classify(self, account: str) -> AccountInfo:
        parts = account.split(":")
        root = parts[0]
        fund = next((p for p in parts[1:] if p in self.funds), None)
        if root == "Expenses":
            return AccountInfo(root, None, "expense", category=parts[1] if len(parts) > 1 else "")
        if root == "Income" and len(parts) >= 4 and parts[1] == "Fund" and parts[2] in self.funds:
            return AccountInfo(root, parts[2], "receipt", source=parts[3])
        if root == "Assets" and fund:
            role = "prepayment" if parts[1] == "Prepayment" else "cash"
            if parts[1] in RECEIVABLE_KINDS:
                role = "receivable"
            elif parts[1] in TRANSIT_KINDS:
                role = "transit"
            return AccountInfo(root, fund, role)
        if root == "Liabilities" and fund:
            role = "deposit" if parts[1] == "QualityDeposit" else "fund_liability"
            return AccountInfo(root, fund, role)
        if root in ("Assets", "Liabilities"):
            return AccountInfo(root, None, "general")
        if root == "Income":
            return AccountInfo(root, None, "income")
        return AccountInfo(root, None, "other")


class _Index(Mapping[str, Mapping[str, Sequence[Transaction]]]):
    """Transactions by metadata value, per key of :data:`INDEXED_KEYS`.

    A key's index is built on first use, by one loop over the book's transactions, then
    kept: a load pays only for the keys its rules read (the plugin's rules never ask for
    ``household``, the index with most values).
    """

    def __init__(self, txns: Sequence[Transaction]) -> None:
        self._txns = txns
        self._built: dict[str, _Values] = {}

    def __getitem__(self, key: str) -> Mapping[str, Sequence[Transaction]]:
        built = self._built.get(key)
        if built is None:
            if key not in _INDEXED:
                raise KeyError(key)
            built = self._built[key] = _index_by(self._txns, key)
        return built

    def repeated(self, key: str) -> dict[str, Sequence[Transaction]]:
        """The values of ``key`` on two or more transactions, with them, in order of first
        use. Unless the key's index is built already, one read of each transaction's value
        and a set tell whether any repeats (voucher numbers nearly never do): no index of
        every value is built for that."""
        built = self._built.get(key)
        if built is not None:  # skip the 1-tuples of the values seen once
            return {value: held for value, held in built._held.items() if type(held) is list}
        if key not in _INDEXED:
            raise KeyError(key)
        values = list(map(dict.get, map(_META, self._txns), repeat(key)))  # in C, no Python call
        if set(map(type, values)) <= _STR_OR_NONE:  # no value to convert (the usual case)
            distinct = set(values)
            distinct.discard(None)
            if len(distinct) == len(values) - values.count(None):
                return {}
            named = [v for v in values if v is not None]
        else:
            named = [v if type(v) is str else str(v) for v in values if v is not None]
        twice = {value for value, count in Counter(named).items() if count > 1}
        out: dict[str, list[Transaction]] = {}
        for txn, value in zip(self._txns, values, strict=True):
            if value is not None:
                value = value if type(value) is str else str(value)
                if value in twice:
                    out.setdefault(value, []).append(txn)
        return dict(out)

    def __iter__(self) -> Iterator[str]:
        return iter(INDEXED_KEYS)

    def __len__(self) -> int:
        return len(INDEXED_KEYS)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    __hash__ = None  # type: ignore[assignment]


def _index_by(txns: Sequence[Transaction], key: str) -> _Values:
    """Each value's transactions, in entry order."""
    index: dict[str, Any] = {}
    get = index.get
    for txn in txns:
        value = txn.meta.get(key)
        if value is None:
            continue
        if type(value) is not str:
            value = str(value)
        held = get(value)
        if held is None:
            index[value] = txn
        elif type(held) is Transaction:
            index[value] = [held, txn]
        else:
            held.append(txn)
    return _Values(index)


class _Values(Mapping[str, Sequence[Transaction]]):
    """One key's index, value → transactions. A value with a single transaction (nearly
    every voucher) holds the bare transaction, handed out as a 1-tuple: no container per
    transaction in memory."""

    __slots__ = ("_held",)

    def __init__(self, held: dict[str, Any]) -> None:
        self._held = held

    def __getitem__(self, value: str) -> Sequence[Transaction]:
        held = self._held[value]
        return (held,) if type(held) is Transaction else held

    def get(self, value: str, default: Any = None) -> Any:
        held = self._held.get(value, _MISSING)
        if held is _MISSING:
            return default
        return (held,) if type(held) is Transaction else held

    def __contains__(self, value: object) -> bool:
        return value in self._held

    def __iter__(self) -> Iterator[str]:
        return iter(self._held)

    def __len__(self) -> int:
        return len(self._held)

    def items(self) -> _ValueItems:
        return _ValueItems(self)

    def values(self) -> _ValueValues:
        return _ValueValues(self)


class _ValueItems(ItemsView[str, Sequence[Transaction]]):
    def __iter__(self) -> Iterator[tuple[str, Sequence[Transaction]]]:
        for value, held in self._mapping._held.items():  # type: ignore[attr-defined]
            yield value, ((held,) if type(held) is Transaction else held)


class _ValueValues(ValuesView[Sequence[Transaction]]):
    def __iter__(self) -> Iterator[Sequence[Transaction]]:
        for held in self._mapping._held.values():  # type: ignore[attr-defined]
            yield (held,) if type(held) is Transaction else held


def build_book(
    entries: Sequence[Directive],
    options: Mapping[str, Any],
    *,
    as_of: datetime.date | None = None,
) -> Book:
    """Build the typed view in one pass over ``entries`` (sorted, as the loader returns).

    With ``as_of``, only the entries dated on or before that day are in the book.
    """
    later: dict[str, frozenset[str]] = {}
    if as_of is not None:
        cut = bisect.bisect_right([e.date for e in entries], as_of)
        later = _ids_by_type(entries[cut:])
        entries = entries[:cut]
    import fupin.plugins  # noqa: F401  (imports every rule module, registering its entity models)

    customs: list[Custom] = []
    policies: list[Custom] = []
    opens: dict[str, Open] = {}
    txns: list[Transaction] = []
    for entry in entries:
        kind = type(entry)
        if kind is Transaction:
            txns.append(entry)  # type: ignore[arg-type]
        elif kind is Custom:
            if entry.type == "policy":  # type: ignore[union-attr]
                policies.append(entry)  # type: ignore[arg-type]
            else:
                customs.append(entry)  # type: ignore[arg-type]
        elif kind is Open:
            opens[entry.account] = entry  # type: ignore[union-attr,assignment]

    errors: list[Finding] = []
    entities: dict[str, list[Entity]] = defaultdict(list)
    sources: dict[int, Custom] = {}
    invalid: dict[str, set[str]] = defaultdict(set)
    for custom in customs:
        parsed = parse_entity(custom)
        if isinstance(parsed, EntityError):
            errors.append(parsed)
            invalid[custom.type].add(parsed.entity)
        elif parsed is not None:
            entities[parsed.kind].append(parsed)
            sources[id(parsed)] = custom
    errors.extend(drop_redefinitions(entities, sources))  # an id is defined once (issue 12)
    timeline = build_timeline(policies)
    errors.extend(timeline.errors)

    classify = _Classifier(getattr(e, "id") for e in entities.get(Fund.kind, ()))  # noqa: B009
    receipts: list[Receipt] = []
    spends: list[Spend] = []
    movements: list[Movement] = []
    incomes: list[Movement] = []
    mixed: list[tuple[Transaction, tuple[str, ...]]] = []
    for txn in txns:
        _flows(txn, classify, receipts, spends, movements, mixed, incomes)

    return Book(
        entries=entries,
        options=options,
        policy=timeline,
        entities={kind: tuple(items) for kind, items in entities.items()},
        opens=opens,
        receipts=receipts,
        spends=spends,
        movements=movements,
        mixed=mixed,
        index=_Index(txns),
        errors=errors,
        invalid={kind: frozenset(ids) for kind, ids in invalid.items()},
        _sources=sources,
        accounts=classify.cache,
        incomes=incomes,
        as_of=as_of,
        later_ids=later,
    )


def _ids_by_type(entries: Sequence[Directive]) -> dict[str, frozenset[str]]:
    """The first value (the id) of each ``custom`` entry, by its type."""
    found: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if type(entry) is Custom and entry.values:
            found[entry.type].add(str(entry.values[0].value))
    return {kind: frozenset(ids) for kind, ids in found.items()}


def _flows(
    txn: Transaction,
    classify: _Classifier,
    receipts: list[Receipt],
    spends: list[Spend],
    movements: list[Movement],
    mixed: list[tuple[Transaction, tuple[str, ...]]],
    incomes: list[Movement] | None = None,
) -> None:
    """Record what one transaction does to funds, by posting.

    Called once per transaction of the ledger: records are built with ``tuple.__new__``
    (no per-record Python call) and the transaction's metadata is read once.
    """
    postings = txn.postings
    shape = (
        (postings[0].account, postings[1].account)
        if len(postings) == 2
        else tuple([p.account for p in postings])
    )
    plan = classify.plans.get(shape)
    if plan is None:
        plan = classify.plans[shape] = classify.plan(shape)
    fund, funds, recorded = plan
    if funds:
        mixed.append((txn, funds))
    if not recorded:
        return
    meta = txn.meta
    date = txn.date
    project = meta.get("project")
    household = None
    payment = _UNREAD
    for at, info in recorded:
        role = info.role
        posting = postings[at]
        units = posting.units
        if units is None:
            continue
        number = units.number
        if type(number) is not Decimal and not isinstance(number, Decimal):
            continue
        if role == "expense":
            if payment is _UNREAD:
                household = meta.get("household")
                payment = meta.get("payment")
            pmeta = posting.meta
            if pmeta is None:
                own_project, own_household = project, household
            else:
                own_project = pmeta.get("project", project)
                own_household = pmeta.get("household", household)
            spends.append(
                _new(
                    Spend,
                    (
                        txn,
                        date,
                        fund,
                        info.category or "",
                        posting.account,
                        number,
                        own_project,
                        own_household,
                        payment,
                        pmeta,
                    ),
                )
            )
        elif role == "receipt":
            receipts.append(_new(Receipt, (txn, date, info.fund or "", info.source or "", -number)))
        elif role == "income":
            if incomes is not None:
                incomes.append(
                    _new(Movement, (txn, date, fund, role, posting.account, number, project))
                )
        elif role in MOVEMENT_ROLES or (role == "general" and fund):
            pmeta = posting.meta
            movements.append(
                _new(
                    Movement,
                    (
                        txn,
                        date,
                        info.fund or fund,
                        role,
                        posting.account,
                        number,
                        pmeta.get("project", project) if pmeta else project,
                    ),
                )
            )


_META = attrgetter("meta")
_STR_OR_NONE = frozenset((str, type(None)))
_new = tuple.__new__  # a NamedTuple record without the Python-level ``__new__`` call
_UNREAD = object()
_INDEXED = frozenset(INDEXED_KEYS)
_RECORDED = frozenset(("expense", "receipt", "income", "general", *MOVEMENT_ROLES))


def release(book: Book) -> None:
    """Drop what the book derived and cached (its facts refer back to it): once the last
    reference to the book goes, reference counting frees it at once, not the collector."""
    book._shared.clear()
    for name, value in vars(Book).items():
        if isinstance(value, cached_property):
            book.__dict__.pop(name, None)


def meta_source(meta: Meta | None) -> str:
    """``file:line`` of a metadata dict."""
    if not meta:
        return "?"
    return f"{meta.get('filename')}:{meta.get('lineno')}"
