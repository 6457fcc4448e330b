"""A 网银 ".xls" that is an HTML page or an XML Spreadsheet 2003 imports as the BIFF one.

Each fictional file below holds the rows of ``importers/samples/ccb-xj2021-2021-08.xls`` in
another shape a bank really saves under that name; extracted with the same importer, it must
give the very entries of that sample's golden file, and a broken one is refused naming it.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from beangulp import testing
from fupin.importers.statement import StatementImporter
from fupin.importers.table import SourceError, read_rows

from .conftest import GOLDEN, RULES, SAMPLES

NAME = "ccb-xj2021-2021-08.xls"


def sample_rows() -> list[tuple[str, ...]]:
    return [r.cells for r in read_rows(SAMPLES / NAME).rows]


def importer() -> StatementImporter:
    return StatementImporter("ccb", "Assets:Treasury:XJ-2021", rules=RULES)


def same_as_golden(path: Path) -> None:
    imp = importer()
    assert imp.identify(str(path))
    account, date, filename, entries = testing.run_importer(imp, str(path))
    diff = testing.compare_expected(
        str(GOLDEN / f"{NAME}.beancount"), account, date, filename, entries
    )
    assert not diff, "".join(diff)


def html_page(rows: list[tuple[str, ...]]) -> str:
    """As 网银 writes it: a title outside the table, padded cells, &nbsp;, a merged footer,
    amounts with thousands separators, GBK declared in a meta tag."""
    width = max(len(r) for r in rows)
    out = [
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
        "</head><body>",
        f"<h3>{html.escape(rows[0][0])}</h3>",
        '<table border="1">',
    ]
    for number, cells in enumerate(rows[1:-1], 2):
        tag = "th" if number == 6 else "td"
        if number >= 7:  # money as text with separators: 86500.5 → 86,500.50
            cells = tuple(
                f"{float(c):,.2f}" if i in (3, 4, 5) else c  # float-ok (test data)
                for i, c in enumerate(cells)
            )
        line = "".join(
            f"<{tag}>\n      {html.escape(c) or '&nbsp;'}&nbsp;\n    </{tag}>" for c in cells
        )
        out.append(f"  <tr>{line}</tr>")
    out.append(f'  <tr><td colspan="{width}">{html.escape(rows[-1][0])}</td></tr>')
    out.append("</table></body></html>")
    return "\n".join(out)


def xml2003_book(rows: list[tuple[str, ...]]) -> str:
    width = max(len(r) for r in rows)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?mso-application progid="Excel.Sheet"?>',
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"',
        ' xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">',
        '<Worksheet ss:Name="说明"><Table><Row><Cell><Data ss:Type="String">x</Data></Cell>'
        "</Row></Table></Worksheet>",
        '<Worksheet ss:Name="交易明细"><Table>',
    ]
    for number, cells in enumerate(rows, 1):
        if not cells:
            continue  # an empty row is left out: the next row's ss:Index says where it is
        index = f' ss:Index="{number}"' if number == 6 else ""
        parts = []
        for i, c in enumerate(cells):
            if number == len(rows):
                parts.append(
                    f'<Cell ss:MergeAcross="{width - 1}"><Data ss:Type="String">'
                    f"{html.escape(c)}</Data></Cell>"
                )
            elif number >= 7 and i in (3, 4, 5):
                parts.append(f'<Cell><Data ss:Type="Number">{c}</Data></Cell>')
            elif c:
                parts.append(f'<Cell><Data ss:Type="String">{html.escape(c)}</Data></Cell>')
            else:
                parts.append("<Cell/>")
        out.append(f"<Row{index}>{''.join(parts)}</Row>")
    out.append("</Table></Worksheet></Workbook>")
    return "\n".join(out)


def test_an_html_page_named_xls_imports_as_the_workbook(tmp_path: Path) -> None:
    path = tmp_path / NAME
    path.write_bytes(html_page(sample_rows()).encode("gb18030"))
    document = read_rows(path)
    assert document.encoding == "html (gb18030)"
    assert document.rows[0].cells == ("China Construction Bank",)  # the <h3>, a row
    assert document.rows[-1].cells[0] == "以上数据仅供参考|具体内容请以柜台为准"
    assert len(document.rows[-1].cells) == 1  # colspan: empty cells after, then trimmed
    same_as_golden(path)


def test_an_xml_2003_workbook_named_xls_imports_as_the_workbook(tmp_path: Path) -> None:
    path = tmp_path / NAME
    path.write_text(xml2003_book(sample_rows()), encoding="utf-8")
    rows = read_rows(path, sheet="交易明细").rows
    assert [r.number for r in rows][:6] == [1, 2, 3, 4, 5, 6]  # the left-out row 5 is there
    assert rows[4].cells == ()
    importer_ = importer()
    importer_.layout = importer_.layout.model_copy(update={"sheet": "交易明细"})
    account, date, filename, entries = testing.run_importer(importer_, str(path))
    diff = testing.compare_expected(
        str(GOLDEN / f"{NAME}.beancount"), account, date, filename, entries
    )
    assert not diff, "".join(diff)


def test_rowspan_and_colspan_keep_the_columns_under_their_header() -> None:
    from fupin.importers.markup import html_rows

    page = (
        "<html><body><table>"
        "<tr><th rowspan=2>日期</th><th colspan=2>金额</th><th>摘要</th></tr>"
        "<tr><th>支出</th><th>收入</th><th></th></tr>"
        "<tr><td>2021-08-03</td><td>0</td><td>250,000.00</td><td>拨款</td></tr>"
        "</table><p>制表人: 张三</p></body></html>"
    )
    assert html_rows(page) == [
        (1, ["日期", "金额", "", "摘要"]),
        (2, ["", "支出", "收入", ""]),
        (3, ["2021-08-03", "0", "250,000.00", "拨款"]),
        (4, ["制表人: 张三"]),
    ]


def test_a_broken_xml_workbook_is_refused_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / NAME
    text = xml2003_book(sample_rows()).replace("</Row>", "</Rw>", 3)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as info:
        read_rows(path)
    assert info.value.row is not None and "XML 表格无法读取" in info.value.problem


def test_a_csv_a_bank_named_xls_is_read_as_text_and_garbage_is_still_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "statement.xls"
    path.write_text("交易日期,金额\n2021-08-03,1.00\n", encoding="gb18030")
    assert [r.cells for r in read_rows(path).rows] == [("交易日期", "金额"), ("2021-08-03", "1.00")]
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(SourceError, match="不是有效的 xls 文件"):
        read_rows(path)
