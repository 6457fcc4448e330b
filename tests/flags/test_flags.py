"""``fupin flags`` and the K rules: the audit sample's seeded flags, the sample's one, ranking."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fupin.plugins import RULES
from fupin.plugins.flags_common import add_months, months_between

from fupin.basis import basis
from fupin.catalogue import ALIASES, CATALOGUE
from fupin.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "ledger" / "main.beancount"
AUDIT = ROOT / "ledger" / "audit-sample" / "main.beancount"

#: Every flag seeded in ledger/audit-sample (one each), with its amount at stake.
SEEDED = {
    "K1": ("资金闲置", "error", "60000.00", "books-2021.beancount"),
    "K2": ("虚报冒领", "error", "500000.00", "books-2021.beancount"),
    "K3": ("挤占挪用", "error", "200000.00", "books-2021.beancount"),
    "K4": ("形象工程", "error", "380000.00", "books-2022.beancount"),
    "K5": ("违规列支", "error", "6800.00", "books-2022.beancount"),
    "K6": ("个人侵占", "error", "18000.00", "books-2022.beancount"),
    "K7": ("资产闲置", "warning", "240000.00", "assets.beancount"),
    "K8": ("利益联结弱", "warning", "16000.00", "assets.beancount"),
    "K9": ("平均主义", "warning", "10000.00", "books-2022.beancount"),
    "K11": ("规避招标", "error", "560000.00", "books-2022.beancount"),
    "K13": ("应享未享", "warning", "2000.00", "main.beancount"),
    "K15": ("收益未分配", "warning", "16000.00", "assets.beancount"),
    "K17": ("有租无合同", "warning", "36000.00", "assets.beancount"),
    "K19": ("拨付滞留", "warning", "120000.00", "books-2022.beancount"),
}


def flags_json(ledger: Path, *extra: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, ["flags", str(ledger), "--json", *extra])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)


def test_audit_sample_finds_every_seeded_flag_and_nothing_else() -> None:
    code, rows = flags_json(AUDIT)
    assert code == 1  # error-severity flags fail the command, as bean-check does
    assert sorted(r["rule"] for r in rows) == sorted(SEEDED)
    for row in rows:
        name, severity, amount, filename = SEEDED[row["rule"]]
        assert (row["name"], row["severity"], row["amount"]) == (name, severity, amount), row
        assert row["file"].endswith(f"audit-sample/{filename}") and row["line"] > 0, row
        assert row["source"] == CATALOGUE[row["rule"]].source and "DOMAIN K" in row["source"]
        assert row["message"].startswith(f"{row['found_by']} {severity}: "), row
        assert row["entity"] and row["date"]


def test_audit_sample_k13_is_issue_6s_c09_under_its_audit_name() -> None:
    _, rows = flags_json(AUDIT)
    k13 = next(r for r in rows if r["rule"] == "K13")
    assert k13["found_by"] == "C09" and k13["entity"] == "H-BS-006"


def test_flags_ranked_errors_first_then_by_amount() -> None:
    _, rows = flags_json(AUDIT)
    severities = [r["severity"] for r in rows]
    assert severities == sorted(severities)  # "error" < "warning"
    for severity in ("error", "warning"):
        amounts = [Decimal(r["amount"]) for r in rows if r["severity"] == severity]
        assert amounts == sorted(amounts, reverse=True)
    assert rows[0]["rule"] == "K11" and rows[0]["amount"] == "560000.00"


def test_year_filter_keeps_flags_dated_in_that_year() -> None:
    _, rows = flags_json(AUDIT, "--year", "2021")
    assert sorted(r["rule"] for r in rows) == ["K1", "K15", "K2", "K3"]
    assert all(r["date"].startswith("2021-") for r in rows)


def test_text_report_names_findings_and_sources() -> None:
    result = CliRunner().invoke(main, ["flags", str(AUDIT)])
    assert result.exit_code == 1
    out = result.output
    for rule, (name, *_rest) in SEEDED.items():
        # the 依据 is the audit finding's document (title), not its citation code
        assert f"{rule} {name}: {basis(CATALOGUE[rule].source)}" in out
    assert "14 个风险点: 7 错误, 7 警告" in out
    assert "books-2022.beancount:79: K11 error: 规避招标 合同 560,000.00 ≥ 400,000.00" in out


def test_sample_ledger_yields_only_its_late_notice() -> None:
    """The sample's one real case: N-2021-F03 posted 133 days after the first approval (B30
    warning), flagged K10 公告公示未落实 with no amount at stake; no other flag."""
    code, rows = flags_json(SAMPLE)
    assert (code, rows) == (
        0,
        [
            {
                "rule": "K10",
                "found_by": "B30",
                "name": "公告公示未落实",
                "severity": "warning",
                "amount": None,
                "entity": "N-2021-F03",
                "date": "2021-08-12",
                "file": "ledger/assets.beancount",
                "line": 154,
                "message": (
                    "B30 warning: 公告已发布但逾期: 距首个批复 133 天 > 30 天 (notice-grace-days) "
                    "— 青山县2021年东西部协作资金分配结果公告 [notice N-2021-F03]; "
                    "开始 2021-08-12, 最迟 2021-05-01, 首个批复 2021-04-01; "
                    "2021年东西部协作资金(结对帮扶) [fund EW-2021]"
                ),
                "source": CATALOGUE["K10"].source,
            }
        ],
    )
    result = CliRunner().invoke(main, ["flags", str(SAMPLE)])
    assert result.exit_code == 0 and "未发现审计风险点" not in result.output
    assert "1 个风险点: 0 错误, 1 警告; 涉及金额 0.00 元" in result.output


def test_every_k_rule_is_registered_with_its_audit_source() -> None:
    registered = {rid: rule for rule in RULES for rid in rule.ids if rid.startswith("K")}
    assert set(registered) == {
        "K1",
        "K2",
        "K3",
        "K4",
        "K5",
        "K6",
        "K7",
        "K8",
        "K9",
        "K11",
        "K15",
        "K17",
        "K19",
    }
    for rid, rule in registered.items():
        assert rule.source == CATALOGUE[rid].source
        assert rule.title.startswith(CATALOGUE[rid].name)
    assert set(ALIASES.values()) <= set(CATALOGUE)


def test_month_arithmetic_clamps_and_counts_whole_months() -> None:
    day = datetime.date
    assert add_months(day(2021, 1, 31), 1) == day(2021, 2, 28)
    assert add_months(day(2022, 12, 31), -6) == day(2022, 6, 30)
    assert months_between(day(2021, 1, 5), day(2022, 1, 4)) == 11
    assert months_between(day(2021, 1, 5), day(2022, 1, 5)) == 12
    assert months_between(day(2022, 1, 5), day(2021, 1, 5)) == 0


def test_odd_books_give_findings_never_internal_errors(write_ledger: Any) -> None:
    path = write_ledger(
        """
        2021-01-01 open Assets:Treasury:XJ-2021 CNY
        2021-01-01 open Assets:Township:Shiqiao:XJ-2021 CNY
        2021-01-01 open Assets:Receivable:XJ-2021 CNY
        2021-01-01 open Income:Fund:XJ-2021:Central CNY
        2021-01-01 open Income:AssetIncome:A-GONE CNY
        2021-01-01 open Assets:Cash CNY
        2021-01-01 open Expenses:Industry:Livestock CNY
        2021-01-01 custom "fund" "XJ-2021"
          name: "2021年衔接资金"
          family: "xianjie"
        2021-01-01 custom "contract" "HT-X"
          project: "P-NONE"
          vendor: "某公司"
          amount: 5000000.00 CNY
        2021-01-02 * "乡镇" "先付后到 (过渡户透支)"
          Assets:Township:Shiqiao:XJ-2021  -100.00 CNY
          Expenses:Industry:Livestock
        2021-01-03 * "某公司" "归还借款"
          Assets:Receivable:XJ-2021  -500.00 CNY
          Assets:Treasury:XJ-2021
        2021-01-04 * "租户" "租金 (资产未登记)"
          Assets:Cash  800.00 CNY
          Income:AssetIncome:A-GONE
        2021-01-05 * "某公司" "合同款"
          contract: "HT-X"
          Expenses:Industry:Livestock  10.00 CNY
          Assets:Treasury:XJ-2021
        2022-06-01 * "县财政局" "退回"
          Assets:Treasury:XJ-2021  -1000.00 CNY
          Income:Fund:XJ-2021:Central
        """
    )
    result = CliRunner().invoke(main, ["check", str(path), "--json"])
    found = json.loads(result.output)
    assert not [f for f in found if "internal error" in f["message"]], found
    rules = {f["rule"] for f in found}
    assert {"K11", "K17"} <= rules  # paid with no tender record; rent with no lease
