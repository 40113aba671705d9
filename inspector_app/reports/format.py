"""Formatting helpers and the shared base of the report's parts (reportlab, no data access).

The report is built by ``builder._Builder``, which combines one mixin per part:
``cover.CoverPart`` (cover, results, conclusion), ``items.ItemsPart`` (every item, photos),
``findings.FindingsPart`` and ``signatures.SignaturesPart``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.platypus import Paragraph, TableStyle

from inspector_app.i18n import Translator
from inspector_app.reports.layout import (
    GRID,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    PAGE_HEIGHT,
    RULE,
    Para,
    Styles,
    styles,
)
from inspector_app.reports.model import ReportData, SignatureBox

NONE = "—"
mm = 72 / 25.4

CELL_PAD = 4
# Characters a table cell shows of one text; a longer text is printed in full below its
# table, in paragraphs that split across pages cheaply (a table row that splits re-wraps the
# whole cell on every page: 24 s for a 20,000-character answer).
LONG_TEXT = 400
CHUNK = 300


# -- small formatting helpers ----------------------------------------------------------------


def numeral(n: int, lang: str) -> str:
    """一、二、三 … for Chinese headings, 1, 2, 3 for English."""
    if lang != "zh":
        return str(n)
    digits = "零一二三四五六七八九"
    if n <= 10:
        return "十" if n == 10 else digits[n]
    tens, ones = divmod(n, 10)
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")


def fmt_points(value: float) -> str:
    return f"{value:g}"


def fmt_score(value: float) -> str:
    return f"{value:.2f}"


def fmt_date(day: Any) -> str:
    return day.isoformat() if day else NONE


def para(text: str | None, style: Any, *, blank: bool = False) -> Paragraph:
    """User text is escaped (a description may hold < or &); line breaks are kept. Missing
    text shows as a dash, or stays empty with ``blank`` (a line to write on)."""
    body = escape(text or ("" if blank else NONE)).replace("\n", "<br/>")
    return Para(body, style)


def chunks_of(text: str, size: int = CHUNK) -> list[str]:
    """``text`` as pieces of at most about ``size`` characters, cut after a sentence where
    possible: each piece is one paragraph, so a long text wraps in linear time."""
    out: list[str] = []
    for line in text.splitlines() or [""]:
        while len(line) > size:
            cut = -1
            for marks in ("。！？；.!?;", "，、, "):  # a sentence's end, else a clause's
                cut = max(line.rfind(m, size // 2, size) for m in marks)
                if cut > 0:
                    break
            cut = cut + 1 if cut > 0 else size
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return [c for c in out if c.strip()]


def split_in_row(texts: Sequence[tuple[str | None, float]]) -> int:
    """1 when a cell's text may be taller than half a page, so its row must be allowed to
    split across pages (reportlab's ``splitInRow``); 0 otherwise, so rows stay whole.

    Counts a full-width character per font size: an overestimate for Latin text.
    """
    limit = 0.5 * (PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM)
    for text, width in texts:
        if not text:
            continue
        per_line = max(1, int((width - 2 * CELL_PAD) / 9.5))
        lines = sum(len(line) // per_line + 1 for line in text.splitlines())
        if lines * 13.5 > limit:
            return 1
    return 0


def plain_style(*commands: tuple[Any, ...]) -> TableStyle:
    """A table style that names the CJK face: even an empty string cell sets a font, and
    reportlab's default would be Helvetica, not embedded."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), styles().font), *commands])


def grid_style(*extra: tuple[Any, ...]) -> TableStyle:
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), styles().font),
            ("GRID", (0, 0), (-1, -1), GRID, RULE),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            *extra,
        ]
    )


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def colors_veto() -> Any:
    from reportlab.lib import colors

    return colors.Color(0.98, 0.85, 0.83)


def chunks(seq: Sequence[Any], n: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


class Part:
    """What every part of the report builder shares: the data, the styles, the headings."""

    def __init__(self, data: ReportData) -> None:
        self.d = data
        self.s: Styles = styles()
        self.lang = data.language
        self.t = Translator(data.language)  # every word of the report, never the process's
        self.box: SignatureBox | None = None
        self._heading = 0
        self.gap = "" if self.lang == "zh" else " "  # between sentences

    def vetoes_open(self) -> bool:
        return any(v.unanswered for v in self.d.vetoes)

    def h1(self, title: str) -> Paragraph:
        self._heading += 1
        text = self.t.tr("{n}. {title}", n=numeral(self._heading, self.lang), title=title)
        return Para(escape(text), self.s.h1)
