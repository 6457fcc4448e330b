"""Benchmark: ``bean-check`` bare and with ``fupin.plugins``, ``fupin check`` cold and re-checked.

    .venv/bin/python scripts/bench_load.py [N ...] [--rounds R]   # default: 100000 300000, 3 rounds

For each size it generates the county ledger (:func:`fupin.synth.generate`, deterministic)
and spreads it over one file per month (:func:`fupin.synth.split_monthly`, ~125 files).
Each measurement is a fresh process, timed by the kernel (``wait4``: user + system CPU
seconds of the whole command, and its peak resident memory):

* ``bean-check`` on the ledger without the plugin line (bare Beancount), then with it;
* ``fupin check --json`` with fupin's cache off (``FUPIN_CACHE=off``: the cold check);
* ``fupin check --json`` with an empty cache (a first run: it parses everything and writes
  the cache), then after one monthly file was edited (one payment's amount changed): the
  incremental re-check, which must print the same findings as a cold check of the edited
  ledger (compared here, byte for byte);
* ``fupin check`` again with nothing changed.

Before timing, fupin's own modules are compiled to bytecode once (:func:`compiled`), as
``pip install`` does for a wheel and as Python does on a first import — unless
``PYTHONDONTWRITEBYTECODE`` is set, as on this project's machines, where an editable
install would otherwise compile every fupin module in every timed process (≈0.09 CPU-s)
while Beancount's, installed from a wheel, are compiled.

The commands of one round run one after the other, the rounds alternate their order, and
the table shows each command's minimum over the rounds (CPU time: a shared machine disturbs
it far less than wall time) and how far above it the slowest round was (``spread``); the
plugin's ratio is also printed round by round, each from two runs next to each other.
Beancount's pickle cache is off throughout. The last lines give the ratios of the issue's
targets, the date, the machine and its load average.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fupin.synth import generate, split_monthly

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Run:
    cpu: float
    wall: float
    rss_mb: float
    out: bytes


def run(cmd: list[str], env: dict[str, str]) -> Run:
    """One command in a fresh process: its CPU seconds, wall seconds and peak RSS."""
    import time

    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)}: exit {proc.returncode}")
        out.seek(0)
        data = out.read()
    return Run(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024, data)


def ledgers(n: int) -> tuple[Path, Path, Path]:
    """(bare, with plugin, the monthly file that the re-check edits) for ``n`` transactions."""
    folder = ROOT / "build" / f"bench-load-{n // 1000}k"
    main = folder / "main.beancount"
    if not (folder / "main-monthly.beancount").exists():
        generate(n, folder)
        split_monthly(folder / "main-noplugin.beancount", "bare-monthly.beancount")
        split_monthly(main, "main-monthly.beancount")
    monthly = sorted((folder / "monthly").glob("wages-*-06.beancount"))
    return folder / "bare-monthly.beancount", folder / "main-monthly.beancount", monthly[0]


def edit(path: Path, original: str, k: int) -> None:
    """Change one payment's amount in ``path`` (the k-th edit: a different amount)."""
    old = "  Expenses:Benefit:PublicWelfareJob  600.00 CNY\n"
    new = f"  Expenses:Benefit:PublicWelfareJob  {600 + k}.00 CNY\n"
    assert old in original, path
    path.write_text(original.replace(old, new, 1), encoding="utf-8")


def bench(n: int, rounds: int) -> dict[str, list[Run]]:
    bare, full, month = ledgers(n)
    original = month.read_text(encoding="utf-8")
    base = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    off = {**base, "FUPIN_CACHE": "off"}
    cache_dir = Path(tempfile.mkdtemp(prefix="fupin-bench-cache-"))
    on = {**base, "FUPIN_CACHE_DIR": str(cache_dir)}
    fupin, bean_check = str(BIN / "fupin"), str(BIN / "bean-check")
    runs: dict[str, list[Run]] = {}  # every round's run of each command, in round order

    def keep(name: str, result: Run) -> None:
        runs.setdefault(name, []).append(result)

    try:
        for r in range(rounds):
            steps = ["bare", "plugin", "cold", "cached"]
            for step in steps if r % 2 == 0 else steps[::-1]:
                if step == "bare":
                    keep("bean-check", run([bean_check, str(bare)], base))
                elif step == "plugin":
                    keep("bean-check + fupin.plugins", run([bean_check, str(full)], base))
                elif step == "cold":
                    keep("fupin check (cache off)", run([fupin, "check", "--json", str(full)], off))
                else:
                    shutil.rmtree(cache_dir)
                    cache_dir.mkdir()
                    keep("fupin check, first run", run([fupin, "check", "--json", str(full)], on))
                    edit(month, original, r + 1)
                    recheck = run([fupin, "check", "--json", str(full)], on)
                    cold = run([fupin, "check", "--json", str(full)], off)
                    if recheck.out != cold.out:
                        raise SystemExit("the re-check's findings differ from a cold check's")
                    keep("fupin check, one file edited", recheck)
                    keep("fupin check, nothing changed", run([fupin, "check", str(full)], on))
                    month.write_text(original, encoding="utf-8")
    finally:
        month.write_text(original, encoding="utf-8")
        shutil.rmtree(cache_dir, ignore_errors=True)
    return runs


def compiled() -> str:
    """Compile fupin's modules to bytecode (``__pycache__``, git-ignored) as an install does."""
    import compileall
    import importlib

    roots = []
    for name in ("fupin", "fupin.plugins", "fupin.reports", "fupin.importers"):
        roots.extend(importlib.import_module(name).__path__)
    ok = all(compileall.compile_dir(root, quiet=1) for root in sorted(set(roots)))
    return f"bytecode: {len(set(roots))} source folders compiled{'' if ok else ' (with errors)'}"


def machine() -> str:
    load = os.getloadavg()
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{datetime.date.today()}, {os.cpu_count()} cores ({cpu}), Python "
        f"{platform.python_version()}, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000, 300_000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(compiled())
    for n in args.sizes:
        runs = bench(n, args.rounds)
        best = {name: min(done, key=lambda r: r.cpu) for name, done in runs.items()}
        bare = best["bean-check"]
        print(f"\n{n:,} transactions, one file per month, min of {args.rounds} rounds")
        print(f"| {'command':32} | CPU s | spread | wall s | peak MB | × bean-check |")
        print(f"|{'-' * 34}|------:|-------:|-------:|--------:|-------------:|")
        for name, r in best.items():
            spread = max(x.cpu for x in runs[name]) - r.cpu  # how far the rounds lay apart
            print(
                f"| {name:32} | {r.cpu:5.2f} | {spread:6.2f} | {r.wall:6.2f} | {r.rss_mb:7.0f} | "
                f"{r.cpu / bare.cpu:12.2f} |"
            )
        pairs = zip(runs["bean-check + fupin.plugins"], runs["bean-check"], strict=True)
        print(
            "bean-check with the plugin / bare, round by round (the two run one after the "
            "other): " + " ".join(f"×{p.cpu / b.cpu:.3f}" for p, b in pairs)
        )
        plugin = best["bean-check + fupin.plugins"]
        cold = best["fupin check (cache off)"]
        edited = best["fupin check, one file edited"]
        print(
            f"ratios: bean-check with the plugin {plugin.cpu / bare.cpu:.3f}× bare in CPU "
            f"(target ≤ 1.05), {plugin.rss_mb / bare.rss_mb:.3f}× in memory (≤ 1.05); "
            f"fupin check {cold.cpu / bare.cpu:.3f}× bare (≤ 0.80); re-check after a "
            f"one-file edit {edited.cpu / cold.cpu:.3f}× the cold check (≤ 0.50)"
        )
    print(f"\nmachine at the end: {machine()}")


if __name__ == "__main__":
    main()
