"""Inspection use cases shared by the CLI and the GUI: start, complete, amend, export, and the
lookups the other inspection services share (``find_inspection``, ``require_editable``,
``item_of``, ``template_for``, ``rescore``, the status moves).

Every write is one transaction that also appends to the audit log and refreshes the
inspection's cached score from the pure scoring function, so what a list shows is what
``score_inspection`` gives. A completed inspection is frozen: changing it means
``amend_inspection`` with a reason, which opens a new revision and keeps the old one.
Answers are in ``answers``, findings in ``findings``, signatures in ``signatures``, what
the editor and ``inspections show`` read in ``inspection_views``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from inspector_app import limits
from inspector_app.domain import inspection as dom
from inspector_app.domain import vocab
from inspector_app.domain.checklists.schema import ChecklistTemplate, Item
from inspector_app.domain.checklists.scoring import (
    Answer,
    ScoreResult,
    score_inspection,
)
from inspector_app.domain.inspection import Finding, Inspection, Revision, data_hash
from inspector_app.domain.vocab import AMENDABLE, EDITABLE
from inspector_app.i18n import _, pick
from inspector_app.services.browse import status_label
from inspector_app.services.errors import InvalidInput, Locked, NotFound, check_length
from inspector_app.store import audit
from inspector_app.store.models import FindingStatus, InspectionStatus, new_id, utcnow
from inspector_app.store.repo import answers as answers_repo
from inspector_app.store.repo import canonical as canonical_repo
from inspector_app.store.repo import findings as findings_repo
from inspector_app.store.repo import inspections as repo
from inspector_app.timefmt import zone_name
from inspector_app.workspace import Workspace

if TYPE_CHECKING:
    from inspector_app.store.db import AnyTx, Tx


class _Visit(Protocol):
    """What the status checks read of an inspection (a domain value, or a row)."""

    @property
    def id(self) -> str: ...

    @property
    def status(self) -> str: ...


class _Pinned(Protocol):
    @property
    def template_version_id(self) -> str: ...


def grade_label(template: ChecklistTemplate, grade_id: str) -> str:
    try:
        return pick(template.grade(grade_id).label)
    except KeyError:
        return grade_id


# -- reading ------------------------------------------------------------------------------


def find_inspection(s: AnyTx, inspection_id: str) -> Inspection:
    """The inspection by its id or an unambiguous prefix of it (6 characters or more)."""
    insp = repo.get(s, inspection_id)
    if insp is None:
        # allow an unambiguous prefix of the UUID, as people type them from lists
        if len(inspection_id) >= 6:
            rows = repo.by_prefix(s, inspection_id, limit=2)
            if len(rows) == 1:
                return rows[0]
        raise NotFound(_("no inspection {id}", id=inspection_id))
    return insp


def template_for(s: Tx, insp: _Pinned) -> ChecklistTemplate:
    template = repo.template(s, insp.template_version_id)
    if template is None:
        raise NotFound(_("template version {id} not found", id=insp.template_version_id))
    return template


def answers_of(s: Tx, inspection_id: str) -> dict[str, dom.Answer]:
    return answers_repo.answers(s, inspection_id)


def answers_for_scoring(records: Iterable[dom.Answer]) -> dict[str, Answer]:
    return {r.item_id: Answer(r.value, r.not_applicable) for r in records}


def score_and_keep(
    s: AnyTx, insp: Inspection, template: ChecklistTemplate, answers: Mapping[str, Answer]
) -> tuple[Inspection, ScoreResult]:
    """Score ``answers`` (the inspection's, as they now stand) and keep the result in the
    inspection's cached columns; the inspection as it now is, and its score."""
    result = score_inspection(template, answers)
    now = utcnow()
    repo.set_score(s, insp.id, result, now)
    kept = dataclasses.replace(
        insp,
        score_total=result.total,
        grade=result.grade,
        provisional=result.provisional,
        vetoed=result.vetoed,
        updated_at=now,
    )
    return kept, result


def rescore(s: Tx, insp: Inspection, template: ChecklistTemplate) -> ScoreResult:
    """Score the inspection's stored answers and keep the result in its score columns."""
    return score_and_keep(s, insp, template, answers_repo.for_scoring(s, insp.id))[1]


def require_editable(insp: _Visit) -> None:
    if insp.status not in EDITABLE:
        raise Locked(
            _(
                "inspection {id} is {status} and cannot be changed; amend it first (with a reason)",
                id=insp.id[:8],
                status=status_label(insp.status),
            )
        )


def require_status(insp: _Visit, allowed: Iterable[str], message: str) -> None:
    """Refuse unless the status is allowed; ``message`` is translated and takes {id}, {status}."""
    if insp.status not in set(allowed):
        raise InvalidInput(message.format(id=insp.id[:8], status=status_label(insp.status)))


def set_status(
    s: Tx, insp: Inspection, new: str, *, actor: str, action: str, **details: Any
) -> Inspection:
    """Move the inspection to status ``new``, audited; the inspection as it now is."""
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
    moved = dataclasses.replace(insp, status=new, updated_at=utcnow())
    repo.save(s, moved)
    return moved


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
        site = repo.site(s, site_id)
        if site is None:
            raise NotFound(_("no site {ref!r}", ref=site_id))
        tv = repo.template_pin(s, template_version_id)
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
        if inspection_id and repo.exists(s, inspection_id):
            raise InvalidInput(_("inspection {id} already exists", id=inspection_id))
        previous = repo.previous_visit(s, site.id, started_on)
        insp = Inspection(
            id=inspection_id or new_id(),
            site_id=site.id,
            template_version_id=tv.id,
            template_id=tv.template_id,
            template_version=tv.version,
            template_hash=tv.content_hash,
            inspectors=tuple(names),
            started_on=started_on,
            status=InspectionStatus.DRAFT.value,
            previous_inspection_id=previous.id if previous else None,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        repo.add(s, insp)
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
        template = repo.parsed_template(s, tv.id, tv.content_hash)
        insp = score_and_keep(s, insp, template, answers_repo.for_scoring(s, insp.id))[0]
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


def _carry_findings(s: Tx, previous: Inspection, insp: Inspection, actor: str) -> None:
    for old in findings_repo.open_as_written(s, previous.id):
        now = utcnow()
        f = Finding(
            id=new_id(),
            inspection_id=insp.id,
            item_id=old.item_id,
            severity=old.severity,
            description=old.description,
            requirement=old.requirement,
            deadline=old.deadline,
            responsible=old.responsible,
            status=FindingStatus.OPEN.value,
            carried_from_id=old.id,
            created_at=now,
            updated_at=now,
        )
        findings_repo.add(s, f)
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
) -> Revision:
    """Freeze score and answers; refuse while a required item or veto is unanswered."""
    with ws.db.transaction() as s:
        insp = find_inspection(s, inspection_id)
        require_editable(insp)
        template = template_for(s, insp)
        insp, result = score_and_keep(s, insp, template, answers_repo.for_scoring(s, insp.id))
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
        insp = dataclasses.replace(insp, ended_on=ended_on or insp.ended_on or insp.started_on)
        now = utcnow()
        data = canonical_repo.canonical(s, insp)
        snap = Revision(
            id=new_id(),
            inspection_id=insp.id,
            revision=insp.revision,
            completed_at=now,
            completed_by=actor,
            score=result.to_dict(),
            data_hash=data_hash(data),
            amend_reason=insp.amend_reason,
            # what its report is issued under, whatever the settings say later (0006)
            organisation=(ws.organisation or "")[:200] or None,
            display_zone=zone_name(),
        )
        repo.add_revision(s, snap, data)
        insp = set_status(s, insp, InspectionStatus.COMPLETED.value, actor=actor, action="complete")
        repo.save(s, dataclasses.replace(insp, completed_at=now))
    return snap


def amend_inspection(ws: Workspace, inspection_id: str, *, reason: str, actor: str) -> Inspection:
    """Reopen a completed inspection as a new revision; the old revision stays on record."""
    if not reason.strip():
        raise InvalidInput(_("an amendment needs a reason"))
    check_length(reason.strip(), limits.REASON, _("the reason"))
    with ws.db.transaction() as s:
        insp = find_inspection(s, inspection_id)
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
        if not vocab.allowed(insp.status, InspectionStatus.DRAFT.value):  # pragma: no cover
            raise AssertionError(f"no move from {insp.status} to draft")
        insp = dataclasses.replace(
            insp,
            base_revision=insp.revision,
            revision=insp.revision + 1,
            status=InspectionStatus.DRAFT.value,
            amend_reason=reason.strip(),
            completed_at=None,
            updated_at=utcnow(),
        )
        repo.save(s, insp)
    return insp


def mark_exported(ws: Workspace, inspection_id: str, *, package: str, actor: str) -> Inspection:
    """Record that a signed inspection left in a package for headquarters."""
    with ws.db.transaction() as s:
        insp = find_inspection(s, inspection_id)
        require_status(
            insp,
            (InspectionStatus.SIGNED.value, InspectionStatus.EXPORTED.value),
            _("only a signed inspection can be exported; {id} is {status}"),
        )
        insp = set_status(
            s, insp, InspectionStatus.EXPORTED.value, actor=actor, action="export", package=package
        )
        insp = dataclasses.replace(insp, exported_at=insp.updated_at)
        repo.save(s, insp)
    return insp
