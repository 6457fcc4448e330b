"""Write a generated county-scale ledger: ``python scripts/gen_ledger.py 100000 build/gen-100k``."""

from __future__ import annotations

import sys
from pathlib import Path

from fupin.synth import generate

if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"build/gen-{n // 1000}k")
    print(generate(n, out))
