"""Answer edits: set, clear, not applicable, comment, evidence, several at once, undo.

Each edit is one transaction, audited field by field, and rescores the inspection. Every
write can name the answer's version the caller last saw (``AnswerView.version``); an answer
that changed since is not overwritten: ``Stale``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from inspector_app import limits
from inspector_app.domain.checklists.schema import AnswerType, ChecklistTemplate, Item
from inspector_app.domain.checklists.scoring import (
    AnswerError,
    ScoreResult,
    normalize_answer,
)
from inspector_app.i18n import _
from inspector_app.services import drafts
from inspector_app.services.errors import InvalidInput, Stale, check_length
from inspector_app.services.inspections import (
    answers_of,
    get_inspection,
    item_of,
    item_title,
    require_editable,
    rescore,
    template_for,
)
from inspector_app.store import audit
from inspector_app.store.models import (
    AnswerRecord,
    Inspection,
    utcnow,
)
from inspector_app.workspace import Workspace


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
    ws: Workspace,
    inspection_id: str,
    item_id: str,
    actor: str,
    expected: str | None = None,
    **changes: Any,
) -> EditResult:
    with ws.db.transaction() as s:
        insp = get_inspection(s, inspection_id)
        require_editable(insp)
        template = template_for(s, insp)
        rec = _apply(s, insp, template, item_id, actor, changes, expected=expected)
        result = rescore(s, insp, template)
    return EditResult(rec, result)


def answer_many(
    ws: Workspace, inspection_id: str, edits: dict[str, dict[str, Any]], *, actor: str
) -> ScoreResult:
    """Several answer edits ({item: {value|not_applicable|comment|...}}) in one transaction."""
    with ws.db.transaction() as s:
        insp = get_inspection(s, inspection_id)
        require_editable(insp)
        template = template_for(s, insp)
        existing = answers_of(s, insp.id)
        for item_id, changes in edits.items():
            if changes.get("not_applicable"):
                changes = {"value": None, **changes}
            elif "value" in changes:
                changes = {"not_applicable": False, **changes}
            existing[item_id] = _apply(s, insp, template, item_id, actor, changes, existing)
        return rescore(s, insp, template)


# Every answer write takes ``expected``, the answer's version the caller last saw
# (``AnswerView.version``): given, the write is refused with ``Stale`` if the answer changed
# since. The desktop always gives it; a command-line run reads and writes in one go.


def answer_item(
    ws: Workspace,
    inspection_id: str,
    item_id: str,
    value: Any,
    *,
    actor: str,
    expected: str | None = None,
) -> EditResult:
    """Set (or with ``None`` clear) an answer; answering also clears not-applicable."""
    return _edit_answer(
        ws, inspection_id, item_id, actor, expected, value=value, not_applicable=False
    )


def mark_not_applicable(
    ws: Workspace,
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
    return _edit_answer(ws, inspection_id, item_id, actor, expected, **changes)


def comment_item(
    ws: Workspace,
    inspection_id: str,
    item_id: str,
    comment: str,
    *,
    actor: str,
    expected: str | None = None,
) -> EditResult:
    return _edit_answer(
        ws, inspection_id, item_id, actor, expected, comment=comment.strip() or None
    )


def set_evidence_checked(
    ws: Workspace,
    inspection_id: str,
    item_id: str,
    checked: Iterable[int],
    *,
    actor: str,
    expected: str | None = None,
) -> EditResult:
    return _edit_answer(
        ws,
        inspection_id,
        item_id,
        actor,
        expected,
        evidence_checked=json.dumps(sorted(set(checked))),
    )


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


def restore_answer(
    ws: Workspace,
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
    return _edit_answer(ws, inspection_id, item_id, actor, expected, **edit)
