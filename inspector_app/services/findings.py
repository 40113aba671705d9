"""Findings of an inspection: add one, change it or its corrective action, set its status."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from inspector_app import limits
from inspector_app.domain.inspection import Finding
from inspector_app.i18n import _
from inspector_app.services.errors import InvalidInput, NotFound, check_length
from inspector_app.services.inspections import (
    find_inspection,
    item_of,
    require_editable,
    template_for,
)
from inspector_app.store import audit
from inspector_app.store.models import FindingSeverity, FindingStatus, new_id, utcnow
from inspector_app.store.repo import findings as repo
from inspector_app.store.repo import inspections as inspections_repo
from inspector_app.workspace import Workspace


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


def add_finding(
    ws: Workspace,
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
    with ws.db.transaction() as s:
        insp = find_inspection(s, inspection_id)
        require_editable(insp)
        if item_id is not None:
            item_of(template_for(s, insp), item_id)
        now = utcnow()
        f = Finding(
            id=new_id(),
            inspection_id=insp.id,
            item_id=item_id,
            severity=severity,
            description=description.strip(),
            requirement=requirement.strip(),
            deadline=deadline,
            responsible=responsible.strip(),
            status=FindingStatus.OPEN.value,
            created_at=now,
            updated_at=now,
        )
        repo.add(s, f)
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
        inspections_repo.save(s, dataclasses.replace(insp, updated_at=utcnow()))
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


def update_finding(ws: Workspace, finding_id: str, *, actor: str, **changes: Any) -> Finding:
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
    with ws.db.transaction() as s:
        f = repo.get(s, finding_id)
        if f is None:
            raise NotFound(_("no finding {id}", id=finding_id))
        insp = find_inspection(s, f.inspection_id)
        require_editable(insp)
        if changes.get("item_id"):
            item_of(template_for(s, insp), changes["item_id"])
        changed: dict[str, Any] = {}
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
            changed[key] = new
        if changed:
            f = dataclasses.replace(
                f,
                **changed,
                base_revision=f.revision,
                revision=f.revision + 1,
                updated_at=utcnow(),
            )
            repo.save(s, f)
    return f


def set_finding_status(
    ws: Workspace, finding_id: str, status: str, *, actor: str, note: str | None = None
) -> Finding:
    return update_finding(ws, finding_id, actor=actor, status=status, resolution_note=note)
