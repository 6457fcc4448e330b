"""Citation codes of the rules resolve to documents' titles and 文号, never to codes."""

from __future__ import annotations

import re

import pytest
from fupin.plugins import RULES

from fupin.citations import UnknownCitation, cite, cites, format_citation, format_source

INTERNAL = re.compile(r"seed \d|DOMAIN|N-[A-Z]|local example|art\.|§|\.txt")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: "/".join(r.ids))
def test_every_rule_source_names_documents(rule) -> None:  # type: ignore[no-untyped-def]
    text = format_source(rule.source)
    assert text, rule.source
    assert not INTERNAL.search(text), text


def test_numbers_from_domain() -> None:
    assert cite("N-FUND2021 (负面清单)").number == "财农〔2021〕19号"
    assert cite("N-NOTICE2017 §4 (≥10天, 长期公开)").number == "国开办发〔2017〕50号"
    assert cite("N-ASSET2021 §(2)(5)(6)").number == "国办函〔2021〕51号"
    assert format_citation(cite("N-FUND2017 art. 9 (管理费 ≤1%)")) == (
        "《中央财政专项扶贫资金管理办法》（财农〔2017〕8号）第9条"
    )
    assert format_citation(cite("N-NOTICE2017 §4")).endswith("（国开办发〔2017〕50号）第四部分")


def test_seed_files_and_local_examples_are_named_as_such() -> None:
    assert cite("seed 002_614e7ab1822f3d29.txt (≥50%)") == cite("seed 002 (两个一律)")
    assert cite("seed 002").title.startswith("安阳市")
    assert "地方示例" in cite("预拨启动资金 local example (30%)").title
    assert cite("预拨启动资金 local example (30%)").number is None  # none recorded: none guessed


def test_audit_findings() -> None:
    source = "审计署2016: 抽查50.13亿元中8.43亿元闲置1年以上; 2019: 41地 (DOMAIN K1)"
    (one,) = cites(source)
    assert one.title.startswith("审计署") and "闲置" in one.title
    assert [c.title for c in cites("DOMAIN K2c, K6b (2017 公告); L.4")] == [
        cite("DOMAIN K2").title,
        cite("DOMAIN K6").title,
    ]


def test_unknown_code_is_an_error() -> None:
    with pytest.raises(UnknownCitation):
        cite("N-NOWHERE2099")
