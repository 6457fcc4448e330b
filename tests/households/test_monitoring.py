"""Issue 15 on the sample ledger and on broken input: monitoring, loans, budgets, titles.

The sample carries 河湾村 H-HW-009 from discovery (2022-06-20) to risk elimination
(2023-01-10), two 脱贫人口小额信贷 loans with 贴息 in 2023 (100%) and 2024 (70%), one overdue
and compensated, and two budget years with revenue; ``fupin check`` finds none of them at
fault (its one warning is a late 2021 notice, B30).
"""

from __future__ import annotations

import datetime
import json
import re
import textwrap
from decimal import Decimal
from pathlib import Path

from beancount import loader
from click.testing import CliRunner
from fupin.plugins import evaluate

from fupin.book import build_book
from fupin.cli import main
from fupin.entities import Notice
from fupin.households import Household, Member, StatusChange, load_register
from fupin.load import load
from fupin.monitoring import case_rows
from fupin.notice_titles import notice_title

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "ledger" / "main.beancount"
REGISTER = ROOT / "tests" / "scenarios" / "_monitor" / "households.csv"
ID18 = re.compile(r"\d{17}[\dX]")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_sample_has_no_issue_15_finding_and_every_issue_15_rule_measured() -> None:
    code, out = run("check", "--json")
    assert code == 0, out
    # the sample's one finding is a late allocation notice (B30), none of issue 15's rules
    assert [
        (f["rule"], f["severity"], f["entity"], f["file"], f["line"]) for f in json.loads(out)
    ] == [("B30", "warning", "N-2021-F03", "ledger/assets.beancount", 154)]
    code, out = run("compliance", "--json")
    rules = {row["rule"] for row in json.loads(out)}
    assert {"M01", "M02", "M03", "M04", "B44", "L01", "L03", "B04", "B05", "B06", "E01"} <= rules
    assert {"S01", "S02", "S03", "S04"} <= rules


def test_monitoring_register_counts_the_decision_as_m01_does_in_working_days() -> None:
    """A county that counts 审定 in 工作日: the register prints M01's measure (5 working days
    over 国庆 2024), not the 13 calendar days from 09-27 to 10-10."""
    ledger = ROOT / "tests" / "scenarios" / "M01" / "workdays_guoqing_2024_on_time.beancount"
    loaded = load(ledger)
    [row] = case_rows(loaded.book, load_register(REGISTER))
    assert (row.decided, row.decision_days, row.decision_unit) == (
        datetime.date(2024, 10, 10),
        5,
        "个工作日",
    )
    [m01] = [m for m in loaded.results.measures if m.rule == "M01"]
    assert m01.value == row.decision_days
    code, out = run("households", "--wide", str(ledger))
    assert code == 0, out
    assert "2024-10-10 (5 个工作日)" in out


def test_monitoring_register_carries_the_case_to_elimination() -> None:
    loaded = load(SAMPLE)
    register = load_register(ROOT / "ledger" / "register" / "households.csv")
    rows = {r.id: r for r in case_rows(loaded.book, register)}
    hw = rows["M-2022-HW-01"]
    assert (hw.household, hw.village, hw.category_name, hw.state_name) == (
        "H-HW-009",
        "河湾村",
        "边缘易致贫户",
        "风险已消除",
    )
    assert (hw.discovered, hw.decided, hw.decision_days, hw.decision_unit) == (
        datetime.date(2022, 6, 20),
        datetime.date(2022, 7, 2),
        12,
        "天",
    )
    assert (hw.cleared, hw.monitored_days, hw.exit_until) == (
        datetime.date(2023, 1, 10),
        192,
        datetime.date(2023, 7, 9),
    )
    assert hw.notices == ("N-2022-M-HW01", "N-2022-M-HW01X") and hw.measures == 3
    # on an earlier day the same case is still being monitored
    before = {r.id: r for r in case_rows(loaded.book, register, datetime.date(2022, 12, 31))}
    assert before["M-2022-HW-01"].state_name == "监测帮扶中"


def test_households_command_prints_the_registers_by_id_only() -> None:
    code, out = run("households")
    assert code == 0, out
    assert "防返贫监测对象台账" in out and "M-2022-HW-01" in out and "风险已消除" in out
    assert "小额信贷台账" in out
    assert "在贷余额 80,000.00; 逾期 15,000.00 (逾期率 18.75%); 风险补偿金代偿 10,500.00 CNY" in out
    assert "陈一" not in out and not ID18.search(out)  # H-HW-009's head: never printed
    code, out = run("households", "--json")
    data = json.loads(out)
    loans = {row["id"]: row for row in data["loans"]["loans"]}
    assert loans["L-2023-QS-01"]["subsidy_by_year"] == {"2023": "1430.00", "2024": "638.75"}
    assert loans["L-2023-YZ-01"]["status"] == "overdue"
    assert data["statistics"]["rounding"].startswith("money ROUND_HALF_UP")


def test_monitoring_notice_prints_no_cause_or_health(tmp_path: Path) -> None:
    code, out = run(
        "notices", "--out", str(tmp_path), "--kind", "monitoring_exit", "--format", "html"
    )
    assert code == 0, out
    (page,) = tmp_path.rglob("N-2022-M-HW01X.html")
    html = page.read_text(encoding="utf-8")
    assert "河湾村2022年防止返贫监测对象风险消除公示" in html
    assert "边缘易致贫户" in html and "陈一" in html  # the head's name, as a village board shows
    for word in ("unstable_employment", "务工就业不稳", "因病", "因残", "8,200", "收入:"):
        assert word not in html


def test_notice_findings_name_the_title_the_notice_prints(write_ledger) -> None:
    path = write_ledger(
        """
        2021-01-01 custom "project" "P-1"
          name: "肉牛养殖圈舍建设项目"
          category: "Industry"
          township: "城关镇"
          village: "青山村"
          year: 2021
          budget: 100000.00 CNY
          implementer: "青山村股份经济合作社"
        2021-01-11 custom "notice" "N-1"
          type: "project_plan"
          level: "village"
          subject: "P-1"
          start: 2021-01-11
          end: 2021-01-17
        """
    )
    entries, _, options = loader.load_file(str(path))
    (found,) = [f for f in evaluate(build_book(entries, options)).findings if f.rule == "B31"]
    assert found.message == (
        "B31 error: 公示期 7 天 < 10 天 (notice-min-days) — 村级 "
        "关于青山村2021年肉牛养殖圈舍建设项目的公示 [notice N-1]; 2021-01-11 至 2021-01-17"
    )


def test_core_titles_are_the_rendered_titles() -> None:
    """The finding's title and the printed notice's title come from one function."""
    from fupin.reports.notice_context import Context, build_notices

    loaded = load(SAMPLE)
    register = load_register(ROOT / "ledger" / "register" / "households.csv")
    docs = build_notices(Context(loaded.book, loaded.results.measures, register, b"k" * 32))
    by_id = {n.id: n for n in loaded.book.all(Notice)}
    assert docs and all(d.header.title == notice_title(loaded.book, by_id[d.id]) for d in docs)


def _findings(write_ledger, body: str, rule: str) -> list:
    text = f'2022-01-01 custom "household-register" "{REGISTER}"\n' + textwrap.dedent(body)
    entries, _, options = loader.load_file(str(write_ledger(text)))
    return [f for f in evaluate(build_book(entries, options)).findings if f.rule == rule]


def test_kind_statuses_narrow_one_benefit_only(write_ledger) -> None:
    body = """
    2022-01-01 custom "policy" "benefit-kind-statuses" "TemporaryAid=registered,monitored"
    2022-01-01 open Assets:Bank:Relief CNY
    2022-01-01 open Expenses:Benefit:TemporaryAid CNY
    2022-01-01 open Expenses:Benefit:PublicWelfarePost CNY
    2022-05-01 * "镇民政办" "临时救助与公益岗位"
      basis: "测民〔2022〕2号"
      Expenses:Benefit:TemporaryAid  500.00 CNY
        household: "H-M-005"
      Expenses:Benefit:PublicWelfarePost  800.00 CNY
        household: "H-M-005"
      Assets:Bank:Relief
    """
    (found,) = _findings(write_ledger, body, "C06")
    assert found.policy_key == "benefit-kind-statuses"
    assert "脱贫户 不在享受范围 (registered, monitored)" in found.message


def test_bad_issue_15_input_is_an_error_naming_the_field(write_ledger) -> None:
    body = """
    2022-01-01 custom "policy" "household-measure-min" "lifted:industri=3"
    2022-01-01 custom "policy" "benefit-kind-statuses" "Dibao=lifted,poorish"
    2022-01-18 custom "county-budget" "20x3"
      special_fund: 1.00 CNY
    2022-03-01 custom "loan" "L-1"
      borrower: "张三"
      amount: 1000.00 CNY
      term: 12
      rate: "3.65%"
      bank: "农商行"
    2022-03-02 custom "monitoring-step" "M-1" "cadre"
    """
    text = f'2022-01-01 custom "household-register" "{REGISTER}"\n' + textwrap.dedent(body)
    code, out = run("check", str(write_ledger(text)))
    assert code == 1 and "Traceback" not in out
    assert "POLICY error: household-measure-min = lifted:industri=3" in out
    assert "POLICY error: benefit-kind-statuses = Dibao=lifted,poorish" in out
    assert "ENTITY error: 县级财政扶贫投入 20x3: year = '20x3'" in out
    assert "ENTITY error: 小额信贷 L-1: borrower = '张三'" in out
    assert "ENTITY error: 监测程序 M-1: cadre = None: 帮扶干部步骤须写明干部" in out


def test_loan_subsidy_without_the_banks_figure_rests_on_the_contract_interest(
    write_ledger,
) -> None:
    body = """
    2023-01-01 open Assets:Bank:County CNY
    2023-01-01 open Expenses:Benefit:LoanInterestSubsidy CNY
    2023-03-20 custom "loan" "L-1"
      borrower: "H-M-005"
      amount: 50000.00 CNY
      term: 36
      rate: "3.65%"
      bank: "农商行"
    2023-12-25 * "县财政局" "2023年贴息"
      basis: "贴息清单"
      Expenses:Benefit:LoanInterestSubsidy  1454.94 CNY
        household: "H-M-005"
        loan: "L-1"
      Assets:Bank:County
    """
    (found,) = _findings(write_ledger, body, "L03")
    # 50,000.00 × 3.65% × 287 days / 360 = 1,454.93 (half up), 100% in 2023
    assert (found.value, found.threshold) == (Decimal("1454.94"), Decimal("1454.93"))
    assert "合同利息 1,454.93 × 贴息比例 100.00%" in found.message


def test_labour_capacity_from_the_register() -> None:
    def household(attribute: str, *labour: str | None) -> Household:
        members = tuple(
            Member(seq=n, name=f"人{n}", labour=code) for n, code in enumerate(labour, 1)
        )
        change = StatusChange(date=datetime.date(2015, 1, 1), event="identified")
        return Household(
            id="H-T-1",
            township="镇",
            village="村",
            head_name="人1",
            attribute=attribute,
            members=members,
            history=(change,),
        )

    assert household("extreme", "normal").has_labour() is False  # 特困供养: 无劳动能力
    assert household("general", "none", "lost").has_labour() is False
    assert household("general", "none", "weak").has_labour() is True
    assert household("general", "none", None).has_labour() is None  # not recorded


def test_unreadable_metadata_is_a_finding_not_a_crash(write_ledger) -> None:
    body = """
    2023-01-01 open Assets:Bank:County CNY
    2023-01-01 open Expenses:Benefit:LoanInterestSubsidy CNY
    2023-01-01 open Expenses:Benefit:Medical:Inpatient CNY
    2023-03-20 custom "loan" "L-1"
      borrower: "H-M-005"
      amount: 50000.00 CNY
      term: 36
      rate: "3.65%"
      bank: "农商行"
    2023-12-25 * "县财政局" "2023年贴息与住院报销"
      basis: "贴息清单"
      Expenses:Benefit:LoanInterestSubsidy  100.00 CNY
        household: "H-M-005"
        loan: "L-1"
        year: "二〇二三"
        interest: "很多"
      Expenses:Benefit:Medical:Inpatient  100.00 CNY
        household: "H-M-005"
        deductible: "三百"
      Assets:Bank:County
    """
    text = f'2022-01-01 custom "household-register" "{REGISTER}"\n' + textwrap.dedent(body)
    code, out = run("check", str(write_ledger(text)))
    assert code == 1 and "internal error" not in out and "Traceback" not in out
    assert "L03 error: year = '二〇二三' 不是年份; interest = '很多' 不是金额" in out
    assert "C10 error: 住院报销未注明可读的 deductible" in out
