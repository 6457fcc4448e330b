"""The bank-statement importer: one configurable beangulp importer, a layout per bank.

``StatementImporter("rcb", "Assets:Treasury:XJ-2022", rules="import_rules.toml")`` reads
a statement in a layout (``presets/*.toml``, see ``docs/importers.md``) and writes, for the
fund's special account (the rules file is read again on each ``extract`` when it changed,
:class:`~fupin.importers.rules.RulesFile`; a workbook is one account's statement,
:mod:`fupin.importers.titles`):

* one transaction per statement line nobody booked yet, keyed by the bank's serial
  (``bank_serial``), or, for a layout without a serial column, by a row key made of the
  date, the signed amount, the running balance and the ordinal among identical rows
  (``20250502/-13.40/1234.56/1``): true twins stay two, a re-import adds nothing;
* ``custom "bank-line"`` for a line the ledger already holds: a voucher typed in, a
  payment roll (matched by its batch named in the memo, else by its total within
  ± ``match_days``), an allocation receipt (matched by its 文号 named in the memo);
* a ``custom "statement"`` recording the period imported, and a ``balance`` assertion of
  the closing running balance on the day after the period.

Everything is checked before anything is returned, and every line of the file is
accounted for (:mod:`fupin.importers.sheet`): a bad date or amount, a line that is not
data and not a known non-data line, a repeated serial, a running balance that does not
follow (in file order, newest first or oldest first), a 本页合计 or 合计 row that does not
add up raises :class:`~fupin.importers.table.SourceError` naming file, line and column.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import beangulp
from beancount.core import data
from beancount.core.amount import Amount
from beancount.parser.grammar import ValueType
from fupin.importers.cells import CellError, days_in, parse_day, parse_money
from fupin.importers.dedupe import ExactDedupe, KeyIndex, index_of, open_missing
from fupin.importers.layout import Layout, load_layout
from fupin.importers.rules import (
    Rules,
    RulesError,
    RulesSource,
    current_rules,
    fill,
    rules_source,
)
from fupin.importers.sheet import (
    SHEET_KEY,
    Accounted,
    Sheet,
    find_header,
    labelled_balance,
    money,
    read_document,
    read_sheet,
    verify_totals,
)
from fupin.importers.table import Row, SourceError, place, scrub
from fupin.importers.titles import blocks, check_one_account, check_periods
from fupin.plugins.reconcile import (
    DOC_KEY,
    Flow,
    Line,
    doc_flows,
    flows_of,
    link_by_reference,
    match,
)

from fupin.money import ZERO, fmt_money

PERIOD_WORDS = re.compile(r"起止|期间|区间|查询|日期|时间|从|自|至|到|~|—|－")


class StatementRow(NamedTuple):
    """One statement line, parsed and checked."""

    number: int
    date: datetime.date
    serial: str
    amount: Decimal  # signed on the fund's account: inflow +, outflow −
    balance: Decimal | None
    counterparty: str
    memo: str
    #: the worksheet, when the workbook's sheets are named (else "")
    sheet: str = ""

    @property
    def place(self) -> str:
        return place(self.number, self.sheet)


@dataclass(frozen=True)
class Parsed:
    """A whole statement: its lines in date order, its period, what its lines were."""

    rows: tuple[StatementRow, ...]
    start: datetime.date
    end: datetime.date
    opening: Decimal | None
    closing: Decimal | None
    kinds: str = ""
    newest_first: bool = False


class StatementImporter(ExactDedupe, Accounted, beangulp.Importer):
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
        if self.layout.kind != "statement":
            raise ValueError(
                f"layout {self.layout.name!r} is a {self.layout.kind}, not a statement"
            )
        self.ledger_account = account
        self.fund = account.rsplit(":", 1)[-1]
        #: the rules, or the county's rules file read again when it changed (on extract)
        self.rules_source: RulesSource = rules_source(rules)
        self.suspense = suspense or f"Assets:Suspense:{self.fund}"
        self.match_days = match_days
        #: a regular expression the title rows must contain (the account's name or last
        #: digits), to tell two accounts at one bank apart
        self.title = re.compile(title) if title else None

    @property
    def rules(self) -> Rules:
        """The categorisation rules as the file now says (raises
        :class:`~fupin.importers.rules.RulesError` for a file that does not validate)."""
        return current_rules(self.rules_source)

    @property
    def name(self) -> str:
        return f"fupin.statement.{self.layout.name}:{self.ledger_account}"

    # -- beangulp interface -----------------------------------------------------------------
    def identify(self, filepath: str) -> bool:
        """The file's type is one of the layout's and its header row has every column."""
        layout = self.layout
        if Path(filepath).suffix.lower() not in layout.formats:
            return False
        try:
            rows = read_document(filepath, layout, head=True).rows
        except SourceError:
            return False
        header = find_header(rows, layout)
        if header is None:
            return False
        above = "\n".join(" ".join(r.cells) for r in rows[: header.position])
        if layout.title and not re.search(layout.title, above):
            return False
        return self.title is None or bool(self.title.search(above))

    def account(self, filepath: str) -> str:
        return self.ledger_account

    def date(self, filepath: str) -> datetime.date | None:
        """The statement's last day; None for a file that does not read (Fava lists every
        file of its import folders with its date: one bad download must not fail the page;
        ``extract`` names the row, ``fupin import archive`` refuses the file)."""
        try:
            return self.parse(filepath).end
        except SourceError:
            return None

    def filename(self, filepath: str) -> str | None:
        return f"{self.layout.name}-statement{Path(filepath).suffix.lower()}"

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        try:
            rules = self.rules  # read once: one version of the file for every row
        except RulesError as exc:  # raised here: Fava's error box shows its frames
            raise RulesError(str(exc)) from None
        parsed = self.parse(filepath)
        held = index_of(existing)
        keys = held.keys
        is_new = [("bank", r.serial, r.date) not in keys for r in parsed.rows]
        fresh = [r for r, new in zip(parsed.rows, is_new, strict=True) if new]
        lines = [Line(r.date, self.ledger_account, r.amount, r.serial, r) for r in fresh]
        booked, refs = self._unreconciled(held)
        linked = link_by_reference(refs, lines, _line_text)
        via: dict[str, Flow] = {}
        differences = []
        for index, got in linked.items():
            flow = refs[index]
            via.update((line.serial, flow) for line in got)
            paid = sum((line.amount for line in got), ZERO)
            if paid != flow.amount:
                differences.append(
                    f"{flow.roll or flow.doc} 账面 {fmt_money(flow.amount)} ≠ 银行 {fmt_money(paid)}"
                )
        done = {(f.roll, f.doc) for f in (refs[i] for i in linked)}
        booked = [
            f
            for f in booked
            if (f.roll, None) not in done and (None, f.entry.meta.get(DOC_KEY)) not in done
        ]
        rest = [line for line in lines if line.serial not in via]
        pairs, _ = match(booked, rest, self.match_days)
        via.update((line.serial, booked[i]) for i, line in pairs.items())

        entries: list[data.Directive] = []
        new: list[data.Directive] = []
        other = self._other_leg(rules)
        for row, is_fresh in zip(parsed.rows, is_new, strict=True):
            by = via.get(row.serial)
            entry = self._bank_line(filepath, row, by) if by else self._txn(filepath, row, other)
            entries.append(entry)
            if is_fresh:
                new.append(entry)
        entries.append(self._statement(filepath, parsed, differences))
        if parsed.closing is not None and not differences:
            meta = data.new_metadata(filepath, parsed.rows[-1].number if parsed.rows else 0)
            if parsed.rows and parsed.rows[-1].sheet:
                meta[SHEET_KEY] = parsed.rows[-1].sheet
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
        names = {fill(k, self.fund): fill(v, self.fund) for k, v in rules.names.items()}
        names.setdefault(self.suspense, "待查明款项(银行流水未匹配分类规则)")
        entries.extend(open_missing(filepath, new, held, self.ledger_account, names))
        return entries

    # -- parsing ----------------------------------------------------------------------------
    def parse(self, filepath: str) -> Parsed:
        """Read and check every line (raises :class:`SourceError`)."""
        sheet = read_sheet(filepath, self.layout)
        self.remember(filepath, sheet)
        titles = [block for part in sheet.parts for block in (part.title, *blocks(part.repeated))]
        check_one_account(filepath, titles, self.ledger_account)
        stated = self._periods(sheet)
        check_periods(filepath, list(stated.values()))
        periods = {name: (start, end) for name, (_, start, end) in stated.items()}
        lines, values = self._rows(sheet)
        verify_totals(sheet, values, ("debit", "credit", "amount"))
        newest_first = self._newest_first(sheet, lines)
        _check_balance_lines(sheet, lines, newest_first)
        if newest_first:
            lines.reverse()
        opening, closing = self._check_balances(sheet, lines, newest_first)
        lines = self._keys(sheet, lines)
        start, end = self._period(sheet, lines, periods)
        for line in lines:
            first, last = periods.get(line.sheet, (start, end))
            if not first <= line.date <= last:
                raise SourceError(
                    filepath,
                    line.number,
                    sheet.column("date"),
                    f"{line.date} 不在对账期 {first} 至 {last} 内",
                    sheet=line.sheet,
                )
        return Parsed(tuple(lines), start, end, opening, closing, sheet.describe(), newest_first)

    def _rows(self, sheet: Sheet) -> tuple[list[StatementRow], list[dict[str, Decimal]]]:
        """Parse every data row (the hot loop of a 100k-line import: direct cell access on
        rows padded to the header's width)."""
        layout = self.layout
        cols = sheet.header.columns
        formats = layout.date_formats
        i_date = cols["date"]
        i_serial = cols.get("serial")
        i_debit, i_credit = cols.get("debit"), cols.get("credit")
        i_amount, i_dir = cols.get("amount"), cols.get("direction")
        i_balance = cols.get("balance")
        i_party = cols.get("counterparty")
        memo_cols = sheet.header.memo
        need = max((*cols.values(), *memo_cols)) + 1
        pad = ("",) * need
        split = i_debit is not None and i_credit is not None
        s_debit, s_credit = sheet.scale("debit"), sheet.scale("credit")
        s_amount, s_balance = sheet.scale("amount"), sheet.scale("balance")
        debit_words, credit_words = set(layout.debit_words), set(layout.credit_words)
        shown_words = f"{'/'.join(layout.debit_words[:2])}/{'/'.join(layout.credit_words[:2])}"
        out: list[StatementRow] = []
        values: list[dict[str, Decimal]] = []
        seen: dict[str, Row] = {}
        for row in sheet.data:
            cells = row.cells
            if len(cells) < need:
                cells = (cells + pad)[:need]
            role = "date"
            try:
                try:
                    date = parse_day(cells[i_date], formats)
                except CellError:
                    date = sheet.day(cells[i_date])
                if split:
                    assert i_debit is not None and i_credit is not None
                    role = "debit"
                    debit = parse_money(cells[i_debit], s_debit)
                    role = "credit"
                    credit = parse_money(cells[i_credit], s_credit)
                    if debit and credit:
                        raise CellError("借方与贷方同时有金额")
                    if not debit and not credit and not (cells[i_debit] or cells[i_credit]):
                        raise CellError("借方与贷方都没有金额")
                    amount = credit - debit
                    values.append({"debit": debit, "credit": credit})
                    if i_dir is not None:
                        role = "direction"
                        word = cells[i_dir]
                        if (word in debit_words and debit == 0) or (
                            word in credit_words and credit == 0
                        ):
                            raise CellError(f"借贷标志 {word!r} 与金额所在列不符")
                else:
                    assert i_amount is not None
                    role = "amount"
                    amount = parse_money(cells[i_amount], s_amount, False)
                    if i_dir is not None:
                        role = "direction"
                        word = cells[i_dir]
                        if word in debit_words:
                            amount = -abs(amount)
                        elif word in credit_words:
                            amount = abs(amount)
                        else:
                            raise CellError(f"借贷标志 {word!r} 不是 {shown_words}")
                    values.append({"amount": amount})
                balance = None
                if i_balance is not None:
                    role = "balance"
                    balance = parse_money(cells[i_balance], s_balance, False)
                serial = ""
                if i_serial is not None:
                    role = "serial"
                    serial = cells[i_serial]
                    if not serial:
                        raise CellError("流水号为空")
                    if serial in seen:
                        raise CellError(f"流水号 {serial} 与{seen[serial].place}重复")
                    seen[serial] = row
            except CellError as exc:
                raise sheet.error(row, role, str(exc)) from None
            parts = [cells[i] for i in memo_cols if cells[i]]
            memo = parts[0] if len(parts) == 1 else " ".join(dict.fromkeys(parts))
            party = cells[i_party] if i_party is not None else ""
            out.append(
                StatementRow(
                    row.number, date, serial, amount, balance, scrub(party), scrub(memo), row.sheet
                )
            )
        return out, values

    def _newest_first(self, sheet: Sheet, lines: list[StatementRow]) -> bool:
        """The file's order: the layout's, else by the dates, else by the balance chain."""
        order = self.layout.order
        if order != "auto" or len(lines) < 2:
            return order == "newest-first"
        if lines[0].date != lines[-1].date:
            return lines[0].date > lines[-1].date
        if lines[0].balance is None:
            return False
        return not _chains(lines) and _chains(lines[::-1])

    def _check_balances(
        self, sheet: Sheet, lines: list[StatementRow], newest_first: bool
    ) -> tuple[Decimal | None, Decimal | None]:
        """Each running balance = the previous one + the line's amount (in date order)."""
        if "balance" not in sheet.header.columns or not lines:
            return None, None
        first = lines[0]
        assert first.balance is not None
        previous = first.balance - first.amount
        opening = previous
        where = "下一行 (较早)" if newest_first else "上一行"
        for line in lines:
            assert line.balance is not None
            if previous + line.amount != line.balance:
                raise SourceError(
                    sheet.path,
                    line.number,
                    sheet.column("balance"),
                    f"余额 {fmt_money(line.balance)} ≠ {where}余额 {fmt_money(previous)} "
                    f"+ 本笔发生额 {fmt_money(line.amount)} = {fmt_money(previous + line.amount)}",
                    sheet=line.sheet,
                )
            previous = line.balance
        return opening, previous

    def _keys(self, sheet: Sheet, lines: list[StatementRow]) -> list[StatementRow]:
        """Give each line its key: the serial, else date/amount/balance/ordinal."""
        if "serial" in sheet.header.columns:
            return lines
        count: Counter[tuple[datetime.date, Decimal, Decimal | None]] = Counter()
        out = []
        for line in lines:
            key = (line.date, line.amount, line.balance)
            count[key] += 1
            balance = "" if line.balance is None else str(line.balance)
            serial = f"{line.date:%Y%m%d}/{line.amount}/{balance}/{count[key]}"
            out.append(line._replace(serial=serial))
        return out

    def _periods(self, sheet: Sheet) -> dict[str, tuple[Row, datetime.date, datetime.date]]:
        """The period each sheet's title rows print (起止日期) and its row, by sheet."""
        out = {}
        for part in sheet.parts:
            for row in part.title:
                text = " ".join(c for c in row.cells if c)
                found = days_in(text)
                if len(found) >= 2 and PERIOD_WORDS.search(text):
                    start, end = found[0], found[-1]
                    if start > end:
                        raise SourceError(sheet.path, row, None, f"起止日期 {start} 晚于 {end}")
                    out[part.name] = (row, start, end)
                    break
        return out

    def _period(
        self,
        sheet: Sheet,
        lines: list[StatementRow],
        periods: dict[str, tuple[datetime.date, datetime.date]],
    ) -> tuple[datetime.date, datetime.date]:
        """The period the title rows print (a statement over several sheets, one a month:
        from the first start to the last end), else the lines' first and last day."""
        if periods:
            return min(s for s, _ in periods.values()), max(e for _, e in periods.values())
        if not lines:
            raise sheet.error(sheet.header.row, None, "对账单没有明细行, 也没有起止日期")
        return lines[0].date, lines[-1].date

    # -- entries ----------------------------------------------------------------------------
    def _unreconciled(self, index: KeyIndex) -> tuple[list[Flow], list[Flow]]:
        """Booked flows on the account that no bank line of the ledger covers yet, and the
        rolls and allocation documents among them (matched by reference first)."""
        accounts = {self.ledger_account}
        txns = index.transactions_on(self.ledger_account)
        flows = flows_of(txns, accounts)
        held = [
            Line(e.date, self.ledger_account, _amount(e), str(e.values[0].value), e)
            for e in index.bank_lines(self.ledger_account)
        ]
        linked_rolls = {str(e.entry.meta.get("roll")) for e in held if e.entry.meta.get("roll")}
        linked_docs = {str(e.entry.meta.get(DOC_KEY)) for e in held if e.entry.meta.get(DOC_KEY)}
        plain = [
            line
            for line in held
            if not line.entry.meta.get("roll") and not line.entry.meta.get(DOC_KEY)
        ]
        flows = [
            f
            for f in flows
            if f.roll not in linked_rolls and str(f.entry.meta.get(DOC_KEY)) not in linked_docs
        ]
        pairs, _ = match(flows, plain, self.match_days)
        open_flows = [flow for i, flow in enumerate(flows) if i not in pairs]
        refs = [f for f in open_flows if f.roll]
        refs += [f for f in doc_flows(txns, accounts) if f.doc not in linked_docs]
        return open_flows, refs

    def _other_leg(self, rules: Rules) -> Callable[[StatementRow], tuple[str, str, dict[str, str]]]:
        """Row → its other leg's account, the flag and the metadata its rule adds (``!``
        and the suspense account when no rule matches), decided once per counter-party,
        memo and direction (a statement repeats them on most of its lines)."""
        decided: dict[tuple[str, str, bool], tuple[str, str, dict[str, str]]] = {}

        def other(row: StatementRow) -> tuple[str, str, dict[str, str]]:
            key = (row.counterparty, row.memo, row.amount < 0)
            found = decided.get(key)
            if found is None:
                rule = rules.match(row.counterparty, row.memo, row.amount)
                if rule is None:
                    found = (self.suspense, "!", {})
                else:
                    extra = {"project": rule.project, "payment": rule.payment}
                    found = (
                        fill(rule.account, self.fund),
                        "*",
                        {k: v for k, v in extra.items() if v},
                    )
                decided[key] = found
            return found

        return other

    def _txn(
        self,
        filepath: str,
        row: StatementRow,
        other_leg: Callable[[StatementRow], tuple[str, str, dict[str, str]]],
    ) -> data.Transaction:
        currency = self.layout.currency
        meta: data.Meta = {"filename": filepath, "lineno": row.number, "bank_serial": row.serial}
        if row.sheet:
            meta[SHEET_KEY] = row.sheet
        other, flag, extra = other_leg(row)
        if extra:
            meta.update(extra)
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
        if row.sheet:
            meta[SHEET_KEY] = row.sheet
        meta["account"] = self.ledger_account
        meta["amount"] = Amount(row.amount, self.layout.currency)
        if row.counterparty:
            meta["counterparty"] = row.counterparty
        if row.memo:
            meta["memo"] = row.memo
        if flow.roll:
            meta["roll"] = flow.roll
        elif flow.doc:
            meta[DOC_KEY] = flow.doc
        elif flow.entry.meta.get("voucher"):
            meta["voucher"] = str(flow.entry.meta["voucher"])
        return data.Custom(meta, row.date, "bank-line", [_str(row.serial)])

    def _statement(self, filepath: str, parsed: Parsed, differences: list[str]) -> data.Custom:
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
        if differences:
            meta["unbalanced"] = "; ".join(differences)
        return data.Custom(meta, parsed.end, "statement", [_str(ident)])


def _check_balance_lines(sheet: Sheet, lines: list[StatementRow], newest_first: bool) -> None:
    """A balance line (期初余额, 承前页, 期末余额 …) states the running balance where it
    stands: after the data row above it (oldest first) or the one below it (newest first),
    the opening balance where there is none. Its figure is in the 余额 column, else after
    its label (``期初余额：5,000.00``)."""
    if "balance" not in sheet.header.columns or not lines:
        return
    for row, before in sheet.balances:
        if sheet.cell(row, "balance"):
            stated, column = money(sheet, row, "balance"), sheet.column("balance")
        else:
            found = labelled_balance(sheet, row)
            if found is None:
                continue
            stated, column = found
        if newest_first:
            line = lines[before] if before < len(lines) else None
            oldest = lines[-1]
        else:
            line = lines[before - 1] if before > 0 else None
            oldest = lines[0]
        assert oldest.balance is not None
        want = line.balance if line is not None else oldest.balance - oldest.amount
        if stated != want:
            where = f"{line.place}之后的余额" if line is not None else "期初余额"
            assert want is not None
            raise SourceError(
                sheet.path,
                row,
                column,
                f"余额行 {fmt_money(stated)} ≠ {where} {fmt_money(want)}",
            )


def _chains(lines: list[StatementRow]) -> bool:
    previous = None
    for line in lines:
        if line.balance is None:
            return False
        if previous is not None and previous + line.amount != line.balance:
            return False
        previous = line.balance
    return True


def _line_text(line: Line) -> str:
    row = line.entry
    return f"{row.memo} {row.counterparty}" if isinstance(row, StatementRow) else ""


def _str(value: str) -> ValueType:
    return ValueType(value, str)


def _amount(entry: data.Custom) -> Decimal:
    amount = entry.meta.get("amount")
    return getattr(amount, "number", None) or ZERO
