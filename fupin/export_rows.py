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
    """Every posting the book records, as columns, ordered by transaction."""
    ordinal: dict[int, int] = {}
    for entry in book.entries:
        if type(entry) is Transaction:
            ordinal[id(entry)] = len(ordinal) + 1
    funds = book.funds
    fund_year = {ident: fund.budget_year for ident, fund in funds.items()}
    places = {ident: (p.township, p.village) for ident, p in book.projects.items()}
    homes = (
        {h.id: (h.township, h.village) for h in register.households.values()} if register else {}
    )
    # (transaction, date, metadata, role, fund, source, category, project, household,
    #  signed amount, account)
    rows: list[tuple[Any, ...]] = []
    add = rows.append
    for r in book.receipts:
        account = _receipt_account(book, r.entry, -r.amount)
        add(
            (
                r.entry,
                r.date,
                r.entry.meta,
                "receipt",
                r.fund,
                r.source,
                None,
                None,
                None,
                -r.amount,
                account,
            )
        )
    for s in book.spends:
        meta = s.posting_meta or s.entry.meta
        add(
            (
                s.entry,
                s.date,
                meta,
                "expense",
                s.fund,
                None,
                s.category,
                s.project,
                s.household,
                s.amount,
                s.account,
            )
        )
    for m in (*book.movements, *book.incomes):
        add(
            (
                m.entry,
                m.date,
                m.entry.meta,
                m.role,
                m.fund,
                None,
                None,
                m.project,
                None,
                m.amount,
                m.account,
            )
        )
    rows.sort(key=lambda row: ordinal[id(row[0])])

    out: dict[str, list[Any]] = {name: [] for name in POSTING_FIELDS}
    cols = [out[name] for name in POSTING_FIELDS]
    for row in rows:
        txn, day, meta, role, fund, source, category, project, household, amount, account = row
        if household is not None:
            household = str(household)
            if not HOUSEHOLD_ID.match(household):
                raise ExportRowError(
                    f"{meta_source(meta)}: household {household!r} is not a pseudonymous id "
                    "(H-<村代码>-<序号>): personal data is never exported"
                )
        if amount != amount.quantize(CENT) or abs(amount) > MAX_AMOUNT:
            raise ExportRowError(
                f"{meta_source(meta)}: amount {amount} {account} does not fit decimal(18,2) "
                "(more than two decimals, or too large)"
            )
        project = str(project) if project is not None else None
        place = places.get(project) if project else None
        if place is None and household is not None:
            place = homes.get(household)
        for col, value in zip(
            cols,
            (
                day,
                ordinal[id(txn)],
                account,
                role,
                fund,
                fund_year.get(fund) if fund else None,
                source,
                category,
                project,
                place[0] if place else None,
                place[1] if place else None,
                household,
                amount,
                _currency(txn, account, amount),
            ),
            strict=True,
        ):
            col.append(value)
    return PostingColumns(out)


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
    postings = txn.postings
    first = postings[0].units.currency
    if all(p.units.currency == first for p in postings):
        return str(first)
    for posting in postings:
        if posting.account == account and posting.units.number == amount:
            return str(posting.units.currency)
    return str(first)


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
