"""Cell values: money and dates in the forms Chinese bank and office documents write them.

Money (:func:`parse_money`): ``1234.50``, ``1,234.50`` (thousands separators in groups of
three, nothing else), full-width digits and punctuation (``１，２３４．５０``), ``¥``/``￥``/``元``,
``+``/``-``/``−`` signs, a trailing ``-`` (``1,234.50-``, as core banking systems print a
debit) and ``(12.00)`` for negatives, a unit scale (``万元`` = 10000, exact: a
万元 cell may carry up to six decimals, the result must be whole cents). At most
:data:`MAX_DIGITS` digits before the point: a larger number is a corrupt cell, not money.

Dates (:func:`parse_day`): the year-first forms ``2025-05-20``, ``2025/5/20``,
``2025.5.20``, ``2025年5月20日`` and ``20250520``, each optionally followed by a time
(``2025-05-20 10:21:33``, ``20250520 10:21:33``), plus any ``strptime`` formats a layout
adds; in a spreadsheet, an Excel date serial (``45797``, a date cell saved as a number,
:func:`parse_serial`, in the workbook's own date system: 1900, or 1904 from Mac Excel). An impossible day (``2025-02-30``) or a year outside 1990–2100 is an
error.

Amounts in words (:func:`parse_daxie`): the 大写 form a total row may carry
(``壹万贰仟叁佰肆拾伍元陆角柒分``, ``贰仟元整``), checked like the figures.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)
#: digits before the decimal point a money cell may have (99,999,999,999,999.99 yuan)
MAX_DIGITS = 14
FIRST_YEAR, LAST_YEAR = 1990, 2100

SIMPLE = re.compile(r"-?\d{1,14}(\.\d{1,2})?")
SIMPLE_MATCH = SIMPLE.fullmatch
ONE = Decimal(1)
MONEY = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(-?)")
JUNK = re.compile(r"[\s¥元]|RMB|CNY", re.IGNORECASE)
#: white space between two digits: only a thousands separator (``1 234 567.89``)
INNER_SPACE = re.compile(r"(?<=\d)\s+(?=\d)")
GROUPED = re.compile(r"(?<![\d,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])")
BLANK = frozenset(("", "-", "--", "—", "——", "/"))


class CellError(ValueError):
    """A cell whose text is not the value its column holds (the message is Chinese)."""


def normal(text: str) -> str:
    """NFKC (full-width digits, punctuation and spaces → ASCII) for non-ASCII text."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def parse_money(text: str, scale: Decimal = ONE, blank: bool = True) -> Decimal:
    """A money cell → Decimal yuan to the cent (module docstring); raises :class:`CellError`.

    ``blank``: an empty cell (or ``-``) is 0; else it is an error. Not cached: a
    statement's amounts and balances are nearly all different (a cache miss costs more
    than the parse).
    """
    if not text and blank:
        return ZERO
    if scale is ONE or scale == 1:
        simple = SIMPLE_MATCH(text)
        if simple is not None:  # the common case: "1234.50"
            cents = simple.group(1)
            value = Decimal(text)
            return value if cents is not None and len(cents) == 3 else value.quantize(CENT)
    cleaned = normal(text).strip()
    if INNER_SPACE.search(cleaned):  # "1 234 567.89" groups thousands; "100 200" is two numbers
        grouped = INNER_SPACE.sub(",", cleaned)
        if GROUPED.search(grouped) is None:
            shown = text if len(text) <= 40 else text[:37] + "…"
            raise CellError(f"金额 {shown!r} 数字中间有空格 (不是千位分隔)")
        cleaned = grouped
    cleaned = JUNK.sub("", cleaned).replace("\u2212", "-")
    if cleaned in BLANK:
        if blank:
            return ZERO
        raise CellError("金额为空")
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = cleaned[1:-1]
    found = MONEY.fullmatch(cleaned)
    if found is None:
        shown = text if len(text) <= 40 else text[:37] + "…"
        raise CellError(f"金额 {shown!r} 不是数字")
    sign, whole, fraction, trailing = found.groups()
    if trailing:
        if sign or negative:
            shown = text if len(text) <= 40 else text[:37] + "…"
            raise CellError(f"金额 {shown!r} 正负号重复")
        sign = trailing
    digits = whole.replace(",", "")
    if len(digits.lstrip("0")) > MAX_DIGITS:
        raise CellError(f"金额 {text[:40]!r} 过大 (超过 {MAX_DIGITS} 位整数)")
    if fraction and len(fraction) > 6:
        raise CellError(f"金额 {text[:40]!r} 小数位过多")
    value = Decimal(f"{digits}.{fraction}" if fraction else digits) * scale
    cents = value.quantize(CENT)
    if value != cents:
        unit = "" if scale == 1 else f" (×{scale})"
        raise CellError(f"金额 {text!r}{unit} 不是整分 (超过两位小数)")
    return -cents if (sign == "-") != negative else cents


DAY = re.compile(
    r"(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日?|(\d{2})(\d{2}))"
    r"(?:(?:\s+|T)?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?|\s*\d{6})?"
)


@functools.lru_cache(maxsize=65536)
def parse_day(text: str, formats: Sequence[str] = ()) -> datetime.date:
    """A date cell in one of the forms of the module docstring; raises :class:`CellError`."""
    cleaned = normal(text).strip()
    found = DAY.fullmatch(cleaned)
    if found is None:
        for form in formats:
            try:
                day = datetime.datetime.strptime(cleaned, form).date()
            except ValueError:
                continue
            return _in_range(text, day)
        if not cleaned:
            raise CellError("日期为空")
        shown = text if len(text) <= 40 else text[:37] + "…"
        raise CellError(f"日期 {shown!r} 不是日期 (如 2025-05-20、2025年5月20日、20250520)")
    year, m1, d1, m2, d2, m3, d3 = found.groups()
    month, day_of = (m1, d1) if m1 else (m2, d2) if m2 else (m3, d3)
    try:
        day = datetime.date(int(year), int(month), int(day_of))
    except ValueError:
        raise CellError(f"日期 {text!r} 不存在") from None
    return _in_range(text, day)


def _in_range(text: str, day: datetime.date) -> datetime.date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CellError(f"日期 {text!r} 超出范围 ({FIRST_YEAR}–{LAST_YEAR} 年)")
    return day


DATE_IN_TEXT = re.compile(
    r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))"
)


def days_in(text: str) -> list[datetime.date]:
    """Every valid date written in a line of text (a title's period, a document's date)."""
    out = []
    for found in DATE_IN_TEXT.finditer(normal(text)):
        year, m1, d1, m2, d2, m3, d3 = found.groups()
        month, day_of = (m1, d1) if m1 else (m2, d2) if m2 else (m3, d3)
        try:
            day = datetime.date(int(year), int(month), int(day_of))
        except ValueError:
            continue
        if FIRST_YEAR <= day.year <= LAST_YEAR:
            out.append(day)
    return out


#: the 1900 date system's day 0 as Excel counts (it takes 1900 for a leap year)
EXCEL_EPOCH = datetime.date(1899, 12, 30)
#: the 1904 date system's day 0 (Mac Excel; a workbook's ``date1904`` flag)
EXCEL_EPOCH_1904 = datetime.date(1904, 1, 1)
SERIAL = re.compile(r"(\d{5})(?:\.\d+)?")


def parse_serial(text: str, date1904: bool = False) -> datetime.date | None:
    """An Excel date serial written as a number (``45797`` → 2025-05-20 in the 1900 date
    system, 2029-05-21 in the 1904 one; a fraction is the time of day), or None when
    ``text`` is not one; raises :class:`CellError` out of range."""
    found = SERIAL.fullmatch(text)
    if found is None:
        return None
    epoch = EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH
    return _in_range(text, epoch + datetime.timedelta(days=int(found.group(1))))


DIGITS = dict(zip("零壹贰叁肆伍陆柒捌玖", range(10), strict=True)) | dict(
    zip("〇一二三四五六七八九", range(10), strict=True)
)
DIGITS.update({"两": 2, "贰": 2, "弍": 2})
SMALL_UNITS = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}
BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
DAXIE = re.compile(
    r"(?:人民币|RMB|¥)?\s*(?P<yuan>[零壹贰叁肆伍陆柒捌玖〇一二三四五六七八九两弍拾十佰百仟千万萬亿億]*)"
    r"(?:元|圆)?(?P<jiao>[零壹贰叁肆伍陆柒捌玖一二三四五六七八九两]角)?"
    r"零?(?P<fen>[零壹贰叁肆伍陆柒捌玖一二三四五六七八九两]分)?(?:整|正)?"
)


def parse_daxie(text: str) -> Decimal | None:
    """An amount in Chinese words (``壹万贰仟叁佰肆拾伍元陆角柒分``, ``贰仟元整``) → yuan,
    or None when ``text`` is not one."""
    cleaned = re.sub(r"[\s:：()（）]|大写|小写", "", normal(text))
    found = DAXIE.fullmatch(cleaned)
    if found is None or not any(found.groupdict().values()) or not re.search("[元圆角分]", cleaned):
        return None
    value = Decimal(_whole(found.group("yuan") or ""))
    for part, scale in (("jiao", Decimal("0.1")), ("fen", CENT)):
        word = found.group(part)
        if word:
            value += DIGITS[word[0]] * scale
    return value.quantize(CENT)


def _whole(words: str) -> int:
    """``壹亿零伍万贰仟零伍`` → 100052005: 万 scales the section since the last 亿."""
    total, wan, section, digit = 0, 0, 0, 0
    for char in words:
        if char in DIGITS:
            digit = DIGITS[char]
        elif char in SMALL_UNITS:
            section += (digit or 1) * SMALL_UNITS[char]
            digit = 0
        elif BIG_UNITS[char] == 10_000:
            wan, section, digit = (section + digit) * 10_000, 0, 0
        else:
            total, wan, section, digit = (total + wan + section + digit) * 100_000_000, 0, 0, 0
    return total + wan + section + digit
