"""Personal data in forms the first lint missed (bars, 顿号, tildes, parentheses, Chinese digits
among ASCII ones, dingbat and parenthesised digits, a mistyped UnionPay card), health words
and landlines on a monitoring list's lines, and what a notice prints that is no number
(amounts with decimals, SHA-256 digests)."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fupin.reports.notice_privacy import html_text, lint_html

from fupin import pii

ROOT = Path(__file__).resolve().parents[2]
ID = "410522199001011231"
MOBILE = "13800138048"
CARD = "6228480402564890018"  # Luhn-valid
CARD_MISTYPED = "6228480402564891018"  # one digit off: no longer Luhn-valid

#: (typed form, kind, the number it holds)
FORMS = (
    ("410522|19900101|1231", "id18", ID),
    ("410522｜19900101｜1231", "id18", ID),
    ("410522、19900101、1231", "id18", ID),
    ("138、0013、8048", "mobile", MOBILE),
    ("(138)0013-8048", "mobile", MOBILE),
    ("（0086）138 0013 8048", "mobile", MOBILE),
    ("138~0013~8048", "mobile", MOBILE),
    ("138～0013～8048", "mobile", MOBILE),
    ("138〜0013〜8048", "mobile", MOBILE),
    ("138〇〇138〇48", "mobile", MOBILE),
    ("138〇〇一三八〇四八", "mobile", MOBILE),
    ("➀➂➇⓪⓪➀➂➇⓪➃➇", "mobile", MOBILE),
    ("❶❸❽00❶❸❽0❹❽", "mobile", MOBILE),
    ("⑴⑶⑻00⑴⑶⑻0⑷⑻", "mobile", MOBILE),
    ("410522・19900101・108x", "id18", "41052219900101108X"),
    ("410522|19900101|108x", "id18", "41052219900101108X"),
    ("6228 4804 0256 4891 018", "bank", CARD_MISTYPED),
    ("6228|4804|0256|4890|018", "bank", CARD),
    ("138:0013:8048", "mobile", MOBILE),
    ("138：0013：8048", "mobile", MOBILE),
    ("410522:19900101:1231", "id18", ID),
    ("6228：4804：0256：4890：018", "bank", CARD),
)


@pytest.mark.parametrize(("typed", "kind", "number"), FORMS)
def test_new_forms_are_found(typed: str, kind: str, number: str) -> None:
    for text in (typed, f"户主钱豪{typed}号", f"<td>{typed}</td>"):
        hits = pii.find(text)
        assert [h.kind for h in hits] == [kind], text
        held = pii.normalise(text[hits[0].start : hits[0].end]).upper()
        assert held.endswith(number.upper()), text


@pytest.mark.parametrize(("typed", "kind", "number"), FORMS)
def test_new_forms_fail_the_lint_of_rendered_html(typed: str, kind: str, number: str) -> None:
    markup = f"<tr><td>1</td><td>钱豪 {typed}</td><td>3组</td></tr>"
    (hit,) = lint_html("N-1", "N-1.html", markup)
    assert hit.label == pii.LABELS[kind]
    assert number[-4:] not in str(hit)


NOT_NUMBERS = (
    "500.00 1200.00 3500.00 2000.00",
    "合计 2400.00 390.00 1500.00 2000.00 元",
    "P-2021-001 P-2021-002 P-2021-003 P-2021-004",
    "记-2022-B001 记-2022-B002 记-2021-0012",
    "青政发〔2021〕12号、财农〔2021〕19号、青财农〔2022〕2号、9号、12号、16号",
    "2021-03-01~2021-03-10",
    "2021年3月1日～2021年3月10日",
    "第1、2、3、4、5、6、7、8、9、10、11、12组",
    "(0379)66551234",
    "二〇二一年三月十日",
    "10:30-11:45",
    "办公时间 08:00-12:00、14:30-18:00",
    "08:30:00-12:00:00 14:00:00-17:30:00",
    "比例 1:1000 1:2000",
    "2021:001 2021:002",
)


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_what_a_notice_prints_is_no_number(text: str) -> None:
    assert pii.find(text) == [], text


def test_digests_are_no_numbers() -> None:
    for n in range(3000):
        digest = hashlib.sha256(f"seal {n}".encode()).hexdigest()
        assert pii.find(digest) == [] and pii.find(digest.upper()) == [], digest
        assert pii.find(f"sha256:{digest}") == [], digest
    assert pii.find(f"{hashlib.sha256(b'x').hexdigest()} {MOBILE}")[0].kind == "mobile"


def test_phones_on_a_persons_line() -> None:
    assert [h.kind for h in pii.find_phones("钱豪 0371-12345678")] == ["phone"]
    assert [h.kind for h in pii.find_phones("3组（0379）6655123")] == ["phone"]
    assert pii.find_phones("3组 2021-03-10") == pii.find_phones("医疗救助 1,500.00") == []


@pytest.fixture(scope="module")
def county(keyed_county: Path) -> Path:
    """A copy of the sample ledger and register, with a key of its own (conftest)."""
    return keyed_county


def _with_register(county: Path, tmp_path: Path, edits: dict[str, dict[str, str]]) -> Path:
    """A copy of ``county`` whose register rows (by household id) get ``edits`` appended."""
    copy = tmp_path / "ledger"
    shutil.copytree(county, copy)
    path = copy / "register" / "households.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    for row in rows:
        for key, suffix in edits.get(row["id"], {}).items():
            row[key] += suffix
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return copy / "main.beancount"


def test_health_words_and_landlines_on_a_monitoring_list_publish_nothing(
    run_notices: Callable[..., tuple[int, str]], county: Path, tmp_path: Path
) -> None:
    """A monitoring list names households in body rows, not as recipients: its lines were
    published with 大病 beside the head's name and a landline in the 村民小组."""
    ledger = _with_register(
        county,
        tmp_path,
        {"H-HW-009": {"head_name": "(大病)", "group": " 慢病户 0371-12345678"}},
    )
    out = tmp_path / "out"
    code, output = run_notices(ledger, out, "monitoring", "monitoring_exit")
    assert code == 1, output
    assert not out.exists()
    assert "健康状况或致贫原因「大病」 in 名称 (body.rows[0].name)" in output
    assert "健康状况或致贫原因「慢病」 in 村民小组 (body.rows[0].group)" in output
    assert "电话号码 in 村民小组 (body.rows[0].group)" in output
    assert "12345678" not in output


def test_new_forms_in_register_and_title_publish_nothing(
    run_notices: Callable[..., tuple[int, str]], county: Path, tmp_path: Path
) -> None:
    ledger = _with_register(
        county,
        tmp_path,
        {
            "H-SQ-001": {"head_name": " 138、0013、8048"},
            "H-SQ-002": {"group": "(138)0013-8048"},
            "H-HW-009": {"head_name": "➀➂➇⓪⓪➀➂➇⓪➃➇", "group": "410522|19900101|1231"},
        },
    )
    main_file = ledger.read_text(encoding="utf-8")
    ledger.write_text(
        main_file.replace('option "title" "', 'option "title" "联系 138~0013~8048 ', 1),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, output = run_notices(ledger, out)
    assert code == 1, output
    assert not out.exists()
    assert '公示公告: 手机号 in the ledger\'s option "title"' in output
    assert "手机号 in 名称 (body.rows[0].name)" in output  # the monitoring list's line
    assert "身份证号 in 村民小组 (body.rows[0].group)" in output
    for household in ("H-SQ-001", "H-SQ-002"):
        assert f"household {household} " in output
    assert "8048" not in output and "1231" not in output


def test_amounts_and_digests_in_texts_still_publish(
    run_notices: Callable[..., tuple[int, str]], county: Path, tmp_path: Path
) -> None:
    """Texts that hold amounts with decimals and a SHA-256 digest are published as typed."""
    copy = tmp_path / "ledger"
    shutil.copytree(county, copy)
    digest = hashlib.sha256(b"minutes of 2021-01-08").hexdigest()
    assert pii.find(digest) == [] and pii.find(digest.upper()) == []
    text = f"概算 500.00 1200.00 3500.00 2000.00 万元 会议纪要 sha256 {digest}"
    notices = copy / "notices.beancount"
    source = notices.read_text(encoding="utf-8")
    assert source.count('  issuer: "青山村村民委员会"') > 1
    notices.write_text(
        source.replace('  issuer: "青山村村民委员会"', f'  issuer: "青山村村民委员会 {text}"', 1),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, output = run_notices(copy / "main.beancount", out, "project_plan")
    assert code == 0, output
    page = out / "城关镇青山村" / "N-2021-P001-V.html"
    blocks, _ = html_text(page.read_text(encoding="utf-8"))
    assert any(digest in b and "3500.00" in b for b in blocks)
