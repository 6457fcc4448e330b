"""Benchmark: Beancount's own load time and peak memory, with and without ``fupin.plugins``.

    python scripts/bench_load.py [N ...]     # default: 100000 300000

For each size it generates the ledger (fupin.synth, deterministic), then loads the same
data files twice per round in fresh processes — once through ``main-noplugin.beancount``,
once through ``main.beancount`` (which adds ``plugin "fupin.plugins"``) — and reports the
best of the rounds (by CPU time, which a shared machine disturbs far less than wall time):
CPU and wall seconds, peak RSS, and the plugin's ratios. Cache off, GC as Beancount leaves it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fupin.synth import generate

PROBE = """
import json, resource, sys, time
from beancount import loader
loader.initialize(use_cache=False)
t, c = time.perf_counter(), time.process_time()
entries, errors, _ = loader.load_file(sys.argv[1])
dt, cpu = time.perf_counter() - t, time.process_time() - c
txns = sum(1 for e in entries if type(e).__name__ == "Transaction")
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": dt, "cpu": cpu, "rss_mb": rss / 1024, "errors": len(errors), "txns": txns}))
"""


def probe(path: Path) -> dict[str, float]:
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(sizes: list[int], rounds: int = 2) -> None:
    for n in sizes:
        folder = Path("build") / f"gen-{n // 1000}k"
        generate(n, folder)
        best: dict[str, dict[str, float]] = {}
        for _ in range(rounds):
            for name in ("main-noplugin", "main"):
                result = probe(folder / f"{name}.beancount")
                old = best.get(name)
                if old is None or result["cpu"] < old["cpu"]:
                    best[name] = result
        bare, full = best["main-noplugin"], best["main"]
        print(
            f"{int(full['txns']):>8,} transactions: beancount {bare['cpu']:.2f} s CPU "
            f"({bare['seconds']:.2f} s wall) {bare['rss_mb']:.0f} MB | with fupin.plugins "
            f"{full['cpu']:.2f} s CPU ({full['seconds']:.2f} s wall) {full['rss_mb']:.0f} MB | "
            f"CPU ×{full['cpu'] / bare['cpu']:.3f}, wall ×{full['seconds'] / bare['seconds']:.3f}, "
            f"memory ×{full['rss_mb'] / bare['rss_mb']:.3f}, errors {int(full['errors'])}"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000, 300_000])
