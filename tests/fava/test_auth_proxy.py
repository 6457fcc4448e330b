"""docs/nginx-fupin.conf, run for real in front of `fupin serve` (skipped without nginx).

The shipped configuration is used as written, with only its ports, certificate, password
file and log paths pointed at a temporary folder: no password → 401, a wrong one → 401,
an auditor's → the page, any write → 403 from nginx, plain HTTP → redirect to HTTPS.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
OPENSSL = shutil.which("openssl")
CONF = ROOT / "docs" / "nginx-fupin.conf"

pytestmark = pytest.mark.skipif(
    NGINX is None or OPENSSL is None,
    reason="nginx or openssl not installed (apt-get install nginx-light)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def site_config(tmp: Path, upstream: int, http: int, https: int) -> str:
    """The shipped site config with local ports and paths; nothing else changed."""
    text = CONF.read_text(encoding="utf-8")
    text = text.replace("server 127.0.0.1:5000;", f"server 127.0.0.1:{upstream};")
    text = re.sub(r"^\s*listen \[::\].*$", "", text, flags=re.M)  # no IPv6 in CI
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http};")
    text = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;", text)
    text = text.replace("/etc/ssl/fupin/", f"{tmp}/")
    text = text.replace("/etc/nginx/fupin.htpasswd", f"{tmp}/fupin.htpasswd")
    text = text.replace("/var/log/nginx/", f"{tmp}/")
    assert text.count(str(tmp)) == 4 and f":{upstream};" in text
    return text


@pytest.fixture(scope="module")
def proxy(fupin_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("nginx")
    os.chmod(tmp, 0o755)
    subprocess.run(
        [
            OPENSSL,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(tmp / "privkey.pem"),
            "-out",
            str(tmp / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    sha = base64.b64encode(hashlib.sha1(b"audit-2024").digest()).decode()
    (tmp / "fupin.htpasswd").write_text(f"shenji:{{SHA}}{sha}\n", encoding="utf-8")
    upstream = int(fupin_server.rsplit(":", 1)[1])
    http, https = free_port(), free_port()
    (tmp / "site.conf").write_text(site_config(tmp, upstream, http, https), encoding="utf-8")
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(
        f"{user}pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\nevents {{}}\n"
        f"http {{\n  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;\n"
        f"  fastcgi_temp_path {tmp}/fcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;\n"
        f"  include {tmp}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    test = subprocess.run(
        [NGINX, "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")], capture_output=True, text=True
    )
    assert test.returncode == 0, test.stderr
    proc = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not (tmp / "nginx.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.3)
        yield f"https://127.0.0.1:{https}", f"http://127.0.0.1:{http}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def request(url: str, *, user: str | None = None, method: str = "GET") -> tuple[int, str]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    req = urllib.request.Request(url, method=method)
    if user:
        req.add_header("Authorization", "Basic " + base64.b64encode(user.encode()).decode())

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
    try:
        with opener.open(req, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def test_auditor_needs_a_password(proxy: tuple[str, str]) -> None:
    https, _ = proxy
    page = f"{https}/{quote('青山县衔接资金与扶贫资产台账示例')}/extension/FupinCompliance/"
    assert request(page)[0] == 401
    assert request(page, user="shenji:wrong")[0] == 401
    status, body = request(page, user="shenji:audit-2024")
    assert status == 200
    assert "合规检查" in body and "67.73%" in body


def test_writes_are_stopped_by_nginx(proxy: tuple[str, str]) -> None:
    https, _ = proxy
    url = f"{https}/{quote('青山县衔接资金与扶贫资产台账示例')}/api/source"
    for method in ("PUT", "POST", "DELETE"):
        assert request(url, user="shenji:audit-2024", method=method)[0] == 403


def test_plain_http_redirects_to_https(proxy: tuple[str, str]) -> None:
    _, http = proxy
    assert request(f"{http}/")[0] == 301
