"""Inspection use cases shared by the CLI and the GUI: start, complete, amend, export, and the
lookups the other inspection services share (``get_inspection``, ``require_editable``,
``item_of``, ``template_for``, ``rescore``, the status moves).

Every write is one transaction that also appends to the audit log and refreshes the
inspection's cached score from the pure scoring function, so what a list shows is what
``score_inspection`` gives. A completed inspection is frozen: changing it means
``amend_inspection`` with a reason, which opens a new revision and keeps the old one.
Answers are in ``answers``, findings in ``findings``, signatures in ``signatures``, what
the editor and ``inspections show`` read in ``inspection_views``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import Session, select

from inspector_app import limits
from inspector_app.domain import vocab
from inspector_app.domain.checklists.schema import ChecklistTemplate, Item
from inspector_app.domain.checklists.scoring import (
    Answer,
    ScoreResult,
    score_inspection,
)
from inspector_app.domain.vocab import AMENDABLE, EDITABLE
from inspector_app.i18n import _, pick
from inspector_app.services.browse import status_label
from inspector_app.services.canonical import canonical_data, data_hash
from inspector_app.services.errors import InvalidInput, Locked, NotFound, check_length
from inspector_app.services.templates import template_in, template_of
from inspector_app.store import audit
from inspector_app.store.models import (
    AnswerRecord,
    Finding,
    FindingStatus,
    Inspection,
    InspectionRevision,
    InspectionStatus,
    Site,
    TemplateVersion,
    utcnow,
)
from inspector_app.timefmt import zone_name
from inspector_app.workspace import Workspace


def grade_label(template: ChecklistTemplate, grade_id: str) -> str:
    try:
        return pick(template.grade(grade_id).label)
    except KeyError:
        return grade_id


# -- reading ------------------------------------------------------------------------------


def get_inspection(s: Session, inspection_id: str) -> Inspection:
    insp = s.get(Inspection, inspection_id)
    if insp is None:
        # allow an unambiguous prefix of the UUID, as people type them from lists
        if len(inspection_id) >= 6:
            rows = s.exec(
                select(Inspection)
                .where(Inspection.id.startswith(inspection_id))  # type: ignore[attr-defined]
                .limit(2)
            ).all()
            if len(rows) == 1:
                return rows[0]
        raise NotFound(_("no inspection {id}", id=inspection_id))
    return insp


def template_for(s: Session, insp: Inspection) -> ChecklistTemplate:
    return template_in(s, insp.template_version_id)


def answers_of(s: Session, inspection_id: str) -> dict[str, AnswerRecord]:
    rows = s.exec(select(AnswerRecord).where(AnswerRecord.inspection_id == inspection_id)).all()
    return {r.item_id: r for r in rows}


def answers_for_scoring(records: Iterable[AnswerRecord]) -> dict[str, Answer]:
    return {
        r.item_id: Answer(
            None if r.value_json is None else json.loads(r.value_json), r.not_applicable
        )
        for r in records
    }


def rescore(s: Session, insp: Inspection, template: ChecklistTemplate) -> ScoreResult:
    # the three columns scoring reads, not ORM rows: this runs on every edit
    rows = s.exec(
        select(AnswerRecord.item_id, AnswerRecord.value_json, AnswerRecord.not_applicable).where(
            AnswerRecord.inspection_id == insp.id
        )
    ).all()
    answers = {
        item_id: Answer(None if value is None else json.loads(value), bool(na))
        for item_id, value, na in rows
    }
    result = score_inspection(template, answers)
    insp.score_total = result.total
    insp.grade = result.grade
    insp.provisional = result.provisional
    insp.vetoed = result.vetoed
    insp.updated_at = utcnow()
    s.add(insp)
    return result


def require_editable(insp: Inspection) -> None:
    if insp.status not in EDITABLE:
        raise Locked(
            _(
                "inspection {id} is {status} and cannot be changed; amend it first (with a reason)",
                id=insp.id[:8],
                status=status_label(insp.status),
            )
        )


def require_status(insp: Inspection, allowed: Iterable[str], message: str) -> None:
    """Refuse unless the status is allowed; ``message`` is translated and takes {id}, {status}."""
    if insp.status not in set(allowed):
        raise InvalidInput(message.format(id=insp.id[:8], status=status_label(insp.status)))


def set_status(
    s: Session, insp: Inspection, new: str, *, actor: str, action: str, **details: Any
) -> None:
    if not vocab.allowed(insp.status, new):  # a bug, never the user's doing
        raise AssertionError(f"no move from {insp.status} to {new}")
    audit.append(
        s,
        actor=actor,
        action=action,
        entity="inspection",
        entity_id=insp.id,
        inspection_id=insp.id,
        field="status",
        old=insp.status,
        new={"status": new, **details} if details else new,
    )
    insp.status = new
    insp.updated_at = utcnow()
    s.add(insp)


# -- starting -----------------------------------------------------------------------------


def start_inspection(
    ws: Workspace,
    *,
    site_id: str,
    template_version_id: str,
    inspectors: Sequence[str],
    started_on: dt.date,
    actor: str,
    inspection_id: str | None = None,
) -> Inspection:
    """Open a draft inspection; open findings of the site's last inspection carry forward (复查)."""
    names = check_inspectors(inspectors)
    with ws.db.transaction() as s:
        site = s.get(Site, site_id)
        if site is None:
            raise NotFound(_("no site {ref!r}", ref=site_id))
        tv = s.get(TemplateVersion, template_version_id)
        if tv is None:
            raise NotFound(_("template version {id} not found", id=template_version_id))
        if tv.site_type != site.site_type:
            raise InvalidInput(
                _(
                    "template {template} is for {wanted}, but {site} is a {actual}",
                    template=tv.template_id,
                    wanted=tv.site_type,
                    site=site.code,
                    actual=site.site_type,
                )
            )
        if inspection_id and s.get(Inspection, inspection_id) is not None:
            raise InvalidInput(_("inspection {id} already exists", id=inspection_id))
        previous = s.exec(
            select(Inspection)
            .where(Inspection.site_id == site.id, Inspection.started_on <= started_on)
            .order_by(Inspection.started_on.desc(), Inspection.created_at.desc())  # type: ignore[attr-defined]
            .limit(1)
        ).first()
        insp = Inspection(
            site_id=site.id,
            template_version_id=tv.id,
            template_id=tv.template_id,
            template_version=tv.version,
            template_hash=tv.content_hash,
            inspectors=json.dumps(names, ensure_ascii=False),
            started_on=started_on,
            previous_inspection_id=previous.id if previous else None,
        )
        if inspection_id:
            insp.id = inspection_id
        s.add(insp)
        s.flush()
        audit.append(
            s,
            actor=actor,
            action="create",
            entity="inspection",
            entity_id=insp.id,
            inspection_id=insp.id,
            new={
                "site": site.code,
                "template": f"{tv.template_id}@{tv.version}",
                "template_hash": tv.content_hash,
                "inspectors": names,
                "started_on": started_on.isoformat(),
            },
        )
        if previous is not None:
            _carry_findings(s, previous, insp, actor)
        rescore(s, insp, template_of(tv))
    return insp


def check_inspectors(inspectors: Sequence[str]) -> list[str]:
    """The inspectors' names, stripped, within ``limits.NAME`` each and ``limits.INSPECTORS``
    in all; at least one."""
    names = [n.strip() for n in inspectors if n.strip()]
    if not names:
        raise InvalidInput(_("an inspection needs at least one inspector"))
    if len(names) > limits.INSPECTORS:
        raise InvalidInput(
            _(
                "an inspection has at most {cap} inspectors, not {n}",
                cap=limits.INSPECTORS,
                n=len(names),
            )
        )
    for n, name in enumerate(names, start=1):
        check_length(name, limits.NAME, _("the name of inspector {n}", n=n))
    return names


def _carry_findings(s: Session, previous: Inspection, insp: Inspection, actor: str) -> None:
    open_rows = s.exec(
        select(Finding).where(
            Finding.inspection_id == previous.id, Finding.status == FindingStatus.OPEN.value
        )
    ).all()
    for old in open_rows:
        f = Finding(
            inspection_id=insp.id,
            item_id=old.item_id,
            severity=old.severity,
            description=old.description,
            requirement=old.requirement,
            deadline=old.deadline,
            responsible=old.responsible,
            status=FindingStatus.OPEN.value,
            carried_from_id=old.id,
        )
        s.add(f)
        s.flush()
        audit.append(
            s,
            actor=actor,
            action="carry_forward",
            entity="finding",
            entity_id=f.id,
            inspection_id=insp.id,
            field="carried_from_id",
            new=old.id,
        )


def item_of(template: ChecklistTemplate, item_id: str) -> Item | None:
    """The item for ``item_id``; None for a veto item (answered yes/no)."""
    try:
        return template.item(item_id)
    except KeyError:
        try:
            template.veto(item_id)
        except KeyError:
            raise InvalidInput(
                _("{template} has no item {item!r}", template=pick(template.title), item=item_id)
            ) from None
        return None


def item_title(template: ChecklistTemplate, item_id: str | None) -> str:
    """What people read for an item or a veto item: its title (its id only when the
    template has no such item)."""
    if not item_id:
        return ""
    for find in (template.item, template.veto):
        try:
            return pick(find(item_id).title)
        except KeyError:
            continue
    return item_id


def describe_missing(template: ChecklistTemplate, ids: Iterable[str]) -> list[str]:
    """The titles of missing items, as an inspector knows them (never the internal ids)."""
    return [item_title(template, item_id) for item_id in ids]


# -- completion, amendment, export -----------------------------------------------------


def complete_inspection(
    ws: Workspace, inspection_id: str, *, actor: str, ended_on: dt.date | None = None
) -> InspectionRevision:
    """Freeze score and answers; refuse while a required item or veto is unanswered."""
    with ws.db.transaction() as s:
        insp = get_inspection(s, inspection_id)
        require_editable(insp)
        template = template_for(s, insp)
        result = rescore(s, insp, template)
        if result.missing_required:
            listed = "; ".join(describe_missing(template, result.missing_required[:10]))
            more = len(result.missing_required) - 10
            raise InvalidInput(
                _(
                    "inspection {id} cannot be completed: {n} required answers are missing: {items}",
                    id=insp.id[:8],
                    n=len(result.missing_required),
                    items=listed,
                )
                + (_(" and {n} more", n=more) if more > 0 else "")
            )
        insp.ended_on = ended_on or insp.ended_on or insp.started_on
        now = utcnow()
        data = canonical_data(s, insp)
        snap = InspectionRevision(
            inspection_id=insp.id,
            revision=insp.revision,
            completed_at=now,
            completed_by=actor,
            score_json=json.dumps(result.to_dict(), ensure_ascii=False, sort_keys=True),
            data_json=json.dumps(data, ensure_ascii=False, sort_keys=True),
            data_hash=data_hash(data),
            amend_reason=insp.amend_reason,
            # what its report is issued under, whatever the settings say later (0006)
            organisation=(ws.organisation or "")[:200] or None,
            display_zone=zone_name(),
        )
        s.add(snap)
        set_status(s, insp, InspectionStatus.COMPLETED.value, actor=actor, action="complete")
        insp.completed_at = now
    return snap


def amend_inspection(ws: Workspace, inspection_id: str, *, reason: str, actor: str) -> Inspection:
    """Reopen a completed inspection as a new revision; the old revision stays on record."""
    if not reason.strip():
        raise InvalidInput(_("an amendment needs a reason"))
    check_length(reason.strip(), limits.REASON, _("the reason"))
    with ws.db.transaction() as s:
        insp = get_inspection(s, inspection_id)
        require_status(
            insp, AMENDABLE, _("only a completed inspection can be amended; {id} is {status}")
        )
        audit.append(
            s,
            actor=actor,
            action="amend",
            entity="inspection",
            entity_id=insp.id,
            inspection_id=insp.id,
            field="revision",
            old=insp.revision,
            new={"revision": insp.revision + 1, "reason": reason.strip()},
        )
        insp.base_revision = insp.revision
        insp.revision += 1
        if not vocab.allowed(insp.status, InspectionStatus.DRAFT.value):  # pragma: no cover
            raise AssertionError(f"no move from {insp.status} to draft")
        insp.status = InspectionStatus.DRAFT.value
        insp.amend_reason = reason.strip()
        insp.completed_at = None
        insp.updated_at = utcnow()
        s.add(insp)
    return insp


def mark_exported(ws: Workspace, inspection_id: str, *, package: str, actor: str) -> Inspection:
    """Record that a signed inspection left in a package for headquarters."""
    with ws.db.transaction() as s:
        insp = get_inspection(s, inspection_id)
        require_status(
            insp,
            (InspectionStatus.SIGNED.value, InspectionStatus.EXPORTED.value),
            _("only a signed inspection can be exported; {id} is {status}"),
        )
        set_status(
            s, insp, InspectionStatus.EXPORTED.value, actor=actor, action="export", package=package
        )
        insp.exported_at = insp.updated_at
    return insp


# -- the editor's view of one inspection ----------------------------------------------------
