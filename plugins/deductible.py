"""C10: the hospital deductible (住院起付线) halved for poor households.

[seed 000_33b9fa698911b5ee.txt] 新农合参合贫困人口 "住院起付线降低50%". An inpatient claim is
a benefit posting on an account with a component in ``inpatient-accounts``
(``Expenses:Benefit:Medical:Inpatient``) naming ``household`` and the 起付线 applied
(``deductible``); the standard deductible is the claim's ``standard_deductible`` (hospital
levels differ), else the policy's ``hospital-deductible``. For a household whose status on the
day is in ``hospital-deductible-statuses``, the deductible applied is at most
``standard × (1 − hospital-deductible-reduction)``, to the cent half up (600 → 300)::

    2023-05-20 * "青山县医疗保障局" "住院报销 (县医院)"
      basis: "青医保〔2023〕住院结算单 0520-17"
      Expenses:Benefit:Medical:Inpatient  4200.00 CNY
        household: "H-QS-021"
        member: 1
        deductible: 300.00 CNY
        standard_deductible: 600.00 CNY
      Assets:Treasury:CB-2023
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from fupin.book import Book
from fupin.engine import Item, Rule, check
from fupin.findings import BenefitError
from fupin.households import STATUSES, book_register
from fupin.microcredit import account_filter
from fupin.money import fmt_money, fmt_pct, q2, to_decimal


def _value(own: Any, txn: Any, key: str) -> Decimal | None:
    """The posting's (else the transaction's) ``key`` as an amount; None when absent or
    not a number (then the claim is reported as not stating it)."""
    value = own.get(key) if own else None
    if value is None:
        value = txn.get(key)
    return to_decimal(value) if value is not None else None


def deductibles(book: Book) -> Iterator[Item]:
    """C10 per inpatient claim of a poor household."""
    register = book_register(book)
    if register is None:
        return
    inpatient = account_filter(book, "inpatient_accounts")
    for spend in book.spends:
        if spend.category != "Benefit" or not spend.household or not inpatient(spend.account):
            continue
        policy = book.policy.at(spend.date)
        if not any(p in policy.inpatient_accounts for p in spend.account.split(":")[2:]):
            continue
        household = register.households.get(str(spend.household))
        if household is None:
            continue  # C06 reports a payee outside the register
        status = household.status_on(spend.date)
        if status not in policy.hospital_deductible_statuses:
            continue
        own = spend.posting_meta or {}
        source = own if own.get("lineno") else spend.entry.meta
        applied = _value(own, spend.entry.meta, "deductible")
        standard = (
            _value(own, spend.entry.meta, "standard_deductible") or policy.hospital_deductible
        )
        label = household.describe()
        if applied is None or not standard:
            missing = "deductible" if applied is None else "standard_deductible"
            yield BenefitError(
                source,
                f"C10 error: 住院报销未注明可读的 {missing} (起付线; hospital-deductible) — {label}",
                spend.entry,
                rule="C10",
                entity=household.id,
                policy_key="hospital-deductible",
            )
            continue
        cut = policy.hospital_deductible_reduction
        limit = q2(standard * (1 - cut))
        yield from check(
            BenefitError,
            rule="C10",
            title="贫困户住院起付线",
            scope=f"household {household.id}",
            value=applied,
            op="<=",
            threshold=limit,
            policy_key="hospital-deductible-reduction",
            entity=household.id,
            label=label,
            inputs=f"标准起付线 {fmt_money(standard)} × (1 − {fmt_pct(cut)}); 付款日状态 "
            f"{STATUSES.get(status, status)}",
            meta=source,
            entry=spend.entry,
            year=spend.date.year,
        )


RULE = Rule(
    ("C10",),
    "住院起付线: 贫困户降低50%",
    "seed 000_33b9fa698911b5ee.txt (新农合参合贫困人口住院起付线降低50%)",
    deductibles,
)
