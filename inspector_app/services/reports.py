"""Inspection reports as PDF: the one way the desktop and the command line make one.

``report_data`` gathers what a report shows through the read services;
``inspector_app.reports.builder`` lays it out. ``render_report`` gives the unsigned report
in memory (``UnsignedReport``: the PDF, its page count, the box reserved for the digital
signature, its number and data hash), ``build_report`` writes it atomically, and
``services.report_signing`` signs that same result.

The same inspection revision gives byte-identical PDFs (no clock, no randomness; dates come
from the data). The report's language is passed in: every word of it comes from an
``i18n.Translator`` for that language, so a build on a worker thread leaves the process
language (the window's) alone, and two builds in two languages may run at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from inspector_app import timefmt
from inspector_app.fsutil import atomic_write_bytes
from inspector_app.reports.model import ReportData, SignatureBox, qr_payload
from inspector_app.services.report_data import frozen_presentation, report_data
from inspector_app.workspace import Workspace

__all__ = [
    "ReportData",
    "ReportResult",
    "SignatureBox",
    "UnsignedReport",
    "build_report",
    "frozen_presentation",
    "qr_payload",
    "render_report",
    "render_report_bytes",
    "report_data",
]


@dataclass(frozen=True)
class ReportResult:
    """What ``build_report`` wrote."""

    path: Path
    page_count: int
    report_number: str
    data_hash: str  # SHA-256 of the inspection's canonical data (frozen revision's if any)
    signature_box: SignatureBox  # 0-based page and (x1, y1, x2, y2) in PDF points
    language: str
    byte_size: int


# -- rendering and writing ----------------------------------------------------------------------


@dataclass(frozen=True)
class UnsignedReport:
    """The unsigned report of an inspection, made in memory: what ``build_report`` writes
    and ``services.report_signing`` signs."""

    pdf: bytes = field(repr=False)
    page_count: int
    signature_box: SignatureBox  # 0-based page and (x1, y1, x2, y2) in PDF points
    report_number: str
    data_hash: str  # SHA-256 of the canonical data (frozen revision's if any)
    language: str
    zone: str | None  # the display zone the revision was completed in (None: the settings')


def render_report(
    ws: Workspace, inspection_id: str, *, lang: str = "zh", organisation: str | None = None
) -> UnsignedReport:
    """The unsigned report in ``lang``, in memory: the PDF with its page count, signature
    box, number and data hash. The same revision always gives the same bytes."""
    from inspector_app.reports.builder import render_pdf  # reportlab only when a report is made

    zone = frozen_presentation(ws, inspection_id).zone
    with timefmt.zone_scope(zone):
        data = report_data(ws, inspection_id, lang=lang, organisation=organisation)
        rendered = render_pdf(data)
    if not _looks_whole(rendered.pdf):  # pragma: no cover - reportlab always ends the file
        raise RuntimeError("the PDF is incomplete")
    return UnsignedReport(
        pdf=rendered.pdf,
        page_count=rendered.page_count,
        signature_box=rendered.signature_box,
        report_number=data.report_number,
        data_hash=data.data_hash,
        language=data.language,
        zone=zone,
    )


def render_report_bytes(
    ws: Workspace, inspection_id: str, *, lang: str = "zh", organisation: str | None = None
) -> bytes:
    """The unsigned PDF's bytes; the same revision always gives the same bytes."""
    return render_report(ws, inspection_id, lang=lang, organisation=organisation).pdf


def _looks_whole(pdf: bytes) -> bool:
    return pdf.startswith(b"%PDF-") and pdf[-32:].rstrip().endswith(b"%%EOF")


def build_report(
    ws: Workspace,
    inspection_id: str,
    output: Path,
    *,
    lang: str = "zh",
    organisation: str | None = None,
) -> ReportResult:
    """Write the unsigned report of an inspection to ``output``, atomically.

    The file appears whole or not at all (an existing file is replaced only by a complete
    one). The result says where the empty digital-signature box is. ``organisation``: the
    issuer on the cover; none gives the one the revision was completed under, else the
    settings', else the bureau.
    """
    report = render_report(ws, inspection_id, lang=lang, organisation=organisation)
    output = Path(output)
    atomic_write_bytes(output, report.pdf)
    return ReportResult(
        path=output,
        page_count=report.page_count,
        report_number=report.report_number,
        data_hash=report.data_hash,
        signature_box=report.signature_box,
        language=report.language,
        byte_size=len(report.pdf),
    )
