"""A deterministic generator of county-scale ledgers in the project's conventions.

Used by the benchmarks: ``generate(300_000, out)`` writes a clean ledger (every rule passes)
with about that many transactions: yearly 衔接资金 funds with receipts by level, and
thousands of projects each moving through every stage with a prepayment, monthly progress
payments, a final settlement withholding a quality deposit, and its release a year later.
Most of a county's vouchers are household payments, not project payments: about
``WAGE_SHARE`` of the transactions are monthly 公益岗位 (public-welfare job) wages to
registered households, from a yearly county fund received month by month, with a
fictional pseudonymous register (``register/``, no ID numbers) that the rules read. The
same seed gives the same files, byte for byte.
"""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

CENT = Decimal("0.01")
TOWNS = ("城关镇", "石桥镇", "河口镇", "白云乡", "青龙乡", "望山镇")
CATEGORIES = (
    ("Industry", "Expenses:Industry:Planting", "种植基地"),
    ("Industry", "Expenses:Industry:Livestock", "养殖圈舍"),
    ("Industry", "Expenses:Industry:Workshop", "扶贫车间"),
    ("Infrastructure", "Expenses:Infrastructure:Road", "道路硬化"),
    ("Infrastructure", "Expenses:Infrastructure:Water", "安全饮水"),
)
LEVELS = ("Central", "Provincial", "County")
PROGRESS = 14  # progress payments per project: ~18 transactions per project in all
WAGE_SHARE = 0.6  # share of transactions that are monthly wages to households
WAGE = Decimal("600.00")  # 公益岗位补贴 per month


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def generate(
    n_transactions: int,
    out_dir: Path,
    *,
    years: int = 5,
    seed: int = 2021,
    industry_slots: int = 3,
    idle: Decimal = Decimal(0),
    title: str | None = None,
) -> Path:
    """Write ``out_dir/main.beancount`` (with the plugin) and ``main-noplugin.beancount``.

    ``industry_slots`` of every five projects are industry projects (3: about 60% of the
    money, above every default minimum; 1 or 2 put the county under the industry share).
    ``idle`` is an extra receipt into the first year's fund that is never spent (K1 资金闲置).
    ``title`` becomes the ledger's ``option "title"``. The defaults write the same bytes as
    before these options existed.
    """
    if not 0 <= industry_slots <= 5:
        raise ValueError(f"industry_slots is 0..5, not {industry_slots}")
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    per_project = PROGRESS + 3  # prepayment + progress + final + deposit release
    wages = int(n_transactions * WAGE_SHARE)
    households = max(1, wages // (12 * years))
    projects_per_year = max(1, (n_transactions - wages) // (per_project * years))
    first = 2021
    accounts = ['option "operating_currency" "CNY"\n']
    for category, account, name in CATEGORIES:
        accounts.append(f'2020-01-01 open {account} CNY\n  name: "{category}-{name}"\n')
    accounts.append('2020-01-01 open Expenses:ManagementFee CNY\n  name: "项目管理费"\n')
    files = []
    for year in range(first, first + years):
        fund = f"XJ-{year}"
        for kind in ("Treasury", "Prepayment"):
            accounts.append(
                f'2020-01-01 open Assets:{kind}:{fund} CNY\n  name: "{year}年衔接资金"\n'
            )
        accounts.append(
            f'2020-01-01 open Liabilities:QualityDeposit:{fund} CNY\n  name: "质保金"\n'
        )
        for level in LEVELS:
            accounts.append(f'2020-01-01 open Income:Fund:{fund}:{level} CNY\n  name: "{level}"\n')
        name = f"year-{year}.beancount"
        text = _year(
            rng, year, fund, projects_per_year, last=year == first + years - 1, slots=industry_slots
        )
        if idle and year == first:
            text += _idle_receipt(year, fund, idle)
        (out_dir / name).write_text(text, encoding="utf-8")
        files.append(name)
    accounts.append(
        '2020-01-01 open Expenses:Benefit:PublicWelfareJob CNY\n  name: "公益岗位补贴"\n'
    )
    for year in range(first, first + years):
        fund = f"GW-{year}"
        accounts.append(
            f'2020-01-01 open Assets:Treasury:{fund} CNY\n  name: "{year}年公益岗位资金"\n'
        )
        accounts.append(f'2020-01-01 open Income:Fund:{fund}:County CNY\n  name: "县级财政"\n')
        name = f"wages-{year}.beancount"
        (out_dir / name).write_text(_wages(year, fund, households), encoding="utf-8")
        files.append(name)
    _register(out_dir / "register", households)
    accounts.append('2020-01-01 custom "household-register" "register/households.csv"\n')
    (out_dir / "accounts.beancount").write_text("\n".join(accounts), encoding="utf-8")
    includes = "".join(f'include "{name}"\n' for name in ["accounts.beancount", *files])
    (out_dir / "main-noplugin.beancount").write_text(
        'option "operating_currency" "CNY"\n' + includes, encoding="utf-8"
    )
    main = out_dir / "main.beancount"
    head = f'option "title" "{title}"\n' if title else ""
    main.write_text(
        head + 'option "operating_currency" "CNY"\nplugin "fupin.plugins"\n' + includes,
        encoding="utf-8",
    )
    return main


def _household(n: int) -> tuple[str, str, str]:
    """(id, township, village): the id's village code names that one village."""
    town, village = n % len(TOWNS), n % 40 + 1
    name = TOWNS[town]
    return f"H-G{town}{village:02d}-{n // 40 + 1:04d}", name, f"{name[:2]}{village}村"


def _register(folder: Path, count: int) -> None:
    """A fictional pseudonymous register: households lifted out of poverty in 2019."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["id,township,village,group,head_name,attribute,cause,cadre"]
    members = ["household,seq,name,relation,insured,chronic"]
    events = ["household,date,event,category,doc"]
    for n in range(count):
        ident, town, village = _household(n)
        rows.append(
            f"{ident},{town},{village},{n % 6 + 1}组,户主{n},general,lack_skills,帮扶干部{n % 50}"
        )
        members.append(f"{ident},1,户主{n},户主,0,0")
        events.append(f"{ident},2016-10-20,identified,registered,青乡振监〔2016〕1号")
        events.append(f"{ident},2019-12-20,lifted,,")
    for name, lines in (("households", rows), ("members", members), ("events", events)):
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _wages(year: int, fund: str, count: int) -> str:
    """One county fund a year paying each household's 公益岗位 wage every month."""
    out = [
        f'{year}-01-01 custom "fund" "{fund}"\n  name: "{year}年县级公益岗位补助资金"\n'
        f'  family: "county"\n  year: {year}\n'
    ]
    for month in range(1, 13):
        out.append(
            f'{year}-{month:02d}-01 * "县财政局" "{year}年{month}月公益岗位补助资金"\n'
            f'  voucher: "{fund}-in-{month:02d}"\n  Assets:Treasury:{fund}  {WAGE * count} CNY\n'
            f"  Income:Fund:{fund}:County\n"
        )
        for n in range(count):
            ident = _household(n)[0]
            out.append(
                f'{year}-{month:02d}-{n % 20 + 5:02d} * "{year}年{month}月公益岗位补贴"\n'
                f'  household: "{ident}"\n  basis: "公益岗位协议 {ident}"\n  period: "{year}-{month:02d}"\n'
                f'  voucher: "{fund}-{month:02d}-{n:05d}"\n'
                f"  Expenses:Benefit:PublicWelfareJob  {WAGE} CNY\n  Assets:Treasury:{fund}\n"
            )
    return "\n".join(out)


def _asset(
    pid: str,
    category: str,
    label: str,
    town: str,
    village: str,
    value: Decimal,
    accepted: datetime.date,
) -> str:
    """The asset an accepted project leaves, registered a week later with its rights."""
    ident = f"A-{pid[2:]}"
    day = accepted + datetime.timedelta(days=7)
    operating = category == "Industry"
    head = (
        f'{day} custom "asset" "{ident}"\n  name: "{village}{label}"\n'
        f'  class: "{"operating" if operating else "public_welfare"}"\n  form: "fixed"\n'
        f'  projects: "{pid}"\n  township: "{town}"\n  village: "{village}"\n'
        f'  quantity: 1\n  unit: "处"\n  funding: "Central={value}"\n'
        f"  accepted: {accepted}\n  handover: {day}\n"
    )
    owner = f"{village}股份经济合作社"
    rights = [
        ("ownership", owner, "village_collective"),
        ("supervision", f"{village}村务监督委员会", "committee"),
    ]
    if operating:
        rights += [
            ("operation", owner, "village_collective"),
            ("income", owner, "village_collective"),
        ]
    else:
        rights.append(("custody", f"{village}村民委员会", "village_committee"))
    return head + "".join(
        f'\n{day} custom "asset-right" "{ident}" "{right}"\n  holder: "{holder}"\n'
        f'  holder_type: "{kind}"\n'
        for right, holder, kind in rights
    )


def _idle_receipt(year: int, fund: str, amount: Decimal) -> str:
    """Money received into ``fund`` early in its year that no payment ever uses (K1)."""
    return (
        f'\n{year}-01-04 * "省财政厅" "{year}年衔接资金追加下达(未安排项目)"\n'
        f'  alloc_doc: "省财农〔{year}〕99号"\n  voucher: "{fund}-alloc-idle"\n'
        f"  Assets:Treasury:{fund}  {_q(amount)} CNY\n  Income:Fund:{fund}:Provincial\n"
    )


def _year(rng: random.Random, year: int, fund: str, count: int, last: bool, slots: int = 3) -> str:
    """One budget year: the fund, its projects and their payments; receipts cover them."""
    out: list[str] = [
        f'{year}-01-01 custom "fund" "{fund}"\n  name: "{year}年衔接推进乡村振兴补助资金"\n'
        f'  family: "xianjie"\n  year: {year}\n  alloc_doc: "青财农〔{year}〕1号"\n'
    ]
    total = Decimal(0)
    deposits: list[str] = []
    voucher = 0
    for i in range(count):
        # slots of five are industry; the others alternate road and water (3 → i % 5)
        category, account, label = CATEGORIES[0 if i % 5 < slots else 3 + (i % 5 + 1) % 2]
        pid = f"P-{year}-{i + 1:05d}"
        contract = Decimal(rng.randrange(50_000, 2_000_000, 100))
        town = TOWNS[i % len(TOWNS)]
        village = f"{town[:2]}{i % 40 + 1}村"
        day = datetime.date(year, 1, 2) + datetime.timedelta(days=i % 20)
        out.append(
            f'{day} custom "project" "{pid}"\n  name: "{village}{label}项目"\n'
            f'  category: "{category}"\n  township: "{town}"\n  village: "{village}"\n'
            f'  year: {year}\n  budget: {contract} CNY\n  implementer: "{village}股份经济合作社"\n'
            f'  targets: "带动脱贫户{rng.randrange(5, 60)}户"\n'
            '  beneficiaries: "脱贫户"\n  linkage: "务工+分红"\n'  # K8 (issue 7)
            f'  fund: "{fund}"\n  content: "{label}建设"\n  period: "{year}年3月至11月"\n'
        )
        plan_end = datetime.date(year, 2, day.day) - datetime.timedelta(days=1)
        out.append(
            f'{plan_end - datetime.timedelta(days=9)} custom "notice" "N-{pid}-P"\n'
            f'  type: "project_plan"\n  level: "village"\n  subject: "{pid}"\n'
            f'  channel: "board"\n  start: {plan_end - datetime.timedelta(days=9)}\n'
            f"  end: {plan_end}\n"
        )
        for month, stage in ((1, "in_library"), (2, "approved"), (3, "procured")):
            extra = f"  contract_amount: {contract} CNY\n" if stage == "procured" else ""
            out.append(
                f'{year}-0{month + 1}-{day.day:02d} custom "project-stage" "{pid}" "{stage}"\n{extra}'
            )
        prepay = _q(contract * Decimal("0.2"))
        progress = _q(contract * Decimal("0.5") / PROGRESS)
        deposit = _q(contract * Decimal("0.03"))
        rest = contract - progress * PROGRESS
        pays = [
            (
                datetime.date(year, 4, day.day),
                "prepayment",
                f"  Assets:Prepayment:{fund}  {prepay} CNY\n",
            )
        ]
        for k in range(PROGRESS):
            when = datetime.date(year, 4, day.day) + datetime.timedelta(days=10 + k * 12)
            pays.append((when, "progress", f"  {account}  {progress} CNY\n"))
        accepted = datetime.date(year, 11, day.day)
        out.append(
            f'{accepted} custom "project-stage" "{pid}" "accepted"\n  settlement: {contract} CNY\n'
        )
        result = accepted + datetime.timedelta(days=3)
        out.append(
            f'{result} custom "notice" "N-{pid}-R"\n  type: "project_result"\n  level: "village"\n'
            f'  subject: "{pid}"\n  channel: "board"\n  start: {result}\n'
            f"  end: {result + datetime.timedelta(days=9)}\n"
        )
        out.append(_asset(pid, category, label, town, village, contract, accepted))
        final = (
            f"  {account}  {rest} CNY\n  Assets:Prepayment:{fund}  -{prepay} CNY\n"
            f"  Liabilities:QualityDeposit:{fund}  -{deposit} CNY\n"
        )
        pays.append((datetime.date(year, 12, day.day), "final", final))
        for when, kind, legs in pays:
            voucher += 1
            out.append(
                f'{when} * "施工单位{i % 97}" "{pid} {kind}"\n  project: "{pid}"\n  payment: "{kind}"\n'
                f'  voucher: "{fund}-{voucher:07d}"\n{legs}  Assets:Treasury:{fund}\n'
            )
        if not last:
            voucher += 1
            deposits.append(
                f'{year + 1}-12-{day.day:02d} * "施工单位{i % 97}" "{pid} 质保金退还"\n'
                f'  project: "{pid}"\n  payment: "deposit"\n  voucher: "{fund}-{voucher:07d}"\n'
                f"  Liabilities:QualityDeposit:{fund}  {deposit} CNY\n  Assets:Treasury:{fund}\n"
            )
        total += contract
    fee = _q(total * Decimal("0.005"))
    out.append(
        f'{year}-12-28 * "县乡村振兴局" "项目管理费"\n  voucher: "{fund}-fee"\n'
        f"  Expenses:ManagementFee  {fee} CNY\n  Assets:Treasury:{fund}\n"
    )
    received = total + fee
    out.append(
        f'{year}-03-25 custom "notice" "N-{fund}-F"\n  type: "fund_allocation"\n'
        f'  level: "county"\n  subject: "{fund}"\n  channel: "website"\n  start: {year}-03-25\n'
        '  issuer: "县财政局 县乡村振兴局"\n'
    )
    shares = (Decimal("0.6"), Decimal("0.3"))
    parts = [_q(received * s) for s in shares]
    parts.append(received - sum(parts))
    for n, (level, amount) in enumerate(zip(LEVELS, parts, strict=True)):
        out.append(
            f'{year}-01-0{n + 1} * "县财政局" "{year}年衔接资金下达 {level}"\n'
            f'  alloc_doc: "青财农〔{year}〕{n + 1}号"\n  voucher: "{fund}-alloc-{n}"\n'
            f"  Assets:Treasury:{fund}  {amount} CNY\n  Income:Fund:{fund}:{level}\n"
        )
    return "\n".join(out + deposits)


def split_monthly(main: Path, name: str = "main-monthly.beancount") -> Path:
    """The generated ledger of ``main`` again, its yearly files cut into one file per month.

    Writes ``monthly/<file>-<YYYY-MM>.beancount`` next to ``main`` and a top file ``name``
    (plugin line kept) that includes them in order: the same entries, spread over the
    ~120 files of a county that keeps a file per month (the incremental re-check's case).
    """
    folder = main.parent
    head: list[str] = []
    includes: list[str] = []
    for line in main.read_text(encoding="utf-8").splitlines():
        if not line.startswith("include "):
            head.append(line)
            continue
        source = line.split('"')[1]
        if not source.startswith(("year-", "wages-")):
            includes.append(source)
            continue
        months: dict[str, list[str]] = {}
        for block in (folder / source).read_text(encoding="utf-8").split("\n\n"):
            if block.strip():
                months.setdefault(block.lstrip()[:7], []).append(block.strip("\n") + "\n")
        (folder / "monthly").mkdir(exist_ok=True)
        stem = source.removesuffix(".beancount")
        for month in sorted(months):
            part = f"monthly/{stem}-{month}.beancount"
            (folder / part).write_text("\n".join(months[month]), encoding="utf-8")
            includes.append(part)
    top = folder / name
    top.write_text("\n".join(head) + "\n" + "".join(f'include "{i}"\n' for i in includes))
    return top
