"""The county's notice key: made by `fupin keygen`, kept outside the books, never shipped."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from fupin import notice_key
from fupin.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "ledger" / "main.beancount"


def test_no_key_is_committed() -> None:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [f for f in files if f.endswith(".key") or "secret" in f.lower()]


def test_keygen_writes_a_private_random_key_and_never_overwrites(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "ledger", tmp_path / "books", ignore=shutil.ignore_patterns("*.key"))
    ledger = tmp_path / "books" / "main.beancount"
    result = CliRunner().invoke(main, ["keygen", str(ledger)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "books" / "register" / notice_key.KEY_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = notice_key.read(path)
    assert len(key.secret) == 32 and key.sample_for is None
    other = tmp_path / "other.key"
    assert CliRunner().invoke(main, ["keygen", str(ledger), "--out", str(other)]).exit_code == 0
    assert notice_key.read(other).secret != key.secret
    again = CliRunner().invoke(main, ["keygen", str(ledger)])
    assert again.exit_code == 1 and "不覆盖" in again.output
    assert notice_key.read(path).secret == key.secret


def test_keygen_honours_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "keys" / "county.key"
    monkeypatch.setenv(notice_key.ENV, str(target))
    assert CliRunner().invoke(main, ["keygen", str(SAMPLE)]).exit_code == 0
    assert notice_key.resolve(None, None, tmp_path / "any.beancount") is not None


def test_the_sample_key_is_refused_with_another_ledger(
    tmp_path: Path, sample_secret: bytes
) -> None:
    shutil.copytree(ROOT / "ledger", tmp_path / "books")  # the demo key copied along
    ledger = tmp_path / "books" / "main.beancount"
    assert (tmp_path / "books" / "register" / notice_key.KEY_NAME).exists()
    result = CliRunner().invoke(main, ["notices", str(ledger), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "sample ledger's demo key" in result.output and "fupin keygen" in result.output
    assert not (tmp_path / "out").exists()
    # the command the message names replaces the copied demo key (it signed nothing here)
    demo = notice_key.read(tmp_path / "books" / "register" / notice_key.KEY_NAME).secret
    fresh = CliRunner().invoke(main, ["keygen", str(ledger)])
    assert fresh.exit_code == 0 and "已替换" in fresh.output, fresh.output
    own = notice_key.read(tmp_path / "books" / "register" / notice_key.KEY_NAME)
    assert own.sample_for is None and own.secret != demo
    out = CliRunner().invoke(main, ["notices", str(ledger), "--out", str(tmp_path / "out")])
    assert out.exit_code == 0, out.output
    assert CliRunner().invoke(main, ["keygen", str(ledger)]).exit_code == 1  # its own: kept
    # on the sample itself it works
    key = notice_key.resolve(None, ROOT / "ledger" / "register" / "households.csv", SAMPLE)
    assert key is not None and key.secret == sample_secret


def test_the_key_the_first_version_published_is_refused(tmp_path: Path) -> None:
    path = tmp_path / notice_key.KEY_NAME
    path.write_text("c3d10cc806d967c159c4d121d7254efc7c22721dcef7aa1f868953c28058d2a9\n")
    with pytest.raises(notice_key.NoticeKeyError, match="published"):
        notice_key.read(path)


def test_no_key_says_how_to_make_one(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "ledger", tmp_path / "books", ignore=shutil.ignore_patterns("*.key"))
    ledger = tmp_path / "books" / "main.beancount"
    result = CliRunner().invoke(
        main, ["notices", str(ledger), "--out", str(tmp_path / "o"), "--kind", "income_result"]
    )
    assert result.exit_code == 1 and "fupin keygen" in result.output
