"""Inspection use cases shared by the CLI and the GUI.

Every write is one transaction that also appends to the audit log and refreshes the
inspection's cached score from the pure scoring function, so what a list shows is what
``score_inspection`` gives. A completed inspection is frozen: changing it means
``amend_inspection`` with a reason, which opens a new revision and keeps the old one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from inspector_app import limits, timefmt
from inspector_app.domain import vocab
from inspector_app.domain.checklists.schema import AnswerType, ChecklistTemplate, Item
from inspector_app.domain.checklists.scoring import (
    Answer,
    AnswerError,
    ScoreResult,
    normalize_answer,
    score_inspection,
)
from inspector_app.domain.vocab import AMENDABLE, EDITABLE
from inspector_app.i18n import _, pick
from inspector_app.services import drafts
from inspector_app.services.browse import status_label
from inspector_app.services.errors import InvalidInput, Locked, NotFound, Stale, check_length
from inspector_app.services.templates import template_in, template_of
from inspector_app.settings import report_presentation
from inspector_app.store import audit
from inspector_app.store.db import Database
from inspector_app.store.models import (
    AnswerRecord,
    Finding,
    FindingPhoto,
    FindingSeverity,
    FindingStatus,
    Inspection,
    InspectionRevision,
    InspectionStatus,
    Photo,
    Signature,
    Site,
    TemplateVersion,
    utcnow,
)


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


def _answers(s: Session, inspection_id: str) -> dict[str, AnswerRecord]:
    rows = s.exec(select(AnswerRecord).where(AnswerRecord.inspection_id == inspection_id)).all()
    return {r.item_id: r for r in rows}


def answers_for_scoring(records: Iterable[AnswerRecord]) -> dict[str, Answer]:
    return {
        r.item_id: Answer(
            None if r.value_json is None else json.loads(r.value_json), r.not_applicable
        )
        for r in records
    }


def _rescore(s: Session, insp: Inspection, template: ChecklistTemplate) -> ScoreResult:
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


def _require_status(insp: Inspection, allowed: Iterable[str], message: str) -> None:
    """Refuse unless the status is allowed; ``message`` is translated and takes {id}, {status}."""
    if insp.status not in set(allowed):
        raise InvalidInput(message.format(id=insp.id[:8], status=status_label(insp.status)))


def _set_status(
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
    db: Database,
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
    with db.transaction() as s:
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
        _rescore(s, insp, template_of(tv))
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


def _check_finding_texts(changes: dict[str, Any]) -> None:
    """A finding's texts within their caps (``limits``), by field."""
    whats = {
        "description": (limits.FINDING_TEXT, _("the description")),
        "requirement": (limits.FINDING_TEXT, _("the requirement")),
        "resolution_note": (limits.FINDING_TEXT, _("the resolution note")),
        "responsible": (limits.NAME, _("the responsible person")),
    }
    for key, (cap, what) in whats.items():
        value = changes.get(key)
        if isinstance(value, str):
            check_length(value.strip(), cap, what, where=_("finding"))


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


# -- answering ----------------------------------------------------------------------------


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


def _normalize(template: ChecklistTemplate, item_id: str, value: Any) -> Any:
    item = item_of(template, item_id)
    if item is None:  # veto: yes = triggered
        veto_item = Item(
            id="veto", title=template.veto(item_id).title, type=AnswerType.YES_NO, points=1
        )
        item = veto_item
    try:
        return normalize_answer(item, value)
    except AnswerError as exc:
        raise InvalidInput(
            _("item {item}: {problem}", item=item_id, problem=exc), problem=str(exc)
        ) from None


@dataclass(frozen=True)
class EditResult:
    answer: AnswerRecord
    score: ScoreResult


def _apply(
    s: Session,
    insp: Inspection,
    template: ChecklistTemplate,
    item_id: str,
    actor: str,
    changes: dict[str, Any],
    existing: dict[str, AnswerRecord] | None = None,
    expected: str | None = None,
) -> AnswerRecord:
    """Apply one answer edit inside the caller's transaction, audited field by field.

    ``existing`` (the inspection's answers by item) spares a query per item in batches.
    ``expected``: the answer's version the caller last saw (``AnswerView.version``); if it
    changed since, nothing is written and ``Stale`` says so.
    """
    item = item_of(template, item_id)
    changes = dict(changes)
    if isinstance(changes.get("comment"), str):
        check_length(
            changes["comment"],
            limits.COMMENT,
            _("the comment"),
            where=_("item {item}", item=item_id),
        )
    for kind in ("value", "comment"):
        if kind in changes:  # this edit replaces what was being typed there
            drafts.discard_in(s, insp.id, item_id, kind)
    if "value" in changes:
        raw = changes.pop("value")
        changes["value_json"] = (
            None
            if raw is None
            else json.dumps(_normalize(template, item_id, raw), ensure_ascii=False)
        )
    if changes.get("not_applicable") and (item is None or not item.na_allowed):
        raise InvalidInput(_("item {item} cannot be marked not applicable", item=item_id))
    if existing is not None:
        rec = existing.get(item_id)
    else:
        rec = s.exec(
            select(AnswerRecord).where(
                AnswerRecord.inspection_id == insp.id, AnswerRecord.item_id == item_id
            )
        ).first()
    if expected is not None and answer_version(rec) != expected:
        raise Stale(
            _(
                "item {item} changed since it was shown (in another window, on the command line or by a package); nothing was saved: look at it again",
                item=item_title(template, item_id),
            ),
            problem=_(
                "changed since it was shown; nothing was saved: look at it again",
            ),
        )
    created = rec is None
    if rec is None:
        rec = AnswerRecord(inspection_id=insp.id, item_id=item_id, revision=0)
    touched = False
    for key, new in changes.items():
        old = getattr(rec, key)
        if old == new:
            continue
        setattr(rec, key, new)
        touched = True
        is_json = key.endswith("_json")
        audit.append(
            s,
            actor=actor,
            action="answer",
            entity="answer",
            entity_id=rec.id,
            inspection_id=insp.id,
            field=f"{item_id}.{key.removesuffix('_json')}",
            old=json.loads(old) if is_json and old else old,
            new=json.loads(new) if is_json and new else new,
        )
    if touched or created:
        rec.base_revision = rec.revision
        rec.revision += 1
        rec.updated_at = utcnow()
        s.add(rec)  # flushed by the rescore's query (autoflush)
    return rec


def _edit_answer(
    db: Database,
    inspection_id: str,
    item_id: str,
    actor: str,
    expected: str | None = None,
    **changes: Any,
) -> EditResult:
    with db.transaction() as s:
        insp = get_inspection(s, inspection_id)
        require_editable(insp)
        template = template_for(s, insp)
        rec = _apply(s, insp, template, item_id, actor, changes, expected=expected)
        result = _rescore(s, insp, template)
    return EditResult(rec, result)


def answer_many(
    db: Database, inspection_id: str, edits: dict[str, dict[str, Any]], *, actor: str
) -> ScoreResult:
    """Several answer edits ({item: {value|not_applicable|comment|...}}) in one transaction."""
    with db.transaction() as s:
        insp = get_inspection(s, inspection_id)
        require_editable(insp)
        template = template_for(s, insp)
        existing = _answers(s, insp.id)
        for item_id, changes in edits.items():
            if changes.get("not_applicable"):
                changes = {"value": None, **changes}
            elif "value" in changes:
                changes = {"not_applicable": False, **changes}
            existing[item_id] = _apply(s, insp, template, item_id, actor, changes, existing)
        return _rescore(s, insp, template)


# Every answer write takes ``expected``, the answer's version the caller last saw
# (``AnswerView.version``): given, the write is refused with ``Stale`` if the answer changed
# since. The desktop always gives it; a command-line run reads and writes in one go.


def answer_item(
    db: Database,
    inspection_id: str,
    item_id: str,
    value: Any,
    *,
    actor: str,
    expected: str | None = None,
) -> EditResult:
    """Set (or with ``None`` clear) an answer; answering also clears not-applicable."""
    return _edit_answer(
        db, inspection_id, item_id, actor, expected, value=value, not_applicable=False
    )


def mark_not_applicable(
    db: Database,
    inspection_id: str,
    item_id: str,
    *,
    actor: str,
    not_applicable: bool = True,
    expected: str | None = None,
) -> EditResult:
    changes: dict[str, Any] = {"not_applicable": not_applicable}
    if not_applicable:
        changes["value"] = None
    return _edit_answer(db, inspection_id, item_id, actor, expected, **changes)


def comment_item(
    db: Database,
    inspection_id: str,
    item_id: str,
    comment: str,
    *,
    actor: str,
    expected: str | None = None,
) -> EditResult:
    return _edit_answer(
        db, inspection_id, item_id, actor, expected, comment=comment.strip() or None
    )


def set_evidence_checked(
    db: Database,
    inspection_id: str,
    item_id: str,
    checked: Iterable[int],
    *,
    actor: str,
    expected: str | None = None,
) -> EditResult:
    return _edit_answer(
        db,
        inspection_id,
        item_id,
        actor,
        expected,
        evidence_checked=json.dumps(sorted(set(checked))),
    )


# -- findings -----------------------------------------------------------------------------


def add_finding(
    db: Database,
    inspection_id: str,
    *,
    description: str,
    actor: str,
    severity: str = FindingSeverity.MINOR.value,
    item_id: str | None = None,
    requirement: str = "",
    deadline: dt.date | None = None,
    responsible: str = "",
) -> Finding:
    if not description.strip():
        raise InvalidInput(_("a finding needs a description"))
    _check_finding_texts(
        {"description": description, "requirement": requirement, "responsible": responsible}
    )
    if severity not in {s.value for s in FindingSeverity}:
        raise InvalidInput(
            _("unknown severity {value!r} (use minor, major or critical)", value=severity)
        )
    with db.transaction() as s:
        insp = get_inspection(s, inspection_id)
        require_editable(insp)
        if item_id is not None:
            item_of(template_for(s, insp), item_id)
        f = Finding(
            inspection_id=insp.id,
            item_id=item_id,
            severity=severity,
            description=description.strip(),
            requirement=requirement.strip(),
            deadline=deadline,
            responsible=responsible.strip(),
        )
        s.add(f)
        s.flush()
        audit.append(
            s,
            actor=actor,
            action="create",
            entity="finding",
            entity_id=f.id,
            inspection_id=insp.id,
            new={
                "severity": severity,
                "description": f.description,
                "item": item_id,
                "requirement": f.requirement,
                "deadline": deadline.isoformat() if deadline else None,
                "responsible": f.responsible,
            },
        )
        insp.updated_at = utcnow()
        s.add(insp)
    return f


FINDING_FIELDS = (
    "description",
    "severity",
    "item_id",
    "requirement",
    "deadline",
    "responsible",
    "status",
    "resolution_note",
)


def update_finding(db: Database, finding_id: str, *, actor: str, **changes: Any) -> Finding:
    """Change a finding or its corrective action; each changed field is audited."""
    unknown = set(changes) - set(FINDING_FIELDS)
    if unknown:
        raise InvalidInput(_("unknown finding fields: {fields}", fields=", ".join(sorted(unknown))))
    if "status" in changes and changes["status"] not in {s.value for s in FindingStatus}:
        raise InvalidInput(_("unknown finding status {value!r}", value=changes["status"]))
    if "severity" in changes and changes["severity"] not in {s.value for s in FindingSeverity}:
        raise InvalidInput(
            _(
                "unknown severity {value!r} (use minor, major or critical)",
                value=changes["severity"],
            )
        )
    if "description" in changes and not str(changes["description"] or "").strip():
        raise InvalidInput(_("a finding needs a description"))
    _check_finding_texts(changes)
    with db.transaction() as s:
        f = s.get(Finding, finding_id)
        if f is None:
            raise NotFound(_("no finding {id}", id=finding_id))
        insp = get_inspection(s, f.inspection_id)
        require_editable(insp)
        if changes.get("item_id"):
            item_of(template_for(s, insp), changes["item_id"])
        touched = False
        for key, new in changes.items():
            if isinstance(new, str):
                new = new.strip()
            if key == "resolution_note" and not new:
                continue
            old = getattr(f, key)
            if old == new:
                continue
            audit.append(
                s,
                actor=actor,
                action="update",
                entity="finding",
                entity_id=f.id,
                inspection_id=f.inspection_id,
                field=key,
                old=old,
                new=new,
            )
            setattr(f, key, new)
            touched = True
        if touched:
            f.base_revision = f.revision
            f.revision += 1
            f.updated_at = utcnow()
            s.add(f)
    return f


def set_finding_status(
    db: Database, finding_id: str, status: str, *, actor: str, note: str | None = None
) -> Finding:
    return update_finding(db, finding_id, actor=actor, status=status, resolution_note=note)


def completion_summary(db: Database, inspection_id: str) -> dict[str, Any]:
    """What the inspector reviews before completing: score, vetoes, what is still missing."""
    from inspector_app.services.photos import missing_photos

    state = load_inspection_state(db, inspection_id)
    t = state.template
    with db.session() as s:
        open_rows = s.exec(
            select(Finding).where(
                Finding.inspection_id == state.id, Finding.status == FindingStatus.OPEN.value
            )
        ).all()
    missing_photo_counts = missing_photos(db, inspection_id)
    return {
        "score": state.score.total,
        "max_score": state.score.max_total,
        "grade": state.score.grade,
        "grade_label": grade_label(t, state.score.grade),
        "vetoes": [
            {
                "title": pick({"zh": v.title_zh, "en": v.title_en}),
                "reason": pick({"zh": v.reason_zh, "en": v.reason_en}),
            }
            for v in state.score.vetoes
        ],
        "missing_required": describe_missing(t, state.score.missing_required),
        "missing_photos": [
            {"item": item_id, "title": pick(t.item(item_id).title), "missing": n}
            for item_id, n in missing_photo_counts.items()
            if n > 0
        ],
        "open_findings": [
            {
                "id": f.id,
                "description": f.description,
                "severity": f.severity,
                "deadline": f.deadline.isoformat() if f.deadline else None,
            }
            for f in open_rows
        ],
        "can_complete": not state.score.missing_required and state.editable,
        "sample_weights": t.uses_sample_weights,
    }


# -- completion, amendment, signatures ----------------------------------------------------


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "item": f.item_id,
        "severity": f.severity,
        "description": f.description,
        "requirement": f.requirement,
        "deadline": f.deadline.isoformat() if f.deadline else None,
        "responsible": f.responsible,
        "status": f.status,
        "carried_from": f.carried_from_id,
    }


def canonical_data(s: Session, insp: Inspection) -> dict[str, Any]:
    """The inspection as canonical data: what a completion freezes and a report's QR hashes."""
    site = s.get(Site, insp.site_id)
    assert site is not None
    answers = sorted(_answers(s, insp.id).values(), key=lambda r: r.item_id)
    findings = s.exec(
        select(Finding)
        .where(Finding.inspection_id == insp.id)
        .order_by(Finding.created_at, Finding.id)
    ).all()
    photos = s.exec(
        select(Photo).where(Photo.inspection_id == insp.id).order_by(Photo.sha256)
    ).all()
    links: dict[str, list[dict[str, str]]] = {}
    for link in s.exec(
        select(FindingPhoto)
        .join(Finding, Finding.id == FindingPhoto.finding_id)
        .where(Finding.inspection_id == insp.id)
        .order_by(FindingPhoto.photo_id)
    ).all():
        links.setdefault(link.finding_id, []).append({"photo": link.photo_id, "role": link.role})
    return {
        "inspection": insp.id,
        "revision": insp.revision,
        "site": {"id": site.id, "code": site.code, "name": site.name},
        "template": {
            "id": insp.template_id,
            "version": insp.template_version,
            "hash": insp.template_hash,
        },
        "inspectors": json.loads(insp.inspectors),
        "started_on": insp.started_on.isoformat(),
        "ended_on": insp.ended_on.isoformat() if insp.ended_on else None,
        "answers": [
            {
                "item": a.item_id,
                "value": None if a.value_json is None else json.loads(a.value_json),
                "na": a.not_applicable,
                "comment": a.comment,
                "evidence": json.loads(a.evidence_checked),
            }
            for a in answers
        ],
        "findings": [{**finding_dict(f), "photos": links.get(f.id, [])} for f in findings],
        # the evidence: each original by its SHA-256, so the frozen hash covers the photos
        "photos": [
            {"id": p.id, "sha256": p.sha256, "item": p.item_id, "caption": p.caption}
            for p in photos
        ],
    }


def data_hash(data: dict[str, Any]) -> str:
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


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


def complete_inspection(
    db: Database, inspection_id: str, *, actor: str, ended_on: dt.date | None = None
) -> InspectionRevision:
    """Freeze score and answers; refuse while a required item or veto is unanswered."""
    with db.transaction() as s:
        insp = get_inspection(s, inspection_id)
        require_editable(insp)
        template = template_for(s, insp)
        result = _rescore(s, insp, template)
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
            **report_presentation(),
        )
        s.add(snap)
        _set_status(s, insp, InspectionStatus.COMPLETED.value, actor=actor, action="complete")
        insp.completed_at = now
    return snap


def amend_inspection(db: Database, inspection_id: str, *, reason: str, actor: str) -> Inspection:
    """Reopen a completed inspection as a new revision; the old revision stays on record."""
    if not reason.strip():
        raise InvalidInput(_("an amendment needs a reason"))
    check_length(reason.strip(), limits.REASON, _("the reason"))
    with db.transaction() as s:
        insp = get_inspection(s, inspection_id)
        _require_status(
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


def record_signature(
    db: Database,
    inspection_id: str,
    *,
    signer_name: str,
    role: str,
    image_png: bytes,
    actor: str,
    signed_at: dt.datetime | None = None,
) -> Signature:
    """Bind a drawn signature to the completed revision; all inspectors signed -> signed."""
    if role not in set(vocab.SignatureRole):
        raise InvalidInput(_("unknown signer role {value!r}", value=role))
    if not signer_name.strip():
        raise InvalidInput(_("a signature needs the signer's name"))
    check_length(signer_name.strip(), limits.NAME, _("the signer's name"))
    if not image_png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise InvalidInput(_("a signature must be a PNG image"))
    with db.transaction() as s:
        insp = get_inspection(s, inspection_id)
        _require_status(
            insp,
            (InspectionStatus.COMPLETED.value, InspectionStatus.SIGNED.value),
            _("signatures are taken on a completed inspection; {id} is {status}"),
        )
        snap = s.exec(
            select(InspectionRevision).where(
                InspectionRevision.inspection_id == insp.id,
                InspectionRevision.revision == insp.revision,
            )
        ).one()
        sig = Signature(
            inspection_id=insp.id,
            inspection_revision=insp.revision,
            data_hash=snap.data_hash,
            signer_name=signer_name.strip(),
            role=role,
            signed_at=signed_at or utcnow(),
            image_png=image_png,
        )
        s.add(sig)
        s.flush()
        audit.append(
            s,
            actor=actor,
            action="sign",
            entity="signature",
            entity_id=sig.id,
            inspection_id=insp.id,
            new={
                "signer": sig.signer_name,
                "role": role,
                "revision": insp.revision,
                "data_hash": snap.data_hash,
                "image_sha256": hashlib.sha256(image_png).hexdigest(),
            },
        )
        signed = set(
            s.exec(
                select(Signature.signer_name).where(
                    Signature.inspection_id == insp.id,
                    Signature.inspection_revision == insp.revision,
                    Signature.role == "inspector",
                )
            ).all()
        )
        if (
            insp.status == InspectionStatus.COMPLETED.value
            and set(json.loads(insp.inspectors)) <= signed
        ):
            _set_status(s, insp, InspectionStatus.SIGNED.value, actor=actor, action="status")
    return sig


def mark_exported(db: Database, inspection_id: str, *, package: str, actor: str) -> Inspection:
    """Record that a signed inspection left in a package for headquarters."""
    with db.transaction() as s:
        insp = get_inspection(s, inspection_id)
        _require_status(
            insp,
            (InspectionStatus.SIGNED.value, InspectionStatus.EXPORTED.value),
            _("only a signed inspection can be exported; {id} is {status}"),
        )
        _set_status(
            s, insp, InspectionStatus.EXPORTED.value, actor=actor, action="export", package=package
        )
        insp.exported_at = insp.updated_at
    return insp


# -- the editor's view of one inspection ----------------------------------------------------


@dataclass(frozen=True)
class AnswerView:
    value: Any = None
    not_applicable: bool = False
    comment: str | None = None
    evidence: tuple[int, ...] = ()
    # the stored answer's version when read ("": none stored); a write that names it is
    # refused if the answer changed since. Not part of what the answer is.
    version: str = field(default="", compare=False)

    @property
    def answered(self) -> bool:
        return self.value is not None or self.not_applicable


def answer_view(rec: AnswerRecord | None) -> AnswerView:
    if rec is None:
        return AnswerView()
    return AnswerView(
        None if rec.value_json is None else json.loads(rec.value_json),
        rec.not_applicable,
        rec.comment,
        tuple(json.loads(rec.evidence_checked)),
        answer_version(rec),
    )


def answer_version(rec: AnswerRecord | None) -> str:
    """What identifies the state of a stored answer: its revision and everything it holds.
    Revision counters alone collide (a laptop's second edit and headquarters' second edit
    are both revision 2); the same version means the same answer, so nothing unseen is lost
    by writing over it. "" when none is stored."""
    if rec is None:
        return ""
    state = [rec.revision, rec.value_json, rec.not_applicable, rec.comment, rec.evidence_checked]
    return hashlib.sha256(json.dumps(state, ensure_ascii=False).encode()).hexdigest()[:16]


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


def load_inspection_state(db: Database, inspection_id: str) -> InspectionState:
    with db.session() as s:
        read = _read(s, inspection_id)
        open_findings = len(
            s.exec(
                select(Finding.id).where(
                    Finding.inspection_id == read.insp.id,
                    Finding.status == FindingStatus.OPEN.value,
                )
            ).all()
        )
    return _state(read, open_findings)


@dataclass(frozen=True)
class _Read:
    """One inspection with its site, template, answers and score, read in one session."""

    insp: Inspection
    site: Site
    template_row: TemplateVersion
    template: ChecklistTemplate
    records: dict[str, AnswerRecord]
    score: ScoreResult


def _read(s: Session, inspection_id: str) -> _Read:
    insp = get_inspection(s, inspection_id)
    site = s.get(Site, insp.site_id)
    assert site is not None  # foreign key
    row = s.get(TemplateVersion, insp.template_version_id)
    assert row is not None  # foreign key
    template = template_of(row)
    records = _answers(s, insp.id)
    score = score_inspection(template, answers_for_scoring(records.values()))
    return _Read(insp, site, row, template, records, score)


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
        inspectors=json.loads(insp.inspectors),
        started_on=insp.started_on,
        answers={k: answer_view(r) for k, r in read.records.items()},
        score=read.score,
        open_findings=open_findings,
    )


def restore_answer(
    db: Database,
    inspection_id: str,
    item_id: str,
    view: AnswerView,
    *,
    actor: str,
    expected: str | None = None,
) -> EditResult:
    """Put an answer back as it was (undo/redo): value or not-applicable, in one edit.

    ``expected``: the answer's version after the edit being undone; an answer that changed
    since (a package taken, another window) is not overwritten: ``Stale``.
    """
    if view.not_applicable:
        edit: dict[str, Any] = {"not_applicable": True, "value": None}
    else:
        edit = {"value": view.value, "not_applicable": False}
    return _edit_answer(db, inspection_id, item_id, actor, expected, **edit)


# -- queries for lists and detail views ---------------------------------------------------


def inspection_detail(db: Database, inspection_id: str) -> dict[str, Any]:
    """Everything ``inspections show`` prints, scored by the same pure function."""
    return inspection_detail_and_state(db, inspection_id)[0]


def inspection_detail_and_state(
    db: Database, inspection_id: str
) -> tuple[dict[str, Any], InspectionState]:
    """``inspection_detail`` and ``load_inspection_state`` from one read and one scoring."""
    with db.session() as s:
        read = _read(s, inspection_id)
        insp, site, template, records, result = (
            read.insp,
            read.site,
            read.template,
            read.records,
            read.score,
        )
        findings = s.exec(
            select(Finding)
            .where(Finding.inspection_id == insp.id)
            .order_by(Finding.created_at, Finding.id)
        ).all()
        revisions = s.exec(
            select(InspectionRevision)
            .where(InspectionRevision.inspection_id == insp.id)
            .order_by(InspectionRevision.revision)
        ).all()
        signatures = s.exec(
            select(Signature)
            .where(Signature.inspection_id == insp.id)
            .order_by(Signature.signed_at)
        ).all()
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
                    "value": None
                    if rec is None or rec.value_json is None
                    else json.loads(rec.value_json),
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
        "inspectors": json.loads(insp.inspectors),
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
                "score": json.loads(r.score_json)["total"],
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
        "template_version_id": read.template_row.id,
        "display_zone": timefmt.zone_name(),  # the zone of every *_display time
    }
    open_findings = sum(1 for f in findings if f.status == FindingStatus.OPEN.value)
    return detail, _state(read, open_findings)


def _lang_en() -> bool:
    from inspector_app.i18n import current_language

    return current_language() == "en"


def signatures_of(db: Database, inspection_id: str) -> list[Signature]:
    """The signatures given on the inspection's current revision."""
    with db.session() as s:
        insp = get_inspection(s, inspection_id)
        return list(
            s.exec(
                select(Signature)
                .where(
                    Signature.inspection_id == insp.id,
                    Signature.inspection_revision == insp.revision,
                )
                .order_by(Signature.signed_at)
            ).all()
        )


def pending_signers(db: Database, inspection_id: str) -> list[tuple[str, str]]:
    """Who still has to sign this revision: each inspector, then the site's representative."""
    with db.session() as s:
        insp = get_inspection(s, inspection_id)
        site = s.get(Site, insp.site_id)
        inspectors = json.loads(insp.inspectors)
    done = signatures_of(db, inspection_id)
    signed = {g.signer_name for g in done if g.role == "inspector"}
    pending = [(name, "inspector") for name in inspectors if name not in signed]
    if not any(g.role == "site_representative" for g in done):
        pending.append((site.contact_name or "" if site else "", "site_representative"))
    return pending
