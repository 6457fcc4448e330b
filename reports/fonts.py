"""The CJK font the PDFs need, asked of fontconfig (the library WeasyPrint lays out with).

Without a font that covers Chinese, WeasyPrint draws every character as a box and still
succeeds; a notice run checks first (:func:`require_cjk`) and stops before rendering.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import shutil
import subprocess

LANG = "zh-cn"
INSTALL_HINT = (
    "没有可用的中文字体 (no CJK font found by fontconfig): PDF 公示会显示为方框。"
    "请安装 Noto CJK 字体: sudo apt-get install fonts-noto-cjk "
    "(在源码目录中也可运行 bash scripts/sysdeps.sh), 然后重新运行; 只要 HTML 可用 --format html"
)


class FontError(Exception):
    """No font covering Chinese is installed."""


class _FontSet(ctypes.Structure):
    _fields_ = (
        ("nfont", ctypes.c_int),
        ("sfont", ctypes.c_int),
        ("fonts", ctypes.POINTER(ctypes.c_void_p)),
    )


def _fontconfig_files() -> list[str] | None:
    """Font files covering ``LANG``, from libfontconfig; None when the library is absent."""
    name = ctypes.util.find_library("fontconfig")
    if not name:
        return None
    try:
        fc = ctypes.CDLL(name)
    except OSError:
        return None
    fc.FcNameParse.restype = ctypes.c_void_p
    fc.FcNameParse.argtypes = (ctypes.c_char_p,)
    fc.FcObjectSetBuild.restype = ctypes.c_void_p
    fc.FcFontList.restype = ctypes.c_void_p
    fc.FcFontList.argtypes = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
    fc.FcPatternGetString.argtypes = (
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_char_p),
    )
    fc.FcFontSetDestroy.argtypes = (ctypes.c_void_p,)
    fc.FcPatternDestroy.argtypes = (ctypes.c_void_p,)
    fc.FcObjectSetDestroy.argtypes = (ctypes.c_void_p,)
    pattern = fc.FcNameParse(f":lang={LANG}".encode())
    objects = fc.FcObjectSetBuild(b"file", None)
    found = fc.FcFontList(None, pattern, objects)
    files: list[str] = []
    if found:
        fonts = ctypes.cast(found, ctypes.POINTER(_FontSet)).contents
        for index in range(fonts.nfont):
            value = ctypes.c_char_p()
            if fc.FcPatternGetString(fonts.fonts[index], b"file", 0, ctypes.byref(value)) == 0:
                files.append((value.value or b"").decode(errors="replace"))
        fc.FcFontSetDestroy(found)
    fc.FcObjectSetDestroy(objects)
    fc.FcPatternDestroy(pattern)
    return sorted(files)


def cjk_font_files() -> list[str]:
    """Installed font files that cover Chinese (fontconfig, else ``fc-list``)."""
    files = _fontconfig_files()
    if files is not None:
        return files
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return []
    done = subprocess.run(
        [fc_list, f":lang={LANG}", "file"], capture_output=True, text=True, check=False
    )
    return sorted(line.rstrip(":").strip() for line in done.stdout.splitlines() if line.strip())


def require_cjk() -> list[str]:
    """The CJK font files, or :class:`FontError` with how to install one."""
    files = cjk_font_files()
    if not files:
        raise FontError(INSTALL_HINT)
    return files


def fingerprint(files: list[str]) -> str:
    """A hash of the fonts' files (path, size, modification time): a PDF laid out with
    other fonts is another PDF."""
    digest = hashlib.sha256()
    for path in files:
        try:
            stat = os.stat(path)
        except OSError:
            continue
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()
