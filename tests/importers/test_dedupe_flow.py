"""Idempotence and the finance officer's flow: import into a copy of the sample ledger.

Re-importing adds nothing; an overlapping statement adds only its new lines; two equal
payments on one day are kept apart (beangulp's fuzzy default would merge them); the sample
statement and roll reconcile, and ``fupin check`` finds nothing new afterwards.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from beancount import loader
from beancount.core import data
from click.testing import CliRunner
from fupin.importers.dedupe import ExactDedupe, KeyIndex
from fupin.importers.ingest import extract_files, load_config
from fupin.importers.statement import StatementImporter

from fupin.cli import main

from .conftest import LEDGER, RULES, SAMPLES

STATEMENT = SAMPLES / "rcb-xj2022-2022-11-12.csv"
ROLL = SAMPLES / "ykt-2022-12.xlsx"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def findings(ledger: Path) -> list[dict[str, object]]:
    code, out = run("check", str(ledger), "--json")
    assert code in (0, 1), out
    return json.loads(out)


def test_readme_flow_imports_statement_and_roll_clean(county: Path) -> None:
    before = {(f["rule"], f["message"]) for f in findings(county)}
    out = county.parent / "imports" / "2022-12.beancount"
    code, text = run(
        "import",
        "extract",
        "-e",
        str(county),
        "-o",
        str(out),
        "--include",
        str(STATEMENT),
        str(ROLL),
    )
    assert code == 0, text
    assert "ykt-2022-12.xlsx: fupin.roll:Assets:Treasury:XJ-2022: 11 条新记录" in text
    assert (
        "rcb-xj2022-2022-11-12.csv: fupin.statement.rcb:Assets:Treasury:XJ-2022: 13 条新记录"
        in text
    )
    assert 'include "imports/2022-12.beancount"' in county.read_text(encoding="utf-8")
    written = out.read_text(encoding="utf-8")
    # booked vouchers and the roll are confirmed by bank lines, not booked twice
    assert written.count('custom "bank-line"') == 9
    assert 'roll: "YKT-2022-12-01"' in written and "balance Assets:Treasury:XJ-2022" in written
    # no ID number, bank account or name of the roll reaches the ledger
    assert "999901" not in written and "6228" not in written
    after = findings(county)
    assert {(f["rule"], f["message"]) for f in after} == before
    assert not [f for f in after if str(f["rule"]).startswith("R")]
    _, errors, _ = loader.load_file(str(county))
    assert not [e for e in errors if type(e).__name__ == "BalanceError"]

    # the same documents again: nothing new, nothing written
    again = county.parent / "imports" / "again.beancount"
    code, text = run(
        "import", "extract", "-e", str(county), "-o", str(again), str(STATEMENT), str(ROLL)
    )
    assert code == 0 and "没有新记录" in text and not again.exists()
    assert "0 条新记录, 12 条重复已跳过" in text and "0 条新记录, 10 条重复已跳过" in text


def test_overlapping_statement_adds_only_new_lines(rcb_file) -> None:
    importer = StatementImporter("rcb", "Assets:Treasury:XJ-2099", rules=RULES)
    first = rcb_file(
        [["20230105", "S1", "结息", "", "10.00", "110.00", "银行", "", "结息"]],
        name="jan.csv",
        period="20230101至20230115",
    )
    second = rcb_file(
        [
            ["20230105", "S1", "结息", "", "10.00", "110.00", "银行", "", "结息"],
            ["20230120", "S2", "结息", "", "5.00", "115.00", "银行", "", "结息"],
        ],
        name="janfeb.csv",
        period="20230101至20230131",
    )
    done = extract_files([importer], [first])
    existing = done[0].entries
    (result,) = extract_files([importer], [second], existing)
    serials = [e.meta.get("bank_serial") for e in result.entries if isinstance(e, data.Transaction)]
    assert serials == ["S2"]
    assert [
        d.meta["bank_serial"] for d, _ in result.duplicates if isinstance(d, data.Transaction)
    ] == ["S1"]


def test_equal_payments_same_day_are_not_duplicates() -> None:
    text = """
    2022-12-20 * "公益岗位补贴"
      roll_row: "YKT-1#1"
      household: "H-QS-001"
      Expenses:Benefit:PublicWelfareJob  500.00 CNY
      Assets:Treasury:XJ-2022
    2022-12-20 * "公益岗位补贴"
      roll_row: "YKT-1#2"
      household: "H-QS-002"
      Expenses:Benefit:PublicWelfareJob  500.00 CNY
      Assets:Treasury:XJ-2022
    """
    entries, _, _ = loader.load_string(text, dedent=True)
    one, two = entries
    assert not ExactDedupe.cmp(one, two)
    assert ExactDedupe.cmp(one, one)
    assert KeyIndex([one]).mark([two]) == 0
    assert KeyIndex([one]).mark([one._replace(meta=dict(one.meta))]) == 1


def test_sample_config_loads_every_importer() -> None:
    names = [i.name for i in load_config(LEDGER / "import_config.py")]
    assert "fupin.roll:Assets:Treasury:XJ-2022" in names
    assert {n.split(":")[0] for n in names} >= {
        "fupin.statement.rcb",
        "fupin.statement.icbc",
        "fupin.statement.ccb",
        "fupin.statement.abc",
        "fupin.allocation",
    }


def test_identify_and_archive_commands(tmp_path: Path) -> None:
    code, out = run("import", "identify", "-v", str(STATEMENT))
    assert code == 0 and "fupin.statement.rcb:Assets:Treasury:XJ-2022" in out
    docs = tmp_path / "docs"
    docs.mkdir()
    copy = tmp_path / "stmt.csv"
    shutil.copy(STATEMENT, copy)
    code, out = run("import", "archive", "-o", str(docs), "-n", str(copy))
    assert code == 0, out
    assert "Assets/Treasury/XJ-2022/2022-12-30.rcb-statement.csv" in out
    assert copy.exists()  # dry run


def test_rendered_text_loads_back_to_the_same_entries() -> None:
    from fupin.importers.ingest import render

    importers = load_config(LEDGER / "import_config.py")
    docs = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".csv", ".xls", ".xlsx"))
    results = extract_files(importers, docs)
    text = render(results)
    entries, errors, _ = loader.load_string(text)
    # accounts are not opened in this bare text; it must parse, and mean the same
    assert not [e for e in errors if "Parser" in type(e).__name__]
    made = [e for r in results for e in r.entries]
    assert len(entries) == len(made)

    def key(entry: data.Directive) -> tuple[object, ...]:
        meta = sorted(
            (k, str(v))
            for k, v in entry.meta.items()
            if k[0] != "_" and k not in ("filename", "lineno")
        )
        return (entry.date, type(entry).__name__, str(meta))

    for got, want in zip(sorted(entries, key=key), sorted(made, key=key), strict=True):
        if isinstance(want, data.Transaction):
            assert got.payee == want.payee and got.narration == want.narration
            assert [(p.account, p.units) for p in got.postings] == [
                (p.account, p.units) for p in want.postings
            ]
            assert {
                k: v for k, v in got.meta.items() if k[0] != "_" and k not in ("filename", "lineno")
            } == {
                k: v
                for k, v in want.meta.items()
                if k[0] != "_" and k not in ("filename", "lineno")  # __sheet__ is not written
            }


def test_check_after_import_lists_what_the_import_adds(county: Path) -> None:
    """The statement alone leaves its 代发 line in suspense; the roll imported afterwards is
    then unmatched in an imported period: R02 (naming the suspense line) and the statement's
    closing balance fail, reported right after writing."""
    out = county.parent / "imports" / "stmt.beancount"
    code, text = run("import", "extract", "-e", str(county), "-o", str(out), "-i", str(STATEMENT))
    assert code == 1, text  # written, and the check found an error it brought
    assert "未匹配分类规则 → Assets:Suspense:XJ-2022: 第12行" in text
    # issue 15: the sample runs to 2024-06-22, so the statement's 2022-12-21 credit is still
    # unspent 18 months later: the one problem the statement adds is K1 (资金闲置)
    assert "fupin check: 导入后新增 1 个问题" in text
    assert "最早未用 2022-12-21 到位, 截至 2024-06-22 账龄 18 个月" in text
    roll_out = county.parent / "imports" / "roll.beancount"
    code, text = run("import", "extract", "-e", str(county), "-o", str(roll_out), str(ROLL))
    assert code == 1, text
    # the 代发 line and the roll now both book the 5,300.00: R02 and the balance say so
    assert "fupin check: 导入后新增 2 个问题" in text
    assert "R02 error: 代发银行扣款 0.00 ≠ 5,300.00" in text
    assert "最接近的银行流水 QSRCB202212200008 2022-12-20 -5,300.00 CNY (已作为未分类流水" in text
    assert "expected 173557.42 CNY != accumulated 168257.42 CNY" in text
    assert not list(county.parent.glob(".*import-check*"))


def test_fava_import_page_uses_the_same_importers_and_dedupe(county: Path) -> None:
    from fava.core.ingest import extract_from_file, load_import_config

    config = load_import_config(county.parent / "import_config.py")
    (wrapped,) = [w for n, w in config.importers.items() if n.startswith("fupin.roll")]
    existing, _, _ = loader.load_file(str(county))
    entries = extract_from_file(wrapped, ROLL, existing)
    assert len([e for e in entries if isinstance(e, data.Transaction)]) == 10
    again = extract_from_file(wrapped, ROLL, [*existing, *entries])
    assert all("__duplicate__" in e.meta for e in again)


def test_existing_output_is_never_overwritten(county: Path) -> None:
    out = county.parent / "imports.beancount"
    out.write_text("; earlier imports\n", encoding="utf-8")
    code, text = run("import", "extract", "-e", str(county), "-o", str(out), str(ROLL))
    assert code == 2 and "已存在" in text and "从不覆盖" in text
    code, text = run("import", "extract", "-e", str(county), "-o", str(out), "-a", str(ROLL))
    assert code == 0, text
    written = out.read_text(encoding="utf-8")
    assert written.startswith("; earlier imports\n") and written.count("roll_row:") == 10


def test_two_imports_of_one_statement_at_once_write_it_once(
    county: Path, started_while_locked: Callable[..., list[tuple[int, str]]]
) -> None:
    """Two clerks import the same download into the same books at the same instant: the
    second waits for the first, then dedupes against what the first wrote and included."""
    before = {(f["rule"], f["message"]) for f in findings(county)}
    out = county.parent / "imports" / "2022-12.beancount"
    args = (
        "import",
        "extract",
        "-e",
        str(county),
        "-o",
        str(out),
        "-a",
        "-i",
        str(STATEMENT),
        str(ROLL),
    )
    done = started_while_locked(county, args, args)
    assert [code for code, _ in done] == [0, 0], done
    texts = [text for _, text in done]
    assert sum("13 条新记录, 0 条重复已跳过" in t and "已写入 24 条新记录" in t for t in texts) == 1
    assert sum("0 条新记录" in t and "没有新记录" in t for t in texts) == 1, texts
    assert county.read_text(encoding="utf-8").count('include "imports/2022-12.beancount"') == 1
    written = out.read_text(encoding="utf-8")
    assert written.count("bank_serial:") == len(set(re.findall(r'bank_serial: "[^"]+"', written)))
    assert {(f["rule"], f["message"]) for f in findings(county)} == before
