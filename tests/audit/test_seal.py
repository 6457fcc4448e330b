"""``fupin seal`` and ``fupin audit`` as a county and its auditor run them."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

from audit_helpers import ROOT, SAMPLE_DIR, block, check, edit, run

from fupin.audit import AUDIT_RULES
from fupin.canonical import canonical
from fupin.load import load
from fupin.seals import GENESIS, Seal, chain_text, month_end, period_hash, read_list


def sealed_count() -> int:
    """How many entries of the sample the 2021-12 seal covers (as the sample's seal says;
    :func:`test_the_sample_is_sealed_through_2021_12` checks it against the entries)."""
    text = (ROOT / "ledger" / "seals.beancount").read_text(encoding="utf-8")
    return int(text.split("  entries: ")[1].split()[0])


def fresh(sample: Path) -> Path:
    """The sample copy with its seal removed (the include of seals.beancount stays)."""
    seals = sample.parent / "seals.beancount"
    seals.write_text("", encoding="utf-8")
    shutil.rmtree(sample.parent / "seals")
    return seals


def test_the_sample_is_sealed_through_2021_12() -> None:
    loaded = load(ROOT / "ledger" / "main.beancount")
    (seal,) = loaded.book.all(Seal)
    assert (seal.id, seal.date, seal.prev) == ("2021-12", month_end("2021-12"), GENESIS)
    dated = [
        e
        for e in loaded.entries
        if e.date <= seal.date and not (type(e).__name__ == "Custom" and e.type == "seal")
    ]
    assert seal.entries == len(dated) > 400
    assert not [f for f in loaded.results.findings if f.rule in AUDIT_RULES]


def test_seal_writes_entry_list_and_include(sample: Path) -> None:
    seals = fresh(sample)
    main_text = sample.read_text(encoding="utf-8")
    main_mode = sample.stat().st_mode & 0o777
    edit(sample, 'include "seals.beancount"\n', "")
    seals.unlink()
    code, out = run("seal", str(sample), "--through", "2021-12", "--date", "2022-01-20")
    assert code == 0, out
    count = sealed_count()
    assert f"已封存 2021-12 (至 2021-12-31): {count} 条记录" in out
    assert sample.read_text(encoding="utf-8").endswith('include "seals.beancount"\n')
    assert main_text.count("include") == sample.read_text(encoding="utf-8").count("include")
    listing = sample.parent / "seals" / "2021-12.digests"
    text = seals.read_text(encoding="utf-8")
    umask = os.umask(0)
    os.umask(umask)
    for written in (seals, listing):  # new files as the umask says (not mkstemp's 0600)
        assert written.stat().st_mode & 0o777 == 0o666 & ~umask
    assert sample.stat().st_mode & 0o777 == main_mode  # the main file keeps its own
    # the seal's fields hash as documented
    loaded = load(sample)
    (seal,) = loaded.book.all(Seal)
    assert f'digests_sha256: "{hashlib.sha256(listing.read_bytes()).hexdigest()}"' in text
    rows = read_list(listing.read_text(encoding="utf-8"))
    assert len(rows) == seal.entries == count
    assert period_hash(x.line for x in rows) == seal.sha256
    assert all(hashlib.sha256(x.text.encode()).hexdigest() == x.digest for x in rows)
    want = chain_text(
        "2021-12",
        seal.date,
        count,
        seal.sha256,
        seal.digests_sha256,
        seal.totals,
        seal.sealed,
        seal.canonical,
        GENESIS,
    )
    assert hashlib.sha256(want.encode()).hexdigest() == seal.chain
    # the same books give the same period hash wherever they are (the sample's own seal)
    original = (ROOT / "ledger" / "seals.beancount").read_text(encoding="utf-8")
    assert f'sha256: "{seal.sha256}"' in original


def test_seal_totals_per_fund(sample: Path) -> None:
    (seal,) = load(sample).book.all(Seal)
    assert seal.totals == (
        "EW-2021 received=1000000.00 spent=1000000.00; "
        "SF-2021 received=1000000.00 spent=443448.00; "
        "XJ-2021 received=8050800.00 spent=8050800.00"
    )


def test_second_seal_chains_to_the_first(two_seals: Path) -> None:
    sample = two_seals
    first, second = sorted(load(sample).book.all(Seal), key=lambda s: s.date)
    assert second.prev == first.chain and first.prev == GENESIS
    assert first.entries + second.entries == sealed_count()
    assert check(sample)[0] == 0


def test_seal_refuses_what_it_must_not_do(sample: Path) -> None:
    code, out = run("seal", str(sample), "--through", "2021-12")
    assert code == 2 and "已封存至 2021-12" in out
    code, out = run("seal", str(sample), "--through", "2022-13")
    assert code == 2 and "应为 YYYY-MM" in out
    code, out = run("seal", str(sample), "--through", "2022-12", "--date", "2022-12-31")
    assert code == 2 and "尚未结束" in out
    edit(
        sample.parent / "xianjie-2021.beancount",
        "Expenses:Industry:Livestock  413000.00 CNY",
        "Expenses:Industry:Livestock  414000.00 CNY",
    )
    before = (sample.parent / "seals.beancount").read_text(encoding="utf-8")
    code, out = run("seal", str(sample), "--through", "2022-12", "--date", "2023-01-10")
    assert code == 1 and "现有封存已被破坏" in out and "A01 error" in out
    assert (sample.parent / "seals.beancount").read_text(encoding="utf-8") == before
    assert not (sample.parent / "seals" / "2022-12.digests").exists()


def test_seal_refuses_invalid_data_and_broken_evidence(sample: Path) -> None:
    before = (sample.parent / "seals.beancount").read_text(encoding="utf-8")
    pdf = sample.parent / "documents" / "P-2021-001" / "2021-11-03-accepted-acceptance.pdf"
    pdf.write_bytes(b"%PDF-1.4 other\n")
    code, out = run("seal", str(sample), "--through", "2022-12", "--date", "2023-01-10")
    assert code == 1 and "须先修正的错误" in out and "A04 error: 证据文件哈希不符" in out
    assert (sample.parent / "seals.beancount").read_text(encoding="utf-8") == before


def test_seal_refuses_a_stale_digest_list(sample: Path) -> None:
    fresh(sample)
    (sample.parent / "seals").mkdir()
    (sample.parent / "seals" / "2021-12.digests").write_text("# left over\n", encoding="utf-8")
    code, out = run("seal", str(sample), "--through", "2021-12", "--date", "2022-01-20")
    assert code == 1 and "现有封存已被破坏" in out and "摘要清单无对应的封存记录" in out


def test_seal_of_an_unreadable_ledger_exits_2(tmp_path: Path) -> None:
    code, out = run("seal", str(tmp_path / "none.beancount"), "--through", "2021-12")
    assert code == 2 and "找不到账簿文件" in out and "Traceback" not in out


def test_audit_text_and_json(sample: Path) -> None:
    code, out = run("audit", str(sample))
    assert code == 0, out
    assert f"2021-12  账簿起始 至 2021-12-31     {sealed_count()}" in out and "✓ 完好" in out
    assert "P-2021-001  验收      2021-11-03  验收报告          验收报告          ✓" in out
    covered = re.search(r"证据覆盖: (\d+)/(\d+) 项齐全", out)
    assert covered and covered.group(1) == covered.group(2) and int(covered.group(1)) > 150
    code, out = run("audit", str(sample), "--json")
    data = json.loads(out)
    (seal,) = data["seals"]
    assert (
        seal["period"] == "2021-12"
        and seal["status"] == "ok"
        and seal["entries_now"] == sealed_count()
    )
    accepted = next(
        e for e in data["evidence"] if e["project"] == "P-2021-001" and e["key"] == "accepted"
    )
    assert accepted["required"] == ["acceptance"] and accepted["status"] == "ok"
    assert accepted["files"][0]["path"] == "P-2021-001/2021-11-03-accepted-acceptance.pdf"


def test_audit_expect_chain(sample: Path) -> None:
    (seal,) = load(sample).book.all(Seal)
    code, out = run("audit", str(sample), "--expect", seal.chain[:16])
    assert code == 0 and "= 封存 2021-12 的链哈希; 该封存及之前各期完好" in out
    code, out = run("audit", str(sample), "--expect", "ab" * 8)
    assert code == 1 and "不在本账簿的封存链中" in out


def test_audit_after_tampering_names_the_period(sample: Path) -> None:
    books = sample.parent / "xianjie-2021.beancount"
    edit(books, block(books, '2021-07-12 * "青山县绿源农业开发有限公司"') + "\n", "")
    code, out = run("audit", str(sample))
    assert code == 1
    assert "✗ 内容被改动 1 处" in out
    assert "封存期 2021-12 内记录被删除 — 2021-07-12" in out


def test_auditor_script_verifies_the_seal_material(sample: Path) -> None:
    """scripts/verify_seals.py (standard library only) re-checks lists, hashes and chain."""
    import subprocess
    import sys

    script = ROOT / "scripts" / "verify_seals.py"
    ok = subprocess.run(
        [sys.executable, "-I", str(script), str(sample.parent)], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (seal,) = load(sample).book.all(Seal)
    assert f"2021-12 {seal.chain}" in ok.stdout
    edit(sample.parent / "seals" / "2021-12.digests", "accounts.beancount:", "accounts.beancount:9")
    bad = subprocess.run(
        [sys.executable, "-I", str(script), str(sample.parent)], capture_output=True, text=True
    )
    assert bad.returncode == 1 and "2021-12" in bad.stdout


def test_canonical_form_is_json_and_independent_of_layout() -> None:
    """Every form is the compact JSON of itself; 5000 and 5000.00 are one number; tags,
    links, metadata and postings in any order are one entry."""
    from beancount import loader

    entries, errors, _ = loader.load_string(
        """
2021-01-01 open Assets:A CNY
2021-01-01 open Expenses:B CNY
2021-02-01 * "x" "y" #t ^l
  kk: 5000.00 CNY
  dd: 2021-01-01
  Expenses:B  5000.00 CNY
  Assets:A
""",
        dedent=True,
    )
    again, more, _ = loader.load_string(
        """
2021-01-01 open Assets:A   CNY
2021-01-01 open Expenses:B CNY

2021-02-01 *   "x"   "y" ^l #t
  dd: 2021-01-01
  kk: 5000.000 CNY
  Assets:A     -5000 CNY
  Expenses:B    5000.0 CNY
""",
        dedent=True,
    )
    assert errors == more == []
    forms = [canonical(e) for e in entries]
    assert forms == [canonical(e) for e in again]
    for form in forms:
        assert json.dumps(json.loads(form), ensure_ascii=False, separators=(",", ":")) == form
    assert forms[2] == (
        '["txn","2021-02-01","*","x","y",["t"],["l"],[["dd",["d","2021-01-01"]],'
        '["kk",["a","5000","CNY"]]],[["Assets:A",["a","-5000","CNY"],null,null,null,[]],'
        '["Expenses:B",["a","5000","CNY"],null,null,null,[]]]]'
    )


def test_sealing_twice_by_a_relative_path(sample: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(sample.parent.parent)
    fresh(sample)
    for month, day in (("2021-06", "2021-07-05"), ("2021-12", "2022-01-20")):
        code, out = run("seal", "ledger/main.beancount", "--through", month, "--date", day)
        assert code == 0, out
    assert sample.read_text(encoding="utf-8").count('include "seals.beancount"') == 1
    assert check(sample)[0] == 0


def test_the_books_as_of_a_day_before_their_seals_hold_no_orphaned_digest_list(
    sample: Path,
) -> None:
    # on 2019-01-01 (before the first entry) no seal was entered yet: the 2021-12 list is
    # no orphan there; with the seal entry removed from the whole books, it is
    code, out = run("check", str(sample), "--date", "2019-01-01", "--json")
    assert code == 0 and not [f for f in json.loads(out) if f["rule"] == "A02"], out
    seals = sample.parent / "seals.beancount"
    text = seals.read_text(encoding="utf-8")
    start = text.index('2021-12-31 custom "seal" "2021-12"')
    end = text.find("\n\n", start)
    seals.write_text(text[:start] + (text[end:] if end >= 0 else ""), encoding="utf-8")
    code, out = run("check", str(sample), "--json")
    assert code == 1 and any("摘要清单无对应的封存记录" in f["message"] for f in json.loads(out))


def test_audit_expect_that_cannot_be_a_chain_hash_says_why() -> None:
    """A short, non-hex or overlong ``--expect`` is refused for what it is (exit 2), not
    reported as a chain missing from the books (exit 1: 封存被替换或删除?)."""
    sample = str(SAMPLE_DIR / "main.beancount")
    for value, said in (
        ("f56925", "只有 6 位, 至少写链哈希的前 12 位"),
        ("f56925a6f93564z", "链哈希应为十六进制数字"),
        ("f" * 65, "65 位, 链哈希为 64 位"),
    ):
        code, out = run("audit", sample, "--expect", value)
        assert code == 2, out
        assert said in out
        assert "不在本账簿的封存链中" not in out and "Traceback" not in out
    code, out = run("audit", sample, "--expect", " F56925A6F935644 ")
    assert code == 0, out
