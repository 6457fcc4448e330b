"""The four fupin charts as inline SVG, in Fava's chart style.

Fava draws its charts with d3 in the browser, coloured by ``hcl_color_range`` (hue from
270° in equal steps, chroma 45, luminance 70), axes in ``--chart-axis``, text in
``--text-color``. These charts are drawn here, on the server, in the same palette and
style, from the figures of :mod:`fupin.chart_figures`: the page needs no script, the
browser logs nothing, and every number on a chart is also in the page's tables. Geometry
is float (``# float-ok``: pixels, not money); labels are the exact figures formatted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

from fupin.chart_figures import AssetValues, FundFlow, ShareYear, StageCount
from fupin.money import fmt_money, fmt_pct, fmt_pct_beside

WIDTH = 760
ERROR = "#c0392b"
AXIS = "var(--chart-axis, #999)"
TEXT = "var(--text-color, #333)"


def _lab_to_rgb(lightness: float, a: float, b: float) -> str:  # float-ok: colour maths
    """CIE Lab (D50, as d3-color) to an sRGB hex colour."""

    def f(t: float) -> float:
        return t**3 if t > 6 / 29 else 3 * (6 / 29) ** 2 * (t - 4 / 29)

    y = (lightness + 16) / 116
    x, z = 0.96422 * f(y + a / 500), 0.82521 * f(y - b / 200)
    y = f(y)

    def gamma(c: float) -> int:
        c = 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055
        return max(0, min(255, round(255 * c)))

    r = gamma(3.1338561 * x - 1.6168667 * y - 0.4906146 * z)
    g = gamma(-0.9787684 * x + 1.9161415 * y + 0.0334540 * z)
    bl = gamma(0.0719453 * x - 0.2289914 * y + 1.4052427 * z)
    return f"#{r:02x}{g:02x}{bl:02x}"


def palette(count: int, chroma: float = 45, luminance: float = 70) -> list[str]:
    """Fava's ``hcl_color_range(count)``: ``count`` hues from 270° at equal steps."""
    out = []
    for i in range(max(count, 1)):
        hue = math.radians((i * 360 / max(count, 1) + 270) % 360)
        out.append(_lab_to_rgb(luminance, math.cos(hue) * chroma, math.sin(hue) * chroma))
    return out


def _svg(height: float, body: list[str], label: str) -> Markup:
    head = (
        f'<svg class="fupin-chart" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
        f'role="img" aria-label="{escape(label)}" '
        f'style="max-width:{WIDTH}px;font-size:12px;font-family:inherit">'
    )
    return Markup(head + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" style="fill:{TEXT}" {extra}>'
        f"{escape(text)}</text>"
    )


def _frac(part: Decimal, whole: Decimal) -> float:
    return float(part / whole) if whole else 0.0  # float-ok: a pixel ratio


# -- 1. industry share per year against its threshold --------------------------------------
def industry_share(years: Sequence[ShareYear]) -> Markup:
    """Bars of each year's industry share, each crossed by its threshold line."""
    if not years:
        return Markup("")
    height, top, bottom, left = 240.0, 16.0, 36.0, 48.0
    plot = height - top - bottom
    peak = max([Decimal("0.5"), *(y.share for y in years), *(y.threshold for y in years)])
    scale = min(Decimal(1), math.ceil(peak * 10) / Decimal(10) + Decimal("0.1"))
    body = []
    for tick in range(0, 101, 10):
        frac = Decimal(tick) / 100
        if frac > scale:
            break
        y = top + plot * (1 - _frac(frac, scale))
        body.append(
            f'<line x1="{left}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{AXIS}" stroke-opacity="{0.9 if tick == 0 else 0.25}"/>'
        )
        body.append(_text(left - 6, y + 4, f"{tick}%", "end"))
    slot = (WIDTH - left - 8) / len(years)
    bar = min(90.0, slot * 0.5)
    colour = palette(10)[0]
    for i, yr in enumerate(years):
        x = left + slot * i + (slot - bar) / 2
        h = plot * _frac(yr.share, scale)
        fill = colour if yr.ok else (ERROR if yr.severity == "error" else "#e0a800")
        # beside its threshold a share keeps the digits that tell them apart (49.999996%)
        share = fmt_pct_beside(yr.share, yr.threshold)
        title = f"{yr.year}年 产业发展资金占比 {share}, 阈值 {fmt_pct(yr.threshold)}"
        body.append(
            f'<rect x="{x:.1f}" y="{top + plot - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="{fill}"><title>{escape(title)}</title></rect>'
        )
        body.append(_text(x + bar / 2, top + plot - h - 4, share, "middle"))
        ty = top + plot * (1 - _frac(yr.threshold, scale))
        body.append(
            f'<line class="threshold" x1="{x - 12:.1f}" x2="{x + bar + 12:.1f}" y1="{ty:.1f}" '
            f'y2="{ty:.1f}" stroke="{ERROR}" stroke-width="2" stroke-dasharray="5 3"/>'
        )
        body.append(
            _text(x + bar + 14, ty + 4, f"阈值 {fmt_pct(yr.threshold)}", extra='font-size="11"')
        )
        body.append(_text(x + bar / 2, height - bottom + 16, f"{yr.year}年", "middle"))
    return _svg(height, body, "产业发展资金占比与阈值 (按年度)")


# -- 2. fund flow: sources → funds → categories (Sankey) ----------------------------------
def fund_flow(flow: FundFlow) -> Markup:
    """A three-column Sankey: each band as wide as the money it carries."""
    if not flow.flows:
        return Markup("")
    columns = [list(flow.sources), list(flow.funds), list(flow.categories)]
    inflow: dict[str, Decimal] = {}
    outflow: dict[str, Decimal] = {}
    for f in flow.flows:
        outflow[f.source] = outflow.get(f.source, Decimal(0)) + f.amount
        inflow[f.target] = inflow.get(f.target, Decimal(0)) + f.amount
    size = {
        n: max(inflow.get(n, Decimal(0)), outflow.get(n, Decimal(0))) for c in columns for n in c
    }
    gap, top, node_w, least = 8.0, 8.0, 14.0, 16.0
    total = max(sum((size[n] for n in c), Decimal(0)) for c in columns)
    usable = 320.0  # pixels for the largest column's money; small nodes get `least`
    xs = [170.0, WIDTH / 2 - node_w / 2, WIDTH - 190.0]
    place: dict[str, tuple[float, float, float]] = {}  # node → (x, y, height)
    bottom = 0.0
    for col, names in enumerate(columns):
        y = top
        for name in names:
            h = max(least, usable * _frac(size[name], total))
            place[name] = (xs[col], y, h)
            y += h + gap
        bottom = max(bottom, y)
    height = bottom + top
    colours = palette(max(len(flow.sources) + len(flow.funds), 1))
    colour = {n: colours[i % len(colours)] for i, n in enumerate([*flow.sources, *flow.funds])}
    out_at = {n: place[n][1] for n in place}
    in_at = {n: place[n][1] for n in place}
    body = []
    for f in flow.flows:
        sx, _, _ = place[f.source]
        tx, _, _ = place[f.target]
        w = usable * _frac(f.amount, total)
        y0, y1 = out_at[f.source] + w / 2, in_at[f.target] + w / 2
        out_at[f.source] += w
        in_at[f.target] += w
        x0, x1 = sx + node_w, tx
        mid = (x0 + x1) / 2
        title = f"{f.source} → {f.target}: {fmt_money(f.amount)} 元"
        body.append(
            f'<path d="M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}" '
            f'fill="none" stroke="{colour.get(f.source, AXIS)}" stroke-opacity="0.45" '
            f'stroke-width="{max(w, 1.0):.1f}"><title>{escape(title)}</title></path>'
        )
    for col, names in enumerate(columns):
        for name in names:
            x, y, h = place[name]
            fill = colour.get(name, palette(10)[5])
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{node_w}" height="{h:.1f}" fill="{fill}">'
                f"<title>{escape(name)}: {fmt_money(size[name])} 元</title></rect>"
            )
            label = f"{name} {fmt_money(size[name])}"
            if col == 0:
                body.append(_text(x - 6, y + h / 2 + 4, label, "end"))
            elif col == 1:
                body.append(
                    _text(
                        x + node_w / 2,
                        y - 2 if h < 14 else y + h / 2 + 4,
                        name,
                        "middle",
                        'font-size="11"',
                    )
                )
            else:
                body.append(_text(x + node_w + 6, y + h / 2 + 4, label))
    return _svg(height, body, "资金流向: 来源 → 资金 → 支出类别")


# -- 3. project progress through its stages ------------------------------------------------
def stage_progress(stages: Sequence[StageCount]) -> Markup:
    """One bar per stage: the projects that reached it; the darker part stands at it now."""
    if not any(s.reached for s in stages):
        return Markup("")
    row, top, left = 24.0, 6.0, 90.0
    height = top * 2 + row * len(stages)
    most = max(s.reached for s in stages) or 1
    span = WIDTH - left - 150
    light, dark = palette(10, 30, 80)[0], palette(10)[0]
    body = []
    for i, s in enumerate(stages):
        y = top + row * i
        body.append(_text(left - 8, y + row / 2 + 4, s.name, "end"))
        w = span * s.reached / most  # float-ok: pixels
        cw = span * s.current / most  # float-ok: pixels
        title = f"{s.name}: 已到达 {s.reached} 个项目, 当前处于此阶段 {s.current} 个"
        body.append(
            f'<rect x="{left}" y="{y + 3:.1f}" width="{w:.1f}" height="{row - 6:.1f}" fill="{light}">'
            f"<title>{escape(title)}</title></rect>"
        )
        if cw:
            body.append(
                f'<rect x="{left + w - cw:.1f}" y="{y + 3:.1f}" width="{cw:.1f}" '
                f'height="{row - 6:.1f}" fill="{dark}"><title>{escape(title)}</title></rect>'
            )
        body.append(_text(left + w + 6, y + row / 2 + 4, f"{s.reached} 个 (当前 {s.current})"))
    return _svg(height, body, "项目进度: 各阶段已到达与当前项目数")


# -- 4. asset value by class and owner level -----------------------------------------------
def asset_values(values: AssetValues) -> Markup:
    """One stacked bar per asset class, a stack per owner level; a legend of the levels."""
    if not values.value:
        return Markup("")
    height, top, bottom, left = 262.0, 44.0, 30.0, 20.0
    plot = height - top - bottom
    totals = {
        c: sum((v for (cc, _), v in values.value.items() if cc == c), Decimal(0))
        for c, _ in values.classes
    }
    peak = max(totals.values()) or Decimal(1)
    colours = dict(zip([lv for lv, _ in values.levels], palette(len(values.levels)), strict=True))
    slot = (WIDTH - left * 2) / len(values.classes)
    bar = min(120.0, slot * 0.5)
    body = []
    x = left
    for lv, name in values.levels:  # legend
        body.append(f'<rect x="{x:.1f}" y="6" width="12" height="12" fill="{colours[lv]}"/>')
        body.append(_text(x + 16, 16, name))
        x += 30 + 14 * len(name)
    base = top + plot
    body.append(f'<line x1="{left}" x2="{WIDTH - left}" y1="{base}" y2="{base}" stroke="{AXIS}"/>')
    for i, (c, cname) in enumerate(values.classes):
        bx = left + slot * i + (slot - bar) / 2
        y = base
        for lv, lname in values.levels:
            amount = values.value.get((c, lv))
            if not amount:
                continue
            h = plot * _frac(amount, peak)
            y -= h
            title = f"{cname} · {lname}: {values.count[(c, lv)]} 项, 原值 {fmt_money(amount)} 元"
            body.append(
                f'<rect x="{bx:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colours[lv]}"><title>{escape(title)}</title></rect>'
            )
        body.append(_text(bx + bar / 2, y - 4, fmt_money(totals[c]), "middle"))
        body.append(_text(bx + bar / 2, height - bottom + 16, cname, "middle"))
    return _svg(height, body, "资产原值: 按类别与所有权层级")
