"""What a report shows, as plain data: no database, no reportlab.

``services/reports.py`` gathers a :class:`ReportData` through the existing services (in the
report's language: every label in it is already translated); ``reports/builder.py`` turns it
into a PDF. Keeping the two apart means the layout can be tested and benchmarked from data
alone, and the signing code needs nothing but the builder's result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

REPORT_NUMBER_PREFIX = "WH"
QR_SCHEME = "inspector-report:v1"
SIGNATURE_FIELD_NAME = "InspectorSignature"


def report_number(year: int, site_code: str, inspection_id: str, revision: int) -> str:
    """``WH-2024-PB-02-52eac2-R1``: deterministic from the data, one per revision."""
    return f"{REPORT_NUMBER_PREFIX}-{year}-{site_code}-{inspection_id[:6]}-R{revision}"


def qr_payload(number: str, data_sha256: str) -> str:
    """What the cover's QR code holds: the report number and the SHA-256 of the data.

    ``inspector-report:v1;no=WH-2024-PB-02-52eac2-R1;sha256=<64 hex>``. A reader compares the
    hash with ``inspections show`` at headquarters (the frozen revision's data hash).
    """
    return f"{QR_SCHEME};no={number};sha256={data_sha256}"


@dataclass(frozen=True)
class ReportPhoto:
    id: str
    sha256: str  # of the original, as stored
    caption: str  # the caption, else the original file name
    taken: str  # when it was taken, as timefmt shows it ("" when unknown)
    display_path: Path | None  # the display copy; None when the file is not in the store
    width: int = 0  # of the original, upright
    height: int = 0

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]


@dataclass(frozen=True)
class ReportItem:
    id: str
    number: str  # "2.3": section and position
    title: str
    answer: str  # formatted for people (是/否, 6 分, 1189.4 万元, the option, 不适用, 未填写)
    state: str  # answered | not_applicable | hidden | unanswered
    points: float | None  # None for items that carry no points (text, date)
    max_points: float
    comment: str | None = None
    evidence: tuple[str, ...] = ()  # the names of the ticked on-site evidence
    evidence_total: int = 0
    photos: tuple[ReportPhoto, ...] = ()
    required: bool = True


@dataclass(frozen=True)
class ReportSection:
    id: str
    number: int  # 1-based
    title: str
    points: float
    max_points: float
    percent: float
    applicable: bool
    items: tuple[ReportItem, ...]


@dataclass(frozen=True)
class ReportVeto:
    id: str
    title: str
    answer: str  # 触发 / 未触发 / 未填写
    triggered: bool
    reason: str
    answered: bool = True

    @property
    def unanswered(self) -> bool:
        return not self.answered


@dataclass(frozen=True)
class ReportFinding:
    id: str
    number: int
    severity: str
    severity_label: str
    description: str
    requirement: str
    deadline: dt.date | None
    responsible: str
    status: str
    status_label: str
    resolution_note: str | None
    item_id: str | None
    item_label: str | None  # "1.3 具有固定的…场所"
    carried: bool  # 复查: carried forward from an earlier inspection
    carried_from_date: dt.date | None
    before: tuple[ReportPhoto, ...] = ()  # as found (for a carried finding: the original's)
    after: tuple[ReportPhoto, ...] = ()  # after correction


@dataclass(frozen=True)
class ReportSignature:
    name: str
    role: str  # inspector | site_representative
    role_label: str
    signed_at: str  # as timefmt shows it, in the display zone
    image_png: bytes = field(repr=False)


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows, already in the report's language."""

    language: str
    inspection_id: str
    report_number: str
    organisation: str
    title: str  # 中试基地绩效评价现场检查报告
    site_code: str
    site_name: str
    site_type: str
    site_type_label: str
    site_address: str | None
    site_host_unit: str | None
    site_district: str | None
    started_on: dt.date
    ended_on: dt.date | None
    inspectors: tuple[str, ...]
    template_id: str
    template_title: str
    template_version: str
    template_hash: str
    weights_source: str  # sourced | sample | mixed
    weights_label: str  # 示例权重（非官方） / 有出处权重
    status: str
    status_label: str
    revision: int
    amend_reason: str | None
    total: float
    max_total: float
    grade: str
    grade_label: str
    provisional: bool
    vetoed: bool
    vetoes: tuple[ReportVeto, ...]
    sections: tuple[ReportSection, ...]
    findings: tuple[ReportFinding, ...]
    signatures: tuple[ReportSignature, ...]
    other_photos: tuple[ReportPhoto, ...]  # neither on an item nor on a finding
    data_hash: str  # SHA-256 of the canonical data (the frozen revision's when completed)
    data_hash_frozen: bool
    completed_at: dt.datetime | None
    previous_inspection_date: dt.date | None
    site_representative: str | None = None
    zone_label: str = ""  # the display zone, named on the cover (timefmt.zone_label)
    issued_at: dt.datetime | None = None  # the PDF's dates: the completion, else noon of the day
    missing_answers: tuple[str, ...] = ()  # "2.3 title" of each required item still unanswered
    missing_photos: tuple[tuple[str, int], ...] = ()  # ("2.3 title", photos still missing)

    @property
    def draft(self) -> bool:
        return self.status == "draft"

    @property
    def reinspection(self) -> bool:
        return any(f.carried for f in self.findings)

    @property
    def photo_count(self) -> int:
        seen = {p.sha256 for s in self.sections for i in s.items for p in i.photos}
        seen |= {p.sha256 for f in self.findings for p in (*f.before, *f.after)}
        seen |= {p.sha256 for p in self.other_photos}
        return len(seen)

    @property
    def qr_payload(self) -> str:
        return qr_payload(self.report_number, self.data_hash)


@dataclass(frozen=True)
class SignatureBox:
    """The empty box reserved for a visible digital-signature field.

    ``page`` is 0-based (pyHanko's ``SigFieldSpec(on_page=page)``); ``box`` is
    ``(x1, y1, x2, y2)`` in PDF points, origin at the page's bottom-left corner
    (``SigFieldSpec(box=box)``).
    """

    page: int
    box: tuple[float, float, float, float]
    field_name: str = SIGNATURE_FIELD_NAME


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes = field(repr=False)
    page_count: int
    signature_box: SignatureBox
