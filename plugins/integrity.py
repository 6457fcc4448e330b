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

import datetime
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

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
    scan = _Scanner(out.personal)
    checker = _Ledger(book, resolver, currency, out.ledger)
    for entry in book.entries:
        kind = type(entry)
        if kind is Transaction:
            checker.transaction(entry)  # type: ignore[arg-type]
            scan.transaction(entry)  # type: ignore[arg-type]
        elif kind is Open:
            checker.open(entry)  # type: ignore[arg-type]
            scan.text(entry, "account", entry.account)  # type: ignore[union-attr]
            scan.meta(entry, entry.meta)
        elif kind is Custom:
            checker.custom(entry)  # type: ignore[arg-type]
            scan.custom(entry)  # type: ignore[arg-type]
        else:
            if kind is Balance:
                checker.balance(entry)  # type: ignore[arg-type]
            scan.other(entry)
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
    for model, what in ((AssetRight, "权属记录"), (AssetEvent, "资产变动")):
        for item in book.all(model):
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

    def transaction(self, txn: Transaction) -> None:
        benefit = any(p.account.startswith(BENEFIT_PREFIXES) for p in txn.postings)
        self.meta(txn, txn.meta, "", benefit)
        for posting in txn.postings:
            where = f"{posting.account} 的 "
            pmeta = posting.meta
            if pmeta and len(pmeta) > 2:
                self.meta(txn, pmeta, where, posting.account.startswith(BENEFIT_PREFIXES))
            for what, amount in (
                ("金额", posting.units),
                ("成本", posting.cost),
                ("价格", posting.price),
            ):
                found = getattr(amount, "currency", None)
                if found and found != self.currency:
                    self.error(
                        txn,
                        f"{where}{what}币种 {found} 不是记账本位币 {self.currency} "
                        "(operating_currency)",
                        key="operating_currency",
                    )

    def meta(self, entry: Directive, meta: Meta, where: str, benefit: bool) -> None:
        for key, value in meta.items():
            if key in _SKIP or (key == "worker" and "payee_type" in entry.meta):
                continue  # K6 checks the worker of a payment to an individual
            kind = META_REFS.get(key)
            if kind is not None:
                self.reference(entry, key, kind, value, where, benefit)
                continue
            check_value = META_VALUES.get(key)
            problem = check_value(value) if check_value is not None else None
            if problem is None:
                problem = _wrong_currency(value, self.currency)
            if problem:
                self.error(entry, f"{where}{key} = {show_input(value)}: {problem}", key=key)

    def reference(
        self, entry: Directive, key: str, kind: str, value: Any, where: str, benefit: bool
    ) -> None:
        if not isinstance(value, str) or not value.strip():
            self.error(entry, f"{where}{key} = {show_input(value)}: 应为编号文本 (加引号)", key=key)
            return
        if kind == "household":
            if not HOUSEHOLD_ID.match(value):
                self.error(
                    entry,
                    f"{where}{key} = {show_input(value)}: 农户应写化名编号 H-<村代码>-<序号>",
                    key=key,
                )
                return
            if benefit:
                return  # C06 checks a benefit's household against the register
        if self.resolver.missing(kind, value):
            self.error(
                entry,
                f"{where}{key} = {show_input(value)}: {self.resolver.message(kind, value)}",
                entity=value,
                key=key,
            )

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


# -- PII ---------------------------------------------------------------------------------------
class _Scanner:
    """Personal numbers in the ledger's text, each distinct string read once."""

    def __init__(self, out: list[Finding]) -> None:
        self.out = out
        self.seen: dict[str, tuple[str, ...]] = {}

    def kinds(self, text: str) -> tuple[str, ...]:
        held = self.seen.get(text)
        if held is None:
            if text.isascii() and sum(map(text.count, "0123456789")) < 11:
                held = ()
            else:
                held = tuple(dict.fromkeys(hit.label for hit in pii.find(text)))
            if len(self.seen) < 200_000:
                self.seen[text] = held
        return held

    def text(self, entry: Directive, field: str, value: Any) -> None:
        if value is None or isinstance(value, bool | datetime.date):
            return
        text = value if isinstance(value, str) else str(getattr(value, "number", value))
        labels = self.kinds(text)
        if labels:
            self.out.append(
                PersonalDataError(
                    entry.meta,
                    f"PII error: 账簿中出现{'、'.join(labels)} ({field}; 号码不予显示) — "
                    "账簿不得存放身份证号、手机号或银行卡号, 农户只写化名编号 H-<村代码>-<序号>, "
                    "号码只存于农户信息库",
                    entry,
                    rule="PII",
                    policy_key=field,
                )
            )

    def meta(self, entry: Directive, meta: Meta | None, where: str = "") -> None:
        if not meta:
            return
        for key, value in meta.items():
            if key in _SKIP or key in PUBLIC_PHONE_KEYS or key.startswith("__"):
                continue
            self.text(entry, f"{where}{key}", value)

    def transaction(self, txn: Transaction) -> None:
        self.text(txn, "payee", txn.payee)
        self.text(txn, "narration", txn.narration)
        for tag in txn.tags or ():
            self.text(txn, "tag", tag)
        for link in txn.links or ():
            self.text(txn, "link", link)
        self.meta(txn, txn.meta)
        for posting in txn.postings:
            if posting.meta and len(posting.meta) > 2:
                self.meta(txn, posting.meta, f"{posting.account} 的 ")

    def custom(self, entry: Custom) -> None:
        values = entry.values or ()
        if entry.type == "policy" and values and values[0].value in PUBLIC_PHONE_KEYS:
            return
        for position, value in enumerate(values):
            self.text(entry, f"第 {position + 1} 个值", value.value)
        self.meta(entry, entry.meta)

    def other(self, entry: Directive) -> None:
        for field in ("comment", "description", "filename", "account", "query_string"):
            value = getattr(entry, field, None)
            if isinstance(value, str):
                self.text(entry, field, value)
        self.meta(entry, entry.meta)


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
