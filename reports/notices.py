"""``fupin notices``: every posted notice of a ledger, rendered to HTML and PDF.

The steps: load the ledger once (rules included), read the household register the ledger
names (names only) and the county's notice key for check codes (kept outside the ledger,
:mod:`fupin.notice_key`), check that a CJK font is installed, build every selected notice
from the book (:mod:`fupin.reports.notice_context`), lint its fields, render, lint the final
bytes, and publish them all at once, or nothing (:mod:`fupin.reports.notice_render`).

**A register name in a notice id or a place is refused, not renamed.** A notice's id is its
file's name, the 编号 printed on it and on its 明白卡, its index row; the township and village
it is posted in are its folder's name. When one of them holds the full name of a person of
the household register (``N-2023-M-钱豪``, or a ``village:`` typed as ``钱豪``), the run
publishes nothing and says so (exit 1, like every other privacy refusal), naming the notice
with its id masked (``N-2023-M-钱*``) and its entry's file:line. A village clerk expects the
file to carry the id the ledger gives the notice (the posted sheet, its check codes, the
findings and Fava all name it so), and a renamed file would still be a notice printed with
the name in its 编号 line: the clerk changes the id once, to one without a name, and runs
again. A name inside a township or village of the register (a person 石桥 in 石桥村) is
the place; a place no household of the register lives in is read as the clerk typed it, so
a village field holding a registered name (``钱豪``, ``钱豪村``) is refused too.

**Messages never echo a personal number or a register name**: every error of the run (the
privacy lint, missing or invalid data, refused notices, output and key problems) is masked
by :func:`redactor`: a register name wherever the message echoes the ledger's ids, places
or quoted values, as the notices mask names (``钱*``; the program's own words are left
alone), a number as every fupin message does (``<身份证号已隐去>``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fupin.reports.notice_context import Context, NoticeDataError, NoticeDoc, build_notices
from fupin.reports.notice_output import OutputError
from fupin.reports.notice_privacy import (
    NameGuard,
    Redactor,
    message_strings,
    redact,
)
from fupin.reports.notice_render import PrivacyError, Written, lint_inputs, write_notices

from fupin import notice_key
from fupin.load import Loaded

if TYPE_CHECKING:
    from fupin.households import Register

SECRET_ENV = notice_key.ENV
SECRET_NAME = notice_key.KEY_NAME


class NoticeError(Exception):
    """A run that cannot publish: missing data, privacy hits, no key, font or output folder."""


def read_secret(path: Path | None, register_path: Path | None, ledger: Path | None) -> bytes | None:
    """The county's notice key for ``ledger`` (:func:`fupin.notice_key.resolve`)."""
    try:
        key = notice_key.resolve(path, register_path, ledger)
    except notice_key.NoticeKeyError as exc:
        raise NoticeError(str(exc)) from None
    return key.secret if key else None


def build(
    loaded: Loaded,
    *,
    kinds: Sequence[str] = (),
    village: str | None = None,
    township: str | None = None,
    year: int | None = None,
    secret_file: Path | None = None,
    refused: list[str] | None = None,
) -> list[NoticeDoc]:
    """Every selected notice of a loaded ledger, built from its book and rule results.

    Notices that contradict a rule's own number are left out and described in ``refused``.
    """
    from fupin.households import RegisterError, register_for, register_path

    try:
        register = register_for(loaded.path, loaded.book)
    except RegisterError as exc:
        raise NoticeError(redact(f"household register: {exc}")) from None
    reg_path = register_path(loaded.path, loaded.book)
    secret = read_secret(secret_file, reg_path, loaded.path)
    ctx = Context(loaded.book, loaded.results.measures, register, secret)
    try:
        docs: list[NoticeDoc] = build_notices(
            ctx, kinds=kinds, village=village, township=township, year=year
        )
    except NoticeDataError as exc:
        message = str(exc)
        if "secret" in message:
            message += "\n" + notice_key.how_to_get_one(loaded.path, reg_path)
        guard = name_guard(loaded, register, exc.docs)
        hits = lint_inputs(exc.docs, run_title(loaded), health_terms(loaded, exc.docs), guard)
        if hits:
            message += "\n" + _privacy_failed(PrivacyError(hits))
        raise NoticeError(
            redactor(loaded)(f"公示数据缺失或无效, 未发布任何文件 (nothing published):\n{message}")
        ) from None
    if refused is not None:
        refused.extend(ctx.refused)
    return docs


def run_title(loaded: Loaded) -> str:
    """The index page's title: the ledger's ``option "title"``."""
    return str(loaded.options.get("title") or "公示公告") + " · 公示公告"


def _privacy_failed(exc: PrivacyError) -> str:
    return f"隐私检查未通过, 未发布任何文件 (privacy lint failed, nothing published):\n{exc}"


def health_terms(loaded: Loaded, docs: Sequence[NoticeDoc]) -> dict[str, tuple[str, ...]]:
    """The policy ``notice-health-terms`` in force on the first day of each notice that
    names households (recipient and monitoring lists)."""
    return {
        doc.id: tuple(loaded.book.policy.at(doc.header.start).notice_health_terms)
        for doc in docs
        if doc.lists_households
    }


def name_guard(
    loaded: Loaded, register: Register | None, docs: Sequence[NoticeDoc]
) -> NameGuard | None:
    """The register's names that no notice may print a health or cause term beside, with
    the policy ``notice-health-terms`` in force on each notice's first day (the whole
    run's texts, its title and index, get every notice's terms)."""
    terms = {
        doc.id: tuple(loaded.book.policy.at(doc.header.start).notice_health_terms) for doc in docs
    }
    default = tuple(dict.fromkeys(term for found in terms.values() for term in found))
    if not docs:
        default = tuple(loaded.book.policy.at(datetime.date.today()).notice_health_terms)
    return NameGuard.of(register, terms, default)


def redactor(loaded: Loaded) -> Callable[[str], str]:
    """What masks a message of this ledger's run: its personal numbers, and the names of
    its register wherever a message echoes the ledger's ids, places and quoted values
    (:class:`~fupin.reports.notice_privacy.Redactor`; numbers only when the register cannot
    be read). The register is read on the first message, not before."""
    from fupin.households import RegisterError, register_for

    held: list[Redactor] = []

    def clean(text: str) -> str:
        if not held:
            try:
                register = register_for(loaded.path, loaded.book)
            except RegisterError:
                register = None
            guard = NameGuard.of(register, {}, ())
            held.append(Redactor(guard, lambda: message_strings(loaded.book)))
        return held[0](text)

    return clean


def run(
    loaded: Loaded,
    out: Path,
    *,
    kinds: Sequence[str] = (),
    village: str | None = None,
    township: str | None = None,
    year: int | None = None,
    formats: Sequence[str] = ("html", "pdf"),
    masked: bool = False,
    split: str = "notice",
    secret_file: Path | None = None,
    workers: int | None = None,
    progress: bool | None = None,
) -> Written:
    """Build, render, lint and publish; raises :class:`NoticeError` before publishing anything.

    A notice refused because it contradicts a rule is not published; the others are, and
    :class:`NoticeError` then names each refused notice (the command exits 1). Every
    message is masked (:func:`redactor`): no personal number or register name in it.
    """
    try:
        return _run(
            loaded,
            out,
            kinds=kinds,
            village=village,
            township=township,
            year=year,
            formats=formats,
            masked=masked,
            split=split,
            secret_file=secret_file,
            workers=workers,
            progress=progress,
        )
    except NoticeError as exc:
        raise NoticeError(redactor(loaded)(str(exc))) from None


def _run(
    loaded: Loaded,
    out: Path,
    *,
    kinds: Sequence[str],
    village: str | None,
    township: str | None,
    year: int | None,
    formats: Sequence[str],
    masked: bool,
    split: str,
    secret_file: Path | None,
    workers: int | None,
    progress: bool | None,
) -> Written:
    from fupin.reports.fonts import FontError, require_cjk

    try:
        fonts = require_cjk() if "pdf" in formats else []
    except FontError as exc:
        raise NoticeError(str(exc)) from None
    refused: list[str] = []
    docs = build(
        loaded,
        kinds=kinds,
        village=village,
        township=township,
        year=year,
        secret_file=secret_file,
        refused=refused,
    )
    title = run_title(loaded)
    from fupin.households import register_for

    guard = name_guard(loaded, register_for(loaded.path, loaded.book), docs)  # cached: read once
    try:
        written = write_notices(
            docs,
            out,
            formats=formats,
            masked=masked,
            split=split,
            workers=workers,
            title=title,
            terms=health_terms(loaded, docs),
            guard=guard,
            progress=progress,
            fonts=fonts,
        )
    except PrivacyError as exc:
        raise NoticeError(_privacy_failed(exc)) from None
    except OutputError as exc:
        raise NoticeError(str(exc)) from None
    if refused:
        raise NoticeError(
            f"{len(refused)} 份公示与规则不一致, 未生成 (其余已写入 {out}):\n" + "\n".join(refused)
        )
    return written
