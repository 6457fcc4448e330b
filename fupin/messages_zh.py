"""What a user reads when a value does not validate: pydantic's errors in Chinese.

pydantic speaks English (``Field required``, ``Input should be less than or equal to 1``);
fupin's users read Chinese. :data:`TEMPLATES` maps each pydantic error type to a Chinese
template filled from the error's ``ctx``; :func:`explain` adds a "did you mean" for a coded
value or a misspelt field, and :func:`show_input` prints the offending value without ever
echoing a personal number (an ID card, phone or bank account found in it is replaced by
its kind). Field and key names stay as written in the ledger.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: pydantic error type → Chinese template (``{name}`` placeholders come from ``ctx``).
TEMPLATES: Mapping[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段",
    "literal_error": "应为 {expected} 之一",
    "enum": "应为 {expected} 之一",
    "less_than_equal": "应 ≤ {le}",
    "less_than": "应 < {lt}",
    "greater_than_equal": "应 ≥ {ge}",
    "greater_than": "应 > {gt}",
    "multiple_of": "应为 {multiple_of} 的倍数",
    "finite_number": "应为有限数值",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_max_digits": "数字位数过多 (最多 {max_digits} 位)",
    "decimal_max_places": "小数位数过多 (最多 {decimal_places} 位)",
    "decimal_whole_digits": "整数位数过多 (最多 {whole_digits} 位)",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数 (不能有小数部分)",
    "int_parsing_size": "整数超出范围",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 TRUE 或 FALSE",
    "bool_type": "应为 TRUE 或 FALSE",
    "string_type": "应为文本 (用双引号括起)",
    "string_too_short": "不能为空",
    "string_too_long": "文本过长 (最多 {max_length} 字)",
    "string_pattern_mismatch": "格式不符 ({pattern})",
    "date_type": "应为日期 (YYYY-MM-DD)",
    "date_parsing": "应为日期 (YYYY-MM-DD)",
    "date_from_datetime_parsing": "应为日期 (YYYY-MM-DD)",
    "date_from_datetime_inexact": "应为日期 (不含时间)",
    "dict_type": "应为 键=值 列表",
    "tuple_type": "应为列表 (用空格分隔)",
    "list_type": "应为列表 (用空格分隔)",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "value_error": "{error}",
    "assertion_error": "{error}",
}

_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def did_you_mean(value: object, choices: Iterable[str], *, cutoff: float = 0.6) -> str:
    """`` (是否应为 'final'?)`` for the closest choices, or an empty string."""
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, list(choices), n=2, cutoff=cutoff)
    if not close and value.lower() != value:
        close = difflib.get_close_matches(value.lower(), list(choices), n=2, cutoff=cutoff)
    if not close:
        return ""
    return " (是否应为 " + " 或 ".join(f"'{c}'" for c in close) + "?)"


def reject_near_miss(value: str, choices: Sequence[str], what: str) -> str:
    """``value`` if it is one of ``choices`` or nothing like them (a county's own code);
    a misspelling of one of them raises ValueError with the "did you mean"."""
    if value not in choices:
        hint = did_you_mean(value, choices, cutoff=0.8)
        if hint:
            raise ValueError(f"未知的{what} {value!r}{hint}")
    return value


def explain(error: Mapping[str, Any], fields: Sequence[str] = ()) -> str:
    """One pydantic error in Chinese; ``fields`` are the model's field names (for a
    misspelt field's "did you mean")."""
    kind = str(error.get("type", ""))
    ctx = dict(error.get("ctx") or {})
    template = TEMPLATES.get(kind)
    if template is None:
        return str(error.get("msg", kind))
    if kind in ("literal_error", "enum"):
        choices = _QUOTED.findall(str(ctx.get("expected", "")))
        ctx["expected"] = "、".join(choices) if choices else ctx.get("expected", "")
        return template.format(**ctx) + did_you_mean(error.get("input"), choices)
    if kind == "extra_forbidden":
        loc = error.get("loc") or ()
        name = str(loc[-1]) if loc else ""
        return template + did_you_mean(name, fields)
    if kind in ("value_error", "assertion_error"):
        text = str(ctx.get("error", error.get("msg", "")))
        return text.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    try:
        return template.format(**{k: _plain(v) for k, v in ctx.items()})
    except (KeyError, IndexError):
        return str(error.get("msg", kind))


def _plain(value: Any) -> str:
    text = _DECIMAL_REPR.sub(r"\1", str(value))
    return text if len(text) <= 40 else text[:37] + "…"


_DECIMAL_REPR = re.compile(r"Decimal\('([^']*)'\)")


def show_input(value: Any, *, limit: int = 60) -> str:
    """A value as a message shows it: quoted text, shortened, personal numbers masked."""
    if isinstance(value, dict):
        return "{…}"
    if hasattr(value, "number") and hasattr(value, "currency"):  # an Amount
        text = f"{value.number} {value.currency}"
    elif isinstance(value, list | tuple):
        return "[…]"
    else:
        text = value if isinstance(value, str) else str(value)
    text = mask_personal(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text) if isinstance(value, str) else text


def mask_personal(text: str) -> str:
    """``text`` with each ID-card, mobile or bank-card number replaced by ``<kind>``."""
    from fupin import pii

    hits = pii.find(text)
    if not hits:
        return text
    out, last = [], 0
    for hit in sorted(hits, key=lambda h: h.start):
        if hit.start < last:
            continue
        out += [text[last : hit.start], f"<{hit.label}已隐去>"]
        last = hit.end
    return "".join([*out, text[last:]])


def location(loc: Sequence[int | str]) -> str:
    """pydantic's ``loc`` as the ledger spells it: ``shares.Government``, ``fiscal-families``."""
    return ".".join(str(part) for part in loc if not isinstance(part, int)) or "?"


def describe(
    error: Mapping[str, Any], fields: Sequence[str] = (), *, with_input: bool = True
) -> str:
    """``<field> = <value>: <中文说明>`` (the value left out for a missing field)."""
    text = explain(error, fields)
    if not error.get("loc"):  # a model-level check: its text names the field(s)
        return text
    where = location(error["loc"])
    if error.get("type") in ("missing", "extra_forbidden") or not with_input:
        return f"{where}: {text}"
    return f"{where} = {show_input(error.get('input'))}: {text}"
