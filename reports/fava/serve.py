"""``fupin serve``: Fava with the fupin pages, read-only unless asked otherwise.

Read-only is Fava's own mode (``create_app(read_only=True)``): every request that is not a
GET is refused with 401 before it reaches a handler, so the editor, the entry forms, file
uploads and the import page cannot change a file. Fava has no accounts of its own: put it
behind a reverse proxy with authentication (docs/auth-proxy.md) and bind it to 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


class ServeError(Exception):
    """A ledger that cannot be served (message for the user)."""


def make_app(ledger: Path, *, editable: bool = False) -> Flask:
    """The Fava app for one ledger, loaded now, read-only unless ``editable``."""
    from fava.application import create_app

    return create_app([str(ledger.resolve())], load=True, read_only=not editable)


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


def run(app: Flask, host: str, port: int, socket: Path | None = None) -> None:
    """Serve with cheroot (as ``fava`` does) until interrupted: on ``host:port``, or on the
    unix socket ``socket`` (mode 0660: only its owner and group connect; put it in a
    folder other accounts cannot enter, docs/auth-proxy.md)."""
    from cheroot.wsgi import Server

    where = f"{host}:{port}" if socket is None else str(socket)
    if socket is not None and socket.is_socket():
        socket.unlink()  # a stale socket of an earlier run
    server = Server((host, port) if socket is None else str(socket), app)
    try:
        server.prepare()
        if socket is not None:
            socket.chmod(0o660)  # cheroot leaves it 0777
        server.serve()
    except KeyboardInterrupt:
        server.stop()
    except OSError as error:
        raise ServeError(f"无法监听 {where}: {error}") from error
