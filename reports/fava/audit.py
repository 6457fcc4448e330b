"""The 审计 page's plain functions: the audit-trail report of a snapshot, cached per load.

The report itself is :func:`fupin.audit.audit_report` (the core; ``fupin audit`` prints
the same). Here only: caching on the snapshot, the file:line of a row for Fava's source
link, and confining the evidence files the page serves to the ones the ledger declares.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fupin.audit import AuditReport, audit_report, report_json

if TYPE_CHECKING:
    from fupin.reports.fava.base import Snapshot

__all__ = ["evidence_file", "place", "report", "report_json"]


def report(snap: Snapshot) -> AuditReport:
    """The audit report of this load (built once per snapshot)."""
    held: AuditReport | None = snap.__dict__.get("_audit_report")
    if held is None:
        held = snap.__dict__["_audit_report"] = audit_report(snap.book, snap.results)
    return held


def place(where: str) -> dict[str, Any]:
    """``/abs/file.beancount:12`` → filename, lineno and a short label for the link."""
    filename, _, line = where.rpartition(":")
    return {
        "filename": filename,
        "lineno": int(line) if line.isdigit() else 0,
        "label": f"{os.path.basename(filename)}:{line}",
    }


def evidence_file(current: AuditReport, path: str) -> Path | None:
    """The file of an inline evidence declaration named ``path`` (relative to the documents
    folder), when the ledger declares it and it lies inside the folder; else None."""
    folder = Path(current.documents_folder).resolve()
    declared = {f.path for row in current.evidence for f in row.files if not f.document}
    if path not in declared:
        return None
    file = (folder / path).resolve()
    return file if file.is_relative_to(folder) and file.is_file() else None
