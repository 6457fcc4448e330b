"""The household register (农户信息库): the private file that maps pseudonymous ids to people.

The public ledger names households only by id (``H-<village code>-<seq>``); names, ID-card
numbers, phones, bank accounts and health flags live here, in CSV files a county may keep
out of the repository its auditors see. A ledger names its register once::

    2021-01-01 custom "household-register" "register/households.csv"

(path relative to the file holding that entry). The register is three CSV files in one
folder, UTF-8 with a header row:

* ``households.csv``: ``id, township, village, group, head_name, id_number, phone,
  bank_account, attribute, cause, other_causes, cadre, income, note``;
* ``members.csv`` (beside it): ``household, seq, name, id_number, relation, school_stage,
  stages, insured, chronic, note``;
* ``events.csv`` (beside it): ``household, date, event, category, months, doc, note``:
  the dated status changes (identified 识别, lifted 脱贫, monitored 纳入监测, risk_cleared
  风险消除 with its gradual-exit months, removed 销户).

Every row is validated by pydantic; a bad row is a :class:`RegisterError` naming the file,
the row (line number) and the field.
"""

from __future__ import annotations

import calendar
import csv
import datetime
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from fupin import reads
from fupin.entities import Entity
from fupin.messages_zh import explain
from fupin.pii import id_check_char
from fupin.vocab import MAX_AMOUNT

if TYPE_CHECKING:
    from fupin.book import Book
    from fupin.policy import Policy

#: 学段 (DOMAIN C.1): annual stages and one-off entry stages.
SCHOOL_STAGES = ("preschool", "compulsory", "senior_secondary", "undergrad_new", "college_new")
STAGE_NAMES = {
    "preschool": "学前教育",
    "compulsory": "义务教育",
    "senior_secondary": "高中阶段",
    "undergrad_new": "本科新生",
    "college_new": "专科新生",
}
#: 致贫原因 (DOMAIN G.2), the 12 national codes.
CAUSES = {
    "illness": "因病",
    "disability": "因残",
    "schooling": "因学",
    "disaster": "因灾",
    "lack_land": "缺土地",
    "lack_water": "缺水",
    "lack_skills": "缺技术",
    "lack_labour": "缺劳力",
    "lack_capital": "缺资金",
    "poor_transport": "交通条件落后",
    "low_motivation": "自身发展动力不足",
    "other": "其他",
}
#: 监测对象类别 (DOMAIN G.3).
CATEGORIES = {
    "unstable_lifted": "脱贫不稳定户",
    "marginal": "边缘易致贫户",
    "sudden_hardship": "突发严重困难户",
}
#: 贫困户属性 (DOMAIN G.1).
ATTRIBUTES = {"general": "一般户", "dibao": "低保户", "extreme": "特困供养户"}
#: 劳动技能 (DOMAIN G.1): a member's labour capacity; the last two mean none (无劳动能力).
LABOUR = {
    "normal": "普通劳动力",
    "skilled": "技能劳动力",
    "weak": "弱劳动力或半劳动力",
    "lost": "丧失劳动力",
    "none": "无劳动力",
}
NO_LABOUR = ("lost", "none")
#: Status on a day, derived from the events (see :meth:`Household.status_on`).
STATUSES = {
    "general": "一般农户",
    "registered": "建档立卡贫困户(未脱贫)",
    "lifted": "脱贫户",
    "monitored": "监测对象",
    "gradual_exit": "渐退期",
    "removed": "已销户",
}
EVENTS = ("identified", "lifted", "monitored", "risk_cleared", "removed")

HOUSEHOLD_ID = re.compile(r"^H-[A-Z0-9]{1,8}-\d{1,6}$")
ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
PHONE = re.compile(r"^1[3-9]\d{9}$")
BANK = re.compile(r"^\d{16,19}$")
#: the GB 11643 check character of an ID number's first 17 digits (one implementation,
#: the personal-data detector's)
id_check_digit = id_check_char


def _blank_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _flag(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("1", "y", "yes", "true", "是", "t"):
            return True
        if text in ("", "0", "n", "no", "false", "否", "f"):
            return False
    return value


def _id_number(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().upper()
    if not ID_NUMBER.match(value):
        raise ValueError("身份证号应为 17 位数字加一位数字或 X")
    if id_check_digit(value[:17]) != value[17]:
        raise ValueError("身份证号校验位不符 (GB 11643)")
    return value


def _list(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(p for p in re.split(r"[\s,;、]+", value) if p)
    return value


def _household_id(value: str) -> str:
    if not HOUSEHOLD_ID.match(value):
        raise ValueError("农户编号应为 H-<村代码>-<序号>, 如 H-QS-001")
    return value


#: a pseudonymous household id (the ledger's only way to name a household)
HouseholdId = Annotated[str, AfterValidator(_household_id)]
Opt = Annotated[str | None, BeforeValidator(_blank_none)]
Flag = Annotated[bool, BeforeValidator(_flag)]
IdNumber = Annotated[str | None, BeforeValidator(_blank_none)]
Stage = Literal[SCHOOL_STAGES]  # type: ignore[valid-type]
Cause = Literal[tuple(CAUSES)]  # type: ignore[valid-type]


class Member(BaseModel):
    """A person of a household (家庭成员)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int = Field(ge=1)
    name: str = Field(min_length=1)
    id_number: IdNumber = None
    relation: str = "户主"
    #: current stage of schooling (学段), None when not in school
    school_stage: Annotated[Stage | None, BeforeValidator(_blank_none)] = None
    #: stage by calendar year when it changed, ``"2021=senior_secondary 2022=undergrad_new"``
    stages: dict[int, Stage] = Field(default_factory=dict)
    insured: Flag = True  # 参加城乡居民基本医疗保险
    chronic: Flag = False  # 经认定的慢性病 (国家规定的病种), eligible for 慢性病救助
    note: Opt = None
    #: 劳动技能 (G.1), None when not recorded
    labour: Annotated[Literal[tuple(LABOUR)] | None, BeforeValidator(_blank_none)] = None  # type: ignore[valid-type]

    @field_validator("id_number")
    @classmethod
    def _check_id(cls, value: str | None) -> str | None:
        return _id_number(value)

    @field_validator("stages", mode="before")
    @classmethod
    def _parse_stages(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return {}
        if isinstance(value, str):
            out: dict[str, str] = {}
            for part in re.split(r"[\s,;]+", value.strip()):
                year, sep, stage = part.partition("=")
                if not sep:
                    raise ValueError(f"应为 年份=阶段 形式, 而不是 {part!r}")
                out[year] = stage
            return out
        return value

    def stage_in(self, year: int) -> str | None:
        """The stage of schooling in a calendar year.

        A year in ``stages`` has that stage; a year after the last one listed has the
        current ``school_stage``; any other year of a member with a history, none.
        """
        if not self.stages:
            return self.school_stage
        if year in self.stages:
            return str(self.stages[year])
        return self.school_stage if year > max(self.stages) else None


class StatusChange(BaseModel):
    """A dated status change of a household (识别, 脱贫, 纳入监测, 风险消除, 销户)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: datetime.date
    event: Literal[EVENTS]  # type: ignore[valid-type]
    #: identified: ``registered`` (建档立卡) | monitored: a monitoring category (G.3)
    category: Opt = None
    #: risk_cleared: gradual-exit months (渐退期), 6–12 by policy
    months: int | None = Field(default=None, ge=0, le=36)
    doc: Opt = None
    note: Opt = None

    @field_validator("months", mode="before")
    @classmethod
    def _blank_months(cls, value: Any) -> Any:
        return _blank_none(value)

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str | None) -> str | None:
        if value is not None and value not in CATEGORIES and value != "registered":
            raise ValueError(f"类别应为 registered 或 {', '.join(CATEGORIES)} 之一")
        return value


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus whole calendar months (clamped to the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window_end(start: datetime.date, months: int) -> datetime.date:
    """The first day after a window of ``months`` calendar months whose first day is
    ``start``: the same day of the month ``months`` on, or, when that month has no such
    day, the first of the next month (a 6-month 渐退期 from 2022-08-31 runs to 2023-02-28,
    one from 2022-08-28 to 2023-02-27)."""
    end = add_months(start, months)
    return end + datetime.timedelta(days=1) if end.day < start.day else end


class Household(BaseModel):
    """A household (户) of the register, with its members and dated status history."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    township: str = Field(min_length=1)
    village: str = Field(min_length=1)
    group: str = ""  # 村民小组
    head_name: str = Field(min_length=1)
    id_number: IdNumber = None
    phone: Opt = None
    bank_account: Opt = None
    attribute: Literal[tuple(ATTRIBUTES)] = "general"  # type: ignore[valid-type]
    cause: Annotated[Cause | None, BeforeValidator(_blank_none)] = None  # type: ignore[valid-type]
    other_causes: Annotated[tuple[Cause, ...], BeforeValidator(_list)] = ()  # type: ignore[valid-type]
    cadre: Opt = None  # 帮扶责任人
    #: 年人均纯收入, yuan to the fen, never negative
    income: Annotated[
        Decimal | None,
        BeforeValidator(_blank_none),
        Field(ge=0, lt=MAX_AMOUNT, decimal_places=2),
    ] = None
    note: Opt = None
    members: tuple[Member, ...] = ()
    history: tuple[StatusChange, ...] = ()

    @field_validator("id_number")
    @classmethod
    def _check_id(cls, value: str | None) -> str | None:
        return _id_number(value)

    @field_validator("id")
    @classmethod
    def _pseudonymous_id(cls, value: str) -> str:
        if not HOUSEHOLD_ID.match(value):
            raise ValueError("农户编号应为 H-<村代码>-<序号>, 如 H-QS-001")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not PHONE.match(value):
            raise ValueError("手机号应为以 13–19 开头的 11 位数字")
        return value

    @field_validator("bank_account")
    @classmethod
    def _bank(cls, value: str | None) -> str | None:
        if value is not None and not BANK.match(value.replace(" ", "")):
            raise ValueError("银行账号应为 16–19 位数字")
        return value.replace(" ", "") if value else value

    @property
    def size(self) -> int:
        """家庭人口数."""
        return len(self.members)

    def member(self, seq: int | str | None) -> Member | None:
        """A member by its sequence number (``member:`` on a payment)."""
        try:
            wanted = int(str(seq))
        except ValueError:
            return None
        return next((m for m in self.members if m.seq == wanted), None)

    def insured_members(self) -> int:
        return sum(1 for m in self.members if m.insured)

    # -- status ---------------------------------------------------------------------------
    def status_on(self, day: datetime.date) -> str:
        """``general | registered | lifted | monitored | gradual_exit | removed`` on ``day``."""
        base, monitored, window_end = "general", False, None
        for change in self.history:
            if change.date > day:
                break
            if change.event == "identified":
                base = "registered"
            elif change.event == "lifted":
                base = "lifted"
            elif change.event == "monitored":
                monitored, window_end = True, None
            elif change.event == "risk_cleared":
                monitored = False
                window_end = self.exit_end(change)
            elif change.event == "removed":
                return "removed"
        if monitored:
            return "monitored"
        if window_end is not None and day < window_end:
            return "gradual_exit"
        return base

    def category_on(self, day: datetime.date) -> str | None:
        """The monitoring category (G.3) in force on ``day`` (also during gradual exit)."""
        category = None
        for change in self.history:
            if change.date > day:
                break
            if change.event == "monitored":
                category = change.category
        return category if self.status_on(day) in ("monitored", "gradual_exit") else None

    def exit_window(self, change: StatusChange) -> tuple[datetime.date, datetime.date]:
        """First and last day of the gradual exit after a ``risk_cleared`` change (inclusive)."""
        return change.date, self.exit_end(change) - datetime.timedelta(days=1)

    def exit_end(self, change: StatusChange) -> datetime.date:
        """The first day after the gradual exit that a ``risk_cleared`` change starts."""
        return window_end(change.date, change.months or 0)

    def eligible_on(self, day: datetime.date, statuses: tuple[str, ...]) -> bool:
        return self.status_on(day) in statuses

    def exit_ended(self, day: datetime.date) -> tuple[datetime.date, datetime.date, int] | None:
        """The gradual exit that ran out on or before ``day`` (first day, last day, months).

        None when the household's latest ``risk_cleared`` before ``day`` is still in its
        渐退期, or was followed by a new ``monitored`` event (the household is back under
        monitoring), or when there is none. 低保-type benefits end here (C.6).
        """
        ended = None
        for change in self.history:
            if change.date > day:
                break
            if change.event == "risk_cleared":
                first, last = self.exit_window(change)
                ended = (first, last, change.months or 0) if last < day else None
            elif change.event == "monitored":
                ended = None
        return ended

    def has_labour(self) -> bool | None:
        """Whether the household has labour capacity: False for a 特困供养户 (五保: 无劳动
        能力) or when every member is recorded without labour; None when not recorded."""
        if self.attribute == "extreme":
            return False
        known = [m.labour for m in self.members if m.labour is not None]
        if any(code not in NO_LABOUR for code in known):
            return True
        if known and len(known) == len(self.members):
            return False
        return None

    def describe(self) -> str:
        return f"{self.township}{self.village} [household {self.id}]"


@dataclass(frozen=True)
class Register:
    """A loaded, validated register (read-only)."""

    path: Path
    households: Mapping[str, Household]

    def find(
        self,
        *,
        id_number: str | None = None,
        bank_account: str | None = None,
        name: str | None = None,
        village: str | None = None,
    ) -> list[Household]:
        """Households matching every given key (a member's ID number or name counts)."""
        out = []
        wanted_id = id_number.strip().upper() if id_number else None
        wanted_bank = bank_account.replace(" ", "") if bank_account else None
        for household in self.households.values():
            if village and household.village != village:
                continue
            if wanted_bank and household.bank_account != wanted_bank:
                continue
            if wanted_id and wanted_id not in (
                household.id_number,
                *(m.id_number for m in household.members),
            ):
                continue
            if name and name not in (household.head_name, *(m.name for m in household.members)):
                continue
            out.append(household)
        return out

    def villages(self) -> list[str]:
        """Village names in register order."""
        return list(dict.fromkeys(h.village for h in self.households.values()))


class RegisterError(Exception):
    """A register file or row that does not validate; the message names file, row and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        more = f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__("\n".join(problems[:20]) + more)


class RegisterRef(Entity):
    """Where a ledger's register is: ``custom "household-register" "<path>"``."""

    kind: ClassVar[str] = "household-register"
    label: ClassVar[str] = "农户信息库"
    positional: ClassVar[tuple[str, ...]] = ("path",)

    path: str
    note: str | None = None

    def describe(self) -> str:
        return f"农户信息库 {self.path} [household-register]"

    def key(self) -> str:
        """A ledger names one register (a second would silently replace the first)."""
        return "register"


HOUSEHOLD_FIELDS = [
    "id",
    "township",
    "village",
    "group",
    "head_name",
    "id_number",
    "phone",
    "bank_account",
    "attribute",
    "cause",
    "other_causes",
    "cadre",
    "income",
    "note",
]
MEMBER_FIELDS = [
    "household",
    "seq",
    "name",
    "id_number",
    "relation",
    "school_stage",
    "stages",
    "insured",
    "chronic",
    "note",
    "labour",
]
EVENT_FIELDS = ["household", "date", "event", "category", "months", "doc", "note"]


def _rows(path: Path, required: bool) -> list[tuple[int, dict[str, str]]]:
    reads.file(path)  # a missing members.csv or events.csv counts once it appears
    if not path.is_file():
        if required:
            raise RegisterError([f"{path}: 没有这个农户信息库文件 (no such register file)"])
        return []
    try:
        text = _decoded(path.read_bytes())
    except OSError as exc:
        raise RegisterError([f"{path}: 无法读取 (cannot be read): {exc.strerror}"]) from None
    except UnicodeDecodeError as exc:
        raise RegisterError(
            [f"{path}: 第 {exc.start} 字节起不是 UTF-8 或 GB18030 (GBK) 编码的文本, 无法读取"]
        ) from None
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [name.strip() for name in next(reader, [])]
        rows = []
        for lineno, row in enumerate(reader, 2):
            if len(row) > len(header):
                raise RegisterError(
                    [f"{path}:{lineno}: 该行有 {len(row)} 列, 表头只有 {len(header)} 列"]
                )
            if row and len(row) < len(header):  # Excel writes every column, empty ones too
                raise RegisterError(
                    [
                        f"{path}:{lineno}: 该行只有 {len(row)} 列, 表头有 {len(header)} 列 "
                        f"(缺 {header[len(row)]} 起的列; 若删了某个值连同它的逗号, 其后的值都"
                        "错了列): 按表头补齐, 空值也保留逗号"
                    ]
                )
            rows.append(
                (lineno, {k: v.strip() for k, v in zip(header, row, strict=False) if k and v})
            )
        return rows
    except csv.Error as exc:
        raise RegisterError([f"{path}: 无法读取 (cannot be read): {exc}"]) from None


def _decoded(data: bytes) -> str:
    """A register file's text: UTF-8 (with or without Excel's BOM), else GB18030 (GBK), as
    Excel on a Chinese Windows saves "CSV (逗号分隔)". Raises UnicodeDecodeError."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as first:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise first from None


def _problems(path: Path, lineno: int, exc: ValidationError) -> list[str]:
    """Each field's error at its row, in Chinese (``attribute: 应为 … 之一 (是否应为 …?)``)."""
    return [
        f"{path}:{lineno}: {'.'.join(str(p) for p in err['loc'])}: {explain(err)}"
        for err in exc.errors(include_url=False)
    ]


def load_register(path: Path) -> Register:
    """Load and validate ``households.csv`` with its ``members.csv`` and ``events.csv``."""
    path = Path(path)
    folder = path.parent
    problems: list[str] = []
    members: dict[str, list[Member]] = defaultdict(list)
    events: dict[str, list[StatusChange]] = defaultdict(list)
    member_file, event_file = folder / "members.csv", folder / "events.csv"
    member_lines: dict[str, int] = {}
    people: dict[str, int] = {}  # ID number → the members.csv line that has it first
    for lineno, row in _rows(member_file, required=False):
        hid = row.pop("household", "")
        try:
            member = Member.model_validate(row)
        except ValidationError as exc:
            problems += _problems(member_file, lineno, exc)
            continue
        members[hid].append(member)
        member_lines.setdefault(hid, lineno)
        problems += _same_person(member_file, lineno, member.id_number, people)
    event_lines: dict[str, int] = {}
    for lineno, row in _rows(event_file, required=False):
        hid = row.pop("household", "")
        event_lines.setdefault(hid, lineno)
        try:
            events[hid].append(StatusChange.model_validate(row))
        except ValidationError as exc:
            problems += _problems(event_file, lineno, exc)

    households: dict[str, Household] = {}
    lines: dict[str, int] = {}
    heads: dict[str, int] = {}  # a head's ID number → the households.csv line that has it
    for lineno, row in _rows(path, required=True):
        data: dict[str, Any] = dict(row)
        hid = data.get("id", "")
        data["members"] = tuple(sorted(members.pop(hid, []), key=lambda m: m.seq))
        data["history"] = tuple(sorted(events.pop(hid, []), key=lambda e: e.date))
        if hid in households:
            problems.append(
                f"{path}:{lineno}: id: 农户编号 {hid} 重复 (第 {lines.get(hid, 0)} 行已有)"
            )
            continue
        try:
            households[hid] = Household.model_validate(data)
        except ValidationError as exc:
            problems += _problems(path, lineno, exc)
            continue
        lines[hid] = lineno
        problems += _same_person(path, lineno, households[hid].id_number, heads)
        seqs = [m.seq for m in households[hid].members]
        if len(seqs) != len(set(seqs)):
            problems.append(f"{member_file}:{member_lines[hid]}: seq: 农户 {hid} 的成员序号重复")
    problems += _village_codes(path, households, lines)
    for hid in members:
        problems.append(
            f"{member_file}:{member_lines.get(hid, 0)}: household: 农户信息库中没有 {hid!r}"
        )
    for hid in events:
        problems.append(
            f"{event_file}:{event_lines.get(hid, 0)}: household: 农户信息库中没有 {hid!r}"
        )
    if problems:
        raise RegisterError(problems)
    return Register(path, households)


def _same_person(path: Path, lineno: int, id_number: str | None, seen: dict[str, int]) -> list[str]:
    """One person is registered once: an ID number already on an earlier row of the same file
    (a member in two households, a head of two) is a problem at the later row, naming the
    earlier row and never the number."""
    if id_number is None:
        return []
    first = seen.setdefault(id_number, lineno)
    if first == lineno:
        return []
    return [
        f"{path}:{lineno}: id_number: 身份证号与第 {first} 行相同 (同一人登记两次; 号码不予显示)"
    ]


def _village_codes(
    path: Path, households: Mapping[str, Household], lines: Mapping[str, int]
) -> list[str]:
    """A household whose village differs from that of the others of its village code
    (``H-QS-…``: the code names one village): a mistyped 青山材 would get a notice of its own.
    The place most households of the code have is taken as the code's."""
    places: dict[str, dict[tuple[str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
    for hid, household in households.items():
        code = hid.split("-")[1]
        places[code][(household.township, household.village)].append(hid)
    problems: list[str] = []
    for code, found in places.items():
        if len(found) < 2:
            continue
        ranked = sorted(found.items(), key=lambda item: (-len(item[1]), lines[item[1][0]]))
        (township, village), usual = ranked[0]
        for (other_township, other_village), hids in ranked[1:]:
            for hid in hids:
                problems.append(
                    f"{path}:{lines[hid]}: village: {hid} 在 {other_township} {other_village}, "
                    f"而村代码 {code} 的其他 {len(usual)} 户在 {township} {village} "
                    "(一个村代码只对应一个村)"
                )
    return problems


_CACHE: dict[Path, tuple[bytes, Register]] = {}


def _stamp(path: Path) -> bytes:
    """The SHA-256 of the three register files' bytes (a missing file counts as absent):
    a file saved again within the same second, or copied with its time kept, is still seen."""
    digest = hashlib.sha256()
    for part in (path, path.parent / "members.csv", path.parent / "events.csv"):
        reads.file(part)  # noted before it is read, also when served from the cache
        try:
            data = part.read_bytes()
        except OSError:
            digest.update(b"\0absent\0")
            continue
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.digest()


def cached_register(path: Path) -> Register:
    """:func:`load_register`, reusing the last load while the files' bytes are unchanged."""
    path = Path(path).resolve()
    stamp = _stamp(path)
    hit = _CACHE.get(path)
    if hit and hit[0] == stamp:
        return hit[1]
    register = load_register(path)
    _CACHE[path] = (stamp, register)
    return register


_INCLUDE = re.compile(r'^include\s+"([^"]+)"', re.MULTILINE)
_REF = re.compile(r'^\d{4}-\d\d-\d\d\s+custom\s+"household-register"\s+"([^"]+)"', re.MULTILINE)


def _scan(ledger: Path, seen: set[Path]) -> Path | None:
    """The register a ledger file (or a file it includes) names, by a text scan."""
    ledger = ledger.resolve()
    if ledger in seen or not ledger.is_file():
        return None
    seen.add(ledger)
    text = ledger.read_text(encoding="utf-8", errors="replace")
    found = _REF.findall(text)
    if found:
        return ledger.parent / str(found[-1])
    for name in _INCLUDE.findall(text):
        for child in sorted(ledger.parent.glob(name)):
            hit = _scan(child, seen)
            if hit:
                return hit
    return None


def register_path(ledger_path: Path | None, book: Book | None = None) -> Path | None:
    """The register file a ledger names (from the book's entries when given)."""
    if book is not None:
        refs = book.all(RegisterRef)
        if not refs:
            return None
        ref = refs[-1]
        base = Path(str(book.meta_of(ref).get("filename", ledger_path or "."))).parent
        return (base / ref.path).resolve()
    if ledger_path is None:
        return None
    return _scan(Path(ledger_path), set())


def register_for(ledger_path: Path | None, book: Book | None = None) -> Register | None:
    """The ledger's register, loaded; None when the ledger names none.

    Raises :class:`RegisterError` when the named register is missing or invalid.
    """
    path = register_path(ledger_path, book)
    return cached_register(path) if path is not None else None


# -- eligibility per benefit kind (C.6, issue 15) --------------------------------------------
def benefit_kind_path(account: str) -> str | None:
    """``Expenses:Benefit:Education:Compulsory`` → ``Education:Compulsory`` (None: not a
    household benefit account)."""
    parts = account.split(":")
    if parts[:2] != ["Expenses", "Benefit"] or len(parts) < 3:
        return None
    return ":".join(parts[2:])


def _matches(kind: str, prefix: str) -> bool:
    return kind == prefix or kind.startswith(prefix + ":")


def kind_statuses(policy: Policy, kind: str | None) -> tuple[str, ...]:
    """The statuses a benefit kind may be paid in: the longest ``benefit-kind-statuses``
    prefix of the kind, else ``benefit-statuses``."""
    best = ""
    for prefix in policy.benefit_kind_statuses:
        if kind is not None and _matches(kind, prefix) and len(prefix) > len(best):
            best = prefix
    return tuple(policy.benefit_kind_statuses[best]) if best else policy.benefit_statuses


def ends_with_exit(policy: Policy, kind: str | None) -> bool:
    """Whether the kind (a 低保-type benefit) stops when the household's 渐退期 runs out."""
    return kind is not None and any(_matches(kind, p) for p in policy.benefit_exit_kinds)


def book_register(book: Book) -> Register | None:
    """The register a book names, loaded once per book; None when it names none or the
    register does not load (rule C08 reports that)."""

    def build() -> Register | None:
        try:
            return register_for(None, book)
        except RegisterError:
            return None

    return book.shared("household-register", build)
