"""B30/B31/B32/B34: public disclosure — 两个一律, the 10-day board rule, websites stay up.

Each posted notice is a ``custom "notice"`` entry (DOMAIN F)::

    2021-01-10 custom "notice" "N-2021-P001-V"
      type: "project_plan"        ; fund_allocation project_plan project_result site_sign
      level: "village"            ; county township village site
      subject: "P-2021-001"       ; the fund, project, asset or distribution it discloses
      channel: "board"            ; board website wechat broadcast
      start: 2021-01-10
      end: 2021-01-19             ; last day posted, inclusive

Checked, with the policy in force on the notice's (or the event's) date:

* B30 [seed 002; N-NOTICE2017] 县级扶贫资金分配结果一律公开: every fund that projects draw
  on has a ``fund_allocation`` notice, due ``notice-grace-days`` after its first project
  approval (资金分配);
* B34 [N-LIB2018] 入库前逐级公示, 竣工后实施地公告: a project entering the library has a
  ``project_plan`` notice at every level of ``notice-plan-levels`` that ended before the
  library date; an accepted project has a ``project_result`` notice starting on or after
  acceptance, due ``notice-grace-days`` after it; a ``site_sign`` is put up once the project
  has started (``in_progress``), else a warning (DOMAIN F.2: 公示牌 at the site after start);
* B30/B34: a due notice posted only after its ``notice-grace-days`` window (none of the
  fund's allocation notices, or of the project's result notices since acceptance, starts by
  the window's last day) is a warning on the first of them (公告已发布但逾期);
* B30/B34: a notice taken down before its period was over (``withdrawn`` on or before its
  ``end``, or with no end: :attr:`Notice.cut_short`) is not the disclosure asked for; the
  finding's inputs still list it, with the day it was taken down;
* B31 [N-NOTICE2017 §4] a notice on a fixed board (``notice-board-channels``) is posted
  ``end − start + 1 ≥ notice-min-days`` (10) days, up to the day before it was taken down
  when it was (with or without an end); one with neither an end nor a withdrawal has no
  period to measure (缺少结束日期); a site sign stays for the project's life;
  a 防返贫监测 notice (``monitoring``, ``monitoring_exit``) ≥ ``monitoring-notice-min-days``
  (5) [N-MON]; findings name a notice by its title (:mod:`fupin.notice_titles`);
* B32 [N-NOTICE2017 §4] "公告信息应长期保持公开": a website notice has no end and is not
  withdrawn.

The ``-days`` keys are calendar days, or working days when the policy says so (``"5 工作日"``,
镇安县 2019; :mod:`fupin.day_windows`): a grace window ends on its last day, a board's period
counts the working days posted.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator

from fupin.book import Book
from fupin.day_windows import calendar_gap
from fupin.engine import Item, Rule, check, finding
from fupin.entities import Entity, Notice, Project, ProjectStage
from fupin.findings import NoticeError, Severity
from fupin.monitoring import NOTICE_TYPES as MONITORING_TYPES  # own minimum period (issue 15)
from fupin.names import NOTICE_LEVEL_NAMES as LEVEL_NAMES
from fupin.notice_titles import notice_label
from fupin.workdays import CalendarGap


def _span(notice: Notice) -> str:
    return f"{notice.start} 至 {notice.end or '长期'}"


def notices_by_subject(book: Book) -> dict[tuple[str, str], list[Notice]]:
    """Notices keyed by ``(type, subject)``, in date order."""
    out: dict[tuple[str, str], list[Notice]] = defaultdict(list)
    for notice in book.all(Notice):
        out[(notice.type, notice.subject)].append(notice)
    return out


def _first_stage(stages: list[ProjectStage], stage: str) -> ProjectStage | None:
    return next((s for s in stages if s.stage == stage), None)


def _due(book: Book, since: datetime.date, what: str, gaps: list[Item]) -> tuple[bool, str]:
    """Whether the ``notice-grace-days`` window from ``since`` has closed by the ledger's
    last day, and its last day as the findings print it. A working-day window the holiday
    calendar cannot count adds its POLICY error to ``gaps`` and is not overdue."""
    window = book.policy.at(since).notice_grace_days
    try:
        overdue = window.overdue(since, book.last_date)
    except CalendarGap as gap:
        gaps.extend(calendar_gap(book, gap, "notice-grace-days", since, what))
        return False, ""
    try:
        return overdue, f", 最迟 {window.last_day(since)}"
    except CalendarGap:  # the books end before the year the calendar lacks: not yet due
        return overdue, ""


def _late(
    book: Book,
    rule: str,
    since: tuple[str, datetime.date],
    notices: list[Notice],
    about: Entity,
    gaps: list[Item],
) -> Iterator[Item]:
    """A warning on the first of ``notices`` when none was posted within the
    ``notice-grace-days`` window from the event ``since`` (首个批复, 验收): 公告已发布但逾期.
    A working-day window the holiday calendar cannot count adds its POLICY error to
    ``gaps`` and is not late (as in :func:`_due`)."""
    event, day = since
    window = book.policy.at(day).notice_grace_days
    try:
        if not notices or any(window.elapsed(day, n.start) <= window.days for n in notices):
            return
        notice = min(notices, key=lambda n: (n.start, n.id))
        elapsed, deadline = window.elapsed(day, notice.start), window.last_day(day)
    except CalendarGap as gap:
        gaps.extend(calendar_gap(book, gap, "notice-grace-days", day, about.describe()))
        return
    unit = "个工作日" if window.working else "天"
    yield finding(
        NoticeError,
        rule,
        f"公告已发布但逾期: 距{event} {elapsed} {unit} > {window} (notice-grace-days) — "
        f"{notice_label(book, notice)}; 开始 {notice.start}, 最迟 {deadline}, {event} {day}; "
        f"{about.describe()}",
        book.entry_of(notice),
        severity=Severity.WARNING,
        entity=notice.id,
        policy_key="notice-grace-days",
        value=elapsed,
        threshold=window.days,
    )


def fund_notices(book: Book, by_subject: dict[tuple[str, str], list[Notice]]) -> Iterator[Item]:
    """B30: every fund allocated to projects has its allocation result notice."""
    stages = book.stages()
    gaps: list[Item] = []
    allocated: dict[str, list[Project]] = defaultdict(list)
    for project in book.projects.values():
        if project.fund:
            allocated[project.fund].append(project)
    for fund_id, fund in book.funds.items():
        projects = allocated.get(fund_id)
        if not projects:
            continue
        approvals = [
            s.date
            for p in projects
            if (s := _first_stage(stages.get(p.id, []), "approved")) is not None
        ]
        if not approvals:
            continue
        since = min(approvals)
        found = [n for n in by_subject.get(("fund_allocation", fund_id), []) if not n.cut_short]
        overdue, due = _due(book, since, f"fund {fund_id}", gaps)
        yield from check(
            NoticeError,
            rule="B30",
            title="资金分配结果公告份数",
            scope=f"fund {fund_id}",
            value=len(found),
            op=">=",
            threshold=1,
            unit="count",
            policy_key="notice-grace-days",
            note="两个一律",
            entity=fund_id,
            label=fund.describe(),
            inputs=f"{len(projects)} 个项目, 首个批复 {since}{due}",
            entry=book.entry_of(fund),
            report=overdue,
            year=fund.budget_year,
        )
        yield from _late(book, "B30", ("首个批复", since), found, fund, gaps)
        yield from gaps
        gaps.clear()


def project_notices(book: Book, by_subject: dict[tuple[str, str], list[Notice]]) -> Iterator[Item]:
    """B34: plan notice at each required level before library entry; result after acceptance."""
    stages = book.stages()
    gaps: list[Item] = []
    for ident, project in book.projects.items():
        own = stages.get(ident, [])
        entered = _first_stage(own, "in_library")
        plans = by_subject.get(("project_plan", ident), [])
        if entered is not None:
            policy = book.policy.at(entered.date)
            for level in policy.notice_plan_levels:
                at_level = [n for n in plans if n.level == level]
                done = [
                    n for n in at_level if not n.cut_short and (n.end or n.start) < entered.date
                ]
                seen = ", ".join(f"{n.id} {n.listed_period()}" for n in at_level) or "无"
                yield from check(
                    NoticeError,
                    rule="B34",
                    title=f"入库前{LEVEL_NAMES.get(level, level)}项目公示份数",
                    scope=f"project {ident}",
                    value=len(done),
                    op=">=",
                    threshold=1,
                    unit="count",
                    policy_key="notice-plan-levels",
                    entity=ident,
                    label=project.describe(),
                    inputs=f"入库 {entered.date}; 公示 {seen}",
                    entry=book.entry_of(entered),
                    year=project.year,
                )
        accepted = _first_stage(own, "accepted")
        if accepted is not None:
            results = by_subject.get(("project_result", ident), [])
            after = [n for n in results if not n.cut_short and n.start >= accepted.date]
            seen = ", ".join(f"{n.id} {n.listed_period()}" for n in results) or "无"
            overdue, due = _due(book, accepted.date, f"project {ident}", gaps)
            yield from check(
                NoticeError,
                rule="B34",
                title="验收后项目实施结果公告份数",
                scope=f"project {ident}",
                value=len(after),
                op=">=",
                threshold=1,
                unit="count",
                policy_key="notice-grace-days",
                entity=ident,
                label=project.describe(),
                inputs=f"验收 {accepted.date}{due}; 公告 {seen}",
                entry=book.entry_of(accepted),
                report=overdue,
                year=project.year,
            )
            yield from _late(book, "B34", ("验收", accepted.date), after, project, gaps)
            yield from gaps
            gaps.clear()
        started = _first_stage(own, "in_progress")
        for sign in by_subject.get(("site_sign", ident), []):
            if started is None or sign.start < started.date:
                when = f"开工 {started.date}" if started is not None else "尚未开工"
                yield finding(
                    NoticeError,
                    "B34",
                    f"项目公示牌早于开工 (公示牌在项目开工后于现场设立): {notice_label(book, sign)} "
                    f"{sign.start}; {when} — {project.describe()}",
                    book.entry_of(sign),
                    severity=Severity.WARNING,
                    entity=sign.id,
                )


def notice_periods(book: Book) -> Iterator[Item]:
    """B31 board notices last long enough; B32 website notices stay published."""
    for notice in book.all(Notice):
        policy = book.policy.at(notice.start)
        entry = book.entry_of(notice)
        if notice.channel in policy.notice_website_channels:
            if notice.withdrawn is not None or notice.end is not None:
                gone = notice.withdrawn or notice.end
                yield finding(
                    NoticeError,
                    "B32",
                    f"网站公告未长期公开: {gone} 撤下 (notice-website-channels) — "
                    f"{notice_label(book, notice)}; {_span(notice)}",
                    entry,
                    entity=notice.id,
                    policy_key="notice-website-channels",
                )
            continue
        if notice.channel not in policy.notice_board_channels or notice.type == "site_sign":
            continue
        # issue 15: a monitoring notice is posted once in the village for ≥ 5 days (N-MON)
        if notice.type in MONITORING_TYPES:
            minimum, key = policy.monitoring_notice_min_days, "monitoring-notice-min-days"
        else:
            minimum, key = policy.notice_min_days, "notice-min-days"
        last = notice.last_posted  # its end, or the day before it was taken down: not posted
        if last is None:  # open-ended and still up: the period cannot be measured
            yield finding(
                NoticeError,
                "B31",
                f"公示栏公示缺少结束日期 end ({key} {minimum}) — {notice_label(book, notice)}",
                entry,
                entity=notice.id,
                policy_key=key,
            )
            continue
        try:
            days = minimum.span(notice.start, last) if last >= notice.start else 0
        except CalendarGap as gap:
            yield from calendar_gap(book, gap, key, notice.start, f"notice {notice.id}")
            continue
        yield from check(
            NoticeError,
            rule="B31",
            title="公示期",
            scope=f"notice {notice.id}",
            value=days,
            op=">=",
            threshold=minimum.days,
            unit=minimum.measure_unit,
            policy_key=key,
            entity=notice.id,
            label=f"{LEVEL_NAMES.get(notice.level, notice.level)} {notice_label(book, notice)}",
            inputs=_span(notice) + (f", {notice.withdrawn} 撤下" if notice.withdrawn else ""),
            entry=entry,
            year=notice.start.year,
        )


def notice_rules(book: Book) -> Iterator[Item]:
    """Every notice rule, from one index of the notices by subject."""
    by_subject = notices_by_subject(book)
    yield from fund_notices(book, by_subject)
    yield from project_notices(book, by_subject)
    yield from notice_periods(book)


RULE = Rule(
    ("B30", "B31", "B32", "B34"),
    "公示公告: 两个一律、公示期与长期公开",
    "seed 002 (两个一律); N-NOTICE2017 §4 (≥10天, 长期公开); N-LIB2018 (入库前公示, 竣工后公告)",
    notice_rules,
)
