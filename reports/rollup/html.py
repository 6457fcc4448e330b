"""``fupin rollup --html OUT``: one page, a table per roll-up and the industry-share chart.

Formatting only: every number comes from the roll-ups. The page is self-contained (inline
CSS and SVG, no script, nothing fetched when viewed), written atomically, and refused if
the privacy lint finds an ID, phone or bank-account number in it.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from fupin.reports.rollup.chart import share_charts
from fupin.reports.rollup.output import RIGHT, cell
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from fupin.pii import find

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from fupin.reports.rollup import Result
    from fupin.reports.rollup.dataset import County

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "rollup"


class RollupHtmlError(Exception):
    """The page cannot be written (privacy lint, unwritable path)."""


def render_html(
    results: Sequence[Result], *, counties: Mapping[str, County], year: int | None, engine: str
) -> str:
    """The page's HTML."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    share = next((r for r in results if r.query.name == "industry_share"), None)
    tables = [
        {
            "name": r.query.name,
            "title": r.query.title,
            "headers": [(c.label, c.kind in RIGHT) for c in r.query.columns],
            "rows": [
                [(cell(row, c.name, c.kind), c.kind in RIGHT) for c in r.query.columns]
                for row in r.rows
            ],
        }
        for r in results
    ]
    return env.get_template("page.html").render(
        charts=share_charts(share.rows) if share else [],
        tables=tables,
        counties=len(counties),
        scope=f"{year}年度" if year else "全部年度",
        engine=engine,
        made=datetime.date.today().isoformat(),
    )


def write_html(
    results: Sequence[Result],
    out: Path,
    *,
    counties: Mapping[str, County],
    year: int | None,
    engine: str,
) -> Path:
    """Render, lint and write the page atomically; returns its path."""
    page = render_html(results, counties=counties, year=year, engine=engine)
    hits = find(page)  # the one personal-data detector (fupin.pii); numbers never echoed
    if hits:
        listed = "、".join(sorted({h.label for h in hits}))
        raise RollupHtmlError(f"{out}: 页面含个人信息 ({listed}), 未写入 (not written)")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page)
        os.replace(tmp, out)
    except OSError as exc:
        raise RollupHtmlError(f"{out}: 无法写入 (cannot write): {exc.strerror or exc}") from None
    return out
