"""B01: a fund's contributions by source match its declared shares.

A fund declares ``total`` and ``shares`` (e.g. the seed's district special fund,
[seed 000_33b9fa698911b5ee.txt]: 1,000,000 yuan = 70% government, 20% raised, 10% donations)::

    2021-01-05 custom "fund" "SF-KDL"
      name: "区专项扶贫基金"
      family: "special_fund"
      total: 1000000.00 CNY
      shares: "Government=0.70 Raised=0.20 Donation=0.10"
      close: 2021-12-31

Receipts post to ``Income:Fund:SF-KDL:<Source>``. Checked, with ``fund-split-tolerance``
(default 0.00) and each expected amount = share × base rounded half-up to the cent:

* on every date: no source has given more than share × total — a breach lands on the
  receipt with which the source went over;
* on the close date: each source has given exactly share × total — one finding naming
  every source that is off and by how much, on the receipt that broke the split (the one
  that took a source over its part, else the last receipt before the close); a source over
  its part there is not reported a second time. While the books end before the close date
  the check has not run: a warning says so, and each source shows 未到位 / 应到;
* on each ``custom "fund-check" "SF-KDL"`` date: each source's part of what has arrived is
  its share of it (share × received so far), one finding per check.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from decimal import Decimal

from beancount.core.data import Directive

from fupin.book import Book, Receipt
from fupin.engine import Item, Rule, check, finding
from fupin.entities import Fund, FundCheck
from fupin.findings import FundShareError, Severity
from fupin.money import ZERO, fmt_money, q2

TITLE = "资金来源构成"


def fund_split(book: Book) -> Iterator[Item]:
    """Compare each fund's receipts by source with its declared shares."""
    checks: dict[str, list[FundCheck]] = {}
    for fund_check in book.all(FundCheck):
        checks.setdefault(fund_check.fund, []).append(fund_check)
    last = book.last_date or datetime.date.max
    funds = book.funds

    for ident in checks.keys() - funds.keys():
        yield finding(
            FundShareError,
            "B01",
            f"资金来源核对引用了不存在的资金 [fund {ident}]",
            book.entry_of(checks[ident][0]),
            entity=ident,
        )
    for fund in funds.values():
        if fund.shares and fund.total is not None:
            yield from _fund(book, fund, checks.get(fund.id, []), last)


def _fund(
    book: Book, fund: Fund, checks: Sequence[FundCheck], last: datetime.date
) -> Iterator[Item]:
    facts = book.facts.fund(fund.id)
    shares, total = fund.shares or {}, fund.total or ZERO
    tol = book.policy.at(min(fund.close or last, last)).fund_split_tolerance
    entry = book.entry_of(fund)
    own = facts.receipts
    now = facts.sources()
    for source in sorted(now.keys() - shares.keys()):
        bad = next(r for r in own if r.source == source)
        yield finding(
            FundShareError,
            "B01",
            f"来源 {source} 不在声明的出资构成内 ({', '.join(shares)}) — {fund.describe()}; "
            f"收到 {fmt_money(now[source])} CNY",
            bad.entry,
            entity=fund.id,
        )
    names = {s: book.account_name(f"Income:Fund:{fund.id}:{s}") for s in shares}
    caps = {s: fund.declared(s) or ZERO for s in shares}
    crossing = {s: _crossing(own, s, caps[s] + tol) for s in shares}
    closed = fund.close is not None and fund.close <= last

    close_wrong: set[str] = set()
    at_close: dict[str, Decimal] = {}
    if closed and fund.close is not None:
        at_close = facts.sources(fund.close)
        wrong = _off(shares, at_close, caps, tol)
        close_wrong = set(wrong)
        anchor = _anchor(own, wrong, crossing, fund.close) or entry
        yield from _split_rows(book, fund, fund.close, at_close, caps, "总额", total, tol, anchor)
        if wrong:
            yield _breach(fund, fund.close, wrong, at_close, caps, names, anchor, tol)

    for source, share in shares.items():
        given = now.get(source, ZERO)
        short = caps[source] - given
        note = (
            ""
            if closed or short <= 0
            else f"未到位 {fmt_money(short)} / 应到 {fmt_money(caps[source])}"
        )
        over = crossing[source]
        yield from check(
            FundShareError,
            rule="B01",
            title=f"{TITLE} {names[source]} 累计出资",
            scope=f"fund {fund.id}",
            value=given,
            op="<=",
            threshold=caps[source] + tol,
            policy_key="shares",
            entity=fund.id,
            label=fund.describe(),
            entry=over.entry if over is not None else entry,
            year=fund.budget_year,
            inputs=f"{source} 份额 {share} × 总额 {fmt_money(total)} CNY",
            note=note,
            report=source not in close_wrong,
        )
    if fund.close is not None and not closed:
        yield finding(
            FundShareError,
            "B01",
            f"结清日 {fund.close} 的来源构成核对尚未进行 (账簿截至 {last}) — {fund.describe()}; "
            + ", ".join(
                f"{names[s]} 已到位 {fmt_money(now.get(s, ZERO))} / 应到 {fmt_money(caps[s])}"
                for s in shares
            ),
            entry,
            severity=Severity.WARNING,
            entity=fund.id,
            policy_key="close",
        )

    for fund_check in checks:
        then = facts.sources(fund_check.date)
        received = sum(then.values(), ZERO)
        expected = {s: q2(share * received) for s, share in shares.items()}
        wrong = _off(shares, then, expected, tol)
        anchor = _anchor(own, wrong, {}, fund_check.date) or book.entry_of(fund_check)
        yield from _split_rows(
            book, fund, fund_check.date, then, expected, "已到位", received, tol, anchor
        )
        if wrong and not (close_wrong and then == at_close):  # the close finding says it
            yield _breach(fund, fund_check.date, wrong, then, expected, names, anchor, tol)


def _crossing(receipts: Sequence[Receipt], source: str, limit: Decimal) -> Receipt | None:
    """The receipt with which ``source``'s running total first exceeded ``limit``."""
    running = ZERO
    for receipt in receipts:
        if receipt.source == source:
            running += receipt.amount
            if running > limit:
                return receipt
    return None


def _off(
    shares: dict[str, Decimal], given: dict[str, Decimal], want: dict[str, Decimal], tol: Decimal
) -> list[str]:
    """The sources whose amount differs from what they owe by more than ``tol``."""
    return [s for s in shares if abs(given.get(s, ZERO) - want[s]) > tol]


def _anchor(
    receipts: Sequence[Receipt],
    wrong: list[str],
    crossing: dict[str, Receipt | None],
    day: datetime.date,
) -> Directive | None:
    """The receipt that broke the split: the first one that took a source over its part,
    else the last receipt of an off source on or before ``day``."""
    over = [r for s in wrong if (r := crossing.get(s)) is not None and r.date <= day]
    if over:
        return min(over, key=lambda r: r.date).entry
    late = [r for r in receipts if r.source in wrong and r.date <= day]
    return late[-1].entry if late else None


def _split_rows(
    book: Book,
    fund: Fund,
    day: datetime.date,
    given: dict[str, Decimal],
    want: dict[str, Decimal],
    base_name: str,
    base: Decimal,
    tol: Decimal,
    anchor: Directive,
) -> Iterator[Item]:
    """The compliance rows of a split check (their breach is one finding: :func:`_breach`)."""
    for source, share in (fund.shares or {}).items():
        yield from check(
            FundShareError,
            rule="B01",
            title=f"{TITLE} {book.account_name(f'Income:Fund:{fund.id}:{source}')} 截至{day}",
            scope=f"fund {fund.id}",
            value=given.get(source, ZERO),
            op="==",
            threshold=want[source],
            tolerance=tol,
            policy_key="fund-split-tolerance",
            entity=fund.id,
            label=fund.describe(),
            entry=anchor,
            year=fund.budget_year,
            inputs=f"{source} 份额 {share} × {base_name} {fmt_money(base)} CNY",
            report=False,
        )


def _breach(
    fund: Fund,
    day: datetime.date,
    wrong: list[str],
    given: dict[str, Decimal],
    want: dict[str, Decimal],
    names: dict[str, str],
    anchor: Directive,
    tol: Decimal,
) -> FundShareError:
    """One finding for one broken split, naming every source that is off and by how much."""
    parts = []
    off = ZERO
    for source in wrong:
        diff = given.get(source, ZERO) - want[source]
        off += abs(diff)
        way = "多" if diff > 0 else "少"
        parts.append(
            f"{names[source]} {fmt_money(given.get(source, ZERO))} 应 {fmt_money(want[source])} "
            f"({way} {fmt_money(abs(diff))})"
        )
    text = (
        f"B01 error: {TITLE} 截至{day} 与声明份额不符 (shares, fund-split-tolerance "
        f"{fmt_money(tol)}) — {fund.describe()}; {', '.join(parts)} CNY"
    )
    return FundShareError(
        anchor.meta,
        text,
        anchor,
        rule="B01",
        severity=Severity.ERROR,
        value=off,
        threshold=tol,
        entity=fund.id,
        policy_key="shares",
    )


RULE = Rule(("B01",), "资金来源构成 (70/20/10)", "seed 000_33b9fa698911b5ee.txt", fund_split)
