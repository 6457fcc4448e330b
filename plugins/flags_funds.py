"""Red flags on the money itself: idle funds (K1), money lent out or moved (K3), slow transfer (K19).

* **K1 资金闲置** [DOMAIN K1]: each fund's receipts (``Income:Fund:<FUND>:*``) are aged FIFO
  against its uses. A *use* is what leaves the fund's reach: an expense (the full settlement,
  including a quality deposit withheld, which is then owed on ``Liabilities:QualityDeposit``
  and is not idle), a prepayment, a loan, a transfer to a non-fund account. Paying back a
  deposit or moving money between the fund's own accounts uses nothing. What remains
  unspent on the ledger's last date is the youngest receipts; any part older than
  ``idle-warn-months`` is a warning, older than ``idle-error-months`` an error (one finding
  per fund, anchored at the oldest idle receipt).
* **K3 挤占挪用** [DOMAIN K3]: restricted money moved to a loan account (``Assets:Receivable``,
  ``Loan``, ``OtherReceivable``, fund-named or not) without a ``project``, or to the agency's
  own operating account (a component in ``agency-accounts``), is an error. (B24 reports every
  move to a non-fund account as an earmark breach; K3 names the audit pattern.)
* **K19 拨付滞留** [DOMAIN K19]: money that arrives on an intermediate level's account of a
  fund (``Assets:Township|Agency|Transit:…:<FUND>``) must move on within ``transfer-days``;
  each account is aged FIFO, a lot that stayed longer (or is still there on the last date)
  is a warning. A receipt marked ``direct_fund: TRUE`` (直达资金) passing through such an
  account is an error.
"""

from __future__ import annotations

import datetime
from collections import defaultdict, deque
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from beancount.core.data import Transaction
from fupin.plugins.flags_common import (
    RedFlag,
    add_months,
    flag,
    months_between,
    red_flag_rule,
)

from fupin.book import RECEIVABLE_KINDS, Book
from fupin.day_windows import calendar_gap
from fupin.engine import Item, check
from fupin.findings import Severity
from fupin.money import ZERO, fmt_money
from fupin.workdays import CalendarGap


def idle_funds(book: Book) -> Iterator[Item]:
    """K1: unspent receipts older than the policy's months on the ledger's last date."""
    last = book.last_date
    if last is None:
        return
    policy = book.policy.at(last)
    funds = book.funds
    for ident, held in book.facts.funds.items():
        own = held.receipts
        if not own:
            continue
        fund = funds.get(ident)
        if fund is not None and fund.family not in policy.idle_families:
            continue
        aged = held.idle(last)
        received, left = aged.received, aged.left
        warn_before = add_months(last, -policy.idle_warn_months)
        error_before = add_months(last, -policy.idle_error_months)
        over_error = aged.older_than(error_before)
        over_warn = aged.older_than(warn_before)
        oldest = aged.oldest
        label = fund.describe() if fund else f"[fund {ident}]"
        inputs = f"到位 {fmt_money(received)} − 使用 {fmt_money(received - left)} CNY"
        if oldest is not None:
            inputs += (
                f"; 最早未用 {oldest.date} 到位"
                f"{_doc(oldest.entry)}, 截至 {last} 账龄 {months_between(oldest.date, last)} 个月"
            )
        anchor = oldest.entry if oldest is not None else own[0].entry
        year = fund.budget_year if fund else own[0].date.year
        yield from check(
            RedFlag,
            rule="K1",
            title=f"资金闲置 超过{policy.idle_error_months}个月未支出余额",
            scope=f"fund {ident}",
            value=over_error,
            op="<=",
            threshold=ZERO,
            policy_key="idle-error-months",
            entity=ident,
            label=label,
            inputs=inputs,
            entry=anchor,
            year=year,
        )
        yield from check(
            RedFlag,
            rule="K1",
            title=f"资金闲置 超过{policy.idle_warn_months}个月未支出余额",
            scope=f"fund {ident}",
            value=over_warn,
            op="<=",
            threshold=ZERO,
            severity=Severity.WARNING,
            policy_key="idle-warn-months",
            entity=ident,
            label=label,
            inputs=inputs,
            entry=anchor,
            year=year,
            report=over_error == 0,
        )


def _doc(txn: Transaction) -> str:
    doc = txn.meta.get("alloc_doc")
    return f" ({doc})" if doc else ""


def misappropriation(book: Book) -> Iterator[Item]:
    """K3: restricted money lent out, or moved to the agency's own operating account."""
    funds = book.funds
    for move in book.movements:
        fund = funds.get(move.fund or "")
        if fund is None or not fund.restricted or move.amount <= 0:
            continue
        parts = set(move.account.split(":")[1:])
        policy = book.policy.at(move.date)
        if move.role == "receivable" or (move.role == "general" and parts & set(RECEIVABLE_KINDS)):
            if move.project:
                continue
            what, key = "专款对外出借", ""
        elif move.role == "general" and parts & set(policy.agency_accounts):
            what, key = "专款转入单位经费账户", "agency-accounts"
        else:
            continue
        yield flag(
            "K3",
            f"{what} {fmt_money(move.amount)} CNY 转入 {book.account_label(move.account)} — "
            f"{fund.describe()}; 收款方 {move.entry.payee or '?'}",
            move.entry,
            entity=fund.id,
            amount=move.amount,
            policy_key=key,
        )


def transfer_delay(book: Book) -> Iterator[Item]:
    """K19: days money stays on an intermediate level's account before it moves on."""
    last = book.last_date
    if last is None:
        return
    direct = {r.fund for r in book.receipts if r.entry.meta.get("direct_fund") is True}
    lots: dict[str, deque[list[Any]]] = defaultdict(deque)  # account → [date, amount, entry]
    worst: dict[str, tuple[int, Decimal, Transaction]] = {}
    gaps: list[Item] = []
    flagged_direct: set[str] = set()
    funds = book.funds

    def late(
        account: str,
        arrived: datetime.date,
        left: datetime.date,
        amount: Decimal,
        entry: Transaction,
    ) -> None:
        window = book.policy.at(arrived).transfer_days
        try:
            days = window.elapsed(arrived, left)
        except CalendarGap as gap:
            gaps.extend(calendar_gap(book, gap, "transfer-days", arrived, account))
            return
        if days > window.days:
            prev = worst.get(account)
            if prev is None or days > prev[0]:
                worst[account] = (days, amount + (prev[1] if prev else ZERO), entry)
            else:
                worst[account] = (prev[0], prev[1] + amount, prev[2])

    for move in book.movements:
        if move.role != "transit":
            continue
        queue = lots[move.account]
        if move.amount > 0:
            queue.append([move.date, move.amount, move.entry])
            if move.fund in direct and move.fund not in flagged_direct:
                flagged_direct.add(move.fund or "")
                fund = funds.get(move.fund or "")
                yield flag(
                    "K19",
                    f"直达资金经中间账户 {book.account_label(move.account)} 中转 "
                    f"{fmt_money(move.amount)} CNY — {fund.describe() if fund else move.fund}",
                    move.entry,
                    entity=move.fund or "",
                    amount=move.amount,
                )
            continue
        out = -move.amount
        while out > 0 and queue:
            lot = queue[0]
            part = min(lot[1], out)
            late(move.account, lot[0], move.date, part, lot[2])
            lot[1] -= part
            out -= part
            if lot[1] <= 0:
                queue.popleft()
    for account, queue in lots.items():
        for arrived, amount, entry in queue:
            if amount > 0:
                late(account, arrived, last, amount, entry)

    yield from gaps
    for account, (days, amount, entry) in worst.items():
        info = book.accounts.get(account)
        fund_id = info.fund if info else ""
        window = book.policy.at(entry.date).transfer_days
        unit = "个工作日" if window.working else "天"
        yield flag(
            "K19",
            f"资金在中间账户停留 {days} {unit} > {window} (transfer-days) — "
            f"{book.account_label(account)} [fund {fund_id}]; 滞留金额 {fmt_money(amount)} CNY, "
            f"{entry.date} 到账",
            entry,
            severity=Severity.WARNING,
            entity=fund_id or "",
            amount=amount,
            threshold=window.days,
            policy_key="transfer-days",
        )


RULES = (
    red_flag_rule("K1", idle_funds),
    red_flag_rule("K3", misappropriation),
    red_flag_rule("K19", transfer_delay),
)
