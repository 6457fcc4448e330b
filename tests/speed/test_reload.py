"""``fupin serve`` over ten saves: memory stays flat, each reload takes the plugin's book.

After each reload the collector has freed the previous load (one collection, then a
freeze): the objects frozen after reload 10 are no more than after reload 2, the books of
earlier loads are gone, and the server's resident memory has not grown.
"""

from __future__ import annotations

import gc
import os
import shutil
import weakref
from pathlib import Path
from typing import Any

import pytest
from fupin.reports.fava import base
from fupin.reports.fava.serve import make_app

ROOT = Path(__file__).resolve().parent.parent.parent


def resident_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def sample_with_pages(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the sample with the fupin pages on: its top file and a file to save."""
    folder = tmp_path / "ledger"
    shutil.copytree(ROOT / "ledger", folder)
    main = folder / "main.beancount"
    main.write_text(
        main.read_text(encoding="utf-8")
        + '\n2020-01-01 custom "fava-extension" "fupin.reports.fava"\n',
        encoding="utf-8",
    )
    return main, folder / "benefits-2022.beancount"


def test_ten_reloads_keep_memory_flat(tmp_path: Path) -> None:
    main, benefits = sample_with_pages(tmp_path)
    original = benefits.read_text(encoding="utf-8")
    app = make_app(main)
    ledger = app.config["LEDGERS"][app.config["LEDGERS"].first_slug()]
    frozen: list[int] = []
    resident: list[float] = []
    books: list[weakref.ref[object]] = []
    for k in range(1, 11):
        benefits.write_text(original + f"\n; save {k}\n", encoding="utf-8")
        ledger.load_file()  # what Fava does when it sees the save
        snap = base.snapshot(ledger)
        assert snap.entries is ledger.all_entries
        books.append(weakref.ref(snap.book))
        del snap
        assert gc.isenabled()
        frozen.append(gc.get_freeze_count())
        resident.append(resident_mib())
    assert frozen[-1] <= frozen[1] * 1.02, frozen
    assert resident[-1] <= resident[1] + 8, resident
    assert all(ref() is None for ref in books[:-2]), "an old load's book is still alive"


def test_a_save_that_fails_the_preflight_is_an_error_and_the_fix_reloads(tmp_path: Path) -> None:
    """Every reload is preflighted, as the start is: the register saved over a ledger file is
    one error on Fava's error page (nothing of it echoed), and saving the fix reloads."""
    main, benefits = sample_with_pages(tmp_path)
    original = benefits.read_text(encoding="utf-8")
    register = (ROOT / "ledger" / "register" / "households.csv").read_bytes()
    app = make_app(main)
    slug = app.config["LEDGERS"].first_slug()
    ledger = app.config["LEDGERS"][slug]
    count = len(ledger.all_entries)
    benefits.write_bytes(register)
    ledger.load_file()
    assert ledger.all_entries == []
    (error,) = ledger.load_errors
    assert "benefits-2022.beancount:1" in error.message and "CSV" in error.message
    assert str(benefits) in ledger.options["include"]  # still watched
    page = app.test_client().get(f"/{slug}/errors/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "benefits-2022.beancount:1" in text
    ids = {cell for row in register.decode().splitlines() for cell in row.split(",")}
    assert not [cell for cell in ids if len(cell) >= 11 and cell.isdigit() and cell in text]
    benefits.write_text(original, encoding="utf-8")
    ledger.load_file()
    assert len(ledger.all_entries) == count
    assert not [e for e in ledger.load_errors if "CSV" in e.message]


def test_the_start_preflight_is_the_first_loads(tmp_path: Path, monkeypatch: Any) -> None:
    """``fupin serve`` checks the ledger before it starts and hands what passed to the
    first load: those bytes are parsed, not checked again; a save is checked as always."""
    from fupin.reports.fava import serve

    from fupin.preflight import preflight

    main, benefits = sample_with_pages(tmp_path)
    checked = preflight(main)
    original = benefits.read_text(encoding="utf-8")
    saved = '\n2022-12-31 note Assets:Treasury:XJ-2022 "后来写的"\n'
    benefits.write_text(original + saved, encoding="utf-8")
    calls: list[str] = []

    def counted(path: str | Path) -> Any:
        calls.append(str(path))
        return preflight(path)

    monkeypatch.setattr(serve, "preflight", counted)
    app = make_app(main, checked=checked)
    ledger = app.config["LEDGERS"][app.config["LEDGERS"].first_slug()]

    def later() -> int:  # the note written after the start's check, as loaded
        return sum(getattr(e, "comment", None) == "后来写的" for e in ledger.all_entries)

    assert calls == [] and later() == 0  # the bytes checked at the start, not the file now
    ledger.load_file()  # the save seen
    assert calls == [str(main.resolve())] and later() == 1


def _state(entries: list[Any], errors: list[Any], findings: list[Any]) -> tuple[list[str], ...]:
    """What a load shows, as text: every entry with its place, every error and finding."""
    from beancount.parser import printer

    return (
        [f"{e.meta['filename']}:{e.meta['lineno']}\n{printer.format_entry(e)}" for e in entries],
        sorted(f"{type(e).__name__} {e.source} {e.message}" for e in errors),
        [f"{f.rule} {f.severity} {f.source} {f.message} {f.value}" for f in findings],
    )


def test_a_reload_takes_the_unchanged_files_entries_and_shows_what_a_cold_load_shows(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """After a save the server reuses every unchanged file's entries (the very objects of
    the load before) and parses the saved file alone; what it shows is what a load of the
    same files from nothing shows, save after save."""
    from fupin import cache, load

    main, benefits = sample_with_pages(tmp_path)
    original = benefits.read_text(encoding="utf-8")
    app = make_app(main)
    ledger = app.config["LEDGERS"][app.config["LEDGERS"].first_slug()]
    assert cache.LAST.held == 0  # the first load has nothing to take
    before = {id(e) for e in ledger.all_entries}
    for k, amount in enumerate(("2500.00", "2600.00"), start=1):
        text = original.replace("2400.00 CNY", f"{amount} CNY", 1)
        text = text.replace("-2400.00 CNY", f"-{amount} CNY", 1)
        benefits.write_text(text + f"\n; save {k}\n", encoding="utf-8")
        ledger.load_file()
        stats = cache.LAST
        assert stats.parsed == 1 and stats.names == [str(benefits)]
        assert stats.held == stats.files - 1 > 10
        ours = [e for e in ledger.all_entries if e.meta.get("filename") != str(benefits)]
        kept = sum(id(e) in before for e in ours)
        assert kept >= 0.95 * len(ours)  # the same objects (documents and pads are new)
        before = {id(e) for e in ledger.all_entries}
        snap = base.snapshot(ledger)
        shown = _state(ledger.all_entries, ledger.load_errors, list(snap.results.findings))
        del snap
        with monkeypatch.context() as m:
            m.setenv("FUPIN_CACHE", "off")
            cold = load.load(main)
        assert cache.LAST.held == 0
        assert shown == _state(cold.entries, cold.load_errors, list(cold.results.findings))
        assert any(f"{amount} CNY" in text for text in shown[0])


@pytest.mark.parametrize(
    ("plugin", "reused"),
    [
        ("fava.plugins.link_documents", False),  # a plugin of someone else's
        ("beancount.plugins.check_closing", False),  # replaces a posting in place
        ("beancount.plugins.auto_accounts", True),  # returns new entries only
    ],
)
def test_entries_are_reused_only_under_plugins_that_leave_them_alone(
    tmp_path: Path, plugin: str, reused: bool
) -> None:
    """A plugin that may change entries in place (one that is neither fupin's nor one of
    Beancount's known to return new entries) gets fresh entries on every reload: each
    unchanged file is read from its record on disk again."""
    from fupin import cache

    main, benefits = sample_with_pages(tmp_path)
    main.write_text(f'plugin "{plugin}"\n' + main.read_text(encoding="utf-8"), encoding="utf-8")
    app = make_app(main)
    ledger = app.config["LEDGERS"][app.config["LEDGERS"].first_slug()]
    benefits.write_text(benefits.read_text(encoding="utf-8") + "\n; saved\n", encoding="utf-8")
    ledger.load_file()
    stats = cache.LAST
    assert stats.parsed == 1 and stats.hits == stats.files - 1
    assert stats.held == (stats.hits if reused else 0)


def test_the_old_book_is_freed_before_the_new_load_is_built(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A reload lets go of the previous load's book and findings before it parses, so that
    the new load is built in the memory they held (the server's size stays flat)."""
    from fupin import cache

    main, benefits = sample_with_pages(tmp_path)
    app = make_app(main)
    ledger = app.config["LEDGERS"][app.config["LEDGERS"].first_slug()]
    old = base.snapshot(ledger)
    book, findings = weakref.ref(old.book), old.results.findings
    assert len(findings) > 0
    findings_alive = weakref.ref(old.results)
    del old
    seen: list[tuple[object, object]] = []
    plain = cache.load_file

    def watched(*args: Any) -> Any:
        seen.append((book(), findings_alive()))
        return plain(*args)

    monkeypatch.setattr(cache, "load_file", watched)
    benefits.write_text(benefits.read_text(encoding="utf-8") + "\n; saved\n", encoding="utf-8")
    ledger.load_file()
    assert seen == [(None, None)]
    assert base.snapshot(ledger).results.findings == findings  # the same findings again
