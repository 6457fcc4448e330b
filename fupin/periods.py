"""The period a payment is for (``period:``): what it covers, and its months.

A recurring or back-paid benefit names its period on the posting (else its transaction)::

    2024-03-10 * "镇民政办" "低保金 补发1—2月"
      Expenses:Benefit:Dibao  1000.00 CNY
        household: "H-QS-001"
        period: "2024-01..2024-02"

One period is written ``2024`` (a year), ``2024-03`` (a month), ``2024-Q1``, ``2024-H2``,
``2024上半年``/``2024下半年``, ``2024春季`` (2月–7月) or ``2024秋季`` (9月–次年1月), or a
day ``2024-03-05``; a range joins two of them with ``..`` (or `` 至 ``): it runs from the
first day of the first to the last day of the second (``2023秋季..2024春季``). The roll
importer writes the payment's own month. :func:`parse_period` reads one, and
:func:`period_problem` is the LEDGER check of the value (a Chinese text naming what is
wrong, None when it reads).
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from typing import Any

from fupin.vocab import YEAR_MAX, YEAR_MIN

_ONE = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?|-Q(?P<quarter>\d)|-H(?P<half>\d)"
    r"|-?(?P<word>春季|秋季|上半年|下半年))?"
)
_RANGE = re.compile(r"\s*(?:\.\.|至|～|~)\s*")
HINT = (
    "应为 YYYY、YYYY-MM、YYYY-MM-DD、YYYY-Qn、YYYY-Hn、YYYY上半年/下半年、YYYY春季/秋季, "
    '或以 .. 连接的起止 (如 "2024-01..2024-02")'
)


class PeriodError(ValueError):
    """A ``period`` that does not read (the message is the user's text)."""


@dataclass(frozen=True)
class Period:
    """The days a payment is for, both ends included, and the years it names."""

    text: str
    start: datetime.date
    end: datetime.date
    first_year: int  # the year the period's first part names (a 秋季 term: its own year)
    last_year: int

    @property
    def years(self) -> range:
        """The benefit years the period names (``2023秋季..2024春季``: 2023 and 2024)."""
        return range(self.first_year, self.last_year + 1)

    def months(self) -> list[tuple[int, int]]:
        """The calendar months the period touches, in order."""
        out = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            out.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def __str__(self) -> str:
        return self.text


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _one(text: str) -> tuple[datetime.date, datetime.date, int]:
    """First day, last day and named year of one period form."""
    match = _ONE.fullmatch(text)
    if match is None:
        raise PeriodError(HINT)
    year = int(match["year"])
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise PeriodError(f"年份 {year} 应在 {YEAR_MIN}–{YEAR_MAX} 之间")
    month, day = match["month"], match["day"]
    if month is not None:
        number = int(month)
        if not 1 <= number <= 12:
            raise PeriodError(f"月份 {month} 应在 01–12 之间")
        if day is None:
            return datetime.date(year, number, 1), _month_end(year, number), year
        try:
            one = datetime.date(year, number, int(day))
        except ValueError:
            raise PeriodError(f"{text} 不是日历上的日期") from None
        return one, one, year
    if match["quarter"] is not None:
        quarter = int(match["quarter"])
        if not 1 <= quarter <= 4:
            raise PeriodError("季度应为 Q1–Q4")
        return datetime.date(year, quarter * 3 - 2, 1), _month_end(year, quarter * 3), year
    half = match["half"]
    word = match["word"]
    if half is not None and half not in ("1", "2"):
        raise PeriodError("半年应为 H1 或 H2")
    if half == "1" or word == "上半年":
        return datetime.date(year, 1, 1), datetime.date(year, 6, 30), year
    if half == "2" or word == "下半年":
        return datetime.date(year, 7, 1), datetime.date(year, 12, 31), year
    if word == "春季":
        return datetime.date(year, 2, 1), datetime.date(year, 7, 31), year
    if word == "秋季":
        return datetime.date(year, 9, 1), datetime.date(year + 1, 1, 31), year
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31), year


def parse_period(value: Any) -> Period:
    """A ``period`` value (text, or a bare year Beancount read as a number) as a
    :class:`Period`; :class:`PeriodError` names what does not read."""
    if isinstance(value, bool):
        raise PeriodError(HINT)
    text = str(getattr(value, "number", value)).strip()
    parts = _RANGE.split(text)
    if len(parts) > 2 or not all(parts):
        raise PeriodError(HINT)
    first = _one(parts[0])
    last = _one(parts[-1])
    if last[1] < first[0]:
        raise PeriodError(f"止日 {last[1]} 早于起日 {first[0]}")
    return Period(text, first[0], last[1], first[2], last[2])


_CN_RANGE = re.compile(
    r"(?P<y1>\d{4})\s*年\s*(?P<m1>\d{1,2})\s*月?\s*(?:至|到|-|—|–|－|~|～)\s*"
    r"(?:(?P<y2>\d{4})\s*年\s*)?(?P<m2>\d{1,2})\s*月(?:份)?"
)
_CN_MONTH = re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月(?:份)?")
_CN_YEAR = re.compile(r"(?P<y>\d{4})\s*年(?:度)?")
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})")


def from_text(text: str) -> str:
    """A period as a roll's cell writes it, in the ledger's form: ``2024年1月`` →
    ``2024-01``, ``2024年1—2月`` / ``2024年1月至2月`` → ``2024-01..2024-02``, ``2023年11月至
    2024年2月`` → ``2023-11..2024-02``, ``2024年度`` → ``2024``, ``202401`` → ``2024-01``;
    any other text unchanged (:func:`parse_period` then says whether it reads)."""
    text = text.strip()
    if match := _CN_RANGE.fullmatch(text):
        first = f"{match['y1']}-{int(match['m1']):02d}"
        last = f"{match['y2'] or match['y1']}-{int(match['m2']):02d}"
        return first if first == last else f"{first}..{last}"
    if match := _CN_MONTH.fullmatch(text):
        return f"{match['y']}-{int(match['m']):02d}"
    if match := _CN_YEAR.fullmatch(text):
        return match["y"]
    if match := _COMPACT.fullmatch(text):
        return f"{match['y']}-{match['m']}"
    return text


def printed(text: str) -> str:
    """A period as a notice prints it: its ends joined by `` 至 `` (``2022..2023`` →
    ``2022 至 2023``, which no number check reads as one long number)."""
    return " 至 ".join(part.strip() for part in _RANGE.split(text.strip()))


def period_problem(value: Any) -> str | None:
    """LEDGER: why a ``period`` value does not read, None when it does."""
    try:
        parse_period(value)
    except PeriodError as exc:
        return str(exc)
    return None
