"""A01–A03: sealed periods unchanged, seals and their chain intact, corrections by reversal.

* A01 [《会计基础工作规范》 账簿不得涂改; 《会计档案管理办法》 电子会计档案防篡改; DESIGN
  "Audit trail"]: every entry dated in a sealed period is as it was
  sealed. A changed, re-dated, deleted, inserted (back-dated), duplicated or moved-out entry
  is an error naming the period and the entry (at its line; a deleted one at the seal, with
  where it stood when sealed), found by diffing the period against its digest list; so is a
  sealed ``pad`` whose ``balance`` lies after the seal (its amount would follow unsealed
  entries);
* A02: each ``custom "seal"`` still hashes to its ``chain``, names the previous seal's
  chain as ``prev``, and its digest list is there and unchanged; a digest list that no seal
  names (a seal removed) is an error too, and so is what would let Beancount end with other
  entries than the ones verified: a plugin after ``fupin.plugins``, no ``fupin.plugins``,
  ``plugin_processing_mode "raw"`` (at the last seal);
* A03: a correction (``correction: "reversal"`` / ``"repost"``, link ``^corr-<digest>``)
  names an original that exists, is dated after it, and its reversal exactly negates it.

The verification itself is :func:`fupin.seals.verify` (once per book); re-formatting,
moving entries between files and re-ordering them within a day change nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from fupin.book import Book
from fupin.canonical import short_digest
from fupin.corrections import CorrectionError, check_corrections
from fupin.engine import Item, Rule, check, finding
from fupin.findings import Severity
from fupin.seal_diff import Difference, entry_summary, summary
from fupin.seals import SealCheck, SealError, ledger_root, verify

#: Entries named one by one per period; the rest are counted in one more finding.
NAMED_MAX = 50

WHAT = {
    "changed": "内记录被改动",
    "redated": "内记录日期被改动",
    "deleted": "内记录被删除",
    "moved_out": "内记录被移出",
    "inserted": "内新增记录 (封存后补记或倒签)",
    "duplicate": "内记录重复",
}


def sealed_periods(book: Book) -> Iterator[Item]:
    """A01: each sealed period's entries against its seal and digest list."""
    root = ledger_root(book)
    for seal_check in verify(book).checks:
        seal, entry = seal_check.seal, seal_check.period.entry
        found = len(seal_check.differences) or (0 if seal_check.content_intact else 1)
        yield from check(
            SealError,
            rule="A01",
            title="封存期改动记录数",
            scope=f"seal {seal.id}",
            value=found,
            op="==",
            threshold=0,
            unit="count",
            entity=seal.id,
            entry=entry,
            report=False,
            year=seal.date.year,
        )
        if not seal_check.content_intact and not seal_check.differences:
            yield finding(
                SealError,
                "A01",
                f"封存期 {seal.id} 内容与封存不符 — {seal.describe()} {seal_check.period.label}; "
                f"记录 {seal_check.count} 条 (封存时 {seal.entries} 条), 期间哈希 "
                f"{short_digest(seal_check.sha256)} ≠ 封存 {short_digest(seal.sha256)}; "
                "摘要清单不可用, 无法逐条定位",
                entry,
                entity=seal.id,
            )
            continue
        for pad, balance in seal_check.loose_pads:
            yield finding(
                SealError,
                "A01",
                f"封存期 {seal.id} 内的 pad 由封存期之后的余额断言决定金额 — "
                f"{entry_summary(pad, root)} → {balance.date} balance {balance.account} "
                f"{balance.amount}; 填充金额会随未封存的记录改变: 把余额断言记在 "
                f"{seal.date} 或之前",
                pad,
                entity=seal.id,
            )
        for difference in seal_check.differences[:NAMED_MAX]:
            yield _difference(seal_check, difference, root)
        extra = len(seal_check.differences) - NAMED_MAX
        if extra > 0:
            yield finding(
                SealError,
                "A01",
                f"封存期 {seal.id} 内另有 {extra} 条记录与封存不符 — {seal.describe()}; "
                "fupin audit --json 列出全部",
                entry,
                entity=seal.id,
            )


def _difference(seal_check: SealCheck, d: Difference, root: str) -> SealError:
    seal = seal_check.seal
    if d.entry is not None:
        name = entry_summary(d.entry, root)
        anchor = d.entry
    else:
        name = summary(json.loads(d.sealed.text)) if d.sealed else "?"
        anchor = seal_check.period.entry
    text = f"封存期 {seal.id} {WHAT[d.kind]} — {name}"
    details = [d.detail] if d.detail else []
    if d.kind == "duplicate" and d.sealed:
        details.append(f"与封存时 {d.sealed.where} 的记录相同")
    elif d.sealed is not None:
        details.append(f"封存时 {d.sealed.where}")
    if details:
        text += "; " + "; ".join(details)
    return finding(SealError, "A01", text, anchor, entity=seal.id)  # type: ignore[return-value]


PROBLEMS = {
    "chain": "封存记录被改动",
    "sha256": "封存记录被改动",
    "count": "封存记录被改动",
    "prev": "封存链断裂",
    "list_missing": "封存摘要清单缺失",
    "list_changed": "封存摘要清单被改动",
    "list_bad": "封存摘要清单无效",
    "list_newlines": "封存摘要清单换行符不同",
    "version": "封存规范版本不同",
    "totals": "封存资金合计不同",
}


def seal_records(book: Book) -> Iterator[Item]:
    """A02: the seals, their digest lists and their chain."""
    verification = verify(book)
    for seal_check in verification.checks:
        seal, entry = seal_check.seal, seal_check.period.entry
        for problem in seal_check.problems:
            yield finding(
                SealError,
                "A02",
                f"{PROBLEMS[problem.kind]} — 封存期 {seal.id} {seal.describe()}; {problem.detail}",
                entry,
                severity=problem.severity,
                entity=seal.id,
            )
    for seal, entry in verification.duplicates:
        yield finding(
            SealError,
            "A02",
            f"同一期重复封存 — 封存期 {seal.id} {seal.describe()}; 每期只能封存一次",
            entry,
            entity=seal.id,
        )
    for entry in verification.invalid:
        period = str(entry.values[0].value)
        yield finding(
            SealError,
            "A02",
            f"封存记录无效, 该期记录未经复核 — 封存期 {period} [seal {period}]; 封存记录的字段"
            "不合格式 (见同一行的 ENTITY 错误): 不得手改封存记录",
            entry,
            entity=period,
        )
    if verification.unseen and verification.checks:
        last = verification.checks[-1]
        for text in verification.unseen:
            yield finding(
                SealError,
                "A02",
                f"封存无法完整复核 — 封存期 {last.seal.id} {last.seal.describe()}; {text}",
                last.period.entry,
                entity=last.seal.id,
            )
    for path in verification.orphans:
        period = path.stem
        yield SealError(
            {"filename": str(path), "lineno": 1},
            f"A02 error: 摘要清单无对应的封存记录 — 封存期 {period} [seal {period}]; "
            f'{path.name} 在, 而 custom "seal" "{period}" 不在 (封存记录被删除?)',
            None,
            rule="A02",
            severity=Severity.ERROR,
            entity=period,
        )


def corrections(book: Book) -> Iterator[Item]:
    """A03: each correction names an existing original and reverses it exactly."""
    for problem in check_corrections(book):
        yield finding(
            CorrectionError,
            "A03",
            problem.text,
            problem.entry,
            entity=problem.link,
        )


#: 账簿不得涂改、错账按规定更正 (N-ACC1996); 电子会计档案防篡改 (N-ARCH2015); L.3 可复核审计
_SEALED = "N-ACC1996 (账簿记录不得涂改); N-ARCH2015 (电子会计档案不得篡改); L.3 (可复核)"
RULES = (
    Rule(("A01",), "封存期记录未被改动", _SEALED, sealed_periods),
    Rule(("A02",), "封存记录与封存链完好", _SEALED, seal_records),
    Rule(("A03",), "更正以冲销和重记进行", "N-ACC1996 (错账以红字冲销更正)", corrections),
)
