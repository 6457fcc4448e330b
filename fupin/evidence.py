"""Evidence files (证据/附件): documents behind stages, payments and asset events, by hash.

A piece of evidence is a file under the ledger's documents folder (Beancount's
``option "documents"``, else ``documents/`` beside the main file) with its SHA-256, declared
in one of two ways:

* a Beancount ``document`` entry (Fava lists it and links it) with ``evidence:`` (its kind),
  ``sha256:`` and what it supports: ``project:`` + ``stage:``, ``voucher:`` (or a link shared
  with the transaction), or ``asset:`` + ``event:``::

    2021-11-03 document Assets:Treasury:XJ-2021 "documents/P-2021-001/accepted-acceptance.pdf"
      evidence: "acceptance"
      project: "P-2021-001"
      stage: "accepted"
      sha256: "9f2c…"

* ``evidence:`` metadata on the entry itself (a project stage, a transaction, an asset
  event): ``"<kind> <path> sha256:<hex>"``, several separated by ``;``, the path relative
  to the documents folder::

    2021-11-03 custom "project-stage" "P-2021-001" "accepted"
      evidence: "acceptance P-2021-001/验收报告.pdf sha256:9f2c…"

The policy (``evidence-stage-<stage>``, ``evidence-payment-<kind>``,
``evidence-asset-<event>``) names the kinds each entry needs on its date, once a county
switches the requirement on (``evidence-required``, off by default). A file that is
missing, outside the folder (after following symlinks and ``..``), not a regular file or
whose bytes no longer hash to the declared value is an error at the declaring entry (A04;
a missing file whose name differs from one on disk only in case or Unicode form is named).
A hash is hex digits in either case, with or without a ``sha256:`` prefix (any case); a required kind that no piece provides is a finding at the
entry that needs it (A05, severity ``evidence-severity``). Hashes are cached per process by
path, size and modification time.
"""

from __future__ import annotations

import datetime
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from beancount.core.data import Document, Transaction

from fupin import reads
from fupin.canonical import file_sha256
from fupin.entities import ProjectStage
from fupin.findings import Finding
from fupin.seal_diff import visible

if TYPE_CHECKING:
    from beancount.core.data import Directive

    from fupin.book import Book

#: Kinds of evidence (DOMAIN D, "evidence / document" per stage; B35 报账, B38 处置).
EVIDENCE_KINDS = (
    "resolution",  # 会议决议/纪要 (村民代表大会, 领导小组)
    "approval",  # 批复文件/审批文件
    "tender",  # 招标公告、中标(成交)通知书
    "contract",  # 合同/协议
    "commencement",  # 开工报告
    "completion",  # 完工报告
    "acceptance",  # 验收报告/验收表
    "settlement",  # 结算/决算(审计)报告
    "invoice",  # 发票
    "roll",  # 发放清册/花名册
    "handover",  # 资产移交单
    "other",  # 其他
)
KIND_NAMES = {
    "resolution": "会议决议",
    "approval": "批复文件",
    "tender": "中标通知书",
    "contract": "合同",
    "commencement": "开工报告",
    "completion": "完工报告",
    "acceptance": "验收报告",
    "settlement": "结算报告",
    "invoice": "发票",
    "roll": "发放清册",
    "handover": "移交单",
    "other": "其他",
}
PAYMENT_NAMES = {
    "prepayment": "预付款",
    "progress": "进度款",
    "final": "结算款",
    "deposit": "质保金",
}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class EvidenceError(Finding):
    """A04/A05: an evidence file missing or not the one filed; required evidence absent."""

    __slots__ = ()


def kind_label(kind: str) -> str:
    """``验收报告(acceptance)``."""
    return f"{KIND_NAMES.get(kind, kind)}({kind})"


@dataclass(frozen=True)
class Piece:
    """One declared piece of evidence."""

    kind: str  # one of EVIDENCE_KINDS ('' when a document entry names none)
    path: str  # relative to the documents folder, with /
    file: Path  # where it is
    sha256: str  # as declared
    entry: Directive  # the entry that declares it (a document, or the entry it supports)
    inline: bool  # declared in the supported entry's own ``evidence:``
    problem: str = ""  # why it does not count ('' when the file is there and hashes right)
    actual: str = ""  # the file's SHA-256 now ('' when unreadable)

    @property
    def ok(self) -> bool:
        return not self.problem


@dataclass
class Need:
    """An entry that needs evidence: a project stage, a payment or an asset event."""

    kind: str  # stage | payment | asset
    key: str  # the stage, payment kind or event
    entry: Directive
    label: str  # ``[project P-2021-001] 验收``
    policy_key: str
    required: tuple[str, ...]
    project: str = ""
    pieces: list[Piece] = field(default_factory=list)

    @property
    def present(self) -> set[str]:
        return {p.kind for p in self.pieces if p.ok}

    @property
    def missing(self) -> list[str]:
        have = self.present
        return [kind for kind in self.required if kind not in have]


@dataclass
class Evidence:
    """Every piece of evidence of a ledger and every entry that needs some."""

    folder: Path
    pieces: list[Piece]
    #: declarations that could not be read or point at nothing: (entry, text)
    invalid: list[tuple[Directive, str]]
    book: Book = field(repr=False)

    @cached_property
    def needs(self) -> list[Need]:
        """The stages, payments and asset events with the kinds they need and the pieces
        that support them (a ``document`` entry naming nothing joins :attr:`invalid`)."""
        needs = _needs(self.book)
        _attach(self.pieces, needs, self.invalid)
        return needs


def documents_folder(book: Book) -> Path:
    """The ledger's documents folder: the first ``option "documents"``, else ``documents/``
    beside the main file."""
    name = str(book.options.get("filename") or "")
    root = Path(name).resolve().parent if os.path.isfile(name) else Path.cwd()
    named = book.options.get("documents") or []
    return (root / named[0]).resolve() if named else (root / "documents").resolve()


def collect(book: Book) -> Evidence:
    """Read every declaration, hash every file (computed once per book)."""
    return book.shared("fupin.evidence", lambda: _collect(book))


def _collect(book: Book) -> Evidence:
    folder = documents_folder(book)
    pieces: list[Piece] = []
    invalid: list[tuple[Directive, str]] = []
    documents: list[Document] = []
    for entry in book.entries:
        meta = entry.meta
        if type(entry) is Document:
            reads.file(entry.filename)  # Beancount checks that it exists: a change counts
            if "evidence" in meta or "sha256" in meta:
                documents.append(entry)
        elif "evidence" in meta:
            pieces.extend(_inline(entry, folder, invalid))
    for doc in documents:
        declared = _document_piece(doc, folder, invalid)
        if declared is not None:
            pieces.append(declared)
    found = Evidence(folder, pieces, invalid, book)
    if pieces:
        found.needs  # noqa: B018  (attach them now: a document naming nothing is an A04)
    return found


def required_anywhere(book: Book) -> bool:
    """Whether the policy asks for evidence on any day (``evidence-required``)."""
    return book.policy.at(datetime.date.min).evidence_required or any(
        policy.evidence_required for policy in book.policy.snapshots
    )


def _inline(
    entry: Directive, folder: Path, invalid: list[tuple[Directive, str]]
) -> Iterator[Piece]:
    text = entry.meta.get("evidence")
    if not isinstance(text, str) or not text.strip():
        invalid.append((entry, f'evidence = {text!r}: 应为 "<种类> <路径> sha256:<哈希>"'))
        return
    for item in (part.strip() for part in text.replace("\n", ";").split(";")):
        if not item:
            continue
        words = item.split()
        if len(words) != 3 or not words[2].lower().startswith("sha256:"):
            invalid.append((entry, f'evidence “{item}”: 应为 "<种类> <路径> sha256:<哈希>"'))
            continue
        kind, path, sha = words[0], words[1], _hex(words[2])
        if kind not in EVIDENCE_KINDS:
            invalid.append((entry, f"evidence 种类 {kind!r} 不在 {' '.join(EVIDENCE_KINDS)} 中"))
            continue
        yield _piece(kind, (folder / path).resolve(), sha, entry, folder, inline=True)


def _document_piece(
    doc: Document, folder: Path, invalid: list[tuple[Directive, str]]
) -> Piece | None:
    kind = doc.meta.get("evidence", "")
    if kind and kind not in EVIDENCE_KINDS:
        invalid.append((doc, f"evidence 种类 {kind!r} 不在 {' '.join(EVIDENCE_KINDS)} 中"))
        return None
    sha = doc.meta.get("sha256")
    if not isinstance(sha, str):
        invalid.append((doc, "证据文件缺少 sha256 (文件的 SHA-256)"))
        return None
    return _piece(str(kind), Path(doc.filename).resolve(), _hex(sha), doc, folder, inline=False)


def _hex(text: str) -> str:
    """A declared hash in lowercase, without its ``sha256:`` prefix (in any case)."""
    text = text.strip()
    if text[:7].lower() == "sha256:":
        text = text[7:]
    return text.lower()


def _near(file: Path) -> str:
    """A file beside a missing one whose name differs only in case or Unicode form."""

    def key(name: str) -> str:
        return unicodedata.normalize("NFC", name).casefold()

    reads.folder(file.parent)  # a file added beside it changes this
    try:
        names = [p.name for p in file.parent.iterdir()]
    except OSError:
        return ""
    want = key(file.name)
    near = next((n for n in names if n != file.name and key(n) == want), "")
    if not near:
        return ""
    same_form = unicodedata.normalize("NFC", near) == unicodedata.normalize("NFC", file.name)
    how = "Unicode 形式 (NFC/NFD)" if same_form else "大小写"
    return f"; 文件夹中有仅{how}不同的 {visible(near)}"


def _piece(
    kind: str, file: Path, sha: str, entry: Directive, folder: Path, *, inline: bool
) -> Piece:
    shown = file.relative_to(folder).as_posix() if file.is_relative_to(folder) else str(file)
    if not _HEX64.match(sha):
        return Piece(kind, shown, file, sha, entry, inline, "sha256 应为 64 位十六进制数")
    if not file.is_relative_to(folder):
        return Piece(kind, shown, file, sha, entry, inline, f"不在证据文件夹 {folder} 内")
    reads.file(file)  # looked for: a missing one may appear, a folder may become a file
    if file.is_dir():
        return Piece(kind, shown, file, sha, entry, inline, "是文件夹, 不是文件")
    if file.exists() and not file.is_file():
        return Piece(kind, shown, file, sha, entry, inline, "不是普通文件 (管道或设备)")
    actual = file_sha256(file) if file.is_file() else None
    if actual is None:
        why = "文件不存在或不可读" + (_near(file) if not file.exists() else "")
        return Piece(kind, shown, file, sha, entry, inline, why)
    if actual != sha:
        return Piece(kind, shown, file, sha, entry, inline, "哈希不符 (文件被替换或改动)", actual)
    return Piece(kind, shown, file, sha, entry, inline, "", actual)


def _needs(book: Book) -> list[Need]:
    """The entries the policy asks evidence of, with the kinds they need."""
    from fupin.assets import EVENT_TYPES, AssetEvent  # the asset register's model (issue 3)

    def need(kind: str, key: str, entry: Directive, label: str, project: str = "") -> Need:
        policy = book.policy.at(entry.date)
        name = f"evidence_{kind}_{key}"
        required = tuple(getattr(policy, name, ())) if policy.evidence_required else ()
        return Need(kind, key, entry, label, name.replace("_", "-"), required, project)

    needs = [
        need("stage", s.stage, book.entry_of(s), s.describe(), s.project)
        for s in book.all(ProjectStage)
    ]
    for txn in _payments(book):
        payment = str(txn.meta.get("payment"))
        project = str(txn.meta.get("project") or "")
        label = f"{PAYMENT_NAMES.get(payment, payment)} {txn.meta.get('voucher') or txn.narration}"
        needs.append(
            need(
                "payment",
                payment,
                txn,
                label + (f" [project {project}]" if project else ""),
                project,
            )
        )
    for event in book.all(AssetEvent):
        label = f"[asset {event.asset}] {EVENT_TYPES.get(event.event, event.event)}"
        needs.append(need("asset", event.event, book.entry_of(event), label))
    return needs


def _payments(book: Book) -> list[Transaction]:
    """Transactions with ``payment:`` metadata, once each, in date order."""
    seen: dict[int, Transaction] = {}
    for spend in book.spends:
        if spend.payment is not None:
            seen.setdefault(id(spend.entry), spend.entry)
    for movement in book.movements:
        if "payment" in movement.entry.meta:
            seen.setdefault(id(movement.entry), movement.entry)
    return sorted(seen.values(), key=lambda t: t.date)


#: How a ``document`` entry names what it supports: the keys it reads, the index they look
#: up (need kind) and the words of the error when nothing is found.
TARGETS = (
    ("stage", ("project", "stage"), "项目阶段"),
    ("asset", ("asset", "event"), "资产变动"),
    ("payment", ("voucher",), "付款凭证"),
)


def _key(need: Need) -> tuple[str, ...]:
    """The key a document names a need by: (project, stage), (asset, event) or (voucher,)."""
    if need.kind == "stage":
        return (need.project, need.key)
    if need.kind == "asset":
        return (str(need.entry.values[0].value), need.key)  # type: ignore[union-attr]
    return (str(need.entry.meta.get("voucher") or ""),)


def _attach(
    pieces: Sequence[Piece], needs: Sequence[Need], invalid: list[tuple[Directive, str]]
) -> None:
    """Give each need the pieces that support it; a document pointing at nothing is invalid."""
    by_entry: dict[int, Need] = {id(n.entry): n for n in needs}
    index: dict[str, dict[tuple[str, ...], Need]] = defaultdict(dict)
    by_link: dict[str, list[Need]] = defaultdict(list)
    for n in needs:
        index[n.kind][_key(n)] = n
        if n.kind == "payment":
            for link in n.entry.links or ():  # type: ignore[union-attr]
                by_link[link].append(n)
    for piece in pieces:
        if piece.inline:
            need = by_entry.get(id(piece.entry))
            if need is not None:
                need.pieces.append(piece)
            continue
        meta = piece.entry.meta
        targets: list[Need] = []
        for kind, keys, name in TARGETS:
            if keys[-1] not in meta:
                continue
            key = tuple(str(meta.get(k)) for k in keys)
            need = index[kind].get(key)
            if need is None:
                invalid.append((piece.entry, f"证据指向的{name} {' '.join(key)} 不存在"))
            else:
                targets.append(need)
        for link in getattr(piece.entry, "links", None) or ():
            targets.extend(by_link.get(link, ()))
        for need in targets:
            if piece not in need.pieces:
                need.pieces.append(piece)
