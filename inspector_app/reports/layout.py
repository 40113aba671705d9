"""Page, type and the few flowables of their own that reports need.

One face for everything: the bundled WenQuanYi Micro Hei (TrueType, so reportlab embeds a
subset and the text stays extractable). It has no bold, so headings differ by size only.
Nothing may fall back to reportlab's standard fonts: every style, table, drawing and the
canvas's initial font name the CJK face (``pdffonts`` must list only embedded fonts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.pdfutils import readJPEGInfo
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


# -- photos -------------------------------------------------------------------------------


class JpegSource(ImageReader):
    """A JPEG embedded as it is (DCTDecode), named by its content.

    reportlab names a file image after its path, so the same photo in another data folder
    would give other bytes, and an ``ImageReader`` decodes the whole image only to name it.
    This reader names it by the SHA-256 of the bytes and hands the JPEG over untouched.
    """

    def __init__(self, data: bytes, key: str | None = None) -> None:
        # no super().__init__: there is nothing to decode. ``key`` names the image (a
        # photo's SHA-256 from the store); by default the SHA-256 of the bytes.
        width, height = readJPEGInfo(io.BytesIO(data))[:2]
        self._ident = None
        self.fileName = "jpeg:" + (key or hashlib.sha256(data).hexdigest())
        self.fp = io.BytesIO(data)
        self._image = None
        self._width, self._height = width, height
        self._transparent = None
        self._data = self.fileName.encode("ascii")
        self._dataA = None
        self.mode = "RGB"
        self.jpeg_fh = self._jpeg_fh

    def getRGBData(self) -> bytes:  # the image's identity, not its pixels
        return self._data


class Photo(Flowable):
    """An image scaled to fit ``max_w`` x ``max_h`` (a photo gets a hairline frame)."""

    def __init__(
        self,
        source: ImageReader,
        max_w: float,
        max_h: float,
        *,
        mask: str | None = None,
        frame: bool = True,
    ) -> None:
        super().__init__()
        w, h = source.getSize()
        scale = min(max_w / w, max_h / h)
        self.source, self.mask, self.frame = source, mask, frame
        self.width, self.height = w * scale, h * scale
        self.hAlign = "CENTER"

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(self.source, 0, 0, self.width, self.height, mask=self.mask)
        if self.frame:
            self.canv.setStrokeColor(RULE)
            self.canv.setLineWidth(0.3)
            self.canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)


class MissingPhoto(Flowable):
    """A grey box with a note where a photo's display copy is not in the media store."""

    def __init__(self, text: str, width: float, height: float) -> None:
        super().__init__()
        self.text, self.width, self.height = text, width, height

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setFillColor(SHADE)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.3)
        c.rect(0, 0, self.width, self.height, stroke=1, fill=1)
        c.setFillColor(GREY)
        c.setFont(font_name(), 8)
        c.drawCentredString(self.width / 2, self.height / 2 - 3, self.text)


class Columns(Flowable):
    """Columns of flowables side by side, each centred in its column, an optional rule
    between them: a row of photos with their captions, lighter than a nested table."""

    def __init__(
        self,
        columns: list[list[Flowable]],
        col_width: float,
        *,
        pad: float = 4,
        vpad: float = 3,
        divider: bool = False,
    ) -> None:
        super().__init__()
        self.columns, self.col_width = columns, col_width
        self.pad, self.vpad, self.divider = pad, vpad, divider
        self._sizes: list[list[tuple[float, float]]] = []

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        inner = self.col_width - 2 * self.pad
        self._sizes = [[f.wrap(inner, avail_h) for f in col] for col in self.columns]
        tallest = max((sum(h for _w, h in sizes) for sizes in self._sizes), default=0)
        self.width = self.col_width * len(self.columns)
        self.height = tallest + 2 * self.vpad
        return self.width, self.height

    def draw(self) -> None:
        inner = self.col_width - 2 * self.pad
        for n, (col, sizes) in enumerate(zip(self.columns, self._sizes, strict=True)):
            y = self.height - self.vpad
            for f, (w, h) in zip(col, sizes, strict=True):
                y -= h
                f.drawOn(self.canv, n * self.col_width + self.pad + max(0, (inner - w) / 2), y)
        if self.divider:
            self.canv.setStrokeColor(RULE)
            self.canv.setLineWidth(GRID)
            for n in range(1, len(self.columns)):
                self.canv.line(n * self.col_width, 0, n * self.col_width, self.height)


@dataclass
class Cell:
    content: list[Flowable]
    background: Any = None  # a reportlab colour, or None
    centre: bool = False  # centre non-paragraph flowables (photos) horizontally


@dataclass
class Row:
    cells: list[Cell]
    widths: list[float]
    joined: bool = False  # continues the row above: no rule above its first column


class GridBlock(Flowable):
    """Rows of cells with thin rules, splitting between rows: the items' table.

    A reportlab ``Table`` per item re-applies its style to every cell and wraps each cell
    twice; a report of 120 items spent most of its time there. These rows wrap each cell
    once, draw the same rules, and split only between rows (the first ``keep`` rows stay
    together: an answer with its comment). Cells hold short texts only (``builder`` moves
    long ones below the block), so a row is always shorter than a page.
    """

    def __init__(self, rows: list[Row], *, keep: int = 1, pad: float = 4, vpad: float = 3):
        super().__init__()
        self.rows, self.keep, self.pad, self.vpad = rows, keep, pad, vpad
        self._heights: list[float] = []
        self._sizes: list[list[list[tuple[float, float]]]] = []
        self.width = max((sum(r.widths) for r in rows), default=0)
        self.height = 0.0

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        if not self._heights:
            for row in self.rows:
                sizes = [
                    [f.wrap(w - 2 * self.pad, PAGE_HEIGHT) for f in cell.content]
                    for cell, w in zip(row.cells, row.widths, strict=True)
                ]
                self._sizes.append(sizes)
                self._heights.append(
                    max((sum(h for _w, h in s) for s in sizes), default=0) + 2 * self.vpad
                )
            self.height = sum(self._heights)
        return self.width, self.height

    def split(self, avail_w: float, avail_h: float) -> list[Flowable]:
        self.wrap(avail_w, avail_h)
        used, fit = 0.0, 0
        for h in self._heights:
            if used + h > avail_h:
                break
            used += h
            fit += 1
        if fit == 0 or fit < min(self.keep, len(self.rows)):
            return []
        if fit >= len(self.rows):
            return [self]
        head = GridBlock(self.rows[:fit], pad=self.pad, vpad=self.vpad)
        rest = [Row(r.cells, r.widths, r.joined) for r in self.rows[fit:]]
        rest[0].joined = False  # the top of a page gets its full rule
        return [head, GridBlock(rest, pad=self.pad, vpad=self.vpad)]

    def draw(self) -> None:
        c = self.canv
        y = self.height
        last = len(self.rows) - 1
        lines: list[tuple[float, float, float, float]] = []
        firsts = {round(r.widths[0], 3) for r in self.rows}
        outer_left = (
            self.rows[0].widths[0] if len(firsts) == 1 and len(self.rows[0].widths) > 1 else 0.0
        )
        for n, (row, h, sizes) in enumerate(
            zip(self.rows, self._heights, self._sizes, strict=True)
        ):
            y -= h
            x = 0.0
            for cell, w, cell_sizes in zip(row.cells, row.widths, sizes, strict=True):
                if cell.background is not None:
                    c.setFillColor(cell.background)
                    c.rect(x, y, w, h, stroke=0, fill=1)
                top = y + h - self.vpad
                inner = w - 2 * self.pad
                for f, (fw, fh) in zip(cell.content, cell_sizes, strict=True):
                    top -= fh
                    dx = (inner - fw) / 2 if cell.centre and fw < inner else 0
                    f.drawOn(c, x + self.pad + dx, top)
                x += w
            lines.append((row.widths[0] if row.joined else 0, y + h, x, y + h))  # above
            if n == last:
                lines.append((0, y, x, y))
            edge = 0.0
            for w in row.widths[:-1]:  # inner column rules; the outer two span the block
                edge += w
                if edge > outer_left:
                    lines.append((edge, y, edge, y + h))
        c.setStrokeColor(RULE)
        c.setLineWidth(GRID)
        lines += [(0, 0, 0, self.height), (self.width, 0, self.width, self.height)]
        if outer_left:  # the first column's rule is common to every row
            lines.append((outer_left, 0, outer_left, self.height))
        c.lines(lines)


# -- the digital signature ----------------------------------------------------------------


class SignatureField(Flowable):
    """The labelled, empty box a visible digital signature goes into and, beside it, the
    seal area (盖章处): the organisation's name, a dashed ring for the seal and a line for the
    date written by hand. Records where the box landed when drawn."""

    BOX_W = 75 * mm
    BOX_H = 32 * mm
    LABEL_H = 16
    SEAL_R = 18 * mm

    def __init__(
        self,
        label: str,
        hint: str,
        on_drawn: Callable[[int, tuple], None],
        *,
        organisation: str,
        seal_label: str,
        date_line: str,
    ) -> None:
        super().__init__()
        self.label, self.hint, self.on_drawn = label, hint, on_drawn
        self.organisation, self.seal_label, self.date_line = organisation, seal_label, date_line
        self.width = FRAME_WIDTH
        self.height = self.BOX_H + self.LABEL_H

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        f = font_name()
        c.setFillColor(INK)
        c.setFont(f, 10.5)
        c.drawString(0, self.BOX_H + 5, self.label)
        c.setFont(f, 7.5)
        c.setFillColor(GREY)
        c.drawString(c.stringWidth(self.label, f, 10.5) + 6, self.BOX_H + 5, self.hint)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.5)
        c.setDash(2, 2)
        c.rect(0, 0, self.BOX_W, self.BOX_H, stroke=1, fill=0)
        # the seal area, centred on the organisation's name as a 公章 is
        cx, cy = self.width - 30 * mm, self.BOX_H / 2 + 2 * mm
        c.circle(cx, cy, self.SEAL_R, stroke=1, fill=0)
        c.setDash()
        c.setFont(f, 7.5)
        c.setFillColor(GREY)
        c.drawCentredString(cx, cy + self.SEAL_R - 9, self.seal_label)
        c.setFillColor(INK)
        size = 10.5
        while size > 7 and c.stringWidth(self.organisation, f, size) > 58 * mm:
            size -= 0.5
        c.setFont(f, size)
        c.drawCentredString(cx, cy + 1 * mm, self.organisation)
        c.setFont(f, 9)
        c.drawCentredString(cx, cy - 8 * mm, self.date_line)  # the seal goes over the date
        x1, y1 = c.absolutePosition(0, 0)
        x2, y2 = c.absolutePosition(self.BOX_W, self.BOX_H)
        page = c.getPageNumber() - 1
        self.on_drawn(page, (round(x1, 2), round(y1, 2), round(x2, 2), round(y2, 2)))
