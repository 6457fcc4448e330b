"""A health word beside a register name, masked or typed in forms the first guard missed: a
masked name (``钱*``, ``钱某``), a name and the word in two cells of one table row (in the
fields, the HTML and the PDF), 间隔号, Traditional characters; and a PDF reused from an
earlier run is linted again when the register or the terms changed since it passed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fupin.reports import notice_render
from fupin.reports.filters import mask_name
from fupin.reports.notice_context import NoticeDoc
from fupin.reports.notice_privacy import (
    NEAR_LABEL,
    NameGuard,
    PrivacyHit,
    html_rows,
    lint_html,
    lint_pdf,
    pdf_cells,
    pdf_lines,
    pdf_rows,
)
from fupin.reports.notice_render import TEMPLATES, pdf_lint_key

from fupin import pii
from fupin.cli import main

TERMS = ("慢性病", "重病", "残疾", "残障", "因病", "大病", "疾病", "瘫痪", "肿瘤", "精神病")
NAMES = ("钱豪", "丁国", "孟金", "袁鸣怡", "欧阳一鸣", "阿不都·热合曼", "石桥", "于兰")
PLACES = ("石桥镇", "石桥村", "城关镇", "青山村")


def guard(names: tuple[str, ...] = NAMES) -> NameGuard:
    return NameGuard(names, {"N-1": TERMS}, default=TERMS, places=PLACES)


# -- masked names and other forms -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("钱*(重病户)", ["重病"]),
        ("受益户：钱**  慢性病", ["慢性病"]),
        ("钱某 大病", ["大病"]),
        ("钱某某，因病致贫", ["因病"]),
        ("钱X 因病", ["因病"]),
        ("钱x(残疾)", ["残疾"]),
        ("钱×× 重病户", ["重病"]),
        ("钱○(大病)", ["大病"]),
        ("钱＊（重病户）", ["重病"]),  # full-width asterisk and parentheses
        ("袁*怡(重病户)", ["重病"]),  # what --mask-names prints for 袁鸣怡
        ("袁**(慢性病)", ["慢性病"]),
        ("欧**鸣(重病)", ["重病"]),
        ("欧阳*（大病）", ["大病"]),  # a two-character surname
        ("阿*曼 因病致贫", ["因病"]),
        ("钱先生(大病)", ["大病"]),
        ("照顾重病户钱老汉", ["重病"]),
        ("錢* 殘疾", ["残疾"]),  # Traditional
    ],
)
def test_a_masked_name_beside_a_term_is_found(text: str, terms: list[str]) -> None:
    assert guard().beside(text, TERMS) == terms


@pytest.mark.parametrize("name", NAMES)
def test_every_mask_the_notices_print_is_a_name(name: str) -> None:
    masked = mask_name(pii.term_form(name))
    assert guard().beside(f"{masked}(重病户)", TERMS) == ["重病"], masked
    assert guard().has_name(masked)


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("钱豪（重病户）", ["重病"]),  # full-width parentheses
        ("钱豪，因病致贫", ["因病"]),  # a comma between
        ("受益户钱豪, 系因病致贫户", ["因病"]),
        ("重病户钱豪", ["重病"]),  # the term first
        ("阿不都·热合曼(重病户)", ["重病"]),  # 间隔号 U+00B7
        ("阿不都•热合曼 慢性病", ["慢性病"]),  # bullet U+2022
        ("阿不都・热合曼，因病致贫", ["因病"]),  # katakana middle dot
        ("阿不都.热合曼 大病", ["大病"]),  # an ASCII full stop typed for it
        ("阿不都．热合曼（大病）", ["大病"]),  # full-width full stop
        ("阿不都热合曼 大病", ["大病"]),  # no dot at all
        ("钱豪(慢性疾病)", ["疾病"]),
        ("钱豪 殘疾", ["残疾"]),  # Traditional term
        ("錢豪 殘障", ["残障"]),  # Traditional name and term
        ("丁國(癱瘓)", ["瘫痪"]),
        ("钱豪 腫瘤", ["肿瘤"]),
    ],
)
def test_more_forms_beside_a_name_are_found(text: str, terms: list[str]) -> None:
    assert guard().beside(text, TERMS) == terms


@pytest.mark.parametrize(
    "text",
    [
        "残疾人康复中心建设",  # a project's name
        "慢性病救助政策",  # a heading
        "钱塘村慢性病救助站",  # a place with a surname character: 钱 alone is no name
        "钱家庄残疾人之家",
        "孟庄村大病救助",
        "石桥镇残疾人康复中心",  # a person 石桥 inside a registered place
        "由于某种原因，因病致贫户另行登记",  # 于某种 is no masked 于兰
        "某些因病致贫户由乡镇另行登记",
        "资金主要用于因病致贫户",
        "受益户：钱豪、丁国。另设残疾人康复室一处",  # two sentences
        "项目编号 P-2021-001 X 残疾人就业",  # a mask after no name
        "校验码 K7QX-3M2A；慢性病救助",
    ],
)
def test_ordinary_public_words_still_pass(text: str) -> None:
    assert guard().beside(text, TERMS) == []


def test_term_form_reads_dots_and_traditional_characters() -> None:
    assert pii.term_form("阿不都.热合曼") == pii.term_form("阿不都·热合曼") == "阿不都热合曼"
    assert pii.term_form("錢豪 殘疾") == "钱豪残疾"
    assert pii.find_terms("重殘户", ["重残"]) == ["重残"]
    assert pii.term_form("乾隆 於是 著名") == "乾隆於是著名"  # also Simplified: kept as typed


# -- table rows -------------------------------------------------------------------------

ROW = (
    "<table><thead><tr><th>序号</th><th>姓名</th><th>村民小组</th><th>备注</th></tr></thead>"
    "<tbody><tr><td>1</td><td>{name}</td><td>3组</td><td>{note}</td></tr>"
    "<tr><td>2</td><td>丁国</td><td>5组</td><td>新建大棚</td></tr></tbody></table>"
)


def test_html_rows_are_tr_by_tr_with_nested_tables_apart() -> None:
    markup = (
        "<p>钱豪</p><table><tr><th>姓名</th><td>钱豪<br>3组</td><td>"
        "<table><tr><td>内</td><td>表</td></tr></table>外</td></tr>"
        "<tr><td>1 &amp; 2</td><td>二</td></tr></table>"
    )
    assert html_rows(markup) == [["内", "表"], ["姓名", "钱豪\n3组", "外"], ["1 & 2", "二"]]


@pytest.mark.parametrize(
    ("name", "note", "term"),
    [("钱豪", "因病", "因病"), ("钱*", "慢性病患者", "慢性病"), ("钱某", "重病户", "重病")],
)
def test_a_name_and_a_term_in_one_html_row_are_refused(name: str, note: str, term: str) -> None:
    markup = ROW.format(name=name, note=note)
    hits = lint_html("N-1", "x.html", markup, guard=guard())
    assert hits == [
        PrivacyHit(
            "N-1", NEAR_LABEL, "x.html (table row 2: the term in cell 4, a name in cell 2)", term
        )
    ]
    assert "钱" not in str(hits[0])


def test_rows_apart_and_label_rows_pass() -> None:
    apart = (
        ROW.format(name="钱豪", note="无")
        + "<table><tr><td>孟庄</td><td>残疾人之家</td></tr></table>"
    )
    fields = (
        "<table class='fields'><tr><th>项目名称</th><td>钱豪家庭农场扶持项目</td></tr>"
        "<tr><th>受益对象</th><td>因病致贫户10户</td></tr></table>"
    )
    assert lint_html("N-1", "x.html", apart + fields, guard=guard()) == []


def _pdf(tmp_path: Path, body: str) -> Path:
    from weasyprint import HTML

    css = (TEMPLATES / "notice.css").read_text(encoding="utf-8")
    css = css.replace("{{ total_pages }}", "counter(pages)")
    path = tmp_path / "n.pdf"
    page = f"<style>{css}</style><section class='notice A4'>{body}</section>"
    HTML(string=page, base_url=str(TEMPLATES)).write_pdf(path)
    return path


WIDE = (
    "<table><col style='width: 8%'><col style='width: 14%'><col><col style='width: 22%'>"
    "<thead><tr><th>序号</th><th>姓名</th><th>说明</th><th>备注</th></tr></thead><tbody>"
    "<tr><td>1</td><td>{name}</td><td>{text}</td><td>{note}</td></tr>"
    "<tr><td>2</td><td>孟庄村</td><td>新建标准化肉牛圈舍2400平方米</td><td>残疾人康复中心建设</td></tr>"
    "</tbody></table><p>受益户：钱豪、丁国。另设残疾人康复室一处，宣传慢性病救助政策。</p>"
)
LONG = "新建标准化肉牛圈舍2400平方米、青贮窖600立方米及配套设施，带动脱贫户32户"


def test_pdf_rows_cells_and_wrapped_lines(tmp_path: Path) -> None:
    """The PDF's cells: a wrapped cell is one text, its row's cells side by side."""
    path = _pdf(tmp_path, WIDE.format(name="阿不都·热合曼", text=LONG, note="无"))
    (page,) = pdf_lines(path) or [[]]
    rows = [[pii.term_form(c.text) for c in row] for row in pdf_rows(pdf_cells(page))]
    assert ["1", "阿不都热合曼", pii.term_form(LONG), "无"] in rows
    assert ["2", "孟庄村", "新建标准化肉牛圈舍2400平方米", "残疾人康复中心建设"] in rows
    assert not any(any("受益户" in c for c in row) for row in rows)  # a paragraph is no row


@pytest.mark.parametrize(
    ("name", "text", "note", "term", "row"),
    [
        ("钱豪", LONG, "因病", "因病", True),
        ("钱*", LONG, "慢性病患者", "慢性病", True),
        ("阿不都·热合曼", LONG + "，优先照顾重病户", "无", "重病", True),
        ("孟庄村", "受益户为钱豪家庭，该户因病致贫情况已核实，" + LONG, "无", "因病", False),
    ],
)
def test_a_name_beside_a_term_in_the_pdf_is_refused(
    tmp_path: Path, name: str, text: str, note: str, term: str, row: bool
) -> None:
    """In one row, or in one cell whose lines wrap (the PDF's line breaks are no sentence
    ends there)."""
    path = _pdf(tmp_path, WIDE.format(name=name, text=text, note=note))
    (hit,) = lint_pdf([("N-1", 0, 1)], path, "n.pdf", guard=guard())
    assert hit.term == term and hit.label == NEAR_LABEL
    assert hit.where.startswith("n.pdf (PDF text)")
    assert ("a table row" in hit.where) is row


def test_the_pdf_of_words_without_a_name_passes(tmp_path: Path) -> None:
    path = _pdf(tmp_path, WIDE.format(name="孟庄村", text=LONG, note="慢性病救助政策"))
    assert lint_pdf([("N-1", 0, 1)], path, "n.pdf", guard=guard()) == []


# -- the notices command ----------------------------------------------------------------


BENEFICIARIES = 'beneficiaries: "脱贫户32户、监测户5户"'
CONTENT = 'content: "新建标准化肉牛圈舍2400平方米、青贮窖600立方米"'
XJ = "xianjie-2021.beancount"


def test_masked_names_with_health_words_publish_nothing(
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
) -> None:
    """The probe: 钱豪 and 丁国 of the sample, masked as the notices mask them and as clerks
    do, beside a health word in fields a project notice prints."""
    ledger = planted(
        keyed_county,
        tmp_path,
        [
            (XJ, BENEFICIARIES, 'beneficiaries: "脱贫户32户、监测户5户, 含钱*(重病户)"'),
            (XJ, CONTENT, 'content: "新建标准化肉牛圈舍2400平方米; 受益户: 丁某 慢性病"'),
        ],
    )
    out = tmp_path / "out"
    code, output = run_notices(ledger, out, "project_plan")
    assert code == 1, output
    assert not out.exists() and "nothing published" in output
    for line in (
        f"公示 N-2021-P001-V: {NEAR_LABEL}「重病」 in project P-2021-001 受益对象 "
        "(body.project.beneficiaries)",
        f"公示 N-2021-P001-V: {NEAR_LABEL}「慢性病」 in project P-2021-001 建设内容 "
        "(body.project.content)",
    ):
        assert line in output, output
    assert "钱*" not in output and "丁某" not in output


def test_a_name_and_a_term_in_one_row_of_an_allocation_publish_nothing(
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
) -> None:
    """The allocation lists each project on one row: a register name in its 项目名称 cell and
    因病 in its 建设内容 cell stand in one row. The project's own notice prints them in two
    rows (项目名称, 建设内容 …) and publishes."""
    ledger = planted(
        keyed_county,
        tmp_path,
        [
            (XJ, 'name: "青山村肉牛养殖圈舍建设项目"', 'name: "青山村钱豪肉牛养殖圈舍建设项目"'),
            (XJ, CONTENT, 'content: "新建标准化肉牛圈舍2400平方米(因病致贫户优先务工)"'),
        ],
    )
    out = tmp_path / "out"
    code, output = run_notices(ledger, out, "fund_allocation")
    assert code == 1, output
    assert not out.exists()
    assert (
        f"公示 N-2021-F01: {NEAR_LABEL}「因病」 in 建设内容 (body.rows[0].content), "
        "beside a name in 名称 (body.rows[0].name) of the row"
    ) in output, output
    assert "钱豪" not in output
    code, output = run_notices(ledger, out, "project_plan")
    assert code == 0, output


def test_health_words_of_public_texts_still_publish(
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
) -> None:
    """A 残疾人康复中心 project, a 慢性病救助政策 heading and a place named with a surname
    character, with no register name beside them, print in the HTML and the PDF."""
    ledger = planted(
        keyed_county,
        tmp_path,
        [
            (XJ, 'name: "青山村肉牛养殖圈舍建设项目"', 'name: "青山村残疾人康复中心建设项目"'),
            (XJ, CONTENT, 'content: "新建钱家庄残疾人康复中心一处; 宣传慢性病救助政策"'),
            (XJ, BENEFICIARIES, 'beneficiaries: "脱贫户32户(含残疾人家庭3户)、监测户5户"'),
            (
                "notices.beancount",
                '  subject: "P-2021-001"\n',
                '  subject: "P-2021-001"\n  title: "慢性病救助政策宣传及康复中心建设项目公示"\n',
            ),
        ],
    )
    out = tmp_path / "out"
    code, output = run_notices(ledger, out, "project_plan", "fund_allocation")
    assert code == 0, output
    page = (out / "城关镇青山村" / "N-2021-P001-V.html").read_text(encoding="utf-8")
    assert "新建钱家庄残疾人康复中心一处; 宣传慢性病救助政策" in page
    assert ">慢性病救助政策宣传及康复中心建设项目公示</h1>" in page
    layout = pdf_lines(out / "县级" / "N-2021-F01.pdf") or []
    cells = [cell for lines in layout for cell in pdf_cells(lines)]
    assert any(pii.term_form(c.text) == "青山村残疾人康复中心建设项目" for c in cells)


# -- a reused PDF -----------------------------------------------------------------------


def _add_member(ledger: Path, name: str) -> None:
    """A member ``name`` of the sample's first household, with a valid (fictional) ID."""
    path = ledger.parent / "register" / "members.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    first17 = "99990120000101001"
    rows.append(
        dict(
            rows[0],
            seq="9",
            name=name,
            relation="子",
            id_number=first17 + pii.id_check_char(first17),
        )
    )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_a_reused_pdf_is_linted_again_when_the_register_changed(
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    planted: Callable[..., Path],
) -> None:
    """吴海(重病户) prints while 吴海 is nobody of the register. Once 吴海 is a member, the
    fields and the HTML refuse it; and the PDF of the earlier run, reused because its bytes
    would be the same, is read again rather than trusted: here the fields' and the HTML's
    lint are switched off, so that only the PDF's text can tell."""
    ledger = planted(
        keyed_county,
        tmp_path,
        [(XJ, BENEFICIARIES, 'beneficiaries: "脱贫户32户、监测户5户, 含吴海(重病户)"')],
    )
    out = tmp_path / "out"
    code, output = run_notices(ledger, out, "project_plan")
    assert code == 0, output
    calls: list[str] = []
    real = notice_render.lint_pdf

    def spy(*args: object, **kwargs: object) -> list[PrivacyHit]:
        calls.append(str(args[2]))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(notice_render, "lint_pdf", spy)
    result = CliRunner().invoke(
        main, ["notices", str(ledger), "--out", str(out), "--kind", "project_plan", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["pdf_reused"] == 15 and summary["pdf_rendered"] == 0
    assert calls == []  # the same lint as the run that published them: not read again

    _add_member(ledger, "吴海")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    code, output = run_notices(ledger, out, "project_plan")
    assert code == 1 and "(body.project.beneficiaries)" in output, output

    monkeypatch.setattr(notice_render, "lint_doc", lambda *a, **k: [])
    monkeypatch.setattr(notice_render, "lint_html", lambda *a, **k: [])
    code, output = run_notices(ledger, out, "project_plan")
    assert code == 1, output
    assert (
        f"公示 N-2021-P001-V: {NEAR_LABEL}「重病」 in 城关镇青山村/N-2021-P001-V.pdf (PDF text)"
        in output
    )
    assert len(calls) == 15  # every reused PDF read again, none laid out again
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before  # the set published stays


def test_the_lint_key_of_a_pdf() -> None:
    """A PDF's lint key changes with the names, places and terms of its notices' checks (and
    the detector), not with another notice's."""
    piece = notice_render.Piece("N-1", "N-1", "县级", "", "A4", 1, "t")
    base = pdf_lint_key("d", [piece], {}, guard())
    assert base == pdf_lint_key("d", [piece], {"N-2": TERMS}, guard())
    assert base != pdf_lint_key("d2", [piece], {}, guard())
    assert base != pdf_lint_key("d", [piece], {}, guard((*NAMES, "吴海")))
    other_terms = NameGuard(NAMES, {"N-1": TERMS[:3]}, default=TERMS, places=PLACES)
    assert base != pdf_lint_key("d", [piece], {}, other_terms)
    assert base != pdf_lint_key("d", [piece], {"N-1": TERMS}, guard())  # a list's terms
    assert base != pdf_lint_key("d", [piece], {}, None)


def test_a_rerun_lints_only_the_notices_whose_fields_changed(
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    planted: Callable[..., Path],
) -> None:
    """The 15 project-plan notices are linted field by field once; a re-run with nothing
    changed lints none of them, nor the index page (each passed this very lint in the set
    published); changing P-2021-001's beneficiaries lints its plan notices again, only
    them and its page (the index does not print beneficiaries: its bytes are those that
    passed), and a health term beside a register name there is still refused."""
    ledger = planted(keyed_county, tmp_path, [])
    out = tmp_path / "out"
    code, output = run_notices(ledger, out, "project_plan")
    assert code == 0, output
    docs: list[str] = []
    pages: list[str] = []
    real_doc, real_html = notice_render.lint_doc, notice_render.lint_html

    def spy_doc(doc: NoticeDoc, *args: Any, **kwargs: Any) -> list[PrivacyHit]:
        docs.append(doc.id)
        return real_doc(doc, *args, **kwargs)

    def spy_html(notice: str, where: str, *args: Any, **kwargs: Any) -> list[PrivacyHit]:
        pages.append(where)
        return real_html(notice, where, *args, **kwargs)

    monkeypatch.setattr(notice_render, "lint_doc", spy_doc)
    monkeypatch.setattr(notice_render, "lint_html", spy_html)
    code, output = run_notices(ledger, out, "project_plan")
    assert code == 0, output
    assert docs == [] and pages == []

    source = ledger.parent / XJ
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace(BENEFICIARIES, 'beneficiaries: "脱贫户33户、监测户5户"', 1))
    code, output = run_notices(ledger, out, "project_plan")
    assert code == 0, output
    assert docs and all(d.startswith("N-2021-P001") for d in docs), docs
    assert pages == ["城关镇青山村/N-2021-P001-V.html"]  # the index's bytes are the same

    docs.clear()
    holder = keyed_county / "register" / "households.csv"
    name = next(csv.DictReader(io.StringIO(holder.read_text(encoding="utf-8"))))["head_name"]
    source.write_text(text.replace(BENEFICIARIES, f'beneficiaries: "含{name}(重病户)"', 1))
    code, output = run_notices(ledger, out, "project_plan")
    assert code == 1 and "(body.project.beneficiaries)" in output, output
    assert docs and all(d.startswith("N-2021-P001") for d in docs), docs
