"""Findings (rule violations, reported as Beancount errors) and measures (compliance rows).

A rule yields both: a :class:`Measure` for every value it checks, passing or not, and a
:class:`Finding` for every breach. Findings are Beancount-style errors: ``source``,
``message`` and ``entry`` first (what Beancount and Fava read), then the structured fields
that ``fupin check --json`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from fupin.money import fmt_limit, fmt_money, fmt_pct, fmt_pct_beside

if TYPE_CHECKING:
    from beancount.core.data import Directive, Meta


class Severity(StrEnum):
    """How bad a breach is: errors fail ``bean-check``; warnings are reported only."""

    ERROR = "error"
    WARNING = "warning"


Value = Decimal | int | str


class Finding(NamedTuple):
    """A rule breach, shaped as a Beancount error."""

    source: Meta
    message: str
    entry: Directive | None
    rule: str = ""
    severity: str = Severity.ERROR
    value: Value = ""
    threshold: Value = ""
    entity: str = ""
    policy_key: str = ""


# One error type per rule family, so consumers can pick them out with isinstance().
class EntityError(Finding):
    """A ``custom`` entity whose fields do not validate."""

    __slots__ = ()


class PolicyError(Finding):
    """A ``custom "policy"`` entry with an unknown key or a bad value."""

    __slots__ = ()


class FundShareError(Finding):
    """B01: a fund's contributions by source differ from its declared shares."""

    __slots__ = ()


class IndustryShareError(Finding):
    """B02/B03: the industry share of fiscal poverty funds is below the threshold."""

    __slots__ = ()


class EarmarkError(Finding):
    """B20/B21/B24: restricted money spent off its earmark."""

    __slots__ = ()


class ProjectGateError(Finding):
    """B33/B35: a project paid before its gate, or beyond its budget."""

    __slots__ = ()


class CapError(Finding):
    """B10/B40/B41: management fee, quality deposit or prepayment above its cap."""

    __slots__ = ()


class NoticeError(Finding):
    """B30/B31/B32/B34: a notice missing, posted too briefly, or withdrawn (两个一律)."""

    __slots__ = ()


class BenefitError(Finding):
    """C01–C09: a household benefit off its formula, window or register (DOMAIN C)."""

    __slots__ = ()


class ReconcileError(Finding):
    """R01–R03 (issue 4): books and bank disagree: 虚列支出, a roll ≠ its bank debit."""

    __slots__ = ()


UNITS = ("money", "pct", "count", "days", "workdays", "text")


@dataclass(frozen=True, slots=True)
class Measure:
    """One compliance row: a rule's measured value against its threshold, for one scope."""

    rule: str
    title: str
    scope: str
    value: Value
    op: str
    threshold: Value
    ok: bool
    severity: str
    unit: str = "money"
    policy_key: str = ""
    entity: str = ""
    source: Meta | None = None
    note: str = ""
    year: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready row (Decimals as strings, so nothing is lost)."""
        return {
            "rule": self.rule,
            "title": self.title,
            "scope": self.scope,
            "value": _plain(self.value),
            "op": self.op,
            "threshold": _plain(self.threshold),
            "ok": self.ok,
            "severity": self.severity,
            "unit": self.unit,
            "policy_key": self.policy_key,
            "entity": self.entity,
            "file": (self.source or {}).get("filename"),
            "line": (self.source or {}).get("lineno"),
            "note": self.note,
            "year": self.year,
        }


def _plain(value: Value) -> str | int:
    return str(value) if isinstance(value, Decimal) else value


NEGATED = {">=": "<", ">": "≤", "<=": ">", "<": "≥", "==": "≠"}


def fmt_value(value: Value, unit: str) -> str:
    """Show a value in its unit: money with separators, shares as percent, days, counts."""
    if isinstance(value, Decimal):
        if unit == "pct":
            return fmt_pct(value)
        if unit == "money":
            return fmt_money(value)
    if unit == "days":
        return f"{value} 天"
    if unit == "workdays":  # fupin.day_windows: a window counted in working days
        return f"{value} 个工作日"
    return str(value)


def shown(m: Measure) -> tuple[str, str]:
    """A measure's value and threshold as every message, table and page prints them: a share
    beside its threshold with the digits that tell them apart (never "68.39% ≥ 68.39%" for a
    breach), the threshold as configured (68.387%, never rounded to 68.39%)."""
    if m.unit == "pct" and isinstance(m.value, Decimal) and isinstance(m.threshold, Decimal):
        return fmt_pct_beside(m.value, m.threshold), fmt_limit(m.threshold)
    return fmt_value(m.value, m.unit), fmt_value(m.threshold, m.unit)


def breach_message(m: Measure, label: str, inputs: str = "") -> str:
    """The finding text: ``<RULE> <severity>: <指标> <value> <op> <threshold> (<key>) — <label>; <inputs>``."""
    op = NEGATED.get(m.op, "!" + m.op)
    key = m.policy_key + (f", {m.note}" if m.note else "")
    value, threshold = shown(m)  # never let rounding hide the breach
    text = f"{m.rule} {m.severity}: {m.title} {value} {op} {threshold}"
    if key:
        text += f" ({key})"
    if label:
        text += f" — {label}"
    if inputs:
        text += f"; {inputs}"
    return text
