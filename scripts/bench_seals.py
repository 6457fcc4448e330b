"""Benchmark: the CPU cost of verifying every seal, against the whole load.

    python scripts/bench_seals.py [N] [--rounds R]     # default: 100000 transactions, 3 rounds

Generates the county ledger of ``fupin.synth`` (N transactions over 2021–2025), seals it
through 2024-12 (four of its five years: ``fupin seal``), then in fresh processes,
alternating, measures by CPU time (a shared machine disturbs it far less than wall time):

* the load: ``beancount.loader.load_file`` of the sealed ledger, every fupin rule included
  (seal verification among them);
* the verification alone, in the same kind of process after a load, on a fresh book: the
  audit-trail rules A01–A05 (every seal's entries put in canonical form, hashed and
  compared with the seal, its digest list read and hashed, the chain; the correction and
  evidence scans), as the plugin runs them.

It prints the best round of each and the share of the load the verification takes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from fupin.synth import generate

PROBE_LOAD = """
import json, sys, time
from beancount import loader
loader.initialize(use_cache=False)
c = time.process_time()
entries, errors, _ = loader.load_file(sys.argv[1])
cpu = time.process_time() - c
seals = [e for e in errors if getattr(e, "rule", "") in ("A01", "A02")]
print(json.dumps({"cpu": cpu, "entries": len(entries), "seal_errors": len(seals)}))
"""

PROBE_VERIFY = """
import gc, json, sys, time
from beancount import loader
loader.initialize(use_cache=False)
entries, errors, options = loader.load_file(sys.argv[1])
from fupin.book import build_book
from fupin.plugins import evidence, seals
from fupin.seals import verify
book = build_book(entries, options)
book.facts.funds  # the facts layer is built for every load by the other rules
gc.disable()  # as in the plugin's pass
c = time.process_time()
found = [item for rule in (*seals.RULES, *evidence.RULES) for item in rule.func(book)]
cpu = time.process_time() - c
checks = verify(book).checks
sealed = sum(check.count for check in checks)
intact = all(check.content_intact and not check.problems for check in checks)
print(json.dumps({"cpu": cpu, "sealed": sealed, "seals": len(checks), "intact": intact}))
"""


def probe(code: str, path: Path) -> dict[str, float]:
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def sealed_ledger(n: int) -> Path:
    """The generated ledger, sealed through 2024-12."""
    folder = Path("build") / f"seal-{n // 1000}k"
    if folder.exists():
        shutil.rmtree(folder)
    generate(n, folder)
    main = folder / "main.beancount"
    fupin = Path(sys.executable).parent / "fupin"
    for month in ("2022-12", "2024-12"):
        subprocess.run(
            [str(fupin), "seal", str(main), "--through", month, "--date", "2025-01-15"],
            check=True,
            capture_output=True,
        )
    return main


def main(n: int, rounds: int) -> None:
    main_file = sealed_ledger(n)
    best_load: dict[str, float] | None = None
    best_verify: dict[str, float] | None = None
    for _ in range(rounds):
        load = probe(PROBE_LOAD, main_file)
        verify = probe(PROBE_VERIFY, main_file)
        assert load["seal_errors"] == 0 and verify["intact"], (load, verify)
        if best_load is None or load["cpu"] < best_load["cpu"]:
            best_load = load
        if best_verify is None or verify["cpu"] < best_verify["cpu"]:
            best_verify = verify
    assert best_load is not None and best_verify is not None
    share = best_verify["cpu"] / best_load["cpu"]
    print(
        f"{int(best_load['entries']):,} entries, {int(best_verify['sealed']):,} sealed in "
        f"{int(best_verify['seals'])} seals: load {best_load['cpu']:.2f} s CPU, "
        f"verification {best_verify['cpu']:.2f} s CPU = {share:.1%} of the load "
        f"({best_verify['cpu'] / best_verify['sealed'] * 1e6:.1f} µs per sealed entry; "
        f"best of {rounds} alternated rounds)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="CPU cost of verifying seals vs the load")
    parser.add_argument("n", nargs="?", type=int, default=100_000, help="transactions")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    main(options.n, options.rounds)
