"""Privacy of notices: the lint over inputs and final bytes, and keyed check codes.

**Lint** (DESIGN "Trust"; DOMAIN F.3). One detector (:mod:`fupin.pii`) runs twice:

* on the **inputs**, every text field of every :class:`NoticeDoc` before anything is
  rendered, so the message names the field and the entity it came from
  (``project P-2021-001 建设内容 (body.project.content)``);
* on the **final bytes** of every output: each HTML file (visible text block by block, and
  attribute values such as link targets), the text of each PDF as extracted from the PDF
  itself, the PDF's metadata, every file and folder name, and the index page. A hit there is
  traced back to the field that holds the same digits, where one does.

A notice that names households (a recipient or a monitoring list) must also not print a
health condition or a poverty cause (policy ``notice-health-terms``): a list titled 慢性病救助
tells the village the illness of every household on it, so the whole notice and its 明白卡 are
checked, not only the rows. On a household's own line (name, 村民小组, 依据) any phone number,
a landline too, is that household's and refused.

Any other notice (a project notice, an allocation, an income plan, a title, the index) may
print a health word, a 残疾人就业帮扶 project or a 慢性病救助 heading, but not **beside the
name of a person of the register** (a household head or member), whole or masked:
``钱豪(重病户)`` or ``钱*(重病户)`` typed into a project's 受益对象, or a name in one cell of a
table row and ``因病`` in another, is refused (:class:`NameGuard`, which says what "beside"
and "a name" mean). The fields are read record by record, the HTML ``<tr>`` by ``<tr>``, the
PDF as its pages lay the cells out, with poppler or without it: a ruled table's row is every
line of its cells (:mod:`fupin.reports.pdf_layout`).

**Names in identifiers.** A notice's id and the place it is posted in are identifiers, not
text about anyone: the id is the file's name, the 编号 on the notice and its 明白卡, the index
row and the HTML anchors; the township and village are the folder's name (and a village
split's PDF title). A full name of a person of the register inside them (``N-2023-M-钱豪``,
a ``village:`` typed as ``钱豪`` or ``钱豪村``; read as :class:`NameGuard` reads names, so a
name inside a township or village of the register, a person 石桥 in 石桥村, is the place)
would be published unmasked however the body masks names, so it is **refused, not
renamed** (:func:`lint_identifiers`): a village clerk keeps the notice's id as the one key
the posted sheet, its 明白卡 check codes, the findings and Fava share, and expects the file
to be called what the ledger calls the notice; a silent ``钱*`` in a file name would be a
notice no entry is called, printed with the name on it anyway. The message says which
notice (its id masked) and where its entry is, and asks for an id without a name.

Any hit means nothing is published. Messages name the notice and the field, never the
number (``N-<身份证号已隐去>``, :func:`redact`, the notice's own id included), nor a register
name: :class:`Redactor` masks the names in what a message echoes of the ledger (ids,
places, quoted values) as the notices mask names (``钱*``, ``王*明``).

**Check codes.** A recipient line carries ``HMAC-SHA256(county key, notice id ␟ household
id)``, shown as 8 base-32 characters (40 bits, ``K7QX-3M2A``). The household's 明白卡 shows the
same code, so a family can find its own line without anyone printing an ID number. The key
lives outside the ledger (:mod:`fupin.notice_key`): without it a code reveals nothing about
the household id, and the same household gets a different code on every notice.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import hmac
import html
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from fupin.reports.filters import mask_name
from fupin.reports.pdf_layout import (
    PageLayout,
    may_hold_term,
    page_layouts,
    pdf_cells,
    table_rows,
)
from fupin.reports.pdf_layout import pdf_lines as pdf_lines  # re-exported for tests
from fupin.reports.pdf_layout import pdf_rows as pdf_rows

from fupin.pii import (
    find,
    find_phones,
    find_terms,
    may_hold_number,
    normalise,
    term_form,
)

if TYPE_CHECKING:
    from fupin.reports.notice_context import NoticeDoc

    from fupin.households import Register

CODE_CHARS = 8  # 40 bits
TERM_LABEL = "健康状况或致贫原因"
NEAR_LABEL = "农户姓名旁的健康状况或致贫原因"
UNREAD_LABEL = "无法读取版面的PDF页 (不能核对表格行)"
NAME_LABEL = "农户信息库中登记人员的姓名"

#: The Chinese name of a field by its last path component (for messages).
FIELD_NAMES = {
    "id": "编号",
    "title": "标题",
    "name": "名称",
    "content": "建设内容",
    "targets": "绩效目标",
    "beneficiaries": "受益对象",
    "linkage": "联农带农机制",
    "period": "建设期限",
    "implementer": "实施单位",
    "issuer": "发布单位",
    "doc": "文号",
    "alloc_doc": "资金下达文号",
    "basis": "依据",
    "group": "村民小组",
    "village": "村",
    "township": "乡镇",
    "location": "地点",
    "contractor": "施工单位",
    "procurement_doc": "采购文号",
    "acceptance_doc": "验收文号",
    "decision": "民主决策",
    "approval": "乡镇审核",
    "fund_name": "资金名称",
    "fund_levels": "资金来源",
    "level": "来源级次",
    "number": "电话",
    "unit": "单位",
    "hotline": "监督举报电话 (notice-hotline)",
    "purpose": "用途",
    "category": "类别",
    "class_name": "资产类别",
    "unit_name": "单位",
    "code": "校验码",
}
#: Where header fields come from, for messages.
HEADER_SOURCES = {
    "id": "the notice's id, also its file name",
    "hotline": "policy notice-hotline",
    "phones": "policy notice-phones (or the notice's phones)",
    "title": "notice title (or its subject's name)",
    "issuer": "notice issuer (or the village, township or implementer)",
}


class PrivacyHit(NamedTuple):
    """One personal number or forbidden term found; printed without the number."""

    notice: str  # notice id; "" for the index page and names of the whole run
    label: str  # 身份证号 / 手机号 / 银行卡号 / 健康状况或致贫原因
    where: str  # the field, file or name it was found in
    term: str = ""  # the health or cause term (never a number)

    def __str__(self) -> str:
        what = f"{self.label}「{self.term}」" if self.term else self.label
        head = f"公示 {self.notice}" if self.notice else "公示公告"
        return redact(f"{head}: {what} in {self.where}")  # a number in an id is masked too


class PrivacyError(Exception):
    """The lint found personal data or a health term: nothing is published."""

    def __init__(self, hits: Sequence[PrivacyHit]) -> None:
        self.hits = list(dict.fromkeys(hits))
        super().__init__("\n".join(str(h) for h in self.hits))


# -- health words beside a register name ------------------------------------------------

#: Where a sentence ends: 。！？；(full- and half-width) and line breaks. A comma does not:
#: ``钱豪，慢性病`` says the same as ``钱豪(慢性病)``.
_SENTENCE_END = re.compile(r"[。｡!！?？;；\n\r\u2028\u2029]")
#: A shorter name cannot be told from a surname or a word: ``陈`` would match 陈列.
MIN_NAME_CHARS = 2
_MASK = "\x00"
_TERM_KEY = functools.lru_cache(maxsize=1024)(term_form)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_CHAR = re.compile(f"[{_HAN}]")
#: A name as a register writes a person's name: two to four Chinese characters (欧阳一鸣),
#: or Chinese parts joined by a 间隔号 in one of its typed forms (阿不都·热合曼).
_PLAIN_NAME = re.compile(f"[{_HAN}]{{2,4}}|[{_HAN}]+(?:[·•‧・.．][{_HAN}]+)+")
#: What stands for the hidden rest of a masked name, after its first character(s): the
#: notices' own ``钱*``, ``袁*怡``, ``欧**鸣`` (:func:`fupin.reports.filters.mask_name`) and the
#: masks clerks type: ``钱**``, ``钱X``, ``钱×``, ``钱○``, ``钱某``/``钱某某`` (not 某些, 某种 …:
#: ``由于某种原因`` names nobody), and a surname with a form of address (``钱先生``, ``钱老汉``).
_MASK_RUN = re.compile(
    r"[*×✕✖✗✘⨯✱✲✳⁎∗⋆☆★○〇◯●□■△▲◇◆]+"
    r"|[xX]+(?![A-Za-z0-9])"
    r"|某{1,2}(?![些种个项类样次处时方面地天年月日])"
    r"|先生|女士|老汉|大爷|大娘|大妈|大伯|大叔|阿姨|奶奶|爷爷|师傅"
)


class _Words:
    """Whole words of a list (names, places) in a text: at each place the longest word of
    the list, left to right, matches do not overlap (what a longest-first alternation finds,
    by set look-ups: a county's register holds tens of thousands of names)."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(w for w in words if w)
        self._lengths = sorted({len(w) for w in self.words}, reverse=True)
        self._first = frozenset(w[0] for w in self.words)

    def spans(self, form: str) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        at, end = 0, len(form)
        while at < end:
            if form[at] in self._first:
                for length in self._lengths:
                    if at + length <= end and form[at : at + length] in self.words:
                        out.append((at, at + length))
                        at += length
                        break
                else:
                    at += 1
            else:
                at += 1
        return out


def _word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _blanked(form: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(form)
    for start, stop in spans:
        chars[start:stop] = _MASK * (stop - start)
    return "".join(chars)


class NameGuard:
    """Health and cause terms that stand beside the name of a person of the register.

    **Beside** means in the same sentence of the same text cell, or in two cells of the same
    table row:

    * *a sentence of a cell*: one field of a notice, one block of its HTML (a table cell, a
      paragraph, a heading), one cell or paragraph of its PDF (its lines joined, so a name
      or a term that wraps is still whole); sentences end at 。！？；and line breaks, not at
      commas. A sentence is the unit in which Chinese says something of someone
      (``受益户：钱豪，慢性病``; ``钱豪、丁国等5户因病致贫``, where the name stands far from
      the word), so no window of N characters is used: a list of names before ``均为慢性病户``
      is as telling as one name, and the term may come first (``重病户钱豪``).
    * *a table row* (:meth:`row`): the cells of one row speak of one subject, so a name in
      the 姓名 (or 项目名称, 实施单位 …) cell and ``因病`` in the 备注 cell of the same row are
      beside each other, however many cells apart. A row is one ``<tr>`` of the HTML
      (nested tables are rows of their own), one record of a list in a notice's fields
      (``body.rows[2].*``), and in a PDF the cells between the same two rules of a table
      (every line of a wrapped cell; outside ruled tables, the cells side by side whose
      lines share a height on the page). Two rows, or the label and the value rows of a one-project table, are
      read apart.

    **A name** is a household head's or member's name, compared as :func:`~fupin.pii.term_form`
    reads text (spaces, 间隔号 and their stand-ins ``.`` ``•``, full-width forms and
    Traditional characters do not hide it), matched whole: names shorter than
    :data:`MIN_NAME_CHARS` are not matched (a lone surname is in every text); each match is
    the longest register name at its place (``陈一鸣`` is 陈一鸣, not 陈一); a name inside a
    place name of the register (a person 石桥 in ``石桥村``) is no name there, and a name that
    overlaps the term is not beside it. A name that is also an ordinary word (a person 高峰
    and ``用电高峰``) is refused beside a health word: rewording the sentence costs the clerk
    a minute, a miss publishes an illness.

    **A masked name** is one too: on a village's wall ``钱*(重病户)`` points at the village's
    钱 household as surely as ``钱豪`` would. It is the first character(s) of a register name (of
    two characters or more) followed by a mask (:data:`_MASK_RUN`: ``钱*``, ``袁*怡``,
    ``钱**``, ``钱X``, ``钱某``, ``欧阳*``, ``钱先生``). A surname with no mask after it is no
    name (``钱塘``, ``石家庄``), nor a mask after a character no register name begins with.

    ``terms`` maps a notice id to the terms of the policy in force on its first day;
    ``default`` serves texts of the whole run (its title, the index page).
    """

    def __init__(
        self,
        names: Iterable[str],
        terms: Mapping[str, Sequence[str]],
        *,
        default: Sequence[str] = (),
        places: Iterable[str] = (),
    ) -> None:
        names = list(names)
        forms = {f for f in map(term_form, names) if len(f) >= MIN_NAME_CHARS}
        self._names = _Words(forms)
        self._plain = _Words(term_form(n) for n in names if _PLAIN_NAME.fullmatch(n.strip()))
        self._prefixes = frozenset(f[:k] for f in forms for k in range(1, len(f)))
        self._prefix_max = max(map(len, self._prefixes), default=0)
        self._places = _Words(f for f in map(term_form, places) if f)
        self.terms = {notice: tuple(found) for notice, found in terms.items()}
        self.default = tuple(default)

    @classmethod
    def of(
        cls, register: Register | None, terms: Mapping[str, Sequence[str]], default: Sequence[str]
    ) -> NameGuard | None:
        """The guard over every name of ``register`` (None without a register)."""
        if register is None:
            return None
        households = list(register.households.values())
        names = [h.head_name for h in households] + [m.name for h in households for m in h.members]
        places = [p for h in households for p in (h.township, h.village)]
        return cls(names, terms, default=default, places=places)

    def terms_for(self, notice: str) -> tuple[str, ...]:
        """The terms checked in ``notice`` (``""``: the whole run's texts)."""
        return self.terms.get(notice, self.default) if notice else self.default

    def fingerprint(self, notice: str) -> str:
        """What this guard checks in ``notice``: names, places and terms (a cache key)."""
        digest = hashlib.sha256(self._words_digest.encode())
        digest.update("\0".join(self.terms_for(notice)).encode())
        return digest.hexdigest()

    @functools.cached_property
    def _words_digest(self) -> str:
        """The names and places, hashed once (a run asks for thousands of fingerprints)."""
        digest = hashlib.sha256()
        for words in (self._names.words, self._places.words, self._plain.words):
            digest.update("\0".join(sorted(words)).encode() + b"\1")
        return digest.hexdigest()

    def _read(self, text: str) -> tuple[str, bool]:
        """``text`` as names are sought in it, with every place name, register name and
        masked name blanked out, and whether there was a name."""
        form = term_form(text)
        form = _blanked(form, self._places.spans(form))
        found = self._names.spans(form)
        form = _blanked(form, found)
        masked = self._masked(form)
        return _blanked(form, masked), bool(found or masked)

    def name_spans(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, name)`` of each full register name in ``text`` (offsets into
        ``text``; ``name`` as :func:`~fupin.pii.term_form` reads it), found as :meth:`_read`
        finds them: read through spaces, 间隔号, full-width and Traditional forms, the longest
        name at each place, none inside a place name. A name without a Chinese character
        (``Ali``) counts only as a word of its own (not inside ``Alice`` or ``N-ALI01``)."""
        if not self._names.words or not text:
            return []
        whole = term_form(text)  # most texts hold no name: one look before the offsets
        if not self._names.spans(_blanked(whole, self._places.spans(whole))):
            return []
        chars: list[str] = []
        origin: list[int] = []
        for index, ch in enumerate(text):
            for out in term_form(ch):
                chars.append(out)
                origin.append(index)
        form = "".join(chars)
        form = _blanked(form, self._places.spans(form))
        spans: list[tuple[int, int, str]] = []
        for start, stop in self._names.spans(form):
            name = form[start:stop]
            if not _HAN_CHAR.search(name) and (
                (start > 0 and _word_char(form[start - 1]))
                or (stop < len(form) and _word_char(form[stop]))
            ):
                continue
            spans.append((origin[start], origin[stop - 1] + 1, name))
        return spans

    def names_in(self, text: str) -> list[str]:
        """The full register names in ``text``, each masked as the notices mask names
        (``钱*``, ``王*明``), once each, in order."""
        return list(dict.fromkeys(mask_name(name) for _, _, name in self.name_spans(text)))

    def mask(self, text: str) -> str:
        """``text`` with every full register name in it masked (``钱豪`` → ``钱*``)."""
        out = text
        for start, stop, name in reversed(self.name_spans(text)):
            out = out[:start] + mask_name(name) + out[stop:]
        return out

    def _masked(self, form: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        if not self._prefixes:
            return spans
        for mask in _MASK_RUN.finditer(form):
            at = mask.start()
            for length in range(min(self._prefix_max, at), 0, -1):
                if form[at - length : at] in self._prefixes:
                    spans.append((at - length, mask.end()))
                    break
        return spans

    def _terms(self, rest: str, terms: Sequence[str]) -> list[str]:
        found: list[str] = []
        for term in terms:
            key = term_form(term)
            if key and key in rest and term not in found:
                found.append(term)
        return found

    def outside_names(self, text: str, terms: Sequence[str]) -> list[str]:
        """The ``terms`` in ``text`` (as :func:`~fupin.pii.find_terms` finds them), but for
        one that stands only inside a register name or place: a household 王大病 or 张因学
        on a list prints no health word or cause. Only a name as names are written covers a
        term (:data:`_PLAIN_NAME`: two to four Chinese characters, or parts joined by a
        间隔号): a register name ``陈一(大病)`` is a name and a note. A term reaching outside
        the name (王大 and ``病户`` after it) is a term, and so is one a whole name equals
        (nobody is named 重病: the word is read as the word)."""
        form = term_form(text)
        covered = bytearray(len(form))
        places = self._places.spans(form)
        for start, stop in places + self._plain.spans(_blanked(form, places)):
            covered[start:stop] = b"\1" * (stop - start)
            covered[start] = 2  # where a name starts: a term that is the whole name is a term
        found: list[str] = []
        for term in terms:
            key = _TERM_KEY(term)
            if not key or term in found:
                continue
            at = form.find(key)
            while at >= 0:
                inside = all(covered[at : at + len(key)])
                whole = (
                    inside
                    and covered[at] == 2
                    and (at + len(key) == len(form) or covered[at + len(key)] != 1)
                )
                if not inside or whole:
                    found.append(term)
                    break
                at = form.find(key, at + 1)
        return found

    def has_name(self, text: str) -> bool:
        """Whether ``text`` holds a register name, whole or masked (not inside a place)."""
        return bool(text) and self._read(text)[1]

    def beside(self, text: str, terms: Sequence[str]) -> list[str]:
        """The ``terms`` that share a sentence of ``text`` with a register name, in order."""
        found: list[str] = []
        if not terms or not (self._names.words or self._prefixes):
            return found
        for sentence in _SENTENCE_END.split(text):
            rest, named = self._read(sentence)  # a term inside a name is no term
            if named:
                found += [t for t in self._terms(rest, terms) if t not in found]
        return found

    def row(self, cells: Sequence[str], terms: Sequence[str]) -> list[tuple[int, int, str]]:
        """``(term cell, name cell, term)`` for each term in one cell of a table row while
        another cell of the row holds a register name (the same cell is :meth:`beside`'s)."""
        out: list[tuple[int, int, str]] = []
        if not terms or len(cells) < 2:
            return out
        read = [self._read(cell) if cell else ("", False) for cell in cells]
        named = [index for index, (_, has) in enumerate(read) if has]
        if not named:
            return out
        seen: set[str] = set()
        for index, (rest, _) in enumerate(read):
            other = next((n for n in named if n != index), None)
            if other is None:
                continue
            for term in self._terms(rest, terms):
                if term not in seen:
                    seen.add(term)
                    out.append((index, other, term))
        return out

    def hits(self, notice: str, where: str, texts: Iterable[str]) -> list[PrivacyHit]:
        """One hit per term beside a name in each of ``texts`` (never the name itself)."""
        terms = self.terms_for(notice)
        return [
            PrivacyHit(notice, NEAR_LABEL, where, term)
            for text in texts
            for term in self.beside(text, terms)
        ]


# -- messages ---------------------------------------------------------------------------


def redact(text: str) -> str:
    """``text`` (a message) with every personal number in it replaced by what it is
    (``<身份证号已隐去>``, as every message of fupin says it:
    :func:`fupin.messages_zh.mask_personal`); masking twice changes nothing."""
    from fupin.messages_zh import mask_personal

    return mask_personal(text)


#: A value a message quotes (``'钱豪'``, ``"钱豪"``): not an apostrophe inside a word.
_QUOTED = re.compile(r"""(?<![A-Za-z])(['"])([^'"\n]{1,300})\1(?![A-Za-z])""")


class Redactor:
    """What masks the messages of one run: personal numbers anywhere (:func:`redact`),
    and the full names of the register (as the notices mask them, ``钱*``, ``王*明``)
    wherever a message echoes the ledger's own words: the strings in ``strings`` (ids,
    places: :func:`message_strings`) and any value it quotes.

    The program's own words are left alone: a person 何文 on the register is no reason to
    print ``未发布任何*件``, so a name is masked only inside what came from the books.
    """

    def __init__(self, guard: NameGuard | None, strings: Callable[[], Iterable[str]]) -> None:
        self.guard = guard
        self._strings = strings
        self._masks: list[tuple[str, str]] | None = None

    def masks(self) -> list[tuple[str, str]]:
        """``(string, masked)`` for each of the ledger's strings holding a register name,
        longest first (built once, on the first message)."""
        if self._masks is None:
            found: dict[str, str] = {}
            if self.guard is not None:
                for text in self._strings():
                    if text and text not in found and self.guard.name_spans(text):
                        found[text] = self.guard.mask(text)
            self._masks = sorted(found.items(), key=lambda pair: -len(pair[0]))
        return self._masks

    def __call__(self, text: str) -> str:
        out = redact(text)
        guard = self.guard
        if guard is None:
            return out
        for string, masked in self.masks():
            if string in out:
                out = out.replace(string, masked)
        return _QUOTED.sub(lambda m: m.group(1) + guard.mask(m.group(2)) + m.group(1), out)


def message_strings(book: Any) -> Iterator[str]:
    """The ledger's strings a message of a notices run may echo: every entity's id (those
    that failed validation too), a notice's subject, the places of notices, projects and
    assets (each alone and as ``township`` + ``village``), and names of projects and
    assets."""
    for items in book.entities.values():
        for entity in items:
            ident = entity.key()
            if ident:
                yield ident
            subject = getattr(entity, "subject", None)
            if isinstance(subject, str):
                yield subject
                yield from subject.split()
            name = getattr(entity, "name", None)
            if isinstance(name, str):
                yield name
            town, village = getattr(entity, "township", None), getattr(entity, "village", None)
            for place in (town, village):
                if isinstance(place, str):
                    yield place
            if isinstance(town, str) or isinstance(village, str):
                yield f"{town or ''}{village or ''}"
    for ids in book.invalid.values():
        yield from ids


# -- the inputs -------------------------------------------------------------------------


def doc_fields(doc: NoticeDoc) -> list[tuple[str, str]]:
    """Every text field of a notice as (path, text): ``header.title``, ``body.rows[2].name``,
    ``recipients[0].basis`` …, in the order they print."""
    out: list[tuple[str, str]] = []
    _walk(doc.header, "header", out)
    _walk(doc.body, "body", out)
    _walk(doc.recipients, "recipients", out)
    return out


def _walk(value: Any, path: str, out: list[tuple[str, str]]) -> None:
    if isinstance(value, str):
        out.append((path, value))
    elif value is None or isinstance(value, int | float):
        return  # no text (the common leaves, tested first)
    elif (names := _field_names(type(value))) is not None:
        for name in names:
            _walk(getattr(value, name), f"{path}.{name}", out)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(item, f"{path}.{key}", out)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _walk(item, f"{path}[{index}]", out)


def _field_names(kind: type) -> tuple[str, ...] | None:
    """The fields of a dataclass type, in order (None for any other type), once per type."""
    if kind not in _FIELDS:
        found = dataclasses.fields(kind) if dataclasses.is_dataclass(kind) else None
        _FIELDS[kind] = None if found is None else tuple(f.name for f in found)
    return _FIELDS[kind]


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def describe(doc: NoticeDoc, path: str) -> str:
    """A field path as a reader knows it: ``project P-2021-001 建设内容 (body.project.content)``."""
    last = path.rsplit(".", 1)[-1].split("[", 1)[0]
    name = FIELD_NAMES.get(last, last)
    if path.startswith("header."):
        field = path.split(".", 1)[1].split("[", 1)[0].split(".", 1)[0]
        source = HEADER_SOURCES.get(field, f"notice {doc.id} {field}")
        if field == "id" and doc.source:  # the id shows masked: where its entry is
            source += f"; {doc.source}"
        return f"{name} ({path}; {source})"
    if path.startswith("recipients["):
        index = int(path[len("recipients[") :].split("]", 1)[0])
        if index < len(doc.recipients):
            household = doc.recipients[index].household
            return f"household {household} {name} ({path})"
    owner = _owner(doc.body, path.split(".")[1:])
    return f"{owner}{name} ({path})"


def _owner(body: Any, parts: list[str]) -> str:
    """``project P-2021-001 `` for a path inside a body dict that has an ``id``."""
    found = ""
    node: Any = body
    for part in parts[:-1]:
        key, _, rest = part.partition("[")
        node = node.get(key) if isinstance(node, dict) else None
        if rest and isinstance(node, list | tuple):
            index = int(rest.rstrip("]"))
            node = node[index] if index < len(node) else None
        if isinstance(node, dict) and node.get("id"):
            found = f"{key} {node['id']} "
    return found


#: Fields of one household's line: a recipient, a row of a monitoring list.
_HOUSEHOLD_LINE = re.compile(r"(?:recipients|body\.rows)\[\d+\]\.(?:name|group|basis)$")


def lint_doc(
    doc: NoticeDoc, terms: Sequence[str], guard: NameGuard | None = None
) -> list[PrivacyHit]:
    """Personal numbers in any field; health/cause terms anywhere in a notice that names
    households (but inside a register name, with a ``guard``: :meth:`NameGuard.outside_names`),
    and in any other beside a register name (``guard``); on a household's line, any phone
    number (a landline too)."""
    hits: list[PrivacyHit] = lint_identifiers(doc, guard) if guard is not None else []
    household_lines = doc.lists_households
    check_terms = household_lines and bool(terms)
    near = guard if guard is not None and not household_lines else None
    for path, text in doc_fields(doc):
        found = find(text)
        for hit in found:
            hits.append(PrivacyHit(doc.id, hit.label, describe(doc, path)))
        if not found and household_lines and _HOUSEHOLD_LINE.match(path):
            for hit in find_phones(text):
                hits.append(PrivacyHit(doc.id, hit.label, describe(doc, path)))
        if check_terms and not path.endswith(".code"):
            listed = guard.outside_names(text, terms) if guard else find_terms(text, terms)
            for term in listed:
                hits.append(PrivacyHit(doc.id, TERM_LABEL, describe(doc, path), term))
        if near is not None and not path.endswith(".code"):
            hits += near.hits(doc.id, describe(doc, path), [text])
    if near is not None:
        terms_here = near.terms_for(doc.id)
        for fields in _field_rows(doc):
            for at, named, term in near.row([text for _, text in fields], terms_here):
                name_field = _field_name(fields[named][0])
                where = f"{describe(doc, fields[at][0])}, beside a name in {name_field} of the row"
                hits.append(PrivacyHit(doc.id, NEAR_LABEL, where, term))
    return hits


def lint_identifiers(doc: NoticeDoc, guard: NameGuard) -> list[PrivacyHit]:
    """A full register name in the notice's id or in the place it is posted in: refused
    (module doc, "Names in identifiers"); the hit names the name masked and the entry."""
    entry = f"; {doc.source}" if doc.source else ""
    hits = [
        PrivacyHit(
            doc.id,
            NAME_LABEL,
            f"编号 (header.id{entry}): 编号即文件名, 并印在公告编号栏、明白卡和索引页上; "
            "请改用不含姓名的编号 (a notice id must not hold a person's name)",
            name,
        )
        for name in guard.names_in(doc.id)
    ]
    place = f"{doc.header.township}{doc.header.village}"
    hits += [
        PrivacyHit(
            doc.id,
            NAME_LABEL,
            f"张贴地点 (header.township, header.village{entry}): 地点即文件夹名; "
            "请核对公告或其公示对象的 township、village (a folder name must not hold a "
            "person's name)",
            name,
        )
        for name in guard.names_in(place)
    ]
    return hits


def _row_of(path: str) -> str:
    """The record of a list a field belongs to (``body.rows[2]`` of ``body.rows[2].content``,
    ``header.phones[0]``), or ``""`` for a field of no list's record."""
    cut = path.rfind("].")
    return path[: cut + 1] if cut >= 0 else ""


def _field_rows(doc: NoticeDoc) -> list[list[tuple[str, str]]]:
    """The fields ``(path, text)`` of each record of a list in ``doc`` (a table row when
    printed: ``body.rows[2].name``, ``body.rows[2].content`` …), records of two or more."""
    rows: dict[str, list[tuple[str, str]]] = {}
    for path, text in doc_fields(doc):
        row = _row_of(path)
        if row and not path.endswith(".code"):
            rows.setdefault(row, []).append((path, text))
    return [fields for fields in rows.values() if len(fields) > 1]


def _field_name(path: str) -> str:
    """``名称 (body.rows[0].name)``."""
    last = path.rsplit(".", 1)[-1].split("[", 1)[0]
    return f"{FIELD_NAMES.get(last, last)} ({path})"


# -- the final bytes --------------------------------------------------------------------

_BLOCKS = frozenset(
    "address article aside blockquote body br caption dd div dl dt figcaption figure footer "  # noqa: SIM905
    "form h1 h2 h3 h4 h5 h6 head header hr html li main nav ol p pre section table tbody td "
    "tfoot th thead title tr ul col colgroup".split()
)


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>|<!--.*?-->", re.S)
_RAW = re.compile(r"<(style|script)\b.*?</\1\s*>", re.S | re.I)
_ATTR = re.compile(r"""[\w:-]+\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_BREAK = "\x00"


def html_text(markup: str) -> tuple[list[str], list[str]]:
    """(visible text blocks, attribute values) of an HTML document or fragment.

    Block elements (cells, paragraphs, headings …) end a block, so numbers in two cells are
    two numbers; inline elements (``<span>``, ``<b>``) do not, so ``138<b>0013</b>8048`` is one.
    """
    attributes: list[str] = []

    def tag(m: re.Match[str]) -> str:
        if m.group(3):
            for a in _ATTR.finditer(m.group(3)):
                value = a.group(1) or a.group(2) or a.group(3)
                if value:
                    attributes.append(html.unescape(value))
        name = (m.group(2) or "").lower()
        return _BREAK if name in _BLOCKS or not name else ""

    text = _TAG.sub(tag, _RAW.sub(_BREAK, markup))
    blocks = [b.strip() for b in html.unescape(text).split(_BREAK)]
    return [b for b in blocks if b], attributes


_CELLS = frozenset(("td", "th"))


def html_rows(markup: str) -> list[list[str]]:
    """The text of each table row of an HTML document or fragment, cell by cell.

    A row is one ``<tr>``; its cells are its ``<td>`` and ``<th>``, each one text (blocks
    inside a cell end a line of it). A table inside a cell has rows of its own, whose text
    is not the outer cell's.
    """
    rows: list[list[str]] = []
    # per open table: the cells of its open row (or None), the parts of its open cell (or None)
    tables: list[list[Any]] = []

    def end_cell(table: list[Any]) -> None:
        if table[1] is not None:
            table[0].append(html.unescape("".join(table[1])).strip())
            table[1] = None

    def end_row(table: list[Any]) -> None:
        end_cell(table)
        if table[0] is not None:
            rows.append(table[0])
            table[0] = None

    source = _RAW.sub(" ", markup)
    at = 0
    for m in _TAG.finditer(source):
        if tables and tables[-1][1] is not None:
            tables[-1][1].append(source[at : m.start()])
        at = m.end()
        name = (m.group(2) or "").lower()
        closing = m.group(1) == "/"
        if name == "table":
            if not closing:
                tables.append([None, None])
            elif tables:
                end_row(tables.pop())
        elif not tables:
            continue
        elif name == "tr":
            end_row(tables[-1])
            if not closing:
                tables[-1][0] = []
        elif name in _CELLS:
            table = tables[-1]
            end_cell(table)
            if not closing:
                if table[0] is None:
                    table[0] = []
                table[1] = []
        elif name in _BLOCKS and tables[-1][1] is not None:
            tables[-1][1].append("\n")
    while tables:
        end_row(tables.pop())
    return rows


def visible_text(markup: str) -> str:
    """The visible text of HTML, one line per block."""
    return "\n".join(html_text(markup)[0])


class Tracer:
    """Trace a number found in an output back to the notice field holding its digits."""

    def __init__(self, docs: Iterable[NoticeDoc], *, lazy: bool = False) -> None:
        self._docs = list(docs)
        self._built: list[tuple[str, str, str]] | None = None
        if not lazy:
            self._fields()

    def _fields(self) -> list[tuple[str, str, str]]:
        """(notice, described field, digits) of every field that may hold a number."""
        if self._built is None:
            self._built = [
                (doc.id, describe(doc, path), _digits(text))
                for doc in self._docs
                for path, text in doc_fields(doc)
                if may_hold_number(text)
            ]
        return self._built

    def __getstate__(self) -> dict[str, Any]:  # sent to workers: the fields, not the docs
        return {"_docs": [], "_built": self._fields()}

    def field(self, notice: str, digits: str) -> str:
        """The field holding ``digits`` (the notice's own first), or ``""``."""
        fields = self._fields()
        own = [f for f in fields if f[0] == notice] or fields
        for _, described, held in own:
            if digits in held:
                return described
        return ""


def _digits(text: str) -> str:
    return "".join(c for c in normalise(text) if c.isdigit())


def lint_text(
    notice: str,
    where: str,
    texts: Iterable[str],
    *,
    terms: Sequence[str] = (),
    guard: NameGuard | None = None,
    tracer: Tracer | None = None,
    known: NameGuard | None = None,
) -> list[PrivacyHit]:
    """Numbers (and, when ``terms`` are given, terms anywhere but inside a name or place of
    ``known``'s register; with a ``guard``, terms beside a register name, text by text) in
    output text, traced to fields."""
    hits: list[PrivacyHit] = []
    texts = list(texts)
    for text in texts:
        for hit in find(text):
            field = tracer.field(notice, _digits(text[hit.start : hit.end])) if tracer else ""
            place = f"{where}, from {field}" if field else f"{where} (no single field holds it)"
            hits.append(PrivacyHit(notice, hit.label, place))
    joined = "\n".join(texts)
    listed = (
        (known.outside_names(joined, terms) if known else find_terms(joined, terms))
        if terms
        else []
    )
    for term in listed:
        hits.append(PrivacyHit(notice, TERM_LABEL, where, term))
    if guard is not None:
        hits += guard.hits(notice, where, texts)
    return hits


def lint_html(
    notice: str,
    where: str,
    markup: str,
    *,
    terms: Sequence[str] = (),
    guard: NameGuard | None = None,
    tracer: Tracer | None = None,
    known: NameGuard | None = None,
) -> list[PrivacyHit]:
    """The final bytes of one HTML file: visible text block by block, and attributes
    (``known``: the register whose names a list's ``terms`` may stand inside)."""
    blocks, attributes = html_text(markup)
    hits = lint_text(notice, where, blocks, terms=terms, guard=guard, tracer=tracer, known=known)
    if guard is not None:
        terms_here = guard.terms_for(notice)
        for number, cells in enumerate(html_rows(markup), 1):
            for at, named, term in guard.row(cells, terms_here):
                place = f"{where} (table row {number}: the term in cell {at + 1}, a name in cell {named + 1})"
                hits.append(PrivacyHit(notice, NEAR_LABEL, place, term))
    attrs = f"{where} (link or attribute)"
    return hits + lint_text(notice, attrs, attributes, guard=guard, tracer=tracer)


def pdf_text(path: Path) -> tuple[list[str], list[str]]:
    """(text of each page, metadata values) of a PDF file, read from the file itself.

    The text comes from poppler's ``pdftotext`` where it is installed (several times faster
    on CJK pages), else from pypdf; the metadata from pypdf.
    """
    from pypdf import PdfReader

    reader = PdfReader(path)
    meta = [str(v) for v in (reader.metadata or {}).values()]
    pages = _pdftotext(path, len(reader.pages))
    if pages is None:
        pages = [page.extract_text() or "" for page in reader.pages]
    return pages, meta


def _pdftotext(path: Path, count: int) -> list[str] | None:
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    done = subprocess.run(
        [tool, "-q", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=False
    )
    if done.returncode != 0:
        return None
    pages = done.stdout.decode("utf-8", errors="replace").split("\f")
    return pages[:count] + [""] * (count - len(pages[:count]))


def _layout_hits(
    notice: str, where: str, page: int, layout: PageLayout, guard: NameGuard
) -> list[PrivacyHit]:
    """The guard over one page of a notice's PDF (``page`` counted from 1): cell by cell
    (a wrapped cell's lines joined; a ruled cell's every line, however far apart), and row
    by row (:func:`~fupin.reports.pdf_layout.table_rows`)."""
    rows = table_rows(layout)
    cells = [cell.text for cell in pdf_cells(layout.lines)] + [c for row in rows for c in row]
    hits = list(dict.fromkeys(guard.hits(notice, where, cells)))
    terms_here = guard.terms_for(notice)
    for row in rows:
        for at, named, term in guard.row(row, terms_here):
            place = f"{where}, page {page}: a table row, the term in cell {at + 1}, a name in cell {named + 1}"
            hits.append(PrivacyHit(notice, NEAR_LABEL, place, term))
    return hits


def text_tool() -> str:
    """What reads a PDF's text and layout on this machine (poppler's version, pypdf's,
    pdfminer.six's): part of what a PDF's lint result depends on."""
    import pdfminer
    import pypdf

    tool = shutil.which("pdftotext")
    found = _tool_version(tool) if tool else "no pdftotext"
    return f"{found}; pypdf {pypdf.__version__}; pdfminer.six {pdfminer.__version__}"


@functools.lru_cache(maxsize=4)
def _tool_version(tool: str) -> str:
    done = subprocess.run([tool, "-v"], capture_output=True, check=False)
    lines = (done.stderr or done.stdout).decode("utf-8", errors="replace").splitlines()
    return lines[0].strip() if lines else tool


def lint_pdf(
    notices: Sequence[tuple[str, int, int]],
    path: Path,
    where: str,
    *,
    terms: dict[str, Sequence[str]] | None = None,
    guard: NameGuard | None = None,
    tracer: Tracer | None = None,
) -> list[PrivacyHit]:
    """A written PDF: each notice's pages ``(notice, first page, page count)``, its metadata.

    A notice with ``terms`` (a list naming households) is refused them anywhere but inside
    a name or place of the ``guard``'s register (:meth:`NameGuard.outside_names`); any other
    is checked by the ``guard`` as its pages lay the text out, with poppler or without it
    (:mod:`fupin.reports.pdf_layout`): cell by cell (a wrapped cell's lines joined) and row
    by row (a ruled table's rows, every line of their cells). Only a page whose text holds
    every character of one of the notice's terms is laid out: no other can show one.
    """
    pages, meta = pdf_text(path)
    hits: list[PrivacyHit] = []
    terms = terms or {}
    wanted: dict[int, str] = {}
    for notice, start, count in notices:
        # line by line: text extraction stacks a table's columns, one cell per line, and a
        # column of 序号 must not read as one long number (a number wrapped inside a cell
        # is found in the HTML and in the fields, which hold the same text)
        lines = "\n".join(pages[start : start + count]).splitlines()
        hits += lint_text(
            notice,
            f"{where} (PDF text)",
            lines,
            terms=terms.get(notice, ()),
            tracer=tracer,
            known=guard,
        )
        if guard is not None and notice not in terms:
            checked = guard.terms_for(notice)
            for index in range(start, min(start + count, len(pages))):
                if may_hold_term(pages[index], checked):
                    wanted[index] = notice
    if guard is not None and wanted:
        try:
            layouts = page_layouts(path, wanted)
        except Exception:  # a PDF pdfminer.six cannot read: refused, never passed unread
            layouts = {}
        for index, notice in wanted.items():
            if index in layouts:
                hits += _layout_hits(
                    notice, f"{where} (PDF text)", index + 1, layouts[index], guard
                )
            else:
                hits.append(PrivacyHit(notice, UNREAD_LABEL, f"{where}, page {index + 1}"))
    owner = notices[0][0] if notices else ""
    near = None if owner in terms else guard
    return hits + lint_text(owner, f"{where} (PDF metadata)", meta, guard=near, tracer=tracer)


def lint_name(notice: str, name: str, guard: NameGuard | None = None) -> list[PrivacyHit]:
    """A file or folder name as written: a personal number, or (with a ``guard``) a full
    register name in it (both masked in the message)."""
    hits = [
        PrivacyHit(notice, h.label, f"file or folder name {_masked(name, h, guard)}")
        for h in find(name)
    ]
    if guard is not None:
        shown = f"'{guard.mask(redact(name))}'"
        hits += [
            PrivacyHit(notice, NAME_LABEL, f"file or folder name {shown}", found)
            for found in guard.names_in(name)
        ]
    return hits


def _masked(name: str, hit: Any, guard: NameGuard | None = None) -> str:
    rest = [redact(name[: hit.start]), redact(name[hit.end :])]
    if guard is not None:
        rest = [guard.mask(part) for part in rest]
    return f"'{rest[0]}…{rest[1]}'"


# -- check codes ------------------------------------------------------------------------


def check_code(secret: bytes, notice: str, household: str) -> str:
    """Eight base-32 characters of HMAC-SHA256(secret, notice ␟ household): ``K7QX-3M2A``."""
    if not secret:
        raise ValueError("a county secret is needed for check codes")
    digest = hmac.new(secret, f"{notice}\x1f{household}".encode(), hashlib.sha256).digest()
    code = base64.b32encode(digest).decode()[:CODE_CHARS]
    return f"{code[:4]}-{code[4:]}"


def fields_with(doc: NoticeDoc, digits: str) -> Iterator[str]:
    """Described fields of ``doc`` whose text holds ``digits`` (for tests and messages)."""
    for path, text in doc_fields(doc):
        if digits and digits in _digits(text):
            yield describe(doc, path)
