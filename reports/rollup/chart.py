"""The industry-share chart of the roll-up page: one SVG per year, written here (no script,
no network): a bar per county, its threshold as a tick, the year's threshold as a line."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from fupin.money import fmt_pct, fmt_pct_beside

if TYPE_CHECKING:
    from collections.abc import Sequence

LABEL = 210  # px for the county labels
PLOT = 460  # px for 0–100%
BAR = 16
GAP = 6
TOP = 28
BOTTOM = 30


def share_charts(rows: Sequence[dict[str, Any]]) -> list[tuple[int | None, Markup]]:
    """One chart per year from the ``industry_share`` roll-up's rows."""
    by_year: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_year[row["year"]].append(row)
    return [(year, _chart(year, own)) for year, own in sorted(by_year.items(), key=_year_key)]


def _year_key(item: tuple[int | None, object]) -> int:
    return item[0] if item[0] is not None else 9999


def _x(share: Decimal) -> float:
    clipped = min(max(share, Decimal(0)), Decimal(1))
    return LABEL + float(clipped) * PLOT  # float-ok: pixel position, not money


def _chart(year: int | None, rows: list[dict[str, Any]]) -> Markup:
    height = TOP + len(rows) * (BAR + GAP) + BOTTOM
    width = LABEL + PLOT + 90
    thresholds = Counter(r["threshold"] for r in rows if r["threshold"] is not None)
    common = thresholds.most_common(1)[0][0] if thresholds else None
    below = sum(1 for r in rows if not r["ok"])
    title = f"{year}年度" if year is not None else "未标年度"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}产业发展资金占比, {len(rows)} 个县, {below} 个低于阈值">',
        f'<text x="0" y="16" class="t">{escape(title)}: {len(rows)} 个县, '
        f"{below} 个低于阈值</text>",
    ]
    for tick in range(0, 101, 10):
        x = LABEL + tick * PLOT / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{height - BOTTOM}" class="g"/>'
            f'<text x="{x:.1f}" y="{height - BOTTOM + 14}" class="a">{tick}%</text>'
        )
    for i, row in enumerate(rows):
        y = TOP + i * (BAR + GAP)
        share = row["share"] if row["share"] is not None else Decimal(0)
        label = f"{row['county']} {row['name'] or ''}".strip()
        kind = "ok" if row["ok"] else ("warn" if row["severity"] == "warning" else "bad")
        own = row["threshold"]
        limit = own if own is not None else common
        shown = fmt_pct_beside(share, limit) if limit is not None else fmt_pct(share)
        parts.append(
            f'<text x="{LABEL - 6}" y="{y + BAR - 4}" class="l">{escape(label)}</text>'
            f'<rect x="{LABEL}" y="{y}" width="{_x(share) - LABEL:.1f}" height="{BAR}" '
            f'class="{kind}"><title>{escape(label)}: {shown}</title></rect>'
            f'<text x="{_x(share) + 4:.1f}" y="{y + BAR - 4}" class="v">{shown}</text>'
        )
        if own is not None and own != common:
            x = _x(own)
            parts.append(
                f'<line x1="{x:.1f}" y1="{y - 2}" x2="{x:.1f}" y2="{y + BAR + 2}" class="own"/>'
            )
    if common is not None:
        x = _x(common)
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP - 8}" x2="{x:.1f}" y2="{height - BOTTOM}" class="th"/>'
            f'<text x="{x + 4:.1f}" y="{TOP - 10}" class="thl">阈值 {fmt_pct(common)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
