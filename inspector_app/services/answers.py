"""Answer edits: set, clear, not applicable, comment, evidence, several at once, undo.

Each edit is one transaction, audited field by field, and rescores the inspection. Every
write can name the answer's version the caller last saw (``AnswerView.version``); an answer
that changed since is not overwritten: ``Stale``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from inspector_app import limits
from inspector_app.domain.checklists.schema import AnswerType, ChecklistTemplate, Item
from inspector_app.domain.checklists.scoring import (
    AnswerError,
    ScoreResult,
    normalize_answer,
)
from inspector_app.domain.inspection import Answer, Inspection
from inspector_app.i18n import _
from inspector_app.services.errors import InvalidInput, Stale, check_length
from inspector_app.services.inspections import (
    answers_for_scoring,
    find_inspection,
    item_of,
    item_title,
    require_editable,
    score_and_keep,
)
from inspector_app.store import audit
from inspector_app.store.models import new_id, utcnow
from inspector_app.store.repo import answers as repo
from inspector_app.store.repo import drafts as drafts_repo
from inspector_app.store.repo import inspections as inspections_repo
from inspector_app.workspace import Workspace

if TYPE_CHECKING:
    from inspector_app.store.db import AnyTx


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
    answer: Answer
    score: ScoreResult


# what an edit may change: the stored column, and the field of ``Answer`` holding it as stored
_STORED = {
    "value_json": "value_json",
    "not_applicable": "not_applicable",
    "comment": "comment",
    "evidence_checked": "evidence_json",
}


def _blank(inspection_id: str, item_id: str) -> Answer:
    """An answer not stored yet, as a new row starts."""
    return Answer(id=new_id(), inspection_id=inspection_id, item_id=item_id, revision=0)


def _stale(template: ChecklistTemplate, item_id: str) -> Stale:
    return Stale(
        _(
            "item {item} changed since it was shown (in another window, on the command line or by a package); nothing was saved: look at it again",
            item=item_title(template, item_id),
        ),
        problem=_(
            "changed since it was shown; nothing was saved: look at it again",
        ),
    )


def _apply(
    s: AnyTx,
    insp: Inspection,
    template: ChecklistTemplate,
    item_id: str,
    actor: str,
    changes: dict[str, Any],
    existing: dict[str, Answer],
    expected: str | None = None,
    drafts: bool = True,
) -> Answer:
    """Apply one answer edit inside the caller's transaction, audited field by field.

    ``existing``: the inspection's answers by item, as stored. ``expected``: the answer's
    version the caller last saw (``AnswerView.version``); if it changed since, nothing is
    written and ``Stale`` says so. ``drafts``: whether a draft may be typed for the item
    (False: none is, nothing to discard).
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
    if drafts:
        for kind in ("value", "comment"):
            if kind in changes:  # this edit replaces what was being typed there
                drafts_repo.discard_in(s, insp.id, item_id, kind)
    if "value" in changes:
        raw = changes.pop("value")
        changes["value_json"] = (
            None
            if raw is None
            else json.dumps(_normalize(template, item_id, raw), ensure_ascii=False)
        )
    if changes.get("not_applicable") and (item is None or not item.na_allowed):
        raise InvalidInput(_("item {item} cannot be marked not applicable", item=item_id))
    unknown = set(changes) - set(_STORED)
    if unknown:  # a bug, never the user's doing
        raise AssertionError(f"no answer field {sorted(unknown)}")
    rec = existing.get(item_id)
    if expected is not None and answer_version(rec) != expected:
        raise _stale(template, item_id)
    created = rec is None
    if rec is None:
        rec = _blank(insp.id, item_id)
    stored: dict[str, Any] = {}
    for key, new in changes.items():
        old = getattr(rec, _STORED[key])
        if old == new:
            continue
        stored[_STORED[key]] = new
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
    if not (stored or created):
        return rec
    value_json = stored.get("value_json", rec.value_json)
    evidence_json = stored.get("evidence_json", rec.evidence_json)
    rec = dataclasses.replace(
        rec,
        **stored,
        value=None if value_json is None else json.loads(value_json),
        evidence=tuple(json.loads(evidence_json)),
        base_revision=rec.revision,
        revision=rec.revision + 1,
        updated_at=utcnow(),
    )
    repo.save(s, rec, created=created)
    return rec


def _edit_target(s: AnyTx, inspection_id: str, item_id: str | None) -> repo.EditTarget:
    """What an edit reads first, by the inspection's id or an unambiguous prefix of it."""
    target = repo.edit_target(s, inspection_id, item_id)
    if target is None:
        insp = find_inspection(s, inspection_id)  # a prefix, or NotFound
        target = repo.edit_target(s, insp.id, item_id)
        assert target is not None
    return target


def _edit_answer(
    ws: Workspace,
    inspection_id: str,
    item_id: str,
    actor: str,
    expected: str | None = None,
    **changes: Any,
) -> EditResult:
    # the hot path of the desktop: one read for the inspection, its template, drafts and the
    # answer, one for what scoring reads, then the writes (docs/design.md, "Layers"), all
    # through the repository on a Core connection
    with ws.db.core_transaction() as s:
        target = _edit_target(s, inspection_id, item_id)
        insp = target.inspection
        require_editable(insp)
        template = inspections_repo.parsed_template(
            s, insp.template_version_id, target.content_hash
        )
        stored = {} if target.answer is None else {item_id: target.answer}
        rec = _apply(
            s, insp, template, item_id, actor, changes, stored, expected, target.drafts > 0
        )
        answers = repo.for_scoring(s, insp.id)
        result = score_and_keep(s, insp, template, answers)[1]
    return EditResult(rec, result)


def answer_many(
    ws: Workspace, inspection_id: str, edits: dict[str, dict[str, Any]], *, actor: str
) -> ScoreResult:
    """Several answer edits ({item: {value|not_applicable|comment|...}}) in one transaction."""
    with ws.db.transaction() as s:
        target = _edit_target(s, inspection_id, None)
        insp = target.inspection
        require_editable(insp)
        template = inspections_repo.parsed_template(
            s, insp.template_version_id, target.content_hash
        )
        existing = repo.answers(s, insp.id)
        for item_id, changes in edits.items():
            if changes.get("not_applicable"):
                changes = {"value": None, **changes}
            elif "value" in changes:
                changes = {"not_applicable": False, **changes}
            existing[item_id] = _apply(
                s, insp, template, item_id, actor, changes, existing, drafts=target.drafts > 0
            )
        return score_and_keep(s, insp, template, answers_for_scoring(existing.values()))[1]


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


def answer_view(rec: Answer | None) -> AnswerView:
    if rec is None:
        return AnswerView()
    return AnswerView(rec.value, rec.not_applicable, rec.comment, rec.evidence, rec.version)


def answer_version(rec: Answer | None) -> str:
    """What identifies the state of a stored answer: its revision and everything it holds.
    Revision counters alone collide (a laptop's second edit and headquarters' second edit
    are both revision 2); the same version means the same answer, so nothing unseen is lost
    by writing over it. "" when none is stored."""
    return "" if rec is None else rec.version


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
