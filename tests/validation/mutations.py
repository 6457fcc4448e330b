"""One-change mutations of the sample ledger (issue 12), and how each one is judged.

:func:`generate` reads the sample ledger's files as text, cuts each into entries (a dated
line and the indented lines under it) and makes, from each entry, the one-line changes a
county's clerk makes by mistake: a typo in a coded value, an id that names nothing, a
second definition of an id, an empty name, a year of −1 or a budget of 0, a date in 1900,
an end before its start, an amount in USD or of 10^30, a missing or misspelt field, a
personal number in a narration, a directive's type misspelt or its values gone, a field
written twice, a policy value out of its vocabulary or order, the register
CSV or a folder included as a ledger, a binary file, an overlong line. Beside them, changes
that keep the ledger valid (a text edited, a note added, two fields swapped, a default
restated), after which the sample must have no finding it did not have before.

Each :class:`Mutation` knows the lines of the entry it changes and the words (field names)
an error must contain: :func:`judge` loads the mutated copy with :func:`fupin.load.load`
and says whether an error sits at that entry naming the field, whether a valid one added
any finding, and whether anything ended in a traceback or an internal rule error. A
finding counts only when the unmutated copy (its :func:`baseline`) does not have it: the
sample's one real warning (B30, N-2021-F03 posted after its notice-grace-days) stays in
every copy and is no change's doing.
"""

from __future__ import annotations

import datetime
import re
import traceback
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, NamedTuple, Union, get_args, get_origin

from fupin.engine import InternalError
from fupin.entities import ENTITY_TYPES
from fupin.findings import Severity
from fupin.load import LedgerUnreadable, load

DATE = re.compile(r"^(\d{4}-\d\d-\d\d) ")
CUSTOM = re.compile(r'^(\d{4}-\d\d-\d\d) custom "([^"]+)"((?: "[^"]*")*)\s*(.*)$')
META = re.compile(r"^(  |    )([a-z_][a-z0-9_]*): (.*)$")
POSTING = re.compile(r"^  ([A-Z][A-Za-z0-9:-]+)\s+(-?[0-9][0-9.,]*) ([A-Z]+)\s*$")
LOCATION = re.compile(r"([^\s:()\"']+\.(?:beancount|csv|bin|txt)):(\d+)")

#: coded metadata fields of each entity kind (closed vocabularies)
CODED = {
    "fund": ("family",),
    "notice": ("type", "level", "channel", "paper"),
    "asset": ("class", "form", "status"),
    "asset-right": ("holder_type",),
    "asset-event": ("status",),
}
#: coded positional values (kind → index of the value after the id)
CODED_POSITION = {"project-stage": 1, "asset-right": 1, "asset-event": 1}
#: metadata fields that name another entity
REFS = {
    "project": ("fund",),
    "notice": ("subject",),
    "asset": ("projects",),
    "income-plan": ("asset",),
    "contract": ("project", "asset"),
}
#: entity kinds whose first value is a reference to another entity
REF_POSITION = {"project-stage", "asset-right", "asset-event", "fund-check"}
REQUIRED_TEXT = {
    "fund": ("name",),
    "project": ("name", "township", "village", "implementer"),
    "asset": ("name", "township", "village", "unit"),
    "asset-right": ("holder",),
    "contract": ("vendor",),
}
REQUIRED = {
    "fund": ("family", "name"),
    "project": ("category", "year", "budget", "township", "implementer"),
    "notice": ("type", "level", "subject", "start"),
    "asset": ("class", "form", "projects", "funding", "quantity", "unit"),
    "asset-right": ("holder", "holder_type"),
    "income-plan": ("asset", "amount", "shares"),
    "contract": ("vendor", "amount"),
}
YEARS = {"fund": ("year",), "project": ("year",)}
#: money fields, and whether 0 is invalid for them
MONEY = {
    "fund": {"total": True},
    "project": {"budget": True},
    "project-stage": {"budget": True, "contract_amount": False, "settlement": False},
    "contract": {"amount": True},
    "income-plan": {"amount": True},
    "asset-event": {"proceeds": False},
}
DATES = {
    "notice": ("start", "end"),
    "income-plan": ("income_from", "income_to"),
    "asset": ("accepted", "handover"),
    "asset-right": ("until",),
    "fund": ("close",),
}
#: kinds whose entry defines an id (a second definition is a duplicate)
DEFINING = ("fund", "project", "asset", "notice", "income-plan", "contract")
#: free text: an edit keeps the ledger valid
FREE_TEXT = (
    "doc",
    "title",
    "issuer",
    "content",
    "beneficiaries",
    "targets",
    "linkage",
    "note",
    "alloc_doc",
    "reason",
    "resolution",
    "approval",
    "certificate",
    "subtype",
    "decision",
    "source",
    "basis",
)
#: transaction metadata that names an entity, and an id of that kind that does not exist
TXN_REFS = {
    "project": "P-2099-999",
    "asset": "A-2099-999",
    "plan": "IP-2099-999",
    "contract": "HT-2099-999",
    "household": "H-QS-999",
}
PII = {
    "mobile": "联系电话 138-0013-8000",
    "id": "身份证 110101199003071234",
    "bank": "卡号 6222021234567890123",
}
#: the audit trail's rules (issue 17): they see any change to a sealed entry, valid or not
AUDIT_TRAIL = frozenset(("A01", "A02", "A03", "A04", "A05"))
#: at most this many entries of one kind for one kind of change (spread over the ledger)
PER_KIND = 3


def _bare(annotation: Any) -> Any:
    """An annotation without ``Annotated[...]`` and ``| None``."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, UnionType):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return _bare(rest[0])
    return annotation


def model_fields(kind: str) -> dict[str, tuple[str, bool]]:
    """An entity kind's metadata fields as the ledger writes them: name → (shape, required),
    the shape ``coded`` (a Literal), ``text`` (a plain str) or ``other``."""
    import fupin.plugins  # noqa: F401  (registers every entity model)

    model = ENTITY_TYPES.get(kind)
    if model is None:
        return {}
    out: dict[str, tuple[str, bool]] = {}
    for name, info in model.model_fields.items():
        if name == "date" or name in model.positional:
            continue
        bare = _bare(info.annotation)
        shape = "coded" if get_origin(bare) is Literal else "text" if bare is str else "other"
        out[info.alias or name] = (shape, info.is_required())
    return out


@dataclass
class Entry:
    """One entry of a ledger file: its lines, 0-based, inclusive."""

    file: str
    start: int
    end: int
    lines: list[str]
    kind: str  # custom type, "txn", "open", "other"
    values: tuple[str, ...] = ()  # a custom's quoted values

    @property
    def date(self) -> datetime.date:
        return datetime.date.fromisoformat(self.lines[0][:10])

    def meta(self, indent: str = "  ") -> dict[str, int]:
        """Metadata key → line index (entry-level by default)."""
        out: dict[str, int] = {}
        for offset, line in enumerate(self.lines[1:], 1):
            match = META.match(line)
            if match and match.group(1) == indent:
                out.setdefault(match.group(2), self.start + offset)
        return out


@dataclass(frozen=True)
class Mutation:
    """One change of one file of the ledger, and what the checks must say about it."""

    ident: str
    kind: str
    file: str
    edit: str  # "replace" | "insert" | "delete" | "append"
    index: int  # 0-based line the edit applies at
    lines: tuple[str, ...]
    span: tuple[int, int]  # 1-based lines of the changed entry after the edit
    valid: bool
    expect: tuple[str, ...] = ()  # words an error message must contain (any one)
    files: tuple[tuple[str, bytes], ...] = ()  # extra files written beside the ledger

    def apply(self, text: str) -> str:
        lines = text.split("\n")
        if self.edit == "replace":
            lines[self.index : self.index + 1] = list(self.lines)
        elif self.edit == "delete":
            del lines[self.index]
        elif self.edit == "insert":
            lines[self.index : self.index] = list(self.lines)
        else:  # append
            while lines and not lines[-1]:
                lines.pop()
            lines += ["", *self.lines, ""]
        return "\n".join(lines)


def entries(folder: Path, name: str) -> list[Entry]:
    """The dated entries of one ledger file."""
    text = (folder / name).read_text(encoding="utf-8").split("\n")
    out: list[Entry] = []
    index = 0
    while index < len(text):
        line = text[index]
        if not DATE.match(line):
            index += 1
            continue
        end = index
        while end + 1 < len(text) and text[end + 1].startswith(" "):
            end += 1
        custom = CUSTOM.match(line)
        kind = custom.group(2) if custom else ("txn" if line[11:12] in "*!" else line.split()[1])
        values = tuple(re.findall(r'"([^"]*)"', custom.group(3))) if custom else ()
        out.append(Entry(name, index, end, text[index : end + 1], kind, values))
        index = end + 1
    return out


def _typo(value: str) -> str:
    """A plausible typo: the second character dropped (``approved`` → ``aproved``)."""
    return value[0] + value[2:] if len(value) > 2 else value + "x"


def _spread(items: list[Entry], count: int = PER_KIND) -> list[Entry]:
    """Up to ``count`` items spread over the list (first, middle, last)."""
    if len(items) <= count:
        return items
    if count == 1:
        return [items[len(items) // 2]]
    step = (len(items) - 1) / (count - 1)
    return [items[round(i * step)] for i in range(count)]


class _Maker:
    """Builds the mutations of one ledger folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files = sorted(p.name for p in folder.glob("*.beancount"))
        self.entries = {name: entries(folder, name) for name in self.files}
        self.out: list[Mutation] = []
        self.by_kind: dict[str, list[Entry]] = defaultdict(list)
        for found in self.entries.values():
            for entry in found:
                self.by_kind[entry.kind].append(entry)
        self.assets = {
            e.values[0]: e for e in self.by_kind["asset"] if e.values
        }  # id → registration entry
        #: the last day a seal covers (issue 17): a change before it is an A01 error, so the
        #: valid changes are made after it
        self.sealed = max((e.date for e in self.by_kind["seal"]), default=datetime.date.min)

    def unsealed(self, items: list[Entry]) -> list[Entry]:
        """The entries no seal covers."""
        return [e for e in items if e.date > self.sealed]

    # -- building blocks -------------------------------------------------------------------
    def add(
        self,
        kind: str,
        entry: Entry,
        edit: str,
        index: int,
        lines: tuple[str, ...],
        *,
        valid: bool,
        expect: tuple[str, ...] = (),
    ) -> None:
        start, end = entry.start + 1, entry.end + 1
        if edit == "insert":
            end += len(lines)
        elif edit == "delete":
            end -= 1
        self.out.append(
            Mutation(
                f"{kind}:{entry.file}:{index + 1}:{edit}:{'|'.join(lines).strip()[:48]}",
                kind,
                entry.file,
                edit,
                index,
                lines,
                (start, end),
                valid,
                expect,
            )
        )

    def replace_value(
        self, kind: str, entry: Entry, key: str, value: str, *, valid: bool, expect: tuple[str, ...]
    ) -> None:
        index = entry.meta().get(key)
        if index is None:
            return
        line = self.line(entry, index)
        prefix = line[: line.index(":") + 2]
        self.add(kind, entry, "replace", index, (prefix + value,), valid=valid, expect=expect)

    def rename_key(self, kind: str, entry: Entry, index: int, key: str, wrong: str) -> None:
        """The metadata key on line ``index`` misspelt: an error must name ``wrong``."""
        line = self.line(entry, index).replace(key, wrong, 1)
        self.add(kind, entry, "replace", index, (line,), valid=False, expect=(wrong,))

    def line(self, entry: Entry, index: int) -> str:
        return entry.lines[index - entry.start]

    def value_of(self, entry: Entry, key: str) -> str | None:
        index = entry.meta().get(key)
        if index is None:
            return None
        return self.line(entry, index).split(": ", 1)[1]

    # -- entity mutations ------------------------------------------------------------------
    def entities(self) -> None:
        for kind, items in self.by_kind.items():
            if model_fields(kind) == {} and kind not in CODED_POSITION:
                continue  # a transaction, a directive with free metadata, a custom of Fava's
            self.coded(kind, items)
            self.references(kind, items)
            self.texts(kind, items)
            self.ranges(kind, items)
            self.fields(kind, items)
            self.valid_edits(kind, items)
            self.directive(kind, items)
            if kind in DEFINING:
                for entry in _spread(items):
                    self.duplicate(entry)
        self.cross()
        self.values()

    def coded(self, kind: str, items: list[Entry]) -> None:
        fields = model_fields(kind)
        literal = [k for k, (shape, _) in fields.items() if shape == "coded"]
        for key in dict.fromkeys((*CODED.get(kind, ()), *literal)):
            for entry in _spread([e for e in items if key in e.meta()]):
                value = (self.value_of(entry, key) or '""').strip('"')
                self.replace_value(
                    "vocabulary", entry, key, f'"{_typo(value)}"', valid=False, expect=(key,)
                )
        position = CODED_POSITION.get(kind)
        if position is not None:
            for entry in _spread([e for e in items if len(e.values) > position]):
                old = entry.values[position]
                header = entry.lines[0].replace(f'"{old}"', f'"{_typo(old)}"', 1)
                name = {"project-stage": "stage", "asset-right": "right", "asset-event": "event"}
                self.add(
                    "vocabulary",
                    entry,
                    "replace",
                    entry.start,
                    (header,),
                    valid=False,
                    expect=(name[kind],),
                )

    def references(self, kind: str, items: list[Entry]) -> None:
        for key in REFS.get(kind, ()):
            for entry in _spread([e for e in items if key in e.meta()]):
                self.replace_value(
                    "reference", entry, key, '"X-2099-999"', valid=False, expect=(key,)
                )
        if kind in REF_POSITION:
            field_name = {"project-stage": "project", "fund-check": "fund"}.get(kind, "asset")
            for entry in _spread([e for e in items if e.values]):
                header = entry.lines[0].replace(f'"{entry.values[0]}"', '"X-2099-999"', 1)
                self.add(
                    "reference",
                    entry,
                    "replace",
                    entry.start,
                    (header,),
                    valid=False,
                    expect=(field_name,),
                )

    def texts(self, kind: str, items: list[Entry]) -> None:
        for key in REQUIRED_TEXT.get(kind, ()):
            for entry in _spread([e for e in items if key in e.meta()]):
                self.replace_value("empty text", entry, key, '""', valid=False, expect=(key,))
                self.replace_value("blank text", entry, key, '"   "', valid=False, expect=(key,))

    def ranges(self, kind: str, items: list[Entry]) -> None:
        for key in YEARS.get(kind, ()):
            for entry in _spread([e for e in items if key in e.meta()]):
                for value in ("-1", "0", "2999", '"last year"', "1" + "0" * 30):
                    self.replace_value("year", entry, key, value, valid=False, expect=(key,))
        for key, zero_invalid in MONEY.get(kind, {}).items():
            for entry in _spread([e for e in items if key in e.meta()]):
                number = (self.value_of(entry, key) or "0 CNY").split()[0]
                self.replace_value(
                    "currency", entry, key, f"{number} USD", valid=False, expect=(key,)
                )
                self.replace_value("amount", entry, key, "-5.00 CNY", valid=False, expect=(key,))
                self.replace_value(
                    "amount", entry, key, "1" + "0" * 30 + ".00 CNY", valid=False, expect=(key,)
                )
                if zero_invalid:
                    self.replace_value("amount", entry, key, "0.00 CNY", valid=False, expect=(key,))
                for text in ('"1e30"', '"NaN"', '"-Infinity"', '"五十万"'):
                    self.replace_value("amount", entry, key, text, valid=False, expect=(key,))
                grouped = f"{Decimal(number):,.2f} CNY"  # 1,200,000.00: Beancount reads it
                if entry.date > self.sealed:
                    self.replace_value("valid grouping", entry, key, grouped, valid=True, expect=())
        for key in DATES.get(kind, ()):
            for entry in _spread([e for e in items if key in e.meta()]):
                self.replace_value("date", entry, key, "1900-01-01", valid=False, expect=(key,))
                if key != "until":
                    self.replace_value("date", entry, key, "2999-12-31", valid=False, expect=(key,))
        self.periods(kind, items)

    def periods(self, kind: str, items: list[Entry]) -> None:
        pairs = {"notice": ("start", "end"), "income-plan": ("income_from", "income_to")}
        if kind not in pairs:
            return
        first, last = pairs[kind]
        for entry in _spread([e for e in items if first in e.meta() and last in e.meta()]):
            begin = datetime.date.fromisoformat(self.value_of(entry, first) or "")
            before = begin - datetime.timedelta(days=1)
            self.replace_value(
                "order", entry, last, before.isoformat(), valid=False, expect=(last,)
            )

    def fields(self, kind: str, items: list[Entry]) -> None:
        required = [k for k, (_, needed) in model_fields(kind).items() if needed]
        for key in dict.fromkeys((*REQUIRED.get(kind, ()), *required)):
            for entry in _spread([e for e in items if key in e.meta()]):
                index = entry.meta()[key]
                self.add("missing field", entry, "delete", index, (), valid=False, expect=(key,))
        for entry in _spread([e for e in items if e.meta()]):
            key, index = next(iter(entry.meta().items()))
            self.rename_key("unknown field", entry, index, key, key + key[-1])

    def valid_edits(self, kind: str, items: list[Entry]) -> None:
        items = self.unsealed(items)
        fields = model_fields(kind)
        for key in FREE_TEXT:
            if fields and fields.get(key, ("",))[0] != "text":
                continue  # coded or typed in this kind (a monitoring step's ``reason``)
            for entry in _spread([e for e in items if key in e.meta()], 2):
                value = self.value_of(entry, key) or '""'
                if value.startswith('"'):
                    self.replace_value(
                        "valid text", entry, key, value[:-1] + '(修订)"', valid=True, expect=()
                    )
        for entry in _spread(items, 2):
            if "note" in entry.meta():
                continue
            self.add(
                "valid note", entry, "insert", entry.end + 1, ('  note: "示例备注"',), valid=True
            )
        for entry in _spread([e for e in items if len(e.meta()) >= 2], 2):
            first, second = sorted(entry.meta().values())[:2]
            if second == first + 1:  # two adjacent fields swapped
                self.add("valid swap", entry, "swap", first, (), valid=True)

    def directive(self, kind: str, items: list[Entry]) -> None:
        """The directive itself: its type misspelt, its values gone, a field written twice,
        its date out of the years the rules compute in."""
        for entry in _spread(items, 1):
            self.redate(entry, "1900-01-01")
        for entry in _spread([e for e in items if e.values], 2):
            header = entry.lines[0]
            typo = header.replace(f'custom "{kind}"', f'custom "{_typo(kind)}"', 1)
            self.add(
                "custom type",
                entry,
                "replace",
                entry.start,
                (typo,),
                valid=False,
                expect=("custom",),
            )
            bare = header[: header.index(f'"{kind}"') + len(kind) + 2]
            self.add(
                "custom without value",
                entry,
                "replace",
                entry.start,
                (bare,),
                valid=False,
                expect=("custom",),
            )
        for entry in _spread([e for e in items if e.meta()], 2):
            key, index = next(iter(entry.meta().items()))
            self.add(
                "field twice",
                entry,
                "insert",
                index + 1,
                (self.line(entry, index),),
                valid=False,
                expect=(key,),
            )

    def redate(self, entry: Entry, day: str) -> None:
        header = day + entry.lines[0][10:]
        self.add(
            "entry date", entry, "replace", entry.start, (header,), valid=False, expect=("date",)
        )

    def duplicate(self, entry: Entry) -> None:
        lines = list(entry.lines)
        for offset, line in enumerate(lines):
            match = META.match(line)
            if match and match.group(2) in ("name", "title"):
                lines[offset] = line[:-1] + '(重复)"'
            if match and match.group(2) == "budget":
                lines[offset] = "  budget: 9999999.00 CNY"
        total = len((self.folder / entry.file).read_text(encoding="utf-8").rstrip("\n").split("\n"))
        start = total + 2  # after one blank line
        self.out.append(
            Mutation(
                f"duplicate:{entry.file}:{entry.start + 1}",
                "duplicate",
                entry.file,
                "append",
                0,
                tuple(lines),
                (start, start + len(lines) - 1),
                False,
                (f"{entry.file}:{entry.start + 1}",),
            )
        )

    def values(self) -> None:
        """Values out of their vocabulary or range that are not simple field types."""
        edits = (
            ("project", "category", '"Industy"', "category"),
            ("project", "category", '"Infrastrucure"', "category"),
            ("asset", "funding", "Central=>Centrl", "funding"),
            ("asset", "quantity", "0", "quantity"),
            ("asset", "quantity", "-3", "quantity"),
            ("asset-right", "share", "1.5", "share"),
            ("fund", "shares", '"Government=0.70 Raised=0.20 Donation=0.20"', "shares"),
            ("fund", "restricted", '"maybe"', "restricted"),
            ("fund", "industry_share_min", "1.5", "industry_share_min"),
            ("notice", "subject", '"P-2021-001"', "subject"),
        )
        for kind, key, value, word in edits:
            found = [e for e in self.by_kind[kind] if key in e.meta()]
            if kind == "notice":
                found = [e for e in found if '"fund_allocation"' in "".join(e.lines)]
            for entry in _spread(found, 2):
                if "=>" in value:  # rename inside the value
                    old, new = value.split("=>")
                    value_now = self.value_of(entry, key) or ""
                    if old not in value_now:
                        continue
                    new_value = value_now.replace(old, new, 1)
                else:
                    new_value = value
                self.replace_value("value", entry, key, new_value, valid=False, expect=(word,))
        inserts = (
            ("fund", '  restricted: "maybe"', "restricted"),
            ("fund", "  industry_share_min: 1.5", "industry_share_min"),
            ("notice", "  withdrawn: 1900-01-01", "withdrawn"),
            ("asset", '  status: "broken"', "status"),
        )
        for kind, line, word in inserts:
            for entry in _spread([e for e in self.by_kind[kind] if word not in e.meta()], 2):
                self.add(
                    "value", entry, "insert", entry.end + 1, (line,), valid=False, expect=(word,)
                )
        texts = {"asset-right": "holder", "notice": "issuer", "project": "implementer"}
        for kind, key in texts.items():
            for entry in _spread([e for e in self.by_kind[kind] if key in e.meta()], 2):
                value = self.value_of(entry, key) or '""'
                self.replace_value(
                    "personal data (entity)",
                    entry,
                    key,
                    value[:-1] + ' 电话13800138000"',
                    valid=False,
                    expect=(key,),
                )

    def cross(self) -> None:
        """Changes that break the order or sums between entries, or name absent households."""
        for entry in _spread(
            [e for e in self.by_kind["asset-right"] if '"household"' in "".join(e.lines)]
        ):
            self.replace_value(
                "reference", entry, "holder", '"H-QS-999"', valid=False, expect=("holder",)
            )
        for entry in _spread(self.by_kind["project"], 2):  # the village of another township
            township = self.value_of(entry, "township") or ""
            other = '"石桥镇"' if "城关镇" in township else '"城关镇"'
            self.replace_value("place", entry, "township", other, valid=False, expect=("village",))
        for entry in self.by_kind["income-plan"]:
            self.add(
                "reference",
                entry,
                "insert",
                entry.end + 1,
                ('  recipients: "H-SQ-001 H-SQ-999"',),
                valid=False,
                expect=("recipients",),
            )
        for entry in [e for e in self.by_kind["contract"] if "project" in e.meta()]:
            number = (self.value_of(entry, "amount") or "0 CNY").split()[0]
            eight = f"{float(number) * 8:.2f}"  # float-ok: a test input, not money arithmetic
            self.replace_value(
                "over budget", entry, "amount", f"{eight} CNY", valid=False, expect=("amount",)
            )
        for entry in _spread(
            [e for e in self.by_kind["project-stage"] if "contract_amount" in e.meta()]
        ):
            number = (self.value_of(entry, "contract_amount") or "0 CNY").split()[0]
            eight = f"{float(number) * 8:.2f}"  # float-ok: a test input, not money arithmetic
            self.replace_value(
                "over budget",
                entry,
                "contract_amount",
                f"{eight} CNY",
                valid=False,
                expect=("contract_amount",),
            )
        for kind in ("asset-event", "asset-right"):
            for entry in _spread([e for e in self.by_kind[kind] if e.values]):
                asset = self.assets.get(entry.values[0])
                if asset is None:
                    continue
                before = (asset.date - datetime.timedelta(days=30)).isoformat()
                header = before + entry.lines[0][10:]
                self.add(
                    "before registration",
                    entry,
                    "replace",
                    entry.start,
                    (header,),
                    valid=False,
                    expect=("date",),
                )

    # -- transactions ------------------------------------------------------------------------
    def transactions(self) -> None:
        txns = self.by_kind["txn"]
        for key, missing in TXN_REFS.items():
            for indent in ("  ", "    "):
                found = [e for e in txns if key in e.meta(indent)]
                for entry in _spread(found):
                    index = entry.meta(indent)[key]
                    line = f'{indent}{key}: "{missing}"'
                    self.add(
                        "reference", entry, "replace", index, (line,), valid=False, expect=(key,)
                    )
        for entry in _spread([e for e in txns if "payment" in e.meta()]):
            value = (self.value_of(entry, "payment") or '""').strip('"')
            self.replace_value(
                "vocabulary", entry, "payment", f'"{value}l"', valid=False, expect=("payment",)
            )
        household = [e for e in txns if "household" in e.meta("    ")]
        for entry in _spread(household):
            index = entry.meta("    ")["household"]
            self.add(
                "household id",
                entry,
                "replace",
                index,
                ('    household: "张三家"',),
                valid=False,
                expect=("household",),
            )
        inserts = (
            ("period", '"2021-13"'),
            ("period", '"上个月"'),
            ("year", '"last year"'),
            ("year", "1850"),
            ("payee_type", '"persn"'),
            ("direct_fund", '"yes"'),
            ("self_paid", "5000.00 USD"),
            ("self_paid", '"NaN"'),
            ("self_paid", '"1e30"'),
            ("rural_population", "-3"),
            ("rural_population", '"1e30"'),
            ("year", '"1e30"'),
        )
        plain = [e for e in txns if len(e.meta()) >= 1]
        for key, value in inserts:
            for entry in _spread(plain, 2):
                self.add(
                    "metadata value",
                    entry,
                    "insert",
                    entry.start + 1,
                    (f"  {key}: {value}",),
                    valid=False,
                    expect=(key,),
                )
        for entry in _spread([e for e in txns if "member" in e.meta("    ")], 2):
            index = entry.meta("    ")["member"]
            self.add(
                "metadata value",
                entry,
                "replace",
                index,
                ('    member: "abc"',),
                valid=False,
                expect=("member",),
            )
        for key in ("project", "household", "payment", "plan", "asset"):
            for indent in ("  ", "    "):
                for entry in _spread([e for e in txns if key in e.meta(indent)], 2):
                    index = entry.meta(indent)[key]
                    self.rename_key("misspelt key", entry, index, key, _typo(key))
        for entry, day in zip(
            _spread(txns, 3), ("1900-01-01", "2999-01-05", "1979-12-31"), strict=False
        ):
            self.redate(entry, day)
        self.postings(txns)
        self.personal(txns)
        self.valid_txns(txns)

    def postings(self, txns: list[Entry]) -> None:
        with_amount = [e for e in txns if any(POSTING.match(line) for line in e.lines[1:])]
        for entry in _spread(with_amount, 4):
            offset = next(i for i, line in enumerate(entry.lines) if POSTING.match(line))
            line = entry.lines[offset]
            match = POSTING.match(line)
            assert match
            self.add(
                "currency",
                entry,
                "replace",
                entry.start + offset,
                (line.replace(" CNY", " USD"),),
                valid=False,
                expect=("USD",),
            )
            huge = line.replace(match.group(2), "1" + "0" * 30 + ".00")
            self.add(
                "amount",
                entry,
                "replace",
                entry.start + offset,
                (huge,),
                valid=False,
                expect=(match.group(1),),
            )

    def personal(self, txns: list[Entry]) -> None:
        for name, text in PII.items():
            for entry in _spread(txns, 3):
                header = entry.lines[0]
                if not header.endswith('"'):
                    continue
                self.add(
                    f"personal data ({name})",
                    entry,
                    "replace",
                    entry.start,
                    (header[:-1] + " " + text + '"',),
                    valid=False,
                    expect=("narration",),
                )
            for entry in _spread(txns, 2):
                self.add(
                    f"personal data ({name})",
                    entry,
                    "insert",
                    entry.start + 1,
                    (f'  contact: "{text}"',),
                    valid=False,
                    expect=("contact",),
                )
        opens = self.by_kind["open"]
        if opens:
            entry = opens[-1]
            for account in ("Assets:Bank:Card6222021234567890123", "Assets:Bank:P13800138000"):
                self.add(
                    "personal data (account)",
                    entry,
                    "insert",
                    entry.end + 1,
                    (f"2021-01-01 open {account} CNY",),
                    valid=False,
                    expect=("account",),
                )
                self.out[-1] = _moved(self.out[-1], entry.end + 2)
        for entry in _spread([e for e in txns if e.lines[0].endswith('"')], 2):
            self.add(
                "personal data (link)",
                entry,
                "replace",
                entry.start,
                (entry.lines[0] + " ^id110101199003071234",),
                valid=False,
                expect=("link",),
            )
        with_basis = [e for e in txns if "basis" in e.meta("    ")]
        for entry in _spread(with_basis, 2):
            index = entry.meta("    ")["basis"]
            line = self.line(entry, index)
            self.add(
                "personal data (posting)",
                entry,
                "replace",
                index,
                (line[:-1] + ' 户主手机 13800138000"',),
                valid=False,
                expect=("basis",),
            )
        payees = [e for e in txns if e.lines[0].count('"') >= 4]
        for entry in _spread(payees, 2):
            header = entry.lines[0]
            first = header.index('"')
            self.add(
                "personal data (payee)",
                entry,
                "replace",
                entry.start,
                (header[: first + 1] + "张三 110101199003071234 " + header[first + 1 :],),
                valid=False,
                expect=("payee",),
            )

    def valid_txns(self, txns: list[Entry]) -> None:
        txns = self.unsealed(txns)
        for entry in _spread(txns, 6):
            header = entry.lines[0]
            if header.endswith('"'):
                self.add(
                    "valid narration",
                    entry,
                    "replace",
                    entry.start,
                    (header[:-1] + '(补录)"',),
                    valid=True,
                )
            self.add(
                "valid note",
                entry,
                "insert",
                entry.start + 1,
                ('  note: "补录说明"',),
                valid=True,
            )
        for entry in _spread([e for e in txns if "voucher" in e.meta()], 3):
            value = (self.value_of(entry, "voucher") or '""').strip('"')
            self.replace_value(
                "valid voucher", entry, "voucher", f'"{value}-R"', valid=True, expect=()
            )
        for entry in _spread([e for e in txns if "household" in e.meta("    ")], 2):
            self.add(
                "valid period",
                entry,
                "insert",
                entry.start + 1,
                ('  period: "2021-09"',),
                valid=True,
            )

    # -- policy and files --------------------------------------------------------------------
    def policy(self) -> None:
        name = "policy.beancount"
        found = self.entries.get(name) or []
        if not found:
            return
        bad = (
            ("spend-min-stage", '"aproved"'),
            ("final-payment-stage", '"acepted"'),
            ("fiscal-families", '"xianjie xianjei"'),
            ("idle-families", '"countyy"'),
            ("idle-warn-months", "13"),
            ("gradual-exit-min-months", "13"),
            ("industry-share-min", "1.5"),
            ("industry-share-min", "-0.1"),
            ("industry-share-severity", '"eror"'),
            ("asset-registration-days", "1000000"),
            ("income-result-days", "100000000"),
            ("notice-min-days", "0"),
            ("industry-categories", '"Industy"'),
            ("notice-board-channels", '"bord"'),
            ("benefit-statuses", '"registred"'),
            ("asset-rights", '"ownership 所有权"'),
            ("tender-threshold", "4000000.00 USD"),
            ("mgmt-fee-max", '"one percent"'),
            ("industy-share-min", "0.5"),
        )
        total = len((self.folder / name).read_text(encoding="utf-8").rstrip("\n").split("\n"))
        for key, value in bad:
            line = f'2021-07-01 custom "policy" "{key}" {value}'
            self.out.append(
                Mutation(
                    f"policy:{key}={value}",
                    "policy",
                    name,
                    "append",
                    0,
                    (line,),
                    (total + 2, total + 2),
                    False,
                    (key[:-1] if key.startswith("industy") else key,),
                )
            )
        for key, value in (("mgmt-fee-max", "0.01"), ("notice-hotline", '"12317"')):
            line = f'2022-07-01 custom "policy" "{key}" {value}'
            self.out.append(
                Mutation(
                    f"policy:{key}={value}",
                    "valid policy",
                    name,
                    "append",
                    0,
                    (line,),
                    (total + 2, total + 2),
                    True,
                )
            )
        for entry in found:  # a second value for one key on one day
            key = entry.values[0] if entry.values else ""
            self.out.append(
                Mutation(
                    f"policy twice:{key}:{entry.start + 1}",
                    "policy twice",
                    name,
                    "append",
                    0,
                    (entry.lines[0][:10] + f' custom "policy" "{key}" ' + _other_value(entry),),
                    (total + 2, total + 2),
                    False,
                    (f"{name}:{entry.start + 1}",),
                )
            )
            break

    def unreadable(self) -> None:
        name = "main.beancount"
        total = len((self.folder / name).read_text(encoding="utf-8").rstrip("\n").split("\n"))
        at = (total + 2, total + 2)
        cases = (
            ("include csv", 'include "register/households.csv"', ()),
            ("include folder", 'include "register"', ()),
            ("include binary", 'include "scan.bin"', (("scan.bin", bytes(range(256)) * 8),)),
            (
                "include utf-16",
                'include "utf16.txt"',
                (("utf16.txt", "2021-01-01 note".encode("utf-16")),),
            ),
        )
        for kind, line, files in cases:
            self.out.append(
                Mutation(
                    f"{kind}:{name}",
                    kind,
                    name,
                    "append",
                    0,
                    (line,),
                    at,
                    False,
                    (f"{name}:{at[0]}",),
                    files,
                )
            )
        self.out.append(
            Mutation(
                f"long line:{name}",
                "long line",
                name,
                "append",
                0,
                ("; " + "长" * 40000,),
                at,
                False,
                (f"{name}:{at[0]}",),
            )
        )

    def all(self) -> list[Mutation]:
        self.entities()
        self.transactions()
        self.policy()
        self.unreadable()
        seen: set[str] = set()
        unique = []
        for mutation in self.out:
            if mutation.ident in seen:
                continue
            seen.add(mutation.ident)
            unique.append(mutation)
        return unique


def _moved(mutation: Mutation, line: int) -> Mutation:
    """The same edit, judged at the one line it adds (a new entry of its own)."""
    return Mutation(
        mutation.ident,
        mutation.kind,
        mutation.file,
        mutation.edit,
        mutation.index,
        mutation.lines,
        (line, line),
        mutation.valid,
        mutation.expect,
    )


def _other_value(entry: Entry) -> str:
    """A different value of the same type as a policy entry's (``0.55`` → ``0.60``)."""
    value = entry.lines[0].rsplit(" ", 1)[1]
    if value.startswith('"'):
        return '"Industry"'
    return "0.60" if value != "0.60" else "0.65"


def generate(folder: Path) -> list[Mutation]:
    """Every mutation of the ledger in ``folder`` (deterministic, in a stable order)."""
    return sorted(_Maker(folder).all(), key=lambda m: m.ident)


def sample(mutations: list[Mutation], count: int) -> list[Mutation]:
    """``count`` mutations spread evenly over the list (deterministic)."""
    if count >= len(mutations):
        return mutations
    step = len(mutations) / count
    return [mutations[int(i * step)] for i in range(count)]


# -- judging -----------------------------------------------------------------------------------
@dataclass
class Verdict:
    """What the checks said about one mutation."""

    mutation: Mutation
    at_line: bool = False  # (invalid) an error at the entry's lines (or the file's line)
    reported: bool = False  # (invalid) an error at the entry naming the field
    findings: int = 0  # errors and warnings after the change that the baseline has not
    traceback: str = ""
    internal: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


class Seen(NamedTuple):
    """A problem as the baseline and a mutated copy are compared: everything but its line,
    which a line inserted above it moves."""

    kind: str
    rule: str
    severity: str
    file: str
    entity: str
    message: str


def _seen(problem: Any) -> Seen:
    meta = problem.source or {}
    return Seen(
        type(problem).__name__,
        str(getattr(problem, "rule", "")),
        str(getattr(problem, "severity", Severity.ERROR)),
        Path(str(meta.get("filename", ""))).name,
        str(getattr(problem, "entity", "")),
        problem.message,
    )


def baseline(folder: Path) -> Counter[Seen]:
    """The problems of the unmutated ledger in ``folder`` (load once per copied folder, and
    pass to every :func:`judge` of it): a mutated copy's finding is new only beyond these."""
    loaded = load(folder / "main.beancount")
    return Counter(_seen(p) for p in [*loaded.other_errors, *loaded.results.findings])


def judge(
    mutation: Mutation, folder: Path, original: dict[str, str], known: Counter[Seen]
) -> Verdict:
    """Apply ``mutation`` to the copy of the ledger in ``folder``, load it, restore it; of its
    problems, those in ``known`` (the folder's :func:`baseline`) are not counted."""
    path = folder / mutation.file
    text = original[mutation.file]
    if mutation.edit == "swap":
        lines = text.split("\n")
        index = mutation.index
        lines[index], lines[index + 1] = lines[index + 1], lines[index]
        changed = "\n".join(lines)
    else:
        changed = mutation.apply(text)
    for name, data in mutation.files:
        (folder / name).write_bytes(data)
    path.write_text(changed, encoding="utf-8")
    verdict = Verdict(mutation)
    try:
        _load(verdict, folder / "main.beancount", known)
    finally:
        path.write_text(text, encoding="utf-8")
        for name, _ in mutation.files:
            (folder / name).unlink()
    return verdict


def _load(verdict: Verdict, main: Path, known: Counter[Seen]) -> None:
    mutation = verdict.mutation
    try:
        loaded = load(main)
    except LedgerUnreadable as exc:
        message = str(exc)
        verdict.messages.append(message)
        verdict.findings = 1
        if "Traceback" in message or "Error applying plugin" in message:
            verdict.traceback = message
        verdict.at_line, verdict.reported = _located(message, mutation)
        return
    except Exception:  # exactly what the test counts: a traceback
        verdict.traceback = traceback.format_exc()
        return
    left = known.copy()
    problems = []
    for problem in [*loaded.other_errors, *loaded.results.findings]:
        seen = _seen(problem)
        if left[seen] > 0:
            left[seen] -= 1  # the unmutated copy has it too: not the change's doing
        else:
            problems.append(problem)
    verdict.findings = len(problems)
    for problem in problems:
        meta = problem.source or {}
        if isinstance(problem, InternalError) or str(meta.get("filename", "")).startswith("<"):
            verdict.internal.append(problem.message)
        verdict.messages.append(
            f"{Path(str(meta.get('filename'))).name}:{meta.get('lineno')}: {problem.message}"
        )
        if getattr(problem, "severity", Severity.ERROR) != Severity.ERROR:
            continue
        if str(getattr(problem, "rule", "")) in AUDIT_TRAIL:
            continue  # a sealed entry changed (A01) says nothing of the field's validation
        if Path(str(meta.get("filename", ""))).name != mutation.file:
            continue
        line = int(meta.get("lineno") or 0)
        if mutation.span[0] <= line <= mutation.span[1]:
            verdict.at_line = True
            if any(word in problem.message for word in mutation.expect):
                verdict.reported = True


def _located(message: str, mutation: Mutation) -> tuple[bool, bool]:
    """Whether an unreadable-input message names a line of the mutated entry, and whether it
    names the field (or the file and line) there too."""
    for name, line in LOCATION.findall(message):
        if Path(name).name == mutation.file and mutation.span[0] <= int(line) <= mutation.span[1]:
            return True, any(word in message for word in mutation.expect)
    return False, False


def figures(verdicts: list[Verdict]) -> dict[str, float | int]:
    """The mutation test's figures."""
    invalid = [v for v in verdicts if not v.mutation.valid]
    valid = [v for v in verdicts if v.mutation.valid]
    reported = sum(v.reported for v in invalid)
    return {
        "mutations": len(verdicts),
        "invalid": len(invalid),
        "reported_at_line": sum(v.at_line for v in invalid),
        "reported_at_line_naming_field": reported,
        "reported_pct": round(100 * reported / len(invalid), 2) if invalid else 100.0,
        "valid": len(valid),
        "valid_accepted": sum(v.findings == 0 for v in valid),
        "tracebacks": sum(bool(v.traceback) for v in verdicts),
        "internal_errors": sum(bool(v.internal) for v in verdicts),
    }


def by_kind(verdicts: list[Verdict]) -> Iterator[tuple[str, int, int]]:
    """(kind, mutations, reported or clean) per kind of change."""
    groups: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in verdicts:
        groups[verdict.mutation.kind].append(verdict)
    for kind, items in sorted(groups.items()):
        good = sum((v.findings == 0) if v.mutation.valid else v.reported for v in items)
        yield kind, len(items), good
