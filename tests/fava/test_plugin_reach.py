"""A ``plugin "fupin.plugins"`` line only in an included file: Beancount (and so Fava) runs
none of the rules; the Fava pages show the same LEDGER error at that line as ``fupin check``
(one function, :func:`fupin.load.plugin_out_of_reach`)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from click.testing import CliRunner
from fupin.reports.fava.serve import make_app
from markupsafe import escape

from fupin.cli import main

TOP = 'option "operating_currency" "CNY"\n2021-01-01 custom "fava-extension" "fupin.reports.fava"\n'
BOOKS = '; the rules\nplugin "fupin.plugins"\n2021-01-01 open Assets:Treasury:XJ-2021 CNY\n'


def compliance_page(ledger: Path, **query: str) -> str:
    app = make_app(ledger)
    slug = quote(app.config["LEDGERS"].first_slug())
    with app.test_client() as client:
        response = client.get(f"/{slug}/extension/FupinCompliance/", query_string=query)
    assert response.status_code == 200, response.text[:2000]
    return response.text


def test_the_fava_pages_show_what_fupin_check_says(tmp_path: Path) -> None:
    main_file, books = tmp_path / "main.beancount", tmp_path / "books.beancount"
    main_file.write_text(TOP + 'include "books.beancount"\n', encoding="utf-8")
    books.write_text(BOOKS, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(main_file)])
    assert result.exit_code == 1
    (line,) = [x.strip() for x in result.output.splitlines() if "写在被 include 的文件中" in x]
    place, message = line.split(": ", 1)
    assert place == f"{books}:2" and message.endswith("请移到 main.beancount")
    for query in ({}, {"time": "2021"}):  # the books as of a day as well
        page = compliance_page(main_file, **query)
        assert str(escape(message)) in page
        assert f'title="{books}:2">books.beancount:2</a>' in page
    # the line in the top file: Beancount runs it, and neither says anything
    main_file.write_text(TOP + 'plugin "fupin.plugins"\ninclude "books.beancount"\n', "utf-8")
    assert "写在被 include 的文件中" not in compliance_page(main_file)
