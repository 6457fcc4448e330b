"""L01–L03: 小额信贷 — caps on amount and term, an eligible borrower, 贴息 within its share.

Loans, their events and the postings naming them: :mod:`fupin.microcredit`. Checked
([N-LOAN]; DOMAIN C.5, K row 14 "22.12亿 loans and 贴息 not per rules"):

* L01 a loan is ≤ ``loan-amount-max`` (50,000.00) and its term (with extensions) ≤
  ``loan-term-max-months`` (36), with the policy in force on its start; the cap is per
  household ("5万元以下" 每户): on a loan's start, it and the household's other loans not
  yet repaid (结清 on that day or before) add up to at most the cap;
* L02 the borrower is a household of the register with a status in
  ``loan-eligible-statuses`` on the start date (books without a register: a warning per
  loan, its borrower cannot be checked); a loan naming its borrower ``member`` is to a
  member of ``loan-borrower-age-min``–``loan-borrower-age-max`` (18–65) full years of age
  on the start date, read from the register's ID number (none there: a warning);
* L03 every interest-subsidy posting (``loan-subsidy-accounts``) names a known loan; per loan
  and interest year, Σ subsidy ≤ share × interest, the share in force on each day the
  interest accrued (``loan-subsidy-share`` once set, else the dated default
  ``loan-subsidy-shares``: 100% to 2023-12-31, 70% from 2024-01-01; DOMAIN C.5), the interest
  being the bank's stated ``interest`` (at most the contract interest: Σ amount × rate ×
  days / ``loan-interest-days`` over the segments of one rate — the rate is the loan's, then
  each ``rate`` event's from its day — rounded once to the cent half up), else the contract
  interest; a stated interest is split into parts of one calendar year and one share (its
  period ``interest_from``/``interest_to``, else the loan's days of the interest year; by
  rate × days), the share of each part rounded to the cent (half up) and the year's limit
  their sum, so a county paying exactly 70% of each quarter is never a fen over; no subsidy
  for a year outside the loan's life. A risk-compensation posting (``loan-compensation-accounts``) names its loan,
  follows an ``overdue`` event of it, and all of them together stay ≤ the largest overdue
  amount recorded by the day paid (风险补偿金 covers a loss, never more than is overdue).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from fupin.book import Book
from fupin.engine import Item, Rule, check, finding
from fupin.findings import Severity
from fupin.households import STATUSES, Household, RegisterRef, book_register
from fupin.microcredit import (
    Loan,
    LoanError,
    LoanState,
    Payment,
    ShareOn,
    age_on,
    birth_date,
    cap_spans,
    interest_cap,
    interest_parts,
    loan_book,
    over_year,
    share_changes,
    share_on,
    subsidy_limit,
)
from fupin.money import ZERO, fmt_money, fmt_pct

if TYPE_CHECKING:
    from beancount.core.data import Directive

    from fupin.policy import Policy


def caps(book: Book, state: LoanState) -> Iterator[Item]:
    """L01: amount and term caps."""
    loan = state.loan
    policy = book.policy.at(loan.begins)
    entry = book.entry_of(loan)
    yield from check(
        LoanError,
        rule="L01",
        title="小额信贷单户金额",
        scope=f"loan {loan.id}",
        value=loan.amount,
        op="<=",
        threshold=policy.loan_amount_max,
        policy_key="loan-amount-max",
        entity=loan.id,
        label=loan.describe(),
        inputs=f"{loan.begins} 放款",
        entry=entry,
        year=loan.begins.year,
    )
    months = loan.term + state.extended
    yield from check(
        LoanError,
        rule="L01",
        title="小额信贷期限(月)",
        scope=f"loan {loan.id}",
        value=months,
        op="<=",
        threshold=policy.loan_term_max_months,
        unit="count",
        policy_key="loan-term-max-months",
        entity=loan.id,
        label=loan.describe(),
        inputs=f"合同 {loan.term} 个月"
        + (f" + 展期 {state.extended} 个月" if state.extended else ""),
        entry=entry,
        year=loan.begins.year,
    )


def household_total(book: Book, state: LoanState, others: list[LoanState]) -> Iterator[Item]:
    """L01: on a loan's start, the household's loans not repaid by then stay ≤ the cap."""
    loan = state.loan
    day = loan.begins
    open_loans = [
        other
        for other in others
        if other.loan.id != loan.id
        and (other.loan.begins, other.loan.id) <= (day, loan.id)
        and other.repaid_on(day) is None
    ]
    if not open_loans:
        return
    total = loan.amount + sum((o.loan.amount for o in open_loans), ZERO)
    yield from check(
        LoanError,
        rule="L01",
        title="小额信贷同户在贷合计",
        scope=f"household {loan.borrower} {day}",
        value=total,
        op="<=",
        threshold=book.policy.at(day).loan_amount_max,
        policy_key="loan-amount-max",
        entity=loan.id,
        label=loan.describe(),
        inputs=f"{day} 放款 {fmt_money(loan.amount)} + 未结清 "
        + ", ".join(f"{o.loan.id} {fmt_money(o.loan.amount)}" for o in open_loans),
        entry=book.entry_of(loan),
        year=day.year,
    )


def borrower(book: Book, state: LoanState) -> Iterator[Item]:
    """L02: the borrower is an eligible household on the start date."""
    register = book_register(book)
    loan = state.loan
    entry = book.entry_of(loan)
    if register is None:
        why = (
            "农户信息库无法读取或校验失败 (见 C08)"
            if book.all(RegisterRef)
            else "账簿未登记农户信息库 (household-register)"
        )
        yield finding(
            LoanError,
            "L02",
            f"{why}, 借款农户资格无从核对 — {loan.describe()}",
            entry,
            severity=Severity.WARNING,
            entity=loan.id,
        )
        return
    household = register.households.get(loan.borrower)
    if household is None:
        yield finding(
            LoanError, "L02", f"借款农户不在农户信息库 — {loan.describe()}", entry, entity=loan.id
        )
        return
    policy = book.policy.at(loan.begins)
    yield from _age(loan, household, policy, entry)
    statuses = policy.loan_eligible_statuses
    status = household.status_on(loan.begins)
    if status not in statuses:
        yield finding(
            LoanError,
            "L02",
            f"放款日 {loan.begins} 借款农户状态 {STATUSES.get(status, status)} 不在 "
            f"({', '.join(statuses)}) (loan-eligible-statuses) — {loan.describe()}",
            entry,
            entity=loan.id,
            policy_key="loan-eligible-statuses",
        )


def _age(loan: Loan, household: Household, policy: Policy, entry: Directive) -> Iterator[Item]:
    """L02: the member a loan names is of age on its start date (18–65, both included)."""
    if loan.member is None:
        return
    member = household.member(loan.member)
    if member is None:
        yield finding(
            LoanError,
            "L02",
            f"借款人 member: {loan.member} 不是该户成员 — {loan.describe()}",
            entry,
            entity=loan.id,
        )
        return
    birth = birth_date(member.id_number)
    if birth is None:
        yield finding(
            LoanError,
            "L02",
            f"借款人 (成员{loan.member}) 在农户信息库无身份证号, 年龄 "
            f"({policy.loan_borrower_age_min}–{policy.loan_borrower_age_max} 周岁) 无从核对 — "
            f"{loan.describe()}",
            entry,
            severity=Severity.WARNING,
            entity=loan.id,
        )
        return
    age = age_on(birth, loan.begins)
    for op, bound, key in (
        (">=", policy.loan_borrower_age_min, "loan-borrower-age-min"),
        ("<=", policy.loan_borrower_age_max, "loan-borrower-age-max"),
    ):
        yield from check(
            LoanError,
            rule="L02",
            title="借款人放款日周岁",
            scope=f"loan {loan.id}",
            value=age,
            op=op,
            threshold=bound,
            unit="count",
            policy_key=key,
            entity=loan.id,
            label=loan.describe(),
            inputs=f"成员{loan.member}, 放款日 {loan.begins}",
            entry=entry,
            year=loan.begins.year,
        )


def subsidies(book: Book, state: LoanState) -> Iterator[Item]:
    """L03: per interest year, Σ subsidy ≤ share × interest; only inside the loan's life."""
    loan = state.loan
    by_year = state.subsidy_by_year()
    share = share_on(book)
    changes = share_changes(book)

    for year, paid in by_year.items():
        items = [p for p in state.subsidies if p.year == year]
        last = items[-1]
        policy = book.policy.at(datetime.date(year, 12, 31))
        if state.days_in(year) == 0:
            yield _at(
                last,
                f"{year}年不在贷款期 ({loan.begins} 至 {state.ends}) 内, 不应贴息 "
                f"{fmt_money(paid)} CNY — {loan.describe()}",
                loan.id,
            )
            continue
        limit, basis, stated = subsidy_limit(state, year, policy, share, changes)
        cap, days = interest_cap(state, year, policy)
        if stated and basis > cap:
            yield from check(
                LoanError,
                rule="L03",
                title=f"{year}年申报利息",
                scope=f"loan {loan.id} {year}",
                value=basis,
                op="<=",
                threshold=cap,
                policy_key="loan-interest-days",
                entity=loan.id,
                label=loan.describe(),
                inputs=f"合同利息 {_accrual_text(state, year, days, policy)}",
                meta=last.source,
                entry=last.spend.entry,
                year=year,
            )
        yield from check(
            LoanError,
            rule="L03",
            title=f"{year}年贴息",
            scope=f"loan {loan.id} {year}",
            value=paid,
            op="<=",
            threshold=limit,
            policy_key="loan-subsidy-share"
            if policy.loan_subsidy_share is not None
            else "loan-subsidy-shares",
            entity=loan.id,
            label=loan.describe(),
            inputs=_limit_inputs(state, year, basis, stated, (share, changes)),
            meta=last.source,
            entry=last.spend.entry,
            year=year,
        )


def compensations(book: Book, state: LoanState) -> Iterator[Item]:
    """L03: 风险补偿金代偿 only for an overdue loan, in all never above the largest overdue
    amount recorded by the day it is paid."""
    loan = state.loan
    paid = ZERO
    for payment in sorted(state.compensations, key=lambda p: p.spend.date):
        day = payment.spend.date
        overdue = [
            e.amount or loan.amount for e in state.events if e.event == "overdue" and e.date <= day
        ]
        paid += payment.amount
        if not overdue:
            yield _at(
                payment,
                f"风险补偿金代偿 {fmt_money(payment.amount)} CNY 前无逾期记录 "
                f'(loan-event "overdue") — {loan.describe()}',
                loan.id,
            )
            continue
        yield from check(
            LoanError,
            rule="L03",
            title="风险补偿金累计代偿",
            scope=f"loan {loan.id}",
            value=paid,
            op="<=",
            threshold=min(max(overdue), loan.amount),
            policy_key="loan-compensation-accounts",
            entity=loan.id,
            label=loan.describe(),
            inputs=f"截至 {day} 记录的最大逾期金额",
            meta=payment.source,
            entry=payment.spend.entry,
            year=day.year,
        )


def _limit_inputs(
    state: LoanState,
    year: int,
    basis: Decimal,
    stated: bool,
    shares: tuple[ShareOn, Sequence[datetime.date]],
) -> str:
    """How the year's limit was reached: the interest × share, part by part (a part per
    calendar year and share of a settlement's days)."""
    share, changes = shares
    parts: dict[tuple[int, Decimal], Decimal] = defaultdict(Decimal)
    if stated:
        for payment in state.subsidies:
            if payment.year == year:
                for part_year, part, value in interest_parts(payment, state, share, changes):
                    parts[(part_year, value)] += part
    else:
        for part_year, part, value in over_year(state, basis, year, share, changes):
            parts[(part_year, value)] += part
    if len(parts) < 2:
        value = next(iter(parts))[1] if parts else share(datetime.date(year, 12, 31))
        return (
            f"{'银行结息' if stated else '合同利息'} {fmt_money(basis)} × 贴息比例 {fmt_pct(value)}"
        )
    return ("银行结息 " if stated else "合同利息 ") + " + ".join(
        f"{y}年 {fmt_money(v)} × {fmt_pct(p)}" for (y, p), v in parts.items()
    )


def _accrual_text(state: LoanState, year: int, days: int, policy: Policy) -> str:
    """``50,000.00 × 3.65% × 366 / 360 天``; with rate changes each rate's days:
    ``50,000.00 × (3.65% × 100 + 3.45% × 266) / 360 天``."""
    loan = state.loan
    segments: dict[Decimal, int] = defaultdict(int)
    for first, last in cap_spans(state, year):
        for rate, count in state.rate_days(first, last):
            segments[rate] += count
    basis = policy.loan_interest_days
    if len(segments) < 2:
        rate = next(iter(segments)) if segments else loan.rate
        return f"{fmt_money(loan.amount)} × {fmt_pct(rate)} × {days} / {basis} 天"
    inner = " + ".join(f"{fmt_pct(rate)} × {count}" for rate, count in segments.items())
    return f"{fmt_money(loan.amount)} × ({inner}) / {basis} 天"


def loan_rules(book: Book) -> Iterator[Item]:
    """Every loan rule; postings naming no known loan."""
    loans = loan_book(book)
    by_household: dict[str, list[LoanState]] = defaultdict(list)
    for state in loans.loans.values():
        by_household[state.loan.borrower].append(state)
    for state in loans.loans.values():
        yield from caps(book, state)
        yield from household_total(book, state, by_household[state.loan.borrower])
        yield from borrower(book, state)
        yield from subsidies(book, state)
        yield from compensations(book, state)
        for payment in (*state.subsidies, *state.compensations):
            if payment.problem:
                yield _at(payment, f"{payment.problem} — {state.loan.describe()}", state.loan.id)
    invalid = book.invalid.get("loan", frozenset())
    for payment in loans.unmatched:
        if payment.loan in invalid:
            continue
        yield _at(
            payment,
            f"贴息/风险补偿支出未引用已登记的贷款 (loan: {payment.loan or '无'}) — "
            f"{book.account_label(payment.spend.account)} {fmt_money(payment.amount)} CNY",
            str(payment.loan or ""),
        )


def _at(payment: Payment, text: str, entity: str) -> LoanError:
    """An L03 error at the posting's own line."""
    return LoanError(
        payment.source, f"L03 error: {text}", payment.spend.entry, rule="L03", entity=entity
    )


RULE = Rule(
    ("L01", "L02", "L03"),
    "小额信贷: 额度、期限、借款对象与贴息比例",
    "N-LOAN (5万元以下、3年期以内、财政贴息, 青阳县 2023年底前全额贴息、2024—2025年按70%贴息); DOMAIN K14",
    loan_rules,
)
