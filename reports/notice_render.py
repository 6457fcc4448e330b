"""Render notices to HTML and PDF: one Jinja2 environment, one WeasyPrint document per batch.

HTML (print CSS for A4/A3, page numbers 第 N 页 / 共 M 页, rows never split) is the source;
the PDF is made from the same fragments. WeasyPrint's cost is per document (font handling
of Noto CJK), not per page, so notices are laid out many to a document, in a few worker
processes, and the PDF is then split per notice (or per village) with pypdf. Each notice is
a CSS page group, so its page counter restarts; its page total is printed from a string
set in the notice, first estimated from its rows and then checked against the layout
(notices whose estimate was wrong are laid out once more with the right total).

Nothing is written unless every notice was built, rendered and passed the privacy lint.
"""

from __future__ import annotations

import datetime
import gc
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fupin.reports import filters
from fupin.reports.notice_context import NoticeDoc
from fupin.reports.notice_privacy import PrivacyHit, lint
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates" / "notices"
ROWS_FIRST_PAGE = 24  # table rows that fit under the heading of an A4 notice
ROWS_PER_PAGE = 32
SLIPS_PER_PAGE = 4


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

    key: str  # file stem
    notice: str
    folder: str  # output folder (village, township or 县级)
    html: str  # the section's inner HTML
    paper: str
    pages: int  # estimated page total printed in the footer
    title: str
    slips: bool = False
    doc: NoticeDoc | None = field(default=None, compare=False, repr=False)


class PrivacyError(Exception):
    """The privacy lint found an ID, phone or account number in a rendered notice."""

    def __init__(self, hits: Sequence[PrivacyHit]) -> None:
        self.hits = list(hits)
        super().__init__("\n".join(str(h) for h in self.hits))


def folder_of(doc: NoticeDoc) -> str:
    """``城关镇青山村`` for a village notice, ``城关镇`` for a township one, ``县级`` else."""
    h = doc.header
    if h.level == "county" and not h.village:
        return "县级"
    return f"{h.township}{h.village}" or "县级"


def _estimate(rows: int) -> int:
    if rows <= ROWS_FIRST_PAGE:
        return 1
    return 1 + -(-(rows - ROWS_FIRST_PAGE) // ROWS_PER_PAGE)


def render_pieces(env: Environment, docs: Sequence[NoticeDoc]) -> list[Piece]:
    """Every notice's fragment (and its slips), linted; raises :class:`PrivacyError`."""
    pieces: list[Piece] = []
    hits: list[PrivacyHit] = []
    for doc in docs:
        context: dict[str, Any] = {
            "h": doc.header,
            "b": doc.body,
            "recipients": doc.recipients,
            "show_id": doc.show_id,
        }
        pages = _estimate(doc.rows)
        html = env.get_template(doc.template).render(context, pages=pages)
        hits += lint(doc.id, html)
        folder = folder_of(doc)
        pieces.append(
            Piece(doc.id, doc.id, folder, html, doc.header.paper, pages, doc.header.title, doc=doc)
        )
        if doc.recipients:
            pages = -(-len(doc.recipients) // SLIPS_PER_PAGE)
            slips = env.get_template("slips.html").render(context, pages=pages)
            hits += lint(doc.id, slips)
            pieces.append(
                Piece(
                    f"{doc.id}-明白卡",
                    doc.id,
                    folder,
                    slips,
                    "A4",
                    pages,
                    f"明白卡 · {doc.header.title}",
                    slips=True,
                    doc=doc,
                )
            )
    if hits:
        raise PrivacyError(hits)
    return pieces


def page_html(env: Environment, pieces: Sequence[Piece], *, title: str, batch: bool) -> str:
    """A whole HTML document of sections; ``batch`` prints the per-notice page total."""
    sections = [{"key": p.key, "html": p.html, "paper": p.paper} for p in pieces]
    return env.get_template("page.html").render(
        title=title,
        sections=sections,
        total_pages="string(total)" if batch else "counter(pages)",
    )


# -- PDF ---------------------------------------------------------------------------------


def _layout(html: str, keys: Sequence[str]) -> tuple[Any, dict[str, tuple[int, int]]]:
    """Lay out a batch; the page range ``(start, count)`` of each section by its anchor.

    WeasyPrint allocates millions of small boxes; with the objects alive before the layout
    frozen and a high first-generation threshold the cyclic GC stops rescanning them
    (about 30% faster, measured).
    """
    from weasyprint import HTML

    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        document = HTML(string=html, base_url=str(TEMPLATES)).render()
    finally:
        gc.set_threshold(*threshold)
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
    return Piece(
        piece.key,
        piece.notice,
        piece.folder,
        piece.html.replace(old, new, 1),
        piece.paper,
        pages,
        piece.title,
        piece.slips,
    )


def _pdf_batch(job: tuple[list[Piece], dict[str, str], bool, str]) -> dict[str, int]:
    """Worker: lay out pieces in one document (plus one for wrong page totals), split, write.

    ``outputs`` maps each piece key to the PDF file it goes to (several keys may share one).
    Returns the page count of each piece.
    """
    from pypdf import PdfReader, PdfWriter

    pieces, outputs, masked, tmp = job
    env = make_env(masked=masked)
    keys = [p.key for p in pieces]
    document, ranges = _layout(page_html(env, pieces, title="notices", batch=True), keys)
    sources: dict[str, tuple[int, int, int]] = {k: (0, *ranges[k]) for k in keys}
    readers = [PdfReader(_write(document, Path(tmp) / f"{os.getpid()}-{id(job)}-0.pdf"))]
    wrong = [_with_pages(p, ranges[p.key][1]) for p in pieces if ranges[p.key][1] != p.pages]
    if wrong:
        fixed, fixed_ranges = _layout(
            page_html(env, wrong, title="notices", batch=True), [p.key for p in wrong]
        )
        readers.append(PdfReader(_write(fixed, Path(tmp) / f"{os.getpid()}-{id(job)}-1.pdf")))
        for p in wrong:
            sources[p.key] = (1, *fixed_ranges[p.key])
    by_file: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        by_file[outputs[key]].append(key)
    for path, members in by_file.items():
        writer = PdfWriter()
        for key in members:
            which, start, count = sources[key]
            for index in range(start, start + count):
                writer.add_page(readers[which].pages[index])
        with open(path, "wb") as handle:
            writer.write(handle)
    return {k: sources[k][2] for k in keys}


def _write(document: Any, path: Path) -> Path:
    document.write_pdf(path)
    return path


# -- output ------------------------------------------------------------------------------


@dataclass
class Written:
    """What a run wrote: files per piece and the index page."""

    out: Path
    files: dict[str, list[Path]] = field(default_factory=lambda: defaultdict(list))
    pages: dict[str, int] = field(default_factory=dict)
    index: Path | None = None


def write_notices(
    docs: Sequence[NoticeDoc],
    out: Path,
    *,
    formats: Sequence[str] = ("html", "pdf"),
    masked: bool = False,
    split: str = "notice",
    workers: int | None = None,
    title: str = "公示公告",
) -> Written:
    """Render and write every notice (all or nothing); returns the files written.

    ``split="notice"`` writes one PDF per notice; ``"village"`` one PDF per folder with its
    notices (slips always go to their own file).
    """
    env = make_env(masked=masked)
    pieces = render_pieces(env, docs)  # raises before anything is written
    stage = Path(
        tempfile.mkdtemp(prefix=".notices-", dir=out.parent if out.parent.exists() else None)
    )
    written = Written(out)
    try:
        for piece in pieces:
            (stage / piece.folder).mkdir(parents=True, exist_ok=True)
        if "html" in formats:
            for piece in pieces:
                path = stage / piece.folder / f"{piece.key}.html"
                path.write_text(
                    page_html(env, [piece], title=piece.title, batch=False), encoding="utf-8"
                )
                written.files[piece.key].append(path)
        if "pdf" in formats and pieces:
            outputs = {}
            for piece in pieces:
                name = piece.key if split == "notice" or piece.slips else piece.folder
                outputs[piece.key] = str(stage / piece.folder / f"{name}.pdf")
            for piece in pieces:
                written.files[piece.key].append(Path(outputs[piece.key]))
            written.pages = _run_batches(pieces, outputs, masked, workers, stage)
        written.index = stage / "index.html"
        written.index.write_text(_index(env, pieces, written, stage, title), encoding="utf-8")
        _publish(stage, out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    rebase = {k: [out / p.relative_to(stage) for p in v] for k, v in written.files.items()}
    written.files = defaultdict(list, rebase)
    written.index = out / "index.html"
    return written


def _run_batches(
    pieces: list[Piece], outputs: dict[str, str], masked: bool, workers: int | None, stage: Path
) -> dict[str, int]:
    """Lay out the pieces in a few documents, by folder, on ``workers`` processes."""
    workers = workers or min(os.cpu_count() or 1, 4)
    by_folder: dict[str, list[Piece]] = defaultdict(list)
    for piece in pieces:
        by_folder[piece.folder].append(piece)
    target = max(1, len(pieces) // workers // 2 or 1) if workers > 1 else len(pieces)
    batches: list[list[Piece]] = [[]]
    for folder_pieces in by_folder.values():
        if batches[-1] and len(batches[-1]) >= target:
            batches.append([])
        batches[-1].extend(folder_pieces)
    tmp = tempfile.mkdtemp(prefix=".pdf-", dir=stage)
    jobs = [
        ([_bare(p) for p in b], {p.key: outputs[p.key] for p in b}, masked, tmp) for b in batches
    ]
    pages: dict[str, int] = {}
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for result in pool.map(_pdf_batch, jobs):
                pages.update(result)
    else:
        for job in jobs:
            pages.update(_pdf_batch(job))
    shutil.rmtree(tmp, ignore_errors=True)
    return pages


def _bare(piece: Piece) -> Piece:
    """The piece without its NoticeDoc (smaller to send to a worker)."""
    return Piece(
        piece.key,
        piece.notice,
        piece.folder,
        piece.html,
        piece.paper,
        piece.pages,
        piece.title,
        piece.slips,
    )


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
                    "days": h.days,
                    "files": files,
                }
            )
    return env.get_template("index.html").render(
        title=title,
        rows=rows,
        slips=slips,
        generated=filters.cn_date(datetime.date.today()),
    )


def _publish(stage: Path, out: Path) -> None:
    """Move the staged files into ``out`` (created if needed), replacing same-named files."""
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(stage.rglob("*")):
        if path.is_file() and not any(
            part.startswith(".") for part in path.relative_to(stage).parts
        ):
            target = out / path.relative_to(stage)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), target)
