"""End to end: `fupin serve` on 127.0.0.1, Debian's Chromium headless via Playwright.

Opens every fupin page, and Fava's own pages, on the sample ledger and on the audit
sample, in Chinese (Fava's language and locale come from the ledgers' fava-options),
checks that key numbers, the charts and the Chinese account names appear and that the
browser logs no console error, and saves one screenshot per page to build/screenshots/.
Skips (with the reason) only when no Chromium is installed; never downloads a browser.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"
CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium") or "") if p and Path(p).exists()),
    None,
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SLUG = quote("青山县衔接资金与扶贫资产台账示例")
AUDIT_SLUG = quote("白石县衔接资金审计演示账簿虚构")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="no Chromium at /usr/bin/chromium (scripts/sysdeps.sh installs it)"
    ),
]

#: (screenshot name, page path, texts that must appear)
PAGES = [
    (
        "1-compliance",
        "FupinCompliance/",
        ["合规检查", "67.73%", "50.00%", "B41", "预拨资金比例", "财农〔2017〕8号"],
    ),
    (
        "1b-compliance-2022",
        "FupinCompliance/?time=2022",
        ["合规检查", "68.39%", "55.00%", "已按 Fava 的时间/账户筛选条件过滤"],
    ),
    (
        "2-funds",
        "FupinFunds/",
        ["来源构成", "5,400,000.00", "700,000.00", "68.39%", "55.00%", "资金流向"],
    ),
    (
        "3-projects",
        "FupinProjects/",
        ["项目库", "项目进度", "青山村肉牛养殖圈舍建设项目", "1,176,500.00"],
    ),
    (
        "3b-project-P-2021-001",
        "FupinProjects/?project=P-2021-001",
        ["青山村肉牛养殖圈舍建设项目", "青乡振批〔2021〕11号", "35,295.00", "结算尾款"],
    ),
    (
        "4-assets",
        "FupinAssets/",
        [
            "扶贫项目资产台账",
            "所有权",
            "经营权",
            "收益权",
            "监督权",
            "16,091,300.00",
            "户级",
            "资产原值",
        ],
    ),
    (
        "4b-asset-A-2021-003",
        "FupinAssets/?asset=A-2021-003&time=2022",
        ["石桥村股份经济合作社 40.00%", "IP-2022-PV-01", "98,000.00", "105,600.00"],
    ),
    (
        "4c-asset-A-2021-001-2021",
        "FupinAssets/?asset=A-2021-001&time=2021",
        ["2021-12-31", "青山村股份经济合作社 (自主经营)", "!青山县牧原肉牛养殖有限公司"],
    ),
    ("5-notices", "FupinNotices/", ["公示公告", "N-2021-P001-V", "10", "项目公示"]),
    (
        "5b-notice-N-2021-P001-V",
        "FupinNotices/?notice=N-2021-P001-V",
        ["下载 PDF", "2021-01-11 至 2021-01-20", "10 天"],
    ),
]
#: Fava's own pages, in Chinese, with the Chinese account names beside the accounts.
FAVA_PAGES = [
    ("6-income-statement", "income_statement/", ["产业发展-畜牧养殖", "中央衔接资金"]),
    ("7-balance-sheet", "balance_sheet/", ["2022年衔接资金专户"]),
    ("8-journal", "journal/", ["青山县财政局"]),
    ("9-query", "query/", ["余额-按资金", "收入-按资金来源"]),
    ("10-import", "import/", ["rcb-xj2022-2022-11-12.csv"]),
]
#: The audit sample: every fupin page works on it too, charts included.
AUDIT_PAGES = [
    ("a1-compliance", "extension/FupinCompliance/", ["合规检查", "K1", "资金闲置"]),
    ("a2-funds", "extension/FupinFunds/", ["来源构成", "资金流向", "1,500,000.00"]),
    ("a3-projects", "extension/FupinProjects/", ["项目库", "项目进度"]),
    ("a4-assets", "extension/FupinAssets/", ["扶贫项目资产台账", "资产原值"]),
    ("a5-notices", "extension/FupinNotices/", ["公示公告"]),
    ("a6-balance-sheet", "balance_sheet/", ["白石镇财政所衔接资金过渡户"]),
    ("a7-query", "query/", ["支出-按项目"]),
]
#: Pages that carry one of the four charts (svg.fupin-chart): how many each has.
CHARTS = {"FupinCompliance/": 1, "FupinFunds/": 2, "FupinProjects/": 1, "FupinAssets/": 1}
#: Let the page grow to its content so that the screenshot shows all of it.
UNCLIP = "html, body, article { height: auto !important; overflow: visible !important; }"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize(("name", "path", "texts"), PAGES, ids=[p[0] for p in PAGES])
def test_page_in_chromium(
    fupin_server: str, browser, name: str, path: str, texts: list[str]
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(f"{fupin_server}/{SLUG}/extension/{path}", wait_until="networkidle")
    assert response is not None and response.status == 200
    page.wait_for_selector("div.fupin")
    body = page.inner_text("article")
    for text in texts:  # "!x": the books as of the time filter do not know x yet
        if text.startswith("!"):
            assert text[1:] not in body, f"{text[1:]!r} shown on {path}"
        else:
            assert text in body, f"{text!r} missing on {path}"
    if path in CHARTS:
        assert len(page.query_selector_all("svg.fupin-chart")) == CHARTS[path], path
    SHOTS.mkdir(parents=True, exist_ok=True)
    if page.query_selector("iframe.notice"):
        frame = page.frame_locator("iframe.notice")
        assert "肉牛养殖圈舍" in frame.locator("body").inner_text()
    page.add_style_tag(content=UNCLIP)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.close()
    assert errors == [], errors


def shoot(browser, url: str, name: str, texts: list[str]) -> list[str]:
    """Open ``url``, wait for Fava to draw it, check ``texts``; the console errors."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200
    page.wait_for_selector("article")
    for text in texts:
        page.wait_for_function("t => document.body.innerText.includes(t)", arg=text, timeout=15000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.add_style_tag(content=UNCLIP)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.close()
    return errors


@pytest.mark.parametrize(("name", "path", "texts"), FAVA_PAGES, ids=[p[0] for p in FAVA_PAGES])
def test_favas_own_pages_in_chinese(
    fupin_server: str, browser, name: str, path: str, texts: list[str]
) -> None:
    assert shoot(browser, f"{fupin_server}/{SLUG}/{path}", name, texts) == []


@pytest.mark.parametrize(("name", "path", "texts"), AUDIT_PAGES, ids=[p[0] for p in AUDIT_PAGES])
def test_audit_sample_pages(
    audit_server: str, browser, name: str, path: str, texts: list[str]
) -> None:
    assert shoot(browser, f"{audit_server}/{AUDIT_SLUG}/{path}", name, texts) == []
