"""``fupin households``: the seed's 228/479 table, benefits paid, 应享未享, options."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from fupin.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "households" / "fixtures" / "seed228" / "main.beancount"
SCENARIOS = ROOT / "tests" / "scenarios"


def run(*args: str):
    return CliRunner().invoke(main, ["households", *args])


def test_reproduces_the_seed_breakdown_by_cause() -> None:
    result = run(str(SEED), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    total = data["villages"][-1]
    assert total["village"] == "合计"
    assert (total["households"], total["persons"]) == (228, 479)
    got = {
        code: (row["households"], row["persons"], row["persons_pct"])
        for code, row in total["cause"].items()
    }
    assert got == {
        "lack_skills": (52, 159, "33.2"),
        "schooling": (5, 11, "2.3"),
        "illness": (142, 264, "55.1"),
        "other": (29, 45, "9.4"),
    }


def test_text_report_prints_the_seed_rows() -> None:
    result = run(str(SEED))
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines() if line.startswith("合计")]
    assert ["合计", "缺技术", "52", "159", "33.2%"] in lines
    assert ["合计", "因病", "142", "264", "55.1%"] in lines


def test_sample_ledger_per_village_and_paid_benefits() -> None:
    result = run("--village", "青山村", "--year", "2021", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [v["village"] for v in data["villages"]] == ["青山村"]
    assert data["villages"][0]["households"] == 36
    assert data["year"] == 2021
    paid = data["benefits_paid"]
    assert paid and all(row["household"].startswith("H-QS-") for row in paid)
    assert data["due_unpaid"] == []
    assert "身份证" not in result.output and "head_name" not in result.output


def test_due_not_paid_is_listed() -> None:
    result = run(str(SCENARIOS / "C09" / "grant_not_paid.beancount"), "--year", "2021")
    assert result.exit_code == 0, result.output
    assert "2021年应享未享" in result.output
    tail = result.output.split("2021年应享未享", 1)[1]
    row = next(line for line in tail.splitlines() if line.startswith("H-T-002"))
    assert row.split() == [
        "H-T-002",
        "测试村",
        "4",
        "教育资助-本科新生",
        "10,000.00",
        "0.00",
        "10,000.00",
    ]


def test_unknown_village_and_missing_register_are_usage_errors(tmp_path: Path) -> None:
    assert run("--village", "不存在村").exit_code == 2
    bare = tmp_path / "bare.beancount"
    bare.write_text('option "operating_currency" "CNY"\n', encoding="utf-8")
    result = run(str(bare))
    assert result.exit_code == 2
    assert "没有指明农户信息库" in result.output
