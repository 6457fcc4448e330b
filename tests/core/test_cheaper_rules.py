"""Issue 19, part 2: the cheaper paths give the answers of the plain ones.

``fupin check`` runs the rules without compliance rows (as the plugin of ``bean-check``
does); a series sums its amounts until it is asked often, then keeps running sums; the book
tells repeated voucher numbers without indexing every value. Each is compared here with
the way it replaced, on real ledgers and real Beancount loading.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader

from fupin import session
from fupin.book import build_book
from fupin.facts import SUMS_KEPT, Series
from fupin.load import load

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "tests" / "scenarios").glob("*/*.beancount"))
D = Decimal


def _row(finding: object) -> tuple[object, ...]:
    source = getattr(finding, "source", None) or {}
    return (
        source.get("filename"),
        source.get("lineno"),
        getattr(finding, "message", ""),
        getattr(finding, "severity", ""),
    )


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_findings_only_run_finds_what_the_full_run_finds(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every scenario ledger: the same findings, in the same order, with and without the
    compliance rows (``fupin check`` against ``fupin compliance``)."""
    monkeypatch.setattr(session, "_SERVING", False)  # as in a command (a Fava test may serve)
    full = load(path)
    lean = load(path, measures=False)
    assert [_row(f) for f in lean.results.findings] == [_row(f) for f in full.results.findings]
    assert lean.results.measures == []  # no compliance row built or kept
    assert [_row(e) for e in lean.other_errors] == [_row(e) for e in full.other_errors]


def test_at_least_one_scenario_has_findings() -> None:
    """The comparison above is not between empty lists."""
    found = sum(len(load(path, measures=False).results.findings) for path in SCENARIOS[:40])
    assert found > 20


def _filled() -> Series:
    series = Series()
    for day, amount in [
        (datetime.date(2021, 3, 1), D("100.00")),
        (datetime.date(2021, 3, 1), D("50.5")),
        (datetime.date(2021, 5, 1), D("-30.00")),
        (datetime.date(2021, 2, 1), D("7")),  # out of order: placed by its date
        (datetime.date(2021, 5, 1), D("30.00")),
        (datetime.date(2021, 6, 2), D("0.01")),
    ]:
        series.add(day, amount)
    return series


DAYS = [
    None,
    datetime.date(2021, 1, 31),
    datetime.date(2021, 2, 1),
    datetime.date(2021, 3, 1),
    datetime.date(2021, 4, 30),
    datetime.date(2021, 5, 1),
    datetime.date(2021, 6, 2),
    datetime.date(2022, 1, 1),
]


def test_series_sums_and_running_sums_agree_to_the_digit() -> None:
    """The first questions are summed, later ones read running sums: the same Decimals
    (value and exponent, as printed), whichever way a day is asked."""
    summed = _filled()
    answers = [str(summed.at(day)) for day in DAYS[:SUMS_KEPT]]
    running = _filled()
    for _ in range(SUMS_KEPT + 1):
        running.at(datetime.date(2021, 3, 1))  # past the summing questions
    assert [str(running.at(day)) for day in DAYS[:SUMS_KEPT]] == answers
    assert [str(running.at(day)) for day in DAYS] == [
        "157.51",
        "0",
        "7",
        "157.50",
        "157.50",
        "157.50",
        "157.51",
        "157.51",
    ]
    assert running.days() == [
        datetime.date(2021, 2, 1),
        datetime.date(2021, 3, 1),
        datetime.date(2021, 5, 1),
        datetime.date(2021, 6, 2),
    ]
    assert _filled().first_above(D("157.50")) == datetime.date(2021, 6, 2)
    assert str(_filled().total) == "157.51"


def test_series_added_to_after_a_question() -> None:
    series = _filled()
    for _ in range(SUMS_KEPT + 2):
        assert series.at(None) == D("157.51")
    series.add(datetime.date(2021, 1, 1), D("1"))
    assert series.at(datetime.date(2021, 1, 1)) == D("1")
    assert series.at(None) == D("158.51")
    assert Series().at(None) == 0 and Series().first_above(D(0)) is None


LEDGER = """
option "operating_currency" "CNY"
2021-01-01 open Assets:Bank CNY
2021-01-01 open Expenses:Office CNY
2021-02-01 * "a"
  voucher: "记-1"
  invoice: 7
  Expenses:Office  10.00 CNY
  Assets:Bank
2021-02-02 * "b"
  voucher: "记-2"
  invoice: "7"
  Expenses:Office  11.00 CNY
  Assets:Bank
2021-02-03 * "c"
  voucher: "记-1"
  Expenses:Office  12.00 CNY
  Assets:Bank
2021-02-04 * "d"
  voucher: "记-3"
  Expenses:Office  13.00 CNY
  Assets:Bank
"""


def test_repeated_values_without_an_index_are_those_of_the_index() -> None:
    """A voucher on two transactions, an invoice written once as a number and once as
    text: the same repeats, the same transactions, read with or without the index."""
    entries, errors, options = loader.load_string(LEDGER)
    assert not errors
    fresh, indexed = build_book(entries, options), build_book(entries, options)
    assert indexed.index["voucher"] and indexed.index["invoice"]  # both indexes built
    for key in ("voucher", "invoice", "contract"):
        lean = {value: [t.narration for t in txns] for value, txns in fresh.repeated(key).items()}
        full = {value: [t.narration for t in txns] for value, txns in indexed.repeated(key).items()}
        assert lean == full
    assert {v: [t.narration for t in ts] for v, ts in fresh.repeated("voucher").items()} == {
        "记-1": ["a", "c"]
    }
    assert list(fresh.repeated("invoice")) == ["7"]
    assert fresh.repeated("contract") == {}
