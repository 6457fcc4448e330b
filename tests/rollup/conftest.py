"""Fixtures for the export and the roll-up: a small generated province, exported once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from fupin.cli import main
from fupin.synth_province import County, generate_province

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "ledger" / "main.beancount"


def run(*args: str) -> tuple[int, str]:
    """``fupin ARGS`` as a county runs it: exit code and everything printed."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="session")
def province(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[County]]:
    """Four generated counties (one under the industry share, one with idle money)."""
    folder = tmp_path_factory.mktemp("province")
    return folder, generate_province(4, folder, transactions=700, years=2)


@pytest.fixture(scope="session")
def exported(province: tuple[Path, list[County]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The province exported into one folder with ``fupin export parquet``."""
    folder, counties = province
    out = tmp_path_factory.mktemp("exports")
    for county in counties:
        code, text = run(
            "export", "parquet", str(folder / county.folder / "main.beancount"),
            "--county", county.code, "--out", str(out), "--name", county.name,
        )  # fmt: skip
        assert code == 0, text
    return out


@pytest.fixture
def exported_copy(exported: Path, tmp_path: Path) -> Path:
    """A copy of the province's exports that a test may damage."""
    copy = tmp_path / "exports"
    shutil.copytree(exported, copy)
    return copy


def java() -> bool:
    return bool(os.environ.get("JAVA_HOME") or shutil.which("java"))


@pytest.fixture(scope="session")
def spark():  # type: ignore[no-untyped-def]
    """One local Spark session for every test that compares the engines (a JVM start is
    slow on 2 cores); skipped without Java or pyspark (a failure under ``make test``)."""
    if not java():
        pytest.skip("Spark needs Java 17+: scripts/sysdeps.sh installs default-jre-headless")
    pytest.importorskip("pyspark", reason="pyspark is in the test extra: pip install -e '.[test]'")
    from fupin.reports.rollup.spark_engine import spark_session

    session = spark_session("local[2]", memory="1g")
    yield session
    session.stop()
