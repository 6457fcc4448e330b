"""The privacy lint and the keyed check codes."""

from __future__ import annotations

import pytest
from fupin.reports.notice_privacy import check_code, lint

SECRET = b"county-secret-of-test-0123456789"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("<td>410522199001011234</td>", "身份证号"),
        ("身份证41052219900101123X号", "身份证号"),
        ("电话13812345678", "手机号"),
        ("<td>138 1234 5678</td>", "手机号"),
        ("<td>138-1234-5678</td>", "手机号"),
        ("账号6228832886325208846。", "银行账号"),
    ],
)
def test_lint_finds_full_numbers(text: str, kind: str) -> None:
    hits = lint("N-1", text)
    assert [h.kind for h in hits][:1] == [kind]
    assert "…" in hits[0].masked  # the report never repeats the number in full


def test_lint_passes_masked_numbers_amounts_dates_landlines() -> None:
    text = (
        "<td>410522********1234</td><td>138****5678</td><td>****8846</td>"
        "<td>1,200,000.00</td><td>2021-01-11</td><td>0379-6655123</td><td>12317</td>"
        "<td>120.0000</td><td>5YO-JU5</td>"
    )
    assert lint("N-1", text) == []


def test_codes_differ_between_notices_and_households() -> None:
    a = check_code(SECRET, "N-2022-IR01", "H-SQ-001")
    assert a == check_code(SECRET, "N-2022-IR01", "H-SQ-001")
    assert a != check_code(SECRET, "N-2022-IR02", "H-SQ-001")
    assert a != check_code(SECRET, "N-2022-IR01", "H-SQ-002")
    assert len(a) == 7 and a[3] == "-"


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
