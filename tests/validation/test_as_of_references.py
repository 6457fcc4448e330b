"""A book as of a day (``--date``) resolves references as the whole ledger does (issue 12)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from fupin.cli import main

from .test_integrity import BOOKS

LEDGER = (
    BOOKS
    + """
2021-10-12 * "施工方" "进度款"
  project: "P-1"
  contract: "HT-1"
  Expenses:Industry:Planting  100000.00 CNY
  Assets:Treasury:XJ-2021
2021-11-02 * "施工方" "进度款"
  project: "P-1"
  contract: "HT-9"
  Expenses:Industry:Planting  1000.00 CNY
  Assets:Treasury:XJ-2021
2022-01-04 custom "contract" "HT-1"
  signed: 2021-09-20
  name: "大棚建设合同"
  project: "P-1"
  vendor: "青山建筑公司"
  amount: 400000.00 CNY
"""
)


def ledger_findings(write_ledger, *args: str) -> list[str]:
    path = write_ledger(LEDGER)
    result = CliRunner().invoke(main, ["check", str(path), "--json", *args])
    assert result.exit_code in (0, 1), result.output
    return [f["message"] for f in json.loads(result.output) if f["rule"] == "LEDGER"]


def test_a_contract_registered_after_the_day_is_not_undefined_as_of_it(write_ledger) -> None:
    whole = ledger_findings(write_ledger)
    as_of = ledger_findings(write_ledger, "--date", "2021-12-31")
    assert whole == as_of  # the same verdict on the same payments
    assert len(whole) == 1 and "contract = 'HT-9': 未定义的合同 'HT-9'" in whole[0]
