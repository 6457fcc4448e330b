"""The built wheel, installed without extras into a fresh venv, runs the main jobs.

What a county gets from ``pip install fupin-ledger``: the wheel is built from this tree
(build isolation: the setuptools that pyproject names), installed with its runtime
dependencies only, and then, outside the repository, ``fupin check`` runs on the shipped
sample (no ledger named), ``fupin init`` lays out a county that ``fupin check`` passes, and
``fupin notices`` writes HTML and PDF. The build must print no setuptools warning.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LEFTOVERS = (".git", ".venv", "build", "*.egg-info", "__pycache__", ".*_cache", "out")

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, f"{args}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the venv's bin folder, a working folder outside the repository)."""
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    # a clean copy of the tree: no stale build/ or egg-info of earlier builds in the wheel
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*LEFTOVERS))
    log = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", dist, source, cwd=tmp)
    lines = [line for line in log.splitlines() if "Warning" in line and "setuptools" in line]
    assert lines == [], "\n".join(lines)
    (wheel,) = dist.glob("fupin_ledger-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "fupin/sample/main.beancount" in names
    assert "fupin/sample/audit_sample/main.beancount" in names
    assert "fupin/template/main.beancount.j2" in names
    assert "fupin/reports/templates/notices/page.html" in names
    assert "fupin/reports/fava/FupinCompliance.js" in names
    assert "fupin/reports/fava/templates/FupinFunds.html" in names
    assert not [n for n in names if n.endswith("notice-secret.key")]  # never a key
    # only the fupin namespace (no top-level ledger/, plugins/, reports/ in site-packages)
    assert {n.split("/")[0] for n in names if not n.endswith(".dist-info/RECORD")} == {
        "fupin",
        wheel.name.removesuffix("-py3-none-any.whl") + ".dist-info",
    }
    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    run(bin_dir / "python", "-m", "pip", "install", "-q", wheel, cwd=tmp)
    work = tmp / "work"
    work.mkdir()
    return bin_dir, work


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def test_no_test_extras_installed(installed: tuple[Path, Path]) -> None:
    bin_dir, work = installed
    out = run(bin_dir / "python", "-m", "pip", "list", "--format=freeze", cwd=work)
    names = {line.split("==")[0].lower() for line in out.splitlines()}
    assert "pypdf" in names and "fupin-ledger" in names
    assert not names & {"pytest", "playwright", "mypy", "ruff"}


def test_check_runs_on_the_shipped_sample(installed: tuple[Path, Path]) -> None:
    bin_dir, work = installed
    out = run(bin_dir / "fupin", "check", cwd=work, env=env())
    assert "0 个错误" in out
    assert "site-packages/fupin/sample/main.beancount" in out


def test_init_check_and_notices(installed: tuple[Path, Path]) -> None:
    bin_dir, work = installed
    county = work / "baishui"
    run(
        bin_dir / "fupin",
        "init",
        county,
        "--county",
        "白水县",
        "--code",
        "610527",
        "--years",
        "2024-2025",
        cwd=work,
        env=env(),
    )
    key = county / "register" / "notice-secret.key"
    assert key.stat().st_mode & 0o777 == 0o600
    out = run(bin_dir / "fupin", "check", county / "main.beancount", cwd=work, env=env())
    assert "0 个错误, 0 个警告" in out
    out = run(
        bin_dir / "fupin",
        "notices",
        "--kind",
        "fund_allocation",
        "--out",
        work / "notices",
        cwd=work,
        env=env(),
    )
    assert "份公示公告" in out
    assert list((work / "notices").rglob("*.pdf")), out
