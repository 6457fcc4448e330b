"""Issue 11: one set of dated facts — notices print the rules' own numbers as of their date.

Each case of the issue on a one-change copy of the sample ledger, loaded for real.
"""

from __future__ import annotations

import datetime
import html
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from fupin.reports.notice_context import Context, build_notices
from fupin.reports.notice_render import make_env, render_pieces

from fupin import notice_key
from fupin.cli import main
from fupin.entities import Notice
from fupin.facts import Series
from fupin.households import register_for
from fupin.load import Loaded, load
from fupin.money import fmt_money
from fupin.names import SOURCE_NAMES
from fupin.shares import covering_share

ROOT = Path(__file__).resolve().parents[2]
D = Decimal


def sample_copy(tmp_path: Path) -> Path:
    """A private copy of the sample county (ledger, register, key)."""
    target = tmp_path / "ledger"
    shutil.copytree(ROOT / "ledger", target, ignore=shutil.ignore_patterns("audit-sample", "*.key"))
    notice_key.generate(target / "register" / notice_key.KEY_NAME)  # the demo key is the sample's
    return target


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def texts(loaded: Loaded) -> dict[str, str]:
    """Every notice's rendered text (HTML without tags), by notice id."""
    register = register_for(loaded.path, loaded.book)
    ctx = Context(loaded.book, loaded.results.measures, register, b"k" * 32)
    pieces = render_pieces(make_env(masked=False), build_notices(ctx))
    out = {}
    for piece in pieces:
        if not piece.slips:
            plain = html.unescape(re.sub(r"<[^>]+>", " ", piece.html))
            out[piece.notice] = re.sub(r"\s+", " ", plain)
    return out


def test_series_is_cumulative_as_of_a_day() -> None:
    series = Series()
    series.add(datetime.date(2021, 3, 1), D("100.00"))
    series.add(datetime.date(2021, 3, 1), D("50.00"))
    series.add(datetime.date(2021, 5, 1), D("-30.00"))
    assert series.at(datetime.date(2021, 2, 28)) == 0
    assert series.at(datetime.date(2021, 3, 1)) == D("150.00")  # inclusive
    assert series.at(datetime.date(2021, 4, 30)) == D("150.00")
    assert series.at(None) == D("120.00")
    series.add(datetime.date(2021, 4, 1), D("5.00"))  # out of order: placed by its date
    assert series.at(datetime.date(2021, 4, 1)) == D("155.00")
    assert series.first_above(D("150.00")) == datetime.date(2021, 4, 1)


def test_allocation_notice_prints_the_funds_own_minimum(tmp_path: Path) -> None:
    """A fund with its own 70%: B03 measures it against 70% and its notice prints 70%."""
    ledger = sample_copy(tmp_path)
    edit(
        ledger / "funds.beancount",
        '  family: "xianjie"\n',
        '  family: "xianjie"\n  industry_share_min: 0.70\n',
    )
    loaded = load(ledger / "main.beancount")
    b03 = [m for m in loaded.results.measures if m.rule == "B03"]
    assert [(m.entity, m.threshold) for m in b03] == [("XJ-2021", D("0.70"))]
    assert not b03[0].ok
    text = texts(loaded)["N-2021-F01"]
    assert "本批资金要求不低于 70.00%" in text
    assert "55%" not in text and "50.00%" not in text


def test_allocation_notice_shows_what_had_arrived_on_its_day(tmp_path: Path) -> None:
    """N-2021-F01 (posted 2021-03-10): receipts by then, not net of the 2021-12-30 return,
    and no spending share (nothing was spent by then)."""
    loaded = load(ROOT / "ledger" / "main.beancount")
    facts = loaded.book.facts.fund("XJ-2021")
    day = datetime.date(2021, 3, 10)
    returned_later = [r for r in facts.receipts if r.amount < 0 and r.date > day]
    assert returned_later, "the sample returns money to a level after the notice"
    text = texts(loaded)["N-2021-F01"]
    for source, amount in facts.sources(day).items():
        assert fmt_money(amount) in text, source
    assert f"合计（已下达） {fmt_money(facts.received(day))}" in text
    assert facts.received(day) != facts.received()
    assert facts.spent(day) == 0
    assert "尚无实际支出" in text and "67.73%" not in text


def test_site_sign_does_not_print_what_came_later() -> None:
    """A site sign posted before completion shows 在建 and the spend of its day."""
    loaded = load(ROOT / "ledger" / "main.beancount")
    signs = [n for n in loaded.book.all(Notice) if n.type == "site_sign"]
    early = []
    for notice in signs:
        facts = loaded.book.facts.project(notice.subject)
        done = facts.entry("completed")
        if done is not None and done.date > notice.start:
            early.append((notice, facts, done))
    assert early, "the sample posts signs before completion"
    rendered = texts(loaded)
    for notice, facts, done in early:
        text = rendered[notice.id]
        assert "在建" in text
        assert f"{done.date.year}年{done.date.month}月{done.date.day}日" not in text
        assert facts.spent.at(notice.start) != facts.spent.total or facts.spent.total == 0


def test_a_notice_names_only_the_fund_levels_whose_money_had_arrived() -> None:
    """A project notice's 资金来源 names the levels of its fund that had sent money by the
    day it was posted (that day included), not those that came later."""
    loaded = load(ROOT / "ledger" / "main.beancount")
    rendered = texts(loaded)
    checked = 0
    for notice in loaded.book.all(Notice):
        if notice.type != "project_plan":
            continue
        fund = loaded.book.projects[notice.subject].fund or ""
        held = loaded.book.facts.fund(fund)
        came = [s for s in held.sources() if held.by_source[s].began(notice.start)]
        later = [s for s in held.sources() if s not in came]
        names = SOURCE_NAMES
        if not fund.startswith("XJ-"):  # the 衔接资金, by government level
            continue
        assert f"（{'、'.join(names[s] for s in came)}）" in rendered[notice.id], notice.id
        checked += bool(later)
    # N-2022-P001-V (01-11): the county's share arrived on 01-14; P004-V (01-14) names it
    assert checked >= 3
    assert "（中央、省级、市级）" in rendered["N-2022-P001-V"]
    assert "（中央、省级、市级、县级）" in rendered["N-2022-P004-V"]


def test_a_notice_posted_before_its_subject_was_entered_is_refused(tmp_path: Path) -> None:
    """A plan notice dated before its project existed in the books is an ENTITY error at
    the notice, and ``fupin notices`` writes the others but not that one (exit 1)."""
    ledger = sample_copy(tmp_path)
    edit(
        ledger / "notices.beancount",
        '2022-01-11 custom "notice" "N-2022-P001-V"',
        '2022-01-05 custom "notice" "N-2022-P001-V"',
    )
    edit(ledger / "notices.beancount", "  start: 2022-01-11\n", "  start: 2022-01-05\n")
    runner = CliRunner()
    checked = runner.invoke(main, ["check", str(ledger / "main.beancount")])
    assert checked.exit_code == 1
    assert (
        "ENTITY error: 公示公告 N-2022-P001-V: start: 公示日期 2022-01-05 早于项目 P-2022-001 "
        "的登记日期 2022-01-09" in checked.output
    )
    out = tmp_path / "out"
    run = runner.invoke(main, ["notices", str(ledger / "main.beancount"), "--out", str(out)])
    assert run.exit_code == 1
    assert "N-2022-P001-V (项目公示) 未生成: start: 公示日期 2022-01-05" in run.output
    written = {p.stem for p in out.rglob("N-*.html")}
    assert "N-2022-P001-V" not in written and "N-2022-P002-V" in written
    # the day the project was entered is allowed
    edit(ledger / "notices.beancount", "  start: 2022-01-05\n", "  start: 2022-01-09\n")
    edit(
        ledger / "notices.beancount",
        '2022-01-05 custom "notice" "N-2022-P001-V"',
        '2022-01-09 custom "notice" "N-2022-P001-V"',
    )
    assert runner.invoke(main, ["check", str(ledger / "main.beancount")]).exit_code == 0


def test_a_site_sign_put_up_before_the_start_says_so(tmp_path: Path) -> None:
    """A sign dated before the project's start prints 未开工 (not 在建), and B34 warns."""
    ledger = sample_copy(tmp_path)
    notices = ledger / "notices.beancount"
    edit(
        notices,
        '2022-04-02 custom "notice" "N-2022-S001"',
        '2022-03-25 custom "notice" "N-2022-S001"',
    )
    edit(
        notices,
        '  channel: "board"\n  start: 2022-04-02\n',
        '  channel: "board"\n  start: 2022-03-25\n',
    )
    loaded = load(ledger / "main.beancount")
    text = texts(loaded)
    assert "完成时间 未开工" in text["N-2022-S001"]
    assert "完成时间 在建" in text["N-2022-S002"]  # posted on its project's start day
    (warned,) = [f for f in loaded.results.findings if f.rule == "B34"]
    assert warned.severity == "warning" and warned.source["filename"].endswith("notices.beancount")
    assert "N-2022-S001] 2022-03-25; 开工 2022-04-02" in warned.message


def test_special_fund_notice_prints_no_share_rule(tmp_path: Path) -> None:
    """A fund no share rule covers (东西部协作 outside fiscal-families) gets no threshold."""
    ledger = sample_copy(tmp_path)
    with (ledger / "notices.beancount").open("a", encoding="utf-8") as out:
        out.write(
            '\n2021-05-10 custom "notice" "N-2021-EW01"\n  type: "fund_allocation"\n'
            '  level: "county"\n  subject: "EW-2021"\n  channel: "website"\n'
            '  start: 2021-05-10\n  issuer: "青山县财政局"\n  doc: "青协〔2021〕1号"\n'
        )
    loaded = load(ledger / "main.beancount")
    fund = loaded.book.funds["EW-2021"]
    assert covering_share(loaded.book, fund, datetime.date(2021, 5, 10)) is None
    text = texts(loaded)["N-2021-EW01"]
    assert "要求不低于" not in text and "实际支出中产业发展占比" not in text


def _untag_one_payout(ledger: Path) -> None:
    text = (ledger / "assets.beancount").read_text(encoding="utf-8")
    first = text.index('  plan: "IP-2022-PV-01"\n', text.index("IncomeDistribution") - 400)
    (ledger / "assets.beancount").write_text(
        text[:first] + text[first + len('  plan: "IP-2022-PV-01"\n') :], encoding="utf-8"
    )


def test_income_result_notice_refused_when_it_would_contradict_b39(tmp_path: Path) -> None:
    """A payout without ``plan:``: B39 reports it and counts it under no plan; the result
    notice, which would then omit money paid from the asset, is not written."""
    ledger = sample_copy(tmp_path)
    _untag_one_payout(ledger)
    loaded = load(ledger / "main.beancount")
    b39 = [f for f in loaded.results.findings if f.rule == "B39"]
    assert any("未引用分配方案" in f.message for f in b39), b39
    measured = next(
        m.value for m in loaded.results.measures if m.rule == "B39" and m.title == "收益发放合计"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["notices", str(ledger / "main.beancount"), "--out", str(out), "--format", "html"]
    )
    assert result.exit_code == 1, result.output
    assert "N-2022-IR01" in result.output and "B39" in result.output
    assert fmt_money(measured) in result.output
    assert not list(out.rglob("N-2022-IR01.html"))
    assert list(out.rglob("N-2022-IP01.html")), "the other notices are written"


def test_income_result_notice_agrees_with_b39_on_the_sample() -> None:
    loaded = load(ROOT / "ledger" / "main.beancount")
    measured = next(
        m.value for m in loaded.results.measures if m.rule == "B39" and m.title == "收益发放合计"
    )
    assert f"实际分配合计 {fmt_money(measured)}" in texts(loaded)["N-2022-IR01"]


def test_tiny_breach_keeps_its_digits(write_ledger) -> None:
    path = write_ledger(
        """
        2021-01-01 open Assets:Treasury:XJ-2021 CNY
        2021-01-01 open Income:Fund:XJ-2021:Central CNY
        2021-01-01 open Expenses:Industry CNY
        2021-01-01 open Expenses:Infrastructure CNY
        2021-01-01 custom "fund" "XJ-2021"
          name: "2021年衔接资金"
          family: "xianjie"
        2021-01-05 * "下达"
          Assets:Treasury:XJ-2021  200000000.00 CNY
          Income:Fund:XJ-2021:Central
        2021-02-01 * "产业"
          Assets:Treasury:XJ-2021  -99999999.99 CNY
          Expenses:Industry
        2021-02-01 * "基础设施"
          Assets:Treasury:XJ-2021  -100000000.01 CNY
          Expenses:Infrastructure
        """
    )
    loaded = load(path)
    (b02,) = [f for f in loaded.results.findings if f.rule == "B02"]
    assert "49.999999995% < 50.00%" in b02.message, b02.message
    assert "差 0.01 CNY" in b02.message
    assert "50.%" not in b02.message


@pytest.mark.parametrize("day", ["2021-03-10", "2021-06-30", "2022-03-31"])
def test_compliance_as_of_a_day_equals_the_books_cut_there(tmp_path: Path, day: str) -> None:
    """``--date D`` gives the rules over exactly the entries dated up to D."""
    full = (ROOT / "ledger").resolve()
    cut = datetime.date.fromisoformat(day)
    loaded = load(full / "main.beancount", as_of=cut)
    assert loaded.book.last_date == cut
    assert all(e.date <= cut for e in loaded.book.entries)
    facts = loaded.book.facts.fund("XJ-2021")
    whole = load(full / "main.beancount").book.facts.fund("XJ-2021")
    assert facts.received() == whole.received(cut)
    assert facts.spent() == whole.spent(cut)


def test_allocation_total_row_is_the_sum_of_the_rows_printed(tmp_path: Path) -> None:
    """Budgets with a fen below 0.0001 万元: the 万元 column prints them unrounded, so the
    合计 row equals the sum of the rows printed above it (and the facts' total)."""
    ledger = sample_copy(tmp_path)
    for project, budget in (("001", "1200000"), ("002", "1500000"), ("003", "1800000")):
        edit(
            ledger / "xianjie-2021.beancount",
            f'"P-2021-{project}" "approved"\n  doc: "青乡振批〔2021〕1{project[-1]}号"\n'
            f"  budget: {budget}.00 CNY",
            f'"P-2021-{project}" "approved"\n  doc: "青乡振批〔2021〕1{project[-1]}号"\n'
            f"  budget: {int(budget) - 1}.50 CNY",
        )
    loaded = load(ledger / "main.beancount")
    text = texts(loaded)["N-2021-F01"]
    table = text.split("金额（万元） 责任单位")[1].split("合计")
    rows = [D(m) for m in re.findall(r" (\d+\.\d{4,}) ", table[0])]
    total = D(re.search(r"\d+\.\d{4,}", table[1]).group())  # type: ignore[union-attr]
    assert rows[:3] == [D("119.999950"), D("149.999950"), D("179.999950")]
    assert len(rows) == 7 and sum(rows) == total == D("819.999850")


def test_allocation_share_beside_its_threshold_never_reads_as_met(tmp_path: Path) -> None:
    """An industry share a hair below the year's 50%: printed with the digits that tell it
    from the threshold, never as "50.00%（本年度要求不低于 50.00%）"."""
    ledger = sample_copy(tmp_path)
    edit(
        ledger / "xianjie-2021.beancount",
        '"P-2021-004" "approved"\n  doc: "青乡振批〔2021〕14号"\n  budget: 1300000.00 CNY',
        '"P-2021-004" "approved"\n  doc: "青乡振批〔2021〕14号"\n  budget: 4300001.00 CNY',
    )
    text = texts(load(ledger / "main.beancount"))["N-2021-F01"]
    assert "占分配总额的 49.999996%（本年度要求不低于 50.00%）" in text


def test_income_plan_rows_add_up_to_the_plan_and_are_b39s_limits(tmp_path: Path) -> None:
    """A plan amount whose shares fall on half a fen (98,000.05 × 50% = 49,000.025): the
    rows printed add up to the plan amount printed, and each is the limit B39 applies."""
    ledger = sample_copy(tmp_path)
    edit(ledger / "assets.beancount", "  amount: 98000.00 CNY\n", "  amount: 98000.05 CNY\n")
    loaded = load(ledger / "main.beancount")
    text = texts(loaded)["N-2022-IP01"]
    table = text.split("金额（元）")[1].split("合计")
    rows = [D(m.replace(",", "")) for m in re.findall(r"\d[\d,]*\.\d\d(?!%)", table[0])]
    assert rows == [D("49000.03"), D("19600.01"), D("19600.01"), D("9800.00")]
    assert "合计 100.00% 98,000.05" in text and sum(rows) == D("98000.05")
    from fupin.assets import IncomePlan

    plan = loaded.book.by_id(IncomePlan)["IP-2022-PV-01"]
    assert [plan.part([key]) for key in plan.shares] == rows


def _notice_book(grace: str, allocation: str, result: str, last: str) -> str:
    """A fund and its project, approved 2023-03-01 and accepted 2023-09-01, with a
    ``notice-grace-days`` of ``grace`` and the fund's allocation / project's result notices
    posted on the days given; the books end on ``last``."""
    return f"""
        2023-01-01 custom "policy" "notice-grace-days" {grace}
        2023-01-01 custom "fund" "XJ-2023"
          name: "2023年衔接资金"
          family: "xianjie"
        2023-01-01 open Assets:Treasury:XJ-2023 CNY
        2023-01-01 open Income:Fund:XJ-2023:Central CNY
        2023-01-05 * "县财政局" "下达"
          Assets:Treasury:XJ-2023  500000.00 CNY
          Income:Fund:XJ-2023:Central
        2023-01-09 custom "project" "P-2023-001"
          name: "青山村肉牛养殖圈舍建设项目"
          category: "Industry"
          township: "城关镇"
          village: "青山村"
          year: 2023
          budget: 500000.00 CNY
          implementer: "青山村股份经济合作社"
          fund: "XJ-2023"
          targets: "带动脱贫户32户户均年增收1500元"
        2023-01-09 custom "project-stage" "P-2023-001" "proposed"
        2023-01-11 custom "notice" "N-2023-P001-V"
          type: "project_plan"
          level: "village"
          subject: "P-2023-001"
          channel: "board"
          start: 2023-01-11
          end: 2023-01-20
        2023-02-02 custom "project-stage" "P-2023-001" "in_library"
        2023-03-01 custom "project-stage" "P-2023-001" "approved"
        {allocation} custom "notice" "N-2023-F01"
          type: "fund_allocation"
          level: "county"
          subject: "XJ-2023"
          channel: "website"
          start: {allocation}
        2023-09-01 custom "project-stage" "P-2023-001" "accepted"
          settlement: 480000.00 CNY
        {result} custom "notice" "N-2023-R001-V"
          type: "project_result"
          level: "village"
          subject: "P-2023-001"
          channel: "board"
          start: {result}
          end: {datetime.date.fromisoformat(result) + datetime.timedelta(days=9)}
        {last} note Assets:Treasury:XJ-2023 "账簿截止"
        """


def test_a_notice_posted_after_its_window_is_a_warning_at_the_notice(write_ledger) -> None:
    """B30/B34: a notice that exists but starts after the ``notice-grace-days`` window's
    last day is late (公告已发布但逾期): one warning each, at the notice's own entry."""
    path = write_ledger(_notice_book("10", "2023-06-01", "2023-10-02", "2023-12-31"))
    found = [f for f in load(path).results.findings if f.rule in ("B30", "B34")]
    b30, b34 = sorted(found, key=lambda f: f.rule)
    assert (b30.severity, b30.entity, b30.value, b30.threshold) == ("warning", "N-2023-F01", 92, 10)
    assert b30.message == (
        "B30 warning: 公告已发布但逾期: 距首个批复 92 天 > 10 天 (notice-grace-days) — "
        "2023年衔接资金分配结果公告 [notice N-2023-F01]; 开始 2023-06-01, 最迟 2023-03-11, "
        "首个批复 2023-03-01; 2023年衔接资金 [fund XJ-2023]"
    )
    text = path.read_text(encoding="utf-8").splitlines()
    assert text[b30.source["lineno"] - 1].startswith('2023-06-01 custom "notice" "N-2023-F01"')
    assert (b34.severity, b34.entity, b34.value, b34.threshold) == (
        "warning",
        "N-2023-R001-V",
        31,
        10,
    )
    assert "开始 2023-10-02, 最迟 2023-09-11, 验收 2023-09-01;" in b34.message
    assert text[b34.source["lineno"] - 1].startswith('2023-10-02 custom "notice" "N-2023-R001-V"')


def test_a_notice_on_the_windows_last_day_is_on_time(write_ledger) -> None:
    """Posted on the window's last day (approval + 10, acceptance + 10): no B30/B34 finding."""
    path = write_ledger(_notice_book("10", "2023-03-11", "2023-09-11", "2023-12-31"))
    assert [f for f in load(path).results.findings if f.rule in ("B30", "B34")] == []


def test_a_late_notice_in_working_days_the_calendar_lacks_does_not_crash(write_ledger) -> None:
    """A working-day window whose count needs a year the holiday calendar lacks (2099): the
    POLICY error of the window, once, and no B30/B34 guessed, no internal error."""
    text = _notice_book('"5 工作日"', "2023-06-01", "2023-10-02", "2023-12-31")
    path = write_ledger(text.replace("2023", "2099"))
    findings = load(path).results.findings
    assert [f.rule for f in findings if f.rule in ("B30", "B34", "POLICY")] == ["POLICY"]
    assert not [f for f in findings if "internal error" in f.message]
