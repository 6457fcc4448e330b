"""Write ``fupin/t2s.py``, the Traditional → Simplified characters the notice lint reads.

``python scripts/gen_t2s.py TSCharacters.txt`` reads OpenCC's character table
(``data/dictionary/TSCharacters.txt`` of the OpenCC project, Apache License 2.0) and keeps each
Traditional character of the Basic Multilingual Plane whose first Simplified form is one
character of GB 2312, except characters that are themselves a Simplified form of some
character or may stay as typed (乾, 於, 著 …: they are read as they are).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PER_LINE = 32  # pairs

HEAD = '''"""Traditional characters read as Simplified ones, one character each (generated).

:func:`fupin.pii.term_form` reads names and health terms through this table, so that a
notice typed in Traditional characters (``殘疾``, ``錢豪``, ``癱瘓``) reads as the register
and the policy write them (残疾, 钱豪, 瘫痪).

Written by ``scripts/gen_t2s.py`` from OpenCC's ``data/dictionary/TSCharacters.txt`` (the
OpenCC project, Apache License 2.0): each Traditional character of the Basic Multilingual
Plane whose first Simplified form is one character of GB 2312, except characters that are
themselves a Simplified form or may stay as typed (乾, 於, 著 … are read as they are).
Do not edit by hand.
"""

#: Pairs of characters: a Traditional one, then the Simplified one it reads as.
PAIRS = (
'''


def _gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def pairs(table: str) -> dict[str, str]:
    rows = []
    for line in table.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        key, values = line.split("\t")
        rows.append((key, values.split()))
    targets = {value for _, values in rows for value in values}
    out: dict[str, str] = {}
    for key, values in rows:
        if len(key) != 1 or ord(key) > 0xFFFF or key in values or key in targets:
            continue
        if len(values[0]) == 1 and _gb2312(values[0]):
            out[key] = values[0]
    return dict(sorted(out.items()))


def module(found: dict[str, str]) -> str:
    flat = [k + v for k, v in found.items()]
    lines = ["".join(flat[i : i + PER_LINE]) for i in range(0, len(flat), PER_LINE)]
    body = "".join(f'    "{line}"\n' for line in lines)
    return HEAD + body + ")\n"


if __name__ == "__main__":
    found = pairs(Path(sys.argv[1]).read_text(encoding="utf-8"))
    (ROOT / "fupin" / "t2s.py").write_text(module(found), encoding="utf-8")
    print(f"{len(found)} characters → fupin/t2s.py")
