"""Benchmark: every notice of one round for a 669-village county (洛阳 scale, seed 004) to HTML+PDF.

Generates a ledger (one fund; per village an industry project and a household-level award
project through acceptance; their plan, site-sign, result and beneficiary notices; a private
register of 15 households per village with full fictional ID numbers; a county secret), then
times ``fupin.reports.notices.run`` writing one HTML file per notice and one PDF per village
(plus each beneficiary list's 明白卡). Target: ≤ 120 s on the 2-core reference machine.

    .venv/bin/python scripts/bench_notices.py [--villages 669] [--out /tmp/fupin-bench-notices]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from fupin import notice_key
from fupin.households import id_check_digit

TOWNS = ("城关", "石桥", "河口", "白云", "青龙", "望山", "柳泉", "松岭")
PER_VILLAGE = 15  # households on each award project's beneficiary list


def generate(out: Path, villages: int, seed: int = 669) -> Path:
    """Write ``out/main.beancount`` and its register; returns the ledger path."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "register").mkdir(parents=True)
    notice_key.generate(out / "register" / notice_key.KEY_NAME)
    head = [
        'option "operating_currency" "CNY"',
        'plugin "fupin.plugins"',
        '2023-01-01 custom "household-register" "register/households.csv"',
        '2023-01-01 custom "policy" "notice-phones" "县乡村振兴局 0379-6655123; 县财政局 0379-6655180"',
        '2023-01-01 custom "fund" "XJ-2023"\n  name: "2023年衔接推进乡村振兴补助资金"\n'
        '  family: "xianjie"\n  alloc_doc: "县财农〔2023〕1号"',
        "2023-01-01 open Assets:Treasury:XJ-2023 CNY",
        '2023-01-01 open Income:Fund:XJ-2023:Central CNY\n  name: "中央衔接资金"',
        '2023-01-01 open Income:Fund:XJ-2023:Provincial CNY\n  name: "省级衔接资金"',
        '2023-01-01 open Expenses:Industry:Livestock CNY\n  name: "产业发展-畜牧养殖"',
        '2023-01-01 open Expenses:Industry:Award CNY\n  name: "产业发展-到户产业奖补"',
        '2023-03-20 custom "notice" "N-2023-F01"\n  type: "fund_allocation"\n  level: "county"\n'
        '  subject: "XJ-2023"\n  channel: "website"\n  start: 2023-03-20\n'
        '  issuer: "县财政局 县乡村振兴局"',
    ]
    body: list[str] = []
    rows = ["id,township,village,group,head_name,id_number,phone,bank_account"]
    surnames, given = (
        "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗",
        "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英",
    )
    total = 0
    for v in range(villages):
        town = f"{TOWNS[v % len(TOWNS)]}{v // 40 + 1}镇"
        village = f"{TOWNS[(v // 8) % len(TOWNS)]}{v + 1}村"
        code = f"V{v + 1:04d}"
        amount = rng.randrange(300_000, 1_500_000, 1000)
        award = PER_VILLAGE * 1000
        total += amount + award
        for n, (kind, name, budget) in enumerate(
            (
                ("A", f"{village}肉牛养殖圈舍建设项目", amount),
                ("B", f"{village}到户产业奖补项目", award),
            )
        ):
            pid = f"P-2023-{v + 1:04d}{kind}"
            body.append(
                f'2023-01-10 custom "project" "{pid}"\n  name: "{name}"\n  category: "Industry"\n'
                f'  township: "{town}"\n  village: "{village}"\n  year: 2023\n  budget: {budget}.00 CNY\n'
                f'  implementer: "{village}股份经济合作社"\n  fund: "XJ-2023"\n'
                f'  targets: "带动脱贫户{rng.randrange(10, 60)}户增收"\n  content: "新建圈舍{rng.randrange(400, 3000)}平方米"\n'
                f'  beneficiaries: "脱贫户{PER_VILLAGE}户"\n  period: "2023-04 至 2023-10"'
            )
            stages = [
                ("2023-01-10", "proposed"),
                ("2023-02-10", "in_library"),
                ("2023-03-10", "approved"),
                ("2023-03-25", "procured"),
                ("2023-04-05", "in_progress"),
                ("2023-10-10", "completed"),
            ]
            for day, stage in stages:
                body.append(f'{day} custom "project-stage" "{pid}" "{stage}"')
            body.append(
                f'2023-10-20 custom "project-stage" "{pid}" "accepted"\n  settlement: {budget}.00 CNY'
            )
            nid = f"N-2023-{v + 1:04d}{kind}"
            board = '  channel: "board"\n'
            body.append(
                f'2023-01-12 custom "notice" "{nid}-P"\n  type: "project_plan"\n  level: "village"\n'
                f'  subject: "{pid}"\n{board}  start: 2023-01-12\n  end: 2023-01-21'
            )
            body.append(
                f'2023-10-22 custom "notice" "{nid}-R"\n  type: "project_result"\n  level: "village"\n'
                f'  subject: "{pid}"\n{board}  start: 2023-10-22\n  end: 2023-10-31'
            )
            if n == 0:
                body.append(
                    f'2023-04-05 custom "notice" "{nid}-S"\n  type: "site_sign"\n  level: "site"\n'
                    f'  subject: "{pid}"\n{board}  start: 2023-04-05'
                )
                body.append(
                    f'2023-06-01 * "施工单位" "{name} 进度款"\n  project: "{pid}"\n'
                    f"  Expenses:Industry:Livestock  {budget}.00 CNY\n  Assets:Treasury:XJ-2023"
                )
            else:
                legs = []
                for h in range(PER_VILLAGE):
                    hid = f"H-{code}-{h + 1}"
                    first17 = f"4103{v % 100:02d}19{rng.randrange(50, 99)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(0, 999):03d}"
                    person = rng.choice(surnames) + rng.choice(given) + rng.choice(given)
                    rows.append(
                        f"{hid},{town},{village},{h % 6 + 1}组,{person},{first17}{id_check_digit(first17)},,"
                    )
                    legs.append(f'  Expenses:Industry:Award  1000.00 CNY\n    household: "{hid}"')
                body.append(
                    f'2023-06-01 * "{town}财政所" "{name} 发放"\n  project: "{pid}"\n'
                    + "\n".join(legs)
                    + "\n  Assets:Treasury:XJ-2023"
                )
                body.append(
                    f'2023-06-05 custom "notice" "{nid}-B"\n  type: "beneficiaries"\n  level: "village"\n'
                    f'  subject: "{pid}"\n{board}  start: 2023-06-05\n  end: 2023-06-14'
                )
    central = total * 7 // 10
    head.append(
        f'2023-01-05 * "县财政局" "衔接资金下达"\n  Assets:Treasury:XJ-2023  {central}.00 CNY\n'
        "  Income:Fund:XJ-2023:Central"
    )
    head.append(
        f'2023-01-06 * "县财政局" "衔接资金下达"\n  Assets:Treasury:XJ-2023  {total - central}.00 CNY\n'
        "  Income:Fund:XJ-2023:Provincial"
    )
    (out / "register" / "households.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    ledger = out / "main.beancount"
    ledger.write_text("\n\n".join(head + body) + "\n", encoding="utf-8")
    return ledger


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=669)
    parser.add_argument("--out", type=Path, default=Path("/tmp/fupin-bench-notices"))
    parser.add_argument(
        "--kind",
        action="append",
        default=[],
        help="only this notice type (a round, e.g. project_plan); default: every notice",
    )
    parser.add_argument("--rounds", type=int, default=2, help="re-runs after one new payment")
    parser.add_argument(
        "--fava", type=int, default=0, help="instead: N concurrent Fava PDF downloads (sample)"
    )
    args = parser.parse_args()
    if args.fava:
        fava_downloads(args.fava)
        return
    ledger = generate(args.out / "ledger", args.villages)
    target = args.out / "notices"
    if target.exists():
        shutil.rmtree(target)
    kinds = ", ".join(args.kind) or "every type"
    cold = _round(ledger, target, args.kind)
    print(
        f"{args.villages} villages ({kinds}): {cold['entries']} entries; "
        f"{cold['notices']} notices + {cold['slips']} 明白卡, {cold['pages']} PDF pages, "
        f"{cold['files']} files"
    )
    _report("cold run", cold)
    for n in range(args.rounds):
        _new_payment(ledger, n)
        _report(f"re-run after one new payment ({n + 1})", _round(ledger, target, args.kind))
    _report("re-run, nothing changed", _round(ledger, target, args.kind))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (1 min)")


def _round(ledger: Path, target: Path, kinds: list[str]) -> dict[str, Any]:
    """One load and one notices run, in a fresh process (CPU and peak memory of its own)."""
    code = (
        "import json, resource, sys, time\n"
        "from fupin.load import load\n"
        "from fupin.reports.notices import run\n"
        "def cpu(who):\n"
        "    r = resource.getrusage(who)\n"
        "    return r.ru_utime + r.ru_stime\n"
        "c0 = cpu(resource.RUSAGE_SELF)\n"
        f"loaded = load({str(ledger)!r})\n"
        "c1 = cpu(resource.RUSAGE_SELF)\n"
        "rss_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"w = run(loaded, __import__('pathlib').Path({str(target)!r}), split='village',"
        f" kinds={kinds!r}, progress=False)\n"
        "c2 = cpu(resource.RUSAGE_SELF) + cpu(resource.RUSAGE_CHILDREN)\n"
        "notices = [k for k in w.files if not k.endswith('-明白卡')]\n"
        "print(json.dumps(dict(entries=len(loaded.entries), load_cpu=c1 - c0,"
        " notices_cpu=c2 - c1, notices=len(notices), slips=len(w.files) - len(notices),"
        " pages=sum(w.pages.values()), rendered=w.rendered, reused=w.reused,"
        " files=len({p for v in w.files.values() for p in v}),"
        " rss_main=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, rss_load=rss_load,"
        " rss_worker=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)))\n"
    )
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    return result


def _report(what: str, r: dict[str, Any]) -> None:
    print(
        f"{what}: load {r['load_cpu']:.1f} CPU-s; notices {r['notices_cpu']:.1f} CPU-s "
        f"({r['rendered']} PDF files laid out, {r['reused']} reused); {r['wall']:.1f} s wall; "
        f"peak RSS: worker {r['rss_worker'] / 1024:.0f} MiB, main {r['rss_main'] / 1024:.0f} MiB "
        f"(after load {r['rss_load'] / 1024:.0f} MiB)"
    )


def _new_payment(ledger: Path, n: int) -> None:
    """One more 1,000.00 award to a household of the first village (its list changes)."""
    with ledger.open("a", encoding="utf-8") as handle:
        handle.write(
            f'\n2023-06-0{2 + n} * "城关1镇财政所" "补发奖补 {n + 1}"\n'
            '  project: "P-2023-0001B"\n'
            "  Expenses:Industry:Award  1000.00 CNY\n"
            '    household: "H-V0001-1"\n'
            "  Assets:Treasury:XJ-2023\n"
        )


def fava_downloads(count: int) -> None:
    """Peak resident memory of Fava serving ``count`` PDF downloads at once (sample ledger)."""
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import quote

    from fupin.reports.fava.serve import make_app

    sample = Path(__file__).resolve().parents[1] / "ledger" / "main.beancount"
    app = make_app(sample)
    base = "/" + quote(app.config["LEDGERS"].first_slug())
    ids = [
        "N-2021-F01", "N-2021-P001-V", "N-2021-R001-V", "N-2021-S001",
        "N-2022-IP01", "N-2022-IR01", "N-2022-F01", "N-2021-F03",
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def get(ident: str) -> int:
        with app.test_client() as client:
            response = client.get(
                f"{base}/extension/FupinNotices/pdf", query_string={"notice": ident}
            )
            return len(response.data) if response.status_code == 200 else -response.status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(count) as pool:
        sizes = list(pool.map(get, [ids[i % len(ids)] for i in range(count)]))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"Fava: {count} concurrent PDF downloads, {sum(s > 0 for s in sizes)} PDFs "
        f"({sum(max(s, 0) for s in sizes) // 1024} KiB) in {time.perf_counter() - started:.1f} s; "
        f"peak RSS {peak / 1024:.0f} MiB (after load {before / 1024:.0f} MiB)"
    )


def _cpu() -> float:
    """CPU seconds of this process and its finished workers (wall time lies on a busy box)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


if __name__ == "__main__":
    main()
