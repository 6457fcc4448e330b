"""Benchmark: the asset rules (B37/B38/B39/B25) and ``fupin assets`` on a generated county.

    python scripts/bench_assets.py [N]        # default: 300000 transactions

Generates the synthetic ledger (fupin.synth), adds one registered asset per accepted project
(value = settlement, four rights each; every tenth asset an operating one with an income, a
plan, its two notices and ten household payouts), loads it once with the plugin, and times
the asset rules and the register report against Beancount's load of the same files.
"""

from __future__ import annotations

import argparse
import gc
import re
import tempfile
import time
from pathlib import Path

from beancount import loader
from fupin.plugins.assets import asset_rules
from fupin.reports.assets import asset_report

from fupin.book import build_book
from fupin.synth import generate

ACCEPTED = re.compile(
    r'(\d{4}-\d\d-\d\d) custom "project-stage" "(P-[\d-]+)" "accepted"\n  settlement: (\S+) CNY'
)


def assets_file(folder: Path) -> tuple[str, int]:
    """The assets ledger text for every accepted project of the generated year files."""
    out = ["2020-01-01 open Assets:AssetIncome:Pool CNY\n"]
    count = 0
    for path in sorted(folder.glob("year-*.beancount")):
        for day, pid, value in ACCEPTED.findall(path.read_text(encoding="utf-8")):
            count += 1
            aid = "A-" + pid[2:]
            operating = count % 10 == 0
            year = int(day[:4])
            reg = f"{year}-12-01"
            out.append(
                f'{reg} custom "asset" "{aid}"\n  name: "资产{aid}"\n'
                f'  class: "{"operating" if operating else "public_welfare"}"\n  form: "fixed"\n'
                f'  projects: "{pid}"\n  township: "城关镇"\n  village: "青山村"\n  quantity: 1\n'
                f'  unit: "项"\n  funding: "Central={value}"\n  handover: {reg}\n'
            )
            rights = (
                ("ownership", "operation", "income", "supervision")
                if operating
                else ("ownership", "custody", "supervision")
            )
            for right in rights:
                out.append(
                    f'{reg} custom "asset-right" "{aid}" "{right}"\n  holder: "青山村股份经济合作社"\n'
                    f'  holder_type: "village_collective"\n'
                )
            if operating:
                plan = f"IP-{aid}"
                out.append(
                    f"2020-01-01 open Income:AssetIncome:{aid} CNY\n"
                    f"2020-01-01 open Expenses:IncomeDistribution:{aid} CNY\n\n"
                    f'{year}-12-05 * "供电公司" "收益"\n  asset: "{aid}"\n'
                    f"  Assets:AssetIncome:Pool  1000.00 CNY\n  Income:AssetIncome:{aid}\n\n"
                    f'{year}-12-06 custom "income-plan" "{plan}"\n  asset: "{aid}"\n  amount: 1000.00 CNY\n'
                    f'  shares: "Award=100%"\n\n'
                    f'{year}-12-07 custom "notice" "N-{plan}"\n  type: "income_plan"\n  level: "village"\n'
                    f'  subject: "{plan}"\n  start: {year}-12-07\n  end: {year}-12-16\n\n'
                    f'{year}-12-20 custom "notice" "R-{plan}"\n  type: "income_result"\n  level: "village"\n'
                    f'  subject: "{plan}"\n  start: {year}-12-20\n  end: {year}-12-29\n\n'
                    f'{year}-12-18 * "村财务" "收益发放"\n  asset: "{aid}"\n  plan: "{plan}"\n'
                    + "".join(
                        f'  Expenses:IncomeDistribution:{aid}  100.00 CNY\n    household: "H-QS-{k:03d}"\n'
                        for k in range(1, 11)
                    )
                    + "  Assets:AssetIncome:Pool\n"
                )
    return "\n".join(out), count


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        main_file = generate(n, folder)
        text, count = assets_file(folder)
        (folder / "assets.beancount").write_text(text, encoding="utf-8")
        with main_file.open("a", encoding="utf-8") as handle:
            handle.write('include "assets.beancount"\n')
        loader.initialize(use_cache=False)
        start = time.perf_counter()
        entries, _errors, options = loader.load_file(str(main_file))
        load = time.perf_counter() - start
        book = build_book(entries, options)
        gc.freeze()  # as the plugin runs (GC paused): the loaded entries are not garbage
        start = time.perf_counter()
        items = list(asset_rules(book))
        rules = time.perf_counter() - start
        start = time.perf_counter()
        report = asset_report(book)
        reg = time.perf_counter() - start
        txns = sum(1 for e in entries if type(e).__name__ == "Transaction")
        findings = [i for i in items if hasattr(i, "message")]
        print(
            f"{txns} transactions, {count} assets: Beancount load (with every rule) {load:.2f} s; "
            f"asset rules {rules:.3f} s ({rules / load:.1%} of the load), {len(items)} items, "
            f"{len(findings)} findings; register report {reg:.3f} s ({len(report.states)} rows)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("transactions", nargs="?", type=int, default=300_000)
    main(parser.parse_args().transactions)
