"""The policy: every threshold a rule uses, as dated, validated data.

Defaults come from ../shared/DOMAIN.md (cited per field). A ledger overrides any of them
from a date on with a ``custom "policy"`` entry::

    2023-01-01 custom "policy" "industry-share-min" 0.60
      source: "2023 中央一号文件: 衔接资金用于产业发展的比重力争提高到60%以上"
    2023-01-01 custom "policy" "industry-share-severity" "warning"

Each entry is merged over the policy in force the day before and the result is validated
as a whole; an unknown key or a bad value is a :class:`~fupin.findings.PolicyError` at the
entry's line that names the key, and the entry is ignored.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from fupin.day_windows import DayCount, bounded
from fupin.day_windows import parse as parse_window
from fupin.entities import ACCOUNT_COMPONENT, FUND_FAMILIES, NOTICE_CHANNELS, NOTICE_LEVELS, STAGES
from fupin.evidence import EVIDENCE_KINDS
from fupin.findings import PolicyError, Severity
from fupin.messages_zh import describe as describe_error
from fupin.messages_zh import did_you_mean, explain, reject_near_miss, show_input
from fupin.vocab import CATEGORIES, MAX_AMOUNT, PAYEE_TYPES

if TYPE_CHECKING:
    from beancount.core.data import Custom, Meta


def _split_list(value: Any) -> Any:
    """Accept ``"A,B C"`` from a ledger string as well as a real list."""
    if isinstance(value, str):
        return [part for part in value.replace(",", " ").split() if part]
    return value


#: bounds that keep every date a rule computes inside the calendar (day and month counts)
MAX_DAYS, MAX_MONTHS, MAX_COUNT = 3660, 120, 1_000_000


def _components(values: tuple[str, ...]) -> tuple[str, ...]:
    """Account components (``Industry``, ``Operating``): A-Z or 0-9 first, no spaces."""
    bad = [v for v in values if not ACCOUNT_COMPONENT.match(v)]
    if bad:
        raise ValueError(f"{show_input(bad[0])} 不是账户名的一段 (account component)")
    return values


def _categories(values: tuple[str, ...]) -> tuple[str, ...]:
    """Expense categories: a new one is welcome, a misspelt known one is not."""
    for value in _components(values):
        reject_near_miss(value, CATEGORIES, "类别")
    return values


def _category(value: str) -> str:
    return _categories((value,))[0]


#: a day window from an event (``30`` calendar days or ``"5 工作日"``: fupin.day_windows)
Window = Annotated[DayCount, BeforeValidator(parse_window), AfterValidator(bounded(0, MAX_DAYS))]
#: a period posted, at least one day
Period = Annotated[DayCount, BeforeValidator(parse_window), AfterValidator(bounded(1, MAX_DAYS))]
Share = Annotated[Decimal, Field(ge=0, le=1)]
Money = Annotated[
    Decimal, Field(ge=0, lt=MAX_AMOUNT, decimal_places=2)
]  # yuan, to the fen (issue 6)
Names = Annotated[tuple[str, ...], BeforeValidator(_split_list)]
Components = Annotated[tuple[str, ...], BeforeValidator(_split_list), AfterValidator(_components)]
Categories = Annotated[tuple[str, ...], BeforeValidator(_split_list), AfterValidator(_categories)]
Category = Annotated[str, AfterValidator(_category)]
Stage = Literal[STAGES]  # type: ignore[valid-type]
_Families = Annotated[tuple[Literal[FUND_FAMILIES], ...], BeforeValidator(_split_list)]  # type: ignore[valid-type]
_Channels = Annotated[tuple[Literal[NOTICE_CHANNELS], ...], BeforeValidator(_split_list)]  # type: ignore[valid-type]
_Levels = Annotated[tuple[Literal[NOTICE_LEVELS], ...], BeforeValidator(_split_list)]  # type: ignore[valid-type]
_PayeeTypes = Annotated[tuple[Literal[PAYEE_TYPES], ...], BeforeValidator(_split_list)]  # type: ignore[valid-type]


def _kebab(name: str) -> str:
    return name.replace("_", "-")


# issue 3: the names asset policy keys may list (fupin.assets.RIGHTS, ASSET_CLASSES, levels).
_AssetRights = Annotated[
    tuple[
        Literal[
            "ownership", "operation", "income", "supervision", "disposal", "distribution", "custody"
        ],
        ...,
    ],
    BeforeValidator(_split_list),
]
_AssetClasses = Annotated[
    tuple[Literal["operating", "public_welfare", "household"], ...], BeforeValidator(_split_list)
]
# issue 17: the evidence kinds a policy key may list (fupin.evidence.EVIDENCE_KINDS).
_Evidence = Annotated[tuple[Literal[EVIDENCE_KINDS], ...], BeforeValidator(_split_list)]  # type: ignore[valid-type]
_OwnerLevels = Annotated[
    tuple[Literal["county", "township", "village", "household"], ...], BeforeValidator(_split_list)
]

# issue 15: register statuses (fupin.households.STATUSES) and monitoring categories
# (fupin.households.CATEGORIES) a policy key may list.
_STATUS = Literal["general", "registered", "lifted", "monitored", "gradual_exit", "removed"]
_Statuses = Annotated[tuple[_STATUS, ...], BeforeValidator(_split_list)]
_CATEGORIES = Literal["unstable_lifted", "marginal", "sudden_hardship"]
_Categories = Annotated[tuple[_CATEGORIES, ...], BeforeValidator(_split_list)]


#: what B13 minimums may name: a register status or monitoring category, and a measure kind
#: (the vocabularies of fupin.households and fupin.measures, repeated here so that the
#: policy imports no entity module; a test keeps them equal)
HOUSEHOLD_GROUPS: tuple[str, ...] = (*get_args(_STATUS), *get_args(_CATEGORIES))
MEASURE_KINDS = (
    "industry",
    "employment",
    "education",
    "health",
    "housing",
    "water",
    "social",
    "finance",
    "skills",
    "public_post",
    "consumption",
    "other",
)


def _pairs(value: Any) -> Any:
    """``"A=x,y B=z"`` → ``{"A": "x,y", "B": "z"}`` (a ledger string; a dict passes)."""
    if not isinstance(value, str):
        return value
    out: dict[str, str] = {}
    for part in value.replace(";", " ").split():
        key, sep, rest = part.partition("=")
        if not sep or not key or not rest:
            raise ValueError(f"应为 键=值 形式, 而不是 {part!r}")
        if key in out:
            raise ValueError(f"{key} 出现两次")
        out[key] = rest
    return out


def _status_lists(value: Any) -> Any:
    """``"Dibao=registered,monitored"`` → ``{"Dibao": ("registered", "monitored")}``."""
    value = _pairs(value)
    if isinstance(value, dict):
        return {k: _split_list(v) for k, v in value.items()}
    return value


def _minimums(value: Any) -> Any:
    """``"lifted:industry=3"`` → ``{"lifted:industry": 3}``; keys are ``<category>:<kind>``."""
    value = _pairs(value)
    if isinstance(value, dict):
        for key in value:
            group, sep, kind = str(key).partition(":")
            if not sep or group not in HOUSEHOLD_GROUPS or kind not in (*MEASURE_KINDS, "any"):
                raise ValueError(
                    f"应为 <农户类别>:<措施类型>, 而不是 {key!r} (类别: "
                    f"{' '.join(HOUSEHOLD_GROUPS)}; 类型: {' '.join(MEASURE_KINDS)} any)"
                )
    return value


#: what a benefit is called on a public list (a kind of fupin.benefits, or an account path
#: below ``Expenses:Benefit``, longest prefix wins): names of help, never of a condition
DEFAULT_BENEFIT_LABELS: dict[str, str] = {
    "preschool": "学前教育资助",
    "compulsory": "义务教育资助",
    "senior_secondary": "高中阶段教育资助",
    "undergrad_new": "本科新生入学资助",
    "college_new": "专科新生入学资助",
    "chronic": "医疗救助",
    "premium": "医保缴费补贴",
    "insurance": "防贫保险",
    "other": "到户补助",
    "Temporary": "临时救助",
    "Dibao": "低保金",
    "PublicWelfareJob": "公益岗位补贴",
}


def _labels(value: Any) -> Any:
    """``"chronic=医疗救助 Temporary=临时救助"`` merged over :data:`DEFAULT_BENEFIT_LABELS`."""
    value = _pairs(value)
    if isinstance(value, dict):
        return {**DEFAULT_BENEFIT_LABELS, **{str(k): str(v) for k, v in value.items()}}
    return value


def _schedule(value: Any) -> Any:
    """``"1980-01-01=1.00 2024-01-01=0.70"`` → ``{date: share}`` (a dict passes)."""
    value = _pairs(value)
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, share in value.items():
            day = key
            if isinstance(key, str):
                try:
                    day = datetime.date.fromisoformat(key)
                except ValueError:
                    raise ValueError(
                        f"应为 起始日期=比例, 如 2024-01-01=0.70, 而不是 {key!r}"
                    ) from None
            try:
                out[day] = Decimal(share) if isinstance(share, str) else share
            except ArithmeticError:
                raise ValueError(f"比例 {share!r} 应为 0–1 之间的数, 如 0.70") from None
        if not out:
            raise ValueError("至少写一个 起始日期=比例")
        return out
    return value


#: the dated default of ``loan-subsidy-shares`` [N-LOAN 青阳县; DOMAIN C.5]
DEFAULT_LOAN_SUBSIDY_SHARES: dict[datetime.date, Decimal] = {
    datetime.date(1980, 1, 1): Decimal("1.00"),
    datetime.date(2024, 1, 1): Decimal("0.70"),
}

KindStatuses = Annotated[dict[str, _Statuses], BeforeValidator(_status_lists)]
ShareSchedule = Annotated[dict[datetime.date, Share], BeforeValidator(_schedule)]
KindAmounts = Annotated[dict[str, Money], BeforeValidator(_pairs)]
BenefitLabels = Annotated[dict[str, str], BeforeValidator(_labels)]
Minimums = Annotated[dict[str, Annotated[int, Field(ge=0)]], BeforeValidator(_minimums)]


class Policy(BaseModel):
    """Thresholds in force on one day. Field ``x_y`` is the ledger key ``"x-y"``."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=_kebab, populate_by_name=True
    )

    # B01 [seed 000]: a fund's cumulative contributions by source equal share × total.
    fund_split_tolerance: Annotated[Decimal, Field(ge=0, lt=MAX_AMOUNT)] = Decimal("0.00")
    # B02 [seed 002] ≥50% of fiscal poverty funds to industry; B08 55% (2022); B09 60% (2023+).
    industry_share_min: Share = Decimal("0.50")
    industry_share_strict: bool = False
    industry_share_severity: Severity = Severity.ERROR
    industry_categories: Categories = ("Industry",)
    fiscal_families: _Families = ("xianjie", "special_poverty", "integrated", "county")
    # B20/B21 [N-FUND2021, N-FUND2017 art. 10]: expense categories restricted money must not reach.
    negative_categories: Categories = (
        "BasicOperating",
        "Vehicle",
        "Telecom",
        "Building",
        "Bonus",
        "Welfare",
        "DebtRepayment",
        "Advance",
    )
    # B24: expense postings of restricted funds name a project, except these categories;
    # household categories name a household instead.
    no_project_categories: Categories = ("ManagementFee",)
    household_categories: Categories = ("Benefit",)
    # B33/B35 [N-LIB2018; D stages]: spending needs the approved stage; final payment acceptance.
    spend_min_stage: Stage = "approved"
    final_payment_stage: Stage = "accepted"
    # B10 [N-FUND2017 art. 9]: 项目管理费 ≤ 1% of the fund.
    mgmt_fee_max: Share = Decimal("0.01")
    mgmt_fee_category: Category = "ManagementFee"
    # B40 [建设工程质量保证金管理办法]: retention ≤ 3% of the settlement.
    quality_deposit_max: Share = Decimal("0.03")
    # B41 [local example, hbjcay.com]: prepayment (预拨启动资金) ≤ 30% of the contract.
    prepayment_max: Share = Decimal("0.30")

    # --- issue 8: public-disclosure notices (DOMAIN F) ---------------------------------------
    # B31 [N-NOTICE2017 §4]: boards post ≥10 days ("原则上公开公告时间不得少于10天"); end−start+1.
    notice_min_days: Period = DayCount(days=10)
    # B31 applies to fixed boards (公示栏) and signs; B32 [N-NOTICE2017 §4] to websites (长期公开).
    notice_board_channels: _Channels = ("board",)
    notice_website_channels: _Channels = ("website",)
    # B34 [N-LIB2018]: 入库前逐级公示 — levels whose plan notice must end before library entry.
    notice_plan_levels: _Levels = ("village",)
    # B30/B34 [derived]: days after allocation/acceptance before a missing notice is an error.
    notice_grace_days: Window = DayCount(days=30)
    # F.2 [N-12317]: supervision hotline (12317 扶贫监督举报电话) and local phones, printed on
    # every notice: "单位 电话; 单位 电话".
    notice_hotline: str = "12317"
    notice_phones: str = ""
    # F.3 [derived]: print a masked ID column on recipient lists (a county's local demand).
    notice_show_masked_id: bool = False
    # F.3 [N-MON "不得公开…健康状况"; DESIGN Trust]: the public label of each benefit on a
    # recipient list (慢性病救助 is shown as 医疗救助); a ledger entry names what differs.
    notice_benefit_labels: BenefitLabels = Field(
        default_factory=lambda: dict(DEFAULT_BENEFIT_LABELS)
    )
    # F.3 [N-MON: monitoring notices never show 健康状况; 个人信息保护法 art. 28 医疗健康;
    # DOMAIN F.3 "do not print per-household 因病/因残"] (issue 13): health conditions and
    # poverty causes (G.2) a notice naming households must not print. "精神" alone would
    # refuse 精神文明, 扶志扶智 wording; its health senses are listed instead.
    notice_health_terms: Names = (
        *("慢性病", "大病", "重病", "重疾", "病患", "患病", "疾病", "因病", "因残", "残疾", "残障"),
        *("精神病", "精神障碍", "精神疾病", "精神残疾", "智力残疾", "透析", "尿毒症", "癌"),
        *("肿瘤", "白血病", "艾滋", "结核", "瘫痪", "失明", "聋哑", "重残", "病残"),
        *("慢病", "病重", "诊断", "住院", "手术", "失能", "偏瘫", "中风", "脑梗", "心脏病"),
        *("糖尿病", "高血压", "肾病", "肝病", "癫痫", "智障", "伤残", "肢残", "卧床"),
        *("罕见病", "视力残", "听力残", "精神分裂", "精神异常", "精神失常", "抑郁症", "痴呆"),
        *("因学", "因灾", "缺土地", "缺水", "缺技术", "缺劳力", "缺资金", "交通条件落后"),
        "自身发展动力不足",
    )

    # --- issue 6: household benefits (DOMAIN C, G) ------------------------------------------
    # C01 [seed 000]: education aid per student per year by stage (1,500 / 2,000 / 2,400).
    edu_aid_preschool: Money = Decimal("1500.00")
    edu_aid_compulsory: Money = Decimal("2000.00")
    edu_aid_senior_secondary: Money = Decimal("2400.00")
    # C02 [seed 000]: one-off grants to new undergraduates (10,000) and junior-college students.
    edu_grant_undergrad_new: Money = Decimal("10000.00")
    edu_grant_college_new: Money = Decimal("5000.00")
    # C03 [seed 000]: 慢性病救助 = min(max(0, E − 3,000) × 50%, 15,000) per person per year.
    chronic_aid_deductible: Money = Decimal("3000.00")
    chronic_aid_rate: Share = Decimal("0.50")
    chronic_aid_cap: Money = Decimal("15000.00")
    # C04 [seed 000]: 城乡居民医保个人缴费 subsidy ≤ the year's premium × insured members.
    medical_premium: Money = Decimal("130.00")
    # C05 [seed 002]: 精准防贫保险 insures round(rural population × 5%) people at 50 yuan.
    anti_poverty_insurance_share: Share = Decimal("0.05")
    anti_poverty_insurance_premium: Money = Decimal("50.00")
    # C06 [seed 002; N-FUND2021 四个不摘]: statuses a household may receive benefits in.
    benefit_statuses: _Statuses = ("registered", "lifted", "monitored", "gradual_exit")
    # C08 [seed 002]: 渐退期 6–12 months after the risk clears; 12 for 低保 households whose
    # per-capita income is ≤ 1.5 × the 低保 standard (``dibao-standard``: yuan/person/year,
    # 0 = not set, the check is then skipped).
    gradual_exit_min_months: Annotated[int, Field(ge=0, le=MAX_MONTHS)] = 6
    gradual_exit_max_months: Annotated[int, Field(ge=0, le=MAX_MONTHS)] = 12
    dibao_gradual_exit_months: Annotated[int, Field(ge=0, le=MAX_MONTHS)] = 12
    dibao_gradual_income_ratio: Annotated[Decimal, Field(ge=0, lt=MAX_AMOUNT)] = Decimal("1.5")
    dibao_standard: Money = Decimal("0.00")
    # C09 [DOMAIN K row 13, 应享未享]: severity of a benefit due and not paid by year end.
    benefit_unpaid_severity: Severity = Severity.WARNING

    # --- issue 4: bank reconciliation (DOMAIN K rows 2c, 6b; L.4) ----------------------------
    # R01/R02 [DOMAIN K6b 虚列支出 "±N days"; K2c roll ≠ bank debit]: a booked outflow or a
    # payment roll is matched by a bank line of the same amount within ± this many days.
    bank_match_days: Annotated[int, Field(ge=0, le=31)] = 5

    # --- issue 7: audit red flags (DOMAIN K; each rule cites its audit finding) -------------
    # K1 [DOMAIN K1; NAO 2016: 8.43亿 of 50.13亿 idle >1 yr]: a fund's unspent receipts, aged
    # FIFO against its uses, older than these months → warning / error.
    idle_warn_months: Annotated[int, Field(ge=1, le=MAX_MONTHS)] = 6
    idle_error_months: Annotated[int, Field(ge=1, le=MAX_MONTHS)] = 12
    # K1: the fund families aged (the audits counted 财政扶贫资金; a standing 专项扶贫基金 or
    # donation pool is not a budget allocation).
    idle_families: _Families = ("xianjie", "special_poverty", "integrated", "county")
    # K3 [DOMAIN K3: 对外出借, 日常经费]: Assets account components that mark the agency's
    # own operating account (基本户); loans are fupin.book.RECEIVABLE_KINDS accounts.
    agency_accounts: Components = ("Operating", "Basic")
    # K4 [DOMAIN K4: 同心县 17 牌楼; 2018: 540万 景观、外墙粉饰]: 形象工程 names and categories
    # a project may not enter the library with.
    image_project_keywords: Names = ("景观", "牌楼", "外墙粉饰", "楼堂馆所")
    image_project_categories: Categories = ("Landscape", "Archway", "Facade", "Building")
    # K5 [DOMAIN K5: 53.36万 meals and travel from 管理费; 1,249.36万 推广费]: accounts (any
    # component) and narration words of reception, travel, meeting and promotion spending;
    # Income components of fees charged to beneficiaries or contractors.
    hospitality_accounts: Components = (
        "Reception",
        "Hospitality",
        "Meals",
        "Travel",
        "Meeting",
        "Promotion",
    )
    hospitality_keywords: Names = (
        "接待",
        "宴请",
        "餐费",
        "旅游费",
        "会议费",
        "差旅费",
        "考察费",
        "推广费",
    )
    fee_income_accounts: Components = ("Fee", "Fees", "Charge")
    # K2b [DOMAIN K2]: benefit accounts (any component) paid incrementally or by the month
    # without a ``period``, exempt from the same-household-twice check.
    duplicate_exempt_accounts: Components = ("ChronicDisease",)
    # K6 [DOMAIN K6: 15.39亿 via personal accounts]: individuals paid must be registered
    # households, rostered workers or contractors.
    individual_payee_types: _PayeeTypes = ("individual",)
    # K8 [DOMAIN K8: 10.92亿 to firms without 利益联结]: industry/operating projects declare a
    # linkage and beneficiaries; registered households get at least this share of a payout.
    linkage_share_min: Share = Decimal("0.50")
    # K9 [DOMAIN K9: 3.21亿 handed straight to households; 1.33亿 平均主义]: industry money to a
    # household needs a ``basis``; this many identical payouts in one distribution is flat.
    household_basis_values: Names = ("务工", "奖补", "分红", "labour", "reward", "dividend")
    flat_payout_min_count: Annotated[int, Field(ge=2, le=MAX_COUNT)] = 5
    # K7 [DOMAIN K7: 2019: 69县287个项目3.75亿元闲置]: months an asset may stay idle, an
    # operating asset declaring an income basis may earn nothing, and (when required; upkeep
    # is often paid outside these books) a public-welfare asset may go without upkeep.
    asset_idle_months: Annotated[int, Field(ge=1, le=MAX_MONTHS)] = 6
    asset_income_months: Annotated[int, Field(ge=1, le=MAX_MONTHS)] = 12
    asset_upkeep_months: Annotated[int, Field(ge=1, le=MAX_MONTHS)] = 12
    asset_upkeep_required: bool = False
    # K15 [DOMAIN K15; N-PV 光伏收益 at least once a year]: months asset income may wait.
    distribution_months: Annotated[int, Field(ge=1, le=MAX_MONTHS)] = 12
    # K11 [DOMAIN K11; 《必须招标的工程项目规定》(国家发改委令第16号) art. 5: 施工单项合同
    # 400万元以上必须招标]: the tender threshold; counties set lower local ones.
    tender_threshold: Money = Decimal("4000000.00")
    # K19 [DOMAIN K19: 福州 流速; 直达资金]: days money may stay on an intermediate level's
    # account (fupin.book.TRANSIT_KINDS) before it moves on.
    transfer_days: Window = DayCount(days=30)

    # --- issue 3: poverty-asset register, four-rights separation (DOMAIN E) ----------------
    # B37 [seed 002 "健全扶贫资产确权登记"; N-ASSET2021 §(2); DOMAIN K7 "within N days of
    # acceptance", N derived]: days from acceptance to the asset's registration (确权登记).
    asset_registration_days: Window = DayCount(days=60)
    # B37 [DOMAIN D stage 13, E.1]: project categories that form assets.
    asset_forming_categories: Categories = (
        "Industry",
        "Infrastructure",
        "Health",
        "Education",
        "Housing",
        "Other",
    )
    # B37 [DOMAIN E.3: 资产原值 = Σ 资金来源; L.2]: Σ asset values vs the project's settlement.
    asset_value_tolerance: Annotated[Decimal, Field(ge=0, lt=MAX_AMOUNT)] = Decimal("0.00")
    # B37 [seed 001 "四权分置"; DOMAIN E.4]: the rights every asset has assigned; 贵州 five
    # (+disposal 处置权), others six (+distribution 分配权).
    asset_rights: _AssetRights = ("ownership", "operation", "income", "supervision")
    # B37 [N-ASSET2021 §(3)(4), DOMAIN E.4/E.5]: public-welfare assets earn nothing and are run
    # by a custodian (管护主体): rights not required of them, and classes needing ``custody``.
    asset_rights_exempt_public_welfare: _AssetRights = ("operation", "income")
    asset_custody_classes: _AssetClasses = ("public_welfare",)
    # B38 [N-ASSET2021 §(6); 延边 2020]: owner levels whose disposal, transfer or mortgage
    # needs a 村民代表大会 resolution (all need an approval reference).
    asset_assembly_levels: _OwnerLevels = ("village",)
    # B39 [N-ASSET2021 §(5) "分配方案和分配结果要及时公开"; days derived]: a result notice is
    # due within this many days of a plan's last payout.
    income_result_days: Window = DayCount(days=30)
    # B39 [DOMAIN E.6 "payout recipients ∈ eligible list at payout date"]: register statuses
    # (fupin.households) that may receive asset income.
    income_eligible_statuses: _Statuses = ("registered", "lifted", "monitored", "gradual_exit")
    # B25 [local example 004km.cn]: categories asset income must not reach: 村委会基本支出,
    # 交通工具及通讯设备, 津贴补贴和福利补助, 弥补亏损/偿还债务, 楼堂馆所, 大中型基础设施.
    asset_income_negative_categories: Categories = (
        "BasicOperating",
        "Vehicle",
        "Telecom",
        "Bonus",
        "Welfare",
        "DebtRepayment",
        "LossCover",
        "Building",
        "LargeInfrastructure",
    )
    # DOMAIN E.3/D stage 13 [derived]: straight-line depreciation of assets kept on the books
    # (``account`` + ``life_years``), generated by the plugin; off by default.
    asset_depreciation: bool = False

    # --- issue 15: monitoring, eligibility per benefit kind, measures, microcredit, budgets -
    # C06 [seed 002 渐退期; 四个不摘]: statuses per benefit kind (the account path below
    # ``Expenses:Benefit``, longest prefix wins, e.g. ``"Dibao=registered,lifted,monitored"``);
    # kinds not named follow ``benefit-statuses``.
    benefit_kind_statuses: KindStatuses = Field(default_factory=dict)
    # C06 [seed 002 "12个月渐退期, 渐退期满后退出低保"; C.6]: kinds that end with the 渐退期:
    # paid after a gradual exit has run out (and no new monitoring) is outside their window,
    # while education and medical aid continue (四个不摘).
    benefit_exit_kinds: Names = ("Dibao",)
    # C12 [DOMAIN C.5 低保 A+ "≥ 300" is a floor, no monthly amount is published; a county's
    # own 标准]: the most a monthly benefit kind (account path below ``Expenses:Benefit``,
    # longest prefix wins) pays a household a month, ``"Dibao=500.00 PublicWelfareJob=800"``;
    # a 补发 naming its period may pay the amount × its months. Empty: not checked.
    benefit_monthly_max: KindAmounts = Field(default_factory=dict)
    # M01 [N-MON qinan: 从发现到审定不超过15天]: days from discovery to the county decision.
    monitoring_decision_days: Window = DayCount(days=15)
    # M02/B31 [N-MON qinan: 村内公示不少于5天, 县乡不再重复公示]: a monitoring notice's days
    # and the levels it must be posted at (before the decision / the risk elimination).
    monitoring_notice_min_days: Period = DayCount(days=5)
    monitoring_notice_levels: Names = ("village",)
    # M02 [F.3, N-MON "不得公开…健康状况"]: words a monitoring notice's text must not contain.
    monitoring_notice_health_terms: Names = (
        "因病",
        "因残",
        "疾病",
        "患病",
        "病情",
        "慢性病",
        "大病",
        "重病",
        "残疾",
        "精神",
        "诊断",
        "住院",
    )
    # M04 [N-MON yjq/zongyang: 监测时间原则上不少于半年]: months from decision to elimination
    # (原则上: set the severity to "warning" where exceptions are allowed).
    monitoring_min_months: Annotated[int, Field(ge=0, le=MAX_MONTHS)] = 6
    monitoring_min_months_severity: Severity = Severity.ERROR
    # M04 [G.3; seed 002 "1.5倍 of 2020 standard" ≈ 6,000 for 2021, unverified; set yearly]:
    # 监测范围 (yuan per person per year): per-capita income at elimination must exceed it.
    monitoring_income_line: Money = Decimal("6000.00")
    # B44 [seed 002 "每户边缘易致贫户落实1名党员干部联系帮扶"]: categories that need a cadre,
    # and how many; M03 [N-MON: 至少落实1项帮扶措施]: measures before elimination.
    monitoring_cadre_categories: _Categories = ("marginal",)
    monitoring_cadre_min: Annotated[int, Field(ge=0, le=MAX_COUNT)] = 1
    monitoring_measure_min: Annotated[int, Field(ge=0, le=MAX_COUNT)] = 1
    # B44/M03 [derived]: days after the decision by which cadre and first measure are due.
    monitoring_grace_days: Window = DayCount(days=30)
    # B13 [seed 002 林州: 每户脱贫户至少享有三项以上产业帮扶措施]: minimum measures per
    # household of a category (register status or monitoring category) and measure kind a
    # year, ``"lifted:industry=3"`` (kind ``any`` counts every kind); empty: not checked.
    household_measure_min: Minimums = Field(default_factory=dict)
    # L01 [N-LOAN: 5万元以下、3年期以内]: loan amount and term caps (扶贫/脱贫人口小额信贷).
    loan_amount_max: Money = Decimal("50000.00")
    loan_term_max_months: Annotated[int, Field(ge=1, le=MAX_MONTHS)] = 36
    # L02 [DOMAIN K14: borrower eligible at grant date]: register statuses that may borrow.
    loan_eligible_statuses: _Statuses = ("registered", "lifted", "monitored", "gradual_exit")
    # L02 [N-LOAN local texts, DOMAIN C.5: borrower age 18–65]: full years of age on the
    # start date of the member a loan names (``member:``), both ends included.
    loan_borrower_age_min: Annotated[int, Field(ge=0, le=150)] = 18
    loan_borrower_age_max: Annotated[int, Field(ge=0, le=150)] = 65
    # L03 [N-LOAN 青阳县: 2023年底前全额贴息, 2024–2025年按70%贴息; DOMAIN C.5]: the share of
    # the interest the county subsidises, by the day the interest accrues (fupin.microcredit
    # splits a settlement at each change): ``loan-subsidy-shares`` is the dated default
    # ("<from>=<share> …", each share from its day until the next), 100% to 2023-12-31 and
    # 70% from 2024-01-01 (no later figure is published; a county sets its own);
    # ``loan-subsidy-share``, once a ledger sets it from a date, wins over the schedule.
    loan_subsidy_shares: ShareSchedule = Field(
        default_factory=lambda: dict(DEFAULT_LOAN_SUBSIDY_SHARES)
    )
    loan_subsidy_share: Share | None = None
    # L03 [人民银行 日利率 = 年利率/360]: day count of the contract interest (the cap of the
    # interest a subsidy may rest on when the bank's figure is not given).
    loan_interest_days: Annotated[int, Field(ge=360, le=366)] = 360
    # L03: accounts (any component) of interest-subsidy and risk-compensation expenses.
    loan_subsidy_accounts: Names = ("LoanInterestSubsidy",)
    loan_compensation_accounts: Names = ("LoanRiskCompensation",)
    # B04 [seed 002 安阳: 市、县财政专项扶贫资金投入不低于2020年的水平]: each later year's
    # budgeted special fund ≥ the baseline year's (the earliest recorded year when the
    # baseline year is not recorded); FALSE switches it off.
    county_budget_non_decreasing: bool = True
    county_budget_baseline_year: Annotated[int, Field(ge=1990, le=2100)] = 2020
    # B05 [seed 003 靖边: 不低于地方财政收入的2%]: budget ≥ share × local fiscal revenue.
    county_budget_revenue_share_min: Share = Decimal("0.02")
    # B06 [seed 003 靖边: 逐年递增幅度不低于20%]: growth over the previous year (0: off).
    county_budget_growth_min: Annotated[Decimal, Field(ge=0, lt=MAX_AMOUNT)] = Decimal("0.20")
    # B07 [seed 003 靖边: 涉农部门到村到户项目资金60%以上用于贫困村、贫困户]: per department
    # and year, the share of its projects' spending to poor villages (village_status) or
    # to registered households of these statuses.
    department_target_share_min: Share = Decimal("0.60")
    department_target_village_statuses: Names = ("poor", "lifted")
    department_target_household_statuses: _Statuses = (
        "registered",
        "lifted",
        "monitored",
        "gradual_exit",
    )
    # C10 [seed 000: 新农合住院起付线降低50%]: the standard 起付线 (a claim's own
    # ``standard_deductible`` wins; 0: the claim must state it), the reduction for poor
    # households and the statuses it applies to; accounts (any component) of inpatient claims.
    hospital_deductible: Money = Decimal("0.00")
    hospital_deductible_reduction: Share = Decimal("0.50")
    hospital_deductible_statuses: _Statuses = ("registered", "lifted", "monitored", "gradual_exit")
    inpatient_accounts: Names = ("Inpatient",)
    # B40 [建设工程质量保证金管理办法 第二条: 缺陷责任期一般为1年, 最长不超过2年]: months from
    # acceptance before the quality deposit may be released (a stage's ``defect_until`` wins).
    defect_liability_months: Annotated[int, Field(ge=0, le=MAX_MONTHS)] = 12
    # E01 [DOMAIN E.3 expected_income; 新乡红旗区 2022: 1,468,900 × 6%]: tolerance of booked
    # asset income against rate × base for a full year (a difference is a warning).
    asset_return_tolerance: Annotated[Decimal, Field(ge=0, lt=MAX_AMOUNT)] = Decimal("0.00")
    # E02 [seed 001 "以奖代补、多劳多得"; E.6 "cash payouts without labour/condition basis"]:
    # words of a household payout's ``basis`` that name labour or a condition; households
    # without labour capacity (register) may be paid without one (兜底).
    asset_payout_basis_values: Names = (
        "务工",
        "劳务",
        "公益岗位",
        "奖补",
        "以奖代补",
        "积分",
        "labour",
        "reward",
        "condition",
    )
    asset_payout_no_labour_exempt: bool = True
    # S02 [seed 003 靖边 7,870万元 / 18,900人; DOMAIN K20]: register statuses counted as the
    # population the funds serve (人均投入), on the year's last day.
    poor_population_statuses: _Statuses = ("registered", "lifted", "monitored", "gradual_exit")

    # --- issue 17: evidence files (DOMAIN D "evidence / document" per stage; B35, B38) -----
    # A05 [DOMAIN D stages 2–12; seed 002 "招标投标、工程监理、验收报账"]: the kinds of
    # evidence (fupin.evidence.EVIDENCE_KINDS) each project stage needs on its date: 村级申报
    # 会议记录, 入库 领导小组审定, 批复文号, 中标通知书 + 合同, 开工报告, 完工报告, 验收报告,
    # 结项 结算/决算报告. Set a key to "" to require nothing. Off until a county switches it
    # on (its books then file the documents; a county's existing books have none yet).
    evidence_required: bool = False
    evidence_severity: Severity = Severity.WARNING
    evidence_stage_proposed: _Evidence = ("resolution",)
    evidence_stage_in_library: _Evidence = ("resolution",)
    evidence_stage_approved: _Evidence = ("approval",)
    evidence_stage_procured: _Evidence = ("tender", "contract")
    evidence_stage_in_progress: _Evidence = ("commencement",)
    evidence_stage_completed: _Evidence = ("completion",)
    evidence_stage_accepted: _Evidence = ("acceptance",)
    evidence_stage_closed: _Evidence = ("settlement",)
    # A05 [DOMAIN D stage 12 报账: 合同/中标通知书; 正规发票 (no 白条)]: per ``payment`` kind.
    evidence_payment_prepayment: _Evidence = ("contract",)
    evidence_payment_progress: _Evidence = ("invoice",)
    evidence_payment_final: _Evidence = ("invoice",)
    evidence_payment_deposit: _Evidence = ()
    # A05 [B38, N-ASSET2021 §(6): 审批文号 + 村民代表大会决议]: per asset event.
    evidence_asset_disposal: _Evidence = ("approval", "resolution")
    evidence_asset_transfer: _Evidence = ("approval", "resolution")
    evidence_asset_mortgage: _Evidence = ("approval", "resolution")
    evidence_asset_status: _Evidence = ()

    @model_validator(mode="after")
    def _warn_before_error(self) -> Policy:
        """A warning threshold comes before its error threshold; a minimum before its maximum."""
        for low, high in _ORDERED_PAIRS:
            if getattr(self, low) > getattr(self, high):
                raise ValueError(
                    f"{_kebab(low)} {getattr(self, low)} > {_kebab(high)} {getattr(self, high)}: "
                    f"{_kebab(low)} 应 ≤ {_kebab(high)}"
                )
        return self

    @classmethod
    def ledger_keys(cls) -> list[str]:
        """The ledger keys, in declaration order."""
        return [_kebab(name) for name in cls.model_fields]


#: (lower, upper) pairs of fields that must stay in order (warn before error, min ≤ max)
_ORDERED_PAIRS = (
    ("idle_warn_months", "idle_error_months"),
    ("gradual_exit_min_months", "gradual_exit_max_months"),
    ("loan_borrower_age_min", "loan_borrower_age_max"),
)

DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class PolicyTimeline:
    """The policy in force on any day, built from the ledger's dated entries."""

    dates: Sequence[datetime.date] = ()
    snapshots: Sequence[Policy] = ()
    origins: Sequence[dict[str, Meta]] = ()
    errors: Sequence[PolicyError] = field(default_factory=tuple)
    #: the ``custom "policy"`` entries that took effect, by ``id()`` of their metadata
    entries: Mapping[int, Custom] = field(default_factory=dict, repr=False, compare=False)
    _memo: dict[datetime.date, Policy] = field(default_factory=dict, repr=False, compare=False)

    def at(self, day: datetime.date) -> Policy:
        """The policy in force on ``day`` (defaults before the first entry)."""
        policy = self._memo.get(day)
        if policy is None:
            index = bisect.bisect_right(self.dates, day)
            policy = self._memo[day] = self.snapshots[index - 1] if index else DEFAULT_POLICY
        return policy

    def origin(self, key: str, day: datetime.date) -> Meta | None:
        """The policy entry that set ``key`` as in force on ``day``; None for a default."""
        index = bisect.bisect_right(self.dates, day)
        return self.origins[index - 1].get(key) if index else None

    def origin_entry(self, key: str, day: datetime.date) -> Custom | None:
        """The ``custom "policy"`` entry that set ``key`` as in force on ``day``."""
        meta = self.origin(key, day)
        return self.entries.get(id(meta)) if meta is not None else None


def build_timeline(entries: Sequence[Custom]) -> PolicyTimeline:
    """Merge the ``custom "policy"`` entries (date order) over the defaults."""
    current = DEFAULT_POLICY
    origins: dict[str, Meta] = {}
    dates: list[datetime.date] = []
    snapshots: list[Policy] = []
    origin_list: list[dict[str, Meta]] = []
    errors: list[PolicyError] = []
    applied: dict[int, Custom] = {}
    known = set(Policy.ledger_keys())
    set_on: dict[tuple[datetime.date, str], Meta] = {}  # (day, key) → the entry that set it
    for entry in sorted(entries, key=lambda e: e.date):
        problem = _apply(entry, current, known)
        if isinstance(problem, str):
            errors.append(PolicyError(entry.meta, f"POLICY error: {problem}", entry, rule="POLICY"))
            continue
        key, changed = problem
        first = set_on.setdefault((entry.date, key), entry.meta)
        if first is not entry.meta:
            errors.append(
                PolicyError(
                    entry.meta,
                    f"POLICY error: {key}: 同一天第二次设定 (已在 {_where(first)} 设定; "
                    "一个参数一天只能有一个值)",
                    entry,
                    rule="POLICY",
                    policy_key=key,
                )
            )
            continue
        current = changed
        origins = {**origins, key: entry.meta}
        applied[id(entry.meta)] = entry
        if dates and dates[-1] == entry.date:
            snapshots[-1], origin_list[-1] = current, origins
        else:
            dates.append(entry.date)
            snapshots.append(current)
            origin_list.append(origins)
    return PolicyTimeline(
        tuple(dates), tuple(snapshots), tuple(origin_list), tuple(errors), applied
    )


def _apply(entry: Custom, current: Policy, known: set[str]) -> str | tuple[str, Policy]:
    """Return ``(key, new policy)`` or an error text naming the key."""
    if len(entry.values or ()) != 2:
        return '政策参数应写作 custom "policy" "<key>" <value>'
    key, value = entry.values[0].value, entry.values[1].value
    if not isinstance(key, str) or key not in known:
        return f"未知的政策参数 {show_input(key)}{did_you_mean(str(key), sorted(known))}"
    if hasattr(value, "number"):  # an Amount: only a money key takes one (LEDGER: currency)
        if key not in _money_keys():
            return f"{key} = {value}: 应为不带币种的数字 (not an amount)"
        value = value.number
    data = current.model_dump(by_alias=True)
    data[key] = value
    try:
        return key, Policy.model_validate(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = error.get("loc") or ()
        if not loc:  # a check across keys (warn before error)
            return describe_error(error)
        text = explain(error)
        if len(loc) > 1 and isinstance(loc[1], int):  # one item of a list
            text = f"第 {loc[1] + 1} 项 {show_input(error.get('input'))} {text}"
        return f"{loc[0]} = {show_input(value).strip(chr(39))}: {text}"


@cache
def _money_keys() -> frozenset[str]:
    """The policy keys whose value is yuan to the fen (:data:`Money`)."""
    return frozenset(
        field.alias or name
        for name, field in Policy.model_fields.items()
        if any(getattr(m, "decimal_places", None) == 2 for m in field.metadata)
    )


def _where(meta: Meta) -> str:
    return f"{meta.get('filename')}:{meta.get('lineno')}"
