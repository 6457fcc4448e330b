"""Refuse a file Beancount cannot read safely, before Beancount reads it.

``fupin`` hands a ledger to Beancount's parser only after :func:`preflight` has looked at
every file it includes (globs expanded as Beancount does) and found each one to be:

* a regular file (an ``include`` glob matching a folder would crash the loader);
* at most :data:`MAX_FILE_BYTES` long, UTF-8 text without NUL bytes (not a spreadsheet,
  a PDF, a UTF-16 export) and without the byte-order mark Windows Notepad writes ("UTF-8
  带 BOM"), which Beancount's lexer takes for an invalid token on line 1;
* a ledger at all: a CSV (the household register included by mistake) holds names, ID
  numbers, phones and bank accounts, and Beancount's syntax errors would print its rows;
* without a line longer than :data:`MAX_LINE_BYTES` (Beancount's lexer takes time
  quadratic in a line's length: a 50 MB line keeps it busy for over ten minutes);
* without a number of more than :data:`MAX_DIGITS` integer digits (an amount of 10^30 is
  beyond the 28 digits every rule computes in, and crashes Beancount's own booking).

Anything else raises :class:`fupin.load.LedgerUnreadable` (exit code 2) with a message that
names the file, the line and what is wrong, and never echoes the file's content. With the
cache on, bytes that passed before (same path, same code) are not scanned again
(:func:`fupin.file_memo.verdict`). The bytes that passed are the ones the loader parses
(:func:`preflight` returns them; :func:`check_read` checks a file it reaches that the
preflight did not see), so a file saved in between cannot reach Beancount unchecked.
"""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path

from fupin import file_memo

#: the longest line accepted (bytes)
MAX_LINE_BYTES = 64 * 1024
#: the largest file accepted (bytes); ``FUPIN_MAX_FILE_MB`` raises it
MAX_FILE_BYTES = int(os.environ.get("FUPIN_MAX_FILE_MB", "1024")) * 1024 * 1024
#: the most integer digits a number may have (10^15 yuan; see fupin.vocab.MAX_AMOUNT)
MAX_DIGITS = 15
#: lines looked at to tell a ledger from another text file
SAMPLE_LINES = 50

_INCLUDE = re.compile(rb'^include\s+"((?:[^"\\\n]|\\.)*)"', re.MULTILINE)
#: how a line of a Beancount file may begin: blank or indented, a comment or org-mode
#: heading, a dated directive, an undated one
_LEDGER_LINE = re.compile(
    rb"^(?:[ \t]|[;*#!&%|:]|\r?$|\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[ \t]|\r?$)"
    rb"|(?:option|include|plugin|pushtag|poptag|pushmeta|popmeta)\b)"
)
#: an integer part of more than MAX_DIGITS digits, plain or grouped by thousands
_LONG_NUMBER = re.compile(
    rb"(?<![0-9,])(?:[0-9]{%d,}|[0-9]{1,3}(?:,[0-9]{3}){%d,})" % (MAX_DIGITS + 1, MAX_DIGITS // 3)
)
_META_KEY = re.compile(rb"^\s+([a-z][A-Za-z0-9_-]*):")
_POSTING = re.compile(rb"^\s+[!*]?\s*([A-Z][A-Za-z0-9:_-]*)\s")
_ENCRYPTED = (".gpg", ".asc")
_BOM = b"\xef\xbb\xbf"  # UTF-8's byte-order mark


def _unreadable(message: str) -> Exception:
    from fupin.load import LedgerUnreadable  # fupin.load calls preflight: imported by then

    return LedgerUnreadable(message)


#: the bytes of each file that passed and their SHA-256 (None with the cache off), by its
#: real path (symbolic links resolved)
Checked = dict[str, tuple[bytes, bytes | None]]


def preflight(path: str | Path) -> Checked:
    """Check ``path`` and every file it includes; raise ``LedgerUnreadable`` on the first
    file that is not a readable ledger. Returns the bytes that passed, for the loader to
    parse (:func:`fupin.cache.load_file`): a file saved after its check is not parsed
    unchecked."""
    top = Path(path)
    if top.is_dir():
        raise _unreadable(f"{top}: 是文件夹, 不是账簿文件")
    if not top.is_file():
        raise _unreadable(f"{top}: 找不到账簿文件")
    seen: set[Path] = set()
    checked: Checked = {}
    stack: list[tuple[Path, str]] = [(top.resolve(), "")]
    while stack:
        file, origin = stack.pop()
        if file in seen:
            continue  # Beancount reports a file included twice
        seen.add(file)
        try:
            includes, passed = _check_file(file, origin)
        except Exception as exc:
            exc.files = tuple(sorted(map(str, seen)))  # type: ignore[attr-defined]
            raise
        if passed is not None:
            checked[os.path.realpath(file)] = passed
        for pattern, lineno in includes:
            stack.extend(_expand(file, pattern, lineno))
    return checked


def check_read(name: str | Path) -> tuple[bytes, bytes | None]:
    """Read one file the preflight did not see (created or included since), check it as
    :func:`preflight` checks every file, and return its bytes and their SHA-256."""
    _, passed = _check_file(Path(name), "")
    return passed if passed is not None else (Path(name).read_bytes(), None)


def _check_file(
    file: Path, origin: str
) -> tuple[list[tuple[str, int]], tuple[bytes, bytes | None] | None]:
    """Check one file: its ``include`` patterns with their line numbers, and the bytes that
    passed with their SHA-256 (None for an encrypted file, which Beancount decrypts)."""
    if file.is_dir():
        raise _unreadable(f"{file}: 是文件夹, 不是账簿文件{origin}")
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _unreadable(
                f"{file}: 文件 {size:,} 字节, 超过 {MAX_FILE_BYTES:,} 字节上限{origin} "
                "(可设 FUPIN_MAX_FILE_MB 放宽)"
            )
        data = file.read_bytes()
    except OSError as exc:
        raise _unreadable(f"{file}: 无法读取 ({exc.strerror}){origin}") from None
    if file.suffix.lower() in _ENCRYPTED:
        return [], None  # Beancount decrypts these itself
    digest = file_memo.content_digest(data)  # hashed once: the loader keys its record by it
    kept = file_memo.verdict(str(file), digest)
    if kept is None or not kept.is_file():  # bytes that passed before are not read again
        _check_bytes(file, data, origin)
        if kept is not None:
            file_memo.mark_passed(kept)
    if b"include" not in data:
        return [], (data, digest)
    includes = [
        (match.group(1).decode("utf-8"), data.count(b"\n", 0, match.start()) + 1)
        for match in _INCLUDE.finditer(data)
    ]
    return includes, (data, digest)


def _check_bytes(file: Path, data: bytes, origin: str) -> None:
    nul = data.find(b"\0")
    if nul >= 0:
        raise _unreadable(
            f"{file}:{_line(data, nul)}: 二进制文件 (含 NUL 字节), 不是文本账簿{origin}; "
            "内容不予显示"
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _unreadable(
            f"{file}:{_line(data, exc.start)}: 不是 UTF-8 编码的文本{origin}; 请另存为 UTF-8; "
            "内容不予显示"
        ) from None
    if data.startswith(_BOM):
        raise _unreadable(
            f"{file}:1: 文件以字节顺序标记 (BOM) 开头{origin}, Beancount 无法读取; "
            '请另存为不带 BOM 的 UTF-8 (记事本: 另存为 → 编码选 "UTF-8", 不选 "带有 BOM 的 UTF-8")'
        )
    _check_lines(file, data, origin)
    _check_kind(file, data, origin)
    _check_numbers(file, data, origin)
    _check_entries(file, data, origin)


def _line(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _check_lines(file: Path, data: bytes, origin: str) -> None:
    """A line longer than the bound must contain a whole aligned block with no newline."""
    block = MAX_LINE_BYTES // 2
    for start in range(0, len(data), block):
        if data.find(b"\n", start, start + block) >= 0 or len(data) - start < block:
            continue
        begin = data.rfind(b"\n", 0, start) + 1
        end = data.find(b"\n", start)
        length = (len(data) if end < 0 else end) - begin
        if length > MAX_LINE_BYTES:
            raise _unreadable(
                f"{file}:{_line(data, begin)}: 此行 {length:,} 字节, 超过 {MAX_LINE_BYTES:,} "
                f"字节上限{origin}; 内容不予显示"
            )


def _check_kind(file: Path, data: bytes, origin: str) -> None:
    """Most of the first meaningful lines must read as Beancount, or it is another file."""
    sample = data[: 256 * SAMPLE_LINES * 4].split(b"\n")[: SAMPLE_LINES * 4]
    meaningful = [
        (number, line)
        for number, line in enumerate(sample, 1)
        if line.strip() and not line.lstrip().startswith(b";")
    ][:SAMPLE_LINES]
    foreign = [number for number, line in meaningful if not _LEDGER_LINE.match(line)]
    if not foreign or len(foreign) * 2 <= len(meaningful):
        return
    tabular = file.suffix.lower() in (".csv", ".tsv", ".txt", ".xlsx", ".xls") or (
        meaningful[0][1].count(b",") >= 2 or meaningful[0][1].count(b"\t") >= 2
    )
    hint = " 看起来是 CSV 表格 (如农户信息库), 不应 include 进账簿;" if tabular else ""
    raise _unreadable(
        f"{file}:{foreign[0]}: 不是 Beancount 账簿 (前 {len(meaningful)} 行有 {len(foreign)} 行"
        f"不是账簿语法){origin};{hint} 内容不予显示"
    )


def _check_numbers(file: Path, data: bytes, origin: str) -> None:
    """A number (outside strings, comments and names) of more than MAX_DIGITS digits.

    Every digit is read as ``0`` first, so that a plain substring search (C speed) finds
    the lines that may hold one; only those go through the tokeniser."""
    masked = data.translate(_ZEROS)
    for needle in _NEEDLES:
        found = masked.find(needle)
        while found >= 0:
            begin = data.rfind(b"\n", 0, found) + 1
            end = data.find(b"\n", found)
            end = len(data) if end < 0 else end
            _check_line(file, data, begin, data[begin:end], origin)
            found = masked.find(needle, end)


def _check_line(file: Path, data: bytes, begin: int, line: bytes, origin: str) -> None:
    if not _LEDGER_LINE.match(line):
        return  # not a ledger line: Beancount reports it (without its content)
    for match in _LONG_NUMBER.finditer(line):
        if not _is_number(line, match.start()):
            continue
        digits = len(match.group().replace(b",", b""))
        key = _META_KEY.match(line) or _POSTING.match(line)
        what = f"{key.group(1).decode('utf-8')}: " if key else ""
        raise _unreadable(
            f"{file}:{_line(data, begin)}: {what}数值超出范围 (整数部分 {digits} 位, "
            f"上限 {MAX_DIGITS} 位, 即小于 10^{MAX_DIGITS}){origin}; 数值不予显示"
        )


def _check_entries(file: Path, data: bytes, origin: str) -> None:
    """What Beancount reads wrongly without a word: a ``custom`` with no value (its plugins
    and printer crash on it), and a key twice in one entry's metadata (the later value
    silently replaces the first, except in a transaction, where Beancount says so)."""
    found = _EMPTY_CUSTOM.search(data)
    while found is not None:
        begin = data.rfind(b"\n", 0, found.start()) + 1
        if _DATED.match(data, begin, found.start()):
            kind = found.group(1).decode("utf-8", "replace")
            shown = f' "{kind}"' if _KIND.fullmatch(kind) else ""
            raise _unreadable(
                f"{file}:{_line(data, begin)}: custom{shown} 缺少值 (应写作 custom "
                f'"<类型>" "<编号>" …){origin}'
            )
        found = _EMPTY_CUSTOM.search(data, found.end())
    twice = _KEY_TWICE.search(data)
    if twice is not None:
        key = twice.group(2).decode("utf-8")
        raise _unreadable(
            f"{file}:{_line(data, twice.end())}: {key}: 同一条记录中第二次出现 (第 "
            f"{_line(data, twice.start() + 1)} 行已有 {key}; 只能写一次){origin}"
        )


#: a ``custom`` directive's type with nothing after it (a comment at most)
_EMPTY_CUSTOM = re.compile(rb'custom[ \t]+"([^"\n]*)"[ \t]*(?:;[^\n]*)?\r?$', re.MULTILINE)
_DATED = re.compile(rb"\d{4}[-/]\d{1,2}[-/]\d{1,2}[ \t]+$")
_KIND = re.compile(r"[a-z][a-z0-9_-]{0,39}")
#: one metadata key on two lines of one block of metadata lines (same indent, no line
#: between them that is not metadata)
_KEY_TWICE = re.compile(
    rb"\n([ \t]+)([a-z][A-Za-z0-9_-]*):[^\n]*\n(?:\1[a-z][A-Za-z0-9_-]*:[^\n]*\n)*?\1\2:"
)
_ZEROS = bytes.maketrans(b"123456789", b"000000000")
#: what a too long integer part looks like once every digit reads 0
_NEEDLES = (b"0" * (MAX_DIGITS + 1), b"0" + b",000" * (MAX_DIGITS // 3))


def _is_number(line: bytes, at: int) -> bool:
    """Whether the digits at ``at`` stand as a number token (not in a string, comment,
    account, tag, link or the decimals of a number)."""
    before = line[:at]
    quoted = False
    escaped = False
    for char in before:
        if escaped:
            escaped = False
        elif char == 0x5C and quoted:  # backslash inside a string
            escaped = True
        elif char == 0x22:
            quoted = not quoted
        elif char == 0x3B and not quoted:  # ';' comment
            return False
    if quoted:
        return False
    previous = before[-1:]
    return not previous or not (previous.isalnum() or previous in b":-_^#.'/")


def _expand(file: Path, pattern: str, lineno: int) -> list[tuple[Path, str]]:
    """The files an ``include`` names, globbed relative to the including file (as Beancount)."""
    search = pattern if os.path.isabs(pattern) else os.path.join(file.parent, pattern)
    origin = f' (由 {file}:{lineno} 的 include "{pattern}" 引入)'
    return [(Path(os.path.normpath(found)), origin) for found in glob.glob(search, recursive=True)]


_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")


def redact(message: str) -> str:
    """A parser error without the text it quotes (a stray line may hold a name or an ID
    number) and with any personal number left in it replaced by its kind."""
    from fupin.messages_zh import mask_personal

    if message.startswith(_ECHOING):
        message = _QUOTED.sub("'…' (内容不予显示)", message)
    head, traceback, tail = message.partition("Traceback (most recent call last)")
    if traceback:  # a plugin that failed to import or crashed: its error, not its stack
        last = [line.strip() for line in tail.splitlines() if line.strip()][-1:]
        message = head.rstrip(": \n") + (f": {last[0]}" if last else "")
    return mask_personal(message)


#: Beancount's parser errors that quote the offending text itself
_ECHOING = ("Invalid token", "syntax error", "Syntax error", "Lexer error", "unexpected")
