"""The bank-statement importer: one configurable beangulp importer, a layout per bank.

``StatementImporter("rcb", "Assets:Treasury:XJ-2022", rules="import_rules.toml")`` reads
a 县农商行 export (GBK CSV, title rows, split 借方/贷方, running balance, 合计 row) and
writes, for the fund's special account:

* one transaction per statement line nobody booked yet, with the bank's serial as
  ``bank_serial:``, the counter-party as payee and the memo as narration; the other leg
  comes from the county's rules (counter-party/memo → account, project, payment). A line
  no rule matches goes to the suspense account (``Assets:Suspense:<FUND>``, 待查明款项)
  flagged ``!`` and is listed by ``fupin import extract``;
* a ``custom "bank-line"`` for a line the ledger already holds (a voucher typed in, or a
  whole payment roll of the same amount within ± ``match_days``): the bank's word that
  the money moved, which the R01/R02 reconciliation rules read;
* a ``custom "statement"`` recording the period imported, and a ``balance`` assertion of
  the closing running balance on the day after the period.

Everything is checked before anything is returned: a bad date, a non-numeric amount, an
undecodable byte, a missing column, a repeated serial, a running balance that does not
follow from the previous one, or a totals row that does not add up raises
:class:`~fupin.importers.table.SourceError` naming file, row and column.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import beangulp
from beancount.core import data
from beancount.core.amount import Amount
from beancount.parser.grammar import ValueType
from fupin.importers.dedupe import ExactDedupe, KeyIndex, open_missing, source_key
from fupin.importers.layout import Layout, load_layout
from fupin.importers.rules import Rules, fill, load_rules
from fupin.importers.table import (
    Row,
    SourceError,
    Table,
    find_header,
    missing_columns,
    parse_amount,
    parse_date,
    read_rows,
    scrub,
)
from fupin.plugins.reconcile import Flow, Line, flows_of, match

from fupin.money import ZERO, fmt_money

PERIOD = re.compile(
    r"(\d{4})[-/.年]?(\d{2})[-/.月]?(\d{2})日?\D{1,12}?(\d{4})[-/.年]?(\d{2})[-/.月]?(\d{2})"
)


class StatementRow(NamedTuple):
    """One statement line, parsed and checked."""

    number: int
    date: datetime.date
    serial: str
    amount: Decimal  # signed on the fund's account: inflow +, outflow −
    balance: Decimal | None
    counterparty: str
    memo: str


@dataclass(frozen=True)
class Parsed:
    """A whole statement: its lines in date order and its period."""

    rows: tuple[StatementRow, ...]
    start: datetime.date
    end: datetime.date
    opening: Decimal | None
    closing: Decimal | None


class StatementImporter(ExactDedupe, beangulp.Importer):
    """Bank statement (对账单/交易明细) of one fund account, in one bank's layout."""

    def __init__(
        self,
        layout: Layout | str | Path,
        account: str,
        *,
        rules: Rules | str | Path | None = None,
        suspense: str | None = None,
        match_days: int = 5,
        title: str | None = None,
    ) -> None:
        self.layout = layout if isinstance(layout, Layout) else load_layout(layout)
        self.ledger_account = account
        self.fund = account.rsplit(":", 1)[-1]
        self.rules = rules if isinstance(rules, Rules) else load_rules(rules)
        self.suspense = suspense or f"Assets:Suspense:{self.fund}"
        self.match_days = match_days
        #: a regular expression the title rows must contain (the account's name or last
        #: digits), to tell two accounts at one bank apart
        self.title = re.compile(title) if title else None

    @property
    def name(self) -> str:
        return f"fupin.statement.{self.layout.name}:{self.ledger_account}"

    # -- beangulp interface -----------------------------------------------------------------
    def identify(self, filepath: str) -> bool:
        """The file's type is one of the layout's and its header row has every column."""
        if Path(filepath).suffix.lower() not in self.layout.formats:
            return False
        try:
            rows = read_rows(filepath, self.layout.encoding, self.layout.sheet, lenient=True)
        except SourceError:
            return False
        table = find_header(filepath, rows, self.layout.columns)
        if table is None:
            return False
        if self.title is None:
            return True
        return any(self.title.search(" ".join(row.cells)) for row in table.title)

    def account(self, filepath: str) -> str:
        return self.ledger_account

    def date(self, filepath: str) -> datetime.date | None:
        return self.parse(filepath).end

    def filename(self, filepath: str) -> str | None:
        return f"{self.layout.name}-statement{Path(filepath).suffix.lower()}"

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        parsed = self.parse(filepath)
        held = KeyIndex(existing)
        fresh = [r for r in parsed.rows if ("bank", r.serial, r.date) not in held.keys]
        booked = self._unreconciled(existing)
        lines = [Line(r.date, self.ledger_account, r.amount, r.serial, r) for r in fresh]
        pairs, _ = match(booked, lines, self.match_days)
        matched = {line.serial: booked[i] for i, line in pairs.items()}

        entries: list[data.Directive] = []
        for row in parsed.rows:
            flow = matched.get(row.serial)
            entries.append(
                self._bank_line(filepath, row, flow) if flow else self._txn(filepath, row)
            )
        entries.append(self._statement(filepath, parsed))
        if parsed.closing is not None:
            meta = data.new_metadata(filepath, parsed.rows[-1].number if parsed.rows else 0)
            entries.append(
                data.Balance(
                    meta,
                    parsed.end + datetime.timedelta(days=1),
                    self.ledger_account,
                    Amount(parsed.closing, self.layout.currency),
                    None,
                    None,
                )
            )
        names = {fill(k, self.fund): fill(v, self.fund) for k, v in self.rules.names.items()}
        names.setdefault(self.suspense, "待查明款项(银行流水未匹配分类规则)")
        new = [e for e in entries if source_key(e) not in held.keys]
        entries.extend(open_missing(filepath, new, existing, self.ledger_account, names))
        return entries

    # -- parsing ----------------------------------------------------------------------------
    def parse(self, filepath: str) -> Parsed:
        """Read and check every line (raises :class:`SourceError`)."""
        layout = self.layout
        rows = read_rows(filepath, layout.encoding, layout.sheet)
        table = find_header(filepath, rows, layout.columns)
        if table is None:
            gone = missing_columns(rows, layout.columns)
            raise SourceError(
                filepath, None, gone[0], f"找不到表头: 缺少列 {'、'.join(gone)} ({layout.bank})"
            )
        lines = [self._row(table, row) for row in table.rows]
        seen: dict[str, int] = {}
        for line in lines:
            if line.serial in seen:
                raise SourceError(
                    filepath,
                    line.number,
                    layout.serial,
                    f"流水号 {line.serial} 与第{seen[line.serial]}行重复",
                )
            seen[line.serial] = line.number
        if len(lines) > 1 and lines[0].date > lines[-1].date:
            lines.reverse()  # newest first in the export
        opening, closing = self._check_balances(filepath, lines)
        self._check_totals(table, lines)
        start, end = self._period(table, lines)
        for line in lines:
            if not start <= line.date <= end:
                raise SourceError(
                    filepath,
                    line.number,
                    layout.date,
                    f"{line.date} 不在对账期 {start} 至 {end} 内",
                )
        return Parsed(tuple(lines), start, end, opening, closing)

    def _row(self, table: Table, row: Row) -> StatementRow:
        layout = self.layout
        date = parse_date(table, row, layout.date, layout.date_formats)
        serial = table.cell(row, layout.serial)
        if not serial:
            raise SourceError(table.path, row.number, layout.serial, "流水号为空")
        if layout.amount is not None:
            amount = parse_amount(table, row, layout.amount, blank_zero=False)
        else:
            assert layout.debit is not None and layout.credit is not None
            debit = parse_amount(table, row, layout.debit)
            credit = parse_amount(table, row, layout.credit)
            if debit and credit:
                raise SourceError(table.path, row.number, layout.credit, "借方与贷方同时有金额")
            amount = credit - debit
        balance = None
        if layout.balance is not None:
            balance = parse_amount(table, row, layout.balance, blank_zero=False)
        memos = (table.cell(row, column) for column in layout.memo)
        memo = scrub(" ".join(dict.fromkeys(m for m in memos if m)))
        counterparty = scrub(table.cell(row, layout.counterparty))
        return StatementRow(row.number, date, serial, amount, balance, counterparty, memo)

    def _check_balances(
        self, filepath: str, lines: list[StatementRow]
    ) -> tuple[Decimal | None, Decimal | None]:
        """Each running balance = the previous one + the line's amount."""
        if self.layout.balance is None or not lines:
            return None, None
        first = lines[0]
        assert first.balance is not None
        previous = first.balance - first.amount
        opening = previous
        for line in lines:
            assert line.balance is not None
            if previous + line.amount != line.balance:
                raise SourceError(
                    filepath,
                    line.number,
                    self.layout.balance,
                    f"余额 {fmt_money(line.balance)} ≠ 上笔余额 {fmt_money(previous)} "
                    f"+ 本笔发生额 {fmt_money(line.amount)} = {fmt_money(previous + line.amount)}",
                )
            previous = line.balance
        return opening, previous

    def _check_totals(self, table: Table, lines: list[StatementRow]) -> None:
        """A 合计 row below the data, when it has debit/credit totals, must add up."""
        layout = self.layout
        if layout.debit is None or layout.credit is None or not table.footer:
            return
        total = next((r for r in table.footer if not r.blank), None)
        if total is None or not (
            table.cell(total, layout.debit) or table.cell(total, layout.credit)
        ):
            return
        for column, want in (
            (layout.debit, sum((-x.amount for x in lines if x.amount < 0), ZERO)),
            (layout.credit, sum((x.amount for x in lines if x.amount > 0), ZERO)),
        ):
            got = parse_amount(table, total, column)
            if got != want:
                raise SourceError(
                    table.path,
                    total.number,
                    column,
                    f"合计 {fmt_money(got)} ≠ 明细之和 {fmt_money(want)}",
                )

    def _period(
        self, table: Table, lines: list[StatementRow]
    ) -> tuple[datetime.date, datetime.date]:
        """The period printed in the title rows (起止日期), else the lines' first and last day."""
        for row in table.title:
            found = PERIOD.search("".join(row.cells))
            if found:
                y1, m1, d1, y2, m2, d2 = (int(x) for x in found.groups())
                try:
                    return datetime.date(y1, m1, d1), datetime.date(y2, m2, d2)
                except ValueError:
                    raise SourceError(table.path, row.number, None, "起止日期无效") from None
        if not lines:
            raise SourceError(
                table.path, table.header.number, None, "对账单没有明细行, 也没有起止日期"
            )
        return lines[0].date, lines[-1].date

    # -- entries ----------------------------------------------------------------------------
    def _unreconciled(self, existing: data.Entries) -> list[Flow]:
        """Booked flows on the account that no bank line of the ledger covers yet."""
        txns = [e for e in existing if isinstance(e, data.Transaction)]
        flows = flows_of(txns, {self.ledger_account})
        held = [
            Line(e.date, self.ledger_account, _amount(e), str(e.values[0].value), e)
            for e in existing
            if isinstance(e, data.Custom)
            and e.type == "bank-line"
            and e.meta.get("account") == self.ledger_account
        ]
        pairs, _ = match(flows, held, self.match_days)
        return [flow for i, flow in enumerate(flows) if i not in pairs]

    def _txn(self, filepath: str, row: StatementRow) -> data.Transaction:
        currency = self.layout.currency
        rule = self.rules.match(row.counterparty, row.memo, row.amount)
        meta = data.new_metadata(filepath, row.number)
        meta["bank_serial"] = row.serial
        other, flag = self.suspense, "!"
        if rule is not None:
            other, flag = fill(rule.account, self.fund), "*"
            if rule.project:
                meta["project"] = rule.project
            if rule.payment:
                meta["payment"] = rule.payment
        postings = [
            data.Posting(self.ledger_account, Amount(row.amount, currency), None, None, None, None),
            data.Posting(other, Amount(-row.amount, currency), None, None, None, None),
        ]
        return data.Transaction(
            meta,
            row.date,
            flag,
            row.counterparty or None,
            row.memo,
            frozenset(),
            frozenset(),
            postings,
        )

    def _bank_line(self, filepath: str, row: StatementRow, flow: Flow) -> data.Custom:
        meta = data.new_metadata(filepath, row.number)
        meta["account"] = self.ledger_account
        meta["amount"] = Amount(row.amount, self.layout.currency)
        if row.counterparty:
            meta["counterparty"] = row.counterparty
        if row.memo:
            meta["memo"] = row.memo
        if flow.roll:
            meta["roll"] = flow.roll
        elif flow.entry.meta.get("voucher"):
            meta["voucher"] = str(flow.entry.meta["voucher"])
        return data.Custom(meta, row.date, "bank-line", [_str(row.serial)])

    def _statement(self, filepath: str, parsed: Parsed) -> data.Custom:
        ident = f"{self.layout.name.upper()}-{self.fund}-{parsed.start:%Y%m%d}-{parsed.end:%Y%m%d}"
        meta = data.new_metadata(filepath, 0)
        meta.update(
            account=self.ledger_account,
            start=parsed.start,
            end=parsed.end,
            bank=self.layout.bank,
            document=Path(filepath).name,
            rows=Decimal(len(parsed.rows)),
        )
        currency = self.layout.currency
        if parsed.opening is not None and parsed.closing is not None:
            meta["opening"] = Amount(parsed.opening, currency)
            meta["closing"] = Amount(parsed.closing, currency)
        return data.Custom(meta, parsed.end, "statement", [_str(ident)])


def _str(value: str) -> ValueType:
    return ValueType(value, str)


def _amount(entry: data.Custom) -> Decimal:
    amount = entry.meta.get("amount")
    return getattr(amount, "number", None) or ZERO
