"""The one personal-data detector: ID-card, mobile and bank-card numbers, however typed.

Used on the ledger's own text (issue 12) and on the final bytes of every public notice
(issue 13). A number is found in the form a reader sees, not the form it was typed in:

1. **Normalise.** NFKC (full-width ``１３８`` and ``／`` become ``138`` and ``/``), every
   format, combining or invisible character removed (zero-width space, word joiner, soft
   hyphen, BOM, Hangul filler …), decimal digits of any script, circled and parenthesised
   digits (``①``, ``➀``, ``⑴``), and runs of eleven or more digits with Chinese ones among
   them (``一三八〇〇…``, ``138〇〇138〇48``) read as ASCII digits.
2. **Group.** Digit runs joined by separators — any whitespace (space, U+3000, NBSP, line
   breaks), dots, slashes, hyphens and dashes of every kind, underscores, commas,
   apostrophes, bars, 顿号, tildes, parentheses, and a colon between groups of three or more
   digits (not a time's ``10:30``) — form one *chain*; a number may be any run
   of whole groups of a chain. Amounts (``1,234,567.89``, ``3500.00``) and hex digests
   (SHA-256) are never part of a chain.
3. **Classify** each candidate (longest first):

   ============ ======================================================================
   ``id18``     18 characters, the last a digit or X. Typed without separators it is
                refused even with a wrong check digit (a mistyped ID is still a
                person's ID, and no public text needs an 18-digit number); split by
                separators it needs a province code and a real birth date, or a valid
                check character, so that joined dates and amounts stay out.
   ``id15``     the pre-1999 15-digit ID: province code and a real 19YYMMDD birth date.
   ``mobile``   11 digits ``1[3-9]…``, also after a ``+86``, ``0086`` or ``86`` prefix.
   ``bank``     16 or more digits typed without separators (refused as they are: card
                and account numbers, or numbers glued together); split into groups of
                four it must pass the Luhn check or be a UnionPay number (``62…``).
   ============ ======================================================================

**Landlines and short numbers are not personal data** and print: supervision hotlines
(``12317``, ``0371-12317``, ``0379-6655123``, ``400-800-1234``) are on every notice by rule.
They never match: an area code starts with 0, a local number has 7–8 digits.

A :class:`Hit` carries offsets into the *original* text, so a caller can point at the field
and place without ever printing the number.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

LABELS = {
    "id18": "身份证号",
    "id15": "身份证号",
    "mobile": "手机号",
    "bank": "银行卡号",
    "phone": "电话号码",
}

# Separators that may stand between the digits of one number.
_SEPARATORS = frozenset(
    " \t\n\r\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"  # whitespace
    ".\u00b7\u2022\u2027\u2219\u22c5\u30fb\u3002\uff0e\uff61"  # dots, 中点, 。
    "/\\\u2044\u2215\uff0f\uff3c"  # slashes
    "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d\u30fc"  # dashes
    "_\u203f\u2040\ufe4d\ufe4e\ufe4f\uff3f"  # underscores
    ",\uff0c'\u2019\u02bc"  # commas, apostrophes (1'000)
    "|\u00a6\u2223\uff5c\u3001\uff64"  # bars, 顿号 (138、0013、8048)
    "~\u223c\u301c\u3030\uff5e"  # tildes, wave dashes
    "()\uff08\uff09"  # parentheses ((138)0013-8048, (0371)…)
)
# Characters that render as nothing (or as blank) beside other letters.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5")
_CN_DIGITS = {
    **dict.fromkeys("〇零", "0"),
    **dict(zip("一二三四五六七八九", "123456789", strict=True)),
    **dict(zip("壹贰叁肆伍陆柒捌玖", "123456789", strict=True)),
    "幺": "1",
}
_CN_RUN = re.compile(
    "[{d}](?:[{s}]*[{d}]){{10,}}".format(
        d="".join(_CN_DIGITS), s=re.escape("".join(sorted(_SEPARATORS)))
    )
)
# Eleven or more digits, Chinese ones among ASCII ones (138〇〇138〇48); read as a second
# reading, so that the 一 of a name (陈一13800138048) does not hide the number after it.
_MIXED_RUN = re.compile(
    "(?=[0-9{s}]*[{d}])[{d}0-9](?:[{s}]*[{d}0-9]){{10,}}".format(
        d="".join(_CN_DIGITS), s=re.escape("".join(sorted(_SEPARATORS)))
    )
)
_DIGIT_CLASS = (
    "\\d\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089\u2460-\u249b\u24ea-\u24ff\u2776-\u2793"
)
_ANY_DIGIT = re.compile(f"[{_DIGIT_CLASS}]")
# The fast test's form of ``_MIXED_RUN`` on text not yet read: digits of any script (full-width
# １３８, circled ①) among the Chinese ones (１３８〇〇１３８〇４８).
_MIXED_ANY = re.compile(
    "(?=[{a}{s}]*[{d}])[{d}{a}](?:[{s}]*[{d}{a}]){{10,}}".format(
        a=_DIGIT_CLASS, d="".join(_CN_DIGITS), s=re.escape("".join(sorted(_SEPARATORS)))
    )
)
# Amounts: thousands-grouped (1,234,567.89), or with two decimals (3500.00).
_AMOUNT = re.compile(r"(?<![\d,.])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+\.\d\d(?![\d.,]))")
# Hex digests (MD5, SHA-1, SHA-256 …): letters among the digits, 32 or more characters.
_DIGEST = re.compile(r"(?<![0-9A-Za-z])(?=[0-9]*[A-Fa-f])[0-9A-Fa-f]{32,}(?![0-9A-Za-z])")
# A colon between groups of three or more digits (138:0013:8048, 138：0013：8048 after NFKC)
# separates the groups of one number; times (10:30, 08:30:00) and ratios (1:1000) have a
# group of one or two digits beside each colon and stay apart.
_COLON = re.compile(r"(?<=\d{3}):(?=\d{3})")
_GROUP = re.compile(r"\d+")
_CHAIN = re.compile("\\d+(?:[{}]+\\d+)*".format(re.escape("".join(sorted(_SEPARATORS)))))
# GB/T 2260 province codes (71 台湾, 81/82 港澳, 83 台湾居民居住证, 91 外国人永久居留).
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "  # noqa: SIM905
    "61 62 63 64 65 71 81 82 83 91".split()
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# What a term or a name is read through: spaces, and the 间隔号 of a name (阿不都·热合曼) in
# every form it is typed (·•‧・, and the dots ASCII, full-width ．, ∙ ⋅ ⸱ ㆍ typed for it).
_TERM_GAPS = frozenset(
    " \t\n\r\u00a0\u3000\u00b7\u2022\u2027\u30fb.\u2024\u2219\u22c5\u2e31\u318d\ua78f"
)


class Hit(NamedTuple):
    """One personal number in a text: its kind, Chinese label and place in the original."""

    kind: str  # "id18" | "id15" | "mobile" | "bank"
    label: str  # 身份证号 / 手机号 / 银行卡号
    start: int
    end: int


def id_check_char(first17: str) -> str:
    """The GB 11643 check character of an ID number's first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check of a card number."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _real_date(year: int, month: int, day: int) -> bool:
    if not 1900 <= year <= datetime.date.today().year:
        return False
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _id18_shape(number: str) -> bool:
    """Province code and birth date of an 18-character ID are real."""
    return number[:2] in _PROVINCES and _real_date(
        int(number[6:10]), int(number[10:12]), int(number[12:14])
    )


def _id15_ok(number: str) -> bool:
    return number[:2] in _PROVINCES and _real_date(
        1900 + int(number[6:8]), int(number[8:10]), int(number[10:12])
    )


def _mobile(digits: str) -> bool:
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"


@lru_cache(maxsize=4096)
def _char(ch: str) -> str:
    """What one character reads as: NFKC, digits of any script as ASCII, invisibles dropped."""
    if ch in _INVISIBLE:
        return ""
    category = unicodedata.category(ch)
    if category == "No" and unicodedata.digit(ch, None) is not None:
        return str(unicodedata.digit(ch))  # ①, ❶, ➀, ⑴, ⒈ (NFKC keeps some, adds "(" to others)
    if category in ("Cf", "Mn", "Me") or (category == "Cc" and ch not in "\t\n\r\f\v"):
        return ""
    out = unicodedata.normalize("NFKC", ch)
    if out.isascii():
        return out
    return "".join(
        str(unicodedata.decimal(c)) if unicodedata.category(c) == "Nd" else c for c in out
    )


class _Table(dict[int, str]):
    """``str.translate`` table of :func:`_char`, filled as characters are met."""

    def __missing__(self, key: int) -> str:
        value = self[key] = _char(chr(key))
        return value


_TABLE = _Table()


def _cn_ascii(match: re.Match[str]) -> str:
    return "".join(_CN_DIGITS.get(c, c) for c in match.group())


def _digits_cn(read: str, *, mixed: bool = False) -> str:
    """Runs of Chinese digits read as ASCII digits (one character each); with ``mixed``,
    also runs of Chinese and ASCII digits together."""
    if _CN_RUN.search(read):
        read = _CN_RUN.sub(_cn_ascii, read)
    if mixed and _MIXED_RUN.search(read):
        read = _MIXED_RUN.sub(_cn_ascii, read)
    return read


def _read(text: str) -> tuple[str, list[int]]:
    """The text as read (step 1) and, per character, its index in ``text``."""
    chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        if ch.isascii() and ch.isprintable():
            chars.append(ch)
            origin.append(index)
            continue
        for out in _char(ch):
            chars.append(out)
            origin.append(index)
    return "".join(chars), origin


def may_hold_number(text: str) -> bool:
    """Whether ``text`` has the eleven digits any personal number needs (a fast test: digits
    of any script, circled and superscript digits, or a run of Chinese digits)."""
    return len(_ANY_DIGIT.findall(text)) >= 11 or bool(_MIXED_ANY.search(text))


def normalise(text: str) -> str:
    """``text`` as the detector reads it: NFKC, invisibles removed, every run of separators
    between two digits removed, and a ``+86``/``0086``/``86`` before a mobile number dropped.

    >>> normalise("+86 138\u200b0013／8048")
    '13800138048'
    """
    read = _COLON.sub("-", _digits_cn(text.translate(_TABLE), mixed=True))
    joined = re.sub(
        "(?<=\\d)[{}]+(?=\\d)".format(re.escape("".join(sorted(_SEPARATORS)))), "", read
    )
    return re.sub(r"(?:\+|(?<!\d)00|(?<![\d+]))86(?=1[3-9]\d{9}(?!\d))", "", joined)


def find(text: str) -> list[Hit]:
    """Every ID-card, mobile or bank-card number in ``text`` (offsets into ``text``)."""
    if not may_hold_number(text):
        return []
    read = text.translate(_TABLE)
    if not _long_chain(read):
        return []
    hits = _readings(read, None)
    if hits and any(not (c.isascii() and c.isprintable()) for c in text):
        read, origin = _read(text)  # offsets into the original: only when there are hits
        hits = _readings(read, origin)
    return hits


def _long_chain(read: str) -> bool:
    """Whether the widest reading has a chain of eleven characters or more: the readings
    :func:`_find` scans have fewer digits (blanked amounts and digests, Chinese digits
    read in runs only) and no more separators, so without one they have no number."""
    widest = _COLON.sub("-", _digits_cn(read, mixed=True))
    return any(m.end() - m.start() >= 11 for m in _CHAIN.finditer(widest))


def _readings(read: str, origin: list[int] | None) -> list[Hit]:
    """Hits of both readings of Chinese digits (runs alone, and among ASCII digits)."""
    hits = _find(_digits_cn(read), origin)
    mixed = _digits_cn(read, mixed=True)
    if mixed != _digits_cn(read):
        hits += [
            h
            for h in _find(mixed, origin)
            if not any(h.start < o.end and o.start < h.end for o in hits)
        ]
        hits.sort(key=lambda h: h.start)
    return hits


def _find(read: str, origin: list[int] | None) -> list[Hit]:
    blanked = _COLON.sub("-", _AMOUNT.sub(_blank, _DIGEST.sub(_blank, read)))
    hits: list[Hit] = []
    for chain in _CHAIN.finditer(blanked):
        if chain.end() - chain.start() >= 11:
            at = chain.start()
            groups = [(at + g.start(), at + g.end()) for g in _GROUP.finditer(chain.group())]
            hits += _scan(blanked, groups, origin)
    return hits


def _blank(match: re.Match[str]) -> str:
    return "#" * len(match.group())


def _scan(text: str, chain: list[tuple[int, int]], origin: list[int] | None) -> list[Hit]:
    """Hits among runs of whole groups of one chain, longest first, left to right."""
    hits: list[Hit] = []
    if sum(end - start for start, end in chain) < 11:
        return hits
    i = 0
    while i < len(chain):
        best: tuple[str, int, int] | None = None
        digits = ""
        for j in range(i, len(chain)):
            digits += text[chain[j][0] : chain[j][1]]
            if len(digits) > 19 and j > i:
                break
            kind = _classify(text, chain, i, j, digits)
            if kind:
                best = kind, j, chain[j][1] + (kind == "id18" and len(digits) == 17)
        start = chain[i][0]
        if best is None:
            glued = _glued(text, chain, i)
            if glued is None:
                i += 1
                continue
            best, start = glued[:3], glued[3]
        kind, j, end = best
        if origin is not None:
            start, end = origin[start], origin[end - 1] + 1
        hits.append(Hit(kind, LABELS[kind], start, end))
        i = j + 1
    return hits


def _classify(text: str, chain: list[tuple[int, int]], i: int, j: int, digits: str) -> str:
    """The kind of the number made of groups ``i..j`` of a chain, or ``""``."""
    single = i == j
    end = chain[j][1]
    x_next = (
        end < len(text)
        and text[end] in "Xx"
        and (end + 1 == len(text) or not text[end + 1].isascii() or not text[end + 1].isalnum())
    )
    n = len(digits)
    if n == 17 and x_next:
        return "id18" if single or _id18_shape(digits + "X") else ""
    if n == 18 and (single or _id18_shape(digits) or id_check_char(digits[:17]) == digits[17]):
        return "id18"
    if single and n > 19:  # no public text needs such a number: an account, or glued IDs
        return "id18" if _valid_id_inside(digits) else "bank"
    decimal = not single and _decimal_tail(text, chain, j)
    if 16 <= n <= 19:
        if single:
            return "bank"
        shapes = [chain[k][1] - chain[k][0] for k in range(i, j + 1)]
        if not decimal and all(s == 4 for s in shapes[:-1]) and _card_like(digits):
            return "bank"
    if n == 15 and _id15_ok(digits):
        return "id15"
    if n in (11, 13, 15) and _mobile(digits) and not decimal:
        return "mobile"
    return ""


def _glued(text: str, chain: list[tuple[int, int]], i: int) -> tuple[str, int, int, int] | None:
    """A number typed right after other digits (``2021-11410522.19900101.1231``): the tail of
    group ``i`` and the whole groups after it, accepted only in a shape that checks itself
    (ID with a valid check character and real birth date, Luhn card in groups of four, a
    mobile in 3-4-4)."""
    start, end = chain[i]
    for cut in range(start + 1, end):
        head = text[cut:end]
        digits, shapes = head, [len(head)]
        for j in range(i + 1, len(chain)):
            digits += text[chain[j][0] : chain[j][1]]
            shapes.append(chain[j][1] - chain[j][0])
            n = len(digits)
            if n > 19:
                break
            stop = chain[j][1]
            x_next = stop < len(text) and text[stop] in "Xx"
            if n == 17 and x_next and _id18_shape(digits + "X") and id_check_char(digits) == "X":
                return "id18", j, stop + 1, cut
            if n == 18 and _id18_shape(digits) and id_check_char(digits[:17]) == digits[17]:
                return "id18", j, stop, cut
            if 16 <= n <= 19 and all(s == 4 for s in shapes[:-1]) and luhn_ok(digits):
                return "bank", j, stop, cut
            if n == 11 and shapes == [3, 4, 4] and _mobile(digits):
                return "mobile", j, stop, cut
    return None


def _card_like(digits: str) -> bool:
    """A card number in groups of four: Luhn-valid, or a UnionPay number (62…) mistyped."""
    return luhn_ok(digits) or digits.startswith("62")


def _decimal_tail(text: str, chain: list[tuple[int, int]], j: int) -> bool:
    """The last group reads as the decimals of an amount (``…804.80``)."""
    start, end = chain[j]
    return end - start <= 2 and text[chain[j - 1][1] : start] == "."


def _valid_id_inside(digits: str) -> bool:
    for k in range(len(digits) - 17):
        part = digits[k : k + 18]
        if _id18_shape(part) and id_check_char(part[:17]) == part[17]:
            return True
    return False


# A landline with its area code (0371-12345678, (010)1234-5678) or a local number of 7–8 digits.
_PHONE = re.compile(r"0[1-9]\d{8,10}|[2-9]\d{6,7}")


def find_phones(text: str) -> list[Hit]:
    """Landlines and local numbers in ``text``, read as :func:`find` reads it. Not personal
    data on their own (hotlines print by rule): for texts that belong to one person, such
    as a recipient's name or 村民小组, where any phone number is that person's."""
    read, origin = _read(text)
    hits: list[Hit] = []
    for chain in _CHAIN.finditer(_AMOUNT.sub(_blank, _DIGEST.sub(_blank, read))):
        digits = "".join(_GROUP.findall(chain.group()))
        is_date = len(digits) == 8 and _real_date(
            int(digits[:4]), int(digits[4:6]), int(digits[6:])
        )
        if _PHONE.fullmatch(digits) and not is_date:
            start, end = origin[chain.start()], origin[chain.end() - 1] + 1
            hits.append(Hit("phone", LABELS["phone"], start, end))
    return hits


#: the CJK blocks whose Traditional characters are read as Simplified ones
_CJK = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))


@lru_cache(maxsize=1)
def _term_table() -> dict[int, str | None]:
    """间隔号 and spaces dropped; each Traditional character read as the one Simplified
    character OpenCC's ``t2s`` gives it alone (the ``opencc`` package, one call for all),
    when that is a GB 2312 character and the typed one is not (乾, 於, 著 are Simplified
    characters too, and are read as typed)."""
    import opencc

    table: dict[int, str | None] = {ord(gap): None for gap in _TERM_GAPS}
    chars = [chr(c) for low, high in _CJK for c in range(low, high)]
    read = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(read) != len(chars):  # a conversion that joined lines: read nothing as another
        return table
    for a, b in zip(chars, read, strict=True):
        if a != b and len(b) == 1 and _gb2312(b) and not _gb2312(a):
            table[ord(a)] = b
    return table


def _gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def term_form(text: str) -> str:
    """``text`` as terms and names are compared: read as :func:`normalise` reads letters,
    spaces and 间隔号 removed (``钱 豪``, ``钱·豪`` and ``钱.豪`` are ``钱豪``), Traditional
    characters read as Simplified ones (``殘疾`` is 残疾, ``錢豪`` is 钱豪; OpenCC's t2s)."""
    return text.translate(_TABLE).translate(_term_table())


@lru_cache(maxsize=1024)
def _term_key(term: str) -> str:
    return term_form(term)


def find_terms(text: str, terms: Iterable[str]) -> list[str]:
    """The ``terms`` (health conditions, poverty causes …) that occur in ``text``, in the
    order given; both read as :func:`term_form` reads them: spaces and 间隔号 ignored
    (``慢 性·病`` is 慢性病), Traditional characters as Simplified ones (``殘疾`` is 残疾)."""
    seen = term_form(text)
    found: list[str] = []
    for term in terms:
        form = _term_key(term)
        if form and form in seen and term not in found:
            found.append(term)
    return found


__all__ = [
    "LABELS",
    "Hit",
    "find",
    "find_phones",
    "find_terms",
    "id_check_char",
    "luhn_ok",
    "may_hold_number",
    "normalise",
    "term_form",
]
