"""Incremental loading: each included file's parsed and booked entries, kept between runs.

Beancount loads a ledger in four steps: parse every file (following ``include``), sort,
book (complete each transaction's missing amounts), then run the plugins and validate the
whole list. Parsing a file depends on that file's bytes alone; booking a transaction
depends on the transaction alone when none of its postings is held at cost or leaves a
currency to be inferred from an account's balance (Beancount reads balances only then).
So this module keeps, per file, what the first two steps made of it, and on the next run
parses and books only the files whose bytes changed; plugins and validation always run on
the whole list, so every finding is the one a cold load gives.

A record is used only when every part of its key is the same: the file's absolute path and
SHA-256 of its bytes (never its modification time), the booking options of the top file,
this module's format, Python's and Beancount's versions, and a hash of fupin's own source
(rules, entity models and policy defaults included). A file whose booking depends on other
files (a posting at cost, a currency left to infer) or gives a booking error is kept
parsed only, and then the whole ledger is booked together, as Beancount does. A file that
books alone has its plain transactions booked by :mod:`fupin.plain_booking` (Beancount's
result, without its general machinery), with the cache on or off. Encrypted
files are never cached (Beancount's own loader reads them). One deliberate difference from
Beancount's load: an ``include`` that matches nothing, or names a file read already (a cycle,
a line written twice), is reported at that ``include`` line, where Beancount says ``<load>:0``. What the plugin learns of one
unchanged file (LEDGER's and PII's summary of its transactions) is kept beside its record
(:mod:`fupin.file_memo`).

Where: ``$FUPIN_CACHE_DIR``, else ``$XDG_CACHE_HOME/fupin``, else ``~/.cache/fupin`` (outside
the books, mode 0700); ``FUPIN_CACHE=off`` switches it off (nothing read or written).
Writes are atomic (a temporary file renamed into place), so concurrent runs at worst parse a
file twice; an unreadable or foreign record is a miss. The folder is kept under ``FUPIN_CACHE_MAX_MB`` (default 2048):
the least recently used records go first. ``BEANCOUNT_DISABLE_LOAD_CACHE`` is about
Beancount's own pickle cache (keyed on modification times, runs no plugin) and does not
concern this one, which is exact; tests run with it on, in a temporary folder.
"""

from __future__ import annotations

import contextlib
import copy
import copyreg
import functools
import hashlib
import io
import os
import pickle
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from glob import glob
from os import path
from pathlib import Path
from typing import Any

import beancount
from beancount import loader
from beancount.core import data, position
from beancount.core.amount import Amount
from beancount.core.number import MISSING
from beancount.parser import booking, grammar, parser
from beancount.utils import encryption

from fupin import file_memo, plain_booking, record_values, transformations, validations
from fupin.preflight import Checked, check_read
from fupin.validations import Usage

#: bump when the record layout changes
FORMAT = 3
DEFAULT_MAX_MB = 2048
#: the top file's options that booking reads (tolerances, interpolation, lot matching)
BOOKING_OPTIONS = (
    "booking_method",
    "use_precise_interpolation",
    "infer_tolerance_from_cost",
    "tolerance_multiplier",
    "inferred_tolerance_default",
)

Result = tuple[list[data.Directive], list[Any], dict[str, Any]]

# Beancount's functions are untyped: typed handles on the ones used here
_book_all: Callable[[list[Any], dict[str, Any]], tuple[list[Any], list[Any]]] = booking.book
_input_hash: Callable[[list[str]], str] = loader.compute_input_hash


@dataclass
class Record:
    """What parsing (and, when ``booked``, booking) made of one file."""

    key: str
    booked: bool
    local: bool  # every transaction books on its own
    entries: list[data.Directive]  # booked and sorted, or as parsed
    errors: list[Any]  # the parser's errors
    options: dict[str, Any]  # the parser's options for this file (includes, currencies)
    #: booked: every transaction balances (Beancount's own check, a function of the
    #: transaction and the booking options alone), so it need not be checked again
    balanced: bool = False
    #: booked and kept: the accounts its transactions post to, their days and currencies
    #: (:func:`fupin.validations.usage`: checked against the ledger's opens on each load)
    usage: Usage | None = None


@dataclass
class _File:
    name: str
    content: bytes
    key: str
    record: Record
    fresh: bool  # parsed in this run (to be written)
    changed: bool = False  # its record changed mode in this run


@dataclass
class Stats:
    """What the last load did (for benchmarks and tests)."""

    files: int = 0
    hits: int = 0
    parsed: int = 0
    written: int = 0
    whole_booking: bool = False
    used: bool = False
    spared: int = 0  # files whose transactions two validations judged from their usage
    held: int = 0  # of the hits, records a long-lived caller held from its previous load
    names: list[str] = field(default_factory=list)  # the files parsed this time


LAST = Stats()


@dataclass
class Held:
    """The records of a ledger's previous load, held in memory by a long-lived process
    (``fupin serve``), so that a reload after a save reuses the unchanged files' entries
    instead of reading a new copy of each from disk.

    Reuse is sound where nothing changes an entry after booking, as fupin's plugin and
    Beancount's ``ops`` keep to (they return new entries); another plugin may change one in
    place (a metadata value added to a transaction, a posting replaced: Beancount's own
    ``check_closing`` does), and the next load would then read the changed entry. So
    records are held only when every plugin line of the ledger is one known to leave
    entries as they are (:func:`_trusted_plugins`), and only those booked file by file (a
    file booked with the whole ledger is parsed only). The load's options are a copy of the
    top file's record's, which the load fills in (includes, display context).
    """

    records: dict[str, Record] = field(default_factory=dict)

    def keep(self, files: list[_File], options_map: dict[str, Any]) -> None:
        """Hold this load's booked records, and only them (the earlier load's go)."""
        self.records = (
            {f.key: f.record for f in files if f.record.booked}
            if _trusted_plugins(options_map)
            else {}
        )


def directory() -> Path | None:
    """The cache folder, or None when switched off (``FUPIN_CACHE=off``)."""
    if os.environ.get("FUPIN_CACHE", "").strip().lower() in ("off", "0", "no", "false"):
        return None
    explicit = os.environ.get("FUPIN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or path.join(path.expanduser("~"), ".cache")
    return Path(base) / "fupin"


def load_file(
    filename: str | Path, checked: Checked | None = None, held: Held | None = None
) -> Result:
    """``beancount.loader.load_file(filename)`` (no pickle cache), with the per-file cache.

    Same entries, errors and options as Beancount's loader; only the files whose bytes
    changed since the last run are parsed and booked again. ``checked``: what
    :func:`fupin.preflight.preflight` returned; then the bytes parsed are those it checked,
    and a file it did not see is checked before it is parsed (``LedgerUnreadable``).
    ``held``: a long-lived caller's records of its previous load of this ledger (``fupin
    serve``'s, one per ledger): a file whose key is among them takes that record's very
    entries, without reading its record from disk (:class:`Held`).
    """
    name = path.expandvars(path.expanduser(str(filename)))
    if not path.isabs(name):
        name = path.normpath(path.join(os.getcwd(), name))
    folder = directory()
    global LAST
    LAST = Stats()
    if encryption.is_encrypted_file(name):
        return _beancount(name)
    if folder is not None:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            folder = None
    return _Loader(folder, checked, held).load(name)


def _beancount(name: str) -> Result:
    """Beancount's own loader, without its pickle cache."""
    loader.initialize(use_cache=False)
    return loader.load_file(name)


class _Fallback(Exception):
    """A case this loader leaves to Beancount's (an encrypted or unreadable include)."""


class _Loader:
    """Beancount's load, file by file; with a ``folder``, each file's record kept there.

    Without one (``FUPIN_CACHE=off``, or a folder that cannot be made) nothing is read or
    written, but a file that books alone is still booked on its own (:mod:`fupin.plain_booking`).
    """

    def __init__(
        self, folder: Path | None, checked: Checked | None = None, held: Held | None = None
    ) -> None:
        self.folder = folder
        self.checked = checked
        self.held = held if folder is not None else None
        self.stats = LAST
        self.stats.used = folder is not None

    def load(self, top: str) -> Result:
        try:
            files, parse_errors, options_map, others = self._walk(top)
        except _Fallback:
            self.stats.used = False
            return _beancount(top)
        entries, booking_errors = self._book(files, options_map)
        self._save(files)
        if self.held is not None:
            self.held.keep(files, options_map)
        for f in files:
            f.content = b""  # the text is parsed and hashed: not kept through the rest
        parse_errors.extend(booking_errors)
        options_map["include"] = sorted(f.name for f in files)
        options_map = loader.aggregate_options_map(options_map, others)
        # before any plugin can change a transaction
        known = validations.known(
            [(f.record.entries, f.record.balanced, f.record.usage) for f in files]
        )
        saved = list(sys.path)
        memos = (
            [(f.name, f.key, f.record.entries) for f in files]
            if self.folder is not None and _ours_first(options_map)
            else []
        )
        try:
            sys.path[0:0] = options_map.get("pythonpath", [])
            with file_memo.offered(self.folder, memos):
                entries, errors = transformations.run(entries, parse_errors, options_map)
        finally:
            sys.path[:] = saved
        errors.extend(validations.validate(entries, options_map, known))
        self.stats.spared = known.spared if known is not None else 0
        options_map["input_hash"] = _input_hash(options_map["include"])
        return entries, errors, options_map

    # -- parse, following includes as Beancount does -------------------------------------
    def _walk(self, top: str) -> tuple[list[_File], list[Any], dict[str, Any], list[Any]]:
        files: list[_File] = []
        errors: list[Any] = []
        others: list[dict[str, Any]] = []
        seen: set[str] = set()
        options_map: dict[str, Any] | None = None
        tag = ""
        # each file to read, with the include that named it (None: the top file)
        pending: list[tuple[str, _Named | None]] = [(top, None)]
        while pending:
            raw, named = pending.pop(0)
            name = path.normpath(raw)
            if name in seen:
                errors.append(_load_error(f'Duplicate filename parsed: "{name}"', named))
                continue
            if not path.exists(name):
                errors.append(_load_error(f'File "{name}" does not exist', named))
                continue
            if encryption.is_encrypted_file(name):
                raise _Fallback(name)
            seen.add(name)
            try:
                content, digest = self._content(name)
            except OSError as exc:
                raise _Fallback(name) from exc
            if options_map is None:  # the top file: its own bytes decide its options
                entry = self._file(name, content, digest, "")
                # a copy: the load fills in the includes and the display context, and the
                # record may be held for the next load (:class:`Held`)
                options_map = copy.deepcopy(entry.record.options)
                tag = booking_tag(options_map)
            else:
                entry = self._file(name, content, digest, tag)
                others.append(entry.record.options)
            files.append(entry)
            errors.extend(entry.record.errors)
            pending.extend(_includes(entry.record.options, name, content, errors))
        if options_map is None:  # no top file: Beancount's own error and default options
            raise _Fallback(top)
        return files, errors, options_map, others

    def _content(self, name: str) -> tuple[bytes, bytes | None]:
        """The file's bytes and, when the preflight hashed them, their SHA-256: those it
        checked, else read (and checked, when the preflight ran: a file it did not see)."""
        if self.checked is None:
            return Path(name).read_bytes(), None
        passed = self.checked.pop(path.realpath(name), None)
        return check_read(name) if passed is None else passed

    def _file(self, name: str, content: bytes, digest: bytes | None, tag: str) -> _File:
        if self.folder is None:
            key = ""
        else:
            key = record_key(name, digest or hashlib.sha256(content).digest(), tag)
        record = self._read(key)
        if record is not None:
            self.stats.hits += 1
            return _File(name, content, key, record, fresh=False)
        entries, errors, options = parser.parse_file(io.BytesIO(content), report_filename=name)
        self.stats.parsed += 1
        self.stats.names.append(name)
        record = Record(key, False, _books_alone(entries), entries, errors, options)
        return _File(name, content, key, record, fresh=True)

    # -- book ------------------------------------------------------------------------------
    def _book(self, files: list[_File], options_map: dict[str, Any]) -> tuple[list[Any], list[Any]]:
        """The booked, sorted entries of the ledger and the booking errors."""
        self.stats.files = len(files)
        if all(f.record.local for f in files):
            methods: defaultdict[str, Any] = defaultdict(lambda: options_map["booking_method"])
            for f in files:
                if not f.record.booked and not _book_alone(f.record, options_map, methods):
                    f.changed = not f.fresh
                    break
                if f.record.usage is None and self.folder is not None:  # kept: worth it
                    f.record.usage = validations.usage(f.record.entries)
            else:
                entries = [e for f in files for e in f.record.entries]
                entries.sort(key=data.entry_sortkey)  # one stable merge of sorted runs
                return entries, []
        # A file books against others' balances: book the whole ledger together.
        self.stats.whole_booking = True
        for f in files:
            if f.record.booked:  # its booked entries are of no use here: parse it again
                entries, errors, options = parser.parse_file(
                    io.BytesIO(f.content), report_filename=f.name
                )
                f.record = Record(f.key, False, f.record.local, entries, errors, options)
                f.changed = True
        entries = [e for f in files for e in f.record.entries]
        entries.sort(key=data.entry_sortkey)
        return _book_all(entries, options_map)

    # -- records on disk ------------------------------------------------------------------
    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{key}.pickle"

    def _read(self, key: str) -> Record | None:
        if self.folder is None:
            return None
        if self.held is not None:
            record = self.held.records.get(key)
            if record is not None:
                self.stats.held += 1
                return record
        target = self._path(key)
        try:
            with open(target, "rb") as handle:
                record = pickle.load(handle)
        except FileNotFoundError:
            return None
        except Exception:  # a torn or foreign file: a miss, and it goes
            with contextlib.suppress(OSError):
                target.unlink()
            return None
        if type(record) is not Record or record.key != key:
            return None
        with contextlib.suppress(OSError):
            os.utime(target)  # most recently used
        return record

    def _save(self, files: list[_File]) -> None:
        if self.folder is None:
            return
        written = 0
        for f in files:
            if not (f.fresh or f.changed):
                continue
            try:
                blob = _dumps(f.record)
                file_memo.write_atomic(self._path(f.key), blob)
            except (OSError, pickle.PicklingError, TypeError, AttributeError):
                continue  # a full disk or an unpicklable plugin object: just not cached
            written += 1
        self.stats.written = written
        if written:
            prune(self.folder)


#: Beancount's named tuples, rebuilt by ``tuple.__new__`` when a record is read: their own
#: constructors are Python functions (``Amount``'s checks its types), a third of a read
_REBUILT: tuple[type, ...] = (
    *data.ALL_DIRECTIVES,
    data.Posting,
    Amount,
    position.Cost,
    position.CostSpec,
    grammar.ValueType,  # a ``custom`` entry's values
)


def _rebuild(value: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple.__new__, (type(value), tuple(value))


_DISPATCH = {**copyreg.dispatch_table, **dict.fromkeys(_REBUILT, _rebuild)}


def _dumps(record: Record) -> bytes:
    """The record pickled, Beancount's named tuples as plain tuples of their type, and equal
    strings, dates, numbers and amounts as one object (:func:`fupin.record_values.shared`:
    a third less to read back, 40% fewer bytes)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(replace(record, entries=record_values.shared(record.entries)))
    return buffer.getvalue()


def prune(folder: Path, max_bytes: int | None = None) -> None:
    """Delete the least recently used records until the folder is under its bound."""
    if max_bytes is None:
        try:
            max_bytes = int(os.environ.get("FUPIN_CACHE_MAX_MB", DEFAULT_MAX_MB)) * 2**20
        except ValueError:
            max_bytes = DEFAULT_MAX_MB * 2**20
    held: list[tuple[float, int, Path]] = []
    for item in (*folder.glob("*.pickle"), *folder.glob("*.passed")):
        with contextlib.suppress(OSError):
            stat = item.stat()
            held.append((stat.st_mtime, stat.st_size, item))
    total = sum(size for _, size, _ in held)
    for _, size, item in sorted(held, key=lambda h: h[0]):
        if total <= max_bytes:
            break
        with contextlib.suppress(OSError):
            item.unlink()
        total -= size


def booking_tag(options: dict[str, Any]) -> str:
    """The top file's booking options, as part of every record's key."""
    return repr(tuple((name, repr(options.get(name))) for name in BOOKING_OPTIONS))


def record_key(name: str, content_digest: bytes, tag: str) -> str:
    """The key of a file's record: path, SHA-256 of the bytes, booking options, code."""
    digest = hashlib.sha256()
    for part in (code_tag(), name, tag):
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    digest.update(content_digest)
    return digest.hexdigest()


@functools.cache
def code_tag() -> str:
    """Format, Python, Beancount and a SHA-256 of fupin's own source files."""
    import fupin

    roots: set[Path] = set()
    for package in ("fupin", "fupin.plugins", "fupin.reports", "fupin.importers"):
        module = sys.modules.get(package)
        if module is None:
            with contextlib.suppress(ImportError):
                module = __import__(package, fromlist=["_"])
        for folder in getattr(module, "__path__", []) or []:
            roots.add(Path(folder).resolve())
    roots.add(Path(fupin.__file__).resolve().parent)
    return f"{FORMAT}|{sys.version}|{beancount.__version__}|{source_hash(roots)}"


def source_hash(roots: set[Path]) -> str:
    """SHA-256 over the names and bytes of every ``.py`` file below ``roots``."""
    digest = hashlib.sha256()
    for root in sorted(roots):
        for source in sorted(root.rglob("*.py")):
            digest.update(str(source.relative_to(root)).encode())
            with contextlib.suppress(OSError):
                digest.update(hashlib.sha256(source.read_bytes()).digest())
    return digest.hexdigest()


def _books_alone(entries: list[data.Directive]) -> bool:
    """Whether every transaction books without any account's running balance.

    Beancount's booking reads balances only for a posting held at cost and for a currency
    left to infer (units, cost or price currency missing); otherwise a transaction's
    booking is a function of its own postings and the top file's options.
    """
    for entry in entries:
        if type(entry) is not data.Transaction:
            continue
        for posting in entry.postings:
            if posting.cost is not None:
                return False
            units: Any = posting.units  # an Amount, or MISSING (an auto posting)
            price: Any = posting.price
            if units is not MISSING and (units is None or type(units.currency) is not str):
                return False
            if price is not None and (price is MISSING or type(price.currency) is not str):
                return False
            if units is MISSING and price is not None:
                return False
    return True


def _book_alone(record: Record, options_map: dict[str, Any], methods: Any) -> bool:
    """Book one local file on its own; False (record unchanged) if booking reported errors."""
    entries = sorted(record.entries, key=data.entry_sortkey)
    booked, errors, balanced = plain_booking.book_and_balance(entries, options_map, methods)
    if errors:
        record.local = False
        return False
    record.entries = booked
    record.booked = True
    record.balanced = balanced
    return True


#: Beancount 3's plugins that return new entries and change none in place (read in its
#: source); ``check_closing`` (replaces a posting in its transaction's list) and
#: ``currency_accounts`` (marks a transaction's metadata) are not among them
_KEEP_ENTRIES = frozenset(
    f"beancount.plugins.{name}"
    for name in (
        "auto",
        "auto_accounts",
        "check_average_cost",
        "check_commodity",
        "check_drained",
        "close_tree",
        "coherent_cost",
        "commodity_attr",
        "implicit_prices",
        "leafonly",
        "noduplicates",
        "nounused",
        "onecommodity",
        "pedantic",
        "sellgains",
        "unique_prices",
    )
)


def _trusted_plugins(options_map: dict[str, Any]) -> bool:
    """Whether no plugin line of the ledger may change an entry in place (:class:`Held`):
    each is fupin's, one of Beancount's ``ops`` or one of :data:`_KEEP_ENTRIES`."""
    for name, _ in options_map.get("plugin") or []:
        name = loader.RENAMED_MODULES.get(name, name)
        if not (
            name == "fupin.plugins" or name.startswith("beancount.ops.") or name in _KEEP_ENTRIES
        ):
            return False
    return True


def _ours_first(options_map: dict[str, Any]) -> bool:
    """Whether ``fupin.plugins`` is the ledger's first plugin, in Beancount's default order
    (then the transactions it reads are those the files' records hold: :mod:`fupin.file_memo`)."""
    plugins = options_map.get("plugin") or []
    return (
        options_map.get("plugin_processing_mode") == "default"
        and bool(plugins)
        and plugins[0][0] == "fupin.plugins"
    )


@dataclass(frozen=True)
class _Named:
    """An ``include`` line: the file that holds it, its bytes and the pattern it names."""

    file: str
    content: bytes
    pattern: str
    nth: int  # the pattern's n-th include line in the file (a line written twice: the 2nd)

    def lineno(self) -> int:
        """The line of that ``include`` (0 when not found as typed)."""
        wanted = b'"' + self.pattern.encode("utf-8") + b'"'
        seen = 0
        for number, line in enumerate(self.content.splitlines(), 1):
            text = line.strip()
            if text.startswith(b"include") and wanted in text:
                seen += 1
                if seen == self.nth:
                    return number
        return 0


def _includes(
    options: dict[str, Any], name: str, content: bytes, errors: list[Any]
) -> list[tuple[str, _Named]]:
    """The files a file's ``include`` lines name (globs expanded from its folder), each with
    the line that named it (for the error when it is missing or read twice)."""
    cwd = path.dirname(name)
    out: list[tuple[str, _Named]] = []
    patterns: list[str] = options["include"]
    for at, pattern in enumerate(patterns):
        named = _Named(name, content, pattern, patterns[: at + 1].count(pattern))
        search = pattern if path.isabs(pattern) else path.join(cwd, pattern)
        matched = glob(search, recursive=True)
        if not matched:
            errors.append(_load_error(f'File glob "{pattern}" does not match any files', named))
        out.extend((m if path.isabs(m) else path.join(cwd, m), named) for m in matched)
    return out


def _load_error(message: str, named: _Named | None = None) -> Any:
    """Beancount's LoadError, placed at the ``include`` line that caused it where known
    (Beancount's own loader says ``<load>:0``)."""
    if named is None:
        return loader.LoadError(data.new_metadata("<load>", 0), message)
    return loader.LoadError(data.new_metadata(named.file, named.lineno()), message)
