"""The Fava 公示 page renders list notices with the key the CLI uses, PDFs one at a time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from fupin.reports.fava.serve import make_app
from fupin.reports.notice_privacy import check_code

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def app(sample_secret: bytes) -> Flask:
    return make_app(ROOT / "ledger" / "main.beancount")


def _url(app: Flask, endpoint: str) -> str:
    return f"/{quote(app.config['LEDGERS'].first_slug())}/extension/FupinNotices/{endpoint}"


def test_list_preview_uses_the_key_beside_the_register(app: Flask, sample_secret: bytes) -> None:
    with app.test_client() as client:
        response = client.get(_url(app, "preview"), query_string={"notice": "N-2022-IR01"})
    assert response.status_code == 200
    text = response.text
    assert "无法生成" not in text and "secret" not in text
    assert check_code(sample_secret, "N-2022-IR01", "H-SQ-001") in text


def test_concurrent_pdf_downloads_all_arrive(app: Flask) -> None:
    ids = ["N-2021-F01", "N-2021-P001-V", "N-2022-IR01", "N-2021-S001"]

    def get(ident: str) -> bytes:
        with app.test_client() as client:
            response = client.get(_url(app, "pdf"), query_string={"notice": ident})
            assert response.status_code == 200
            return bytes(response.data)

    with ThreadPoolExecutor(4) as pool:
        pdfs = list(pool.map(get, ids))
    assert all(pdf.startswith(b"%PDF") for pdf in pdfs)
    assert len(set(pdfs)) == len(ids)
