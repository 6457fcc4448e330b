"""Policy timeline, entity validation and the rule engine's safety net."""

from __future__ import annotations

import datetime
from decimal import Decimal

from beancount import loader

from fupin.book import build_book
from fupin.engine import Rule, run_rules
from fupin.findings import EntityError, PolicyError
from fupin.policy import DEFAULT_POLICY, Policy


def book_of(text: str):
    entries, _errors, options = loader.load_string(text, dedent=True)
    return build_book(entries, options)


def test_policy_defaults_follow_domain() -> None:
    assert DEFAULT_POLICY.industry_share_min == Decimal("0.50")
    assert DEFAULT_POLICY.mgmt_fee_max == Decimal("0.01")
    assert DEFAULT_POLICY.quality_deposit_max == Decimal("0.03")
    assert "industry-share-min" in Policy.ledger_keys()


def test_policy_is_dated() -> None:
    book = book_of(
        """
        2022-01-01 custom "policy" "industry-share-min" 0.55
        2023-01-01 custom "policy" "industry-share-min" 0.60
        """
    )
    at = book.policy.at
    assert at(datetime.date(2021, 12, 31)).industry_share_min == Decimal("0.50")
    assert at(datetime.date(2022, 1, 1)).industry_share_min == Decimal("0.55")
    assert at(datetime.date(2022, 12, 31)).industry_share_min == Decimal("0.55")
    assert at(datetime.date(2023, 6, 1)).industry_share_min == Decimal("0.60")
    origin = book.policy.origin("industry-share-min", datetime.date(2022, 5, 1))
    assert origin is not None and origin["lineno"] == 2


def test_bad_policy_value_names_the_key_and_is_ignored() -> None:
    book = book_of('2022-01-01 custom "policy" "mgmt-fee-max" "one percent"\n')
    (error,) = book.errors
    assert isinstance(error, PolicyError)
    assert error.message == "POLICY error: mgmt-fee-max = one percent: 应为数字"
    assert book.policy.at(datetime.date(2023, 1, 1)).mgmt_fee_max == Decimal("0.01")


def test_entity_error_names_field_at_its_line() -> None:
    book = book_of(
        """
        2021-01-01 custom "fund" "XJ-2021"
          name: "衔接资金"
          family: "xianjie"
          shares: "Central=0.6 County=0.3"
        """
    )
    (error,) = book.errors
    assert isinstance(error, EntityError)
    assert error.source["lineno"] == 2
    assert "shares" in error.message and "应恰好为 1" in error.message
    assert book.funds == {}


def test_fund_id_must_be_an_account_component() -> None:
    book = book_of('2021-01-01 custom "fund" "衔接2021"\n  name: "x"\n  family: "xianjie"\n')
    assert "account component" in book.errors[0].message


def test_a_crashing_rule_becomes_one_error_not_a_crash() -> None:
    def broken(book):
        raise ZeroDivisionError("boom")
        yield  # pragma: no cover

    results = run_rules(book_of(""), (Rule(("X99",), "broken", "test", broken),))
    (error,) = results.findings
    assert error.rule == "X99" and "ZeroDivisionError" in error.message


def test_plugin_never_raises_on_odd_input() -> None:
    _entries, errors, _ = loader.load_string(
        """
        plugin "fupin.plugins"
        2021-01-01 custom "project-stage" "P-X"
        2021-01-01 custom "fund" 12
        2021-01-01 custom "policy" "industry-share-min"
        """,
        dedent=True,
    )
    messages = [e.message for e in errors]
    assert any(m.startswith("ENTITY error: 项目阶段 P-X: 应写作") for m in messages)
    assert any(m.startswith("POLICY error:") for m in messages)
    assert not any("internal error" in m for m in messages)
