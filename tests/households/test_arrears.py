"""Benefits paid in arrears (补发): a payment naming its ``period`` is judged on that period.

The register (written per test) has three households:

* H-A-001 低保户: 脱贫 2019, 纳入监测 2023-03-01, 风险消除 2023-06-15 with a 6-month 渐退期
  (2023-06-15 至 2023-12-14; 2023-12-15 is the first day after it). 低保 (``Dibao``) ends
  with the 渐退期 (``benefit-exit-kinds``).
* H-A-002 一般农户 until 建档立卡 on 2024-02-20.
* H-A-003 脱贫户 of three insured members; member 2 was in 义务教育 in 2022 and 2023 and is
  in 高中 from 2024 (``stages: 2022=compulsory 2023=compulsory``, ``school_stage``
  senior_secondary). Rates (DOMAIN C.1, C.3): 义务教育 2,000.00 a year; 医保个人缴费
  130.00 × 3 insured = 390.00 a household a year.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fupin.cli import main
from fupin.periods import PeriodError, parse_period

HOUSEHOLDS = (
    "id,township,village,group,head_name,id_number,phone,bank_account,attribute,cause,"
    "other_causes,cadre,income,note\n"
    "H-A-001,测试镇,补发村,1组,甲一,,,,dibao,illness,,驻村工作队,5000,\n"
    "H-A-002,测试镇,补发村,2组,乙一,,,,general,disaster,,驻村工作队,5000,\n"
    "H-A-003,测试镇,补发村,3组,丙一,,,,general,schooling,,驻村工作队,7000,\n"
)
MEMBERS = (
    "household,seq,name,id_number,relation,school_stage,stages,insured,chronic,note\n"
    "H-A-001,1,甲一,,户主,,,1,0,\n"
    "H-A-002,1,乙一,,户主,,,1,0,\n"
    "H-A-003,1,丙一,,户主,,,1,0,\n"
    "H-A-003,2,丙二,,子女,senior_secondary,2022=compulsory 2023=compulsory,1,0,\n"
    "H-A-003,3,丙三,,配偶,,,1,0,\n"
)
EVENTS = (
    "household,date,event,category,months,doc,note\n"
    "H-A-001,2015-10-20,identified,registered,,,\n"
    "H-A-001,2019-12-10,lifted,,,,\n"
    "H-A-001,2023-03-01,monitored,unstable_lifted,,,\n"
    "H-A-001,2023-06-15,risk_cleared,,6,,\n"
    "H-A-002,2024-02-20,identified,registered,,,\n"
    "H-A-003,2015-10-20,identified,registered,,,\n"
    "H-A-003,2019-12-10,lifted,,,,\n"
)
HEAD = """
2022-01-01 custom "household-register" "register/households.csv"
2022-01-01 open Assets:Bank:Relief CNY
2022-01-01 open Expenses:Benefit:Dibao CNY
  name: "农村最低生活保障金"
2022-01-01 open Expenses:Benefit:PublicWelfareJob CNY
  name: "公益岗位补贴"
2022-01-01 open Expenses:Benefit:Education:Compulsory CNY
  name: "教育资助-义务教育"
2022-01-01 open Expenses:Benefit:Medical:PremiumSubsidy CNY
  name: "医保个人缴费补贴"
"""


def pay(day: str, account: str, amount: str, household: str, **meta: str) -> str:
    """One benefit payment, its metadata on the posting."""
    lines = "".join(f'    {key}: "{value}"\n' for key, value in meta.items())
    return (
        f'\n{day} * "镇民政办" "补发"\n  basis: "测民〔2024〕1号"\n'
        f'  Expenses:Benefit:{account}  {amount} CNY\n    household: "{household}"\n'
        f"{lines}  Assets:Bank:Relief\n"
    )


@pytest.fixture
def check(write_ledger, tmp_path: Path):
    """``fupin check --json`` on HEAD + the payments: the findings of the watched rules."""
    folder = tmp_path / "register"
    folder.mkdir()
    for name, text in (("households", HOUSEHOLDS), ("members", MEMBERS), ("events", EVENTS)):
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")

    def run(*payments: str, rules: tuple[str, ...] = ("C01", "C04", "C06", "C07", "C11")):
        path = write_ledger(HEAD + "".join(payments))
        result = CliRunner().invoke(main, ["check", str(path), "--json"])
        assert result.exit_code in (0, 1), result.output
        found = json.loads(result.output)
        always = {"BEANCOUNT", "ENTITY", "POLICY", "LEDGER", "PII"}
        return [f for f in found if f["rule"] in (*rules, *always)]

    return run


# -- the period's forms -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "start", "end", "years"),
    [
        ("2024-03", "2024-03-01", "2024-03-31", (2024,)),
        ("2024-02", "2024-02-01", "2024-02-29", (2024,)),  # leap year
        ("2024", "2024-01-01", "2024-12-31", (2024,)),
        ("2024-Q1", "2024-01-01", "2024-03-31", (2024,)),
        ("2024-H2", "2024-07-01", "2024-12-31", (2024,)),
        ("2024上半年", "2024-01-01", "2024-06-30", (2024,)),
        ("2023秋季", "2023-09-01", "2024-01-31", (2023,)),  # the term's own year
        ("2024-01..2024-02", "2024-01-01", "2024-02-29", (2024,)),
        ("2023-11 至 2024-02", "2023-11-01", "2024-02-29", (2023, 2024)),
        ("2022..2023", "2022-01-01", "2023-12-31", (2022, 2023)),
        ("2024-01-05..2024-01-20", "2024-01-05", "2024-01-20", (2024,)),
    ],
)
def test_period_forms(text: str, start: str, end: str, years: tuple[int, ...]) -> None:
    period = parse_period(text)
    assert (str(period.start), str(period.end), tuple(period.years)) == (start, end, years)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2024-13", "月份 13 应在 01–12 之间"),
        ("2024-02..2024-01", "止日 2024-01-31 早于起日 2024-02-01"),
        ("2024-01..", "应为 YYYY"),
        ("Jan 2024", "应为 YYYY"),
        ("2024-Q5", "季度应为 Q1–Q4"),
        ("2024-02-30", "不是日历上的日期"),
    ],
)
def test_bad_periods_say_why(text: str, why: str) -> None:
    with pytest.raises(PeriodError, match=why):
        parse_period(text)


def test_months_of_a_period() -> None:
    assert parse_period("2023-11..2024-02").months() == [
        (2023, 11),
        (2023, 12),
        (2024, 1),
        (2024, 2),
    ]


# -- C06 on the period, not the payment date ------------------------------------------------
def test_arrears_inside_the_window_pass_though_paid_after_it(check) -> None:
    # 2024-01-10 is after the 渐退期 (last day 2023-12-14): paid without a period it is C06
    # as before; for 2023-11..2023-12 (November wholly, December 1–14 inside) it passes
    bare = check(pay("2024-01-10", "Dibao", "1000.00", "H-A-001"))
    assert [f["rule"] for f in bare] == ["C06"]
    assert "付款日 2024-01-10 在渐退期 (2023-06-15 至 2023-12-14, 6 个月)" in bare[0]["message"]
    assert check(pay("2024-01-10", "Dibao", "1000.00", "H-A-001", period="2023-11..2023-12")) == []


def test_arrears_reaching_past_the_window_name_the_month(check) -> None:
    found = check(pay("2024-02-10", "Dibao", "1000.00", "H-A-001", period="2023-12..2024-01"))
    assert [(f["rule"], f["line"]) for f in found] == [("C06", 16)]
    assert found[0]["message"].startswith(
        "C06 error: 所付期间 2023-12..2024-01 中 2024-01 在渐退期 (2023-06-15 至 2023-12-14, "
        "6 个月) 结束之后: 农村最低生活保障金随渐退期结束 (benefit-exit-kinds) — "
    )


def test_every_month_of_a_monthly_benefit_needs_an_eligible_day(check) -> None:
    # H-A-002 is registered from 2024-02-20: February has eligible days, January none
    assert check(pay("2024-03-10", "PublicWelfareJob", "500.00", "H-A-002", period="2024-02")) == []
    found = check(
        pay("2024-03-10", "PublicWelfareJob", "1000.00", "H-A-002", period="2024-01..2024-02")
    )
    assert [f["rule"] for f in found] == ["C06"]
    assert (
        "所付期间 2024-01..2024-02 中 2024-01 农户状态 一般农户 不在享受范围" in found[0]["message"]
    )


def test_a_period_not_yet_begun_is_refused(check) -> None:
    found = check(pay("2023-10-20", "Dibao", "500.00", "H-A-001", period="2023-11"))
    assert [f["rule"] for f in found] == ["C06"]
    assert found[0]["message"].startswith(
        "C06 error: 付款日 2023-10-20 早于所付期间 2023-11 的起日 2023-11-01: 不得预发 (period)"
    )
    # the current month (what the roll importer writes) is not in the future
    assert check(pay("2023-10-20", "Dibao", "500.00", "H-A-001", period="2023-10")) == []


def test_a_malformed_period_is_a_ledger_error_at_its_line(check) -> None:
    # LEDGER names the transaction (line 14) and the key; the payment is then judged on its
    # date (2023-12-10, inside the 渐退期) as one without a period
    found = check(pay("2023-12-10", "Dibao", "1000.00", "H-A-001", period="2023-12..2023-11"))
    assert [(f["rule"], f["line"]) for f in found] == [("LEDGER", 14)]
    assert "period = '2023-12..2023-11': 止日 2023-11-30 早于起日 2023-12-01" in found[0]["message"]
    found = check(pay("2023-12-10", "Dibao", "1000.00", "H-A-001", period="2023年底"))
    assert [f["rule"] for f in found] == ["LEDGER"]
    assert "应为 YYYY、YYYY-MM" in found[0]["message"]


# -- amounts: the formula for the period's years ----------------------------------------------
def test_a_school_year_paid_after_it_counts_in_that_year(check) -> None:
    # 2,000.00 义务教育 for 2023 paid 2024-01-15: in 2024 the student is in 高中, so without
    # its period the payment is 学段不符 (C01); for period 2023 it is the 2023 aid
    bare = check(pay("2024-01-15", "Education:Compulsory", "2000.00", "H-A-003", member="2"))
    assert [f["rule"] for f in bare] == ["C01"]
    assert "学段不符: 农户信息库 2024年 高中阶段" in bare[0]["message"]
    assert (
        check(
            pay(
                "2024-01-15",
                "Education:Compulsory",
                "2000.00",
                "H-A-003",
                member="2",
                period="2023",
            )
        )
        == []
    )


def test_two_school_years_in_arrears_allow_two_years_aid(check) -> None:
    # 2022..2023: 2 years × 2,000.00 = 4,000.00; a fen more is 2023's 2,000.01 > 2,000.00
    two = {"member": "2", "period": "2022..2023"}
    assert check(pay("2024-01-15", "Education:Compulsory", "4000.00", "H-A-003", **two)) == []
    found = check(pay("2024-01-15", "Education:Compulsory", "4000.01", "H-A-003", **two))
    assert [(f["rule"], f["value"], f["threshold"]) for f in found] == [
        ("C01", "2000.01", "2000.00")
    ]
    assert "2023年教育资助(义务教育)累计 2,000.01" in found[0]["message"]
    assert "所付期间 2022..2023" in found[0]["message"]


def test_premium_subsidy_for_two_years_is_twice_the_household_premium(check) -> None:
    # 130.00 × 3 insured = 390.00 a year; 2022..2023 allows 780.00
    two = {"period": "2022..2023"}
    assert check(pay("2024-02-01", "Medical:PremiumSubsidy", "780.00", "H-A-003", **two)) == []
    found = check(pay("2024-02-01", "Medical:PremiumSubsidy", "780.01", "H-A-003", **two))
    assert [(f["rule"], f["value"], f["threshold"]) for f in found] == [("C04", "390.01", "390.00")]


def test_a_year_that_contradicts_the_period_is_named(check) -> None:
    found = check(
        pay(
            "2024-01-15", "Education:Compulsory", "2000.00", "H-A-003", member="2", period="2023"
        ).replace('    period: "2023"\n', '    period: "2023"\n    year: 2022\n')
    )
    assert [f["rule"] for f in found] == ["C07"]
    assert "year 2022 不在所付期间 period 2023 (2023-01-01 至 2023-12-31) 内" in found[0]["message"]


# -- C11: a period already paid ---------------------------------------------------------------
def test_a_period_already_paid_is_a_repeat(check) -> None:
    # July–August paid on 2023-08-10; August again on 2023-08-20 (another amount: not K2's
    # exact repeat) overlaps 2023-08-01 至 2023-08-31
    first = pay("2023-08-10", "Dibao", "1000.00", "H-A-001", period="2023-07..2023-08")
    found = check(first, pay("2023-08-20", "Dibao", "500.00", "H-A-001", period="2023-08"))
    assert [(f["rule"], f["line"], f["value"]) for f in found] == [("C11", 23, "500.00")]
    assert found[0]["message"].startswith(
        "C11 error: 同一农户同一补助科目同期重复领取 — 所付期间 2023-08 与 2023-08-10 已付期间 "
        "2023-07..2023-08 重叠 (2023-08-01 至 2023-08-31) — [household H-A-001]; "
    )
    assert check(first, pay("2023-09-20", "Dibao", "500.00", "H-A-001", period="2023-09")) == []


def test_the_same_period_and_amount_twice_is_k2s_not_c11s(check) -> None:
    # the very same period text and amount: K2 (the red flag) reports it, C11 does not again
    twice = pay("2023-08-10", "Dibao", "500.00", "H-A-001", period="2023-08")
    found = check(twice, twice.replace("2023-08-10", "2023-08-25"), rules=("C11", "K2"))
    assert [f["rule"] for f in found] == ["K2"]


def test_two_terms_of_a_year_are_not_repeats_but_a_third_payment_is(check) -> None:
    # 春季 (Feb–Jul) and 秋季 (Sep–next Jan) of 2023: 1,000.00 + 1,000.00 = the year's 2,000.00
    spring = pay(
        "2023-03-10", "Education:Compulsory", "1000.00", "H-A-003", member="2", period="2023春季"
    )
    autumn = pay(
        "2023-10-10", "Education:Compulsory", "1000.00", "H-A-003", member="2", period="2023秋季"
    )
    assert check(spring, autumn) == []
    # December again: inside the autumn term (C11) and 2,500.00 > 2,000.00 for 2023 (C01)
    december = pay(
        "2023-12-10", "Education:Compulsory", "500.00", "H-A-003", member="2", period="2023-12"
    )
    found = check(spring, autumn, december)
    assert sorted((f["rule"], f["value"]) for f in found) == [("C01", "2500.00"), ("C11", "500.00")]


def test_arrears_count_as_paid_for_their_year_in_c09(check) -> None:
    # the books run to 2024-01-15, so 2023 is a complete year for 应享未享 (C09): the 2023
    # aid paid on 2024-01-15 for period 2023 counts for 2023; without the period it counts
    # for 2024 and 2023's aid is reported unpaid
    def unpaid_2023(found: list[dict[str, str]]) -> list[str]:
        return [
            f["message"]
            for f in found
            if f["rule"] == "C09" and "2023年教育资助-义务教育" in f["message"]
        ]

    aid = pay("2024-01-15", "Education:Compulsory", "2000.00", "H-A-003", member="2", period="2023")
    assert unpaid_2023(check(aid, rules=("C09",))) == []
    bare = aid.replace('    period: "2023"\n', "")
    assert len(unpaid_2023(check(bare, rules=("C09",)))) == 1


def test_a_years_benefit_needs_an_eligible_day_in_each_year_it_pays(check) -> None:
    # H-A-002 is registered from 2024-02-20 (one insured member: 130.00 a year): its 2024
    # premium subsidy paid on 2024-03-01 passes; 2023's, or 2023..2024 in one payment, is for
    # a year it was a 一般农户 throughout
    premium = "Medical:PremiumSubsidy"
    assert check(pay("2024-03-01", premium, "130.00", "H-A-002", period="2024")) == []
    found = check(pay("2024-03-01", premium, "130.00", "H-A-002", period="2023"))
    assert [f["rule"] for f in found] == ["C06"]
    assert "所付期间 2023 中 2023 农户状态 一般农户 不在享受范围" in found[0]["message"]
    found = check(pay("2024-03-01", premium, "260.00", "H-A-002", period="2023..2024"))
    assert [f["rule"] for f in found] == ["C06"]
    assert "所付期间 2023..2024 中 2023年 农户状态 一般农户" in found[0]["message"]


# -- C12: monthly amounts × the months paid for ----------------------------------------------
MONTHLY = '\n2023-01-01 custom "policy" "benefit-monthly-max" "Dibao=500.00"\n'


def test_arrears_may_pay_the_monthly_amount_times_the_months(check) -> None:
    # 低保 500.00 a month: November–December in arrears is at most 2 × 500.00 = 1,000.00;
    # 1,000.01 fills November with 500.00 and leaves December 500.01 > 500.00
    rules = ("C06", "C11", "C12")
    arrears = {"period": "2023-11..2023-12"}
    assert (
        check(MONTHLY, pay("2024-01-10", "Dibao", "1000.00", "H-A-001", **arrears), rules=rules)
        == []
    )
    found = check(MONTHLY, pay("2024-01-10", "Dibao", "1000.01", "H-A-001", **arrears), rules=rules)
    assert [(f["rule"], f["value"], f["threshold"]) for f in found] == [("C12", "500.01", "500.00")]
    assert found[0]["message"].startswith("C12 error: 2023-12 农村最低生活保障金当月累计 500.01")
    assert "每月 500.00 CNY (Dibao), 所付期间 2023-11..2023-12" in found[0]["message"]


def test_payments_without_a_period_count_in_their_own_month(check) -> None:
    # 300.00 on 2023-08-05 and 200.01 on 2023-08-25: August 500.01 > 500.00; without the
    # policy nothing is compared (the default names no monthly amount)
    one = pay("2023-08-05", "Dibao", "300.00", "H-A-001")
    two = pay("2023-08-25", "Dibao", "200.01", "H-A-001")
    found = check(MONTHLY, one, two, rules=("C12",))
    assert [(f["rule"], f["value"], f["threshold"]) for f in found] == [("C12", "500.01", "500.00")]
    assert check(one, two, rules=("C12",)) == []
    assert check(MONTHLY, one, two.replace("200.01", "200.00"), rules=("C12",)) == []
