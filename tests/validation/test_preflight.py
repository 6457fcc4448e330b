"""Unreadable input (issue 12): a clear message naming file and line, exit 2, nothing echoed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from fupin.cli import main
from fupin.load import LedgerUnreadable, load
from fupin.preflight import MAX_LINE_BYTES, preflight

ROOT = Path(__file__).resolve().parents[2]
REGISTER = ROOT / "ledger" / "register" / "households.csv"
HEADER = 'option "operating_currency" "CNY"\nplugin "fupin.plugins"\n'


def check(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", str(path)])
    return result.exit_code, result.output


def digits_of(path: Path) -> list[str]:
    """The long numbers (IDs, phones, bank accounts) a file holds."""
    return re.findall(r"\d{11,}", path.read_text(encoding="utf-8"))


def test_the_register_included_by_mistake_is_refused_without_echoing_it(tmp_path: Path) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text(HEADER + f'include "{REGISTER}"\n', encoding="utf-8")
    code, out = check(ledger)
    assert code == 2
    assert "households.csv:1" in out and f"{ledger}:3" in out and "CSV" in out
    assert "Traceback" not in out
    assert not [number for number in digits_of(REGISTER) if number in out]
    first_row = REGISTER.read_text(encoding="utf-8").splitlines()[1].split(",")
    assert first_row[4] not in out  # the head's name


def test_an_include_glob_matching_a_folder_names_the_include_line(tmp_path: Path) -> None:
    (tmp_path / "2021").mkdir()
    (tmp_path / "2021" / "books.beancount").write_text("", encoding="utf-8")
    ledger = tmp_path / "main.beancount"
    ledger.write_text(HEADER + 'include "*"\n', encoding="utf-8")
    code, out = check(ledger)
    assert code == 2 and "是文件夹" in out and f"{ledger}:3" in out
    assert "Traceback" not in out


def test_binary_and_foreign_encodings_are_refused(tmp_path: Path) -> None:
    scan = tmp_path / "scan.beancount"
    scan.write_bytes(b"%PDF-1.4\n" + bytes(range(256)))
    code, out = check(scan)
    assert code == 2 and "二进制" in out and f"{scan}:" in out
    gbk = tmp_path / "gbk.beancount"
    gbk.write_bytes(HEADER.encode() + '2021-01-01 open Assets:Cash\n  name: "现金"\n'.encode("gbk"))
    code, out = check(gbk)
    assert code == 2 and "UTF-8" in out and f"{gbk}:4" in out


def test_a_file_saved_with_a_byte_order_mark_is_refused_with_how_to_save_it(
    tmp_path: Path,
) -> None:
    """Notepad's "UTF-8 带 BOM": Beancount reads the mark as an invalid token on line 1;
    fupin names the file (the top one or an included one) and says how to save it."""
    books = tmp_path / "2021.beancount"
    books.write_bytes(b"\xef\xbb\xbf" + b"2021-01-01 open Assets:Cash CNY\n")
    ledger = tmp_path / "main.beancount"
    ledger.write_text(HEADER + 'include "2021.beancount"\n', encoding="utf-8")
    for path in (ledger, books):
        code, out = check(path)
        assert code == 2, out
        assert f"{books}:1: 文件以字节顺序标记 (BOM) 开头" in out and "不带 BOM 的 UTF-8" in out
        assert "Traceback" not in out and "Invalid token" not in out
    books.write_bytes(books.read_bytes()[3:])  # saved again without it: the books load
    assert check(ledger)[0] == 0


def test_an_overlong_line_is_refused_before_beancount_reads_it(tmp_path: Path) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        HEADER + "2021-01-01 open Assets:Cash\n" + '; "' + "1" * (MAX_LINE_BYTES + 10) + '"\n',
        encoding="utf-8",
    )
    code, out = check(ledger)
    assert code == 2 and f"{ledger}:4" in out and "65,536" in out
    assert "1111111111" not in out


def test_an_amount_of_ten_to_the_thirty_names_its_line_and_account(tmp_path: Path) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        HEADER
        + "2021-01-01 open Assets:Cash\n2021-01-01 open Expenses:Other\n"
        + '2021-01-02 * "x" "y"\n  Expenses:Other  1'
        + "0" * 30
        + ".00 CNY\n  Assets:Cash\n",
        encoding="utf-8",
    )
    code, out = check(ledger)
    assert code == 2 and f"{ledger}:6: Expenses:Other: 数值超出范围" in out
    assert "Traceback" not in out and "0" * 20 not in out


def test_long_numbers_in_strings_comments_and_names_are_not_amounts(tmp_path: Path) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        HEADER
        + "; 1234567890123456789\n"
        + '2021-01-01 open Assets:Bank:A1234567890123456789\n  name: "1234567890123456789"\n',
        encoding="utf-8",
    )
    preflight(ledger)  # the number is personal data (PII), not an amount: the load decides


def test_a_stray_line_is_reported_without_its_content(tmp_path: Path) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        HEADER + "2021-01-01 open Assets:Cash\n张三,110101199003071234,13800138000\n",
        encoding="utf-8",
    )
    try:
        load(ledger)
    except LedgerUnreadable as exc:
        message = str(exc)
    else:  # pragma: no cover
        raise AssertionError("a stray line must not load")
    assert f"{ledger}:4" in message
    assert "张三" not in message and "110101199003071234" not in message
    assert "13800138000" not in message


def test_what_beancount_reads_wrongly_without_a_word_is_refused_at_its_line(
    tmp_path: Path,
) -> None:
    ledger = tmp_path / "main.beancount"
    opened = "2021-01-01 open Assets:Cash CNY\n"
    ledger.write_text(HEADER + opened + '2021-01-09 custom "project"  ; 编号待定\n', "utf-8")
    code, out = check(ledger)  # Beancount's own plugins crash on a custom with no value
    assert code == 2 and f'{ledger}:4: custom "project" 缺少值' in out
    assert "Traceback" not in out
    ledger.write_text(
        HEADER + opened + '2021-01-09 custom "fund" "XJ-1"\n  name: "甲"\n  family: "xianjie"\n'
        '  name: "乙 13800138000"\n',
        "utf-8",
    )
    code, out = check(ledger)  # Beancount keeps the later value, silently
    assert code == 2 and f"{ledger}:7: name: 同一条记录中第二次出现 (第 5 行已有 name" in out
    assert "13800138000" not in out and "乙" not in out
    ledger.write_text(
        HEADER + opened + '2021-01-09 * "x" "y"\n  Assets:Cash  1.00 CNY\n    household: "H-1"\n'
        '  Assets:Cash  -1.00 CNY\n    household: "H-2"\n'
        '2021-01-09 custom "fund" "XJ-1"\n  name: "甲"\n',
        "utf-8",
    )
    preflight(ledger)  # one key on two postings, or on two entries, is no repetition


def test_a_plugin_that_cannot_be_imported_is_named_without_its_stack(tmp_path: Path) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text(HEADER.replace('"fupin.plugins"', '"fupin.plugin"'), "utf-8")
    code, out = check(ledger)
    assert code == 2 and "Traceback" not in out and 'File "' not in out
    assert 'Error importing "fupin.plugin": ModuleNotFoundError: No module named' in out


def test_the_sample_ledger_passes_preflight() -> None:
    preflight(ROOT / "ledger" / "main.beancount")
    preflight(ROOT / "ledger" / "audit-sample" / "main.beancount")


def test_the_bytes_parsed_are_the_bytes_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file saved between the preflight and the parse: what is parsed is what was checked."""
    from fupin import cache

    ledger = tmp_path / "main.beancount"
    ledger.write_text(HEADER + 'include "payments.beancount"\n', encoding="utf-8")
    payments = tmp_path / "payments.beancount"
    payments.write_text(
        "2021-01-01 open Assets:Bank\n2021-01-01 open Expenses:Industry\n"
        '2021-03-01 * "付款"\n  Expenses:Industry  100.00 CNY\n  Assets:Bank\n',
        encoding="utf-8",
    )
    for switched in ("off", "on"):
        monkeypatch.setenv("FUPIN_CACHE", switched)
        checked = preflight(ledger)
        payments.write_bytes(REGISTER.read_bytes())  # saved after its check
        entries, errors, _ = cache.load_file(ledger, checked)
        assert [e.narration for e in entries if hasattr(e, "narration")] == ["付款"]
        assert not [e for e in errors if "households" in str(e)]
        with pytest.raises(LedgerUnreadable, match=r"payments\.beancount:1"):
            preflight(ledger)  # the next run checks the new bytes
        payments.write_text(
            "2021-01-01 open Assets:Bank\n2021-01-01 open Expenses:Industry\n"
            '2021-03-01 * "付款"\n  Expenses:Industry  100.00 CNY\n  Assets:Bank\n',
            encoding="utf-8",
        )


def test_a_file_the_preflight_did_not_see_is_checked_before_it_is_parsed(tmp_path: Path) -> None:
    from fupin import cache

    ledger = tmp_path / "main.beancount"
    ledger.write_text(HEADER + 'include "months/*.beancount"\n', encoding="utf-8")
    (tmp_path / "months").mkdir()
    (tmp_path / "months" / "01.beancount").write_text("", encoding="utf-8")
    checked = preflight(ledger)
    (tmp_path / "months" / "02.beancount").write_bytes(b"2021-02-01 \x00\x00 binary")
    with pytest.raises(LedgerUnreadable, match=r"02\.beancount:1: 二进制文件") as caught:
        cache.load_file(ledger, checked)
    assert "binary" not in str(caught.value)


def test_the_plugin_line_in_an_included_file_is_an_error_there(tmp_path: Path) -> None:
    """Beancount runs the top file's plugins only: ``bean-check`` would pass these books
    with none of the rules, so ``fupin check`` names the line to move."""
    (tmp_path / "main.beancount").write_text(
        'option "operating_currency" "CNY"\ninclude "books.beancount"\n', encoding="utf-8"
    )
    (tmp_path / "books.beancount").write_text(
        '; the rules\nplugin "fupin.plugins"\n2021-01-01 open Assets:Treasury:XJ-2021 CNY\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["check", str(tmp_path / "main.beancount")])
    assert result.exit_code == 1
    assert (
        f'{tmp_path / "books.beancount"}:2: LEDGER error: plugin "fupin.plugins" 写在被 include '
        "的文件中" in result.output
    )
    assert "请移到 main.beancount" in result.output
    # in the top file as well: Beancount runs it, nothing to say
    (tmp_path / "main.beancount").write_text(
        'option "operating_currency" "CNY"\nplugin "fupin.plugins"\ninclude "books.beancount"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["check", str(tmp_path / "main.beancount")])
    assert result.exit_code == 0, result.output
