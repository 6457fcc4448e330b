"""B37/B38/B39/B25: poverty-project assets — registration, four rights, disposal, income.

Assets, their dated rights, events and income plans are ``custom`` entities
(:mod:`fupin.assets`); asset income and its payouts are ordinary transactions tagged
``asset:`` (``Income:AssetIncome:<ASSET>``, ``Expenses:IncomeDistribution:<ASSET>``, with
``plan:`` on a payout and ``household:`` on each household's posting). Checked, with the
policy in force on the date at issue:

* B37 [seed 002 确权登记; N-ASSET2021 §(2)] every accepted project of an
  ``asset-forming-categories`` category has its asset(s) registered within
  ``asset-registration-days`` (60) of acceptance, and their values add up to the project's
  settlement (``asset-value-tolerance`` 0.00); handover on or after acceptance; every asset
  has each right of ``asset-rights`` assigned, its term (``until``) not past (public-welfare:
  less ``asset-rights-exempt-public-welfare``, plus a ``custody`` holder, 管护主体); a right
  held by several (联村) carries shares summing to exactly 100%; household assets are owned
  by a household;
* B38 [N-ASSET2021 §(6); 延边 2020] a disposal, transfer or mortgage carries an approval
  reference and, for owners of an ``asset-assembly-levels`` level (village), a 村民代表大会
  resolution; an asset becomes ``disposed`` only by such an event;
* B39 [N-ASSET2021 §(5)] an income plan's shares sum to exactly 100% (黑水县 2024:
  58 × 1.5625% = 90.625% fails); every payout names its plan, is made after the plan's
  ``income_plan`` notice ended, is followed by an ``income_result`` notice within
  ``income-result-days`` (30), stays within the plan's amount (each ``share:`` within its
  part), and reaches only households on the plan's list and, when the ledger names a
  household register, of a status in ``income-eligible-statuses`` on the payout date;
* B25 [local example 004km.cn] asset income (expenses of ``asset:`` transactions) never
  reaches ``asset-income-negative-categories``.

With policy ``asset-depreciation`` TRUE, :func:`depreciation` (run by the plugin before the
rules) adds straight-line depreciation for assets kept on the books (``account`` and
``life_years``): from the month after handover, (value − salvage) / (life × 12) a month,
booked each 31 December up to the ledger's last date, ``Expenses:Depreciation:<ASSET>``
against ``<account>:AccumulatedDepreciation``; cumulative amounts are rounded to the cent
(half up), so the total is exactly value − salvage.
"""

from __future__ import annotations

import datetime
import traceback
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount.core import data
from beancount.core.amount import Amount

from fupin.assets import (
    ASSET_CLASSES,
    EVENT_TYPES,
    GUARDED_EVENTS,
    LEVEL_NAMES,
    RIGHTS,
    STATUSES,
    Asset,
    AssetDisposalError,
    AssetEvent,
    AssetIncomeUseError,
    AssetRegister,
    AssetRegisterError,
    AssetRight,
    IncomeDistributionError,
    IncomePlan,
    asset_of_account,
    asset_register,
    required_rights,
)
from fupin.book import Book
from fupin.day_windows import calendar_gap
from fupin.engine import Item, Rule, check, finding
from fupin.entities import Notice, ProjectStage, parse_entity
from fupin.findings import EntityError
from fupin.money import HUNDRED, ZERO, fmt_money, q2
from fupin.policy import build_timeline
from fupin.workdays import CalendarGap

try:  # the household register (issue 6); its entity must be registered before books are built
    from fupin import households as _households
except ImportError:  # pragma: no cover - the register module is optional
    _households = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from beancount.core.data import Transaction


def _accepted(stages: list[ProjectStage]) -> datetime.date | None:
    return next((s.date for s in stages if s.stage in ("accepted", "closed")), None)


def _settlement(stages: list[ProjectStage]) -> Decimal | None:
    values = [s.settlement for s in stages if s.settlement is not None]
    return values[-1] if values else None


# -- B37 ------------------------------------------------------------------------------------


def registration(
    book: Book, register: AssetRegister, stages: dict[str, list[ProjectStage]]
) -> Iterator[Item]:
    """B37: accepted asset-forming projects registered in time and at their cost."""
    by_project: dict[str, list[Asset]] = defaultdict(list)
    for asset in register.assets.values():
        for built_by in asset.projects:
            by_project[built_by].append(asset)
    projects = book.projects
    last = book.last_date
    spent: dict[str, Decimal] | None = None  # Σ expenses per project, summed once if needed
    for ident in sorted(set(by_project) - set(projects)):
        asset = by_project[ident][0]
        yield finding(
            AssetRegisterError,
            "B37",
            f"资产登记引用了项目库中没有的项目 (projects) [project {ident}] — {asset.describe()}",
            book.entry_of(asset),
            entity=asset.id,
        )
    for ident, project in projects.items():
        own = stages.get(ident, [])
        accepted = _accepted(own)
        if accepted is None:
            continue
        policy = book.policy.at(accepted)
        if project.category not in policy.asset_forming_categories:
            continue
        assets = sorted(by_project.get(ident, []), key=lambda a: a.date)
        accept_entry = next(s for s in own if s.date == accepted)
        window = policy.asset_registration_days
        try:
            elapsed = window.elapsed(accepted, assets[0].date if assets else last or accepted)
        except CalendarGap as gap:
            yield from calendar_gap(
                book, gap, "asset-registration-days", accepted, f"project {ident}"
            )
            continue
        if assets:
            first = assets[0]
            yield from check(
                AssetRegisterError,
                rule="B37",
                title="验收后资产登记天数",
                scope=f"project {ident}",
                value=elapsed,
                op="<=",
                threshold=window.days,
                unit=window.measure_unit,
                policy_key="asset-registration-days",
                entity=ident,
                label=project.describe(),
                inputs=f"验收 {accepted}; 登记 {first.date} [asset {first.id}]",
                entry=book.entry_of(first),
                year=project.year,
            )
        else:
            if last is None or elapsed <= window.days:
                continue  # not yet due: no compliance row either way
            yield from check(
                AssetRegisterError,
                rule="B37",
                title="验收项目已登记资产数",
                scope=f"project {ident}",
                value=0,
                op=">=",
                threshold=1,
                unit="count",
                policy_key="asset-registration-days",
                entity=ident,
                label=project.describe(),
                inputs=f"验收 {accepted}, 超过 {window} 未确权登记",
                entry=book.entry_of(accept_entry),
                year=project.year,
            )
            continue
        cost = _settlement(own)
        if cost is None and spent is None:
            spent = defaultdict(Decimal)
            for spend in book.spends:
                if spend.project:
                    spent[spend.project] += spend.amount
        target = cost if cost is not None else (spent or {}).get(ident, ZERO)
        total = sum((a.project_amounts().get(ident, ZERO) for a in assets), ZERO)
        names = ", ".join(a.id for a in assets)
        yield from check(
            AssetRegisterError,
            rule="B37",
            title="资产原值合计",
            scope=f"project {ident}",
            value=total,
            op="==",
            threshold=target,
            tolerance=policy.asset_value_tolerance,
            policy_key="asset-value-tolerance",
            entity=ident,
            label=project.describe(),
            inputs=f"{'结算' if cost is not None else '支出'} {fmt_money(target)} CNY; 资产 {names}",
            entry=book.entry_of(assets[-1]),
            year=project.year,
        )


def rights_complete(
    book: Book, register: AssetRegister, stages: dict[str, list[ProjectStage]]
) -> Iterator[Item]:
    """B37: handover ≥ acceptance; every right assigned; shares Σ 100%; households own theirs."""
    day = book.last_date or datetime.date.today()
    wanted: dict[tuple[int, str], tuple[str, ...]] = {}  # required rights per policy and class
    broken = book.invalid.get("asset", frozenset())
    for orphan in register.orphans:
        if isinstance(orphan, AssetRight) and orphan.asset not in broken:
            yield finding(
                AssetRegisterError,
                "B37",
                f"权属记录引用了未登记的资产 [asset {orphan.asset}]",
                book.entry_of(orphan),
                entity=orphan.asset,
            )
    for ident, asset in register.assets.items():
        entry = book.entry_of(asset)
        accepted = asset.accepted
        if accepted is None:
            accepted = next(
                (d for p in asset.projects if (d := _accepted(stages.get(p, []))) is not None),
                None,
            )
        if accepted is not None and asset.handover is not None and asset.handover < accepted:
            yield finding(
                AssetRegisterError,
                "B37",
                f"移交日期 {asset.handover} 早于验收日期 {accepted} — {asset.describe()}",
                entry,
                entity=ident,
                value=str(asset.handover),
                threshold=str(accepted),
            )
        state = register.state(ident, max(day, asset.date))
        if state.status == "disposed":
            continue
        policy = book.policy.at(state.day)
        key = (id(policy), asset.asset_class)
        needed = wanted.get(key) or wanted.setdefault(
            key, required_rights(policy, asset.asset_class)
        )
        missing = [r for r in needed if r not in state.rights]
        lapsed = {  # a right whose every holder's term (``until``) ended before the day
            r: max(until for h in held if (until := h.until) is not None)
            for r, held in state.rights.items()
            if r in needed and all(h.until is not None and h.until < state.day for h in held)
        }
        missing += list(lapsed)
        yield from check(
            AssetRegisterError,
            rule="B37",
            title="未落实的权利数",
            scope=f"asset {ident}",
            value=len(missing),
            op="==",
            threshold=0,
            unit="count",
            policy_key="asset-rights",
            entity=ident,
            label=asset.describe(),
            inputs=(
                f"{ASSET_CLASSES[asset.asset_class]}资产缺 "
                + "、".join(
                    f"{RIGHTS.get(r, r)}({r}{', 期限 ' + str(lapsed[r]) + ' 已满' if r in lapsed else ''})"
                    for r in missing
                )
                if missing
                else ""  # only a breach prints its inputs
            ),
            entry=entry,
        )
        if asset.asset_class == "household":
            owners = state.rights.get("ownership", ())
            if owners and any(o.holder_type != "household" for o in owners):
                yield finding(
                    AssetRegisterError,
                    "B37",
                    f"到户类资产所有权人不是农户 ({'; '.join(o.holder for o in owners)}) — "
                    f"{asset.describe()}",
                    book.entry_of(owners[0]),
                    entity=ident,
                )
        for right in register.rights.get(ident, {}):
            for group in register.groups(ident, right):
                yield from _shares(book, asset, right, group)


def _shares(book: Book, asset: Asset, right: str, group: tuple[AssetRight, ...]) -> Iterator[Item]:
    """One dated set of holders: a sole holder needs no share; several need Σ = 100%."""
    if len(group) == 1 and group[0].share in (None, Decimal(1)):
        return
    unshared = [g for g in group if g.share is None]
    if unshared:
        yield finding(
            AssetRegisterError,
            "B37",
            f"{RIGHTS[right]}由 {len(group)} 方共有但 {unshared[0].holder} 未写确权比例 (share) — "
            f"{asset.describe()}",
            book.entry_of(unshared[0]),
            entity=asset.id,
        )
        return
    total = sum((g.share or ZERO for g in group), ZERO)
    yield from check(
        AssetRegisterError,
        rule="B37",
        title=f"{RIGHTS[right]}确权比例合计",
        scope=f"asset {asset.id} {right} {group[0].date}",
        value=total,
        op="==",
        threshold=Decimal(1),
        unit="pct",
        policy_key="share",
        entity=asset.id,
        label=asset.describe(),
        inputs="; ".join(f"{g.holder} {g.share}" for g in group),
        entry=book.entry_of(group[0]),
    )


# -- B38 ------------------------------------------------------------------------------------


def disposals(book: Book, register: AssetRegister) -> Iterator[Item]:
    """B38: disposal, transfer, mortgage need approval (+ assembly resolution for villages)."""
    broken = book.invalid.get("asset", frozenset())
    for orphan in register.orphans:
        if isinstance(orphan, AssetEvent) and orphan.asset not in broken:
            yield finding(
                AssetDisposalError,
                "B38",
                f"资产变动记录引用了未登记的资产 [asset {orphan.asset}]",
                book.entry_of(orphan),
                entity=orphan.asset,
            )
    for ident, asset in register.assets.items():
        if asset.status == "disposed":
            yield finding(
                AssetDisposalError,
                "B38",
                f"资产登记即为已处置, 无处置审批记录 (asset-event disposal) — {asset.describe()}",
                book.entry_of(asset),
                entity=ident,
            )
        for event in register.events.get(ident, ()):
            entry = book.entry_of(event)
            what = EVENT_TYPES[event.event]
            if event.event == "status" and event.status == "disposed":
                yield finding(
                    AssetDisposalError,
                    "B38",
                    f"状态改为已处置须记为处置或转让事件并附审批 — {asset.describe()}",
                    entry,
                    entity=ident,
                )
                continue
            if event.event not in GUARDED_EVENTS:
                continue
            level = register.state(ident, event.date).owner_level
            policy = book.policy.at(event.date)
            missing = [] if event.approval else ["审批文号 (approval)"]
            if level in policy.asset_assembly_levels and not event.resolution:
                missing.append("村民代表大会决议 (resolution)")
            yield from check(
                AssetDisposalError,
                rule="B38",
                title=f"{LEVEL_NAMES.get(level, level)}资产{what}缺少的审批要件",
                scope=f"asset {ident} {event.event} {event.date}",
                value=len(missing),
                op="==",
                threshold=0,
                unit="count",
                policy_key="asset-assembly-levels",
                entity=ident,
                label=asset.describe(),
                inputs=f"缺 {'、'.join(missing)}" if missing else "",
                entry=entry,
                year=event.date.year,
            )


# -- B39 ------------------------------------------------------------------------------------
#: the measure an income result notice's paid total must agree with
PAID_TITLE = "收益发放合计"


def _register(book: Book) -> Any:
    """The ledger's household register, or None (none named, module absent, or invalid)."""
    if _households is None:
        return None
    filename = book.options.get("filename")
    try:
        return _households.register_for(Path(filename) if filename else None, book)
    except Exception:  # an invalid register is the register rule's finding
        return None


def distribution(book: Book, register: AssetRegister) -> Iterator[Item]:
    """B39: plans sum to 100%; payouts follow a noticed plan, a result notice, eligible payees."""
    plans = book.by_id(IncomePlan)
    notices: dict[tuple[str, str], list[Notice]] = defaultdict(list)
    for notice in book.all(Notice):
        if notice.type in ("income_plan", "income_result") and not notice.cut_short:
            notices[(notice.type, notice.subject)].append(notice)
    for ident, plan in plans.items():
        total = sum(plan.shares.values(), ZERO)
        yield from check(
            IncomeDistributionError,
            rule="B39",
            title="收益分配比例合计",
            scope=f"income-plan {ident}",
            value=total,
            op="==",
            threshold=Decimal(1),
            unit="pct",
            policy_key="shares",
            entity=ident,
            label=f"{plan.name or ''} [income-plan {ident}]".strip(),
            inputs=f"{len(plan.shares)} 项, 合计 {(total * HUNDRED).normalize():f}%",
            entry=book.entry_of(plan),
            year=plan.date.year,
        )
        if plan.asset not in register.assets and plan.asset not in book.invalid.get("asset", ()):
            yield finding(
                IncomeDistributionError,
                "B39",
                f"收益分配方案引用了未登记的资产 [asset {plan.asset}] — [income-plan {ident}]",
                book.entry_of(plan),
                entity=ident,
            )

    households = _register(book)
    facts = book.facts
    by_share: dict[tuple[str, tuple[str, ...]], Decimal] = defaultdict(Decimal)
    share_txn: dict[tuple[str, tuple[str, ...]], Transaction] = {}
    for txn, spends in facts.unattributed_payouts:
        yield finding(
            IncomeDistributionError,
            "B39",
            f"收益分配支出未引用分配方案 (plan: 无; {fmt_money(sum((s.amount for s in spends), ZERO))}"
            f" CNY 不计入任何方案的发放合计) — {spends[0].account}",
            txn,
            entity="",
        )
    payouts = sorted(
        (
            (txn, ident, spends)
            for ident, held in facts.plans.items()
            for txn, spends in held.payouts
        ),
        key=lambda row: row[0].date,
    )
    for txn, plan_id, spends in payouts:
        found = plans.get(plan_id)
        if found is None and plan_id in book.invalid.get("income-plan", ()):
            continue  # the plan's own entity error says it
        if found is None:
            yield finding(
                IncomeDistributionError,
                "B39",
                f"收益分配支出引用了未登记的分配方案 (plan: {plan_id}) — {spends[0].account}",
                txn,
                entity=plan_id,
            )
            continue
        plan = found
        label = f"{plan.name or ''} [income-plan {plan.id}]".strip()
        for spend in spends:
            keys = str((spend.posting_meta or {}).get("share") or txn.meta.get("share") or "")
            if keys:
                by_share[(plan.id, tuple(sorted(keys.split())))] += spend.amount
                share_txn[(plan.id, tuple(sorted(keys.split())))] = txn
        wrong = {a for s in spends if (a := asset_of_account(s.account)) and a != plan.asset}
        if wrong:
            yield finding(
                IncomeDistributionError,
                "B39",
                f"支出科目的资产 {', '.join(sorted(wrong))} 与方案资产 {plan.asset} 不符 — {label}",
                txn,
                entity=plan.id,
            )
        posted = [
            n for n in notices.get(("income_plan", plan.id), []) if (n.end or n.start) < txn.date
        ]
        if not posted:
            seen = ", ".join(
                f"{n.id} {n.start} 至 {n.end or '长期'}"
                for n in notices.get(("income_plan", plan.id), [])
            )
            yield finding(
                IncomeDistributionError,
                "B39",
                f"分配方案公示期满前即发放收益 ({txn.date}; 方案公示 {seen or '无'}) — {label}",
                txn,
                entity=plan.id,
            )
        yield from _recipients(book, txn, spends, plan, label, households)

    yield from _share_limits(book, plans, by_share, share_txn)
    for ident, plan in plans.items():
        held = facts.plan(ident)
        payout = held.last_payout()
        if payout is None:
            continue
        txn = payout
        yield from check(
            IncomeDistributionError,
            rule="B39",
            title=PAID_TITLE,
            scope=f"income-plan {ident}",
            value=held.paid.total,
            op="<=",
            threshold=plan.amount,
            policy_key="amount",
            entity=ident,
            label=f"{plan.name or ''} [income-plan {ident}]".strip(),
            inputs=f"方案可分配收益 {fmt_money(plan.amount)} CNY",
            entry=txn,
            year=plan.date.year,
        )
        policy = book.policy.at(txn.date)
        results = [n for n in notices.get(("income_result", ident), []) if n.start >= txn.date]
        last = book.last_date
        window = policy.income_result_days
        try:
            if results:
                days = window.elapsed(txn.date, results[0].start)
                report = True
                inputs = f"最后发放 {txn.date}; 结果公示 {results[0].id} {results[0].start}"
            else:
                days = window.elapsed(txn.date, last) if last else 0
                report = days > window.days
                inputs = f"最后发放 {txn.date}; 无结果公示 (至 {last})"
        except CalendarGap as gap:
            yield from calendar_gap(
                book, gap, "income-result-days", txn.date, f"income-plan {ident}"
            )
            continue
        yield from check(
            IncomeDistributionError,
            rule="B39",
            title="发放后结果公示天数",
            scope=f"income-plan {ident}",
            value=days,
            op="<=",
            threshold=window.days,
            unit=window.measure_unit,
            policy_key="income-result-days",
            entity=ident,
            label=f"{plan.name or ''} [income-plan {ident}]".strip(),
            inputs=inputs,
            entry=txn,
            report=report,
            year=plan.date.year,
        )


def _share_limits(
    book: Book,
    plans: dict[str, IncomePlan],
    by_share: dict[tuple[str, tuple[str, ...]], Decimal],
    share_txn: dict[tuple[str, tuple[str, ...]], Transaction],
) -> Iterator[Item]:
    """Payouts naming ``share:`` keys stay within those keys' part of the plan amount."""
    for (ident, keys), total in by_share.items():
        plan = plans[ident]
        label = f"{plan.name or ''} [income-plan {ident}]".strip()
        unknown = [k for k in keys if k not in plan.shares]
        if unknown:
            yield finding(
                IncomeDistributionError,
                "B39",
                f"发放的分配项 {' '.join(unknown)} 不在方案中 ({' '.join(plan.shares)}) — {label}",
                share_txn[(ident, keys)],
                entity=ident,
            )
            continue
        part = sum((plan.shares[k] for k in keys), ZERO)
        limit = plan.part(keys)
        yield from check(
            IncomeDistributionError,
            rule="B39",
            title=f"分配项 {'+'.join(keys)} 发放合计",
            scope=f"income-plan {ident} {'+'.join(keys)}",
            value=total,
            op="<=",
            threshold=limit,
            policy_key="shares",
            entity=ident,
            label=label,
            inputs=f"方案 {fmt_money(plan.amount)} × {(part * HUNDRED).normalize():f}%",
            entry=share_txn[(ident, keys)],
            year=plan.date.year,
        )


def _recipients(
    book: Book,
    txn: Transaction,
    spends: list[Any],
    plan: IncomePlan,
    label: str,
    households: Any,
) -> Iterator[Item]:
    """Households paid must be on the plan's list and eligible in the register that day."""
    statuses = book.policy.at(txn.date).income_eligible_statuses
    for spend in spends:
        hid = spend.household
        if not hid:
            continue
        problem = None
        if plan.recipients and hid not in plan.recipients:
            problem = "不在分配方案的受益名单内"
        elif households is not None:
            household = households.households.get(hid)
            if household is None:
                problem = "不在农户信息库中"
            else:
                status = household.status_on(txn.date)
                if status not in statuses:
                    problem = f"发放日状态为 {status}, 不属 income-eligible-statuses"
        if problem:
            yield finding(
                IncomeDistributionError,
                "B39",
                f"收益发放对象 {hid} {problem} ({fmt_money(spend.amount)} CNY, {txn.date}) — {label}",
                txn,
                entity=plan.id,
                policy_key="income-eligible-statuses" if households is not None else "recipients",
            )


# -- B25 ------------------------------------------------------------------------------------


def income_use(book: Book) -> Iterator[Item]:
    """B25: expenses paid from asset income (``asset:`` transactions) off the negative list."""
    for ident, txns in book.index.get("asset", {}).items():
        spent = ZERO
        for txn in txns:
            negative = book.policy.at(txn.date).asset_income_negative_categories
            for posting in txn.postings:
                parts = posting.account.split(":", 2)
                units = posting.units
                if parts[0] != "Expenses" or len(parts) < 2 or parts[1] not in negative:
                    continue
                if units is None or not isinstance(units.number, Decimal) or units.number <= 0:
                    continue
                spent += units.number
                yield finding(
                    AssetIncomeUseError,
                    "B25",
                    f"资产收益用于负面清单支出 {book.account_label(posting.account)} "
                    f"{fmt_money(units.number)} CNY (asset-income-negative-categories) — "
                    f"[asset {ident}]",
                    txn,
                    entity=str(ident),
                    policy_key="asset-income-negative-categories",
                    value=units.number,
                )
        yield from check(  # the compliance row; each breach was reported above
            AssetIncomeUseError,
            rule="B25",
            title="资产收益用于负面清单的支出",
            scope=f"asset {ident}",
            value=spent,
            op="==",
            threshold=ZERO,
            policy_key="asset-income-negative-categories",
            entity=str(ident),
            entry=txns[0],
            report=False,
        )


def asset_rules(book: Book) -> Iterator[Item]:
    """Every asset rule over one register built once."""
    register = asset_register(book)
    stages = book.stages()
    yield from registration(book, register, stages)
    yield from rights_complete(book, register, stages)
    yield from disposals(book, register)
    yield from distribution(book, register)
    yield from income_use(book)


RULE = Rule(
    ("B37", "B38", "B39", "B25"),
    "扶贫项目资产: 确权登记、四权分置、处置审批、收益分配",
    "seed 002 (确权登记); N-ASSET2021 §(2)(5)(6); seed 001 (四权分置); 004km.cn (收益负面清单)",
    asset_rules,
)


# -- depreciation (a generating plugin function, run before the rules) -----------------------


def _months(start: datetime.date, end: datetime.date) -> int:
    """Whole months from the month after ``start`` to the month of ``end`` inclusive."""
    return max(0, (end.year - start.year) * 12 + end.month - start.month)


def depreciation(
    entries: data.Directives, options_map: data.Options, config: str | None = None
) -> tuple[data.Directives, list[data.BeancountError]]:
    """Add straight-line depreciation of on-book assets when ``asset-depreciation`` is on.

    A bug here must not cost the user the load: it becomes one error and no entries are added.
    """
    try:
        return _depreciate(entries, options_map)
    except Exception:  # the engine's rule: report, never crash the load
        tail = traceback.format_exc(limit=-3).strip().replace("\n", "\n  ")
        meta = {"filename": "<fupin.plugins>", "lineno": 0}
        message = f"B37 error: internal error in depreciation: {tail}"
        return entries, [AssetRegisterError(meta, message, None, rule="B37")]


def _depreciate(
    entries: data.Directives, options_map: data.Options
) -> tuple[data.Directives, list[data.BeancountError]]:
    policies = [e for e in entries if isinstance(e, data.Custom) and e.type == "policy"]
    timeline = build_timeline(policies)
    if not any(p.asset_depreciation for p in timeline.snapshots):
        return entries, []
    assets: list[tuple[Asset, data.Custom]] = []
    disposed: dict[str, datetime.date] = {}
    opened: set[str] = set()
    for entry in entries:
        if isinstance(entry, data.Open):
            opened.add(entry.account)
        elif isinstance(entry, data.Custom) and entry.type in ("asset", "asset-event"):
            parsed = parse_entity(entry)
            if isinstance(parsed, Asset) and parsed.account and parsed.life_years:
                assets.append((parsed, entry))
            elif isinstance(parsed, AssetEvent) and parsed.new_status == "disposed":
                disposed.setdefault(parsed.asset, parsed.date)
            elif isinstance(parsed, EntityError):
                continue  # reported by the book
    if not assets or not entries:
        return entries, []
    last = entries[-1].date
    currency = (options_map.get("operating_currency") or ["CNY"])[0]
    new: list[data.Directive] = []
    for asset, source in assets:
        start = asset.handover or asset.accepted or asset.date
        base = asset.original_value - (asset.salvage or ZERO)
        life = asset.life_years * 12  # type: ignore[operator]
        stop = disposed.get(asset.id)
        booked = ZERO
        expense = f"Expenses:Depreciation:{asset.id}"
        contra = f"{asset.account}:AccumulatedDepreciation"
        for year in range(start.year, last.year + 1):
            day = datetime.date(year, 12, 31)
            if day > last or not timeline.at(day).asset_depreciation:
                continue
            end = min(day, stop) if stop else day
            months = min(life, _months(start, end))
            cumulative = q2(base * months / life)
            amount = cumulative - booked
            if amount <= 0:
                continue
            booked = cumulative
            meta = data.new_metadata(source.meta["filename"], source.meta["lineno"])
            meta.update(asset=asset.id, generated="depreciation", months=months)
            units = Amount(amount, currency)
            new.append(
                data.Transaction(
                    meta,
                    day,
                    "*",
                    None,
                    f"{asset.name} {year}年折旧(直线法, {asset.life_years}年)",
                    data.EMPTY_SET,
                    data.EMPTY_SET,
                    [
                        data.Posting(expense, units, None, None, None, None),
                        data.Posting(contra, -units, None, None, None, None),
                    ],
                )
            )
        if booked:
            for account in (expense, contra):
                if account not in opened:
                    meta = data.new_metadata(source.meta["filename"], source.meta["lineno"])
                    opened.add(account)
                    new.append(data.Open(meta, start, account, [currency], None))
    if not new:
        return entries, []
    return sorted([*entries, *new], key=data.entry_sortkey), []


__all__ = ["RULE", "STATUSES", "depreciation", "required_rights"]
