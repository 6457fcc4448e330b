"""The personal-data detector on a corpus of numbers in the forms people type them.

At least 200 strings that hold a personal number (each must be found, with its kind and
its place in the original text) and 200 that hold none (amounts, dates, 文号, landlines,
supervision hotlines, masked numbers, check codes, ids: each must pass).
"""

from __future__ import annotations

import random

import pytest

from fupin.pii import Hit, find, find_terms, id_check_char, luhn_ok, normalise

RNG = random.Random(13)
ZW = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
SPACES = (" ", "\u3000", "\u00a0", "\u2009", "  ")
DASHES = ("-", "‐", "–", "—", "－", "\u2212", "_", "／", "/", ".", "·", "．")
CONTEXT = (
    ("", ""),
    ("身份证号:", ""),
    ("联系电话", "。"),
    ("户主钱豪(", ")"),
    ("账号：", "，请核对"),
    ("<td>", "</td>"),
)


def _id18(rng: random.Random, x: bool = False) -> str:
    while True:
        first = (
            f"{rng.choice(['41', '11', '37', '51', '65', '44'])}{rng.randrange(0, 10000):04d}"
            f"{rng.randrange(1930, 2015)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
            f"{rng.randrange(0, 1000):03d}"
        )
        check = id_check_char(first)
        if (check == "X") == x:
            return first + check


def _id15(rng: random.Random) -> str:
    return (
        f"{rng.choice(['41', '13', '32'])}{rng.randrange(0, 10000):04d}{rng.randrange(30, 99)}"
        f"{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(0, 1000):03d}"
    )


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(0, 10**9):09d}"


def _card(rng: random.Random, length: int) -> str:
    body = "62" + "".join(str(rng.randrange(10)) for _ in range(length - 3))
    for check in "0123456789":
        if luhn_ok(body + check):
            return body + check
    raise AssertionError  # pragma: no cover


def _zw(number: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(number))
    return number[:at] + rng.choice(ZW) + number[at:]


def _grouped(number: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(number[at : at + size])
        at += size
    if at < len(number):
        parts.append(number[at:])
    return sep.join(parts)


def _fullwidth(number: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)


def positives() -> list[tuple[str, str, str]]:
    """(text, kind, number) triples; each text holds exactly one personal number."""
    out: list[tuple[str, str, str]] = []
    rng = RNG
    for n in range(40):
        number = _id18(rng, x=n % 5 == 0)
        if n % 7 == 0:
            number = number[:-1] + number[-1].lower()
        forms = (
            number,
            _zw(number, rng),
            _grouped(number, (6, 8, 4), rng.choice(SPACES + DASHES)),
            _grouped(number, (4, 4, 4, 4), rng.choice(SPACES)),
            _fullwidth(number),
        )
        form = forms[n % len(forms)]
        before, after = CONTEXT[n % len(CONTEXT)]
        out.append((before + form + after, "id18", number.upper()))
    for n in range(30):
        number = _id15(rng)
        form = (number, _zw(number, rng), _grouped(number, (6, 6, 3), rng.choice(SPACES)))[n % 3]
        before, after = CONTEXT[n % len(CONTEXT)]
        out.append((before + form + after, "id15", number))
    for n in range(80):
        number = _mobile(rng)
        sep = rng.choice(SPACES + DASHES)
        forms = (
            number,
            _zw(number, rng),
            _grouped(number, (3, 4, 4), sep),
            "+86 " + _grouped(number, (3, 4, 4), " "),
            "+86-" + number,
            "0086 " + number,
            "86-" + number,
            "(+86)" + number,
            _grouped(number, (3, 4, 4), "／"),
            _fullwidth(number),
            _grouped(number, (3, 3, 5), sep),
            _zw(_zw(number, rng), rng),
        )
        form = forms[n % len(forms)]
        before, after = CONTEXT[n % len(CONTEXT)]
        out.append((before + form + after, "mobile", number))
    for n in range(60):
        length = (16, 17, 19, 19)[n % 4]
        number = _card(rng, length)
        forms = (
            number,
            _grouped(number, (4, 4, 4, 4), "\u3000"),
            _grouped(number, (4, 4, 4, 4), " "),
            _grouped(number, (4, 4, 4, 4), "-"),
            _zw(number, rng),
            _grouped(_fullwidth(number), (4, 4, 4, 4), "\u3000"),
        )
        form = forms[n % len(forms)]
        before, after = CONTEXT[n % len(CONTEXT)]
        out.append((before + form + after, "bank", number))
    mobile, wrong_check = "13800138048", "410522199001011235"
    out += [
        ("一三八〇〇一三八〇四八", "mobile", mobile),  # Chinese digits, as read aloud
        ("幺三八 零零幺三 八零四八", "mobile", mobile),
        # full-width or circled digits among the Chinese ones (fewer than eleven of them)
        ("１３８〇〇１３８〇４８", "mobile", mobile),
        ("1３8零0一38零48", "mobile", mobile),
        ("①③⑧〇〇①③⑧〇④⑧", "mobile", mobile),
        ("４１０５２２一九九〇０１０１１２３１", "id18", "410522199001011231"),
        ("138 0013 8048", "mobile", mobile),
        ("138\n0013\n8048", "mobile", mobile),  # wrapped in a multi-line field
        ("电话：138-0013-8048（村支书）", "mobile", mobile),
        ("+86 138 0013 8048", "mobile", mobile),
        ("138／0013／8048", "mobile", mobile),
        ("410522\u200b19900101\u200b1231", "id18", "410522199001011231"),
        ("4105\u20602219\u20609001\u20600112\u206031", "id18", "410522199001011231"),
        ("证号４１０５２２１９９００１０１１２３１", "id18", "410522199001011231"),
        ("410522.1990.0101.1231", "id18", "410522199001011231"),
        (wrong_check, "id18", wrong_check),  # wrong check digit, typed whole: still refused
        ("6228\u30004804\u30000256\u30004890\u3000018", "bank", "6228480402564890018"),
        # typed right after other digits (appended to a date): found when it checks itself
        ("2021-11410522.19900101.1231", "id18", "410522199001011231"),
        ("2022-096228\u30004804\u30000256\u30004890\u3000018", "bank", "6228480402564890018"),
        ("2021-11138／0013／8048", "mobile", mobile),
        ("0379-66551104105229001011231", "bank", "66551104105229001011231"),  # glued run
    ]
    return out


def negatives() -> list[str]:
    """Texts a notice prints that hold no personal number."""
    out = [
        "1,234,567.89",
        "金额 1,200,000.00 元(大写: 壹佰贰拾万元整)",
        "120.0000",
        "13,800,138,048.00",
        "5,400,000.00",
        "2021-01-11",
        "2021年1月11日至2021年1月20日(共10天)",
        "2021.04.01-2021.09.30",
        "2021/04/01",
        "20210111",
        "财农〔2021〕19号",
        "国开办发〔2017〕50号",
        "国办函〔2021〕51号",
        "青财农〔2021〕3号",
        "县财农〔2023〕1号",
        "0371-12317",
        "12317",
        "0379-6655123",
        "0379－6655 1234",
        "(0379)66551234",
        "010-12345678",
        "400-800-1234",
        "县乡村振兴局 0379-6655123; 县财政局 0379-6655180",
        "410522********1234",
        "138****5678",
        "****8846",
        "K7QX-3M2A",
        "N-2021-P001-V",
        "H-QS-001",
        "P-2023-0669B",
        "记-2021-0001",
        "68.29%",
        "第 1 页 / 共 2 页",
        "新建圈舍800平方米, 饲草料棚200平方米",
        "带动脱贫户32户户均年增收1500元",
        "2021-04 至 2021-09",
        "邮编 471000",
        "127.0.0.1",
        "3.2.3",
        "978-7-111-12345-6",
        "113.6254, 34.7466",
        "10:30-11:45",
        "0379-6655123转8001",
        "1380013804.80",
        "第13组 共138户 479人",
        "2015–2020",
        "1,200.00 K7QX-3M2A",
        "100.00% 98,000.00",
        "合计 8,200,000.00 元",
        "QSXJ-2022-011 成交通知书",
    ]
    rng = random.Random(19)
    for n in range(60):
        amount = rng.randrange(0, 10**12)
        out.append(f"{amount // 100:,}.{amount % 100:02d}")
        out.append(f"{amount // 100:,} 元" if n % 2 else f"{(amount // 100) / 10000:,.4f}")
    for _ in range(40):
        year, month, day = rng.randrange(1990, 2030), rng.randrange(1, 13), rng.randrange(1, 29)
        sep = rng.choice(("-", ".", "/", ""))
        out.append(f"{year}{sep}{month:02d}{sep}{day:02d}")
    for n in range(30):
        area = rng.choice(("0371", "0379", "010", "021", "0394", "0755"))
        local = rng.randrange(10**6, 10**7) if n % 2 else rng.randrange(10**7, 10**8)
        out.append(f"{area}-{local}")
    for n in range(25):
        out.append(f"青财农〔{2015 + n % 10}〕{rng.randrange(1, 300)}号")
    return out


POSITIVES = positives()
NEGATIVES = negatives()


def test_corpus_is_large_enough() -> None:
    assert len(POSITIVES) >= 200 and len(NEGATIVES) >= 200


@pytest.mark.parametrize(("text", "kind", "number"), POSITIVES)
def test_finds_personal_numbers(text: str, kind: str, number: str) -> None:
    hits = find(text)
    assert [h.kind for h in hits] == [kind], text
    # the offsets cover the whole number in the original text
    found = normalise(text[hits[0].start : hits[0].end]).upper()
    assert found.endswith(number) and found.removesuffix(number) in ("", "86", "0086")


@pytest.mark.parametrize("text", NEGATIVES)
def test_passes_what_a_notice_prints(text: str) -> None:
    assert find(text) == [], text


def test_hit_offsets_point_into_the_original() -> None:
    text = "户主钱豪，电话 138\u200b0013／8048，账号6228\u30004800"
    (hit,) = find(text)
    assert hit == Hit("mobile", "手机号", 8, 21)
    assert text[hit.start : hit.end] == "138\u200b0013／8048"


def test_two_numbers_in_one_text() -> None:
    text = "钱豪 410522199001011234 13800138048 丁国"
    assert [h.kind for h in find(text)] == ["id18", "mobile"]


def test_date_next_to_an_id_does_not_hide_it() -> None:
    text = "2021-06-01 410522199001011234"
    assert [h.kind for h in find(text)] == ["id18"]


def test_normalise_joins_and_strips_country_codes() -> None:
    assert normalise("+86 138\u200b0013／8048") == "13800138048"
    assert normalise("0086-13800138048") == "13800138048"
    assert normalise("ＡＢＣ　１２３") == "ABC 123"
    assert normalise("4105.2219") == "41052219"


def test_check_digit_and_luhn() -> None:
    assert id_check_char("41052219900101123") == "1"
    assert luhn_ok("6228480402564890018") and not luhn_ok("6228480402564890019")


def test_terms_ignore_spacing_and_invisibles() -> None:
    terms = ("慢性病", "因病", "癌")
    assert find_terms("钱豪 慢 性\u200b病救助", terms) == ["慢性病"]
    assert find_terms("因病·致贫 重病户", terms) == ["因病"]
    assert find_terms("医疗救助 临时救助", terms) == []
