"""The PDF lint reads table rows the same with poppler and without it.

A notice's PDF, laid out by the project's renderer from a planted ledger, is linted with
poppler's ``pdftotext`` and with it hidden (the machine where it is missing). Here the
fields' and the HTML's lint are switched off, so only the PDF's own text can refuse it: a
register name in one cell of an allocation's row and a health word in another cell of that
row on another line of the page, a name on the wrapped second line of its cell, a masked
name. The sample's own notices publish on both paths.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fupin.reports import notice_render
from fupin.reports.notice_privacy import NEAR_LABEL, NameGuard, PrivacyHit, lint_pdf

XJ = "xianjie-2021.beancount"
NAME = 'name: "青山村肉牛养殖圈舍建设项目"'
CONTENT = 'content: "新建标准化肉牛圈舍2400平方米、青贮窖600立方米"'
LONG = "新建标准化肉牛圈舍2400平方米、青贮窖600立方米及配套设施，带动脱贫户32户"
PDF = Path("县级") / "N-2021-F01.pdf"


def _pdf_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch off the fields' and the HTML's lint: only the PDF's text is read."""
    monkeypatch.setattr(notice_render, "lint_doc", lambda *a, **k: [])
    monkeypatch.setattr(notice_render, "lint_html", lambda *a, **k: [])


@pytest.mark.parametrize(
    ("name", "content", "term"),
    [
        # two cells of one row: 钱豪 on the row's first line, 因病 on its fourth
        ("青山村钱豪肉牛养殖圈舍建设项目", LONG + "，优先安排因病致贫户务工", "因病"),
        # a wrapped cell: the name wraps from the second line of the 项目名称 cell onto its
        # third (钱 / 豪), the term on the first line of the 建设内容 cell
        ("青山村肉牛养殖圈舍建设项目钱豪家庭农场", "慢性病患者家庭优先务工；" + LONG, "慢性病"),
        # a masked name, as the notices and the clerks mask it
        ("青山村钱*肉牛养殖圈舍建设项目", LONG + "，优先安排重病户务工", "重病"),
    ],
    ids=["two-cells", "wrapped-cell", "masked-name"],
)
def test_a_name_and_a_term_in_one_row_of_the_pdf_are_refused(
    reader: str,
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    content: str,
    term: str,
) -> None:
    ledger = planted(
        keyed_county,
        tmp_path,
        [(XJ, NAME, f'name: "{name}"'), (XJ, CONTENT, f'content: "{content}"')],
    )
    _pdf_only(monkeypatch)
    out = tmp_path / "out"
    code, output = run_notices(ledger, out, "fund_allocation")
    assert code == 1, (reader, output)
    assert not out.exists() and "nothing published" in output
    assert (
        f"公示 N-2021-F01: {NEAR_LABEL}「{term}」 in 县级/N-2021-F01.pdf (PDF text), page 1: "
        "a table row, the term in cell 4, a name in cell 2"
    ) in output, (reader, output)
    assert "钱豪" not in output and "钱*" not in output


def test_the_row_check_reads_the_pdf_the_notices_command_wrote(
    reader: str,
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
) -> None:
    """The same file, linted on its own: one hit, the row's, on either path; and the names
    the guard does not know pass it."""
    ledger = planted(
        keyed_county,
        tmp_path,
        [
            (XJ, NAME, 'name: "青山村吴海肉牛养殖圈舍建设项目"'),
            (XJ, CONTENT, f'content: "{LONG}，含因病致贫户"'),
        ],
    )
    out = tmp_path / "out"
    code, output = run_notices(ledger, out, "fund_allocation")
    assert code == 0, output  # 吴海 is nobody of the register
    terms = ("因病", "慢性病", "重病")
    knows = NameGuard(["吴海", "钱豪"], {}, default=terms, places=["青山村"])
    hits = lint_pdf([("N-2021-F01", 0, 1)], out / PDF, "f.pdf", guard=knows)
    assert hits == [
        PrivacyHit(
            "N-2021-F01",
            NEAR_LABEL,
            "f.pdf (PDF text), page 1: a table row, the term in cell 4, a name in cell 2",
            "因病",
        )
    ], reader
    nobody = NameGuard(["钱豪"], {}, default=terms, places=["青山村"])
    assert lint_pdf([("N-2021-F01", 0, 1)], out / PDF, "f.pdf", guard=nobody) == []


def test_the_sample_notices_publish_on_both_paths(
    reader: str,
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
) -> None:
    """Every notice the sample publishes (its names, its 残疾人 and 慢性病 words) passes."""
    out = tmp_path / "out"
    code, output = run_notices(keyed_county / "main.beancount", out)
    assert code == 0, (reader, output)
    assert len(list(out.rglob("*.pdf"))) > 40


def test_a_name_and_a_term_in_two_rows_publish_on_both_paths(
    reader: str,
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
) -> None:
    """The project's own notice prints 钱豪's project name and 因病 in two rows of its fields
    table (项目名称, 建设内容): its page is laid out (it holds a term) and read row by row,
    and it publishes with every lint on, on either path."""
    ledger = planted(
        keyed_county,
        tmp_path,
        [
            (XJ, NAME, 'name: "青山村钱豪肉牛养殖圈舍建设项目"'),
            (XJ, CONTENT, 'content: "新建标准化肉牛圈舍2400平方米(因病致贫户优先务工)"'),
        ],
    )
    out = tmp_path / "out"
    code, output = run_notices(ledger, out, "project_plan")
    assert code == 0, (reader, output)
    assert (out / "城关镇青山村" / "N-2021-P001-V.pdf").exists()
