"""Typed pure filters for notices: amounts in Chinese capitals, masking, dates and periods.

Registered by name in :func:`fupin.reports.notice_render.make_env`; each is a plain function
tested on its own. Amounts are :class:`~decimal.Decimal` quantized to the cent, half up
(:mod:`fupin.money`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from fupin.money import fmt_limit, fmt_money, fmt_pct, fmt_pct_beside, q2

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
SECTIONS = ("", "万", "亿", "万亿")


def _section(number: int) -> str:
    """Capitals of 0 < number < 10000, with 零 for inner zeros (1005 → 壹仟零伍)."""
    out = ""
    pending_zero = False
    for pos in (3, 2, 1, 0):
        digit = number // 10**pos % 10
        if digit == 0:
            pending_zero = pending_zero or bool(out)
        else:
            if pending_zero:
                out += "零"
                pending_zero = False
            out += DIGITS[digit] + SMALL_UNITS[pos]
    return out


def _integer(number: int) -> str:
    """Capitals of a non-negative integer below 10**16 (壹佰贰拾万, 壹拾万零壹拾).

    Zeros between non-zero digits write one 零, also across 万/亿 (《支付结算办法》 allows
    both; writing it resists alteration): 1005000 → 壹佰万零伍仟.
    """
    groups: list[int] = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    out = ""
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = need_zero or bool(out)
            continue
        if out and (need_zero or group < 1000):
            out += "零"
        out += _section(group) + SECTIONS[index]
        need_zero = group % 10 == 0  # 壹佰万零伍仟: zeros between sections write one 零
    return out


def daxie(amount: Decimal) -> str:
    """An amount in Chinese financial capitals (大写): ``700000`` → ``柒拾万元整``.

    Per 《支付结算办法》 practice: ``整`` after 元 when there are no 角/分; ``零`` where
    inner digits are zero (``1005000.05`` → ``壹佰万零伍仟元零伍分``).
    """
    value = q2(Decimal(amount))
    sign = "负" if value < 0 else ""
    cents = int(abs(value) * 100)
    if cents >= 10**18:
        raise ValueError(f"amount too large for capitals: {amount}")
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return "零元整"
    out = _integer(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return sign + out + "整"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif yuan:
        out += "零"
    if fen:
        out += DIGITS[fen] + "分"
    return sign + out


def money(amount: Decimal) -> str:
    """``1234567.8`` → ``1,234,567.80``."""
    return fmt_money(Decimal(amount))


def wan(amount: Decimal, places: int = 4) -> str:
    """An amount in 万元, ``places`` decimals half up: ``1200000`` → ``120.0000``."""
    step = Decimal(1).scaleb(-places)
    return f"{(q2(Decimal(amount)) / Decimal(10000)).quantize(step, rounding=ROUND_HALF_UP):,}"


def wan_places(amounts: Iterable[Decimal]) -> int:
    """The decimals one 万元 column needs so that none of its amounts is rounded: 4, or 6
    when an amount has jiao or fen (``100000.50`` → ``10.000050``). A
    total row printed with them equals the sum of the rows printed above it."""
    exact = all(
        (q2(Decimal(a)) / Decimal(10000)) == Decimal(wan(a).replace(",", "")) for a in amounts
    )
    return 4 if exact else 6


def pct(share: Decimal) -> str:
    """``0.5523`` → ``55.23%`` (two decimals, half up)."""
    return fmt_pct(Decimal(share))


def pct_beside(share: Decimal, threshold: Decimal | None) -> str:
    """``share`` as a percentage printed beside ``threshold``: two decimals, or as many more
    as it takes not to print like the threshold when it differs (0.549996 beside 0.55 →
    ``54.9996%``, never ``55.00%``: a notice must not read as met when the rule's is not)."""
    if threshold is None:
        return pct(share)
    return fmt_pct_beside(Decimal(share), Decimal(threshold))


def limit(threshold: Decimal) -> str:
    """A policy threshold as a percentage, as configured (never rounded): ``0.55`` →
    ``55.00%``, ``0.55555`` → ``55.555%``."""
    return fmt_limit(Decimal(threshold))


def cn_date(day: datetime.date | None) -> str:
    """``2021-03-10`` → ``2021年3月10日``; ``None`` → ``长期``."""
    if day is None:
        return "长期"
    return f"{day.year}年{day.month}月{day.day}日"


def period(start: datetime.date, end: datetime.date | None, days: int | None) -> str:
    """``2021年1月11日至2021年1月20日（共10天）``; open-ended: ``自…起长期公开``.

    ``days`` is the notice's own count of the period it announces
    (:attr:`fupin.entities.Notice.announced_days`, both ends counted): formatted here, never
    counted again. A notice taken down early still prints the period it was posted with."""
    if end is None or days is None:
        return f"自{cn_date(start)}起长期公开"
    return f"{cn_date(start)}至{cn_date(end)}（共{days}天）"


def mask_id(number: str | None) -> str:
    """ID card: first 6 + 8 × ``*`` + last 4 (``410522********1234``; hides the birth date)."""
    if not number:
        return ""
    text = str(number).strip()
    if len(text) < 11:
        return "*" * len(text)
    return text[:6] + "*" * 8 + text[-4:]


def mask_phone(number: str | None) -> str:
    """Phone: first 3 + ``****`` + last 4 (``138****5678``)."""
    if not number:
        return ""
    digits = "".join(ch for ch in str(number) if ch.isdigit())
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:3] + "****" + digits[-4:]


def mask_account(number: str | None) -> str:
    """Bank account: ``****`` + last 4."""
    if not number:
        return ""
    digits = "".join(ch for ch in str(number) if ch.isdigit())
    return "****" + digits[-4:]


def mask_name(name: str | None) -> str:
    """A name with its middle hidden: ``张三`` → ``张*``, ``王小明`` → ``王*明``."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def passthrough(text: str | None) -> str:
    """The unmasked variant of :func:`mask_name`."""
    return text or ""


FILTERS = {
    "daxie": daxie,
    "money": money,
    "wan": wan,
    "wan_places": wan_places,
    "pct": pct,
    "pct_beside": pct_beside,
    "limit": limit,
    "cn_date": cn_date,
    "period": period,
    "mask_id": mask_id,
    "mask_phone": mask_phone,
    "mask_account": mask_account,
}
