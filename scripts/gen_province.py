"""Write a generated province of county ledgers (issue 16).

``python scripts/gen_province.py 4 build/province`` writes ``build/province/<code>/`` for four
counties and ``build/province/counties.csv`` (code, name, ledger, size, what differs).
Options: ``--transactions N`` (the mean county size, default 3000), ``--years Y`` (3),
``--seed S``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fupin.synth_province import generate_province

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counties", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--transactions", type=int, default=3000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()
    planned = generate_province(
        args.counties, args.out, transactions=args.transactions, years=args.years, seed=args.seed
    )
    for c in planned:
        notes = []
        if c.industry_slots < 3:
            notes.append(f"产业项目 {c.industry_slots}/5")
        if c.idle:
            notes.append(f"闲置 {c.idle}")
        print(f"{c.code} {c.name}: {c.transactions} 笔 {' '.join(notes)}".rstrip())
    print(f"→ {args.out}/counties.csv")
