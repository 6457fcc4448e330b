"""B10/B40/B41: caps on the management fee, the quality deposit and prepayments.

* B10 [N-FUND2017 art. 9]: a fund's expenses in ``mgmt-fee-category`` (项目管理费) ≤
  ``mgmt-fee-max`` (1%) of what the fund received;
* B40 [建设工程质量保证金管理办法]: a project's retention withheld on
  ``Liabilities:QualityDeposit:<FUND>`` ≤ ``quality-deposit-max`` (3%) of its settlement
  (the ``settlement`` of its completed/accepted stage, else its total expenses);
* B40 (issue 15) [same 办法 第二条: 缺陷责任期一般为1年]: a release of the deposit
  (a debit of ``Liabilities:QualityDeposit:<FUND>``) comes after the defect-liability period:
  the accepted stage's ``defect_until``, else acceptance + ``defect-liability-months`` (12)
  − 1 day; an earlier release is a warning;
* B41 [local example]: a project's prepayments to ``Assets:Prepayment:<FUND>`` ≤
  ``prepayment-max`` (30%) of its contract (``contract_amount`` of its procured stage, else
  the approved budget).

Ratios are exact Decimal quotients compared unrounded, shown to 0.01%, half up. The
threshold is the one in force on the day checked: B10's, a fund's, on 31 December of its
budget year (or the day the books end, if earlier: :func:`fupin.shares.policy_for`); B40's
and B41's on the day of the project's last withholding or prepayment (the entry the finding
lands on) — a later policy change never judges money paid before it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from fupin.book import Book
from fupin.engine import Item, Rule, check, finding
from fupin.findings import CapError, Severity
from fupin.households import add_months
from fupin.money import fmt_money, ratio
from fupin.shares import policy_for


def caps(book: Book) -> Iterator[Item]:
    """Management fee per fund; quality deposit and prepayment per project."""
    last = book.last_date
    if last is None:
        return
    funds, projects = book.funds, book.projects
    facts = book.facts

    for ident, totals in sorted(facts.funds.items()):
        fund = funds.get(ident)
        if fund is None:
            continue
        policy = policy_for(book, fund.budget_year, last)
        fee = totals.spent(None, (policy.mgmt_fee_category,))
        if not fee:
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
        policy = book.policy.at(anchor_txn.date)
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
        policy = book.policy.at(anchor_txn.date)
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


def deposit_releases(book: Book) -> Iterator[Item]:
    """B40: no quality deposit released before the defect-liability period ends."""
    stages = book.stages()
    seen: set[int] = set()
    for movement in book.movements:
        if movement.role != "deposit" or movement.amount <= 0 or not movement.project:
            continue
        if id(movement.entry) in seen:
            continue
        seen.add(id(movement.entry))
        own = stages.get(movement.project, [])
        accepted = next((s for s in own if s.stage == "accepted"), None)
        months = book.policy.at(movement.date).defect_liability_months
        if accepted is None:
            continue  # B35 reports a release before acceptance
        until = accepted.defect_until or (
            add_months(accepted.date, months) - datetime.timedelta(days=1)
        )
        if movement.date > until:
            continue
        project = book.projects.get(movement.project)
        label = project.describe() if project else f"[project {movement.project}]"
        key = "defect_until" if accepted.defect_until else "defect-liability-months"
        yield finding(
            CapError,
            "B40",
            f"质保金退还日 {movement.date} 在缺陷责任期内 (至 {until}; {key}"
            f"{'' if accepted.defect_until else f' {months} 个月'}) — {label}; 验收 "
            f"{accepted.date}, 退还 {fmt_money(movement.amount)} CNY",
            movement.entry,
            severity=Severity.WARNING,
            entity=movement.project,
            policy_key=key,
            value=str(movement.date),
            threshold=str(until),
        )


def cap_rules(book: Book) -> Iterator[Item]:
    yield from caps(book)
    yield from deposit_releases(book)


RULE = Rule(
    ("B10", "B40", "B41"),
    "管理费、质保金与预拨比例",
    "N-FUND2017 art. 9 (管理费 ≤1%); 建设工程质量保证金管理办法 (≤3%, 缺陷责任期1年); 预拨启动资金 local example (30%)",
    cap_rules,
)
