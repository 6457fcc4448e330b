"""fupin.validations: an unchanged file judged from its usage gives Beancount's errors.

Each case writes one file of payments (kept unchanged, so its record's usage is what the
second load judges) and an accounts file that is then changed to the case: the open on the
first payment's day or a day later, the close on the last payment's day, a day before it,
or between the payments, an account opened twice, closed twice, reopened, a currency
allowed or not. Both loads must equal Beancount's own, and the file is spared exactly when
Beancount finds nothing in it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fupin import cache

from .test_cache import assert_same_as_beancount, beancount_load

PAYMENTS = """\
2021-03-01 * "first"
  Expenses:Road  10.00 CNY
  Assets:Bank
2021-03-10 * "middle"
  Expenses:Road  20.00 CNY
  Assets:Bank
2021-03-20 * "last"
  Expenses:Road  30.00 CNY
  Assets:Bank
"""
BANK = "2020-01-01 open Assets:Bank CNY\n"


@pytest.mark.parametrize(
    ("accounts", "spared"),
    [
        ("2021-03-01 open Expenses:Road CNY\n", True),
        ("2021-03-02 open Expenses:Road CNY\n", False),
        ("2020-01-01 open Expenses:Road\n2021-03-20 close Expenses:Road\n", True),
        ("2020-01-01 open Expenses:Road\n2021-03-19 close Expenses:Road\n", False),
        ("2020-01-01 open Expenses:Road\n2021-03-05 close Expenses:Road\n", False),
        ("2020-01-01 open Expenses:Road\n2020-02-01 open Expenses:Road\n", False),
        (
            "2020-01-01 open Expenses:Road\n2021-12-01 close Expenses:Road\n"
            "2021-12-02 close Expenses:Road\n",
            False,
        ),
        (
            "2020-01-01 open Expenses:Road\n2020-06-01 close Expenses:Road\n"
            "2021-01-01 open Expenses:Road\n",
            False,
        ),
        ("2020-01-01 open Expenses:Road CNY,USD\n", True),
        ("2020-01-01 open Expenses:Road USD\n", False),
        ("", False),
    ],
)
def test_an_unchanged_file_is_judged_as_beancount_judges_it(
    tmp_path: Path, cache_dir: Path, accounts: str, spared: bool
) -> None:
    (tmp_path / "payments.beancount").write_text(PAYMENTS, encoding="utf-8")
    opens = tmp_path / "accounts.beancount"
    opens.write_text(BANK + "2020-01-01 open Expenses:Road CNY\n", encoding="utf-8")
    top = tmp_path / "main.beancount"
    top.write_text('include "accounts.beancount"\ninclude "payments.beancount"\n', encoding="utf-8")
    assert_same_as_beancount(top)
    opens.write_text(BANK + accounts, encoding="utf-8")
    stats = assert_same_as_beancount(top)
    assert stats.parsed == 1 and "payments" not in " ".join(stats.names)
    assert (stats.spared == 1) is spared
    found = [e for e in beancount_load(top)[1] if "Expenses:Road" in e.message]
    assert bool(found) is not spared  # spared exactly when Beancount finds nothing
    assert cache.LAST.files == 3
