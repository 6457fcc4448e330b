"""Red flags on projects: 形象工程 (K4), hospitality and fees (K5), weak linkage (K8), tenders (K11).

* **K4 形象工程** [DOMAIN K4]: a project whose ``category`` is in
  ``image-project-categories`` or whose name or content names one of
  ``image-project-keywords`` (景观, 牌楼, 外墙粉饰, 楼堂馆所) is an error at its library entry
  (its first stage at ``in_library`` or beyond), before any payment.
* **K5 违规列支** [DOMAIN K5]: an expense of a restricted fund on an account with a
  component in ``hospitality-accounts`` (Reception, Travel, Meeting, Promotion, …) or whose
  narration names one of ``hospitality-keywords`` (接待, 餐费, 会议费, 差旅费, 推广费, …), the
  management fee included, is an error; so is any posting on an ``Income`` account with a
  component in ``fee-income-accounts`` (fees charged to beneficiaries or contractors). The
  management fee's 1% cap is B10.
* **K8 利益联结弱** [DOMAIN K8]: a project in an ``industry-categories`` category must declare
  ``linkage`` (分红/务工/订单/租金…) and ``beneficiaries``; a warning at the project entry.
* **K11 规避招标** [DOMAIN K11]: a contract of ``tender-threshold`` or more is paid before its
  tender record (error); two or more contracts to one vendor in one project, each below the
  threshold, whose sum reaches it, are a split (拆分规避, warning). Contracts are
  ``custom "contract"`` entries (payments name them with ``contract:``) and each project's
  ``procured`` stage (its ``contractor`` and ``contract_amount``; the stage date is the tender
  record; payments to it are the project's transactions whose payee is the contractor).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import ClassVar, NamedTuple

from beancount.core.data import Custom, Directive, Transaction
from fupin.plugins.flags_common import RedFlag, flag, policy_on, red_flag_rule
from pydantic import model_validator

from fupin.book import Book
from fupin.engine import Item, check
from fupin.entities import STAGES, Entity, PositiveMoney, Text
from fupin.findings import Severity
from fupin.money import ZERO, fmt_money
from fupin.policy import Policy

ORDER = {stage: i for i, stage in enumerate(STAGES)}
LIBRARY = ORDER["in_library"]


class Contract(Entity):
    """A works or purchase contract: ``custom "contract" "<ID>"`` (K11)."""

    kind: ClassVar[str] = "contract"
    label: ClassVar[str] = "合同"
    refs: ClassVar[dict[str, str]] = {"project": "project", "asset": "asset"}

    id: str
    project: str | None = None  # the works or purchase it pays for (K11)
    asset: str | None = None  # or the asset it leases or entrusts (租赁/委托经营合同)
    vendor: Text  # 中标/成交单位 (or lessee, operator)
    amount: PositiveMoney
    name: str | None = None
    method: str | None = None  # 公开招标 | 邀请招标 | 竞争性谈判 | 询价 | 单一来源 | 直接委托
    tender: str | None = None  # 招标/成交记录 (中标通知书文号)
    tender_date: datetime.date | None = None
    signed: datetime.date | None = None  # 签订日期 (when entered in the books later)
    note: str | None = None

    def describe(self) -> str:
        return f"{self.name or self.vendor} [contract {self.id}]"

    @model_validator(mode="after")
    def _names_its_object(self) -> Contract:
        if self.project is None and self.asset is None:
            raise ValueError("project: 合同须写明项目 (project) 或资产 (asset)")
        return self


def image_projects(book: Book) -> Iterator[Item]:
    """K4: 形象工程 (景观, 牌楼, 外墙粉饰, 楼堂馆所) entering the project library."""
    stages = book.stages()
    for ident, project in book.projects.items():
        entered = next((s for s in stages.get(ident, ()) if ORDER[s.stage] >= LIBRARY), None)
        if entered is None:
            continue
        policy = book.policy.at(entered.date)
        text = f"{project.name} {project.content or ''}"
        words = [w for w in policy.image_project_keywords if w in text]
        if project.category in policy.image_project_categories:
            words.insert(0, project.category)
        if not words:
            continue
        yield flag(
            "K4",
            f"项目入库 ({'、'.join(words)}; image-project-keywords) — {project.describe()}; "
            f"{project.village} 预算 {fmt_money(project.budget)} CNY",
            book.entry_of(entered),
            entity=ident,
            amount=project.budget,
            policy_key="image-project-keywords",
        )


def hospitality(book: Book) -> Iterator[Item]:
    """K5: reception, travel, meeting or promotion spending from poverty funds; fees charged."""
    funds = {ident: f for ident, f in book.funds.items() if f.restricted}
    at = policy_on(book)
    # per policy snapshot: account → components hit, narration → words hit (both repeat a lot)
    by_account: dict[int, dict[str, list[str]]] = {}
    by_narration: dict[int, dict[str, list[str]]] = {}
    patterns: dict[int, re.Pattern[str] | None] = {}
    seen: set[int] = set()
    # per day: its policy snapshot and that snapshot's caches (one lookup per spend)
    days: dict[datetime.date, tuple[Policy, dict[str, list[str]], dict[str, list[str]], int]] = {}
    for spend in book.spends:
        fund = funds.get(spend.fund or "")
        if fund is None:
            continue
        day = days.get(spend.date)
        if day is None:
            policy = at(spend.date)
            key = id(policy)
            if key not in by_account:
                by_account[key] = {}
                by_narration[key] = {}
                words = policy.hospitality_keywords
                patterns[key] = re.compile("|".join(map(re.escape, words))) if words else None
            day = days[spend.date] = (policy, by_account[key], by_narration[key], key)
        policy, accounts, narrations, key = day
        hits = accounts.get(spend.account)
        if hits is None:
            wanted = set(policy.hospitality_accounts)
            hits = accounts[spend.account] = [
                p for p in spend.account.split(":")[1:] if p in wanted
            ]
        narration = spend.entry.narration or ""
        said = narrations.get(narration)
        if said is None:
            pattern = patterns[key]
            said = narrations[narration] = pattern.findall(narration) if pattern else []
        if (not hits and not said) or id(spend.entry) in seen:
            continue
        seen.add(id(spend.entry))
        yield flag(
            "K5",
            f"扶贫资金列支接待/差旅/会议/推广 {fmt_money(spend.amount)} CNY "
            f"({'、'.join([*hits, *said])}; hospitality-accounts) — {fund.describe()}; "
            f"{book.account_label(spend.account)}",
            spend.entry,
            entity=fund.id,
            amount=spend.amount,
            policy_key="hospitality-accounts",
        )
    for income in book.incomes:
        policy = book.policy.at(income.date)
        if not set(income.account.split(":")[1:]) & set(policy.fee_income_accounts):
            continue
        yield flag(
            "K5",
            f"向受益对象或施工方收费 {fmt_money(-income.amount)} CNY 计入 "
            f"{book.account_label(income.account)} (fee-income-accounts); 缴费方 "
            f"{income.entry.payee or '?'}",
            income.entry,
            entity=income.project or "",
            amount=-income.amount,
            policy_key="fee-income-accounts",
        )


def weak_linkage(book: Book) -> Iterator[Item]:
    """K8: industry projects must declare their linkage to households and the beneficiaries."""
    for ident, project in book.projects.items():
        policy = book.policy.at(project.date)
        if project.category not in policy.industry_categories:
            continue
        missing = [
            name
            for name, value in (
                ("linkage", project.linkage),
                ("beneficiaries", project.beneficiaries),
            )
            if not (value or "").strip()
        ]
        if missing:
            yield flag(
                "K8",
                f"产业项目未声明联农带农机制/受益对象 ({', '.join(missing)}) — "
                f"{project.describe()}; 预算 {fmt_money(project.budget)} CNY",
                book.entry_of(project),
                severity=Severity.WARNING,
                entity=ident,
                amount=project.budget,
                policy_key="industry-categories",
            )


class _Deal(NamedTuple):
    """A contract as K11 sees it (an entity, or a project's procured stage)."""

    ident: str
    project: str
    vendor: str
    amount: Decimal
    tender_date: datetime.date | None
    entry: Custom
    payments: Sequence[Transaction]


def _deals(book: Book) -> list[_Deal]:
    deals: list[_Deal] = []
    for contract in book.all(Contract):
        if contract.project is None:
            continue  # a lease or operation contract of an asset: no tender (K11)
        deals.append(
            _Deal(
                contract.id,
                contract.project,
                contract.vendor,
                contract.amount,
                contract.tender_date,
                book.entry_of(contract),
                book.txns_by("contract", contract.id),
            )
        )
    for ident, stages in book.stages().items():
        for stage in stages:
            if stage.stage != "procured" or not stage.contractor or stage.contract_amount is None:
                continue
            paid = [
                t
                for t in book.txns_by("project", ident)
                if t.payee == stage.contractor and "contract" not in t.meta
            ]
            deals.append(
                _Deal(
                    f"{ident} 招标采购",
                    ident,
                    stage.contractor,
                    stage.contract_amount,
                    stage.date,
                    book.entry_of(stage),
                    paid,
                )
            )
    return deals


def tenders(book: Book) -> Iterator[Item]:
    """K11: paid before the tender record; contracts split to stay under the threshold."""
    groups: dict[tuple[str, str], list[_Deal]] = defaultdict(list)
    for deal in _deals(book):
        groups[(deal.project, deal.vendor)].append(deal)
        threshold = book.policy.at(deal.entry.date).tender_threshold
        if deal.amount < threshold or not deal.payments:
            continue
        first = min(deal.payments, key=lambda t: t.date)
        if deal.tender_date is not None and first.date >= deal.tender_date:
            continue
        when = f"招标记录 {deal.tender_date}" if deal.tender_date else "无招标记录"
        yield flag(
            "K11",
            f"合同 {fmt_money(deal.amount)} ≥ {fmt_money(threshold)} CNY (tender-threshold) "
            f"未招标先付款 — {deal.vendor} [contract {deal.ident}]; 首笔付款 {first.date}, {when}",
            first,
            entity=deal.ident,
            amount=deal.amount,
            threshold=threshold,
            policy_key="tender-threshold",
        )
    for (project, vendor), deals in groups.items():
        if len(deals) < 2:
            continue
        last: Directive = max((d.entry for d in deals), key=lambda e: e.date)
        threshold = book.policy.at(last.date).tender_threshold
        if any(d.amount >= threshold for d in deals):
            continue
        total = sum((d.amount for d in deals), ZERO)
        yield from check(
            RedFlag,
            rule="K11",
            title=f"规避招标 同一项目同一供应商{len(deals)}份合同合计",
            scope=f"project {project}",
            value=total,
            op="<",
            threshold=threshold,
            severity=Severity.WARNING,
            policy_key="tender-threshold",
            entity=project,
            label=f"{vendor} [project {project}]",
            inputs="、".join(f"{d.ident} {fmt_money(d.amount)}" for d in deals)
            + " CNY, 每份均低于限额",
            entry=last,
        )


RULES = (
    red_flag_rule("K4", image_projects),
    red_flag_rule("K5", hospitality),
    red_flag_rule("K8", weak_linkage, "项目库"),
    red_flag_rule("K11", tenders),
)
