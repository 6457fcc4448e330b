"""Per-project and per-fund totals, computed once per book from its spends and movements.

Rules that compare a sum with a threshold read these instead of each looping over every
posting again (``Book.project_totals``, ``Book.fund_totals``, cached on first use).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from beancount.core.data import Transaction

    from fupin.book import Movement, Receipt, Spend

LATE_PAYMENTS = frozenset(("final", "deposit"))


@dataclass
class ProjectTotals:
    """What has been paid on one project (``project:`` metadata), in date order."""

    spent: Decimal = Decimal(0)  # expense postings
    prepaid: Decimal = Decimal(0)  # prepayments paid out (Assets:Prepayment:<FUND>, debit)
    withheld: Decimal = Decimal(0)  # quality deposit withheld (Liabilities:QualityDeposit, credit)
    first_payment: Transaction | None = None  # the earliest expense or prepayment
    last_prepayment: Transaction | None = None
    last_deposit: Transaction | None = None
    late_payments: list[Transaction] = field(default_factory=list)  # payment: final | deposit


@dataclass
class FundTotals:
    """Money in and out of one fund."""

    received: Decimal = Decimal(0)
    by_source: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    by_category: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))


def project_totals(
    spends: Sequence[Spend], movements: Sequence[Movement]
) -> dict[str, ProjectTotals]:
    """Totals per project id, one loop over spends and one over movements."""
    out: dict[str, ProjectTotals] = defaultdict(ProjectTotals)
    for spend in spends:  # _note_payment inlined: this loop runs once per expense posting
        if spend.project is None:
            continue
        totals = out[spend.project]
        totals.spent += spend.amount
        txn = spend.entry
        first = totals.first_payment
        if first is None or spend.date < first.date:
            totals.first_payment = txn
        if spend.payment in LATE_PAYMENTS:  # the transaction's ``payment`` metadata
            late = totals.late_payments
            if not late or late[-1] is not txn:
                late.append(txn)
    for movement in movements:
        if movement.project is None:
            continue
        totals = out[movement.project]
        if movement.role == "prepayment" and movement.amount > 0:
            totals.prepaid += movement.amount
            totals.last_prepayment = movement.entry
            _note_payment(totals, movement.entry)
        elif movement.role == "deposit":
            if movement.amount < 0:
                totals.withheld -= movement.amount
                totals.last_deposit = movement.entry
            _note_late(totals, movement.entry)
    return dict(out)


def _note_payment(totals: ProjectTotals, txn: Transaction) -> None:
    first = totals.first_payment
    if first is None or txn.date < first.date:
        totals.first_payment = txn
    _note_late(totals, txn)


def _note_late(totals: ProjectTotals, txn: Transaction) -> None:
    if txn.meta.get("payment") in LATE_PAYMENTS:
        late = totals.late_payments
        if not late or late[-1] is not txn:
            late.append(txn)


def fund_totals(receipts: Sequence[Receipt], spends: Sequence[Spend]) -> dict[str, FundTotals]:
    """Receipts by source and expenses by category, per fund id."""
    out: dict[str, FundTotals] = defaultdict(FundTotals)
    for receipt in receipts:
        totals = out[receipt.fund]
        totals.received += receipt.amount
        totals.by_source[receipt.source] += receipt.amount
    for spend in spends:
        if spend.fund is not None:
            out[spend.fund].by_category[spend.category] += spend.amount
    return dict(out)
