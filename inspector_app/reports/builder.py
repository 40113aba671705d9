"""The inspection report as a PDF: reportlab platypus, A4, in the 公文 manner.

Cover (organisation in red over a red rule, title, report number, the site, the visit, the
template and its weights, the result, the QR code), then 一、评价结果 (section table, bar
chart, veto items), 二、检查项明细 (every item with its answer, points, comment, evidence and
photos), 三、问题与整改 (findings with before/after photos), and last the signatures with
the empty box reserved for the digital signature. Header and footer ("第 X 页 共 Y 页") on
every page, a diagonal 草稿 watermark on drafts.

Deterministic: invariant mode, the PDF's dates and ID from the data, photos embedded as their
JPEG bytes named by content, no clock and no randomness, so one inspection revision gives
byte-identical files. ``render_pdf`` is pure: data in, bytes out.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from reportlab import rl_config
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate

from inspector_app import __version__
from inspector_app.i18n import Translator
from inspector_app.reports.cover import CoverPart
from inspector_app.reports.findings import FindingsPart
from inspector_app.reports.items import ItemsPart
from inspector_app.reports.layout import (
    FRAME_WIDTH,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    PageFurniture,
    numbered_canvas,
    pdf_date,
    styles,
)
from inspector_app.reports.model import RenderedReport, ReportData
from inspector_app.reports.signatures import SignaturesPart

_BUILD_LOCK = threading.Lock()  # rl_config is process-wide while a build runs


class _Builder(CoverPart, FindingsPart, ItemsPart, SignaturesPart):
    def story(self) -> list[Flowable]:
        out: list[Flowable] = []
        out += self.cover()
        out.append(PageBreak())
        out += self.summary()
        out += self.items()
        out += self.findings()
        if self.d.other_photos:
            out += self.other_photos()
        out += self.conclusion()
        out += self.signatures()  # last: the digital signature box is on the last page
        return out


class _Sink:
    """Where reportlab writes the finished PDF: it hands over the whole document in one
    ``write``; keeping that bytes object saves two copies of it (a report with photos runs
    to tens of megabytes) that a ``BytesIO`` and its ``getvalue`` would make."""

    data = b""

    def write(self, data: bytes) -> None:
        self.data += data


@contextmanager
def _build_config() -> Iterator[None]:
    """For this build only: binary streams (no ASCII85: smaller, faster) and no attribute
    checks on the chart's shapes (ours are fixed; the checks cost a tenth of the build)."""
    saved = rl_config.useA85, rl_config.shapeChecking
    rl_config.useA85, rl_config.shapeChecking = 0, 0
    try:
        yield
    finally:
        rl_config.useA85, rl_config.shapeChecking = saved


def render_pdf(data: ReportData) -> RenderedReport:
    """The report of ``data`` as PDF bytes, its page count and the signature box."""
    s = styles()
    t = Translator(data.language)
    builder = _Builder(data)
    furniture = PageFurniture(
        header_left=data.title,
        header_right=t.tr("Report No. {number}", number=data.report_number),
        footer=lambda page, pages: t.tr("Page {page} of {pages}", page=page, pages=pages),
        watermark=t.tr("DRAFT") if data.draft else None,
        pdf_date=pdf_date(data.issued_at or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)),
    )
    out = _Sink()
    with _BUILD_LOCK, _build_config():
        doc = BaseDocTemplate(
            out,
            pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
            leftMargin=MARGIN_LEFT,
            rightMargin=MARGIN_RIGHT,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            invariant=1,
            pageCompression=1,
            initialFontName=s.font,
            title=f"{data.title} {data.report_number}",
            author=data.organisation,
            subject=data.site_name,
            # the document ID is a digest of these: fixed for one report revision
            keywords=[data.report_number, data.data_hash, data.language],
            creator=f"Inspector {__version__}",
            lang="zh-CN" if data.language == "zh" else "en",
        )
        frame = Frame(
            MARGIN_LEFT,
            MARGIN_BOTTOM,
            FRAME_WIDTH,
            PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        doc.build(builder.story(), canvasmaker=numbered_canvas(furniture))
        pages = doc.page
    if builder.box is None:  # pragma: no cover - the field is always in the story
        raise RuntimeError("the signature field was not drawn")
    return RenderedReport(out.data, pages, builder.box)
