"""C01–C09: household benefits by formula, inside each household's eligibility window.

The ledger names its private household register (``fupin.households``) with
``custom "household-register" "<path>"``; the rules join every benefit payment to it by the
pseudonymous household id. Amounts and windows are dated policy (``fupin.policy``, issue 6
block). Accounts say what a payment is (docs/ledger-conventions.md, "Households and
benefits"):

* ``Expenses:Benefit:Education:<Stage>`` — 教育资助 [seed 000_33b9fa698911b5ee.txt], stage
  ``Preschool`` 1,500, ``Compulsory`` 2,000, ``SeniorSecondary`` 2,400 a year;
  ``UndergradNew`` 10,000 and ``CollegeNew`` 5,000 once;
* ``Expenses:Benefit:Medical:ChronicDisease`` — 慢性病救助 [seed 000], paid by the special fund;
* ``Expenses:Benefit:Medical:PremiumSubsidy`` — 医保个人缴费补贴 [seed 000], 130 × insured;
* ``Expenses:Insurance:AntiPoverty`` — 精准防贫保险 premium [seed 002], county-wide;
* any other ``Expenses:Benefit:*`` (公益岗位, 临时救助, …): naming and window checks only.

Payment metadata (on the posting, else on the transaction): ``household`` (``H-QS-001``),
``basis`` (文件/名单 the payment rests on), ``member`` (the member's ``seq``, for education and
medical aid), ``self_paid`` (a chronic-disease claim's in-catalogue self-paid costs),
``year`` (school or premium year; default the period's, else the payment's year),
``period`` (what a recurring or back-paid 补发 payment is for: ``2024-03``, ``2023``,
``2024-01..2024-02``; fupin.periods), ``rural_population`` (on the insurance premium).

Rules (a measure per year and rule; a finding per breach, at the posting's line):

* C01 annual education aid: Σ per student and year ≤ the stage's rate, and the register
  has the student at that stage that year;
* C02 one-off entry grant (本科/专科新生): ≤ the grant, in the entry year, never twice for one
  student;
* C03 chronic-disease aid, per person and calendar year, paid incrementally:
  ``due = q2(min(max(0, E − 3,000) × 50%, 15,000)) − paid so far`` where E is the person's
  cumulative in-catalogue self-paid costs of the year (Σ ``self_paid``); paying more is an
  error, named by what binds (``chronic-aid-rate``: the formula; ``chronic-aid-cap``: the
  cap), the person must be a chronic patient in the register;
* C04 premium subsidy: Σ per household and year ≤ ``medical-premium`` × insured members;
  a posting naming ``member``: Σ for that insured member ≤ ``medical-premium`` (issue 15);
* C05 anti-poverty insurance: Σ per year = round(rural population × 5%, half up) × 50;
* C06 eligibility: the household is in the register and, on the payment date, its status
  is in its kind's statuses (``benefit-kind-statuses``, else ``benefit-statuses``:
  registered, lifted, monitored, gradual exit; 渐退期 [seed 002] = the months after
  ``risk_cleared``: its last day is the day before ``date + months``); a kind of
  ``benefit-exit-kinds`` (低保) is not paid once the household's 渐退期 has run out, while
  education and medical aid continue (四个不摘; issue 15); a payment naming its ``period``
  is judged on that period instead (补发): a monthly kind (``other``: 低保, 公益岗位 …)
  needs an eligible day in each calendar month of it, education and medical kinds one in
  the period; a period beginning after the payment date is an error (不得预发);
* C07 every benefit payment names its household and its basis (and member where per person),
  and a ``year`` it names lies in its ``period``;
* C08 the register loads and validates, and each gradual exit lasts 6–12 months (12 for a
  低保 household with per-capita income ≤ 1.5 × ``dibao-standard``);
* C09 应享未享 (DOMAIN K row 13): by the end of each year the ledger covers, every eligible
  student got the stage's aid or grant, every eligible household's insured members their
  premium subsidy, and every chronic claim what it was due (``benefit-unpaid-severity``);
* C11 (DOMAIN K2b, shown under K2): a payment whose ``period`` overlaps a period already
  paid to the household (and member) on the same account, at the repeat.

A payment naming a period of several years (``2022..2023``) is compared with the formula
amount of each year (C01, C04), filled year by year, the last year taking the rest; the
amounts of a year come from the policy in force on the period's last day in that year.

Money is Decimal, amounts are quantized to the cent half up (fupin.money).
"""

from __future__ import annotations

import bisect
import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fupin.benefits import (
    ANNUAL_STAGES,
    DUE_KINDS,
    KIND_NAMES,
    ONE_OFF_STAGES,
    PER_MEMBER,
    Due,
    Payment,
    benefit_payments,
    chronic_aid,
    chronic_totals,
    dec31,
    due_unpaid,
    formula_amount,
    insured_people,
    meta_of,
    number_of,
    register_of,
    stage_rate,
    year_parts,
)
from fupin.book import Book
from fupin.engine import Item, Rule, check
from fupin.findings import BenefitError, Finding, Measure, Severity, breach_message
from fupin.households import (
    STAGE_NAMES,
    STATUSES,
    Household,
    Register,
    RegisterRef,
    benefit_kind_path,
    ends_with_exit,
    kind_statuses,
)
from fupin.money import ZERO, compare, fmt_money, q2
from fupin.periods import Period

if TYPE_CHECKING:
    from fupin.policy import Policy


# -- loading the register -----------------------------------------------------------------
# -- the rules -----------------------------------------------------------------------------
def _breach(
    rule: str,
    payment: Payment,
    value: Decimal,
    op: str,
    threshold: Decimal,
    key: str,
    text: tuple[str, str, str],
) -> Finding | None:
    """The finding for one payment whose ``value op threshold`` failed (title, label, inputs).

    Callers compare first, so the passing payments of a large roll cost one comparison and
    no message.
    """
    title, label, inputs = text
    for item in check(
        BenefitError,
        rule=rule,
        title=title,
        scope=f"household {payment.household}",
        value=value,
        op=op,
        threshold=threshold,
        unit="money",
        policy_key=key,
        entity=payment.household or "",
        label=label,
        inputs=inputs,
        meta=payment.source,
        entry=payment.spend.entry,
        year=payment.year,
    ):
        if isinstance(item, Finding):
            return item
    return None


def _text(rule: str, payment: Payment, text: str, *, key: str = "") -> Finding:
    return BenefitError(
        payment.source,
        f"{rule} error: {text}",
        payment.spend.entry,
        rule=rule,
        severity=Severity.ERROR,
        entity=payment.household or "",
        policy_key=key,
    )


def _label(household: Household | None, payment: Payment) -> str:
    if household is None:
        return f"[household {payment.household}]"
    who = f" 成员{payment.member}" if payment.member is not None else ""
    return f"{household.township}{household.village}{who} [household {household.id}]"


def _where(book: Book, payment: Payment) -> str:
    return f"{book.account_label(payment.spend.account)} {fmt_money(payment.amount)} CNY"


def benefit_rules(book: Book) -> Iterator[Item]:
    """Run C01–C09 over the book's benefit payments and its register."""
    register, ref, problem = register_of(book)
    if problem is not None:
        yield problem
    paid = benefit_payments(book)
    breaches: dict[tuple[str, int], int] = defaultdict(int)
    found: list[tuple[int, Finding]] = [
        (item.entry.date.year if item.entry is not None else 0, item)
        for item in (*_check_all(book, register, paid), *_repeats(book, paid))
    ]
    if register is not None:
        found += _windows(book, register)
        chronic = chronic_totals(book, paid)
        found += _unpaid(book, register, paid, chronic)
    for year, finding in found:
        breaches[(finding.rule, year)] += 1
        yield finding
    anchor = book.meta_of(ref) if ref is not None else None
    for year in sorted({p.year for p in paid}):
        severity = book.policy.at(dec31(year)).benefit_unpaid_severity
        for rule, title in SUMMARY.items():
            count = breaches[(rule, year)]
            yield Measure(
                rule=rule,
                title=title,
                scope=f"{year}年度",
                value=count,
                op="<=",
                threshold=0,
                ok=count == 0,
                severity=str(severity if rule == "C09" else Severity.ERROR),
                unit="count",
                source=anchor,
                year=year,
            )


SUMMARY = {
    "C01": "教育资助超标准或学段不符笔数",
    "C02": "一次性入学补助重复或超标准笔数",
    "C03": "慢性病救助超付笔数",
    "C04": "医保缴费补贴超标准笔数",
    "C05": "防贫保险保费不符笔数",
    "C06": "享受资格期外支付笔数",
    "C07": "未注明农户、成员或依据的到户支出笔数",
    "C08": "渐退期不合规户数",
    "C09": "应享未享项数",
    "C11": "同一期间重复发放笔数",
}


def _check_all(book: Book, register: Register | None, paid: Sequence[Payment]) -> Iterator[Finding]:
    households = register.households if register is not None else {}
    annual: dict[tuple[str, int, int], Decimal] = defaultdict(Decimal)
    grants: dict[tuple[str, int], list[Payment]] = defaultdict(list)
    chronic: dict[tuple[str, int, int], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    premium: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    per_person: dict[tuple[str, int, int], Decimal] = defaultdict(Decimal)
    insurance: dict[int, list[Payment]] = defaultdict(list)
    insured_of: dict[str, int] = {}

    policies: dict[datetime.date, Policy] = {}
    spans: dict[str, tuple[datetime.date, datetime.date, str]] = {}
    paths: dict[str, str | None] = {}  # account → benefit kind path, once per account
    #: (policy snapshot, kind path) → the statuses it is paid in, whether it ends with 渐退期
    kinds: dict[tuple[int, str | None], tuple[tuple[str, ...], bool]] = {}
    for payment in paid:
        day = payment.spend.date
        policy = policies.get(day)
        if policy is None:
            policy = policies[day] = book.policy.at(day)
        if payment.kind == "insurance":
            insurance[payment.year].append(payment)
            continue
        # C07: every payment names household, basis and (per person) member
        missing = (
            [
                name
                for name, value in (
                    ("household", payment.household),
                    ("basis", payment.basis),
                    ("member", payment.member if payment.kind in PER_MEMBER else 0),
                )
                if value is None
            ]
            if payment.household is None
            or payment.basis is None
            or (payment.member is None and payment.kind in PER_MEMBER)
            else None
        )
        if missing:
            what = " ".join(missing)
            if missing == ["member"] and payment.raw_member is not None:
                what = f"有效成员序号 (member: {payment.raw_member!r})"
            yield _text(
                "C07",
                payment,
                f"到户支出未注明 {what} — {_label(None, payment)}; {_where(book, payment)}",
            )
        period = payment.period
        if period is not None and payment.stated_year not in (None, *period.years):
            yield _text(
                "C07",
                payment,
                f"year {payment.stated_year} 不在所付期间 period {period} ({period.start} 至 "
                f"{period.end}) 内 — {_label(None, payment)}; {_where(book, payment)}",
            )
        if register is None or payment.household is None:
            continue
        household = households.get(payment.household)
        # C06: in the register and inside its window on the payment date
        if household is None:
            yield _text(
                "C06",
                payment,
                f"农户不在农户信息库 — [household {payment.household}]; {_where(book, payment)}",
            )
            continue
        span = spans.get(household.id)
        if span is not None and span[0] <= day < span[1]:
            status = span[2]
        else:
            status = _status_on(household, day, spans)
        account = payment.spend.account
        kind_path = paths.get(account, "")
        if kind_path == "":
            kind_path = paths[account] = benefit_kind_path(account)
        rules = kinds.get((id(policy), kind_path))
        if rules is None:
            rules = kinds[(id(policy), kind_path)] = (
                kind_statuses(policy, kind_path),
                ends_with_exit(policy, kind_path),
            )
        statuses, exits = rules
        key = "benefit-statuses" if statuses is policy.benefit_statuses else "benefit-kind-statuses"
        if period is not None and period.start > day:
            yield _text(
                "C06",
                payment,
                f"付款日 {payment.date} 早于所付期间 {period} 的起日 {period.start}: 不得预发 "
                f"(period) — {_label(household, payment)}; {_where(book, payment)}",
                key="period",
            )
        elif period is not None and not _covers(spans[household.id], period):
            yield from _period_window(book, payment, household, (statuses, exits), key)
        elif status not in statuses:
            yield _text(
                "C06",
                payment,
                f"付款日 {payment.date} 农户状态 {STATUSES.get(status, status)} 不在享受范围 "
                f"({', '.join(statuses)}) ({key}) — {_label(household, payment)}; "
                f"{_where(book, payment)}{_window_note(household, payment.date)}",
                key=key,
            )
        elif exits and (ended := household.exit_ended(day)):
            yield _text(
                "C06",
                payment,
                f"付款日 {payment.date} 在渐退期 ({ended[0]} 至 {ended[1]}, {ended[2]} 个月) "
                f"结束之后: {book.account_name(account)}随渐退期结束 (benefit-exit-kinds) — "
                f"{_label(household, payment)}; {_where(book, payment)}",
                key="benefit-exit-kinds",
            )
        if payment.kind == "other":  # 公益岗位, 临时救助 …: naming and window checks only
            continue
        member = household.member(payment.member) if payment.member is not None else None
        if payment.kind in PER_MEMBER and payment.member is not None and member is None:
            yield _text(
                "C07",
                payment,
                f"成员 {payment.member} 不在该户成员中 — {_label(household, payment)}; {_where(book, payment)}",
            )
            continue
        if payment.kind in ANNUAL_STAGES or payment.kind in ONE_OFF_STAGES:
            if member is None:
                continue
            rule = "C01" if payment.kind in ANNUAL_STAGES else "C02"
            for year in payment.years:
                stage = member.stage_in(year)
                if stage != payment.kind:
                    yield _text(
                        rule,
                        payment,
                        f"学段不符: 农户信息库 {year}年 {STAGE_NAMES.get(stage or '', '不在校')}, "
                        f"支出科目 {STAGE_NAMES[payment.kind]} — {_label(household, payment)}; {_where(book, payment)}",
                    )
                    break
            rate = stage_rate(policy, payment.kind)
            key = f"edu-{'aid' if rule == 'C01' else 'grant'}-{payment.kind.replace('_', '-')}"
            found = None
            if rule == "C01":
                rate_of = formula_amount(book, register, payment)
                for year, part in year_parts(book, register, payment):
                    slot = (household.id, member.seq, year)
                    annual[slot] += part
                    rate = rate_of(year)
                    if not found and not compare(annual[slot], "<=", rate):
                        found = _breach(
                            "C01",
                            payment,
                            annual[slot],
                            "<=",
                            rate,
                            key,
                            (
                                f"{year}年教育资助({STAGE_NAMES[payment.kind]})累计",
                                _label(household, payment),
                                f"每生每年 {fmt_money(rate)} CNY{_for_period(payment)}",
                            ),
                        )
            else:
                before = grants[(household.id, member.seq)]
                before.append(payment)
                if len(before) > 1:
                    first = before[0]
                    yield _text(
                        "C02",
                        payment,
                        f"一次性入学补助第 {len(before)} 次发放 > 1 次 — {_label(household, payment)}; "
                        f"{_where(book, payment)}; 首次 {first.date} "
                        f"{fmt_money(first.amount)} CNY",
                        key=key,
                    )
                if not compare(payment.amount, "<=", rate):
                    found = _breach(
                        "C02",
                        payment,
                        payment.amount,
                        "<=",
                        rate,
                        key,
                        (
                            f"{STAGE_NAMES[payment.kind]}一次性补助",
                            _label(household, payment),
                            "一次性发放",
                        ),
                    )
            if found:
                yield found
        elif payment.kind == "chronic":
            yield from _chronic(book, policy, payment, household, member, chronic)
        elif payment.kind == "premium":
            if payment.member is not None:  # per insured person, inside the household's total
                yield from _premium_person(book, register, payment, household, member, per_person)
            insured = insured_of.get(household.id)
            if insured is None:
                insured = insured_of[household.id] = household.insured_members()
            found = None
            for year, part in year_parts(book, register, payment):
                slot2 = (household.id, year)
                premium[slot2] += part
                each = book.policy.at(payment.policy_day(year)).medical_premium
                cap = each * insured
                if not found and not compare(premium[slot2], "<=", cap):
                    found = _breach(
                        "C04",
                        payment,
                        premium[slot2],
                        "<=",
                        cap,
                        "medical-premium",
                        (
                            f"{year}年医保个人缴费补贴",
                            _label(household, payment),
                            f"{fmt_money(each)} × 参保 {insured} 人{_for_period(payment)}",
                        ),
                    )
            if found:
                yield found

    for year, items in sorted(insurance.items()):
        yield from _insurance(book, year, items)


def _status_on(
    household: Household,
    day: datetime.date,
    spans: dict[str, tuple[datetime.date, datetime.date, str]],
) -> str:
    """``household.status_on(day)``, kept per household for the span between two of its
    status changes (or gradual-exit ends): a monthly roll asks once per span, not per payment.
    """
    span = spans.get(household.id)
    if span is not None and span[0] <= day < span[1]:
        return span[2]
    history = household.history
    ends = {household.exit_end(c) for c in history if c.event == "risk_cleared"}
    points = sorted({c.date for c in history} | ends)
    at = bisect.bisect_right(points, day)
    low = points[at - 1] if at else datetime.date.min
    high = points[at] if at < len(points) else datetime.date.max
    status = household.status_on(day)
    spans[household.id] = (low, high, status)
    return status


def _covers(span: tuple[datetime.date, datetime.date, str], period: Period) -> bool:
    """Whether the household's status (and 渐退期) stays one over the whole period."""
    return span[0] <= period.start and period.end < span[1]


def _period_window(
    book: Book,
    payment: Payment,
    household: Household,
    rules: tuple[tuple[str, ...], bool],
    key: str,
) -> Iterator[Finding]:
    """C06 for a payment naming its period: each month of it (a monthly benefit) or each
    year it names (education, medical: a year's benefit) has a day the household was
    eligible for the kind (status in its statuses, and for a 低保-type kind inside the
    渐退期)."""
    period = payment.period
    assert period is not None
    statuses, exits = rules
    if payment.kind == "other":  # 低保, 公益岗位, 临时救助 …: paid by the month
        spans = [
            (
                f"{year}-{month:02d}",
                max(period.start, datetime.date(year, month, 1)),
                min(period.end, datetime.date(year, month, calendar.monthrange(year, month)[1])),
            )
            for year, month in period.months()
        ]
    elif period.first_year == period.last_year:
        spans = [(str(period), period.start, period.end)]
    else:  # a 补发 of several years: each year of it (a 秋季 term counts in its own year)
        spans = [
            (
                f"{year}年",
                max(period.start, datetime.date(year, 1, 1)),
                min(period.end, datetime.date(year, 12, 31)),
            )
            for year in period.years
        ]
    outside: list[tuple[str, datetime.date]] = []
    ended: list[tuple[str, datetime.date]] = []
    for label, first, last in spans:
        days = _change_days(household, first, last)
        if any(_eligible(household, d, statuses, exits) for d in days):
            continue
        if any(household.status_on(d) in statuses for d in days):
            ended.append((label, first))
        else:
            outside.append((label, first))
    where = f"{_label(household, payment)}; {_where(book, payment)}"
    if outside:
        status = household.status_on(outside[0][1])
        yield _text(
            "C06",
            payment,
            f"所付期间 {period} 中 {'、'.join(m for m, _ in outside)} 农户状态 "
            f"{STATUSES.get(status, status)} 不在享受范围 ({', '.join(statuses)}) ({key}) — "
            f"{where}{_window_note(household, period.end)}",
            key=key,
        )
    elif ended:
        window = household.exit_ended(ended[0][1])
        shown = f" ({window[0]} 至 {window[1]}, {window[2]} 个月)" if window else ""
        yield _text(
            "C06",
            payment,
            f"所付期间 {period} 中 {'、'.join(m for m, _ in ended)} 在渐退期{shown} 结束之后: "
            f"{book.account_name(payment.spend.account)}随渐退期结束 (benefit-exit-kinds) — "
            f"{where}",
            key="benefit-exit-kinds",
        )


def _change_days(
    household: Household, first: datetime.date, last: datetime.date
) -> list[datetime.date]:
    """``first`` and every day of ``first``..``last`` the household's status or 渐退期 can
    change on: between two of them the eligibility is that of the earlier."""
    days = {first}
    for change in household.history:
        if first < change.date <= last:
            days.add(change.date)
        if change.event == "risk_cleared":
            end = household.exit_end(change)
            if first < end <= last:
                days.add(end)
    return sorted(days)


def _eligible(
    household: Household, day: datetime.date, statuses: tuple[str, ...], exits: bool
) -> bool:
    return household.status_on(day) in statuses and not (exits and household.exit_ended(day))


def _for_period(payment: Payment) -> str:
    """``, 所付期间 2022..2023`` when the payment names its period."""
    return f", 所付期间 {payment.period}" if payment.period is not None else ""


def _repeats(book: Book, paid: Sequence[Payment]) -> Iterator[Finding]:
    """C11 (DOMAIN K2b 同一农户同一补助同期重复领取): a payment whose ``period`` overlaps a
    period already paid to the household (and member) on the same benefit account. A
    reversal (a negative posting of the same period and amount) takes its original back;
    a repeat of the same period text and amount is K2's; accounts with a component in
    ``duplicate-exempt-accounts`` (claims paid incrementally) or ``loan-subsidy-accounts``
    (one household's loans are subsidised each on its own: L03) are not checked."""
    seen: dict[tuple[str, str, int | None], list[Payment]] = defaultdict(list)
    reaches: dict[tuple[str, str, int | None], datetime.date] = {}  # the latest end paid
    exempt: dict[tuple[int, str], bool] = {}
    for payment in paid:
        period = payment.period
        if period is None or payment.household is None or payment.kind == "insurance":
            continue
        account = payment.spend.account
        policy = book.policy.at(payment.date)
        skip = exempt.get((id(policy), account))
        if skip is None:
            parts = set(account.split(":"))
            skip = exempt[(id(policy), account)] = bool(
                parts & {*policy.duplicate_exempt_accounts, *policy.loan_subsidy_accounts}
            )
        if skip:
            continue
        key = (payment.household, account, payment.member)
        earlier = seen[key]
        if payment.amount < 0:
            for index in range(len(earlier) - 1, -1, -1):
                before = earlier[index]
                if before.amount == -payment.amount and str(before.period) == str(period):
                    del earlier[index]
                    break
            continue
        # periods mostly come in order: when no earlier one reaches this start, none overlaps
        reach = reaches.get(key)
        clash = (
            None
            if reach is None or reach < period.start
            else next(
                (
                    p
                    for p in earlier
                    if p.period is not None
                    and p.period.start <= period.end
                    and period.start <= p.period.end
                ),
                None,
            )
        )
        earlier.append(payment)
        if reach is None or reach < period.end:
            reaches[key] = period.end  # never lowered: a payment taken back costs a scan only
        if clash is None or clash.period is None:
            continue
        if str(clash.period) == str(period) and clash.amount == payment.amount:
            continue  # K2 reports the very same period and amount
        first = max(clash.period.start, period.start)
        last = min(clash.period.end, period.end)
        yield BenefitError(
            payment.source,
            f"C11 error: 同一农户同一补助科目同期重复领取 — 所付期间 {period} 与 "
            f"{clash.date} 已付期间 {clash.period} 重叠 ({first} 至 {last}) — "
            f"{_label(None, payment)}"
            + (f" 成员{payment.member}" if payment.member is not None else "")
            + f"; {_where(book, payment)}; 首次 {clash.date} {fmt_money(clash.amount)} CNY",
            payment.spend.entry,
            rule="C11",
            severity=Severity.ERROR,
            value=payment.amount,
            entity=payment.household,
            policy_key="period",
        )


def _window_note(household: Household, day: datetime.date) -> str:
    ends = [
        household.exit_window(c)[1]
        for c in household.history
        if c.event == "risk_cleared" and c.date <= day
    ]
    return f"; 渐退期至 {ends[-1]}" if ends else ""


def _chronic(
    book: Book,
    policy: Policy,
    payment: Payment,
    household: Household,
    member: Any,
    sums: dict[tuple[str, int, int], list[Decimal]],
) -> Iterator[Finding]:
    """C03: incremental chronic-disease aid on the person's cumulative self-paid costs."""
    if member is None:
        return
    if not member.chronic:
        yield _text(
            "C03",
            payment,
            f"成员 {member.seq} 未认定慢性病, 不享受慢性病救助 — {_label(household, payment)}; {_where(book, payment)}",
        )
    if payment.self_paid is None:
        yield _text(
            "C03",
            payment,
            f"慢性病救助未注明本次目录内自付费用 self_paid — {_label(household, payment)}; {_where(book, payment)}",
        )
        return
    slot = (household.id, member.seq, payment.claim_year)
    if payment.period is not None:  # a claim of an earlier year: that year's formula
        policy = book.policy.at(payment.policy_day(payment.claim_year))
    state = sums[slot]  # [cumulative self-paid, paid so far]
    state[0] += payment.self_paid
    due_total = chronic_aid(policy, state[0])
    before = state[1]
    state[1] += payment.amount
    spent = state[0]
    found = None
    if not compare(state[1], "<=", due_total):
        over = max(ZERO, spent - policy.chronic_aid_deductible)
        if due_total < policy.chronic_aid_cap:  # the formula binds, not the cap
            key, title = "chronic-aid-rate", "慢性病救助累计超出公式应付"
            rule_text = (
                f"公式 (累计目录内自付 {fmt_money(spent)} − 起付 "
                f"{fmt_money(policy.chronic_aid_deductible)}) × {policy.chronic_aid_rate} = "
                f"{fmt_money(over * policy.chronic_aid_rate)} CNY, 未达封顶 "
                f"{fmt_money(policy.chronic_aid_cap)}"
            )
        else:
            key, title = "chronic-aid-cap", "慢性病救助累计超出封顶"
            rule_text = (
                f"封顶 {fmt_money(policy.chronic_aid_cap)} CNY (累计目录内自付 "
                f"{fmt_money(spent)}, 起付 {fmt_money(policy.chronic_aid_deductible)}, "
                f"比例 {policy.chronic_aid_rate})"
            )
        found = _breach(
            "C03",
            payment,
            state[1],
            "<=",
            due_total,
            key,
            (
                f"{payment.claim_year}年{title}",
                _label(household, payment),
                f"{rule_text}; 此前已付 {fmt_money(before)} CNY",
            ),
        )
    if found:
        yield found


def _premium_person(
    book: Book,
    register: Register,
    payment: Payment,
    household: Household,
    member: Any,
    sums: dict[tuple[str, int, int], Decimal],
) -> Iterator[Finding]:
    """C04 per person: a premium subsidy naming ``member`` is at most one premium a year for
    an insured member (an over-payment for one person hides inside the household's total)."""
    if member is None:
        yield _text(
            "C07",
            payment,
            f"成员 {payment.member} 不在该户成员中 — {_label(household, payment)}; {_where(book, payment)}",
        )
        return
    if not member.insured:
        yield _text(
            "C04",
            payment,
            f"成员 {member.seq} 未参加城乡居民医保, 不享受个人缴费补贴 — "
            f"{_label(household, payment)}; {_where(book, payment)}",
            key="medical-premium",
        )
        return
    for year, part in year_parts(book, register, payment):
        slot = (household.id, member.seq, year)
        sums[slot] += part
        each = book.policy.at(payment.policy_day(year)).medical_premium
        if compare(sums[slot], "<=", each):
            continue
        found = _breach(
            "C04",
            payment,
            sums[slot],
            "<=",
            each,
            "medical-premium",
            (
                f"{year}年医保个人缴费补贴(每人)",
                _label(household, payment),
                f"每名参保成员 {fmt_money(each)} CNY{_for_period(payment)}",
            ),
        )
        if found:
            yield found
        return


def _insurance(book: Book, year: int, items: list[Payment]) -> Iterator[Finding]:
    """C05: the year's premium = round(rural population × share) × premium per person."""
    last = items[-1]
    policy = book.policy.at(last.date)
    population = next(
        (
            n
            for n in (number_of(meta_of(p.spend, "rural_population")) for p in reversed(items))
            if n is not None
        ),
        None,
    )
    if population is None:
        yield _text("C05", last, f"防贫保险保费未注明 rural_population — {_where(book, last)}")
        return
    people = insured_people(policy, population)
    expected = q2(people * policy.anti_poverty_insurance_premium)
    total = sum((p.amount for p in items), ZERO)
    found = None
    if not compare(total, "==", expected):
        found = _breach(
            "C05",
            last,
            total,
            "==",
            expected,
            "anti-poverty-insurance-share",
            (
                f"{year}年精准防贫保险保费",
                f"{year}年度精准防贫保险",
                f"农村人口 {population:,} × {policy.anti_poverty_insurance_share} = "
                f"{people:,} 人 × {fmt_money(policy.anti_poverty_insurance_premium)} CNY",
            ),
        )
    if found:
        yield found


def _windows(book: Book, register: Register) -> list[tuple[int, Finding]]:
    """C08: each gradual exit lasts 6–12 months (12 for a 低保 household near the line)."""
    refs = book.all(RegisterRef)
    entry = book.entry_of(refs[-1])
    out: list[tuple[int, Finding]] = []
    for household in register.households.values():
        for change in household.history:
            if change.event != "risk_cleared":
                continue
            policy = book.policy.at(change.date)
            months = change.months or 0
            low, high, key = policy.gradual_exit_min_months, policy.gradual_exit_max_months, ""
            standard = policy.dibao_standard
            near_line = (
                household.attribute == "dibao"
                and standard > 0
                and household.income is not None
                and standard < household.income <= standard * policy.dibao_gradual_income_ratio
            )
            if near_line:
                low = high = policy.dibao_gradual_exit_months
                key = "dibao-gradual-exit-months"
            if low <= months <= high:
                continue
            bound = f"{low}–{high}" if low != high else str(low)
            why = (
                f"低保户人均收入 {fmt_money(household.income or ZERO)} > 低保标准且 ≤ "
                f"{policy.dibao_gradual_income_ratio} × 低保标准 {fmt_money(standard)}"
                if near_line
                else "风险消除后渐退期"
            )
            finding = BenefitError(
                entry.meta,
                f"C08 error: 渐退期 {months} 个月 不在 {bound} 个月 "
                f"({key or 'gradual-exit-min-months, gradual-exit-max-months'}) — "
                f"{household.describe()}; {change.date} 风险消除, {why}",
                entry,
                rule="C08",
                value=months,
                threshold=bound,
                entity=household.id,
                policy_key=key or "gradual-exit-max-months",
            )
            out.append((change.date.year, finding))
    return out


def _unpaid(
    book: Book,
    register: Register,
    paid: Sequence[Payment],
    chronic: dict[tuple[str, int, int], list[Decimal]],
) -> list[tuple[int, Finding]]:
    """C09: what was due by each complete year's end and not paid."""
    last = book.last_date
    refs = book.all(RegisterRef)
    out: list[tuple[int, Finding]] = []
    if last is None or not refs:
        return out
    entry = book.entry_of(refs[-1])
    first = refs[-1].date.year
    # due_unpaid reads education and premium payments only: filter the roll once, not yearly
    formula = [p for p in paid if p.kind in DUE_KINDS]
    for year in range(first, last.year + 1):
        if dec31(year) > last:
            break
        policy = book.policy.at(dec31(year))
        items = due_unpaid(book, register, formula, year)
        for (hid, seq, cyear), (spent, got) in sorted(chronic.items()):
            if cyear != year:
                continue
            owed = chronic_aid(policy, spent)
            if got < owed:
                village = register.households[hid].village
                items.append(Due(hid, village, seq, "chronic", year, owed, got))
        for due in items:
            household = register.households[due.household]
            who = f" 成员{due.member}" if due.member is not None else ""
            measure = Measure(
                "C09",
                f"{year}年{KIND_NAMES[due.kind]}已发放",
                f"household {due.household}",
                due.paid,
                ">=",
                due.due,
                False,
                str(policy.benefit_unpaid_severity),
                "money",
                "benefit-unpaid-severity",
                due.household,
                entry.meta,
                "应享未享",
                year,
            )
            label = f"{household.township}{household.village}{who} [household {household.id}]"
            finding = BenefitError(
                entry.meta,
                breach_message(
                    measure, label, f"应发 {fmt_money(due.due)}, 未发 {fmt_money(due.missing)} CNY"
                ),
                entry,
                rule="C09",
                severity=str(policy.benefit_unpaid_severity),
                value=due.paid,
                threshold=due.due,
                entity=due.household,
                policy_key="benefit-unpaid-severity",
            )
            out.append((year, finding))
    return out


RULE = Rule(
    ("C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "C11"),
    "到户补助: 教育资助、慢性病救助、医保补贴、防贫保险与享受资格",
    "seed 000_33b9fa698911b5ee.txt (教育、慢性病、医保); seed 002_614e7ab1822f3d29.txt (防贫保险 5%×50, 渐退期)",
    benefit_rules,
)
