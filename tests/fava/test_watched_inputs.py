"""Fava reloads when a file the rules read besides the books changes (issues 17/18/19).

A small ledger in the test's folder names a household register and one evidence file. Each
test changes one of them the way an officer does, asks Fava whether the ledger changed as
Fava does on every request and poll (``FavaLedger.changed()``, through its watcher), and
reads the compliance page's findings before and after.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from fupin.reports.fava.serve import make_app

from fupin import notice_key

REGISTER = (
    "id,township,village,group,head_name,id_number,phone,bank_account,attribute,cause,"
    "other_causes,cadre,income,note\n"
    "H-QS-001,城关镇,青山村,3组,钱豪,999901197706240132,18261973069,6228832886325208846,"
    "dibao,illness,disaster lack_capital,驻村工作队 吴迪,8000,\n"
    "H-QS-002,城关镇,青山村,5组,丁国,999901196707276773,13177777868,6228703351943153700,"
    "general,lack_skills,lack_labour,县财政局 王晓明,10770,\n"
)
CONTRACT = b"%PDF-1.4 contract P-2021-001 v1\n"


def small_ledger(folder: Path, more: str = "") -> Path:
    """The ledger: the plugin, the fupin pages, a register and one evidence file (``more``:
    entries added at its end)."""
    (folder / "register").mkdir(parents=True)
    (folder / "register" / "households.csv").write_text(REGISTER, encoding="utf-8")
    (folder / "documents" / "P-2021-001").mkdir(parents=True)
    (folder / "documents" / "P-2021-001" / "contract.pdf").write_bytes(CONTRACT)
    main = folder / "main.beancount"
    main.write_text(
        f"""option "title" "小账簿"
option "operating_currency" "CNY"
plugin "fupin.plugins"

2021-01-01 custom "fava-extension" "fupin.reports.fava"
2021-01-01 custom "household-register" "register/households.csv"

2021-01-01 open Assets:Treasury:XJ-2021 CNY
  name: "衔接资金专户"

2021-02-01 document Assets:Treasury:XJ-2021 "documents/P-2021-001/contract.pdf"
  evidence: "contract"
  sha256: "{hashlib.sha256(CONTRACT).hexdigest()}"
{more}""",
        encoding="utf-8",
    )
    return main


FINDING = re.compile(r"\b([A-Z]\d\d|BEANCOUNT) error: [^<]*")


class Pages:
    """Fava on the small ledger: its ledger object and the compliance page's findings."""

    def __init__(self, app: Flask) -> None:
        self.slug = app.config["LEDGERS"].first_slug()
        self.ledger: Any = app.config["LEDGERS"][self.slug]
        self.client = app.test_client()

    def findings(self) -> list[str]:
        """The error findings the compliance page shows (a request: Fava checks first)."""
        page = self.client.get(f"/{quote(self.slug)}/extension/FupinCompliance/")
        assert page.status_code == 200, page.text[:2000]
        shown = html.unescape(re.sub(r"<script.*?</script>", "", page.text, flags=re.S))
        return sorted({m.group(0).strip() for m in FINDING.finditer(shown)})


@pytest.fixture
def main(tmp_path: Path) -> Path:
    return small_ledger(tmp_path / "county")


@pytest.fixture
def pages(main: Path) -> Pages:
    return Pages(make_app(main))


def contract(main: Path) -> Path:
    return main.parent / "documents" / "P-2021-001" / "contract.pdf"


def test_a_replaced_evidence_file_reloads_the_pages(main: Path, pages: Pages) -> None:
    assert pages.findings() == []
    assert pages.ledger.changed() is False  # nothing changed: no reload
    entries, mtime = pages.ledger.all_entries, pages.ledger.mtime
    contract(main).write_bytes(b"%PDF-1.4 contract P-2021-001 v2\n")
    assert pages.ledger.changed() is True  # Fava's check: a reload
    assert pages.ledger.all_entries is not entries
    assert pages.ledger.mtime > mtime  # what the browser's poll of /api/changed compares
    (shown,) = pages.findings()
    assert shown.startswith("A04 error: 证据文件哈希不符 — 合同(contract); P-2021-001/contract.pdf")
    contract(main).write_bytes(CONTRACT)  # put back: the finding goes
    assert pages.ledger.changed() is True
    assert pages.findings() == []
    assert pages.ledger.changed() is False


def test_a_copy_keeping_size_and_time_is_seen(main: Path, pages: Pages) -> None:
    """``cp -p`` of a same-size file keeps the old modification time: its change time moves."""
    file = contract(main)
    before = file.stat()
    file.write_bytes(CONTRACT.replace(b"v1", b"v9"))
    os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert file.stat().st_size == before.st_size and file.stat().st_mtime_ns == before.st_mtime_ns
    assert pages.ledger.changed() is True
    assert [f[:24] for f in pages.findings()] == ["A04 error: 证据文件哈希不符 — 合同"]


def test_an_evidence_file_removed_then_added_reloads_each_time(main: Path, pages: Pages) -> None:
    contract(main).unlink()
    assert pages.ledger.changed() is True
    shown = pages.findings()
    assert (
        "A04 error: 证据文件缺失 — 合同(contract); P-2021-001/contract.pdf: 文件不存在或不可读"
        in shown
    )
    assert missing_document(pages)  # Beancount's own check, on Fava's errors page
    assert pages.ledger.changed() is False
    contract(main).write_bytes(CONTRACT)  # the file named in the ledger appears
    assert pages.ledger.changed() is True
    assert pages.findings() == [] and not missing_document(pages)


def missing_document(pages: Pages) -> bool:
    return any("File does not exist" in e.message for e in pages.ledger.errors)


def test_an_evidence_folder_that_appears_later(tmp_path: Path) -> None:
    """An evidence file named in a folder that is not there yet: adding both reloads."""
    later = b"%PDF-1.4 acceptance P-2021-009\n"
    main = small_ledger(
        tmp_path / "county",
        '\n2021-03-01 document Assets:Treasury:XJ-2021 "documents/P-2021-009/accept.pdf"\n'
        f'  evidence: "acceptance"\n  sha256: "{hashlib.sha256(later).hexdigest()}"\n',
    )
    pages = Pages(make_app(main))
    (shown,) = pages.findings()
    assert shown.startswith("A04 error: 证据文件缺失") and "P-2021-009/accept.pdf" in shown
    assert pages.ledger.changed() is False
    folder = main.parent / "documents" / "P-2021-009"
    folder.mkdir()
    (folder / "accept.pdf").write_bytes(later)
    assert pages.ledger.changed() is True
    assert pages.findings() == []


def test_a_register_row_edited_reloads_the_pages(main: Path, pages: Pages) -> None:
    register = main.parent / "register" / "households.csv"
    assert pages.findings() == []
    first = REGISTER.splitlines()[1]
    register.write_text(REGISTER + first + "\n", encoding="utf-8")  # a row pasted twice
    assert pages.ledger.changed() is True
    (shown,) = pages.findings()
    assert shown.startswith("C08 error: 农户信息库无法读取或校验失败")
    assert "households.csv:4: id: 农户编号 H-QS-001 重复 (第 2 行已有)" in shown
    members = main.parent / "register" / "members.csv"  # not there at the load: read as absent
    register.write_text(REGISTER, encoding="utf-8")
    assert pages.ledger.changed() is True and pages.findings() == []
    members.write_text("household,seq,name,relation\nH-QS-404,1,王一,户主\n", encoding="utf-8")
    assert pages.ledger.changed() is True
    (shown,) = pages.findings()
    assert "members.csv:2: household: 农户信息库中没有 'H-QS-404'" in shown


def test_the_files_read_are_watched_not_served_as_source(main: Path, pages: Pages) -> None:
    """The register holds ID numbers: it is watched, never listed among Fava's sources."""
    register = str(main.parent / "register" / "households.csv")
    watched = pages.ledger.watcher.reads.paths()
    assert register in watched and str(contract(main)) in watched
    assert all(name.endswith(".beancount") for name in pages.ledger.options["include"])
    got = pages.client.get(f"/{quote(pages.slug)}/api/source", query_string={"filename": register})
    assert got.status_code != 200 and "999901197706240132" not in got.text


def test_the_notice_key_a_page_reads_is_watched(main: Path, pages: Pages) -> None:
    """The 公示 page reads the county's notice key beside the register when it renders a
    notice: a key made afterwards (``fupin keygen``) reloads, and the page has it."""
    from fupin.reports.fava import base, notices

    snap = base.snapshot(pages.ledger)
    assert notices._context(snap, str(main))[0].secret is None
    assert pages.ledger.changed() is False
    key = main.parent / "register" / notice_key.KEY_NAME
    notice_key.generate(key)
    assert pages.ledger.changed() is True
    fresh = base.snapshot(pages.ledger)
    assert fresh is not snap
    assert notices._context(fresh, str(main))[0].secret == notice_key.read(key).secret


PLAIN_FAVA = """
import json, sys
from pathlib import Path
from urllib.parse import quote
from fava.application import create_app

main = Path(sys.argv[1])
app = create_app([str(main)], load=True, read_only=True)
slug = app.config["LEDGERS"].first_slug()
ledger = app.config["LEDGERS"][slug]
client = app.test_client()

def page():
    return client.get(f"/{quote(slug)}/extension/FupinCompliance/").text

out = {"before": "A04 error" in page(), "unchanged": ledger.changed()}
pdf = main.parent / "documents" / "P-2021-001" / "contract.pdf"
pdf.write_bytes(b"replaced")
out["changed"] = ledger.changed()
out["after"] = "A04 error: 证据文件哈希不符" in page()
out["wrapped"] = type(ledger.watcher).__name__
print(json.dumps(out))
"""


def test_plain_fava_with_the_extension_reloads_too(main: Path) -> None:
    """``fava main.beancount`` (no ``fupin serve``): the extension wraps the watcher."""
    done = subprocess.run(
        [sys.executable, "-c", PLAIN_FAVA, str(main)],
        capture_output=True,
        text=True,
        env={**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"},
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.splitlines()[-1]) == {
        "before": False,
        "unchanged": False,
        "changed": True,
        "after": True,
        "wrapped": "InputWatcher",
    }


def test_a_slow_sweep_is_not_repeated_at_once(
    main: Path, pages: Pages, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thousands of files take tens of milliseconds to compare: after a sweep slower than
    the floor, the next waits (here: any sweep is slow, and the wait long)."""
    from fupin.reports.fava import watch

    monkeypatch.setattr(watch, "SWEEP_FLOOR", -1.0)
    monkeypatch.setattr(watch, "SWEEP_SHARE", 1e9)
    assert pages.ledger.changed() is False  # a sweep: the next one waits
    contract(main).write_bytes(b"%PDF-1.4 contract P-2021-001 v2\n")
    assert pages.ledger.changed() is False
    pages.ledger.watcher.next_sweep = 0.0  # the wait is over
    assert pages.ledger.changed() is True
    assert pages.ledger.watcher.next_sweep == 0.0  # each load starts without a wait


def test_a_plain_document_that_appears_reloads(tmp_path: Path) -> None:
    """A ``document`` entry without evidence fields: Beancount says its file is missing
    (Fava's errors page) until the file is there."""
    main = small_ledger(
        tmp_path / "county",
        '\n2021-03-01 document Assets:Treasury:XJ-2021 "documents/minutes.pdf"\n',
    )
    pages = Pages(make_app(main))
    assert missing_document(pages) and pages.ledger.changed() is False
    (main.parent / "documents" / "minutes.pdf").write_bytes(b"%PDF-1.4 minutes\n")
    assert pages.ledger.changed() is True
    assert not missing_document(pages)


def test_the_import_config_is_watched_by_fava_itself(tmp_path: Path) -> None:
    """Fava watches its ``import-config`` module (and reads it again when it changed)."""
    main = small_ledger(
        tmp_path / "county",
        '\n2021-01-01 custom "fava-option" "import-config" "import_config.py"\n',
    )
    config = main.parent / "import_config.py"
    config.write_text("CONFIG = []\n", encoding="utf-8")
    pages = Pages(make_app(main))
    assert config in pages.ledger.paths_to_watch()[0]
    loaded = pages.ledger.ingest.mtime
    time.sleep(0.05)  # a new modification time, whatever the file system's resolution
    config.write_text("CONFIG = []  # 青山县\n", encoding="utf-8")
    deadline = time.monotonic() + 30  # Fava's watcher thread reports after its debounce
    while not pages.ledger.changed():
        assert time.monotonic() < deadline, "Fava did not see the import config change"
        time.sleep(0.2)
    assert pages.ledger.ingest.mtime != loaded
