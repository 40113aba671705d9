"""Page, type and the few flowables of their own that reports need.

One face for everything: the bundled WenQuanYi Micro Hei (TrueType, so reportlab embeds a
subset and the text stays extractable). It has no bold, so headings differ by size only.
Nothing may fall back to reportlab's standard fonts: every style, table, drawing and the
canvas's initial font name the CJK face (``pdffonts`` must list only embedded fonts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, Paragraph

from inspector_app.fonts import register_reportlab_font

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = 20 * mm
MARGIN_RIGHT = 20 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 20 * mm
FRAME_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT

RED = colors.Color(0.78, 0.05, 0.05)  # 公文 red header
INK = colors.Color(0.1, 0.1, 0.12)
GREY = colors.Color(0.42, 0.42, 0.45)
RULE = colors.Color(0.35, 0.35, 0.38)
SHADE = colors.Color(0.93, 0.94, 0.96)
SHADE_DARK = colors.Color(0.86, 0.88, 0.92)
BAR = colors.Color(0.2, 0.36, 0.6)
BAR_LOW = colors.Color(0.75, 0.2, 0.16)
WATERMARK = colors.Color(0.8, 0.1, 0.1)
GRID = 0.5  # thin table borders, in points


def font_name() -> str:
    return register_reportlab_font()


@dataclass(frozen=True)
class Styles:
    font: str
    org: ParagraphStyle
    title: ParagraphStyle
    number: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    body_alert: ParagraphStyle
    note: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    cell_right: ParagraphStyle
    cell_label: ParagraphStyle
    cell_head: ParagraphStyle
    cell_alert: ParagraphStyle
    caption: ParagraphStyle
    big: ParagraphStyle
    sign_off: ParagraphStyle


@cache
def styles() -> Styles:
    f = font_name()

    def style(name: str, size: float, leading: float, **kw: Any) -> ParagraphStyle:
        # CJK wrapping breaks between Chinese characters and keeps Latin words whole
        kw.setdefault("textColor", INK)
        return ParagraphStyle(
            name, fontName=f, fontSize=size, leading=leading, wordWrap="CJK", **kw
        )

    return Styles(
        font=f,
        org=style("org", 22, 30, alignment=TA_CENTER, textColor=RED),
        title=style("title", 20, 30, alignment=TA_CENTER, spaceBefore=6, spaceAfter=4),
        number=style("number", 10.5, 16, alignment=TA_CENTER),
        h1=style("h1", 14, 20, spaceBefore=10, spaceAfter=6),
        h2=style("h2", 11.5, 17, spaceBefore=8, spaceAfter=4),
        body=style("body", 10.5, 17, alignment=TA_LEFT),
        body_alert=style("body_alert", 10.5, 17, alignment=TA_LEFT, textColor=RED),
        note=style("note", 8.5, 12, textColor=GREY),
        cell=style("cell", 9.5, 13.5),
        cell_center=style("cell_center", 9.5, 13.5, alignment=TA_CENTER),
        cell_right=style("cell_right", 9.5, 13.5, alignment=TA_RIGHT),
        cell_label=style("cell_label", 9.5, 13.5, textColor=GREY),
        cell_head=style("cell_head", 9.5, 13.5, alignment=TA_CENTER),
        cell_alert=style("cell_alert", 9.5, 13.5, textColor=RED),
        caption=style("caption", 7.5, 10, textColor=GREY, alignment=TA_CENTER),
        big=style("big", 16, 22, alignment=TA_CENTER),
        sign_off=style("sign_off", 10.5, 18, alignment=TA_RIGHT),
    )


class Para(Paragraph):
    """A paragraph that breaks its lines once per width, and draws plain one-liners cheaply.

    A table wraps each cell to size its rows and again to draw it; line breaking (CJK: a
    width per character) is most of the time a report takes, so the second wrap at the same
    width reuses the first. The lines depend on the width and the style only.

    Most cells hold a short plain text (a label, a score, a date). Such a text is not parsed
    into fragments at all: if it fits on one line it is measured once and drawn as one
    string where ``Paragraph`` would have drawn it (first baseline ``fontSize`` below the
    top). Anything else (markup, entities, line breaks, a text that wraps, a split) becomes
    a full ``Paragraph`` the moment it is needed.
    """

    _wrapped_width: float | None = None
    _line: str | None = None  # the plain text, while it is drawn as one line

    def __init__(self, text: str, style: ParagraphStyle, **kwargs: Any) -> None:
        if not kwargs and _plain_text(text) and _plain_style(style):
            self.text, self.style, self.bulletText = text, style, None
            self._line = " ".join(text.split())  # Paragraph collapses white space alike
        else:
            super().__init__(text, style, **kwargs)

    def _parse(self) -> None:
        self._line = None
        Paragraph.__init__(self, self.text, self.style)

    def __getattr__(self, name: str) -> Any:
        # what only a parsed paragraph has: parse (and break the lines), then answer. Any
        # other missing attribute is missing as on a Paragraph (reportlab probes for
        # optional ones with getattr and a default).
        if name not in ("frags", "blPara") or self.__dict__.get("_line") is None:
            raise AttributeError(name)
        width = self.__dict__.get("width")
        self._parse()
        if name == "blPara" and width is not None:
            self.wrap(width, 1e9)
        return getattr(self, name)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        line = self._line
        if line is not None:
            st = self.style
            room = availWidth - st.leftIndent - st.rightIndent
            if stringWidth(line, st.fontName, st.fontSize) <= room:
                self.width, self.height = availWidth, st.leading
                return self.width, self.height
            self._parse()
        if availWidth == self._wrapped_width and "blPara" in self.__dict__:
            return self.width, self.height  # (a split drops blPara: then wrap again)
        size = super().wrap(availWidth, availHeight)
        self._wrapped_width = availWidth
        return size

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if self._line is not None:
            self._parse()
        return super().split(availWidth, availHeight)

    def minWidth(self) -> float:
        if self._line is not None:
            return stringWidth(self._line, self.style.fontName, self.style.fontSize)
        return super().minWidth()

    def getPlainText(self, identify: Any = None) -> str:
        return self._line if self._line is not None else super().getPlainText(identify)

    def draw(self) -> None:
        line = self._line
        if line is None:
            super().draw()
            return
        st, c = self.style, self.canv
        y = self.height - st.fontSize
        c.saveState()
        c.setFillColor(st.textColor)
        c.setFont(st.fontName, st.fontSize, st.leading)
        if st.alignment == TA_CENTER:
            c.drawCentredString(
                st.leftIndent + (self.width - st.leftIndent - st.rightIndent) / 2, y, line
            )
        elif st.alignment == TA_RIGHT:
            c.drawRightString(self.width - st.rightIndent, y, line)
        else:  # left, or justified (a last line is not justified)
            c.drawString(st.leftIndent, y, line)
        c.restoreState()


def _plain_text(text: str) -> bool:
    return bool(text) and not any(ch in text for ch in "<&\n\r\xa0")


def _plain_style(style: ParagraphStyle) -> bool:
    return (
        not style.backColor
        and not style.borderWidth
        and not style.firstLineIndent
        and style.alignment in (TA_LEFT, TA_CENTER, TA_RIGHT, TA_JUSTIFY)
        and style.wordWrap != "RTL"
    )


# -- page furniture -----------------------------------------------------------------------


@dataclass(frozen=True)
class PageFurniture:
    """What every page carries besides its content, drawn once the page count is known."""

    header_left: str
    header_right: str
    footer: Callable[[int, int], str]  # (page, pages) -> "第 1 页 共 9 页"
    watermark: str | None  # 草稿 / DRAFT on every page of a draft
    pdf_date: str  # "D:20241216093000+08'00'"


def pdf_date(moment: dt.datetime) -> str:
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hh, mm_ = divmod(abs(minutes), 60)
    return f"D:{moment:%Y%m%d%H%M%S}{sign}{hh:02d}'{mm_:02d}'"


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """``text``, cut with an ellipsis to fit ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip(" ·") + "…"


def numbered_canvas(furniture: PageFurniture) -> type[rl_canvas.Canvas]:
    """A canvas class that keeps each page until the end, then draws the header, the footer
    with "page X of Y" and the draft watermark on every page, in one pass over the story."""

    f = font_name()
    marker = furniture.watermark + "  " if furniture.watermark else ""
    right_w = stringWidth(furniture.header_right, f, 8)
    room = FRAME_WIDTH - right_w - stringWidth(marker, f, 8) - 12
    header_left = fit_text(furniture.header_left, f, 8, room)

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            # the info dictionary's dates come from the data, never from the clock
            self.setDateFormatter(lambda *_ymdhms: furniture.pdf_date)

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()  # counts the page

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._furnish(total)
                super().showPage()
            super().save()

        def _furnish(self, total: int) -> None:
            f = font_name()
            page = self._pageNumber
            top = PAGE_HEIGHT - MARGIN_TOP + 8 * mm
            self.saveState()
            self.setFont(f, 8)
            self.setFillColor(GREY)
            right = PAGE_WIDTH - MARGIN_RIGHT
            self.drawRightString(right, top + 2, furniture.header_right)
            if furniture.watermark:  # also upright in the header, where text extraction finds it
                self.setFillColor(WATERMARK)
                self.drawRightString(right - right_w, top + 2, marker)
                self.setFillColor(GREY)
            self.drawString(MARGIN_LEFT, top + 2, header_left)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.6)
            self.line(MARGIN_LEFT, top - 2, PAGE_WIDTH - MARGIN_RIGHT, top - 2)
            bottom = MARGIN_BOTTOM - 10 * mm
            self.line(MARGIN_LEFT, bottom + 10, PAGE_WIDTH - MARGIN_RIGHT, bottom + 10)
            self.setFont(f, 9)
            self.drawCentredString(PAGE_WIDTH / 2, bottom, furniture.footer(page, total))
            if furniture.watermark:
                self.setFillColor(WATERMARK)
                self.setFillAlpha(0.13)
                self.setFont(f, 130)
                self.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
                self.rotate(45)
                self.drawCentredString(0, -45, furniture.watermark)
            self.restoreState()

    return NumberedCanvas
