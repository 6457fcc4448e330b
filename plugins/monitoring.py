"""M01–M05, B44: 防止返贫动态监测 — identification on time, noticed, supported, cleared right.

Cases, steps and notices are described in :mod:`fupin.monitoring`; measures are
``household-measure`` records (:mod:`fupin.measures`). Checked with the policy in force on the
date at issue ([N-MON]: qinan.gov.cn, yjq.gov.cn, zongyang.gov.cn; seed 002):

* M01 识别时限: the county decision (``decided``) comes ≤ ``monitoring-decision-days`` (15)
  after discovery; a case still undecided after that many days is an error;
* M02 村内公示: before the decision, a ``monitoring`` notice at each level of
  ``monitoring-notice-levels`` (village) started on or after discovery and ended before the
  decision (its ≥ ``monitoring-notice-min-days`` (5) days are B31's); no monitoring notice's
  text carries health information (``monitoring-notice-health-terms``);
* B44 帮扶责任人 [seed 002]: a decided case of a ``monitoring-cadre-categories`` category
  (边缘易致贫户) has ≥ ``monitoring-cadre-min`` (1) 党员干部 assigned by ``monitoring-grace-days``
  (30) days after the decision (day 30 counts, a cadre assigned on day 31 does not, nor one
  recorded ``party_member: FALSE``);
* M03 帮扶措施: ≥ ``monitoring-measure-min`` (1) measure between decision and elimination,
  both days included (a measure naming the case counts from discovery on, never one dated
  after the elimination); an error at the elimination, a warning for an open case past
  the grace days;
* M04 风险消除 (rows of the elimination's year; the others of the discovery's): at least ``monitoring-min-months`` (6) after the decision (原则上; severity
  ``monitoring-min-months-severity``), per-capita income above ``monitoring-income-line``
  (the step's ``income``, else the register's), never for a household without labour
  capacity (register: 特困供养户 or every member 无劳动力/丧失劳动力), after a
  ``monitoring_exit`` notice at each required level that ended before it;
* M05 the register agrees: the household is in it, monitored in the case's category on the
  decision day, with a ``risk_cleared`` event on the elimination day (the register drives
  every benefit window); steps and notices name a known case; a household is not identified
  again while an earlier case of it is still open (识别中 or 监测帮扶中 on the new discovery
  day; after its elimination or cancellation a new case is a new identification, 返贫);
  a cancelled case (``cancelled``: 识别有误/销户) has no step dated after its cancellation
  (a later ``decided`` or ``risk_cleared`` is an error at that step), and a measure naming a
  case is of the case's household and not dated after its cancellation.

Each ``-days`` window is counted in calendar days, or in working days when the policy says
so (``"15 工作日"``, :mod:`fupin.day_windows`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator

from fupin.book import Book
from fupin.day_windows import DayCount, calendar_gap
from fupin.engine import Item, Rule, check, finding
from fupin.entities import Notice
from fupin.households import CATEGORIES, LABOUR, Household, Register, book_register
from fupin.measures import HouseholdMeasure, measure_index
from fupin.money import fmt_money
from fupin.monitoring import (
    STATE_NAMES,
    STEPS,
    Case,
    MonitoringError,
    MonitoringRegister,
    MonitoringStep,
    income_of,
    monitoring_register,
)
from fupin.names import NOTICE_LEVEL_NAMES as LEVEL_NAMES
from fupin.notice_titles import notice_label
from fupin.workdays import CalendarGap


def _label(case: Case) -> str:
    return case.case.describe()


def identification(book: Book, case: Case) -> Iterator[Item]:
    """M01: discovery → county decision within the days (an open case: up to the book's day)."""
    found = case.case.found
    decided = case.decided
    if decided is None and case.first("cancelled") is not None:
        return
    if decided is not None and decided.date < found:
        yield finding(
            MonitoringError,
            "M01",
            f"县级审定 {decided.date} 早于发现日期 {found} — {_label(case)}",
            book.entry_of(decided),
            entity=case.case.id,
        )
        return
    if decided is None:
        last = book.last_date or found
        until, title, entry = last, "发现至县级审定天数(未审定)", book.entry_of(case.case)
        inputs = f"发现 {found}, 截至 {last} 未县级审定"
    else:
        until, title, entry = decided.date, "发现至县级审定天数", book.entry_of(decided)
        inputs = f"发现 {found}, 县级审定 {decided.date}" + (
            f" {decided.doc}" if decided.doc else ""
        )
    window = book.policy.at(found).monitoring_decision_days
    try:
        days = window.elapsed(found, until)
    except CalendarGap as gap:
        yield from calendar_gap(book, gap, "monitoring-decision-days", found, _label(case))
        return
    yield from check(
        MonitoringError,
        rule="M01",
        title=title,
        scope=f"monitoring {case.case.id}",
        value=days,
        op="<=",
        threshold=window.days,
        unit=window.measure_unit,
        policy_key="monitoring-decision-days",
        entity=case.case.id,
        label=_label(case),
        inputs=inputs,
        entry=entry,
        year=found.year,
    )


def _posted(
    case: Case, kind: str, level: str, after: datetime.date, before: datetime.date
) -> list[Notice]:
    """Notices of a kind at a level that started on or after ``after`` and ended before."""
    return [
        n
        for n in case.notices_of(kind)
        if n.level == level and n.start >= after and (n.end or n.start) < before
    ]


def _notice_check(
    book: Book,
    case: Case,
    kind: str,
    step: MonitoringStep,
    after: datetime.date,
    title: str,
    year: int,
) -> Iterator[Item]:
    policy = book.policy.at(step.date)
    for level in policy.monitoring_notice_levels:
        done = _posted(case, kind, level, after, step.date)
        seen = ", ".join(
            f"{n.id} {n.start} 至 {n.end or '长期'}"
            for n in case.notices_of(kind)
            if n.level == level
        )
        yield from check(
            MonitoringError,
            rule="M02" if kind == "monitoring" else "M04",
            title=f"{title}前{LEVEL_NAMES.get(level, level)}公示份数",
            scope=f"monitoring {case.case.id}",
            value=len(done),
            op=">=",
            threshold=1,
            unit="count",
            policy_key="monitoring-notice-levels",
            entity=case.case.id,
            label=_label(case),
            inputs=f"{title} {step.date}; 公示 {seen or '无'}",
            entry=book.entry_of(step),
            year=year,
        )


def notices(book: Book, case: Case) -> Iterator[Item]:
    """M02: the village notice before the decision."""
    decided = case.decided
    if decided is not None:
        yield from _notice_check(
            book, case, "monitoring", decided, case.case.found, "县级审定", case.case.found.year
        )


def health_terms(book: Book) -> Iterator[Item]:
    """M02: no health information on any monitoring notice's own text."""
    for notice in book.all(Notice):
        if notice.type not in ("monitoring", "monitoring_exit"):
            continue
        terms = book.policy.at(notice.start).monitoring_notice_health_terms
        text = " ".join(t for t in (notice.title, notice.note, notice.doc, notice.issuer) if t)
        hits = [term for term in terms if term in text]
        if hits:
            yield finding(
                MonitoringError,
                "M02",
                f"监测公示含健康信息 {'、'.join(hits)} (monitoring-notice-health-terms) — "
                f"{notice_label(book, notice)}",
                book.entry_of(notice),
                entity=notice.id,
                policy_key="monitoring-notice-health-terms",
            )


def _days(window: DayCount) -> str:
    """A window as the findings quote it beside its key: ``30``, ``5 个工作日``."""
    return str(window) if window.working else str(window.days)


def cadres(book: Book, case: Case) -> Iterator[Item]:
    """B44: each decided case of the listed categories has its contact cadre(s)."""
    decided = case.decided
    if decided is None:
        return
    policy = book.policy.at(decided.date)
    if case.case.category not in policy.monitoring_cadre_categories:
        return
    grace = policy.monitoring_grace_days
    try:
        due = grace.last_day(decided.date)
        overdue = grace.overdue(decided.date, book.last_date)
        after = {id(s): grace.elapsed(decided.date, s.date) for s in case.steps if s.date > due}
    except CalendarGap as gap:
        yield from calendar_gap(book, gap, "monitoring-grace-days", decided.date, _label(case))
        return
    unit = "个工作日" if grace.working else "天"
    assigned = case.cadres_by(due, party_only=True)
    late = [
        f"{s.cadre} 于 {s.date} (审定后第 {after[id(s)]} {unit})"
        for s in case.steps
        if s.step == "cadre" and s.cadre and s.date > due and s.cadre not in assigned
    ]
    late += [
        f"{s.cadre} 非党员干部 (party_member: FALSE)"
        for s in case.steps
        if s.step == "cadre" and s.cadre and s.date <= due and s.party_member is False
    ]
    cleared = case.cleared
    yield from check(
        MonitoringError,
        rule="B44",
        title=f"{CATEGORIES[case.case.category]}联系帮扶干部人数",
        scope=f"monitoring {case.case.id}",
        value=len(assigned),
        op=">=",
        threshold=policy.monitoring_cadre_min,
        unit="count",
        policy_key="monitoring-cadre-min",
        entity=case.case.id,
        label=_label(case),
        inputs=f"县级审定 {decided.date}, 最迟 {due} (monitoring-grace-days {_days(grace)}); "
        f"帮扶责任人 {' '.join(assigned) or '无'}" + (f"; 不计 {', '.join(late)}" if late else ""),
        entry=book.entry_of(decided),
        report=cleared is not None or overdue,
        year=case.case.found.year,
    )


def measures(book: Book, case: Case) -> Iterator[Item]:
    """M03: at least one measure while monitored (error at elimination, warning before);
    a case cancelled before any elimination is not measured, one cleared first still is."""
    decided = case.decided
    cleared = case.cleared
    cancelled = case.first("cancelled")
    if decided is None or (
        cancelled is not None and (cleared is None or cleared.date >= cancelled.date)
    ):
        return
    until = cleared.date if cleared is not None else (book.last_date or decided.date)
    got = case.measures(measure_index(book), until)
    policy = book.policy.at(until)
    anchor = cleared or decided
    overdue = False
    if cleared is None:
        # the window opens at the decision: its length is the one in force that day (as B44's)
        grace = book.policy.at(decided.date).monitoring_grace_days
        try:
            overdue = grace.overdue(decided.date, book.last_date)
        except CalendarGap as gap:
            yield from calendar_gap(book, gap, "monitoring-grace-days", decided.date, _label(case))
            return
    yield from check(
        MonitoringError,
        rule="M03",
        title="监测期帮扶措施项数",
        scope=f"monitoring {case.case.id}",
        value=len(got),
        op=">=",
        threshold=policy.monitoring_measure_min,
        severity="error" if cleared is not None else "warning",
        unit="count",
        policy_key="monitoring-measure-min",
        entity=case.case.id,
        label=_label(case),
        inputs=f"{decided.date} 至 {until}; "
        + ("; ".join(f"{m.kind_name} {m.name}" for m in got) or "无措施记录"),
        entry=book.entry_of(anchor),
        report=cleared is not None or overdue,
        year=case.case.found.year,
    )


def elimination(book: Book, case: Case, register: Register | None) -> Iterator[Item]:
    """M04: time monitored, income, labour capacity, the notice."""
    cleared = case.cleared
    if cleared is None:
        return
    entry = book.entry_of(cleared)
    decided = case.decided
    label = _label(case)
    if decided is None:
        yield finding(
            MonitoringError,
            "M04",
            f"风险消除 {cleared.date} 前未经县级审定纳入监测 — {label}",
            entry,
            entity=case.case.id,
        )
        return
    policy = book.policy.at(cleared.date)
    months = policy.monitoring_min_months
    earliest = case.earliest_clearing(months) or decided.date
    yield from check(
        MonitoringError,
        rule="M04",
        title="风险消除前监测时长",
        scope=f"monitoring {case.case.id}",
        value=(cleared.date - decided.date).days,
        op=">=",
        threshold=(earliest - decided.date).days,
        severity=policy.monitoring_min_months_severity,
        unit="days",
        policy_key="monitoring-min-months",
        note="原则上",
        entity=case.case.id,
        label=label,
        inputs=f"纳入监测 {decided.date}, 风险消除 {cleared.date}; 满 {months} 个月为 {earliest}",
        entry=entry,
        year=cleared.date.year,
    )
    household = register.households.get(case.case.household) if register else None
    income = income_of(case, household.income if household else None)
    line = policy.monitoring_income_line
    if income is None:
        yield finding(
            MonitoringError,
            "M04",
            f"风险消除未注明人均纯收入 income (monitoring-income-line {fmt_money(line)}) — {label}",
            entry,
            entity=case.case.id,
            policy_key="monitoring-income-line",
        )
    else:
        yield from check(
            MonitoringError,
            rule="M04",
            title="风险消除时人均纯收入",
            scope=f"monitoring {case.case.id}",
            value=income,
            op=">",
            threshold=line,
            policy_key="monitoring-income-line",
            entity=case.case.id,
            label=label,
            inputs=f"{cleared.date.year}年监测范围 {fmt_money(line)} 元/人·年"
            + ("" if cleared.income is not None else " (收入取自农户信息库)"),
            entry=entry,
            year=cleared.date.year,
        )
    if household is not None and household.has_labour() is False:
        yield finding(
            MonitoringError,
            "M04",
            f"无劳动能力户不标注风险消除 ({_no_labour(household)}) — {label}",
            entry,
            entity=case.case.id,
        )
    yield from _notice_check(
        book, case, "monitoring_exit", cleared, decided.date, "风险消除", cleared.date.year
    )


def _no_labour(household: Household) -> str:
    if household.attribute == "extreme":
        return "特困供养户"
    return "成员均为" + "/".join(
        sorted({LABOUR[m.labour] for m in household.members if m.labour is not None})
    )


def consistency(book: Book, case: Case, register: Register | None) -> Iterator[Item]:
    """M05: the register (which drives every benefit window) agrees with the case."""
    if register is None:
        return
    label = _label(case)
    household = register.households.get(case.case.household)
    if household is None:
        yield finding(
            MonitoringError,
            "M05",
            f"监测农户不在农户信息库 — {label}",
            book.entry_of(case.case),
            entity=case.case.id,
        )
        return
    decided = case.decided
    if decided is not None:
        status = household.status_on(decided.date)
        category = household.category_on(decided.date)
        if status != "monitored" or category != case.case.category:
            yield finding(
                MonitoringError,
                "M05",
                f"农户信息库 {decided.date} 状态 {status}/{category or '无类别'}, 与县级审定纳入"
                f"监测 ({case.case.category}) 不符 — {label}",
                book.entry_of(decided),
                entity=case.case.id,
            )
    cleared = case.cleared
    if cleared is not None and not any(
        c.event == "risk_cleared" and c.date == cleared.date for c in household.history
    ):
        yield finding(
            MonitoringError,
            "M05",
            f"农户信息库无 {cleared.date} 风险消除 (risk_cleared) 记录, 渐退期无从起算 — {label}",
            book.entry_of(cleared),
            entity=case.case.id,
        )


def after_cancellation(book: Book, case: Case) -> Iterator[Item]:
    """M05: no step of a case is dated after its cancellation."""
    cancelled = case.first("cancelled")
    if cancelled is None:
        return
    for step in case.steps:
        if step.date > cancelled.date and step is not cancelled:
            yield finding(
                MonitoringError,
                "M05",
                f"监测案件已于 {cancelled.date} 撤销, 其后不应再有{STEPS[step.step]} ({step.date}) — "
                f"{_label(case)}",
                book.entry_of(step),
                entity=case.case.id,
            )


def measure_cases(book: Book, cases: MonitoringRegister) -> Iterator[Item]:
    """M05: a measure naming a case is of its household, not dated after its cancellation."""
    for measure in book.all(HouseholdMeasure):
        case = cases.cases.get(measure.case or "")
        if case is None:
            continue  # no case named, or an unknown one (the ENTITY reference check)
        entry = book.entry_of(measure)
        if measure.household != case.case.household:
            yield finding(
                MonitoringError,
                "M05",
                f"帮扶措施 case: {case.case.id} 属农户 {case.case.household}, 与措施农户 "
                f"{measure.household} 不符 — {measure.describe()}",
                entry,
                entity=case.case.id,
            )
            continue
        cancelled = case.first("cancelled")
        if cancelled is not None and measure.date > cancelled.date:
            yield finding(
                MonitoringError,
                "M05",
                f"帮扶措施 {measure.date} 所引监测案件 {case.case.id} 已于 {cancelled.date} 撤销 "
                f"— {measure.describe()}",
                entry,
                entity=case.case.id,
            )


def duplicates(book: Book, cases: MonitoringRegister) -> Iterator[Item]:
    """M05: a household is identified again only after its earlier case was cleared or
    cancelled (a case still identifying or monitored on the new discovery day is open)."""
    by_household: dict[str, list[Case]] = defaultdict(list)
    for case in cases.cases.values():
        by_household[case.case.household].append(case)
    for items in by_household.values():
        items.sort(key=lambda c: (c.case.found, c.case.id))
        for at, later in enumerate(items):
            found = later.case.found
            open_case = next(
                (c for c in items[:at] if c.state_on(found) in ("identifying", "monitored")),
                None,
            )
            if open_case is not None:
                state = STATE_NAMES[open_case.state_on(found)]
                yield finding(
                    MonitoringError,
                    "M05",
                    f"{found} 重复识别: 同一农户的监测案件 {open_case.case.id} "
                    f"({open_case.case.found} 发现) 当日仍{state}, 未风险消除或撤销 — "
                    f"{_label(later)}",
                    book.entry_of(later.case),
                    entity=later.case.id,
                )


def monitoring_rules(book: Book) -> Iterator[Item]:
    """Every monitoring rule over the cases grouped once."""
    cases = monitoring_register(book)
    if not cases.cases and not cases.orphans:
        return
    register = book_register(book)
    for case in cases.cases.values():
        yield from identification(book, case)
        yield from notices(book, case)
        yield from cadres(book, case)
        yield from measures(book, case)
        yield from elimination(book, case, register)
        yield from consistency(book, case, register)
        yield from after_cancellation(book, case)
    yield from measure_cases(book, cases)
    yield from duplicates(book, cases)
    yield from health_terms(book)
    invalid = book.invalid.get("monitoring", frozenset())
    for orphan in cases.orphans:
        named = orphan.case if isinstance(orphan, MonitoringStep) else orphan.subject
        if named in invalid:
            continue  # the case's own entity error says it
        yield finding(
            MonitoringError,
            "M05",
            f"引用了未登记的监测对象 {named} — {orphan.describe()}",
            book.entry_of(orphan),
            entity=str(named),
        )


RULE = Rule(
    ("M01", "M02", "M03", "M04", "M05", "B44"),
    "防返贫监测: 识别时限、村内公示、帮扶责任人与措施、风险消除",
    "N-MON (识别15天内审定, 村内公示不少于5天, 风险消除条件); seed 002 (每户边缘易致贫户落实1名党员干部联系帮扶)",
    monitoring_rules,
)
