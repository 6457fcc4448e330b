"""Confined, atomic, incremental output: safe names, one swap, kills at any moment."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from fupin.reports.notice_output import MAX_NAME_BYTES, safe_name

from fupin.cli import main

ROOT = Path(__file__).resolve().parents[2]
FUPIN = str(Path(sys.executable).parent / "fupin")

LEDGER = """\
option "operating_currency" "CNY"
plugin "fupin.plugins"

2021-01-01 custom "fund" "XJ-2021"
  name: "2021年衔接推进乡村振兴补助资金"
  family: "xianjie"

2021-01-01 open Assets:Treasury:XJ-2021 CNY
2021-01-01 open Income:Fund:XJ-2021:Central CNY
2021-01-05 * "县财政局" "资金下达"
  Assets:Treasury:XJ-2021  9000.00 CNY
  Income:Fund:XJ-2021:Central
{projects}
"""
PROJECT = """
2021-01-09 custom "project" "P-{n}"
  name: "{village}道路硬化项目"
  category: "Infrastructure"
  township: "城关镇"
  village: "{village}"
  year: 2021
  budget: 3000.00 CNY
  implementer: "城关镇人民政府"
  fund: "XJ-2021"
  targets: "方便群众出行"
  content: "{content}"
  beneficiaries: "全村群众"
  period: "2021-03 至 2021-06"

2021-01-11 custom "notice" "N-{n}"
  type: "project_plan"
  level: "village"
  subject: "P-{n}"
  channel: "board"
  start: 2021-01-11
  end: 2021-01-20
"""


def write(
    tmp: Path, villages: list[str], content: str = "硬化道路1公里", changed: str = ""
) -> Path:
    projects = "".join(
        PROJECT.format(
            n=f"2021-{i:03d}", village=v, content="硬化道路2公里" if v == changed else content
        )
        for i, v in enumerate(villages, 1)
    )
    path = tmp / "main.beancount"
    path.write_text(LEDGER.format(projects=projects), encoding="utf-8")
    return path


def run(ledger: Path, out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["notices", str(ledger), "--out", str(out), *args])
    return result.exit_code, result.output


def snapshot(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def links_resolve(out: Path) -> bool:
    index = (out / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]+)"', index)
    return bool(hrefs) and all((out / h).is_file() for h in hrefs)


def test_safe_names_are_bounded_and_never_leave_the_folder() -> None:
    for text in ("../../../../x", "..", ".", "a/b\\c", "村" * 200, "\u200b.hidden", "con"):
        name = safe_name(text, ".pdf")
        assert "/" not in name and "\\" not in name and not name.startswith(".")
        assert len(name.encode()) <= MAX_NAME_BYTES
    assert safe_name("城关镇青山村") == "城关镇青山村"
    assert safe_name("a/b") != safe_name("a_b")  # cleaned names get a hash: no collisions


def test_hostile_village_names_stay_inside_out(tmp_path: Path) -> None:
    ledger = write(tmp_path, ["../../../../x", "长" * 120 + "村"])
    out = tmp_path / "deep" / "out"
    code, output = run(ledger, out, "--format", "html")
    assert code == 0, output
    assert not (tmp_path / "x").exists() and not list(tmp_path.rglob("x*.html"))
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix == ".html":
            assert path.resolve().is_relative_to(out.resolve()), path
        assert len(path.name.encode()) <= MAX_NAME_BYTES
    assert links_resolve(out)


def test_a_folder_that_is_not_ours_is_never_replaced(tmp_path: Path) -> None:
    ledger = write(tmp_path, ["青山村"])
    out = tmp_path / "home"
    out.mkdir()
    (out / "thesis.docx").write_text("mine")
    code, output = run(ledger, out, "--format", "html")
    assert code == 1 and "not notices" in output
    assert (out / "thesis.docx").read_text() == "mine"
    papers = tmp_path / "papers"  # only PDFs, but not ours: no manifest, no index
    papers.mkdir()
    (papers / "contract.pdf").write_bytes(b"%PDF-1.4 mine")
    assert run(ledger, papers, "--format", "html")[0] == 1
    assert (papers / "contract.pdf").read_bytes() == b"%PDF-1.4 mine"


def test_rerun_replaces_the_set_whole_and_reuses_unchanged_pdfs(tmp_path: Path) -> None:
    ledger = write(tmp_path, ["青山村", "河湾村", "柳林村"])
    out = tmp_path / "out"
    assert run(ledger, out, "--json")[0] == 0
    first = snapshot(out)
    assert sum(p.endswith(".pdf") for p in first) == 3
    code, output = run(ledger, out, "--json")
    assert code == 0 and '"pdf_rendered": 0' in output and '"pdf_reused": 3' in output
    # one project changes: only its PDF is laid out again; the others are the same bytes
    write(tmp_path, ["青山村", "河湾村", "柳林村"], changed="河湾村")
    code, output = run(ledger, out, "--json")
    assert code == 0 and '"pdf_rendered": 1' in output and '"pdf_reused": 2' in output
    # a village dropped: its files go with the previous set (no stale notice stays)
    write(tmp_path, ["青山村"])
    assert run(ledger, out)[0] == 0
    now = snapshot(out)
    assert not any("河湾村" in p for p in now) and links_resolve(out)
    assert not list(tmp_path.glob(".out.*-*"))  # no staging or old folder left


def test_no_cjk_font_is_an_error_before_anything_renders(tmp_path: Path) -> None:
    ledger = write(tmp_path, ["青山村"])
    config = tmp_path / "fonts.conf"
    config.write_text('<?xml version="1.0"?><fontconfig><dir>/nonexistent</dir></fontconfig>')
    env = {**os.environ, "FONTCONFIG_FILE": str(config), "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    done = subprocess.run(
        [FUPIN, "notices", str(ledger), "--out", str(tmp_path / "o")],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "fonts-noto-cjk" in done.stderr
    assert not (tmp_path / "o").exists()


# -- killed at any moment ------------------------------------------------------------------


def _stopped(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state == "T"


def _run_until(ledger: Path, out: Path, phase: str) -> subprocess.Popen[bytes]:
    """Start `fupin notices` (own process group) stopping itself at ``phase``; its pid."""
    env = {
        **os.environ,
        "FUPIN_NOTICES_STOP_AT": phase,
        "FUPIN_NOTICES_BATCH_PAGES": "1",  # one notice per document: several workers busy
        "BEANCOUNT_DISABLE_LOAD_CACHE": "1",
    }
    proc = subprocess.Popen(
        [FUPIN, "notices", str(ledger), "--out", str(out)],
        env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not _stopped(proc.pid):
        assert proc.poll() is None, f"run ended before {phase}"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return proc


def _group_gone(pgid: int, wait: float = 20) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize(
    ("phase", "published"),
    [
        ("html", False),
        ("pdf-batch", False),
        ("pdf", False),
        ("publish", False),
        ("published", True),
    ],
)
def test_killed_at_any_moment_leaves_one_whole_set(
    tmp_path: Path, phase: str, published: bool
) -> None:
    villages = ["青山村", "河湾村", "柳林村", "石桥村"]
    ledger = write(tmp_path, villages)
    out = tmp_path / "out"
    assert run(ledger, out)[0] == 0
    before = snapshot(out)
    write(tmp_path, villages, content="硬化道路3公里")  # every notice changes
    proc = _run_until(ledger, out, phase)
    os.kill(proc.pid, signal.SIGKILL)  # the run only: its workers must go by themselves
    proc.wait()
    assert _group_gone(proc.pid), "worker processes outlived the run"
    after = snapshot(out)
    if published:
        assert after != before and links_resolve(out)
        assert "硬化道路3公里" in (out / "城关镇青山村" / "N-2021-001.html").read_text("utf-8")
    else:
        assert after == before  # the previous set, whole
    # the next run cleans what the killed one left and publishes the new set
    assert run(ledger, out)[0] == 0
    assert not [
        p for p in tmp_path.iterdir() if p.name.startswith(".out.") and "lock" not in p.name
    ]
    assert "硬化道路3公里" in (out / "城关镇青山村" / "N-2021-001.html").read_text("utf-8")
    assert links_resolve(out)
