"""Fixtures for the Fava pages: a read-only Fava app on the sample ledger, its test client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from fupin.reports.fava.serve import make_app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "ledger" / "main.beancount"
AUDIT = ROOT / "ledger" / "audit-sample" / "main.beancount"


@pytest.fixture(scope="session")
def app() -> Flask:
    """Fava in read-only mode (``fupin serve``'s default) on the sample ledger."""
    return make_app(SAMPLE)


@pytest.fixture(scope="session")
def editable_app() -> Flask:
    return make_app(SAMPLE, editable=True)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as test_client:
        yield test_client


@pytest.fixture(scope="session")
def base(app: Flask) -> str:
    """``/<slug>``: the ledger's URL prefix."""
    return "/" + quote(app.config["LEDGERS"].first_slug())


@pytest.fixture
def page(client: FlaskClient, base: str) -> Any:
    """GET an extension page (or endpoint) and return its text, asserting 200."""

    def get(name: str, path: str = "", **args: str) -> str:
        response = client.get(f"{base}/extension/{name}/{path}", query_string=args)
        assert response.status_code == 200, response.text[:2000]
        return response.text

    return get


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def fupin_server() -> Iterator[str]:
    """`fupin serve` (read-only, the default) on 127.0.0.1 in a subprocess; its base URL."""
    yield from serve()


@pytest.fixture(scope="session")
def audit_server() -> Iterator[str]:
    """`fupin serve ledger/audit-sample/main.beancount` (read-only); its base URL."""
    yield from serve(AUDIT)


def serve(*ledger: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    fupin = Path(sys.executable).parent / "fupin"
    proc = subprocess.Popen(
        [str(fupin), "serve", *map(str, ledger), "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(url + "/", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    out = proc.stdout.read().decode() if proc.stdout else ""
                    pytest.fail(f"fupin serve did not start:\n{out}")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
