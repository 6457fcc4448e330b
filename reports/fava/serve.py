"""``fupin serve``: Fava with the fupin pages, read-only unless asked otherwise.

Read-only is Fava's own mode (``create_app(read_only=True)``): every request that is not a
GET is refused with 401 before it reaches a handler, so the editor, the entry forms, file
uploads and the import page cannot change a file. Fava has no accounts of its own: put it
behind a reverse proxy with authentication (the guide and nginx site in ``proxy/``, printed by
``fupin serve --proxy-guide`` and ``--nginx-example``) and bind it to 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount import loader
from beancount.core import data
from beancount.parser import parser

from fupin import cache, collector, load_inputs
from fupin.load import LedgerUnreadable
from fupin.preflight import Checked, preflight

if TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

EXTENSION = "fupin.reports.fava"
PAGES = (
    "FupinCompliance",
    "FupinFunds",
    "FupinProjects",
    "FupinAssets",
    "FupinNotices",
    "FupinHouseholds",  # issue 15
)


#: what a county puts in front of ``fupin serve``, shipped in the package (``proxy/``)
PROXY_FILES = {"guide": "auth-proxy.md", "nginx": "nginx-fupin.conf"}


def proxy_file(kind: str) -> str:
    """The shipped proxy guide (``guide``) or nginx site (``nginx``), as text."""
    from importlib import resources

    folder = resources.files("fupin.reports.fava") / "proxy"
    return (folder / PROXY_FILES[kind]).read_text(encoding="utf-8")


class ServeError(Exception):
    """A ledger that cannot be served (message for the user)."""


def make_app(ledger: Path, *, editable: bool = False, checked: Checked | None = None) -> Flask:
    """The Fava app for one ledger, loaded now, read-only unless ``editable``.

    ``checked``: what ``fupin serve`` preflighted before starting (:func:`preflight`'s
    result for ``ledger``); the first load parses those bytes instead of checking again.
    """
    from fava.application import create_app

    install()
    top = str(ledger.resolve())
    if checked is not None:
        _PRECHECKED[top] = checked
    try:
        return create_app([top], load=True, read_only=not editable)
    finally:
        _PRECHECKED.pop(top, None)


#: a ledger's preflight made before its first load (taken by that load only)
_PRECHECKED: dict[str, Checked] = {}


def install() -> None:
    """Every load of this process's Fava ledgers (the first and each reload after a save):

    * every file preflighted first (:func:`fupin.preflight.preflight`, as ``fupin serve``
      does at start): a saved file Beancount would crash on or echo is one error on Fava's
      error page, and the bytes that passed are the bytes parsed;
    * files parsed and booked through :mod:`fupin.cache` (only the files that changed),
      the unchanged files' entries those of the previous load (:class:`fupin.cache.Held`);
    * the files the load read besides the books watched too (:func:`watch.attach`: the
      register, digest lists, evidence files), also for a ledger without the fupin pages;
    * the cyclic collector paused for the whole load, Fava's own modules and the fupin
      pages included; at its end one collection frees the previous load's cyclic garbage,
      then what is alive is frozen (:func:`fupin.collector.paused` with ``reclaim``).

    Fava has no hook before a load, so this wraps ``FavaLedger.load_file`` and the loader
    function it calls (``fava.core.load_uncached``): in ``fupin serve``'s process only.
    """
    import fava.core as core
    from fupin.reports.fava import watch

    if getattr(core.FavaLedger.load_file, "_fupin", False):
        return
    plain_load_file = core.FavaLedger.load_file
    plain_loader = vars(core)["load_uncached"]  # the name fava.core imported and calls

    last: dict[str, dict[str, Any]] = {}  # each ledger's options of its last good load
    held: dict[str, cache.Held] = {}  # each ledger's records of its last load

    def load_file(self: core.FavaLedger) -> None:
        _drop_derived(self)
        with collector.paused(freeze=True, reclaim=True):
            plain_load_file(self)
        watch.attach(self)  # the files the rules read, with or without the fupin pages

    def load_uncached(beancount_file_path: str, *, is_encrypted: bool) -> Any:
        if is_encrypted:
            return plain_loader(beancount_file_path, is_encrypted=True)
        checked = _PRECHECKED.pop(beancount_file_path, None)  # the start's, once
        try:  # every reload, as at start: nothing Beancount would crash on or echo
            if checked is None:
                checked = preflight(beancount_file_path)
        except LedgerUnreadable as exc:
            return unreadable(beancount_file_path, exc, last.get(beancount_file_path))
        kept = held.setdefault(beancount_file_path, cache.Held())
        loaded = cache.load_file(beancount_file_path, checked, kept)
        last[beancount_file_path] = loaded[2]
        return loaded

    load_file._fupin = True  # type: ignore[attr-defined]
    core.FavaLedger.load_file = load_file  # type: ignore[method-assign]
    vars(core)["load_uncached"] = load_uncached


def _drop_derived(ledger: Any) -> None:
    """Before a reload: let go of what the previous load derived and a request rebuilds on
    demand (Fava's filtered views, the fupin pages' snapshot, book and findings), so that it
    is freed before the new load is built rather than after, and the new one takes its
    place in memory. A request served meanwhile rebuilds from the entries it still holds."""
    from fupin.reports.fava import base

    ledger.get_filtered.cache_clear()
    base.forget(ledger)


def unreadable(top: str, exc: LedgerUnreadable, last: dict[str, Any] | None) -> Any:
    """What a reload shows when a saved file fails the preflight: no entries, the one error
    (on Fava's error page, the file's content not echoed), the last good load's options (its
    title keeps the ledger's address), and the files to keep watching, so that the next save
    reloads again."""
    options = dict(last) if last is not None else parser.parse_string("")[2]
    options.pop(load_inputs.KEY, None)  # no rule ran on this load
    options["filename"] = top
    options["include"] = sorted({top, *options.get("include", ()), *exc.files})
    return [], [loader.LoadError(data.new_metadata(top, 0), str(exc), None)], options


def pages(app: Flask) -> list[str]:
    """The fupin pages the (first) ledger enables: none without the fava-extension line."""
    ledgers = app.config["LEDGERS"]
    ledger = ledgers[ledgers.first_slug()]
    names = {ext.name for ext in ledger.extensions.extension_details}
    return [page for page in PAGES if page in names]


def first_url(app: Flask, host: str, port: int) -> str:
    """Where the compliance page of the (first) ledger is served."""
    from urllib.parse import quote

    slug = app.config["LEDGERS"].first_slug()
    return f"http://{host}:{port}/{quote(slug)}/extension/FupinCompliance/"


def run(
    app: Flask,
    host: str,
    port: int,
    socket: Path | None = None,
    listening: Callable[[], object] | None = None,
) -> None:
    """Serve with cheroot (as ``fava`` does) until interrupted: on ``host:port``, or on the
    unix socket ``socket`` (mode 0660: only its owner and group connect; put it in a
    folder other accounts cannot enter: ``fupin serve --proxy-guide``). ``listening`` is
    called once the address is bound, before the first request is served."""
    from cheroot.wsgi import Server

    where = f"{host}:{port}" if socket is None else str(socket)
    if socket is not None and socket.is_socket():
        socket.unlink()  # a stale socket of an earlier run
    server = Server((host, port) if socket is None else str(socket), app)
    try:
        server.prepare()
        if socket is not None:
            socket.chmod(0o660)  # cheroot leaves it 0777
        if listening is not None:
            listening()
        server.serve()
    except KeyboardInterrupt:
        server.stop()
    except OSError as error:
        raise ServeError(f"无法监听 {where}: {error}") from error
