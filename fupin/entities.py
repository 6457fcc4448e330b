"""The ``custom`` entities of a fupin ledger, validated by pydantic.

Each entity is a dated ``custom`` directive whose first values name it and whose metadata
holds its fields, e.g.::

    2021-02-20 custom "project" "P-2021-001"
      name: "青山村肉牛养殖圈舍建设项目"
      category: "Industry"
      budget: 500000.00 CNY

A field that does not validate is an :class:`~fupin.findings.EntityError` at the entry's
line naming the field; the entity is then left out of the book.

Every model names what its fields point at in ``refs`` (field → the kind referenced:
``"fund"``, ``"project"``, ``"asset"``, ``"notice"``, ``"income-plan"``, ``"contract"``,
``"household"``, ``"account"``, …); ``fupin.integrity`` resolves each one. Coded fields are
``Literal`` of a module-level tuple, so an unknown value gets a "did you mean".
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from fupin.findings import EntityError
from fupin.messages_zh import describe as describe_error
from fupin.messages_zh import explain, location, reject_near_miss, show_input
from fupin.money import ZERO, q2
from fupin.vocab import CATEGORIES, MAX_AMOUNT, YEAR_MAX, YEAR_MIN, YEAR_SLACK

if TYPE_CHECKING:
    from collections.abc import Iterator

    from beancount.core.data import Custom

#: Entity models by ``custom`` type; filled as each model class is defined (any module).
ENTITY_TYPES: dict[str, type[Entity]] = {}

ACCOUNT_COMPONENT = re.compile(r"^[A-Z0-9][A-Za-z0-9-]*$")


def _number(value: Any) -> Any:
    """Accept ``500000.00 CNY`` (an Amount) where a Decimal is expected."""
    return getattr(value, "number", value)


#: characters no one means to type in a name: controls and the invisible format characters
#: (zero-width space and joiners, direction marks, word joiner, soft hyphen, BOM)
_INVISIBLE = re.compile("[\x00-\x1f\x7f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def _non_blank(value: str) -> str:
    """A name as typed once: not blank, no space before or after it (a full-width U+3000
    included), no invisible character; else ``"青山村　"`` would be a second village."""
    if not value.strip():
        raise ValueError("不能为空")
    hidden = _INVISIBLE.search(value)
    if hidden:
        raise ValueError(f"含不可见字符 U+{ord(hidden.group()):04X} (如零宽空格), 请删除")
    if value != value.strip():
        raise ValueError(
            "首尾有空格 (含全角空格 U+3000), 请删除: 否则与不带空格的同名记录不是同一个"
        )
    return value


#: an amount in yuan, to the fen (分) at most: ``1600000.005 CNY`` is refused, no bank pays it
Money = Annotated[Decimal, BeforeValidator(_number), Field(ge=0, lt=MAX_AMOUNT, decimal_places=2)]
#: an amount that must be positive (a budget, a contract, a plan's distributable income)
PositiveMoney = Annotated[
    Decimal, BeforeValidator(_number), Field(gt=0, lt=MAX_AMOUNT, decimal_places=2)
]
Share = Annotated[Decimal, BeforeValidator(_number), Field(ge=0, le=1)]
#: text that must say something (a name, a township, a holder)
Text = Annotated[str, AfterValidator(_non_blank)]
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]


def near(day: datetime.date, other: datetime.date, years: int = YEAR_SLACK) -> bool:
    """Whether ``day`` lies within ``years`` years of ``other`` (a plausible date)."""
    return abs(day.year - other.year) <= years


def _percent(value: Any) -> Any:
    """``"3.65%"`` → 0.0365 (issue 15: interest and return rates); a number passes."""
    value = _number(value)
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return Decimal(value.strip()[:-1]) / 100
        except ArithmeticError:
            return value
    return value


#: a yearly rate as a fraction, written ``0.0365`` or ``"3.65%"``
Rate = Annotated[Decimal, BeforeValidator(_percent), Field(ge=0, le=1)]


class Entity(BaseModel):
    """Base of every ``custom`` entity: positional values, then metadata fields."""

    #: ``defer_build``: a model's validator is built when its first entry is validated, so
    #: the kinds a ledger does not use cost nothing at import (most ledgers use a few)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""  # Chinese name of the kind, for messages
    positional: ClassVar[tuple[str, ...]] = ("id",)
    #: field → the kind of entity (or ``account``, ``household``) it names
    refs: ClassVar[dict[str, str]] = {}
    #: the field (one of :attr:`refs`) naming the entity this entry is a dated change of
    #: (an asset's right, a loan's event, a case's step): never dated before it exists
    parent: ClassVar[str] = ""
    #: what the day an entity exists from is called (``登记日期``; see :meth:`since`)
    since_label: ClassVar[str] = "登记日期"

    date: datetime.date
    #: issue 17: evidence files behind the entry, ``"<kind> <path> sha256:<hex>"`` separated
    #: by ``;`` (checked by fupin.evidence; every entity may carry it)
    evidence: str | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Register every entity model by its ``custom`` type when its module is imported."""
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("kind"):
            ENTITY_TYPES[cls.kind] = cls

    def describe(self) -> str:
        """``<中文名称> [<kind> <id>]`` for messages."""
        name = getattr(self, "name", "") or ""
        ident = getattr(self, "id", "")
        return f"{name} [{self.kind} {ident}]".strip()

    def exists_from(self) -> datetime.date:
        """The day the entity exists from, before which no dated change of it can happen."""
        return self.date

    def key(self) -> str | None:
        """The id this entry defines (defined once per kind), None for a dated change."""
        ident = getattr(self, "id", None)
        return ident if isinstance(ident, str) else None

    def references(self) -> Iterator[tuple[str, str, str]]:
        """``(field, kind, id)`` for every id this entity names (from :attr:`refs`)."""
        for name, kind in self.refs.items():
            value = getattr(self, name, None)
            if value is None:
                continue
            if isinstance(value, dict | tuple | list):
                for item in value:
                    yield name, kind, str(item)
            else:
                yield name, kind, str(value)


class County(Entity):
    """The county the books are kept for: ``custom "county" "<code>"`` with ``name:`` (its
    6-digit 行政区划代码 kept as text; the province's roll-up keys every export by it)."""

    kind: ClassVar[str] = "county"
    label: ClassVar[str] = "县(市、区)"

    id: Annotated[str, Field(pattern=r"^[0-9]{6}$")]
    name: Text
    note: str | None = None

    def key(self) -> str:
        """A ledger is one county's: a second entry would silently rename it."""
        return "county"


FUND_FAMILIES = (
    "xianjie",  # 衔接推进乡村振兴补助资金 (2021–)
    "special_poverty",  # 财政专项扶贫资金 (2016–2020)
    "integrated",  # 统筹整合涉农资金
    "county",  # 县级财政专项扶贫资金 / 奖励资金
    "special_fund",  # 区/县专项扶贫基金 (government + raised + donations)
    "bond",  # 地方政府债券
    "east_west",  # 东西部协作
    "paired",  # 定点/对口帮扶
    "donation",  # 社会捐赠
)


class Fund(Entity):
    """A pot of earmarked money: ``custom "fund" "<ID>"``; the id is also an account component."""

    kind: ClassVar[str] = "fund"
    label: ClassVar[str] = "资金"

    id: str
    name: Text
    family: Literal[FUND_FAMILIES]  # type: ignore[valid-type]
    year: Year | None = None
    total: PositiveMoney | None = None
    shares: dict[str, Share] | None = None
    close: datetime.date | None = None
    restricted: bool = True
    alloc_doc: str | None = None
    industry_share_min: Share | None = None
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _ascii_component(cls, value: str) -> str:
        if not ACCOUNT_COMPONENT.match(value):
            raise ValueError(
                "资金编号是账户名的一段 (account component): 以 A-Z 或 0-9 开头, 其后为 A-Za-z0-9-"
            )
        return value

    @field_validator("shares", mode="before")
    @classmethod
    def _parse_shares(cls, value: Any) -> Any:
        """``"Government=0.70 Raised=0.20 Donation=0.10"`` → mapping; shares sum to 1."""
        if not isinstance(value, str):
            return value
        shares: dict[str, str] = {}
        for part in value.replace(",", " ").split():
            source, sep, number = part.partition("=")
            if not sep or not ACCOUNT_COMPONENT.match(source):
                raise ValueError(f"应为 来源=比例 (Source=share), 而非 {show_input(part)}")
            if source in shares:
                raise ValueError(f"来源 {source} 出现两次")
            shares[source] = number.rstrip("%")
        return shares

    @field_validator("shares")
    @classmethod
    def _shares_sum_to_one(cls, value: dict[str, Decimal] | None) -> dict[str, Decimal] | None:
        if value is not None and sum(value.values(), ZERO) != 1:
            raise ValueError(
                f"各来源比例合计 {sum(value.values(), ZERO)}, 应恰好为 1 (not exactly 1)"
            )
        return value

    @model_validator(mode="after")
    def _plausible(self) -> Fund:
        if self.year is not None and abs(self.year - self.date.year) > YEAR_SLACK:
            raise ValueError(f"year: {self.year} 与记录日期 {self.date} 相差超过 {YEAR_SLACK} 年")
        if self.close is not None and not near(self.close, self.date):
            raise ValueError(f"close: {self.close} 与记录日期 {self.date} 相差超过 {YEAR_SLACK} 年")
        return self

    @property
    def budget_year(self) -> int:
        """The budget year the fund counts in (its ``year``, else its entry's year)."""
        return self.year or self.date.year

    def declared(self, source: str) -> Decimal | None:
        """What ``source`` is to give in all: its share × ``total``, to the fen half up (B01's
        cap and due at close, the 资金 page's 应到); None when either is not declared."""
        share = (self.shares or {}).get(source)
        if share is None or self.total is None:
            return None
        return q2(share * self.total)


class FundCheck(Entity):
    """A dated check of a fund's source split: ``custom "fund-check" "<FUND>"`` (B01)."""

    kind: ClassVar[str] = "fund-check"
    label: ClassVar[str] = "资金来源核对"
    positional: ClassVar[tuple[str, ...]] = ("fund",)
    refs: ClassVar[dict[str, str]] = {"fund": "fund"}

    fund: str
    note: str | None = None

    def describe(self) -> str:
        return f"[fund {self.fund}] {self.date} 核对"


STAGES = (
    "proposed",  # 村级申报
    "in_library",  # 县级审定入库
    "approved",  # 项目批复
    "procured",  # 招投标 / 合同
    "in_progress",  # 实施
    "completed",  # 完工
    "accepted",  # 竣工验收
    "closed",  # 报账完毕 / 结项
)
STAGE_NAMES = {
    "proposed": "村级申报",
    "in_library": "入库",
    "approved": "批复",
    "procured": "招标采购",
    "in_progress": "实施",
    "completed": "完工",
    "accepted": "验收",
    "closed": "结项",
}
Stage = Literal[STAGES]  # type: ignore[valid-type]


#: B07 village status of a project's village (issue 15).
VILLAGE_STATUSES = ("poor", "lifted", "non_poor")
VILLAGE_STATUS_NAMES = {"poor": "贫困村", "lifted": "脱贫村", "non_poor": "非贫困村"}


class Project(Entity):
    """A project in the county project library: ``custom "project" "<ID>"``."""

    kind: ClassVar[str] = "project"
    label: ClassVar[str] = "项目"
    refs: ClassVar[dict[str, str]] = {"fund": "fund", "category": "category"}

    id: str
    name: Text
    category: str
    township: Text
    village: Text
    year: Year
    budget: PositiveMoney
    implementer: Text
    targets: str | None = None  # 绩效目标
    content: str | None = None  # 建设内容
    beneficiaries: str | None = None  # 受益对象
    linkage: str | None = None  # 联农带农机制
    fund: str | None = None
    period: str | None = None
    note: str | None = None
    # issue 15, B07 [seed 003]: the department whose 到村到户 project it is, and the status of
    # its village (贫困村 poor / 脱贫村 lifted / 非贫困村 non_poor).
    department: str | None = None
    village_status: Literal[VILLAGE_STATUSES] | None = None  # type: ignore[valid-type]

    @field_validator("category")
    @classmethod
    def _category_component(cls, value: str) -> str:
        if not ACCOUNT_COMPONENT.match(value):
            raise ValueError("类别是支出账户名的一段 (Expenses account component), 如 Industry")
        return reject_near_miss(value, CATEGORIES, "类别")

    @model_validator(mode="after")
    def _plausible_year(self) -> Project:
        if abs(self.year - self.date.year) > YEAR_SLACK:
            raise ValueError(f"year: {self.year} 与记录日期 {self.date} 相差超过 {YEAR_SLACK} 年")
        return self


class ProjectStage(Entity):
    """A project reaching a stage: ``custom "project-stage" "<ID>" "<stage>"``."""

    kind: ClassVar[str] = "project-stage"
    label: ClassVar[str] = "项目阶段"
    positional: ClassVar[tuple[str, ...]] = ("project", "stage")
    refs: ClassVar[dict[str, str]] = {"project": "project"}

    project: str
    stage: Stage
    doc: str | None = None  # 文号 / evidence reference
    budget: PositiveMoney | None = None  # approved budget (批复金额)
    contract_amount: Money | None = None
    contractor: str | None = None
    settlement: Money | None = None  # 结算金额
    note: str | None = None
    # issue 15, B40: last day of the defect-liability period (缺陷责任期), on ``accepted``
    defect_until: datetime.date | None = None

    def describe(self) -> str:
        return f"[project {self.project}] {STAGE_NAMES.get(self.stage, self.stage)}"


def parse_entity(entry: Custom) -> Entity | EntityError | None:
    """Validate one ``custom`` entry; None when its type is not an entity of ours."""
    model = ENTITY_TYPES.get(entry.type)
    if model is None:
        return None
    # a plain copy of the metadata and the model's validator called directly: this runs
    # once per ``custom`` entry of the ledger (tens of thousands in a county's books)
    data = _entry_data(entry, model)
    if data is None:
        names = " ".join(f"<{name}>" for name in model.positional)
        return _error(entry, model, f'应写作 custom "{entry.type}" {names}')
    try:
        entity: Entity = _validate(model, data)
    except ValidationError as exc:
        known = _field_names(model)
        detail = "; ".join(describe_error(err, known) for err in exc.errors(include_url=False))
        return _error(entry, model, detail)
    fields = entity.__pydantic_fields_set__
    shape = frozenset(fields)
    shared = _SHAPES.get(shape)
    if shared is None:
        if len(_SHAPES) >= 4096:  # bounded: a handful of shapes per kind in practice
            _SHAPES.clear()
        shared = _SHAPES[shape] = _FieldNames(fields)
    _object_setattr(entity, "__pydantic_fields_set__", shared)
    return entity


def _entry_data(entry: Custom, model: type[Entity]) -> dict[str, Any] | None:
    """The fields an entry gives its model (metadata, date, positional values); None when
    its values do not fit the model's positional fields."""
    data: dict[str, Any] = dict(entry.meta)
    data.pop("filename", None)
    data.pop("lineno", None)
    data["date"] = entry.date
    values = entry.values or ()
    positional = model.positional
    if len(values) != len(positional):
        return None
    for name, value in zip(positional, values, strict=True):
        data[name] = value.value
    return data


def _validate(model: type[Entity], data: dict[str, Any]) -> Entity:
    """The entity, or pydantic's ValidationError (Beancount's own ``__`` keys left out)."""
    validate = model.__pydantic_validator__.validate_python
    try:
        return validate(data)  # type: ignore[no-any-return]
    except ValidationError:
        internal = [key for key in data if key[:2] == "__"]  # Beancount's own, not fields
        if not internal:
            raise
        for key in internal:
            del data[key]
        return validate(data)  # type: ignore[no-any-return]


_FIELD_FIRST = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*)\s*:")


def fault_fields(entry: Custom) -> tuple[str, ...]:
    """The fields of an entity entry that fail validation, in order, as the ledger spells
    them (``category``, ``shares.Government``); the positional values (``<id>``) when they
    do not fit the model; empty when it validates. For messages that point at the entry
    (its ENTITY error says what is wrong with each)."""
    model = ENTITY_TYPES.get(entry.type)
    if model is None:
        return ()
    data = _entry_data(entry, model)
    if data is None:
        return tuple(f"<{name}>" for name in model.positional)
    try:
        _validate(model, data)
    except ValidationError as exc:
        found: list[str] = []
        for err in exc.errors(include_url=False):
            if err.get("loc"):
                found.append(location(err["loc"]))
            else:  # a model-level check: its text starts with the field (``end: …``)
                match = _FIELD_FIRST.match(explain(err))
                found.append(match.group(1) if match else "?")
        return tuple(dict.fromkeys(found))
    return ()


_object_setattr = object.__setattr__


class _FieldNames(set[str]):
    """The names of an entity's given fields, one set shared by every entity of that shape.

    pydantic keeps a set per instance (0.2–0.7 kB, about half an entity's memory); the
    book holds tens of thousands of entities. Shared, hence read-only; a copy
    (``model_copy``) is a plain set again.
    """

    __slots__ = ()

    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: Any) -> set[str]:
        return set(self)

    def _read_only(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("an entity's field-name set is shared and read-only")

    add = discard = remove = pop = clear = update = _read_only  # type: ignore[assignment]
    difference_update = intersection_update = symmetric_difference_update = _read_only
    __ior__ = __iand__ = __isub__ = __ixor__ = _read_only  # type: ignore[assignment]


_SHAPES: dict[frozenset[str], _FieldNames] = {}


def _field_names(model: type[Entity]) -> list[str]:
    """The metadata keys a model accepts (aliases as written in the ledger)."""
    return [f.alias or name for name, f in model.model_fields.items() if name != "date"]


def _error(entry: Custom, model: type[Entity], detail: str) -> EntityError:
    ident = entry.values[0].value if entry.values else "?"
    if not isinstance(ident, str):
        ident = show_input(ident)
    return EntityError(
        entry.meta,
        f"ENTITY error: {model.label} {ident}: {detail}",
        entry,
        rule="ENTITY",
        entity=str(ident),
    )


NOTICE_TYPES = (
    "fund_allocation",  # 资金分配结果公告 (county)
    "project_plan",  # 项目公示 (事前, before library entry)
    "project_result",  # 项目实施结果公告 (after acceptance)
    "site_sign",  # 项目公示牌 (at the site)
    "income_plan",  # 收益分配方案公示
    "income_result",  # 收益分配结果公示
    "beneficiaries",  # 到户项目受益名单
    "monitoring",  # 防返贫监测对象识别公示 (issue 15; village, ≥5 days; subject: case ids)
    "monitoring_exit",  # 监测对象风险消除公示 (issue 15)
)
NOTICE_LEVELS = ("county", "township", "village", "site")
NOTICE_CHANNELS = (
    "board",  # 公示栏
    "website",  # 政府网站
    "wechat",  # 微信群 / 公众号
    "broadcast",  # 广播
)
#: the kind of entity a notice of each type discloses (its ``subject``)
NOTICE_SUBJECTS = {
    "fund_allocation": "fund",
    "project_plan": "project",
    "project_result": "project",
    "site_sign": "project",
    "beneficiaries": "project|fund",  # a household-level project's list, or a fund's benefits
    "income_plan": "income-plan",
    "income_result": "income-plan",
    "monitoring": "monitoring",  # the case id(s), space-separated (fupin.monitoring)
    "monitoring_exit": "monitoring",
}
#: how far a notice's first day may lie from its entry's date, and its last from its first
NOTICE_START_SLACK = datetime.timedelta(days=366)
NOTICE_MAX_SPAN = datetime.timedelta(days=3660)


class Notice(Entity):
    """A notice that was posted: ``custom "notice" "<ID>"`` (公示/公告, DOMAIN F)."""

    kind: ClassVar[str] = "notice"
    label: ClassVar[str] = "公示公告"

    id: str
    type: Literal[NOTICE_TYPES]  # type: ignore[valid-type]
    level: Literal[NOTICE_LEVELS]  # type: ignore[valid-type]
    subject: str  # the fund, project, asset or distribution id it discloses
    channel: Literal[NOTICE_CHANNELS] = "board"  # type: ignore[valid-type]
    start: datetime.date
    end: datetime.date | None = None  # last day posted, inclusive; None: long-term (website)
    title: str | None = None
    issuer: str | None = None
    withdrawn: datetime.date | None = None
    note: str | None = None
    # issue 8: where it was posted (default: the subject project's), paper size, 文号,
    # local phones replacing the policy's ``notice-phones`` ("单位 电话; 单位 电话").
    township: Text | None = None
    village: Text | None = None
    paper: Literal["A4", "A3"] = "A4"
    doc: str | None = None
    phones: str | None = None
    # a beneficiary list (``beneficiaries``) of a fund's household benefits: the benefit
    # year, the benefit kinds it lists (fupin.benefits kinds, e.g. "preschool compulsory";
    # all when absent), and whether it is posted before payment (``plan``: 公示 of what the
    # formulas give) or after it (``result``: 公告 of what was paid by the posting day)
    year: int | None = None
    kinds: str | None = None
    phase: Literal["plan", "result"] = "result"

    def describe(self) -> str:
        return f"{self.title or self.subject} [notice {self.id}]"

    def references(self) -> Iterator[tuple[str, str, str]]:
        """The subject is a fund, project, income plan or monitoring case, by the type."""
        kind = NOTICE_SUBJECTS.get(self.type)
        if kind is None:
            return
        for ident in self.subject.split() if kind == "monitoring" else (self.subject,):
            yield "subject", kind, ident

    @model_validator(mode="after")
    def _dates_in_order(self) -> Notice:
        if abs(self.start - self.date) > NOTICE_START_SLACK:
            raise ValueError(f"start: {self.start} 与记录日期 {self.date} 相差超过一年")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end: {self.end} 早于 start {self.start}")
        if self.end is not None and self.end - self.start > NOTICE_MAX_SPAN:
            raise ValueError(f"end: {self.end} 距 start {self.start} 超过十年")
        if self.withdrawn is not None and self.withdrawn < self.start:
            raise ValueError(f"withdrawn: {self.withdrawn} 早于 start {self.start}")
        if self.withdrawn is not None and self.withdrawn - self.start > NOTICE_MAX_SPAN:
            raise ValueError(f"withdrawn: {self.withdrawn} 距 start {self.start} 超过十年")
        return self

    @property
    def last_posted(self) -> datetime.date | None:
        """The last day it was up: its ``end``, or the day before ``withdrawn`` when it was
        taken down by then (the day taken down is not a day posted: B31 counts so); None
        when open-ended and never withdrawn. Before ``start`` when withdrawn on its first day."""
        if self.withdrawn is not None and self.cut_short:
            return self.withdrawn - datetime.timedelta(days=1)
        return self.end

    @property
    def cut_short(self) -> bool:
        """Whether it was taken down before its period was over: ``withdrawn`` on or before
        its ``end``, or at all when it has none. Such a notice does not count as the
        disclosure a rule asks for (B30, B34, B39, M02); one taken down after its last day
        ran its period and counts."""
        return self.withdrawn is not None and (self.end is None or self.withdrawn <= self.end)

    @property
    def days(self) -> int | None:
        """Days posted, counting both ends, up to :attr:`last_posted` (a withdrawal cuts it
        short: ``withdrawn − start``; 0 when withdrawn on its first day); None when
        open-ended and never withdrawn. The announced period is :attr:`announced_days`."""
        last = self.last_posted
        return max(0, (last - self.start).days + 1) if last is not None else None

    @property
    def announced_days(self) -> int | None:
        """The period the notice itself announces, ``end − start + 1`` (what its paper
        prints, whether or not it was taken down early); None when open-ended."""
        return (self.end - self.start).days + 1 if self.end else None

    def listed_period(self) -> str:
        """Its period as a list shows it: ``2023-03-01 至 2023-03-10``, ``… 至 长期``, and a
        withdrawal after it: ``2023-03-01 至 2023-03-10 (2023-03-05 撤下)``."""
        span = f"{self.start} 至 {self.end or '长期'}"
        return f"{span} ({self.withdrawn} 撤下)" if self.withdrawn is not None else span
