"""More tampering with the sealed sample, and what Beancount itself does to the entries.

Each test copies the sample ledger (sealed through 2021-12), makes one change and loads it
for real: ``fupin check --json`` and, where it matters, Beancount's own loader with the
plugin (what ``bean-check`` and Fava run). Each case was found by an adversarial pass over
issue 17 and failed before its fix: a pad in a sealed period (Beancount pads after every
plugin), a plugin after ``fupin.plugins``, a seal dated in the future, a seal's hash in
upper case, a seal moved to another folder, look-alike text, an original reversed twice,
an evidence file replaced with its modification time set back, and evidence paths that
are folders or differ in case.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from audit_helpers import ROOT, block, check, edit, findings, line_of, run
from beancount import loader

PROGRESS = '2021-07-11 * "青山县宏达建筑工程有限公司" "青山村肉牛养殖圈舍建设项目 进度款"'
ACCEPTANCE_PDF = "documents/P-2021-001/2021-11-03-accepted-acceptance.pdf"


def errors(found: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    return [f for f in found if f["rule"] == rule and f["severity"] == "error"]


def bean_check(path: Path) -> list[str]:
    """The messages of the errors of a plain Beancount load (``bean-check``), plugin included."""
    _entries, errs, _options = loader.load_file(str(path))
    return [f"{e.source.get('filename')}:{e.source.get('lineno')}: {e.message}" for e in errs]


def auditor_script(main: Path) -> tuple[int, str]:
    """``scripts/verify_seals.py`` (standard library only) on the ledger's folder."""
    done = subprocess.run(
        [sys.executable, "-I", str(ROOT / "scripts" / "verify_seals.py"), str(main.parent)],
        capture_output=True,
        text=True,
    )
    return done.returncode, done.stdout + done.stderr


def unseal(main: Path) -> None:
    """Remove the sample's seal, so that a test can seal books it changed first."""
    (main.parent / "seals.beancount").write_text("", encoding="utf-8")
    shutil.rmtree(main.parent / "seals")


def seal(main: Path, through: str = "2021-12", day: str = "2022-01-20") -> tuple[int, str]:
    return run("seal", str(main), "--through", through, "--date", day)


PETTY = """
2021-01-01 open Equity:Opening CNY
2021-01-01 open Assets:Cash:Petty CNY
2021-02-01 pad Assets:Cash:Petty Equity:Opening
2021-02-02 balance Assets:Cash:Petty  100.00 CNY
"""


# -- what Beancount does after the plugin ------------------------------------------------------
def test_a_pad_in_a_sealed_period_verifies_under_bean_check_too(sample: Path) -> None:
    """Beancount's padding transaction exists in ``fupin check``'s entries (where ``fupin
    seal`` hashed it) but not yet when the plugin runs under ``bean-check``: the seal was
    broken in bean-check the moment it was made."""
    unseal(sample)
    with (sample.parent / "accounts.beancount").open("a", encoding="utf-8") as out:
        out.write(PETTY)
    code, out = seal(sample)
    assert code == 0, out
    assert "416 条记录" in out  # 412 + the two opens, the pad and the balance: no padding
    assert [m for m in bean_check(sample) if " A0" in m] == []
    code, found = check(sample)
    assert code == 0, [f for f in found if f["severity"] == "error"]
    # the pad and its balance are sealed: changing the balance's amount breaks the seal
    edit(sample.parent / "accounts.beancount", "Petty  100.00 CNY", "Petty  120.00 CNY")
    hit = errors(check(sample)[1], "A01")
    assert len(hit) == 1 and "2021-02-02 balance Assets:Cash:Petty" in hit[0]["message"]
    assert any("A01 error: 封存期 2021-12 内记录被改动" in m for m in bean_check(sample))


def test_a_sealed_pad_filled_by_a_later_balance_cannot_be_sealed(sample: Path) -> None:
    """A pad's amount is whatever the next balance needs: with that balance after the seal,
    unsealed entries would change a sealed account's balance."""
    unseal(sample)
    books = sample.parent / "accounts.beancount"
    with books.open("a", encoding="utf-8") as out:
        out.write(
            PETTY.replace("2021-02-01 pad", "2021-12-20 pad").replace(
                "2021-02-02 balance", "2022-01-05 balance"
            )
        )
    code, out = seal(sample)
    assert code == 1, out
    pad_line = line_of(books, "2021-12-20 pad")
    assert f"accounts.beancount:{pad_line}: A01 error: 封存期 2021-12 内的 pad" in out
    assert "2022-01-05 balance Assets:Cash:Petty 100.00 CNY" in out
    assert (sample.parent / "seals.beancount").read_text(encoding="utf-8") == ""


SNEAK = '''"""A plugin that books a payment into 2021 that no file holds."""
import datetime
from decimal import Decimal

from beancount.core import data

__plugins__ = ("sneak",)


def sneak(entries, options_map):
    units = data.Amount(Decimal("5000.00"), "CNY")
    txn = data.Transaction(
        data.new_metadata("<sneak>", 0), datetime.date(2021, 6, 1), "*", "某公司", "补付",
        frozenset(), frozenset(),
        [data.Posting("Assets:Treasury:XJ-2021", -units, None, None, None, None),
         data.Posting("Expenses:Industry:Livestock", units, None, None, None, None)],
    )
    return entries + [txn], []
'''


def test_a_plugin_after_ours_is_an_error_in_bean_check(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its entries come after the seals were verified: bean-check passed a 2021 payment that
    no file holds."""
    (tmp_path / "sneak_plugin.py").write_text(SNEAK, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    edit(sample, 'plugin "fupin.plugins"\n', 'plugin "fupin.plugins"\nplugin "sneak_plugin"\n')
    said = [m for m in bean_check(sample) if "A02" in m]
    assert len(said) == 1, said
    assert said[0].endswith(
        'A02 error: 封存无法完整复核 — 封存期 2021-12 [seal 2021-12]; 插件 "sneak_plugin" 排在 '
        '"fupin.plugins" 之后: 它对记录的增改不经封存复核 — 把 plugin "fupin.plugins" 放在最后'
    )
    assert said[0].startswith(f"{sample.parent / 'seals.beancount'}:5:")
    found = check(sample)[1]
    assert [f["message"] for f in errors(found, "A02")] == [said[0].split(": ", 1)[1]]
    # fupin check builds its own book on the final entries: it names the payment too
    assert "2021-06-01 * 某公司 补付 5000 CNY" in errors(found, "A01")[0]["message"]
    # placed before ours, the plugin's entry is seen by the seal in bean-check as well
    edit(sample, 'plugin "fupin.plugins"\nplugin "sneak_plugin"\n', 'plugin "sneak_plugin"\n')
    edit(
        sample,
        'include "accounts.beancount"',
        'plugin "fupin.plugins"\ninclude "accounts.beancount"',
    )
    said = [m for m in bean_check(sample) if " A0" in m]
    assert len(said) == 1 and said[0].startswith("<sneak>:0: A01 error: 封存期 2021-12 内新增记录")


def test_raw_plugin_mode_or_no_plugin_leaves_the_seals_unverified(sample: Path) -> None:
    edit(sample, 'option "booking_method" "STRICT"', 'option "plugin_processing_mode" "raw"')
    said = [m for m in bean_check(sample) if "A02" in m]
    assert len(said) == 1 and 'option "plugin_processing_mode" "raw"' in said[0]
    assert "封存期 2021-12" in said[0]
    edit(sample, 'option "plugin_processing_mode" "raw"', "")
    edit(sample, 'plugin "fupin.plugins"\n', "")
    found = errors(check(sample)[1], "A02")
    assert len(found) == 1
    assert '账簿未启用 plugin "fupin.plugins": bean-check 与 Fava 不复核封存' in found[0]["message"]
    assert found[0]["file"].endswith("seals.beancount") and found[0]["line"] == 5


# -- making seals ------------------------------------------------------------------------------
def test_a_seal_cannot_be_dated_in_the_future(sample: Path) -> None:
    """``--date`` is the day the seal is made: a later one sealed months not yet lived."""
    today = datetime.date.today()
    later = today.replace(year=today.year + 3)
    month = f"{later.year}-{later.month:02d}"
    day = later.replace(day=28) + datetime.timedelta(days=10)
    code, out = seal(sample, month, day.isoformat())
    assert code == 2, out
    assert f"封存日期 {day} 晚于今天 {today}" in out
    assert f'"{month}"' not in (sample.parent / "seals.beancount").read_text(encoding="utf-8")
    assert not (sample.parent / "seals" / f"{month}.digests").exists()


def test_a_seal_refuses_a_plugin_after_ours(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "noop_plugin.py").write_text(
        '__plugins__ = ("noop",)\n\ndef noop(entries, options_map):\n    return entries, []\n',
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    unseal(sample)
    edit(sample, 'plugin "fupin.plugins"\n', 'plugin "fupin.plugins"\nplugin "noop_plugin"\n')
    code, out = seal(sample)
    assert code == 2, out
    assert '插件 "noop_plugin" 排在 "fupin.plugins" 之后' in out
    assert not (sample.parent / "seals").exists()


def test_a_malformed_month_is_refused_in_chinese(sample: Path) -> None:
    code, out = seal(sample, "2021-13")
    assert code == 2 and "--through 2021-13: 应为 YYYY-MM (年-月, 如 2021-12)" in out, out


def test_a_seal_dated_before_the_previous_seal_is_refused(sample: Path) -> None:
    """Seals are made in order: a later period cannot have been sealed before an earlier."""
    unseal(sample)
    code, out = seal(sample, "2021-06", "2022-03-01")
    assert code == 0, out
    code, out = seal(sample, "2021-12", "2022-01-20")
    assert code == 2, out
    assert "封存日期 2022-01-20 早于上一封存 2021-06 的封存日期 2022-03-01" in out
    assert not (sample.parent / "seals" / "2021-12.digests").exists()


# -- the seal entry itself ---------------------------------------------------------------------
def test_a_seal_hash_in_upper_case_is_the_same_hash(sample: Path) -> None:
    """Hex digits name one hash in either case; the period is still verified entry by entry
    (before, the seal was an invalid entity and its period went unchecked)."""
    seals = sample.parent / "seals.beancount"
    text = seals.read_text(encoding="utf-8")
    for key in ("sha256", "chain"):
        start = text.index(f'  {key}: "') + len(key) + 5
        text = text[:start] + text[start : start + 64].upper() + text[start + 64 :]
    seals.write_text(text, encoding="utf-8")
    assert 'chain: "F56925A6F935644' in text
    code, found = check(sample)
    assert code == 0, [f for f in found if f["severity"] == "error"]
    code, out = auditor_script(sample)
    assert (
        code == 0
        and "2021-12 f56925a6f935644324a1678b20c797c60d9a2e40bbaee031a07877699f609a92 ok" in out
    ), out
    books = sample.parent / "xianjie-2021.beancount"
    edit(
        books,
        "Expenses:Industry:Livestock  413000.00 CNY",
        "Expenses:Industry:Livestock  413000.01 CNY",
    )
    edit(
        books,
        "  Assets:Treasury:XJ-2021\n\n2021-07-12",
        "  Assets:Treasury:XJ-2021  -413000.01 CNY\n\n2021-07-12",
    )
    hit = errors(check(sample)[1], "A01")
    assert len(hit) == 1 and hit[0]["line"] == line_of(books, PROGRESS)
    assert "413000 CNY → 413000.01 CNY" in hit[0]["message"]


def test_a_seal_made_invalid_says_its_period_went_unverified(sample: Path) -> None:
    """An invalid seal is no seal: besides its ENTITY error, the audit rules say that the
    period's entries were not checked (before: silence from A01/A02)."""
    edit(sample.parent / "seals.beancount", "  entries: 412", "  entries: -1")
    edit(sample.parent / "xianjie-2021.beancount", PROGRESS, PROGRESS + " #late")
    found = check(sample)[1]
    (a02,) = errors(found, "A02")
    assert a02["message"].startswith(
        "A02 error: 封存记录无效, 该期记录未经复核 — 封存期 2021-12 [seal 2021-12]"
    )
    assert a02["file"].endswith("seals.beancount") and a02["line"] == 5
    assert any("entries = -1" in f["message"] for f in errors(found, "ENTITY"))


def test_a_seal_moved_to_a_file_in_another_folder_is_harmless(sample: Path) -> None:
    """Moving an entry between files changes nothing; a seal is an entry too (its digest list
    is found beside the main file when it is not beside the seal's new file)."""
    seals = sample.parent / "seals.beancount"
    entry = block(seals, '2021-12-31 custom "seal" "2021-12"')
    seals.write_text(seals.read_text(encoding="utf-8").replace(entry, ""), encoding="utf-8")
    (sample.parent / "archive").mkdir()
    (sample.parent / "archive" / "seals-2021.beancount").write_text(entry, encoding="utf-8")
    edit(
        sample,
        'include "seals.beancount"',
        'include "seals.beancount"\ninclude "archive/seals-2021.beancount"',
    )
    code, found = check(sample)
    assert code == 0, [f for f in found if f["severity"] == "error"]
    assert [m for m in bean_check(sample) if " A0" in m] == []
    code, out = auditor_script(sample)
    assert code == 0 and "2021-12 f56925a6f935644" in out, out


def test_a_digest_list_line_rewritten_to_garbage_still_names_the_changed_entry(
    sample: Path,
) -> None:
    """The forms of a digest list name what changed; one that is not a form (its digest
    kept) used to end both audit rules in an internal error, with no finding of theirs."""
    listing = sample.parent / "seals" / "2021-12.digests"
    lines = listing.read_text(encoding="utf-8").split("\n")
    number = next(n for n, x in enumerate(lines) if x.startswith("2021-07-11\t") and "进度款" in x)
    day, sha, where, _form = lines[number].split("\t")
    lines[number] = "\t".join((day, sha, where, "{not a form"))
    listing.write_text("\n".join(lines), encoding="utf-8")
    books = sample.parent / "xianjie-2021.beancount"
    edit(books, "Livestock  413000.00 CNY", "Livestock  413000.01 CNY")
    edit(
        books,
        "  Assets:Treasury:XJ-2021\n\n2021-07-12",
        "  Assets:Treasury:XJ-2021  -413000.01 CNY\n\n2021-07-12",
    )
    found = check(sample)[1]
    assert not [f for f in found if "internal error" in f["message"]], found
    a01 = errors(found, "A01")
    inserted = [f for f in a01 if f["line"] == line_of(books, PROGRESS)]
    assert len(inserted) == 1 and "413000.01 CNY" in inserted[0]["message"]
    assert any(f"(摘要清单第 {number + 1} 行已损坏); 封存时 {where}" in f["message"] for f in a01)
    a02 = [f["message"] for f in errors(found, "A02")]
    assert any(f"第 {number + 1} 行: 规范形式的 SHA-256 不是该行记载的 sha256" in m for m in a02)
    assert any("封存摘要清单被改动" in m for m in a02)


def test_a_digest_list_with_windows_line_ends_is_a_warning_not_a_change(sample: Path) -> None:
    """git's core.autocrlf writes the list back with CRLF on a county's Windows machine: the
    content is the same, and a tampered entry is still named."""
    listing = sample.parent / "seals" / "2021-12.digests"
    listing.write_bytes(listing.read_bytes().replace(b"\n", b"\r\n"))
    code, found = check(sample)
    assert code == 0, [f for f in found if f["severity"] == "error"]
    (warning,) = [f for f in found if f["rule"] == "A02"]
    assert warning["severity"] == "warning"
    assert "封存摘要清单换行符不同 — 封存期 2021-12" in warning["message"]
    assert "*.digests -text" in warning["message"]
    code, out = auditor_script(sample)
    assert code == 0 and "CRLF line ends" in out, out
    edit(sample.parent / "xianjie-2021.beancount", PROGRESS, PROGRESS + " #late")
    hit = errors(check(sample)[1], "A01")
    assert len(hit) == 1 and "标签 [] → [late]" in hit[0]["message"]


# -- what the messages show --------------------------------------------------------------------
def test_look_alike_text_is_a_change_the_message_makes_visible(sample: Path) -> None:
    """The canonical form keeps the code points as written: a zero-width space or a
    full-width digit is a change, and the message says what a reader cannot see."""
    books = sample.parent / "xianjie-2021.beancount"
    edit(books, PROGRESS, PROGRESS.replace("肉牛", "肉\u200b牛"))
    edit(books, 'voucher: "记-2021-0011"', 'voucher: "记-2021-００11"')
    hit = errors(check(sample)[1], "A01")
    assert len(hit) == 1 and hit[0]["line"] == line_of(books, "2021-07-11 *")
    message = hit[0]["message"]
    assert "青山村肉<U+200B>牛养殖圈舍建设项目" in message and "\u200b" not in message
    assert "(看似相同, Unicode 编码不同: (无) → U+200B)" in message
    assert "元数据 voucher: 记-2021-0011 → 记-2021-００11 (看似相同, Unicode 编码不同: " in message
    assert "U+0030 U+0030 → U+FF10 U+FF10" in message


def test_a_price_added_is_not_called_a_change_of_amount(sample: Path) -> None:
    books = sample.parent / "xianjie-2021.beancount"
    edit(books, "Livestock  413000.00 CNY\n", "Livestock  413000.00 CNY @ 1 CNY\n")
    message = errors(check(sample)[1], "A01")[0]["message"]
    assert "金额" not in message
    assert (
        "分录 Expenses:Industry:Livestock 413000 CNY → Expenses:Industry:Livestock 413000 CNY @ 1 CNY"
        in message
    )


# -- corrections -------------------------------------------------------------------------------
REVERSAL = """
{day} * "青山县宏达建筑工程有限公司" "冲销 2021-07-11 青山村肉牛养殖圈舍建设项目 进度款" ^{link}
  correction: "reversal"
  corrects: 2021-07-11
  project: "P-2021-001"
  payment: "progress"
  Expenses:Industry:Livestock  -413000.00 CNY
  Assets:Treasury:XJ-2021       413000.00 CNY
"""


def test_an_original_reversed_twice_under_two_links(sample: Path) -> None:
    """A link may spell more of the original's digest than 12 hex: two links, one original,
    reversed twice (before: no A03, only the fund's figures going wrong)."""
    code, out = run("correct", str(sample), "记-2021-0011", "--date", "2022-02-15")
    assert code == 0, out
    link = out.split("^", 1)[1].split()[0]
    digests = (sample.parent / "seals" / "2021-12.digests").read_text(encoding="utf-8")
    full = next(
        x.split("\t")[1]
        for x in digests.splitlines()
        if x.startswith("2021-07-11\t") and x.split("\t")[1].startswith(link[5:])
    )
    longer = f"corr-{full[:20]}"
    books = sample.parent / "xianjie-2022.beancount"
    with books.open("a", encoding="utf-8") as out_file:
        out_file.write(REVERSAL.format(day="2022-02-15", link=link))
        out_file.write(REVERSAL.format(day="2022-03-15", link=longer))
    found = errors(check(sample)[1], "A03")
    assert len(found) == 1, found
    assert found[0]["line"] == line_of(books, f"^{longer}")
    assert found[0]["message"] == (
        f"A03 error: 原记录已被冲销, 不能再次冲销 — ^{longer} 原记录 2021-07-11 "
        f"青山村肉牛养殖圈舍建设项目 进度款; 已由 ^{link} 于 2022-02-15 冲销"
    )


# -- evidence ----------------------------------------------------------------------------------
def test_an_evidence_file_replaced_with_its_time_set_back_is_seen_by_a_running_process(
    sample: Path,
) -> None:
    """Fava keeps one process: its cache of file hashes was keyed by size and modification
    time, both of which ``cp -p`` or ``touch -r`` keep."""
    assert errors(check(sample)[1], "A04") == []
    pdf = sample.parent / ACCEPTANCE_PDF
    data = bytearray(pdf.read_bytes())
    data[-20] ^= 1
    held = pdf.stat()
    pdf.write_bytes(bytes(data))
    os.utime(pdf, ns=(held.st_atime_ns, held.st_mtime_ns))
    assert (pdf.stat().st_size, pdf.stat().st_mtime_ns) == (held.st_size, held.st_mtime_ns)
    found = errors(check(sample)[1], "A04")
    assert len(found) == 1 and "哈希不符 (文件被替换或改动)" in found[0]["message"]


def test_an_evidence_path_that_is_a_folder_or_differs_in_case(sample: Path) -> None:
    pdf = sample.parent / ACCEPTANCE_PDF
    pdf.rename(pdf.with_name("2021-11-03-Accepted-Acceptance.pdf"))
    hit = errors(check(sample)[1], "A04")
    assert len(hit) == 1
    assert (
        "P-2021-001/2021-11-03-accepted-acceptance.pdf: 文件不存在或不可读; "
        "文件夹中有仅大小写不同的 2021-11-03-Accepted-Acceptance.pdf"
    ) in hit[0]["message"]
    pdf.mkdir()
    hit = errors(check(sample)[1], "A04")
    assert len(hit) == 1
    assert "A04 error: 证据文件无效 (封存期 2021-12)" in hit[0]["message"]
    assert "2021-11-03-accepted-acceptance.pdf: 是文件夹, 不是文件" in hit[0]["message"]


def test_a_hash_with_its_prefix_or_in_upper_case_is_read(sample: Path) -> None:
    """In an open period (2022): ``sha256: "sha256:<hex>"`` on a document entry and
    ``SHA256:<HEX>`` inline name the same hash (before: 应为 64 位十六进制数)."""
    evidence = sample.parent / "evidence.beancount"
    text = evidence.read_text(encoding="utf-8")
    at = text.index("2022-01-09 document")
    start = text.index('sha256: "', at) + 9
    digest = text[start : start + 64]
    evidence.write_text(
        text[:start] + "SHA256:" + digest.upper() + text[start + 64 :], encoding="utf-8"
    )
    assert findings(sample, "A04") == []
    line = line_of(evidence, "2022-01-09 document")
    other = "1" if digest[-1] != "1" else "2"
    edit(evidence, "SHA256:" + digest.upper(), "sha256:" + digest[:-1] + other)
    hit = errors(check(sample)[1], "A04")
    assert len(hit) == 1 and hit[0]["line"] == line and "哈希不符" in hit[0]["message"]
