"""What the checklist editor and ``inspections show`` read of one inspection, in one go:
``InspectionState`` and ``inspection_detail``, scored by the same pure function.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inspector_app import timefmt
from inspector_app.domain.checklists.schema import ChecklistTemplate
from inspector_app.domain.checklists.scoring import (
    ScoreResult,
    score_inspection,
)
from inspector_app.domain.inspection import Answer, Inspection, InspectionSite, finding_dict
from inspector_app.domain.vocab import EDITABLE, FindingStatus
from inspector_app.i18n import pick
from inspector_app.services.answers import AnswerView, answer_view
from inspector_app.services.inspections import (
    answers_for_scoring,
    answers_of,
    find_inspection,
    grade_label,
    template_for,
)
from inspector_app.store.repo import findings as findings_repo
from inspector_app.store.repo import inspections as inspections_repo
from inspector_app.store.repo import signatures as signatures_repo
from inspector_app.workspace import Workspace

if TYPE_CHECKING:
    from inspector_app.store.db import Tx


@dataclass(frozen=True)
class InspectionState:
    """Everything the checklist editor shows, read in one go."""

    id: str
    site_name: str
    site_code: str
    site_type: str
    template_version_id: str
    template: ChecklistTemplate
    status: str
    revision: int
    inspectors: list[str]
    started_on: dt.date
    answers: dict[str, AnswerView]
    score: ScoreResult
    open_findings: int

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE


def load_inspection_state(ws: Workspace, inspection_id: str) -> InspectionState:
    with ws.db.session() as s:
        read = _read(s, inspection_id)
        open_findings = inspections_repo.open_finding_count(s, read.insp.id)
    return _state(read, open_findings)


@dataclass(frozen=True)
class _Read:
    """One inspection with its site, template, answers and score, read in one session."""

    insp: Inspection
    site: InspectionSite
    template: ChecklistTemplate
    records: dict[str, Answer]
    score: ScoreResult


def _read(s: Tx, inspection_id: str) -> _Read:
    insp = find_inspection(s, inspection_id)
    site = inspections_repo.site(s, insp.site_id)
    assert site is not None  # foreign key
    template = template_for(s, insp)
    records = answers_of(s, insp.id)
    score = score_inspection(template, answers_for_scoring(records.values()))
    return _Read(insp, site, template, records, score)


def _state(read: _Read, open_findings: int) -> InspectionState:
    insp = read.insp
    return InspectionState(
        id=insp.id,
        site_name=read.site.name,
        site_code=read.site.code,
        site_type=read.site.site_type,
        template_version_id=insp.template_version_id,
        template=read.template,
        status=insp.status,
        revision=insp.revision,
        inspectors=list(insp.inspectors),
        started_on=insp.started_on,
        answers={k: answer_view(r) for k, r in read.records.items()},
        score=read.score,
        open_findings=open_findings,
    )


# -- queries for detail views ------------------------------------------------------------


def inspection_detail(ws: Workspace, inspection_id: str) -> dict[str, Any]:
    """Everything ``inspections show`` prints, scored by the same pure function."""
    return inspection_detail_and_state(ws, inspection_id)[0]


def inspection_detail_and_state(
    ws: Workspace, inspection_id: str
) -> tuple[dict[str, Any], InspectionState]:
    """``inspection_detail`` and ``load_inspection_state`` from one read and one scoring."""
    with ws.db.session() as s:
        read = _read(s, inspection_id)
        insp, site, template, records, result = (
            read.insp,
            read.site,
            read.template,
            read.records,
            read.score,
        )
        findings = findings_repo.findings(s, insp.id)
        revisions = inspections_repo.revisions(s, insp.id)
        signatures = signatures_repo.signatures(s, insp.id)
    sections = []
    by_section = {sec.section_id: sec for sec in result.sections}
    for sec in template.sections:
        sc = by_section[sec.id]
        items = []
        for item in sec.items:
            rec = records.get(item.id)
            isc = result.items[item.id]
            items.append(
                {
                    "id": item.id,
                    "title": pick(item.title),
                    "type": item.type.value,
                    "value": None if rec is None else rec.value,
                    "not_applicable": bool(rec and rec.not_applicable),
                    "visible": isc.visible,
                    "points": isc.points,
                    "max_points": item.points,
                    "comment": rec.comment if rec else None,
                }
            )
        sections.append(
            {
                "id": sec.id,
                "title": pick(sec.title),
                "points": sc.points,
                "max_points": sec.points,
                "percent": sc.percent,
                "applicable": sc.applicable,
                "answered": sc.answered,
                "items_total": sc.total_items,
                "weight_source": sec.weight_source.value,
                "items": items,
            }
        )
    frozen = next((r for r in revisions if r.revision == insp.revision), None)
    detail = {
        "id": insp.id,
        "site": site.name,
        "site_code": site.code,
        "site_type": site.site_type,
        "template": insp.template_id,
        "template_version": insp.template_version,
        "template_hash": insp.template_hash,
        "template_title": pick(template.title),
        "sample_weights": template.uses_sample_weights,
        "status": insp.status,
        "revision": insp.revision,
        "base_revision": insp.base_revision,
        "amend_reason": insp.amend_reason,
        "inspectors": list(insp.inspectors),
        "started_on": insp.started_on.isoformat(),
        "ended_on": insp.ended_on.isoformat() if insp.ended_on else None,
        "score": result.total,
        "max_score": result.max_total,
        "grade": result.grade,
        "grade_label": grade_label(template, result.grade),
        "provisional": result.provisional,
        "vetoed": result.vetoed,
        "veto_reasons": [
            {
                "id": v.veto_id,
                "title": v.title_en if _lang_en() else v.title_zh,
                "reason": v.reason_en if _lang_en() else v.reason_zh,
            }
            for v in result.vetoes
        ],
        "missing_required": result.missing_required,
        "sections": sections,
        "findings": [finding_dict(f) for f in findings],
        "previous_inspection": insp.previous_inspection_id,
        "revisions": [
            {
                "revision": r.revision,
                "completed_at": timefmt.iso_utc(r.completed_at),
                "completed_at_display": timefmt.format_instant(r.completed_at),
                "data_hash": r.data_hash,
                "amend_reason": r.amend_reason,
                "score": r.score["total"],
                "organisation": r.organisation,
                "display_zone": r.display_zone,
            }
            for r in revisions
        ],
        "data_hash": frozen.data_hash if frozen else None,
        "signatures": [
            {
                "id": g.id,
                "signer": g.signer_name,
                "role": g.role,
                "signed_at": timefmt.iso_utc(g.signed_at),
                "signed_at_display": timefmt.format_instant(g.signed_at),
                "revision": g.inspection_revision,
                "data_hash": g.data_hash,
            }
            for g in signatures
        ],
        "template_version_id": insp.template_version_id,
        "display_zone": timefmt.zone_name(),  # the zone of every *_display time
    }
    open_findings = sum(1 for f in findings if f.status == FindingStatus.OPEN.value)
    return detail, _state(read, open_findings)


def _lang_en() -> bool:
    from inspector_app.i18n import current_language

    return current_language() == "en"
