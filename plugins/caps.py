"""B10/B40/B41: caps on the management fee, the quality deposit and prepayments.

* B10 [N-FUND2017 art. 9]: a fund's expenses in ``mgmt-fee-category`` (项目管理费) ≤
  ``mgmt-fee-max`` (1%) of what the fund received;
* B40 [建设工程质量保证金管理办法]: a project's retention withheld on
  ``Liabilities:QualityDeposit:<FUND>`` ≤ ``quality-deposit-max`` (3%) of its settlement
  (the ``settlement`` of its completed/accepted stage, else its total expenses);
* B41 [local example]: a project's prepayments to ``Assets:Prepayment:<FUND>`` ≤
  ``prepayment-max`` (30%) of its contract (``contract_amount`` of its procured stage, else
  the approved budget).

Ratios are exact Decimal quotients compared unrounded, shown to 0.01%, half up.
"""

from __future__ import annotations

from collections.abc import Iterator

from fupin.book import Book
from fupin.engine import Item, Rule, check
from fupin.findings import CapError
from fupin.money import fmt_money, ratio


def caps(book: Book) -> Iterator[Item]:
    """Management fee per fund; quality deposit and prepayment per project."""
    last = book.last_date
    if last is None:
        return
    policy = book.policy.at(last)
    funds, projects = book.funds, book.projects
    facts = book.facts

    for ident, totals in sorted(facts.funds.items()):
        fund = funds.get(ident)
        fee = totals.spent(None, (policy.mgmt_fee_category,))
        if fund is None or not fee:
            continue
        received = totals.received()
        yield from check(
            CapError,
            rule="B10",
            title="项目管理费占比",
            scope=f"fund {ident}",
            value=ratio(fee, received),
            op="<=",
            threshold=policy.mgmt_fee_max,
            unit="pct",
            policy_key="mgmt-fee-max",
            entity=ident,
            label=fund.describe(),
            inputs=f"管理费 {fmt_money(fee)} / 到位资金 {fmt_money(received)} CNY",
            entry=book.entry_of(fund),
            year=fund.budget_year,
        )

    paid = facts.projects
    withheld = {k: (t.withheld.total, t.last_deposit) for k, t in paid.items() if t.last_deposit}
    prepaid = {
        k: (t.prepaid.total, t.last_prepayment) for k, t in paid.items() if t.last_prepayment
    }
    for ident, (amount, anchor_txn) in sorted(withheld.items()):
        project = projects.get(ident)
        if project is None:
            continue
        settled = paid[ident].settlement()
        base = settled if settled is not None else paid[ident].spent.total
        yield from check(
            CapError,
            rule="B40",
            title="质量保证金比例",
            scope=f"project {ident}",
            value=ratio(amount, base),
            op="<=",
            threshold=policy.quality_deposit_max,
            unit="pct",
            policy_key="quality-deposit-max",
            entity=ident,
            label=project.describe(),
            inputs=f"质保金 {fmt_money(amount)} / 结算 {fmt_money(base)} CNY",
            entry=anchor_txn,
            year=project.year,
        )

    for ident, (amount, anchor_txn) in sorted(prepaid.items()):
        project = projects.get(ident)
        if project is None:
            continue
        contract = paid[ident].contract()
        amount_agreed = contract.contract_amount if contract is not None else None
        base = amount_agreed if amount_agreed is not None else paid[ident].budget()
        yield from check(
            CapError,
            rule="B41",
            title="预拨资金比例",
            scope=f"project {ident}",
            value=ratio(amount, base),
            op="<=",
            threshold=policy.prepayment_max,
            unit="pct",
            policy_key="prepayment-max",
            entity=ident,
            label=project.describe(),
            inputs=f"预拨 {fmt_money(amount)} / 合同 {fmt_money(base)} CNY",
            entry=anchor_txn,
            year=project.year,
        )


RULE = Rule(
    ("B10", "B40", "B41"),
    "管理费、质保金与预拨比例",
    "N-FUND2017 art. 9 (管理费 ≤1%); 建设工程质量保证金管理办法 (≤3%); 预拨启动资金 local example (30%)",
    caps,
)
