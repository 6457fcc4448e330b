"""Fixtures for the Fava pages: a read-only Fava app on the sample ledger, its test client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
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
    """`fupin serve [LEDGER]` on a free loopback port until the caller is done; its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            urllib.request.urlopen(url + "/", timeout=2)
        except OSError:
            return False
        return True

    for _ in start_fupin_serve(
        [*map(str, ledger), "--host", "127.0.0.1", "--port", str(port)], ready
    ):
        yield url


@pytest.fixture(scope="session")
def run_fupin_serve() -> Callable[[list[str], Callable[[], bool]], Iterator[None]]:
    """:func:`start_fupin_serve`, for tests that serve in their own way (a unix socket)."""
    return start_fupin_serve


def start_fupin_serve(args: list[str], ready: Callable[[], bool]) -> Iterator[None]:
    """Run `fupin serve ARGS` (read-only) in a subprocess until ``ready()``, then yield;
    stop it afterwards. Fails the test with its output if it exits or takes 90 s."""
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    fupin = Path(sys.executable).parent / "fupin"
    proc = subprocess.Popen(
        [str(fupin), "serve", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while not ready():
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                out = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"fupin serve {' '.join(args)} did not start:\n{out}")
            time.sleep(0.2)
        yield None
    finally:
        proc.terminate()
        proc.wait(timeout=10)
