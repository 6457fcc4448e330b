"""``fupin flags``: the audit red flags of a ledger, ranked, in the audit record's own words.

A red flag is a finding of a K rule (``plugins/flags_*.py``) or a finding of another rule
family that is the same audit finding (:data:`fupin.catalogue.ALIASES`: 应享未享 is
C09, 虚列支出 R01, …). Each row names the K row, its Chinese finding name (资金闲置, 虚报冒领,
挤占挪用, 平均主义, 应享未享, …), the published figures it guards against, the entity, the
amount at stake, the entry's date and its file:line. Ranked errors first, then by amount.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fupin.catalogue import ALIASES, CATALOGUE
from fupin.findings import Finding, Severity
from fupin.money import fmt_money

if TYPE_CHECKING:
    from collections.abc import Iterable


@dataclass(frozen=True)
class RedFlagRow:
    """One red flag as the report shows it."""

    rule: str  # the K row
    found_by: str  # the rule id that found it (the K row itself, or e.g. C09)
    name: str  # 资金闲置, 虚报冒领, …
    severity: str
    amount: Decimal | None
    entity: str
    date: datetime.date | None
    filename: str
    lineno: int
    message: str
    source: str  # the audit finding and figures the rule guards against

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "found_by": self.found_by,
            "name": self.name,
            "severity": self.severity,
            "amount": str(self.amount) if self.amount is not None else None,
            "entity": self.entity,
            "date": self.date.isoformat() if self.date else None,
            "file": self.filename,
            "line": self.lineno,
            "message": self.message,
            "source": self.source,
        }


def _amount(finding: Finding) -> Decimal | None:
    if finding.rule == "C09":  # value = paid, threshold = due
        if isinstance(finding.value, Decimal) and isinstance(finding.threshold, Decimal):
            return finding.threshold - finding.value
        return None
    if finding.rule.startswith(("K", "R")) or finding.rule == "C11":
        return finding.value if isinstance(finding.value, Decimal) else None
    return None


def red_flags(findings: Iterable[Any], year: int | None = None) -> list[RedFlagRow]:
    """The red flags among ``findings``, ranked by severity, then amount (largest first)."""
    rows: list[RedFlagRow] = []
    for item in findings:
        if not isinstance(item, Finding):
            continue
        rule = item.rule if item.rule in CATALOGUE else ALIASES.get(item.rule)
        if rule is None:
            continue
        day = getattr(item.entry, "date", None)
        if year is not None and (day is None or day.year != year):
            continue
        meta = item.source or {}
        rows.append(
            RedFlagRow(
                rule,
                item.rule,
                CATALOGUE[rule].name,
                str(item.severity),
                _amount(item),
                item.entity,
                day,
                str(meta.get("filename", "?")),
                int(meta.get("lineno") or 0),
                item.message,
                CATALOGUE[rule].source,
            )
        )
    rows.sort(
        key=lambda r: (
            r.severity != Severity.ERROR,
            -(r.amount or Decimal(0)),
            _order(r.rule),
            r.filename,
            r.lineno,
        )
    )
    return rows


def _order(rule: str) -> int:
    return int(rule[1:]) if rule[1:].isdigit() else 99


SEVERITY: dict[str, str] = {Severity.ERROR: "错误", Severity.WARNING: "警告"}


def render_text(rows: list[RedFlagRow], where: Any = str) -> str:
    """The ranked table, each flag's message, and the audit findings cited once each."""
    from fupin.basis import basis
    from fupin.textable import paragraph, render

    if not rows:
        return "未发现审计风险点。"
    body = [
        [
            str(i),
            r.rule,
            r.name,
            SEVERITY.get(r.severity, r.severity),
            fmt_money(r.amount) if r.amount is not None else "",
            r.entity,
            r.date.isoformat() if r.date else "",
            f"{where(r.filename)}:{r.lineno}",
        ]
        for i, r in enumerate(rows, 1)
    ]
    lines = [
        render(["#", "规则", "问题", "级别", "金额(元)", "对象", "日期", "位置"], body, right=(4,))
    ]
    lines.append("")
    for i, r in enumerate(rows, 1):
        lines.append(f"{i}. {where(r.filename)}:{r.lineno}: {r.message}")
    lines.append("")
    lines.append("依据 (审计发现):")
    for rule in sorted({r.rule for r in rows}, key=_order):
        lines.append(paragraph(f"{rule} {CATALOGUE[rule].name}: {basis(CATALOGUE[rule].source)}"))
    errors = sum(1 for r in rows if r.severity == Severity.ERROR)
    total = sum((r.amount for r in rows if r.amount is not None), Decimal(0))
    lines.append("")
    lines.append(
        f"{len(rows)} 个风险点: {errors} 错误, {len(rows) - errors} 警告; 涉及金额 {fmt_money(total)} 元"
    )
    return "\n".join(lines)
