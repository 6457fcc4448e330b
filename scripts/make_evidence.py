"""Write the sample ledger's (fictional) evidence files and their ``document`` entries.

    python scripts/make_evidence.py [LEDGER]        # default: ledger/main.beancount

For every project stage, payment and asset event of the ledger, one small PDF per kind of
evidence the policy asks of it (``evidence-stage-*``, ``evidence-payment-*``,
``evidence-asset-*``) under ``documents/`` beside the ledger, and ``evidence.beancount``
with one ``document`` entry per file (kind, what it supports, SHA-256), included from the
main file. The PDFs say FICTIONAL SAMPLE and hold no personal data; the same ledger gives
the same bytes. Re-run it after changing the sample's stages or payments (then re-seal:
``make reseal-sample``).
"""

from __future__ import annotations

import argparse
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fupin.assets import Asset
from fupin.book import Book
from fupin.evidence import Need, collect
from fupin.load import DEFAULT_LEDGER, load

HEADER = """\
; 证据文件 (fictional sample evidence): one `document` entry per file under documents/,
; with its kind, what it supports and its SHA-256 (fupin checks both: rules A04/A05).
; Written by scripts/make_evidence.py — do not edit by hand; re-run the script instead.
"""


def pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF showing ``lines`` (ASCII) in Helvetica."""
    text = "BT /F1 12 Tf 72 770 Td 16 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for line in lines
    )
    stream = text.encode("ascii") + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % at for at in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^A-Za-z0-9-]", "-", text)).strip("-")


def _account(book: Book, need: Need) -> str:
    """The account the document entry sits on: the fund's treasury account."""
    entry: Any = need.entry  # a Transaction for a payment, else a Custom
    if need.kind == "payment":
        accounts: list[str] = [p.account for p in entry.postings]
        return next((a for a in accounts if a.startswith("Assets:Treasury:")), accounts[0])
    project = need.project
    if need.kind == "asset":
        asset = next((a for a in _assets(book) if a.id == entry.values[0].value), None)
        project = next(iter(asset.projects), "") if asset else ""
    fund = book.projects[project].fund if project in book.projects else None
    account = f"Assets:Treasury:{fund}"
    return account if account in book.opens else sorted(book.opens)[0]


def _assets(book: Book) -> Sequence[Asset]:
    return book.all(Asset)


def main(ledger: Path) -> None:
    loaded = load(ledger)
    book = loaded.book
    root = ledger.resolve().parent
    entries = []
    for need in collect(book).needs:
        if not need.required or "correction" in need.entry.meta:
            continue
        day = need.entry.date.isoformat()
        if need.kind == "stage":
            folder, stem = need.project, f"{day}-{need.key}"
            target = [f'  project: "{need.project}"', f'  stage: "{need.key}"']
        elif need.kind == "payment":
            voucher = str(need.entry.meta.get("voucher") or "")
            folder = need.project or "payments"
            stem = f"{day}-{need.key}-{_slug(voucher) or need.entry.meta.get('lineno')}"
            target = [f'  voucher: "{voucher}"']
            if need.project:
                target.append(f'  project: "{need.project}"')
        else:
            asset = str(getattr(need.entry, "values")[0].value)  # noqa: B009
            folder, stem = asset, f"{day}-{need.key}"
            target = [f'  asset: "{asset}"', f'  event: "{need.key}"']
        for kind in need.required:
            relative = f"documents/{folder}/{stem}-{kind}.pdf"
            body = pdf(
                [
                    "FICTIONAL SAMPLE - fupin-ledger evidence file (not a real document)",
                    f"kind: {kind}",
                    f"for: {need.kind} {need.key} {need.project or folder}",
                    f"date: {day}",
                ]
            )
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            sha = hashlib.sha256(body).hexdigest()
            entries.append(
                (
                    day,
                    relative,
                    "\n".join(
                        [
                            f'{day} document {_account(book, need)} "{relative}"',
                            f'  evidence: "{kind}"',
                            *target,
                            f'  sha256: "{sha}"',
                        ]
                    ),
                )
            )
    text = HEADER + "".join(f"\n{block}\n" for _, _, block in sorted(entries))
    (root / "evidence.beancount").write_text(text, encoding="utf-8")
    main_text = ledger.read_text(encoding="utf-8")
    if 'include "evidence.beancount"' not in main_text:
        ledger.write_text(main_text.rstrip("\n") + '\ninclude "evidence.beancount"\n', "utf-8")
    print(f"{len(entries)} 份证据文件 → {root / 'documents'}; 登记于 {root / 'evidence.beancount'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("ledger", nargs="?", type=Path, default=DEFAULT_LEDGER)
    main(parser.parse_args().ledger)
