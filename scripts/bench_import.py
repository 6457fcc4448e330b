"""Benchmark: import a 100k-row bank statement into a 100k-transaction county ledger.

The ledger is a county's as ``fupin.synth`` generates it (``plugin "fupin.plugins"``,
yearly 衔接资金 funds, projects through every stage, households' 公益岗位 wages and their
register: half the transactions) plus the history of one more special account (the other
half): transactions imported from an earlier statement (``bank_serial``) and vouchers typed
in. The new statement (县农商行 layout, GBK CSV, running balances, 合计 row) has ``rows``
lines: a quarter already imported (duplicates, skipped), a quarter paying the typed-in
vouchers (→ ``bank-line``), half new (→ transactions, categorised by a rule).

Timed, as ``fupin import extract -e main.beancount -o new.beancount`` does it after loading
the ledger (the load, which the plugin's rule run is part of and which de-duplication needs
anyway, is timed separately): identify + parse + balance/totals checks + matching + exact
de-duplication + rendering the Beancount text + the post-import check (Beancount's checks of
the new entries, every fupin rule over the ledger with them, compared with the findings of
the plugin's own run at load). CPU time is what counts; each round runs in a fresh process
and the best round is reported.

    .venv/bin/python scripts/bench_import.py [--rows 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

ACCOUNT = "Assets:Treasury:XJ-2099"
START = datetime.date(2020, 1, 1)


def day_of(i: int, n: int) -> datetime.date:
    return START + datetime.timedelta(days=i * 1000 // n)


def amount_of(i: int) -> Decimal:
    return Decimal(100 + (i * 37) % 9000) + Decimal(i % 100) / 100


def build(rows: int, folder: Path) -> tuple[Path, Path]:
    """Write the ledger and the statement; line i of the statement is described above."""
    from fupin.synth import generate

    main = generate(rows // 2, folder / "county")
    quarter = rows // 4
    ledger = io.StringIO()
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
    (main.parent / "bank.beancount").write_text(ledger.getvalue(), encoding="utf-8")
    with main.open("a", encoding="utf-8") as handle:
        handle.write('include "bank.beancount"\n')
    ledger_path = main

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


ROUND = """
import gc, json, sys, time
from pathlib import Path
from fupin.importers.check import check_import
from fupin.importers.cli import load_existing
from fupin.importers.ingest import as_written, render_lines, run_files
from fupin.importers.rules import CategoryRule, Rules
from fupin.importers.statement import StatementImporter

ledger_path, statement, account = sys.argv[1:4]
gc.disable()  # as `fupin import extract` runs (fupin.importers.cli.gc_paused)
t0, c0 = time.perf_counter(), time.process_time()
ledger = load_existing(ledger_path)
load = (time.perf_counter() - t0, time.process_time() - c0)
rules = Rules((CategoryRule(counterparty="供应商", account="Expenses:Other:Misc"),))
importer = StatementImporter("rcb", account, rules=rules)
laps = {}
t0, c0 = time.perf_counter(), time.process_time()
run = run_files([importer], [statement], ledger.entries)
(result,) = run.results
laps["extract"] = (time.perf_counter() - t0, time.process_time() - c0)
t0, c0 = time.perf_counter(), time.process_time()
text, lines = render_lines(run.results)
laps["render"] = (time.perf_counter() - t0, time.process_time() - c0)
t0, c0 = time.perf_counter(), time.process_time()
fresh = as_written(run.results, Path(ledger_path).parent / "new.beancount", lines)
problems = check_import(ledger.entries, ledger.options, fresh, ledger.findings, run.index)
laps["check"] = (time.perf_counter() - t0, time.process_time() - c0)
kinds = {}
for entry in result.entries:
    name = getattr(entry, "type", type(entry).__name__)
    kinds[name] = kinds.get(name, 0) + 1
print(json.dumps({
    "load": load, "laps": laps, "kinds": kinds, "duplicates": len(result.duplicates),
    "txns": sum(1 for e in ledger.entries if type(e).__name__ == "Transaction"),
    "plugin": ledger.findings is not None, "problems": len(problems), "chars": len(text),
}))
"""


def one_round(ledger: Path, statement: Path) -> dict[str, object]:
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", ROUND, str(ledger), str(statement), ACCOUNT],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = args.rows
    with tempfile.TemporaryDirectory() as tmp:
        ledger_path, statement = build(rows, Path(tmp))
        size = statement.stat().st_size
        results = [one_round(ledger_path, statement) for _ in range(args.rounds)]

    def cpu(result: dict[str, object]) -> float:
        laps = result["laps"]
        assert isinstance(laps, dict)
        return float(sum(lap[1] for lap in laps.values()))

    best = min(results, key=cpu)
    laps = best["laps"]
    assert isinstance(laps, dict)
    load = best["load"]
    assert isinstance(load, list)
    wall = sum(lap[0] for lap in laps.values())
    print(
        f"existing ledger: {best['txns']:,} transactions (plugin: {best['plugin']}), "
        f"loaded in {load[1]:.1f} s CPU ({load[0]:.1f} s wall)"
    )
    print(f"statement: {rows:,} rows, {size / 1e6:.1f} MB GBK CSV")
    print(f"new entries: {best['kinds']}; duplicates skipped: {best['duplicates']:,}")
    names = {
        "extract": "extract (identify, parse, checks, match, dedupe)",
        "render": f"render Beancount text ({best['chars']:,} chars)",
        "check": f"post-import check ({best['problems']} problems)",
    }
    for key, (seconds, cpu_seconds) in laps.items():
        print(f"{names[key]}: {cpu_seconds:.2f} s CPU ({seconds:.2f} s wall)")
    rounds = ", ".join(f"{cpu(r):.2f}" for r in results)
    print(
        f"import throughput: {rows / cpu(best):,.0f} rows/s CPU (best of {len(results)} rounds: "
        f"{rounds} s), {rows / wall:,.0f} rows/s wall (target ≥ 20,000)"
    )
    print(f"machine load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
