"""``fupin notices``: every posted notice of a ledger, rendered to HTML and PDF.

The steps: load the ledger once (rules included), read the household register the ledger
names (names only) and the county secret for check codes (kept outside the ledger), build
every selected notice from the book (:mod:`fupin.reports.notice_context`), render and lint
them, and write them all, or nothing (:mod:`fupin.reports.notice_render`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from fupin.reports.notice_context import Context, NoticeDataError, NoticeDoc, build_notices
from fupin.reports.notice_render import PrivacyError, Written, write_notices

from fupin.load import Loaded

SECRET_ENV = "FUPIN_NOTICE_SECRET_FILE"
#: Where a county keeps its secret by default: beside its private household register.
SECRET_NAME = "notice-secret.key"


class NoticeError(Exception):
    """A run that cannot write: missing data, privacy hits, an unreadable secret or register."""


def read_secret(path: Path | None, register_path: Path | None) -> bytes | None:
    """The county secret: ``--secret-file``, ``$FUPIN_NOTICE_SECRET_FILE``, or the file
    ``notice-secret.key`` beside the household register; None when there is none."""
    candidates = [path, Path(os.environ[SECRET_ENV]) if os.environ.get(SECRET_ENV) else None]
    if register_path is not None:
        candidates.append(register_path.parent / SECRET_NAME)
    for candidate in candidates:
        if candidate is None:
            continue
        if not candidate.is_file():
            if candidate is path:
                raise NoticeError(f"{candidate}: no such secret file")
            continue
        secret = candidate.read_bytes().strip()
        if len(secret) < 16:
            raise NoticeError(f"{candidate}: a county secret needs at least 16 bytes")
        return secret
    return None


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
        raise NoticeError(f"household register: {exc}") from None
    reg_path = register_path(loaded.path, loaded.book)
    secret = read_secret(secret_file, reg_path)
    ctx = Context(loaded.book, loaded.results.measures, register, secret)
    try:
        docs = build_notices(ctx, kinds=kinds, village=village, township=township, year=year)
    except NoticeDataError as exc:
        raise NoticeError(str(exc)) from None
    if refused is not None:
        refused.extend(ctx.refused)
    return docs


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
) -> Written:
    """Build, render, lint and write; raises :class:`NoticeError` before writing anything.

    A notice refused because it contradicts a rule is not written; the others are, and
    :class:`NoticeError` then names each refused notice (the command exits 1).
    """
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
    title = str(loaded.options.get("title") or "公示公告") + " · 公示公告"
    try:
        written = write_notices(
            docs, out, formats=formats, masked=masked, split=split, workers=workers, title=title
        )
    except PrivacyError as exc:
        raise NoticeError(f"privacy lint failed, nothing written:\n{exc}") from None
    if refused:
        raise NoticeError(
            f"{len(refused)} 份公示与规则不一致, 未生成 (其余已写入 {out}):\n" + "\n".join(refused)
        )
    return written
