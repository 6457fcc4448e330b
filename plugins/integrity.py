"""ENTITY / LEDGER / PII: nothing invalid passes silently (issue 12, DESIGN "Trust").

Field-by-field validation happens when the book parses each entity (pydantic, ENTITY
errors) and each policy entry (POLICY errors); a second definition of an id is dropped there
too (``fupin.integrity``). What needs the whole book is checked here, in one walk:

* **ENTITY** — every reference an entity's ``refs`` declare resolves: a project's ``fund``,
  a stage's project, an asset's ``projects``, a right's or event's asset, a plan's asset and
  ``recipients``, a notice's ``subject`` (fund, project or plan by its type), a contract's
  project or asset, a statement's ``account``, a household holder (when the ledger declares a
  register); a project's ``category`` and an asset's ``funding`` sources are known ones; a
  right or event is not dated before its asset was registered; a contract (or a ``procured``
  stage's ``contract_amount``) stays within the project's approved budget; every amount of an
  entity is in the operating currency.
* **LEDGER** — transaction and posting metadata: ``project``, ``asset``, ``household``,
  ``plan``, ``contract``, ``worker``, ``notice``, ``statement``, ``fund`` resolve; coded values
  are in their vocabularies (``payment``, ``payee_type``, ``period``) and numbers in range
  (``year``, ``member``, ``self_paid``, ``rural_population``, ``direct_fund``); every posting,
  cost, price, balance and metadata amount is in ``option "operating_currency"`` (default
  CNY); an opened account's fund, source, category and asset components are known.
* **PII** — no ID-card, mobile or bank-card number (``fupin.pii``, the detector the notices'
  lint uses) in any payee, narration, tag, link, metadata value, account name or entity value:
  the ledger is shown to every auditor in Fava. Each hit is reported at its line by kind and
  field, never echoed.

Every finding sits at the entry at fault and names the field and the value (never a
personal number).
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from itertools import accumulate, islice
from typing import TYPE_CHECKING, Any, NamedTuple

from beancount.core.amount import Amount
from beancount.core.data import Balance, Custom, Open, Transaction
from fupin.plugins.flags_projects import Contract

from fupin import pii
from fupin.assets import Asset, AssetEvent, AssetRight
from fupin.engine import Item, Rule, check
from fupin.entities import ENTITY_TYPES, Entity, ProjectStage
from fupin.findings import EntityError, Finding
from fupin.households import (
    HOUSEHOLD_ID,
    RegisterError,
    RegisterRef,
    cached_register,
    register_path,
)
from fupin.integrity import Resolver
from fupin.messages_zh import did_you_mean, show_input
from fupin.money import fmt_money
from fupin.vocab import (
    MAX_AMOUNT,
    PAYEE_TYPES,
    PAYMENT_KINDS,
    PERIOD,
    YEAR_MAX,
    YEAR_MIN,
)

if TYPE_CHECKING:
    from beancount.core.data import Directive, Meta

    from fupin.book import Book


class LedgerDataError(Finding):
    """LEDGER: transaction metadata, postings or accounts that name nothing or break a code."""

    __slots__ = ()


class PersonalDataError(Finding):
    """PII: an ID-card, mobile or bank-card number in the ledger's own text."""

    __slots__ = ()


#: Transaction and posting metadata keys that name an entity, and the kind they name.
META_REFS = {
    "project": "project",
    "asset": "asset",
    "household": "household",
    "plan": "income-plan",
    "contract": "contract",
    "worker": "worker",
    "notice": "notice",
    "statement": "statement",
    "fund": "fund",
}
#: References a rule family reports itself, in its own words (kind, field → rule).
REPORTED_BY_RULES = frozenset(
    (
        ("project-stage", "project"),  # B33: 阶段记录引用了项目库中没有的项目
        ("asset", "projects"),  # B37: 资产登记引用了项目库中没有的项目
        ("asset-right", "asset"),  # B37: 权属记录引用了未登记的资产
        ("asset-event", "asset"),  # B38: 资产变动记录引用了未登记的资产
        ("income-plan", "asset"),  # B39: 收益分配方案引用了未登记的资产
    )
)
#: Transaction and posting metadata keys the conventions define (docs/ledger-conventions.md
#: §3, households, assets, importers): a key one letter off one of them is a typo (an
#: expense whose ``projet:`` names nothing escapes every project rule), any other key is
#: the county's own.
TXN_KEYS = (
    "project",
    "asset",
    "household",
    "member",
    "payment",
    "voucher",
    "invoice",
    "plan",
    "share",
    "basis",
    "alloc_doc",
    "alloc_row",
    "contract",
    "worker",
    "period",
    "year",
    "self_paid",
    "rural_population",
    "payee_type",
    "direct_fund",
    "bank_serial",
    "roll",
    "roll_row",
    "village",
    "note",
)
#: Expense accounts whose ``household`` the benefit rules check against the register (C06).
BENEFIT_PREFIXES = ("Expenses:Benefit:", "Expenses:Insurance:")
#: Account roots whose components name a fund, a source, a category or an asset.
_ASSET_ACCOUNTS = {
    ("Income", "AssetIncome"),
    ("Expenses", "IncomeDistribution"),
    ("Expenses", "Upkeep"),
    ("Expenses", "Depreciation"),
}
#: Public phones a county prints on every notice (policy, notice fields): not personal data.
PUBLIC_PHONE_KEYS = frozenset(("phones", "notice-phones", "notice-hotline"))
_SKIP = frozenset(("filename", "lineno"))


# -- transaction metadata values -------------------------------------------------------------
def _integer(value: Any, low: int, high: int) -> str | None:
    number = getattr(value, "number", value)
    if isinstance(number, str) and number.strip().isdigit():
        number = Decimal(number.strip())
    if isinstance(number, bool) or not isinstance(number, int | Decimal):
        return "应为整数"
    if isinstance(number, Decimal) and (not number.is_finite() or number != number.to_integral()):
        return "应为整数"
    if not low <= number <= high:
        return f"应在 {low}–{high} 之间"
    return None


def _choice(choices: tuple[str, ...]) -> Any:
    def check_value(value: Any) -> str | None:
        if isinstance(value, str) and value in choices:
            return None
        return f"应为 {'、'.join(choices)} 之一{did_you_mean(value, choices)}"

    return check_value


def _period(value: Any) -> str | None:
    text = str(getattr(value, "number", value))
    match = PERIOD.match(text)
    if match is None:
        return "应为 YYYY、YYYY-MM、YYYY-Qn、YYYY-Hn 或 YYYY春季/秋季 (如 2022-03)"
    if not YEAR_MIN <= int(match["year"]) <= YEAR_MAX:
        return f"年份应在 {YEAR_MIN}–{YEAR_MAX} 之间"
    return None


def _money(value: Any) -> str | None:
    number = getattr(value, "number", value)
    if isinstance(number, str):
        try:
            number = Decimal(number.replace(",", ""))
        except ArithmeticError:
            return "应为金额"
    if isinstance(number, bool) or not isinstance(number, int | Decimal):
        return "应为金额"
    if not Decimal(number).is_finite() or not 0 <= number <= MAX_AMOUNT:
        return f"应在 0–{MAX_AMOUNT:,} 之间"
    return None


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "应为 TRUE 或 FALSE"


#: metadata key → check of its value (a Chinese problem text, or None)
META_VALUES = {
    "payment": _choice(PAYMENT_KINDS),
    "payee_type": _choice(PAYEE_TYPES),
    "period": _period,
    "year": lambda v: _integer(v, YEAR_MIN, YEAR_MAX),
    "member": lambda v: _integer(v, 1, 999),
    "rural_population": lambda v: _integer(v, 1, 10**9),
    "self_paid": _money,
    "direct_fund": _flag,
}


# -- the walk ----------------------------------------------------------------------------------
class Walked(NamedTuple):
    """What one walk over the book's entries found, by family."""

    entity: list[Finding]
    ledger: list[Finding]
    personal: list[Finding]


def walked(book: Book) -> Walked:
    """The findings of the one walk (made once per book, shared by the three rules)."""
    return book.shared("integrity-walk", lambda: _walk(book))


def _walk(book: Book) -> Walked:
    resolver = Resolver(book, households=_households(book))
    currency = _currency(book.options)
    out = Walked([], [], [])
    _entities(book, resolver, currency, out.entity)
    scan = _Scanner()
    checker = _Ledger(book, resolver, currency, out.ledger)
    collect, values = scan.collect, scan.values
    for entry in book.entries:
        kind = type(entry)
        if kind is Transaction:
            checker.transaction(entry, values)  # type: ignore[arg-type]
            continue
        if kind is Open:
            checker.open(entry)  # type: ignore[arg-type]
        elif kind is Custom:
            checker.custom(entry)  # type: ignore[arg-type]
        elif kind is Balance:
            checker.balance(entry)  # type: ignore[arg-type]
        collect(entry)
    # each distinct metadata amount and text read once; a second pass only on a hit (rare)
    wrong = {v for v in values if type(v) is Amount and v.currency != currency}
    if scan.suspects() or wrong:
        for entry in book.entries:
            if wrong and type(entry) is Transaction:
                checker.amounts(entry, wrong)
            scan.report(entry, out.personal)
    return out


def _currency(options: Mapping[str, Any]) -> str:
    """The ledger's operating currency (the first ``option "operating_currency"``), CNY."""
    found = options.get("operating_currency") or ()
    return str(found[0]) if found else "CNY"


def _households(book: Book) -> frozenset[str] | None:
    """The register's household ids; None without a register (or when C08 says it is broken)."""
    if not book.all(RegisterRef):
        return None
    path = register_path(None, book)
    try:
        return frozenset(cached_register(path).households) if path else None
    except (RegisterError, OSError):
        return None


# -- ENTITY: references and cross-entity consistency -----------------------------------------
def _entities(book: Book, resolver: Resolver, currency: str, out: list[Finding]) -> None:
    for kind, items in book.entities.items():
        model = ENTITY_TYPES.get(kind)
        if model is None:
            continue
        for entity in items:
            entry = book.entry_of(entity)
            for name, ref_kind, ident in entity.references():
                if (kind, name) in REPORTED_BY_RULES:
                    continue
                if resolver.missing(ref_kind, ident):
                    out.append(
                        _entity_error(
                            entity,
                            entry,
                            f"{name} = {show_input(ident)}: {resolver.message(ref_kind, ident)}",
                        )
                    )
            if Amount not in map(type, entry.meta.values()):
                continue
            for name, value in entry.meta.items():
                wrong = _wrong_currency(value, currency)
                if wrong:
                    out.append(
                        _entity_error(entity, entry, f"{name} = {show_input(value)}: {wrong}")
                    )
    _after_registration(book, out)
    _within_budget(book, out)


def _entity_error(entity: Entity, entry: Custom, text: str) -> EntityError:
    ident = str(entry.values[0].value) if entry.values else "?"
    return EntityError(
        entry.meta,
        f"ENTITY error: {type(entity).label} {ident}: {text}",
        entry,
        rule="ENTITY",
        entity=ident,
    )


def _wrong_currency(value: Any, currency: str) -> str | None:
    found = getattr(value, "currency", None)
    if found is None or not hasattr(value, "number") or found == currency:
        return None
    return f"币种 {found} 不是记账本位币 {currency} (operating_currency)"


def _after_registration(book: Book, out: list[Finding]) -> None:
    """A right or an event of an asset is not dated before the asset was registered."""
    assets = book.by_id(Asset)
    items: list[tuple[AssetRight | AssetEvent, str]] = [
        *((right, "权属记录") for right in book.all(AssetRight)),
        *((event, "资产变动") for event in book.all(AssetEvent)),
    ]
    for item, what in items:
        asset = assets.get(item.asset)
        if asset is not None and item.date < asset.date:
            out.append(
                _entity_error(
                    item,
                    book.entry_of(item),
                    f"date: {what}日期 {item.date} 早于资产登记日期 {asset.date} "
                    f"— {asset.describe()}",
                )
            )


def _within_budget(book: Book, out: list[Finding]) -> None:
    """A contract, or a ``procured`` stage's ``contract_amount``, within the approved budget."""
    stages = book.stages()
    projects = book.projects

    def limit(ident: str, day: datetime.date) -> Any:
        project = projects.get(ident)
        if project is None:
            return None
        budgets = [
            s.budget for s in stages.get(ident, ()) if s.budget is not None and s.date <= day
        ]
        return budgets[-1] if budgets else project.budget

    for contract in book.all(Contract):
        budget = limit(contract.project or "", contract.date)
        if budget is not None and contract.amount > budget:
            out.append(_over(book, contract, "amount", contract.amount, budget, contract.project))
    for stage in book.all(ProjectStage):
        if stage.contract_amount is None:
            continue
        budget = limit(stage.project, stage.date)
        if budget is not None and stage.contract_amount > budget:
            out.append(
                _over(book, stage, "contract_amount", stage.contract_amount, budget, stage.project)
            )


def _over(
    book: Book, item: Entity, name: str, amount: Decimal, budget: Decimal, project: str | None
) -> EntityError:
    label = book.projects[project or ""].describe()
    return _entity_error(
        item,
        book.entry_of(item),
        f"{name}: 合同金额 {fmt_money(amount)} > 批复预算 {fmt_money(budget)} CNY (budget) — {label}",
    )


# -- LEDGER: transactions, postings, accounts -------------------------------------------------
class _Ledger:
    """Checks of transactions, opens, balances and non-entity ``custom`` values."""

    def __init__(self, book: Book, resolver: Resolver, currency: str, out: list[Finding]) -> None:
        self.book = book
        self.resolver = resolver
        self.currency = currency
        self.out = out
        self.funds = frozenset(book.funds) | book.invalid.get("fund", frozenset())
        #: (key, value) pairs already found valid (a project id repeats on every payment)
        self.good: set[tuple[str, Any]] = set()
        #: metadata keys seen, and those that misspell a key of TXN_KEYS (with the hint)
        self.keys: set[str] = {"filename", "lineno", "__tolerances__", "__automatic__", *TXN_KEYS}
        self.typos: dict[str, str] = {}

    def error(self, entry: Directive, text: str, *, entity: str = "", key: str = "") -> None:
        self.out.append(
            LedgerDataError(
                entry.meta,
                f"LEDGER error: {text}",
                entry,
                rule="LEDGER",
                entity=entity,
                policy_key=key,
            )
        )

    def transaction(self, txn: Transaction, values: set[Any]) -> None:
        """Check one transaction; gather its texts into ``values`` (for the PII pass).

        Called once per transaction of the ledger: the common case (every watched value
        seen before, no new metadata key, amounts in the operating currency) stays inline.
        """
        meta = txn.meta
        size = len(meta)
        good, keys = self.good, self.keys
        if size > 2:
            for key in _WATCHED.intersection(meta):
                if (key, meta[key]) not in good:
                    self.meta(txn, meta, "", None)
                    break
            if not keys.issuperset(meta) or self.typos:
                self.misspelt(txn, meta, "")
            stop = size - 1 if "__tolerances__" in meta else size  # booking's, last
            try:
                values.update(islice(meta.values(), 2, stop))
            except TypeError:  # another unhashable value of Beancount's own
                values.update(v for v in meta.values() if type(v) in _TEXT_TYPES)
        values.add(txn.payee)
        values.add(txn.narration)
        if txn.tags:
            values.update(txn.tags)
        if txn.links:
            values.update(txn.links)
        currency = self.currency
        for posting in txn.postings:
            pmeta = posting.meta
            if pmeta is not None and len(pmeta) > 2:
                where = f"{posting.account} 的 "
                for key in _WATCHED.intersection(pmeta):
                    if (key, pmeta[key]) not in good:
                        self.meta(txn, pmeta, where, posting.account)
                        break
                if not keys.issuperset(pmeta) or self.typos:
                    self.misspelt(txn, pmeta, where)
                _gather(values, pmeta, len(pmeta))
            units = posting.units
            if (units is not None and units.currency != currency) or (
                posting.cost is not None or posting.price is not None
            ):
                self.currencies(txn, posting)

    def amounts(self, txn: Transaction, wrong: set[Any]) -> None:
        """Metadata amounts of this transaction in another currency (second pass)."""
        for where, meta in (("", txn.meta), *((f"{p.account} 的 ", p.meta) for p in txn.postings)):
            for key, value in (meta or {}).items():
                if type(value) is Amount and value in wrong:
                    self.error(
                        txn,
                        f"{where}{key} = {show_input(value)}: "
                        f"{_wrong_currency(value, self.currency)}",
                        key=key,
                    )

    def currencies(self, txn: Transaction, posting: Any) -> None:
        for what, amount in (
            ("金额", posting.units),
            ("成本", posting.cost),
            ("价格", posting.price),
        ):
            found = getattr(amount, "currency", None)
            if found and found != self.currency:
                self.error(
                    txn,
                    f"{posting.account} 的 {what}币种 {found} 不是记账本位币 {self.currency} "
                    "(operating_currency)",
                    key="operating_currency",
                )

    def misspelt(self, txn: Transaction, meta: Meta, where: str) -> None:
        """Learn the new keys of a metadata dict; report those that misspell a known key."""
        for key in meta.keys() - self.keys:
            self.keys.add(key)
            hint = did_you_mean(key, TXN_KEYS, cutoff=0.8)
            if hint:
                self.typos[key] = hint
        for key in self.typos.keys() & meta.keys():
            self.error(txn, f"{where}{key}: 未知的元数据键{self.typos[key]}", key=key)

    def meta(self, txn: Transaction, meta: Meta, where: str, account: str | None) -> None:
        """Check the watched keys of a transaction's (or a posting's) metadata."""
        good = self.good
        for key in _WATCHED.intersection(meta):
            value = meta[key]
            pair = (key, value)
            if pair in good:
                continue
            kind = META_REFS.get(key)
            if kind is not None:
                if key == "worker" and "payee_type" in txn.meta:
                    continue  # K6 checks the worker of a payment to an individual
                if self.reference(txn, key, kind, value, where, account):
                    good.add(pair)
                continue
            problem = META_VALUES[key](value)
            if problem:
                self.error(txn, f"{where}{key} = {show_input(value)}: {problem}", key=key)
            else:
                good.add(pair)

    def reference(
        self, txn: Transaction, key: str, kind: str, value: Any, where: str, account: str | None
    ) -> bool:
        """Report a reference that names nothing; whether it resolved."""
        if type(value) is not str or not value.strip():
            self.error(txn, f"{where}{key} = {show_input(value)}: 应为编号文本 (加引号)", key=key)
            return False
        if kind == "household" and not HOUSEHOLD_ID.match(value):
            self.error(
                txn,
                f"{where}{key} = {show_input(value)}: 农户应写化名编号 H-<村代码>-<序号>",
                key=key,
            )
            return False
        if not self.resolver.missing(kind, value):
            return True
        if kind == "household" and _benefit(txn, account):
            return False  # C06 checks a benefit's household against the register
        self.error(
            txn,
            f"{where}{key} = {show_input(value)}: {self.resolver.message(kind, value)}",
            entity=value,
            key=key,
        )
        return False

    def open(self, entry: Open) -> None:
        parts = entry.account.split(":")
        for found in entry.currencies or ():
            if found != self.currency:
                self.error(
                    entry,
                    f"账户 {entry.account} 限定币种 {found}, 不是记账本位币 {self.currency} "
                    "(operating_currency)",
                    key="operating_currency",
                )
        if len(parts) < 2 or entry.account not in self.book.accounts:
            return  # an account nothing posts to loses no money (a shared chart of accounts)
        if parts[0] == "Income" and parts[1] == "Fund" and len(parts) >= 3:
            if parts[2] not in self.funds:
                hint = did_you_mean(parts[2], sorted(self.funds))
                self.error(
                    entry, f'账户 {entry.account}: 资金 {parts[2]} 未定义 (custom "fund"){hint}'
                )
            elif len(parts) >= 4 and self.resolver.missing("source", parts[3]):
                self.error(
                    entry, f"账户 {entry.account}: {self.resolver.message('source', parts[3])}"
                )
        elif parts[0] == "Expenses" and self.resolver.missing("category", parts[1]):
            self.error(
                entry, f"账户 {entry.account}: {self.resolver.message('category', parts[1])}"
            )
        if (
            (parts[0], parts[1]) in _ASSET_ACCOUNTS
            and len(parts) >= 3
            and self.resolver.missing("asset", parts[2])
        ):
            self.error(entry, f"账户 {entry.account}: {self.resolver.message('asset', parts[2])}")

    def balance(self, entry: Balance) -> None:
        found = entry.amount.currency
        if found != self.currency:
            self.error(
                entry,
                f"余额断言 {entry.account} 币种 {found} 不是记账本位币 {self.currency} "
                "(operating_currency)",
                key="operating_currency",
            )

    def custom(self, entry: Custom) -> None:
        """Policy values in another currency (entities are checked with their fields)."""
        if entry.type in ENTITY_TYPES:
            return
        for value in entry.values or ():
            wrong = _wrong_currency(value.value, self.currency)
            if wrong:
                key = str(entry.values[0].value) if entry.type == "policy" else entry.type
                rule = "POLICY" if entry.type == "policy" else "LEDGER"
                self.out.append(
                    LedgerDataError(
                        entry.meta,
                        f"{rule} error: {key} = {show_input(value.value)}: {wrong}",
                        entry,
                        rule=rule,
                        policy_key=key,
                    )
                )


def _benefit(txn: Transaction, account: str | None) -> bool:
    """Whether a household named here is a benefit's (the posting's, or any of the
    transaction's postings when named on the transaction)."""
    if account is not None:
        return account.startswith(BENEFIT_PREFIXES)
    return any(p.account.startswith(BENEFIT_PREFIXES) for p in txn.postings)


_WATCHED = frozenset((*META_REFS, *META_VALUES))


# -- PII ---------------------------------------------------------------------------------------
class _Scanner:
    """Personal numbers in the ledger's text, in two passes.

    The first pass only gathers the distinct texts (payees, narrations, tags, links,
    metadata values, account names, entity values); each distinct text is then read once.
    A personal number is 11 or more digits in one chain (digits joined by separators): a
    text without such a chain (:data:`_CHAIN`, :data:`_ASCII_CHAIN`) cannot hold one and
    skips the detector, every other text goes through :func:`fupin.pii.find`. Only when a
    text holds one does a second pass find the entries and fields it stands in.
    """

    def __init__(self) -> None:
        self.values: set[Any] = set()
        self.bad: dict[Any, tuple[str, ...]] = {}

    def collect(self, entry: Directive) -> None:
        """Gather the texts of one entry other than a transaction (see _Ledger)."""
        values = self.values
        meta = entry.meta
        if meta and len(meta) > 2:
            _gather(values, meta, len(meta))
        if isinstance(entry, Custom):
            if not _public_phones(entry):
                values.update(v.value for v in entry.values or ())
        else:
            for name in _TEXT_FIELDS:
                values.add(getattr(entry, name, None))

    def suspects(self) -> bool:
        """Read each distinct text once; whether any holds a personal number.

        The texts are joined (by a letter, which ends every digit chain) and searched for
        candidate chains in one regular-expression pass; only the texts a candidate falls
        in go through the detector."""
        ascii_texts: list[str] = []
        other_texts: list[str] = []
        for value in self.values:
            kind = type(value)
            if kind is Amount:
                value, kind = value.number, Decimal
            if kind is Decimal:
                if not value.is_finite() or abs(value) < _TEN_DIGITS:
                    continue
                ascii_texts.append(f"{value:f}")  # an unquoted number of 11 or more digits
            elif kind is str:
                (ascii_texts if value.isascii() else other_texts).append(value)
        for texts, chain in ((ascii_texts, _ASCII_CHAIN), (other_texts, _CHAIN)):
            for text in _candidates(texts, chain):
                labels = tuple(dict.fromkeys(hit.label for hit in pii.find(text)))
                if labels:
                    self.bad[text] = labels
        for value in self.values:  # amounts and numbers are reported as written
            if type(value) in (Amount, Decimal):
                number = value.number if type(value) is Amount else value
                if number is not None and number.is_finite() and f"{number:f}" in self.bad:
                    self.bad[value] = self.bad[f"{number:f}"]
        self.values = set()
        return bool(self.bad)

    def report(self, entry: Directive, out: list[Finding]) -> None:
        """The findings of one entry (second pass)."""
        kind = type(entry)
        if kind is Transaction:
            txn: Transaction = entry  # type: ignore[assignment]
            self.field(txn, "payee", txn.payee, out)
            self.field(txn, "narration", txn.narration, out)
            for name, items in (("tag", txn.tags), ("link", txn.links)):
                for item in items or ():
                    self.field(txn, name, item, out)
            for posting in txn.postings:
                self.meta(txn, posting.meta, out, f"{posting.account} 的 ")
        elif kind is Custom:
            custom: Custom = entry  # type: ignore[assignment]
            if not _public_phones(custom):
                for position, value in enumerate(custom.values or ()):
                    self.field(custom, f"第 {position + 1} 个值", value.value, out)
        else:
            for name in _TEXT_FIELDS:
                self.field(entry, name, getattr(entry, name, None), out)
        self.meta(entry, entry.meta, out)

    def meta(
        self, entry: Directive, meta: Meta | None, out: list[Finding], where: str = ""
    ) -> None:
        for key, value in (meta or {}).items():
            if key not in _SKIP and key not in PUBLIC_PHONE_KEYS:
                self.field(entry, f"{where}{key}", value, out)

    def field(self, entry: Directive, name: str, value: Any, out: list[Finding]) -> None:
        try:
            labels = self.bad.get(value)
        except TypeError:  # an unhashable value holds no text of ours
            return
        if labels:
            out.append(
                PersonalDataError(
                    entry.meta,
                    f"PII error: 账簿中出现{'、'.join(labels)} ({name}; 号码不予显示) — "
                    "账簿不得存放身份证号、手机号或银行卡号, 农户只写化名编号 H-<村代码>-<序号>, "
                    "号码只存于农户信息库",
                    entry,
                    rule="PII",
                    policy_key=name,
                )
            )


def _gather(values: set[Any], meta: Meta, size: int) -> None:
    """Add a metadata dict's values after its filename and lineno (and before Beancount's
    own ``__tolerances__``) to ``values``."""
    stop = size - 1 if "__tolerances__" in meta else size
    try:
        values.update(islice(meta.values(), 2, stop))
    except TypeError:  # another unhashable value of Beancount's own
        values.update(v for v in meta.values() if type(v) in _TEXT_TYPES)


def _public_phones(entry: Custom) -> bool:
    """A policy entry setting the supervision phones printed on notices."""
    values = entry.values or []
    return entry.type == "policy" and bool(values) and values[0].value in PUBLIC_PHONE_KEYS


def _candidates(texts: list[str], chain: re.Pattern[str]) -> list[str]:
    """The texts in which ``chain`` finds a candidate.

    One search over all texts at once finds the runs of digits and non-letters (a simple
    character class, fast); ``chain`` (exact, slower) then reads only those runs."""
    if not texts:
        return []
    run = _ASCII_RUN if chain is _ASCII_CHAIN else _RUN
    joined = _JOIN.join(texts)
    starts = list(accumulate((len(t) + len(_JOIN) for t in texts), initial=0))
    found: dict[int, str] = {}
    for match in run.finditer(joined):
        if chain.search(match.group()) is None:
            continue
        index = bisect.bisect_right(starts, match.start()) - 1
        found[index] = texts[index]
    return list(found.values())


#: joins texts for one search: a letter ends every digit chain (see _CHAIN)
_JOIN = "Z\n"


_TEXT_TYPES = frozenset((str, Decimal, Amount))
#: the text fields of other directives (an account name, a note's comment, …)
_TEXT_FIELDS = ("account", "comment", "description", "filename", "query_string")

#: characters that may read as a digit (fupin.pii reads any script's digits, NFKC forms
#: and Chinese numerals): the detector runs only on a text with 11 or more of them
_DIGITISH = (
    "\\d〇零一二三四五六七八九壹贰叁肆伍陆柒捌玖幺"
    "\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089\u2150-\u218b\u2460-\u24ff"
    "\u2776-\u2793\u3007\u3021-\u3029\u3220-\u3229\u3248-\u324f\u3251-\u325f"
    "\u3280-\u3289\u32b1-\u32bf\U0001f100-\U0001f10c"
)
_NUMERIC = f"[{_DIGITISH}]"
_CHAIN = re.compile(f"{_NUMERIC}(?:(?:[^\\w]|_)*{_NUMERIC}){{10}}")
#: a run of digit-like and non-word characters long enough to hold 11 digits
_RUN = re.compile(f"{_NUMERIC}[\\W_{_DIGITISH}]{{9,}}{_NUMERIC}")
_ASCII_RUN = re.compile(
    r"[0-9][^A-Za-z]{13,}[0-9]|(?<![0-9])(?:(?:00)?86)?1[3-9][^A-Za-z]{8,}[0-9]"
)
#: in ASCII text: 15 or more digits in a chain (ID, bank card), or 11 from a ``1[3-9]`` that
#: starts a group, after an optional ``86``/``0086`` (a mobile)
_ASCII_CHAIN = re.compile(
    r"[0-9](?:[^A-Za-z0-9]*[0-9]){14}|(?<![0-9])(?:(?:00)?86)?1[3-9](?:[^A-Za-z0-9]*[0-9]){9}"
)
_TEN_DIGITS = Decimal(10) ** 10


# -- the rules ---------------------------------------------------------------------------------
def entity_integrity(book: Book) -> Iterator[Item]:
    """ENTITY: references, cross-entity order and budgets, currencies of entity fields."""
    yield from walked(book).entity


def ledger_integrity(book: Book) -> Iterator[Item]:
    """LEDGER: transaction and posting metadata, currencies, account components."""
    found = walked(book).ledger
    yield from found
    yield from check(
        LedgerDataError,
        rule="LEDGER",
        title="无效引用、代码值与币种",
        scope="账簿",
        value=len(found),
        op="<=",
        threshold=0,
        unit="count",
        report=False,
    )


def personal_data(book: Book) -> Iterator[Item]:
    """PII: no ID-card, mobile or bank-card number in the ledger's own text."""
    found = walked(book).personal
    yield from found
    yield from check(
        PersonalDataError,
        rule="PII",
        title="账簿文本中的身份证号/手机号/银行卡号",
        scope="账簿",
        value=len(found),
        op="<=",
        threshold=0,
        unit="count",
        report=False,
    )


RULES = (
    Rule(
        ("ENTITY",),
        "实体引用与一致性",
        "DESIGN Trust: 引用必须可解析, 编号只定义一次 (issue 12)",
        entity_integrity,
    ),
    Rule(
        ("LEDGER",),
        "账簿数据: 引用、代码表与币种",
        "docs/ledger-conventions.md §1/§3; DESIGN Trust (issue 12)",
        ledger_integrity,
    ),
    Rule(
        ("PII",),
        "账簿中的个人信息",
        "DESIGN People: 账簿不存身份证号、手机号、银行账号 (issue 12)",
        personal_data,
    ),
)
