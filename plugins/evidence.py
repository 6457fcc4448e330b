"""A04/A05: evidence files exist and are the ones filed; each entry has the evidence it needs.

* A04 [issue 17; DOMAIN K2 "duplicate file hash", D "evidence per stage"]: every declared
  piece of evidence (a ``document`` entry with ``sha256:``, or ``evidence:`` metadata) is a
  file inside the ledger's documents folder whose SHA-256 is the one declared, of a known
  kind, supporting an entry that exists; otherwise an error at the declaring entry;
* A05 [DOMAIN D stages, B35 报账凭据, B38 处置审批]: every project stage, payment
  (``payment:``) and asset event has a valid piece of each kind the policy in force on its
  date names (``evidence-stage-<stage>``, ``evidence-payment-<kind>``,
  ``evidence-asset-<event>``) once ``evidence-required`` is on; a missing kind is a finding at the entry that needs it,
  severity ``evidence-severity`` (warning by default). Corrections (``correction:``) rely
  on the original's evidence.

Reading and hashing: :func:`fupin.evidence.collect` (once per book, file hashes cached per
process by path, size and modification time).
"""

from __future__ import annotations

from collections.abc import Iterator

from fupin.book import Book
from fupin.canonical import short_digest
from fupin.engine import Item, Rule, finding
from fupin.evidence import EvidenceError, Need, collect, kind_label, required_anywhere
from fupin.seals import sealed_period


def evidence_files(book: Book) -> Iterator[Item]:
    """A04: each declared file is there, inside the folder, and hashes as declared."""
    found = collect(book)
    for piece in found.pieces:
        if piece.ok:
            continue
        what = "证据文件哈希不符" if piece.actual else "证据文件无效"
        if piece.problem.startswith("文件不存在"):
            what = "证据文件缺失"
        inputs = f"{piece.path}: {piece.problem}"
        if piece.actual:
            inputs += (
                f", sha256 现为 {short_digest(piece.actual)}, 记载 {short_digest(piece.sha256)}"
            )
        period = sealed_period(book, piece.entry.date)
        if period:
            what += f" (封存期 {period})"
        yield finding(
            EvidenceError,
            "A04",
            f"{what} — {kind_label(piece.kind) if piece.kind else '证据'}; {inputs}",
            piece.entry,
            entity=piece.path,
        )
    for entry, text in found.invalid:
        yield finding(EvidenceError, "A04", f"证据声明无效 — {text}", entry)


def evidence_needed(book: Book) -> Iterator[Item]:
    """A05: each stage, payment and asset event has the kinds its policy names."""
    if not required_anywhere(book):
        return
    for need in collect(book).needs:
        if "correction" in need.entry.meta:
            continue
        missing = need.missing
        if not missing:
            continue
        severity = book.policy.at(need.entry.date).evidence_severity
        yield finding(
            EvidenceError,
            "A05",
            _missing_text(need, missing),
            need.entry,
            severity=severity,
            entity=need.project or need.key,
            policy_key=need.policy_key,
            value=" ".join(sorted(need.present)),
            threshold=" ".join(need.required),
        )


def _missing_text(need: Need, missing: list[str]) -> str:
    names = "、".join(kind_label(kind) for kind in missing)
    have = ", ".join(f"{kind_label(p.kind)} {p.path}" for p in need.pieces if p.ok) or "无"
    return f"缺少证据 {names} ({need.policy_key}) — {need.label}; 已有 {have}"


_SOURCE = (
    "DOMAIN D (各阶段证据); seed 002 (招标投标、工程监理、验收报账); N-ASSET2021 §(6) (处置审批)"
)
RULES = (
    Rule(("A04",), "证据文件存在且哈希相符", _SOURCE, evidence_files),
    Rule(("A05",), "各阶段与付款的证据齐全", _SOURCE, evidence_needed),
)
