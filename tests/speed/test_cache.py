"""fupin.cache: a cached load is Beancount's own load, on every kind of change (issue 19).

Each case loads a real multi-file ledger three ways: Beancount's loader (no cache), fupin's
cached loader on a cold cache, and again after the change; entries, errors and options must
be equal, and ``fupin check --json`` must print the same bytes as with the cache off.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from click.testing import CliRunner

from fupin import cache, file_memo
from fupin.cli import main
from fupin.load import LedgerUnreadable
from fupin.preflight import preflight
from fupin.synth import generate, split_monthly

from .conftest import exact

ROOT = Path(__file__).resolve().parent.parent.parent


def beancount_load(path: Path) -> tuple[Any, Any, Any]:
    loader.initialize(use_cache=False)
    return loader.load_file(str(path))


#: the include errors Beancount places at ``<load>:0``; fupin's loader places them at the
#: include line that caused them (the one deliberate difference)
INCLUDE_ERRORS = ("File glob ", "Duplicate filename parsed: ", 'File "')


def _errors(errors: list[Any], *, placed: bool = False) -> list[tuple[Any, ...]]:
    """Each error's kind, message and place; ``placed``: an include error's place as
    Beancount gives it (``<load>:0``), after checking that fupin's names a real line."""
    out = []
    for e in errors:
        where = ((e.source or {}).get("filename"), (e.source or {}).get("lineno"))
        if placed and e.message.startswith(INCLUDE_ERRORS):
            assert where[0] != "<load>" and where[1] > 0, (e.message, where)
            where = ("<load>", 0)
        out.append((type(e).__name__, e.message, *where))
    return out


def _options(options: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if k == "dcontext" else v) for k, v in options.items()}


def assert_same_as_beancount(path: Path, *, used: bool = True) -> cache.Stats:
    """Load through the cache (``used=False``: switched off) and compare with Beancount's own
    load; the cache's stats."""
    expected = beancount_load(path)
    got = cache.load_file(path)
    stats = cache.LAST
    assert stats.used is used
    assert exact(got[0]) == exact(expected[0])  # every number as written, dicts in order
    assert _errors(got[1], placed=True) == _errors(expected[1])
    assert _options(got[2]) == _options(expected[2])
    return stats


def check_json(path: Path, monkeypatch: pytest.MonkeyPatch, *, cached: bool) -> str:
    with monkeypatch.context() as patch:
        if not cached:
            patch.setenv("FUPIN_CACHE", "off")
        result = CliRunner().invoke(main, ["check", "--json", str(path)])
    assert result.exit_code in (0, 1), result.output
    return result.output


@pytest.fixture
def monthly(tmp_path: Path) -> Path:
    """A generated county ledger (two years) spread over one file per month."""
    main_file = generate(3000, tmp_path / "gen", years=2)
    return split_monthly(main_file)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the sample county ledger (ten files), free to edit."""
    target = tmp_path / "sample"
    shutil.copytree(ROOT / "ledger", target)
    return target / "main.beancount"


def test_cold_and_warm_loads_are_beancounts(
    monthly: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setenv("FUPIN_CACHE", "off")
        off = assert_same_as_beancount(monthly, used=False)
        assert off.parsed == off.files > 40 and off.written == 0 and not cache_dir.exists()
    cold = assert_same_as_beancount(monthly)
    assert cold.parsed == cold.files > 40 and cold.written == cold.files
    assert not cold.whole_booking  # every file books on its own
    warm = assert_same_as_beancount(monthly)
    assert (warm.hits, warm.parsed, warm.written) == (warm.files, 0, 0)


def test_one_file_edited(monthly: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_same_as_beancount(monthly)
    month = sorted((monthly.parent / "monthly").glob("wages-*-03.beancount"))[0]
    text = month.read_text(encoding="utf-8")
    old = "  Expenses:Benefit:PublicWelfareJob  600.00 CNY\n"
    month.write_text(text.replace(old, "  Expenses:Benefit:PublicWelfareJob  6000.00 CNY\n", 1))
    stats = assert_same_as_beancount(monthly)
    assert stats.parsed == 1 and stats.names == [str(month)]
    assert check_json(monthly, monkeypatch, cached=True) == check_json(
        monthly, monkeypatch, cached=False
    )


def test_include_added_and_removed(
    sample: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_same_as_beancount(sample)
    extra = sample.parent / "extra.beancount"
    extra.write_text(
        '2022-06-01 * "县财政局" "追加"\n  voucher: "EXTRA-1"\n'
        "  Assets:Treasury:XJ-2022  1000.00 CNY\n  Income:Fund:XJ-2022:County\n",
        encoding="utf-8",
    )
    top = sample.read_text(encoding="utf-8")
    sample.write_text(top + 'include "extra.beancount"\n', encoding="utf-8")
    added = assert_same_as_beancount(sample)
    assert set(added.names) == {str(sample), str(extra)}
    assert check_json(sample, monkeypatch, cached=True) == check_json(
        sample, monkeypatch, cached=False
    )
    sample.write_text(top, encoding="utf-8")  # removed again: the old top file's record
    removed = assert_same_as_beancount(sample)
    assert removed.parsed == 0
    assert check_json(sample, monkeypatch, cached=True) == check_json(
        sample, monkeypatch, cached=False
    )


def test_policy_change(sample: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = check_json(sample, monkeypatch, cached=True)
    policy = sample.parent / "policy.beancount"
    policy.write_text(
        policy.read_text(encoding="utf-8")
        + '\n2021-01-01 custom "policy" "industry-share-min" 0.95\n',
        encoding="utf-8",
    )
    after = check_json(sample, monkeypatch, cached=True)
    assert after == check_json(sample, monkeypatch, cached=False)
    assert after != before and "industry-share-min" in after


def test_code_change_invalidates_every_record(
    sample: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_same_as_beancount(sample)
    assert assert_same_as_beancount(sample).parsed == 0
    real = cache.code_tag()
    monkeypatch.setattr(cache, "code_tag", lambda: real + "|a rule edited")
    changed = assert_same_as_beancount(sample)
    assert changed.hits == 0 and changed.parsed == changed.files


def test_the_code_tag_follows_every_source_byte(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "rules").mkdir(parents=True)
    rule = package / "rules" / "b02.py"
    rule.write_text("MIN = 0.55\n", encoding="utf-8")
    before = cache.source_hash({package})
    rule.write_text("MIN = 0.60\n", encoding="utf-8")
    assert cache.source_hash({package}) != before
    assert cache.code_tag().startswith(f"{cache.FORMAT}|")


def test_booking_options_are_part_of_the_key(sample: Path, cache_dir: Path) -> None:
    assert_same_as_beancount(sample)
    top = sample.read_text(encoding="utf-8")
    sample.write_text('option "inferred_tolerance_default" "CNY:0.1"\n' + top, encoding="utf-8")
    stats = assert_same_as_beancount(sample)
    assert stats.hits == 0  # every file's booking depends on the top file's options


def test_opens_closes_and_currencies_changed_elsewhere_reach_the_unchanged_files(
    monthly: Path, cache_dir: Path
) -> None:
    """An unchanged file's transactions are judged from its usage against the opens and
    closes of the ledger as it is now: an open moved after its payments, a close before
    them, a currency no longer allowed, each written in accounts.beancount only, give
    Beancount's own errors; undone, the files are spared again."""
    assert_same_as_beancount(monthly)
    kept = assert_same_as_beancount(monthly)
    assert kept.spared >= 40 and kept.parsed == 0
    accounts = monthly.parent / "accounts.beancount"
    original = accounts.read_text(encoding="utf-8")
    line = "2020-01-01 open Expenses:Industry:Planting CNY\n"
    assert line in original
    for changed, expected in (
        ("2030-01-01 open Expenses:Industry:Planting CNY\n", "inactive account"),
        (line + "2021-06-15 close Expenses:Industry:Planting\n", "inactive account"),
        ("2020-01-01 open Expenses:Industry:Planting USD\n", "Invalid currency CNY"),
    ):
        accounts.write_text(original.replace(line, changed), encoding="utf-8")
        stats = assert_same_as_beancount(monthly)
        assert stats.parsed == 1 and stats.spared == 0
        found = [e for e in beancount_load(monthly)[1] if expected in e.message]
        assert found and all("Planting" in e.message for e in found)
    accounts.write_text(original, encoding="utf-8")
    assert assert_same_as_beancount(monthly).spared == kept.spared


def test_postings_at_cost_book_the_whole_ledger(tmp_path: Path, cache_dir: Path) -> None:
    """A lot reduced in one file against a lot bought in another: booked together."""
    (tmp_path / "buy.beancount").write_text(
        "2021-01-01 open Assets:Stock SHARE\n2021-01-01 open Assets:Cash CNY\n"
        "2021-01-01 open Income:Gain CNY\n"
        '2021-02-01 * "buy"\n  Assets:Stock  10 SHARE {5.00 CNY}\n  Assets:Cash\n',
        encoding="utf-8",
    )
    (tmp_path / "sell.beancount").write_text(
        '2021-03-01 * "sell"\n  Assets:Stock  -4 SHARE {}\n  Assets:Cash  24.00 CNY\n'
        "  Income:Gain\n",
        encoding="utf-8",
    )
    top = tmp_path / "main.beancount"
    top.write_text(
        'option "operating_currency" "CNY"\ninclude "buy.beancount"\ninclude "sell.beancount"\n',
        encoding="utf-8",
    )
    assert assert_same_as_beancount(top).whole_booking
    again = assert_same_as_beancount(top)
    assert again.whole_booking and again.parsed == 0


def test_errors_of_every_step_are_kept(tmp_path: Path, cache_dir: Path) -> None:
    """Parse, include, booking and validation errors: the same, in the same order."""
    (tmp_path / "bad.beancount").write_text(
        "2021-01-01 open Assets:Cash CNY\n"
        '2021-02-01 * "unbalanced"\n  Assets:Cash  10.00 CNY\n  Expenses:Nowhere  -9.00 CNY\n'
        '2021-02-02 * "two autos"\n  Assets:Cash\n  Expenses:Nowhere\n'
        "2021-02-03 this is not beancount\n",
        encoding="utf-8",
    )
    top = tmp_path / "main.beancount"
    top.write_text(
        'include "bad.beancount"\ninclude "bad.beancount"\ninclude "missing-*.beancount"\n',
        encoding="utf-8",
    )
    for _ in range(2):
        stats = assert_same_as_beancount(top)
    assert stats.parsed == 0


def test_a_torn_record_is_a_miss(sample: Path, cache_dir: Path) -> None:
    assert_same_as_beancount(sample)
    records = sorted(cache_dir.glob("*.pickle"))
    for record in records:
        record.write_bytes(record.read_bytes()[:100])  # a crash mid-write, a full disk
    stats = assert_same_as_beancount(sample)
    assert stats.hits == 0 and stats.written == stats.files


def test_switched_off_and_bounded(
    sample: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FUPIN_CACHE", "off")
    assert_same_as_beancount(sample, used=False)  # parsed and booked file by file, not kept
    assert not cache_dir.exists()
    monkeypatch.delenv("FUPIN_CACHE")
    assert_same_as_beancount(sample)
    sizes = sum(p.stat().st_size for p in cache_dir.glob("*.pickle"))
    assert sizes > 0
    cache.prune(cache_dir, max_bytes=sizes // 2)
    assert sum(p.stat().st_size for p in cache_dir.glob("*.pickle")) <= sizes // 2
    assert_same_as_beancount(sample)  # what was pruned is parsed again


PLUGIN = '''
from beancount.core import data
from beancount.core.amount import Amount
from decimal import Decimal

__plugins__ = ("unbalance",)


def unbalance(entries, options_map):
    """Every transaction with a 'replace:' changed into a new one, with 'mutate:' changed
    in place: both no longer balance."""
    out = []
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.postings:
            posting = entry.postings[0]
            wrong = posting._replace(units=Amount(posting.units.number + Decimal(1), "CNY"))
            if "replace" in entry.meta:
                entry = entry._replace(postings=[wrong, *entry.postings[1:]])
            elif "mutate" in entry.meta:
                entry.postings[0] = wrong
        out.append(entry)
    return out, []
'''


def test_a_plugin_that_unbalances_is_still_caught(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Transactions found balanced when cached are checked again once a plugin touched them."""
    (tmp_path / "unbalance_plugin.py").write_text(PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "txns.beancount").write_text(
        "2021-01-01 open Assets:Cash CNY\n2021-01-01 open Expenses:Use CNY\n"
        '2021-02-01 * "kept"\n  Assets:Cash  -10.00 CNY\n  Expenses:Use\n'
        '2021-02-02 * "replaced"\n  replace: TRUE\n  Assets:Cash  -10.00 CNY\n  Expenses:Use\n'
        '2021-02-03 * "mutated"\n  mutate: TRUE\n  Assets:Cash  -10.00 CNY\n  Expenses:Use\n',
        encoding="utf-8",
    )
    top = tmp_path / "main.beancount"
    top.write_text('plugin "unbalance_plugin"\ninclude "txns.beancount"\n', encoding="utf-8")
    for _ in range(2):  # cold, then from the records
        got = cache.load_file(top)
        assert cache.LAST.used
        unbalanced = [e.entry.narration for e in got[1] if "does not balance" in e.message]
        assert unbalanced == ["replaced", "mutated"]
        assert cache.LAST.spared == 0  # a file with a transaction a plugin touched
    assert cache.LAST.parsed == 0
    assert_same_as_beancount(top)


# -- fupin.file_memo: what a check keeps of an unchanged file never changes a finding ------
def _files_with_transactions(top: Path) -> int:
    folder = top.parent / "monthly"
    return sum(
        1
        for f in folder.glob("*.beancount")
        if re.search(r"^\d{4}-\d\d-\d\d \*", f.read_text(encoding="utf-8"), re.M)
    )


def _cached_equals_cold(path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    cached = check_json(path, monkeypatch, cached=True)
    recalls = file_memo.LAST
    assert cached == check_json(path, monkeypatch, cached=False)
    file_memo.LAST = recalls
    return cached


def test_unchanged_files_are_recalled(
    monthly: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_txns = _files_with_transactions(monthly)
    first = _cached_equals_cold(monthly, monkeypatch)
    assert (file_memo.LAST.kept, file_memo.LAST.computed) == (0, with_txns)
    again = _cached_equals_cold(monthly, monkeypatch)
    assert again == first
    assert (file_memo.LAST.kept, file_memo.LAST.computed) == (with_txns, 0)
    month = sorted((monthly.parent / "monthly").glob("wages-*-03.beancount"))[0]
    text = month.read_text(encoding="utf-8")
    month.write_text(text.replace("600.00 CNY", "601.00 CNY", 1), encoding="utf-8")
    _cached_equals_cold(monthly, monkeypatch)
    assert (file_memo.LAST.kept, file_memo.LAST.computed) == (with_txns - 1, 1)


def test_a_definition_removed_elsewhere_reaches_the_unchanged_payments(
    monthly: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = monthly.parent / "monthly"
    defined = next(f for f in sorted(folder.glob("year-*-01.beancount")))
    ident = re.search(r'custom "project" "(P-[0-9-]+)"', defined.read_text(encoding="utf-8"))
    assert ident is not None
    project = ident.group(1)
    payers = [
        f
        for f in sorted(folder.glob("*.beancount"))
        if f != defined and f'project: "{project}"' in f.read_text(encoding="utf-8")
    ]
    assert payers, project
    before = _cached_equals_cold(monthly, monkeypatch)
    assert f'"{project}"' not in before or "LEDGER" not in before
    text = defined.read_text(encoding="utf-8")
    defined.write_text(text.replace(f'"{project}"', f'"{project}-GONE"', 1), encoding="utf-8")
    after = _cached_equals_cold(monthly, monkeypatch)
    assert file_memo.LAST.kept > 0  # the payers' memos were used, and still:
    assert "LEDGER" in after and str(payers[0]) in after


def test_a_personal_number_in_one_file_is_found(
    monthly: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cached_equals_cold(monthly, monkeypatch)
    month = sorted((monthly.parent / "monthly").glob("wages-*-05.beancount"))[0]
    text = month.read_text(encoding="utf-8")
    # a mobile number (a test number of the 139 range) in one narration
    month.write_text(
        text.replace("公益岗位补贴", "公益岗位补贴 联系 13912345678", 1), encoding="utf-8"
    )
    after = _cached_equals_cold(monthly, monkeypatch)
    assert "PII" in after and str(month) in after and "13912345678" not in after


def test_no_memo_behind_another_plugin(
    monthly: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = monthly.read_text(encoding="utf-8")
    monthly.write_text(
        text.replace(
            'plugin "fupin.plugins"',
            'plugin "beancount.plugins.auto_accounts"\nplugin "fupin.plugins"',
            1,
        ),
        encoding="utf-8",
    )
    _cached_equals_cold(monthly, monkeypatch)
    _cached_equals_cold(monthly, monkeypatch)
    assert (file_memo.LAST.kept, file_memo.LAST.computed) == (0, 0)


def test_preflight_verdicts_are_kept_by_content(tmp_path: Path, cache_dir: Path) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text("2022-01-01 open Assets:Cash CNY\n", encoding="utf-8")
    content = ledger.read_bytes()
    assert not file_memo.passed(str(ledger), content)
    preflight(ledger)
    assert file_memo.passed(str(ledger), content)
    ledger.write_text(
        "2022-01-01 open Assets:Cash CNY\n2022-01-02 balance Assets:Cash 1" + "0" * 20 + " CNY\n",
        encoding="utf-8",
    )
    with pytest.raises(LedgerUnreadable, match="数值超出范围"):
        preflight(ledger)
    assert not file_memo.passed(str(ledger), ledger.read_bytes())


def test_no_preflight_verdict_kept_with_the_cache_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FUPIN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FUPIN_CACHE", "off")
    ledger = tmp_path / "main.beancount"
    ledger.write_text("2022-01-01 open Assets:Cash CNY\n", encoding="utf-8")
    preflight(ledger)
    assert not (tmp_path / "cache").exists()


def test_a_record_shares_equal_values_and_reads_back_equal(tmp_path: Path, cache_dir: Path) -> None:
    """A record's entries come back with equal strings, dates, numbers and amounts as one
    object (fupin.record_values), numbers kept by their text (600.00 and 600.0 apart), every
    metadata dict and posting list its own; the load is Beancount's, value for value."""
    top = tmp_path / "main.beancount"
    pays = "".join(
        f'2021-02-0{d} * "公益岗位" "2021年2月公益岗位补贴"\n  household: "H-{d}"\n'
        f"  Expenses:Wage  {amount} CNY\n  Assets:Bank\n"
        for d, amount in ((1, "600.00"), (2, "600.00"), (3, "600.0"))
    )
    top.write_text(
        'option "operating_currency" "CNY"\n2021-01-01 open Assets:Bank CNY\n'
        "2021-01-01 open Expenses:Wage CNY\n" + pays,
        encoding="utf-8",
    )
    assert_same_as_beancount(top)  # writes the record
    assert_same_as_beancount(top)  # reads it
    assert cache.LAST.hits == 1
    entries, _, _ = cache.load_file(top)
    a, b, c = [e for e in entries if type(e).__name__ == "Transaction"]
    assert a.narration is b.narration is c.narration
    assert a.postings[0].units is b.postings[0].units  # Amount(600.00, CNY), once
    assert str(c.postings[0].units.number) == "600.0"
    assert a.postings[0].units.currency is c.postings[0].units.currency
    assert list(a.meta)[2] is list(b.meta)[2] == "household"
    assert a.meta is not b.meta and a.postings is not b.postings
    assert a.postings[0].meta is not b.postings[0].meta
    a.meta["note"] = "x"  # a plugin may write to an entry's metadata: that one alone
    assert "note" not in b.meta
