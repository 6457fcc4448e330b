"""Benchmark: where the CPU time of one ``fupin check`` goes, phase by phase.

    .venv/bin/python scripts/bench_phases.py [N]    # default 300000

On the ledger of ``scripts/bench_load.py`` (generated once into ``build/``, one file per
month), runs ``fupin check --json`` in this process three ways: with fupin's cache off (the
cold check), on an empty cache (the first run, which writes it), and after one monthly file
was edited (the re-check); for each it prints the CPU seconds (``time.process_time``) of
every phase: preflight, reading files (parse or cache records), Beancount's booking,
writing the cache, fupin's book, fupin's rules, Beancount's other plugins (documents, pad, balance, and the
sort after each plugin), Beancount's validation, and the rest (command, output). The
phases are timed by wrapping the functions that run them; nothing else changes. Each run
is its own process (``--one`` below), as a user's command would be.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PHASES = (
    "preflight",
    "read files",
    "booking",
    "write cache",
    "fupin book",
    "fupin rules",
    "other plugins",
    "validation",
    "rest",
)


def one(ledger: str) -> dict[str, float]:
    """Run ``fupin check --json LEDGER`` here and time its phases."""
    import fupin.plugins as plugins_module
    from beancount import loader
    from beancount.ops import validation
    from beancount.parser import booking

    import fupin.cache as cache_module
    import fupin.load as load_module
    import fupin.transformations as transformations_module
    import fupin.validations as validations_module

    spent = dict.fromkeys(PHASES, 0.0)

    def timed(owner: Any, name: str, phase: str) -> None:
        function: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[phase] += time.process_time() - start

        setattr(owner, name, wrapper)

    timed(load_module, "preflight", "preflight")
    timed(loader, "_parse_recursive", "read files")
    timed(cache_module._Loader, "_walk", "read files")
    timed(booking, "book", "booking")
    timed(cache_module._Loader, "_book", "booking")
    timed(cache_module._Loader, "_save", "write cache")
    timed(plugins_module, "build_book", "fupin book")
    timed(plugins_module, "run_rules", "fupin rules")
    timed(loader, "run_transformations", "other plugins")
    timed(transformations_module, "run", "other plugins")
    timed(validation, "validate", "validation")
    timed(validations_module, "validate", "validation")
    from fupin.cli import main

    sys.argv = ["fupin", "check", "--json", ledger]
    start = time.process_time()
    with contextlib.suppress(SystemExit):
        main()
    total = time.process_time() - start
    spent["other plugins"] -= spent["fupin book"] + spent["fupin rules"]
    spent["rest"] = total - sum(v for k, v in spent.items() if k != "rest")
    spent["total"] = total
    return spent


def run(ledger: Path, env: dict[str, str]) -> dict[str, float]:
    command = [sys.executable, __file__, "--one", str(ledger)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", type=int, default=300_000)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        spent = one(args.one)
        sys.stdout.flush()
        print(json.dumps(spent))
        return
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_load import edit, ledgers, machine

    _, full, month = ledgers(args.size)
    original = month.read_text(encoding="utf-8")
    base = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    with tempfile.TemporaryDirectory(prefix="fupin-bench-cache-") as folder:
        on = {**base, "FUPIN_CACHE_DIR": folder}
        columns = {"cold (cache off)": run(full, {**base, "FUPIN_CACHE": "off"})}
        columns["first run"] = run(full, on)
        try:
            edit(month, original, 1)
            columns["one file edited"] = run(full, on)
        finally:
            month.write_text(original, encoding="utf-8")
    print(f"machine: {machine()}")
    print(f"\n`fupin check`, {args.size:,} transactions, CPU seconds by phase")
    print("| phase | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for phase in (*PHASES, "total"):
        cells = " | ".join(f"{c[phase]:.2f}" for c in columns.values())
        print(f"| {phase} | {cells} |")


if __name__ == "__main__":
    main()
