"""Exact money and ratio arithmetic.

Rounding rule, used everywhere: amounts are quantized to 0.01 yuan with
ROUND_HALF_UP (四舍五入); ratios are exact Decimal quotients (28 significant
digits) and are compared unrounded; they are *shown* as percentages with two
decimals, ROUND_HALF_UP. A threshold is never compared against a rounded value.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)


def q2(value: Decimal) -> Decimal:
    """Round an amount to the cent, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def finer_than_fen(value: object) -> bool:
    """Whether an amount has a non-zero digit below the fen (``0.005``; ``1.500`` has not;
    a value that is not a Decimal, such as a missing number, has not). Read from its
    digits: no rounding, so it holds for any size (``1E+30`` is whole)."""
    if type(value) is not Decimal:
        return False
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= -2:
        return False
    return any(digits[exponent + 2 :])


def ratio(part: Decimal, whole: Decimal) -> Decimal:
    """Exact quotient ``part / whole`` (0 when ``whole`` is 0)."""
    if not whole:
        return ZERO
    with localcontext() as ctx:
        ctx.prec = 28
        return part / whole


def fmt_money(value: Decimal, currency: str | None = None) -> str:
    """``1234567.8`` → ``1,234,567.80`` (optionally followed by the currency)."""
    text = f"{q2(value):,.2f}"
    return f"{text} {currency}" if currency else text


def fmt_pct(value: Decimal) -> str:
    """``0.5230`` → ``52.30%``."""
    return f"{q2(value * HUNDRED):.2f}%"


def fmt_limit(threshold: Decimal) -> str:
    """A policy threshold as a percentage, as configured (never rounded): ``0.55`` →
    ``55.00%``, ``0.55555`` → ``55.555%``."""
    shown = threshold * HUNDRED
    if shown == shown.quantize(CENT):
        return f"{shown.quantize(CENT):.2f}%"
    return f"{shown.normalize():f}%"


def fmt_pct_beside(value: Decimal, threshold: Decimal) -> str:
    """``value`` as a percentage next to a different ``threshold``: two decimals, or as
    many more as it takes for the two not to print alike (0.49999999 beside 0.50 →
    ``49.999999%``, never ``50.00%``); rounded half up at that precision; equal to it, as
    the threshold prints (:func:`fmt_limit`)."""
    if value == threshold:
        return fmt_limit(value)
    places = 2
    while places < 26:
        step = Decimal(1).scaleb(-places)
        shown = (value * HUNDRED).quantize(step, rounding=ROUND_HALF_UP)
        if shown != (threshold * HUNDRED).quantize(step, rounding=ROUND_HALF_UP):
            return f"{shown:f}%"
        places += 1
    return f"{value * HUNDRED:f}%"


def compare(value: Decimal, op: str, threshold: Decimal) -> bool:
    """Evaluate ``value <op> threshold`` for op in ``>= > <= < ==``."""
    if op == ">=":
        return value >= threshold
    if op == ">":
        return value > threshold
    if op == "<=":
        return value <= threshold
    if op == "<":
        return value < threshold
    if op == "==":
        return value == threshold
    raise ValueError(f"unknown comparison {op!r}")


def to_decimal(value: object) -> Decimal | None:
    """A metadata value (``300.00 CNY``, ``300``, ``"300.00"``) as a Decimal; None when it
    is not a number (the caller reports it)."""
    value = getattr(value, "number", value)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip().replace(",", ""))
        except ArithmeticError:
            return None
    return None


def to_year(value: object) -> int | None:
    """A ``year:`` metadata value as a year (1990–2100); None when it is not one."""
    number = to_decimal(value)
    if number is None or number != number.to_integral_value() or not 1990 <= number <= 2100:
        return None
    return int(number)
