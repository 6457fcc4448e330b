"""Shared helpers for importer tests: the sample documents and importers, statement builders."""

from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "importers" / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"
LEDGER = ROOT / "ledger"
RULES = SAMPLES / "rules.toml"

RCB_HEADER = [
    "交易日期",
    "交易流水号",
    "摘要",
    "借方发生额",
    "贷方发生额",
    "余额",
    "对方户名",
    "对方账号",
    "用途",
]


def rcb_text(
    rows: list[list[str]], *, period: str = "20230101至20230131", total: list[str] | None = None
) -> str:
    """A 县农商行 statement (title rows, header, rows, optional 合计 row) as CSV text."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(["青山农村商业银行 对公账户交易明细"])
    out.writerow(["账号：6230 **** **** 8022", "户名：测试专户"])
    out.writerow([f"起止日期：{period}"])
    out.writerow(RCB_HEADER)
    out.writerows(rows)
    if total is not None:
        out.writerow(["合计", "", "", *total, "", "", "", ""])
    return buf.getvalue()


def period_statement(
    rows: list[tuple[str, str, str, str, str, str]] | list[list[str]], opening: str = "10000.00"
) -> bytes:
    """A 县农商行 statement for 2025-03-01..2025-06-30 (GB18030) with running balances from
    ``opening``: rows of (day, serial, debit, credit, counter-party, memo)."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(["云山农村商业银行 单位账户交易明细"])
    out.writerow(["账号：6230 **** **** 2025", "户名：测试专户"])
    out.writerow(["查询期间：2025-03-01 至 2025-06-30"])
    out.writerow(
        ["交易日期", "交易流水号", "摘要", "借方发生额", "贷方发生额", "余额", "对方户名", "用途"]
    )
    balance = Decimal(opening)
    for day, serial, debit, credit, party, memo in rows:
        balance += Decimal(credit or 0) - Decimal(debit or 0)
        out.writerow([day, serial, "转账", debit, credit, f"{balance}", party, memo])
    return buf.getvalue().encode("gb18030")


@pytest.fixture
def rcb_file(tmp_path: Path):
    """Write a GBK 县农商行 statement and return its path."""

    def write(rows: list[list[str]], name: str = "stmt.csv", **kwargs: object) -> Path:
        path = tmp_path / name
        path.write_bytes(rcb_text(rows, **kwargs).encode("gbk"))  # type: ignore[arg-type]
        return path

    return write


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """A copy of the sample ledger (with its register and import config): its top file."""
    target = tmp_path / "ledger"
    shutil.copytree(LEDGER, target)
    return target / "main.beancount"
