"""Four more bank layouts: 中行 交易流水明细单, 交行, 招行, 浦发 (shapes of their public exports).

Each sample is read into its entries with its figures checked, and each layout's own trap is
probed: 交行's ``借 Dr``/``贷 Cr`` flag (a word it does not know is refused, not guessed), 中行's
dash placeholders and newest-first order, 招行's signed amounts with quoted thousands, 浦发's
date and time in one cell and the account line above its header.
"""

from __future__ import annotations

import datetime
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from fupin.importers.statement import StatementImporter
from fupin.importers.table import SourceError

from .conftest import RULES, SAMPLES

ACCOUNT = "Assets:Treasury:XJ-2023"


def read(layout: str, name: str | Path) -> tuple[list[data.Transaction], data.Custom]:
    importer = StatementImporter(layout, ACCOUNT, rules=RULES)
    path = str(name if isinstance(name, Path) else SAMPLES / name)
    assert importer.identify(path)
    entries = importer.extract(path, [])
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    [statement] = [e for e in entries if isinstance(e, data.Custom) and e.type == "statement"]
    return txns, statement


def own(txn: data.Transaction) -> Decimal:
    [posting] = [p for p in txn.postings if p.account == ACCOUNT]
    assert posting.units is not None
    return Decimal(posting.units.number)


def test_boc_flow_list_newest_first_with_dashes() -> None:
    txns, statement = read("boc-mx", "boc-mx-xj2023-2023-07.csv")
    assert [(t.date, own(t)) for t in sorted(txns, key=lambda t: t.meta["bank_serial"])] == [
        (datetime.date(2023, 7, 3), Decimal("260000.00")),
        (datetime.date(2023, 7, 14), Decimal("-52000.00")),
        (datetime.date(2023, 7, 14), Decimal("-52000.00")),
        (datetime.date(2023, 7, 21), Decimal("88.40")),
    ]
    assert statement.meta["opening"].number == Decimal("5000.00")
    assert statement.meta["closing"].number == Decimal("161088.40")
    # an empty 附言 is "----------": no dash reaches the narration
    interest = next(t for t in txns if own(t) == Decimal("88.40"))
    assert "-" not in (interest.narration or "") and interest.payee is None


def test_bocom_direction_flag_sets_the_sign() -> None:
    txns, statement = read("bocom", "bocom-xj2023-2023-08.csv")
    assert sorted(own(t) for t in txns) == [
        Decimal("-36500.00"),
        Decimal("42.15"),
        Decimal("180000.00"),
    ]
    assert statement.meta["closing"].number == Decimal("145542.15")


def test_bocom_unknown_direction_word_is_refused_at_its_line(tmp_path: Path) -> None:
    text = (SAMPLES / "bocom-xj2023-2023-08.csv").read_bytes().decode("gb18030")
    broken = tmp_path / "bocom-broken.csv"
    broken.write_bytes(text.replace("借 Dr", "往来", 1).encode("gb18030"))
    importer = StatementImporter("bocom", ACCOUNT, rules=RULES)
    with pytest.raises(SourceError) as info:
        importer.extract(str(broken), [])
    assert "第3行" in str(info.value) and "借贷" in str(info.value)


def test_cmb_signed_amounts_with_quoted_thousands() -> None:
    txns, statement = read("cmb", "cmb-xj2023-2023-09.csv")
    assert sorted(own(t) for t in txns) == [Decimal("-28800.00"), Decimal("150000.00")]
    assert (statement.meta["opening"].number, statement.meta["closing"].number) == (
        Decimal("800.00"),
        Decimal("122000.00"),
    )


def test_cmb_broken_running_balance_is_refused(tmp_path: Path) -> None:
    text = (SAMPLES / "cmb-xj2023-2023-09.csv").read_text(encoding="utf-8")
    broken = tmp_path / "cmb-broken.csv"
    broken.write_text(text.replace('"122,000.00"', '"122,100.00"'), encoding="utf-8")
    importer = StatementImporter("cmb", ACCOUNT, rules=RULES)
    with pytest.raises(SourceError) as info:
        importer.extract(str(broken), [])
    assert "第3行" in str(info.value) and "122,100.00" in str(info.value)


def test_spdb_date_with_time_and_period_from_the_account_line(tmp_path: Path) -> None:
    sample = tmp_path / "spdb.xls"
    shutil.copy(SAMPLES / "spdb-xj2023-2023-10.xls", sample)
    txns, statement = read("spdb", sample)
    assert [(t.date, own(t)) for t in txns] == [
        (datetime.date(2023, 10, 9), Decimal("120000.00")),
        (datetime.date(2023, 10, 25), Decimal("-30000.00")),
    ]
    # 日期范围 20231001-20231031 above the header is the statement's period
    assert (statement.meta["start"], statement.meta["end"]) == (
        datetime.date(2023, 10, 1),
        datetime.date(2023, 10, 31),
    )


def test_the_new_layouts_do_not_claim_each_others_files() -> None:
    files = {
        "boc-mx": "boc-mx-xj2023-2023-07.csv",
        "bocom": "bocom-xj2023-2023-08.csv",
        "cmb": "cmb-xj2023-2023-09.csv",
        "spdb": "spdb-xj2023-2023-10.xls",
        "abc-mx": "abc-mx-xj2023-2023-06.csv",
        "psbc": "psbc-xj2023-2023-05.csv",
    }
    for layout in files:
        importer = StatementImporter(layout, ACCOUNT, rules=RULES)
        claimed = {name for name in files.values() if importer.identify(str(SAMPLES / name))}
        assert claimed == {files[layout]}, layout
