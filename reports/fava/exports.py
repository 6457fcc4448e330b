"""The Fava download of the four Excel tables (``FupinCompliance/xlsx?table=…``).

Builds the same workbook as the CLI's ``--xlsx`` from the page's snapshot (one book and
one rule run per load); only formats (:mod:`fupin.reports.xlsx`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from fupin.reports.xlsx import MIME

if TYPE_CHECKING:
    from fupin.reports.fava.base import Snapshot

    from fupin.findings import Measure

TABLES = {
    "compliance": "合规表",
    "assets": "资产台账",
    "households": "农户与到户补助",
    "projects": "项目库",
}
__all__ = ["MIME", "TABLES", "disposition", "workbook"]


class NoRegister(Exception):
    """The ledger names no household register (the households table needs one)."""


def workbook(
    table: str,
    snap: Snapshot,
    ledger_path: str,
    day: datetime.date,
    measures: Sequence[Measure],
) -> tuple[str, bytes]:
    """(file name, .xlsx bytes) of ``table`` as of ``day``."""
    from fupin.reports import xlsx

    from fupin.basis import rule_basis

    book = snap.book
    stamp = day.isoformat()
    if table == "compliance":
        return f"合规表-{stamp}.xlsx", xlsx.compliance_xlsx(measures, rule_basis())
    if table == "assets":
        from fupin.reports.assets import asset_report

        return f"资产台账-{stamp}.xlsx", xlsx.assets_xlsx(book, asset_report(book, day))
    if table == "projects":
        return f"项目库-{stamp}.xlsx", xlsx.projects_xlsx(snap.projects, book.last_date)
    from fupin.reports.households import summarize

    from fupin.households import register_for

    with snap.reading():
        register = register_for(Path(ledger_path), book)
    if register is None:
        raise NoRegister('账簿没有指明农户信息库 (custom "household-register")')
    return f"农户与到户补助-{stamp}.xlsx", xlsx.households_xlsx(summarize(book, register))


def disposition(name: str) -> str:
    """``attachment`` with the Chinese file name (RFC 6266/5987) and an ASCII fallback."""
    return f"attachment; filename=\"fupin.xlsx\"; filename*=UTF-8''{quote(name)}"
