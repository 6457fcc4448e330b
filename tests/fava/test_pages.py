"""Every fupin Fava page and endpoint through Flask's test client, on the sample ledger.

Numbers are checked against the rules' own measures and against Fava's own account tree
(an independent computation of the same balances), not only against fixed text.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from fupin.reports.fava import base as fava_base

from fupin.money import fmt_money, fmt_pct

ROOT = Path(__file__).resolve().parents[2]
PAGES = (
    "FupinCompliance",
    "FupinFunds",
    "FupinProjects",
    "FupinAssets",
    "FupinNotices",
    "FupinHouseholds",
    "FupinAudit",  # issue 17
)


def ledger_of(app: Flask) -> Any:
    ledgers = app.config["LEDGERS"]
    return ledgers[ledgers.first_slug()]


def snap_of(app: Flask) -> fava_base.Snapshot:
    return fava_base.snapshot(ledger_of(app))


def fava_balance(app: Flask, account: str, **filters: str) -> Decimal:
    """Fava's own cumulative balance of an account (its account tree), in CNY."""
    tree = ledger_of(app).get_filtered(**filters).root_tree
    return tree.get(account).balance_children.get(("CNY", None), Decimal(0))


def rows(html: str, table_class: str) -> list[str]:
    """Body rows of every table with that class, as text with cells joined by |."""
    tables = re.findall(rf'<table[^>]*class="{table_class}"[^>]*>(.*?)</table>', html, re.S)
    assert tables, f"no table {table_class}"
    out = []
    for table in tables:
        body = table.split("<tbody>", 1)[-1]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
            out.append(
                "|".join(" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells)
            )
    return out


def all_rows(page: Any, name: str, table_class: str, arg: str = "page", **args: str) -> list[str]:
    """The rows of a paged table, following the pager to the last page."""
    out: list[str] = []
    number = 1
    while True:
        html = page(name, **args, **{arg: str(number)})
        out += rows(html, table_class)
        if f"{arg}={number + 1}" not in unescape(html):
            return out
        number += 1


def test_pages_with_chinese_titles_in_the_auditors_order(app: Flask) -> None:
    details = [(e.name, e.report_title) for e in ledger_of(app).extensions.extension_details]
    assert details == [
        ("FupinCompliance", "合规"),
        ("FupinFunds", "资金"),
        ("FupinProjects", "项目"),
        ("FupinAssets", "资产"),
        ("FupinNotices", "公示"),
        ("FupinHouseholds", "农户"),
        ("FupinAudit", "审计"),  # issue 17
    ]


def test_fava_in_chinese_with_compliance_first(app: Flask, client: Any, base: str) -> None:
    options = ledger_of(app).fava_options
    assert (options.language, options.locale) == ("zh", "zh_CN")
    response = client.get(f"{base}/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/extension/FupinCompliance/")
    # Fava's own pages too: its translations are sent in a JSON script, \u-escaped
    page_text = client.get(f"{base}/income_statement/").text
    assert "损益表".encode("unicode_escape").decode() in page_text


def test_account_names_for_favas_pages(client: Any, base: str) -> None:
    names = client.get(f"{base}/extension/FupinCompliance/account_names").get_json()
    assert names["Assets:Treasury:XJ-2021"] == "2021年衔接资金专户"
    assert names["Expenses:Industry:Livestock"] == "产业发展-畜牧养殖"
    js = client.get(f"{base}/extension_js_module/FupinCompliance.js")
    assert js.status_code == 200 and b"account_names" in js.data


def test_saved_queries_and_import_page(app: Flask, client: Any, base: str) -> None:
    queries = [q.name for q in ledger_of(app).all_entries_by_type.Query]
    assert queries == ["余额-按资金", "支出-按项目", "支出-按村(到户补助)", "收入-按资金来源"]
    shell = ledger_of(app).query_shell
    for query in ledger_of(app).all_entries_by_type.Query:
        result = client.get(f"{base}/api/query", query_string={"query_string": query.query_string})
        assert result.status_code == 200, (query.name, result.text[:300])
    assert shell is not None
    imports = client.get(f"{base}/api/imports").get_json()["data"]
    assert {f["name"].rsplit("/", 1)[-1] for f in imports} >= {"rcb-xj2022-2022-11-12.csv"}
    matched = [f for f in imports if f["importers"]]
    assert matched, "the import page finds importers for the sample downloads"


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_in_fava_layout(page: Any, name: str) -> None:
    html = page(name)
    assert '<div class="fupin"' in html
    assert "page-title" in html  # rendered inside Fava's own layout


# -- 合规 -------------------------------------------------------------------------------------
def test_compliance_lists_every_measure_passing_ones_too(app: Flask, page: Any) -> None:
    results = snap_of(app).results
    table = all_rows(page, "FupinCompliance", "fupin-measures")
    assert len(table) == len(results.measures) > 200  # more than one page
    b02 = [r for r in table if r.startswith("B02|")]
    assert b02 == [
        "B02|产业发展资金占比|2021年度|2021|67.73%|≥|50.00%|industry-share-min|✓ 合规|policy.beancount:4",
        "B02|产业发展资金占比|2022年度|2022|68.39%|≥|55.00%|industry-share-min|✓ 合规|policy.beancount:7",
    ]
    assert sum("✓ 合规" in r for r in table) == sum(m.ok for m in results.measures)


def test_compliance_rule_selector_and_pager(app: Flask, page: Any) -> None:
    b41 = [m for m in snap_of(app).results.measures if m.rule == "B41"]
    table = rows(page("FupinCompliance", rule="B41"), "fupin-measures")
    assert [r.split("|")[2] for r in table] == [m.scope for m in b41]
    html = page("FupinCompliance", page="2")
    assert "第 201–" in html and "← 上一页" in html
    assert rows(page("FupinCompliance", page="999"), "fupin-measures")  # clamped to the last


def test_compliance_links_to_favas_source_editor(page: Any) -> None:
    html = page("FupinCompliance")
    link = re.search(r'href="([^"]*editor/\?[^"]*)"[^>]*>funds.beancount:4<', html)
    assert link, "no editor link for funds.beancount:4"
    url = unescape(link.group(1))
    assert "file_path=" in url and "funds.beancount" in url and "line=4" in url


#: the sample's one finding: N-2021-F03 posted 133 days after EW-2021's first approval
LATE_NOTICE = (
    "B30 warning: 公告已发布但逾期: 距首个批复 133 天 > 30 天 (notice-grace-days) — "
    "青山县2021年东西部协作资金分配结果公告 [notice N-2021-F03]; 开始 2021-08-12, "
    "最迟 2021-05-01, 首个批复 2021-04-01; 2021年东西部协作资金(结对帮扶) [fund EW-2021]"
)


def test_compliance_findings_shown_with_entry_context(app: Flask, page: Any) -> None:
    (finding,) = snap_of(app).results.findings
    assert (finding.rule, finding.message) == ("B30", LATE_NOTICE)
    html = page("FupinCompliance")
    assert "1 条发现" in html and 'id="no-findings"' not in html
    table = all_rows(page, "FupinCompliance", "fupin-findings", arg="fpage")
    assert table == [f"B30|! 警告|2021-08-12|{LATE_NOTICE}|assets.beancount:154"]


def test_compliance_page_of_books_without_findings_says_so(tmp_path: Path) -> None:
    from fupin.reports.fava.serve import make_app

    main = tmp_path / "main.beancount"
    main.write_text(
        'option "operating_currency" "CNY"\nplugin "fupin.plugins"\n'
        '2021-01-01 custom "fava-extension" "fupin.reports.fava"\n'
        "2021-01-01 open Assets:Treasury:XJ-2021 CNY\n"
        "2021-01-01 open Income:Fund:XJ-2021:Central CNY\n"
        '2021-01-01 custom "fund" "XJ-2021"\n  name: "2021年衔接资金"\n  family: "xianjie"\n'
        '2021-01-05 * "县财政局" "资金下达"\n'
        "  Assets:Treasury:XJ-2021  10000.00 CNY\n  Income:Fund:XJ-2021:Central\n",
        encoding="utf-8",
    )
    app = make_app(main)
    assert snap_of(app).results.findings == []
    response = app.test_client().get(
        f"/{app.config['LEDGERS'].first_slug()}/extension/FupinCompliance/"
    )
    assert response.status_code == 200
    assert "0 条发现" in response.text and 'id="no-findings"' in response.text
    assert 'class="fupin-findings"' not in response.text


def test_compliance_time_filter_keeps_the_year(app: Flask, page: Any) -> None:
    html = page("FupinCompliance", time="2022")
    table = all_rows(page, "FupinCompliance", "fupin-measures", time="2022")
    years = {r.split("|")[3] for r in table}
    assert years <= {"2022", ""}
    expected = [m for m in snap_of(app).results.measures if m.year in (2022, None)]
    assert len(table) == len(expected)
    assert "已按 Fava 的时间/账户筛选条件过滤" in html


def test_compliance_account_filter_keeps_that_funds_rows(page: Any) -> None:
    table = all_rows(page, "FupinCompliance", "fupin-measures", account="Assets:Treasury:XJ-2021")
    scopes = {r.split("|")[2] for r in table}
    assert "fund XJ-2021" in scopes
    assert "project P-2021-001" in scopes
    assert "fund XJ-2022" not in scopes and "project P-2022-001" not in scopes


def test_compliance_json_endpoint(app: Flask, page: Any) -> None:
    data = json.loads(page("FupinCompliance", "data"))
    results = snap_of(app).results
    assert len(data["measures"]) == len(results.measures)
    b02 = [m for m in data["measures"] if m["rule"] == "B02"]
    assert [(m["year"], m["threshold"], m["ok"]) for m in b02] == [
        (2021, "0.50", True),
        (2022, "0.55", True),
    ]
    assert data["findings"] == [
        {
            "rule": "B30",
            "severity": "warning",
            "message": LATE_NOTICE,
            "file": str(ROOT / "ledger" / "assets.beancount"),
            "line": 154,
            "entity": "N-2021-F03",
            "value": "133",
            "threshold": "30",
        }
    ]
    assert len(results.findings) == 1
    narrowed = json.loads(page("FupinCompliance", "data", time="2021"))
    assert {m["year"] for m in narrowed["measures"]} <= {2021, None}


# -- 资金 -------------------------------------------------------------------------------------
def test_funds_balances_agree_with_favas_own_tree(app: Flask, page: Any) -> None:
    funds = {f.fund.id: f for f in snap_of(app).funds.funds}
    for ident, row in funds.items():
        received = -fava_balance(app, f"Income:Fund:{ident}")
        assert row.received == received, ident
        treasury = fava_balance(app, f"Assets:Treasury:{ident}")
        assert row.balance == treasury, ident
        assert row.deposit == -fava_balance(app, f"Liabilities:QualityDeposit:{ident}")
    html = page("FupinFunds")
    for row in funds.values():
        assert fmt_money(row.received) in html and fmt_money(row.balance) in html


def test_funds_declared_vs_actual_split(page: Any) -> None:
    html = page("FupinFunds")
    sources = rows(html, "fupin-sources")
    assert "政府出资 Government|700,000.00|70.00%|70.00%|700,000.00|0.00" in sources
    assert "募集资金 Raised|200,000.00|20.00%|20.00%|200,000.00|0.00" in sources
    assert "社会捐赠 Donation|100,000.00|10.00%|10.00%|100,000.00|0.00" in sources
    assert "中央衔接资金 Central|5,400,000.00|67.07%|||" in sources


def test_funds_year_table_uses_the_rules_share(app: Flask, page: Any) -> None:
    snap = snap_of(app)
    b02 = {m.year: m for m in snap.results.measures if m.rule == "B02"}
    table = rows(page("FupinFunds"), "fupin-years")
    assert len(table) == len(b02)
    for row in table:
        cells = row.split("|")
        measure = b02[int(cells[0])]
        assert cells[6] == fmt_pct(measure.value)
        assert cells[8] == fmt_pct(measure.threshold)
        # spent = Σ the year's fiscal spends; industry = the B02 numerator
        year = next(y for y in snap.funds.years if y.year == measure.year)
        assert cells[3] == fmt_money(year.spent)
        assert year.industry / year.spent == measure.value


def test_funds_page_keeps_favas_own_expense_chart(page: Any) -> None:
    html = page("FupinFunds")
    match = re.search(
        r'<svelte-component type="charts"><script type="application/json">(.*?)</script>',
        html,
        re.S,
    )
    assert match
    assert [c["type"] for c in json.loads(match.group(1))] == ["hierarchy"]


# -- 项目 -------------------------------------------------------------------------------------
def test_project_library(app: Flask, page: Any) -> None:
    projects = snap_of(app).book.projects
    table = rows(page("FupinProjects"), "fupin-library")
    assert len(table) == len(projects)
    first = next(r for r in table if r.startswith("P-2021-001|"))
    assert first.split("|")[1:] == [
        "青山村肉牛养殖圈舍建设项目",
        "城关镇 青山村",
        "产业发展",
        "2021",
        "结项",
        "1,200,000.00",
        "1,176,500.00",
        "1,176,500.00",
        "98.04%",
        "0.00",
        first.split("|")[11],
        "✓ 合规",
    ]


def test_project_page(app: Flask, page: Any) -> None:
    html = page("FupinProjects", project="P-2021-001")
    assert html.count('<li class="done') == 8  # every stage reached, with its date
    assert "2021-03-02" in html and "青乡振批〔2021〕11号" in html
    payments = rows(html, "fupin-payments")
    assert [p.split("|")[1:6] for p in payments] == [
        [
            "预拨",
            "青山村肉牛养殖圈舍建设项目 预拨启动资金(合同额25%)",
            "0.00",
            "295,000.00",
            "0.00",
        ],
        ["进度款", "青山村肉牛养殖圈舍建设项目 进度款", "413,000.00", "413,000.00", "0.00"],
        [
            "结算尾款",
            "青山村肉牛养殖圈舍建设项目 结算尾款(扣留3%质保金)",
            "763,500.00",
            "433,205.00",
            "35,295.00",
        ],
        [
            "质保金返还",
            "青山村肉牛养殖圈舍建设项目 质保期满退还质保金",
            "0.00",
            "35,295.00",
            "-35,295.00",
        ],
    ]
    assert "35,295.00 / 35,295.00 / 0.00" in html  # deposit withheld / released / held
    evidence = rows(html, "fupin-evidence")
    assert any("记账凭证|记-2021-0018" in e for e in evidence)
    notices = rows(html, "fupin-notices")
    assert any(n.startswith("N-2021-P001-V|") for n in notices)


def test_unknown_project_is_404(client: Any, base: str) -> None:
    response = client.get(f"{base}/extension/FupinProjects/", query_string={"project": "P-X"})
    assert response.status_code == 404


def test_projects_json(page: Any) -> None:
    data = json.loads(page("FupinProjects", "data"))
    p1 = next(p for p in data if p["id"] == "P-2021-001")
    assert p1 == {
        "id": "P-2021-001",
        "name": "青山村肉牛养殖圈舍建设项目",
        "stage": "closed",
        "budget": "1200000.00",
        "spent": "1176500.00",
        "paid": "1176500.00",
        "deposit_held": "0.00",
    }


# -- 资产 -------------------------------------------------------------------------------------
def test_asset_register_with_four_rights_and_totals(app: Flask, page: Any) -> None:
    html = page("FupinAssets")
    table = rows(html, "fupin-register")
    register = snap_of(app).register
    assert len(table) == len(register.assets)
    pv = next(r for r in table if r.startswith("A-2021-003|"))
    assert (
        "石桥村股份经济合作社 40.00%; 杨庄村股份经济合作社 35.00%; 北坡村股份经济合作社 25.00%"
        in pv
    )
    by_class = rows(html, "fupin-by-class")
    live = [a for a in register.at(snap_of(app).book.last_date) if a.status != "disposed"]
    assert sum(int(r.split("|")[1]) for r in by_class) == len(live)
    total = sum((a.asset.original_value for a in live), Decimal(0))
    assert f"{fmt_money(total)}" in html
    assert rows(html, "fupin-by-level")


def test_asset_register_at_favas_date(page: Any) -> None:
    """Rights holders follow the end of Fava's time filter: the operator changed in 2022."""
    in_2021 = rows(page("FupinAssets", time="2021"), "fupin-register")
    in_2022 = rows(page("FupinAssets", time="2022"), "fupin-register")
    a1_2021 = next(r for r in in_2021 if r.startswith("A-2021-001|"))
    a1_2022 = next(r for r in in_2022 if r.startswith("A-2021-001|"))
    assert "青山村股份经济合作社 (自主经营)" in a1_2021
    assert "青山县牧原肉牛养殖有限公司 (委托经营)" in a1_2022
    assert not any(r.startswith("A-2022-") for r in in_2021)


def test_asset_page_history_and_income(page: Any) -> None:
    html = page("FupinAssets", asset="A-2021-003", time="2022")  # the sample runs on to 2024
    income = rows(html, "fupin-income")
    assert sum(Decimal(r.split("|")[2].replace(",", "")) for r in income) == Decimal("105600.00")
    assert sum(Decimal(r.split("|")[3].replace(",", "")) for r in income) == Decimal("98000.00")
    in_2021 = rows(page("FupinAssets", asset="A-2021-003", time="2021"), "fupin-income")
    assert [r.split("|")[2] for r in in_2021] == ["8,600.00"]  # money up to Fava's date only
    plans = rows(html, "fupin-plans")
    assert plans[0].startswith("IP-2022-PV-01|2022-07-05|98,000.00|")
    history = rows(page("FupinAssets", asset="A-2021-001"), "fupin-rights-history")
    operation = [r for r in history if r.startswith("经营权|")]
    assert [r.split("|")[1] for r in operation] == ["2021-11-20", "2022-04-01"]


def test_unknown_asset_is_404(client: Any, base: str) -> None:
    response = client.get(f"{base}/extension/FupinAssets/", query_string={"asset": "A-X"})
    assert response.status_code == 404


# -- 公示 -------------------------------------------------------------------------------------
def test_notice_list_with_periods_and_status(app: Flask, page: Any) -> None:
    table = rows(page("FupinNotices"), "fupin-notice-list")
    assert len(table) == len(snap_of(app).notices)
    row = next(r for r in table if r.startswith("N-2021-P001-V|"))
    cells = row.split("|")
    assert cells[6:10] == ["2021-01-11 至 2021-01-20", "10", "B31 10 天 ≥ 10 天", "✓ 合规"]


def test_notice_preview_is_the_rendered_notice(page: Any) -> None:
    detail = page("FupinNotices", notice="N-2021-P001-V")
    assert 'class="notice"' in detail and "preview?notice=N-2021-P001-V" in unescape(detail)
    html = page("FupinNotices", "preview", notice="N-2021-P001-V")
    assert "青山村肉牛养殖圈舍建设项目" in html
    assert "1,200,000.00" in html and "壹佰贰拾万元整" in html  # the budget, from the book
    assert "1,180,000.00" not in html  # the March contract was not known in January


def test_notice_pdf_download(client: Any, base: str) -> None:
    response = client.get(
        f"{base}/extension/FupinNotices/pdf", query_string={"notice": "N-2021-F01"}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert 'filename="N-2021-F01.pdf"' in response.headers["Content-Disposition"]


def test_unknown_notice_is_404(client: Any, base: str) -> None:
    for path in ("", "preview", "pdf"):
        response = client.get(
            f"{base}/extension/FupinNotices/{path}", query_string={"notice": "N-X"}
        )
        assert response.status_code == 404


# -- one book per load ----------------------------------------------------------------------
def test_pages_share_one_snapshot_per_load(app: Flask, page: Any) -> None:
    before = snap_of(app)
    for name in PAGES:
        page(name)
    assert snap_of(app) is before
    assert before.entries is ledger_of(app).all_entries


def test_reload_rebuilds_the_book(tmp_path: Path) -> None:
    """Fava keeps the extension objects across reloads; after_load_file rebuilds the view."""
    from fupin.reports.fava.serve import make_app

    copy = tmp_path / "ledger"
    shutil.copytree(ROOT / "ledger", copy)
    app = make_app(copy / "main.beancount")
    before = snap_of(app)
    received = next(f for f in before.funds.funds if f.fund.id == "XJ-2022").received
    with (copy / "xianjie-2022.beancount").open("a", encoding="utf-8") as out:
        out.write(
            '\n2022-12-30 * "青山县财政局" "追加下达"\n'
            "  Assets:Treasury:XJ-2022  1000.00 CNY\n"
            "  Income:Fund:XJ-2022:County\n"
        )
    ledger_of(app).load_file()  # what Fava does when it sees the file change
    after = snap_of(app)
    assert after is not before
    assert next(f for f in after.funds.funds if f.fund.id == "XJ-2022").received == received + 1000


def test_funds_page_honours_favas_time_filter(app: Flask, page: Any) -> None:
    """Under ``time=2021-03`` the funds page shows the books as of 2021-03-31: what had
    arrived by then and the balance Fava itself shows for that day, not the year's."""
    html = page("FupinFunds", time="2021-03")
    day = datetime.date(2021, 3, 31)
    whole = snap_of(app).book.facts.fund("XJ-2021")
    then = snap_of(app).as_of(day).book.facts.fund("XJ-2021")
    assert then.received() == whole.received(day) != whole.received()
    assert then.balance() == fava_balance(app, "Assets:Treasury:XJ-2021", time="2021-03")
    central = [r for r in rows(html, "fupin-sources") if r.startswith("中央衔接资金 Central")]
    assert fmt_money(whole.received(day, "Central")) in central[0]
    assert fmt_money(then.received()) in html
    compliance = page("FupinCompliance", time="2021-03")
    assert "结清日 2021-12-31 的来源构成核对尚未进行" in compliance


# -- 农户 (issue 15) --------------------------------------------------------------------------
def test_households_page_monitoring_loans_budgets_by_id_only(page: Any) -> None:
    html = page("FupinHouseholds")
    cases = rows(html, "fupin-monitoring")
    hw = next(r for r in cases if r.startswith("M-2022-HW-01|"))
    assert "|H-HW-009|河湾村|边缘易致贫户|" in hw and "|风险已消除|2023-01-10|192|2023-07-09|" in hw
    loans = rows(html, "fupin-loans")
    assert any(
        r.startswith("L-2023-YZ-01|H-YZ-002|") and "|逾期|15,000.00|10,500.00|" in r for r in loans
    )
    budgets = rows(html, "fupin-budgets")
    assert any(r.startswith("2023|county|36,000,000.00|1,260,000,000.00|") for r in budgets)
    assert "陈一" not in html  # H-HW-009's head: the page shows ids only
    data = json.loads(page("FupinHouseholds", "data"))
    assert data["rounding"].startswith("money ROUND_HALF_UP")
    assert {c["id"]: c["status"] for c in data["monitoring"]}["M-2022-HW-01"] == "ok"


def test_households_page_follows_favas_date(page: Any) -> None:
    """As of 2022 the case is still monitored and the loans do not exist yet."""
    html = page("FupinHouseholds", time="2022")
    hw = next(r for r in rows(html, "fupin-monitoring") if r.startswith("M-2022-HW-01|"))
    assert "|监测帮扶中|" in hw
    assert not [r for r in rows(html, "fupin-loans") if r.startswith("L-")]
