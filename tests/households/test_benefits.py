"""Benefit formulas (DOMAIN C) with real numbers, and the rules over real Beancount loads."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from fupin.plugins import evaluate

from fupin.benefits import benefit_kind, chronic_aid, insured_people, payments
from fupin.book import build_book
from fupin.findings import BenefitError
from fupin.load import load
from fupin.policy import DEFAULT_POLICY

ROOT = Path(__file__).resolve().parents[2]
REGISTER = ROOT / "tests" / "scenarios" / "_households" / "households.csv"


@pytest.mark.parametrize(
    ("self_paid", "aid"),
    [
        ("0", "0.00"),
        ("3000", "0.00"),
        ("3000.01", "0.01"),  # 0.005 → 0.01, half up
        ("3001", "0.50"),
        ("9000", "3000.00"),
        ("32999.99", "15000.00"),  # 14,999.995 rounds half up to the cap
        ("33000", "15000.00"),
        ("40000", "15000.00"),
    ],
)
def test_chronic_aid_formula(self_paid: str, aid: str) -> None:
    assert chronic_aid(DEFAULT_POLICY, Decimal(self_paid)) == Decimal(aid)


@pytest.mark.parametrize(
    ("population", "people"), [(12250, 613), (12350, 618), (12130, 607), (12129, 606)]
)
def test_insured_people_round_half_up(population: int, people: int) -> None:
    assert insured_people(DEFAULT_POLICY, Decimal(population)) == people


def test_accounts_name_the_benefit_kind() -> None:
    assert benefit_kind("Expenses:Benefit:Education:SeniorSecondary") == "senior_secondary"
    assert benefit_kind("Expenses:Benefit:Medical:ChronicDisease") == "chronic"
    assert benefit_kind("Expenses:Benefit:Medical:PremiumSubsidy") == "premium"
    assert benefit_kind("Expenses:Insurance:AntiPoverty") == "insurance"
    assert benefit_kind("Expenses:Benefit:PublicWelfarePost") == "other"
    assert benefit_kind("Expenses:Industry:Livestock") is None


def _findings(write_ledger, body: str) -> list[BenefitError]:
    text = f'2021-01-01 custom "household-register" "{REGISTER}"\n' + body
    path = write_ledger(text)
    entries, _, options = loader.load_file(str(path))
    results = evaluate(build_book(entries, options))
    return [f for f in results.findings if isinstance(f, BenefitError)]


CHRONIC = """
2021-01-01 open Assets:Bank:Relief CNY
2021-01-01 open Expenses:Benefit:Medical:ChronicDisease CNY
  name: "慢性病救助"

2021-03-10 * "县医疗保障局" "慢性病救助 第一次"
  basis: "审核表 1"
  Expenses:Benefit:Medical:ChronicDisease  1000.00 CNY
    household: "H-T-001"
    member: 1
    self_paid: 5000.00 CNY
  Assets:Bank:Relief

2021-06-10 * "县医疗保障局" "慢性病救助 第二次"
  basis: "审核表 2"
  Expenses:Benefit:Medical:ChronicDisease  {second} CNY
    household: "H-T-001"
    member: 1
    self_paid: 4000.00 CNY
  Assets:Bank:Relief
"""


def test_incremental_claim_pays_the_cumulative_difference(write_ledger) -> None:
    assert _findings(write_ledger, CHRONIC.format(second="2000.00")) == []


def test_incremental_overpayment_is_one_error_at_the_posting(write_ledger) -> None:
    (finding,) = _findings(write_ledger, CHRONIC.format(second="2000.01"))
    assert finding.rule == "C03"
    assert finding.value == Decimal("3000.01")
    assert finding.threshold == Decimal("3000.00")
    assert finding.entity == "H-T-001"
    line = (
        Path(finding.source["filename"])
        .read_text(encoding="utf-8")
        .splitlines()[finding.source["lineno"] - 1]
    )
    assert line.strip().startswith("Expenses:Benefit:Medical:ChronicDisease  2000.01")
    # issue 15: a breach of the formula is named as such, not as the cap
    assert finding.policy_key == "chronic-aid-rate"
    assert finding.message == (
        "C03 error: 2021年慢性病救助累计超出公式应付 3,000.01 > 3,000.00 (chronic-aid-rate) — "
        "测试镇测试村 成员1 [household H-T-001]; 公式 (累计目录内自付 9,000.00 − 起付 "
        "3,000.00) × 0.50 = 3,000.00 CNY, 未达封顶 15,000.00; 此前已付 1,000.00 CNY"
    )


def test_policy_changes_the_premium_from_its_date(write_ledger) -> None:
    body = """
2021-01-01 open Assets:Bank:Relief CNY
2021-01-01 open Expenses:Benefit:Medical:PremiumSubsidy CNY
2022-01-01 custom "policy" "medical-premium" 350.00

2022-03-15 * "县医疗保障局" "医保补贴"
  basis: "青医保〔2022〕6号"
  Expenses:Benefit:Medical:PremiumSubsidy  1050.01 CNY
    household: "H-T-002"
  Assets:Bank:Relief
"""
    (finding,) = [f for f in _findings(write_ledger, body) if f.rule != "C09"]
    assert (finding.rule, finding.value, finding.threshold) == (
        "C04",
        Decimal("1050.01"),
        Decimal("1050.00"),
    )


def test_a_missing_register_file_is_a_c08_error_at_the_entry(write_ledger, tmp_path) -> None:
    path = write_ledger('2021-01-01 custom "household-register" "nowhere/households.csv"\n')
    entries, _, options = loader.load_file(str(path))
    (finding,) = [f for f in evaluate(build_book(entries, options)).findings if f.rule == "C08"]
    assert finding.source["lineno"] == 3
    assert "no such register file" in finding.message


def test_sample_ledger_benefits_pass_and_spend_the_special_fund_exactly() -> None:
    loaded = load(ROOT / "ledger" / "main.beancount")
    assert [f for f in loaded.results.findings if f.rule.startswith("C")] == []
    paid = payments(loaded.book)
    assert len({p.household for p in paid if p.household}) >= 200
    assert all(p.household and p.basis for p in paid if p.kind != "insurance")
    from_fund = sum((s.amount for s in loaded.book.spends if s.fund == "SF-2021"), Decimal(0))
    assert from_fund == Decimal("1000000.00")
    chronic = [p for p in paid if p.kind == "chronic"]
    assert chronic and all(p.spend.fund == "SF-2021" for p in chronic)
    years = {p.year for p in paid}
    assert years == {2021, 2022, 2023, 2024}  # 2023–2024: SF-2023 (issue 15: benefits, 贴息)
    later = [p for p in paid if p.year >= 2023]
    assert later and all(p.spend.fund == "SF-2023" for p in later)
    rows = [m for m in loaded.results.measures if m.rule.startswith("C")]
    # C10 is the deductible's (plugins/deductible.py); C11 repeats of a period paid (补发)
    assert {m.rule for m in rows} == {*(f"C0{i}" for i in range(1, 10)), "C11"}
    assert all(m.ok for m in rows)


def test_unreadable_metadata_is_a_finding_not_a_crash(write_ledger) -> None:
    body = """
2021-01-01 open Assets:Bank:Relief CNY
2021-01-01 open Expenses:Benefit:Medical:ChronicDisease CNY
2021-01-01 open Expenses:Insurance:AntiPoverty CNY

2021-03-10 * "县医疗保障局" "慢性病救助"
  basis: "审核表"
  Expenses:Benefit:Medical:ChronicDisease  10.00 CNY
    household: "H-T-001"
    member: "abc"
    self_paid: "lots"
  Assets:Bank:Relief

2021-04-10 * "保险公司" "防贫保险"
  rural_population: "many"
  Expenses:Insurance:AntiPoverty  5.00 CNY
  Assets:Bank:Relief
"""
    found = {(f.rule, f.message.split(" — ")[0]) for f in _findings(write_ledger, body)}
    assert found == {
        ("C07", "C07 error: 到户支出未注明 有效成员序号 (member: 'abc')"),
        ("C05", "C05 error: 防贫保险保费未注明 rural_population"),
    }
