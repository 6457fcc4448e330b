"""The poverty-asset register (扶贫资产台账) on a date: every asset with its rights holders.

One function, :func:`asset_report`, builds the rows and totals from the book's register
(:func:`fupin.assets.asset_register`); ``fupin assets`` prints them as a table or JSON and
the Fava pages can show the same rows. Totals count assets by class and by owner level
(县/乡/村/户) with their original values, like the published 荆门市掇刀区 summary (DOMAIN
E.1); disposed assets stay in the table (marked 已处置) and are left out of the totals.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fupin.assets import (
    ASSET_CLASSES,
    FORMS,
    HOLDER_TYPES,
    LEVEL_NAMES,
    RIGHTS,
    STATUSES,
    AssetRegister,
    AssetRight,
    AssetState,
    Tally,
    asset_register,
    value_totals,
)
from fupin.money import ZERO, fmt_money
from fupin.textable import render

if TYPE_CHECKING:
    from fupin.book import Book

LEVEL_ORDER = ("county", "township", "village", "household", "unassigned")


Total = Tally  # count and original value of a group of assets (fupin.assets)


@dataclass
class AssetReport:
    """The register on a date, filtered, with its totals."""

    day: datetime.date
    rights: tuple[str, ...]  # right columns: the policy's set plus custody
    states: list[AssetState]
    income: dict[str, Decimal]  # asset income to date, by asset
    depreciation: dict[str, Decimal]  # accumulated depreciation to date, by asset
    by_class: dict[str, Total] = field(default_factory=dict)
    by_level: dict[str, Total] = field(default_factory=dict)
    total: Total = field(default_factory=Total)
    disposed: Total = field(default_factory=Total)


def _matches(state: AssetState, village: str | None, asset_class: str | None) -> bool:
    asset = state.asset
    if asset_class and asset.asset_class != asset_class:
        return False
    if village:
        owners = state.rights.get("ownership", ())
        return asset.village == village or any(village in o.holder for o in owners)
    return True


def _flows(
    book: Book, register: AssetRegister, day: datetime.date
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Per asset up to ``day``: income and accumulated depreciation (the book's facts)."""
    facts = book.facts
    income = {ident: facts.asset(ident).income.at(day) for ident in register.assets}
    depreciation = {ident: facts.asset(ident).depreciation.at(day) for ident in register.assets}
    return income, depreciation


def asset_report(
    book: Book,
    day: datetime.date | None = None,
    *,
    village: str | None = None,
    asset_class: str | None = None,
) -> AssetReport:
    """The register (台账) on ``day`` (default: the ledger's last date), with totals."""
    day = day or book.last_date or datetime.date.today()
    register = asset_register(book)
    policy = book.policy.at(day)
    rights = tuple(dict.fromkeys([*policy.asset_rights, "custody"]))
    states = [s for s in register.at(day) if _matches(s, village, asset_class)]
    report = AssetReport(day, rights, states, *_flows(book, register, day))
    totals = value_totals(states)
    by_class, by_level = totals.by_class(), totals.by_level()
    report.by_class = {c: by_class.get(c, Total()) for c in ASSET_CLASSES}
    report.by_level = {level: by_level.get(level, Total()) for level in LEVEL_ORDER}
    report.total, report.disposed = totals.total, totals.disposed
    return report


# -- output --------------------------------------------------------------------------------


def _holder_dict(holder: AssetRight) -> dict[str, Any]:
    return {
        "holder": holder.holder,
        "holder_type": holder.holder_type,
        "share": str(holder.share) if holder.share is not None else None,
        "mode": holder.mode,
        "since": holder.date.isoformat(),
        "until": holder.until.isoformat() if holder.until else None,
        "person": holder.person,
        "doc": holder.doc,
    }


def report_json(report: AssetReport) -> dict[str, Any]:
    """The report as JSON-ready data (Decimals as strings)."""
    assets = []
    for state in report.states:
        asset = state.asset
        assets.append(
            {
                "id": asset.id,
                "name": asset.name,
                "class": asset.asset_class,
                "form": asset.form,
                "subtype": asset.subtype,
                "projects": {k: str(v) for k, v in asset.project_amounts().items()},
                "township": asset.township,
                "village": asset.village,
                "quantity": str(asset.quantity),
                "unit": asset.unit,
                "value": str(asset.original_value),
                "funding": {k: str(v) for k, v in asset.funding.items()},
                "registered": asset.date.isoformat(),
                "accepted": asset.accepted.isoformat() if asset.accepted else None,
                "handover": asset.handover.isoformat() if asset.handover else None,
                "status": state.status,
                "owner_level": state.owner_level,
                "income_to_date": str(report.income.get(asset.id, ZERO)),
                "accumulated_depreciation": str(report.depreciation.get(asset.id, ZERO)),
                "rights": {r: [_holder_dict(h) for h in held] for r, held in state.rights.items()},
                "events": [
                    {
                        "date": e.date.isoformat(),
                        "event": e.event,
                        "status": e.new_status,
                        "approval": e.approval,
                        "resolution": e.resolution,
                    }
                    for e in state.events
                ],
            }
        )
    return {
        "date": report.day.isoformat(),
        "rights": list(report.rights),
        "assets": assets,
        "totals": {
            "by_class": {k: t.as_dict() for k, t in report.by_class.items()},
            "by_owner_level": {k: t.as_dict() for k, t in report.by_level.items()},
            "total": report.total.as_dict(),
            "disposed": report.disposed.as_dict(),
        },
    }


def _quantity(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _right_cell(state: AssetState, right: str, required: Sequence[str]) -> str:
    text = state.holders(right)
    if text:
        return text
    return "(缺)" if right in required else "—"


def report_text(book: Book, report: AssetReport) -> str:
    """The register as a CJK-aligned table, then the totals by class and by owner level."""
    from fupin.assets import required_rights

    policy = book.policy.at(report.day)
    headers = [
        "编号",
        "名称",
        "类别",
        "位置",
        "规模",
        "原值",
        "状态",
        "累计收益",
        *(RIGHTS[r] for r in report.rights),
    ]
    body = []
    for state in report.states:
        asset = state.asset
        required = required_rights(policy, asset.asset_class) if state.status != "disposed" else ()
        body.append(
            [
                asset.id,
                asset.name,
                ASSET_CLASSES[asset.asset_class],
                f"{asset.township}{asset.village}",
                f"{_quantity(asset.quantity)} {asset.unit}",
                fmt_money(asset.original_value),
                STATUSES[state.status],
                fmt_money(report.income.get(asset.id, ZERO)),
                *(_right_cell(state, r, required) for r in report.rights),
            ]
        )
    lines = [f"扶贫项目资产台账 (截至 {report.day}, 共 {len(report.states)} 项)", ""]
    lines.append(render(headers, body, right=(4, 5, 7)))
    lines += ["", "按资产类别:"]
    rows = [
        [ASSET_CLASSES[c], str(t.count), fmt_money(t.value)] for c, t in report.by_class.items()
    ]
    rows.append(["合计", str(report.total.count), fmt_money(report.total.value)])
    lines.append(render(["类别", "数量", "原值(元)"], rows, right=(1, 2)))
    lines += ["", "按所有权层级:"]
    rows = [
        [LEVEL_NAMES[level], str(t.count), fmt_money(t.value)]
        for level, t in report.by_level.items()
        if t.count or level != "unassigned"
    ]
    rows.append(["合计", str(report.total.count), fmt_money(report.total.value)])
    lines.append(render(["层级", "数量", "原值(元)"], rows, right=(1, 2)))
    if report.disposed.count:
        lines.append(
            f"\n已处置 {report.disposed.count} 项, 原值 {fmt_money(report.disposed.value)} 元, "
            "不计入合计"
        )
    return "\n".join(lines)


__all__ = ["FORMS", "HOLDER_TYPES", "AssetReport", "asset_report", "report_json", "report_text"]
