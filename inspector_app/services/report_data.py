"""What a report shows, gathered from the read services into ``reports.model.ReportData``
(plain data, every label already in words): the site, the visit, every item with its answer,
points, comment, evidence and photos, the findings with their before/after photos, the
signatures, what is still missing, and what the revision was completed under.
``services.reports`` lays it out and writes it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, NamedTuple

from inspector_app import timefmt
from inspector_app.domain.checklists.schema import ChecklistTemplate
from inspector_app.domain.inspection import data_hash
from inspector_app.domain.media import Photo as PhotoRow
from inspector_app.domain.vocab import InspectionStatus
from inspector_app.i18n import Translator
from inspector_app.media.store import display_path
from inspector_app.presenters.labels import (
    finding_status_label,
    grade_label,
    role_label,
    severity_label,
    site_type_label,
    status_label,
    weights_label,
)
from inspector_app.presenters.times import taken_text
from inspector_app.presenters.values import answer_value
from inspector_app.reports.model import (
    ReportData,
    ReportFinding,
    ReportItem,
    ReportPhoto,
    ReportSection,
    ReportSignature,
    ReportVeto,
    report_number,
)
from inspector_app.services.answers import AnswerView
from inspector_app.services.browse import list_findings
from inspector_app.services.inspection_views import InspectionState, inspection_detail_and_state
from inspector_app.services.photos import (
    list_photos,
    photos_of_findings,
    photos_still_missing,
)
from inspector_app.services.signatures import signatures_of
from inspector_app.services.sites import find_site
from inspector_app.settings import default_organisation
from inspector_app.store.repo import canonical as canonical_repo
from inspector_app.store.repo import inspections as inspections_repo
from inspector_app.workspace import Workspace


def _organisation(ws: Workspace, explicit: str | None, frozen: str | None, t: Translator) -> str:
    """Who issues the report: the one asked for, else the one its revision was completed
    under, else the workspace's settings', else the bureau."""
    if explicit and explicit.strip():
        return explicit.strip()
    if frozen:
        return frozen
    return ws.organisation or default_organisation(t)


class Presentation(NamedTuple):
    """What a revision's report is issued under, frozen at completion (migration 0006)."""

    organisation: str | None
    zone: str | None  # the display zone (IANA name)


def frozen_presentation(ws: Workspace, inspection_id: str) -> Presentation:
    """The organisation and display zone the current revision was completed under; Nones
    for a draft or a revision completed before they were kept."""
    from inspector_app.services.inspections import find_inspection

    with ws.db.session() as s:
        insp = find_inspection(s, inspection_id)
        if insp.status == InspectionStatus.DRAFT.value:
            return Presentation(None, None)
        snap = inspections_repo.revision(s, insp.id, insp.revision)
        if snap is None:
            return Presentation(None, None)
        return Presentation(snap.organisation, snap.display_zone)


def _photo(data_dir: Path, p: PhotoRow, t: Translator) -> ReportPhoto:
    display = display_path(data_dir, p.sha256)
    return ReportPhoto(
        id=p.id,
        sha256=p.sha256,
        caption=p.caption or p.original_name,
        taken=taken_text(p, t),
        display_path=display if display.is_file() else None,
        width=p.width,
        height=p.height,
    )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _current_hash(ws: Workspace, inspection_id: str) -> str:
    """The hash of the canonical data as it stands (a draft has no frozen one)."""
    with ws.db.session() as s:
        insp = inspections_repo.get(s, inspection_id)
        assert insp is not None
        return data_hash(canonical_repo.canonical(s, insp))


def _items(
    state: InspectionState,
    photos_by_item: dict[str, list[ReportPhoto]],
    section_scores: dict[str, dict[str, Any]],
    t: Translator,
) -> tuple[list[ReportSection], dict[str, str]]:
    """The sections with every item, and item id -> "2.3 title" for the findings."""
    template: ChecklistTemplate = state.template
    sections: list[ReportSection] = []
    labels: dict[str, str] = {}
    for n, sec in enumerate(template.sections, start=1):
        items = []
        for k, item in enumerate(sec.items, start=1):
            number = f"{n}.{k}"
            title = t.pick(item.title)
            labels[item.id] = f"{number} {title}"
            view = state.answers.get(item.id) or AnswerView()
            score = state.score.items.get(item.id)
            visible = score.visible if score is not None else True
            if not visible:
                kind, answer = "hidden", t.tr("Not applicable (its condition is not met)")
            elif view.not_applicable:
                kind, answer = "not_applicable", t.tr("Not applicable")
            elif view.value is None:
                kind = "unanswered"
                answer = t.tr("Unanswered (required)") if item.required else t.tr("Unanswered")
            else:
                kind, answer = "answered", answer_value(item, view.value, t=t)
            points: float | None = None
            if item.scored and kind in ("answered", "unanswered"):
                points = score.points if score is not None else 0.0
            ticked = tuple(
                t.pick(item.evidence[i]) for i in view.evidence if 0 <= i < len(item.evidence)
            )
            items.append(
                ReportItem(
                    id=item.id,
                    number=number,
                    title=title,
                    answer=answer,
                    state=kind,
                    points=points,
                    max_points=item.points,
                    comment=view.comment,
                    evidence=ticked,
                    evidence_total=len(item.evidence),
                    photos=tuple(photos_by_item.get(item.id, ())),
                    required=item.required,
                )
            )
        sc = section_scores[sec.id]
        sections.append(
            ReportSection(
                id=sec.id,
                number=n,
                title=t.pick(sec.title),
                points=sc["points"],
                max_points=sc["max_points"],
                percent=sc["percent"],
                applicable=sc["applicable"],
                items=tuple(items),
            )
        )
    for v in template.vetoes:
        labels[v.id] = t.pick(v.title)
    return sections, labels


def _vetoes(state: InspectionState, t: Translator) -> list[ReportVeto]:
    out = []
    for v in state.template.vetoes:
        value = (state.answers.get(v.id) or AnswerView()).value
        out.append(
            ReportVeto(
                id=v.id,
                title=t.pick(v.title),
                answer=(
                    t.tr("Unanswered")
                    if value is None
                    else answer_value(None, value, veto=True, t=t)
                ),
                triggered=value == "yes",
                reason=t.pick(v.reason),
                answered=value is not None,
            )
        )
    return out


def _findings(
    ws: Workspace,
    inspection_id: str,
    previous_id: str | None,
    item_labels: dict[str, str],
    t: Translator,
) -> tuple[list[ReportFinding], set[str], dt.date | None]:
    """Findings by deadline with before/after photos; the ids of the photos they show; the
    date of the inspection the carried ones come from."""
    rows = list_findings(ws, inspection_id=inspection_id)
    originals: dict[str, dict[str, Any]] = {}
    if previous_id and any(r["carried_from"] for r in rows):
        originals = {r["id"]: r for r in list_findings(ws, inspection_id=previous_id)}
    linked = photos_of_findings(
        ws,
        [
            *(r["id"] for r in rows if r["photos"]),
            *(r["carried_from"] for r in rows if r["carried_from"]),
        ],
    )
    shown: set[str] = set()
    previous_date: dt.date | None = None
    out = []
    for n, r in enumerate(rows, start=1):
        own = linked.get(r["id"], [])
        shown |= {p.id for p, _role in own}
        carried_from = r["carried_from"]
        origin = originals.get(carried_from) if carried_from else None
        if carried_from:
            # 复查: the original finding's photos show it as found, this visit's as corrected
            before = [p for p, _role in linked[carried_from]]
            after = [p for p, _role in own]
        else:
            before = [p for p, role in own if role == "evidence"]
            after = [p for p, role in own if role == "after"]
        origin_date = _date(origin["inspection_date"]) if origin else None
        previous_date = previous_date or origin_date
        out.append(
            ReportFinding(
                id=r["id"],
                number=n,
                severity=r["severity"],
                severity_label=severity_label(r["severity"], t),
                description=r["description"],
                requirement=r["requirement"] or "",
                deadline=_date(r["deadline"]),
                responsible=r["responsible"] or "",
                status=r["status"],
                status_label=finding_status_label(r["status"], t),
                resolution_note=r["resolution_note"],
                item_id=r["item_id"],
                item_label=item_labels.get(r["item_id"], r["item_id"]) if r["item_id"] else None,
                carried=bool(carried_from),
                carried_from_date=origin_date,
                before=tuple(_photo(ws.data_dir, p, t) for p in before),
                after=tuple(_photo(ws.data_dir, p, t) for p in after),
            )
        )
    return out, shown, previous_date


def report_data(
    ws: Workspace,
    inspection_id: str,
    *,
    lang: str | None = None,
    organisation: str | None = None,
) -> ReportData:
    """Everything the report of one inspection shows, in ``lang`` (none: the process
    language). Every word comes from one ``Translator`` for that language, passed down; the
    process language is never changed, so the window keeps its own meanwhile.

    ``organisation``: the issuing body on the cover; else the one the revision was completed
    under, else the settings' organisation, else the Weihai Municipal Science and Technology
    Bureau. ``inspection_id`` may be a prefix.
    """
    t = Translator(lang)
    detail, state = inspection_detail_and_state(ws, inspection_id)
    iid: str = detail["id"]
    site = find_site(ws, detail["site_code"])
    photo_rows = list_photos(ws, iid)
    photos_by_item: dict[str, list[ReportPhoto]] = {}
    for p in photo_rows:
        if p.item_id:
            photos_by_item.setdefault(p.item_id, []).append(_photo(ws.data_dir, p, t))
    section_scores = {sec["id"]: sec for sec in detail["sections"]}
    sections, labels = _items(state, photos_by_item, section_scores, t)
    findings, shown, previous_date = _findings(ws, iid, detail["previous_inspection"], labels, t)
    other = tuple(
        _photo(ws.data_dir, p, t) for p in photo_rows if not p.item_id and p.id not in shown
    )
    signatures = tuple(
        ReportSignature(
            name=g.signer_name,
            role=g.role,
            role_label=role_label(g.role, t),
            signed_at=timefmt.format_instant(g.signed_at),
            image_png=g.image_png,
        )
        for g in signatures_of(ws, iid)
    )
    frozen = detail["data_hash"]
    current = next((r for r in detail["revisions"] if r["revision"] == detail["revision"]), None)
    completed = current["completed_at"] if current else None
    frozen_organisation = current["organisation"] if frozen and current else None
    started = dt.date.fromisoformat(detail["started_on"])
    template = state.template
    completed_at = dt.datetime.fromisoformat(completed) if completed else None
    # the PDF's dates: the completion, else noon of the inspection's day; never the clock
    issued = (
        timefmt.local(completed_at)
        if completed_at is not None
        else dt.datetime.combine(
            _date(detail["ended_on"]) or started, dt.time(12, 0), tzinfo=timefmt.display_zone()
        )
    )
    status = revision_status(detail["status"])
    return ReportData(
        language=t.language,
        inspection_id=iid,
        report_number=report_number(started.year, site.code, iid, detail["revision"]),
        organisation=_organisation(ws, organisation, frozen_organisation, t),
        title=t.tr("{title} — on-site inspection report", title=t.pick(template.title)),
        site_code=site.code,
        site_name=site.name,
        site_type=site.site_type,
        site_type_label=site_type_label(site.site_type, t),
        site_address=site.address,
        site_host_unit=site.host_unit,
        site_district=site.district,
        started_on=started,
        ended_on=_date(detail["ended_on"]),
        inspectors=tuple(detail["inspectors"]),
        template_id=detail["template"],
        template_title=t.pick(template.title),
        template_version=detail["template_version"],
        template_hash=detail["template_hash"],
        weights_source=template.weights.source.value,
        weights_label=weights_label(template.weights.source, t),
        status=status,
        status_label=status_label(status, t),
        revision=detail["revision"],
        amend_reason=detail["amend_reason"],
        total=detail["score"],
        max_total=detail["max_score"],
        grade=detail["grade"],
        grade_label=grade_label(template, detail["grade"], t),
        provisional=detail["provisional"],
        vetoed=detail["vetoed"],
        vetoes=tuple(_vetoes(state, t)),
        sections=tuple(sections),
        findings=tuple(findings),
        signatures=signatures,
        other_photos=other,
        data_hash=frozen or _current_hash(ws, iid),
        data_hash_frozen=frozen is not None,
        completed_at=completed_at,
        previous_inspection_date=previous_date,
        site_representative=site.contact_name,
        zone_label=timefmt.zone_label(issued, lang=t.language),
        issued_at=issued,
        missing_answers=tuple(labels.get(i, i) for i in state.score.missing_required),
        missing_photos=tuple(
            (labels.get(item_id, item_id), n)
            for item_id, n in photos_still_missing(
                template, state.score, (p.item_id for p in photo_rows)
            ).items()
            if n > 0
        ),
    )


def revision_status(status: str) -> str:
    """What a report says of its revision: draft, completed, or signed by every inspector.

    Exporting, receiving at headquarters and whatever happens to the inspection later are
    not the revision's state: the report of a revision stays byte-identical through them.
    """
    if status in (InspectionStatus.DRAFT.value, InspectionStatus.COMPLETED.value):
        return status
    return InspectionStatus.SIGNED.value
