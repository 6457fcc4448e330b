"""Privacy of notices: the lint over rendered text, and keyed check codes (DOMAIN F.3).

**Lint.** Every rendered notice is scanned for a full ID-card number, a mobile phone or a
bank-account number (DOMAIN F.3 patterns, with digit boundaries instead of ``\\b`` so that a
number glued to Chinese text is still found, and once more with spaces and hyphens between
digits removed). Any hit fails the command and nothing is written.

**Check codes.** A recipient line carries ``HMAC-SHA256(county secret, notice id ␟
household id)``, shown as six base-32 characters (``K7Q-X3M``). The household's slip
(明白卡) shows the same code, so a family can find its own line without anyone printing an ID
number. The secret lives outside the ledger (``--secret-file`` or
``FUPIN_NOTICE_SECRET_FILE``): without it a code reveals nothing about the household id, and
the same household gets a different code on every notice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
from typing import NamedTuple

PATTERNS = {
    "身份证号": re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])"),
    "手机号": re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),
    "银行账号": re.compile(r"(?<!\d)\d{16,19}(?!\d)"),
}
_TAG = re.compile(r"<[^>]+>")
_JOINED = re.compile(r"(?<=\d)[ \u00a0\-](?=\d)")


class PrivacyHit(NamedTuple):
    """One forbidden pattern found in a rendered notice (shown masked, never in full)."""

    notice: str
    kind: str
    masked: str

    def __str__(self) -> str:
        return f"notice {self.notice}: {self.kind} {self.masked} in the rendered text"


def visible_text(markup: str) -> str:
    """The text of an HTML fragment, one line per tag, entities decoded."""
    return html.unescape(_TAG.sub("\n", markup))


def lint(notice: str, markup: str) -> list[PrivacyHit]:
    """Every ID, mobile or account number in ``markup`` (also with separators removed)."""
    text = visible_text(markup)
    hits: list[PrivacyHit] = []
    seen: set[str] = set()
    for variant in (text, _JOINED.sub("", text)):
        for kind, pattern in PATTERNS.items():
            for match in pattern.finditer(variant):
                value = match.group()
                if value in seen:
                    continue
                seen.add(value)
                hits.append(PrivacyHit(notice, kind, value[:3] + "…" + value[-2:]))
    return hits


def check_code(secret: bytes, notice: str, household: str) -> str:
    """Six base-32 characters of HMAC-SHA256(secret, notice ␟ household): ``K7Q-X3M``."""
    if not secret:
        raise ValueError("a county secret is needed for check codes")
    digest = hmac.new(secret, f"{notice}\x1f{household}".encode(), hashlib.sha256).digest()
    code = base64.b32encode(digest).decode()[:6]
    return f"{code[:3]}-{code[3:]}"
