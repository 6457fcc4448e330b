"""One loan, several rates (LPR 重定价) and the dated 贴息 share, per day-segment (L03).

Every loan here: 50,000.00 CNY to H-M-005 (a 脱贫户 of tests/scenarios/_monitor), from
2023-03-20 for 36 months at 3.65% a year, interest on a 360-day year (``loan-interest-days``).
A ``custom "loan-event" … "rate"`` sets the rate from its day. Interest is accrued exactly
(Decimal) per day-segment of one rate, summed and rounded once to the cent, half up; it is
split into parts of one calendar year and one share by each segment's rate × days (the parts
rounded half up, the last taking the rest) and each part × its share is rounded half up.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from fupin.book import build_book
from fupin.cli import main
from fupin.microcredit import contract_interest, loan_book, loan_rows, share_on

REGISTER = Path(__file__).resolve().parents[1] / "scenarios" / "_monitor" / "households.csv"
LOAN = f"""
2022-01-01 custom "household-register" "{REGISTER}"
2023-01-01 open Assets:Bank:County CNY
2023-01-01 open Expenses:Benefit:LoanInterestSubsidy CNY
  name: "小额信贷贴息"

2023-03-20 custom "loan" "L-1"
  borrower: "H-M-005"
  amount: 50000.00 CNY
  term: 36
  rate: "3.65%"
  bank: "测试县农村信用合作联社"
  type: "lifted"
"""


def rate_change(day: str, rate: str) -> str:
    return f'\n{day} custom "loan-event" "L-1" "rate"\n  rate: "{rate}"\n  doc: "LPR 重定价"\n'


def subsidy(day: str, amount: str, **meta: str) -> str:
    lines = "".join(f"    {key}: {value}\n" for key, value in meta.items())
    return (
        f'\n{day} * "县财政局" "小额信贷贴息"\n  basis: "信用社贴息清单"\n'
        f"  Expenses:Benefit:LoanInterestSubsidy  {amount} CNY\n"
        f'    household: "H-M-005"\n    loan: "L-1"\n{lines}  Assets:Bank:County\n'
    )


@pytest.fixture
def check(write_ledger):
    """``fupin check --json``: the L03 findings and any entity/policy/ledger error."""

    def run(*parts: str) -> list[dict[str, str]]:
        path = write_ledger(LOAN + "".join(parts))
        result = CliRunner().invoke(main, ["check", str(path), "--json"])
        assert result.exit_code in (0, 1), result.output
        keep = {"L01", "L02", "L03", "ENTITY", "POLICY", "LEDGER", "BEANCOUNT"}
        return [f for f in json.loads(result.output) if f["rule"] in keep]

    return run


def book_of(write_ledger, *parts: str):
    from beancount import loader

    entries, _, options = loader.load_file(str(write_ledger(LOAN + "".join(parts))))
    return build_book(entries, options)


def test_one_rate_keeps_its_figures(write_ledger) -> None:
    # 2023-03-20 … 2023-12-31: 287 days; 50,000.00 × 3.65% × 287 / 360 = 523,775 / 360
    # = 1,454.930… → 1,454.93 (as before the series)
    book = book_of(write_ledger)
    state = loan_book(book).loans["L-1"]
    assert state.rates() == [(datetime.date(2023, 3, 20), Decimal("0.0365"))]
    assert contract_interest(state, 2023, book.policy.at(datetime.date(2023, 12, 31))) == Decimal(
        "1454.93"
    )


def test_a_rate_change_splits_the_year_into_segments(write_ledger, check) -> None:
    # 3.65% 2023-03-20 … 09-19 (184 days), 3.45% from 2023-09-20 (103 days):
    # 50,000 × (0.0365 × 184 + 0.0345 × 103) = 335,800 + 177,675 = 513,475; / 360 =
    # 1,426.3194… → 1,426.32 (one rate all year would be 1,454.93)
    change = rate_change("2023-09-20", "3.45%")
    book = book_of(write_ledger, change)
    state = loan_book(book).loans["L-1"]
    assert state.rate_days(datetime.date(2023, 1, 1), datetime.date(2023, 12, 31)) == [
        (Decimal("0.0365"), 184),
        (Decimal("0.0345"), 103),
    ]
    assert state.accrual(datetime.date(2023, 1, 1), datetime.date(2023, 12, 31)) == Decimal(
        "513475.0000"
    )
    assert contract_interest(state, 2023, book.policy.at(datetime.date(2023, 12, 31))) == Decimal(
        "1426.32"
    )
    # without the bank's figure the 2023 subsidy (100%) rests on that contract interest
    assert check(change, subsidy("2023-12-25", "1426.32", year="2023")) == []
    found = check(change, subsidy("2023-12-25", "1426.33", year="2023"))
    assert [(f["rule"], f["value"], f["threshold"]) for f in found] == [
        ("L03", "1426.33", "1426.32")
    ]
    # the loan register shows the rate in force on its day
    assert loan_rows(book, datetime.date(2023, 9, 19)).rows[0].rate == Decimal("0.0365")
    assert loan_rows(book, datetime.date(2023, 9, 20)).rows[0].rate == Decimal("0.0345")


def test_a_settlement_across_a_rate_change_is_capped_per_segment(check) -> None:
    # settlement 2024-01-21 … 2024-04-20 (91 days), rate 3.45% from 2024-02-20:
    # 3.65% × 30 days (01-21 … 02-19) + 3.45% × 61 days (02-20 … 04-20):
    # 50,000 × (0.0365 × 30 + 0.0345 × 61) / 360 = (54,750 + 105,225) / 360 = 444.375
    # → 444.38 (half up); 2024 share 70% (the default schedule): 444.38 × 0.70 = 311.066
    # → 311.07
    change = rate_change("2024-02-20", "3.45%")
    period = {"interest_from": "2024-01-21", "interest_to": "2024-04-20"}
    assert check(change, subsidy("2024-04-25", "311.07", interest="444.38 CNY", **period)) == []
    found = check(change, subsidy("2024-04-25", "311.08", interest="444.38 CNY", **period))
    assert [(f["rule"], f["value"], f["threshold"]) for f in found] == [("L03", "311.08", "311.07")]
    found = check(change, subsidy("2024-04-25", "311.07", interest="444.39 CNY", **period))
    assert [(f["rule"], f["value"], f["threshold"]) for f in found] == [("L03", "444.39", "444.38")]
    assert "合同利息 50,000.00 × (3.65% × 30 + 3.45% × 61) / 360 天" in found[0]["message"]


def test_the_default_share_is_dated_100_to_2023_and_70_from_2024(write_ledger, check) -> None:
    # no policy entry: 2023 at 100%, 2024 at 70% (DOMAIN C.5). 2024 at 3.45% all year (leap:
    # 366 days): 50,000 × 0.0345 × 366 / 360 = 1,753.75; × 70% = 1,227.625 → 1,227.63
    change = rate_change("2023-09-20", "3.45%")
    share = share_on(book_of(write_ledger, change))
    assert share(datetime.date(2023, 12, 31)) == Decimal("1.00")
    assert share(datetime.date(2024, 1, 1)) == Decimal("0.70")
    assert check(change, subsidy("2024-12-25", "1227.63", year="2024")) == []
    found = check(change, subsidy("2024-12-25", "1227.64", year="2024"))
    assert [(f["rule"], f["value"], f["threshold"]) for f in found] == [
        ("L03", "1227.64", "1227.63")
    ]


def test_a_share_change_inside_a_settlement_takes_each_days_share(check) -> None:
    # a county's schedule: 70% from 2024-01-01, 50% from 2024-07-01. Settlement 2024-06-21 …
    # 09-20 (92 days) at 3.45%: 50,000 × 0.0345 × 92 / 360 = 440.833… → 440.83; June's 10
    # days: q2(440.83 × 10 / 92) = 47.92 at 70% → 33.544 → 33.54; the 82 days from 07-01:
    # 440.83 − 47.92 = 392.91 at 50% → 196.455 → 196.46; limit 33.54 + 196.46 = 230.00
    policy = (
        '\n2024-01-01 custom "policy" "loan-subsidy-shares" '
        '"1980-01-01=1.00 2024-01-01=0.70 2024-07-01=0.50"\n  source: "某县 2024年贴息调整"\n'
    )
    change = rate_change("2023-09-20", "3.45%")
    period = {"interest_from": "2024-06-21", "interest_to": "2024-09-20"}
    paid = subsidy("2024-09-25", "230.00", interest="440.83 CNY", **period)
    assert check(policy, change, paid) == []
    found = check(policy, change, paid.replace("230.00", "230.01"))
    assert [(f["rule"], f["value"], f["threshold"]) for f in found] == [("L03", "230.01", "230.00")]
    assert "银行结息 2024年 47.92 × 70.00% + 2024年 392.91 × 50.00%" in found[0]["message"]


def test_a_ledger_share_entry_still_wins_over_the_schedule(check) -> None:
    # loan-subsidy-share 0.80 from 2024-01-01: 1,753.75 × 80% = 1,403.00
    policy = '\n2024-01-01 custom "policy" "loan-subsidy-share" 0.80\n'
    change = rate_change("2023-09-20", "3.45%")
    assert check(policy, change, subsidy("2024-12-25", "1403.00", year="2024")) == []
    found = check(policy, change, subsidy("2024-12-25", "1403.01", year="2024"))
    assert [(f["rule"], f["threshold"]) for f in found] == [("L03", "1403.00")]


def test_rate_events_are_validated_at_their_line(check) -> None:
    no_rate = '\n2023-09-20 custom "loan-event" "L-1" "rate"\n  doc: "LPR"\n'
    found = check(no_rate)
    assert [(f["rule"], f["line"]) for f in found] == [("ENTITY", 16)]
    assert "rate" in found[0]["message"] and "须写新的年利率" in found[0]["message"]
    on_overdue = '\n2023-09-20 custom "loan-event" "L-1" "overdue"\n  rate: "3.45%"\n'
    found = check(on_overdue)
    assert [f["rule"] for f in found] == ["ENTITY"]
    assert "逾期 不调整利率" in found[0]["message"]
    too_high = rate_change("2023-09-20", "345%")
    assert [f["rule"] for f in check(too_high)] == ["ENTITY"]


def test_a_bad_share_schedule_is_a_policy_error(check) -> None:
    bad = '\n2024-01-01 custom "policy" "loan-subsidy-shares" "2024-13-01=0.70"\n'
    found = check(bad)
    assert [(f["rule"], f["line"]) for f in found] == [("POLICY", 16)]
    assert "loan-subsidy-shares" in found[0]["message"]
