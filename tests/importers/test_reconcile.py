"""R01/R02 details: exact finding text, values, and the greedy closest-date matching."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from fupin.plugins.reconcile import Flow, Line, match

from fupin.load import load

from .conftest import period_statement

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def test_r02_message_and_values() -> None:
    loaded = load(SCENARIOS / "R02" / "roll_differs_by_a_cent.beancount")
    (finding,) = [f for f in loaded.results.findings if f.rule == "R02"]
    assert finding.value == Decimal("999.99") and finding.threshold == Decimal("1000.00")
    assert finding.entity == "YKT-2023-01" and finding.source["lineno"] in (29, 35, 41)
    assert finding.message == (
        "R02 error: 代发银行扣款合计 999.99 ≠ 1,000.00 (bank-match-days, 1 笔) — 一卡通发放清册合计 "
        "[roll YKT-2023-01]; Assets:Treasury:DN-2023 银行流水 B0003 合计 999.99 CNY; "
        "清册合计 1,000.00 CNY"
    )


def test_policy_window_is_dated_data(tmp_path: Path) -> None:
    text = (SCENARIOS / "R01" / "unmatched_6_days.beancount").read_text(encoding="utf-8")
    path = tmp_path / "wide.beancount"
    path.write_text(text + '\n2023-01-01 custom "policy" "bank-match-days" 6\n', encoding="utf-8")
    assert not [f for f in load(path).results.findings if f.rule.startswith("R")]


def test_match_takes_closest_line_and_uses_each_once() -> None:
    day = datetime.date(2023, 1, 10)
    amount = Decimal("-500.00")
    flows = [Flow(day, "A", amount, "v1", None, None), Flow(day, "A", amount, "v2", None, None)]  # type: ignore[arg-type]
    lines = [
        Line(day + datetime.timedelta(days=3), "A", amount, "far", None),
        Line(day, "A", amount, "near", None),
        Line(day, "B", amount, "other-account", None),
    ]
    pairs, left = match(flows, lines, 5)
    assert [pairs[0].serial, pairs[1].serial] == ["near", "far"]
    assert [line.serial for line in left] == ["other-account"]


# -- reconciliation by reference (issue 14) ---------------------------------------------------
HEAD = """
option "operating_currency" "CNY"
2025-01-01 open Assets:Treasury:XJ-2025 CNY
2025-01-01 open Income:Fund:XJ-2025:Central CNY
2025-01-01 open Expenses:Benefit:PublicWelfareJob CNY
2025-01-01 open Assets:Suspense:XJ-2025 CNY
2025-01-01 open Income:Fund:XJ-2025:Interest CNY
"""


def _statement_csv(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "stmt.csv"
    path.write_bytes(period_statement(rows))
    return path


def _import(tmp_path: Path, ledger_text: str, rows: list[list[str]]) -> list[object]:
    from beancount import loader
    from fupin.importers.ingest import render, run_files
    from fupin.importers.statement import StatementImporter

    ledger = tmp_path / "main.beancount"
    ledger.write_text(ledger_text, encoding="utf-8")
    existing, _, _ = loader.load_file(str(ledger))
    importer = StatementImporter("rcb", "Assets:Treasury:XJ-2025")
    run = run_files([importer], [_statement_csv(tmp_path, rows)], existing)
    assert not run.problems, run.problems
    (tmp_path / "new.beancount").write_text(render(run.results), encoding="utf-8")
    ledger.write_text(ledger_text + '\ninclude "new.beancount"\n', encoding="utf-8")
    return [f for f in load(ledger).results.findings if f.rule.startswith("R")]


def _roll(total_rows: int) -> str:
    out = []
    for i in range(total_rows):
        project = f"P-2025-00{i % 3 + 1}"
        out.append(
            f'2025-05-20 * "公益岗位补贴 一卡通代发 2025年5月20日批"\n  roll: "2025年5月20日批"\n'
            f'  roll_row: "2025年5月20日批#{i + 1}"\n  project: "{project}"\n'
            f"  Expenses:Benefit:PublicWelfareJob  500.00 CNY\n  Assets:Treasury:XJ-2025\n"
        )
    return "\n".join(out)


def test_roll_paid_by_several_debits_is_matched_by_its_batch(tmp_path: Path) -> None:
    rows = [
        [
            "20250521",
            f"S{p}",
            "1500.00",
            "",
            "县乡村振兴局",
            f"一卡通代发 2025年5月20日批 P-2025-00{p}",
        ]
        for p in (1, 2, 3)
    ]
    findings = _import(tmp_path, HEAD + _roll(9), rows)
    assert findings == []
    text = (tmp_path / "new.beancount").read_text(encoding="utf-8")
    assert text.count('roll: "2025年5月20日批"') == 3


def test_roll_paid_short_names_the_sum(tmp_path: Path) -> None:
    rows = [
        ["20250521", "S1", "1500.00", "", "县乡村振兴局", "一卡通代发 2025年5月20日批"],
        ["20250521", "S2", "1000.00", "", "县乡村振兴局", "一卡通代发 2025年5月20日批"],
    ]
    (finding,) = _import(tmp_path, HEAD + _roll(6), rows)
    assert finding.rule == "R02" and finding.value == Decimal("2500.00")
    assert finding.threshold == Decimal("3000.00")


ALLOCATION = """
2025-03-05 * "县财政局" "资金下达 云财农〔2025〕8号 中央"
  alloc_doc: "云财农〔2025〕8号"
  alloc_row: "云财农〔2025〕8号/中央/2025-03-05"
  Assets:Treasury:XJ-2025  1234567.89 CNY
  Income:Fund:XJ-2025:Central
"""


def test_allocation_and_bank_receipt_are_linked_and_the_difference_named(tmp_path: Path) -> None:
    rows = [["20250307", "S9", "", "1234567.00", "云南省财政厅", "云财农[2025]8号 衔接资金"]]
    (finding,) = _import(tmp_path, HEAD + ALLOCATION, rows)
    assert finding.rule == "R04"
    assert "云财农〔2025〕8号: 分配表 1,234,567.89 ≠ 到账 1,234,567.00, 差 0.89" in finding.message
    text = (tmp_path / "new.beancount").read_text(encoding="utf-8")
    # never counted twice: the credit is the bank's word on the receipt, not a new receipt
    assert 'custom "bank-line" "S9"' in text and "bank_serial" not in text
    assert 'unbalanced: "云财农〔2025〕8号' in text


def test_allocation_equal_to_bank_receipt_is_clean(tmp_path: Path) -> None:
    rows = [["20250307", "S9", "", "1234567.89", "云南省财政厅", "云财农〔2025〕8号"]]
    assert _import(tmp_path, HEAD + ALLOCATION, rows) == []
