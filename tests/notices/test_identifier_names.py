"""A register name in a notice's id or in the place it is posted in (its file and folder
names, its 编号, its 明白卡 header, the index) refuses the run, and no message of
`fupin notices` echoes a register name or a personal number; a notice whose subject is
defined but invalid says so, at its file:line and field (not "no such project").

Real runs of `fupin notices` on a keyed copy of the sample ledger and register
(:func:`keyed_county`): the register's 钱豪 (head of H-QS-001), 方东金 (a member of it),
丁国 (head of H-QS-002); the register also holds a person 何文, whose name is inside the
program's own 未发布任何文件 (that sentence must stay whole).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from fupin.reports.notice_privacy import (
    NAME_LABEL,
    NameGuard,
    Redactor,
    html_text,
    pdf_text,
)

from fupin import pii
from fupin.cli import main
from fupin.households import Register, load_register

ROOT = Path(__file__).resolve().parents[2]
REFUSED = "未发布任何文件"  # the refusal's own words (a person 何文 is on the register)
NOTICE = '2021-01-11 custom "notice" "N-2021-P001-V"'
ID_NUMBER = "110101199003078515"  # a valid 18-digit ID (check digit 5)


def register() -> Register:
    return load_register(ROOT / "ledger" / "register" / "households.csv")


def guard() -> NameGuard:
    found = NameGuard.of(register(), {}, ())
    assert found is not None
    return found


def line_of(ledger: Path, name: str, text: str) -> int:
    """The line of ``text`` in the copy's ``name`` (counted from 1)."""
    lines = (ledger.parent / name).read_text(encoding="utf-8").splitlines()
    return lines.index(text) + 1


@pytest.mark.parametrize(
    ("typed", "shown", "name"),
    [
        ("N-2021-钱豪-V", "N-2021-钱*-V", "钱*"),  # a household head
        ("N-2021-P001-方东金", "N-2021-P001-方*金", "方*金"),  # a member, three characters
        ("N-2021-钱 豪-V", "N-2021-钱*-V", "钱*"),  # a space inside the name
        ("N-2021-錢豪-V", "N-2021-钱*-V", "钱*"),  # the Traditional form
    ],
)
def test_a_register_name_in_a_notice_id_publishes_nothing(
    typed: str,
    shown: str,
    name: str,
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
) -> None:
    ledger = planted(
        keyed_county,
        tmp_path,
        [("notices.beancount", NOTICE, NOTICE.replace("N-2021-P001-V", typed))],
    )
    line = line_of(ledger, "notices.beancount", NOTICE.replace("N-2021-P001-V", typed))
    out = tmp_path / "out"
    code, output = run_notices(ledger, out)
    assert code == 1, output
    assert not out.exists()
    assert REFUSED in output and "nothing published" in output
    assert f"公示 {shown}: {NAME_LABEL}「{name}」 in 编号 (header.id; " in output
    assert f"notices.beancount:{line}): 编号即文件名" in output
    assert "请改用不含姓名的编号" in output
    assert typed not in output
    for full in ("钱豪", "錢豪", "钱 豪", "方东金"):
        assert full not in output, full


@pytest.mark.parametrize("village", ["丁国", "丁国村", "丁 国"])
def test_a_register_name_in_the_place_of_a_notice_publishes_nothing(
    village: str,
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
) -> None:
    """The place is the folder's name (城关镇丁国村/…): a village field holding a registered
    name, which no household of the register lives in, is refused."""
    posted = f'{NOTICE}\n  village: "{village}"'
    ledger = planted(keyed_county, tmp_path, [("notices.beancount", NOTICE, posted)])
    out = tmp_path / "out"
    code, output = run_notices(ledger, out, "project_plan")
    assert code == 1, output
    assert not out.exists() and REFUSED in output
    assert f"公示 N-2021-P001-V: {NAME_LABEL}「丁*」 in 张贴地点" in output
    assert "地点即文件夹名" in output
    assert "丁国" not in output and village not in output


def test_a_personal_number_in_a_notice_id_is_never_echoed(
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
) -> None:
    typed = f"N-{ID_NUMBER[:6]} {ID_NUMBER[6:14]}\u200b{ID_NUMBER[14:]}"  # spaced, zero-width
    ledger = planted(
        keyed_county,
        tmp_path,
        [("notices.beancount", NOTICE, NOTICE.replace("N-2021-P001-V", typed))],
    )
    line = line_of(ledger, "notices.beancount", NOTICE.replace("N-2021-P001-V", typed))
    out = tmp_path / "out"
    code, output = run_notices(ledger, out)
    assert code == 1, output
    assert not out.exists() and REFUSED in output
    assert "公示 N-<身份证号已隐去>: 身份证号 in 编号 (header.id;" in output
    assert f"notices.beancount:{line}" in output
    assert pii.find(output) == []
    digits = re.sub(r"\D", "", output)
    assert ID_NUMBER[6:14] not in digits  # not even the birth date


def test_the_cli_own_messages_mask_names(
    keyed_county: Path, tmp_path: Path, planted: Callable[..., Path]
) -> None:
    """--village with a registered name, and the known villages when a notice's village
    holds one: the usage error (exit 2) shows both masked."""
    posted = f'{NOTICE}\n  village: "钱豪"'
    ledger = planted(keyed_county, tmp_path, [("notices.beancount", NOTICE, posted)])
    result = CliRunner().invoke(
        main, ["notices", str(ledger), "--out", str(tmp_path / "o"), "--village", "钱豪村"]
    )
    assert result.exit_code == 2, result.output
    assert "账簿中没有村 '钱*村'" in result.output
    assert "已知村: 钱*、" in result.output or "是不是 钱*" in result.output
    assert "钱豪" not in result.output
    bad = CliRunner().invoke(
        main, ["notices", str(ledger), "--out", str(tmp_path / "o"), "--format", ID_NUMBER]
    )
    assert bad.exit_code == 2 and ID_NUMBER not in bad.output


def test_names_in_the_program_own_words_are_left_alone() -> None:
    """A register name is masked where a message echoes the ledger (its ids, places and
    quoted values), never inside the program's own sentence."""
    clean = Redactor(guard(), lambda: ["N-2021-钱豪-V", "城关镇青山村"])
    message = (
        "隐私检查未通过, 未发布任何文件: 公示 N-2021-钱豪-V: 账簿中没有村 '丁国村' "
        f"(已知村: 青山村); 编号 N-{ID_NUMBER}"
    )
    assert clean(message) == (
        "隐私检查未通过, 未发布任何文件: 公示 N-2021-钱*-V: 账簿中没有村 '丁*村' "
        "(已知村: 青山村); 编号 N-<身份证号已隐去>"
    )
    assert clean(clean(message)) == clean(message)  # masking twice changes nothing


def test_names_in_identifiers_are_read_as_the_guard_reads_names() -> None:
    found = guard()
    assert found.names_in("N-2021-钱豪-V") == ["钱*"]
    assert found.names_in("N-2021-钱·豪") == ["钱*"]
    assert found.names_in("城关镇青山村") == []  # places of the register
    assert found.names_in("N-2021-钱*-V") == []  # masked already
    assert found.names_in("N-2021-P001-V") == []
    assert found.mask("城关镇钱豪村") == "城关镇钱*村"


def test_ids_and_places_without_names_publish_with_clean_names_and_bytes(
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
) -> None:
    """A masked name in an id (``钱某``) is no name: the notice publishes under its id. In
    what the run publishes — every file and folder name, each HTML page's title and
    attributes, each PDF's metadata — no register name stands, nor in the 编号 and 明白卡
    header of a list with names (income_result: the names are in its rows, nowhere else)."""
    masked_id = "N-2021-钱某-V"
    ledger = planted(
        keyed_county,
        tmp_path,
        [("notices.beancount", NOTICE, NOTICE.replace("N-2021-P001-V", masked_id))],
    )
    out = tmp_path / "out"
    code, output = run_notices(ledger, out, "project_plan", "income_result")
    assert code == 0, output
    assert (out / "城关镇青山村" / f"{masked_id}.html").is_file()
    assert (out / "城关镇青山村" / f"{masked_id}.pdf").is_file()
    names = guard()
    files = [p for p in out.rglob("*") if p.name != ".fupin-manifest.json"]
    assert any(p.name == "N-2022-IR01-明白卡.pdf" for p in files)
    for path in files:
        assert names.name_spans(path.relative_to(out).as_posix()) == [], path
    for page in out.rglob("*.html"):
        markup = page.read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", markup, re.S)
        assert title is not None and names.name_spans(title.group(1)) == [], page
        for value in html_text(markup)[1]:  # anchors, links
            assert names.name_spans(value) == [], (page, value)
        for line in html_text(markup)[0]:
            if "编号" in line or "对应公示" in line:
                assert names.name_spans(line) == [], (page, line)
    for pdf in out.rglob("*.pdf"):
        _, meta = pdf_text(pdf)
        assert meta and all(names.name_spans(value) == [] for value in meta), pdf
    listed = html_text((out / "石桥镇石桥村" / "N-2022-IR01.html").read_text(encoding="utf-8"))[0]
    assert any(names.name_spans(line) for line in listed)  # the list itself names households


# -- a subject that is defined but invalid -------------------------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "entry", "kinds", "said"),
    [
        (
            "xianjie-2021.beancount",
            '  name: "青山村肉牛养殖圈舍建设项目"\n  category: "Industry"',
            '  name: "青山村肉牛养殖圈舍建设项目"\n  category: "Industri"',
            '2021-01-09 custom "project" "P-2021-001"',
            ("project_plan", "project_result", "site_sign"),
            "公示对象 项目 P-2021-001 无效",
        ),
        (
            "funds.beancount",
            '  name: "2021年衔接推进乡村振兴补助资金"\n  family: "xianjie"\n  year: 2021',
            '  name: "2021年衔接推进乡村振兴补助资金"\n  family: "xianjie"\n  year: "last year"',
            '2021-01-01 custom "fund" "XJ-2021"',
            ("fund_allocation",),
            "公示对象 资金 XJ-2021 无效",
        ),
        (
            "assets.beancount",
            "  income_to: 2022-06-30\n  decision:",
            "  income_to: 2021-06-30\n  decision:",
            '2022-07-05 custom "income-plan" "IP-2022-PV-01"',
            ("income_plan", "income_result"),
            "公示对象 收益分配方案 IP-2022-PV-01 无效",
        ),
        (
            "monitoring.beancount",
            '  household: "H-HW-009"\n  category: "marginal"',
            '  household: "H-HW-009"\n  category: "marginall"',
            '2022-06-20 custom "monitoring" "M-2022-HW-01"',
            ("monitoring", "monitoring_exit"),
            "公示对象 监测对象 M-2022-HW-01 无效",
        ),
    ],
)
def test_an_invalid_subject_is_named_invalid_at_its_line_and_field(
    file: str,
    old: str,
    new: str,
    entry: str,
    kinds: tuple[str, ...],
    said: str,
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
) -> None:
    ledger = planted(keyed_county, tmp_path, [(file, old, new)])
    field = {"funds.beancount": "year", "assets.beancount": "income_to"}.get(file)
    field = field or "category"
    line = line_of(ledger, file, entry)
    out = tmp_path / "out"
    code, output = run_notices(ledger, out, *kinds)
    assert code == 1, output
    assert not out.exists() and "公示数据缺失或无效" in output
    assert said in output, output
    assert "未通过校验" in output
    assert f"{file}:{line} 字段 {field}:" in output, output
    assert (
        "没有项目" not in output and "没有资金" not in output and "没有收益分配方案" not in output
    )
    assert "没有监测对象" not in output and ") 缺失" not in output


def test_a_project_drawing_on_an_invalid_fund_says_the_fund_is_invalid(
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
) -> None:
    old = '  family: "xianjie"\n  year: 2021'
    ledger = planted(keyed_county, tmp_path, [("funds.beancount", old, old.replace("2021", "-1"))])
    line = line_of(ledger, "funds.beancount", '2021-01-01 custom "fund" "XJ-2021"')
    code, output = run_notices(ledger, tmp_path / "out", "project_plan")
    assert code == 1, output
    assert "project P-2021-001: fund — 所引用的 资金 XJ-2021 无效" in output
    assert f"funds.beancount:{line} 字段 year:" in output
    assert "资金来源) 缺失" not in output


def test_a_subject_that_is_not_in_the_ledger_is_still_missing(
    run_notices: Callable[..., tuple[int, str]],
    keyed_county: Path,
    tmp_path: Path,
    planted: Callable[..., Path],
) -> None:
    old = f'{NOTICE}\n  type: "project_plan"\n  level: "village"\n  subject: "P-2021-001"'
    ledger = planted(
        keyed_county,
        tmp_path,
        [("notices.beancount", old, old.replace('"P-2021-001"', '"P-2021-099"'))],
    )
    code, output = run_notices(ledger, tmp_path / "out", "project_plan")
    assert code == 1, output
    assert "subject (项目库中没有项目 P-2021-099) 缺失" in output
    assert "未通过校验" not in output
