"""Render notices to HTML and PDF: one Jinja2 environment, bounded WeasyPrint batches.

HTML (print CSS for A4/A3, page numbers 第 N 页 / 共 M 页, rows never split) is the source;
the PDF is made from the same fragments. WeasyPrint's cost is per document (font handling
of Noto CJK), not per page, so notices are laid out many to a document, in a few worker
processes, and the PDF is then split per notice (or per village) with pypdf. A document
holds at most :data:`MAX_BATCH_PAGES` estimated pages, which bounds a worker's memory. Each
notice is a CSS page group, so its page counter restarts; its page total is printed from a
string set in the notice, first estimated from its rows and then checked against the layout
(notices whose estimate was wrong are laid out once more with the right total).

**Incremental.** HTML is cheap and always rendered. Each PDF file is keyed by a hash of its
notices' HTML, the templates and CSS, the renderer, WeasyPrint and pypdf versions and the
fonts; when the set published in ``--out`` holds a PDF with the same key (and the same bytes
as its manifest says), it is reused instead of laid out again. A reused PDF is linted again
unless its manifest says these bytes passed this very lint: the lint's key
(:func:`pdf_lint_key`) is the detector's code, the tool that reads PDF text, and for each of
its notices the register's names and places and the terms in force (a name added to the
register, or a term to the policy, reads every reused PDF again, which costs a text
extraction per file, not a layout).

**Safe.** Nothing is published unless every notice was built, rendered and passed the privacy
lint, on its fields and on the final bytes of every file (:mod:`fupin.reports.notice_privacy`);
the set is written into a staging folder and published by one swap
(:mod:`fupin.reports.notice_output`). Workers die with the run.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime
import gc
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fupin.reports import filters
from fupin.reports.notice_context import NoticeDoc
from fupin.reports.notice_output import MANIFEST, Names, Publisher, inside, read_manifest
from fupin.reports.notice_privacy import (
    NameGuard,
    PrivacyError,
    PrivacyHit,
    Tracer,
    doc_fields,
    lint_doc,
    lint_html,
    lint_name,
    lint_pdf,
    lint_text,
    text_tool,
)
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from fupin.citations import cite, format_citation

TEMPLATES = Path(__file__).resolve().parent / "templates" / "notices"
ROWS_FIRST_PAGE = 24  # table rows that fit under the heading of an A4 notice
ROWS_PER_PAGE = 32
SLIPS_PER_PAGE = 4
#: Estimated pages laid out in one WeasyPrint document (bounds a worker's memory, issue 19;
#: about 2.3 MiB a page measured); ``$FUPIN_NOTICES_BATCH_PAGES`` overrides it.
MAX_BATCH_PAGES = int(os.environ.get("FUPIN_NOTICES_BATCH_PAGES") or 240)
#: Bump when the layout, page-total or splitting code changes what a PDF holds (part of
#: every PDF's key, with the templates, fonts and WeasyPrint/pypdf versions).
LAYOUT_VERSION = 1
#: The documents each notice type rests on, printed on its 依据 line (fupin.citations).
NOTICE_BASIS: dict[str, tuple[str, ...]] = {
    "fund_allocation": ("N-NOTICE2017",),
    "project_plan": ("N-NOTICE2017", "N-LIB2018"),
    "project_result": ("N-NOTICE2017", "N-LIB2018"),
    "site_sign": ("N-NOTICE2017",),
    "beneficiaries": ("N-NOTICE2017",),
    "income_plan": ("N-ASSET2021", "N-NOTICE2017"),
    "income_result": ("N-ASSET2021", "N-NOTICE2017"),
}
_FUND_RULES = (("衔接", "N-FUND2021"), ("专项扶贫资金", "N-FUND2017"))  # fund name → its 办法

__all__ = ["PrivacyError", "Written", "make_env", "page_html", "render_pieces", "write_notices"]


def make_env(*, masked: bool) -> Environment:
    """The notice environment: autoescape, StrictUndefined, the typed filters.

    ``masked`` picks the name filter once, here (as Fava picks its incognito filter):
    ``张三`` prints as ``张*``; ID numbers, phones and accounts never reach a template.
    """
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(filters.FILTERS)
    env.filters["person"] = filters.mask_name if masked else filters.passthrough
    return env


@dataclass(frozen=True)
class Piece:
    """One rendered unit: a notice, or the households' slips (明白卡) of a notice."""

    key: str  # the notice id, or ``<id>-明白卡``
    notice: str
    folder: str  # output folder (a safe name of the village, township or 县级)
    html: str  # the section's inner HTML
    paper: str
    pages: int  # estimated page total printed in the footer
    title: str
    slips: bool = False
    doc: NoticeDoc | None = field(default=None, compare=False, repr=False)
    stem: str = ""  # the safe file name without suffix


def folder_of(doc: NoticeDoc) -> str:
    """``城关镇青山村`` for a village notice, ``城关镇`` for a township one, ``县级`` else."""
    h = doc.header
    if h.level == "county" and not h.village:
        return "县级"
    return f"{h.township}{h.village}" or "县级"


def basis_of(doc: NoticeDoc) -> list[str]:
    """The 依据 line of a notice: the documents' titles and 文号 (fupin.citations)."""
    codes = list(NOTICE_BASIS.get(doc.header.type, ("N-NOTICE2017",)))
    fund = doc.body.get("fund") if isinstance(doc.body, dict) else None
    name = str(fund.get("name", "")) if isinstance(fund, dict) else ""
    codes += [code for word, code in _FUND_RULES if word in name][:1]
    return [format_citation(cite(code)) for code in codes]


def _estimate(rows: int) -> int:
    if rows <= ROWS_FIRST_PAGE:
        return 1
    return 1 + -(-(rows - ROWS_FIRST_PAGE) // ROWS_PER_PAGE)


def lint_inputs(
    docs: Sequence[NoticeDoc],
    title: str,
    terms: Mapping[str, Sequence[str]],
    guard: NameGuard | None = None,
) -> list[PrivacyHit]:
    """Personal data in the run's title (the index page) and in any notice's fields."""
    hits = lint_text("", 'the ledger\'s option "title" (index page)', [title], guard=guard)
    for doc in docs:
        hits += lint_doc(doc, terms.get(doc.id, ()), guard)
    return hits


def doc_lint_key(
    detector: str, doc: NoticeDoc, terms: Sequence[str], guard: NameGuard | None
) -> str:
    """What :func:`lint_doc` reads of ``doc``, hashed: the detector's version, the guard's
    names and terms for the notice, the notice's terms and every text field. A notice whose
    key is that of the published set passed this very lint there (nothing is published
    unless every notice passed), so a re-run need not lint it again."""
    digest = hashlib.sha256(detector.encode())
    digest.update((guard.fingerprint(doc.id) if guard is not None else "-").encode())
    digest.update(f"\1{doc.id}\1{doc.lists_households}\1".encode())
    digest.update("\0".join(terms).encode() + b"\1")
    for path, text in doc_fields(doc):
        digest.update(f"{path}\0{text}\1".encode())
    return digest.hexdigest()


def render_pieces(
    env: Environment,
    docs: Sequence[NoticeDoc],
    *,
    terms: Mapping[str, Sequence[str]] | None = None,
    guard: NameGuard | None = None,
    passed: Mapping[str, str] | None = None,
    keys: dict[str, str] | None = None,
) -> list[Piece]:
    """Every notice's fragment (and its slips); raises :class:`PrivacyError` when a field of
    a notice holds personal data (or, in a list notice, a term of ``terms[notice id]``; in
    any other, a term beside a register name, with a ``guard``).

    ``passed`` maps a notice id to its :func:`doc_lint_key` in the published set: a notice
    with the same key is not linted again. ``keys`` receives every notice's key."""
    hits: list[PrivacyHit] = []
    detector = lint_fingerprint() if passed is not None or keys is not None else ""
    for doc in docs:
        listed = (terms or {}).get(doc.id, ())
        key = doc_lint_key(detector, doc, listed, guard) if detector else ""
        if keys is not None:
            keys[doc.id] = key
        if passed is None or passed.get(doc.id) != key:
            hits += lint_doc(doc, listed, guard)
    if hits:
        raise PrivacyError(hits)
    pieces: list[Piece] = []
    names = Names()
    folders: dict[str, str] = {}
    for doc in docs:
        context: dict[str, Any] = {
            "h": doc.header,
            "b": doc.body,
            "recipients": doc.recipients,
            "show_id": doc.show_id,
            "basis": basis_of(doc),
        }
        place = folder_of(doc)
        folder = folders.setdefault(place, names.get("", place))
        pages = _estimate(doc.rows)
        html = env.get_template(doc.template).render(context, pages=pages)
        stem = names.get(folder, doc.id, ".html")[: -len(".html")]
        title = doc.header.title
        pieces.append(
            Piece(doc.id, doc.id, folder, html, doc.header.paper, pages, title, doc=doc, stem=stem)
        )
        if doc.recipients:
            pages = -(-len(doc.recipients) // SLIPS_PER_PAGE)
            slips = env.get_template("slips.html").render(context, pages=pages)
            key = f"{doc.id}-明白卡"
            pieces.append(
                Piece(
                    key,
                    doc.id,
                    folder,
                    slips,
                    "A4",
                    pages,
                    f"明白卡 · {title}",
                    slips=True,
                    doc=doc,
                    stem=names.get(folder, key, ".html")[: -len(".html")],
                )
            )
    return pieces


def page_html(env: Environment, pieces: Sequence[Piece], *, title: str, batch: bool) -> str:
    """A whole HTML document of sections; ``batch`` prints the per-notice page total."""
    sections = [{"key": p.key, "html": p.html, "paper": p.paper} for p in pieces]
    return env.get_template("page.html").render(
        title=title,
        sections=sections,
        total_pages="string(total)" if batch else "counter(pages)",
    )


# -- PDF (runs in worker processes) -----------------------------------------------------


def _layout(html: str, keys: Sequence[str]) -> tuple[Any, dict[str, tuple[int, int]]]:
    """Lay out a batch; the page range ``(start, count)`` of each section by its anchor.

    WeasyPrint allocates millions of small boxes; with the objects alive before the layout
    frozen and a high first-generation threshold the cyclic GC stops rescanning them
    (about 30% faster, measured).
    """
    from weasyprint import HTML

    threshold = gc.get_threshold()
    # freeze (and afterwards unfreeze) only when nothing is frozen yet: in the main process
    # the load has frozen the books already (fupin.collector), and unfreezing would hand
    # them back to the collector for the rest of the run
    ours = gc.get_freeze_count() == 0
    if ours:
        gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        document = HTML(string=html, base_url=str(TEMPLATES)).render()
    finally:
        gc.set_threshold(*threshold)
        if ours:
            gc.unfreeze()
    starts: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("n-") and anchor[2:] not in starts:
                starts[anchor[2:]] = index
    ordered = [starts[k] for k in keys] + [len(document.pages)]
    ranges = {k: (ordered[i], ordered[i + 1] - ordered[i]) for i, k in enumerate(keys)}
    return document, ranges


def _with_pages(piece: Piece, pages: int) -> Piece:
    old = f'<span class="total">{piece.pages}</span>'
    new = f'<span class="total">{pages}</span>'
    return replace(piece, html=piece.html.replace(old, new, 1), pages=pages)


@dataclass(frozen=True)
class PdfJob:
    """One WeasyPrint document: its pieces, the PDF file each goes to, the lint's inputs."""

    pieces: list[Piece]
    outputs: dict[str, str]  # piece key → PDF path (several keys may share one)
    titles: dict[str, str]  # PDF path → its metadata title
    masked: bool
    tmp: str
    terms: dict[str, Sequence[str]]
    tracer: Tracer | None
    stage: str
    guard: NameGuard | None = None


@dataclass
class PdfResult:
    pages: dict[str, int]
    hits: list[PrivacyHit]
    sha256: dict[str, str]


def _pdf_batch(job: PdfJob) -> PdfResult:
    """Lay out pieces in one document (plus one for wrong page totals), split, write, lint."""
    from pypdf import PdfReader, PdfWriter

    env = make_env(masked=job.masked)
    keys = [p.key for p in job.pieces]
    document, ranges = _layout(page_html(env, job.pieces, title="notices", batch=True), keys)
    sources: dict[str, tuple[int, int, int]] = {k: (0, *ranges[k]) for k in keys}
    token = f"{os.getpid()}-{id(job)}-{time.monotonic_ns()}"
    readers = [PdfReader(_write(document, Path(job.tmp) / f"{token}-0.pdf"))]
    del document
    wrong = [_with_pages(p, ranges[p.key][1]) for p in job.pieces if ranges[p.key][1] != p.pages]
    if wrong:
        fixed, fixed_ranges = _layout(
            page_html(env, wrong, title="notices", batch=True), [p.key for p in wrong]
        )
        readers.append(PdfReader(_write(fixed, Path(job.tmp) / f"{token}-1.pdf")))
        del fixed
        for p in wrong:
            sources[p.key] = (1, *fixed_ranges[p.key])
    by_file: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        by_file[job.outputs[key]].append(key)
    notice_of = {p.key: p.notice for p in job.pieces}
    result = PdfResult({k: sources[k][2] for k in keys}, [], {})
    for path, members in by_file.items():
        writer = PdfWriter()
        spans: list[tuple[str, int, int]] = []
        for key in members:
            which, start, count = sources[key]
            spans.append((notice_of[key], len(writer.pages), count))
            for index in range(start, start + count):
                writer.add_page(readers[which].pages[index])
        writer.add_metadata({"/Title": job.titles[path], "/Producer": "fupin-ledger"})
        with open(path, "wb") as handle:
            writer.write(handle)
        where = Path(path).relative_to(job.stage).as_posix()
        result.hits += lint_pdf(
            spans, Path(path), where, terms=job.terms, guard=job.guard, tracer=job.tracer
        )
        result.sha256[path] = _sha256(Path(path))
    gc.collect()
    return result


def _write(document: Any, path: Path) -> Path:
    document.write_pdf(path)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _worker_init(parent: int) -> None:
    """A worker dies with the run: PR_SET_PDEATHSIG (Linux) and a parent watchdog."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the watchdog alone
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="fupin-parent-watchdog").start()


# -- output ------------------------------------------------------------------------------


@dataclass
class Written:
    """What a run published: files per piece, PDF page counts, the index page."""

    out: Path
    files: dict[str, list[Path]] = field(default_factory=lambda: defaultdict(list))
    pages: dict[str, int] = field(default_factory=dict)
    index: Path | None = None
    rendered: int = 0  # PDF files laid out by this run
    reused: int = 0  # PDF files taken unchanged from the previous set
    relinted: int = 0  # of those, files read again (the lint changed since they passed it)


def lint_fingerprint() -> str:
    """The detector's version: its source and the lint's (a PDF or HTML file that passed
    this lint need not be read again)."""
    from fupin.reports import notice_privacy, pdf_layout

    from fupin import pii

    digest = hashlib.sha256()
    for module in (pii, notice_privacy, pdf_layout):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def renderer_fingerprint(fonts: Sequence[str], masked: bool) -> str:
    """What else a PDF's bytes depend on besides its notices' HTML (not the lint: a PDF that
    passed another lint is read again, :func:`pdf_lint_key`, not laid out again)."""
    from importlib.metadata import version  # not an import of WeasyPrint (≈0.8 CPU-s)

    from fupin.reports import fonts as font_module

    digest = hashlib.sha256()
    digest.update(f"weasyprint {version('weasyprint')} pypdf {version('pypdf')}".encode())
    digest.update(f"layout {LAYOUT_VERSION} masked={masked}".encode())
    digest.update(font_module.fingerprint(list(fonts)).encode())
    for path in sorted(TEMPLATES.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def pdf_lint_key(
    detector: str,
    pieces: Sequence[Piece],
    terms: Mapping[str, Sequence[str]],
    guard: NameGuard | None,
) -> str:
    """Everything the lint of one PDF file depends on besides its bytes: the detector's code
    (:func:`lint_fingerprint`), the tool that reads PDF text here, and for each of its
    notices what :func:`~fupin.reports.notice_privacy.lint_pdf` checks in it: a list's terms,
    or the guard's names, places and terms."""
    digest = hashlib.sha256(f"{detector}\0{text_tool()}".encode())
    for notice in dict.fromkeys(p.notice for p in pieces):
        known = "\0" + guard.fingerprint(notice) if guard is not None else "\0none"
        if notice in terms:  # a list's terms, and the names they may stand inside
            checks = "list\0" + "\0".join(terms[notice]) + known
        else:
            checks = "guard" + known
        digest.update(f"\1{notice}\0{checks}".encode())
    return digest.hexdigest()


def _pdf_key(fingerprint: str, pieces: Sequence[Piece], title: str) -> str:
    digest = hashlib.sha256(fingerprint.encode())
    digest.update(title.encode())
    for piece in pieces:
        digest.update(f"\0{piece.key}\0{piece.paper}\0{piece.pages}\0".encode())
        digest.update(piece.html.encode())
    return digest.hexdigest()


def write_notices(
    docs: Sequence[NoticeDoc],
    out: Path,
    *,
    formats: Sequence[str] = ("html", "pdf"),
    masked: bool = False,
    split: str = "notice",
    workers: int | None = None,
    title: str = "公示公告",
    terms: Mapping[str, Sequence[str]] | None = None,
    guard: NameGuard | None = None,
    progress: bool | None = None,
    fonts: Sequence[str] = (),
) -> Written:
    """Render, lint and publish every notice (all or nothing); returns what was published.

    ``split="notice"`` writes one PDF per notice; ``"village"`` one PDF per folder with its
    notices (slips always go to their own file). ``terms`` maps a notice id to the health
    and cause terms a list naming households must not print; ``guard`` the register's names
    no other notice may print a term beside. ``fonts`` are the CJK font files (for the PDF
    key). A reused PDF is read again when the lint changed since it passed (the detector,
    the register's names, the terms: :func:`pdf_lint_key`), never laid out again for that.
    """
    terms = terms or {}
    hits = lint_inputs((), title, terms, guard)
    env = make_env(masked=masked)
    passed = read_manifest(Path(os.path.abspath(out))).get("docs")
    lint_keys: dict[str, str] = {}
    try:
        pieces = render_pieces(  # raises before writing
            env,
            docs,
            terms=terms,
            guard=guard,
            passed=passed if isinstance(passed, dict) else {},
            keys=lint_keys,
        )
    except PrivacyError as exc:
        raise PrivacyError(hits + exc.hits) from None
    if hits:
        raise PrivacyError(hits)
    tracer = Tracer(docs, lazy=True)
    with Publisher(out) as publisher:
        stage = publisher.stage
        written = Written(publisher.out)
        hits = []
        for piece in pieces:
            inside(stage, stage / piece.folder).mkdir(exist_ok=True)
            hits += lint_name(piece.notice, piece.folder, guard)
            hits += lint_name(piece.notice, piece.stem, guard)
        manifest: dict[str, Any] = {"version": 1, "pdf": {}, "html": {}, "docs": lint_keys}
        published = read_manifest(publisher.out)  # the set in place: read once
        previous = published.get("html", {})
        detector = lint_fingerprint()
        if "html" in formats:
            for piece in pieces:
                path = inside(stage, stage / piece.folder / f"{piece.stem}.html")
                relative = path.relative_to(stage).as_posix()
                data = page_html(env, [piece], title=piece.title, batch=False).encode("utf-8")
                listed = (
                    terms.get(piece.notice, ()) if piece.doc and piece.doc.lists_households else ()
                )
                near = None if listed else guard
                checks = "\0".join(listed) + (guard.fingerprint(piece.notice) if guard else "")
                key = hashlib.sha256(detector.encode() + checks.encode() + data)
                manifest["html"][relative] = key.hexdigest()
                path.write_bytes(data)
                written.files[piece.key].append(path)
                if previous.get(relative) == key.hexdigest():
                    continue  # these very bytes passed this lint in the published set
                hits += lint_html(
                    piece.notice,
                    relative,
                    data.decode("utf-8"),
                    terms=listed,
                    guard=near,
                    tracer=tracer,
                    known=guard if listed else None,
                )
        checkpoint("html")
        if "pdf" in formats and pieces:
            hits += _pdfs(
                pieces,
                written,
                publisher,
                manifest,
                published.get("pdf", {}),
                split=split,
                masked=masked,
                workers=workers,
                terms=terms,
                guard=guard,
                tracer=tracer,
                progress=progress,
                fonts=fonts,
            )
        checkpoint("pdf")
        index = inside(stage, stage / "index.html")
        page = _index(env, pieces, written, stage, title)
        index.write_text(page, encoding="utf-8")
        checks = guard.fingerprint("") if guard else ""
        index_key = hashlib.sha256(f"{detector}\0{checks}\0{page}".encode()).hexdigest()
        manifest["index"] = index_key
        if published.get("index") != index_key:  # else: passed as it is
            hits += lint_html("", "index.html", page, guard=guard, tracer=tracer)
        if hits:
            raise PrivacyError(hits)
        manifest["generated"] = datetime.datetime.now().isoformat(timespec="seconds")
        (stage / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
        checkpoint("publish")
        publisher.publish()
        checkpoint("published")
    rebase = {k: [written.out / p.relative_to(stage) for p in v] for k, v in written.files.items()}
    written.files = defaultdict(list, rebase)
    written.index = written.out / "index.html"
    return written


def _pdfs(
    pieces: list[Piece],
    written: Written,
    publisher: Publisher,
    manifest: dict[str, Any],
    previous: dict[str, Any],
    *,
    split: str,
    masked: bool,
    workers: int | None,
    terms: Mapping[str, Sequence[str]],
    guard: NameGuard | None,
    tracer: Tracer,
    progress: bool | None,
    fonts: Sequence[str],
) -> list[PrivacyHit]:
    """Reuse the unchanged PDFs of the published set (``previous``: its manifest's PDFs), lay
    out the others; lint them all."""
    stage = publisher.stage
    files: dict[str, list[Piece]] = defaultdict(list)
    for piece in pieces:
        stem = piece.stem if split == "notice" or piece.slips else piece.folder
        relative = f"{piece.folder}/{stem}.pdf"
        inside(stage, stage / relative)
        files[relative].append(piece)
        written.files[piece.key].append(stage / relative)
    by_key = {
        entry.get("key"): (path, entry)
        for path, entry in previous.items()
        if isinstance(entry, dict)
    }
    fingerprint = renderer_fingerprint(fonts, masked)
    detector = lint_fingerprint()
    todo: list[tuple[str, list[Piece]]] = []
    stale: list[tuple[str, list[Piece]]] = []  # reused files the lint changed for since
    for relative, members in files.items():
        title = members[0].title if len(members) == 1 else members[0].folder
        key = _pdf_key(fingerprint, members, title)
        lint_key = pdf_lint_key(detector, members, terms, guard)
        reused = _reuse(publisher, relative, by_key.get(key))
        if reused is not None:
            written.pages.update(reused["pages"])
            if reused.get("lint") != lint_key:
                stale.append((relative, members))
            manifest["pdf"][relative] = {**reused, "lint": lint_key}
            written.reused += 1
        else:
            todo.append((relative, members))
            manifest["pdf"][relative] = {"key": key, "title": title, "lint": lint_key}
    hits = _relint(stale, manifest, stage, terms, guard, tracer, workers)
    written.relinted += len(stale)
    if not todo:
        return hits
    tmp = tempfile.mkdtemp(prefix=".pdf-", dir=stage)
    jobs = _batches(todo, manifest, stage, tmp, masked, terms, tracer, guard)
    for result in _run(jobs, workers, progress, sum(len(m) for _, m in todo)):
        written.pages.update(result.pages)
        hits += result.hits
        for path, sha in result.sha256.items():
            entry = manifest["pdf"][Path(path).relative_to(stage).as_posix()]
            stat = Path(path).stat()
            entry.update(sha256=sha, size=stat.st_size, mtime_ns=stat.st_mtime_ns)
    for relative, members in todo:
        manifest["pdf"][relative]["pages"] = {p.key: written.pages[p.key] for p in members}
    written.rendered += len(todo)
    shutil.rmtree(tmp, ignore_errors=True)
    return hits


def _relint(
    files: list[tuple[str, list[Piece]]],
    manifest: dict[str, Any],
    stage: Path,
    terms: Mapping[str, Sequence[str]],
    guard: NameGuard | None,
    tracer: Tracer,
    workers: int | None,
) -> list[PrivacyHit]:
    """Lint reused PDFs again (their text, read from the file linked into the stage), a few
    files at a time: the work is poppler's, in its own processes."""
    if not files:
        return []
    listed = dict(terms)

    def one(relative: str, members: list[Piece]) -> list[PrivacyHit]:
        pages = manifest["pdf"][relative]["pages"]
        spans: list[tuple[str, int, int]] = []
        for piece in members:
            start = spans[-1][1] + spans[-1][2] if spans else 0
            spans.append((piece.notice, start, int(pages[piece.key])))
        return lint_pdf(spans, stage / relative, relative, terms=listed, guard=guard, tracer=tracer)

    count = min(workers or min(os.cpu_count() or 1, 4), len(files))
    with ThreadPoolExecutor(max_workers=count) as pool:
        return [hit for found in pool.map(lambda f: one(*f), files) for hit in found]


def _reuse(publisher: Publisher, relative: str, found: Any) -> dict[str, Any] | None:
    """Link the previous set's PDF with this key into the stage, when its bytes are intact."""
    if found is None:
        return None
    old_relative, entry = found
    source = publisher.out / old_relative
    if not isinstance(entry.get("pages"), dict) or not source.is_file():
        return None
    stat = source.stat()
    same = [stat.st_size, stat.st_mtime_ns] == [entry.get("size"), entry.get("mtime_ns")]
    if not same and _sha256(source) != entry.get("sha256"):  # hash only what may have changed
        return None
    target = inside(publisher.stage, publisher.stage / relative)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
    return {**entry, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _batches(
    todo: list[tuple[str, list[Piece]]],
    manifest: dict[str, Any],
    stage: Path,
    tmp: str,
    masked: bool,
    terms: Mapping[str, Sequence[str]],
    tracer: Tracer,
    guard: NameGuard | None = None,
) -> list[PdfJob]:
    """Files grouped into documents of at most :data:`MAX_BATCH_PAGES` estimated pages."""
    groups: list[list[tuple[str, list[Piece]]]] = [[]]
    pages = 0
    for relative, members in todo:
        size = sum(p.pages for p in members)
        if groups[-1] and pages + size > MAX_BATCH_PAGES:
            groups.append([])
            pages = 0
        groups[-1].append((relative, members))
        pages += size
    jobs = []
    for group in groups:
        pieces = [replace(p, doc=None) for _, members in group for p in members]
        outputs = {p.key: str(stage / relative) for relative, members in group for p in members}
        titles = {
            str(stage / relative): manifest["pdf"][relative]["title"] for relative, _ in group
        }
        notices = {p.notice for p in pieces}
        jobs.append(
            PdfJob(
                pieces,
                outputs,
                titles,
                masked,
                tmp,
                {n: t for n, t in terms.items() if n in notices},
                tracer,
                str(stage),
                guard,
            )
        )
    return jobs


def _run(
    jobs: list[PdfJob], workers: int | None, progress: bool | None, total: int
) -> list[PdfResult]:
    """Run the jobs on ``workers`` processes (in this one for a single job), with progress."""
    from tqdm import tqdm

    workers = workers or min(os.cpu_count() or 1, 4)
    show = sys.stderr.isatty() if progress is None else progress
    tqdm.monitor_interval = 0  # no monitor thread: workers are forked
    results: list[PdfResult] = []
    with tqdm(total=total, unit="份", desc="PDF", disable=not show, file=sys.stderr) as bar:
        if workers <= 1 or len(jobs) == 1:
            for job in jobs:
                results.append(_pdf_batch(job))
                bar.update(len(job.pieces))
            return results
        with ProcessPoolExecutor(
            max_workers=min(workers, len(jobs)), initializer=_worker_init, initargs=(os.getpid(),)
        ) as pool:
            pending: dict[Future[PdfResult], int] = {
                pool.submit(_pdf_batch, job): len(job.pieces) for job in jobs
            }
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    results.append(future.result())
                    bar.update(pending.pop(future))
                    checkpoint("pdf-batch")
    return results


def _index(env: Environment, pieces: list[Piece], written: Written, stage: Path, title: str) -> str:
    rows, slips = [], []
    for piece in pieces:
        files = [
            {"href": p.relative_to(stage).as_posix(), "label": p.suffix.lstrip(".").upper()}
            for p in dict.fromkeys(written.files.get(piece.key, []))
        ]
        h = piece.doc.header if piece.doc else None
        if piece.slips:
            slips.append({"id": piece.notice, "title": piece.title, "files": files})
        elif h is not None:
            rows.append(
                {
                    "id": h.id,
                    "type_name": h.type_name,
                    "title": h.title,
                    "level_name": h.level_name,
                    "place": f"{h.township}{h.village}" or "县级",
                    "channel_name": h.channel_name,
                    "start": h.start,
                    "end": h.end,
                    "withdrawn": h.withdrawn,
                    "days": h.posted_days,  # the days it was up: a withdrawal cuts it short
                    "files": files,
                }
            )
    return env.get_template("index.html").render(
        title=title,
        rows=rows,
        slips=slips,
        generated=filters.cn_date(datetime.date.today()),
    )


def checkpoint(name: str) -> None:
    """A named moment of a run, for the kill tests: with ``FUPIN_NOTICES_STOP_AT=<name>``
    the run stops itself (SIGSTOP) there, so a test can kill it at exactly that moment."""
    if os.environ.get("FUPIN_NOTICES_STOP_AT") == name:
        os.kill(os.getpid(), signal.SIGSTOP)
