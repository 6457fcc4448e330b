"""青山县 import configuration: which documents `fupin import` and Fava's import page read.

Fava: add to the ledger ``2021-01-01 custom "fava-option" "import-config" "import_config.py"``
and ``custom "fava-option" "import-dirs" "<folder with the downloads>"``.
CLI: ``fupin import extract -e ledger/main.beancount <files>`` finds this file beside -e.
Each special account gets one importer per bank layout it is downloaded in; ``title``
tells two accounts at one bank apart by the last digits printed above the header.
"""

from pathlib import Path

from fupin.importers.allocation import AllocationImporter
from fupin.importers.roll import RollImporter
from fupin.importers.statement import StatementImporter

HERE = Path(__file__).resolve().parent
RULES = HERE / "import_rules.toml"
REGISTER = HERE / "register" / "households.csv"

CONFIG = [
    StatementImporter("rcb", "Assets:Treasury:XJ-2022", rules=RULES, title="8022"),
    StatementImporter("rcb", "Assets:Treasury:XJ-2021", rules=RULES, title="8021"),
    StatementImporter("icbc", "Assets:Treasury:SF-2021", rules=RULES),
    StatementImporter("ccb", "Assets:Treasury:XJ-2021", rules=RULES, title="2021"),
    StatementImporter("ccb-dw", "Assets:Treasury:XJ-2021", rules=RULES, title="2021"),
    StatementImporter("abc", "Assets:Treasury:XJ-2022", rules=RULES, title="0622"),
    # the 2023 special account, downloaded from several banks (issue 14 samples)
    StatementImporter("rcb", "Assets:Treasury:XJ-2023", rules=RULES, title="8023"),
    StatementImporter("icbc-mx", "Assets:Treasury:XJ-2023", rules=RULES),
    StatementImporter("boc", "Assets:Treasury:XJ-2023", rules=RULES),
    StatementImporter("psbc", "Assets:Treasury:XJ-2023", rules=RULES),
    StatementImporter("abc-mx", "Assets:Treasury:XJ-2023", rules=RULES),
    StatementImporter("boc-mx", "Assets:Treasury:XJ-2023", rules=RULES),
    StatementImporter("bocom", "Assets:Treasury:XJ-2023", rules=RULES),
    StatementImporter("cmb", "Assets:Treasury:XJ-2023", rules=RULES),
    StatementImporter("spdb", "Assets:Treasury:XJ-2023", rules=RULES),
    RollImporter("Assets:Treasury:XJ-2022", REGISTER),
    AllocationImporter("XJ-2023", payer="青山县财政局"),
]
