"""Drawings on a report: the section bar chart and the cover's QR code.

Every drawing names the CJK face as its initial font, and every label sets it too: a
reportlab drawing otherwise starts in Helvetica, which would be the one font not embedded.
"""

from __future__ import annotations

from functools import lru_cache

from PIL import Image
from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from inspector_app.reports.layout import BAR, BAR_LOW, GREY, INK, RULE, font_name

LOW_PERCENT = 60.0  # bars under this share are drawn in red


def section_chart(
    labels: list[str], percents: list[float], width: float, *, axis_label: str
) -> Drawing:
    """Horizontal bars of the sections' percentages (0 to 100), the first section on top."""
    f = font_name()
    rows = max(1, len(labels))
    bar_h = 16
    label_w = min(200.0, max(70.0, max((_width(s, f, 8.5) for s in labels), default=0) + 8))
    plot_h = rows * (bar_h + 8)
    height = plot_h + 34
    d = Drawing(width, height, initialFontName=f)
    chart = HorizontalBarChart()
    chart.x = label_w
    chart.y = 22
    chart.width = width - label_w - 34
    chart.height = plot_h
    # the category axis runs bottom-up: reverse, so the first section is the top bar
    chart.data = [[round(p, 2) for p in reversed(percents)]]
    chart.categoryAxis.categoryNames = list(reversed(labels))
    chart.categoryAxis.labels.fontName = f
    chart.categoryAxis.labels.fontSize = 8.5
    chart.categoryAxis.labels.fillColor = INK
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.strokeColor = RULE
    chart.categoryAxis.strokeWidth = 0.5
    chart.categoryAxis.tickLeft = 0
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 20
    chart.valueAxis.labels.fontName = f
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labels.fillColor = GREY
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.strokeWidth = 0.5
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = colors.Color(0.85, 0.85, 0.87)
    chart.valueAxis.gridStrokeWidth = 0.4
    chart.barWidth = bar_h
    chart.groupSpacing = 8
    chart.bars.strokeColor = None
    chart.bars[0].fillColor = BAR
    for n, p in enumerate(reversed(percents)):
        if p < LOW_PERCENT:
            chart.bars[(0, n)].fillColor = BAR_LOW
    chart.barLabelFormat = "%.1f%%"
    chart.barLabels.fontName = f
    chart.barLabels.fontSize = 8
    chart.barLabels.fillColor = INK
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    d.add(chart)
    # the pass mark: a dashed line at LOW_PERCENT
    x = chart.x + chart.width * LOW_PERCENT / 100
    d.add(
        Line(
            x,
            chart.y,
            x,
            chart.y + plot_h,
            strokeColor=BAR_LOW,
            strokeWidth=0.6,
            strokeDashArray=[2, 2],
        )
    )
    d.add(
        String(
            chart.x + chart.width / 2,
            2,
            axis_label,
            fontName=f,
            fontSize=8,
            fillColor=GREY,
            textAnchor="middle",
        )
    )
    return d


def _width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)


@lru_cache(maxsize=16)
def qr_pixels(payload: str, border: int = 2) -> tuple[int, bytes]:
    """The QR code of ``payload`` (error correction M) as an n x n greyscale bitmap with a
    ``border`` of light modules: (n, pixels).

    Choosing the mask pattern encodes the data eight times (about 12 ms); a report of one
    revision is built several times in a session (preview, save, sign) with one payload.
    """
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.make()
    n = code.getModuleCount() + 2 * border
    pixels = bytearray(b"\xff" * (n * n))
    for r, row in enumerate(code.modules):
        for c, dark in enumerate(row):
            if dark:
                pixels[(r + border) * n + c + border] = 0
    return n, bytes(pixels)


class QrImage(Flowable):
    """A QR code drawn as one small image, a pixel per module, scaled without smoothing.

    reportlab's encoder (``graphics.barcode.qrencoder``, behind its QR widget and flowable)
    makes the modules; drawing each run of them as a rectangle cost more than the rest of
    the cover, an image of 41 x 41 pixels costs nothing and prints as sharply.
    """

    def __init__(self, payload: str, size: float, *, border: int = 2) -> None:
        super().__init__()
        n, pixels = qr_pixels(payload, border)
        self.modules = n
        self.image = ImageReader(Image.frombytes("L", (n, n), pixels))
        self.width = self.height = size

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(self.image, 0, 0, self.width, self.height)


def qr_code(payload: str, size: float) -> QrImage:
    """A QR code of ``payload`` (error correction M), ``size`` points square."""
    return QrImage(payload, size)
