"""The asset register: entities, rights over time, totals, depreciation and ``fupin assets``."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.core.data import Open, Transaction
from click.testing import CliRunner
from fupin.reports.assets import asset_report, report_json

from fupin.assets import Asset, asset_register
from fupin.book import build_book
from fupin.cli import main
from fupin.findings import EntityError
from fupin.load import load

D = datetime.date

ASSET = """
2021-01-10 custom "project" "P-1"
  name: "测试项目"
  category: "Industry"
  township: "城关镇"
  village: "青山村"
  year: 2021
  budget: 120000.00 CNY
  implementer: "青山村股份经济合作社"

2021-06-01 custom "asset" "A-1"
  name: "测试光伏电站"
  class: "{cls}"
  form: "fixed"
  projects: "P-1"
  township: "城关镇"
  village: "青山村"
  quantity: 100
  unit: "kW"
  funding: "Central=100000.00 County=20000.00"
  handover: 2021-06-15
  account: "Assets:PovertyAsset:Operating:A-1"
  life_years: 10
"""


def _book(path: Path):
    entries, errors, options = loader.load_file(str(path))
    return build_book(entries, options), entries, errors


def test_register_before_and_after_the_change_of_operator() -> None:
    book = load().book
    register = asset_register(book)
    before = register.state("A-2021-001", D(2022, 3, 31)).rights["operation"]
    after = register.state("A-2021-001", D(2022, 4, 1)).rights["operation"]
    assert [(h.holder, h.mode) for h in before] == [("青山村股份经济合作社", "自主经营")]
    assert [(h.holder, h.mode) for h in after] == [("青山县牧原肉牛养殖有限公司", "委托经营")]
    # the other rights did not change with the operator
    assert (
        register.state("A-2021-001", D(2022, 4, 1)).holders("ownership") == "青山村股份经济合作社"
    )


def test_lianc_photovoltaic_station_is_owned_by_three_villages_by_share() -> None:
    state = asset_register(load().book).state("A-2021-003", D(2022, 12, 31))
    owners = {o.holder: o.share for o in state.rights["ownership"]}
    assert owners == {
        "石桥村股份经济合作社": Decimal("0.40"),
        "杨庄村股份经济合作社": Decimal("0.35"),
        "北坡村股份经济合作社": Decimal("0.25"),
    }
    assert sum(owners.values()) == 1
    assert state.owner_level == "village"
    assert state.asset.original_value == Decimal("1746000.00")


def test_disposal_changes_the_status_from_its_date() -> None:
    register = asset_register(load().book)
    assert register.status_on("A-2021-002B", D(2022, 7, 19)) == "in_use"
    assert register.status_on("A-2021-002B", D(2022, 7, 20)) == "damaged"
    assert register.status_on("A-2021-002B", D(2022, 9, 15)) == "disposed"


def test_totals_by_class_and_owner_level_on_the_sample_ledger() -> None:
    report = asset_report(load().book, D(2022, 12, 31))
    totals = report_json(report)["totals"]
    assert totals["by_class"] == {
        "operating": {"count": 8, "value": "11114100.00"},
        "public_welfare": {"count": 6, "value": "4777200.00"},
        "household": {"count": 5, "value": "200000.00"},
    }
    levels = totals["by_owner_level"]
    assert (levels["county"]["count"], levels["township"]["count"]) == (1, 1)
    assert (levels["village"]["count"], levels["household"]["count"]) == (12, 5)
    assert totals["total"] == {"count": 19, "value": "16091300.00"}
    assert totals["disposed"] == {"count": 1, "value": "120000.00"}
    # before the 2022 projects were registered, only the 2021 assets are in the register
    early = report_json(asset_report(load().book, D(2021, 12, 31)))["totals"]["total"]
    assert early == {"count": 14, "value": "8986000.00"}  # 7,986,000 + 200,000 + 800,000


def test_asset_value_is_the_sum_of_its_funding(write_ledger) -> None:
    path = write_ledger(ASSET.format(cls="operating") + "  value: 120000.01 CNY\n")
    book, _, _ = _book(path)
    errors = [e for e in book.errors if isinstance(e, EntityError)]
    assert len(errors) == 1
    assert errors[0].source["lineno"] == 12  # the asset entry
    assert "value: 原值 120000.01 ≠ 资金来源合计 (funding) 120000.00" in errors[0].message


def test_a_bad_class_is_an_entity_error_naming_the_field(write_ledger) -> None:
    book, _, _ = _book(write_ledger(ASSET.format(cls="productive")))
    (error,) = [e for e in book.errors if isinstance(e, EntityError)]
    assert error.message.startswith(
        "ENTITY error: 扶贫资产 A-1: class = 'productive': 应为 operating、public_welfare、household 之一"
    )
    assert not book.all(Asset)


def test_depreciation_is_off_by_default(write_ledger) -> None:
    _, entries, _ = _book(
        write_ledger(ASSET.format(cls="operating") + '\n2023-01-05 event "x" "end"\n')
    )
    assert not [e for e in entries if isinstance(e, Transaction)]


def test_straight_line_depreciation_when_switched_on(write_ledger) -> None:
    text = (
        '2021-01-01 custom "policy" "asset-depreciation" TRUE\n'
        + ASSET.format(cls="operating")
        + '  salvage: 0.01 CNY\n\n2023-01-05 event "x" "end"\n'
    )
    book, entries, errors = _book(write_ledger(text))
    assert not [e for e in errors if not hasattr(e, "rule") or e.rule != "B37"]
    txns = [e for e in entries if isinstance(e, Transaction)]
    # handover 2021-06-15: July–December 2021 (6 months), then all of 2022 (12 months)
    # monthly (120,000.00 − 0.01) / 120 = 999.99991…; cumulative amounts rounded half up
    assert [(t.date, t.postings[0].units.number) for t in txns] == [
        (D(2021, 12, 31), Decimal("6000.00")),
        (D(2022, 12, 31), Decimal("12000.00")),
    ]
    assert txns[0].postings[0].account == "Expenses:Depreciation:A-1"
    assert (
        txns[0].postings[1].account == "Assets:PovertyAsset:Operating:A-1:AccumulatedDepreciation"
    )
    assert txns[0].meta["asset"] == "A-1"
    assert {e.account for e in entries if isinstance(e, Open)} >= {
        "Expenses:Depreciation:A-1",
        "Assets:PovertyAsset:Operating:A-1:AccumulatedDepreciation",
    }
    assert len(book.txns_by("asset", "A-1")) == 2  # indexed like any asset transaction
    row = report_json(asset_report(book, D(2022, 12, 31)))["assets"][0]
    assert row["accumulated_depreciation"] == "18000.00"


def test_depreciation_total_stops_at_value_less_salvage(write_ledger) -> None:
    text = (
        '2021-01-01 custom "policy" "asset-depreciation" TRUE\n'
        + ASSET.format(cls="operating").replace("life_years: 10", "life_years: 1")
        + '  salvage: 20000.00 CNY\n\n2024-01-05 event "x" "end"\n'
    )
    _, entries, _ = _book(write_ledger(text))
    amounts = [e.postings[0].units.number for e in entries if isinstance(e, Transaction)]
    # one-year life: 6 months in 2021, the last 6 in 2022, nothing in 2023
    assert amounts == [Decimal("50000.00"), Decimal("50000.00")]
    assert sum(amounts) == Decimal("100000.00")


def test_cli_prints_every_rights_holder_and_the_totals() -> None:
    result = CliRunner().invoke(main, ["assets", "--date", "2022-12-31"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "扶贫项目资产台账 (截至 2022-12-31, 共 20 项)" in out
    assert (
        "石桥村股份经济合作社 40.00%; 杨庄村股份经济合作社 35.00%; 北坡村股份经济合作社 25.00%"
        in out
    )
    assert "青山县牧原肉牛养殖有限公司 (委托经营)" in out
    assert "柳林村村民委员会" in out  # the road's custodian (管护主体)
    assert "合计      19  16,091,300.00" in out
    assert "已处置 1 项, 原值 120,000.00 元, 不计入合计" in out


def test_cli_json_filters_by_date_village_and_class() -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["assets", "--date", "2022-03-31", "--village", "杨庄村", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    ids = [a["id"] for a in data["assets"]]
    # located in 杨庄村, or owned by it in part (the 联村 station sits in 石桥村)
    assert ids == ["A-2021-003", "A-2021-006", "A-2021-007"]
    station = data["assets"][0]
    assert [h["share"] for h in station["rights"]["ownership"]] == ["0.40", "0.35", "0.25"]
    assert station["income_to_date"] == "8600.00"
    households = json.loads(
        runner.invoke(main, ["assets", "--class", "household", "--json"]).output
    )
    assert households["totals"]["total"] == {"count": 5, "value": "200000.00"}
    assert {a["rights"]["ownership"][0]["holder_type"] for a in households["assets"]} == {
        "household"
    }


def test_cli_rejects_a_bad_date() -> None:
    result = CliRunner().invoke(main, ["assets", "--date", "2022-13-01"])
    assert result.exit_code == 2
    assert "--date: 2022-13-01 不是日期" in result.output


def test_sample_ledger_has_no_asset_findings() -> None:
    loaded = load()
    assert not [f for f in loaded.results.findings if f.rule in ("B25", "B37", "B38", "B39")]
    measured = {m.rule for m in loaded.results.measures}
    assert {"B37", "B39"} <= measured


def test_an_unknown_right_in_the_policy_is_a_policy_error(write_ledger) -> None:
    path = write_ledger('2021-01-01 custom "policy" "asset-rights" "ownership 所有权"\n')
    book, _, _ = _book(path)
    (error,) = book.errors
    assert error.rule == "POLICY" and error.source["lineno"] == 3
    assert "asset-rights = ownership 所有权: 第 2 项 '所有权' 应为 ownership" in error.message
    assert book.policy.at(D(2021, 6, 1)).asset_rights == (
        "ownership",
        "operation",
        "income",
        "supervision",
    )


def test_heishui_plan_message_and_values() -> None:
    path = (
        Path(__file__).parent.parent / "scenarios" / "B39" / "heishui-58-villages-1.5625.beancount"
    )
    loaded = load(path)
    (finding,) = [f for f in loaded.results.findings if f.rule == "B39"]
    assert finding.value == Decimal("0.906250")
    assert finding.threshold == Decimal(1)
    assert finding.message == (
        "B39 error: 收益分配比例合计 90.63% ≠ 100.00% (shares) — 测试收益分配方案 "
        "[income-plan IP-1]; 58 项, 合计 90.625%"
    )
    assert finding.source["lineno"] == 70


def test_disposal_without_resolution_names_the_event_line() -> None:
    path = (
        Path(__file__).parent.parent / "scenarios" / "B38" / "disposal-without-resolution.beancount"
    )
    (finding,) = [f for f in load(path).results.findings if f.rule == "B38"]
    assert finding.source["lineno"] == 59
    assert finding.entity == "A-1" and finding.policy_key == "asset-assembly-levels"
    assert finding.message == (
        "B38 error: 村级资产处置缺少的审批要件 1 ≠ 0 (asset-assembly-levels) — 测试村道路A-1 "
        "[asset A-1]; 缺 村民代表大会决议 (resolution)"
    )
