"""Report aggregates (S01, S03) on values ending in exactly half a fen / half a hundredth.

DOMAIN C and docs/ledger-conventions.md "Statistics": money to the cent and ratios of counts
to two decimals, ROUND_HALF_UP — a figure ending in exactly 5 goes up (banker's rounding
would print 5.00 and 2.10 below). Read back through ``fupin compliance`` as a county would.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from fupin.cli import main


def write_register(folder: Path, count: int, size: int, cadres: int = 0) -> None:
    """``count`` registered households of ``size`` members (``cadres`` distinct cadres)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        "id,township,village,group,head_name,id_number,phone,bank_account,attribute,cause,"
        "other_causes,cadre,income,note\n"
    ]
    members = ["household,seq,name,id_number,relation,school_stage,stages,insured,chronic,note\n"]
    events = ["household,date,event,category,months,doc,note\n"]
    for n in range(1, count + 1):
        cadre = f"GB-{(n - 1) % cadres + 1}" if cadres else ""
        rows.append(f"H-T-{n},测试镇,测试村,1组,户{n},,,,general,illness,,{cadre},5000,\n")
        members += [f"H-T-{n},{m},人{n}-{m},,户主,,,1,0,\n" for m in range(1, size + 1)]
        events.append(f"H-T-{n},2015-10-20,identified,registered,,,\n")
    for name, lines in (("households", rows), ("members", members), ("events", events)):
        (folder / f"{name}.csv").write_text("".join(lines), encoding="utf-8")


def _rows(ledger: Path, rule: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(main, ["compliance", str(ledger), "--json"])
    assert result.exit_code == 0, result.output
    return [row for row in json.loads(result.output) if row["rule"] == rule]


def test_mean_payout_of_exactly_half_a_fen_rounds_up(tmp_path: Path) -> None:
    """5.00 + 5.01 to 2 households = 5.005 → 5.01 per household; 10.01 / 4 persons = 2.5025
    → 2.50 per person."""
    write_register(tmp_path / "register", 2, 2)
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        'option "operating_currency" "CNY"\nplugin "fupin.plugins"\n'
        '2021-01-01 custom "household-register" "register/households.csv"\n'
        "2021-01-01 open Assets:Bank:Relief CNY\n"
        "2021-01-01 open Expenses:Benefit:TemporaryAid CNY\n"
        '  name: "临时救助"\n'
        '2021-06-20 * "镇民政办" "临时救助"\n'
        '  basis: "测民〔2021〕5号"\n'
        '  Expenses:Benefit:TemporaryAid  5.00 CNY\n    household: "H-T-1"\n'
        '  Expenses:Benefit:TemporaryAid  5.01 CNY\n    household: "H-T-2"\n'
        "  Assets:Bank:Relief\n",
        encoding="utf-8",
    )
    rows = {r["title"]: r["value"] for r in _rows(ledger, "S01")}
    assert rows["临时救助户均"] == "5.01"
    assert rows["临时救助人均"] == "2.50"


def test_households_per_cadre_of_exactly_half_a_hundredth_rounds_up(tmp_path: Path) -> None:
    """421 households paired with 200 cadres = 2.105 → 2.11."""
    write_register(tmp_path / "register", 421, 0, cadres=200)
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        'option "operating_currency" "CNY"\nplugin "fupin.plugins"\n'
        '2021-03-22 custom "household-register" "register/households.csv"\n',
        encoding="utf-8",
    )
    (row,) = _rows(ledger, "S03")
    assert (row["value"], row["threshold"]) == ("2.11", "421 户 / 200 名干部")
