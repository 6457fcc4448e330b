"""Poverty-project assets (扶贫项目资产) under four-rights separation (四权分置), DOMAIN E.

Four ``custom`` entities, validated by pydantic like every fupin entity::

    2021-11-20 custom "asset" "A-2021-003"            ; 确权登记: the asset itself
      name: "石桥镇联村光伏扶贫电站"
      class: "operating"                             ; operating | public_welfare | household
      form: "fixed"                                  ; fixed | biological | equity | intangible
      projects: "P-2021-003"                         ; or "P-1=600000 P-2=400000"
      township: "石桥镇"
      village: "石桥村"
      quantity: 300
      unit: "kW"
      funding: "Central=1200000.00 Provincial=546000.00"   ; value = Σ funding
      accepted: 2021-11-05
      handover: 2021-11-20

    2021-11-20 custom "asset-right" "A-2021-003" "ownership"   ; one holder of one right
      holder: "石桥村股份经济合作社"
      holder_type: "village_collective"
      share: 0.40                                    ; 联村 ownership: Σ = 100%

    2022-06-01 custom "asset-event" "A-2021-002B" "disposal"  ; status | disposal | transfer | mortgage
      approval: "城政复〔2022〕8号"
      resolution: "河湾村村民代表大会决议 2022-05-20"

    2022-07-08 custom "income-plan" "IP-2022-PV-H1"            ; 收益分配方案
      asset: "A-2021-003"
      amount: 98000.00 CNY
      shares: "PublicPost=50% Award=20% PublicWelfare=20% Collective=10%"

Rights are dated data: the holders of a right on a day are all the entries of that asset and
right carrying the latest date on or before that day (entries of one date form one set, so a
联村 ownership is three entries of one date; a change of operator is a new dated entry).
:func:`asset_register` builds the register once per book; :meth:`AssetRegister.at` gives
the 台账 on any date, which ``fupin assets`` and the Fava pages print.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, ConfigDict, Field, field_validator, model_validator

from fupin.entities import ACCOUNT_COMPONENT, Entity, Money, PositiveMoney, Share, Text, near
from fupin.findings import Finding
from fupin.messages_zh import reject_near_miss, show_input
from fupin.money import CENT, HUNDRED, ZERO, q2
from fupin.vocab import MAX_AMOUNT, SOURCES

if TYPE_CHECKING:
    from collections.abc import Iterator

    from fupin.book import Book
    from fupin.policy import Policy

ASSET_CLASSES = {"operating": "经营性", "public_welfare": "公益性", "household": "到户类"}
FORMS = {
    "fixed": "固定资产",
    "biological": "生物资产",
    "equity": "权益性资产",
    "intangible": "无形资产",
}
STATUSES = {"in_use": "在用", "idle": "闲置", "damaged": "损毁", "disposed": "已处置"}
RIGHTS = {
    "ownership": "所有权",
    "operation": "经营权",
    "income": "收益权",
    "supervision": "监督权",
    "disposal": "处置权",
    "distribution": "分配权",
    "custody": "管护权",
}
HOLDER_TYPES = {
    "county": "县级(国有)",
    "department": "行业主管部门",
    "township": "乡镇",
    "village_collective": "村集体经济组织",
    "village_committee": "村民委员会",
    "household": "农户",
    "cooperative": "合作社",
    "company": "企业",
    "committee": "村务监督委员会",
    "other": "其他",
}
#: Owner level (县/乡/村/户) of an ownership holder; other holder types own at no level.
OWNER_LEVELS = {
    "county": "county",
    "department": "county",
    "township": "township",
    "village_collective": "village",
    "village_committee": "village",
    "household": "household",
}
LEVEL_NAMES = {
    "county": "县级",
    "township": "乡镇级",
    "village": "村级",
    "household": "户级",
    "unassigned": "未确权",
}
EVENT_TYPES = {"status": "状态变更", "disposal": "处置", "transfer": "转让", "mortgage": "抵押"}
#: Events that need an approval reference (B38).
GUARDED_EVENTS = ("disposal", "transfer", "mortgage")

HOUSEHOLD_ID = re.compile(r"^H-[A-Z0-9]{1,8}-\d{1,6}$")

AssetClass = Literal["operating", "public_welfare", "household"]  # the keys of ASSET_CLASSES
Status = Literal["in_use", "idle", "damaged", "disposed"]  # the keys of STATUSES


class AssetRegisterError(Finding):
    """B37: an asset not registered, valued or given its rights as the rules require."""

    __slots__ = ()


class AssetDisposalError(Finding):
    """B38: a disposal, transfer or mortgage without its approvals."""

    __slots__ = ()


class IncomeDistributionError(Finding):
    """B39: asset income distributed without a 100% plan, its notices or eligible payees."""

    __slots__ = ()


class AssetIncomeUseError(Finding):
    """B25: asset income spent on the negative list."""

    __slots__ = ()


def _amount(text: str) -> Decimal:
    """``"1,200.50"`` or ``"12.5%"`` → Decimal (a percent becomes a fraction)."""
    text = text.strip().replace(",", "")
    try:
        number = Decimal(text[:-1]) / HUNDRED if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        raise ValueError(f"应为数字, 而非 {show_input(text)}") from None
    if not number.is_finite() or abs(number) > MAX_AMOUNT:
        raise ValueError(f"数值超出范围 (应为不超过 {MAX_AMOUNT:,} 的有限数)")
    return number


def _pairs(value: Any, *, allow_bare: bool = False) -> Any:
    """``"A=1 B=2"`` (space or comma separated) → ``{"A": "1", "B": "2"}``; bare keys → None."""
    if not isinstance(value, str):
        return value
    out: dict[str, Decimal | None] = {}
    for part in re.split(r"[\s,;，；]+", value.strip()):
        if not part:
            continue
        key, sep, number = part.partition("=")
        if not key or (not sep and not allow_bare):
            raise ValueError(f"应为 名称=金额 列表 (key=amount), 而非 {show_input(part)}")
        if key in out:
            raise ValueError(f"{key} 出现两次")
        out[key] = _amount(number) if sep else None
    if not out:
        raise ValueError("不能为空")
    return out


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(p for p in re.split(r"[\s,;，；、]+", value) if p)
    return value


Amounts = Annotated[dict[str, Money], BeforeValidator(_pairs)]
Shares = Annotated[dict[str, Share], BeforeValidator(_pairs)]
ProjectShares = Annotated[
    dict[str, Money | None], BeforeValidator(lambda v: _pairs(v, allow_bare=True))
]
Ids = Annotated[tuple[str, ...], BeforeValidator(_split)]


def _component(value: str) -> str:
    if not ACCOUNT_COMPONENT.match(value):
        raise ValueError(
            "资产编号是账户名的一段 (account component): 以 A-Z 或 0-9 开头, 其后为 A-Za-z0-9-"
        )
    return value


class Asset(Entity):
    """A registered asset (确权登记, 资产台账 row): ``custom "asset" "<ID>"``."""

    kind: ClassVar[str] = "asset"
    label: ClassVar[str] = "扶贫资产"
    since_label: ClassVar[str] = "资产登记日期"
    #: ``account`` is the asset's own on-book account, opened or not (depreciation posts to
    #: ``<account>:AccumulatedDepreciation``, which the plugin opens)
    refs: ClassVar[dict[str, str]] = {"projects": "project", "funding": "source"}
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str
    name: Text
    asset_class: AssetClass = Field(alias="class")
    form: Literal[tuple(FORMS)]  # type: ignore[valid-type]
    subtype: str | None = None  # 资产类型: 光伏电站, 道路, 饮水, 厂房, 股权, 生物资产…
    projects: ProjectShares  # project id, or id=amount for an asset built by several
    township: Text
    village: Text
    group: str | None = None  # 村民小组
    quantity: Annotated[Decimal, Field(gt=0, le=MAX_AMOUNT)]
    unit: Text
    funding: Amounts  # 资金来源构成: source=amount
    value: Money | None = None  # 资产原值; = Σ funding (derived when absent)
    accepted: datetime.date | None = None  # 验收日期 (default: the project's acceptance)
    handover: datetime.date | None = None  # 移交日期, ≥ accepted
    status: Status = "in_use"
    beneficiaries: str | None = None  # 受益对象
    income_basis: str | None = None  # 收益方式: 固定分红 8%, 租金, 电费…
    certificate: str | None = None  # 不动产权证号 / 股权证号
    account: str | None = None  # on-book account (for depreciation)
    life_years: Annotated[int, Field(ge=1, le=100)] | None = None  # 折旧年限
    salvage: Money | None = None  # 预计净残值
    note: str | None = None

    _id = field_validator("id")(classmethod(lambda cls, v: _component(v)))

    @field_validator("funding")
    @classmethod
    def _known_sources(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for source in value:
            reject_near_miss(source, SOURCES, "资金来源")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Asset:
        total = sum(self.funding.values(), ZERO)
        if self.value is not None and self.value != total:
            raise ValueError(f"value: 原值 {self.value} ≠ 资金来源合计 (funding) {total}")
        if not total:
            raise ValueError("funding: 资金来源合计为 0")
        amounts = list(self.projects.values())
        given = [a for a in amounts if a is not None]
        if len(amounts) > 1 and len(given) < len(amounts):
            raise ValueError("projects: 多个项目共建时须写明各项目金额 (P-1=… P-2=…)")
        if given and sum(given, ZERO) != total:
            raise ValueError(f"projects: 各项目金额合计 {sum(given, ZERO)} ≠ 资产原值 {total}")
        if self.salvage is not None and self.salvage > total:
            raise ValueError("salvage: 预计净残值超过资产原值")
        if self.account is not None and not self.account.startswith("Assets:"):
            raise ValueError("account: 应为 Assets 账户")
        for name in ("accepted", "handover"):
            day = getattr(self, name)
            if day is not None and not near(day, self.date):
                raise ValueError(f"{name}: {day} 与登记日期 {self.date} 相差超过十年")
        return self

    @property
    def original_value(self) -> Decimal:
        """资产原值: Σ funding by source (DOMAIN E.3, L.2)."""
        return sum(self.funding.values(), ZERO)

    def project_amounts(self) -> dict[str, Decimal]:
        """The value attributed to each project that built the asset."""
        if len(self.projects) == 1 and next(iter(self.projects.values())) is None:
            return {next(iter(self.projects)): self.original_value}
        return {k: v or ZERO for k, v in self.projects.items()}

    @property
    def class_name(self) -> str:
        return ASSET_CLASSES[self.asset_class]


class AssetRight(Entity):
    """One holder of one right of an asset from a date: ``custom "asset-right" "<ASSET>" "<right>"``."""

    kind: ClassVar[str] = "asset-right"
    label: ClassVar[str] = "资产权属"
    positional: ClassVar[tuple[str, ...]] = ("asset", "right")
    refs: ClassVar[dict[str, str]] = {"asset": "asset"}
    parent: ClassVar[str] = "asset"

    asset: str
    right: Literal[tuple(RIGHTS)]  # type: ignore[valid-type]
    holder: Text
    holder_type: Literal[tuple(HOLDER_TYPES)]  # type: ignore[valid-type]
    share: Share | None = None  # 确权比例 when several hold the right (Σ = 100%)
    mode: str | None = None  # 经营方式: 自主经营 / 委托经营 / 租赁 / 入股
    until: datetime.date | None = None  # contract end (经营期限)
    person: str | None = None  # 管护责任人 (a role or household id, never a phone)
    doc: str | None = None  # 确权文书, 合同号, 决议
    note: str | None = None

    @model_validator(mode="after")
    def _household_holder(self) -> AssetRight:
        if self.holder_type == "household" and not HOUSEHOLD_ID.match(self.holder):
            raise ValueError("holder: 农户持有人应写其化名编号 H-<村代码>-<序号>")
        if self.until is not None and self.until < self.date:
            raise ValueError(f"until: {self.until} 早于记录日期 {self.date}")
        return self

    def references(self) -> Iterator[tuple[str, str, str]]:
        """The asset, and a household holder or 管护责任人 by its id."""
        yield "asset", "asset", self.asset
        if self.holder_type == "household":
            yield "holder", "household", self.holder
        if self.person is not None and HOUSEHOLD_ID.match(self.person):
            yield "person", "household", self.person

    def describe(self) -> str:
        return f"{self.holder} {RIGHTS[self.right]} [asset {self.asset}]"


class AssetEvent(Entity):
    """A dated change of an asset: ``custom "asset-event" "<ASSET>" "<event>"``."""

    kind: ClassVar[str] = "asset-event"
    label: ClassVar[str] = "资产变动"
    positional: ClassVar[tuple[str, ...]] = ("asset", "event")
    refs: ClassVar[dict[str, str]] = {"asset": "asset"}
    parent: ClassVar[str] = "asset"

    asset: str
    event: Literal[tuple(EVENT_TYPES)]  # type: ignore[valid-type]
    status: Status | None = None  # the new status (required for ``status``)
    approval: str | None = None  # 审批文号
    resolution: str | None = None  # 村民代表大会决议
    reason: str | None = None  # 自然灾害、意外事故、发展规划、达到使用年限…
    counterparty: str | None = None  # buyer, lender, transferee
    proceeds: Money | None = None  # 处置收入 / 抵押金额
    note: str | None = None

    @model_validator(mode="after")
    def _status_given(self) -> AssetEvent:
        if self.event == "status" and self.status is None:
            raise ValueError("status: 状态变更须写明新状态 (status)")
        return self

    @property
    def new_status(self) -> str | None:
        """The status after the event (a disposal or transfer ends the asset's life here)."""
        if self.event in ("disposal", "transfer"):
            return "disposed"
        return self.status

    def describe(self) -> str:
        return f"{EVENT_TYPES[self.event]} [asset {self.asset}]"


class IncomePlan(Entity):
    """An income distribution plan (收益分配方案): ``custom "income-plan" "<ID>"``."""

    kind: ClassVar[str] = "income-plan"
    label: ClassVar[str] = "收益分配方案"
    refs: ClassVar[dict[str, str]] = {"asset": "asset", "recipients": "household"}

    id: str
    asset: str
    name: str | None = None
    amount: PositiveMoney  # 可分配收益
    shares: Shares  # purpose or recipient = share; Σ = 100% (B39)
    income_from: datetime.date | None = None  # 收益期间
    income_to: datetime.date | None = None
    decision: str | None = None  # 村两委会议 + 村民代表大会 (日期, 到会人数)
    approval: str | None = None  # 乡镇审核文号
    recipients: Ids = ()  # eligible household ids (when the plan names them)
    note: str | None = None

    @field_validator("recipients")
    @classmethod
    def _household_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if not HOUSEHOLD_ID.match(v)]
        if bad:
            shown = ", ".join(show_input(v) for v in bad[:5])
            raise ValueError(f"不是农户化名编号 H-<村代码>-<序号>: {shown}")
        if len(set(value)) != len(value):
            raise ValueError("recipients: 同一农户列出两次")
        return value

    @property
    def parts(self) -> dict[str, Decimal]:
        """Each key's money (方案金额 × 比例), to the cent: the amounts the plan notice prints
        and B39 limits payouts to. When the shares make 100% the parts add up to the plan's
        amount exactly: each is rounded down to the fen, and the fen left over go one each
        to the keys with the largest remainders (the first listed on a tie); otherwise (a
        B39 error) each is rounded half up."""
        exact = {key: self.amount * share for key, share in self.shares.items()}
        if sum(self.shares.values(), ZERO) != 1:
            return {key: q2(value) for key, value in exact.items()}
        parts = {key: value.quantize(CENT, ROUND_FLOOR) for key, value in exact.items()}
        left = int((q2(self.amount) - sum(parts.values(), ZERO)) / CENT)
        by_remainder = sorted(exact, key=lambda key: parts[key] - exact[key])
        for key in by_remainder[:left]:
            parts[key] += CENT
        return parts

    def part(self, keys: Sequence[str]) -> Decimal:
        """The money of some keys of the plan together (:attr:`parts`)."""
        parts = self.parts
        return sum((parts[key] for key in keys), ZERO)

    @model_validator(mode="after")
    def _period_in_order(self) -> IncomePlan:
        if self.income_from and self.income_to and self.income_to < self.income_from:
            raise ValueError(f"income_to: {self.income_to} 早于 income_from {self.income_from}")
        for name in ("income_from", "income_to"):
            day = getattr(self, name)
            if day is not None and not near(day, self.date):
                raise ValueError(f"{name}: {day} 与记录日期 {self.date} 相差超过十年")
        return self


# -- the register at a date ----------------------------------------------------------------


@dataclass(frozen=True)
class AssetState:
    """One asset as the register shows it on a day."""

    asset: Asset
    day: datetime.date
    status: str
    rights: Mapping[str, tuple[AssetRight, ...]]  # right → holders then in force
    events: tuple[AssetEvent, ...]  # events up to the day

    @property
    def owner_level(self) -> str:
        """county | township | village | household | unassigned (by the largest share)."""
        owners = self.rights.get("ownership", ())
        weight: dict[str, Decimal] = defaultdict(Decimal)
        for owner in owners:
            level = OWNER_LEVELS.get(owner.holder_type)
            if level:
                weight[level] += owner.share if owner.share is not None else Decimal(1)
        if not weight:
            return "unassigned"
        return max(weight, key=lambda level: weight[level])

    def holders(self, right: str) -> str:
        """``石桥村股份经济合作社 40.00%; 杨庄村… 35.00%`` (shares shown when given)."""
        parts = []
        for holder in self.rights.get(right, ()):
            text = holder.holder
            if holder.share is not None and len(self.rights[right]) > 1:
                text += f" {holder.share * HUNDRED:.2f}%"
            if holder.mode:
                text += f" ({holder.mode})"
            parts.append(text)
        return "; ".join(parts)


@dataclass
class Tally:
    """Count and original value of a group of assets."""

    count: int = 0
    value: Decimal = ZERO

    def add(self, value: Decimal) -> None:
        self.count += 1
        self.value += value

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "value": str(q2(self.value))}


@dataclass
class ValueTotals:
    """Original values of a register's assets on a day: those in use by (class, owner
    level), the disposed ones apart. The CLI register, the Fava page and its chart show
    these."""

    cells: dict[tuple[str, str], Tally]
    disposed: Tally

    def by_class(self) -> dict[str, Tally]:
        return self._by(0)

    def by_level(self) -> dict[str, Tally]:
        return self._by(1)

    @property
    def total(self) -> Tally:
        out = Tally()
        for cell in self.cells.values():
            out.count += cell.count
            out.value += cell.value
        return out

    def _by(self, axis: int) -> dict[str, Tally]:
        out: dict[str, Tally] = {}
        for key, cell in self.cells.items():
            held = out.setdefault(key[axis], Tally())
            held.count += cell.count
            held.value += cell.value
        return out


def value_totals(states: Sequence[AssetState]) -> ValueTotals:
    """The :class:`ValueTotals` of the given register states."""
    cells: dict[tuple[str, str], Tally] = {}
    disposed = Tally()
    for state in states:
        value = state.asset.original_value
        if state.status == "disposed":
            disposed.add(value)
            continue
        cells.setdefault((state.asset.asset_class, state.owner_level), Tally()).add(value)
    return ValueTotals(cells, disposed)


@dataclass(frozen=True)
class AssetRegister:
    """Every asset with its dated rights and events: built once per book."""

    assets: Mapping[str, Asset]
    rights: Mapping[str, Mapping[str, Sequence[AssetRight]]]  # asset → right → entries by date
    events: Mapping[str, Sequence[AssetEvent]]  # asset → events by date
    orphans: Sequence[AssetRight | AssetEvent]  # entries naming no registered asset
    #: asset → right → the dated sets of holders (entries of one date), in date order
    grouped: Mapping[str, Mapping[str, tuple[tuple[AssetRight, ...], ...]]] = field(
        default_factory=dict
    )

    def holders_on(self, asset: str, right: str, day: datetime.date) -> tuple[AssetRight, ...]:
        """The holders of ``right`` on ``day``: the entries of the latest date ≤ day."""
        for group in reversed(self.grouped.get(asset, {}).get(right, ())):
            if group[0].date <= day:
                return group
        return ()

    def groups(self, asset: str, right: str) -> list[tuple[AssetRight, ...]]:
        """Each dated set of holders of a right, in date order."""
        return list(self.grouped.get(asset, {}).get(right, ()))

    def status_on(self, asset: str, day: datetime.date) -> str:
        """``in_use | idle | damaged | disposed`` on ``day``, after the events up to it."""
        status: str = self.assets[asset].status
        for event in self.events.get(asset, ()):
            if event.date > day:
                break
            status = event.new_status or status
        return status

    def state(self, asset: str, day: datetime.date) -> AssetState:
        rights = {
            right: held
            for right in self.rights.get(asset, {})
            if (held := self.holders_on(asset, right, day))
        }
        events = tuple(e for e in self.events.get(asset, ()) if e.date <= day)
        return AssetState(self.assets[asset], day, self.status_on(asset, day), rights, events)

    def at(self, day: datetime.date) -> list[AssetState]:
        """The register (台账) on ``day``: every asset registered by then, in id order."""
        return [self.state(ident, day) for ident, a in sorted(self.assets.items()) if a.date <= day]


def asset_register(book: Book) -> AssetRegister:
    """Group the book's asset entities (already parsed in the book's one pass); built once
    per book and shared by the rules and pages that read it."""
    return book.shared("asset-register", lambda: _asset_register(book))


def _asset_register(book: Book) -> AssetRegister:
    assets = book.by_id(Asset)
    rights: dict[str, dict[str, list[AssetRight]]] = defaultdict(lambda: defaultdict(list))
    events: dict[str, list[AssetEvent]] = defaultdict(list)
    orphans: list[AssetRight | AssetEvent] = []
    for right in book.all(AssetRight):
        if right.asset in assets:
            rights[right.asset][right.right].append(right)
        else:
            orphans.append(right)
    for event in book.all(AssetEvent):
        if event.asset in assets:
            events[event.asset].append(event)
        else:
            orphans.append(event)
    grouped: dict[str, dict[str, tuple[tuple[AssetRight, ...], ...]]] = {}
    for ident, by_right in rights.items():
        grouped[ident] = {}
        for name, entries in by_right.items():
            sets: dict[datetime.date, list[AssetRight]] = {}
            for entry in entries:  # already in date order (the book keeps entry order)
                sets.setdefault(entry.date, []).append(entry)
            grouped[ident][name] = tuple(tuple(v) for v in sets.values())
    return AssetRegister(
        assets,
        {k: {r: tuple(v) for r, v in by.items()} for k, by in rights.items()},
        {k: tuple(v) for k, v in events.items()},
        tuple(orphans),
        grouped,
    )


def register_at(book: Book, day: datetime.date | None = None) -> list[AssetState]:
    """The asset register (台账) on ``day`` (default: the ledger's last date)."""
    day = day or book.last_date or datetime.date.today()
    return asset_register(book).at(day)


def required_rights(policy: Policy, asset_class: str) -> tuple[str, ...]:
    """The rights an asset of a class must have assigned under the policy (B37, 台账)."""
    rights = list(policy.asset_rights)
    if asset_class == "public_welfare":
        rights = [r for r in rights if r not in policy.asset_rights_exempt_public_welfare]
    if asset_class in policy.asset_custody_classes and "custody" not in rights:
        rights.append("custody")
    return tuple(rights)


def asset_of_account(account: str) -> str | None:
    """``Income:AssetIncome:A-1`` / ``Expenses:IncomeDistribution:A-1`` → ``A-1``."""
    parts = account.split(":")
    if len(parts) >= 3 and parts[1] in ("AssetIncome", "IncomeDistribution"):
        return parts[2]
    return None
