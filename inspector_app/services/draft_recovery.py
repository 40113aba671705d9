"""At start, what a crash left typed becomes its edits (``services/drafts.py`` keeps it).

Above both ``drafts`` and ``answers``: the edits a draft becomes are answers' (which drop the
draft through ``drafts.discard_in``), so recovering them lives in a module of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector_app import limits
from inspector_app.i18n import _
from inspector_app.services import drafts
from inspector_app.services.drafts import COMMENT, DESKTOP_LOCK, KINDS, VALUE, Draft
from inspector_app.services.errors import NotFound, ServiceError
from inspector_app.store import locks
from inspector_app.workspace import Workspace

if TYPE_CHECKING:
    from inspector_app.domain.checklists.schema import ChecklistTemplate
    from inspector_app.store.repo.drafts import StoredDraft


@dataclass(frozen=True)
class Recovery:
    applied: list[Draft]
    dropped: list[tuple[Draft, str]]  # with the reason


def apply_draft(ws: Workspace, draft: Draft) -> None:
    """Turn one draft into the audited edit it stands for (and drop it)."""
    from inspector_app.services import answers as answers_svc

    text = draft.text
    if draft.kind == COMMENT:
        answers_svc.comment_item(ws, draft.inspection_id, draft.item_id, text, actor=draft.actor)
    else:
        answers_svc.answer_item(
            ws, draft.inspection_id, draft.item_id, text.strip() or None, actor=draft.actor
        )


def _items(template: ChecklistTemplate) -> tuple[set[str], set[str]]:
    """Every item and veto, and the items the editor drafts: those typed key by key (text,
    score, number)."""
    from inspector_app.domain.checklists.schema import AnswerType

    typed = (AnswerType.TEXT, AnswerType.SCORE, AnswerType.NUMBER)
    every = {i.id for i in template.items()} | {v.id for v in template.vetoes}
    return every, {i.id for i in template.items() if i.type in typed}


def _why_not(ws: Workspace, rows: list[StoredDraft]) -> dict[int, str]:
    """Why each draft that the editor could not have written is not recovered, by key: it
    names no inspection here exactly (a prefix would be applied and never deleted), or one
    that is frozen, another kind, no item of its template, the value of an item that is not
    typed in (yes/no, a choice, a date, a veto), or an over-long name."""
    from inspector_app.services import inspections as svc
    from inspector_app.services.templates import template_in
    from inspector_app.store.models import Inspection

    why = {r.key: _("the draft is not valid UTF-8 text") for r in rows if not r.readable}
    # inspection -> why not, or its template, every item and the typed ones
    known: dict[str, tuple[str | None, str, set[str], set[str]]] = {}
    with ws.db.session() as s:
        for row in rows:
            draft = row.draft
            if not row.readable:
                continue
            iid = draft.inspection_id
            if iid not in known:
                insp = s.get(Inspection, iid)
                if insp is None:
                    known[iid] = (_("no inspection {id}", id=iid), "", set(), set())
                else:
                    try:
                        svc.require_editable(insp)
                    except ServiceError as exc:
                        known[iid] = (str(exc), "", set(), set())
                    else:
                        try:
                            every, typed = _items(template_in(s, insp.template_version_id))
                        except NotFound:
                            every, typed = set(), set()
                        known[iid] = (None, insp.template_id, every, typed)
            refused, template_id, every, typed = known[iid]
            if refused:
                why[row.key] = refused
            elif draft.kind not in KINDS:
                why[row.key] = _("unknown draft kind {value!r}", value=draft.kind)
            elif draft.item_id not in every:
                why[row.key] = _(
                    "{template} has no item {item!r}", template=template_id, item=draft.item_id
                )
            elif draft.kind == VALUE and draft.item_id not in typed:
                why[row.key] = _("item {item}: its answer is not typed in", item=draft.item_id)
            elif problem := limits.length_problem(_("the name"), draft.actor, limits.ACTOR):
                why[row.key] = problem
    return why


def recover_drafts(ws: Workspace, *, desktop: bool = False) -> Recovery:
    """At start: every draft left by a crash becomes its edit; one that cannot (the inspection
    was completed meanwhile, the value is refused) is dropped, with the reason. So is one the
    editor could not have written (``_why_not``): all of those at once, before any edit.

    The drafts of a desktop that is running on the folder are its own, not a crash's: a
    command-line run leaves them alone (the desktop holds ``DESKTOP_LOCK``; ``desktop=True``
    says the caller is that desktop and holds it)."""
    if desktop:
        return _recover(ws)
    held = locks.try_hold(ws.db.path.parent / DESKTOP_LOCK)
    if held is None:
        return Recovery([], [])
    try:
        return _recover(ws)
    finally:
        held.release()


def _recover(ws: Workspace) -> Recovery:
    applied: list[Draft] = []
    dropped: list[tuple[Draft, str]] = []
    rows = drafts.stored_drafts(ws)
    if not rows:
        return Recovery(applied, dropped)
    why = _why_not(ws, rows)
    if why:
        drafts.drop_stored(ws, [row for row in rows if row.key in why])
    for row in rows:
        if row.key in why:
            dropped.append((row.draft, why[row.key]))
            continue
        try:
            apply_draft(ws, row.draft)
        except ServiceError as exc:
            drafts.drop_draft(ws, row.draft)
            dropped.append((row.draft, str(exc)))
        else:
            applied.append(row.draft)
    return Recovery(applied, dropped)
