"""A reviewer's one-change copies of the sample county (issue 11 re-checked): each figure
a notice, a flag or a table prints is the facts' own, under the one attribution rule."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from test_facts import edit, sample_copy, texts

from fupin.cli import main
from fupin.load import Loaded, load
from fupin.names import SOURCE_NAMES
from fupin.vocab import SOURCES

D = Decimal

#: the sample's 2022-07-26 payout of the photovoltaic plan (collective shares, no household)
COLLECTIVE = (
    '2022-07-26 * "石桥镇财政所" "光伏收益分配 村级公益事业及村集体 (按确权比例 40:35:25)"\n'
    '  asset: "A-2021-003"\n'
    '  plan: "IP-2022-PV-01"\n'
)


def test_every_source_has_a_public_name() -> None:
    """A source the conventions allow is never printed as its account code."""
    assert [s for s in SOURCES if s not in SOURCE_NAMES] == []


def test_east_west_allocation_notice_names_its_source_level_in_chinese(tmp_path: Path) -> None:
    """N-2021-F03 (东西部协作资金, ``Income:Fund:EW-2021:EastWest``) printed the level as
    ``EastWest``; it prints 东西部协作 beside the account's name and amount."""
    text = texts(load(sample_copy(tmp_path) / "main.beancount"))["N-2021-F03"]
    assert "EastWest" not in text
    assert "东西部协作 东西部协作资金 1,000,000.00" in text


def test_k8_attributes_payouts_as_b39_does(tmp_path: Path) -> None:
    """The wages of the photovoltaic plan name it on each posting, not on the transaction:
    the plan's payouts are 98,000.00 of which 68,600.00 to households (70% ≥ 50%), as B39
    and the income result notice count them — K8 used to read the transaction's ``plan:``
    only and flag the plan at 19,600.00 / 49,000.00 = 40.00%."""
    ledger = sample_copy(tmp_path)
    wages = (
        '2022-07-25 * "石桥镇财政所" "光伏收益分配 公益岗位工资 (护路、保洁、管水) 2022年1-6月"\n'
        '  asset: "A-2021-003"\n'
    )
    edit(ledger / "assets.beancount", wages + '  plan: "IP-2022-PV-01"\n', wages)
    edit(
        ledger / "assets.beancount",
        '    share: "PublicPost"\n',
        '    share: "PublicPost"\n    plan: "IP-2022-PV-01"\n',
        count=7,
    )
    loaded = load(ledger / "main.beancount")
    plan = loaded.book.facts.plan("IP-2022-PV-01")
    assert plan.paid.total == D("98000.00")
    assert [e for e in loaded.results.findings if e.rule == "K8"] == []
    assert "实际分配合计 98,000.00 元" in texts(loaded)["N-2022-IR01"]


def test_k8_names_payouts_without_a_plan_as_such(tmp_path: Path) -> None:
    """The collective payout names no plan: B39 counts 29,400.00 under none, and K8 measures
    those payouts as the asset's unattributed ones, never as a "plan A-2021-003"."""
    ledger = sample_copy(tmp_path)
    edit(
        ledger / "assets.beancount", COLLECTIVE, COLLECTIVE.replace('  plan: "IP-2022-PV-01"\n', "")
    )
    loaded = load(ledger / "main.beancount")
    (k8,) = [e for e in loaded.results.findings if e.rule == "K8"]
    assert k8.entity == "A-2021-003"
    assert "[plan A-2021-003]" not in k8.message
    assert "[asset A-2021-003, 未引用分配方案 plan:]; 到户 0.00 / 分配 29,400.00 CNY" in k8.message


def test_check_as_of_a_day_counts_the_books_of_that_day(tmp_path: Path) -> None:
    """``fupin check --date 2021-06-30`` says how many entries the books held that day (230,
    as a ledger cut there), not the whole ledger's 785; the whole books' one warning is
    N-2021-F03, posted on 2021-08-12 after its window (due 2021-05-01)."""
    ledger = sample_copy(tmp_path) / "main.beancount"
    whole = CliRunner().invoke(main, ["check", str(ledger)])
    cut = CliRunner().invoke(main, ["check", str(ledger), "--date", "2021-06-30"])
    assert whole.exit_code == 0, whole.output
    *_, warning, total = whole.output.splitlines()
    assert total.endswith(": 785 条记录, 0 个错误, 1 个警告"), total
    assert warning.endswith(
        "assets.beancount:154: B30 warning: 公告已发布但逾期: 距首个批复 133 天 > 30 天 "
        "(notice-grace-days) — 青山县2021年东西部协作资金分配结果公告 [notice N-2021-F03]; "
        "开始 2021-08-12, 最迟 2021-05-01, 首个批复 2021-04-01; "
        "2021年东西部协作资金(结对帮扶) [fund EW-2021]"
    ), warning
    last = cut.output.splitlines()[-1]
    assert last.endswith(" 截至 2021-06-30: 230 条记录, 1 个错误, 1 个警告"), last


def _with(ledger: Path, text: str) -> None:
    (ledger / "case.beancount").write_text(text, encoding="utf-8")
    main_file = ledger / "main.beancount"
    main_file.write_text(
        main_file.read_text(encoding="utf-8") + '\ninclude "case.beancount"\n', encoding="utf-8"
    )


def test_a_later_cap_never_judges_money_paid_before_it(tmp_path: Path) -> None:
    """Caps tightened from 2022-01-01 (管理费 ≤ 0.5%, 预拨 ≤ 20%): the 2021 fund's fee
    (0.80% under 2021's 1.00%) and the 2021 projects' prepayments (≤ 30% then) pass, as the
    books cut at 2021-12-31 say; the 2022 fund and projects are judged by the new caps.
    B10/B41 used to apply the policy of the books' last day to every year."""
    ledger = sample_copy(tmp_path)
    _with(
        ledger,
        '2022-01-01 custom "policy" "mgmt-fee-max" 0.005\n  source: "调整"\n\n'
        '2022-01-01 custom "policy" "prepayment-max" 0.20\n  source: "调整"\n',
    )
    whole = load(ledger / "main.beancount")
    cut = load(ledger / "main.beancount", as_of=datetime.date(2021, 12, 31))

    def rows(loaded: Loaded, rule: str) -> dict[str, tuple[Decimal, Decimal, bool]]:
        return {
            m.scope: (m.value, m.threshold, m.ok) for m in loaded.results.measures if m.rule == rule
        }

    b10 = rows(whole, "B10")
    assert b10["fund XJ-2021"][1:] == (D("0.01"), True)
    assert b10["fund XJ-2022"][1:] == (D("0.005"), False)
    assert rows(cut, "B10")["fund XJ-2021"][1:] == (D("0.01"), True)
    b41 = rows(whole, "B41")
    assert b41["project P-2021-004"] == (D("0.3"), D("0.30"), True)  # 380,400 / 1,268,000
    assert b41["project P-2022-004"][1:] == (D("0.20"), False)
    flagged = {f.entity for f in whole.results.findings if f.rule in ("B10", "B41")}
    assert flagged and not any(e.startswith(("XJ-2021", "P-2021")) for e in flagged)


def test_a_threshold_prints_as_configured_in_every_report(tmp_path: Path) -> None:
    """A batch minimum of 68.387% and a share of 68.386%: the notice printed 68.387%, the
    compliance table "68.39% ≥ 68.39% ✗ 违规" and ``fupin check`` "68.386% < 68.39%". Every
    report prints the threshold as configured and the share with the digits that tell
    them apart."""
    from fupin.reports.fava.views import MeasureRow
    from fupin.reports.xlsx import compliance_sheets, number_format

    ledger = sample_copy(tmp_path)
    edit(
        ledger / "funds.beancount",
        '  alloc_doc: "青财农〔2022〕2号、9号、12号、16号"\n',
        '  alloc_doc: "青财农〔2022〕2号、9号、12号、16号"\n  industry_share_min: 0.68387\n',
    )
    table = CliRunner().invoke(main, ["compliance", str(ledger / "main.beancount"), "--wide"])
    (row,) = [line for line in table.output.splitlines() if line.startswith("B03")]
    assert "68.386%  ≥                68.387%  ✗ 违规" in row, row
    check = CliRunner().invoke(main, ["check", str(ledger / "main.beancount")])
    assert "B03 error: 产业发展资金占比 68.386% < 68.387% (industry_share_min)" in check.output
    loaded = load(ledger / "main.beancount")
    (measure,) = [m for m in loaded.results.measures if m.rule == "B03"]
    shown_row = MeasureRow(measure, "", None)
    assert (shown_row.value, shown_row.threshold) == ("68.386%", "68.387%")
    sheet = compliance_sheets([measure], {})[0]
    value, threshold = sheet.rows[0][4], sheet.rows[0][6]
    assert value.value == measure.value and number_format(value.kind) == "0.000%"
    assert threshold.value == D("0.68387") and number_format(threshold.kind) == "0.000%"
    assert "本批资金要求不低于 68.387%" in texts(loaded)["N-2022-F01"]


def test_result_notice_never_prints_a_part_larger_than_its_whole(tmp_path: Path) -> None:
    """N-2021-R001-V (2021-11-06, before the final payment): 413,000.00 expensed and
    295,000.00 prepaid not yet settled, 708,000.00 paid. It printed "已列支 413,000.00 …
    其中：已拨付 708,000.00" (of which a larger part); the paid amount is its own line and
    says what it holds beyond the expenses."""
    loaded = load(sample_copy(tmp_path) / "main.beancount")
    facts = loaded.book.facts.project("P-2021-001")
    day = datetime.date(2021, 11, 6)
    assert (facts.spent.at(day), facts.prepayment_open(day), facts.paid(day)) == (
        D("413000.00"),
        D("295000.00"),
        D("708000.00"),
    )
    text = texts(loaded)["N-2021-R001-V"]
    assert "其中：已拨付" not in text
    assert (
        "已拨付资金 708,000.00 元 （大写：柒拾万零捌仟元整） （含预拨启动资金 295,000.00 元" in text
    )


def test_the_funds_page_due_is_b01s_due(tmp_path: Path) -> None:
    """A special fund of 1,000,000.01 split 70/20/10: each source's 应到 on the 资金 page is
    the amount B01 holds it to (``Fund.declared``, half up to the fen: 700,000.01), one
    computation for both."""
    from fupin.reports.fava.views import funds

    ledger = sample_copy(tmp_path)
    edit(ledger / "funds.beancount", "  total: 1000000.00 CNY", "  total: 1000000.01 CNY")
    loaded = load(ledger / "main.beancount")
    (row,) = [f for f in funds(loaded.book, loaded.results).funds if f.fund.id == "SF-2021"]
    due = {s.source: s.declared for s in row.sources}
    assert due == {
        "Government": D("700000.01"),
        "Raised": D("200000.00"),
        "Donation": D("100000.00"),
    }
    b01 = {
        m.title.split()[1]: m.threshold
        for m in loaded.results.measures
        if m.rule == "B01" and m.title.endswith("累计出资")
    }
    assert b01 == {
        "政府出资": D("700000.01"),
        "募集资金": D("200000.00"),
        "社会捐赠": D("100000.00"),
    }


def test_planned_and_spent_shares_count_the_same_categories(tmp_path: Path) -> None:
    """From 2022 the county counts Infrastructure as industry; an allocation notice of
    2022-01-20 for the 2021 fund measures both its planned share and its spent share with
    2021's categories (B02's for 2021): it printed 7,800,000.00 (95.12%, Infrastructure
    included) beside a spent share of 67.73% without it."""
    ledger = sample_copy(tmp_path)
    _with(
        ledger,
        '2022-01-01 custom "policy" "industry-categories" "Industry Infrastructure"\n'
        '  source: "调整"\n\n'
        '2022-01-20 custom "notice" "N-2021-F01C"\n  type: "fund_allocation"\n'
        '  level: "county"\n  subject: "XJ-2021"\n  channel: "website"\n  start: 2022-01-20\n'
        '  issuer: "青山县财政局 青山县乡村振兴局"\n  doc: "青财农〔2021〕3号、11号、15号"\n',
    )
    loaded = load(ledger / "main.beancount")
    text = texts(loaded)["N-2021-F01C"]
    assert (
        "其中产业发展项目资金 5,600,000.00 元，占分配总额的 68.29%（本年度要求不低于 50.00%）；"
        "截至2022年1月20日，本年度实际支出中产业发展占比 67.73%" in text
    ), text
    (b02,) = [m for m in loaded.results.measures if m.rule == "B02" and m.year == 2021]
    assert f"{b02.value:.4f}" == "0.6773"
