"""fupin.transformations runs the plugins as Beancount's ``run_transformations`` does (issue 19).

Every case loads a ledger with fupin's loader (cache off, and on) and with Beancount's own,
and compares the entries value by value and the errors (a crashing plugin's message without
the stack, which names the calling function: users see it without, ``fupin.preflight.redact``).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from beancount import loader

from fupin import cache

from .conftest import exact

ROOT = Path(__file__).resolve().parent.parent.parent


def errors_of(errors: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (
            type(e).__name__,
            e.message.split("Traceback")[0],
            e.message.strip().splitlines()[-1],
            (e.source or {}).get("filename"),
            (e.source or {}).get("lineno"),
        )
        for e in errors
    ]


def assert_as_beancount(path: Path, monkeypatch: pytest.MonkeyPatch, cached: str) -> list[Any]:
    monkeypatch.setenv("FUPIN_CACHE", cached)
    loader.initialize(use_cache=False)
    expected = loader.load_file(str(path))
    got = cache.load_file(path)
    assert exact(got[0]) == exact(expected[0])
    assert errors_of(got[1]) == errors_of(expected[1])
    return got[1]


LEDGER = """\
option "operating_currency" "CNY"
{options}
2021-01-01 open Assets:Bank CNY
2021-01-01 open Assets:Bank:Sub CNY
2021-01-01 open Assets:Cash CNY
2021-01-01 open Equity:Opening CNY
2021-01-01 open Expenses:Road CNY
2021-01-02 pad Assets:Cash Equity:Opening
2021-02-01 balance Assets:Cash  500.00 CNY
2021-02-02 * "付款"
  Expenses:Road  100.00 CNY
  Assets:Bank:Sub
2021-02-03 * "收款"
  Assets:Bank  1000.00 CNY
  Equity:Opening
2021-03-01 balance Assets:Bank  900.00 CNY
2021-03-01 balance Assets:Bank  901.00 CNY
2021-03-01 balance Assets:Bank:Sub  -100.00 CNY
2021-03-02 balance Assets:Unknown  1.00 CNY
2021-03-03 document Assets:Bank "missing.pdf"
"""


@pytest.mark.parametrize("cached", ["off", "on"])
@pytest.mark.parametrize(
    "options",
    [
        "",
        'option "documents" "docs"',
        'plugin "beancount.plugins.auto_accounts"\nplugin "no.such.plugin"',
        'plugin "crashing"',
        'option "plugin_processing_mode" "raw"',
    ],
)
def test_pads_balances_documents_and_failing_plugins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_dir: Path, options: str, cached: str
) -> None:
    (tmp_path / "docs" / "Assets" / "Bank").mkdir(parents=True)
    (tmp_path / "docs" / "Assets" / "Bank" / "2021-03-05.statement.pdf").write_bytes(b"%PDF")
    (tmp_path / "crashing.py").write_text(
        "__plugins__ = ('crash',)\ndef crash(entries, options_map):\n    raise ValueError('boom')\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    top = tmp_path / "main.beancount"
    top.write_text(LEDGER.format(options=options), encoding="utf-8")
    found = " ".join(e.message for e in assert_as_beancount(top, monkeypatch, cached))
    if "raw" not in options:
        assert "Balance failed for 'Assets:Bank': expected 901.00 CNY" in found
        assert "missing.pdf" in found and "Assets:Unknown" in found
    if "crashing" in options:
        assert "boom" in found


def test_the_sample_and_every_scenario_load_as_in_beancount(
    monkeypatch: pytest.MonkeyPatch, cache_dir: Path
) -> None:
    paths = [
        ROOT / "ledger" / "main.beancount",
        ROOT / "ledger" / "audit-sample" / "main.beancount",
    ]
    paths += sorted(ROOT.joinpath("tests", "scenarios").rglob("*.beancount"))
    assert len(paths) > 200
    for path in paths:
        assert_as_beancount(path, monkeypatch, "off")


def test_a_plugin_that_adds_a_pad_gets_it_padded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_dir: Path
) -> None:
    """pad and balance look at the entries they are given, after the ledger's plugins."""
    (tmp_path / "adds_pad.py").write_text(
        textwrap.dedent("""\
            import datetime
            from beancount.core import data
            __plugins__ = ("add",)
            def add(entries, options_map):
                meta = data.new_metadata("<adds_pad>", 1)
                day = datetime.date(2021, 1, 2)
                return entries + [data.Pad(meta, day, "Assets:Cash", "Equity:Opening")], []
            """),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    top = tmp_path / "main.beancount"
    text = LEDGER.format(options='plugin "adds_pad"').replace(
        "2021-01-02 pad Assets:Cash Equity:Opening\n", ""
    )
    top.write_text(text, encoding="utf-8")
    assert_as_beancount(top, monkeypatch, "off")
    entries, _, _ = cache.load_file(top)
    assert [e.narration for e in entries if getattr(e, "flag", "") == "P"]  # padded


def counted_keys(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """A list that grows by one for each sort key ``module.name`` computes from now on."""
    keys: list[int] = []
    real = getattr(module, name)

    def counted(entry: Any) -> Any:
        keys.append(1)
        return real(entry)

    monkeypatch.setattr(module, name, counted)
    return keys


def test_fupins_plugin_is_not_sorted_after_but_a_countys_plugin_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_dir: Path
) -> None:
    """fupin's plugin hands back the sorted list it was given (with the depreciation on, a new
    sorted list): no sort after it (not one key computed). A county's plugin that reverses
    the list in place is sorted after, as Beancount does; the entries are Beancount's."""
    from fupin import transformations

    keys = counted_keys(monkeypatch, transformations, "_sortkey")
    (tmp_path / "reverses.py").write_text(
        "__plugins__ = ('rev',)\ndef rev(entries, options_map):\n"
        "    entries.reverse()\n    return entries, []\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    top = tmp_path / "main.beancount"
    ledger = LEDGER.replace('2021-03-03 document Assets:Bank "missing.pdf"\n', "").replace(
        "2021-01-02 pad Assets:Cash Equity:Opening\n", ""
    )  # no documents nor pads: Beancount's own passes would sort after them
    for plugins, sorted_keys in (('plugin "fupin.plugins"', 0), ('plugin "reverses"', 12)):
        keys.clear()
        top.write_text(ledger.format(options=plugins), encoding="utf-8")
        assert_as_beancount(top, monkeypatch, "off")
        assert len(keys) == sorted_keys, plugins  # the list, sorted once after the county's


def test_beancount_sorts_once_after_fupins_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a plain Beancount load (``bean-check``, Fava) fupin's plugin is one function, the
    depreciation its first step: Beancount sorts the ledger once after it, one key per
    entry (a sort of 300k entries is 0.33 CPU-s). ``tests/assets`` loads the depreciation
    through Beancount's loader too."""
    from beancount.core import data

    keys = counted_keys(monkeypatch, data, "entry_sortkey")
    monkeypatch.setenv("BEANCOUNT_DISABLE_LOAD_CACHE", "1")
    loader.initialize(use_cache=False)
    top = tmp_path / "main.beancount"
    counts = {}  # without the pad, whose transaction Beancount adds after our sort
    for plugins in ("", 'plugin "fupin.plugins"'):
        keys.clear()
        top.write_text(LEDGER.format(options=plugins).replace(PAD, ""), encoding="utf-8")
        entries, _, _ = loader.load_file(str(top))
        counts[plugins] = len(keys), len(entries)
    (bare, n), (ours, m) = counts.values()
    assert n == m  # no asset, no depreciation: the same entries
    assert ours - bare == n  # one sort more than bare Beancount, not two


PAD = "2021-01-02 pad Assets:Cash Equity:Opening\n"
