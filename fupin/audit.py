"""The auditor's view of the audit trail: seals, evidence coverage, corrections, findings.

One plain function, :func:`audit_report`, builds what ``fupin audit`` prints (text or
JSON) and the Fava 审计 page shows, from the book and the rule results of one load
(:func:`fupin.seals.verify`, :func:`fupin.evidence.collect` and
:func:`fupin.corrections.corrections` are computed once per book and shared with the rules).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from fupin.corrections import corrections
from fupin.entities import STAGE_NAMES, STAGES
from fupin.evidence import KIND_NAMES, PAYMENT_NAMES, collect, required_anywhere
from fupin.findings import Finding, Severity
from fupin.seal_diff import entry_summary
from fupin.seals import ledger_root, verify
from fupin.textable import render

if TYPE_CHECKING:
    from fupin.book import Book
    from fupin.engine import Results

#: The rules of the audit-trail family.
AUDIT_RULES = ("A01", "A02", "A03", "A04", "A05")
STATUS = {"ok": "✓ 完好", "changed": "✗ 内容被改动", "broken": "✗ 封存被破坏"}


@dataclass(frozen=True)
class SealRow:
    """One seal as verified now."""

    period: str
    start: str  # first day covered ('' from the start of the books)
    end: str
    entries: int  # as sealed
    entries_now: int
    sha256: str
    chain: str
    prev: str
    sealed: str  # the day it was made
    totals: str
    status: str  # ok | changed | broken
    differences: int
    where: str


@dataclass(frozen=True)
class FileRow:
    kind: str
    path: str
    ok: bool
    problem: str
    sha256: str
    where: str
    document: str  # the absolute file name of a ``document`` entry ('' for inline)


@dataclass(frozen=True)
class EvidenceRow:
    """One entry that needs evidence, and what it has."""

    need: str  # stage | payment | asset
    project: str
    key: str
    name: str  # 验收, 进度款, 处置
    label: str
    date: str
    required: list[str]
    present: list[str]
    missing: list[str]
    files: list[FileRow]
    status: str  # ok | missing | bad
    where: str


@dataclass(frozen=True)
class CorrectionRow:
    link: str
    original: str  # summary of the original ('' when not found)
    original_where: str
    reversals: list[str]
    reposts: list[str]
    ok: bool


@dataclass(frozen=True)
class FindingRow:
    rule: str
    severity: str
    where: str
    message: str


@dataclass
class AuditReport:
    """Everything ``fupin audit`` shows."""

    seals: list[SealRow]
    evidence: list[EvidenceRow]
    corrections: list[CorrectionRow]
    findings: list[FindingRow]
    documents_folder: str
    orphans: list[str] = field(default_factory=list)
    required: bool = True  # whether the policy asks for evidence (``evidence-required``)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def audit_report(
    book: Book, results: Results, place: Callable[[str], str] | None = None
) -> AuditReport:
    """The audit-trail report of one load; ``place`` rewrites file names for display."""
    root = ledger_root(book)
    show = place or (lambda name: name)

    def at(meta: Any) -> str:
        meta = meta or {}
        return f"{show(str(meta.get('filename') or '?'))}:{meta.get('lineno', 0)}"

    verification = verify(book)
    seals = []
    for check in verification.checks:
        seal = check.seal
        broken = any(p.severity == Severity.ERROR for p in check.problems)
        status = "changed" if not check.content_intact else ("broken" if broken else "ok")
        after = check.period.after
        seals.append(
            SealRow(
                seal.id,
                (after + datetime.timedelta(days=1)).isoformat() if after else "",
                seal.date.isoformat(),
                seal.entries,
                check.count,
                seal.sha256,
                seal.chain,
                seal.prev,
                seal.sealed.isoformat() if seal.sealed else "",
                seal.totals,
                status,
                len(check.differences),
                at(check.period.entry.meta),
            )
        )
    order = {stage: at_ for at_, stage in enumerate(STAGES)}
    needs = sorted(
        collect(book).needs,
        key=lambda n: (
            n.kind != "stage",
            n.kind,
            n.project if n.kind == "stage" else "",
            order.get(n.key, 99) if n.kind == "stage" else 0,
            n.entry.date,
        ),
    )
    evidence = [_evidence_row(need, at) for need in needs]
    fixes = []
    for group in corrections(book):
        original = group.original
        fixes.append(
            CorrectionRow(
                group.link,
                entry_summary(original, root) if original is not None else "",
                at(original.meta) if original is not None else "",
                [at(t.meta) for t in group.reversals],
                [at(t.meta) for t in group.reposts],
                False,
            )
        )
    problems = {f.entity for f in results.findings if f.rule == "A03"}
    fixes = [
        CorrectionRow(**{**asdict(row), "ok": bool(row.link) and row.link not in problems})
        for row in fixes
    ]
    findings = [
        FindingRow(f.rule, f.severity, at(f.source), f.message)
        for f in results.findings
        if isinstance(f, Finding) and f.rule in AUDIT_RULES
    ]
    folder = str(collect(book).folder)
    return AuditReport(
        seals,
        evidence,
        fixes,
        findings,
        show(folder),
        [show(str(p)) for p in verification.orphans],
        required_anywhere(book),
    )


def _evidence_row(need: Any, at: Callable[[Any], str]) -> EvidenceRow:
    files = [
        FileRow(
            p.kind,
            p.path,
            p.ok,
            p.problem,
            p.actual or p.sha256,
            at(p.entry.meta),
            "" if p.inline else str(getattr(p.entry, "filename", "")),
        )
        for p in need.pieces
    ]
    if need.kind == "stage":
        name = STAGE_NAMES.get(need.key, need.key)
    elif need.kind == "payment":
        name = PAYMENT_NAMES.get(need.key, need.key)
    else:
        name = need.label.rsplit(" ", 1)[-1]
    bad = any(not f.ok for f in files)
    missing = [] if "correction" in need.entry.meta else need.missing
    return EvidenceRow(
        need.kind,
        need.project,
        need.key,
        name,
        need.label,
        need.entry.date.isoformat(),
        list(need.required),
        sorted(need.present),
        missing,
        files,
        "bad" if bad else ("missing" if missing else "ok"),
        at(need.entry.meta),
    )


def expected_chain(report: AuditReport, value: str) -> SealRow | None:
    """The seal whose chain hash is (or starts with, ≥ 12 hex) ``value``."""
    value = value.strip().lower()
    if len(value) < 12:
        return None
    return next((row for row in report.seals if row.chain.startswith(value)), None)


def kinds_text(kinds: Sequence[str]) -> str:
    return "、".join(KIND_NAMES.get(k, k) for k in kinds) or "—"


EVIDENCE_MARK = {"ok": "✓", "missing": "✗ 缺", "bad": "✗ 不符"}


def report_text(report: AuditReport) -> str:
    """The report as text, in Chinese."""
    out = ["封存 (seals)"]
    if report.seals:
        rows = [
            [
                s.period,
                f"{s.start or '账簿起始'} 至 {s.end}",
                f"{s.entries_now:,}"
                + ("" if s.entries_now == s.entries else f" (封存 {s.entries:,})"),
                s.sha256[:16] + "…",
                s.chain[:16] + "…",
                s.sealed,
                STATUS[s.status] + (f" {s.differences} 处" if s.differences else ""),
            ]
            for s in report.seals
        ]
        out.append(
            render(
                ["期间", "范围", "记录数", "期间哈希", "链哈希", "封存日", "状态"], rows, right=(2,)
            )
        )
        for s in report.seals:
            out.append(f"  {s.period} 链哈希 {s.chain}")
            out.append(f"    资金合计 (期内): {totals_text(s.totals)}")
    else:
        out.append("  (尚未封存: fupin seal --through YYYY-MM)")
    for orphan in report.orphans:
        out.append(f"  ✗ 摘要清单无对应封存: {orphan}")

    out.append("\n证据 (evidence) — 按项目与阶段; 证据文件夹 " + report.documents_folder)
    if not report.required:
        out.append(
            "  证据要求未启用: 只核对已登记的证据文件 "
            '(启用: custom "policy" "evidence-required" TRUE)'
        )
    stages = [e for e in report.evidence if e.need == "stage"]
    if stages:
        rows = [
            [
                e.project,
                e.name,
                e.date,
                kinds_text(e.required),
                kinds_text(e.present),
                EVIDENCE_MARK[e.status] + (" " + kinds_text(e.missing) if e.missing else ""),
            ]
            for e in stages
        ]
        out.append(render(["项目", "阶段", "日期", "要求", "已有", "结果"], rows))
    others = [e for e in report.evidence if e.need != "stage"]
    for need, title in (("payment", "付款"), ("asset", "资产变动")):
        rows_of = [e for e in others if e.need == need]
        if rows_of:
            gaps = [e for e in rows_of if e.status != "ok"]
            out.append(f"{title}: {len(rows_of)} 项, {len(rows_of) - len(gaps)} 项证据齐全")
            for e in gaps:
                out.append(
                    f"  {e.where}: {EVIDENCE_MARK[e.status]} {kinds_text(e.missing)} — {e.label}"
                )
    total = len(report.evidence)
    complete = sum(1 for e in report.evidence if e.status == "ok")
    out.append(f"证据覆盖: {complete}/{total} 项齐全")

    out.append("\n更正 (corrections)")
    if report.corrections:
        for c in report.corrections:
            mark = "✓" if c.ok else "✗"
            out.append(
                f"  {mark} ^{c.link or '(无链接)'}: 原记录 {c.original or '(未找到)'} {c.original_where}; "
                f"冲销 {', '.join(c.reversals) or '—'}; 重记 {', '.join(c.reposts) or '—'}"
            )
    else:
        out.append("  (无)")

    out.append("\n审计留痕发现 (A01–A05)")
    if report.findings:
        for f in report.findings:
            out.append(f"  {f.where}: {f.message}")
    else:
        out.append("  (无)")
    warnings = len(report.findings) - report.errors
    out.append(f"\n{len(report.seals)} 个封存, {report.errors} 个错误, {warnings} 个警告")
    return "\n".join(out)


TOTAL_NAMES = {"received": "到位", "spent": "支出"}


def totals_text(totals: str) -> str:
    """A seal's ``totals`` in words: ``XJ-2021 到位 8,050,800.00 支出 7,783,250.00``."""
    from decimal import Decimal, InvalidOperation

    from fupin.money import fmt_money

    parts = []
    for item in (x.strip() for x in totals.split(";")):
        if not item:
            continue
        fund, *pairs = item.split()
        words = [fund]
        for pair in pairs:
            key, _, number = pair.partition("=")
            try:
                shown = fmt_money(Decimal(number))
            except InvalidOperation:
                shown = number
            words.append(f"{ {'received': '到位', 'spent': '支出'}.get(key, key) } {shown}")
        parts.append(" ".join(words))
    return "; ".join(parts) or "—"


def report_json(report: AuditReport) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=1)
