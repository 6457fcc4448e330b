"""ENTITY / LEDGER / PII: nothing invalid passes silently (issue 12, DESIGN "Trust").

Field-by-field validation happens when the book parses each entity (pydantic, ENTITY
errors) and each policy entry (POLICY errors); a second definition of an id is dropped there
too (``fupin.integrity``). What needs the whole book is checked here, in one walk over the
entries shared by three rules:

* **ENTITY** — every reference an entity's ``refs`` declare resolves: a project's ``fund``,
  an asset's ``funding`` sources, a plan's ``recipients``, a notice's ``subject`` (fund,
  project or plan by its type), a contract's project or asset, a statement's ``account``, a
  household holder (when the ledger declares a register); a right or event is not dated
  before its asset was registered; a contract (or a ``procured`` stage's ``contract_amount``)
  stays within the project's approved budget; every amount of an entity is in the operating
  currency. (A stage's project, an asset's projects, a right's, event's or plan's asset are
  B33/B37/B38/B39's.)
* **LEDGER** — transaction and posting metadata, amounts and accounts
  (``fupin.plugins.ledger_data``).
* **PII** — personal numbers in the ledger's text (``fupin.plugins.personal_data``).

Every finding sits at the entry at fault and names the field and the value (never a
personal number).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from beancount.core.amount import Amount
from beancount.core.data import Balance, Custom, Open, Transaction
from fupin.plugins.flags_projects import Contract
from fupin.plugins.ledger_data import WATCHED, LedgerChecker, LedgerDataError, wrong_currency
from fupin.plugins.personal_data import PersonalDataError, TextScanner, title_finding
from fupin.plugins.text_summary import TextSummary, summarize, texts
from fupin.plugins.villages import unknown_places

from fupin import file_memo
from fupin.engine import Item, Rule, check
from fupin.entities import ENTITY_TYPES, Entity, Notice, ProjectStage
from fupin.findings import EntityError, Finding
from fupin.households import RegisterError, RegisterRef, cached_register, register_path
from fupin.integrity import Resolver, entity_finding, posted_before_subject
from fupin.messages_zh import show_input
from fupin.microcredit import EVENTS, Loan, LoanEvent
from fupin.money import fmt_money

if TYPE_CHECKING:
    from fupin.book import Book


#: References a rule family reports itself, in its own words (kind, field → rule).
REPORTED_BY_RULES = frozenset(
    (
        ("project-stage", "project"),  # B33: 阶段记录引用了项目库中没有的项目
        ("asset", "projects"),  # B37: 资产登记引用了项目库中没有的项目
        ("asset-right", "asset"),  # B37: 权属记录引用了未登记的资产
        ("asset-event", "asset"),  # B38: 资产变动记录引用了未登记的资产
        ("income-plan", "asset"),  # B39: 收益分配方案引用了未登记的资产
    )
)


# -- the walk ----------------------------------------------------------------------------------
class Walked(NamedTuple):
    """What one walk over the book's entries found, by family."""

    entity: list[Finding]
    ledger: list[Finding]
    personal: list[Finding]


#: ``book.shared`` name of the transactions whose texts the walk reads (ids); unset: all.
#: The post-import check sets it to the new entries (:mod:`fupin.importers.check`): the
#: transactions' LEDGER and PII checks are each about one transaction and the conventions,
#: so the existing ones, checked at load, need not be read again.
TEXT_SCOPE = "integrity-text-scope"


def walked(book: Book) -> Walked:
    """The findings of the one walk (made once per book, shared by the three rules)."""
    return book.shared("integrity-walk", lambda: _walk(book))


def _walk(book: Book) -> Walked:
    resolver = Resolver(book, households=_households(book))
    currency = _currency(book.options)
    out = Walked([], [], [])
    _entities(book, resolver, currency, out.entity)
    out.entity.extend(unknown_places(book))  # townships and villages against the register
    scan = TextScanner()
    checker = LedgerChecker(book, resolver, currency, out.ledger)
    checker.dates(book.entries)
    collect, values = scan.collect, scan.values
    scope: frozenset[int] | None = book.shared(TEXT_SCOPE, lambda: None)
    txns: list[Transaction] = []
    by_file: dict[str, list[Transaction]] = {}  # the same, by the file they were read from
    for entry in book.entries:
        if type(entry) is Transaction:
            if scope is None or id(entry) in scope:
                txns.append(entry)
                name = entry.meta.get("filename", "") if entry.meta else ""
                group = by_file.get(name)
                if group is None:
                    by_file[name] = [entry]
                else:
                    group.append(entry)
            continue
        if type(entry) is Open:
            checker.open(entry)
        elif type(entry) is Custom:
            checker.custom(entry)
        elif type(entry) is Balance:
            checker.balance(entry)
        collect(entry)
    # each file's transactions summed up once (kept per unchanged file: fupin.file_memo);
    # the texts of a file that may hold a personal number or a foreign amount are read again
    summaries: list[TextSummary] = []
    for name, group in by_file.items():
        read: list[set[Any]] = []  # the texts, when the summary is computed now
        summary = file_memo.recall(
            name, "texts", group, partial(summarize, group, WATCHED, read.append)
        )
        summaries.append(summary)
        if summary.personal or not summary.amount_currencies <= {currency}:
            values.update(read[0] if read else texts(group))
    if checker.judge(summaries):  # a problem somewhere: find it, transaction by transaction
        for txn in txns:
            checker.transaction(txn)
    # each distinct metadata amount and text read once; a second pass only on a hit (rare)
    wrong = {v for v in values if type(v) is Amount and v.currency != currency}
    if scan.suspects() or wrong:
        for entry in book.entries:
            if type(entry) is Transaction:
                if scope is not None and id(entry) not in scope:
                    continue
                if wrong:
                    checker.amounts(entry, wrong)
            scan.report(entry, out.personal)
    title = title_finding(book.options)
    if title is not None:
        out.personal.append(title)
    return out


def _currency(options: Mapping[str, Any]) -> str:
    """The ledger's operating currency (the first ``option "operating_currency"``), CNY."""
    found = options.get("operating_currency") or ()
    return str(found[0]) if found else "CNY"


def _households(book: Book) -> frozenset[str] | None:
    """The register's household ids; None without a register (or when C08 says it is broken)."""
    if not book.all(RegisterRef):
        return None
    path = register_path(None, book)
    try:
        return frozenset(cached_register(path).households) if path else None
    except (RegisterError, OSError):
        return None


# -- ENTITY: references and cross-entity consistency -----------------------------------------
def _entities(book: Book, resolver: Resolver, currency: str, out: list[Finding]) -> None:
    for kind, items in book.entities.items():
        model = ENTITY_TYPES.get(kind)
        if model is None:
            continue
        for entity in items:
            entry = book.entry_of(entity)
            for name, ref_kind, ident in entity.references():
                if (kind, name) in REPORTED_BY_RULES:
                    continue
                if resolver.missing(ref_kind, ident):
                    out.append(
                        entity_finding(
                            entity,
                            entry,
                            f"{name} = {show_input(ident)}: {resolver.message(ref_kind, ident)}",
                        )
                    )
            if Amount not in map(type, entry.meta.values()):
                continue
            for name, value in entry.meta.items():
                wrong = wrong_currency(value, currency)
                if wrong:
                    out.append(
                        entity_finding(entity, entry, f"{name} = {show_input(value)}: {wrong}")
                    )
    _after_registration(book, out)
    _within_budget(book, out)


def _after_registration(book: Book, out: list[Finding]) -> None:
    """A dated change (a model's ``parent``: an asset's right or event, a loan's event, a
    case's step) is not dated before its entity exists; a notice is not posted before the
    project, fund or plan it discloses was entered."""
    for notice in book.all(Notice):
        facts = book.facts.notice(notice)
        if facts.before_subject and facts.subject_since is not None:
            text = posted_before_subject(notice, facts.subject_kind, facts.subject_since)
            out.append(entity_finding(notice, book.entry_of(notice), text))
    for kind, items in book.entities.items():
        model = ENTITY_TYPES.get(kind)
        parent_model = ENTITY_TYPES.get(model.refs.get(model.parent, "")) if model else None
        if model is None or parent_model is None:
            continue
        parents = book.by_id(parent_model)
        for item in items:
            parent = parents.get(getattr(item, model.parent))
            if parent is None:
                continue
            since = parent.exists_from()
            if item.date < since:
                out.append(
                    entity_finding(
                        item,
                        book.entry_of(item),
                        f"date: {model.label}日期 {item.date} 早于{parent_model.since_label} "
                        f"{since} — {parent.describe()}",
                    )
                )
            elif isinstance(item, LoanEvent) and isinstance(parent, Loan):
                _within_loan(book, item, parent, out)


def _within_loan(book: Book, event: LoanEvent, loan: Loan, out: list[Finding]) -> None:
    """An overdue or recovered amount is part of the loan, never more than it."""
    if event.amount is not None and event.amount > loan.amount:
        out.append(
            entity_finding(
                event,
                book.entry_of(event),
                f"amount: {EVENTS[event.event]}金额 {fmt_money(event.amount)} > 贷款金额 "
                f"{fmt_money(loan.amount)} CNY — {loan.describe()}",
            )
        )


def _within_budget(book: Book, out: list[Finding]) -> None:
    """A contract, or a ``procured`` stage's ``contract_amount``, within the approved budget."""
    stages = book.stages()
    projects = book.projects

    def limit(ident: str, day: datetime.date) -> Any:
        project = projects.get(ident)
        if project is None:
            return None
        budgets = [
            s.budget for s in stages.get(ident, ()) if s.budget is not None and s.date <= day
        ]
        return budgets[-1] if budgets else project.budget

    for contract in book.all(Contract):
        budget = limit(contract.project or "", contract.date)
        if budget is not None and contract.amount > budget:
            out.append(_over(book, contract, "amount", contract.amount, budget, contract.project))
    for stage in book.all(ProjectStage):
        if stage.contract_amount is None:
            continue
        budget = limit(stage.project, stage.date)
        if budget is not None and stage.contract_amount > budget:
            out.append(
                _over(book, stage, "contract_amount", stage.contract_amount, budget, stage.project)
            )


def _over(
    book: Book, item: Entity, name: str, amount: Decimal, budget: Decimal, project: str | None
) -> EntityError:
    label = book.projects[project or ""].describe()
    return entity_finding(
        item,
        book.entry_of(item),
        f"{name}: 合同金额 {fmt_money(amount)} > 批复预算 {fmt_money(budget)} CNY (budget) — {label}",
    )


# -- the rules ---------------------------------------------------------------------------------
def entity_integrity(book: Book) -> Iterator[Item]:
    """ENTITY: references, cross-entity order and budgets, currencies of entity fields."""
    yield from walked(book).entity


def ledger_integrity(book: Book) -> Iterator[Item]:
    """LEDGER: transaction and posting metadata, currencies, account components."""
    yield from _counted(LedgerDataError, "LEDGER", "无效引用、代码值与币种", walked(book).ledger)


def personal_data(book: Book) -> Iterator[Item]:
    """PII: no ID-card, mobile or bank-card number in the ledger's own text."""
    title = "账簿文本中的身份证号/手机号/银行卡号"
    yield from _counted(PersonalDataError, "PII", title, walked(book).personal)


def _counted(error: type[Finding], rule: str, title: str, found: list[Finding]) -> Iterator[Item]:
    """The findings, and one compliance row counting them (0 passes)."""
    yield from found
    yield from check(
        error,
        rule=rule,
        title=title,
        scope="账簿",
        value=len(found),
        op="<=",
        threshold=0,
        unit="count",
        report=False,
    )


RULES = (
    Rule(
        ("ENTITY",),
        "实体引用与一致性",
        "seed 003 (专户管理、专账核算、专款专用); N-LIB2018 (项目库); N-ASSET2021 (资产台账)",
        entity_integrity,
    ),
    Rule(
        ("LEDGER",),
        "账簿数据: 引用、代码表与币种",
        "seed 003 (专户管理、专账核算、专款专用); N-FUND2021",
        ledger_integrity,
    ),
    Rule(
        ("PII",),
        "账簿中的个人信息",
        "N-PRIV2018 (个人隐私信息去标识化)",
        personal_data,
    ),
)
