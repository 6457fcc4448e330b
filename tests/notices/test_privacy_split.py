"""A health term split inside one PDF cell is still one term, with poppler and without it.

WeasyPrint wraps a cell's text where it runs out of width (重 / 病 on two lines of one
cell), and a clerk may type a soft hyphen, a zero-width space or a full-width space inside
the word (重\u3000病). pdfminer.six boxes each glyph tighter than poppler boxes a line, so a
cell's two lines stand further apart there than :data:`~fupin.reports.pdf_layout.CELL_GAP`,
and a full-width space is wide enough to cut a line into two pieces: read line by line, the
term was two texts and the page published. A ruled cell is read whole, every line of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fupin.reports.notice_privacy import NEAR_LABEL, NameGuard, lint_pdf
from fupin.reports.notice_render import TEMPLATES

TERMS = ("慢性病", "重病", "残疾", "因病", "大病")
NAMES = ("钱豪", "丁国", "孟金")

TABLE = (
    "<table><col style='width: 8%'><col style='width: 14%'><col><col style='width: 22%'>"
    "<thead><tr><th>序号</th><th>姓名</th><th>说明</th><th>备注</th></tr></thead><tbody>"
    "<tr><td>1</td><td>孟庄村</td><td>{text}</td><td>{note}</td></tr>"
    "</tbody></table>"
)


def _pdf(folder: Path, body: str) -> Path:
    from weasyprint import HTML

    css = (TEMPLATES / "notice.css").read_text(encoding="utf-8")
    css = css.replace("{{ total_pages }}", "counter(pages)")
    path = folder / "n.pdf"
    page = f"<style>{css}</style><section class='notice A4'>{body}</section>"
    HTML(string=page, base_url=str(TEMPLATES)).write_pdf(path)
    return path


def _guard() -> NameGuard:
    return NameGuard(NAMES, {"N-1": TERMS}, default=TERMS, places=("孟庄村",))


@pytest.mark.parametrize(
    ("column", "pad", "gap"),
    [
        # the narrow 备注 column wraps after 钱豪家庭新新新新新: 重病户 on the cell's second line
        ("note", 6, ""),
        ("note", 6, "\u00ad"),  # a soft hyphen typed inside the word
        ("note", 6, "\u200b"),  # a zero-width space
        ("note", 4, "\u3000"),  # a full-width space
        ("text", 2, "\u3000"),  # a full-width space on one line of a wide cell
        ("text", 0, "\u3000"),
    ],
    ids=["wrap", "wrap-soft-hyphen", "wrap-zero-width", "wrap-full-width", "full-width", "short"],
)
def test_a_term_split_in_one_cell_of_the_pdf_is_refused(
    reader: str, tmp_path: Path, column: str, pad: int, gap: str
) -> None:
    text = "钱豪家庭" + "新" * pad + "重" + gap + "病户"
    body = TABLE.format(
        text=text if column == "text" else "无", note=text if column == "note" else "无"
    )
    hits = lint_pdf([("N-1", 0, 1)], _pdf(tmp_path, body), "n.pdf", guard=_guard())
    assert [(h.label, h.term) for h in hits] == [(NEAR_LABEL, "重病")]


def test_the_same_cell_without_a_name_publishes(reader: str, tmp_path: Path) -> None:
    body = TABLE.format(text="孟庄村新新新新重\u3000病户帮扶", note="新新新新新新新新新重病户帮扶")
    assert lint_pdf([("N-1", 0, 1)], _pdf(tmp_path, body), "n.pdf", guard=_guard()) == []
