"""What the fupin Fava pages show, as plain functions over the Book and the rule results.

Nothing here imports Flask or Fava: the extension classes in ``__init__`` call these with
the book built once per load, and tests call them directly. Numbers are Decimals; the
percentages shown are :func:`fupin.money.fmt_pct` of exact ratios (half up, 0.01%).
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from beancount.core.data import Transaction

from fupin.entities import STAGE_NAMES, STAGES, Fund, Notice, Project, ProjectStage
from fupin.facts import touched_entities as _touched
from fupin.findings import Finding, Measure, Severity, shown
from fupin.money import ZERO, fmt_money, fmt_pct, ratio
from fupin.names import (
    CATEGORY_NAMES,
    CHANNEL_NAMES,
    NOTICE_LEVEL_NAMES,
    NOTICE_TYPE_NAMES,
    SOURCE_NAMES,
)
from fupin.shares import fiscal_funds, policy_for, year_share

if TYPE_CHECKING:
    from beancount.core.data import Directive

    from fupin.book import Book
    from fupin.engine import Results

OPS = {">=": "≥", "<=": "≤", "==": "=", ">": ">", "<": "<"}


# -- helpers ------------------------------------------------------------------------------
def category_name(book: Book, category: str) -> str:
    """``产业发展`` for ``Industry``: the ledger's own name first, then the conventions."""
    name = book.account_name(f"Expenses:{category}")
    if name != f"Expenses:{category}":
        return name
    return CATEGORY_NAMES.get(category, category)


def source_name(book: Book, fund: str, source: str) -> str:
    name = book.account_name(f"Income:Fund:{fund}:{source}")
    if name != f"Income:Fund:{fund}:{source}":
        return name
    return SOURCE_NAMES.get(source, source)


@dataclass(frozen=True)
class Where:
    """A place in the ledger: what Fava's source link (editor, file:line) needs."""

    filename: str
    lineno: int

    @property
    def label(self) -> str:
        return f"{self.filename.rsplit('/', 1)[-1]}:{self.lineno}"


def where(meta: Any) -> Where | None:
    if not meta or not meta.get("filename") or not meta.get("lineno"):
        return None
    return Where(str(meta["filename"]), int(meta["lineno"]))


# -- 合规 compliance ------------------------------------------------------------------------
@dataclass(frozen=True)
class MeasureRow:
    """One compliance row as shown: the rule's value vs its threshold, passing or not."""

    measure: Measure
    rule_title: str
    where: Where | None

    @property
    def value(self) -> str:
        return shown(self.measure)[0]

    @property
    def threshold(self) -> str:
        return shown(self.measure)[1]

    @property
    def op(self) -> str:
        return OPS.get(self.measure.op, self.measure.op)

    @property
    def status(self) -> str:
        """``ok`` / ``error`` / ``warning``."""
        if self.measure.ok:
            return "ok"
        return "error" if self.measure.severity == Severity.ERROR else "warning"


@dataclass(frozen=True)
class FindingRow:
    finding: Finding
    where: Where | None
    date: datetime.date | None

    @property
    def entry(self) -> Directive | None:
        return self.finding.entry


@dataclass(frozen=True)
class RuleSummary:
    rule: str
    title: str
    rows: int
    passed: int
    errors: int
    warnings: int
    source: str = ""  # the rule's citation (for K rows: the audit finding and its figures)


@dataclass(frozen=True)
class Compliance:
    rows: Sequence[MeasureRow]
    findings: Sequence[FindingRow]
    summary: Sequence[RuleSummary]
    filtered: bool = False

    @cached_property
    def counts(self) -> dict[str, int]:
        """Rows by status: ``ok``, ``error``, ``warning``."""
        out = {"ok": 0, "error": 0, "warning": 0}
        for row in self.rows:
            out[row.status] += 1
        return out


def rule_titles() -> dict[str, str]:
    from fupin.plugins import RULES

    titles = {rule_id: rule.title for rule in RULES for rule_id in rule.ids}
    titles.update(ENTITY="实体字段", POLICY="政策参数")
    return titles


def rule_sources() -> dict[str, str]:
    """Each rule id's 依据: the documents (title and 文号) of the law or audit finding it
    enforces (:mod:`fupin.basis`)."""
    from fupin.basis import rule_basis

    return rule_basis()


def compliance(
    book: Book,
    results: Results,
    *,
    years: Collection[int] | None = None,
    dates: tuple[datetime.date, datetime.date] | None = None,
    entries: Collection[int] | None = None,
    entities: Collection[str] | None = None,
) -> Compliance:
    """Every measure and finding, optionally narrowed by Fava's filters.

    ``years``/``dates`` come from the time filter (``dates`` half-open); ``entries`` (ids
    of the filtered entries) and ``entities`` (fund/project ids the filtered transactions
    touch) from the account or advanced filter. A row with no year, date or entity is
    kept: the filter does not apply to it.
    """
    titles = rule_titles()
    rows = []
    for m in results.measures:
        if years is not None and m.year is not None and m.year not in years:
            continue
        if (
            entities is not None
            and m.entity
            and not m.entity.isdigit()
            and m.entity not in entities
        ):
            continue
        rows.append(MeasureRow(m, titles.get(m.rule, m.rule), where(m.source)))
    found = []
    for f in results.findings:
        entry = f.entry
        date = getattr(entry, "date", None)
        if (  # a finding on an entity (fund, project, notice) is the state at the period's end
            dates is not None
            and isinstance(entry, Transaction)
            and not dates[0] <= entry.date < dates[1]
        ):
            continue
        if entries is not None and isinstance(entry, Transaction) and id(entry) not in entries:
            continue
        found.append(FindingRow(f, where(f.source), date))
    order = {rule_id: i for i, rule_id in enumerate(titles)}
    sources = rule_sources()
    summary = []
    by_rule: dict[str, list[MeasureRow]] = defaultdict(list)
    for row in rows:
        by_rule[row.measure.rule].append(row)
    finding_rules = {f.finding.rule for f in found}
    for rule_id in sorted(set(by_rule) | finding_rules, key=lambda r: (order.get(r, -1), r)):
        items = by_rule.get(rule_id, [])
        rule_found = [f for f in found if f.finding.rule == rule_id]
        summary.append(
            RuleSummary(
                rule_id,
                titles.get(rule_id, rule_id),
                len(items),
                sum(1 for r in items if r.measure.ok),
                sum(1 for f in rule_found if f.finding.severity == Severity.ERROR),
                sum(1 for f in rule_found if f.finding.severity != Severity.ERROR),
                sources.get(rule_id, ""),
            )
        )
    filtered = years is not None or dates is not None or entries is not None
    return Compliance(rows, found, summary, filtered)


def compliance_json(view: Compliance) -> str:
    """Measures and findings as JSON (what ``fupin compliance --json`` and ``check --json``
    give); every value is already a str/int/bool, so the stdlib encoder does it."""
    findings = []
    for row in view.findings:
        f = row.finding
        findings.append(
            {
                "rule": f.rule,
                "severity": f.severity,
                "message": f.message,
                "file": row.where.filename if row.where else None,
                "line": row.where.lineno if row.where else None,
                "entity": f.entity,
                "value": str(f.value),
                "threshold": str(f.threshold),
            }
        )
    data = {"measures": [row.measure.as_dict() for row in view.rows], "findings": findings}
    return json.dumps(data, ensure_ascii=False)


touched_entities = _touched


# -- 资金 funds -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SourceRow:
    source: str
    name: str
    actual: Decimal
    actual_share: Decimal
    declared_share: Decimal | None
    declared: Decimal | None

    @property
    def diff(self) -> Decimal | None:
        return None if self.declared is None else self.actual - self.declared


@dataclass(frozen=True)
class FundRow:
    fund: Fund
    where: Where | None
    sources: Sequence[SourceRow]
    received: Decimal
    spent: Decimal
    prepaid: Decimal  # prepayments not yet settled
    deposit: Decimal  # quality deposits still held (a liability)
    balance: Decimal  # money left in the fund's own accounts
    projects_budget: Decimal
    measures: Sequence[MeasureRow]

    @property
    def execution(self) -> Decimal:
        return ratio(self.spent, self.received)


@dataclass(frozen=True)
class YearRow:
    year: int
    received: Decimal
    projects_budget: Decimal
    spent: Decimal
    by_category: dict[str, Decimal]
    industry: Decimal
    share: MeasureRow | None  # the B02 measure of the year (value vs threshold)

    @property
    def execution(self) -> Decimal:
        return ratio(self.spent, self.received)


@dataclass(frozen=True)
class Funds:
    funds: Sequence[FundRow]
    years: Sequence[YearRow]
    categories: Sequence[tuple[str, str]]  # (category, Chinese name)


def funds(book: Book, results: Results) -> Funds:
    """Each fund's sources (declared vs actual), balance and execution; years.

    Every figure is a fact of the book (:mod:`fupin.facts`); the book is the one the page
    shows (as of Fava's time filter), so nothing here takes a date.
    """
    facts = book.facts
    fund_map = book.funds
    titles = rule_titles()
    by_entity: dict[str, list[MeasureRow]] = defaultdict(list)
    share_of_year: dict[int, MeasureRow] = {}
    for m in results.measures:
        row = MeasureRow(m, titles.get(m.rule, m.rule), where(m.source))
        if m.rule == "B02" and m.year is not None:
            share_of_year[m.year] = row
        elif m.entity in fund_map:
            by_entity[m.entity].append(row)

    rows = []
    for fund in sorted(fund_map.values(), key=lambda f: (f.budget_year, f.id)):
        held = facts.fund(fund.id)
        got = held.sources()
        total = held.received()
        sources = []
        names = list(fund.shares or {}) + [s for s in got if s not in (fund.shares or {})]
        for source in names:
            declared_share = (fund.shares or {}).get(source)
            declared = fund.declared(source)
            sources.append(
                SourceRow(
                    source,
                    source_name(book, fund.id, source),
                    got.get(source, ZERO),
                    ratio(got.get(source, ZERO), total),
                    declared_share,
                    declared,
                )
            )
        rows.append(
            FundRow(
                fund,
                where(book.meta_of(fund)),
                sources,
                total,
                held.spent(),
                held.moved_to("prepayment"),
                -held.moved_to("deposit"),
                held.balance(),
                sum((facts.project(p).budget() for p in held.projects), ZERO),
                by_entity.get(fund.id, []),
            )
        )

    years = []
    categories: dict[str, None] = {}
    for year in sorted({f.fund.budget_year for f in rows}):
        counted = {f.id for f in fiscal_funds(book, year, policy_for(book, year, None))}
        in_year = [f for f in rows if f.fund.id in counted]  # the funds B02 counts
        if not any(f.received or f.spent or f.projects_budget for f in in_year):
            continue  # a year whose funds hold nothing yet (its money still to arrive)
        cats: dict[str, Decimal] = defaultdict(Decimal)
        for f in in_year:
            for category, amount in facts.fund(f.fund.id).categories().items():
                cats[category] += amount
                categories.setdefault(category)
        share = year_share(book, year)  # the rule's own industry figure
        industry = share.industry if share is not None else ZERO
        years.append(
            YearRow(
                year,
                sum((f.received for f in in_year), ZERO),
                sum((f.projects_budget for f in in_year), ZERO),
                sum((f.spent for f in in_year), ZERO),
                dict(cats),
                industry,
                share_of_year.get(year),
            )
        )
    cat_list = [(c, category_name(book, c)) for c in sorted(categories)]
    return Funds(rows, years, cat_list)


# -- 项目 projects --------------------------------------------------------------------------
@dataclass(frozen=True)
class StageStep:
    stage: str
    name: str
    entry: ProjectStage | None
    where: Where | None


@dataclass(frozen=True)
class Evidence:
    date: datetime.date
    kind: str
    ref: str
    where: Where | None


@dataclass(frozen=True)
class Payment:
    entry: Transaction
    where: Where | None
    kind: str
    spent: Decimal
    paid: Decimal
    deposit: Decimal


@dataclass(frozen=True)
class ProjectRow:
    project: Project
    where: Where | None
    stage: str  # current stage
    timeline: Sequence[StageStep]
    budget: Decimal
    spent: Decimal  # expenses booked to the project
    paid: Decimal  # money that left the fund's accounts for it
    prepaid: Decimal  # prepayments outstanding
    deposit_withheld: Decimal
    deposit_released: Decimal
    contract: Decimal | None
    contractor: str | None
    settlement: Decimal | None
    payments: Sequence[Payment]
    evidence: Sequence[Evidence]
    notices: Sequence[Notice]
    measures: Sequence[MeasureRow]
    findings: Sequence[FindingRow]

    category_name: str = ""

    @property
    def stage_name(self) -> str:
        return STAGE_NAMES.get(self.stage, self.stage)

    @property
    def deposit_held(self) -> Decimal:
        return self.deposit_withheld - self.deposit_released

    @property
    def spent_ratio(self) -> Decimal:
        return ratio(self.spent, self.budget)


def project_json(p: ProjectRow) -> dict[str, str]:
    """One library row as JSON (the Fava page's ``data`` and ``fupin projects --json``)."""
    return {
        "id": p.project.id,
        "name": p.project.name,
        "stage": p.stage,
        "budget": str(p.budget),
        "spent": str(p.spent),
        "paid": str(p.paid),
        "deposit_held": str(p.deposit_held),
    }


PAYMENT_NAMES = {
    "prepayment": "预拨",
    "progress": "进度款",
    "final": "结算尾款",
    "deposit": "质保金返还",
}


@dataclass(frozen=True)
class ProjectIndex:
    """What the project rows need from the whole book, gathered once per load."""

    stages: dict[str, list[ProjectStage]]
    notices: dict[str, list[Notice]]
    measures: dict[str, list[MeasureRow]]
    findings: dict[str, list[FindingRow]]


def project_index(book: Book, results: Results) -> ProjectIndex:
    notices_of: dict[str, list[Notice]] = defaultdict(list)
    for notice in book.all(Notice):
        notices_of[notice.subject].append(notice)
    titles = rule_titles()
    measures: dict[str, list[MeasureRow]] = defaultdict(list)
    for m in results.measures:
        measures[m.entity].append(MeasureRow(m, titles.get(m.rule, m.rule), where(m.source)))
    found: dict[str, list[FindingRow]] = defaultdict(list)
    for f in results.findings:
        if f.entity:
            found[f.entity].append(FindingRow(f, where(f.source), getattr(f.entry, "date", None)))
    return ProjectIndex(book.stages(), notices_of, measures, found)


def projects(book: Book, index: ProjectIndex) -> list[ProjectRow]:
    """The project library: stage and money per project (no payment or evidence lists)."""
    return [
        _project_row(book, project, index, detail=False)
        for project in sorted(book.projects.values(), key=lambda p: (p.year, p.id))
    ]


def project(book: Book, index: ProjectIndex, ident: str) -> ProjectRow | None:
    """One project with its stage timeline, payments, evidence and notices."""
    found = book.projects.get(ident)
    return None if found is None else _project_row(book, found, index, detail=True)


def _project_row(book: Book, project: Project, index: ProjectIndex, *, detail: bool) -> ProjectRow:
    steps = index.stages.get(project.id, [])
    first: dict[str, ProjectStage] = {}
    for step in steps:
        first.setdefault(step.stage, step)
    timeline = [
        StageStep(
            s, STAGE_NAMES[s], first.get(s), where(book.meta_of(first[s])) if s in first else None
        )
        for s in (STAGES if detail else ())
    ]
    current = steps[-1].stage if steps else ""
    evidence = [
        Evidence(s.date, STAGE_NAMES.get(s.stage, s.stage), s.doc, where(book.meta_of(s)))
        for s in (steps if detail else ())
        if s.doc
    ]
    facts = book.facts.project(project.id)
    payments = []
    if detail:
        for txn, (t_spent, t_paid, t_dep) in facts.payment_lines():
            kind = str(txn.meta.get("payment", ""))
            payments.append(
                Payment(txn, where(txn.meta), PAYMENT_NAMES.get(kind, kind), t_spent, t_paid, t_dep)
            )
            for key, label in (("voucher", "记账凭证"), ("contract", "合同"), ("invoice", "发票")):
                if txn.meta.get(key):
                    evidence.append(Evidence(txn.date, label, str(txn.meta[key]), where(txn.meta)))
            for link in sorted(txn.links):
                evidence.append(Evidence(txn.date, "链接", f"^{link}", where(txn.meta)))
    contract = facts.contract()
    evidence.sort(key=lambda e: e.date)
    return ProjectRow(
        project,
        where(book.meta_of(project)),
        current,
        timeline,
        facts.budget(),
        facts.spent.total,
        facts.paid(),
        facts.prepayment_open(),
        facts.withheld.total,
        facts.released.total,
        contract.contract_amount if contract else None,
        contract.contractor if contract else None,
        facts.settlement(),
        payments,
        evidence,
        sorted(index.notices.get(project.id, []), key=lambda n: n.start),
        index.measures.get(project.id, []),
        index.findings.get(project.id, []),
        category_name(book, project.category),
    )


# -- 公示 notices ---------------------------------------------------------------------------
@dataclass(frozen=True)
class NoticeRow:
    notice: Notice
    where: Where | None
    days: int | None  # days posted (Notice.days: cut short by a withdrawal); None when long-term
    findings: Sequence[FindingRow]
    measures: Sequence[MeasureRow] = ()
    subject_name: str = ""  # the disclosed project's or fund's name

    @property
    def type_name(self) -> str:
        return str(NOTICE_TYPE_NAMES.get(self.notice.type, self.notice.type))

    @property
    def level_name(self) -> str:
        return str(NOTICE_LEVEL_NAMES.get(self.notice.level, self.notice.level))

    @property
    def channel_name(self) -> str:
        return str(CHANNEL_NAMES.get(self.notice.channel, self.notice.channel))

    @property
    def status(self) -> str:
        """``error`` / ``warning`` / ``ok`` from the findings and measures on the notice."""
        failed = [r.status for r in self.measures if r.status != "ok"]
        failed += [
            "error" if f.finding.severity == Severity.ERROR else "warning" for f in self.findings
        ]
        if "error" in failed:
            return "error"
        return "warning" if failed else "ok"


def notices(book: Book, results: Results) -> list[NoticeRow]:
    """Every notice with its period and what the rules measured and found on it."""
    found: dict[str, list[FindingRow]] = defaultdict(list)
    for f in results.findings:
        if f.entity:
            found[f.entity].append(FindingRow(f, where(f.source), getattr(f.entry, "date", None)))
    titles = rule_titles()
    measured: dict[str, list[MeasureRow]] = defaultdict(list)
    for m in results.measures:
        if m.entity:
            measured[m.entity].append(MeasureRow(m, titles.get(m.rule, m.rule), where(m.source)))
    names = {p.id: p.name for p in book.projects.values()}
    names.update({f.id: f.name for f in book.funds.values()})
    rows = []
    for notice in sorted(book.all(Notice), key=lambda n: (n.start, n.id)):
        rows.append(
            NoticeRow(
                notice,
                where(book.meta_of(notice)),
                notice.days,
                found.get(notice.id, []),
                measured.get(notice.id, []),
                names.get(notice.subject, ""),
            )
        )
    return rows


# -- formatting used by the templates ------------------------------------------------------
def money(value: Decimal | None) -> str:
    return "" if value is None else fmt_money(value)


def pct(value: Decimal | None) -> str:
    return "" if value is None else fmt_pct(value)


# -- 资产 assets ----------------------------------------------------------------------------
#: The four rights of 四权分置, always shown as columns; any other right a province adds
#: (处置权, 分配权, 管护权) is shown when an asset has it.
CORE_RIGHTS = ("ownership", "operation", "income", "supervision")


@dataclass(frozen=True)
class AssetRow:
    state: Any  # fupin.assets.AssetState on the selected day
    where: Where | None
    status_name: str
    level_name: str
    holders: dict[str, str]  # right → "holder share (mode); …"


@dataclass(frozen=True)
class Total:
    key: str
    name: str
    count: int
    value: Decimal


@dataclass(frozen=True)
class Assets:
    day: datetime.date
    rows: Sequence[AssetRow]
    rights: Sequence[tuple[str, str]]  # (right, Chinese name) columns
    by_class: Sequence[Total]
    by_level: Sequence[Total]
    count: int
    value: Decimal


def assets(book: Book, register: Any, day: datetime.date) -> Assets:
    """The asset register (台账) on ``day`` with every right's holders then, and totals."""
    from fupin import assets as fa

    rows = []
    present: set[str] = set()
    states = register.at(day)
    for state in states:
        asset = state.asset
        holders = {right: state.holders(right) for right in state.rights}
        present.update(holders)
        level = state.owner_level
        rows.append(
            AssetRow(
                state,
                where(book.meta_of(asset)),
                fa.STATUSES.get(state.status, state.status),
                fa.LEVEL_NAMES.get(level, level),
                holders,
            )
        )
    rights = [r for r in fa.RIGHTS if r in CORE_RIGHTS or r in present]
    values = fa.value_totals(states)

    def totals(table: dict[str, fa.Tally], names: dict[str, str]) -> list[Total]:
        order = list(names)
        return [
            Total(k, names.get(k, k), v.count, v.value)
            for k, v in sorted(
                table.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
            )
        ]

    return Assets(
        day,
        rows,
        [(r, fa.RIGHTS[r]) for r in rights],
        totals(values.by_class(), fa.ASSET_CLASSES),
        totals(values.by_level(), fa.LEVEL_NAMES),
        values.total.count,
        values.total.value,
    )


@dataclass(frozen=True)
class RightsChange:
    right: str
    name: str
    date: datetime.date
    holders: Sequence[Any]  # AssetRight entries of that date
    where: Where | None
    current: bool


@dataclass(frozen=True)
class IncomeLine:
    entry: Transaction
    where: Where | None
    income: Decimal  # asset income received
    distributed: Decimal  # paid out under a plan


@dataclass(frozen=True)
class AssetDetail:
    row: AssetRow
    history: Sequence[RightsChange]
    events: Sequence[tuple[Any, Where | None]]
    plans: Sequence[tuple[Any, Where | None]]
    income: Sequence[IncomeLine]
    measures: Sequence[MeasureRow]
    findings: Sequence[FindingRow]

    @property
    def income_total(self) -> Decimal:
        return sum((i.income for i in self.income), ZERO)

    @property
    def distributed_total(self) -> Decimal:
        return sum((i.distributed for i in self.income), ZERO)


def asset_detail(
    book: Book,
    results: Results,
    register: Any,
    ident: str,
    day: datetime.date,
) -> AssetDetail | None:
    """One asset on ``day``: rights history, events, income plans and money."""
    from fupin import assets as fa

    if ident not in register.assets:
        return None
    table = assets(book, _One(register, ident), day)
    state = register.state(ident, day)
    row = (
        table.rows[0]
        if table.rows
        else AssetRow(state, where(book.meta_of(state.asset)), "", "", {})
    )
    history = []
    for right in register.rights.get(ident, {}):
        groups = register.groups(ident, right)
        current = register.holders_on(ident, right, day)
        for group in groups:
            history.append(
                RightsChange(
                    right,
                    fa.RIGHTS.get(right, right),
                    group[0].date,
                    group,
                    where(book.meta_of(group[0])),
                    group == current,
                )
            )
    history.sort(key=lambda h: (list(fa.RIGHTS).index(h.right), h.date))
    events = [(e, where(book.meta_of(e))) for e in register.events.get(ident, ())]
    plans = [(p, where(book.meta_of(p))) for p in book.all(fa.IncomePlan) if p.asset == ident]
    income = [
        IncomeLine(txn, where(txn.meta), got, paid)
        for txn, got, paid in book.facts.asset(ident).money_lines(day)
    ]
    titles = rule_titles()
    plan_ids = {p.id for p, _ in plans}
    measures = [
        MeasureRow(m, titles.get(m.rule, m.rule), where(m.source))
        for m in results.measures
        if m.entity == ident or m.entity in plan_ids
    ]
    findings = [
        FindingRow(f, where(f.source), getattr(f.entry, "date", None))
        for f in results.findings
        if f.entity == ident or f.entity in plan_ids
    ]
    return AssetDetail(row, history, events, plans, income, measures, findings)


class _One:
    """A register narrowed to one asset (so :func:`assets` formats a single row)."""

    def __init__(self, register: Any, ident: str) -> None:
        self.register = register
        self.ident = ident

    def at(self, day: datetime.date) -> list[Any]:
        if self.register.assets[self.ident].date > day:
            return []
        return [self.register.state(self.ident, day)]


# -- paging ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    """One page of a long table (a county has thousands of projects and measures)."""

    items: Sequence[Any]
    number: int  # 1-based
    pages: int
    total: int
    per_page: int
    arg: str = "page"  # the query argument that names the page

    @property
    def first(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.number * self.per_page, self.total)


def paginate(items: Sequence[Any], number: int, per_page: int, arg: str = "page") -> Page:
    """Page ``number`` (clamped to the valid range) of ``items``."""
    pages = max(1, -(-len(items) // per_page))
    number = min(max(1, number), pages)
    start = (number - 1) * per_page
    return Page(items[start : start + per_page], number, pages, len(items), per_page, arg)
