"""Tampering with the sealed sample ledger is caught, naming the period and the entry.

Each test copies the sample ledger (sealed through 2021-12: ``ledger/seals.beancount``,
``ledger/seals/2021-12.digests``, evidence under ``ledger/documents``), makes one change
as someone rewriting the past would, and runs ``fupin check --json`` (a real Beancount load
of the files): the change is an error of the audit-trail rules at the entry at fault.
Three harmless changes (re-formatting, moving entries between files, re-ordering within a
day) leave the seal intact.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from audit_helpers import block, check, edit, findings, line_of

from fupin.audit import AUDIT_RULES

PROGRESS = '2021-07-11 * "青山县宏达建筑工程有限公司" "青山村肉牛养殖圈舍建设项目 进度款"'
PROGRESS_2 = '2021-07-12 * "青山县绿源农业开发有限公司" "河湾村设施蔬菜大棚项目 进度款"'
APPROVED = '2021-03-02 custom "project-stage" "P-2021-001" "approved"'
ACCEPTANCE_PDF = "documents/P-2021-001/2021-11-03-accepted-acceptance.pdf"


def only(found: list[dict[str, Any]], rule: str) -> dict[str, Any]:
    """The one error of ``rule``."""
    hits = [f for f in found if f["rule"] == rule and f["severity"] == "error"]
    assert len(hits) == 1, found
    return hits[0]


def at(finding: dict[str, Any], path: Path, line: int) -> None:
    assert finding["file"].endswith(f"{path.parent.name}/{path.name}"), finding
    assert finding["line"] == line, finding


def test_the_sealed_sample_is_clean(sample: Path) -> None:
    code, found = check(sample)
    assert code == 0
    assert [f for f in found if f["rule"] in AUDIT_RULES] == []


# -- the entries of the sealed period --------------------------------------------------------
def test_changed_amount(sample: Path) -> None:
    books = sample.parent / "xianjie-2021.beancount"
    line = line_of(books, PROGRESS)
    edit(
        books,
        "Expenses:Industry:Livestock  413000.00 CNY",
        "Expenses:Industry:Livestock  414000.00 CNY",
    )
    code, found = check(sample)
    assert code == 1
    hit = only(found, "A01")
    at(hit, books, line)
    assert hit["entity"] == "2021-12"
    assert hit["message"].startswith(
        "A01 error: 封存期 2021-12 内记录被改动 — 2021-07-11 * 青山县宏达建筑工程有限公司"
    )
    assert "金额 Expenses:Industry:Livestock 413000 CNY → 414000 CNY" in hit["message"]
    assert f"封存时 xianjie-2021.beancount:{line}" in hit["message"]


def test_changed_date(sample: Path) -> None:
    books = sample.parent / "xianjie-2021.beancount"
    line = line_of(books, PROGRESS)
    edit(books, PROGRESS, PROGRESS.replace("2021-07-11", "2021-07-10"))
    hit = only(findings(sample, "A01"), "A01")
    at(hit, books, line)
    assert "封存期 2021-12 内记录日期被改动" in hit["message"]
    assert "日期 2021-07-11 → 2021-07-10" in hit["message"]


def test_changed_metadata_value(sample: Path) -> None:
    books = sample.parent / "xianjie-2021.beancount"
    line = line_of(books, APPROVED)
    edit(books, 'doc: "青乡振批〔2021〕11号"', 'doc: "青乡振批〔2021〕18号"')
    hit = only(findings(sample, "A01"), "A01")
    at(hit, books, line)
    assert (
        '封存期 2021-12 内记录被改动 — 2021-03-02 custom "project-stage" P-2021-001 approved'
        in hit["message"]
    )
    assert "元数据 doc: 青乡振批〔2021〕11号 → 青乡振批〔2021〕18号" in hit["message"]


def test_changed_posting_metadata_and_added_key(sample: Path) -> None:
    books = sample.parent / "xianjie-2021.beancount"
    line = line_of(books, PROGRESS)
    edit(
        books,
        '  payment: "progress"\n  voucher: "记-2021-0011"',
        '  payment: "progress"\n  voucher: "记-2021-0011"\n  note: "补"',
    )
    hit = only(findings(sample, "A01"), "A01")
    at(hit, books, line)
    assert "元数据 note: 新增 补" in hit["message"]


def test_changed_account(sample: Path) -> None:
    books = sample.parent / "xianjie-2021.beancount"
    line = line_of(books, PROGRESS)
    edit(
        books,
        "Expenses:Industry:Livestock  413000.00 CNY",
        "Expenses:Industry:Planting  413000.00 CNY",
    )
    hit = only(findings(sample, "A01"), "A01")
    at(hit, books, line)
    assert (
        "科目 Expenses:Industry:Livestock → Expenses:Industry:Planting (413000 CNY)"
        in hit["message"]
    )


def test_deleted_entry(sample: Path) -> None:
    books = sample.parent / "xianjie-2021.beancount"
    line = line_of(books, PROGRESS_2)
    edit(books, block(books, PROGRESS_2) + "\n", "")
    hit = only(findings(sample, "A01"), "A01")
    seals = sample.parent / "seals.beancount"
    at(hit, seals, line_of(seals, 'custom "seal" "2021-12"'))
    assert hit["message"] == (
        "A01 error: 封存期 2021-12 内记录被删除 — 2021-07-12 * 青山县绿源农业开发有限公司 "
        f"河湾村设施蔬菜大棚项目 进度款 511000 CNY; 封存时 xianjie-2021.beancount:{line}"
    )


def test_inserted_entry(sample: Path) -> None:
    books = sample.parent / "xianjie-2021.beancount"
    with books.open("a", encoding="utf-8") as out:
        out.write(
            '\n2021-12-20 * "青山县乡村振兴局" "补记 调研费"\n'
            "  Expenses:ManagementFee  3000.00 CNY\n  Assets:Treasury:XJ-2021\n"
        )
    hit = only(findings(sample, "A01"), "A01")
    at(hit, books, line_of(books, "补记 调研费"))
    assert hit["message"].startswith(
        "A01 error: 封存期 2021-12 内新增记录 (封存后补记或倒签) — 2021-12-20 * 青山县乡村振兴局 补记 调研费 3000 CNY"
    )


def test_duplicated_entry(sample: Path) -> None:
    books = sample.parent / "xianjie-2021.beancount"
    with books.open("a", encoding="utf-8") as out:
        out.write("\n" + block(books, PROGRESS))
    hit = only(findings(sample, "A01"), "A01")
    at(hit, books, line_of(books, PROGRESS, start=line_of(books, PROGRESS) + 1))
    assert "封存期 2021-12 内记录重复" in hit["message"]
    first = line_of(books, PROGRESS)
    assert f"与封存时 xianjie-2021.beancount:{first} 的记录相同" in hit["message"]


def test_back_dated_entry(sample: Path) -> None:
    """A 2022 receipt dated back into 2021 (a later file) is an insertion into the period."""
    books = sample.parent / "xianjie-2022.beancount"
    first = '2022-01-05 * "青山县财政局" "2022年衔接资金下达 青财农〔2022〕2号"'
    line = line_of(books, first)
    edit(books, first, first.replace("2022-01-05", "2021-12-28"))
    hit = only(findings(sample, "A01"), "A01")
    at(hit, books, line)
    assert (
        "封存期 2021-12 内新增记录 (封存后补记或倒签) — 2021-12-28 * 青山县财政局" in hit["message"]
    )


def test_entry_moved_out_of_the_period(sample: Path) -> None:
    books = sample.parent / "xianjie-2021.beancount"
    first = '2021-12-30 * "青山县财政局" "2021年衔接资金结余收回县级财政统筹"'
    line = line_of(books, first)
    edit(books, first, first.replace("2021-12-30", "2022-01-02"))
    hit = only(findings(sample, "A01"), "A01")
    at(hit, books, line)
    assert "封存期 2021-12 内记录被移出" in hit["message"]
    assert "日期 2021-12-30 → 2022-01-02 (移出封存期)" in hit["message"]


# -- evidence files -------------------------------------------------------------------------
def test_replaced_evidence_file(sample: Path) -> None:
    evidence = sample.parent / "evidence.beancount"
    (sample.parent / ACCEPTANCE_PDF).write_bytes(b"%PDF-1.4\n% another report\n")
    found = findings(sample, "A04", "A05")
    hit = only(found, "A04")
    at(hit, evidence, line_of(evidence, ACCEPTANCE_PDF))
    assert hit["message"].startswith(
        "A04 error: 证据文件哈希不符 (封存期 2021-12) — 验收报告(acceptance); "
        "P-2021-001/2021-11-03-accepted-acceptance.pdf: 哈希不符 (文件被替换或改动)"
    )
    (need,) = [f for f in found if f["rule"] == "A05"]  # the stage now lacks a valid report
    books = sample.parent / "xianjie-2021.beancount"
    at(need, books, line_of(books, '2021-11-03 custom "project-stage" "P-2021-001" "accepted"'))
    assert need["policy_key"] == "evidence-stage-accepted"


def test_removed_evidence_file(sample: Path) -> None:
    evidence = sample.parent / "evidence.beancount"
    (sample.parent / ACCEPTANCE_PDF).unlink()
    code, found = check(sample)
    assert code == 1
    hit = only(found, "A04")
    at(hit, evidence, line_of(evidence, ACCEPTANCE_PDF))
    assert (
        "证据文件缺失 (封存期 2021-12) — 验收报告(acceptance); "
        "P-2021-001/2021-11-03-accepted-acceptance.pdf: 文件不存在或不可读" in hit["message"]
    )


def test_changed_evidence_declaration_is_a_sealed_change(sample: Path) -> None:
    """Re-hashing a replaced file in its (sealed) document entry breaks the seal instead."""
    evidence = sample.parent / "evidence.beancount"
    pdf = sample.parent / ACCEPTANCE_PDF
    pdf.write_bytes(b"%PDF-1.4\n% another report\n")
    import hashlib

    text = block(evidence, f'2021-11-03 document Assets:Treasury:XJ-2021 "{ACCEPTANCE_PDF}"')
    old = text.split('sha256: "')[1].split('"')[0]
    edit(evidence, old, hashlib.sha256(pdf.read_bytes()).hexdigest())
    found = findings(sample, "A01", "A04")
    assert not [f for f in found if f["rule"] == "A04"]
    hit = only(found, "A01")
    at(hit, evidence, line_of(evidence, ACCEPTANCE_PDF))
    assert "封存期 2021-12 内记录被改动" in hit["message"] and "元数据 sha256:" in hit["message"]


# -- the seal and its chain -----------------------------------------------------------------
def test_edited_seal(sample: Path) -> None:
    seals = sample.parent / "seals.beancount"
    count = int(seals.read_text(encoding="utf-8").split("  entries: ")[1].split()[0])
    edit(seals, f"  entries: {count}", f"  entries: {count - 1}")
    code, found = check(sample)
    assert code == 1
    hits = [f for f in found if f["rule"] == "A02"]
    assert {f["message"].split(" — ")[0] for f in hits} == {"A02 error: 封存记录被改动"}
    assert all(
        f["entity"] == "2021-12" and "封存期 2021-12 [seal 2021-12]" in f["message"] for f in hits
    )
    assert any("chain" in f["message"] for f in hits) and any(
        f"entries {count - 1} ≠ 实有 {count} 条" in f["message"] for f in hits
    )
    at(hits[0], seals, line_of(seals, 'custom "seal" "2021-12"'))
    assert not [f for f in found if f["rule"] == "A01"]  # the entries are as sealed


def test_edited_seal_hash(sample: Path) -> None:
    seals = sample.parent / "seals.beancount"
    text = seals.read_text(encoding="utf-8")
    sha = text.split('  sha256: "')[1][:64]
    edit(seals, sha, sha[:-1] + ("0" if sha[-1] != "0" else "1"))
    found = findings(sample, "A01", "A02")
    assert not [f for f in found if f["rule"] == "A01"]
    messages = [f["message"] for f in found]
    assert any(
        m.startswith("A02 error: 封存记录被改动 — 封存期 2021-12 [seal 2021-12]; sha256 ")
        for m in messages
    )


def test_edited_digest_list(sample: Path) -> None:
    listing = sample.parent / "seals" / "2021-12.digests"
    line = line_of(sample.parent / "xianjie-2021.beancount", PROGRESS)
    edit(listing, f"xianjie-2021.beancount:{line}\t", f"xianjie-2021.beancount:{line + 1}\t")
    hit = only(findings(sample, "A02"), "A02")
    assert hit["message"].startswith(
        "A02 error: 封存摘要清单被改动 — 封存期 2021-12 [seal 2021-12]; seals/2021-12.digests sha256 "
    )


def test_removed_digest_list_with_a_change(sample: Path) -> None:
    """Without its list a seal still detects the change, but cannot name the entry."""
    (sample.parent / "seals" / "2021-12.digests").unlink()
    books = sample.parent / "xianjie-2021.beancount"
    edit(
        books,
        "Expenses:Industry:Livestock  413000.00 CNY",
        "Expenses:Industry:Livestock  414000.00 CNY",
    )
    found = findings(sample, "A01", "A02")
    assert only(found, "A02")["message"].startswith("A02 error: 封存摘要清单缺失 — 封存期 2021-12")
    s01 = only(found, "A01")
    assert "封存期 2021-12 内容与封存不符" in s01["message"] and "无法逐条定位" in s01["message"]


def test_broken_chain(two_seals: Path) -> None:
    sample = two_seals
    seals = sample.parent / "seals.beancount"
    assert check(sample)[0] == 0
    second = block(seals, '2021-12-31 custom "seal" "2021-12"')
    prev = second.split('prev: "')[1][:64]
    edit(seals, f'prev: "{prev}"', 'prev: "' + "1" * 64 + '"')
    found = findings(sample, "A01", "A02")
    messages = [f["message"] for f in found]
    assert any(
        m.startswith("A02 error: 封存链断裂 — 封存期 2021-12 [seal 2021-12]; prev 1111111111…")
        for m in messages
    )
    assert all(f["entity"] == "2021-12" for f in found)


def test_removed_seal_breaks_the_chain(two_seals: Path) -> None:
    sample = two_seals
    seals = sample.parent / "seals.beancount"
    edit(seals, block(seals, '2021-06-30 custom "seal" "2021-06"'), "")
    found = findings(sample, "A02")
    messages = [f["message"] for f in found]
    assert any(m.startswith("A02 error: 封存链断裂 — 封存期 2021-12") for m in messages)
    orphan = [f for f in found if "摘要清单无对应的封存记录" in f["message"]]
    assert len(orphan) == 1 and orphan[0]["file"].endswith("seals/2021-06.digests")
    assert "封存期 2021-06 [seal 2021-06]" in orphan[0]["message"]


def test_correction_dated_in_the_sealed_period(sample: Path) -> None:
    from audit_helpers import run

    original = (
        f"xianjie-2021.beancount:{line_of(sample.parent / 'xianjie-2021.beancount', PROGRESS)}"
    )
    code, out = run("correct", str(sample), original, "--date", "2021-12-20")
    assert code == 2 and "已封存期间" in out
    books = sample.parent / "xianjie-2021.beancount"
    code, text = run("correct", str(sample), original, "--date", "2022-02-01")
    assert code == 0, text
    with books.open("a", encoding="utf-8") as out_file:
        out_file.write("\n" + text.replace("2022-02-01", "2021-12-20"))
    found = [f for f in findings(sample, "A01") if f["severity"] == "error"]
    assert len(found) == 2
    assert all("封存期 2021-12 内新增记录" in f["message"] for f in found)
    assert {f["line"] for f in found} == {
        line_of(books, "冲销 2021-07-11"),
        line_of(books, "重记 2021-07-11"),
    }


# -- harmless changes -----------------------------------------------------------------------
def audit_clean(sample: Path) -> None:
    code, found = check(sample)
    assert [f for f in found if f["rule"] in AUDIT_RULES] == [], found
    assert code == 0, found


def test_reformatting_is_harmless(sample: Path) -> None:
    """bean-format, other spacing and blank lines, trailing zeros, an interpolated amount
    written out, metadata and postings re-ordered."""
    import subprocess
    import sys

    books = sample.parent / "xianjie-2021.beancount"
    bean_format = Path(sys.executable).parent / "bean-format"
    formatted = subprocess.run(
        [str(bean_format), str(books)], capture_output=True, text=True, check=True
    ).stdout
    books.write_text(formatted, encoding="utf-8")
    text = books.read_text(encoding="utf-8")
    old = block(books, PROGRESS)
    lines = old.splitlines()
    meta = lines[1:4]
    assert [x.split(":")[0].strip() for x in meta] == ["project", "payment", "voucher"]
    new = (
        "\n".join(
            [
                lines[0].replace(" * ", "   *   "),
                "    " + meta[2].strip(),
                "    " + meta[0].strip(),
                "    " + meta[1].strip(),
                "    Assets:Treasury:XJ-2021      -413000 CNY",
                "    Expenses:Industry:Livestock   413000.000 CNY",
            ]
        )
        + "\n"
    )
    books.write_text(text.replace(old, new), encoding="utf-8")
    edit(books, "\n\n", "\n\n\n\n")  # blank lines
    audit_clean(sample)


def test_moving_entries_between_files_is_harmless(sample: Path) -> None:
    books = sample.parent / "xianjie-2021.beancount"
    moved = "".join(block(books, first) for first in (PROGRESS, PROGRESS_2, APPROVED))
    for first in (PROGRESS, PROGRESS_2, APPROVED):
        edit(books, block(books, first), "")
    (sample.parent / "sub").mkdir()
    (sample.parent / "sub" / "moved.beancount").write_text(moved, encoding="utf-8")
    with sample.open("a", encoding="utf-8") as out:
        out.write('include "sub/moved.beancount"\n')
    audit_clean(sample)


def test_reordering_within_a_day_is_harmless(sample: Path) -> None:
    books = sample.parent / "xianjie-2021.beancount"
    a = block(books, '2021-04-04 * "青山县宏达建筑工程有限公司"')
    b = block(books, '2021-04-04 custom "project-stage" "P-2021-003" "in_progress"')
    text = books.read_text(encoding="utf-8")
    assert text.index(a) < text.index(b)
    text = text.replace(a, "@@A@@").replace(b, a).replace("@@A@@", b)
    books.write_text(text, encoding="utf-8")
    audit_clean(sample)


def test_moving_the_whole_ledger_folder_is_harmless(sample: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere" / "books"
    moved.parent.mkdir()
    shutil.move(str(sample.parent), str(moved))
    audit_clean(moved / "main.beancount")


def test_a_personal_number_written_into_a_sealed_text_is_not_echoed(sample: Path) -> None:
    books = sample.parent / "xianjie-2021.beancount"
    line = line_of(books, PROGRESS)
    edit(books, PROGRESS, PROGRESS.replace("进度款", "进度款 联系13912345678"))
    code, found = check(sample)
    assert code == 1
    changed = only(found, "A01")
    at(changed, books, line)
    assert "摘要" in changed["message"] and "<手机号已隐去>" in changed["message"]
    personal = only(found, "PII")
    at(personal, books, line)
    assert all("13912345678" not in f["message"] for f in found)
