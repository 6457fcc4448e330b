"""Seals (封存): a closed period's entries hashed, chained, and verified on every load.

``fupin seal --through 2021-12`` writes two things:

* ``seals/2021-12.digests`` beside the seal file: one line per entry of the period, sorted,
  ``<date> TAB <sha256> TAB <file:line when sealed> TAB <canonical form>`` (the form and
  its digest: :mod:`fupin.canonical`), after ``#`` header lines;
* a ``custom "seal"`` entry, dated on the period's last day::

    2021-12-31 custom "seal" "2021-12"
      entries: 1532
      sha256: "…"            ; the period hash
      digests: "seals/2021-12.digests"
      digests_sha256: "…"    ; SHA-256 of the digest list's bytes
      totals: "XJ-2021 received=8100000.00 spent=7783250.00; …"
      sealed: 2022-01-10
      canonical: "fupin-canonical-1"
      prev: "…"              ; the previous seal's chain (64 zeros for the first)
      chain: "…"             ; SHA-256 of this seal's fields and prev

A seal covers every entry dated after the previous seal's day up to and including its own
(the first seal: everything up to its day), except the seal entries themselves (the chain
protects them) and entries that fupin generates from others (depreciation: recognised by
sharing the file and line of the ``custom "asset"`` they derive from, which no written
entry can) or that Beancount makes from a ``pad``: its padding transaction (flag ``P``, at
the pad's file and line) exists in ``fupin check``'s entries but not yet when the plugin
runs under ``bean-check`` (Beancount pads after every plugin), so it is left out of both;
the ``pad`` and the ``balance`` it fills are sealed, and a sealed pad whose ``balance``
lies after the seal (its amount would follow unsealed entries) is an error. The **period
hash** is the SHA-256 of the lines ``<date> <sha256>\\n`` of its entries, sorted:
independent of file, line and order. The **chain** is the SHA-256 of
:func:`chain_text`, so that editing a seal, removing one or inserting one breaks it.

:func:`verify` recomputes all of this once per book; on a mismatch it diffs the period
against its digest list to name each changed, inserted, deleted or duplicated entry.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from beancount.core.data import Balance, Custom, Pad, Transaction
from pydantic import Field, field_validator, model_validator

from fupin import reads
from fupin.canonical import VERSION as CANONICAL_VERSION
from fupin.canonical import canonical, digest, file_sha256, short_digest
from fupin.entities import Entity
from fupin.findings import Finding
from fupin.money import ZERO, q2
from fupin.seal_diff import Difference, diff, where

if TYPE_CHECKING:
    from beancount.core.data import Directive

    from fupin.book import Book

SEAL_VERSION = "fupin-seal-1"
GENESIS = "0" * 64
PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
Hex64 = str  # 64 hex digits, kept in lowercase (checked by Seal)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_ANY_CASE_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
#: Seal fields that hold a SHA-256.
HASH_FIELDS = ("sha256", "digests_sha256", "prev", "chain")
#: Folder, beside the seal file, that holds the digest lists.
DIGESTS_DIR = "seals"


class SealError(Finding):
    """A01/A02: an entry of a sealed period changed, or a seal, its list or its chain."""

    __slots__ = ()


class Seal(Entity):
    """A sealed period: ``custom "seal" "<YYYY-MM>"``, dated on the period's last day."""

    kind: ClassVar[str] = "seal"
    label: ClassVar[str] = "封存"

    id: str
    entries: int = Field(ge=0)
    sha256: Hex64
    digests: str
    digests_sha256: Hex64
    totals: str = ""
    sealed: datetime.date | None = None
    canonical: str = CANONICAL_VERSION
    prev: Hex64
    chain: Hex64
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _period(cls, value: str) -> str:
        if not PERIOD.match(value):
            raise ValueError("封存以其最后一个月命名, 格式 YYYY-MM")
        return value

    @field_validator(*HASH_FIELDS)
    @classmethod
    def _hex(cls, value: str) -> str:
        # hex digits name the same hash in either case: the chain hashes them in lowercase
        if not _ANY_CASE_HEX64.match(value):
            raise ValueError("应为 64 位十六进制数字 (SHA-256)")
        return value.lower()

    @model_validator(mode="after")
    def _dated_on_month_end(self) -> Seal:
        if self.date != month_end(self.id):
            raise ValueError(f"{self.id} 的封存应记在该月最后一天 {month_end(self.id)}")
        return self

    def describe(self) -> str:
        return f"[seal {self.id}]"

    def expected_chain(self, prev: str) -> str:
        """The chain hash of this seal's fields after ``prev``."""
        return digest(
            chain_text(
                self.id,
                self.date,
                self.entries,
                self.sha256,
                self.digests_sha256,
                self.totals,
                self.sealed,
                self.canonical,
                prev,
            )
        )


def month_end(period: str) -> datetime.date:
    """The last day of ``YYYY-MM``."""
    year, month = int(period[:4]), int(period[5:7])
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def chain_text(
    period: str,
    through: datetime.date,
    entries: int,
    sha256: str,
    digests_sha256: str,
    totals: str,
    sealed: datetime.date | None,
    version: str,
    prev: str,
) -> str:
    """What a seal's ``chain`` hashes: its fields, one per line, then the previous chain."""
    return (
        f"{SEAL_VERSION}\nid: {period}\nthrough: {through.isoformat()}\nentries: {entries}\n"
        f"sha256: {sha256}\ndigests_sha256: {digests_sha256}\ntotals: {totals}\n"
        f"sealed: {sealed.isoformat() if sealed else ''}\ncanonical: {version}\nprev: {prev}\n"
    )


def period_hash(lines: Iterable[str]) -> str:
    """SHA-256 of the sorted ``<date> <sha256>\\n`` lines of a period's entries."""
    return hashlib.sha256("".join(sorted(lines)).encode("ascii")).hexdigest()


def ledger_root(book: Book) -> str:
    """The folder of the main ledger file ('' for a ledger loaded from a string)."""
    name = book.options.get("filename") or ""
    return os.path.dirname(os.path.abspath(name)) if os.path.isfile(name) else ""


# -- the entries of sealed periods -------------------------------------------------------------
@dataclass
class Period:
    """The entries of one sealed period as the ledger holds them now."""

    seal: Seal
    entry: Custom
    after: datetime.date | None  # the previous seal's day (exclusive); None: from the start
    lines: list[str] = field(default_factory=list)  # "<date> <sha256>\n", in entry order
    entries: list[Directive] = field(default_factory=list)  # parallel to ``lines``
    pads: list[Pad] = field(default_factory=list)  # the period's pad entries

    @property
    def label(self) -> str:
        start = f"{self.after + datetime.timedelta(days=1)}" if self.after else "起"
        return f"{start} 至 {self.seal.date}"


def generated_positions(book: Book) -> set[tuple[Any, Any]]:
    """Where fupin's generated entries sit: the file and line of each ``custom "asset"``
    (its depreciation entries copy them; no written entry can share a line with another)."""
    from fupin.assets import Asset  # the asset register's model (issue 3)

    out: set[tuple[Any, Any]] = set()
    if not any(policy.asset_depreciation for policy in book.policy.snapshots):
        return out  # nothing is generated
    for asset in book.all(Asset):
        meta = book.meta_of(asset)
        out.add((meta.get("filename"), meta.get("lineno")))
    return out


def collect(book: Book, seals: Sequence[tuple[Seal, Custom]], root: str) -> list[Period]:
    """The current entries of each sealed period (``seals`` in date order), one pass."""
    periods = []
    after = None
    for seal, custom in seals:
        periods.append(Period(seal, custom, after))
        after = seal.date
    if not periods:
        return periods
    generated = generated_positions(book)
    pads: set[tuple[Any, Any]] = set()  # where the pads are: their padding copies the place
    ends = [p.seal.date for p in periods]
    last = ends[-1]
    at = 0
    end = ends[0]
    bucket_lines, bucket_entries = periods[0].lines, periods[0].entries
    sha256, form = hashlib.sha256, canonical
    for entry in book.entries:
        day = entry.date
        if day > end:
            if day > last:
                break
            while day > ends[at]:
                at += 1
            end = ends[at]
            bucket_lines, bucket_entries = periods[at].lines, periods[at].entries
        kind = type(entry)
        if kind is Custom:
            if entry.type == "seal":  # type: ignore[union-attr]
                continue
        elif kind is Pad:
            meta = entry.meta
            pads.add((meta.get("filename"), meta.get("lineno")))
            periods[at].pads.append(entry)  # type: ignore[arg-type]
        elif pads and kind is Transaction and entry.flag == "P":  # type: ignore[union-attr]
            meta = entry.meta  # Beancount's padding: right after its pad, at the pad's line
            if (meta.get("filename"), meta.get("lineno")) in pads:
                continue
        if generated and kind is not Custom:
            meta = entry.meta
            if (meta.get("filename"), meta.get("lineno")) in generated:
                continue
        bucket_lines.append(f"{day.isoformat()} {sha256(form(entry, root).encode()).hexdigest()}\n")
        bucket_entries.append(entry)
    return periods


def loose_pads(book: Book, periods: Sequence[Period]) -> dict[int, list[tuple[Pad, Balance]]]:
    """The sealed pads whose ``balance`` comes after their seal, by period index: their
    padding amount would follow entries no seal covers."""
    waiting: dict[str, list[tuple[int, Pad]]] = {}
    for index, period in enumerate(periods):
        for pad in period.pads:
            waiting.setdefault(pad.account, []).append((index, pad))
    out: dict[int, list[tuple[Pad, Balance]]] = {}
    if not waiting:
        return out
    for entry in book.entries:
        if type(entry) is not Balance or entry.account not in waiting:
            continue
        held = waiting[entry.account]
        keep = []
        for index, pad in held:
            if entry.date <= pad.date:
                keep.append((index, pad))
            elif entry.date > periods[index].seal.date:
                out.setdefault(index, []).append((pad, entry))
        # a balance after a pad uses it up (Beancount pads once, for the next balance)
        if keep:
            waiting[entry.account] = keep
        else:
            del waiting[entry.account]
        if not waiting:
            break
    return out


def totals(book: Book, period: Period) -> str:
    """Received and spent per fund within the period, as the facts layer reports them
    (:mod:`fupin.facts`): ``"<FUND> received=… spent=…; …"``."""
    after, end = period.after, period.seal.date
    parts = []
    for ident, fund in sorted(book.facts.funds.items()):
        received = fund.received(end) - (fund.received(after) if after else ZERO)
        spent = fund.spent(end) - (fund.spent(after) if after else ZERO)
        if received or spent:
            parts.append(f"{ident} received={q2(received):f} spent={q2(spent):f}")
    return "; ".join(parts)


# -- digest lists ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Listed:
    """One line of a digest list: an entry as it was sealed."""

    day: str
    digest: str
    where: str
    text: str

    @property
    def line(self) -> str:
        return f"{self.day} {self.digest}\n"


def digest_list(period: Period, root: str, header: str) -> str:
    """The text of a period's digest list (sorted; ``#`` header lines first)."""
    rows = sorted(
        (line[:-1].replace(" ", "\t", 1), where(entry.meta, root), canonical(entry, root))
        for line, entry in zip(period.lines, period.entries, strict=True)
    )
    body = "".join(f"{key}\t{place}\t{text}\n" for key, place, text in rows)
    return header + body


#: The length of each kind's canonical form (:mod:`fupin.canonical`).
FORM_LENGTHS = {
    "txn": 9,
    "open": 6,
    "close": 4,
    "commodity": 4,
    "pad": 5,
    "balance": 6,
    "note": 7,
    "event": 5,
    "query": 5,
    "price": 5,
    "document": 7,
    "custom": 5,
}


def read_list(text: str, damaged: list[str] | None = None) -> list[Listed]:
    """Parse a digest list (raises ValueError naming the bad line): each line's form must be
    a canonical form of its date whose SHA-256 is the digest beside it, for the forms are
    what names a changed or deleted entry. With ``damaged``, a line whose form does not hold
    is kept with its date and digest (they still count in the period hash) and a form that
    says so, and the reason is added to ``damaged``."""
    out = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw or raw.startswith("#"):
            continue
        parts = raw.split("\t", 3)
        if len(parts) != 4 or not _HEX64.match(parts[1]):
            raise ValueError(f"第 {number} 行: 应为 日期 TAB sha256 TAB 位置 TAB 规范形式")
        problem = _form_problem(parts[0], parts[1], parts[3])
        if problem:
            if damaged is None:
                raise ValueError(f"第 {number} 行: {problem}")
            damaged.append(f"第 {number} 行: {problem}")
            shown = ["?", parts[0], f"(摘要清单第 {number} 行已损坏)"]
            parts[3] = json.dumps(shown, ensure_ascii=False)
        out.append(Listed(*parts))
    return out


def _form_problem(day: str, sha: str, text: str) -> str:
    """Why a digest list line's form cannot name its entry ('' when it can)."""
    if digest(text) != sha:
        return "规范形式的 SHA-256 不是该行记载的 sha256"
    try:
        form = json.loads(text)
    except ValueError:
        return "规范形式不是 JSON"
    if (
        not isinstance(form, list)
        or len(form) < 3
        or form[1] != day
        or len(form) != FORM_LENGTHS.get(form[0], len(form))
    ):
        return "规范形式无效"
    return ""


def digests_path(seal: Seal, entry: Custom, root: str = "") -> Path:
    """The digest list a seal names, relative to the file holding the seal entry, else (the
    seal moved to a file in another folder) to the main ledger's folder."""
    named = Path(seal.digests)
    if named.is_absolute():
        return named
    beside = Path(str(entry.meta.get("filename") or ".")).resolve().parent / named
    if root and not beside.exists() and (Path(root) / named).exists():
        reads.file(beside)  # looked for first: once it appears, it is the list
        return Path(root) / named
    return beside


# -- verification ---------------------------------------------------------------------------------
@dataclass
class Problem:
    """A seal, its digest list or its chain is not as it was made."""

    kind: str  # chain | prev | list_missing | list_changed | list_bad | totals | version
    detail: str
    severity: str = "error"


@dataclass
class SealCheck:
    """What verification found for one seal."""

    period: Period
    sha256: str  # the period hash now
    count: int
    totals: str
    differences: list[Difference] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    list_readable: bool = True  # whether its digest list could be used to name entries
    content_intact: bool = False  # the period's entries are as sealed
    #: sealed pads whose balance lies after the seal (their padding is not sealed)
    loose_pads: list[tuple[Pad, Balance]] = field(default_factory=list)

    @property
    def seal(self) -> Seal:
        return self.period.seal

    @property
    def intact(self) -> bool:
        return (
            self.content_intact
            and not self.differences
            and not self.loose_pads
            and not any(p.severity == "error" for p in self.problems)
        )


@dataclass
class Verification:
    """Every seal of a ledger, checked."""

    checks: list[SealCheck]
    orphans: list[Path]  # digest lists no seal names (a seal removed?)
    duplicates: list[tuple[Seal, Custom]]  # a second seal of one period
    #: what makes the plugin see other entries than the books hold (a plugin after ours)
    unseen: list[str] = field(default_factory=list)
    #: seal entries that are no valid seal (an ENTITY error): their periods go unverified
    invalid: list[Custom] = field(default_factory=list)


#: The module a ledger loads fupin's rules with (``plugin "fupin.plugins"``).
OUR_PLUGIN = "fupin.plugins"


def unseen_changes(options: Any) -> list[str]:
    """Why the seals, verified inside ``plugin "fupin.plugins"``, would not see the entries
    Beancount ends with: a plugin listed after ours (its additions and edits come later), our
    plugin missing (``bean-check`` verifies nothing) or ``plugin_processing_mode "raw"``
    (Beancount's own ``pad`` and ``balance`` steps do not run: a sealed pad fills nothing,
    no sealed balance is checked)."""
    names = [str(name) for name, _config in options.get("plugin") or ()]
    out = []
    if OUR_PLUGIN not in names:
        out.append(
            f'账簿未启用 plugin "{OUR_PLUGIN}": bean-check 与 Fava 不复核封存 — '
            f'在主账簿中加入 plugin "{OUR_PLUGIN}"'
        )
    else:
        ours = len(names) - 1 - names[::-1].index(OUR_PLUGIN)
        for name in names[ours + 1 :]:
            out.append(
                f'插件 "{name}" 排在 "{OUR_PLUGIN}" 之后: 它对记录的增改不经封存复核 — '
                f'把 plugin "{OUR_PLUGIN}" 放在最后'
            )
    if options.get("plugin_processing_mode") == "raw":
        out.append(
            'option "plugin_processing_mode" "raw": Beancount 不再执行 pad 与 balance, '
            "封存期的余额断言不再核对 — 删去该选项"
        )
    return out


def seal_entries(book: Book) -> list[tuple[Seal, Custom]]:
    """The valid seals of the ledger with their entries, in date order."""
    pairs = [(seal, book.entry_of(seal)) for seal in book.all(Seal)]
    return sorted(pairs, key=lambda pair: pair[0].date)


def verify(book: Book) -> Verification:
    """Check every seal of ``book`` (computed once per book)."""
    return book.shared("fupin.seals", lambda: _verify(book))


def sealed_period(book: Book, day: datetime.date) -> str | None:
    """The id of the seal whose period holds ``day`` (None when it is not sealed)."""
    after = None
    for seal, _entry in seal_entries(book):
        if (after is None or day > after) and day <= seal.date:
            return seal.id
        after = seal.date
    return None


def _verify(book: Book) -> Verification:
    root = ledger_root(book)
    pairs = seal_entries(book)
    unique: list[tuple[Seal, Custom]] = []
    duplicates = []
    for seal, entry in pairs:
        if unique and unique[-1][0].date == seal.date:
            duplicates.append((seal, entry))
        else:
            unique.append((seal, entry))
    periods = collect(book, unique, root)
    pads = loose_pads(book, periods)
    checks = []
    prev = GENESIS
    for index, period in enumerate(periods):
        check = _check(book, period, root)
        check.loose_pads = pads.get(index, [])
        seal = period.seal
        if seal.prev != prev:
            check.problems.append(
                Problem(
                    "prev",
                    f"prev {short_digest(seal.prev)} ≠ 上一封存的 chain {short_digest(prev)}",
                )
            )
        want = seal.expected_chain(seal.prev)
        if want != seal.chain:
            check.problems.append(
                Problem(
                    "chain",
                    f"chain {short_digest(seal.chain)} ≠ 按封存字段计算的 {short_digest(want)}",
                )
            )
        prev = seal.chain
        checks.append(check)
    named = {digests_path(seal, entry, root).resolve() for seal, entry in pairs}
    orphans = []
    # a book cut at a day (``--date``) does not hold the seals entered after it: their lists
    # are not orphans there (the whole books' check reports a removed seal)
    if root and book.as_of is None:
        folder = Path(root) / DIGESTS_DIR
        # a seal that does not validate is an ENTITY error already; its list is not orphaned
        named |= {(folder / f"{ident}.digests").resolve() for ident in book.invalid.get("seal", ())}
        reads.folder(folder)  # a list added or removed there is an orphan or a missing one
        if folder.is_dir():
            orphans = sorted(p for p in folder.glob("*.digests") if p.resolve() not in named)
    unseen = unseen_changes(book.options) if pairs else []
    bad = book.invalid.get("seal", frozenset())
    valid = {id(entry) for _seal, entry in pairs}
    invalid = [
        e
        for e in book.entries
        if bad
        and id(e) not in valid
        and type(e) is Custom
        and e.type == "seal"
        and e.values
        and str(e.values[0].value) in bad
    ]
    return Verification(checks, orphans, duplicates, unseen, invalid)


def _check(book: Book, period: Period, root: str) -> SealCheck:
    seal = period.seal
    now = period_hash(period.lines)
    check = SealCheck(period, now, len(period.lines), totals(book, period))
    problems = check.problems
    if seal.canonical != CANONICAL_VERSION:
        problems.append(
            Problem("version", f"规范形式 {seal.canonical} 不是本版本的 {CANONICAL_VERSION}")
        )
    path = digests_path(seal, period.entry, root)
    listed_hash = file_sha256(path)
    if listed_hash is not None and listed_hash != seal.digests_sha256:
        listed_hash = _unix_newlines(path, seal, problems) or listed_hash
    listed: list[Listed] | None = None
    if listed_hash is None:
        problems.append(Problem("list_missing", f"{seal.digests}: 文件不存在或不可读"))
    else:
        if listed_hash != seal.digests_sha256:
            problems.append(
                Problem(
                    "list_changed",
                    f"{seal.digests} sha256 {short_digest(listed_hash)} ≠ 封存记载 "
                    f"{short_digest(seal.digests_sha256)}",
                )
            )
        if now != seal.sha256 or listed_hash != seal.digests_sha256:
            damaged: list[str] = []
            try:
                listed = read_list(path.read_text(encoding="utf-8"), damaged)
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                problems.append(Problem("list_bad", f"{seal.digests}: {exc}"))
            problems.extend(Problem("list_bad", f"{seal.digests}: {x}") for x in damaged[:5])
    listed_sum = period_hash(x.line for x in listed) if listed is not None else None
    if now == seal.sha256:
        check.content_intact = True
    elif listed_hash == seal.digests_sha256 and listed_sum == now:
        # the entries are as the (unchanged) digest list says: the seal's hash was edited
        check.content_intact = True
        problems.append(
            Problem(
                "sha256",
                f"sha256 {short_digest(seal.sha256)} ≠ 摘要清单与记录的 {short_digest(now)}",
            )
        )
    elif listed is not None and listed_sum == seal.sha256:
        try:
            check.differences = diff(book, period, listed, root)
        except (ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
            # a list rewritten to hash right but with forms fupin never writes
            problems.append(Problem("list_bad", f"{seal.digests}: 规范形式无法比对 ({exc})"))
            check.list_readable = False
    else:
        check.list_readable = False
    if check.content_intact and check.count != seal.entries:
        problems.append(Problem("count", f"entries {seal.entries} ≠ 实有 {check.count} 条"))
    if check.content_intact and check.totals != seal.totals:
        problems.append(
            Problem(
                "totals",
                f"资金合计现为 “{check.totals}”, 封存时 “{seal.totals}” (记录未变: 计算口径变化?)",
                severity="warning",
            )
        )
    return check


def _unix_newlines(path: Path, seal: Seal, problems: list[Problem]) -> str | None:
    """The seal's own list hash when the list differs only in its line ends (git's
    ``core.autocrlf`` on Windows writes CRLF): a warning, not a changed list."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\r\n" not in data:
        return None
    if hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest() != seal.digests_sha256:
        return None
    problems.append(
        Problem(
            "list_newlines",
            f"{seal.digests} 的换行符被改为 CRLF (内容未变; 如 git 的 core.autocrlf): "
            "在 .gitattributes 中写 *.digests -text 并重新检出",
            severity="warning",
        )
    )
    return seal.digests_sha256


# -- making a seal ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """A seal ready to be written: its entry text and its digest list."""

    period: str
    through: datetime.date
    entry_text: str
    digests_text: str
    digests_name: str  # relative to the seal file's folder
    count: int
    sha256: str
    chain: str


class SealRefused(Exception):
    """The period cannot be sealed (already sealed, not over, or the seals are broken)."""


def plan(book: Book, period: str, sealed: datetime.date) -> Plan:
    """The next seal of ``book`` through ``period`` (YYYY-MM), made on day ``sealed``."""
    if not PERIOD.match(period):
        raise SealRefused(f"--through {period}: 应为 YYYY-MM (年-月, 如 2021-12)")
    through = month_end(period)
    today = datetime.date.today()
    if sealed > today:
        raise SealRefused(f"封存日期 {sealed} 晚于今天 {today}: 封存日期须是实际封存之日")
    if through >= sealed:
        raise SealRefused(f"{period} 尚未结束 (期末 {through}), 不能封存")
    unseen = unseen_changes(book.options)
    if unseen:
        raise SealRefused("; ".join(unseen))
    pairs = seal_entries(book)
    if any(seal.id == period for seal, _ in pairs):
        raise SealRefused(
            f"期间 {period} 已封存 (已封存至 {pairs[-1][0].id}): 不必再封存; "
            "fupin audit 可查看各期封存"
        )
    if pairs and pairs[-1][0].date >= through:
        raise SealRefused(f"已封存至 {pairs[-1][0].id}: 新封存须晚于该期")
    made = pairs[-1][0].sealed if pairs else None
    if made is not None and sealed < made:
        raise SealRefused(
            f"封存日期 {sealed} 早于上一封存 {pairs[-1][0].id} 的封存日期 {made}: "
            "封存日期须是实际封存之日"
        )
    root = ledger_root(book)
    entry = Custom({"filename": "<seal>", "lineno": 0}, through, "seal", [])
    prev = pairs[-1][0].chain if pairs else GENESIS
    draft = Seal.model_construct(id=period, date=through, sha256=GENESIS, entries=0)
    period_ = collect(book, [*pairs, (draft, entry)], root)[-1]
    count = len(period_.lines)
    sha = period_hash(period_.lines)
    start = f"{period_.after + datetime.timedelta(days=1)}" if period_.after else "账簿起始"
    header = (
        f"# fupin 封存摘要清单 (seal digest list) {period}: {start} 至 {through}, {count} 条记录\n"
        f"# 规范形式 {CANONICAL_VERSION}; 每行: 日期 TAB sha256 TAB 封存时位置 TAB 规范形式\n"
        f'# 期间哈希 sha256 = SHA-256(按字节排序的各行 "日期 sha256\\n")\n'
    )
    listing = digest_list(period_, root, header)
    listing_sha = hashlib.sha256(listing.encode("utf-8")).hexdigest()
    sums = totals(book, period_)
    name = f"{DIGESTS_DIR}/{period}.digests"
    chain = digest(
        chain_text(period, through, count, sha, listing_sha, sums, sealed, CANONICAL_VERSION, prev)
    )
    text = (
        f'{through} custom "seal" "{period}"\n'
        f"  entries: {count}\n"
        f'  sha256: "{sha}"\n'
        f'  digests: "{name}"\n'
        f'  digests_sha256: "{listing_sha}"\n'
        f"  totals: {json.dumps(sums, ensure_ascii=False)}\n"
        f"  sealed: {sealed}\n"
        f'  canonical: "{CANONICAL_VERSION}"\n'
        f'  prev: "{prev}"\n'
        f'  chain: "{chain}"\n'
    )
    return Plan(period, through, text, listing, name, count, sha, chain)
