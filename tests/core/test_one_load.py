"""Issue 11/19: one load — the book and rule results the plugin built are the ones every
command and the Fava pages use; no second build or rule pass per load."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import fupin.plugins
import pytest
from fupin.reports.fava.base import snapshot
from fupin.reports.fava.serve import make_app

import fupin.load
from fupin import session
from fupin.load import load

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "ledger" / "main.beancount"


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every book the plugin publishes, and a count of book builds outside the plugin."""
    seen: list[Any] = []
    real = session.publish

    def spy(entries: Any, book: Any, results: Any, measures: bool, *rest: Any) -> None:
        seen.append(book)
        real(entries, book, results, measures, *rest)

    monkeypatch.setattr(session, "publish", spy)
    builds = {"outside": 0}
    real_build = fupin.load.build_book

    def counting(*args: Any, **kwargs: Any) -> Any:
        builds["outside"] += 1
        return real_build(*args, **kwargs)

    monkeypatch.setattr(fupin.load, "build_book", counting)
    seen.append(builds)
    return seen


def test_fupin_load_uses_the_plugins_book(published: list[Any]) -> None:
    loaded = load(SAMPLE)
    builds, books = published[0], published[1:]
    assert len(books) == 1 and books[0] is loaded.book  # one build, by the plugin
    assert builds["outside"] == 0
    assert loaded.results.measures, "the plugin kept the compliance rows for the command"


def test_bean_check_keeps_nothing(published: list[Any]) -> None:
    """A plain load with the plugin (bean-check) builds no compliance rows and keeps nothing."""
    from beancount import loader

    session.serve_mode(False)
    try:
        loader.load_file(str(SAMPLE))
    finally:
        session.serve_mode(True)  # the Fava modules imported above switch it on
    assert session.take([]) is None


def test_as_of_builds_the_cut_book_once(published: list[Any]) -> None:
    """``--date``: the plugin itself builds the book as of that day; nothing is rebuilt."""
    loaded = load(SAMPLE, as_of=datetime.date(2021, 6, 30))
    assert published[0]["outside"] == 0
    books = [b for b in published[1:] if not isinstance(b, dict)]
    assert len(books) == 1 and books[0] is loaded.book
    assert loaded.book.last_date == datetime.date(2021, 6, 30)


def test_fava_pages_use_the_plugins_book(published: list[Any]) -> None:
    app = make_app(SAMPLE)
    ledger = app.config["LEDGERS"][app.config["LEDGERS"].first_slug()]
    books = [b for b in published[1:] if not isinstance(b, dict)]
    assert snapshot(ledger).book is books[-1]
    ledger.load_file()  # a reload (a save): again the plugin's own book
    books = [b for b in published[1:] if not isinstance(b, dict)]
    assert snapshot(ledger).book is books[-1]


def test_a_plugin_after_ours_makes_the_caller_build_its_own(
    tmp_path: Path, published: list[Any]
) -> None:
    """Entries changed after our plugin ran (another plugin adds one): the caller sees the
    final entries, so it builds the book from them."""
    plugin = tmp_path / "addone.py"
    plugin.write_text(
        "from beancount.core import data\n"
        "__plugins__ = ('add',)\n"
        "def add(entries, options):\n"
        "    meta = data.new_metadata('<addone>', 0)\n"
        "    note = data.Note(meta, entries[-1].date, 'Assets:Treasury:XJ-2021', 'x', None, None)\n"
        "    return entries + [note], []\n"
    )
    main = tmp_path / "main.beancount"
    main.write_text(f'include "{SAMPLE}"\nplugin "addone"\n', encoding="utf-8")
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        loaded = load(main)
    finally:
        sys.path.remove(str(tmp_path))
    assert published[0]["outside"] == 1
    assert loaded.book.entries[-1].meta["filename"] == "<addone>"
    assert fupin.plugins.RULES  # the rules ran on the final entries too
