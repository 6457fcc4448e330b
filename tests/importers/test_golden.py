"""Golden-file regression tests (beangulp.testing) for every bank preset and importer.

Each sample document under importers/samples/ is extracted with no existing ledger and
compared with tests/importers/golden/<document>.beancount (account, date, archive name and
entries, as ``beangulp.testing.write_expected`` writes them). To regenerate after a
deliberate change: ``FUPIN_REGEN_GOLDEN=1 .venv/bin/pytest tests/importers/test_golden.py``.
"""

from __future__ import annotations

import os

import pytest
from beangulp import testing
from fupin.importers.allocation import AllocationImporter
from fupin.importers.roll import RollImporter
from fupin.importers.statement import StatementImporter

from .conftest import GOLDEN, LEDGER, RULES, SAMPLES

CASES = {
    "rcb-xj2022-2022-11-12.csv": StatementImporter("rcb", "Assets:Treasury:XJ-2022", rules=RULES),
    "icbc-sf2021-2021q1.csv": StatementImporter("icbc", "Assets:Treasury:SF-2021", rules=RULES),
    "ccb-xj2021-2021-07.xls": StatementImporter("ccb", "Assets:Treasury:XJ-2021", rules=RULES),
    "abc-xj2022-2022-06.xlsx": StatementImporter("abc", "Assets:Treasury:XJ-2022", rules=RULES),
    "ykt-2022-12.xlsx": RollImporter(
        "Assets:Treasury:XJ-2022", LEDGER / "register" / "households.csv"
    ),
    "allocation-xj2023.xlsx": AllocationImporter("XJ-2023", payer="青山县财政局"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    importer, document = CASES[name], str(SAMPLES / name)
    assert importer.identify(document)
    account, date, filename, entries = testing.run_importer(importer, document)
    expected = GOLDEN / f"{name}.beancount"
    if os.environ.get("FUPIN_REGEN_GOLDEN"):
        testing.write_expected_file(str(expected), account, date, filename, entries, force=True)
    diff = testing.compare_expected(str(expected), account, date, filename, entries)
    assert not diff, "".join(diff)


@pytest.mark.parametrize("name", sorted(CASES))
def test_only_its_own_importer_identifies_it(name: str) -> None:
    document = str(SAMPLES / name)
    claimed = [n for n, importer in CASES.items() if importer.identify(document)]
    # the two XJ-2022 statements differ in layout, so no preset claims another's file
    assert claimed == [name]
