"""References, duplicates, vocabularies, ranges, currencies and personal data (issue 12)."""

from __future__ import annotations

import datetime
import importlib.util
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core.amount import Amount
from click.testing import CliRunner
from fupin.plugins.personal_data import _ASCII_CHAIN, _CHAIN, _DIGEST, TextScanner

from fupin import pii
from fupin.cli import main
from fupin.entities import Project
from fupin.load import load
from fupin.messages_zh import describe, explain

ROOT = Path(__file__).resolve().parents[2]
HEADER_LINES = 'option "operating_currency" "CNY"\nplugin "fupin.plugins"\n'  # conftest's

BOOKS = """
2021-01-01 open Assets:Treasury:XJ-2021 CNY
2021-01-01 open Assets:Prepayment:XJ-2021 CNY
2021-01-01 open Income:Fund:XJ-2021:Central CNY
2021-01-01 open Expenses:Industry:Planting CNY
2021-01-01 custom "fund" "XJ-2021"
  name: "2021年衔接资金"
  family: "xianjie"
2021-01-05 * "县财政局" "资金下达"
  Assets:Treasury:XJ-2021  1000000.00 CNY
  Income:Fund:XJ-2021:Central
2021-01-10 custom "project" "P-1"
  name: "青山村大棚"
  category: "Industry"
  township: "城关镇"
  village: "青山村"
  year: 2021
  budget: 500000.00 CNY
  implementer: "青山村股份经济合作社"
  targets: "带动脱贫户20户"
  linkage: "务工"
  beneficiaries: "脱贫户20户"
2021-02-01 custom "project-stage" "P-1" "approved"
"""


def findings(write_ledger, text: str) -> list[dict]:
    path = write_ledger(BOOKS + text)
    result = CliRunner().invoke(main, ["check", str(path), "--json"])
    assert result.exit_code in (0, 1), result.output
    return [
        f for f in json.loads(result.output) if f["rule"] in ("ENTITY", "LEDGER", "POLICY", "PII")
    ]


def at(rows: list[dict], line: int) -> list[str]:
    return [f["message"] for f in rows if f["line"] == line]


def test_a_dangling_reference_is_an_error_at_the_referring_entry(write_ledger) -> None:
    rows = findings(
        write_ledger,
        """
2021-03-01 custom "project" "P-2"
  name: "河湾村道路"
  category: "Industry"
  township: "城关镇"
  village: "河湾村"
  year: 2021
  budget: 100000.00 CNY
  implementer: "城关镇人民政府"
  fund: "XJ-2099"
2021-04-01 * "施工方" "进度款"
  project: "P-9"
  contract: "HT-404"
  Expenses:Industry:Planting  1000.00 CNY
  Assets:Treasury:XJ-2021
""",
    )
    (project,) = at(rows, 26)
    assert project == (
        "ENTITY error: 项目 P-2: fund = 'XJ-2099': 未定义的资金 'XJ-2099' (是否应为 'XJ-2021'?)"
    )
    payment = at(rows, 35)
    assert "LEDGER error: project = 'P-9': 未定义的项目 'P-9' (是否应为 'P-2' 或 'P-1'?)" in payment
    assert "LEDGER error: contract = 'HT-404': 未定义的合同 'HT-404'" in payment


def test_a_second_definition_is_an_error_naming_the_first_and_the_first_wins(
    write_ledger,
) -> None:
    path = write_ledger(
        BOOKS
        + """
2021-03-01 custom "project" "P-1"
  name: "青山村大棚 (改)"
  category: "Industry"
  township: "城关镇"
  village: "青山村"
  year: 2021
  budget: 9999999.00 CNY
  implementer: "青山村股份经济合作社"
"""
    )
    loaded = load(path)
    (error,) = [f for f in loaded.results.findings if f.rule == "ENTITY"]
    assert error.source["lineno"] == 26
    assert f"{path}:13" in error.message and "重复定义" in error.message
    assert loaded.book.by_id(Project)["P-1"].budget == Decimal("500000.00")


def test_coded_values_have_a_did_you_mean_and_ranges_what_rules_compute(write_ledger) -> None:
    rows = findings(
        write_ledger,
        """
2021-03-01 * "施工方" "预拨"
  project: "P-1"
  payment: "finall"
  period: "2021-13"
  year: "last year"
  Assets:Prepayment:XJ-2021  1000.00 CNY
  Assets:Treasury:XJ-2021
2021-03-02 custom "fund" "XJ-2022"
  name: ""
  family: "xianjei"
  year: -1
""",
    )
    payment = at(rows, 26)
    assert (
        "LEDGER error: payment = 'finall': 应为 prepayment、progress、final、deposit 之一 (是否应为 'final'?)"
        in payment
    )
    assert any(m.startswith("LEDGER error: period = '2021-13'") for m in payment)
    assert any(m.startswith("LEDGER error: year = 'last year': 应为整数") for m in payment)
    (fund,) = at(rows, 33)
    assert "name = '': 不能为空" in fund
    assert "family = 'xianjei'" in fund and "(是否应为 'xianjie'?)" in fund
    assert "year = -1: 应 ≥ 1980" in fund


def test_cross_field_order_and_budgets(write_ledger) -> None:
    rows = findings(
        write_ledger,
        """
2021-03-01 custom "notice" "N-1"
  type: "project_plan"
  level: "village"
  subject: "P-1"
  start: 2021-03-01
  end: 2021-02-20
2021-03-05 custom "project-stage" "P-1" "procured"
  contract_amount: 4000000.00 CNY
  contractor: "某公司"
""",
    )
    assert at(rows, 26) == ["ENTITY error: 公示公告 N-1: end: 2021-02-20 早于 start 2021-03-01"]
    (over,) = at(rows, 32)
    assert "contract_amount: 合同金额 4,000,000.00 > 批复预算 500,000.00 CNY (budget)" in over


def test_every_amount_is_in_the_operating_currency(write_ledger) -> None:
    rows = findings(
        write_ledger,
        """
2021-03-01 custom "policy" "tender-threshold" 400000.00 USD
2021-03-02 custom "project-stage" "P-1" "in_progress"
  settlement: 100.00 USD
2021-03-03 open Assets:Cash:Usd USD
2021-03-04 * "x" "外币"
  self_paid: 10.00 USD
  Expenses:Other:Misc  10.00 USD
  Assets:Cash:Petty  -10.00 USD
2021-01-01 open Expenses:Other:Misc
2021-01-01 open Assets:Cash:Petty
""",
    )
    assert at(rows, 26) == [
        "POLICY error: tender-threshold = 400000.00 USD: 币种 USD 不是记账本位币 CNY (operating_currency)"
    ]
    assert at(rows, 27) == [
        "ENTITY error: 项目阶段 P-1: settlement = 100.00 USD: 币种 USD 不是记账本位币 CNY "
        "(operating_currency)"
    ]
    assert any("限定币种 USD" in m for m in at(rows, 29))
    txn = at(rows, 30)
    assert sum("Expenses:Other:Misc 的 金额币种 USD" in m for m in txn) == 1  # (an account
    # opened for CNY alone gets Beancount's own "Invalid currency USD for account" instead)
    assert any(m.startswith("LEDGER error: self_paid = 10.00 USD") for m in txn)


def test_a_bad_policy_value_is_an_error_and_never_switches_a_rule_off(write_ledger) -> None:
    path = write_ledger(
        BOOKS
        + """
2021-01-01 custom "policy" "spend-min-stage" "aproved"
2021-01-01 custom "policy" "idle-warn-months" 13
2021-01-01 custom "policy" "fiscal-families" "xianjie xianjei"
2021-01-02 custom "policy" "mgmt-fee-max" 0.02
2021-01-02 custom "policy" "mgmt-fee-max" 0.03
2021-01-20 * "施工方" "批复前预拨"
  project: "P-1"
  Assets:Prepayment:XJ-2021  1000.00 CNY
  Assets:Treasury:XJ-2021
"""
    )
    loaded = load(path)
    messages = {f.source["lineno"]: f.message for f in loaded.results.findings}
    assert messages[26].startswith("POLICY error: spend-min-stage = aproved: 应为 proposed、")
    assert "(是否应为 'approved'" in messages[26]
    assert messages[27] == (
        "POLICY error: idle-warn-months 13 > idle-error-months 12: idle-warn-months 应 ≤ "
        "idle-error-months"
    )
    assert "第 2 项 'xianjei'" in messages[28] and "(是否应为 'xianjie'?)" in messages[28]
    assert messages[30].startswith("POLICY error: mgmt-fee-max: 同一天第二次设定")
    assert f"{path}:29" in messages[30]
    assert loaded.book.policy.at(datetime.date(2021, 6, 1)).mgmt_fee_max == Decimal("0.02")
    rules = {f.rule for f in loaded.results.findings}
    assert "B33" in rules  # the gate still runs with the default stage
    assert not [f for f in loaded.results.findings if "internal error" in f.message]


def test_personal_numbers_in_the_ledger_fail_check_without_being_echoed(write_ledger) -> None:
    path = write_ledger(
        BOOKS
        + """
2021-01-01 open Assets:Bank:P13800138000 CNY
2021-03-01 * "张三 110101199003071234" "补助 联系电话 138 0013 8000"
  contact: "卡号 6222021234567890123"
  Expenses:Industry:Planting  10.00 CNY
    basis: "手机+86 139-0013-9000"
  Assets:Treasury:XJ-2021
2021-03-02 custom "policy" "notice-phones" "乡村振兴局 13800138000"
2021-03-03 * "x" "y"
  phones: "13800138000"
  Expenses:Industry:Planting  1.00 CNY
  Assets:Treasury:XJ-2021
"""
    )
    result = CliRunner().invoke(main, ["check", str(path), "--json"])
    assert result.exit_code == 1
    rows = [f for f in json.loads(result.output) if f["rule"] == "PII"]
    assert {(f["line"], f["policy_key"]) for f in rows} == {
        (26, "account"),
        (27, "payee"),
        (27, "narration"),
        (27, "contact"),
        (27, "Expenses:Industry:Planting 的 basis"),
        (33, "phones"),  # public phones only in the policy keys and a notice's own field
    }
    text = result.output
    for number in ("13800138000", "110101199003071234", "6222021234567890123", "13900139000"):
        assert number not in text.replace(" ", "").replace("-", "")[: text.find("notice-phones")]
    assert "PII error: 账簿中出现身份证号 (payee; 号码不予显示)" in text


#: the issue's own examples, one entry each: (the entry's first line, what its error says)
EXAMPLES = (
    ('custom "notice" "N-1"', "channel = 'carrier-pigeon': 应为 board、website、wechat、broadcast"),
    ('custom "notice" "N-2"', "start: 1900-01-01 与记录日期 2021-03-01 相差超过一年"),
    ('custom "project" "P-2"', "village = '': 不能为空; budget = 0.00 CNY: 应 > 0"),
    ('custom "project" "P-3"', "budget = 300000.00 USD: 币种 USD 不是记账本位币 CNY"),
    ('custom "contract" "HT-1"', "project = 'P-404': 未定义的项目 'P-404'"),
    ('custom "contract" "HT-2"', "amount: 合同金额 4,000,000.00 > 批复预算 500,000.00 CNY"),
    ('custom "asset-event" "A-1"', "date: 资产变动日期 2021-04-01 早于资产登记日期 2021-05-01"),
    ('* "合作社" "租金"', "asset = 'A-404': 未定义的扶贫资产 'A-404'"),
    ('custom "income-plan" "IP-1"', "income_to: 2021-05-31 早于 income_from 2021-06-01"),
    ('custom "fund" "XJ-2021"\n  name: "2021年衔接资金 (重复)"', "重复定义 (已在 "),
    ('custom "projct" "P-4"', "custom \"projct\": 未知的记录类型 (是否应为 'project'?)"),
    ('* "施工方" "远期"', "date 2999-01-05: 记录日期应在 1980–2100 年之间"),
)


def test_the_issues_examples_are_each_an_error_at_their_entry_naming_the_field(
    write_ledger,
) -> None:
    text = (
        BOOKS
        + """
2021-03-01 custom "notice" "N-1"
  type: "project_plan"
  level: "village"
  subject: "P-1"
  channel: "carrier-pigeon"
  start: 2021-03-01
2021-03-01 custom "notice" "N-2"
  type: "project_plan"
  level: "village"
  subject: "P-1"
  start: 1900-01-01
2021-03-02 custom "project" "P-2"
  name: "河湾村道路"
  category: "Infrastructure"
  township: "城关镇"
  village: ""
  year: 2021
  budget: 0.00 CNY
  implementer: "城关镇人民政府"
2021-03-03 custom "project" "P-3"
  name: "河湾村桥"
  category: "Infrastructure"
  township: "城关镇"
  village: "河湾村"
  year: 2021
  budget: 300000.00 USD
  implementer: "城关镇人民政府"
2021-03-04 custom "contract" "HT-1"
  project: "P-404"
  vendor: "某公司"
  amount: 1000.00 CNY
2021-03-05 custom "contract" "HT-2"
  project: "P-1"
  vendor: "某公司"
  amount: 4000000.00 CNY
2021-05-01 custom "asset" "A-1"
  name: "青山村大棚"
  class: "operating"
  form: "fixed"
  projects: "P-1=500000.00"
  township: "城关镇"
  village: "青山村"
  quantity: 1
  unit: "座"
  funding: "Central=500000.00"
2021-04-01 custom "asset-event" "A-1" "disposal"
  approval: "城关镇人民政府"
  resolution: "村民代表大会"
  reason: "报废"
2021-06-01 * "合作社" "租金"
  asset: "A-404"
  Assets:Treasury:XJ-2021  1000.00 CNY
  Income:Fund:XJ-2021:Central
2021-06-03 custom "income-plan" "IP-1"
  asset: "A-1"
  amount: 1000.00 CNY
  shares: "PublicPost=50% Award=20% PublicWelfare=20% Collective=10%"
  income_from: 2021-06-01
  income_to: 2021-05-31
2021-06-02 custom "fund" "XJ-2021"
  name: "2021年衔接资金 (重复)"
  family: "xianjie"
2021-06-04 custom "projct" "P-4"
  name: "河湾村水渠"
2021-06-05 custom "county-plan" "CP-1"
  note: "县里自己的记录类型 (不在约定之内, 不报错)"
2999-01-05 * "施工方" "远期"
  Expenses:Industry:Planting  1.00 CNY
  Assets:Treasury:XJ-2021
"""
    )
    rows = findings(write_ledger, text[len(BOOKS) :])
    lines = (HEADER_LINES + text.lstrip("\n")).split("\n")  # as write_ledger writes it
    for first, said in EXAMPLES:
        head = first.split("\n")[0]
        found = [n for n, line in enumerate(lines, 1) if head in line]
        line = found[-1] if "重复" in first else found[0]
        assert any(said in m for m in at(rows, line)), (first, at(rows, line))
    assert len(rows) == len(EXAMPLES)  # nothing else, and nothing twice


def test_a_ledger_with_personal_numbers_or_dangling_references_cannot_be_sealed(
    write_ledger,
) -> None:
    txn = """
2021-03-01 * "施工方" "进度款"
  project: "P-1"
  Expenses:Industry:Planting  10.00 CNY
  Assets:Treasury:XJ-2021
"""
    seal = ["seal", "--through", "2021-03", "--date", "2021-04-10"]
    for wrong, rule in (
        ('"进度款 联系电话 138 0013 8000"', "PII error"),
        ('"进度款"\n  contract: "HT-404"', "LEDGER error: contract = 'HT-404'"),
    ):
        path = write_ledger(BOOKS + txn.replace('"进度款"', wrong, 1))
        result = CliRunner().invoke(main, [seal[0], str(path), *seal[1:]])
        assert result.exit_code == 1 and "不能封存" in result.output, result.output
        assert rule in result.output and "13800138000" not in result.output.replace(" ", "")
        assert not (path.parent / "seals.beancount").exists()
    path = write_ledger(BOOKS + txn)  # the same books without them: sealed
    result = CliRunner().invoke(main, [seal[0], str(path), *seal[1:]])
    assert result.exit_code == 0, result.output
    assert "已封存 2021-03" in result.output


def test_the_sample_ledgers_hold_no_personal_number_and_no_dangling_reference() -> None:
    for main_file in ("main.beancount", "audit-sample/main.beancount"):
        loaded = load(ROOT / "ledger" / main_file)
        assert not [f for f in loaded.results.findings if f.rule in ("PII", "LEDGER", "ENTITY")]


def test_pydantic_messages_read_in_chinese_keeping_the_field_names() -> None:
    assert describe({"type": "missing", "loc": ("budget",), "msg": "Field required"}) == (
        "budget: 缺少必填字段"
    )
    assert (
        explain({"type": "less_than_equal", "loc": ("x",), "msg": "…", "ctx": {"le": Decimal(1)}})
        == "应 ≤ 1"
    )
    assert (
        describe(
            {"type": "extra_forbidden", "loc": ("implementor",), "msg": "…", "input": "x"},
            ["implementer", "name"],
        )
        == "implementor: 未知字段 (是否应为 'implementer'?)"
    )
    masked = describe({"type": "value_error", "loc": ("holder",), "msg": "…",
                       "input": "户主 13800138000", "ctx": {"error": "不对"}})  # fmt: skip
    assert "13800138000" not in masked and "<手机号已隐去>" in masked


def _pii_corpus() -> Any:
    """The detector's own corpus of personal numbers and of texts that hold none."""
    spec = importlib.util.spec_from_file_location("pii_corpus", ROOT / "tests/core/test_pii.py")
    assert spec is not None and spec.loader is not None
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    return corpus


def test_the_prefilter_lets_every_personal_number_through_to_the_detector() -> None:
    corpus = _pii_corpus()
    for text, _kind, _number in corpus.positives():
        chain = _ASCII_CHAIN if text.isascii() else _CHAIN
        assert chain.search(text), text


def test_the_scanner_flags_exactly_what_the_detector_flags_text_by_text() -> None:
    """Every shortcut of :meth:`TextScanner.suspects` (texts sorted by kind, too few digits,
    candidate runs) keeps each text the detector, asked about every text alone, flags."""
    corpus = _pii_corpus()
    positives = [text for text, _kind, _number in corpus.positives()]
    texts = [
        *positives,
        *corpus.negatives(),
        "sha256:" + "13800138000" * 6,  # a digest is no one's number
        "GW-2021-01-00722",  # 11 digits, no chain
        "tel 13800138000",  # 11 digits in all, in ASCII and in other text
        "联系电话13800138000",
    ]
    numbers = [
        Decimal("13800138000"),
        Decimal("6222021234567890128"),
        Decimal("1380013800.5"),
        Decimal("62220212345678901280000000000000"),  # digits only, yet a number: read
    ]
    written = [*(f"{n:f}" for n in numbers), "13912345678"]  # numbers: no digest
    amount = Amount(Decimal("13912345678"), "CNY")
    joined = [f"户主\n{text}" for text in positives[:5]]  # the join's separator in a text
    for group in ([t for t in texts if "\n" not in t], [*texts, *joined]):
        scanner = TextScanner()
        scanner.values = {*group, *numbers, amount, None, 7}
        found = scanner.suspects()
        expected = {t for t in group if not _DIGEST.match(t) and pii.find(t)}
        expected.update(t for t in written if pii.find(t))
        assert found and {k for k in scanner.bad if type(k) is str} == expected
        assert len(expected) >= len(positives) // 2


def test_the_import_check_reads_only_the_new_transactions_texts() -> None:
    """With the text scope the post-import check sets, a personal number in a new
    transaction is found and one in an old transaction (reported at load) is not read."""
    from beancount import loader
    from fupin.plugins import evaluate
    from fupin.plugins.integrity import TEXT_SCOPE

    from fupin.book import build_book

    text = """
option "operating_currency" "CNY"
2021-01-01 open Assets:Treasury:XJ-2021 CNY
2021-01-01 open Expenses:Other CNY
2021-02-01 * "旧记录 13800138000"
  Expenses:Other  1.00 CNY
  Assets:Treasury:XJ-2021
2021-03-01 * "新记录 13900139000"
  Expenses:Other  2.00 CNY
  Assets:Treasury:XJ-2021
"""
    entries, errors, options = loader.load_string(text)
    assert not errors
    old, new = [e for e in entries if type(e).__name__ == "Transaction"]

    def pii_lines(scope: frozenset[int] | None) -> list[int]:
        book = build_book(entries, options)
        if scope is not None:
            book.shared(TEXT_SCOPE, lambda: scope)
        found = evaluate(book, keep_measures=False).findings
        return sorted(f.source["lineno"] for f in found if f.rule == "PII")

    assert pii_lines(None) == [old.meta["lineno"], new.meta["lineno"]]
    assert pii_lines(frozenset({id(new)})) == [new.meta["lineno"]]


def test_an_amount_below_the_fen_is_an_error_wherever_it_is_written(write_ledger) -> None:
    """No bank pays 0.004 yuan: a posting, a metadata amount, a balance, an entity's amount
    and a policy amount with a digit below the fen are each an error at their line (the
    export to decimal(18,2) refuses them too); 1000.500 is 1000.50 and passes, and the
    posting Beancount fills in is not reported twice."""
    text = """
2021-03-01 * "施工方" "进度款"
  project: "P-1"
  invoice_amount: 1000.005 CNY
  Expenses:Industry:Planting  1000.004 CNY
  Assets:Treasury:XJ-2021
2021-03-02 * "施工方" "进度款"
  project: "P-1"
  Expenses:Industry:Planting  1000.500 CNY
  Assets:Treasury:XJ-2021  -1000.50 CNY
2021-03-03 balance Assets:Treasury:XJ-2021  997999.496 CNY
2021-03-04 custom "policy" "medical-premium" 320.005
2021-03-05 custom "project" "P-2"
  name: "河湾村道路"
  category: "Industry"
  township: "城关镇"
  village: "河湾村"
  year: 2021
  budget: 100000.005 CNY
  implementer: "城关镇人民政府"
"""
    rows = findings(write_ledger, text)
    fen = "小数位数过多 (最多 2 位"
    assert sorted(at(rows, 26)) == [
        f"LEDGER error: Expenses:Industry:Planting 的金额 1000.004 CNY: {fen}, 金额以分为最小单位)",
        f"LEDGER error: invoice_amount = 1000.005 CNY: {fen}, 金额以分为最小单位)",
    ]
    assert at(rows, 31) == []
    assert at(rows, 35) == [
        f"LEDGER error: 余额断言 Assets:Treasury:XJ-2021 997999.496 CNY: {fen}, 金额以分为最小单位)"
    ]
    assert at(rows, 36) == [f"POLICY error: medical-premium = 320.005: {fen})"]
    (budget,) = at(rows, 37)
    assert budget.startswith("ENTITY error: 项目 P-2: budget = 100000.005 CNY") and fen in budget
    assert len([f for f in rows if fen in f["message"]]) == 5

    # a plain bean-check with the plugin reports them the same
    from beancount import loader

    _, errors, _ = loader.load_file(str(write_ledger(BOOKS + text)))
    assert len([e for e in errors if fen in e.message]) == 5


def test_finer_than_fen_reads_the_digits() -> None:
    from fupin.money import finer_than_fen

    fine = ["0.005", "-518000.004", "1.0001", "1E-3"]
    whole = ["1.500", "1600000.00", "1E+30", "0.001E+1", "12.3456E+2", "5", "-0.00"]
    assert [finer_than_fen(Decimal(v)) for v in fine] == [True] * len(fine)
    assert [finer_than_fen(Decimal(v)) for v in whole] == [False] * len(whole)
    assert not finer_than_fen(None)


def test_the_scanner_flags_the_notice_lints_forms_as_the_detector_does() -> None:
    """The forms the notice lint learnt (bars, 顿号, tildes, circled and mixed Chinese digits,
    mistyped cards) and the texts it must let through: the ledger's PII scan, with all its
    shortcuts, flags exactly the texts the detector flags, alone or in a sentence."""
    spec = importlib.util.spec_from_file_location(
        "privacy_forms", ROOT / "tests/notices/test_privacy_forms.py"
    )
    assert spec is not None and spec.loader is not None
    forms = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(forms)
    typed = [text for text, _kind, _number in forms.FORMS]
    texts = [*typed, *(f"户主钱豪{t}号" for t in typed), *forms.NOT_NUMBERS]
    scanner = TextScanner()
    scanner.values = set(texts)
    scanner.suspects()
    expected = {t for t in texts if pii.find(t)}
    assert {k for k in scanner.bad if type(k) is str} == expected
    assert expected == {*typed, *(f"户主钱豪{t}号" for t in typed)}


def test_bean_check_names_personal_data_without_echoing_it() -> None:
    """``bean-check`` prints the entry under each error: a PII error ("号码不予显示") reaches
    it without its entry, so the number is not printed after all; ``fupin check`` keeps the
    finding's entry for its own pages (the Fava time filter dates it)."""
    import subprocess
    import sys
    from pathlib import Path

    from fupin.load import load

    scenario = (
        Path(__file__).resolve().parents[1] / "scenarios" / "PII" / "mobile-in-narration.beancount"
    )
    bean_check = Path(sys.executable).with_name("bean-check")
    done = subprocess.run([str(bean_check), str(scenario)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "PII error: 账簿中出现手机号" in done.stderr + done.stdout
    assert "138 0013 8000" not in done.stderr + done.stdout
    [pii] = [f for f in load(scenario).results.findings if f.rule == "PII"]
    assert pii.entry is not None and pii.entry.date.isoformat() == "2021-03-01"
