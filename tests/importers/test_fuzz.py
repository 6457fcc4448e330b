"""Fuzz: mutations of every golden input never crash, never import part of a file.

For every sample document (the goldens' inputs) a seeded generator makes mutations —
truncation, byte flips, deleted, duplicated and blank lines, swapped columns, the text in
another encoding, huge and non-numeric amounts, impossible dates — and runs the importer
on each. Every run either imports the file whole or rejects it with a named error:

* no traceback: an importer never raises anything but ``SourceError`` (``run.internal``
  stays empty);
* an accepted file's every physical line is accounted for (data or a named non-data kind)
  and every data row became an entry: nothing is dropped silently;
* a rejected file, through ``fupin import extract``, leaves the ledger and the output
  byte-identical.

``FUPIN_FUZZ=<n>`` runs n mutations per document instead of the quick default.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from beancount.core import data
from click.testing import CliRunner
from fupin.importers.ingest import run_files
from fupin.importers.sheet import read_sheet
from fupin.importers.table import read_rows

from fupin.cli import main

from .conftest import LEDGER, SAMPLES
from .test_golden import CASES

PER_FILE = int(os.environ.get("FUPIN_FUZZ", "40"))
TEXT = (".csv", ".txt")


def _lines(raw: bytes) -> tuple[list[str], str, bytes]:
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xef\xbb\xbf", "utf-8")):
        if raw.startswith(bom):
            return raw[len(bom) :].decode(encoding).split("\n"), encoding, bom
    try:
        return raw.decode("utf-8").split("\n"), "utf-8", b""
    except UnicodeDecodeError:
        return raw.decode("gb18030").split("\n"), "gb18030", b""


def _text_mutation(rng: random.Random, raw: bytes) -> bytes:
    lines, encoding, bom = _lines(raw)
    body = [i for i, line in enumerate(lines) if line.strip()]
    i = rng.choice(body[len(body) // 3 :] or body)
    sep = "\t" if "\t" in lines[i] and encoding == "utf-16-le" else ","
    kind = rng.randrange(9)
    if kind == 0:
        del lines[i]
    elif kind == 1:
        lines.insert(i, lines[i])
    elif kind == 2:
        lines.insert(i, "\r" if lines[i].endswith("\r") else "")
    elif kind == 3:
        cells = lines[i].split(sep)
        if len(cells) > 2:
            a, b = rng.sample(range(len(cells)), 2)
            cells[a], cells[b] = cells[b], cells[a]
        lines[i] = sep.join(cells)
    elif kind in (4, 5, 6):
        cells = lines[i].split(sep)
        value = {
            4: rng.choice(["9" * 30, "1e400", "十万", "NaN", "-", "1,00,0.00", "12.3456"]),
            5: rng.choice(["2023-02-30", "20231345", "0000-00-00", "2023年13月1日", "99999999"]),
            6: rng.choice(['"', 'x"y', "x" * 131_072, "\x00", "合计", "本页合计"]),
        }[kind]
        cells[rng.randrange(len(cells))] = value
        lines[i] = sep.join(cells)
    elif kind == 7:
        text = "\n".join(lines)
        return text.encode(rng.choice(["utf-8", "gb18030", "utf-16", "latin-1"]), errors="replace")
    else:
        text = "\n".join(lines)
        return (bom + text.encode(encoding))[: rng.randrange(1, max(2, len(raw)))]
    return bom + "\n".join(lines).encode(encoding)


def _byte_mutation(rng: random.Random, raw: bytes) -> bytes:
    if rng.random() < 0.3:
        return raw[: rng.randrange(1, len(raw))]
    out = bytearray(raw)
    for _ in range(rng.randint(1, 4)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def mutations(name: str) -> list[bytes]:
    raw = (SAMPLES / name).read_bytes()
    rng = random.Random(f"{name}:{PER_FILE}")  # deterministic
    mutate: Callable[[random.Random, bytes], bytes] = (
        _text_mutation if name.endswith(TEXT) else _byte_mutation
    )
    return [mutate(rng, raw) for _ in range(PER_FILE)]


def _row_entries(entries: list[data.Directive]) -> int:
    """Entries made from data rows: transactions and bank lines (postings for allocations)."""
    count = 0
    for entry in entries:
        if isinstance(entry, data.Transaction):
            if "alloc_row" in entry.meta:
                count += len(entry.postings) - 1
            else:
                count += 1
        elif isinstance(entry, data.Custom) and entry.type == "bank-line":
            count += 1
    return count


@pytest.mark.parametrize("name", sorted(CASES))
def test_mutations_import_whole_or_are_rejected_by_name(name: str, tmp_path: Path) -> None:
    importer = CASES[name]
    suffix = Path(name).suffix
    accepted = 0
    for number, raw in enumerate(mutations(name)):
        path = tmp_path / f"m{number}{suffix}"
        path.write_bytes(raw)
        run = run_files([importer], [path])
        assert not run.internal, run.internal
        if not run.results:
            assert run.rejected and run.rejected[0][1].startswith(path.name), run.rejected
            continue
        accepted += 1
        (result,) = run.results
        layout = importer.layout
        sheet = read_sheet(path, layout)
        if suffix in TEXT:  # every physical line is one of the kinds counted
            lines = len(read_rows(path, layout.encoding, delimiter=layout.delimiter).rows)
            assert sum(sheet.kinds.values()) == lines, (number, sheet.kinds)
        assert _row_entries(result.entries) == sheet.kinds["data"], number
    assert accepted < PER_FILE or PER_FILE < 5  # the mutations do reach the checks


def test_rejected_runs_leave_the_ledger_byte_identical(tmp_path: Path) -> None:
    folder = tmp_path / "ledger"
    shutil.copytree(LEDGER, folder)
    ledger = folder / "main.beancount"
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    out = folder / "imports" / "new.beancount"
    name = "rcb-xj2022-2022-11-12.csv"
    rejected = 0
    for number, raw in enumerate(mutations(name)[:8]):
        path = tmp_path / f"m{number}.csv"
        path.write_bytes(raw)
        if run_files([CASES[name]], [path]).results:
            continue
        rejected += 1
        result = CliRunner().invoke(
            main, ["import", "extract", "-e", str(ledger), "-o", str(out), "-i", str(path)]
        )
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        # the write lock's file stays by design (fupin.ledger_lock): empty, nothing else new
        assert after.pop(folder / ".fupin.lock", b"") == b""
        assert after == before
    assert rejected
