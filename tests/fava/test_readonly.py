"""Read-only serving: every write endpoint of Fava (and of the extension) refuses.

`fupin serve` runs Fava with ``read_only=True``; Fava then aborts every non-GET request
with 401 before a handler runs. The test finds the write routes from Flask's URL map (so a
route added by a future Fava is covered too), sends each a plausible write, and checks that
the ledger files did not change. The same request against an editable app on a copy of the
ledger is not refused, so the 401 comes from read-only mode and not from a bad request.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from flask import Flask
from fupin.reports.fava import (
    FupinAssets,
    FupinCompliance,
    FupinFunds,
    FupinHouseholds,
    FupinNotices,
    FupinProjects,
)
from fupin.reports.fava.serve import make_app

ROOT = Path(__file__).resolve().parents[2]

READS = {"GET", "HEAD", "OPTIONS"}
#: Bodies that would change files if they were accepted.
BODIES = {
    "/api/source": {
        "file_path": str(ROOT / "ledger" / "main.beancount"),
        "source": "",
        "sha256sum": "",
    },
    "/api/add_entries": {"entries": []},
    "/api/format_source": {"source": "2021-01-01 open Assets:X"},
}


def write_routes(app: Flask, slug: str) -> list[tuple[str, str]]:
    """(method, url) of every route that accepts a non-GET method."""
    out = []
    for rule in app.url_map.iter_rules():
        for method in sorted(set(rule.methods or ()) - READS):
            path = rule.rule.replace("<bfile>", quote(slug))
            path = path.replace("<extension_name>", "FupinCompliance").replace("<endpoint>", "data")
            path = re.sub(r"<[^>]+>", "x", path)
            out.append((method, path))
    return out


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_every_write_endpoint_refuses_in_read_only_mode(app: Flask) -> None:
    slug = app.config["LEDGERS"].first_slug()
    routes = write_routes(app, slug)
    methods = {m for m, _ in routes}
    assert {"PUT", "DELETE", "POST"} <= methods
    assert len(routes) >= 11  # Fava 1.30's ten write routes + the extension route's three
    before = digest(ROOT / "ledger")
    with app.test_client() as client:
        for method, url in routes:
            body = next((b for k, b in BODIES.items() if url.endswith(k)), {})
            response = client.open(url, method=method, json=body)
            assert response.status_code == 401, (method, url, response.status_code)
    assert digest(ROOT / "ledger") == before


def test_extension_endpoints_are_get_only() -> None:
    for page in (
        FupinCompliance,
        FupinFunds,
        FupinProjects,
        FupinAssets,
        FupinNotices,
        FupinHouseholds,
    ):
        keys = [key for func in vars(page).values() if (key := getattr(func, "endpoint_key", None))]
        assert keys, page
        assert all(methods == ["GET"] for _, methods in keys), page


def test_editable_mode_lets_writes_through(tmp_path: Path) -> None:
    """Contrast: the same request is handled (not 401) when `--editable` is given."""
    copy = tmp_path / "ledger"
    shutil.copytree(ROOT / "ledger", copy)
    app = make_app(copy / "main.beancount", editable=True)
    slug = quote(app.config["LEDGERS"].first_slug())
    with app.test_client() as client:
        response = client.put(
            f"/{slug}/api/format_source", json={"source": "2021-01-01 open Assets:X"}
        )
    assert response.status_code == 200
    assert response.get_json()["data"].startswith("2021-01-01 open Assets:X")


@pytest.mark.parametrize(("args", "read_only"), [((), True), (("--editable",), False)])
def test_fupin_serve_is_read_only_by_default(
    monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], read_only: bool
) -> None:
    """`fupin serve` builds the app read-only unless --editable (the server is not started)."""
    from fupin.reports.fava import serve

    from fupin.cli import main

    seen: dict[str, object] = {}

    def fake_run(
        app: Flask,
        host: str,
        port: int,
        socket: object = None,
        listening: Callable[[], object] = print,
    ) -> None:
        listening()
        with app.test_client() as client:
            slug = quote(app.config["LEDGERS"].first_slug())
            seen["put"] = client.put(f"/{slug}/api/format_source", json={"source": ""}).status_code
        seen["where"] = (host, port)

    monkeypatch.setattr(serve, "run", fake_run)
    result = CliRunner().invoke(main, ["serve", "--port", "5123", *args])
    assert result.exit_code == 0, result.output
    assert seen["where"] == ("127.0.0.1", 5123)
    assert (seen["put"] == 401) is read_only
    assert ("(只读)" in result.output) is read_only


def test_fupin_serve_warns_when_the_ledger_lacks_the_extension(
    monkeypatch: pytest.MonkeyPatch, write_ledger
) -> None:
    from fupin.reports.fava import serve

    from fupin.cli import main

    monkeypatch.setattr(serve, "run", lambda app, host, port, socket=None, listening=None: None)
    path = write_ledger("2021-01-01 open Assets:Cash CNY\n")
    result = CliRunner().invoke(main, ["serve", str(path)])
    assert result.exit_code == 0
    assert 'custom "fava-extension" "fupin.reports.fava"' in result.output


def test_fupin_serve_on_a_port_in_use_says_so_and_prints_no_address() -> None:
    """The real server (cheroot): the address is printed once it is listened on, so a port
    another program holds gives the error alone, never a URL that leads elsewhere."""
    import socket

    from fupin.cli import main

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"无法监听 127.0.0.1:{port}" in result.output
    assert "fupin serve (" not in result.output and "http://" not in result.output
    assert "Traceback" not in result.output


def test_fupin_serve_missing_ledger_exits_2() -> None:
    from fupin.cli import main

    result = CliRunner().invoke(main, ["serve", "no/such.beancount"])
    assert result.exit_code == 2
    assert "找不到账簿文件" in result.output
