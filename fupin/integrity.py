"""Every id defined once, every reference resolved: the core of the ledger's integrity checks.

* **Duplicates** (:func:`drop_redefinitions`): an id is defined once per kind. A second
  ``custom "project" "P-2021-001"`` is an ENTITY error at the second entry naming the first's
  file:line, and is left out, so :meth:`fupin.book.Book.by_id` always sees the first. A
  change over time is a dated entity of its own kind (``project-stage``, ``asset-right``,
  ``asset-event``), never a redefinition.
* **References** (:class:`Resolver`): each model's ``refs`` (``fupin.entities``) name the
  kind a field points at; :meth:`Resolver.missing` says whether an id of that kind exists
  (an entity defined in the book, or one that failed validation and has its own error; an
  opened account; a household of the register when the ledger declares one; a known
  expense category or fund source).

The rules that report dangling references live in ``fupin.plugins.integrity``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fupin.entities import ENTITY_TYPES, Entity
from fupin.findings import EntityError, Severity
from fupin.messages_zh import did_you_mean, show_input
from fupin.vocab import CATEGORIES, CATEGORY_KEYS, SOURCES

if TYPE_CHECKING:
    from beancount.core.data import Custom, Meta

    from fupin.book import Book

#: what a referenced kind is called in a message
KIND_NAMES = {
    "fund": "资金",
    "project": "项目",
    "asset": "扶贫资产",
    "notice": "公示公告",
    "income-plan": "收益分配方案",
    "contract": "合同",
    "worker": "务工人员",
    "statement": "银行对账单",
    "household": "农户信息库中的农户",
    "account": "已开设的账户",
    "category": "支出类别",
    "source": "资金来源",
}


def where(meta: Meta | None) -> str:
    """``file:line`` of an entry's metadata."""
    meta = meta or {}
    return f"{meta.get('filename', '?')}:{meta.get('lineno', 0)}"


def drop_redefinitions(
    entities: MutableMapping[str, list[Entity]], sources: Mapping[int, Custom]
) -> list[EntityError]:
    """Keep the first definition of each id per kind; each later one is an error (in place)."""
    errors: list[EntityError] = []
    for items in entities.values():
        first: dict[str, Entity] = {}
        kept: list[Entity] = []
        for entity in items:
            ident = entity.key()
            if ident is None:
                kept.append(entity)
                continue
            held = first.setdefault(ident, entity)
            if held is entity:
                kept.append(entity)
                continue
            entry = sources[id(entity)]
            model = type(entity)
            shown = ident.partition("@")[0] if "@" in ident else ident
            errors.append(
                EntityError(
                    entry.meta,
                    f"ENTITY error: {model.label} {shown}: 重复定义 (已在 "
                    f"{where(sources[id(held)].meta)} 定义; 以首次定义为准, 此条被忽略; "
                    "变更请用带日期的阶段/权属/变动记录)",
                    entry,
                    rule="ENTITY",
                    entity=shown,
                )
            )
        if len(kept) != len(items):
            items[:] = kept
    return errors


@dataclass
class Resolver:
    """The ids a reference of each kind may name, from one book."""

    book: Book
    #: household ids of the register; None when the ledger declares none (or it fails to load)
    households: frozenset[str] | None = None
    _known: dict[str, frozenset[str]] = field(default_factory=dict)

    def known(self, kind: str) -> frozenset[str] | None:
        """Every id of ``kind`` a reference may name (None: cannot be checked); ``a|b``:
        an id of either kind."""
        if "|" in kind:
            parts = [self.known(k) for k in kind.split("|")]
            if any(p is None for p in parts):
                return None
            return frozenset().union(*(p for p in parts if p is not None))
        held = self._known.get(kind)
        if held is None:
            held = self._build(kind)
            if held is None:
                return None
            self._known[kind] = held
        return held

    def missing(self, kind: str, ident: str) -> bool:
        """Whether ``ident`` names nothing of ``kind``."""
        known = self.known(kind)
        return known is not None and ident not in known

    def message(self, kind: str, ident: str) -> str:
        """``未定义的项目 'P-2099' (是否应为 'P-2021-009'?)``."""
        known = self.known(kind) or frozenset()
        name = "或".join(KIND_NAMES.get(k, k) for k in kind.split("|"))
        hint = did_you_mean(ident, sorted(known)) if len(known) < 20000 else ""
        if kind == "household":
            return f"{name}中没有 {show_input(ident)}{hint}"
        if kind == "account":
            return f"账户 {show_input(ident)} 未开设 (open){hint}"
        if kind in ("category", "source"):
            return f"未知的{name} {show_input(ident)}{hint}"
        return f"未定义的{name} {show_input(ident)}{hint}"

    def _build(self, kind: str) -> frozenset[str] | None:
        book = self.book
        if kind == "account":
            return frozenset(book.opens)
        if kind == "household":
            return self.households
        if kind == "category":
            return frozenset(categories(book))
        if kind == "source":
            found = set(SOURCES)
            for fund in book.funds.values():
                found.update(fund.shares or ())
            return frozenset(found)
        model = ENTITY_TYPES.get(kind)
        if model is None:
            return None
        ids = {e.key() for e in book.all(model)}
        ids.update(book.invalid.get(kind, ()))
        ids.update(book.later_ids.get(kind, ()))  # as of a day: registered after it
        return frozenset(i for i in ids if i is not None)


def categories(book: Book) -> set[str]:
    """The expense categories a ledger knows: the conventions' and every one its policy
    names in any category list, at any date."""
    found = set(CATEGORIES)
    snapshots: Sequence[Any] = (book.policy.at(_EPOCH), *book.policy.snapshots)
    for policy in snapshots:
        for key in CATEGORY_KEYS:
            value = getattr(policy, key.replace("-", "_"))
            found.update((value,) if isinstance(value, str) else value)
    return found


_EPOCH = datetime.date(1, 1, 1)


def posted_before_subject(notice: Any, kind: str, since: datetime.date) -> str:
    """Why a notice posted before its subject was entered in the books cannot be printed
    (the ENTITY finding and the notices' refusal say the same)."""
    return (
        f"start: 公示日期 {notice.start} 早于{KIND_NAMES.get(kind, kind)} {notice.subject} "
        f"的登记日期 {since}, 公示不能早于公示对象"
    )


def entity_finding(
    entity: Entity,
    entry: Custom,
    text: str,
    *,
    severity: str = Severity.ERROR,
    policy_key: str = "",
) -> EntityError:
    """``ENTITY error: 项目 P-1: <text>`` at the entity's own ``custom`` entry."""
    ident = str(entry.values[0].value) if entry.values else "?"
    return EntityError(
        entry.meta,
        f"ENTITY {severity}: {type(entity).label} {ident}: {text}",
        entry,
        rule="ENTITY",
        severity=severity,
        entity=ident,
        policy_key=policy_key,
    )
