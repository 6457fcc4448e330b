"""Day windows in working days (工作日): China's calendar with 调休, one convention, no guess.

The boundary ledgers are scenarios (tests/scenarios/M01, B30, B31, B44, POLICY:
``workdays*``); these tests pin the calendar arithmetic they rest on, the POLICY error of
a year the holiday calendar lacks, and that each year is read from the package once.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import chinese_calendar
import pytest
from beancount import loader
from click.testing import CliRunner

from fupin import workdays
from fupin.cli import main
from fupin.day_windows import DayCount
from fupin.findings import PolicyError

D = datetime.date
SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
FIVE = DayCount(days=5, unit="working")


def test_guoqing_2024_window_skips_the_holiday_and_counts_the_sunday_worked() -> None:
    # 09-27 Fri → 09-29 Sun (调休上班), 09-30, [10-01..10-07 放假], 10-08, 10-09, 10-10
    assert FIVE.last_day(D(2024, 9, 27)) == D(2024, 10, 10)
    assert FIVE.elapsed(D(2024, 9, 27), D(2024, 10, 10)) == 5
    assert FIVE.elapsed(D(2024, 9, 27), D(2024, 10, 11)) == 6
    # 10-12 is a Saturday worked: the 2-working-day window from 10-10 ends on it
    assert DayCount(days=2, unit="working").last_day(D(2024, 10, 10)) == D(2024, 10, 12)


def test_chunjie_2025_spans_and_windows() -> None:
    # posted 01-24 .. 02-05: 01-24, 01-26 (Sun, 调休上班), 01-27, 02-05; 02-08 Sat worked
    assert FIVE.span(D(2025, 1, 24), D(2025, 2, 5)) == 4
    assert FIVE.span(D(2025, 1, 24), D(2025, 2, 6)) == 5
    assert FIVE.last_day(D(2025, 1, 24)) == D(2025, 2, 7)
    assert DayCount(days=6, unit="working").last_day(D(2025, 1, 24)) == D(2025, 2, 8)


def test_a_day_off_counts_as_the_working_day_after_it() -> None:
    # within the window: 10-03 (国庆) falls in 10-08, the 1st working day after 09-30
    one = DayCount(days=1, unit="working")
    assert one.last_day(D(2024, 9, 30)) == D(2024, 10, 8)
    assert one.elapsed(D(2024, 9, 30), D(2024, 10, 3)) == 1
    # after the window: a Sunday after the window's last day (Fri 10-11) is late
    assert one.last_day(D(2024, 10, 10)) == D(2024, 10, 11)
    assert one.overdue(D(2024, 10, 10), D(2024, 10, 13))


def test_elapsed_within_the_window_exactly_when_on_or_before_its_last_day() -> None:
    start = D(2024, 9, 1)
    for offset in range(0, 400, 3):
        begin = start + datetime.timedelta(days=offset)
        for n in (0, 1, 2, 5, 7, 20):
            window = DayCount(days=n, unit="working")
            end = window.last_day(begin)
            assert chinese_calendar.is_workday(end) or n == 0
            for day in (end - datetime.timedelta(days=1), end, end + datetime.timedelta(days=1)):
                if day >= begin:
                    assert (window.elapsed(begin, day) <= n) == (day <= end), (begin, n, day)


def test_calendar_days_are_unchanged() -> None:
    window = DayCount(days=15)
    assert window.last_day(D(2022, 3, 1)) == D(2022, 3, 16)
    assert window.elapsed(D(2022, 3, 1), D(2022, 3, 17)) == 16
    assert window.span(D(2021, 5, 1), D(2021, 5, 10)) == 10
    assert str(window) == "15 天" and str(FIVE) == "5 个工作日"


def test_each_year_is_read_from_the_package_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real = chinese_calendar.is_workday

    def counted(day: datetime.date) -> bool:
        nonlocal calls
        calls += 1
        return bool(real(day))

    monkeypatch.setattr(chinese_calendar, "is_workday", counted)
    workdays._year.cache_clear()
    try:
        for offset in range(600):
            begin = D(2024, 1, 1) + datetime.timedelta(days=offset)
            FIVE.last_day(begin)
            FIVE.elapsed(begin, begin + datetime.timedelta(days=9))
    finally:
        workdays._year.cache_clear()
    assert calls == 366 + 365  # 2024 and 2025, one call per day, whatever the windows


def test_a_year_the_calendar_lacks_is_one_policy_error_naming_key_date_and_upgrade() -> None:
    path = SCENARIOS / "POLICY" / "workdays-year-outside-calendar.beancount"
    _entries, errors, _ = loader.load_file(str(path))
    ours = [e for e in errors if isinstance(e, PolicyError)]
    assert [(e.source["lineno"], e.policy_key) for e in ours] == [(6, "monitoring-decision-days")]
    text = ours[0].message
    assert text.startswith("POLICY error: monitoring-decision-days = 5 个工作日: ")
    assert "节假日日历不含 2099 年 (需要 2099-03-30; chinesecalendar " in text
    assert "pip install --upgrade chinesecalendar" in text
    assert not [e for e in errors if getattr(e, "rule", "") == "M01"]  # no calendar-day guess


def test_a_window_in_an_unknown_unit_is_a_policy_error_in_chinese(write_ledger) -> None:  # type: ignore[no-untyped-def]
    path = write_ledger('2024-01-01 custom "policy" "notice-grace-days" "5 周"\n')
    result = CliRunner().invoke(main, ["check", str(path), "--json"])
    assert result.exit_code == 1
    assert '"line": 3' in result.output
    assert '应为天数: 自然日写 10 或 \\"10 天\\", 工作日写 \\"5 工作日\\"' in result.output
    assert "notice-grace-days = 5 周" in result.output
