"""Run importers over documents, each all or nothing, and write the new entries atomically.

:func:`run_files` identifies and extracts every document and de-duplicates exactly against
the existing ledger (and the documents before it in the same run). A document with any
problem (a bad row, no importer for it, an importer that crashed on it) is rejected whole,
named with its file, row and column; the other documents still go through.
:func:`extract_files` is the strict form for tests and scripts: it raises
:class:`ImportFailed` when any document fails. :func:`write_entries` writes through a
temporary file and ``os.replace``, so a crash never leaves half a file.
"""

from __future__ import annotations

import datetime
import os
import runpy
import tempfile
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import beangulp
from beancount.core import data
from beancount.parser import printer
from beancount.utils import misc_utils
from beangulp import extract
from fupin.importers.dedupe import DUPLICATE, Existing, KeyIndex, source_key
from fupin.importers.layout import LayoutError
from fupin.importers.rules import RulesError, RulesFile
from fupin.importers.sheet import SHEET_KEY, Accounted, Lines
from fupin.importers.table import SourceError, read_sheets


class ImportFailed(Exception):
    """One or more documents could not be imported (each named); they wrote nothing."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class ConfigError(Exception):
    """The import configuration module is missing or malformed."""


@dataclass
class Extracted:
    """What one document yields: new entries, duplicates skipped, rows left to suspense."""

    path: Path
    importer: beangulp.Importer
    entries: list[data.Directive] = field(default_factory=list)
    duplicates: list[tuple[data.Directive, data.Directive]] = field(default_factory=list)
    #: what every line of the document was, per worksheet, and the sheets not read (why)
    lines: tuple[Lines, ...] = ()

    @property
    def unmatched(self) -> list[data.Transaction]:
        """New transactions whose other leg went to a suspense account (flag ``!``)."""
        return [e for e in self.entries if isinstance(e, data.Transaction) and e.flag == "!"]


@dataclass
class Run:
    """A run over several documents: the accepted ones and the rejected ones (each named)."""

    results: list[Extracted] = field(default_factory=list)
    rejected: list[tuple[Path, str]] = field(default_factory=list)
    #: documents that crashed an importer (a bug in fupin, not in the document)
    internal: list[tuple[Path, str]] = field(default_factory=list)
    #: the existing ledger's index the run de-duplicated against (the post-import check
    #: reuses it); it may hold the new entries of every document but the last
    index: KeyIndex | None = None

    @property
    def problems(self) -> list[str]:
        return [message for _, message in (*self.rejected, *self.internal)]


def load_config(path: str | Path) -> list[beangulp.Importer]:
    """The ``CONFIG`` list of a Fava-style import configuration module."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: 没有这个导入配置文件 (no such import configuration)")
    try:
        module = runpy.run_path(str(path))
    except (SourceError, LayoutError, RulesError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except SyntaxError as exc:  # the county edits this file by hand
        raise ConfigError(f"{path}:{exc.lineno}: 导入配置有语法错误: {exc.msg}") from None
    except Exception as exc:  # its own code failed (a mistyped name, a missing module)
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
        line = f":{frames[-1].lineno}" if frames else ""
        raise ConfigError(f"{path}{line}: 导入配置运行出错: {type(exc).__name__}: {exc}") from None
    config = module.get("CONFIG")
    if not isinstance(config, list | tuple) or not all(
        isinstance(i, beangulp.Importer) for i in config
    ):
        raise ConfigError(f"{path}: CONFIG 应为导入器 (beangulp importers) 的列表")
    for importer in config:  # the rules files: read now, so a bad edit stops the run at once
        source = getattr(importer, "rules_source", None)
        if isinstance(source, RulesFile):
            try:
                source.current()
            except RulesError as exc:
                raise ConfigError(str(exc)) from None
    return list(config)


def _priority(importer: beangulp.Importer) -> int:
    """Rolls and allocations first: a statement then matches what they booked."""
    return 1 if importer.name.startswith("fupin.statement") else 0


def _internal(path: Path, stage: str, exc: BaseException) -> str:
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" ({Path(where.filename).name}:{where.lineno})" if where else ""
    return f"{path.name}: {stage}时内部错误 {type(exc).__name__}: {exc}{at} — 请报告此问题"


def identify_file(importers: Sequence[beangulp.Importer], path: Path) -> beangulp.Importer | None:
    """The one importer that recognises ``path`` (beangulp's rule: two is an error)."""
    found = [importer for importer in importers if importer.identify(str(path))]
    if len(found) > 1:
        names = "、".join(i.name for i in found)
        raise SourceError(path, None, None, f"多个导入器都能识别此文件: {names}")
    return found[0] if found else None


def unrecognised(path: Path) -> str:
    """Why no importer recognised ``path``, as far as reading it tells: empty, not a
    readable workbook (a damaged xlsx, a name that does not fit the content), no rows at
    all; else its header fits no configured layout."""
    try:
        if path.stat().st_size == 0:
            return f"{path.name}: 文件为空 (0 字节), 没有可导入的内容"
        documents = read_sheets(path, head=True)
    except SourceError as exc:
        return f"{exc}; 没有导入器能识别此文件"
    except OSError as exc:
        return f"{path.name}: 文件无法读取: {exc.strerror}"
    if all(row.blank for document in documents for row in document.rows):
        return f"{path.name}: 文件中没有任何内容 (只有空行或空白单元格)"
    return f"{path.name}: 没有导入器能识别此文件 (表头与任何已配置格式都不符)"


def unfit_to_archive(
    importers: Sequence[beangulp.Importer], files: Sequence[str | Path]
) -> list[str]:
    """Why each recognised file would be rejected by ``extract`` (a bad row, two importers,
    a crash): such a file was never imported and is not archived as if it had been.
    A file no importer recognises is beangulp's to skip."""
    problems: list[str] = []
    for name in files:
        path = Path(name)
        stage = "识别"
        try:
            importer = identify_file(importers, path)
            if importer is not None:
                stage = "读取"
                importer.extract(str(path), [])
        except (SourceError, RulesError) as exc:
            problems.append(str(exc))
        except Exception as exc:  # a bug in an importer: named, never beangulp's traceback
            problems.append(_internal(path, stage, exc))
    return problems


def run_files(
    importers: Sequence[beangulp.Importer],
    files: Sequence[str | Path],
    existing: Sequence[data.Directive] = (),
) -> Run:
    """Extract every document that can be; each bad one is rejected whole and named.

    A document that fails (a bad row, an unknown layout, a crash while identifying it)
    contributes nothing; the others still go through, de-duplicated exactly against the
    existing ledger and against the documents before them in the same run.
    """
    run = Run()
    found: list[tuple[beangulp.Importer, Path]] = []
    for name in files:
        path = Path(name)
        try:
            importer = identify_file(importers, path)
        except SourceError as exc:
            run.rejected.append((path, str(exc)))
            continue
        except Exception as exc:  # a bug in an importer must not stop the other files
            run.internal.append((path, _internal(path, "识别", exc)))
            continue
        if importer is None:
            run.rejected.append((path, unrecognised(path)))
            continue
        found.append((importer, path))
    found.sort(key=lambda item: (_priority(item[0]), str(item[1])))

    seen = existing if isinstance(existing, Existing) else Existing(existing)
    run.index = seen.held
    for position, (importer, path) in enumerate(found, 1):
        try:
            entries = extract.extract_from_file(importer, str(path), seen)
        except SourceError as exc:
            run.rejected.append((path, str(exc)))
            continue
        except RulesError as exc:  # the rules file was edited during the run
            run.rejected.append((path, f"{path.name}: {exc}"))
            continue
        except Exception as exc:
            run.internal.append((path, _internal(path, "读取", exc)))
            continue
        result = Extracted(path, importer)
        if isinstance(importer, Accounted):
            result.lines = importer.lines_read(str(path)) or ()
        seen.held.mark(entries)
        for entry in entries:
            held = entry.meta.pop(DUPLICATE, None)
            if held is not None:
                result.duplicates.append((entry, held))
            else:
                result.entries.append(entry)
        if position < len(found):  # the documents after it de-duplicate against it too
            seen.extend(result.entries)
        run.results.append(result)
    return run


def extract_files(
    importers: Sequence[beangulp.Importer],
    files: Sequence[str | Path],
    existing: Sequence[data.Directive] = (),
) -> list[Extracted]:
    """Extract every document or raise :class:`ImportFailed` naming each that failed."""
    run = run_files(importers, files, existing)
    if run.problems:
        raise ImportFailed(run.problems)
    return run.results


def render(results: Sequence[Extracted]) -> str:
    """The new entries as Beancount text, one section per document."""
    return render_lines(results)[0]


def render_lines(results: Sequence[Extracted], first_line: int = 1) -> tuple[str, dict[int, int]]:
    """The text and, for each entry (by ``id``), the line it starts on (counting from
    ``first_line``: the output file's line when the text is appended to it)."""
    out = [f"; fupin import {datetime.date.today().isoformat()}\n"]
    line = first_line + 1
    lines: dict[int, int] = {}
    for result in results:
        if not result.entries:
            continue
        out.append(
            f"\n; {result.path.name} ({result.importer.name}): {len(result.entries)} 条新记录\n\n"
        )
        line += 3
        for entry in result.entries:
            text = format_entry(entry) + "\n"
            lines[id(entry)] = line
            line += text.count("\n")
            out.append(text)
    return "".join(out), lines


def as_written(
    results: Sequence[Extracted], target: str | Path, lines: dict[int, int]
) -> list[data.Directive]:
    """The new entries, their ``filename``/``lineno`` set to where :func:`render_lines`
    wrote them in ``target`` (what a load of the ledger will say): the post-import check
    then names the written lines and orders ties as Beancount's load does."""
    out = []
    name = str(Path(target).resolve())
    for result in results:
        for entry in result.entries:
            entry.meta["filename"] = name
            entry.meta["lineno"] = lines.get(id(entry), 0)
            entry.meta.pop(SHEET_KEY, None)
            out.append(entry)
    return out


def format_entry(entry: data.Directive) -> str:
    """Beancount text of one entry: a fast path for the plain transactions importers make
    (units only, no posting metadata), Beancount's printer for everything else."""
    if isinstance(entry, data.Custom) and all(v.dtype is str for v in entry.values):
        values = " ".join(f'"{escape_string(v.value)}"' for v in entry.values)
        return "".join([f'{entry.date} custom "{entry.type}" {values}\n', *_meta(entry.meta)])
    if not isinstance(entry, data.Transaction):
        return printer.format_entry(entry)
    postings = entry.postings
    for posting in postings:
        if posting.cost or posting.price or posting.flag or posting.meta or posting.units is None:
            return printer.format_entry(entry)
    head = f"{entry.date} {entry.flag}"
    if entry.payee:
        head += f' "{escape_string(entry.payee)}" "{escape_string(entry.narration or "")}"'
    elif entry.narration:
        head += f' "{escape_string(entry.narration)}"'
    width = max(len(p.account) for p in postings)
    numbers = [str(p.units.number) for p in postings]  # type: ignore[union-attr]
    digits = max(len(n) for n in numbers)
    lines = [head + "\n", *_meta(entry.meta)]
    for posting, number in zip(postings, numbers, strict=True):
        currency = posting.units.currency  # type: ignore[union-attr]
        lines.append(f"  {posting.account:{width}}  {number:>{digits}} {currency}\n")
    return "".join(lines)


def escape_string(text: str) -> str:
    """Beancount's string escaping (quotes and backslashes), typed."""
    if '"' not in text and "\\" not in text:
        return text
    return str(misc_utils.escape_string(text))  # type: ignore[no-untyped-call]


def _meta(meta: data.Meta) -> list[str]:
    """Metadata lines as Beancount's printer writes them (strings quoted and escaped), each
    ending in a newline."""
    lines = []
    for key, value in meta.items():
        if key == "filename" or key == "lineno" or key.startswith("__"):
            continue
        kind = type(value)
        if kind is str:
            shown = f'"{escape_string(value)}"'
        elif kind is bool:
            shown = "TRUE" if value else "FALSE"
        elif isinstance(value, str):
            shown = f'"{escape_string(value)}"'
        else:
            shown = str(value)
        lines.append(f"  {key}: {shown}\n")
    return lines


def write_entries(text: str, target: Path, *, append: bool = False) -> None:
    """Write (or append) ``text`` to ``target`` atomically: the whole text or nothing."""
    target = Path(target)
    old = target.read_text(encoding="utf-8") if append and target.exists() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(old + text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_include(ledger: Path, target: Path) -> str | None:
    """Add ``include "<target>"`` to ``ledger`` (atomically) unless it is there; the line added."""
    relative = os.path.relpath(target.resolve(), ledger.resolve().parent)
    line = f'include "{relative}"'
    text = ledger.read_text(encoding="utf-8")
    if line in text.splitlines():
        return None
    write_entries(line + "\n", ledger, append=True)
    return line


def describe(entry: data.Directive) -> str:
    """A short line for reports: date, key, amount."""
    key = source_key(entry)
    ident = key[1] if key else type(entry).__name__
    amount = ""
    if isinstance(entry, data.Transaction) and entry.postings and entry.postings[0].units:
        amount = f" {entry.postings[0].units.number:,.2f}"
    return f"{entry.date} {ident}{amount}"
