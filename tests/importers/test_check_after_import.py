"""The post-import check says exactly what a full ``fupin check`` says the import added.

Each case is a small county ledger (with the plugin) and documents whose import breaks one
check: a balance assertion, an unknown account, a currency the account's ``open`` does not
allow, a roll the bank paid short (R02), an allocation sheet the bank credited short (R04), a
household paid twice for one month (K2), money spent on the negative list (B20), a voucher
with no bank line (R01). ``fupin import extract -e … -o … --include`` writes the entries and
checks them in memory; then the ledger, now including them, is loaded and checked in full.
The errors the import added (after minus before) and the post-import check's must be the
same, rule by rule and file:line by file:line.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from fupin.cli import main
from fupin.findings import Severity
from fupin.load import load

from .conftest import LEDGER, period_statement
from .test_reconcile import ALLOCATION

REGISTER = LEDGER / "register" / "households.csv"

HEAD = """option "operating_currency" "CNY"
plugin "fupin.plugins"

2025-01-01 open Assets:Treasury:XJ-2025 CNY
2025-01-01 open Income:Fund:XJ-2025:Central CNY
2025-01-01 open Expenses:Benefit:PublicWelfareJob CNY
2025-01-01 open Expenses:ManagementFee CNY

2025-01-01 custom "fund" "XJ-2025"
  name: "2025年衔接资金"
  family: "xianjie"
; the cases are about other rules: no industry minimum
2025-01-01 custom "policy" "industry-share-min" 0

2025-01-02 * "县财政局" "资金下达"
  voucher: "记-0001"
  Assets:Treasury:XJ-2025  1000000.00 CNY
  Income:Fund:XJ-2025:Central
"""

CONFIG = f"""
from fupin.importers.roll import RollImporter
from fupin.importers.rules import CategoryRule, Rules
from fupin.importers.statement import StatementImporter

RULES = Rules((
    CategoryRule(counterparty="供应商", account="Expenses:ManagementFee"),
    CategoryRule(counterparty="汽车", account="Expenses:Vehicle"),
    CategoryRule(counterparty="外币", account="Expenses:Other:Foreign"),
))
CONFIG = [
    StatementImporter("rcb", "Assets:Treasury:{{account}}", rules=RULES),
    RollImporter("Assets:Treasury:XJ-2025", {str(REGISTER)!r}),
]
"""


def statement(rows: list[tuple[str, str, str, str, str, str]]) -> bytes:
    return period_statement(rows, opening="1000000.00")


def roll(batch: str, rows: list[tuple[str, str, str]]) -> bytes:
    """A 一卡通 roll (CSV, ykt layout): (name, ID number, amount) of 公益岗位补贴 rows."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(["2025年5月公益岗位补贴一卡通发放清册"])
    out.writerow([f"发放批次：{batch}", "发放日期：2025-05-20"])
    out.writerow(["单位：元"])
    out.writerow(["序号", "乡镇", "村", "户主姓名", "身份证号", "补贴项目", "发放金额"])
    total = Decimal(0)
    for number, (name, ident, amount) in enumerate(rows, 1):
        out.writerow([number, "城关镇", "青山村", name, ident, "公益岗位补贴", amount])
        total += Decimal(amount)
    out.writerow(["合计", "", "", "", "", "", f"{total}"])
    return buf.getvalue().encode("utf-8")


ROLL_IN_LEDGER = "".join(
    f"""
2025-05-20 * "公益岗位补贴 一卡通代发 2025年5月20日批"
  roll: "2025年5月20日批"
  roll_row: "2025年5月20日批#{i}"
  household: "H-QS-00{i}"
  period: "2025-05"
  Expenses:Benefit:PublicWelfareJob  500.00 CNY
  Assets:Treasury:XJ-2025
"""
    for i in range(1, 7)
)


@dataclass(frozen=True)
class Case:
    """A ledger, the documents imported into it, and the rules the import must break."""

    name: str
    ledger: str
    documents: dict[str, Callable[[], bytes]]
    breaks: frozenset[str]
    account: str = "XJ-2025"


CASES = [
    Case(
        "clean statement",
        HEAD,
        {"stmt.csv": lambda: statement([("20250310", "S1", "200.00", "", "供应商甲", "货款")])},
        frozenset(),
    ),
    Case(
        "balance assertion: the ledger lacks 500.00 the bank had before the period",
        HEAD
        + """
2025-02-10 * "供应商乙" "货款 (银行未付)"
  Assets:Treasury:XJ-2025  -500.00 CNY
  Expenses:ManagementFee
""",
        {"stmt.csv": lambda: statement([("20250310", "S1", "200.00", "", "供应商甲", "货款")])},
        frozenset({"BEANCOUNT"}),
    ),
    Case(
        "unknown account: a statement of an account the ledger never opened",
        HEAD,
        {"stmt.csv": lambda: statement([("20250310", "S1", "200.00", "", "供应商甲", "货款")])},
        frozenset({"BEANCOUNT", "ENTITY"}),  # the statement entity names the account too
        account="XJ-2026",
    ),
    Case(
        "currency: the rule's account is opened for USD only",
        HEAD + "2025-01-01 open Expenses:Other:Foreign USD\n",
        {"stmt.csv": lambda: statement([("20250310", "S1", "200.00", "", "外币结算公司", "货款")])},
        frozenset({"BEANCOUNT", "B24"}),  # and, being no management fee, it names no project
    ),
    Case(
        "R02: a roll of 3,000.00 the bank paid as 2,500.00",
        HEAD + ROLL_IN_LEDGER,
        {
            "stmt.csv": lambda: statement(
                [
                    ("20250521", "S1", "1500.00", "", "县乡村振兴局", "一卡通代发 2025年5月20日批"),
                    ("20250521", "S2", "1000.00", "", "县乡村振兴局", "一卡通代发 2025年5月20日批"),
                ]
            )
        },
        frozenset({"R02"}),
    ),
    Case(
        "R04: an allocation of 1,234,567.89 credited as 1,234,567.00",
        HEAD + ALLOCATION,
        {
            "stmt.csv": lambda: statement(
                [("20250307", "S9", "", "1234567.00", "云南省财政厅", "云财农[2025]8号 衔接资金")]
            )
        },
        frozenset({"R04"}),
    ),
    Case(
        "K2: a second roll pays two households their May wage again",
        HEAD + ROLL_IN_LEDGER,
        {
            "roll.csv": lambda: roll(
                "2025年5月补发批",
                [
                    ("钱豪", "999901197706240132", "500.00"),
                    ("丁国", "999901196707276773", "500.00"),
                ],
            )
        },
        frozenset({"K2"}),
    ),
    Case(
        "B20: a statement line categorised to a vehicle (negative list)",
        HEAD,
        {"stmt.csv": lambda: statement([("20250310", "S1", "800.00", "", "汽车销售公司", "购车")])},
        frozenset({"B20"}),
    ),
    Case(
        "R01: a voucher typed in for the period that the bank never paid",
        HEAD
        + """
2025-04-01 * "供应商丙" "货款"
  voucher: "记-0002"
  Assets:Treasury:XJ-2025  -300.00 CNY
  Expenses:ManagementFee
""",
        {"stmt.csv": lambda: statement([("20250310", "S1", "200.00", "", "供应商甲", "货款")])},
        frozenset({"R01", "BEANCOUNT"}),
    ),
]


def full_check(ledger: Path) -> Counter[tuple[str, str, str]]:
    """Every error ``fupin check`` gives: (rule, file:line, message)."""
    loaded = load(ledger)
    out: Counter[tuple[str, str, str]] = Counter()
    for error in [*loaded.other_errors, *loaded.results.findings]:
        if getattr(error, "severity", Severity.ERROR) != Severity.ERROR:
            continue
        meta = error.source or {}
        place = f"{Path(str(meta.get('filename'))).resolve()}:{meta.get('lineno')}"
        out[(getattr(error, "rule", "") or "BEANCOUNT", place, error.message)] += 1
    return out


@pytest.mark.parametrize("plugin", [True, False], ids=["plugin", "no-plugin"])
@pytest.mark.parametrize("case", CASES, ids=[c.name.split(":")[0] for c in CASES])
def test_post_import_check_equals_full_check(tmp_path: Path, case: Case, plugin: bool) -> None:
    """With the plugin, the check reuses its findings; without, it runs the rules first."""
    ledger = tmp_path / "main.beancount"
    text = case.ledger if plugin else case.ledger.replace('plugin "fupin.plugins"\n', "")
    ledger.write_text(text, encoding="utf-8")
    (tmp_path / "import_config.py").write_text(
        CONFIG.replace("{account}", case.account), encoding="utf-8"
    )
    documents = []
    for name, make in case.documents.items():
        (tmp_path / name).write_bytes(make())
        documents.append(str(tmp_path / name))
    before = full_check(ledger)

    out = tmp_path / "new.beancount"
    result = CliRunner().invoke(
        main, ["import", "extract", *documents, "-e", str(ledger), "-o", str(out), "-i", "--json"]
    )
    report = json.loads(result.output)
    assert not report["rejected"] and report["written"], report
    # written; exit 1 when the import brought errors (as `fupin check` would), else 0
    errors = [p for p in report["check"] if p["severity"] == "error"]
    assert result.exit_code == (1 if errors else 0), result.output
    said = Counter(
        (
            p["rule"],
            str(Path(p["where"].rsplit(":", 1)[0]).resolve()) + ":" + p["where"].rsplit(":", 1)[1],
        )
        for p in report["check"]
        if p["severity"] == "error"
    )

    added = full_check(ledger) - before
    assert {rule for rule, _, _ in added} == case.breaks, added
    assert said == Counter((rule, place) for rule, place, _ in added), (said, added)
