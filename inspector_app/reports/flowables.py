"""The flowables of reports' own: photos embedded as they are (named by content, so a
report rebuilt elsewhere is byte-identical), a missing photo's placeholder, side-by-side
columns, the grid of answered items and the empty digital-signature field.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfutils import readJPEGInfo
from reportlab.platypus import Flowable

from inspector_app.reports.layout import (
    FRAME_WIDTH,
    GREY,
    GRID,
    INK,
    PAGE_HEIGHT,
    RULE,
    SHADE,
    font_name,
)

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
