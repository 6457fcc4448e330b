"""A file that ``extract`` rejects, given to ``fupin import archive`` and to Fava's import
page: archive printed beangulp's traceback; Fava's page (which lists every file of its
import folders with its date) failed for every file because of one bad download."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from fupin.cli import main

from .conftest import SAMPLES

STATEMENT = SAMPLES / "rcb-xj2022-2022-11-12.csv"
ROLL = SAMPLES / "ykt-2022-12.xlsx"


def broken_statement(folder: Path) -> Path:
    """The sample statement with one amount typed as words (line 5)."""
    lines = STATEMENT.read_bytes().split(b"\r\n")
    lines[4] = lines[4].replace(b"574872.00", "五十七万".encode("gb18030"), 1)
    assert lines[4] != STATEMENT.read_bytes().split(b"\r\n")[4]
    path = folder / "rcb-bad.csv"
    path.write_bytes(b"\r\n".join(lines))
    return path


def archive(county: Path, target: Path, *files: Path) -> Result:
    config = str(county.parent / "import_config.py")
    args = ["import", "archive", "-c", config, "-o", str(target), *map(str, files)]
    return CliRunner().invoke(main, args)


def test_archive_refuses_a_rejected_file_by_name_and_files_nothing(county: Path) -> None:
    downloads = county.parent.parent / "downloads"
    downloads.mkdir()
    bad = broken_statement(downloads)
    good = Path(shutil.copy(ROLL, downloads / ROLL.name))
    target = county.parent.parent / "archive"
    result = archive(county, target, bad, good)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert (
        "已拒绝, 不归档: rcb-bad.csv 第5行 [借方发生额]: 金额 '五十七万' 不是数字" in result.output
    )
    assert "未归档任何文件" in result.output
    assert bad.exists() and good.exists() and not target.exists()


def test_archive_of_good_files_still_files_them(county: Path) -> None:
    downloads = county.parent.parent / "downloads"
    downloads.mkdir()
    good = Path(shutil.copy(ROLL, downloads / ROLL.name))
    target = county.parent.parent / "archive"
    result = archive(county, target, good)
    assert result.exit_code == 0, result.output
    assert not good.exists()
    filed = [p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()]
    assert filed == ["Assets/Treasury/XJ-2022/2022-12-20.payment-roll.xlsx"]


def test_fava_import_page_lists_every_file_when_one_is_rejected(county: Path) -> None:
    from fava.core import FavaLedger

    downloads = county.parent / "downloads"
    downloads.mkdir()
    broken_statement(downloads)
    shutil.copy(ROLL, downloads / ROLL.name)
    with county.open("a", encoding="utf-8") as handle:
        handle.write(
            '\n2021-01-01 custom "fava-option" "import-config" "import_config.py"\n'
            '2021-01-01 custom "fava-option" "import-dirs" "downloads"\n'
        )
    ledger = FavaLedger(str(county))
    listed = {
        f.basename: [i.importer_name for i in f.importers] for f in ledger.ingest.import_data()
    }
    assert listed == {
        "rcb-bad.csv": ["fupin.statement.rcb:Assets:Treasury:XJ-2022"],
        ROLL.name: ["fupin.roll:Assets:Treasury:XJ-2022"],
    }
