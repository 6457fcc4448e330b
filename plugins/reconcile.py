"""R01–R03: books against the bank (DOMAIN K rows 2c and 6b, L.4).

Once a period's statement of a fund account is imported, what the books say left that
account must be what the bank says left it:

* R01 (error, 虚列支出, K6b): every outflow booked on the account in the period (a voucher
  typed in, not a line of the statement itself) is matched by a bank line of the same
  amount within ± ``bank-match-days`` (5) days;
* R02 (error, K2c): a payment roll's total (the transactions sharing ``roll:``) equals one
  bank debit within the same window;
* R03 (warning): a bank line the books no longer match (the voucher it stood for was
  changed or removed).

How the ledger records an imported statement (written by ``fupin import extract``)::

    2022-12-31 custom "statement" "RCB-XJ-2022-20221101-20221231"
      account: "Assets:Treasury:XJ-2022"
      start: 2022-11-01
      end: 2022-12-31
      bank: "县农村商业银行"
      opening: 2398195.00 CNY
      closing: 190262.00 CNY
    2022-11-21 custom "bank-line" "RCB202211210031"      ; a statement line already booked
      account: "Assets:Treasury:XJ-2022"
      amount: -574872.00 CNY
      voucher: "记-2022-0048"
    2023-01-01 balance Assets:Treasury:XJ-2022  190262.00 CNY

Statement lines nobody booked yet become transactions with ``bank_serial:`` (they are the
bank's side themselves). Matching is exact in amount and greedy by date (closest first);
both sides are named in every finding.
"""

from __future__ import annotations

import bisect
import datetime
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Annotated, Any, ClassVar, NamedTuple

from beancount.core.data import Transaction
from pydantic import BeforeValidator, Field, model_validator

from fupin.book import Book
from fupin.engine import Item, Rule, check, finding
from fupin.entities import Entity
from fupin.findings import ReconcileError, Severity
from fupin.money import ZERO, fmt_money
from fupin.vocab import MAX_AMOUNT

#: Transaction metadata: the bank's serial number of the statement line it came from.
SERIAL_KEY = "bank_serial"
#: Transaction metadata: the payment roll (一卡通发放批次) a benefit payment belongs to.
ROLL_KEY = "roll"
#: Transaction metadata: the allocation document (资金下达文号) a receipt books.
DOC_KEY = "alloc_doc"
BRACKETS = str.maketrans(dict.fromkeys("[［【(（﹝", "〔") | dict.fromkeys("]］】)）﹞", "〕"))
SPACES = re.compile(r"\s+")


def ref_key(text: str) -> str:
    """A roll batch or document number as compared with bank memos (NFKC, no spaces,
    every kind of bracket as 〔〕): ``云财农[2025]8号`` and ``云财农〔2025〕8号`` are one."""
    return SPACES.sub("", unicodedata.normalize("NFKC", text)).translate(BRACKETS)


def _number(value: Any) -> Any:
    return getattr(value, "number", value)


Signed = Annotated[Decimal, BeforeValidator(_number), Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)]


class Statement(Entity):
    """An imported bank statement: ``custom "statement" "<ID>"`` covering start..end."""

    kind: ClassVar[str] = "statement"
    label: ClassVar[str] = "银行对账单"
    refs: ClassVar[dict[str, str]] = {"account": "account"}

    id: str
    account: str
    start: datetime.date
    end: datetime.date
    bank: str | None = None
    document: str | None = None
    rows: Annotated[int, Field(ge=0, le=10**9)] | None = None
    opening: Signed | None = None
    closing: Signed | None = None
    #: the differences by reference the import found (its balance assertion is left out)
    unbalanced: str | None = None

    def describe(self) -> str:
        return f"{self.bank or ''}对账单 {self.start} 至 {self.end} [statement {self.id}]".strip()

    @model_validator(mode="after")
    def _period_in_order(self) -> Statement:
        if self.end < self.start:
            raise ValueError(f"end: {self.end} 早于 start {self.start}")
        if (self.end - self.start).days > 3660 or abs(self.end - self.date).days > 3660:
            raise ValueError(f"end: 对账期间 {self.start} 至 {self.end} 不合理 (超过十年)")
        return self


class BankLine(Entity):
    """A statement line whose money the books already hold: ``custom "bank-line" "<serial>"``."""

    kind: ClassVar[str] = "bank-line"
    label: ClassVar[str] = "银行流水"
    positional: ClassVar[tuple[str, ...]] = ("serial",)
    refs: ClassVar[dict[str, str]] = {"account": "account"}

    serial: str
    account: str
    amount: Signed
    counterparty: str | None = None
    memo: str | None = None
    voucher: str | None = None
    roll: str | None = None
    alloc_doc: str | None = None

    def key(self) -> str:
        """A bank line is defined once per serial (a second is a double import)."""
        return f"{self.serial}@{self.date}"


class Flow(NamedTuple):
    """Money the books say moved on a bank account: one voucher, or one whole roll."""

    date: datetime.date
    account: str
    amount: Decimal
    label: str
    entry: Transaction
    roll: str | None
    #: the allocation document (文号) a receipt books (``alloc_doc``), to link bank credits
    doc: str | None = None


class Line(NamedTuple):
    """Money the bank says moved: one statement line."""

    date: datetime.date
    account: str
    amount: Decimal
    serial: str
    entry: Any


def match(
    flows: Sequence[Flow], lines: Sequence[Line], days: int
) -> tuple[dict[int, Line], list[Line]]:
    """Pair each flow with an unused line of equal amount within ± ``days``, closest first.

    Returns the pairs (flow index → line) and the lines left over. Flows are taken in date
    order, so the result does not depend on the order of the inputs.
    """
    pool: dict[tuple[str, Decimal], list[Line]] = defaultdict(list)
    for line in sorted(lines, key=lambda x: (x.date, x.serial)):
        pool[(line.account, line.amount)].append(line)
    days_of = {key: [c.date for c in candidates] for key, candidates in pool.items()}
    used: set[int] = set()
    pairs: dict[int, Line] = {}
    window = datetime.timedelta(days=days)
    order = sorted(range(len(flows)), key=lambda i: (flows[i].date, flows[i].label))
    for index in order:
        flow = flows[index]
        key = (flow.account, flow.amount)
        candidates = pool.get(key)
        if not candidates:
            continue
        dates = days_of[key]
        lo = bisect.bisect_left(dates, flow.date - window)
        hi = bisect.bisect_right(dates, flow.date + window)
        best: tuple[int, Line] | None = None
        for line in candidates[lo:hi]:
            if id(line) in used:
                continue
            gap = abs((line.date - flow.date).days)
            if best is None or gap < best[0]:
                best = (gap, line)
        if best is not None:
            used.add(id(best[1]))
            pairs[index] = best[1]
    leftover = [line for line in lines if id(line) not in used]
    return pairs, leftover


def flows_of(txns: Iterable[Transaction], accounts: set[str]) -> list[Flow]:
    """Booked flows on ``accounts``: one per transaction, one per roll (summed)."""
    single: list[Flow] = []
    rolls: dict[tuple[str, str], list[tuple[Transaction, Decimal]]] = defaultdict(list)
    for txn in txns:
        if SERIAL_KEY in txn.meta:
            continue
        hits = [p for p in txn.postings if p.account in accounts and p.units is not None]
        if not hits:  # most of a county's transactions: not on an imported account
            continue
        amounts: dict[str, Decimal] = defaultdict(Decimal)
        for posting in hits:
            amounts[posting.account] += posting.units.number  # type: ignore[operator, union-attr]
        roll = txn.meta.get(ROLL_KEY)
        for account, amount in amounts.items():
            if not amount:
                continue
            if roll:
                rolls[(account, str(roll))].append((txn, amount))
            else:
                label = str(txn.meta.get("voucher") or txn.narration or "")
                single.append(Flow(txn.date, account, amount, label, txn, None))
    for (account, roll), items in rolls.items():
        total = sum((amount for _, amount in items), ZERO)
        last = max(items, key=lambda item: item[0].date)[0]
        single.append(Flow(last.date, account, total, roll, last, roll))
    return single


def doc_flows(txns: Iterable[Transaction], accounts: set[str]) -> list[Flow]:
    """Receipts booked from allocation documents (``alloc_doc``), one flow per document and
    account (summed): what the bank credits that name the 文号 are compared with."""
    docs: dict[tuple[str, str], list[tuple[Transaction, Decimal]]] = defaultdict(list)
    for txn in txns:
        doc = txn.meta.get(DOC_KEY)
        if not doc or SERIAL_KEY in txn.meta:
            continue
        for posting in txn.postings:
            if posting.account in accounts and posting.units is not None and posting.units.number:
                docs[(posting.account, str(doc))].append((txn, posting.units.number))
    out = []
    for (account, doc), items in docs.items():
        total = sum((amount for _, amount in items), ZERO)
        first = min(items, key=lambda item: item[0].date)[0]
        out.append(Flow(first.date, account, total, doc, first, None, doc))
    return out


def link_by_reference(
    flows: Sequence[Flow], lines: Sequence[Line], text: Callable[[Line], str]
) -> dict[int, list[Line]]:
    """Flows with a reference (a roll's batch, a receipt's 文号) → the bank lines on the same
    account, in the same direction, whose text (memo, counter-party) contains it.

    A roll the bank pays as several debits, or an allocation credited in parts, is matched
    by what the lines say, not by amount; each line goes to one flow (longest reference
    first, so ``〔2025〕18号`` is never taken for ``〔2025〕8号``).
    """
    refs = [(i, ref_key(f.roll or f.doc or "")) for i, f in enumerate(flows) if f.roll or f.doc]
    refs = [(i, ref) for i, ref in refs if ref]
    if not refs or not lines:
        return {}
    refs.sort(key=lambda item: (-len(item[1]), item[0]))
    texts = [ref_key(text(line)) for line in lines]
    taken: set[int] = set()
    out: dict[int, list[Line]] = {}
    for index, ref in refs:
        flow = flows[index]
        got = [
            j
            for j, line in enumerate(lines)
            if j not in taken
            and line.account == flow.account
            and (line.amount < 0) == (flow.amount < 0)
            and ref in texts[j]
        ]
        if got:
            out[index] = [lines[j] for j in got]
            taken.update(got)
    return out


def lines_of(book: Book) -> list[Line]:
    return [
        Line(line.date, line.account, line.amount, line.serial, book.entry_of(line))
        for line in book.all(BankLine)
    ]


def _covered(statements: Sequence[Statement]) -> dict[str, list[Statement]]:
    out: dict[str, list[Statement]] = defaultdict(list)
    for statement in statements:
        out[statement.account].append(statement)
    return out


def _cover(flow: Flow, covered: dict[str, list[Statement]]) -> Statement | None:
    return next((s for s in covered.get(flow.account, ()) if s.start <= flow.date <= s.end), None)


def _candidate_txns(book: Book) -> list[Transaction]:
    """Transactions that move fund money (from the book's one pass), each once."""
    seen: dict[int, Transaction] = {}
    for rows in (book.spends, book.movements, book.receipts):
        for row in rows:
            entry = row.entry
            seen[id(entry)] = entry  # a repeat keeps its first place
    return list(seen.values())


def bank_txns(book: Book, accounts: set[str]) -> list[Line]:
    """Statement lines imported as transactions (``bank_serial``), on the given accounts."""
    out = []
    for serial, txns in book.index.get(SERIAL_KEY, {}).items():
        for txn in txns:
            for posting in txn.postings:
                if posting.account in accounts and posting.units is not None:
                    amount = posting.units.number
                    out.append(Line(txn.date, posting.account, amount, serial, txn))  # type: ignore[arg-type]
    return out


def _nearest(flow: Flow, lines: Sequence[Line]) -> Line | None:
    """The outflow line closest in amount, then in date (what the officer should look at)."""
    same = [line for line in lines if line.account == flow.account and line.amount < 0]
    return min(
        same,
        key=lambda x: (abs(x.amount - flow.amount), abs((x.date - flow.date).days), x.serial),
        default=None,
    )


def reconcile(book: Book) -> Iterator[Item]:
    """R01/R02 per booked outflow and roll in an imported period; R03 per orphan line."""
    statements = book.all(Statement)
    if not statements:
        return
    covered = _covered(statements)
    accounts = set(covered)
    last = book.last_date or statements[-1].end
    days = book.policy.at(last).bank_match_days
    candidates = _candidate_txns(book)
    flows = [f for f in flows_of(candidates, accounts) if _cover(f, covered)]
    lines = lines_of(book)
    linked, lines = _split_linked(lines)
    documents = dict.fromkeys(doc for kind, _, doc in linked if kind == DOC_KEY)
    receipts = [txn for doc in documents for txn in book.txns_by(DOC_KEY, doc)]
    yield from _by_reference(book, flows, doc_flows(receipts, accounts), linked, days)
    done_rolls = {key for key in linked if key[0] == ROLL_KEY}
    done_docs = {key[1:] for key in linked if key[0] == DOC_KEY}
    flows = [
        f
        for f in flows
        if (ROLL_KEY, f.account, f.roll) not in done_rolls
        and (f.account, str(f.entry.meta.get(DOC_KEY))) not in done_docs
    ]
    pairs, leftover = match(flows, lines, days)
    evidence: list[Line] | None = None  # what an unmatched flow is shown beside (built once)
    unmatched: dict[str, int] = defaultdict(int)
    for index, flow in enumerate(flows):
        if index in pairs or flow.amount >= 0:
            continue
        statement = _cover(flow, covered)
        assert statement is not None
        unmatched[statement.id] += 1
        if evidence is None:
            evidence = [*lines, *bank_txns(book, accounts)]
        yield from _unmatched(book, flow, statement, evidence, days)
    for statement in statements:
        yield from check(
            ReconcileError,
            rule="R01",
            title="无银行流水对应的账面支出",
            scope=f"statement {statement.id}",
            value=unmatched[statement.id],
            op="==",
            threshold=0,
            unit="count",
            policy_key="bank-match-days",
            entity=statement.id,
            label=statement.describe(),
            entry=book.entry_of(statement),
            report=False,
            year=statement.end.year,
        )
    matched = {id(line) for line in pairs.values()}
    for line in leftover:
        if id(line) in matched:
            continue
        yield finding(
            ReconcileError,
            "R03",
            f"银行流水 {line.serial} {fmt_money(line.amount)} CNY 在账上无对应凭证 — "
            f"{line.account} {line.date}; 请核对是否漏记或凭证被修改",
            line.entry,
            severity=Severity.WARNING,
            entity=line.serial,
            policy_key="bank-match-days",
        )


def _split_linked(lines: list[Line]) -> tuple[dict[tuple[str, str, str], list[Line]], list[Line]]:
    """Bank lines the importer linked to a roll or an allocation document, and the rest."""
    linked: dict[tuple[str, str, str], list[Line]] = defaultdict(list)
    rest = []
    for line in lines:
        meta = line.entry.meta if line.entry is not None else {}
        if meta.get(ROLL_KEY):
            linked[(ROLL_KEY, line.account, str(meta[ROLL_KEY]))].append(line)
        elif meta.get(DOC_KEY):
            linked[(DOC_KEY, line.account, str(meta[DOC_KEY]))].append(line)
        else:
            rest.append(line)
    return linked, rest


def _by_reference(
    book: Book,
    flows: Sequence[Flow],
    docs: Sequence[Flow],
    linked: dict[tuple[str, str, str], list[Line]],
    days: int,
) -> Iterator[Item]:
    """R02 per roll and R04 per 文号 whose bank lines were linked by reference: the sums."""
    rolls = {(ROLL_KEY, f.account, f.roll): f for f in flows if f.roll}
    documents = {(DOC_KEY, f.account, f.doc): f for f in docs if f.doc}
    for key, got in linked.items():
        kind, account, ref = key
        paid = sum((line.amount for line in got), ZERO)
        serials = "、".join(line.serial for line in got)
        flow = rolls.get(key) if kind == ROLL_KEY else documents.get(key)
        booked = flow.amount if flow is not None else ZERO
        anchor = flow.entry if flow is not None else got[0].entry
        if kind == ROLL_KEY:
            yield from check(
                ReconcileError,
                rule="R02",
                title="代发银行扣款合计",
                scope=f"roll {ref}",
                value=-paid,
                op="==",
                threshold=-booked,
                policy_key="bank-match-days",
                note=f"{len(got)} 笔",
                entity=ref,
                label=f"一卡通发放清册合计 [roll {ref}]",
                inputs=f"{account} 银行流水 {serials} 合计 {fmt_money(-paid)} CNY; "
                f"清册合计 {fmt_money(-booked)} CNY",
                entry=anchor,
                year=anchor.date.year,
            )
        elif paid != booked:
            yield finding(
                ReconcileError,
                "R04",
                f"{ref}: 分配表 {fmt_money(booked)} ≠ 到账 {fmt_money(paid)}, "
                f"差 {fmt_money(booked - paid)} — 资金下达与银行到账 [document {ref}]; "
                f"{account} 银行流水 {serials}",
                anchor,
                entity=ref,
                value=paid,
                threshold=booked,
                policy_key="bank-match-days",
            )
    del days


def _unmatched(
    book: Book, flow: Flow, statement: Statement, lines: Sequence[Line], days: int
) -> Iterator[Item]:
    near = _nearest(flow, lines)
    seen = (
        f"最接近的银行流水 {near.serial} {near.date} {fmt_money(near.amount)} CNY"
        if near
        else "对账单中无支出流水"
    )
    if near and isinstance(near.entry, Transaction) and near.entry.flag == "!":
        seen += " (已作为未分类流水记入待查明款项: 请改记为对应凭证的 bank-line)"
    both = (
        f"账面 {flow.account} {flow.date} {fmt_money(flow.amount)} CNY; "
        f"{statement.describe()} 内无同额支出, {seen}"
    )
    if flow.roll:
        yield from check(
            ReconcileError,
            rule="R02",
            title="代发银行扣款",
            scope=f"roll {flow.roll}",
            value=-near.amount if near and not isinstance(near.entry, Transaction) else ZERO,
            op="==",
            threshold=-flow.amount,
            policy_key="bank-match-days",
            note=f"±{days} 天",
            entity=flow.roll,
            label=f"一卡通发放清册合计 [roll {flow.roll}]",
            inputs=both,
            entry=flow.entry,
            year=flow.date.year,
        )
        return
    voucher = flow.entry.meta.get("voucher")
    kind = f"[voucher {voucher}]" if voucher else ""
    yield from check(
        ReconcileError,
        rule="R01",
        title="银行流水对应支出",
        scope=f"txn {flow.label}",
        value=ZERO,
        op="==",
        threshold=-flow.amount,
        policy_key="bank-match-days",
        note=f"±{days} 天",
        entity=str(voucher or flow.label),
        label=f"虚列支出嫌疑: {flow.entry.narration} {kind}".strip(),
        inputs=both,
        entry=flow.entry,
        year=flow.date.year,
    )


RULE = Rule(
    ("R01", "R02", "R03", "R04"),
    "银行对账(虚列支出、发放清册与代发扣款)",
    "DOMAIN K2c, K6b (2017 公告: 86 counties 15.39亿 incl. 虚列支出); L.4",
    reconcile,
)
