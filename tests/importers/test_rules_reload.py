"""An edit of ``import_rules.toml`` is seen on the next import, without a restart.

Fava runs the import configuration once (again only when ``import_config.py`` changes), so
rules read when the configuration ran were kept until Fava restarted. The importers now read
the rules file again whenever its content changed; an invalid edit is a Chinese message
naming the file, the line and the key, and no rule of the edited file applies.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from beancount.core import data
from click.testing import CliRunner
from fupin.importers.ingest import run_files
from fupin.importers.rules import RulesError
from fupin.importers.statement import StatementImporter

from fupin.cli import main

from .conftest import ROOT, SAMPLES

STATEMENT = SAMPLES / "rcb-xj2022-2022-11-12.csv"
ACCOUNT = "Assets:Treasury:XJ-2022"
#: line 11 of the sample: 青山县乡村振兴局 2022年项目管理费, which no rule of the sample county matches
FEE_RULE = """
[[rule]]
counterparty = "乡村振兴局"
memo = "项目管理费"
direction = "out"
account = "Expenses:Admin:ProjectFee"
"""


def fee_account(entries: data.Entries) -> str:
    (fee,) = [e for e in entries if isinstance(e, data.Transaction) and e.meta["lineno"] == 11]
    return fee.postings[1].account


def county_rules(county: Path) -> Path:
    return county.parent / "import_rules.toml"


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """A county's books holding none of the statement's lines, its import configuration
    (the 2022 account's statements) and the sample county's rules file beside them."""
    folder = tmp_path / "county"
    folder.mkdir()
    shutil.copy(ROOT / "ledger" / "import_rules.toml", folder / "import_rules.toml")
    (folder / "import_config.py").write_text(
        "from pathlib import Path\n\n"
        "from fupin.importers.statement import StatementImporter\n\n"
        "RULES = Path(__file__).resolve().parent / 'import_rules.toml'\n"
        f"CONFIG = [StatementImporter('rcb', {ACCOUNT!r}, rules=RULES, title='8022')]\n",
        encoding="utf-8",
    )
    books = folder / "main.beancount"
    books.write_text(
        'option "operating_currency" "CNY"\n'
        f"2022-01-01 open {ACCOUNT} CNY\n"
        '2022-01-01 custom "fava-option" "import-config" "import_config.py"\n'
        '2022-01-01 custom "fava-option" "import-dirs" "downloads"\n'
        '2022-01-01 custom "fava-extension" "fupin.reports.fava"\n',
        encoding="utf-8",
    )
    (folder / "downloads").mkdir()
    shutil.copy(STATEMENT, folder / "downloads" / STATEMENT.name)
    return books


def test_the_same_importer_reads_the_edited_rules(tmp_path: Path) -> None:
    rules = tmp_path / "import_rules.toml"
    rules.write_text(FEE_RULE, encoding="utf-8")
    importer = StatementImporter("rcb", ACCOUNT, rules=rules, title="8022")
    assert fee_account(importer.extract(str(STATEMENT), [])) == "Expenses:Admin:ProjectFee"
    # the same size and modification time (an editor that restores them, cp -p): still seen
    before = rules.stat()
    rules.write_text(FEE_RULE.replace("ProjectFee", "ProjectFe2"), encoding="utf-8")
    os.utime(rules, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert rules.stat().st_size == before.st_size
    entries = importer.extract(str(STATEMENT), [])
    assert fee_account(entries) == "Expenses:Admin:ProjectFe2"
    rules.write_text("", encoding="utf-8")  # every rule removed: the line goes to suspense
    assert fee_account(importer.extract(str(STATEMENT), [])) == "Assets:Suspense:XJ-2022"


GOOD = FEE_RULE + '\n[names]\n"Expenses:Admin:ProjectFee" = "项目管理费用"\n'


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            ('direction = "out"', 'direction = "outt"'),
            ":5: 导入规则有误, 未生效: 第1条规则 (rule) 的 direction: 应为 in、out 之一 "
            "(是否应为 'out'?)",
        ),
        (
            ("account =", "acount ="),
            ":6: 导入规则有误, 未生效: 第1条规则 (rule) 的 acount: 未知字段 (是否应为 'account'?)",
        ),
        (
            ('memo = "项目管理费"', 'memo = "项目管理费("'),
            ":4: 导入规则有误, 未生效: 第1条规则 (rule) 的 memo: 不是有效的正则表达式",
        ),
        (
            ('Expenses:Admin:ProjectFee"\n', 'expenses:admin"\n'),
            ":6: 导入规则有误, 未生效: 第1条规则 (rule) 的 account: 'expenses:admin' 不是有效的科目名",
        ),
        (
            ("[[rule]]", "[[rules]]"),
            ":2: 导入规则有误, 未生效: 未知的键 [rules] (是否应为 'rule'?)",
        ),
        (
            ('"项目管理费用"', "3"),
            ":9: 导入规则有误, 未生效: [names] Expenses:Admin:ProjectFee: 应为文本",
        ),
        (
            ('memo = "项目管理费"', 'memo = "项目管理费'),
            ":4: 导入规则有误, 未生效: TOML 语法错误 [memo] (第14列)",
        ),
    ],
    ids=["direction", "misspelt-key", "pattern", "account", "table", "names", "syntax"],
)
def test_an_invalid_edit_names_file_line_and_key_and_applies_nothing(
    tmp_path: Path, edit: tuple[str, str], problem: str
) -> None:
    rules = tmp_path / "import_rules.toml"
    rules.write_text(GOOD, encoding="utf-8")
    importer = StatementImporter("rcb", ACCOUNT, rules=rules, title="8022")
    assert fee_account(importer.extract(str(STATEMENT), [])) == "Expenses:Admin:ProjectFee"
    old, new = edit
    assert old in GOOD
    rules.write_text(GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        importer.extract(str(STATEMENT), [])
    assert str(caught.value).startswith(f"{rules}{problem}"), str(caught.value)
    assert importer.identify(str(STATEMENT))  # Fava still lists the file with its importer
    rules.write_text(GOOD.replace("ProjectFee", "Fixed"), encoding="utf-8")  # corrected
    assert fee_account(importer.extract(str(STATEMENT), [])) == "Expenses:Admin:Fixed"


def test_a_half_good_edit_applies_none_of_it(tmp_path: Path) -> None:
    """A new good rule for line 11 and a broken one after it: the good one does not apply
    alone (the import is refused), nor do the old rules silently."""
    rules = tmp_path / "import_rules.toml"
    rules.write_text("", encoding="utf-8")
    importer = StatementImporter("rcb", ACCOUNT, rules=rules, title="8022")
    assert fee_account(importer.extract(str(STATEMENT), [])) == "Assets:Suspense:XJ-2022"
    rules.write_text(FEE_RULE + '\n[[rule]]\nmemo = "结息"\n', encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        importer.extract(str(STATEMENT), [])
    assert str(caught.value) == (
        f"{rules}:8: 导入规则有误, 未生效: 第2条规则 (rule) 的 account: 缺少必填字段"
    )


def test_a_rules_file_saved_as_gbk_is_named_with_its_line(tmp_path: Path) -> None:
    rules = tmp_path / "import_rules.toml"
    rules.write_bytes(FEE_RULE.encode("gbk"))
    importer = StatementImporter("rcb", ACCOUNT, rules=rules, title="8022")
    with pytest.raises(RulesError) as caught:
        importer.extract(str(STATEMENT), [])
    assert str(caught.value) == (
        f"{rules}:3: 导入规则有误, 未生效: 导入规则文件不是 UTF-8 编码 (请用 UTF-8 另存)"
    )


def test_a_rules_file_edited_during_a_run_rejects_that_file_by_name(tmp_path: Path) -> None:
    rules = tmp_path / "import_rules.toml"
    rules.write_text(FEE_RULE.replace('"out"', '"sideways"'), encoding="utf-8")
    importer = StatementImporter("rcb", ACCOUNT, rules=rules, title="8022")
    run = run_files([importer], [STATEMENT])
    assert run.results == [] and run.internal == []
    ((path, message),) = run.rejected
    assert path == STATEMENT
    assert message.startswith(f"{STATEMENT.name}: {rules}:5: 导入规则有误, 未生效: 第1条规则")


def test_fupin_import_stops_at_an_invalid_edit_and_reads_the_fixed_file(county: Path) -> None:
    rules = county_rules(county)
    out = county.parent / "new.beancount"
    args = ["import", "extract", "-e", str(county), "-o", str(out), "--no-check", str(STATEMENT)]
    assert (county.parent / "import_config.py").exists()  # found beside the books
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text + FEE_RULE.replace("account =", "acount ="), encoding="utf-8")
    line = len(text.splitlines()) + 6
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (
        f"错误: {rules}:{line}: 导入规则有误, 未生效: 第8条规则 (rule) 的 acount: 未知字段"
    ) in result.output
    assert not out.exists()
    rules.write_text(text + FEE_RULE, encoding="utf-8")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    written = out.read_text(encoding="utf-8")
    assert "Expenses:Admin:ProjectFee" in written and "2022年项目管理费" in written


# -- Fava ---------------------------------------------------------------------------------------
def fava(county: Path) -> tuple[Any, str, Path]:
    """Fava (``fupin serve``'s app) on the county, its import page set up: the test
    client, the ledger's URL prefix and the statement in the import folder."""
    from fupin.reports.fava.serve import make_app

    app = make_app(county)
    statement = county.parent / "downloads" / STATEMENT.name
    return app.test_client(), "/" + quote(app.config["LEDGERS"].first_slug()), statement


IMPORTER = f"fupin.statement.rcb:{ACCOUNT}"


def fava_extract(client: Any, base: str, statement: Path) -> Any:
    query = {"filename": str(statement), "importer": IMPORTER}
    return client.get(f"{base}/api/extract", query_string=query)


def fava_fee_account(response: Any) -> str:
    assert response.status_code == 200, response.text[:3000]
    (fee,) = [
        e
        for e in response.get_json()["data"]
        if e.get("t") == "Transaction" and "项目管理费" in e.get("narration", "")
    ]
    return str(fee["postings"][1]["account"])


def test_fava_import_page_sees_a_rules_edit_without_a_restart(county: Path) -> None:
    client, base, statement = fava(county)
    config = county.parent / "import_config.py"
    stamp = config.stat().st_mtime_ns
    assert fava_fee_account(fava_extract(client, base, statement)) == "Assets:Suspense:XJ-2022"
    rules = county_rules(county)
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text + FEE_RULE, encoding="utf-8")
    assert fava_fee_account(fava_extract(client, base, statement)) == "Expenses:Admin:ProjectFee"
    assert config.stat().st_mtime_ns == stamp  # the import configuration did not change

    rules.write_text(text + FEE_RULE.replace('"out"', '"outt"'), encoding="utf-8")
    refused = fava_extract(client, base, statement)
    assert refused.status_code == 422  # the user's file at fault, not a server error
    line = len(text.splitlines()) + 5
    error = refused.get_json()["error"]  # the message alone: no traceback, no frames
    assert error.startswith(
        f"{rules}:{line}: 导入规则有误, 未生效: 第8条规则 (rule) 的 direction: 应为 in、out 之一"
    )
    assert "Traceback" not in error and ".py" not in error
    listed = client.get(f"{base}/api/imports").get_json()["data"]  # the page still lists it
    (row,) = [f for f in listed if f["basename"] == STATEMENT.name]
    assert [i["importer_name"] for i in row["importers"]] == [IMPORTER]

    rules.write_text(text + FEE_RULE.replace("ProjectFee", "Design"), encoding="utf-8")
    assert fava_fee_account(fava_extract(client, base, statement)) == "Expenses:Admin:Design"


def test_fava_starts_with_an_invalid_rules_file_and_sees_the_fix(county: Path) -> None:
    """Rules broken when Fava starts: the import configuration still loads (it used to
    fail, and a fix of the rules was not seen until the next restart)."""
    rules = county_rules(county)
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text + "[[rule]\n", encoding="utf-8")
    client, base, statement = fava(county)
    refused = fava_extract(client, base, statement)
    assert refused.status_code == 422  # the user's file at fault, not a server error
    error = refused.get_json()["error"]
    assert error.startswith(
        f"{rules}:{len(text.splitlines()) + 1}: 导入规则有误, 未生效: TOML 语法错误"
    )
    assert "Traceback" not in error
    rules.write_text(text + FEE_RULE, encoding="utf-8")
    assert fava_fee_account(fava_extract(client, base, statement)) == "Expenses:Admin:ProjectFee"


def test_fava_shows_a_bad_statement_row_as_its_message_and_a_bug_with_its_traceback(
    county: Path, monkeypatch: Any
) -> None:
    """A malformed row (SourceError) is the Chinese message alone on the import page, a
    client error (422) whose JSON body is that message; an unexpected exception (a bug)
    keeps Fava's server error (500) with the traceback."""
    client, base, statement = fava(county)
    from fupin.importers.statement import StatementImporter
    from fupin.importers.table import SourceError

    def bad_row(self: Any, filepath: str) -> Any:
        raise SourceError(filepath, 7, "金额", "发生额 '12,3a' 不是金额")

    monkeypatch.setattr(StatementImporter, "parse", bad_row)
    refused = fava_extract(client, base, statement)
    assert refused.status_code == 422  # the user's file at fault, not a server error
    assert refused.is_json and set(refused.get_json()) == {"error"}
    assert "Traceback" not in refused.get_data(as_text=True)
    error = refused.get_json()["error"]
    assert error == str(SourceError(str(statement), 7, "金额", "发生额 '12,3a' 不是金额"))
    assert "12,3a" in error and "Traceback" not in error

    def bug(self: Any, filepath: str) -> Any:
        raise KeyError("oops")

    monkeypatch.setattr(StatementImporter, "parse", bug)
    response = fava_extract(client, base, statement)
    assert response.status_code == 500  # a bug: Fava's server error, as before
    crashed = response.get_json()["error"]
    assert "Traceback" in crashed and "KeyError" in crashed
