"""`fupin notices` on the sample ledger and on small ledgers: numbers, privacy, all-or-nothing."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from fupin.reports.notice_privacy import check_code
from pypdf import PdfReader

from fupin.cli import main
from fupin.households import id_check_digit

FULL_ID = re.compile(r"(?<!\d)\d{17}[\dX](?!\d)")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("notices")
    result = CliRunner().invoke(main, ["notices", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def find(out: Path, name: str) -> Path:
    (path,) = out.rglob(name)
    return path


def test_fund_allocation_notice(sample_out: Path) -> None:
    text = pdf_text(find(sample_out, "N-2021-F01.pdf"))
    assert "青山县2021年衔接推进乡村振兴补助资金分配结果公告" in text
    assert "5,400,000.00" in text and "中央衔接资金" in text
    assert "8,200,000.00" in text  # Σ approved budgets of the fund's projects
    assert "68.29%" in text  # industry 5,600,000 / 8,200,000
    assert "自2021年3月10日起长期公开" in text
    assert "12317" in text and "0379-6655123" in text
    assert "第 1 页 / 共 2 页" in text


def test_project_plan_notice(sample_out: Path) -> None:
    text = pdf_text(find(sample_out, "N-2021-P001-V.pdf"))
    assert "关于青山村2021年肉牛养殖圈舍建设项目的公示" in text
    assert "1,200,000.00" in text and "壹佰贰拾万元整" in text
    assert "2021年1月11日至2021年1月20日（共10天）" in text
    assert "带动脱贫户32户户均年增收1500元" in text
    assert "青山村村民委员会" in text
    assert "第 1 页 / 共 1 页" in text
    # posted in January, before the March tender: no contractor printed from the future
    assert "宏达" not in text and "中标" not in text
    sign = pdf_text(find(sample_out, "N-2021-S001.pdf"))
    assert "青山县宏达建筑工程有限公司" in sign  # the site sign went up after the tender


def test_project_result_and_site_sign(sample_out: Path) -> None:
    text = pdf_text(find(sample_out, "N-2021-R001-V.pdf"))
    assert "1,176,500.00" in text and "壹佰壹拾柒万陆仟伍佰元整" in text
    # as of the notice (2021-11-06) only the progress payment was made; final on 11-21
    assert "已列支财政资金 413,000.00 元（大写：肆拾壹万叁仟元整）（截至2021年11月6日）" in text
    assert "青乡振验〔2021〕21号" in text
    sign = pdf_text(find(sample_out, "N-2021-S001.pdf"))
    assert "公示牌" in sign and "1,200,000.00" in sign


def test_income_notices_from_the_asset_register(sample_out: Path, sample_secret: bytes) -> None:
    plan = pdf_text(find(sample_out, "N-2022-IP01.pdf"))
    assert "98,000.00" in plan and "玖万捌仟元整" in plan
    assert "50.00%" in plan and "49,000.00" in plan
    result = pdf_text(find(sample_out, "N-2022-IR01.pdf"))
    slips = pdf_text(find(sample_out, "N-2022-IR01-明白卡.pdf"))
    code = check_code(sample_secret, "N-2022-IR01", "H-SQ-001")
    assert code in result and code in slips  # the family finds its line by the slip's code
    assert "11,760.00" in result  # 石桥村 collective line


def test_sample_notices_carry_no_personal_numbers(sample_out: Path) -> None:
    """The sample register holds full ID numbers, phones and accounts: none reaches a notice."""
    register = (Path(__file__).parents[2] / "ledger/register/households.csv").read_text()
    assert FULL_ID.search(register) and MOBILE.search(register)
    files = list(sample_out.rglob("*.html")) + list(sample_out.rglob("*.pdf"))
    assert len(files) > 40
    for path in files:
        text = path.read_text(encoding="utf-8") if path.suffix == ".html" else pdf_text(path)
        assert not FULL_ID.search(text), path
        assert not MOBILE.search(text), path


def test_index_lists_every_notice_with_its_period(sample_out: Path) -> None:
    index = (sample_out / "index.html").read_text(encoding="utf-8")
    assert "N-2021-P001-V" in index and "2021年1月11日 至 2021年1月20日" in index
    assert "明白卡" in index
    assert index.count("<tr>") >= 45


# -- a household-level project, a register with full numbers ------------------------------


def _id(prefix: str) -> str:
    return prefix + id_check_digit(prefix)


LEDGER = """\
option "operating_currency" "CNY"
plugin "fupin.plugins"

2021-01-01 custom "household-register" "register/households.csv"
{policy}
2021-01-01 custom "fund" "XJ-2021"
  name: "2021年衔接推进乡村振兴补助资金"
  family: "xianjie"
  alloc_doc: "青财农〔2021〕3号"

2021-01-01 open Assets:Treasury:XJ-2021 CNY
2021-01-01 open Income:Fund:XJ-2021:Central CNY
  name: "中央衔接资金"
2021-01-01 open Expenses:Industry:Award CNY
  name: "产业发展-到户产业奖补"

2021-01-05 * "青山县财政局" "资金下达"
  Assets:Treasury:XJ-2021  3000.00 CNY
  Income:Fund:XJ-2021:Central

2021-01-09 custom "project" "P-2021-010"
  name: "青山村到户产业奖补项目"
  category: "Industry"
  township: "城关镇"
  village: "青山村"
  year: 2021
  budget: 3000.00 CNY
  implementer: "城关镇人民政府"
  fund: "XJ-2021"
  targets: "奖补脱贫户2户发展养殖"
  {content}beneficiaries: "脱贫户2户"
  period: "2021-03 至 2021-06"

2021-01-09 custom "project-stage" "P-2021-010" "proposed"
2021-02-02 custom "project-stage" "P-2021-010" "in_library"
2021-03-02 custom "project-stage" "P-2021-010" "approved"

2021-04-01 * "城关镇财政所" "到户产业奖补"
  project: "P-2021-010"
  Expenses:Industry:Award  1200.00 CNY
    household: "H-QS-001"
  Expenses:Industry:Award  1800.00 CNY
    household: "H-QS-002"
  Assets:Treasury:XJ-2021

2021-01-11 custom "notice" "N-2021-P010-V"
  type: "project_plan"
  level: "village"
  subject: "P-2021-010"
  channel: "board"
  start: 2021-01-11
  end: 2021-01-20

2021-04-05 custom "notice" "N-2021-B010"
  type: "beneficiaries"
  level: "village"
  subject: "P-2021-010"
  channel: "board"
  start: 2021-04-05
  end: 2021-04-14
  {title}
"""

HOUSEHOLDS = """\
id,township,village,group,head_name,id_number,phone,bank_account
H-QS-001,城关镇,青山村,3组,钱豪,{id1},18261973069,6228832886325208846
H-QS-002,城关镇,青山村,5组,丁国,{id2},13177777868,6228703351943153700
"""


def write_ledger(
    tmp_path: Path,
    *,
    content: bool = True,
    show_id: bool = False,
    title: str = "",
    secret: bool = True,
) -> Path:
    folder = tmp_path / "register"
    folder.mkdir()
    id1, id2 = _id("41052219770624013"), _id("41052219670727677")
    (folder / "households.csv").write_text(HOUSEHOLDS.format(id1=id1, id2=id2), encoding="utf-8")
    if secret:
        (folder / "notice-secret.key").write_text("test-county-secret-0123456789abcdef")
    policy = '2021-01-01 custom "policy" "notice-show-masked-id" TRUE\n' if show_id else ""
    text = LEDGER.format(
        policy=policy,
        content='content: "奖补到户"\n  ' if content else "",
        title=f'title: "{title}"' if title else "",
    )
    path = tmp_path / "main.beancount"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_beneficiary_list_names_from_register_without_numbers(tmp_path: Path) -> None:
    ledger = write_ledger(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["notices", str(ledger), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = find(out, "N-2021-B010.html").read_text(encoding="utf-8")
    text = pdf_text(find(out, "N-2021-B010.pdf"))
    for body in (html, text):
        assert "钱豪" in body and "3组" in body and "1,200.00" in body and "1,800.00" in body
        assert not FULL_ID.search(body) and not MOBILE.search(body)
        assert "6228832886325208846" not in body and "410522" not in body
    assert "3,000.00" in text and "叁仟元整" in text.replace("\n", "")
    slips = pdf_text(find(out, "N-2021-B010-明白卡.pdf"))
    secret = b"test-county-secret-0123456789abcdef"
    for hid in ("H-QS-001", "H-QS-002"):
        code = check_code(secret, "N-2021-B010", hid)
        assert code in text and code in slips


def test_masked_id_column_when_the_county_asks(tmp_path: Path) -> None:
    ledger = write_ledger(tmp_path, show_id=True)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["notices", str(ledger), "--out", str(out), "--mask-names"])
    assert result.exit_code == 0, result.output
    text = pdf_text(find(out, "N-2021-B010.pdf"))
    masked = _id("41052219770624013")[:6] + "********" + _id("41052219770624013")[-4:]
    assert masked in text
    assert not FULL_ID.search(text)
    assert "钱*" in text and "钱豪" not in text


def test_missing_mandatory_field_names_entity_and_field_and_writes_nothing(
    tmp_path: Path,
) -> None:
    ledger = write_ledger(tmp_path, content=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "notices",
            str(ledger),
            "--out",
            str(out),
            "--kind",
            "project_plan",
            "--kind",
            "fund_allocation",
        ],
    )
    assert result.exit_code == 1
    assert "project P-2021-010: content (建设内容) 缺失" in result.output
    assert not out.exists()


def test_privacy_lint_stops_the_run(tmp_path: Path) -> None:
    """A phone typed into a notice title is caught by the lint; nothing is written."""
    ledger = write_ledger(tmp_path, title="青山村到户奖补名单(咨询13812345678)")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["notices", str(ledger), "--out", str(out)])
    assert result.exit_code == 1
    assert "privacy lint failed" in result.output and "手机号" in result.output
    assert "13812345678" not in result.output
    assert not out.exists()


def test_no_secret_no_recipient_list(tmp_path: Path) -> None:
    ledger = write_ledger(tmp_path, secret=False)
    result = CliRunner().invoke(main, ["notices", str(ledger), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and "secret" in result.output
