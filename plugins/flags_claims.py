"""Red flags on claims and payees: duplicates (K2), unknown individuals (K6), flat handouts (K9).

* **K2 虚报冒领** [DOMAIN K2]: (a) a ``voucher`` (记账凭证号) or ``invoice`` (发票号) number
  on two or more transactions is an error at each repeat; (b) one household paid the same
  amount twice under one benefit account (the subsidy code) for one member and period is an
  error at the repeat. The period is the payment's ``period`` metadata (e.g. ``"2022-03"``
  for a monthly post), else its ``year``, else its calendar year; accounts with a component
  in ``duplicate-exempt-accounts`` (incremental chronic-disease claims) are skipped.
  (2c, a roll ≠ its bank debit, is issue 4's reconciliation; 2d, a payee outside the
  register, is issue 6's C06.)
* **K6 个人侵占** [DOMAIN K6a]: a payment from a restricted fund marked
  ``payee_type: "individual"`` must name a household of the register (``household``), a
  rostered worker (``worker``, a ``custom "worker"`` entry) or go to a contractor (the payee
  is a project's contractor or a contract's vendor); otherwise an error.
* **K9 平均主义** [DOMAIN K9]: industry money (``industry-categories``) paid to a household
  needs a ``basis`` naming 务工, 奖补 or 分红 (``household-basis-values``), else a warning; a
  distribution (one day, one account, one project or asset) paying ``flat-payout-min-count``
  or more households the identical amount, without "平均" in its narration, is a warning
  (一发了之).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar

from beancount.core.data import Transaction
from fupin.plugins.flags_common import flag, policy_on, red_flag_rule, spend_index
from fupin.plugins.flags_projects import Contract

from fupin.book import Book, Spend
from fupin.engine import Item
from fupin.entities import Entity
from fupin.findings import Severity
from fupin.money import fmt_money


class Worker(Entity):
    """A worker on a project's labour roster (务工花名册): ``custom "worker" "<ID>"`` (K6)."""

    kind: ClassVar[str] = "worker"
    label: ClassVar[str] = "务工人员"
    refs: ClassVar[dict[str, str]] = {"project": "project", "household": "household"}

    id: str  # pseudonymous, e.g. W-LL-001
    project: str | None = None
    household: str | None = None
    role: str | None = None  # 务工 | 公益岗位 | 护林员 …
    until: datetime.date | None = None
    note: str | None = None

    def describe(self) -> str:
        return f"{self.role or '务工'} [worker {self.id}]"


def duplicates(book: Book) -> Iterator[Item]:
    """K2: repeated voucher/invoice numbers; one household paid twice for one code and period."""
    for key, name in (("voucher", "记账凭证号"), ("invoice", "发票号")):
        for number, txns in book.repeated(key).items():
            first = txns[0]
            for txn in txns[1:]:
                amount = _outflow(txn)
                yield flag(
                    "K2",
                    f"{name}重复 {number} ({len(txns)} 笔) — 首次 {first.date} "
                    f"{first.narration}; 本笔 {fmt_money(amount)} CNY",
                    txn,
                    entity=str(number),
                    amount=amount,
                    policy_key=key,
                )
    seen: dict[tuple[str, str, str, str, Decimal], Spend] = {}
    at = policy_on(book)
    # whether an account's payments are checked, per policy snapshot: the category is the
    # account's second component, the snapshot the one in force on the day
    verdicts: dict[datetime.date, dict[str, bool]] = {}
    by_policy: dict[int, dict[str, bool]] = {}
    # a correction's reversal (fupin.corrections) takes its original back: the re-post that
    # follows is the payment, not a second one
    index = spend_index(book)
    reversals = index.reversals
    paid = index.to_households
    if reversals:
        paid = sorted([*paid, *reversals], key=lambda s: (s.date, s.amount >= 0))
    for spend in paid:
        account = spend.account
        checked = verdicts.get(spend.date)
        if checked is None:
            policy = at(spend.date)
            checked = verdicts[spend.date] = by_policy.setdefault(id(policy), {})
        verdict = checked.get(account)
        if verdict is None:
            policy = at(spend.date)
            verdict = checked[account] = spend.category in policy.household_categories and not (
                set(account.split(":")) & set(policy.duplicate_exempt_accounts)
            )
        if not verdict:
            continue
        own = spend.posting_meta
        txn_meta = spend.entry.meta
        if own is None or own.keys() == _LOCATION:  # the posting carries its location only
            member = txn_meta.get("member")
            period = txn_meta.get("period") or txn_meta.get("year") or spend.date.year
        else:
            member = own.get("member", txn_meta.get("member"))
            period = (
                own.get("period", txn_meta.get("period"))
                or own.get("year", txn_meta.get("year"))
                or spend.date.year
            )
        household, amount = spend.household, spend.amount
        reversal = bool(reversals) and amount < 0
        key4 = (
            household if type(household) is str else str(household),
            account,
            str(member) if member else "",
            period if type(period) is str else str(period),
            -amount if reversal else amount,
        )
        if reversal:
            seen.pop(key4, None)
            continue
        earlier = seen.get(key4)
        if earlier is None:
            seen[key4] = spend
            continue
        yield flag(
            "K2",
            f"同一农户同一补助科目同期重复领取 {fmt_money(spend.amount)} CNY — "
            f"[household {spend.household}] {book.account_label(spend.account)}, 期间 {period}"
            + (f", 成员 {member}" if member else "")
            + f"; 首次 {earlier.date}",
            spend.entry,
            entity=str(spend.household),
            amount=spend.amount,
            meta=_source(spend),
        )


_LOCATION = frozenset(("filename", "lineno"))


def _meta(spend: Spend, key: str) -> object:
    own = spend.posting_meta or {}
    return own.get(key, spend.entry.meta.get(key))


def _source(spend: Spend) -> dict[str, Any]:
    own = spend.posting_meta or {}
    return own if own.get("lineno") else spend.entry.meta


def _outflow(txn: Transaction) -> Decimal:
    return sum(
        (p.units.number for p in txn.postings if p.units and p.units.number and p.units.number > 0),
        Decimal(0),
    )


def _contractors(book: Book) -> set[str]:
    names = {c.vendor for c in book.all(Contract)}
    for stages in book.stages().values():
        names.update(s.contractor for s in stages if s.contractor)
    return names


def individuals(book: Book) -> Iterator[Item]:
    """K6: money to individuals who are not registered households, rostered workers or contractors."""
    from fupin.benefits import register_of

    funds = book.funds
    contractors: set[str] | None = None
    workers = book.by_id(Worker)
    register = None
    register_loaded = False
    seen: set[int] = set()
    for spend in spend_index(book).with_payee_type:
        txn = spend.entry
        payee_type = txn.meta.get("payee_type")
        if payee_type is None or id(txn) in seen:
            continue
        fund = funds.get(spend.fund or "")
        if fund is None or not fund.restricted:
            continue
        policy = book.policy.at(spend.date)
        if str(payee_type) not in policy.individual_payee_types:
            continue
        seen.add(id(txn))
        household = spend.household
        worker = _meta(spend, "worker")
        if household:
            if not register_loaded:
                try:
                    register = register_of(book)[0]
                except Exception:  # the register's own errors are C08's
                    register = None
                register_loaded = True
            if register is None or str(household) in register.households:
                continue
            why = f"农户 {household} 不在农户信息库"
        elif worker:
            if str(worker) in workers:
                continue
            why = f"务工人员 {worker} 不在花名册"
        else:
            if contractors is None:
                contractors = _contractors(book)
            if txn.payee in contractors:
                continue
            why = "未注明登记农户(household)、花名册人员(worker), 也不是项目承包方"
        amount = _outflow(txn)
        yield flag(
            "K6",
            f"扶贫资金支付给个人 {fmt_money(amount)} CNY — {fund.describe()}; {why}; "
            f"收款人 {txn.payee or '?'}",
            txn,
            entity=str(household or worker or txn.payee or ""),
            amount=amount,
            policy_key="individual-payee-types",
        )


def flat_handouts(book: Book) -> Iterator[Item]:
    """K9: industry money handed to households without a basis, or in identical amounts."""
    groups: dict[tuple[datetime.date, str, str], list[Spend]] = defaultdict(list)
    at = policy_on(book)
    for spend in spend_index(book).to_households:
        policy = at(spend.date)
        if spend.category not in policy.industry_categories:
            continue
        basis = str(_meta(spend, "basis") or "")
        asset = _meta(spend, "asset")
        groups[(spend.date, spend.account, str(spend.project or asset or ""))].append(spend)
        if not any(word in basis for word in policy.household_basis_values):
            yield flag(
                "K9",
                f"产业资金直接发放到户 {fmt_money(spend.amount)} CNY 无务工/奖补/分红依据 "
                f"(basis{': ' + basis if basis else ' 缺失'}; household-basis-values) — "
                f"[household {spend.household}] {book.account_label(spend.account)}",
                spend.entry,
                severity=Severity.WARNING,
                entity=str(spend.household),
                amount=spend.amount,
                policy_key="household-basis-values",
                meta=_source(spend),
            )
    for (day, account, subject), items in groups.items():
        policy = book.policy.at(day)
        amount, count = Counter(s.amount for s in items).most_common(1)[0]
        if count < policy.flat_payout_min_count:
            continue
        if any("平均" in (s.entry.narration or "") for s in items):
            continue
        total = sum((s.amount for s in items), Decimal(0))
        yield flag(
            "K9",
            f"{count} 户领取相同金额 {fmt_money(amount)} CNY ≥ {policy.flat_payout_min_count} 户 "
            f"(flat-payout-min-count) — {book.account_label(account)} {subject}; "
            f"合计 {fmt_money(total)} CNY, {day}, 方案未写明平均分配",
            items[0].entry,
            severity=Severity.WARNING,
            entity=str(subject),
            amount=total,
            threshold=policy.flat_payout_min_count,
            policy_key="flat-payout-min-count",
        )


RULES = (
    red_flag_rule("K2", duplicates),
    red_flag_rule("K6", individuals),
    red_flag_rule("K9", flat_handouts),
)
