"""A health word beside a register name in a notice that lists no households (a project's
受益对象 or 建设内容, an income plan's 民主决策, a title) is refused; a health word with no
name beside it, or beside what only looks like a name, still prints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fupin.reports.notice_privacy import NEAR_LABEL, NameGuard, PrivacyHit, lint_html

TERMS = ("慢性病", "重病", "残疾", "因病", "大病")
NAMES = ("钱豪", "陈一", "丁国", "石桥", "陈", "孟金")


def guard() -> NameGuard:
    return NameGuard(NAMES, {"N-1": TERMS}, default=TERMS, places=("石桥镇", "石桥村"))


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("脱贫户32户, 含钱豪(重病户)", ["重病"]),
        ("受益户: 钱豪 慢性病", ["慢性病"]),
        ("受益户：钱 豪，慢性病", ["慢性病"]),  # a space inside the name, a comma between
        ("钱豪、丁国、孟金等3户均为因病致贫户", ["因病"]),  # the name far from the word
        ("照顾因病致贫户孟金", ["因病"]),
        ("陈一(大病)", ["大病"]),  # a two-character name
        ("新建大棚20座。受益户钱豪为残疾人家庭", ["残疾"]),
    ],
)
def test_a_term_beside_a_name_is_found(text: str, terms: list[str]) -> None:
    assert guard().beside(text, TERMS) == terms


@pytest.mark.parametrize(
    "text",
    [
        "残疾人就业帮扶车间建设项目",  # a health word with no name
        "慢性病救助资金",
        "公示名单只写户主姓名和村民小组, 不写病情和家庭困难原因",
        "受益户: 钱豪、丁国。另设残疾人康复室一处",  # names and the word in two sentences
        "受益户：钱豪；慢性病患者由乡镇另行登记",
        "陈列残疾人辅具",  # a one-character name is no name: 陈 alone
        "石桥村残疾人就业帮扶车间",  # a person 石桥 inside the village's name
        "石桥镇慢性病救助",
    ],
)
def test_no_name_beside_the_term_passes(text: str) -> None:
    assert guard().beside(text, TERMS) == []


def test_final_bytes_cell_by_cell() -> None:
    """A name in one cell and a health word in the next are two texts; in one cell, a hit
    that names the term and never the name."""
    apart = "<tr><th>受益对象</th><td>钱豪</td><td>残疾人就业帮扶</td></tr>"
    assert lint_html("N-1", "x.html", apart, guard=guard()) == []
    together = "<tr><th>受益对象</th><td>钱豪(重病户)</td></tr>"
    (hit,) = lint_html("N-1", "x.html", together, guard=guard())
    assert hit == PrivacyHit("N-1", NEAR_LABEL, "x.html", "重病")
    assert "钱豪" not in str(hit)


def test_without_a_register_nothing_is_matched() -> None:
    assert NameGuard((), {}, default=TERMS).beside("钱豪(重病户)", TERMS) == []


NON_LISTS = ("project_plan", "project_result", "site_sign", "income_plan", "fund_allocation")


def test_names_with_health_words_in_non_list_notices_publish_nothing(
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
) -> None:
    """The probe: register names (钱豪, 丁国, 孟金, 文志 of the sample) typed with a health word
    into fields that project, allocation and income-plan notices print."""
    ledger = planted(
        keyed_county,
        tmp_path,
        [
            (
                "xianjie-2021.beancount",
                'beneficiaries: "脱贫户32户、监测户5户"',
                'beneficiaries: "脱贫户32户、监测户5户, 含钱豪(重病户)"',
            ),
            (
                "xianjie-2021.beancount",
                'content: "新建日光温室20座及配套水肥一体化设施"',
                'content: "新建日光温室20座及配套水肥一体化设施; 受益户: 丁国 慢性病"',
            ),
            (
                "assets.beancount",
                'decision: "石桥、杨庄、北坡三村两委会议及村民代表大会 2022-07-03"',
                'decision: "石桥、杨庄、北坡三村两委会议及村民代表大会 2022-07-03, 照顾因病致贫户孟金"',
            ),
            (
                "assets.beancount",
                'title: "石桥镇联村光伏电站收益分配方案公示"',
                'title: "石桥镇联村光伏电站收益分配方案公示(含残疾户文志)"',
            ),
        ],
    )
    out = tmp_path / "out"
    code, output = run_notices(ledger, out, *NON_LISTS)
    assert code == 1, output
    assert not out.exists()
    assert "nothing published" in output
    for line in (
        f"公示 N-2021-P001-V: {NEAR_LABEL}「重病」 in project P-2021-001 受益对象 "
        "(body.project.beneficiaries)",
        f"公示 N-2021-S002: {NEAR_LABEL}「慢性病」 in project P-2021-002 建设内容 "
        "(body.project.content)",
        f"公示 N-2021-F01: {NEAR_LABEL}「慢性病」 in 建设内容 (body.rows[1].content)",
        f"公示 N-2022-IP01: {NEAR_LABEL}「因病」 in plan IP-2022-PV-01 民主决策 (body.plan.decision)",
        f"公示 N-2022-IP01: {NEAR_LABEL}「残疾」 in 标题 (header.title;",
    ):
        assert line in output, output
    for name in ("钱豪", "丁国", "孟金", "文志"):
        assert name not in output


def test_health_words_without_a_name_still_publish(
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
) -> None:
    """A 残疾人 project and a 慢性病 heading, with no register name beside them, print."""
    ledger = planted(
        keyed_county,
        tmp_path,
        [
            (
                "xianjie-2021.beancount",
                'beneficiaries: "脱贫户32户、监测户5户"',
                'beneficiaries: "脱贫户32户、监测户5户(含残疾人家庭3户、慢性病患者家庭2户)"',
            ),
            (
                "assets.beancount",
                'title: "石桥镇联村光伏电站收益分配方案公示"',
                'title: "石桥镇联村光伏电站收益分配方案公示(优先安排残疾人公益岗位)"',
            ),
        ],
    )
    out = tmp_path / "out"
    code, output = run_notices(ledger, out, *NON_LISTS)
    assert code == 0, output
    page = (out / "城关镇青山村" / "N-2021-P001-V.html").read_text(encoding="utf-8")
    assert "含残疾人家庭3户、慢性病患者家庭2户" in page


@pytest.mark.parametrize("term", ["精神分裂", "精神异常", "抑郁症", "痴呆"])
def test_the_default_terms_name_mental_illness(term: str) -> None:
    """The policy's own default list (not a test list) refuses a name beside these."""
    from fupin.policy import Policy

    defaults = Policy().notice_health_terms
    assert guard().beside(f"受益户钱豪({term})", defaults) != []
    assert guard().beside("精神文明建设示范村", defaults) == []  # 精神 alone is no term
