"""fupin.plain_booking books a file exactly as Beancount's full booking does (issue 19).

Each case parses the same text twice, books one copy with Beancount
(``booking_full.book`` + ``validate_missing_eliminated``) and the other with
:func:`fupin.plain_booking.book_and_balance`, and compares everything: the booked entries
and the parsed ones (booking writes ``__automatic__`` into a parsed posting's metadata),
every number's representation (``Decimal("1.0")`` is not ``Decimal("1.00")``), dict order,
the tolerance mappings with their defaults, and the errors. The balance verdict must be
Beancount's own check (``validate_check_transaction_balances``) on the booked entries
(and "no" after a booking error, when the file is not kept booked).
"""

from __future__ import annotations

import collections
import io
import textwrap
from pathlib import Path
from typing import Any

import pytest
from beancount.core import data
from beancount.ops import validation
from beancount.parser import booking, booking_full, parser
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin import plain_booking
from fupin.synth import generate, split_monthly

from .conftest import exact

ROOT = Path(__file__).resolve().parent.parent.parent


def both(text: str, options_text: str = "") -> tuple[Any, Any, bool, list[Any]]:
    """(Beancount's booking, ours, our balance verdict, Beancount's verdict) of ``text``."""
    _, _, options = parser.parse_string(options_text)
    methods = collections.defaultdict(lambda: options["booking_method"])
    results = []
    for book in ("beancount", "plain"):
        entries, _, _ = parser.parse_file(io.BytesIO(text.encode()), report_filename="t.bean")
        entries.sort(key=data.entry_sortkey)
        if book == "beancount":
            booked, errors = booking_full.book(entries, options, methods)
            errors += booking.validate_missing_eliminated(booked, options)
            verdict = None
        else:
            booked, errors, verdict = plain_booking.book_and_balance(entries, options, methods)
        results.append((exact(booked), exact(entries), [(type(e), e.message) for e in errors]))
        if book == "beancount":
            reference = booked
    unbalanced = validation.validate_check_transaction_balances(reference, options)
    return results[0], results[1], bool(verdict), unbalanced


def assert_same(text: str, options_text: str = "") -> bool:
    expected, ours, verdict, unbalanced = both(text, options_text)
    assert ours == expected
    # with a booking error the file is not kept booked: no verdict is claimed
    assert verdict == (not unbalanced and not expected[2])
    return verdict


def test_the_sample_county_books_as_beancount_books_it(monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted(ROOT.joinpath("ledger").rglob("*.beancount"))
    assert len(files) >= 10
    options = ROOT.joinpath("ledger", "main.beancount").read_text(encoding="utf-8")
    options = "\n".join(line for line in options.splitlines() if line.startswith("option"))
    left: list[int] = []  # transactions handed to Beancount's booking
    run = plain_booking._book_run
    monkeypatch.setattr(
        plain_booking, "_book_run", lambda e, o, m: left.append(len(e)) or run(e, o, m)
    )
    for path in files:
        assert_same(path.read_text(encoding="utf-8"), options)
    # the sample's 227 transactions are plain: each was booked here, none by Beancount's
    assert sum(left) == 0


def test_a_generated_county_books_as_beancount_books_it(tmp_path: Path) -> None:
    top = split_monthly(generate(2000, tmp_path / "gen", years=2))
    months = sorted(top.parent.rglob("*-*.beancount"))
    assert len(months) > 20
    for path in months:
        assert assert_same(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "body",
    [
        # the others sum to zero: the auto posting is dropped
        "  Assets:A  1.00 CNY\n  Assets:B  -1.00 CNY\n  Expenses:X\n",
        # zero amounts, with and without decimals, and a negative zero
        "  Assets:A  0 CNY\n  Assets:B  -0.00 CNY\n  Expenses:X\n",
        # more decimals than the currency's tolerance: quantized to the user's tolerance
        "  Assets:A  10.005 CNY\n  Assets:B  2.1 CNY\n  Expenses:X\n",
        # integers only: no tolerance inferred from them
        "  Assets:A  100 CNY\n  Expenses:X\n",
        # does not balance: Beancount's check says so, and so do we
        "  Assets:A  100.00 CNY\n  Expenses:X  -99.00 CNY\n",
        # balances within tolerance
        "  Assets:A  100.004 CNY\n  Expenses:X  -100.00 CNY\n",
        # two auto postings: Beancount's categorization error (the file is Beancount's)
        "  Assets:A  1.00 CNY\n  Expenses:X\n  Expenses:Y\n",
        # two currencies, a price, a cost: Beancount books these
        "  Assets:A  1.00 CNY\n  Assets:B  -1.00 USD\n",
        "  Assets:A  1.00 USD @ 7.10 CNY\n  Assets:B\n",
        "  Assets:A  1 STOCK {7.10 CNY}\n  Assets:B\n",
        # a posting with its own metadata
        '  Assets:A  5.50 CNY\n    note: "x"\n  Expenses:X\n    note: "y"\n',
    ],
)
@pytest.mark.parametrize(
    "options",
    [
        "",
        'option "inferred_tolerance_default" "CNY:0.01"',
        'option "inferred_tolerance_default" "*:0.005"\noption "tolerance_multiplier" "0.6"',
        'option "use_precise_interpolation" "TRUE"\noption "infer_tolerance_from_cost" "TRUE"',
    ],
)
def test_edge_cases_book_as_beancount_books_them(body: str, options: str) -> None:
    text = f'2024-01-01 open Assets:A\n2024-01-02 * "Payee" "one"\n{body}'
    text += '2024-01-03 * "two"\n  Assets:A  3.333 CNY\n  Expenses:X\n'
    assert_same(text, options)


def test_a_booking_error_leaves_the_file_to_beancount() -> None:
    text = '2024-01-02 * "x"\n  Assets:A  1.00 CNY\n  Expenses:X\n  Expenses:Y\n'
    text += '2024-01-03 * "y"\n  Assets:A  2.00 CNY\n  Expenses:X\n'
    (_, _, errors), ours, verdict, _ = both(text)
    assert errors and ours[2] == errors and not verdict


AMOUNT = st.builds(
    lambda sign, digits, places: (
        f"{sign}{digits[:-places] or '0'}.{digits[-places:]}" if places else f"{sign}{digits}"
    ),
    st.sampled_from(["", "-"]),
    st.text("0123456789", min_size=1, max_size=9),
    st.integers(min_value=0, max_value=4),
)
POSTINGS = st.lists(
    st.tuples(st.sampled_from(["Assets:A", "Assets:B", "Expenses:X"]), AMOUNT),
    min_size=1,
    max_size=5,
)
OPTIONS = st.sampled_from(
    [
        "",
        'option "inferred_tolerance_default" "CNY:0.01"',
        'option "inferred_tolerance_default" "*:0.001"',
        'option "tolerance_multiplier" "0.75"',
        'option "use_precise_interpolation" "TRUE"',
    ]
)


@settings(max_examples=300, deadline=None)
@given(POSTINGS, st.booleans(), st.sampled_from(["CNY", "USD"]), OPTIONS)
def test_random_transactions_book_as_beancount_books_them(
    postings: list[tuple[str, str]], auto: bool, currency: str, options: str
) -> None:
    lines = [f"  {account}  {amount} {currency}" for account, amount in postings]
    if auto:
        lines.append("  Expenses:Auto")
    text = '2024-01-02 * "random"\n' + "\n".join(lines) + "\n"
    text += textwrap.dedent("""\
        2024-01-02 * "second"
          Assets:A  12.50 CNY
          Expenses:X
        """)
    assert_same(text, options)
