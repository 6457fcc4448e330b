"""The figures annual reports quote (issue 15), reproduced exactly from books and register.

安阳 (seed 002): 3,139,600.00 paid to 497 households → 6,317.10 per household; 靖边 (seed
003): 78,700,000.00 for 18,900 poor people → 4,164.02 per person; 沂源 (seed 001): 20,694
households paired with 9,867 cadres → 2.10; 昆都仑区 (seed 000): 228 households / 479 persons
by cause, persons' share recomputed to two decimals. Each is built as a county would keep
it (a register of that size, a ledger of payments or receipts) and read back through the
command line.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from fupin.aggregates import benefit_means, cause_breakdown, paid_in_year, per, two_decimals
from fupin.cli import main
from fupin.households import load_register, register_for
from fupin.load import load
from fupin.money import fmt_pct

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "households" / "fixtures" / "seed228"

HOUSEHOLDS = (
    "id,township,village,group,head_name,id_number,phone,bank_account,attribute,cause,"
    "other_causes,cadre,income,note\n"
)
MEMBERS = "household,seq,name,id_number,relation,school_stage,stages,insured,chronic,note\n"
EVENTS = "household,date,event,category,months,doc,note\n"


def write_register(folder: Path, count: int, size: int, cadres: int = 0) -> None:
    """``count`` registered households of ``size`` members (``cadres`` distinct cadres)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows, members, events = [HOUSEHOLDS], [MEMBERS], [EVENTS]
    for n in range(1, count + 1):
        hid = f"H-T-{n}"
        cadre = f"GB-{(n - 1) % cadres + 1}" if cadres else ""
        rows.append(f"{hid},测试镇,测试村,1组,户{n},,,,general,illness,,{cadre},5000,\n")
        members += [f"{hid},{m},人{n}-{m},,户主,,,1,0,\n" for m in range(1, size + 1)]
        events.append(f"{hid},2015-10-20,identified,registered,,,\n")
    (folder / "households.csv").write_text("".join(rows), encoding="utf-8")
    (folder / "members.csv").write_text("".join(members), encoding="utf-8")
    (folder / "events.csv").write_text("".join(events), encoding="utf-8")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def rows_of(ledger: Path, rule: str) -> list[dict[str, object]]:
    code, out = run("compliance", str(ledger), "--json")
    assert code == 0, out
    return [row for row in json.loads(out) if row["rule"] == rule]


def test_anyang_mean_payout_per_household(tmp_path: Path) -> None:
    """安阳 2021: 防贫保险 paid 3,139,600.00 to 497 households → 6,317.10 (half up)."""
    write_register(tmp_path / "register", 497, 2)
    amounts = [Decimal("6317.00")] * 496
    amounts.append(Decimal("3139600.00") - sum(amounts))
    postings = "".join(
        f'  Expenses:Benefit:InsuranceClaim  {a} CNY\n    household: "H-T-{n}"\n'
        for n, a in enumerate(amounts, 1)
    )
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        'option "operating_currency" "CNY"\nplugin "fupin.plugins"\n'
        '2021-01-01 custom "household-register" "register/households.csv"\n'
        "2021-01-01 open Assets:Insurer CNY\n"
        "2021-01-01 open Expenses:Benefit:InsuranceClaim CNY\n"
        '  name: "精准防贫保险理赔"\n'
        '2021-12-20 * "保险公司" "2021年精准防贫保险理赔"\n'
        '  basis: "安阳 防贫保险理赔清单"\n'
        f"{postings}  Assets:Insurer\n",
        encoding="utf-8",
    )
    claims = [r for r in rows_of(ledger, "S01") if r["title"] == "精准防贫保险理赔户均"]
    assert [(r["value"], r["threshold"]) for r in claims] == [("6317.10", "3,139,600.00 / 497 户")]
    per_person = [r for r in rows_of(ledger, "S01") if r["title"] == "精准防贫保险理赔人均"]
    assert per_person[0]["value"] == "3158.55"  # 3,139,600.00 / 994, half up
    code, out = run("households", str(ledger), "--json")
    assert code == 0, out
    means = json.loads(out)["statistics"]["benefit_means"]
    claim = next(m for m in means if m["account"] == "Expenses:Benefit:InsuranceClaim")
    assert (claim["total"], claim["households"], claim["per_household"]) == (
        "3139600.00",
        497,
        "6317.10",
    )


def test_jingbian_input_per_poor_person(tmp_path: Path) -> None:
    """靖边 2015: 78,700,000.00 of fiscal poverty funds for 18,900 poor people → 4,164.02."""
    write_register(tmp_path / "register", 4725, 4)  # 18,900 persons
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        'option "operating_currency" "CNY"\nplugin "fupin.plugins"\n'
        '2015-01-01 custom "household-register" "register/households.csv"\n'
        '2015-01-01 custom "fund" "SP-2015"\n'
        '  name: "靖边县2015年财政专项扶贫资金"\n'
        '  family: "special_poverty"\n'
        "2015-01-01 open Assets:Treasury:SP-2015 CNY\n"
        "2015-01-01 open Income:Fund:SP-2015:Provincial CNY\n"
        '2015-03-01 * "省财政厅" "省市县财政扶贫资金"\n'
        "  Assets:Treasury:SP-2015  78700000.00 CNY\n"
        "  Income:Fund:SP-2015:Provincial\n"
        '2015-12-31 custom "fund-check" "SP-2015"\n',
        encoding="utf-8",
    )
    (row,) = rows_of(ledger, "S02")
    assert (row["value"], row["threshold"], row["year"]) == (
        "4164.02",
        "78,700,000.00 / 18,900 人",
        2015,
    )


def test_yiyuan_households_per_cadre(tmp_path: Path) -> None:
    """沂源: 9,867 cadres paired with 20,694 households → 2.10 households per cadre."""
    write_register(tmp_path / "register", 20694, 0, cadres=9867)
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        'option "operating_currency" "CNY"\nplugin "fupin.plugins"\n'
        '2021-03-22 custom "household-register" "register/households.csv"\n',
        encoding="utf-8",
    )
    (row,) = rows_of(ledger, "S03")
    assert (row["value"], row["threshold"]) == ("2.10", "20,694 户 / 9,867 名干部")


def test_no_cadre_recorded_gives_no_households_per_cadre(tmp_path: Path) -> None:
    """4,725 households and no 帮扶责任人 in the register: no ratio in JSON (it said "0"),
    none in the text, no S03 row."""
    write_register(tmp_path / "register", 4725, 4)
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        'option "operating_currency" "CNY"\nplugin "fupin.plugins"\n'
        '2021-03-22 custom "household-register" "register/households.csv"\n',
        encoding="utf-8",
    )
    code, out = run("households", str(ledger), "--json")
    assert code == 0, out
    cover = json.loads(out)["statistics"]["households_per_cadre"]
    assert (cover["households"], cover["cadres"], cover["households_per_cadre"]) == (4725, 0, None)
    code, out = run("households", str(ledger))
    assert code == 0 and "户均帮扶干部" not in out
    assert rows_of(ledger, "S03") == []


def test_kundulun_cause_shares_to_two_decimals() -> None:
    """昆都仑区 228 households / 479 persons: the recomputed shares of DOMAIN G.2."""
    register = load_register(SEED / "register" / "households.csv")
    rows = cause_breakdown(register, datetime.date(2017, 12, 31))
    got = {r.cause: (r.households, r.persons, fmt_pct(r.share)) for r in rows}
    assert got == {
        "illness": (142, 264, "55.11%"),
        "schooling": (5, 11, "2.30%"),
        "lack_skills": (52, 159, "33.19%"),
        "other": (29, 45, "9.39%"),
    }


def test_rounding_is_half_up_to_the_cent_and_two_decimals() -> None:
    assert per(Decimal("10.01"), 2) == Decimal("5.01")  # 5.005: half up, not to even
    assert per(Decimal("1"), 0) == Decimal(0)
    assert two_decimals(Decimal("2.125")) == Decimal("2.13")
    assert two_decimals(Decimal(20694) / Decimal(9867)) == Decimal("2.10")


def test_a_payment_for_two_years_counts_its_part_in_each_year(tmp_path: Path) -> None:
    """义务教育 1,000.00 a year: 2,000.00 paid in 2023 for ``period: "2022..2023"`` counts
    1,000.00 in 2022 and 1,000.00 in 2023 (fupin.benefits.year_parts, as C01/C09 count it);
    1,000.00 for the same period fills 2022 only, so that household is reached in 2022, and
    in 2023 it is due and unpaid (no member insured: no premium due)."""
    folder = tmp_path / "register"
    folder.mkdir()
    (folder / "households.csv").write_text(
        HOUSEHOLDS
        + "H-T-1,测试镇,测试村,1组,户1,,,,general,schooling,,,5000,\n"
        + "H-T-2,测试镇,测试村,1组,户2,,,,general,schooling,,,5000,\n",
        encoding="utf-8",
    )
    (folder / "members.csv").write_text(
        MEMBERS
        + "H-T-1,1,人1-1,,户主,,,0,0,\nH-T-1,2,人1-2,,子女,compulsory,2022=compulsory,0,0,\n"
        + "H-T-1,3,人1-3,,配偶,,,0,0,\n"
        + "H-T-2,1,人2-1,,户主,,,0,0,\nH-T-2,2,人2-2,,子女,compulsory,2022=compulsory,0,0,\n",
        encoding="utf-8",
    )
    (folder / "events.csv").write_text(
        EVENTS + "H-T-1,2015-10-20,identified,registered,,,\n"
        "H-T-2,2015-10-20,identified,registered,,,\n",
        encoding="utf-8",
    )
    paid = "".join(
        f'2023-09-25 * "县教育局" "义务教育资助 补发"\n  basis: "测教〔2023〕1号"\n'
        f'  Expenses:Benefit:Education:Compulsory  {amount} CNY\n    household: "{hid}"\n'
        f'    member: 2\n    period: "2022..2023"\n  Assets:Bank:Edu\n'
        for hid, amount in (("H-T-1", "2000.00"), ("H-T-2", "1000.00"))
    )
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        'option "operating_currency" "CNY"\nplugin "fupin.plugins"\n'
        '2022-01-01 custom "household-register" "register/households.csv"\n'
        '2022-01-01 custom "policy" "edu-aid-compulsory" 1000.00 CNY\n'
        "2022-01-01 open Assets:Bank:Edu CNY\n"
        "2022-01-01 open Expenses:Benefit:Education:Compulsory CNY\n"
        '  name: "教育资助-义务教育"\n' + paid,
        encoding="utf-8",
    )
    loaded = load(ledger)
    register = register_for(loaded.path, loaded.book)
    assert register is not None
    means = {
        year: [
            (m.account, m.total, m.households, m.persons)
            for m in benefit_means(loaded.book, register, year)
        ]
        for year in (2022, 2023)
    }
    account = "Expenses:Benefit:Education:Compulsory"
    assert means[2022] == [(account, Decimal("2000.00"), 2, 5), ("合计", Decimal("2000.00"), 2, 5)]
    assert means[2023] == [(account, Decimal("1000.00"), 1, 3), ("合计", Decimal("1000.00"), 1, 3)]
    s01 = {
        (m.year, m.title): m.threshold
        for m in loaded.results.measures
        if m.rule == "S01" and m.title == "教育资助-义务教育户均"
    }
    assert s01 == {
        (2022, "教育资助-义务教育户均"): "2,000.00 / 2 户",
        (2023, "教育资助-义务教育户均"): "1,000.00 / 1 户",
    }
    first, second = (paid_in_year(loaded.book, register, y) for y in (2022, 2023))
    assert first.paid == {
        "H-T-1": {"compulsory": Decimal("1000.00")},
        "H-T-2": {"compulsory": Decimal("1000.00")},
    }
    assert first.unpaid == []
    assert second.paid == {"H-T-1": {"compulsory": Decimal("1000.00")}}
    assert [(d.household, d.member, d.kind, d.due, d.paid) for d in second.unpaid] == [
        ("H-T-2", 2, "compulsory", Decimal("1000.00"), Decimal("0.00"))
    ]
