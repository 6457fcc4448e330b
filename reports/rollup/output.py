"""Roll-up results as text tables, JSON and CSV (formatting only: the engines computed)."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from fupin.findings import fmt_value
from fupin.money import fmt_money, fmt_pct, fmt_pct_beside
from fupin.names import CATEGORY_NAMES, SOURCE_NAMES
from fupin.textable import render

if TYPE_CHECKING:
    from collections.abc import Sequence

    from fupin.reports.rollup import Result

OPS = {">=": "≥", "<=": "≤", "==": "=", ">": ">", "<": "<"}
SEVERITY = {"error": "错误", "warning": "警告"}
RIGHT = frozenset(("int", "money", "pct", "measure"))


def cell(row: dict[str, Any], name: str, kind: str) -> str:
    """One value as a person reads it (money with separators, shares as percent)."""
    value = row.get(name)
    if value is None:
        return "—"
    if kind == "money":
        return fmt_money(value)
    if kind == "pct":
        threshold = row.get("threshold") if name == "share" else None
        if isinstance(threshold, Decimal):  # beside its threshold: never alike unless equal
            return fmt_pct_beside(value, threshold)
        return fmt_pct(value)
    if kind == "op":
        return OPS.get(str(value), str(value))
    if kind == "ok":
        if value:
            return "✓ 合规"
        return "! 警告" if row.get("severity") == "warning" else "✗ 违规"
    if kind == "severity":
        return SEVERITY.get(str(value), str(value))
    if kind == "bool":
        return "是" if value else "否"
    if kind in ("category", "source"):
        names = CATEGORY_NAMES if kind == "category" else SOURCE_NAMES
        label = names.get(str(value))
        return f"{label} ({value})" if label else str(value)
    if kind == "measure":
        unit = str(row.get("unit") or "text")
        try:
            number: Decimal | str = Decimal(value)
        except InvalidOperation:
            number = value
        return fmt_value(number, unit)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def text(results: Sequence[Result], header: str) -> str:
    """Every roll-up as a titled, CJK-aligned table."""
    out = [header]
    for result in results:
        columns = result.query.columns
        out.append(f"\n## {result.query.title}  [{result.query.name}]")
        if not result.rows:
            out.append("(无)")
            continue
        body = [[cell(row, c.name, c.kind) for c in columns] for row in result.rows]
        right = [i for i, c in enumerate(columns) if c.kind in RIGHT]
        out.append(render([c.label for c in columns], body, right=right))
        out.append(f"({len(result.rows)} 行)")
    return "\n".join(out)


def json_value(value: Any, kind: str) -> Any:
    """A JSON value: Decimals as exact strings, dates ISO."""
    if isinstance(value, Decimal):
        return str(value) if kind == "money" else _exact(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _exact(value: Decimal) -> str:
    """A Decimal without trailing zeros or exponent (``0.5000`` → ``0.5``)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def as_json(results: Sequence[Result], context: dict[str, Any]) -> str:
    """``{engine, year, counties, rollups: {name: {title, columns, rows}}}``."""
    payload = {
        **context,
        "rollups": {
            r.query.name: {
                "title": r.query.title,
                "columns": {c.name: c.label for c in r.query.columns},
                "rows": [
                    {c.name: json_value(row[c.name], c.kind) for c in r.query.columns}
                    for row in r.rows
                ],
            }
            for r in results
        },
    }
    return json.dumps(payload, ensure_ascii=False, indent=1)


def as_csv(result: Result) -> str:
    """One roll-up as CSV: a header of column names, values as in JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = result.query.columns
    writer.writerow([c.name for c in columns])
    for row in result.rows:
        writer.writerow(
            ["" if row[c.name] is None else json_value(row[c.name], c.kind) for c in columns]
        )
    return buffer.getvalue()
