"""Benchmark: import a 100k-row bank statement against a 100k-transaction ledger.

The ledger holds 100,000 transactions on one special account: 50,000 imported from an
earlier statement (``bank_serial``) and 50,000 vouchers typed in. The new statement (县农商行
layout, GBK CSV, running balances, 合计 row) has 100,000 lines: 25,000 already imported
(duplicates, skipped), 25,000 paying the typed-in vouchers (→ ``bank-line``), 50,000 new
(→ transactions, categorised by rules). Timed: identify + parse + balance/totals checks +
matching + exact de-duplication + rendering the Beancount text + the post-import check
(what ``fupin import extract -e -o`` does after loading the ledger; the ledger's own load,
needed for de-duplication anyway, is timed separately). CPU time is what counts.

    .venv/bin/python scripts/bench_import.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import gc
import io
import os
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from beancount import loader
from fupin.importers.check import check_import
from fupin.importers.ingest import extract_files, render_lines
from fupin.importers.rules import CategoryRule, Rules
from fupin.importers.statement import StatementImporter

ACCOUNT = "Assets:Treasury:XJ-2099"
START = datetime.date(2020, 1, 1)


def day_of(i: int, n: int) -> datetime.date:
    return START + datetime.timedelta(days=i * 1000 // n)


def amount_of(i: int) -> Decimal:
    return Decimal(100 + (i * 37) % 9000) + Decimal(i % 100) / 100


def build(rows: int, folder: Path) -> tuple[Path, Path]:
    """Write the ledger and the statement; line i of the statement is described above."""
    quarter = rows // 4
    ledger = io.StringIO()
    ledger.write('option "operating_currency" "CNY"\n')
    ledger.write(f"2019-12-01 open {ACCOUNT} CNY\n2019-12-01 open Expenses:Other:Misc CNY\n")
    ledger.write("2019-12-01 open Income:Fund:XJ-2099:County CNY\n")
    ledger.write(
        f'2019-12-31 * "opening"\n  {ACCOUNT}  1000000000.00 CNY\n  Income:Fund:XJ-2099:County\n'
    )
    for i in range(rows):  # statement line i → its counterpart in the existing ledger
        day, amount = day_of(i, rows), amount_of(i)
        if i < quarter:  # imported before
            ledger.write(
                f'{day} * "供应商{i % 97}" "货款"\n  bank_serial: "S{i:07d}"\n'
                f"  {ACCOUNT}  -{amount} CNY\n  Expenses:Other:Misc\n"
            )
        elif i < 2 * quarter:  # typed in from the voucher
            ledger.write(
                f'{day} * "供应商{i % 97}" "货款"\n  voucher: "记-{i:07d}"\n'
                f"  {ACCOUNT}  -{amount} CNY\n  Expenses:Other:Misc\n"
            )
    for i in range(rows - 2 * quarter):  # older history, to reach `rows` transactions
        ledger.write(
            f'2019-12-31 * "历史" "历史凭证"\n  bank_serial: "H{i:07d}"\n'
            f"  {ACCOUNT}  -0.01 CNY\n  Expenses:Other:Misc\n"
        )
    ledger_path = folder / "ledger.beancount"
    ledger_path.write_text(ledger.getvalue(), encoding="utf-8")

    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    end = day_of(rows - 1, rows)
    out.writerow(["青山农村商业银行 对公账户交易明细"])
    out.writerow(["账号：6230 **** **** 9999", "户名：基准测试专户"])
    out.writerow([f"起止日期：{START:%Y%m%d}至{end:%Y%m%d}"])
    out.writerow(
        [
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
    )
    balance = Decimal("1000000000.00")
    debit = Decimal(0)
    for i in range(rows):
        amount = amount_of(i)
        balance -= amount
        debit += amount
        out.writerow([
            f"{day_of(i, rows):%Y%m%d}", f"S{i:07d}", "转账支出", f"{amount}", "", f"{balance}",
            f"供应商{i % 97}", "6217****0000", "货款",
        ])  # fmt: skip
    out.writerow(["合计", "", "", f"{debit}", "0.00", "", "", "", ""])
    statement = folder / "statement.csv"
    statement.write_bytes(buf.getvalue().encode("gbk"))
    return ledger_path, statement


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        ledger_path, statement = build(rows, Path(tmp))
        gc.disable()
        t0 = time.perf_counter()
        existing, errors, options = loader.load_file(str(ledger_path))
        t_load = time.perf_counter() - t0
        assert not errors, errors[:3]
        txns = sum(1 for e in existing if type(e).__name__ == "Transaction")
        rules = Rules((CategoryRule(counterparty="供应商", account="Expenses:Other:Misc"),))
        importer = StatementImporter("rcb", ACCOUNT, rules=rules)
        size = statement.stat().st_size
        t0, c0 = time.perf_counter(), time.process_time()
        (result,) = extract_files([importer], [statement], existing)
        t_extract = time.perf_counter() - t0
        t0 = time.perf_counter()
        text, lines = render_lines([result])
        t_render = time.perf_counter() - t0
        t0 = time.perf_counter()
        problems = check_import(
            existing, options, result.entries, lambda e: f"new:{lines.get(id(e), 0)}"
        )
        t_check = time.perf_counter() - t0
        cpu = time.process_time() - c0
        gc.enable()
    kinds: dict[str, int] = {}
    for entry in result.entries:
        name = getattr(entry, "type", type(entry).__name__)
        kinds[name] = kinds.get(name, 0) + 1
    total = t_extract + t_render + t_check
    print(f"existing ledger: {txns:,} transactions, loaded by Beancount in {t_load:.1f} s")
    print(f"statement: {rows:,} rows, {size / 1e6:.1f} MB GBK CSV")
    print(f"new entries: {kinds}; duplicates skipped: {len(result.duplicates):,}")
    print(f"extract (identify, parse, checks, match, dedupe): {t_extract:.2f} s")
    print(f"render Beancount text ({len(text):,} chars): {t_render:.2f} s")
    print(
        f"post-import check (Beancount checks + every fupin rule in memory): {t_check:.2f} s, {len(problems)} problems"
    )
    print(
        f"import throughput: {rows / total:,.0f} rows/s wall, {rows / cpu:,.0f} rows/s CPU (target ≥ 20,000)"
    )
    print(f"machine load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
