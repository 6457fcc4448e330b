"""A deterministic province of generated county ledgers, to try the roll-up on (issue 16).

``generate_province(4, out)`` writes ``out/<code>/main.beancount`` for four counties with
:func:`fupin.synth.generate` and ``out/counties.csv`` listing them. The counties differ:
distinct fictional codes (province 99, which GB/T 2260 leaves unassigned: ``990101``,
``990102``, …), sizes between half and one and a half times ``transactions``, every third
county (the second, the fifth, …) under the industry share (one or two industry projects
in five), and every fourth (the third, the seventh, …) with money received and never spent
(K1 资金闲置). The same arguments give the same files, byte for byte.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from fupin.synth import generate

NAMES = (
    "东川", "西岭", "南溪", "北原", "清河", "白石", "红岩", "金沙", "玉泉", "松林",
    "桃源", "柳溪", "凤山", "云台", "石门", "长宁", "安平", "永和", "太和", "青川",
)  # fmt: skip
PROVINCE = "99"  # unassigned in GB/T 2260: a fictional province


@dataclass(frozen=True)
class County:
    """One generated county: its code, name and what makes it differ."""

    code: str
    name: str
    transactions: int
    industry_slots: int  # industry projects in every five (3 passes every default minimum)
    idle: Decimal  # received into the first year's fund and never spent
    seed: int

    @property
    def folder(self) -> str:
        return self.code


def plan(counties: int, transactions: int, *, seed: int = 2021) -> list[County]:
    """The counties of a province, before anything is written."""
    if counties < 1:
        raise ValueError("a province has at least one county")
    rng = random.Random(seed)
    out = []
    for i in range(counties):
        prefecture, number = divmod(i, 20)
        code = f"{PROVINCE}{prefecture + 1:02d}{number + 1:02d}"
        name = NAMES[i % len(NAMES)] + ("县" if i < len(NAMES) else f"{i // len(NAMES) + 1}县")
        size = max(200, int(transactions * rng.uniform(0.5, 1.5)))  # float-ok: a count
        slots = rng.choice((1, 2)) if i % 3 == 1 else 3
        idle = Decimal(rng.randrange(200_000, 2_000_000, 100)) if i % 4 == 2 else Decimal(0)
        out.append(County(code, name, size, slots, idle, seed + i))
    return out


def generate_province(
    counties: int, out: Path, *, transactions: int = 3000, years: int = 3, seed: int = 2021
) -> list[County]:
    """Write every county's ledger under ``out/<code>/`` and ``out/counties.csv``."""
    out.mkdir(parents=True, exist_ok=True)
    planned = plan(counties, transactions, seed=seed)
    for county in planned:
        generate(
            county.transactions,
            out / county.folder,
            years=years,
            seed=county.seed,
            industry_slots=county.industry_slots,
            idle=county.idle,
            title=f"{county.name}(虚构) 衔接资金台账",
        )
    with (out / "counties.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "ledger", "transactions", "industry_slots", "idle"])
        for c in planned:
            writer.writerow(
                [
                    c.code,
                    c.name,
                    f"{c.folder}/main.beancount",
                    c.transactions,
                    c.industry_slots,
                    c.idle,
                ]
            )
    return planned
