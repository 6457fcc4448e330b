"""Generate the sample county's fictional household register and benefit payments (issue 6).

Deterministic (fixed seed). Writes:

* ``ledger/register/{households,members,events}.csv`` — 216 fictional households in the six
  sample villages (names, ID numbers, phones and accounts are invented; ID numbers use the
  non-existent area code 999901 and a valid GB 11643 check digit);
* ``ledger/benefits-2021.beancount`` and ``ledger/benefits-2022.beancount`` — the benefit
  payments by formula out of the county special fund SF-2021, spending it exactly;
* ``tests/households/fixtures/seed228/register/*.csv`` — a register built to the seed's
  228 households / 479 persons by poverty cause [seed 000_33b9fa698911b5ee.txt].

Run: ``.venv/bin/python scripts/gen_households.py --force`` (it overwrites files edited by hand since:
the 2023 monitoring events; check ``git diff`` after).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from fupin.households import (
    EVENT_FIELDS,
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    add_months,
    id_check_digit,
    load_register,
)
from fupin.policy import DEFAULT_POLICY as POLICY

ROOT = Path(__file__).resolve().parent.parent
D = datetime.date
FUND = "SF-2021"
FUND_TOTAL = Decimal("1000000.00")
VILLAGES = [
    ("城关镇", "青山村", "QS"),
    ("城关镇", "河湾村", "HW"),
    ("城关镇", "柳林村", "LL"),
    ("石桥镇", "石桥村", "SQ"),
    ("石桥镇", "杨庄村", "YZ"),
    ("石桥镇", "北坡村", "BP"),
]
PER_VILLAGE = 36
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "建国秀英桂兰玉兰志强海燕春梅明华国强丽娟德胜淑珍红梅文斌金凤永刚小燕子豪欣怡宇轩梓涵浩然雨桐佳怡俊杰思远一鸣晓东"
CAUSE_WEIGHTS = [
    ("illness", 38),
    ("disability", 12),
    ("lack_skills", 15),
    ("lack_labour", 10),
    ("schooling", 6),
    ("lack_capital", 8),
    ("disaster", 3),
    ("lack_land", 2),
    ("lack_water", 1),
    ("poor_transport", 2),
    ("low_motivation", 2),
    ("other", 1),
]
CADRES = [
    "县财政局 王晓明",
    "县乡村振兴局 李红",
    "县教育局 赵磊",
    "县卫健委 孙敏",
    "镇政府 周海",
    "驻村工作队 吴迪",
]


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def id_number(rng: random.Random, birth: D, sex: str) -> str:
    seq = rng.randrange(0, 50) * 2 + (1 if sex == "男" else 0)
    first = f"999901{birth:%Y%m%d}{rng.randrange(0, 10)}{seq:02d}"
    return first + id_check_digit(first)


@dataclass
class Person:
    seq: int
    name: str
    relation: str
    birth: D
    sex: str
    college: str = ""  # "undergrad" | "college" | "" for an 18-year-old
    insured: bool = True
    chronic: bool = False
    id_number: str = ""

    def stage(self, year: int) -> str | None:
        age = year - self.birth.year
        if 3 <= age <= 5:
            return "preschool"
        if 6 <= age <= 14:
            return "compulsory"
        if 15 <= age <= 17:
            return "senior_secondary"
        if age == 18 and self.college:
            return f"{self.college}_new"
        return None


@dataclass
class Hh:
    id: str
    township: str
    village: str
    group: str
    attribute: str
    cause: str
    other: list[str]
    cadre: str
    income: Decimal
    people: list[Person] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)


def make_people(rng: random.Random, size: int, cause: str) -> list[Person]:
    head_birth = D(rng.randint(1950, 1985), rng.randint(1, 12), rng.randint(1, 28))
    sex = rng.choice("男男男女")
    people = [Person(1, name(rng), "户主", head_birth, sex)]
    if size >= 2:
        people.append(
            Person(
                2,
                name(rng),
                "配偶",
                head_birth + datetime.timedelta(days=rng.randint(-900, 900)),
                "女" if sex == "男" else "男",
            )
        )
    for seq in range(len(people) + 1, size + 1):
        if head_birth.year < 1962 and rng.random() < 0.5:
            birth = D(rng.randint(2004, 2018), rng.randint(1, 12), rng.randint(1, 28))
            relation = "孙子女"
        else:
            birth = D(max(head_birth.year + 20, 1996), 1, 1) + datetime.timedelta(
                days=rng.randint(0, 365 * 22)
            )
            birth = min(birth, D(2019, 6, 30))
            relation = "子女"
        college = ""
        if birth.year in (2003, 2004) and rng.random() < 0.6:
            college = rng.choice(("undergrad", "undergrad", "college"))
        people.append(Person(seq, name(rng), relation, birth, rng.choice("男女"), college))
    for person in people:
        person.insured = rng.random() > 0.03
        person.id_number = id_number(rng, person.birth, person.sex)
    adults = [p for p in people if 2021 - p.birth.year >= 40]
    if adults and rng.random() < (0.4 if cause == "illness" else 0.05):
        rng.choice(adults).chronic = True
    return people


def make_households(rng: random.Random) -> list[Hh]:
    causes = [c for c, w in CAUSE_WEIGHTS for _ in range(w)]
    out: list[Hh] = []
    for township, village, code in VILLAGES:
        for n in range(1, PER_VILLAGE + 1):
            cause = rng.choice(causes)
            other = sorted({rng.choice(causes) for _ in range(rng.randint(0, 2))} - {cause})
            attribute = rng.choices(("general", "dibao", "extreme"), (70, 24, 6))[0]
            size = rng.choices((1, 2, 3, 4, 5), (22, 36, 22, 14, 6))[0]
            if attribute == "extreme":
                size = 1
            hh = Hh(
                f"H-{code}-{n:03d}",
                township,
                village,
                f"{rng.randint(1, 5)}组",
                attribute,
                cause,
                other,
                rng.choice(CADRES),
                Decimal(rng.randrange(5600, 14000, 10)),
                make_people(rng, size, cause),
            )
            roll = rng.random()
            if roll < 0.80 or n <= 2:  # 建档立卡, lifted by 2020
                hh.events.append(
                    (
                        D(rng.choice((2014, 2015, 2016)), 10, rng.randint(8, 28)),
                        "identified",
                        "registered",
                        "",
                        "建档立卡识别",
                    )
                )
                hh.events.append(
                    (
                        D(rng.randint(2016, 2020), 12, rng.randint(1, 20)),
                        "lifted",
                        "",
                        "",
                        "脱贫退出",
                    )
                )
                if roll < 0.08:  # 脱贫不稳定户
                    start = D(2021, rng.randint(2, 6), rng.randint(1, 28))
                    hh.events.append((start, "monitored", "unstable_lifted", "", "纳入监测"))
                    if rng.random() < 0.6:
                        cleared = add_months(start, rng.randint(7, 10))
                        months = 12 if hh.attribute == "dibao" else rng.choice((6, 12))
                        hh.events.append((cleared, "risk_cleared", "", str(months), "风险消除"))
            elif roll < 0.93:  # 边缘易致贫户 (一般农户)
                hh.income = Decimal(rng.randrange(6500, 9000, 10))
                start = D(rng.choice((2021, 2021, 2022)), rng.randint(2, 8), rng.randint(1, 28))
                hh.events.append((start, "monitored", "marginal", "", "纳入监测"))
                if start.year == 2021 and rng.random() < 0.7:
                    cleared = add_months(start, rng.randint(6, 9))
                    months = 12 if hh.attribute == "dibao" else rng.choice((6, 6, 12))
                    hh.events.append((cleared, "risk_cleared", "", str(months), "风险消除"))
            else:  # 突发严重困难户
                start = D(rng.choice((2021, 2022)), rng.randint(3, 9), rng.randint(1, 28))
                hh.events.append((start, "monitored", "sudden_hardship", "", "因病因灾纳入监测"))
            if rng.random() < 0.02 and hh.events[-1][1] == "lifted":
                hh.events.append(
                    (
                        D(2022, rng.randint(3, 8), rng.randint(1, 28)),
                        "removed",
                        "",
                        "",
                        "户主死亡, 销户",
                    )
                )
            for i, (date, kind, cat, months, note) in enumerate(hh.events):
                doc = f"青乡振监〔{date.year}〕{rng.randint(1, 60)}号" if kind != "lifted" else ""
                hh.events[i] = (date, kind, cat, months, doc, note)
            out.append(hh)
    return out


def write_register(households: list[Hh], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    with (folder / "households.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HOUSEHOLD_FIELDS)
        for hh in households:
            head = hh.people[0]
            w.writerow(
                [
                    hh.id,
                    hh.township,
                    hh.village,
                    hh.group,
                    head.name,
                    head.id_number,
                    f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
                    f"6228{rng.randrange(10**14, 10**15)}",
                    hh.attribute,
                    hh.cause,
                    " ".join(hh.other),
                    hh.cadre,
                    hh.income,
                    "",
                ]
            )
    with (folder / "members.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(MEMBER_FIELDS)
        for hh in households:
            for p in hh.people:
                stages = {y: p.stage(y) for y in (2021, 2022)}
                history = " ".join(f"{y}={s}" for y, s in stages.items() if s)
                w.writerow(
                    [
                        hh.id,
                        p.seq,
                        p.name,
                        p.id_number,
                        p.relation,
                        stages[2022] or "",
                        history,
                        int(p.insured),
                        int(p.chronic),
                        "",
                        "",
                    ]
                )
    with (folder / "events.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(EVENT_FIELDS)
        for hh in households:
            for date, kind, cat, months, doc, note in hh.events:
                w.writerow([hh.id, date, kind, cat, months, doc, note])


# -- payments -------------------------------------------------------------------------------
@dataclass
class Post:
    account: str
    amount: Decimal
    household: str
    member: int | None = None
    self_paid: Decimal | None = None
    year: int | None = None


def pay_day(status_ok, preferred: D) -> D | None:
    """The preferred day if eligible, else the nearest eligible day of that year."""
    if status_ok(preferred):
        return preferred
    for delta in range(1, 366):
        for day in (
            preferred - datetime.timedelta(days=delta),
            preferred + datetime.timedelta(days=delta),
        ):
            if day.year == preferred.year and status_ok(day) and day <= D(preferred.year, 12, 28):
                return day
    return None


EDU_ACCOUNT = {
    "preschool": "Preschool",
    "compulsory": "Compulsory",
    "senior_secondary": "SeniorSecondary",
    "undergrad_new": "UndergradNew",
    "college_new": "CollegeNew",
}


def build_payments(
    households: list[Hh], register_path: Path, rng: random.Random
) -> dict[tuple[D, str, str], list[Post]]:
    register = load_register(register_path)
    statuses = POLICY.benefit_statuses
    groups: dict[tuple[D, str, str], list[Post]] = defaultdict(list)
    for hh in households:
        reg = register.households[hh.id]

        def ok(day: D, reg=reg) -> bool:
            return reg.status_on(day) in statuses

        for year in (2021, 2022):
            # premium subsidy (医保个人缴费补贴), one roll in March
            insured = sum(1 for p in hh.people if p.insured)
            day = pay_day(ok, D(year, 3, 15))
            if day and insured:
                groups[(day, "premium", hh.village)].append(
                    Post(
                        "Medical:PremiumSubsidy", POLICY.medical_premium * insured, hh.id, year=year
                    )
                )
            # education aid (autumn roll) and entry grants (September)
            for p in hh.people:
                stage = p.stage(year)
                if not stage:
                    continue
                day = pay_day(ok, D(year, 9, 26))
                if day is None:
                    continue
                rate = {
                    "preschool": POLICY.edu_aid_preschool,
                    "compulsory": POLICY.edu_aid_compulsory,
                    "senior_secondary": POLICY.edu_aid_senior_secondary,
                    "undergrad_new": POLICY.edu_grant_undergrad_new,
                    "college_new": POLICY.edu_grant_college_new,
                }[stage]
                kind = "grant" if stage.endswith("_new") else "edu"
                groups[(day, kind, hh.village)].append(
                    Post(f"Education:{EDU_ACCOUNT[stage]}", rate, hh.id, p.seq, year=year)
                )
            # chronic-disease aid: quarterly claims, paid incrementally
            for p in hh.people:
                if not p.chronic:
                    continue
                spent = paid = Decimal(0)
                pending = Decimal(0)
                for quarter in range(4):
                    bills = (
                        Decimal(rng.randrange(800, 6000, 1)) + Decimal(rng.randrange(0, 100)) / 100
                    )
                    spent += bills
                    pending += bills
                    due = min(
                        max(Decimal(0), spent - POLICY.chronic_aid_deductible)
                        * POLICY.chronic_aid_rate,
                        POLICY.chronic_aid_cap,
                    )
                    due = due.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
                    day = pay_day(ok, D(year, 3 * quarter + 3, 25))
                    if due - paid > 0 and day is not None and day.month >= 3 * quarter + 1:
                        groups[(day, "chronic", hh.village)].append(
                            Post(
                                "Medical:ChronicDisease",
                                due - paid,
                                hh.id,
                                p.seq,
                                self_paid=pending,
                            )
                        )
                        paid, pending = due, Decimal(0)
    return groups


TITLES = {
    "premium": (
        "青山县医疗保障局",
        "城乡居民医保个人缴费财政补贴",
        "青医保〔{y}〕6号 脱贫人口和监测对象参保资助名单",
    ),
    "edu": (
        "青山县教育局",
        "建档立卡家庭学生教育资助",
        "青教助〔{y}〕12号 家庭经济困难学生资助名单",
    ),
    "grant": ("青山县教育局", "高校新生一次性入学补助", "青教助〔{y}〕13号 高校新生入学资助名单"),
    "chronic": (
        "青山县医疗保障局",
        "慢性病救助(目录内自付超3000元部分按50%补助)",
        "青医保〔{y}〕9号 慢性病救助审核表",
    ),
}


def render(
    groups: dict[tuple[D, str, str], list[Post]],
    year: int,
    counter: list[int],
    insurance: tuple[D, int],
) -> list[str]:
    out: list[str] = []
    items = sorted((k, v) for k, v in groups.items() if k[0].year == year)
    ins_day, population = insurance
    ins_done = False
    for (day, kind, village), posts in items:
        if not ins_done and day > ins_day:
            out += insurance_txn(year, ins_day, population, counter)
            ins_done = True
        payee, what, basis = TITLES[kind]
        counter[0] += 1
        total = sum((p.amount for p in posts), Decimal(0))
        out.append(f'{day} * "{payee}" "{village} {year}年{what}"')
        out.append(f'  basis: "{basis.format(y=year)}"')
        out.append(f'  voucher: "记-{year}-B{counter[0]:03d}"')
        for p in posts:
            out.append(f"  Expenses:Benefit:{p.account}  {p.amount:.2f} CNY")
            out.append(f'    household: "{p.household}"')
            if p.member is not None:
                out.append(f"    member: {p.member}")
            if p.self_paid is not None:
                out.append(f"    self_paid: {p.self_paid:.2f} CNY")
            if p.year is not None and p.year != day.year:
                out.append(f"    year: {p.year}")
        out.append(f"  Assets:Treasury:{FUND}  {-total:.2f} CNY")
        out.append("")
    if not ins_done:
        out += insurance_txn(year, ins_day, population, counter)
    return out


def insurance_amount(population: int) -> Decimal:
    people = (Decimal(population) * POLICY.anti_poverty_insurance_share).quantize(
        Decimal(1), rounding="ROUND_HALF_UP"
    )
    return people * POLICY.anti_poverty_insurance_premium


def insurance_txn(year: int, day: D, population: int, counter: list[int]) -> list[str]:
    counter[0] += 1
    amount = insurance_amount(population)
    return [
        f'{day} * "中国人寿保险股份有限公司青山县支公司" "{year}年度精准防贫保险保费"',
        f'  basis: "青政办〔{year}〕8号 精准防贫保险实施方案; 保险合同 FPBX-{year}-01"',
        f"  rural_population: {population}",
        f'  voucher: "记-{year}-B{counter[0]:03d}"',
        f"  Expenses:Insurance:AntiPoverty  {amount:.2f} CNY",
        f"  Assets:Treasury:{FUND}  {-amount:.2f} CNY",
        "",
    ]


HEAD_2021 = """; 青山县 到户补助 2021 年度 (issue 6): 教育资助、高校新生入学补助、慢性病救助、医保个人缴费补贴、
; 精准防贫保险。全部由县专项扶贫基金 SF-2021 支付 (seed 000: 慢性病救助由专项扶贫基金支付)。
; 农户以化名编号 H-<村代码>-<序号> 记账; 姓名、身份证号等只在 register/ 农户信息库中。
; Generated by scripts/gen_households.py (deterministic); the rules are plugins/benefits.py.

2021-01-01 open Expenses:Benefit:Education:Preschool CNY
  name: "教育资助-学前教育"
2021-01-01 open Expenses:Benefit:Education:Compulsory CNY
  name: "教育资助-义务教育"
2021-01-01 open Expenses:Benefit:Education:SeniorSecondary CNY
  name: "教育资助-高中阶段"
2021-01-01 open Expenses:Benefit:Education:UndergradNew CNY
  name: "教育资助-本科新生入学补助"
2021-01-01 open Expenses:Benefit:Education:CollegeNew CNY
  name: "教育资助-专科新生入学补助"
2021-01-01 open Expenses:Benefit:Medical:ChronicDisease CNY
  name: "慢性病救助"
2021-01-01 open Expenses:Benefit:Medical:PremiumSubsidy CNY
  name: "城乡居民医保个人缴费补贴"
2021-01-01 open Expenses:Insurance:AntiPoverty CNY
  name: "精准防贫保险保费"

; 防贫保险保费是全县统一投保, 不属于某个项目 (B24)
2021-01-01 custom "policy" "no-project-categories" "ManagementFee Insurance"
  source: "精准防贫保险由县级财政统一投保 (seed 002_614e7ab1822f3d29.txt)"

"""

HEAD_2022 = """; 青山县 到户补助 2022 年度 (issue 6), 由县专项扶贫基金 SF-2021 支付, 至年末用完。
; Generated by scripts/gen_households.py (deterministic); the rules are plugins/benefits.py.

"""


def tune(groups: dict[tuple[D, str, str], list[Post]], target: Decimal) -> None:
    """Raise the last chronic claims of the year (2022 first) so SF-2021 is spent exactly."""
    total = sum((p.amount for posts in groups.values() for p in posts), Decimal(0))
    total += insurance_amount(INS_2021[1]) + insurance_amount(INS_2022[1])
    gap = target - total
    if gap < 0:
        raise SystemExit(f"benefits exceed the fund by {-gap}")
    last: dict[tuple[int, str, int | None], Post] = {}
    paid: dict[tuple[int, str, int | None], Decimal] = defaultdict(Decimal)
    for key in sorted(k for k in groups if k[1] == "chronic"):
        for post in groups[key]:
            person = (key[0].year, post.household, post.member)
            last[person] = post
            paid[person] += post.amount
    for person, post in sorted(last.items(), key=lambda kv: (-kv[0][0], kv[0][1:])):
        room = POLICY.chronic_aid_cap - paid[person] - Decimal(RNG.randrange(300, 6000))
        step = min(gap, room)
        if step <= 0:
            continue
        post.amount += step
        post.self_paid = (post.self_paid or Decimal(0)) + step * 2
        gap -= step
        if not gap:
            return
    raise SystemExit(f"cannot place {gap} on chronic claims")


RNG = random.Random(15000)
INS_2021 = (D(2021, 4, 20), 12350)
INS_2022 = (D(2022, 4, 20), 12130)


def seed228(folder: Path) -> None:
    """The seed's 228 households / 479 persons by cause (昆都仑区, seed 000)."""
    rng = random.Random(228)
    rows = [
        ("lack_skills", 52, 159),
        ("schooling", 5, 11),
        ("illness", 142, 264),
        ("other", 29, 45),
    ]
    households: list[Hh] = []
    n = 0
    for cause, count, persons in rows:
        sizes = [persons // count] * count
        for i in range(persons - sum(sizes)):
            sizes[i] += 1
        for size in sizes:
            n += 1
            township, village, code = VILLAGES[n % len(VILLAGES)]
            hh = Hh(
                f"H-{code}-{n:03d}",
                township,
                village,
                f"{rng.randint(1, 5)}组",
                "general",
                cause,
                [],
                rng.choice(CADRES),
                Decimal(7000),
                make_people(rng, size, cause),
            )
            hh.events = [
                (D(2015, 10, 20), "identified", "registered", "", "", "建档立卡识别"),
                (D(2019, 12, 10), "lifted", "", "", "", "脱贫退出"),
            ]
            households.append(hh)
    write_register(households, folder)


def main() -> None:
    rng = random.Random(20210101)
    households = make_households(rng)
    folder = ROOT / "ledger" / "register"
    write_register(households, folder)
    groups = build_payments(households, folder / "households.csv", rng)
    tune(groups, FUND_TOTAL)
    counter = [0]
    text21 = HEAD_2021 + "\n".join(render(groups, 2021, counter, INS_2021))
    counter = [0]
    text22 = HEAD_2022 + "\n".join(render(groups, 2022, counter, INS_2022))
    text22 += (
        "\n; 年末对账: 县专项扶贫基金全部用于到户补助\n"
        f"2022-12-31 balance Assets:Treasury:{FUND}  0.00 CNY\n"
    )
    (ROOT / "ledger" / "benefits-2021.beancount").write_text(text21, encoding="utf-8")
    (ROOT / "ledger" / "benefits-2022.beancount").write_text(text22, encoding="utf-8")
    seed228(ROOT / "tests" / "households" / "fixtures" / "seed228" / "register")
    people = sum(len(h.people) for h in households)
    print(f"{len(households)} households, {people} persons")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--force",
        action="store_true",
        help="overwrite the sample register, its benefit payments and the seed228 fixture (committed files, hand-edited since: check git diff after)",
    )
    if not parser.parse_args().force:
        parser.error("this rewrites committed sample files; run again with --force")
    main()
