"""LEDGER: transaction and posting metadata, amounts and accounts (issue 12).

Checked once per transaction (``fupin.plugins.integrity`` walks the entries once):

* metadata that names an entity (``project``, ``asset``, ``household``, ``plan``,
  ``contract``, ``worker``, ``notice``, ``statement``, ``fund``; on the transaction or a
  posting) names one that exists — a household by its form ``H-<村代码>-<序号>`` and, when
  the ledger declares a register, on a non-benefit posting by the register (benefits: C06);
* coded values are in their vocabularies (``payment``, ``payee_type``, ``period``) and
  numbers in range (``year``, ``member``, ``self_paid``, ``rural_population``,
  ``direct_fund``); a key one letter off a key of the conventions (``projet:``) is a typo;
* every posting, cost, price, balance and metadata amount is in the operating currency;
* an account that is posted to names a defined fund (``Income:Fund:<FUND>:<Source>``), a
  known source and category, a registered asset (``Income:AssetIncome:<ASSET>``, …).

Each error sits at its transaction (or ``open``) and names the field and the value.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import chain
from typing import TYPE_CHECKING, Any

from beancount.core.amount import Amount
from beancount.core.data import Balance, Custom, Open, Transaction

from fupin.entities import ENTITY_TYPES
from fupin.findings import Finding
from fupin.households import HOUSEHOLD_ID
from fupin.messages_zh import did_you_mean, show_input
from fupin.money import finer_than_fen
from fupin.periods import period_problem
from fupin.vocab import MAX_AMOUNT, PAYEE_TYPES, PAYMENT_KINDS, YEAR_MAX, YEAR_MIN

if TYPE_CHECKING:
    from collections.abc import Sequence

    from beancount.core.data import Directive, Meta
    from fupin.plugins.text_summary import TextSummary

    from fupin.book import Book
    from fupin.integrity import Resolver


class LedgerDataError(Finding):
    """LEDGER: transaction metadata, postings or accounts that name nothing or break a code."""

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
#: ``custom`` types that are not entities: the policy's, Fava's (a county's own custom types
#: are its own, unless one letter off a known one)
OTHER_CUSTOMS = ("policy", "fava-option", "fava-extension", "fava-sidebar-link", "budget")
#: Expense accounts whose ``household`` the benefit rules check against the register (C06).
BENEFIT_PREFIXES = ("Expenses:Benefit:", "Expenses:Insurance:")
#: Account roots whose components name a fund, a source, a category or an asset.
_ASSET_ACCOUNTS = {
    ("Income", "AssetIncome"),
    ("Expenses", "IncomeDistribution"),
    ("Expenses", "Upkeep"),
    ("Expenses", "Depreciation"),
}
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
    "period": period_problem,  # one period or a range (fupin.periods)
    "year": lambda v: _integer(v, YEAR_MIN, YEAR_MAX),
    "member": lambda v: _integer(v, 1, 999),
    "rural_population": lambda v: _integer(v, 1, 10**9),
    "self_paid": _money,
    "direct_fund": _flag,
}


def wrong_currency(value: Any, currency: str) -> str | None:
    found = getattr(value, "currency", None)
    if found is None or not hasattr(value, "number") or found == currency:
        return None
    return f"币种 {found} 不是记账本位币 {currency} (operating_currency)"


# -- LEDGER: transactions, postings, accounts -------------------------------------------------
def _automatic(meta: Meta | None) -> bool:
    """A posting Beancount filled in: its amount follows from the others (reported there)."""
    return meta is not None and bool(meta.get("__automatic__"))


class LedgerChecker:
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

    def dates(self, entries: Sequence[Directive]) -> None:
        """An entry dated outside the years every rule computes in (``2999-01-05``: months
        of idle money to the year 2999). The entries are in date order: only the ends."""
        ahead = 0
        while ahead < len(entries) and entries[ahead].date.year < YEAR_MIN:
            ahead += 1
        behind = len(entries)
        while behind > ahead and entries[behind - 1].date.year > YEAR_MAX:
            behind -= 1
        for entry in chain(entries[:ahead], entries[behind:]):
            if entry.meta and str(entry.meta.get("filename", "")).startswith("<"):
                continue  # made by a plugin from an entry that is reported itself
            self.error(
                entry,
                f"date {entry.date}: 记录日期应在 {YEAR_MIN}–{YEAR_MAX} 年之间",
                key="date",
            )

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

    def judge(self, summaries: Sequence[TextSummary]) -> bool:
        """Whether any transaction may hold a problem; only then is each one checked
        (:meth:`transaction`). ``summaries``: the transactions' by file (:mod:`text_summary`):
        their metadata keys, the distinct value of each watched key, their currencies."""
        keys: set[str] = set().union(*(s.keys for s in summaries))
        self.learn(keys)
        if not self.typos.keys().isdisjoint(keys):
            return True
        found: dict[str, set[Any]] = {}
        for summary in summaries:
            for key, values in summary.watched:
                found.setdefault(key, set()).update(values)
        for key, distinct in found.items():
            if not all(self.value_ok(key, value) for value in distinct):
                return True
        if self.written_below_fen():
            return True  # an amount with a digit below the fen somewhere: find it
        if self.constrained():
            return False  # Beancount itself holds every posting to the operating currency
        if any(s.currencies is None for s in summaries):
            return True  # a posting without units: check one by one
        currencies: set[str] = set().union(*(s.currencies or () for s in summaries))
        if currencies - {self.currency}:
            return True
        return any(s.priced for s in summaries)

    def written_below_fen(self) -> bool:
        """Whether any amount of the ledger is written with more than two decimals (a
        posting, a metadata amount, a balance): Beancount's display context counts the
        decimals of every amount it parses, per currency, so this is one look, and only
        then are the transactions read (``1000.500`` is counted and then passes)."""
        dcontext = self.book.options.get("dcontext")
        contexts = getattr(dcontext, "ccontexts", None)
        if contexts is None:
            return True  # no counts (not Beancount's options): read every transaction
        return any(
            digits is not None and digits > 2
            for context in contexts.values()
            for digits in context.fractional_dist.hist
        )

    def constrained(self) -> bool:
        """Whether every account posted to is opened for the operating currency alone
        (``open Assets:Treasury:XJ-2021 CNY``): Beancount then rejects any other units."""
        opens = self.book.opens
        wanted = [self.currency]
        for account in self.book.accounts:
            entry = opens.get(account)
            if entry is None or list(entry.currencies or ()) != wanted:
                return False
        return True

    def value_ok(self, key: str, value: Any) -> bool:
        """Whether a watched metadata value is good wherever it stands (cached)."""
        pair = (key, value)
        if pair in self.good:
            return True
        kind = META_REFS.get(key)
        if kind is None:
            ok = META_VALUES[key](value) is None
        else:
            ok = (
                type(value) is str
                and bool(value.strip())
                and (kind != "household" or HOUSEHOLD_ID.match(value) is not None)
                and not self.resolver.missing(kind, value)
            )
        if ok:
            self.good.add(pair)
        return ok

    def learn(self, keys: set[str]) -> None:
        """Remember new metadata keys; note those that misspell a key of the conventions."""
        for key in keys - self.keys:
            self.keys.add(key)
            hint = did_you_mean(key, TXN_KEYS, cutoff=0.8)
            if hint:
                self.typos[key] = hint

    def transaction(self, txn: Transaction) -> None:
        """Check one transaction (when :meth:`judge` found a problem somewhere)."""
        meta = txn.meta
        self.fine_meta(txn)
        if len(meta) > 2:
            if not WATCHED.isdisjoint(meta):
                self.meta(txn, meta, "", None)
            self.misspelt(txn, meta, "")
        for posting in txn.postings:
            pmeta = posting.meta
            if pmeta is not None and len(pmeta) > 2:
                where = f"{posting.account} 的 "
                if not WATCHED.isdisjoint(pmeta):
                    self.meta(txn, pmeta, where, posting.account)
                self.misspelt(txn, pmeta, where)
            units = posting.units
            if units is not None and finer_than_fen(units.number) and not _automatic(pmeta):
                self.error(
                    txn,
                    f"{posting.account} 的金额 {units.number} {units.currency}: "
                    "小数位数过多 (最多 2 位, 金额以分为最小单位)",
                    key="amount",
                )
            if (units is not None and units.currency != self.currency) or (
                posting.cost is not None or posting.price is not None
            ):
                self.currencies(txn, posting)

    def fine_meta(self, txn: Transaction) -> None:
        """Metadata amounts of this transaction with a digit below the fen."""
        for where, meta in (("", txn.meta), *((f"{p.account} 的 ", p.meta) for p in txn.postings)):
            for key, value in (meta or {}).items():
                if type(value) is Amount and finer_than_fen(value.number):
                    self.error(
                        txn,
                        f"{where}{key} = {show_input(value)}: 小数位数过多 (最多 2 位, "
                        "金额以分为最小单位)",
                        key=key,
                    )

    def amounts(self, txn: Transaction, wrong: set[Any]) -> None:
        """Metadata amounts of this transaction in another currency (second pass)."""
        for where, meta in (("", txn.meta), *((f"{p.account} 的 ", p.meta) for p in txn.postings)):
            for key, value in (meta or {}).items():
                if type(value) is Amount and value in wrong:
                    self.error(
                        txn,
                        f"{where}{key} = {show_input(value)}: "
                        f"{wrong_currency(value, self.currency)}",
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
        self.learn(set(meta.keys()))
        for key in self.typos.keys() & meta.keys():
            self.error(txn, f"{where}{key}: 未知的元数据键{self.typos[key]}", key=key)

    def meta(self, txn: Transaction, meta: Meta, where: str, account: str | None) -> None:
        """Check the watched keys of a transaction's (or a posting's) metadata."""
        good = self.good
        for key in WATCHED.intersection(meta):
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
        if finer_than_fen(entry.amount.number):
            self.error(
                entry,
                f"余额断言 {entry.account} {entry.amount.number} {found}: 小数位数过多 "
                "(最多 2 位, 金额以分为最小单位)",
                key="amount",
            )

    def custom(self, entry: Custom) -> None:
        """Policy values in another currency (entities are checked with their fields); a
        custom type one letter off a known one (``custom "projct"``: the entity is not read)."""
        if entry.type in ENTITY_TYPES:
            return
        if entry.type not in OTHER_CUSTOMS:
            hint = did_you_mean(entry.type, (*ENTITY_TYPES, *OTHER_CUSTOMS), cutoff=0.75)
            if hint:
                self.out.append(
                    LedgerDataError(
                        entry.meta,
                        f'LEDGER error: custom "{entry.type}": 未知的记录类型{hint}; '
                        "此记录未被读取",
                        entry,
                        rule="LEDGER",
                        policy_key="custom",
                    )
                )
                return
        for value in entry.values or ():
            wrong = wrong_currency(value.value, self.currency)
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


#: the metadata keys whose values LEDGER checks (references and coded values)
WATCHED = frozenset((*META_REFS, *META_VALUES))
