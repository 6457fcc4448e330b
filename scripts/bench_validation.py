"""Benchmark: what issue 12's checks cost beside Beancount's own load (CPU time).

    python scripts/bench_validation.py [N ...]     # default: 100000

For each size it generates the ledger (fupin.synth, deterministic), loads it once without
the plugin, then measures — best of three rounds, CPU time, in this one process — the
preflight of every file (``fupin.preflight``), the book (``fupin.book.build_book``), the
integrity walk (ENTITY/LEDGER/PII, ``fupin.plugins.integrity``) and every other rule, each
as a share of Beancount's load.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

import fupin.plugins as rules
from beancount import loader
from fupin.plugins import integrity

from fupin.book import build_book
from fupin.preflight import preflight
from fupin.synth import generate


def best(run: Callable[[], object], rounds: int = 3) -> float:
    """The least CPU time of ``rounds`` runs."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def measure(n: int) -> str:
    """The figures of one generated ledger of ``n`` transactions, as one line."""
    folder = Path("build") / f"gen-{n // 1000}k"
    generate(n, folder)
    main_file = folder / "main-noplugin.beancount"
    loader.initialize(use_cache=False)
    start = time.process_time()
    entries, _errors, options = loader.load_file(str(main_file))
    bare = time.process_time() - start
    others = tuple(r for r in rules.RULES if r not in integrity.RULES)

    def book() -> object:
        return build_book(entries, options)

    gc.disable()
    try:
        built = best(book)
        figures = {
            "preflight": best(lambda: preflight(main_file)),
            "book": built,
            "integrity walk": best(
                lambda: rules.evaluate(build_book(entries, options), integrity.RULES)
            )
            - built,
            "other rules": best(lambda: rules.evaluate(build_book(entries, options), others))
            - built,
        }
    finally:
        gc.enable()
    shares = ", ".join(f"{k} {v:.2f} s ({100 * v / bare:.1f}%)" for k, v in figures.items())
    return f"{n:>8,} transactions: beancount load {bare:.2f} s CPU; {shares}"


def main(sizes: list[int]) -> None:
    for n in sizes:
        print(measure(n))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000])
