"""Benchmark: CPU time of each rule family on a generated county ledger (issue 15).

    python scripts/bench_rules.py [N]        # default: 100000 transactions

Generates the ledger (fupin.synth, deterministic) once into ``out/bench-rules-<N>/``, loads
it without the plugin, builds the book, then runs every rule family of ``RULES`` on its own
(the plugin's way, measures off; then as ``fupin compliance`` does, measures on) and prints
the CPU seconds per family (``time.process_time``: a shared machine disturbs it far less
than wall time), the largest first. GC is paused as the plugin pauses it.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("BEANCOUNT_DISABLE_LOAD_CACHE", "1")

from beancount import loader
from fupin.plugins import RULES

from fupin.book import build_book
from fupin.engine import run_rules
from fupin.synth import generate

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    out = ROOT / "out" / f"bench-rules-{size}"
    if not (out / "main-noplugin.beancount").exists():
        generate(size, out)
    loader.initialize(use_cache=False)
    entries, _, options = loader.load_file(str(out / "main-noplugin.beancount"))
    gc.disable()
    for keep in (False, True):
        book = build_book(entries, options)
        spent: dict[str, float] = {}
        for rule in RULES:
            start = time.process_time()
            run_rules(book, [rule], keep_measures=keep)
            spent["/".join(rule.ids)] = time.process_time() - start
        total = sum(spent.values())
        print(f"{size} transactions, measures {'on' if keep else 'off'}: {total:.2f} s CPU")
        for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"  {seconds:7.3f}  {name}")


if __name__ == "__main__":
    main()
