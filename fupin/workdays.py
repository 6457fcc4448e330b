"""China's official working days (工作日), from the ``chinesecalendar`` package.

A working day is a Monday–Friday that is not a statutory holiday, or a weekend day made a
working day by the State Council's 调休 (2024-09-29, a Sunday, was worked for 国庆). The
package knows the years the State Council has published (1.11.0: 2004–2026); a count that
needs any other year raises :class:`CalendarGap` instead of guessing.

The counting convention (docs/ledger-conventions.md, "Day windows"), the same as for
calendar days: a window counted from an event does not count the event's day (民法典
§201); the N-working-day window from D ends on the N-th working day after D, and that day
is still on time.

Each year is read from the package once per process (one call per day of the year) and
kept as the sorted ordinals of its working days; every count is then a few bisections.
"""

from __future__ import annotations

import bisect
import datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version

#: the distribution that holds the calendar (imported as ``chinese_calendar``)
PACKAGE = "chinesecalendar"
_PROBE = range(1990, 2101)  # the years :func:`covered_years` looks at


class CalendarGap(Exception):
    """A working-day count needs a year the installed holiday calendar does not cover."""

    def __init__(self, year: int, day: datetime.date) -> None:
        super().__init__(f"no holiday calendar for {year} (needed for {day})")
        self.year = year
        self.day = day


@cache
def _year(year: int) -> tuple[int, ...] | None:
    """The ordinals of ``year``'s working days, in order; None: the calendar lacks the year."""
    import chinese_calendar

    first = datetime.date(year, 1, 1).toordinal()
    last = datetime.date(year, 12, 31).toordinal()
    try:
        return tuple(
            n
            for n in range(first, last + 1)
            if chinese_calendar.is_workday(datetime.date.fromordinal(n))
        )
    except NotImplementedError:  # the package's "no available data for year …"
        return None


def _table(year: int, day: datetime.date) -> tuple[int, ...]:
    table = _year(year)
    if table is None:
        raise CalendarGap(year, day)
    return table


def count(after: datetime.date, upto: datetime.date) -> int:
    """Working days in ``(after, upto]``: after ``after``, up to and including ``upto``
    (0 when ``upto`` ≤ ``after``)."""
    if upto <= after:
        return 0
    total = 0
    low, high = after.toordinal(), upto.toordinal()
    for year in range((after + datetime.timedelta(days=1)).year, upto.year + 1):
        start = max(low + 1, datetime.date(year, 1, 1).toordinal())
        table = _table(year, datetime.date.fromordinal(start))
        total += bisect.bisect_right(table, high) - bisect.bisect_left(table, start)
    return total


def last_day(start: datetime.date, n: int) -> datetime.date:
    """The last day of the ``n``-working-day window from ``start``: the ``n``-th working day
    after ``start`` (``start`` itself not counted; ``n`` = 0 is ``start``)."""
    if n <= 0:
        return start
    first = start + datetime.timedelta(days=1)
    year, low = first.year, start.toordinal()
    while True:
        table = _table(year, max(first, datetime.date(year, 1, 1)))
        index = bisect.bisect_right(table, low)
        if index + n <= len(table):
            return datetime.date.fromordinal(table[index + n - 1])
        n -= len(table) - index
        year += 1


def on_or_after(day: datetime.date) -> datetime.date:
    """The first working day on or after ``day``."""
    year, low = day.year, day.toordinal()
    while True:
        table = _table(year, max(day, datetime.date(year, 1, 1)))
        index = bisect.bisect_left(table, low)
        if index < len(table):
            return datetime.date.fromordinal(table[index])
        year += 1


@cache
def covered_years() -> tuple[int, int] | None:
    """The first and last year the installed calendar covers (for messages only)."""
    years = [y for y in _PROBE if _year(y) is not None]
    return (years[0], years[-1]) if years else None


def package_version() -> str:
    """The installed calendar's version, or ``?``."""
    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        return "?"
