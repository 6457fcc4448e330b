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
name of a person of the register** (a household head or member): ``钱豪(重病户)`` typed into a
project's 受益对象 is refused (:class:`NameGuard`, which says what "beside" means).

Any hit means nothing is published. Messages name the notice and the field, never the
number.

**Check codes.** A recipient line carries ``HMAC-SHA256(county key, notice id ␟ household
id)``, shown as 8 base-32 characters (40 bits, ``K7QX-3M2A``). The household's 明白卡 shows the
same code, so a family can find its own line without anyone printing an ID number. The key
lives outside the ledger (:mod:`fupin.notice_key`): without it a code reveals nothing about
the household id, and the same household gets a different code on every notice.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import html
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from fupin.pii import find, find_phones, find_terms, may_hold_number, normalise, term_form

if TYPE_CHECKING:
    from fupin.reports.notice_context import NoticeDoc

    from fupin.households import Register

CODE_CHARS = 8  # 40 bits
TERM_LABEL = "健康状况或致贫原因"
NEAR_LABEL = "农户姓名旁的健康状况或致贫原因"

#: The Chinese name of a field by its last path component (for messages).
FIELD_NAMES = {
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
        return f"{head}: {what} in {self.where}"


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


def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern of ``words``, longest first, so that each match is the longest word."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return re.compile("|".join(map(re.escape, ordered))) if ordered else None


def _masked_out(pattern: re.Pattern[str] | None, form: str) -> str:
    if pattern is None:
        return form
    return pattern.sub(lambda m: _MASK * len(m.group()), form)


class NameGuard:
    """Health and cause terms that stand beside the name of a person of the register.

    **Beside** means in the same sentence of the same text cell: one field of a notice, one
    block of its HTML (a table cell, a paragraph, a heading), one line of its PDF text;
    sentences end at 。！？；and line breaks, not at commas. A sentence is the unit in which
    Chinese says something of someone (``受益户：钱豪，慢性病``; ``钱豪、丁国等5户因病致贫``,
    where the name stands far from the word), so no window of N characters is used: a list of
    names before ``均为慢性病户`` is as telling as one name. A cell is the unit of a table:
    a 受益对象 cell and a 建设内容 cell are read apart.

    **A name** is a household head's or member's name, compared as :func:`~fupin.pii.term_form`
    reads text (spaces, 间隔号 and full-width forms do not hide it), matched whole: names
    shorter than :data:`MIN_NAME_CHARS` are not matched (a lone surname is in every text);
    each match is the longest register name at its place (``陈一鸣`` is 陈一鸣, not 陈一);
    a name inside a place name of the register (a person 石桥 in ``石桥村``) is no name there,
    and a name that overlaps the term is not beside it. A name that is also an ordinary word
    (a person 高峰 and ``用电高峰``) is refused beside a health word: rewording the sentence
    costs the clerk a minute, a miss publishes an illness.

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
        forms = (term_form(name) for name in names)
        self._names = _alternation(f for f in forms if len(f) >= MIN_NAME_CHARS)
        self._places = _alternation(f for f in map(term_form, places) if f)
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
        digest = hashlib.sha256()
        for pattern in (self._names, self._places):
            digest.update((pattern.pattern if pattern else "").encode() + b"\0")
        digest.update("\0".join(self.terms_for(notice)).encode())
        return digest.hexdigest()

    def beside(self, text: str, terms: Sequence[str]) -> list[str]:
        """The ``terms`` that share a sentence of ``text`` with a register name, in order."""
        found: list[str] = []
        if self._names is None or not terms:
            return found
        for sentence in _SENTENCE_END.split(text):
            form = _masked_out(self._places, term_form(sentence))
            if self._names.search(form) is None:
                continue
            rest = _masked_out(self._names, form)  # a term inside a name is no term
            for term in terms:
                key = term_form(term)
                if key and key in rest and term not in found:
                    found.append(term)
        return found

    def hits(self, notice: str, where: str, texts: Iterable[str]) -> list[PrivacyHit]:
        """One hit per term beside a name in each of ``texts`` (never the name itself)."""
        terms = self.terms_for(notice)
        return [
            PrivacyHit(notice, NEAR_LABEL, where, term)
            for text in texts
            for term in self.beside(text, terms)
        ]


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
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _walk(getattr(value, f.name), f"{path}.{f.name}", out)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(item, f"{path}.{key}", out)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _walk(item, f"{path}[{index}]", out)


def describe(doc: NoticeDoc, path: str) -> str:
    """A field path as a reader knows it: ``project P-2021-001 建设内容 (body.project.content)``."""
    last = path.rsplit(".", 1)[-1].split("[", 1)[0]
    name = FIELD_NAMES.get(last, last)
    if path.startswith("header."):
        field = path.split(".", 1)[1].split("[", 1)[0].split(".", 1)[0]
        source = HEADER_SOURCES.get(field, f"notice {doc.id} {field}")
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
    households, and in any other beside a register name (``guard``); on a household's
    line, any phone number (a landline too)."""
    hits: list[PrivacyHit] = []
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
            for term in find_terms(text, terms):
                hits.append(PrivacyHit(doc.id, TERM_LABEL, describe(doc, path), term))
        if near is not None and not path.endswith(".code"):
            hits += near.hits(doc.id, describe(doc, path), [text])
    return hits


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
) -> list[PrivacyHit]:
    """Numbers (and, when ``terms`` are given, terms anywhere; with a ``guard``, terms beside
    a register name, text by text) in output text, traced to fields."""
    hits: list[PrivacyHit] = []
    texts = list(texts)
    for text in texts:
        for hit in find(text):
            field = tracer.field(notice, _digits(text[hit.start : hit.end])) if tracer else ""
            place = f"{where}, from {field}" if field else f"{where} (no single field holds it)"
            hits.append(PrivacyHit(notice, hit.label, place))
    for term in find_terms("\n".join(texts), terms) if terms else ():
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
) -> list[PrivacyHit]:
    """The final bytes of one HTML file: visible text block by block, and attributes."""
    blocks, attributes = html_text(markup)
    hits = lint_text(notice, where, blocks, terms=terms, guard=guard, tracer=tracer)
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

    A notice with ``terms`` (a list naming households) is refused them anywhere; any other
    is checked by the ``guard``, line by line.
    """
    pages, meta = pdf_text(path)
    hits: list[PrivacyHit] = []
    terms = terms or {}
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
            guard=None if notice in terms else guard,
            tracer=tracer,
        )
    owner = notices[0][0] if notices else ""
    near = None if owner in terms else guard
    return hits + lint_text(owner, f"{where} (PDF metadata)", meta, guard=near, tracer=tracer)


def lint_name(notice: str, name: str) -> list[PrivacyHit]:
    """A file or folder name."""
    return [
        PrivacyHit(notice, h.label, f"file or folder name {_masked(name, h)}") for h in find(name)
    ]


def _masked(name: str, hit: Any) -> str:
    return f"'{name[: hit.start]}…{name[hit.end :]}'"


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
