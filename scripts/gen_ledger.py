"""Write a generated county-scale ledger: ``python scripts/gen_ledger.py 100000 build/gen-100k``."""

from __future__ import annotations

import argparse
from pathlib import Path

from fupin.synth import generate

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("transactions", nargs="?", type=int, default=100_000)
    parser.add_argument("out", nargs="?", type=Path, help="folder (default build/gen-<N>k)")
    args = parser.parse_args()
    out = args.out or Path(f"build/gen-{args.transactions // 1000}k")
    print(generate(args.transactions, out))
