"""B33/B35: projects are paid only through their gates, and within their budget.

A project moves through dated ``custom "project-stage" "<ID>" "<stage>"`` entries, in the
order proposed → in_library → approved → procured → in_progress → completed → accepted →
closed (DOMAIN D); a stage never goes back. Checked:

* B33 [N-LIB2018]: a project enters the library (``in_library``) only with performance
  targets (``targets``); no expense or prepayment before it reaches ``spend-min-stage``
  (``approved`` by default);
* B35: total expenses ≤ the approved budget (the ``budget`` of its latest stage entry that
  has one, else the project's ``budget``); a ``payment: "final"`` or ``"deposit"``
  transaction only on or after ``final-payment-stage`` (``accepted``).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator

from beancount.core.data import Transaction

from fupin.book import Book
from fupin.engine import Item, Rule, check, finding
from fupin.entities import STAGE_NAMES, STAGES, Project
from fupin.findings import ProjectGateError
from fupin.money import fmt_money

ORDER = {stage: i for i, stage in enumerate(STAGES)}


def project_gates(book: Book) -> Iterator[Item]:
    """Stage order, library targets, spend gates, final payments and budget."""
    projects = book.projects
    stages = book.stages()
    for ident, items in stages.items():
        project = projects.get(ident)
        if ident in book.invalid.get("project", ()):
            continue  # its ENTITY error says why
        if project is None:
            yield finding(
                ProjectGateError,
                "B33",
                f"阶段记录引用了项目库中没有的项目 [project {ident}]",
                book.entry_of(items[0]),
                entity=ident,
            )
            continue
        for before, after in itertools.pairwise(items):
            if ORDER[after.stage] < ORDER[before.stage]:
                yield finding(
                    ProjectGateError,
                    "B33",
                    f"项目阶段倒退: {STAGE_NAMES[before.stage]} ({before.date}) → "
                    f"{STAGE_NAMES[after.stage]} — {project.describe()}",
                    book.entry_of(after),
                    entity=ident,
                )
        entered = next((s for s in items if s.stage == "in_library"), None)
        if entered is not None and not project.targets:
            yield finding(
                ProjectGateError,
                "B33",
                f"项目入库缺少绩效目标 (targets) — {project.describe()}",
                book.entry_of(entered),
                entity=ident,
            )

    facts = book.facts.projects
    limits = {ident: facts[ident].budget() for ident in projects}
    over_at: dict[str, Transaction] = {}
    for ident, totals in facts.items():
        project = projects.get(ident)
        if project is None or totals.first_payment is None:
            continue
        first = totals.first_payment
        policy = book.policy.at(first.date)
        opened = totals.reached(policy.spend_min_stage)
        if opened is None or first.date < opened:
            yield from _early(book, project, opened, policy.spend_min_stage)
        for txn in totals.late_payments:
            stage = book.policy.at(txn.date).final_payment_stage
            done = totals.reached(stage)
            if done is None or txn.date < done:
                when = f"{done} 才{STAGE_NAMES[stage]}" if done else f"尚未{STAGE_NAMES[stage]}"
                yield finding(
                    ProjectGateError,
                    "B35",
                    f"{STAGE_NAMES[stage]}前支付尾款/质保金 ({when}; final-payment-stage) — "
                    f"{project.describe()}",
                    txn,
                    entity=ident,
                    policy_key="final-payment-stage",
                )
        if totals.spent.total > limits[ident]:
            over_at[ident] = totals.crossing(limits[ident]) or first

    for ident, project in projects.items():
        own = stages.get(ident, [])
        yield from check(
            ProjectGateError,
            rule="B35",
            title="项目累计支出",
            scope=f"project {ident}",
            value=facts[ident].spent.total,
            op="<=",
            threshold=limits[ident],
            entity=ident,
            label=project.describe(),
            policy_key="budget",
            inputs=f"批复预算 {fmt_money(limits[ident])} CNY",
            entry=over_at.get(ident) or book.entry_of(own[-1] if own else project),
            year=project.year,
        )


def _early(
    book: Book, project: Project, opened: datetime.date | None, stage: str
) -> Iterator[Item]:
    """One B33 finding per payment of the project made before it reached ``stage``."""
    when = f"{opened} 才{STAGE_NAMES[stage]}" if opened else f"尚未{STAGE_NAMES[stage]}"
    for txn in book.txns_by("project", project.id):
        if opened is not None and txn.date >= opened:
            break
        kinds = {book.accounts[p.account].role for p in txn.postings if p.account in book.accounts}
        what = "预拨" if "prepayment" in kinds and "expense" not in kinds else "支出"
        if kinds & {"expense", "prepayment"}:
            yield finding(
                ProjectGateError,
                "B33",
                f"项目未到{STAGE_NAMES[stage]}阶段即{what} ({when}; spend-min-stage) — "
                f"{project.describe()}",
                txn,
                entity=project.id,
                policy_key="spend-min-stage",
            )


RULE = Rule(
    ("B33", "B35"),
    "项目入库、批复与验收关口",
    "N-LIB2018 (绩效目标入库); DOMAIN D (报账以验收为前提)",
    project_gates,
)
