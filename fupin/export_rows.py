"""The rows a county's Parquet export holds, read from the book's typed records (issue 16).

One row per posting the book records (receipts, expenses, fund movements, other income):
its date, the transaction's ordinal in the ledger, the account and what it means (role,
fund, the fund's budget year, source, category), the project, where the money went
(township and village of the project, else of the household in the register), the
pseudonymous household id, the posting's own signed amount (Beancount's sign: money into
a fund is a negative ``Income`` posting) and its currency. Payee and narration are never
read. A household value that is not a pseudonymous id, or an amount finer than a fen, stops
the export with the entry's file and line.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core.data import Transaction

from fupin.book import meta_source
from fupin.households import HOUSEHOLD_ID
from fupin.money import CENT

if TYPE_CHECKING:
    from fupin.book import Book
    from fupin.households import Register

#: The columns of the postings table, in order.
POSTING_FIELDS = (
    "date",
    "txn",
    "account",
    "role",
    "fund",
    "fund_year",
    "source",
    "category",
    "project",
    "township",
    "village",
    "household",
    "amount",
    "currency",
)

#: Largest amount a decimal(18,2) column holds.
MAX_AMOUNT = Decimal("9999999999999999.99")


class ExportRowError(Exception):
    """A posting that cannot be exported as it stands (names its file and line)."""


@dataclass(frozen=True)
class PostingColumns:
    """The postings table as columns (lists of equal length, in ledger order)."""

    columns: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.columns["txn"])

    @property
    def years(self) -> list[int]:
        """The calendar year of each row's date."""
        return [day.year for day in self.columns["date"]]


def posting_columns(book: Book, register: Register | None = None) -> PostingColumns:
    """Every posting the book records, as columns, ordered by transaction.

    Built column-wise (this runs once per posting of a county's books): the checks run on
    the distinct households and the amounts that are not whole fen.
    """
    ordinal: dict[int, int] = {}
    for directive in book.entries:
        if type(directive) is Transaction:
            ordinal[id(directive)] = len(ordinal) + 1
    # (ordinal, transaction, date, role, fund, source, category, project, household,
    #  signed amount, account)
    rows: list[tuple[Any, ...]] = [
        (
            ordinal[id(r.entry)], r.entry, r.date, "receipt", r.fund, r.source, None, None,
            None, -r.amount, _receipt_account(book, r.entry, -r.amount),
        )
        for r in book.receipts
    ]  # fmt: skip
    rows += [
        (
            ordinal[id(s.entry)], s.entry, s.date, "expense", s.fund, None, s.category,
            s.project, s.household, s.amount, s.account,
        )
        for s in book.spends
    ]  # fmt: skip
    rows += [
        (
            ordinal[id(m.entry)], m.entry, m.date, m.role, m.fund, None, None, m.project,
            None, m.amount, m.account,
        )
        for m in (*book.movements, *book.incomes)
    ]  # fmt: skip
    rows.sort(key=_first)
    if not rows:
        return PostingColumns({name: [] for name in POSTING_FIELDS})
    txn, entry, day, role, fund, source, category, project, household, amount, account = (
        list(column) for column in zip(*rows, strict=True)
    )
    _check_households(book, household)
    _check_amounts(book, entry, amount, account)
    project = _texts(project)
    household = _texts(household)
    fund_year = {ident: f.budget_year for ident, f in book.funds.items()}
    # where the money went: the project's township and village, else the household's
    # (a household id H-… never equals a project id)
    where = (
        {h.id: (h.township, h.village) for h in register.households.values()} if register else {}
    )
    where.update({ident: (p.township, p.village) for ident, p in book.projects.items()})
    get = where.get
    place = [
        get(p) if p is not None else get(h) if h is not None else None
        for p, h in zip(project, household, strict=True)
    ]
    columns = {
        "date": day,
        "txn": txn,
        "account": account,
        "role": role,
        "fund": fund,
        "fund_year": [fund_year.get(f) if f is not None else None for f in fund],
        "source": source,
        "category": category,
        "project": project,
        "township": [p[0] if p else None for p in place],
        "village": [p[1] if p else None for p in place],
        "household": household,
        "amount": amount,
        "currency": _currencies(entry, account, amount),
    }
    return PostingColumns(columns)


def _first(row: tuple[Any, ...]) -> Any:
    return row[0]


def _texts(values: list[Any]) -> list[Any]:
    """Metadata values as text (a ledger may write a number where an id is meant)."""
    if all(type(v) is str for v in set(values) - {None}):
        return values
    return [v if v is None or type(v) is str else str(v) for v in values]


def _check_households(book: Book, households: list[Any]) -> None:
    """Every household value is a pseudonymous id (checked once per distinct value)."""
    for value in {h for h in households if h is not None}:
        if HOUSEHOLD_ID.match(str(value)):
            continue
        spend = next(s for s in book.spends if s.household == value)
        raise ExportRowError(
            f"{meta_source(spend.posting_meta or spend.entry.meta)}: household {str(value)!r} "
            "不是化名编号 H-<村代码>-<序号> (not a pseudonymous id): 个人信息不导出"
        )


def _check_amounts(
    book: Book, entries: list[Any], amounts: list[Decimal], accounts: list[str]
) -> None:
    """Every amount is whole fen and fits decimal(18,2) (an error names the posting's line)."""
    for at, amount in enumerate(amounts):
        if amount.as_tuple().exponent >= -2 and abs(amount) <= MAX_AMOUNT:  # type: ignore[operator]
            continue
        if amount == amount.quantize(CENT) and abs(amount) <= MAX_AMOUNT:
            continue  # 1.500 is 1.50
        txn = entries[at]
        own = next(
            (s.posting_meta for s in book.spends if s.entry is txn and s.amount == amount), None
        )
        raise ExportRowError(
            f"{meta_source(own or txn.meta)}: 金额 {amount} {accounts[at]} 无法精确导出为 "
            "decimal(18,2) (多于两位小数或过大; more than two decimals, or too large)"
        )


def _currencies(entries: list[Any], accounts: list[str], amounts: list[Decimal]) -> list[str]:
    """Each row's currency: one for all when every posting of these transactions has it,
    else each posting's own."""
    seen = {
        p.units.currency if p.units is not None else None
        for txn in {id(e): e for e in entries}.values()
        for p in txn.postings
    }
    if len(seen) == 1:
        return [str(next(iter(seen)))] * len(entries)
    return [_currency(e, a, n) for e, a, n in zip(entries, accounts, amounts, strict=True)]


def _receipt_account(book: Book, txn: Transaction, number: Decimal) -> str:
    """The ``Income:Fund:…`` account of a receipt (the record keeps fund and source only)."""
    first = ""
    for posting in txn.postings:
        info = book.accounts.get(posting.account)
        if info is not None and info.role == "receipt":
            if posting.units is not None and posting.units.number == number:
                return str(posting.account)
            first = first or str(posting.account)
    return first


def _currency(txn: Transaction, account: str, amount: Decimal) -> str:
    """The currency of the posting on ``account`` (the transaction's, when it has one)."""
    currencies = [(p.account, p.units) for p in txn.postings if p.units is not None]
    for posting_account, units in currencies:
        if posting_account == account and units.number == amount:
            return str(units.currency)
    return str(currencies[0][1].currency) if currencies else ""


def public_entity(book: Book, value: object) -> str:
    """The id a finding or measure names, when it is one the ledger defines (a fund, project,
    asset, notice, plan, voucher, invoice or contract), a pseudonymous household id or a
    year; else "" (a finding may name a payee: a person). ``"P-1 招标采购"`` gives ``P-1``."""
    text = str(value or "").strip()
    if not text:
        return ""
    known = book.shared("export_rows.entity_ids", lambda: _entity_ids(book))
    for candidate in (text, text.split()[0]):
        if candidate.isdigit() or HOUSEHOLD_ID.match(candidate) or candidate in known:
            return candidate
        for key in ("voucher", "invoice", "contract"):
            if book.txns_by(key, candidate):
                return candidate
    return ""


def _entity_ids(book: Book) -> frozenset[str]:
    ids: set[str] = set()
    for items in book.entities.values():
        for entity in items:
            ident = getattr(entity, "id", None)
            if isinstance(ident, str):
                ids.add(ident)
    return frozenset(ids)


def entry_date(entry: object) -> datetime.date | None:
    """The date of a finding's entry (None when it has none)."""
    day = getattr(entry, "date", None)
    return day if isinstance(day, datetime.date) else None
