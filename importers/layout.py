"""Document layouts as data (``presets/<name>.toml``): where the header is, which column
holds what, which lines are not data. Every key is listed with an example in
``docs/importers.md``; a county adds a bank or a roll form by writing one more TOML file.

One model serves the three kinds of document (``kind``): a bank ``statement``, a payment
``roll`` (一卡通发放清册) and an ``allocation`` sheet (资金分配表). ``columns`` maps a role
to the header names that may hold it (aliases, matched after NFKC and without spaces; a
unit suffix ``(元)``/``(万元)`` is recognised and sets that column's unit).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Literal, Self

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

from fupin.messages_zh import explain

PRESETS_DIR = Path(__file__).resolve().parent / "presets"

Kind = Literal["statement", "roll", "allocation"]
NonDataKind = Literal["title", "header", "blank", "subtotal", "total", "footer", "balance"]

#: the roles a document of each kind may map (``memo`` may name several columns)
ROLES: dict[str, tuple[str, ...]] = {
    "statement": (
        "date", "time", "serial", "debit", "credit", "amount", "direction", "balance",
        "counterparty", "memo", "currency",
    ),
    "roll": (
        "seq", "township", "village", "name", "id_number", "kind", "amount", "date",
        "account", "project", "batch", "period",
    ),
    "allocation": (
        "seq", "doc", "level", "project", "project_name", "amount", "date", "unit_name",
    ),
}  # fmt: skip
#: roles that hold money (their unit follows the header suffix or the unit line)
MONEY_ROLES = ("debit", "credit", "amount", "balance")


def _aliases(value: object) -> object:
    return (value,) if isinstance(value, str) else value


Aliases = Annotated[tuple[str, ...], BeforeValidator(_aliases)]


def _compiles(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"不是有效的正则表达式 (regular expression): {exc}") from None
    return value


#: A layout's or a rule's pattern: rejected when loading if it does not compile.
RegularExpression = Annotated[str, AfterValidator(_compiles)]


class LayoutError(Exception):
    """A layout file that does not validate (names the file and the field)."""


class NonData(BaseModel):
    """A line that is not data: ``pattern`` (a regular expression) matched at the start of
    the line's first non-empty cell, spaces removed; or, with ``column`` (a role), at the
    start of that column's cell of a line that carries no amount (``期初余额`` in 摘要).
    ``no_amount``: a first-cell pattern too holds only on a line that carries no amount."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: NonDataKind
    pattern: RegularExpression
    column: str | None = None
    no_amount: bool = False


#: what an opening, carried or closing balance line says (期初余额, 承前页, 过次页 …)
BALANCE_WORDS = (
    r"(期初|期末|上期|本期|上日|本日|当日|昨日|月初|月末|年初|年末|上月|本月|上年|本年)"
    r"(结存|结余|余额)|承前页|过次页|承上页|转下页|上年结转|结转下年"
)

#: an ASCII page number alone in its cell: ``Page 1 of 3``, ``page 2/3``, ``- 1 -``, ``1/3``
PAGE_FOOTER = r"(?:(?i:page)\s*\d+\s*(?:(?i:of)|/)\s*\d+|-\s*\d+\s*-|\d+\s*/\s*\d+)$"

#: Lines every layout recognises (a layout's own ``non_data`` are tried first).
DEFAULT_NON_DATA: tuple[NonData, ...] = (
    *(
        NonData(kind=k, pattern=p)  # type: ignore[arg-type]
        for k, p in (
            ("subtotal", r"(本页|当页|本頁)(合计|小计|合計)|小计|小計|页小计"),
            ("total", r"(人民币|本币|外币)?(合计|合計|总计|總計|累计|累計|本期合计|本月合计|汇总)"),
            (
                "footer",
                r"以上数据|以上信息|以上内容|温馨提示|特别提示|本(明细|对账单|回单|清单|表)",
            ),
            ("footer", r"\(?(注|说明|备注|提示)[:：]"),
            ("footer", r"第\d+页|共\d+页|页码|页数"),
            ("footer", r"(打印|查询|下载|导出|生成)(日期|时间|人|柜员|网点|机构)"),
            (
                "footer",
                r"(制表|制单|填表|填报|经办|复核|审核|审批|会计|出纳|主管|负责人|单位负责人|"
                r"分管领导|领导|记账|核对|监督|签字|签名|盖章|村委会|村务监督|乡镇|财政所)"
                r"(人|员|意见|主任|领导|签字|签章|\(签字\)|\(盖章\))?[:：]",
            ),
            ("footer", r"(单位|部门)?(公章|盖章|签章)"),
            ("balance", BALANCE_WORDS),
            (
                "title",
                r"(账号|帐号|账户|帐户|卡号|户名|币种|币别|货币|开户|子账户|查询|起止|交易期间|"
                r"交易区间|期间|日期范围|起始日期|截止日期|单位[:：]|金额单位|填报单位|编制单位)",
            ),
        )
    ),
    NonData(kind="footer", pattern=PAGE_FOOTER, no_amount=True),
    NonData(kind="balance", pattern=BALANCE_WORDS, column="memo"),
)


class Layout(BaseModel):
    """The columns, formats and non-data lines of one kind of document."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: Kind = "statement"
    description: str = ""
    bank: str = ""
    formats: tuple[str, ...] = (".csv",)
    encoding: str = "auto"
    delimiter: str = ","
    #: a worksheet's index or name; None: the one sheet holding the layout's table
    sheet: int | str | None = None
    title: RegularExpression | None = None
    header_rows: int = Field(40, ge=1, le=200)
    expect: Aliases = ()
    columns: dict[str, Aliases]
    date_formats: tuple[str, ...] = ()
    unit: Literal["元", "万元", "auto"] = "auto"
    placeholder: RegularExpression | None = None
    non_data: tuple[NonData, ...] = ()
    fill_down: tuple[str, ...] = ()
    # statements
    order: Literal["auto", "newest-first", "oldest-first"] = "auto"
    currency: str = "CNY"
    debit_words: tuple[str, ...] = ("借", "支出", "支", "出", "D", "借方")
    credit_words: tuple[str, ...] = ("贷", "收入", "收", "入", "C", "贷方")
    # rolls and allocation sheets
    batch: tuple[str, ...] = (
        r"(?:发放批次|批次名称|批次号|批次)\s*[:：]\s*(.+?)\s*(?=\s\S{1,10}[:：]|$)",
    )
    doc: tuple[str, ...] = (r"(?:文号|下达文号|文件号|依据文件)\s*[:：]\s*(\S+?〔\d{4}〕\d+号)",)
    default_kind: str | None = None
    default_level: str | None = None
    default_date: str | None = None

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value: str) -> str:
        value = {"tab": "\t", "TAB": "\t", "\\t": "\t", "comma": ","}.get(value, value)
        if value != "auto" and len(value) != 1:
            raise ValueError("应为一个字符、'tab' 或 'auto'")
        return value

    @model_validator(mode="after")
    def _roles(self) -> Self:
        allowed = ROLES[self.kind]
        unknown = [r for r in self.columns if r not in allowed]
        if unknown:
            raise ValueError(
                f"未知的列角色 {unknown[0]!r} (columns; {self.kind} 可用: {', '.join(allowed)})"
            )
        empty = [r for r, names in self.columns.items() if not names]
        if empty:
            raise ValueError(f"列角色 {empty[0]!r} 没有给出任何表头 (columns)")
        have = set(self.columns)
        if self.kind == "statement":
            split = {"debit", "credit"} <= have
            if "date" not in have:
                raise ValueError("银行对账单 (statement) 须有 columns.date (交易日期列)")
            if split == ("amount" in have) and not ({"amount", "direction"} <= have):
                raise ValueError(
                    "须给出 columns.debit 和 columns.credit (借方、贷方), 或带正负号的 columns.amount"
                )
            if ("debit" in have) != ("credit" in have):
                raise ValueError("columns.debit 与 columns.credit 须同时给出 (借方、贷方)")
        elif "amount" not in have:
            raise ValueError(f"{self.kind} 须有 columns.amount (金额列)")
        if self.kind == "roll" and not have & {"id_number", "name"}:
            raise ValueError(
                "发放名册 (roll) 须有 columns.id_number 或 columns.name (身份证号或姓名列)"
            )
        if self.kind == "allocation" and not have & {"project", "project_name"}:
            raise ValueError(
                "资金分配表 (allocation) 须有 columns.project 或 columns.project_name (项目编号或项目名称列)"
            )
        stray = [n.column for n in self.non_data if n.column and n.column not in allowed]
        if stray:
            raise ValueError(f"non_data column {stray[0]!r}: 不是 {self.kind} 的列角色")
        missing = [r for r in self.fill_down if r not in have]
        if missing:
            raise ValueError(f"fill_down 中的 {missing[0]!r} 不是已定义的列角色 (columns)")
        return self

    @property
    def required(self) -> tuple[str, ...]:
        """The roles whose column the header must hold."""
        if self.kind == "statement":
            return tuple(
                r for r in ("date", "debit", "credit", "amount", "direction", "balance", "serial")
                if r in self.columns
            )  # fmt: skip
        return ("amount",)

    @property
    def any_of(self) -> tuple[str, ...]:
        """Roles of which the header must hold at least one."""
        if self.kind == "roll":
            return tuple(r for r in ("id_number", "name") if r in self.columns)
        if self.kind == "allocation":
            return tuple(r for r in ("project", "project_name") if r in self.columns)
        return ()

    @property
    def rules(self) -> tuple[NonData, ...]:
        return (*self.non_data, *DEFAULT_NON_DATA)


def load_layout(source: str | Path) -> Layout:
    """A preset by name (``"rcb"``) or a layout TOML file by path."""
    path = Path(source)
    if not path.suffix:
        path = PRESETS_DIR / f"{source}.toml"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in PRESETS_DIR.glob("*.toml")))
            raise LayoutError(f"未知的版式 {source!r} (layout; 内置版式: {known})")
    try:
        return Layout.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise LayoutError(f"{path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"{path}: {exc}") from None
    except ValidationError as exc:
        fields = tuple(Layout.model_fields)
        problems = [
            f"{'.'.join(str(p) for p in error['loc']) or 'layout'}: {explain(error, fields)}"
            for error in exc.errors(include_url=False)
        ]
        raise LayoutError(f"{path}: {'; '.join(problems)}") from None


def presets(kind: Kind | None = None) -> dict[str, Layout]:
    """Every shipped preset (of one kind), by name."""
    found = {p.stem: load_layout(p) for p in sorted(PRESETS_DIR.glob("*.toml"))}
    return {n: lay for n, lay in found.items() if kind is None or lay.kind == kind}
