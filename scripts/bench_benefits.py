"""Benchmark: the benefit rules (C01–C09) on a county-sized register and payment ledger.

    python scripts/bench_benefits.py [HOUSEHOLDS_PER_VILLAGE]   # default 2000 (12,000 households)

Generates (scripts/gen_households.py's generator, deterministic) a register and one
transaction per benefit posting for 2021–2022 in a temporary folder, loads it once with
Beancount (plugin off), then times building the book and running the benefit rule alone,
register load included (cold) and cached (warm), with the cyclic GC paused as ``fupin.load``
does. Prints seconds and the ratio to the load.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import tempfile
import time
from pathlib import Path

from beancount import loader

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_households as gen
from fupin.plugins import benefits

from fupin.book import build_book
from fupin.households import _CACHE


def write(folder: Path, per_village: int) -> tuple[Path, int]:
    gen.PER_VILLAGE = per_village
    rng = random.Random(20210101)
    households = gen.make_households(rng)
    gen.write_register(households, folder / "register")
    groups = gen.build_payments(households, folder / "register" / "households.csv", rng)
    lines = [
        'option "operating_currency" "CNY"',
        '2021-01-01 custom "household-register" "register/households.csv"',
        "2021-01-01 open Assets:Bank:Relief CNY",
        *(f"2021-01-01 open Expenses:Benefit:{a} CNY" for a in sorted(_accounts())),
        "",
    ]
    count = 0
    for (day, kind, _village), posts in sorted(groups.items()):
        for post in posts:
            count += 1
            lines.append(f'{day} * "发放" "{kind}"')
            lines.append('  basis: "bench"')
            lines.append(f"  Expenses:Benefit:{post.account}  {post.amount:.2f} CNY")
            lines.append(f'    household: "{post.household}"')
            if post.member is not None:
                lines.append(f"    member: {post.member}")
            if post.self_paid is not None:
                lines.append(f"    self_paid: {post.self_paid:.2f} CNY")
            lines.append("  Assets:Bank:Relief")
    path = folder / "main.beancount"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, count


def _accounts() -> set[str]:
    return {f"Education:{a}" for a in gen.EDU_ACCOUNT.values()} | {
        "Medical:ChronicDisease",
        "Medical:PremiumSubsidy",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("per_village", nargs="?", type=int, default=2000)
    per_village = parser.parse_args().per_village
    with tempfile.TemporaryDirectory() as tmp:
        path, count = write(Path(tmp), per_village)
        loader.initialize(use_cache=False)
        gc.disable()  # as fupin.load does around the load (the plugin runs inside it)
        start = time.perf_counter()
        entries, _errors, options = loader.load_file(str(path))
        load_s = time.perf_counter() - start
        book = build_book(entries, options)
        timings = []
        for _ in range(2):
            start = time.perf_counter()
            items = list(benefits.RULE.func(book))
            timings.append(time.perf_counter() - start)
        gc.enable()
        findings = [i for i in items if not isinstance(i, benefits.Measure)]
        print(
            f"{per_village * 6:,} households, {count:,} benefit transactions: "
            f"load {load_s:.2f} s; benefit rules cold {timings[0]:.2f} s "
            f"({timings[0] / load_s:.1%}), warm {timings[1]:.2f} s ({timings[1] / load_s:.1%}); "
            f"{len(findings)} findings"
        )
        _CACHE.clear()


if __name__ == "__main__":
    main()
