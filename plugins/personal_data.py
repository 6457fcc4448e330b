"""PII: no personal number in the ledger's own text (issue 12, DESIGN "People").

The ledger is shown to every auditor in Fava; the conventions keep ID-card numbers, phones
and bank accounts in the household register only. :class:`TextScanner` reads every payee,
narration, tag, link, metadata value, account name and entity value with the one detector,
:func:`fupin.pii.find` (the notices' lint uses the same), and reports each hit at its entry
by kind and field, never echoing the number. The supervision phones printed on notices
(``notice-phones``, ``notice-hotline``, a notice's ``phones``) are public and exempt.
"""

from __future__ import annotations

import bisect
import re
from decimal import Decimal
from functools import partial
from itertools import accumulate, compress, islice
from operator import is_, not_
from typing import TYPE_CHECKING, Any

from beancount.core.amount import Amount
from beancount.core.data import Custom, Transaction

from fupin import pii
from fupin.findings import Finding

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from beancount.core.data import Directive, Meta


class PersonalDataError(Finding):
    """PII: an ID-card, mobile or bank-card number in the ledger's own text."""

    __slots__ = ()


#: Public phones a county prints on every notice (policy, notice fields): not personal data.
PUBLIC_PHONE_KEYS = frozenset(("notice-phones", "notice-hotline"))  # policy keys
NOTICE_PHONES = "phones"  # a notice's own field
_SKIP = frozenset(("filename", "lineno"))


# -- PII ---------------------------------------------------------------------------------------
class TextScanner:
    """Personal numbers in the ledger's text, in two passes.

    The first pass only gathers the distinct texts (payees, narrations, tags, links,
    metadata values, account names, entity values); each distinct text is then read once.
    A personal number is 11 or more digits in one chain (digits joined by separators): a
    text without such a chain (:data:`_CHAIN`, :data:`_ASCII_CHAIN`) cannot hold one and
    skips the detector, every other text goes through :func:`fupin.pii.find`. Only when a
    text holds one does a second pass find the entries and fields it stands in.
    """

    def __init__(self) -> None:
        self.values: set[Any] = set()
        self.bad: dict[Any, tuple[str, ...]] = {}

    def collect(self, entry: Directive) -> None:
        """Gather the texts of one entry other than a transaction (transactions: :mod:`text_summary`)."""
        values = self.values
        meta = entry.meta
        if meta and len(meta) > 2:
            gather(values, meta, len(meta))
        if isinstance(entry, Custom):
            if not _public_phones(entry):
                values.update(v.value for v in entry.values or ())
        else:
            for name in _TEXT_FIELDS:
                values.add(getattr(entry, name, None))
            for name in ("tags", "links"):  # a document's
                values.update(getattr(entry, name, None) or ())

    def suspects(self) -> bool:
        """Read each distinct text once; whether any holds a personal number.

        The texts are sorted by kind, those with fewer than 11 digit-like characters set
        aside (none can hold a chain), and the rest joined (by a letter, which ends every
        digit chain) and searched for candidate chains in one regular-expression pass; only
        the texts a candidate falls in go through the detector."""
        values = list(self.values)
        kinds = list(map(type, values))  # the texts sorted by kind at C speed (tens of thousands)
        texts = list(compress(values, map(_IS_STR, kinds)))
        ascii_ = list(map(str.isascii, texts))
        numbers = [  # an unquoted number of 11 or more digits, as written out
            f"{number:f}"
            for number in _numbers(compress(values, map(_NUMBER_KINDS.__contains__, kinds)))
        ]
        for group, chain, digests in (
            (_eleven_numerals(list(compress(texts, ascii_)), ascii_only=True), _ASCII_CHAIN, True),
            (numbers, _ASCII_CHAIN, False),
            (
                _eleven_numerals(list(compress(texts, map(not_, ascii_))), ascii_only=False),
                _CHAIN,
                True,
            ),
        ):
            for text in _candidates(group, chain):
                if digests and _DIGEST.match(text):  # a digest is no one's number
                    continue
                labels = tuple(dict.fromkeys(hit.label for hit in pii.find(text)))
                if labels:
                    self.bad[text] = labels
        for value in self.values if self.bad else ():  # numbers are reported as written
            if type(value) in (Amount, Decimal):
                number = value.number if type(value) is Amount else value
                if number is not None and number.is_finite() and f"{number:f}" in self.bad:
                    self.bad[value] = self.bad[f"{number:f}"]
        self.values = set()
        return bool(self.bad)

    def report(self, entry: Directive, out: list[Finding]) -> None:
        """The findings of one entry (second pass)."""
        kind = type(entry)
        if kind is Transaction:
            txn: Transaction = entry  # type: ignore[assignment]
            self.field(txn, "payee", txn.payee, out)
            self.field(txn, "narration", txn.narration, out)
            for name, items in (("tag", txn.tags), ("link", txn.links)):
                for item in items or ():
                    self.field(txn, name, item, out)
            for posting in txn.postings:
                self.meta(txn, posting.meta, out, f"{posting.account} 的 ")
        elif kind is Custom:
            custom: Custom = entry  # type: ignore[assignment]
            if not _public_phones(custom):
                for position, value in enumerate(custom.values or ()):
                    self.field(custom, f"第 {position + 1} 个值", value.value, out)
        else:
            for name in _TEXT_FIELDS:
                self.field(entry, name, getattr(entry, name, None), out)
            for label, attr in (("tag", "tags"), ("link", "links")):  # a document's
                for item in getattr(entry, attr, None) or ():
                    self.field(entry, label, item, out)
        self.meta(entry, entry.meta, out)

    def meta(
        self, entry: Directive, meta: Meta | None, out: list[Finding], where: str = ""
    ) -> None:
        for key, value in (meta or {}).items():
            if key in _SKIP or (key == NOTICE_PHONES and _is_notice(entry)):
                continue
            self.field(entry, f"{where}{key}", value, out)

    def field(self, entry: Directive, name: str, value: Any, out: list[Finding]) -> None:
        try:
            labels = self.bad.get(value)
        except TypeError:  # an unhashable value holds no text of ours
            return
        if labels:
            out.append(
                PersonalDataError(
                    entry.meta,
                    f"PII error: 账簿中出现{'、'.join(labels)} ({name}; 号码不予显示) — "
                    "账簿不得存放身份证号、手机号或银行卡号, 农户只写化名编号 H-<村代码>-<序号>, "
                    "号码只存于农户信息库",
                    entry,
                    rule="PII",
                    policy_key=name,
                )
            )


def title_finding(options: Mapping[str, Any]) -> Finding | None:
    """PII in ``option "title"`` (Fava prints it on every page), at its line of the top file."""
    title = options.get("title")
    if not isinstance(title, str) or not pii.find(title):
        return None
    top = str(options.get("filename") or "")
    lineno = 0
    try:
        with open(top, encoding="utf-8") as lines:
            lineno = next((n for n, line in enumerate(lines, 1) if _TITLE.match(line)), 0)
    except (OSError, UnicodeDecodeError):
        pass
    labels = "、".join(dict.fromkeys(hit.label for hit in pii.find(title)))
    return PersonalDataError(
        {"filename": top, "lineno": lineno},
        f'PII error: 账簿标题中出现{labels} (option "title"; 号码不予显示) — Fava 每一页都显示标题, '
        "账簿不得存放身份证号、手机号或银行卡号",
        None,
        rule="PII",
        policy_key="title",
    )


_TITLE = re.compile(r'\s*option\s+"title"')


def gather(values: set[Any], meta: Meta, size: int) -> None:
    """Add a metadata dict's values after its filename and lineno (and before Beancount's
    own ``__tolerances__``) to ``values``."""
    stop = size - 1 if "__tolerances__" in meta else size
    try:
        values.update(islice(meta.values(), 2, stop))
    except TypeError:  # another unhashable value of Beancount's own
        values.update(v for v in meta.values() if type(v) in _TEXT_TYPES)


def _is_notice(entry: Directive) -> bool:
    return isinstance(entry, Custom) and entry.type == "notice"


def _public_phones(entry: Custom) -> bool:
    """A policy entry setting the supervision phones printed on notices."""
    values = entry.values or []
    return entry.type == "policy" and bool(values) and values[0].value in PUBLIC_PHONE_KEYS


def _numbers(values: Iterable[Any]) -> Iterator[Decimal]:
    """The finite numbers of 11 or more digits among Decimals and Amounts."""
    for value in values:
        number = value.number if type(value) is Amount else value
        if number is not None and number.is_finite() and abs(number) >= _TEN_DIGITS:
            yield number


def _eleven_numerals(texts: list[str], *, ascii_only: bool) -> list[str]:
    """The texts with 11 or more digit-like characters in all (each chain :data:`_CHAIN` or
    :data:`_ASCII_CHAIN` finds has 11 or more): every other character deleted in one pass
    over all the texts (a byte translation for ASCII texts), then the counts compared."""
    if not texts:
        return texts
    joined = "\n".join(texts)
    if ascii_only:
        parts: list[Any] = joined.encode("ascii").translate(None, _NOT_DIGIT).split(b"\n")
    else:
        parts = _NOT_NUMERAL.sub("", joined).split("\n")
    if len(parts) != len(texts):  # a text holds the separator: no shortcut
        return texts
    return list(compress(texts, map((10).__lt__, map(len, parts))))


def _candidates(texts: list[str], chain: re.Pattern[str]) -> list[str]:
    """The texts in which ``chain`` finds a candidate.

    One search over all texts at once finds the runs that could hold a personal number
    (simple patterns, fast); ``chain`` (exact, slower) then reads only those runs."""
    if not texts:
        return []
    runs = _ASCII_RUNS if chain is _ASCII_CHAIN else (_RUN,)
    joined = _JOIN.join(texts)
    starts: list[int] = []
    found: dict[int, str] = {}
    for run in runs:
        for match in run.finditer(joined):
            if chain.search(match.group()) is None:
                continue
            if not starts:
                starts = list(accumulate((len(t) + len(_JOIN) for t in texts), initial=0))
            index = bisect.bisect_right(starts, match.start()) - 1
            found[index] = texts[index]
    return list(found.values())


#: a hex digest (SHA-256 of a seal, an evidence file): 32 or more hex characters and
#: nothing else, longer than any personal number
_DIGEST = re.compile(r"(?:sha256:)?[0-9a-fA-F]{32,128}\Z")
#: joins texts for one search: a letter ends every digit chain (see _CHAIN)
_JOIN = "Z\n"


_TEXT_TYPES = frozenset((str, Decimal, Amount))
#: the text fields of other directives (an account name, a note's comment, an event's type
#: and description, a query's name and text, …)
_TEXT_FIELDS = ("account", "comment", "type", "description", "filename", "name", "query_string")

#: characters that may read as a digit (fupin.pii reads any script's digits, NFKC forms
#: and Chinese numerals): the detector runs only on a text with 11 or more of them
_DIGITISH = (
    "\\d〇零一二三四五六七八九壹贰叁肆伍陆柒捌玖幺"
    "\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089\u2150-\u218b\u2460-\u24ff"
    "\u2776-\u2793\u3007\u3021-\u3029\u3220-\u3229\u3248-\u324f\u3251-\u325f"
    "\u3280-\u3289\u32b1-\u32bf\U0001f100-\U0001f10c"
)
_NUMERIC = f"[{_DIGITISH}]"
_CHAIN = re.compile(f"{_NUMERIC}(?:(?:[^\\w]|_)*{_NUMERIC}){{10}}")
#: what is not digit-like (nor the newline that joins texts), deleted by :func:`_eleven_numerals`
_NOT_NUMERAL = re.compile(f"[^{_DIGITISH}\\n]+")
#: a run of digit-like and non-word characters long enough to hold 11 digits
_RUN = re.compile(f"{_NUMERIC}[\\W_{_DIGITISH}]{{9,}}{_NUMERIC}")
#: in ASCII text: a run of 15 digits and separators (ID, bank card); a ``1[3-9]`` and 9 more
#: digits (a mobile: a literal start, the fastest search)
_ASCII_RUNS = (
    re.compile(r"[0-9][^A-Za-z]{13,}[0-9]"),
    re.compile(r"1[3-9][^A-Za-z]{8,}[0-9]"),
)
#: in ASCII text: 15 or more digits in a chain (ID, bank card), or 11 from a ``1[3-9]`` that
#: starts a group, after an optional ``86``/``0086`` (a mobile)
_ASCII_CHAIN = re.compile(
    r"[0-9](?:[^A-Za-z0-9]*[0-9]){14}|(?<![0-9])(?:(?:00)?86)?1[3-9](?:[^A-Za-z0-9]*[0-9]){9}"
)
_TEN_DIGITS = Decimal(10) ** 10
_IS_STR = partial(is_, str)  # of a value's type: a str (not a subclass)
_NUMBER_KINDS = frozenset((Decimal, Amount))
#: every byte but the ASCII digits and the newline (deleted by :func:`_eleven_numerals`)
_NOT_DIGIT = bytes(b for b in range(256) if not (48 <= b <= 57 or b == 10))
