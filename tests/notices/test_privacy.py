"""The privacy lint over rendered HTML and the keyed check codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from fupin.reports.notice_privacy import (
    PrivacyHit,
    check_code,
    html_text,
    lint_html,
    lint_pdf,
    pdf_text,
)

SECRET = b"county-secret-of-test-0123456789"


@pytest.mark.parametrize(
    ("markup", "label"),
    [
        ("<td>410522199001011234</td>", "身份证号"),
        ("<p>身份证41052219900101123X号</p>", "身份证号"),
        ("<td>4105221990\u200b01011234</td>", "身份证号"),  # zero-width space inside
        ("<td>410522.19900101.1234</td>", "身份证号"),
        ("<td>410522900101123</td>", "身份证号"),  # 15-digit
        ("<p>电话13812345678</p>", "手机号"),
        ("<td>+86 138 0013 8048</td>", "手机号"),
        ("<td>138／0013／8048</td>", "手机号"),
        ("<td>138<span></span>0013<b>8048</b></td>", "手机号"),  # inline tags join
        ("<p>账号6228\u30004804\u30000256\u30004890\u3000018。</p>", "银行卡号"),
        ('<a href="城关镇/13800138048.html">x</a>', "手机号"),  # a link target
        ("<title>13800138048</title>", "手机号"),
    ],
)
def test_lint_finds_full_numbers(markup: str, label: str) -> None:
    hits = lint_html("N-1", "N-1.html", markup)
    assert [h.label for h in hits][:1] == [label]
    assert not any(c.isdigit() for c in str(hits[0]).split("N-1", 2)[-1])  # no digits shown


def test_lint_passes_masked_numbers_amounts_dates_landlines() -> None:
    markup = (
        "<td>410522********1234</td><td>138****5678</td><td>****8846</td>"
        "<td>1,200,000.00</td><td>2021-01-11</td><td>0379-6655123</td><td>12317</td>"
        "<td>120.0000</td><td>5YOA-JU5B</td><td>0371-12317</td><td>财农〔2021〕19号</td>"
    )
    assert lint_html("N-1", "N-1.html", markup) == []


def test_cells_are_separate_numbers() -> None:
    """Two numbers in two table cells are two numbers, not one joined phone number."""
    blocks, _ = html_text("<tr><td>1380</td><td>0138048</td></tr>")
    assert blocks == ["1380", "0138048"]
    assert lint_html("N-1", "x", "<tr><td>1380</td><td>0138048</td></tr>") == []


def test_terms_only_where_asked() -> None:
    markup = "<tr><td>钱豪</td><td>慢性病救助</td></tr>"
    assert lint_html("N-1", "x", markup) == []
    (hit,) = lint_html("N-1", "x", markup, terms=("慢性病", "因病"))
    assert hit == PrivacyHit("N-1", "健康状况或致贫原因", "x", "慢性病")


def test_codes_differ_between_notices_and_households() -> None:
    a = check_code(SECRET, "N-2022-IR01", "H-SQ-001")
    assert a == check_code(SECRET, "N-2022-IR01", "H-SQ-001")
    assert a != check_code(SECRET, "N-2022-IR02", "H-SQ-001")
    assert a != check_code(SECRET, "N-2022-IR01", "H-SQ-002")
    assert len(a) == 9 and a[4] == "-"  # 8 base-32 characters: 40 bits


def test_codes_cannot_be_reversed_without_the_secret() -> None:
    households = [f"H-SQ-{n:03d}" for n in range(1, 1000)]
    code = check_code(SECRET, "N-2022-IR01", "H-SQ-007")
    # A wrong secret finds no household behind the code.
    wrong = b"another-county-secret-0123456789"
    assert all(check_code(wrong, "N-2022-IR01", h) != code for h in households)
    # With the secret, exactly the right one matches.
    assert [h for h in households if check_code(SECRET, "N-2022-IR01", h) == code] == ["H-SQ-007"]


def test_a_code_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        check_code(b"", "N-1", "H-SQ-001")


def test_pdf_text_with_poppler_and_with_pypdf_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weasyprint import HTML

    path = tmp_path / "n.pdf"
    HTML(string="<title>标题</title><p>联系电话 138 0013 8048</p>").write_pdf(path)
    with_poppler = pdf_text(path)
    monkeypatch.setattr("fupin.reports.notice_privacy.shutil.which", lambda _name: None)
    alone = pdf_text(path)
    for pages, meta in (with_poppler, alone):
        assert len(pages) == 1 and "标题" in meta
        (hit,) = lint_pdf([("N-1", 0, 1)], path, "n.pdf")
        assert hit.label == "手机号" and "PDF text" in hit.where
        assert "138" in pages[0]
