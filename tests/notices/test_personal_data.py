"""Issue 13, done when: personal numbers typed into every free-text field of a copy of the
sample ledger and register stop `fupin notices` (nothing published, each field named); with
them removed it publishes the full set, in which no file holds a personal number, and no
list notice a health condition or poverty cause."""

from __future__ import annotations

import csv
import io
import itertools
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fupin.reports.notice_privacy import describe, doc_fields, html_text, pdf_text

from fupin import pii
from fupin.cli import main
from fupin.load import load
from fupin.policy import Policy

ROOT = Path(__file__).resolve().parents[2]
#: The forms the issue found published: zero-width space inside, dotted, 15 digits, +86
#: with spaces, full-width slashes, a card grouped by full-width spaces.
FORMS = (
    "4105221990\u200b01011231",
    "410522.19900101.1231",
    "410522900101123",
    "+86 138 0013 8048",
    "138／0013／8048",
    "6228\u30004804\u30000256\u30004890\u3000018",
)
FREE_TEXT = frozenset(
    [
        "name",
        "content",
        "targets",
        "beneficiaries",
        "linkage",
        "period",
        "implementer",
        "contractor",
        "title",
        "issuer",
        "doc",
        "alloc_doc",
        "basis",
        "decision",
        "approval",
        "reason",
        "note",
        "resolution",
        "village",
        "township",
    ]
)
_META = re.compile(r'^(?P<indent>\s+)(?P<key>[a-z_]+): "(?P<value>[^"]*)"$')
#: fields the entity check refuses an invisible character in (9f86c5b: the project would not
#: load, so no notice would print it); they get the other forms
PLAIN_TEXT = frozenset(["name", "township", "village", "implementer", "holder", "vendor"])


def _form(forms: itertools.cycle[str], key: str) -> str:
    form = next(forms)
    while key in PLAIN_TEXT and "\u200b" in form:
        form = next(forms)
    return form


def _inject_ledger(text: str, forms: itertools.cycle[str]) -> tuple[str, list[str]]:
    out, values = [], []
    for line in text.splitlines():
        m = _META.match(line)
        if (
            m
            and m["key"] in FREE_TEXT
            and m["value"]
            and not (m["key"] == "period" and len(m["indent"]) > 2)
        ):
            values.append(m["value"])
            line = f'{m["indent"]}{m["key"]}: "{m["value"]}{_form(forms, m["key"])}"'
        elif line.startswith('option "title"') or '"notice-phones"' in line:
            head, _, value = line.rstrip().rstrip('"').rpartition('"')
            values.append(value)
            line = f'{head}"{value}{next(forms)}"'
        out.append(line)
    return "\n".join(out) + "\n", values


def _inject_register(path: Path, forms: itertools.cycle[str]) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    values = []
    for row in rows:
        for key in ("head_name", "group"):
            values.append(row[key])
            row[key] += next(forms)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return values


@pytest.fixture(scope="module")
def copy(keyed_county: Path) -> Path:
    """A copy of the sample ledger and register, with a key of its own (conftest)."""
    return keyed_county


def _publish(ledger: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["notices", str(ledger), "--out", str(out)])
    return result.exit_code, result.output


def test_personal_numbers_in_every_free_text_field_publish_nothing(
    copy: Path, tmp_path: Path
) -> None:
    clean = load(copy / "main.beancount")
    from fupin.reports.notices import build

    docs = build(clean)
    dirty = tmp_path / "dirty"
    shutil.copytree(copy, dirty)
    forms = itertools.cycle(FORMS)
    injected: set[str] = set()
    for path in dirty.rglob("*.beancount"):
        text, values = _inject_ledger(path.read_text(encoding="utf-8"), forms)
        path.write_text(text, encoding="utf-8")
        injected.update(values)
    injected.update(_inject_register(dirty / "register" / "households.csv", forms))
    out = tmp_path / "out"
    code, output = _publish(dirty / "main.beancount", out)
    assert code == 1, output
    assert "nothing published" in output
    assert not out.exists() and not list(tmp_path.glob(".out*staging*"))
    # each printed field that got a number is named, and no number is repeated
    # a list whose village got a number names no register village: it cannot build, and
    # says so (its recipients are unknown); every other notice's fields are linted
    unbuilt = set(re.findall(r"^notice (N-\S+) \(到户项目受益名单\)", output, re.M))
    assert unbuilt == {d.id for d in docs if d.template == "beneficiaries.html"}
    expected = {
        describe(doc, path)
        for doc in docs
        if doc.id not in unbuilt
        for path, text in doc_fields(doc)
        if text in injected and not path.startswith("header.phones")
    }
    assert len(expected) > 40
    missing = [e for e in expected if e not in output]
    assert not missing, missing[:10]
    assert not pii.find(output)
    assert "8048" not in output and "1231" not in output and "0018" not in output
    assert "policy notice-phones" in output and 'option "title"' in output
    for label in ("身份证号", "手机号", "银行卡号"):
        assert label in output


def test_without_them_the_full_set_is_clean(copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = _publish(copy / "main.beancount", out)
    assert code == 0, output
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len([p for p in files if p.suffix == ".pdf"]) >= 48
    terms = Policy().notice_health_terms
    register = (copy / "register" / "households.csv").read_text(encoding="utf-8")
    names = {row["head_name"] for row in csv.DictReader(io.StringIO(register))}
    for path in files:
        assert not pii.find(path.relative_to(out).as_posix()), path
        if path.suffix == ".html":
            blocks, attributes = html_text(path.read_text(encoding="utf-8"))
            texts = blocks + attributes
        elif path.suffix == ".pdf":
            pages, meta = pdf_text(path)
            texts = pages + meta
        else:
            continue
        for text in texts:
            assert not pii.find(text), path
        whole = "\n".join(texts)
        if any(name in whole for name in names):  # a list naming households
            assert not pii.find_terms(whole, terms), path
