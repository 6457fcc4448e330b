"""Write the importers' sample documents (fictional data) under importers/samples/.

* ``rcb-xj2022-2022-11-12.csv`` (县农商行, GBK): the special account of fund XJ-2022 for
  November–December 2022, made FROM the sample ledger (every voucher it books on
  ``Assets:Treasury:XJ-2022`` in the period, at its amount, plus the 一卡通 roll's single
  代发 debit and the bank's interest), so that importing it with the roll into a copy of the
  sample ledger reconciles and ``fupin check`` stays clean;
* ``ykt-2022-12.xlsx``: the 一卡通 roll paid on 2022-12-20 to households of the sample
  register (ID numbers from the register, accounts masked);
* ``icbc-sf2021-2021q1.csv`` (工商银行, UTF-8), ``ccb-xj2021-2021-07.xls`` (建设银行, newest
  first), ``abc-xj2022-2022-06.xlsx`` (农业银行, signed amounts): one per preset;
* ``allocation-xj2023.xlsx``: a 资金下达 table for a 2023 fund.

Run after the sample ledger changes: ``.venv/bin/python scripts/make_import_samples.py``,
then regenerate the golden files (``pytest tests/importers --regen``… see the test module).
"""

from __future__ import annotations

import csv
import datetime
import io
import os
from decimal import Decimal
from pathlib import Path

import openpyxl
import xlwt
from beancount import loader
from beancount.core import data

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "importers" / "samples"
ACCOUNT = "Assets:Treasury:XJ-2022"
START, END = datetime.date(2022, 11, 1), datetime.date(2022, 12, 30)
ROLL_DAY = datetime.date(2022, 12, 20)
ROLL_ID = "YKT-2022-12-01"
ROLL_VILLAGE_CODES = ("QS", "HW", "BP", "SQ", "YZ")  # two households from each village
INTEREST = Decimal("1186.42")


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def ledger_flows() -> tuple[Decimal, list[tuple[datetime.date, Decimal, str, str]]]:
    """Opening balance of the account and its booked flows in the period."""
    os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
    entries, _, _ = loader.load_file(str(ROOT / "ledger" / "main.beancount"))
    opening = Decimal(0)
    flows = []
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        amount = sum(
            (p.units.number for p in entry.postings if p.account == ACCOUNT and p.units),
            Decimal(0),
        )
        if not amount:
            continue
        if entry.date < START:
            opening += amount
        elif entry.date <= END:
            flows.append((entry.date, amount, entry.payee or "", entry.narration))
    return opening, flows


def register_rows() -> list[dict[str, str]]:
    """Two households per village that are eligible on the roll day (first in the register)."""
    from fupin.households import load_register
    from fupin.policy import DEFAULT_POLICY

    path = ROOT / "ledger" / "register" / "households.csv"
    register = load_register(path)
    with open(path, encoding="utf-8") as handle:
        rows = {r["id"]: r for r in csv.DictReader(handle)}
    chosen: list[dict[str, str]] = []
    for code in ROLL_VILLAGE_CODES:
        ok = [
            h.id
            for h in register.households.values()
            if h.id.startswith(f"H-{code}-")
            and h.eligible_on(ROLL_DAY, tuple(DEFAULT_POLICY.benefit_statuses))
        ]
        chosen.extend(rows[i] for i in ok[:2])
    return chosen


def roll() -> Decimal:
    """The 一卡通 roll (xlsx); returns its total."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "发放清册"
    ws.append(['青山县惠民惠农财政补贴资金"一卡通"发放清册'])
    ws.append(
        [f"发放批次：{ROLL_ID}", "", "资金来源：2022年衔接资金", "", "发放单位：青山县乡村振兴局"]
    )
    ws.append(
        [
            "序号",
            "乡镇",
            "村",
            "户主姓名",
            "身份证号",
            "补贴项目",
            "发放金额",
            "发放日期",
            "银行账号",
        ]
    )
    total = Decimal(0)
    for seq, row in enumerate(register_rows(), 1):
        amount = Decimal("600.00") if seq % 3 == 0 else Decimal("500.00")
        total += amount
        account = row["bank_account"]
        ws.append([
            seq, row["township"], row["village"], row["head_name"], row["id_number"],
            "公益岗位补贴", money(amount), ROLL_DAY.strftime("%Y%m%d"),
            account[:4] + "*" * (len(account) - 8) + account[-4:],
        ])  # fmt: skip
    ws.append(["合计", "", "", "", "", "", money(total), "", ""])
    ws.append(["制表人：王丽", "", "", "审核人：张强"])
    wb.save(OUT / "ykt-2022-12.xlsx")
    return total


def rcb(roll_total: Decimal) -> None:
    """The 县农商行 statement of the XJ-2022 special account (GBK CSV)."""
    opening, flows = ledger_flows()
    flows.append((ROLL_DAY, -roll_total, "青山县乡村振兴局", f"一卡通代发 批次{ROLL_ID}"))
    flows.append((datetime.date(2022, 12, 21), INTEREST, "青山农商银行", "结息 2022年第四季度利息"))
    flows.sort(key=lambda f: f[0])
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(["青山农村商业银行 对公账户交易明细"])
    out.writerow(["账号：6230 **** **** 8022", "户名：青山县财政局(2022年衔接资金专户)"])
    out.writerow([f"起止日期：{START:%Y%m%d}至{END:%Y%m%d}", "", "币种：人民币"])
    out.writerow(
        [
            "交易日期",
            "交易流水号",
            "摘要",
            "借方发生额",
            "贷方发生额",
            "余额",
            "对方户名",
            "对方账号",
            "用途",
        ]
    )
    balance = opening
    debit = credit = Decimal(0)
    for seq, (day, amount, payee, memo) in enumerate(flows, 1):
        balance += amount
        out_amt = money(-amount) if amount < 0 else ""
        in_amt = money(amount) if amount > 0 else ""
        debit += -amount if amount < 0 else 0
        credit += amount if amount > 0 else 0
        kind = "结息" if "结息" in memo else ("代发" if "代发" in memo else "转账支出")
        out.writerow([
            day.strftime("%Y%m%d"), f"QSRCB{day:%Y%m%d}{seq:04d}", kind, out_amt, in_amt,
            money(balance), payee, "" if "结息" in memo else f"6217****{1000 + seq * 7}", memo,
        ])  # fmt: skip
    out.writerow(["合计", "", "", money(debit), money(credit), "", "", "", ""])
    out.writerow(["打印日期：2023-01-05", "", "(本明细仅供对账使用)"])
    (OUT / "rcb-xj2022-2022-11-12.csv").write_bytes(buf.getvalue().encode("gbk"))


def icbc() -> None:
    """工商银行 UTF-8 CSV with thousands separators: the special fund SF-2021, 2021 Q1."""
    rows = [
        ("2021-01-15 09:12:40", "ICBC0115001", "青山县财政局", "", "700,000.00", "拨款", "县专项扶贫基金 政府出资"),
        ("2021-02-02 14:30:05", "ICBC0202007", "中国工商银行青山支行", "35.00", "", "收费", "网银年费"),
        ("2021-03-10 10:01:59", "ICBC0310003", "青山县工商业联合会", "", "120,000.00", "转账", "专项扶贫基金 企业认捐 第一批"),
        ("2021-03-29 16:45:12", "ICBC0329011", "某某商贸有限公司", "", "2,000.00", "转账", "往来款"),
    ]  # fmt: skip
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["中国工商银行 企业网上银行 账户历史明细"])
    out.writerow(["账号：1209 **** **** 2021", "户名：青山县专项扶贫基金"])
    out.writerow(["起止日期：2021-01-01 至 2021-03-31"])
    out.writerow(
        [
            "交易时间",
            "凭证号",
            "对方单位名称",
            "对方账号",
            "借方发生额",
            "贷方发生额",
            "余额",
            "摘要",
            "用途",
        ]
    )
    balance = Decimal(0)
    debit = credit = Decimal(0)
    for when, serial, payee, out_amt, in_amt, kind, memo in rows:
        d = Decimal(out_amt.replace(",", "") or 0)
        c = Decimal(in_amt.replace(",", "") or 0)
        balance += c - d
        debit += d
        credit += c
        out.writerow(
            [when, serial, payee, "1209****5566", out_amt, in_amt, f"{balance:,.2f}", kind, memo]
        )
    out.writerow(["合计", "", "", "", f"{debit:,.2f}", f"{credit:,.2f}", "", "", ""])
    (OUT / "icbc-sf2021-2021q1.csv").write_text("\ufeff" + buf.getvalue(), encoding="utf-8")


def ccb() -> None:
    """建设银行 .xls, newest first: the XJ-2021 special account, July 2021."""
    rows = [  # date-time, serial, payee, debit, credit, memo
        ("20210702 09:30:11", "3301-202107020001", "青山县财政局", "", "300000.00", "资金拨入", "2021年衔接资金 县级配套"),
        ("20210711 15:02:47", "3301-202107110005", "青山县宏达建筑工程有限公司", "413000.00", "", "转账支出", "肉牛养殖圈舍 进度款"),
        ("20210720 11:20:00", "3301-202107200002", "中国建设银行青山支行", "", "214.36", "结息", "二季度结息"),
    ]  # fmt: skip
    balance = Decimal("1500000.00")
    lines = []
    for when, serial, payee, debit, credit, kind, memo in rows:
        balance += Decimal(credit or 0) - Decimal(debit or 0)
        lines.append((when, serial, payee, debit, credit, money(balance), kind, memo))
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("交易明细")
    ws.write(0, 0, "中国建设银行 单位客户账户交易明细")
    ws.write(1, 0, "账号：4305 **** **** 2021  户名：青山县财政局(2021年衔接资金专户)")
    ws.write(2, 0, "起始日期：20210701 截止日期：20210731")
    header = [
        "交易时间",
        "借方发生额（支取）",
        "贷方发生额（收入）",
        "余额",
        "币种",
        "对方户名",
        "对方账号",
        "摘要",
        "备注",
        "账户明细编号-交易流水号",
    ]
    for col, name in enumerate(header):
        ws.write(3, col, name)
    for r, (when, serial, payee, debit, credit, bal, kind, memo) in enumerate(reversed(lines), 4):
        values = [when, debit, credit, bal, "人民币", payee, "4305****7788", kind, memo, serial]
        for col, value in enumerate(values):
            if col in (1, 2, 3) and value:
                ws.write(r, col, Decimal(value))  # a numeric cell (Excel stores a double)
            else:
                ws.write(r, col, value)
    book.save(str(OUT / "ccb-xj2021-2021-07.xls"))


def abc() -> None:
    """农业银行 .xlsx with one signed amount column: XJ-2022 special account, June 2022."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["中国农业银行 账户明细查询"])
    ws.append(["账户：6228 **** **** 0622", "户名：青山县财政局(2022年衔接资金专户)"])
    ws.append(["起止日期：2022-06-01至2022-06-30"])
    ws.append(
        [
            "交易日期",
            "交易时间",
            "交易金额",
            "本次余额",
            "对方户名",
            "对方账号",
            "交易用途",
            "摘要",
            "交易流水号",
        ]
    )
    balance = Decimal("2000000.00")
    rows = [
        ("20220608", "101233", "-580000.00", "青山县绿源农业开发有限公司", "食用菌种植基地 进度款", "转账", "ABC20220608A17"),
        ("20220621", "093001", "865.20", "中国农业银行青山支行", "结息", "结息", "ABC20220621B02"),
    ]  # fmt: skip
    for day, time, amount, payee, use, memo, serial in rows:
        balance += Decimal(amount)
        ws.append([day, time, amount, money(balance), payee, "6228****3344", use, memo, serial])
    ws.append(["合计", "", "", "", "", "", "", "", ""])
    wb.save(OUT / "abc-xj2022-2022-06.xlsx")


def allocation() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["青山县2023年衔接推进乡村振兴补助资金下达明细表"])
    ws.append(["单位：元"])
    ws.append(
        ["序号", "下达文号", "资金级次", "项目编号", "项目名称", "下达金额（元）", "下达日期"]
    )
    rows = [
        ("青财农〔2023〕3号", "中央", "P-2023-001", "青山村肉牛养殖扩建项目", "800000.00", "2023-01-06"),
        ("青财农〔2023〕3号", "中央", "P-2023-002", "河湾村蔬菜冷库项目", "450000.00", "2023-01-06"),
        ("青财农〔2023〕3号", "省级", "P-2023-002", "河湾村蔬菜冷库项目", "150000.00", "2023-01-06"),
        ("青财农〔2023〕8号", "县级", "P-2023-003", "柳林村产业路硬化项目", "320000.00", "2023-02-15"),
    ]  # fmt: skip
    for seq, row in enumerate(rows, 1):
        ws.append([seq, *row])
    ws.append(["合计", "", "", "", "", "1720000.00", ""])
    wb.save(OUT / "allocation-xj2023.xlsx")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rcb(roll())
    icbc()
    ccb()
    abc()
    allocation()
    for path in sorted(OUT.iterdir()):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
