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

REGISTER = LEDGER / "register" / "households.csv"


def _statement(layout: str, account: str) -> StatementImporter:
    return StatementImporter(layout, account, rules=RULES)


#: every sample document → the importer that reads it (one per shipped preset at least)
CASES = {
    "rcb-xj2022-2022-11-12.csv": _statement("rcb", "Assets:Treasury:XJ-2022"),
    "rcb-xj2023-2023-01-02.csv": _statement("rcb", "Assets:Treasury:XJ-2023"),
    "icbc-sf2021-2021q1.csv": _statement("icbc", "Assets:Treasury:SF-2021"),
    "icbc-mx-xj2023-2023-03.csv": _statement("icbc-mx", "Assets:Treasury:XJ-2023"),
    "ccb-dw-xj2021-2021-07.xls": _statement("ccb-dw", "Assets:Treasury:XJ-2021"),
    "ccb-xj2021-2021-08.xls": _statement("ccb", "Assets:Treasury:XJ-2021"),
    "ccb-xj2021-2021-08.xlsx": _statement("ccb", "Assets:Treasury:XJ-2021"),
    "boc-xj2023-2023-04.txt": _statement("boc", "Assets:Treasury:XJ-2023"),
    "abc-xj2022-2022-06.xlsx": _statement("abc", "Assets:Treasury:XJ-2022"),
    "abc-mx-xj2023-2023-06.csv": _statement("abc-mx", "Assets:Treasury:XJ-2023"),
    "psbc-xj2023-2023-05.csv": _statement("psbc", "Assets:Treasury:XJ-2023"),
    "boc-mx-xj2023-2023-07.csv": _statement("boc-mx", "Assets:Treasury:XJ-2023"),
    "bocom-xj2023-2023-08.csv": _statement("bocom", "Assets:Treasury:XJ-2023"),
    "cmb-xj2023-2023-09.csv": _statement("cmb", "Assets:Treasury:XJ-2023"),
    "spdb-xj2023-2023-10.xls": _statement("spdb", "Assets:Treasury:XJ-2023"),
    "ykt-2022-12.xlsx": RollImporter("Assets:Treasury:XJ-2022", REGISTER),
    "ykt-2022-11-a.xlsx": RollImporter("Assets:Treasury:XJ-2022", REGISTER),
    "ykt-2022-11-b.xlsx": RollImporter("Assets:Treasury:XJ-2022", REGISTER),
    "ykt-2022-11-c.xlsx": RollImporter("Assets:Treasury:XJ-2022", REGISTER),  # a sheet a village
    "allocation-xj2023.xlsx": AllocationImporter("XJ-2023", payer="青山县财政局"),
    "fpb-xj2023-2023-03.xlsx": AllocationImporter("XJ-2023", payer="青山县财政局"),
}


def test_every_preset_has_a_golden_sample() -> None:
    from fupin.importers.layout import presets

    used = {i.layout.name for i in CASES.values()}
    assert set(presets()) <= used


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
    mine = CASES[name]
    claimed = {importer.layout.name for importer in CASES.values() if importer.identify(document)}
    # no preset claims another layout's file
    assert claimed == {mine.layout.name}
