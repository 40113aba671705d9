"""The bundled Chinese font, without Qt: what it is, whether it works, and reportlab.

The app must show Chinese on machines that have no CJK font installed, so it ships
WenQuanYi Micro Hei (``resources/fonts/wqy-microhei.ttc``, see the README there). The same
face serves the desktop (registered with Qt by ``inspector_app/ui/fonts.py``) and PDF reports
(registered with reportlab by :func:`register_reportlab_font`). reportlab embeds TrueType
(``glyf``) outlines only, which is why this font and not Noto CJK (CFF outlines).

Nothing here imports PySide6; reportlab is imported only when a function needs it, so
importing this module stays cheap for the CLI.
"""

from __future__ import annotations

import struct
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from inspector_app import paths

FONT_FILENAME = "wqy-microhei.ttc"
FONT_PATH: Path = paths.fonts_dir() / FONT_FILENAME
FONT_FAMILY = "WenQuanYi Micro Hei"
FONT_SUBFONT_INDEX = 0  # face 0 of the collection; face 1 is "WenQuanYi Micro Hei Mono"
REPORTLAB_FONT_NAME = "WQYMicroHei"

# Characters the app really shows: the sample must all be mapped by the font's cmap.
CHINESE_SAMPLE = "中文威海科技局中试基地优秀良好合格不合格现场检查整改一票否决"
REPORT_SAMPLE = "中文"


class FontError(RuntimeError):
    """The bundled font is missing or unusable."""


def sfnt_tables(path: Path, index: int = 0) -> tuple[str, list[str]]:
    """The container kind ("collection" or "single") and the table tags of face ``index``.

    Reads only the headers (a few hundred bytes), so it also works for CFF fonts that
    reportlab refuses to open. Raises ``FontError`` for files that are not sfnt fonts.
    """
    with path.open("rb") as fh:
        head = fh.read(12)
        if len(head) < 12:
            raise FontError(f"{path}: too short to be a font file")
        if head[:4] == b"ttcf":
            kind = "collection"
            (count,) = struct.unpack(">I", head[8:12])
            if not 0 <= index < count:
                raise FontError(f"{path}: no face {index} (the collection has {count})")
            fh.seek(12 + 4 * index)
            (offset,) = struct.unpack(">I", fh.read(4))
        else:
            kind = "single"
            if index != 0:
                raise FontError(f"{path}: not a collection, no face {index}")
            offset = 0
        fh.seek(offset)
        header = fh.read(12)
        if len(header) < 12 or header[:4] not in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
            raise FontError(f"{path}: face {index} is not a TrueType/OpenType font")
        (num_tables,) = struct.unpack(">H", header[4:6])
        directory = fh.read(16 * num_tables)
        if len(directory) < 16 * num_tables:
            raise FontError(f"{path}: truncated table directory")
    tags = [directory[i * 16 : i * 16 + 4].decode("latin-1") for i in range(num_tables)]
    return kind, tags


def _outlines(tags: list[str]) -> str | None:
    if "glyf" in tags:
        return "glyf"
    if "CFF " in tags or "CFF2" in tags:
        return "CFF"
    return None


@cache
def reportlab_font(path: Path, index: int) -> Any:
    """The parsed face as a reportlab ``TTFont`` (parsing the 5 MB collection costs time)."""
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    try:
        return TTFont(REPORTLAB_FONT_NAME, str(path), subfontIndex=index)
    except TTFError as exc:  # its message names the file
        raise FontError(str(exc)) from exc
    except Exception as exc:  # OSError, or a malformed file tripping reportlab's parser
        raise FontError(f"{path}: {exc}") from exc


def missing_chars(text: str, path: Path = FONT_PATH, index: int = FONT_SUBFONT_INDEX) -> str:
    """The characters of ``text`` the face's cmap does not map to a real glyph, in order,
    each once. Whitespace, control and format characters are not checked; private-use
    characters are (the bundled font has none)."""
    cmap: dict[int, int] = reportlab_font(path, index).face.charToGlyph
    missing: list[str] = []
    for ch in text:
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") or ch in missing:
            continue
        if cmap.get(ord(ch), 0) == 0:  # unmapped, or mapped to .notdef
            missing.append(ch)
    return "".join(missing)


def covers(text: str, path: Path = FONT_PATH, index: int = FONT_SUBFONT_INDEX) -> bool:
    """Whether the bundled face has a glyph for every character of ``text``."""
    return not missing_chars(text, path, index)


@cache
def inspect_font(path: Path, index: int = 0) -> dict[str, Any]:
    """What a font file offers, checked by reading it; never raises."""
    info: dict[str, Any] = {
        "family": None,
        "file": str(path),
        "subfont_index": index,
        "bundled": path.is_file(),
        "format": None,
        "outlines": None,
        "covers_chinese": False,
        "sample": REPORT_SAMPLE,
    }
    if not info["bundled"]:
        info["error"] = "font file not found"
        return info
    try:
        kind, tags = sfnt_tables(path, index)
        outlines = _outlines(tags)
        info["outlines"] = outlines
        container = "TrueType collection" if kind == "collection" else "TrueType font"
        if kind == "single" and outlines == "CFF":
            container = "OpenType font"
        info["format"] = f"{container} ({outlines or 'no'} outlines)"
        face = reportlab_font(path, index).face
        info["family"] = face.familyName.decode("utf-8", "replace")
        info["missing"] = missing_chars(CHINESE_SAMPLE, path, index)
        info["covers_chinese"] = not info["missing"]
    except FontError as exc:
        info["error"] = str(exc)
    return info


def font_report() -> dict[str, Any]:
    """The bundled font as ``inspector-app doctor`` reports it (cached: parsed once)."""
    return dict(inspect_font(FONT_PATH, FONT_SUBFONT_INDEX))


def font_problems(report: dict[str, Any]) -> list[str]:
    """Machine-readable problems for doctor; empty when the font is usable."""
    if not report["bundled"]:
        return [f"font missing: {report['file']}"]
    problems = []
    if report["outlines"] != "glyf":
        found = report["outlines"] or "none found"
        problems.append(f"font has no TrueType glyf outlines ({found}); PDFs cannot embed it")
    if report.get("error"):
        problems.append(f"font unreadable: {report['error']}")
    elif not report["covers_chinese"]:
        problems.append(f"font does not cover Chinese (missing {report['missing']!r})")
    if report["family"] not in (None, FONT_FAMILY):
        problems.append(f"font family is {report['family']!r}, not {FONT_FAMILY!r}")
    return problems


_registered: str | None = None


def register_reportlab_font() -> str:
    """Register the bundled face with reportlab once; returns the font name to use."""
    global _registered
    if _registered is None:
        from reportlab.pdfbase import pdfmetrics

        if not FONT_PATH.is_file():
            raise FontError(f"bundled font not found: {FONT_PATH}")
        pdfmetrics.registerFont(reportlab_font(FONT_PATH, FONT_SUBFONT_INDEX))
        _registered = REPORTLAB_FONT_NAME
    return _registered
