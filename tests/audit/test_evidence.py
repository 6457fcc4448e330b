"""Evidence files (A04/A05): declared inline or as ``document`` entries, checked by hash,
required per stage, payment kind and asset event by the dated policy."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from audit_helpers import check, findings, line_of

from fupin.canonical import file_sha256
from fupin.evidence import EVIDENCE_KINDS
from fupin.policy import Policy

BOOKS = """
2021-01-01 custom "policy" "evidence-required" TRUE
2021-01-01 open Assets:Treasury:XJ-2021 CNY
2021-01-01 open Income:Fund:XJ-2021:Central CNY
2021-01-01 open Expenses:Industry:Planting CNY
2021-01-01 custom "fund" "XJ-2021"
  name: "2021年衔接资金"
  family: "xianjie"
2021-01-05 * "县财政局" "资金下达"
  Assets:Treasury:XJ-2021  100000.00 CNY
  Income:Fund:XJ-2021:Central
2021-01-06 custom "project" "P-1"
  name: "种植基地"
  category: "Industry"
  township: "城关镇"
  village: "青山村"
  year: 2021
  budget: 100000.00 CNY
  implementer: "青山村股份经济合作社"
  targets: "增收"
2021-02-01 custom "project-stage" "P-1" "approved"
{stage_meta}
"""


def write_file(folder: Path, name: str, data: bytes = b"%PDF-1.4 approval\n") -> str:
    """Write an evidence file under ``folder/documents``; its SHA-256."""
    path = folder / "documents" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def ledger(write_ledger, tmp_path: Path, stage_meta: str, extra: str = "") -> Path:  # type: ignore[no-untyped-def]
    return write_ledger(BOOKS.replace("{stage_meta}", stage_meta) + extra)


def test_inline_evidence_that_matches(write_ledger, tmp_path: Path) -> None:
    sha = write_file(tmp_path, "P-1/批复.pdf")
    path = ledger(write_ledger, tmp_path, f'  evidence: "approval P-1/批复.pdf sha256:{sha}"')
    assert findings(path, "A04", "A05", "ENTITY") == []


def test_inline_evidence_with_a_wrong_hash(write_ledger, tmp_path: Path) -> None:
    write_file(tmp_path, "P-1/批复.pdf")
    path = ledger(write_ledger, tmp_path, f'  evidence: "approval P-1/批复.pdf sha256:{"ab" * 32}"')
    found = findings(path, "A04", "A05")
    s04 = [f for f in found if f["rule"] == "A04"]
    assert len(s04) == 1 and s04[0]["severity"] == "error"
    assert s04[0]["line"] == line_of(path, '"P-1" "approved"')
    assert s04[0]["message"].startswith(
        "A04 error: 证据文件哈希不符 — 批复文件(approval); P-1/批复.pdf: 哈希不符 (文件被替换或改动), "
        "sha256 现为 "
    )
    (s05,) = [f for f in found if f["rule"] == "A05"]
    assert s05["severity"] == "warning" and s05["policy_key"] == "evidence-stage-approved"


def test_inline_declarations_that_do_not_hold(write_ledger, tmp_path: Path) -> None:
    sha = write_file(tmp_path, "P-1/批复.pdf")
    outside = tmp_path / "elsewhere.pdf"
    outside.write_bytes(b"x")
    cases = {
        f"approvel P-1/批复.pdf sha256:{sha}": "证据声明无效 — evidence 种类 'approvel' 不在",
        "approval P-1/批复.pdf": "证据声明无效 — evidence “approval P-1/批复.pdf”: 应为",
        f"approval ../elsewhere.pdf sha256:{sha}": "证据文件无效 — 批复文件(approval); "
        f"{outside}: 不在证据文件夹",
        f"approval P-1/none.pdf sha256:{sha}": "证据文件缺失 — 批复文件(approval); P-1/none.pdf: 文件不存在",
        "approval P-1/批复.pdf sha256:12": "证据文件无效 — 批复文件(approval); P-1/批复.pdf: sha256 应为 64 位",
    }
    for text, message in cases.items():
        path = ledger(write_ledger, tmp_path, f'  evidence: "{text}"')
        (hit,) = findings(path, "A04")
        assert hit["severity"] == "error" and message in hit["message"], (text, hit)


def test_several_pieces_on_one_entry(write_ledger, tmp_path: Path) -> None:
    one = write_file(tmp_path, "P-1/批复.pdf")
    two = write_file(tmp_path, "P-1/决议.pdf", b"%PDF-1.4 resolution\n")
    meta = f'  evidence: "approval P-1/批复.pdf sha256:{one}; resolution P-1/决议.pdf sha256:{two}"'
    policy = '2021-01-01 custom "policy" "evidence-stage-approved" "approval resolution"\n'
    path = ledger(write_ledger, tmp_path, meta, policy)
    assert findings(path, "A04", "A05", "POLICY") == []


def test_required_evidence_missing_and_the_policy_that_says_so(
    write_ledger, tmp_path: Path
) -> None:
    path = ledger(write_ledger, tmp_path, '  doc: "青乡振批〔2021〕1号"')
    code, found = check(path)
    (hit,) = [f for f in found if f["rule"] == "A05"]
    assert code == 0 and hit["severity"] == "warning"
    assert hit["message"] == (
        "A05 warning: 缺少证据 批复文件(approval) (evidence-stage-approved) — "
        "[project P-1] 批复; 已有 无"
    )
    assert hit["line"] == line_of(path, '"P-1" "approved"')
    assert (hit["value"], hit["threshold"]) == ("", "approval")

    strict = '2021-01-01 custom "policy" "evidence-severity" "error"\n'
    code, found = check(ledger(write_ledger, tmp_path, '  doc: "x"', strict))
    assert code == 1 and [f["severity"] for f in found if f["rule"] == "A05"] == ["error"]

    for off in (
        '2021-01-01 custom "policy" "evidence-stage-approved" ""\n',
        '2021-01-02 custom "policy" "evidence-required" FALSE\n',
        # dated: required only from March on, the stage is of February
        '2021-01-01 custom "policy" "evidence-stage-approved" ""\n'
        '2021-03-01 custom "policy" "evidence-stage-approved" "approval"\n',
    ):
        assert findings(ledger(write_ledger, tmp_path, '  doc: "x"', off), "A05", "POLICY") == []


def test_policy_keys_are_validated() -> None:
    keys = Policy.ledger_keys()
    assert "evidence-stage-accepted" in keys and "evidence-payment-final" in keys
    assert "evidence-asset-disposal" in keys and "evidence-severity" in keys
    assert Policy().evidence_stage_procured == ("tender", "contract")
    assert set(Policy().evidence_asset_disposal) <= set(EVIDENCE_KINDS)


def test_unknown_kind_in_the_policy_is_a_policy_error(write_ledger, tmp_path: Path) -> None:
    bad = '2021-01-01 custom "policy" "evidence-stage-approved" "approvl"\n'
    (hit,) = findings(ledger(write_ledger, tmp_path, '  doc: "x"', bad), "POLICY")
    assert hit["message"].startswith("POLICY error: evidence-stage-approved = approvl:")


DOCUMENTS = """
2021-03-01 * "青山县农业开发公司" "种植基地 进度款" ^pay-1
  project: "P-1"
  payment: "progress"
  voucher: "记-1"
  Expenses:Industry:Planting  30000.00 CNY
  Assets:Treasury:XJ-2021
2021-03-01 document Assets:Treasury:XJ-2021 "documents/P-1/invoice.pdf" ^pay-1
  evidence: "invoice"
  sha256: "{invoice}"
2021-02-01 document Assets:Treasury:XJ-2021 "documents/P-1/approval.pdf"
  evidence: "approval"
  project: "P-1"
  stage: "approved"
  sha256: "{approval}"
"""


def test_document_entries_support_stages_and_payments(write_ledger, tmp_path: Path) -> None:
    invoice = write_file(tmp_path, "P-1/invoice.pdf", b"%PDF invoice")
    approval = write_file(tmp_path, "P-1/approval.pdf")
    extra = DOCUMENTS.replace("{invoice}", invoice).replace("{approval}", approval)
    path = ledger(write_ledger, tmp_path, '  doc: "x"', extra)
    assert findings(path, "A04", "A05", "BEANCOUNT") == []
    # by voucher instead of link
    extra2 = extra.replace(
        ' ^pay-1\n  evidence: "invoice"', '\n  evidence: "invoice"\n  voucher: "记-1"'
    )
    assert findings(ledger(write_ledger, tmp_path, '  doc: "x"', extra2), "A04", "A05") == []


def test_document_entries_that_do_not_hold(write_ledger, tmp_path: Path) -> None:
    approval = write_file(tmp_path, "P-1/approval.pdf")
    base = DOCUMENTS.replace("{invoice}", "0" * 64).replace("{approval}", approval)
    write_file(tmp_path, "P-1/invoice.pdf", b"%PDF invoice")
    path = ledger(
        write_ledger, tmp_path, '  doc: "x"', base.replace('stage: "approved"', 'stage: "accepted"')
    )
    messages = [f["message"] for f in findings(path, "A04")]
    assert any("证据文件哈希不符 — 发票(invoice); P-1/invoice.pdf" in m for m in messages)
    assert any("证据指向的项目阶段 P-1 accepted 不存在" in m for m in messages)
    no_hash = base.replace(f'  sha256: "{approval}"\n', "")
    messages = [
        f["message"] for f in findings(ledger(write_ledger, tmp_path, '  doc: "x"', no_hash), "A04")
    ]
    assert any("证据文件缺少 sha256" in m for m in messages)


def test_documents_option_names_the_folder(write_ledger, tmp_path: Path) -> None:
    sha = hashlib.sha256(b"%PDF-1.4 approval\n").hexdigest()
    (tmp_path / "scans" / "P-1").mkdir(parents=True)
    (tmp_path / "scans" / "P-1" / "批复.pdf").write_bytes(b"%PDF-1.4 approval\n")
    text = 'option "documents" "scans"\n'
    path = ledger(write_ledger, tmp_path, f'  evidence: "approval P-1/批复.pdf sha256:{sha}"', text)
    assert findings(path, "A04", "A05") == []


def test_file_hashes_are_cached_by_size_and_mtime(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(b"one")
    first = file_sha256(path)
    assert first == hashlib.sha256(b"one").hexdigest() and file_sha256(path) == first
    path.write_bytes(b"two")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert file_sha256(path) == hashlib.sha256(b"two").hexdigest()
    assert file_sha256(tmp_path / "none.pdf") is None


def test_sample_evidence_files_are_real_pdfs() -> None:
    from audit_helpers import SAMPLE_DIR
    from pypdf import PdfReader

    files = sorted((SAMPLE_DIR / "documents").rglob("*.pdf"))
    assert len(files) > 150
    text = PdfReader(files[0]).pages[0].extract_text()
    assert "FICTIONAL SAMPLE" in text
