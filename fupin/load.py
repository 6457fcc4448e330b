"""Load a ledger once and build everything the commands show from it.

The pickle cache of ``beancount.loader`` is switched off: a cache hit runs no plugin and is
keyed only on file times, so a change of rule code or policy defaults would go unseen.
Files are parsed and booked through :mod:`fupin.cache` instead (per file, keyed by content
hash and code versions; plugins and validation always run on the whole ledger).
"""

from __future__ import annotations

import datetime
import importlib.util
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beancount import loader
from beancount.parser.grammar import ParserError, ParserSyntaxError
from beancount.parser.lexer import LexerError

from fupin import cache, collector, session
from fupin.beancount_zh import translate
from fupin.book import Book, build_book
from fupin.engine import Results
from fupin.findings import Finding
from fupin.preflight import Checked, preflight, redact


def _sample_folder() -> Path:
    """Where the sample county is installed: the package ``fupin.sample`` (the repository's
    ``ledger/`` folder, mapped by package-dir; a wheel ships it as package data)."""
    spec = importlib.util.find_spec("fupin.sample")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(__file__).resolve().parent.parent / "ledger"  # a source tree without install


#: The sample county ledger shipped in ``ledger/``: what every command uses by default.
DEFAULT_LEDGER = _sample_folder() / "main.beancount"


def _installed(path: str | Path, folder: Path) -> bool:
    """Whether ``path`` lies in ``folder`` of the package as a wheel installs it (in
    site-packages; never in a source tree, whose sample is the repository's ``ledger/``)."""
    if DEFAULT_LEDGER.parent.resolve() == (Path(__file__).resolve().parent.parent / "ledger"):
        return False
    return Path(path).resolve().is_relative_to(folder.resolve())


def installed_sample(path: str | Path) -> bool:
    """Whether ``path`` lies in the installed sample county: no command writes there."""
    return _installed(path, DEFAULT_LEDGER.parent)


def installed_package(path: str | Path) -> bool:
    """Whether ``path`` lies in the installed package (the sample, the import examples …):
    no command writes or moves a file there."""
    return _installed(path, Path(__file__).resolve().parent)


def installed_sample_refusal(action: str) -> str:
    """Why ``action`` (封存, 写入密钥 …) is refused on the installed sample, and the copy to
    run it on instead."""
    folder = DEFAULT_LEDGER.parent
    return (
        f"示例账簿随软件安装在 {folder}, 不能在那里{action}; "
        f"请先复制一份 (cp -r {folder} qingshan), 再对 qingshan/main.beancount 操作"
    )


class LedgerUnreadable(Exception):
    """The file cannot be read or parsed (exit code 2)."""

    #: the files the preflight had reached when it stopped (a server keeps watching them)
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Loaded:
    """A loaded ledger: Beancount's own errors, the typed book and the rule results."""

    path: Path
    entries: list[Any]
    load_errors: list[Any]
    options: dict[str, Any]
    book: Book
    results: Results
    as_of: datetime.date | None = None  # the books as of this day (``--date``)

    @property
    def other_errors(self) -> list[Any]:
        """Beancount's own errors (the plugin's findings are in ``results``)."""
        return [e for e in self.load_errors if not isinstance(e, Finding)]


def resolve(path: str | Path | None) -> Path:
    """The named ledger, or the embedded sample ledger when none is named."""
    return Path(path) if path else DEFAULT_LEDGER


def load(
    path: str | Path | None = None,
    *,
    as_of: datetime.date | None = None,
    measures: bool = True,
) -> Loaded:
    """Load, validate and evaluate a ledger: one load, one book, one rule run.

    The book and results are the plugin's own, built during Beancount's load
    (:mod:`fupin.session`); only a ledger without the plugin, or whose entries changed after
    it ran, gets a book built here. With ``as_of``, the books as of that day: the entries
    after it are left out and the rules judge what was due by then. With ``measures=False``
    (``fupin check``: findings only) the rules build no compliance row for a check that holds,
    as in the plugin of a plain ``bean-check``; the findings are the same.

    The cyclic garbage collector is paused for the whole load and the objects it leaves
    (entries, book, results: kept until the command ends) are frozen before it comes back,
    so that it never walks them again (DESIGN.md, speed).
    """
    from fupin.plugins import evaluate  # the rules live with the plugin

    target = resolve(path)
    # issue 12: refuse what Beancount cannot read safely, before it reads; the bytes that
    # passed are the ones parsed
    checked = preflight(target)  # also: a missing or unreadable file, named
    out_of_reach = _plugin_out_of_reach(target, checked)  # before the loader takes the bytes
    os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
    loader.initialize(use_cache=False)
    # the cyclic GC makes large loads superlinear (DESIGN: speed); what the command keeps
    # until it ends (entries, book, results) is frozen when the collector comes back
    with collector.paused(freeze=True):
        with session.collecting(measures=measures, as_of=as_of):
            entries, errors, options = cache.load_file(target, checked)
            built = session.take(entries, measures=measures, as_of=as_of)
        fatal: list[Any] = [
            e
            for e in errors
            if isinstance(e, ParserError | ParserSyntaxError | LexerError)
            or type(e).__name__ == "LoadError"
        ]
        if fatal:
            lines = "\n".join(f"{_where(e)}: {translate(redact(e.message))}" for e in fatal[:10])
            raise LedgerUnreadable(f"{target}: 无法解析:\n{lines}")
        if as_of is not None:
            errors = [e for e in errors if isinstance(e, Finding) or _dated_by(e, as_of)]
        if built is not None:
            book, results = built.book, built.results
        else:
            book = build_book(entries, options, as_of=as_of)
            results = evaluate(book, keep_measures=measures)
        results.findings.extend(out_of_reach)
        loaded = Loaded(target, entries, errors, options, book, results, as_of)
    return loaded


_PLUGIN_LINE = re.compile(rb'^plugin\s+"fupin\.plugins"', re.MULTILINE)


def _plugin_out_of_reach(target: Path, checked: Checked) -> list[Finding]:
    """:func:`plugin_out_of_reach` on the bytes the preflight read."""
    return plugin_out_of_reach(
        target, checked.keys(), lambda name: checked[name][0] if name in checked else None
    )


def plugin_out_of_reach(
    target: str | Path, files: Iterable[str], read: Callable[[str], bytes | None]
) -> list[Finding]:
    """A ``plugin "fupin.plugins"`` line in an included file: Beancount runs the plugins
    of the top file only, so ``bean-check``, Fava and a pre-commit hook would run none of
    the rules that ``fupin check`` applies. An error at that line (``fupin check`` and the
    Fava pages). ``files``: the ledger's files; ``read``: a file's bytes (None: unreadable).
    Only the top file is read when it has the line."""
    from fupin.plugins.ledger_data import LedgerDataError

    top = os.path.realpath(target)
    own = read(top)
    if own is None or _PLUGIN_LINE.search(own):
        return []
    for name in sorted(set(files)):
        data = read(name) if name != top else None
        found = _PLUGIN_LINE.search(data) if data is not None else None
        if data is None or found is None:
            continue
        line = data.count(b"\n", 0, found.start()) + 1
        return [
            LedgerDataError(
                {"filename": name, "lineno": line},
                f'LEDGER error: plugin "fupin.plugins" 写在被 include 的文件中; Beancount 只执行'
                f"主文件的 plugin, bean-check 与 Fava 不会运行 fupin 的规则: 请移到 {Path(target).name}",
                None,
                rule="LEDGER",
            )
        ]
    return []


def _dated_by(error: Any, day: datetime.date) -> bool:
    """Whether a Beancount error concerns an entry dated on or before ``day``."""
    entry = getattr(error, "entry", None)
    date = getattr(entry, "date", None)
    return date is None or date <= day


def _where(error: Any) -> str:
    meta = error.source or {}
    return f"{meta.get('filename', '?')}:{meta.get('lineno', 0)}"
