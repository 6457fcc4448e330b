"""The sample ledger's demo notice key, generated when missing (as `make demo` does)."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from fupin import notice_key

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "ledger" / "main.beancount"
SAMPLE_KEY = ROOT / "ledger" / "register" / notice_key.KEY_NAME


def sample_key() -> bytes:
    """The sample's demo key (made on first use; never committed)."""
    if not SAMPLE_KEY.exists():
        with contextlib.suppress(notice_key.NoticeKeyError):  # made meanwhile elsewhere
            notice_key.generate(SAMPLE_KEY, sample_for=SAMPLE)
    return notice_key.read(SAMPLE_KEY).secret


@pytest.fixture(scope="session", autouse=True)
def sample_secret() -> bytes:
    return sample_key()


@pytest.fixture(scope="module")
def keyed_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample ledger and register, with a notice key of its own."""
    from click.testing import CliRunner

    from fupin.cli import main

    folder = tmp_path_factory.mktemp("county") / "ledger"
    shutil.copytree(ROOT / "ledger", folder, ignore=shutil.ignore_patterns("*.key"))
    result = CliRunner().invoke(main, ["keygen", str(folder / "main.beancount")])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def run_notices() -> Callable[..., tuple[int, str]]:
    """``fupin notices LEDGER --out OUT [--kind K …]`` in-process: (exit code, output)."""
    from click.testing import CliRunner

    from fupin.cli import main

    def run(ledger: Path, out: Path, *kinds: str) -> tuple[int, str]:
        args = ["notices", str(ledger), "--out", str(out)]
        for kind in kinds:
            args += ["--kind", kind]
        result = CliRunner().invoke(main, args)
        return result.exit_code, result.output

    return run


@pytest.fixture
def planted() -> Callable[..., Path]:
    """A copy of a county with each (file, old, new) edit made once: its main ledger."""

    def make(county: Path, tmp_path: Path, edits: list[tuple[str, str, str]]) -> Path:
        copy = tmp_path / "ledger"
        shutil.copytree(county, copy)
        for name, old, new in edits:
            path = copy / name
            text = path.read_text(encoding="utf-8")
            assert old in text, (name, old)
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return copy / "main.beancount"

    return make


_WHICH = shutil.which


@pytest.fixture(params=["poppler", "pdfminer"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test twice: with poppler's ``pdftotext``, and with it missing from the machine
    (the privacy lint then lays the PDF out with pdfminer.six)."""
    from fupin.reports import notice_privacy

    if request.param == "poppler":
        assert _WHICH("pdftotext"), "poppler-utils is part of the project's setup"
    else:

        def which(name: str, *args: object, **kwargs: object) -> str | None:
            return None if name == "pdftotext" else _WHICH(name)

        monkeypatch.setattr(notice_privacy.shutil, "which", which)
    return str(request.param)
