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
* ``allocation-xj2023.xlsx``: a 资金下达 table for a 2023 fund;
* ``ykt-2022-11-c.xlsx``: a roll kept one sheet a village, with a 汇总 and a blank sheet.

Run after the sample ledger changes: ``.venv/bin/python scripts/make_import_samples.py``,
then regenerate the golden files (``pytest tests/importers --regen``… see the test module).
"""

from __future__ import annotations

import argparse
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
    """工商银行 企业网银 [HISTORYDETAIL] (GBK): the special fund SF-2021, 2021 Q1.

    Quoted fields with commas inside, serials with leading zeros, a reversal (冲正) written
    as a negative 借方发生额.
    """
    rows = [  # serial, time, direction, debit, credit, kind, memo, payee
        ("00012", "2021-01-15 09:12:40", "贷", "", "700,000.00", "拨款", "县专项扶贫基金,政府出资", "青山县财政局"),
        ("00027", "2021-02-02 14:30:05", "借", "35.00", "", "收费", "网银年费", "中国工商银行青山支行"),
        ("00028", "2021-02-03 10:00:00", "借", "-35.00", "", "冲正", "冲正:网银年费 误收", "中国工商银行青山支行"),
        ("00031", "2021-03-10 10:01:59", "贷", "", "120,000.00", "转账", "专项扶贫基金 企业认捐, 第一批", "青山县工商业联合会"),
        ("00044", "2021-03-29 16:45:12", "贷", "", "2,000.00", "转账", "往来款", "某某商贸有限公司"),
    ]  # fmt: skip
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(["[HISTORYDETAIL]"])
    out.writerow([
        "凭证号", "本方账号", "对方账号", "交易时间", "借/贷", "借方发生额", "贷方发生额",
        "对方行号", "摘要", "用途", "对方单位名称", "余额", "个性化信息",
    ])  # fmt: skip
    balance = Decimal(0)
    for serial, when, direction, debit, credit, kind, memo, payee in rows:
        balance += Decimal(credit.replace(",", "") or 0) - Decimal(debit.replace(",", "") or 0)
        out.writerow([
            serial, "1209****2021", "1209****5566", when, direction, debit, credit,
            "102100000000", kind, memo, payee, f"{balance:,.2f}", "",
        ])  # fmt: skip
    (OUT / "icbc-sf2021-2021q1.csv").write_bytes(buf.getvalue().encode("gbk"))


def icbc_mx() -> None:
    """工商银行 明细查询文件下载 (v2): UTF-8 no BOM, newest first, padded cells, no serial."""

    def pad(text: str, width: int = 20) -> str:
        return f"{text:<{width}}\t"

    rows = [  # oldest first here; written newest first
        ("2023-03-01", "他行汇入", "", "", "500,000.00", "", "青山县财政局", "2023年衔接资金 县级"),
        ("2023-03-08", "转账支出", "网银", "", "", "120,000.00", "青山县宏达建筑工程有限公司", "肉牛养殖圈舍 进度款"),
        ("2023-03-08", "转账支出", "网银", "", "", "120,000.00", "青山县宏达建筑工程有限公司", "肉牛养殖圈舍 进度款"),
        ("2023-03-21", "结息", "", "", "318.06", "", "中国工商银行青山支行", "结息"),
    ]  # fmt: skip
    balance = Decimal("80000.00")
    lines = []
    income = spend = Decimal(0)
    for day, kind, place, _detail, credit, debit, payee, memo in rows:
        balance += Decimal(credit.replace(",", "") or 0) - Decimal(debit.replace(",", "") or 0)
        income += Decimal(credit.replace(",", "") or 0)
        spend += Decimal(debit.replace(",", "") or 0)
        cells = [
            pad(day, 15), pad(kind), pad(memo, 30), pad(place, 60), pad("CHN"), pad("钞", 10),
            pad("-"), pad("-"), pad("-", 15), pad(credit), pad(debit), pad("人民币", 12),
            pad(f"{balance:,.2f}"), pad(payee, 60), pad("1234****9876", 19),
        ]  # fmt: skip
        lines.append(cells)
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    buf.write("明细查询文件下载\n\n")
    out.writerow(["卡号: 6222****2023", "卡别名: 青山县2023年衔接资金专户"])
    buf.write("\n")
    out.writerow(["子账户序号: 00000", "子账户类别: 活期", "子账户别名: "])
    buf.write("\n")
    out.writerow([
        "交易日期", "摘要", "交易详情", "交易场所", "交易国家或地区简称", "钞/汇", "交易金额(收入)",
        "交易金额(支出)", "交易币种", "记账金额(收入)", "记账金额(支出)", "记账币种", "余额",
        "对方户名", "对方账户",
    ])  # fmt: skip
    for cells in reversed(lines):
        out.writerow([*cells, ""])  # every row ends in a comma
    buf.write(" \n")
    out.writerow(["人民币合计", *[""] * 8, pad(f"{income:,.2f}", 18), pad(f"{spend:,.2f}", 18), ""])
    (OUT / "icbc-mx-xj2023-2023-03.csv").write_text(buf.getvalue(), encoding="utf-8")


def ccb_dw() -> None:
    """建设银行 单位客户账户交易明细 .xls, newest first: the XJ-2021 special account, July 2021."""
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
        "交易时间", "借方发生额（支取）", "贷方发生额（收入）", "余额", "币种", "对方户名",
        "对方账号", "摘要", "备注", "账户明细编号-交易流水号",
    ]  # fmt: skip
    for col, name in enumerate(header):
        ws.write(3, col, name)
    for r, (when, serial, payee, debit, credit, bal, kind, memo) in enumerate(reversed(lines), 4):
        values = [when, debit, credit, bal, "人民币", payee, "4305****7788", kind, memo, serial]
        for col, value in enumerate(values):
            if col in (1, 2, 3) and value:
                ws.write(r, col, Decimal(value))  # a numeric cell (Excel stores a double)
            else:
                ws.write(r, col, value)
    book.save(str(OUT / "ccb-dw-xj2021-2021-07.xls"))


CCB_ROWS = [  # 记账日, 交易日期, 交易时间, 支出, 收入, 摘要, 对方账号, 对方户名, 交易地点
    ("20210803", "20210803", "09:30:11", "0", "250000", "转账存入", "4305****0001", "青山县财政局", "2021年衔接资金 县级配套"),
    ("20210812", "20210812", "15:02:47", "86500.5", "0", "转账支取", "4305****7788", "青山县水利水电工程公司", "河湾村灌溉渠系 进度款"),
    ("20210812", "20210812", "15:40:02", "86500.5", "0", "转账支取", "4305****7788", "青山县水利水电工程公司", "河湾村灌溉渠系 进度款"),
    ("20210821", "20210821", "11:20:00", "0", "188.2", "结息", "", "中国建设银行青山支行", "结息"),
]  # fmt: skip
CCB_HEADER = [
    "记账日          ", "交易日期          ", "交易时间                ", "支出                ",
    "收入                ", "账户余额          ", "币种          ", "摘要            ",
    "对方账号          ", "对方户名          ", "交易地点                ",
]  # fmt: skip
CCB_PREAMBLE = [
    ["China Construction Bank"],
    ["开户机构：", "中国建设银行青山县支行"],
    ["币\u3000\u3000种：", "人民币"],
    ["账\u3000\u3000号：", "4305*********2021"],
    [],
]
CCB_FOOTER = "以上数据仅供参考|具体内容请以柜台为准"


def _ccb_lines() -> list[list[object]]:
    balance = Decimal("912345.67")
    out: list[list[object]] = []
    for booked, day, time, spend, income, kind, other, payee, place in CCB_ROWS:
        balance += Decimal(income) - Decimal(spend)
        out.append([
            booked, day, time, float(spend), float(income), float(balance),  # float-ok: Excel cells are doubles
            "人民币", kind, other, payee, place,
        ])  # fmt: skip
    return out


def ccb() -> None:
    """建设银行 交易明细 (.xls BIFF8 and .xlsx), shaped like the bank's real download."""
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("交易明细_2021_20210801_20210831")
    money_style = xlwt.easyxf(num_format_str="#,##0.00")
    text_style = xlwt.easyxf(num_format_str="@")
    for r, cells in enumerate(CCB_PREAMBLE):
        for c, value in enumerate(cells):
            ws.write(r, c, value)
    for c, name in enumerate(CCB_HEADER):
        ws.write(5, c, name)
    lines = _ccb_lines()
    for r, cells in enumerate(lines, 6):
        for c, value in enumerate(cells):
            ws.write(r, c, value, money_style if c in (3, 4, 5) else text_style)
    ws.write_merge(6 + len(lines), 6 + len(lines), 0, 8, CCB_FOOTER)
    book.save(str(OUT / "ccb-xj2021-2021-08.xls"))

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "交易明细"
    for cells in CCB_PREAMBLE:
        sheet.append(cells)
    sheet.append(CCB_HEADER)
    for cells in lines:
        sheet.append(cells)
        for c in (4, 5, 6):
            sheet.cell(sheet.max_row, c).number_format = "#,##0.00"
    sheet.append([CCB_FOOTER])
    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=9)
    wb.save(OUT / "ccb-xj2021-2021-08.xlsx")


def boc() -> None:
    """中国银行 网银 交易明细 text: UTF-16LE with BOM, TAB, CRLF, placeholders, newest first."""
    rows = [  # date, time, summary, income, spend, payee, account, branch, memo
        ("2023/04/03", "10:02:11", "转账收入", "300,000.00", "", "青山县财政局", "6217****1111", "青山支行", "2023年衔接资金"),
        ("2023/04/12", "14:22:09", "转账支出", "", "45,000.00", "青山县绿源农业开发有限公司", "6228****3344", "", "食用菌基地 进度款"),
        ("2023/04/20", "09:00:00", "结息", "96.50", "", "", "", "", ""),
    ]  # fmt: skip
    header = [
        "交易日期", "交易时间", "业务摘要", "收入金额", "支出金额", "余额", "币种", "对方账户名称",
        "对方账户账号", "网点名称", "附言",
    ]  # fmt: skip
    dash = "-------------------"
    balance = Decimal("1000.00")
    lines = []
    for day, time, kind, income, spend, payee, account, branch, memo in rows:
        balance += Decimal(income.replace(",", "") or 0) - Decimal(spend.replace(",", "") or 0)
        cells = [day, time, kind, income or dash, spend or dash, f"{balance:,.2f}", "人民币",
                 payee or dash, account or dash, branch or dash, memo or dash]  # fmt: skip
        lines.append("\t".join(cells))
    text = "\r\n".join(["\t".join(header), lines[2], "", lines[1], "", lines[0], ""]) + "\r\n"
    (OUT / "boc-xj2023-2023-04.txt").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))


def rcb_pages() -> None:
    """农商行 单位账户交易明细, two pages (GB18030): blank lines, 本页合计, 合计,共N笔, 䶮."""
    header = [
        "交易日期",
        "对方户名",
        "对方账号",
        "收入金额",
        "支出金额",
        "余额",
        "摘要",
        "用途",
        "核心流水号",
    ]
    pages = [
        [
            ("20230104", "青山县财政局", "", "600000.00", "", "2023年衔接资金 县级"),
            ("20230109", "青山县宏达建筑工程有限公司", "6217****0001", "", "150000.00", "石桥村冷库 进度款"),
            ("20230111", "王䶮种植专业合作社", "6217****0002", "", "20000.00", "产业奖补"),
            ("20230116", "青山县乡村振兴局", "", "", "5300.00", "一卡通代发"),
            ("20230120", "青山农商银行", "", "12.35", "", "结息"),
        ],
        [
            ("20230203", "青山县宏达建筑工程有限公司", "6217****0001", "", "80000.00", "石桥村冷库 进度款"),
            ("20230210", "青山县水利水电工程公司", "6217****0003", "", "45000.00", "灌溉渠系 进度款"),
            ("20230214", "青山县财政局", "", "100000.00", "", "2023年衔接资金 市级"),
            ("20230221", "青山县绿源农业开发有限公司", "6217****0004", "", "33000.00", "食用菌 进度款"),
            ("20230228", "青山农商银行", "", "", "10.00", "手续费"),
        ],
    ]  # fmt: skip
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    balance = Decimal("50000.00")
    total_in = total_out = Decimal(0)
    count = 0
    for number, page in enumerate(pages, 1):
        out.writerow(["青山农村商业银行 单位账户交易明细"])
        out.writerow(["账号：6230 **** **** 8023", "户名：青山县财政局(2023年衔接资金专户)"])
        out.writerow(["查询期间：2023-01-01 至 2023-02-28", "", "币种：人民币", f"第{number}页"])
        out.writerow(header)
        page_in = page_out = Decimal(0)
        for seq, (day, payee, account, income, spend, memo) in enumerate(page, 1):
            balance += Decimal(income or 0) - Decimal(spend or 0)
            page_in += Decimal(income or 0)
            page_out += Decimal(spend or 0)
            out.writerow([day, payee, account, income, spend, money(balance), memo.split()[0], memo,
                          f"{day}{number}{seq:05d}"])  # fmt: skip
            if seq == 3:
                out.writerow([])  # the bank prints blank lines inside the table
        out.writerow(["本页合计", "", "", money(page_in), money(page_out), "", "", "", ""])
        out.writerow([])
        total_in += page_in
        total_out += page_out
        count += len(page)
    out.writerow(["合计", f"共{count}笔", "", money(total_in), money(total_out), "", "", "", ""])
    out.writerow(["打印日期：2023-03-01", "", "打印柜员：0123"])
    (OUT / "rcb-xj2023-2023-01-02.csv").write_bytes(buf.getvalue().encode("gb18030"))


def psbc() -> None:
    """邮储银行 单位账户交易明细 (GB18030 CSV)."""
    rows = [
        ("2023-05-05", "转账", "", "200000.00", "青山县财政局", "2023年衔接资金", "PSBC2305050001"),
        ("2023-05-18", "转账", "64000.00", "", "青山县宏达建筑工程有限公司", "产业路 进度款", "PSBC2305180007"),
    ]  # fmt: skip
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(["中国邮政储蓄银行单位账户交易明细"])
    out.writerow(["账号：9390****2023", "户名：青山县财政局(2023年衔接资金专户)"])
    out.writerow(["查询期间：2023年05月01日至2023年05月31日"])
    out.writerow(["交易日期", "交易时间", "交易类型", "借方金额", "贷方金额", "账户余额", "对方账号",
                  "对方户名", "摘要", "交易流水号"])  # fmt: skip
    balance = Decimal("10000.00")
    debit = credit = Decimal(0)
    for day, kind, spend, income, payee, memo, serial in rows:
        balance += Decimal(income or 0) - Decimal(spend or 0)
        debit += Decimal(spend or 0)
        credit += Decimal(income or 0)
        out.writerow(
            [
                day,
                "10:00:00",
                kind,
                spend,
                income,
                money(balance),
                "6217****9999",
                payee,
                memo,
                serial,
            ]
        )
    out.writerow(["合计", "", "", money(debit), money(credit), "", "", "", "", ""])
    out.writerow(["打印时间：2023-06-01 09:00:00"])
    (OUT / "psbc-xj2023-2023-05.csv").write_bytes(buf.getvalue().encode("gb18030"))


def abc_mx() -> None:
    """农业银行 明细查询 CSV: signed amounts with +/−, repeated 日志号, a 0.00 line."""
    rows = [
        ("20230601", "101233", "转账", "+150000.00", "青山县财政局", "000000000", "网银", "2023年衔接资金"),
        ("20230612", "093001", "转账", "-48000.00", "青山县宏达建筑工程有限公司", "369333999", "网银", "产业路 进度款"),
        ("20230621", "", "结息", "+21.60", "--", "000000000", "", "个人活期结息"),
        ("20230621", "", "利息税", "+0.00", "--", "000000000", "", "个人活期结息"),
    ]  # fmt: skip
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(
        [
            "交易日期",
            "交易时间",
            "交易摘要",
            "交易金额",
            "本次余额",
            "对手信息",
            "日志号",
            "交易渠道",
            "交易附言",
        ]
    )
    balance = Decimal("3000.00")
    for day, time, kind, amount, payee, log, channel, memo in rows:
        balance += Decimal(amount)
        out.writerow([day, time, kind, amount, money(balance), payee, log, channel, memo])
    (OUT / "abc-mx-xj2023-2023-06.csv").write_text(buf.getvalue(), encoding="utf-8")


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


def boc_mx() -> None:
    """中国银行 交易流水明细单 CSV: a title line, signed 金额 with quoted thousands, dashes for
    empty fields, newest first, no serial."""
    rows = [  # date, time, amount, kind, channel, memo, payee, account
        ("2023-07-03", "10:12:40", "260000.00", "转账汇入", "网上银行", "2023年衔接资金", "青山县财政局", "6217****1111"),
        ("2023-07-14", "15:01:22", "-52000.00", "跨行转账", "网上银行", "茶园提升 进度款", "青山县绿源农业开发有限公司", "6228****3344"),
        ("2023-07-14", "15:03:09", "-52000.00", "跨行转账", "网上银行", "茶园提升 进度款(二期)", "青山县绿源农业开发有限公司", "6228****3344"),
        ("2023-07-21", "00:10:00", "88.40", "结息", "批处理", "", "", ""),
    ]  # fmt: skip
    dash, short = "-------------------", "----------"
    balance = Decimal("5000.00")
    lines = []
    for day, time, amount, kind, channel, memo, payee, account in rows:
        balance += Decimal(amount)
        lines.append([day, time, "人民币", f"{Decimal(amount):,.2f}", f"{balance:,.2f}", kind,
                      channel, dash, memo or short, payee or dash, account or dash, dash, "2023"])  # fmt: skip
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(["中国银行交易流水明细单"])
    out.writerow(["记账日期", "记账时间", "币别", "金额", "余额", "交易名称", "渠道", "网点名称", "附言",
                  "对方账户名", "对方卡号/账号", "对方开户行", "借记卡号"])  # fmt: skip
    out.writerows(reversed(lines))
    (OUT / "boc-mx-xj2023-2023-07.csv").write_text(buf.getvalue(), encoding="utf-8")


def bocom() -> None:
    """交通银行 账户交易明细 CSV: 借贷 written ``借 Dr``/``贷 Cr``, unsigned amounts, 序号 a row
    number (not a serial)."""
    rows = [  # day, time, kind, side, amount, account, payee, place, memo
        ("2023-08-02", "09:30:12", "转账存入", "贷 Cr", "180000.00", "6217****1111", "青山县财政局", "网上银行", "2023年衔接资金"),
        ("2023-08-16", "11:02:45", "转账支出", "借 Dr", "36500.00", "6228****5566", "青山县宏达建筑工程有限公司", "网上银行", "产业路 进度款"),
        ("2023-08-21", "00:00:00", "存款利息", "贷 Cr", "42.15", "", "应付活期存款利息", "批处理", ""),
    ]  # fmt: skip
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["序号", "交易日期", "交易时间", "交易类型", "借贷", "交易金额", "余额", "对方账号",
                  "对方户名", "交易地点", "摘要"])  # fmt: skip
    balance = Decimal("2000.00")
    for n, (day, time, kind, side, amount, account, payee, place, memo) in enumerate(rows, 1):
        balance += Decimal(amount) if side.startswith("贷") else -Decimal(amount)
        out.writerow(
            [n, day, time, kind, side, amount, money(balance), account, payee, place, memo]
        )
    (OUT / "bocom-xj2023-2023-08.csv").write_bytes(buf.getvalue().encode("gb18030"))


def cmb() -> None:
    """招商银行 交易流水 CSV: signed amounts, quoted thousands, counterparty name and account
    in one cell."""
    rows = [  # day, amount, kind, party, memo
        ("2023-09-04", "150000.00", "转账汇款", "青山县财政局 6217****1111", "2023年衔接资金"),
        ("2023-09-19", "-28800.00", "转账汇款", "青山县绿源农业开发有限公司 6228****3344", "育苗大棚 尾款"),
    ]  # fmt: skip
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(["记账日期", "货币", "交易金额", "联机余额", "交易摘要", "对手信息", "客户摘要"])
    balance = Decimal("800.00")
    for day, amount, kind, party, memo in rows:
        balance += Decimal(amount)
        out.writerow([day, "CNY", f"{Decimal(amount):,.2f}", f"{balance:,.2f}", kind, party, memo])
    (OUT / "cmb-xj2023-2023-09.csv").write_text(buf.getvalue(), encoding="utf-8")


def spdb() -> None:
    """浦发银行 账户明细 .xls: an account line above the header, 交易日期 with its time after
    two spaces, 存入/取出 columns with the empty side blank."""
    rows = [  # when, kind, income, spend, payee, account, memo
        ("2023/10/09  10:20:31", "汇入", "120000.00", "", "青山县财政局", "6217****1111", "2023年衔接资金"),
        ("2023/10/25  16:45:02", "网银转账", "", "30000.00", "青山县宏达建筑工程有限公司", "6228****5566", "村道硬化 进度款"),
    ]  # fmt: skip
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("sheet")
    for c, value in enumerate(
        ["账号", "9810****2023", "账户类型", "单位结算账户", "日期范围", "20231001-20231031"]
    ):
        ws.write(0, c, value)
    header = [
        "顺序号",
        "交易日期",
        "交易类型",
        "存入金额",
        "取出金额",
        "余额",
        "交易对手名称",
        "交易对手账号",
        "附言",
    ]
    for c, name in enumerate(header):
        ws.write(1, c, name)
    balance = Decimal("1500.00")
    for r, (when, kind, income, spend, payee, account, memo) in enumerate(rows, 2):
        balance += Decimal(income or 0) - Decimal(spend or 0)
        for c, value in enumerate(
            [str(r - 1), when, kind, income, spend, money(balance), payee, account, memo]
        ):
            ws.write(r, c, value)
    book.save(str(OUT / "spdb-xj2023-2023-10.xls"))


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


def roll_batches() -> None:
    """Two more rolls in a county's own form: merged title, a batch in Chinese, 单位 line,
    证件号码/补贴金额 columns, no 发放日期 column (the batch says it), 小计 per village,
    合计, signature lines; the second batch must never be taken for the first."""
    chosen = register_rows()
    for name, batch, people, amount in (
        ("ykt-2022-11-a.xlsx", "2022年11月15日批", chosen[:6], Decimal("300.00")),
        ("ykt-2022-11-b.xlsx", "2022年11月25日批", chosen[:6], Decimal("300.00")),
    ):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "发放清册"
        ws.append(['青山县惠民惠农财政补贴资金"一卡通"发放清册'])
        ws.merge_cells("A1:G1")
        ws.append([f"发放批次：{batch}", "", "", "补贴项目：公益岗位补贴"])
        ws.append(["单位：元"])
        ws.append(["序号", "乡镇", "村", "姓名", "证件号码", "补贴金额", "一卡通账号"])
        total = Decimal(0)
        seq = 0
        for village in dict.fromkeys(r["village"] for r in people):
            group = Decimal(0)
            for row in (r for r in people if r["village"] == village):
                seq += 1
                account = row["bank_account"]
                ws.append([
                    seq, row["township"], row["village"], row["head_name"], row["id_number"],
                    money(amount), account[:4] + "*" * (len(account) - 8) + account[-4:],
                ])  # fmt: skip
                group += amount
            ws.append(["", "", f"{village}小计", "", "", money(group), ""])
            total += group
        ws.append(["合计", "", "", "", "", money(total), ""])
        ws.append([])
        ws.append(["制表人：王丽", "", "审核人：张强", "", "村务监督委员会（签字）："])
        wb.save(OUT / name)


def roll_villages() -> None:
    """``ykt-2022-11-c.xlsx``: a roll kept one sheet a village (the same header on each, rows
    numbered from 1 on every sheet, each sheet's own title and 合计), a 汇总 sheet of other
    columns and a blank Sheet3 Excel left: the village sheets are one roll, the others are
    listed as not read."""
    chosen = register_rows()[:6]
    pay = {"青山村": Decimal("300.00"), "河湾村": Decimal("500.00"), "北坡村": Decimal("200.00")}
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    summary = []
    for village, amount in pay.items():
        ws = wb.create_sheet(village)
        ws.append([f'青山县惠民惠农财政补贴资金"一卡通"发放清册（{village}）'])
        ws.merge_cells("A1:G1")
        ws.append(["发放批次：2022年11月28日批", "", "", "补贴项目：临时救助"])
        ws.append(["单位：元"])
        ws.append(["序号", "乡镇", "村", "姓名", "证件号码", "补贴金额", "一卡通账号"])
        people = [r for r in chosen if r["village"] == village]
        for seq, row in enumerate(people, 1):
            account = row["bank_account"]
            ws.append([
                seq, row["township"], row["village"], row["head_name"], row["id_number"],
                money(amount), account[:4] + "*" * (len(account) - 8) + account[-4:],
            ])  # fmt: skip
        ws.append(["合计", "", "", "", "", money(amount * len(people)), ""])
        ws.append(["制表人：王丽", "", "审核人：张强"])
        summary.append([village, len(people), money(amount * len(people))])
    ws = wb.create_sheet("汇总")
    ws.append(["2022年11月28日批 临时救助 各村汇总"])
    ws.append(["村", "户数", "金额"])
    for row in summary:
        ws.append(row)
    ws.append(["合计", sum(r[1] for r in summary), money(sum(pay[r[0]] * r[1] for r in summary))])
    wb.create_sheet("Sheet3")
    wb.save(OUT / "ykt-2022-11-c.xlsx")


def allocation_sheet() -> None:
    """A real-shaped 资金分配表: merged title, date and 单位：万元 line, 文号 merged down each
    group, no 项目编号 or 下达日期 column, 小计 per 文号, 合计, signature lines."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["青山县2023年财政衔接推进乡村振兴补助资金分配表"])
    ws.merge_cells("A1:G1")
    ws.append(["发文日期：2023年3月5日", "", "", "", "", "单位：万元"])
    ws.append(["序号", "文号", "资金来源", "项目名称", "实施单位", "金额", "备注"])
    groups = [
        ("青财农〔2023〕8号", "中央", [("青山村肉牛养殖扩建项目", "城关镇", "80.5"), ("河湾村蔬菜冷库项目", "河湾镇", "45.1234")]),
        ("青财农〔2023〕9号", "省级", [("柳林村产业路硬化项目", "柳林镇", "32"), ("北坡村茶园提质项目", "北坡镇", "12.0066")]),
    ]  # fmt: skip
    seq = 0
    total = Decimal(0)
    for doc, level, items in groups:
        first = ws.max_row + 1
        group = Decimal(0)
        for index, (project, unit, amount) in enumerate(items):
            seq += 1
            ws.append(
                [
                    seq,
                    doc if index == 0 else None,
                    level if index == 0 else None,
                    project,
                    unit,
                    amount,
                ]
            )
            group += Decimal(amount)
        ws.merge_cells(start_row=first, start_column=2, end_row=ws.max_row, end_column=2)
        ws.append(["", "小计", "", "", "", str(group)])
        total += group
    ws.append(["合计", "", "", "", "", str(total)])
    ws.append(["制表：李明", "", "审核：赵刚", "", "单位负责人："])
    wb.save(OUT / "fpb-xj2023-2023-03.xlsx")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rcb(roll())
    icbc()
    icbc_mx()
    ccb_dw()
    ccb()
    boc()
    rcb_pages()
    psbc()
    abc()
    abc_mx()
    boc_mx()
    bocom()
    cmb()
    spdb()
    allocation()
    roll_batches()
    roll_villages()
    allocation_sheet()
    for path in sorted(OUT.iterdir()):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--force",
        action="store_true",
        help="overwrite the import samples in importers/samples/ (committed files, hand-edited since: check git diff after)",
    )
    if not parser.parse_args().force:
        parser.error("this rewrites committed sample files; run again with --force")
    main()
