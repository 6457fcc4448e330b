"""The household register: loading, validation errors naming file/row/field, status windows."""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

import pytest

from fupin.households import (
    RegisterError,
    add_months,
    id_check_digit,
    load_register,
    register_for,
)
from fupin.load import load

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "ledger" / "register" / "households.csv"
SCENARIO_REGISTER = ROOT / "tests" / "scenarios" / "_households"
D = datetime.date


def test_sample_register_has_200_households_in_the_six_villages() -> None:
    register = load_register(SAMPLE)
    assert len(register.households) >= 200
    assert set(register.villages()) == {"青山村", "河湾村", "柳林村", "石桥村", "杨庄村", "北坡村"}
    codes = {hid.split("-")[1] for hid in register.households}
    assert codes == {"QS", "HW", "LL", "SQ", "YZ", "BP"}
    assert all(h.members and h.members[0].relation == "户主" for h in register.households.values())


def test_register_for_finds_the_register_by_text_scan_and_by_book() -> None:
    ledger = ROOT / "ledger" / "main.beancount"
    by_scan = register_for(ledger)
    by_book = register_for(ledger, load(ledger).book)
    assert by_scan is not None and by_book is not None
    assert by_scan.path == by_book.path == SAMPLE.resolve()


def test_a_ledger_without_register_has_none(tmp_path: Path) -> None:
    path = tmp_path / "main.beancount"
    path.write_text('option "operating_currency" "CNY"\n', encoding="utf-8")
    assert register_for(path) is None


def test_find_by_member_id_number_bank_account_and_name() -> None:
    register = load_register(SAMPLE)
    household = next(iter(register.households.values()))
    member = household.members[-1]
    assert register.find(id_number=member.id_number) == [household]
    assert register.find(bank_account=household.bank_account) == [household]
    assert household in register.find(name=household.head_name, village=household.village)
    assert register.find(name=household.head_name, village="不存在村") == []


def _copy(tmp_path: Path) -> Path:
    for name in ("households.csv", "members.csv", "events.csv"):
        shutil.copy(SCENARIO_REGISTER / name, tmp_path / name)
    return tmp_path / "households.csv"


def test_bad_phone_names_file_row_and_field(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("乙一,,,,general", "乙一,,1380000123,,general")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RegisterError) as exc:
        load_register(path)
    assert str(exc.value) == (f"{path}:3: phone: 手机号应为以 13–19 开头的 11 位数字")


def test_bad_id_check_digit_and_unknown_household_are_reported(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    members = tmp_path / "members.csv"
    first17 = "99990119800101001"
    wrong = "0" if id_check_digit(first17) != "0" else "1"
    text = members.read_text(encoding="utf-8")
    text = text.replace("H-T-001,1,甲一,,", f"H-T-001,1,甲一,{first17}{wrong},", 1)
    text += "H-T-777,1,无名,,户主,,,1,0,\n"
    members.write_text(text, encoding="utf-8")
    with pytest.raises(RegisterError) as exc:
        load_register(path)
    problems = exc.value.problems
    assert problems[0].startswith(f"{members}:2: id_number: 身份证号校验位不符")
    assert any("household: 农户信息库中没有 'H-T-777'" in p for p in problems)


def test_household_id_must_be_pseudonymous(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8").replace("H-T-004,", "张三家,"), encoding="utf-8"
    )
    (tmp_path / "members.csv").write_text(
        (tmp_path / "members.csv").read_text(encoding="utf-8").replace("H-T-004", "张三家"),
        encoding="utf-8",
    )
    (tmp_path / "events.csv").write_text(
        (tmp_path / "events.csv").read_text(encoding="utf-8").replace("H-T-004", "张三家"),
        encoding="utf-8",
    )
    with pytest.raises(RegisterError, match=r"households.csv:5: id: 农户编号应为 H-"):
        load_register(path)


def test_gradual_exit_window_ends_the_day_before_date_plus_months() -> None:
    household = load_register(SCENARIO_REGISTER / "households.csv").households["H-T-003"]
    assert household.status_on(D(2021, 1, 9)) == "general"
    assert household.status_on(D(2021, 1, 10)) == "monitored"
    assert household.category_on(D(2021, 6, 14)) == "marginal"
    assert household.status_on(D(2021, 6, 15)) == "gradual_exit"
    assert household.status_on(D(2021, 12, 14)) == "gradual_exit"
    assert household.status_on(D(2021, 12, 15)) == "general"
    change = household.history[-1]
    assert household.exit_window(change) == (D(2021, 6, 15), D(2021, 12, 14))


def test_a_lifted_household_returns_to_lifted_after_its_window() -> None:
    household = load_register(SCENARIO_REGISTER / "households.csv").households["H-T-004"]
    assert household.status_on(D(2021, 3, 1)) == "monitored"
    assert household.status_on(D(2022, 1, 31)) == "gradual_exit"
    assert household.status_on(D(2022, 2, 1)) == "lifted"


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(D(2021, 8, 31), 6) == D(2022, 2, 28)
    assert add_months(D(2021, 6, 15), 12) == D(2022, 6, 15)


def test_stage_history_by_year() -> None:
    register = load_register(SCENARIO_REGISTER / "households.csv")
    child, student = register.households["H-T-002"].members[2:4]
    assert child.stage_in(2021) == child.stage_in(2023) == "compulsory"
    assert student.stage_in(2021) == "undergrad_new"
    assert student.stage_in(2022) is None


PRIVATE = [
    re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"),  # ID-card number
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),  # mobile phone
    re.compile(r"(?<!\d)\d{16,19}(?!\d)"),  # bank account
]


def test_the_public_ledger_holds_no_id_phone_or_bank_number() -> None:
    register = load_register(SAMPLE)
    names = {h.head_name for h in register.households.values() if len(h.head_name) >= 3}
    for path in sorted((ROOT / "ledger").glob("*.beancount")):
        text = path.read_text(encoding="utf-8")
        for pattern in PRIVATE:
            assert not pattern.search(text), f"{path.name}: {pattern.pattern}"
        leaked = [n for n in names if n in text]
        assert not leaked, f"{path.name} names household heads: {leaked[:3]}"


def test_a_household_outside_its_village_codes_village_is_named(tmp_path: Path) -> None:
    """H-QS-… households live in one village: a mistyped 青山材 (which would get notices of
    its own) is an error at its row naming both places; an income below zero or the fen is
    refused; a mistyped attribute says what it should be, in Chinese."""
    path = tmp_path / "households.csv"
    rows = SAMPLE.read_text(encoding="utf-8").splitlines()
    header, first = rows[0], rows[1]
    assert first.startswith("H-QS-001,城关镇,青山村,") and ",dibao," in first
    path.write_text(
        "\n".join([header, first.replace(",青山村,", ",青山材,", 1), *rows[2:]]) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(RegisterError) as exc:
        load_register(path)
    code_peers = sum(r.startswith("H-QS-") for r in rows[2:])
    assert str(exc.value) == (
        f"{path}:2: village: H-QS-001 在 城关镇 青山材, 而村代码 QS 的其他 {code_peers} 户在 "
        "城关镇 青山村 (一个村代码只对应一个村)"
    )
    income = first.split(",")[-2]
    for bad, why in ((f"-{income}", "应 ≥ 0"), (f"{income}.005", "小数位数过多 (最多 2 位)")):
        path.write_text(
            "\n".join([header, first.replace(f",{income},", f",{bad},", 1), *rows[2:]]) + "\n",
            encoding="utf-8",
        )
        with pytest.raises(RegisterError) as exc:
            load_register(path)
        assert str(exc.value) == f"{path}:2: income: {why}"
    path.write_text(
        "\n".join([header, first.replace(",dibao,", ",dibaoo,", 1), *rows[2:]]) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(RegisterError) as exc:
        load_register(path)
    assert str(exc.value).startswith(f"{path}:2: attribute: 应为") and "dibao" in str(exc.value)


def test_a_register_saved_by_chinese_excel_reads_as_the_utf8_one(tmp_path: Path) -> None:
    """Excel on a Chinese Windows saves "CSV (逗号分隔)" in GBK: the same register."""
    utf8 = load_register(_copy(tmp_path))
    for name in ("households.csv", "members.csv", "events.csv"):
        file = tmp_path / name
        file.write_bytes(file.read_text(encoding="utf-8").encode("gb18030"))
    gbk = load_register(tmp_path / "households.csv")
    assert gbk.households == utf8.households
    assert any(h.village for h in gbk.households.values())
    (tmp_path / "members.csv").write_bytes(b"household,seq\n\xff\xfe\xfa\n")
    with pytest.raises(RegisterError) as exc:
        load_register(tmp_path / "households.csv")
    assert exc.value.problems == [
        f"{tmp_path / 'members.csv'}: 第 14 字节起不是 UTF-8 或 GB18030 (GBK) 编码的文本, 无法读取"
    ]


def test_a_duplicate_household_names_both_rows(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(RegisterError) as exc:
        load_register(path)
    hid = lines[1].split(",")[0]
    assert exc.value.problems == [f"{path}:{len(lines) + 1}: id: 农户编号 {hid} 重复 (第 2 行已有)"]


def test_the_register_is_read_again_when_its_bytes_change_within_the_same_second(
    tmp_path: Path,
) -> None:
    """``cached_register`` is keyed by content, not by modification time."""
    import os

    from fupin.households import cached_register

    path = _copy(tmp_path)
    before = cached_register(path)
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    assert ",7000,慢性病救助" in text and before.households["H-T-001"].income == 7000
    path.write_text(text.replace(",7000,慢性病救助", ",7001,慢性病救助", 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the same time as before
    after = cached_register(path)
    assert after.households["H-T-001"].income == 7001
    assert cached_register(path) is after  # unchanged bytes: the same load


def test_a_broken_register_is_not_called_missing_by_the_loan_rule(tmp_path: Path) -> None:
    """C08 names the broken row; L02 says the register did not load, not that none is kept."""
    ledger = tmp_path / "ledger"
    shutil.copytree(ROOT / "ledger", ledger, ignore=shutil.ignore_patterns("audit-sample", "*.key"))
    register = ledger / "register" / "households.csv"
    register.write_text(
        register.read_text(encoding="utf-8").replace("999901197706240132", "9.99901E+17"),
        encoding="utf-8",
    )
    loaded = load(ledger / "main.beancount")
    c08 = [f for f in loaded.results.findings if f.rule == "C08"]
    l02 = [f for f in loaded.results.findings if f.rule == "L02"]
    assert c08 and "households.csv:2: id_number" in c08[0].message
    assert l02 and all("农户信息库无法读取或校验失败 (见 C08)" in f.message for f in l02)
    assert not any("账簿未登记" in f.message for f in l02)


def test_one_person_registered_twice_is_named_by_row_never_by_number(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    first17 = "99990119800101001"
    number = first17 + id_check_digit(first17)
    members = tmp_path / "members.csv"
    text = members.read_text(encoding="utf-8")
    text = text.replace("H-T-001,1,甲一,,", f"H-T-001,1,甲一,{number},", 1)
    text = text.replace("H-T-002,1,乙一,,", f"H-T-002,1,乙一,{number},", 1)  # another household
    members.write_text(text, encoding="utf-8")
    heads = path.read_text(encoding="utf-8")
    heads = heads.replace(
        "H-T-001,测试镇,测试村,1组,甲一,,", f"H-T-001,测试镇,测试村,1组,甲一,{number},"
    )
    heads = heads.replace(
        "H-T-002,测试镇,测试村,2组,乙一,,", f"H-T-002,测试镇,测试村,2组,乙一,{number},"
    )
    path.write_text(heads, encoding="utf-8")
    with pytest.raises(RegisterError) as exc:
        load_register(path)
    same = "id_number: 身份证号与第 2 行相同 (同一人登记两次; 号码不予显示)"
    assert exc.value.problems == [f"{members}:4: {same}", f"{path}:3: {same}"]
    assert number not in str(exc.value)


def test_a_head_listed_again_as_a_member_of_the_same_household_is_one_person(
    tmp_path: Path,
) -> None:
    path = _copy(tmp_path)
    first17 = "99990119800101001"
    number = first17 + id_check_digit(first17)
    members = tmp_path / "members.csv"
    text = members.read_text(encoding="utf-8")
    members.write_text(text.replace("H-T-001,1,甲一,,", f"H-T-001,1,甲一,{number},", 1), "utf-8")
    heads = path.read_text(encoding="utf-8")
    path.write_text(
        heads.replace(
            "H-T-001,测试镇,测试村,1组,甲一,,", f"H-T-001,测试镇,测试村,1组,甲一,{number},"
        ),
        encoding="utf-8",
    )
    assert load_register(path).households["H-T-001"].id_number == number


def test_a_row_short_of_columns_is_refused_at_its_line(tmp_path: Path) -> None:
    """A value deleted together with its comma shifts every later value into the wrong
    column; Excel writes every column, so a short row is refused, not read as shifted."""
    path = _copy(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    width = len(lines[0].split(","))
    cells = lines[2].split(",")
    del cells[3]  # one value and its comma
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RegisterError) as exc:
        load_register(path)
    [problem] = exc.value.problems
    assert problem.startswith(f"{path}:3: 该行只有 {width - 1} 列, 表头有 {width} 列")
