"""Categorisation rules: a statement row's counter-party and memo → the other leg.

Kept as data a county edits (TOML), tried top to bottom, first match wins::

    [[rule]]
    counterparty = "宏达建筑"          # regular expression, searched in 对方户名
    memo = "进度款"                    # regular expression, searched in 摘要/用途
    direction = "out"                  # out | in (default: either)
    account = "Expenses:Industry:Livestock"
    project = "P-2022-001"             # written as transaction metadata
    payment = "progress"

    [names]                            # Chinese names for accounts an import opens
    "Income:Fund:{fund}:Interest" = "衔接资金利息收入"

``{fund}`` in an account stands for the fund id of the statement's account (its last
component). A row no rule matches goes to the importer's suspense account and is listed.

The file is read as a whole or not at all (:func:`parse_rules`): a TOML syntax error, an
unknown key, a bad pattern, direction or account stops it with a Chinese message naming the
file, the line and the key, and no rule of it applies. An importer given the file's path
reads it through :class:`RulesFile`, again whenever its content changed: Fava runs the
import configuration once, so the county's edit is seen on the next import without a
restart, in ``fupin import`` and on Fava's import page alike.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from beancount.core import account as accounts
from fupin.importers.layout import RegularExpression
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from fupin.messages_zh import did_you_mean, explain

#: the file's top-level keys
TOP_KEYS = ("rule", "names")


class RulesError(Exception):
    """A rules file that does not read or validate: ``<file>:<line>: …`` naming the key."""


class CategoryRule(BaseModel):
    """One rule: patterns on the row, and what the other leg becomes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    counterparty: RegularExpression | None = None
    memo: RegularExpression | None = None
    direction: Literal["in", "out"] | None = None
    account: str
    project: str | None = None
    payment: str | None = None
    note: str | None = None

    @field_validator("account")
    @classmethod
    def _valid_account(cls, value: str) -> str:
        if not accounts.is_valid(fill(value, "FUND")):
            raise ValueError(
                f"{value!r} 不是有效的科目名 (如 Expenses:Industry:Livestock, "
                "Income:Fund:{fund}:Interest)"
            )
        return value

    def matches(self, counterparty: str, memo: str, amount: Decimal) -> bool:
        if (self.direction == "out" and amount >= 0) or (self.direction == "in" and amount < 0):
            return False
        if self.counterparty and not _compiled(self.counterparty).search(counterparty):
            return False
        return not (self.memo and not _compiled(self.memo).search(memo))


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@dataclass(frozen=True)
class Rules:
    """An ordered rule list and the Chinese names of accounts an import may open."""

    rules: Sequence[CategoryRule] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    path: str = ""

    def match(self, counterparty: str, memo: str, amount: Decimal) -> CategoryRule | None:
        for rule in self.rules:
            if rule.matches(counterparty, memo, amount):
                return rule
        return None


@dataclass(frozen=True)
class RulesFile:
    """The county's rules file, read again whenever its content changed (module docstring).

    :meth:`current` reads the bytes on each call (a few kB: one read per imported file);
    unchanged bytes give the rules parsed before, so an edit is seen even when it keeps the
    file's size and modification time. Raises :class:`RulesError`; the rules of an earlier
    good version are never used after the file changed."""

    path: Path

    def current(self) -> Rules:
        try:
            content = self.path.read_bytes()
        except OSError as exc:
            raise RulesError(f"{self.path}: 无法读取导入规则文件: {exc.strerror or exc}") from None
        return _parsed(content, str(self.path))


#: what an importer is given: fixed rules, or the county's file
RulesSource = Rules | RulesFile


def rules_source(rules: Rules | str | Path | None) -> RulesSource:
    """Fixed rules as they are; a path → its :class:`RulesFile`; None → no rules."""
    if rules is None or isinstance(rules, Rules):
        return rules or Rules()
    return RulesFile(Path(rules))


def current_rules(source: RulesSource) -> Rules:
    return source.current() if isinstance(source, RulesFile) else source


@functools.lru_cache(maxsize=32)
def _parsed(content: bytes, path: str) -> Rules:
    """One version of a rules file, parsed once (a failure is not cached: raised again)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise _error(path, line, "导入规则文件不是 UTF-8 编码 (请用 UTF-8 另存)") from None
    return parse_rules(text, path)


def load_rules(path: str | Path | None) -> Rules:
    """Read a rules TOML file now (None: no rules, every row goes to suspense)."""
    return Rules() if path is None else RulesFile(Path(path)).current()


TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def parse_rules(text: str, path: str | Path) -> Rules:
    """The rules of a whole file's ``text``, all of them or :class:`RulesError` naming the
    file, the line and the key of the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = TOML_AT.search(message)
        line, column = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
        key = _key_on(text, line)
        where = f"[{key}] " if key else ""
        raise _error(
            path, line, f"TOML 语法错误 {where}(第{column}列): {TOML_AT.sub('', message)}"
        ) from None
    for key in data:
        if key not in TOP_KEYS:
            hint = did_you_mean(key, TOP_KEYS)
            line = _line_of(text, None, 0, key)
            raise _error(path, line, f"未知的键 [{key}]{hint}: 只可有 [[rule]] 与 [names]")
    items = data.get("rule", [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _error(path, _line_of(text, None, 0, "rule"), "rule 应写作 [[rule]] 表")
    rules = [_rule(text, path, number, item) for number, item in enumerate(items, 1)]
    names = data.get("names", {})
    if not isinstance(names, dict):
        raise _error(path, _line_of(text, None, 0, "names"), "names 应写作 [names] 表")
    for name, value in names.items():
        if not isinstance(value, str):
            line = _line_of(text, "names", 0, name)
            raise _error(path, line, f"[names] {name}: 应为文本 (用双引号括起)")
    return Rules(tuple(rules), {str(k): str(v) for k, v in names.items()}, str(path))


def _rule(text: str, path: str | Path, number: int, item: dict[str, Any]) -> CategoryRule:
    try:
        return CategoryRule.model_validate(item)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # a misspelt key first: its "did you mean" says more than the field it left missing
        first = min(errors, key=lambda e: e["type"] != "extra_forbidden")
        key = ".".join(str(p) for p in first["loc"]) or "?"
        line = _line_of(text, "rule", number, key)
        said = explain(first, tuple(CategoryRule.model_fields))
        raise _error(path, line, f"第{number}条规则 (rule) 的 {key}: {said}") from None


def _error(path: str | Path, line: int, problem: str) -> RulesError:
    where = f"{path}:{line}" if line else str(path)
    return RulesError(f"{where}: 导入规则有误, 未生效: {problem}")


_TABLE = re.compile(r"\s*(\[\[?)\s*([^\]\s]+)\s*\]")
_KEY = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")


def _line_of(text: str, table: str | None, index: int, key: str) -> int:
    """The line of ``key`` in ``table`` (its ``index``-th, 1-based, for ``[[table]]``;
    None: the top level, where a table named ``key`` counts too), else the table's header
    line, else 0."""
    inside = table is None
    count, header = 0, 0
    for number, line in enumerate(text.splitlines(), 1):
        head = _TABLE.match(line)
        if head is not None:
            name, array = head.group(2), head.group(1) == "[["
            if table is None and name == key:
                return number
            count += array and name == table
            inside = name == table and (not array or count == index)
            header = number if inside else header
            continue
        found = _KEY.match(line) if inside else None
        if found is not None and found.group(1).strip("\"'") == key:
            return number
    return header


def _key_on(text: str, line: int) -> str:
    """The key a line of ``text`` sets, if any (for a syntax error's message)."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return ""
    found = _KEY.match(lines[line - 1])
    return found.group(1).strip("\"'") if found else ""


def fill(text: str, fund: str) -> str:
    """Substitute ``{fund}`` in an account or name."""
    return text.replace("{fund}", fund)
