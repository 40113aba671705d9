"""Make Qt draw Chinese with the bundled font, whatever fonts the machine has.

``install_fonts(app)`` is called once at start, right after the ``QApplication`` exists: it
registers ``resources/fonts/wqy-microhei.ttc`` with Qt and makes its first face the
application's default font. Without it a machine with no CJK font shows empty boxes.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QFontInfo, QRawFont
from PySide6.QtWidgets import QApplication

from inspector_app.fonts import CHINESE_SAMPLE, FONT_FAMILY, FONT_PATH

# The point size when Qt's default is smaller (Linux and Windows default to 9 pt, which is
# too small for Chinese); a larger default (the user's choice) is kept.
MIN_POINT_SIZE = 10.0

_font_id: int | None = None


def _register() -> None:
    """Add the bundled font to Qt's database once per process."""
    global _font_id
    if _font_id is not None and FONT_FAMILY in QFontDatabase.applicationFontFamilies(_font_id):
        return
    if not FONT_PATH.is_file():
        raise RuntimeError(f"The bundled font is missing: {FONT_PATH}")
    font_id = QFontDatabase.addApplicationFont(str(FONT_PATH))
    if font_id < 0:
        raise RuntimeError(f"Qt could not load the bundled font {FONT_PATH}")
    families = QFontDatabase.applicationFontFamilies(font_id)
    if FONT_FAMILY not in families:
        QFontDatabase.removeApplicationFont(font_id)
        raise RuntimeError(f"The bundled font {FONT_PATH} provides {families}, not {FONT_FAMILY!r}")
    _font_id = font_id


def install_fonts(app: QApplication) -> str:
    """Register the bundled font and make it the application font; returns its family.

    Raises ``RuntimeError`` when the font is missing, cannot be loaded or does not cover
    Chinese. Calling it again changes nothing.
    """
    _register()
    if not covers(CHINESE_SAMPLE, FONT_FAMILY):
        raise RuntimeError(f"The bundled font {FONT_PATH} does not render Chinese in Qt")
    font = QFont(app.font())
    if font.family() != FONT_FAMILY or font.families() != [FONT_FAMILY]:
        font.setFamilies([FONT_FAMILY])
    if font.pointSizeF() < MIN_POINT_SIZE:  # also when the size is in pixels (-1)
        font.setPointSizeF(MIN_POINT_SIZE)
    if font != app.font():
        app.setFont(font)
    return FONT_FAMILY


def covers(text: str, family: str) -> bool:
    """Whether the font of ``family`` itself has a glyph for every character of ``text``.

    Uses the font's own character map (``QRawFont``), not ``QFontMetrics.inFontUcs4``, which
    also counts the fallback fonts Qt would substitute. Whitespace is not checked. A family
    Qt does not know, or one without a real font behind it, covers nothing.
    """
    if not QFontDatabase.hasFamily(family):
        return False
    font = QFont()
    font.setFamilies([family])
    # With no usable font at all Qt falls back to a "box" engine that claims every
    # character and draws empty boxes. QFontInfo names no family for it; ask that first,
    # since QRawFont.familyName() crashes on the box engine (PySide6 6.11).
    if not QFontInfo(font).family():
        return False
    raw = QRawFont.fromFont(font)
    if not raw.isValid() or not raw.fontTable("cmap"):
        return False
    return all(raw.supportsCharacter(ord(ch)) for ch in text if not ch.isspace())
