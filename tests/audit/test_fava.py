"""The 审计 Fava page and the document links, through Fava's own test client."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import quote

from audit_helpers import edit
from fupin.reports.fava.serve import make_app


def client_of(path: Path):  # type: ignore[no-untyped-def]
    app = make_app(path)
    return app.test_client(), "/" + quote(app.config["LEDGERS"].first_slug())


def test_audit_page_shows_seals_evidence_and_links(sample: Path) -> None:
    client, base = client_of(sample)
    page = client.get(f"{base}/extension/FupinAudit/")
    assert page.status_code == 200
    html = unescape(page.text)
    assert "审计留痕 — 封存、证据与更正" in html and "✓ 完好" in html
    assert "账簿起始 至 2021-12-31" in html and "无发现" in html
    links = re.findall(r'href="([^"]*/document/\?filename=[^"]*)"', page.text)
    assert len(links) >= 150  # one per stage's file on the first page and the payments
    for link in links[:3]:
        got = client.get(unescape(link))
        assert got.status_code == 200 and got.data.startswith(b"%PDF-1.4")
    data = json.loads(client.get(f"{base}/extension/FupinAudit/data").text)
    assert data["seals"][0]["period"] == "2021-12" and data["seals"][0]["status"] == "ok"


def test_fava_statement_links_resolve_to_the_evidence(sample: Path) -> None:
    """Fava's own Documents list and its document route serve every evidence file."""
    app = make_app(sample)
    ledger = app.config["LEDGERS"][app.config["LEDGERS"].first_slug()]
    documents = ledger.all_entries_by_type.Document
    assert len(documents) >= 150
    client, base = client_of(sample)
    got = client.get(f"{base}/document/", query_string={"filename": documents[0].filename})
    assert got.status_code == 200 and got.data.startswith(b"%PDF")


def test_audit_page_after_tampering(sample: Path) -> None:
    edit(
        sample.parent / "xianjie-2021.beancount",
        "Expenses:Industry:Livestock  413000.00 CNY",
        "Expenses:Industry:Livestock  414000.00 CNY",
    )
    (sample.parent / "documents/P-2021-001/2021-11-03-accepted-acceptance.pdf").write_bytes(b"x")
    client, base = client_of(sample)
    html = unescape(client.get(f"{base}/extension/FupinAudit/").text)
    assert "✗ 内容被改动 1 处" in html
    assert "A01 error: 封存期 2021-12 内记录被改动" in html
    assert "A04 error: 证据文件哈希不符" in html and "哈希不符 (文件被替换或改动)" in html


def test_audit_page_is_get_only_and_serves_declared_files_only(sample: Path) -> None:
    client, base = client_of(sample)
    assert client.post(f"{base}/extension/FupinAudit/data").status_code in (
        401,
        405,
    )  # read-only Fava aborts every non-GET
    for path in ("../main.beancount", "P-2021-001/none.pdf", "/etc/passwd"):
        got = client.get(f"{base}/extension/FupinAudit/evidence", query_string={"path": path})
        assert got.status_code == 404, path


def test_inline_evidence_is_served_by_the_page(write_ledger, tmp_path: Path) -> None:
    import hashlib

    from test_evidence import BOOKS

    data = b"%PDF-1.4 approval\n"
    (tmp_path / "documents" / "P-1").mkdir(parents=True)
    (tmp_path / "documents" / "P-1" / "a.pdf").write_bytes(data)
    meta = f'  evidence: "approval P-1/a.pdf sha256:{hashlib.sha256(data).hexdigest()}"'
    path = write_ledger(
        BOOKS.replace("{stage_meta}", meta)
        + '2021-01-01 custom "fava-extension" "fupin.reports.fava"\n'
    )
    client, base = client_of(path)
    page = client.get(f"{base}/extension/FupinAudit/")
    assert page.status_code == 200 and "evidence?path=P-1" in unescape(page.text)
    got = client.get(f"{base}/extension/FupinAudit/evidence", query_string={"path": "P-1/a.pdf"})
    assert got.status_code == 200 and got.data == data
