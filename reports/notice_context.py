"""What each notice prints: the book's facts as of the day it was posted.

One builder per notice type turns a posted ``custom "notice"`` entry into a
:class:`NoticeDoc`: a header (title, issuer, period, supervision channels) and a body of
typed rows. Every figure is a fact of :mod:`fupin.facts` as of the notice's first day, and
every threshold the one the rule applied to that scope on that day (:mod:`fupin.shares`):
a notice never prints what the books only learnt after it was posted, and nothing is summed
or typed here. A figure that a rule also measures is carried as a :class:`Claim`; a notice
whose claim disagrees with the rule's own number is refused (:class:`NoticeRefused`).

Privacy by construction: a body never holds a :class:`~fupin.households.Household`. A
recipient line carries a name and 村民小组 from the register, the amount, and a check code
(:mod:`fupin.reports.notice_privacy`); an ID number reaches a notice only masked, and only
when the policy ``notice-show-masked-id`` asks for it. Phones, bank accounts, health and
poverty causes never enter a context.

A mandatory field that is missing raises :class:`NoticeDataError` naming the notice, the
entity and the field; the command then writes nothing.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fupin.reports.filters import mask_id
from fupin.reports.notice_privacy import check_code

from fupin import pii
from fupin.benefits import due_items, paid_items, project_items
from fupin.entities import Fund, Notice, Project
from fupin.facts import ProjectFacts
from fupin.findings import Measure
from fupin.integrity import posted_before_subject
from fupin.money import ZERO, fmt_money, q2
from fupin.names import (
    CATEGORY_NAMES,
    CHANNEL_NAMES,
    NOTICE_LEVEL_NAMES,
    NOTICE_TYPE_NAMES,
    SOURCE_NAMES,
)
from fupin.notice_titles import default_title
from fupin.periods import printed
from fupin.shares import allocation, covering_share

if TYPE_CHECKING:
    from fupin.book import Book
    from fupin.households import Register

PURPOSE_NAMES = {
    "PublicPost": "公益岗位工资",
    "Award": "奖励补助",
    "PublicWelfare": "小型公益事业",
    "Collective": "村集体经济",
    "Maintenance": "运营管护",
    "Dividend": "分红",
}


class NoticeDataError(Exception):
    """Mandatory notice data missing: one line per (notice, entity, field); ``docs`` are
    the notices that did build (their privacy is still checked, so one run names all)."""

    def __init__(self, problems: Sequence[str], docs: Sequence[NoticeDoc] = ()) -> None:
        self.problems = list(problems)
        self.docs = list(docs)
        super().__init__("\n".join(self.problems))


class NoticeRefused(Exception):
    """Notices not written: what they would print contradicts a rule's own number."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class MissingField(Exception):
    def __init__(self, entity: str, name: str, what: str) -> None:
        super().__init__(f"{entity}: {name} ({what}) 缺失")


class InvalidEntity(MissingField):
    """A field names an entity the ledger does define, but whose entry failed validation
    (its ENTITY error): not "missing", the notice waits for that entry to be mended."""

    def __init__(self, entity: str, name: str, what: str) -> None:
        Exception.__init__(self, f"{entity}: {name} — {what}")


#: what a kind of entity is called in these messages (beyond fupin.integrity's names)
_KIND_NAMES = {"monitoring": "监测对象"}


def _entry_where(meta: Any) -> str:
    """``ledger/notices.beancount:31`` of an entry (relative to the working folder when
    below it, as ``fupin check`` prints it)."""
    meta = meta or {}
    name = str(meta.get("filename") or "?")
    with contextlib.suppress(ValueError, OSError):
        name = str(Path(name).resolve().relative_to(Path.cwd()))
    return f"{name}:{meta.get('lineno', 0)}"


def invalid_entity(book: Book, kind: str, ident: str, role: str = "公示对象") -> str:
    """Why the valid book holds no ``kind`` ``ident`` although the ledger defines it: each
    entry of that id that failed validation, at its file:line, with the fields at fault and
    its ENTITY error's words (``项目 P-2021-001 未通过校验 …: ledger/x.beancount:15 字段
    category: category = 'Industri': 未知的类别 …``)."""
    from beancount.core.data import Custom

    from fupin.entities import ENTITY_TYPES, fault_fields
    from fupin.findings import EntityError
    from fupin.integrity import KIND_NAMES

    label = KIND_NAMES.get(kind) or _KIND_NAMES.get(kind, kind)
    model = ENTITY_TYPES.get(kind)
    prefix = f"ENTITY error: {model.label} {ident}: " if model is not None else ""
    parts = []
    for error in book.errors:
        entry = error.entry
        if not (isinstance(error, EntityError) and error.entity == ident):
            continue
        if not (isinstance(entry, Custom) and entry.type == kind):
            continue
        fields = fault_fields(entry)
        named = f" 字段 {'、'.join(fields)}" if fields else ""
        detail = error.message.removeprefix(prefix) if prefix else error.message
        parts.append(f"{_entry_where(error.source)}{named}: {detail}")
    head = (
        f"{role} {label} {ident} 无效: 账簿中有此{label}, 但它未通过校验 (ENTITY 错误), "
        f"改正后才能公示 (the {kind} is defined but invalid, not missing; "
        "`fupin check` lists the same error)"
    )
    return head + (": " + "; ".join(parts) if parts else "")


def not_found(
    ctx: Context, entity: str, name: str, kinds: str, ident: str, absent: str
) -> MissingField:
    """The error for ``entity``'s field ``name`` naming ``ident`` (an id of ``kinds``,
    ``a|b`` for either) that the book holds no valid entity for: :class:`InvalidEntity`
    when the ledger defines it but its entry failed validation, else "missing" (``absent``:
    what is missing, e.g. ``项目库中没有项目 P-2099``)."""
    role = "公示对象" if name == "subject" else "所引用的"
    for kind in kinds.split("|"):
        if ident in ctx.book.invalid.get(kind, ()):
            return InvalidEntity(entity, name, invalid_entity(ctx.book, kind, ident, role))
    return MissingField(entity, name, absent)


def need(value: Any, entity: str, name: str, what: str) -> Any:
    """``value``, or a missing-field error naming the entity and field."""
    if value is None or value == "":
        raise MissingField(entity, name, what)
    return value


@dataclass(frozen=True)
class Phone:
    """A supervision channel: unit and number (landlines; never a person's mobile)."""

    unit: str
    number: str


@dataclass(frozen=True)
class Header:
    """What every notice prints around its body."""

    id: str
    type: str
    type_name: str
    level: str
    level_name: str
    channel_name: str
    title: str
    issuer: str
    start: datetime.date
    end: datetime.date | None
    days: int | None  # the announced period (Notice.announced_days), as the paper prints it
    doc: str | None
    paper: str
    township: str
    village: str
    year: int
    hotline: str
    phones: tuple[Phone, ...]
    # not printed on the paper (it was posted as issued), shown by the index of notices: the
    # day it was taken down, and the days it was up (Notice.days: cut short by a withdrawal)
    withdrawn: datetime.date | None = None
    posted_days: int | None = None


@dataclass(frozen=True)
class Recipient:
    """One line of a beneficiary or distribution list; no ID, phone, account or cause."""

    seq: int
    household: str  # pseudonymous id (needed for the slip; printed on no public list)
    name: str
    group: str
    village: str
    amount: Decimal
    basis: str
    code: str
    id_masked: str = ""


@dataclass(frozen=True)
class Claim:
    """A figure a notice prints that a rule measures too: both must agree to the cent."""

    rule: str
    title: str
    scope: str
    printed: Decimal
    measured: Decimal
    detail: str = ""

    @property
    def holds(self) -> bool:
        return q2(self.printed) == q2(self.measured)

    def describe(self) -> str:
        text = (
            f"{self.rule} {self.title} [{self.scope}]: 公示 {fmt_money(self.printed)} ≠ "
            f"规则 {fmt_money(self.measured)}"
        )
        return text + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class NoticeDoc:
    """One notice ready to render: template name, header, body rows, recipients."""

    header: Header
    template: str
    body: dict[str, Any]
    recipients: tuple[Recipient, ...] = ()
    show_id: bool = False
    rows: int = field(default=0)  # table rows, to estimate pages
    claims: tuple[Claim, ...] = ()
    #: ``file:line`` of the notice's entry (for messages; never printed on the notice)
    source: str = field(default="", compare=False)

    @property
    def id(self) -> str:
        return self.header.id

    @property
    def lists_households(self) -> bool:
        """Whether the notice names households: recipients, or body rows with check codes
        (the monitoring lists)."""
        rows = self.body.get("rows", ())
        return bool(self.recipients) or any(
            isinstance(row, dict) and "code" in row and "name" in row for row in rows
        )


def phones_of(text: str) -> tuple[Phone, ...]:
    """``"单位 电话; 单位 电话"`` → phones."""
    out = []
    for part in text.replace("；", ";").split(";"):
        unit, _, number = part.strip().rpartition(" ")
        if number:
            out.append(Phone(unit.strip() or "监督电话", number.strip()))
    return tuple(out)


class Context:
    """What the builders share for one book: its facts, register and check-code key."""

    def __init__(
        self,
        book: Book,
        measures: Sequence[Measure] = (),
        register: Register | None = None,
        secret: bytes | None = None,
    ) -> None:
        self.book = book
        self.facts = book.facts
        self.measures = measures
        self.register = register
        self.secret = secret
        self.projects = book.projects
        self.funds = book.funds
        #: notices refused by :func:`build_notices` (a claim that contradicts its rule)
        self.refused: list[str] = []

    def project_facts(self, project: str) -> ProjectFacts:
        return self.facts.project(project)

    def sources(self, fund: str, day: datetime.date) -> list[dict[str, Any]]:
        """The fund's receipts by source level on ``day``, in the order money arrived (a
        level whose money came later is not named)."""
        rows = []
        for source, amount in self.facts.fund(fund).arrived(day).items():
            account = f"Income:Fund:{fund}:{source}"
            rows.append(
                {
                    "level": SOURCE_NAMES.get(source, source),
                    "name": self.book.account_name(account),
                    "amount": q2(amount),
                }
            )
        return rows


def notice_header(
    ctx: Context, notice: Notice, *, title: str, township: str, village: str, issuer: str = ""
) -> Header:
    """The header; the issuer defaults to the village committee, township or implementer."""
    policy = ctx.book.policy.at(notice.start)
    issuer = notice.issuer or issuer
    if not issuer and notice.level == "village" and village:
        issuer = f"{village}村民委员会"
    if not issuer and notice.level == "township" and township:
        issuer = f"{township}人民政府"
    need(issuer, f"notice {notice.id}", "issuer", "发布单位")
    phones = phones_of(notice.phones or policy.notice_phones)
    return Header(
        id=notice.id,
        type=notice.type,
        type_name=NOTICE_TYPE_NAMES[notice.type],
        level=notice.level,
        level_name=NOTICE_LEVEL_NAMES.get(notice.level, notice.level),
        channel_name=CHANNEL_NAMES.get(notice.channel, notice.channel),
        title=notice.title or title,
        issuer=str(issuer),
        start=notice.start,
        end=notice.end,
        days=notice.announced_days,
        doc=notice.doc,
        paper=notice.paper,
        township=notice.township or township,
        village=notice.village or village,
        year=notice.start.year,
        hotline=need(policy.notice_hotline, "policy", "notice-hotline", "监督举报电话"),
        phones=phones,
        withdrawn=notice.withdrawn,
        posted_days=notice.days,
    )


def _project(ctx: Context, notice: Notice) -> Project:
    project = ctx.projects.get(notice.subject)
    if project is None:
        kinds = "project|fund" if notice.type == "beneficiaries" else "project"
        raise not_found(
            ctx,
            f"notice {notice.id}",
            "subject",
            kinds,
            notice.subject,
            f"项目库中没有项目 {notice.subject}",
        )
    return project


def _project_rows(ctx: Context, project: Project, as_of: datetime.date) -> dict[str, Any]:
    """The fields every project notice prints (DOMAIN F.2, F.4 layout 1), as known on ``as_of``.

    A plan notice posted before the tender shows no contractor yet, and the budget approved
    by then: a notice never prints what the books only learnt after it was posted.
    """
    ent = f"project {project.id}"
    fund = ctx.funds.get(project.fund or "")
    facts = ctx.project_facts(project.id)
    procured = facts.contract(as_of)
    return {
        "id": project.id,
        "name": project.name,
        "category": CATEGORY_NAMES.get(project.category, project.category),
        "location": f"{project.township}{project.village}",
        "content": need(project.content, ent, "content", "建设内容"),
        "period": need(project.period, ent, "period", "建设期限"),
        "implementer": project.implementer,
        "targets": need(project.targets, ent, "targets", "绩效目标"),
        "beneficiaries": need(project.beneficiaries, ent, "beneficiaries", "受益对象"),
        "linkage": project.linkage or "",
        "budget": q2(facts.budget(as_of)),
        "fund_name": _fund_of(ctx, project).name,
        "fund_levels": "、".join(r["level"] for r in ctx.sources(fund.id, as_of)) if fund else "",
        "contractor": procured.contractor if procured else None,
        "contract_amount": procured.contract_amount if procured else None,
        "procurement_doc": procured.doc if procured else None,
    }


def _fund_of(ctx: Context, project: Project) -> Fund:
    """The fund a project draws on (资金来源), or why there is none to print."""
    fund = ctx.funds.get(project.fund or "")
    if fund is None:
        if project.fund:
            raise not_found(ctx, f"project {project.id}", "fund", "fund", project.fund, "资金来源")
        raise MissingField(f"project {project.id}", "fund", "资金来源")
    return fund


def fund_allocation(ctx: Context, notice: Notice) -> NoticeDoc:
    """资金分配结果公告 (F.4 layout 2): sources by level, the allocation table, the share.

    As of the day posted: the money that had arrived by then, the projects in the library by
    then with their budgets then, and the industry share with the threshold of the rule that
    covers the fund on that day (B03 for a batch with its own minimum, else B02 when the
    fund is fiscal; none printed for a fund no share rule covers).
    """
    fund = ctx.funds.get(notice.subject)
    if fund is None:
        raise not_found(
            ctx,
            f"notice {notice.id}",
            "subject",
            "fund",
            notice.subject,
            f"没有资金 {notice.subject}",
        )
    ent = f"fund {fund.id}"
    day = notice.start
    held = ctx.facts.fund(fund.id)
    allocated = allocation(ctx.book, fund, day)
    need(allocated.budgets or None, ent, "projects", f"截至{day}分配到的项目")
    share = covering_share(ctx.book, fund, day)
    rows = []
    for seq, (ident, budget) in enumerate(allocated.budgets.items(), 1):
        project = ctx.projects[ident]
        pent = f"project {project.id}"
        rows.append(
            {
                "seq": seq,
                "name": project.name,
                "location": f"{project.township}{project.village}",
                "content": need(project.content, pent, "content", "建设内容"),
                "amount": q2(budget),
                "implementer": project.implementer,
                "category": CATEGORY_NAMES.get(project.category, project.category),
            }
        )
    sources = ctx.sources(fund.id, day)
    year = fund.budget_year
    body = {
        "fund": {"id": fund.id, "name": fund.name, "year": year},
        "doc": need(notice.doc or fund.alloc_doc, ent, "alloc_doc", "资金下达文号"),
        "sources": sources,
        "received": q2(held.received(day)),
        "returned": q2(held.returned_total(day)),
        "rows": rows,
        "total": q2(allocated.total),
        "industry": q2(allocated.industry),
        "industry_share": allocated.share,
        "industry_min": share.threshold if share is not None else None,
        "industry_rule": share.rule if share is not None else None,
        "industry_strict": share is not None and share.op == ">",
        "spent_share": share.value if share is not None and share.total else None,
        "spent_any": share is not None and bool(share.total),
        "spent_threshold": share.threshold if share is not None else None,
        "as_of": day,
        "basis": "按项目库储备项目择优安排，经县乡村振兴领导小组审定",
    }
    header = notice_header(
        ctx,
        notice,
        title=default_title(ctx.book, notice),
        township=notice.township or "",
        village="",
    )
    return NoticeDoc(header, "fund_allocation.html", body, rows=3 * len(rows) + 6)


def project_plan(ctx: Context, notice: Notice) -> NoticeDoc:
    """项目公示 (事前, F.4 layout 1): what will be built, by whom, with which money, why."""
    project = _project(ctx, notice)
    body = {"project": _project_rows(ctx, project, notice.start)}
    title = default_title(ctx.book, notice)  # one title for the notice and its findings
    header = notice_header(
        ctx, notice, title=title, township=project.township, village=project.village
    )
    return NoticeDoc(header, "project_plan.html", body, rows=12)


def _result_rows(ctx: Context, notice: Notice, project: Project) -> dict[str, Any]:
    """The money and completion of a project as known on the notice's first day."""
    ent = f"project {project.id}"
    day = notice.start
    facts = ctx.project_facts(project.id)
    accepted = facts.entry("accepted", day)
    completed = facts.entry("completed", day)
    settlement = facts.settlement(day)
    rows = _project_rows(ctx, project, day)
    rows.update(
        {
            "completed": completed.date if completed else None,
            "started": facts.reached("in_progress", day),
            "accepted": accepted.date if accepted else None,
            "acceptance_doc": accepted.doc if accepted else None,
            "settlement": (
                q2(need(settlement, ent, "settlement", "结算金额"))
                if accepted or completed
                else None
            ),
            "expensed": q2(facts.spent.at(day)),
            "paid": q2(facts.paid(day)),
            "withheld": q2(facts.deposit_held(day)),
            "prepaid": q2(facts.prepayment_open(day)),
            "as_of": day,
        }
    )
    return rows


def project_result(ctx: Context, notice: Notice) -> NoticeDoc:
    """项目实施结果公告 (事后): settlement, money paid, acceptance, targets."""
    project = _project(ctx, notice)
    need(
        ctx.project_facts(project.id).entry("accepted", notice.start),
        f"project {project.id}",
        "accepted",
        f"竣工验收 (截至公告日 {notice.start})",
    )
    header = notice_header(
        ctx,
        notice,
        title=default_title(ctx.book, notice),
        township=project.township,
        village=project.village,
    )
    body = {"project": _result_rows(ctx, notice, project)}
    return NoticeDoc(header, "project_result.html", body, rows=14)


def site_sign(ctx: Context, notice: Notice) -> NoticeDoc:
    """项目公示牌 (琼海 layout): name, total investment, fiscal money, scale, completion."""
    project = _project(ctx, notice)
    header = notice_header(
        ctx,
        notice,
        title=default_title(ctx.book, notice),
        township=project.township,
        village=project.village,
        issuer=project.implementer,
    )
    body = {"project": _result_rows(ctx, notice, project)}
    return NoticeDoc(header, "site_sign.html", body, rows=10)


def _recipients(
    ctx: Context, notice: Notice, amounts: Iterable[tuple[str, Decimal, str]], show_id: bool
) -> tuple[Recipient, ...]:
    """Recipient lines from (household id, amount, basis): names from the register, coded."""
    rows = list(amounts)
    if not rows:
        return ()
    if ctx.register is None:
        raise MissingField(f"notice {notice.id}", "household-register", "农户信息库 (姓名)")
    if not ctx.secret:
        raise MissingField(f"notice {notice.id}", "secret", "县级校验码密钥 (--secret-file)")
    out = []
    for seq, (hid, amount, basis) in enumerate(sorted(rows), 1):
        household = ctx.register.households.get(hid)
        if household is None:
            raise MissingField(f"household {hid}", "head_name", "农户信息库中没有此户")
        out.append(
            Recipient(
                seq=seq,
                household=hid,
                name=household.head_name,
                group=household.group,
                village=f"{household.township}{household.village}",
                amount=q2(amount),
                basis=basis,
                code=check_code(ctx.secret, notice.id, hid),
                id_masked=mask_id(household.id_number) if show_id else "",
            )
        )
    return tuple(out)


def beneficiaries(ctx: Context, notice: Notice) -> NoticeDoc:
    """到户受益名单: who got (or, posted before payment, gets) what, one line per benefit
    as the rules count it, with check codes.

    The subject is a household-level project (its payouts to households by the day posted)
    or a fund of household benefits (its payments of the notice's benefit ``year`` and
    ``kinds`` by the day posted; with ``phase: "plan"``, what the formulas give each
    eligible household, for a list posted before payment). Each line carries the public
    label of its benefit (``notice-benefit-labels``: 医疗救助, never the condition).
    """
    policy = ctx.book.policy.at(notice.start)
    fund = ctx.funds.get(notice.subject)
    if fund is not None and notice.subject not in ctx.projects:
        rows, about, place = _fund_items(ctx, notice, fund)
    else:
        rows, about, place = _project_items(ctx, notice)
    recipients = _recipients(ctx, notice, rows, policy.notice_show_masked_id)
    body = {
        **about,
        "phase": notice.phase,
        "count": len({r.household for r in recipients}),
        "lines": len(recipients),
        "total": q2(sum((r.amount for r in recipients), ZERO)),
    }
    header = notice_header(
        ctx,
        notice,
        title=default_title(ctx.book, notice),
        township=place[0],
        village=place[1],
    )
    return NoticeDoc(
        header,
        "beneficiaries.html",
        body,
        recipients,
        policy.notice_show_masked_id,
        rows=len(recipients) + 4,
    )


def _project_items(
    ctx: Context, notice: Notice
) -> tuple[list[tuple[str, Decimal, str]], dict[str, Any], tuple[str, str]]:
    """A household-level project's payouts by the day posted, one line per household and
    kind of payout."""
    project = _project(ctx, notice)
    items = project_items(ctx.book, project.id, as_of=notice.start)
    rows = [(i.household, i.amount, i.label) for i in items]
    need(
        rows or None,
        f"project {project.id}",
        "household",
        f"到户支出 (household 元数据, 截至 {notice.start})",
    )
    about = {
        "project": {
            "id": project.id,
            "name": project.name,
            "location": f"{project.township}{project.village}",
            "implementer": project.implementer,
            "fund_name": ctx.funds[project.fund].name if project.fund in ctx.funds else "",
        },
        "fund": None,
    }
    return rows, about, (project.township, project.village)


def _fund_items(
    ctx: Context, notice: Notice, fund: Fund
) -> tuple[list[tuple[str, Decimal, str]], dict[str, Any], tuple[str, str]]:
    """A fund's household benefits of one year: paid by the day posted, or due by formula."""
    year = notice.year or notice.start.year
    kinds = tuple((notice.kinds or "").replace(",", " ").split())
    ent = f"notice {notice.id}"
    if ctx.register is not None and (notice.village or notice.township):
        places = {(h.township, h.village) for h in ctx.register.households.values()}
        if not any(_same_place(notice, town, village) for town, village in places):
            where = f"{notice.township or ''}{notice.village or ''}"
            if pii.find(where):
                where = "所写村镇 (含个人号码, 不显示)"
            raise MissingField(
                ent, "village", f"{where} 不在农户信息库中 (no household lives there)"
            )
    if notice.phase == "plan":
        if ctx.register is None:
            raise MissingField(ent, "household-register", "农户信息库 (应发名单)")
        items = due_items(ctx.book, ctx.register, year=year, kinds=kinds)
        items = [i for i in items if _in_place(ctx, notice, i.household)]
    else:
        items = paid_items(ctx.book, fund=fund.id, year=year, kinds=kinds, as_of=notice.start)
        items = [i for i in items if _in_place(ctx, notice, i.household)]
    need(
        items or None,
        ent,
        "kinds",
        f"{year}年 {' '.join(kinds) or '到户补助'} (截至 {notice.start})",
    )
    rows = [
        (
            i.household,
            i.amount,
            i.label
            + (f" (成员{i.member})" if i.member is not None else "")
            + (f" 所付期间 {printed(i.period)}" if i.period else ""),
        )
        for i in items
    ]
    about = {"project": None, "fund": {"id": fund.id, "name": fund.name, "year": year}}
    return rows, about, (notice.township or "", notice.village or "")


def _in_place(ctx: Context, notice: Notice, household: str) -> bool:
    """Whether a household lives where the notice is posted (its village or township)."""
    if ctx.register is None or not (notice.village or notice.township):
        return True
    found = ctx.register.households.get(household)
    if found is None:
        return True  # the recipient check names it
    return _same_place(notice, found.township, found.village)


def _same_place(notice: Notice, township: str, village: str) -> bool:
    """Whether a township and village are where the notice is posted."""
    if notice.village and village != notice.village:
        return False
    return not (notice.township and township != notice.township)


def _income(ctx: Context, notice: Notice, result: bool) -> NoticeDoc:
    """收益分配方案/结果公示 (F.4 layout 3) from the asset register's income plan."""
    from fupin.assets import Asset, IncomePlan

    plans = ctx.book.by_id(IncomePlan)
    plan = plans.get(notice.subject)
    if plan is None:
        raise not_found(
            ctx,
            f"notice {notice.id}",
            "subject",
            "income-plan",
            notice.subject,
            f"没有收益分配方案 {notice.subject}",
        )
    asset = ctx.book.by_id(Asset).get(plan.asset)
    if asset is None:
        raise not_found(
            ctx, f"income-plan {plan.id}", "asset", "asset", plan.asset, f"没有资产 {plan.asset}"
        )
    ent = f"income-plan {plan.id}"
    parts = plan.parts  # B39's limits: they add up to the plan amount
    allocation = [
        {"purpose": PURPOSE_NAMES.get(key, key), "share": share, "amount": parts[key]}
        for key, share in plan.shares.items()
    ]
    body: dict[str, Any] = {
        "plan": {
            "id": plan.id,
            "name": plan.name or f"{asset.name}收益分配",
            "amount": q2(plan.amount),
            "income_from": plan.income_from,
            "income_to": plan.income_to,
            "decision": need(plan.decision, ent, "decision", "民主决策 (村两委会议/村民代表大会)"),
            "approval": plan.approval,
            "share_total": sum(plan.shares.values(), ZERO),
        },
        "asset": {
            "id": asset.id,
            "name": asset.name,
            "class_name": asset.class_name,
            "location": f"{asset.township}{asset.village}",
            "quantity": asset.quantity,
            "unit": asset.unit,
            "value": q2(asset.original_value),
        },
        "allocation": allocation,
    }
    recipients: tuple[Recipient, ...] = ()
    policy = ctx.book.policy.at(notice.start)
    claims: tuple[Claim, ...] = ()
    if result:
        day = notice.start
        held = ctx.facts.plan(plan.id)
        paid = held.paid_to(day)
        recipients = _recipients(
            ctx,
            notice,
            ((h, a, held.basis.get(h, "")) for h, a in paid.items()),
            policy.notice_show_masked_id,
        )
        collective = held.collective_by_village(day)
        body["collective"] = [
            {"village": v or asset.village, "amount": q2(a)} for v, a in collective.items()
        ]
        households_total = sum(paid.values(), ZERO)
        printed = households_total + sum(collective.values(), ZERO)
        body["households_total"] = q2(households_total)
        body["paid_total"] = q2(printed)
        scope = f"income-plan {plan.id}"
        asset_facts = ctx.facts.asset(plan.asset)
        untagged = asset_facts.unattributed.at(day)
        claims = (
            Claim("B39", "收益发放合计", scope, printed, held.paid.at(day)),
            Claim(
                "B39",
                f"资产 {plan.asset} 收益分配支出",
                scope,
                printed,
                printed + untagged,
                f"其中 {fmt_money(untagged)} 未引用分配方案 (plan:)" if untagged else "",
            ),
        )
    header = notice_header(
        ctx,
        notice,
        title=default_title(ctx.book, notice),
        township=asset.township,
        village=asset.village,
    )
    body["result"] = result
    return NoticeDoc(
        header,
        "income.html",
        body,
        recipients,
        policy.notice_show_masked_id,
        rows=len(allocation) + len(recipients) + 12,
        claims=claims,
    )


BUILDERS: dict[str, Callable[[Context, Notice], NoticeDoc]] = {
    "fund_allocation": fund_allocation,
    "project_plan": project_plan,
    "project_result": project_result,
    "site_sign": site_sign,
    "beneficiaries": beneficiaries,
    "income_plan": lambda ctx, n: _income(ctx, n, result=False),
    "income_result": lambda ctx, n: _income(ctx, n, result=True),
    # issue 15: 防返贫监测 village notices (fupin.reports.notice_monitoring)
    "monitoring": lambda ctx, n: _monitoring(ctx, n),
    "monitoring_exit": lambda ctx, n: _monitoring(ctx, n),
}


def _monitoring(ctx: Context, notice: Notice) -> NoticeDoc:
    from fupin.reports.notice_monitoring import monitoring_notice

    return monitoring_notice(ctx, notice)


def place_of(ctx: Context, notice: Notice) -> tuple[str, str]:
    """(township, village) a notice is posted in: its own, else its subject's."""
    facts = ctx.facts.notice(notice)
    return facts.township, facts.village


def build_notices(
    ctx: Context,
    *,
    kinds: Sequence[str] = (),
    village: str | None = None,
    township: str | None = None,
    year: int | None = None,
) -> list[NoticeDoc]:
    """Every selected notice of the ledger, built; all missing fields raised together.

    A notice whose :class:`Claim` disagrees with its rule is left out and named in
    ``ctx.refused`` (notice, rule, both numbers).
    """
    docs, problems = [], []
    for notice in ctx.book.all(Notice):
        if kinds and notice.type not in kinds:
            continue
        if year is not None and notice.start.year != year:
            continue
        town, vill = place_of(ctx, notice)
        if village and vill != village:
            continue
        if township and town != township:
            continue
        facts = ctx.facts.notice(notice)
        if facts.before_subject and facts.subject_since is not None:
            ctx.refused.append(
                f"notice {notice.id} ({NOTICE_TYPE_NAMES[notice.type]}) 未生成: "
                + posted_before_subject(notice, facts.subject_kind, facts.subject_since)
            )
            continue
        try:
            doc = replace(
                BUILDERS[notice.type](ctx, notice),
                source=_entry_where(ctx.book.entry_of(notice).meta),
            )
        except MissingField as exc:
            problems.append(f"notice {notice.id} ({NOTICE_TYPE_NAMES[notice.type]}): {exc}")
            continue
        except ImportError:
            problems.append(f"notice {notice.id}: 资产数据不可用 (fupin.assets)")
            continue
        broken = [c for c in doc.claims if not c.holds]
        if broken:
            ctx.refused.append(
                f"notice {notice.id} ({NOTICE_TYPE_NAMES[notice.type]}) 未生成: "
                + "; ".join(c.describe() for c in broken)
            )
            continue
        docs.append(doc)
    if problems:
        raise NoticeDataError(problems, docs)
    return docs


__all__ = [
    "BUILDERS",
    "Context",
    "Fund",
    "InvalidEntity",
    "NoticeDataError",
    "NoticeDoc",
    "NoticeRefused",
    "Recipient",
    "build_notices",
]
