"""PDF inspection reports: the data a report shows (``model``), its layout (``layout``,
``charts``) and the platypus story (``builder``). Gathering the data from the database is
``inspector_app.services.reports``; this package never touches the database.

reportlab is imported by ``builder``, ``layout`` and ``charts`` only, so importing ``model``
stays cheap.
"""

from inspector_app.reports.model import (
    RenderedReport,
    ReportData,
    SignatureBox,
    qr_payload,
    report_number,
)

__all__ = ["RenderedReport", "ReportData", "SignatureBox", "qr_payload", "report_number"]
