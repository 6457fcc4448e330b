"""Re-verify a ledger's seals with the Python standard library alone (for auditors).

    python3 scripts/verify_seals.py LEDGER_FOLDER [--expect CHAIN]

Reads every ``custom "seal"`` entry in the folder's ``*.beancount`` files and, for each
seal in date order, checks what it can without fupin or Beancount:

1. its digest list (``digests:``, relative to the seal's file, else to the ledger's folder)
   hashes to ``digests_sha256`` (hashes are read in either case);
2. each line's SHA-256 is the SHA-256 of the canonical form written on it;
3. the period hash (SHA-256 of the sorted ``<date> <sha256>\\n`` lines) is ``sha256``, and
   the list has ``entries`` lines;
4. ``chain`` is the SHA-256 of the seal's fields and ``prev``, and ``prev`` is the chain of
   the seal before it (64 zeros for the first);

then prints ``<period> <chain>`` per seal, so that the last chain can be compared with the
one in the audit file (``--expect``). Whether the ledger still holds exactly those entries
needs its entries in canonical form, which needs the Beancount parser: ``fupin audit``
(free, open source) does that, with this same arithmetic. The format is specified in
``docs/ledger-conventions.md`` ("Seals"); this script is written apart from fupin's code on
purpose, so that an auditor can read 120 lines instead of trusting the tool.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

GENESIS = "0" * 64
HASHES = ("sha256", "digests_sha256", "prev", "chain")
SEAL = re.compile(r'^(\d{4}-\d{2}-\d{2})\s+custom\s+"seal"\s+"([^"]*)"')
FIELD = re.compile(r"^\s+([a-z][A-Za-z0-9_-]*):\s*(.*?)\s*$")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_seals(folder: Path) -> list[dict[str, str]]:
    """Every seal entry of the folder's ledger files: its fields as written."""
    seals = []
    for path in sorted(folder.rglob("*.beancount")):
        current: dict[str, str] | None = None
        for line in path.read_text(encoding="utf-8").splitlines():
            head = SEAL.match(line)
            if head:
                current = {"date": head.group(1), "id": head.group(2), "_file": str(path)}
                seals.append(current)
                continue
            field = FIELD.match(line) if current is not None else None
            if field and current is not None:
                value = _value(field.group(2))
                # hex digits name one hash in either case (fupin reads them so too)
                current[field.group(1)] = value.lower() if field.group(1) in HASHES else value
            elif line.strip() and not line.startswith((" ", "\t", ";")):
                current = None
    return sorted(seals, key=lambda s: s["date"])


def _value(raw: str) -> str:
    """A metadata value as written: a quoted string unquoted, else up to a comment."""
    quoted = re.match(r'^"((?:[^"\\]|\\.)*)"', raw)
    if quoted:
        return re.sub(r"\\(.)", r"\1", quoted.group(1))
    return raw.split(";")[0].strip()


def chain_text(seal: dict[str, str], prev: str) -> str:
    """The text a seal's chain hashes (docs/ledger-conventions.md, "Seals")."""
    return (
        f"fupin-seal-1\nid: {seal['id']}\nthrough: {seal['date']}\nentries: {seal.get('entries', '')}\n"
        f"sha256: {seal.get('sha256', '')}\ndigests_sha256: {seal.get('digests_sha256', '')}\n"
        f"totals: {seal.get('totals', '')}\nsealed: {seal.get('sealed', '')}\n"
        f"canonical: {seal.get('canonical', '')}\nprev: {prev}\n"
    )


def check(seal: dict[str, str], prev: str, folder: Path) -> list[str]:
    """What is wrong with one seal (empty when nothing is)."""
    problems = []
    listing = Path(seal["_file"]).parent / seal.get("digests", "")
    if not listing.exists() and (folder / seal.get("digests", "")).is_file():
        listing = folder / seal.get("digests", "")  # the seal moved to a file in another folder
    try:
        data = listing.read_bytes()
    except OSError:
        return [f"digest list {listing} missing"]
    if sha256(data) != seal.get("digests_sha256"):
        if sha256(data.replace(b"\r\n", b"\n")) == seal.get("digests_sha256"):
            print(
                f"  note: {listing.name} has CRLF line ends (git core.autocrlf?); content unchanged"
            )
        else:
            problems.append(f"digest list {listing.name}: sha256 differs from digests_sha256")
    keys = []
    for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t", 3)
        if len(parts) != 4:
            problems.append(
                f"{listing.name}:{number}: not <date> TAB <sha256> TAB <where> TAB <form>"
            )
            continue
        day, digest, _where, form = parts
        if sha256(form.encode("utf-8")) != digest:
            problems.append(f"{listing.name}:{number}: sha256 is not that of its canonical form")
        keys.append(f"{day} {digest}\n")
    if sha256("".join(sorted(keys)).encode("ascii")) != seal.get("sha256"):
        problems.append("period hash of the list differs from sha256")
    if str(len(keys)) != seal.get("entries"):
        problems.append(f"{len(keys)} lines, entries says {seal.get('entries')}")
    if seal.get("prev") != prev:
        problems.append(f"prev {seal.get('prev', '')[:16]}… is not the previous chain {prev[:16]}…")
    if sha256(chain_text(seal, seal.get("prev", "")).encode("utf-8")) != seal.get("chain"):
        problems.append("chain differs from the SHA-256 of the seal's fields")
    return problems


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    folder = Path(argv[0])
    folder = folder.parent if folder.is_file() else folder
    expect = argv[argv.index("--expect") + 1].lower() if "--expect" in argv else None
    seals = read_seals(folder)
    if not seals:
        print(f"{folder}: no seals")
        return 1
    failed = False
    prev = GENESIS
    for seal in seals:
        problems = check(seal, prev, folder)
        print(f"{seal['id']} {seal.get('chain', '?')} {'ok' if not problems else 'FAILED'}")
        for problem in problems:
            print(f"  {seal['id']}: {problem}")
        failed = failed or bool(problems)
        prev = seal.get("chain", "")
    if expect is not None:
        found = any(s.get("chain", "").startswith(expect) for s in seals) and len(expect) >= 12
        print(f"expected chain {expect}: {'found' if found else 'NOT FOUND'}")
        failed = failed or not found
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
