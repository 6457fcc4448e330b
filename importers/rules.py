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
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from fupin.importers.layout import RegularExpression
from pydantic import BaseModel, ConfigDict, ValidationError


class RulesError(Exception):
    """A rules file that does not validate (names the file, the rule and the field)."""


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


def load_rules(path: str | Path | None) -> Rules:
    """Read a rules TOML file (None: no rules, every row goes to suspense)."""
    if path is None:
        return Rules()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"{path}: {exc}") from None
    rules = []
    for number, item in enumerate(data.get("rule", []), 1):
        try:
            rules.append(CategoryRule.model_validate(item))
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            raise RulesError(f"{path}: 第{number}条规则 {where}: {first['msg']}") from None
    names = {str(k): str(v) for k, v in data.get("names", {}).items()}
    return Rules(tuple(rules), names, str(path))


def fill(text: str, fund: str) -> str:
    """Substitute ``{fund}`` in an account or name."""
    return text.replace("{fund}", fund)
