"""Day windows of the policy: N calendar days (the default) or N working days (工作日).

A window key (``notice-grace-days``, ``monitoring-decision-days``, …) takes a number, counted
in calendar days as before, or a text naming its unit::

    2019-01-01 custom "policy" "notice-grace-days" "5 工作日"
      source: "镇安县 2019: 5个工作日内公示"
    2019-01-01 custom "policy" "notice-min-days" "10 天"

Every rule measures through one :class:`DayCount`: :meth:`~DayCount.last_day` (the last
day of the window from an event), :meth:`~DayCount.elapsed` (days from the event to a day,
``elapsed ≤ days`` exactly when the day is within the window) and :meth:`~DayCount.span`
(days of a period posted from ``start`` to ``end``, both included). Working days come from
:mod:`fupin.workdays`; a count the holiday calendar cannot answer raises
:class:`~fupin.workdays.CalendarGap`, which the rule turns into :func:`calendar_gap`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from fupin import workdays
from fupin.findings import PolicyError

if TYPE_CHECKING:
    from fupin.book import Book

#: how a ledger may write the unit after the number
UNIT_WORDS: dict[str, Literal["calendar", "working"]] = {
    "": "calendar",
    "天": "calendar",
    "日": "calendar",
    "自然日": "calendar",
    "日历日": "calendar",
    "calendar": "calendar",
    "day": "calendar",
    "days": "calendar",
    "工作日": "working",
    "个工作日": "working",
    "working": "working",
    "workday": "working",
    "workdays": "working",
}
_TEXT = re.compile(r"\s*(\d+)\s*(\S*)\s*")
_HINT = '应为天数: 自然日写 10 或 "10 天", 工作日写 "5 工作日"'


class DayCount(BaseModel):
    """A window of ``days`` calendar or working days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: int
    unit: Literal["calendar", "working"] = "calendar"

    @property
    def working(self) -> bool:
        return self.unit == "working"

    @property
    def measure_unit(self) -> str:
        """The unit of a compliance row measured in this window (``days``/``workdays``)."""
        return "workdays" if self.working else "days"

    def __str__(self) -> str:
        return f"{self.days} 个工作日" if self.working else f"{self.days} 天"

    def last_day(self, start: datetime.date) -> datetime.date:
        """The window's last day (still on time): ``start`` + N days, or the N-th working
        day after ``start``."""
        if not self.working:
            return start + datetime.timedelta(days=self.days)
        return workdays.last_day(start, self.days)

    def elapsed(self, start: datetime.date, day: datetime.date) -> int:
        """Days from ``start`` to ``day`` in this window's unit, ``start`` not counted; a
        ``day`` off work counts as the working day after it, so ``elapsed ≤ days`` exactly
        when ``day ≤ last_day(start)`` (negative when ``day`` is before ``start``)."""
        if not self.working:
            return (day - start).days
        if day <= start:
            return -workdays.count(day, start)
        return workdays.count(start, workdays.on_or_after(day))

    def overdue(self, start: datetime.date, last: datetime.date | None) -> bool:
        """Whether the window from ``start`` has closed by ``last`` (the books' last day)."""
        return last is not None and self.elapsed(start, last) > self.days

    def span(self, start: datetime.date, end: datetime.date) -> int:
        """Days of a period posted ``start`` … ``end``, both included (``end − start + 1``
        calendar days, or the working days among them)."""
        if not self.working:
            return (end - start).days + 1
        return workdays.count(start - datetime.timedelta(days=1), end)


def parse(value: Any) -> Any:
    """A number (calendar days), ``"5 工作日"``, ``"10 天"``, or a dumped :class:`DayCount`."""
    if isinstance(value, DayCount | dict):
        return value
    if isinstance(value, bool):
        raise ValueError(_HINT)
    if isinstance(value, int):
        return DayCount(days=value)
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise ValueError("应为整数天数 (不能有小数部分)")
        return DayCount(days=int(value))
    if isinstance(value, str):
        match = _TEXT.fullmatch(value)
        unit = UNIT_WORDS.get(match.group(2).lower()) if match else None
        if match is None or unit is None:
            raise ValueError(_HINT)
        return DayCount(days=int(match.group(1)), unit=unit)
    raise ValueError(_HINT)


def bounded(low: int, high: int) -> Callable[[DayCount], DayCount]:
    """A check that the window's days lie in ``low`` … ``high``."""

    def check(window: DayCount) -> DayCount:
        if window.days < low:
            raise ValueError(f"应 ≥ {low}")
        if window.days > high:
            raise ValueError(f"应 ≤ {high}")
        return window

    return check


def calendar_gap(
    book: Book, gap: workdays.CalendarGap, key: str, day: datetime.date, what: str
) -> Iterator[PolicyError]:
    """The POLICY error of a working-day window the holiday calendar cannot count: at the
    ``custom "policy"`` entry that set ``key`` (in force on ``day``), once per entry, key
    and year; ``what`` names the first item left unchecked."""
    entry = book.policy.origin_entry(key, day)
    seen: set[tuple[str, int, int]] = book.shared("workday-gaps", set)
    mark = (key, gap.year, id(entry))
    if mark in seen:
        return
    seen.add(mark)
    shown = getattr(book.policy.at(day), key.replace("-", "_"), "")
    years = workdays.covered_years()
    have = f"{years[0]}–{years[1]} 年" if years else "无任何年份"
    text = (
        f"POLICY error: {key} = {shown}: 节假日日历不含 {gap.year} 年 (需要 {gap.day}; "
        f"{workdays.PACKAGE} {workdays.package_version()} 只含 {have}), 该期限无法按工作日"
        f"计算, 未检查 — 首见 {what}"
    )
    if years and gap.year < years[0]:
        text += f"; {years[0]} 年以前请将 {key} 改按自然日写"
    else:
        text += (
            f"; 请升级节假日日历: pip install --upgrade {workdays.PACKAGE} "
            f"(国务院公布 {gap.year} 年放假安排后发布), 或将 {key} 改按自然日写"
        )
    source = entry.meta if entry is not None else {"filename": "<fupin>", "lineno": 0}
    yield PolicyError(source, text, entry, rule="POLICY", value=str(gap.day), policy_key=key)
