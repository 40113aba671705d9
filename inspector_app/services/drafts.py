"""Typed input on disk as it is typed, before it becomes one audited edit.

The editor writes what the inspector types (a text answer, a comment, a score or number
still being typed) to ``text_draft`` within a few milliseconds of the keystroke: one
statement in autocommit, durable on return (WAL, ``synchronous=FULL``). When typing pauses,
or the inspector moves on, the draft becomes an ordinary answer edit through
``services.inspections`` (audited, scored, one undo step) and the draft row goes in the same
transaction. After a crash, ``recover_drafts`` at the next start turns what is left into
those edits, so nothing typed is lost and the audit log gets one entry per typing run, not
one per keystroke.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector_app import limits
from inspector_app.i18n import _
from inspector_app.services.errors import InvalidInput, ServiceError
from inspector_app.store import locks
from inspector_app.workspace import Workspace

if TYPE_CHECKING:
    from sqlmodel import Session

    from inspector_app.domain.checklists.schema import ChecklistTemplate

VALUE, COMMENT = "value", "comment"
KINDS = (VALUE, COMMENT)
_CAPS = {VALUE: limits.TEXT_ANSWER, COMMENT: limits.COMMENT}
_STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy keeps a DateTime in SQLite


def save_draft(
    ws: Workspace, inspection_id: str, item_id: str, kind: str, text: str, *, actor: str
) -> None:
    """Keep what is being typed; durable when this returns."""
    if kind not in KINDS:
        raise InvalidInput(_("unknown draft kind {value!r}", value=kind))
    if len(text) > _CAPS[kind]:
        raise InvalidInput(
            _(
                "item {item}: {n} characters; at most {cap}",
                item=item_id,
                n=len(text),
                cap=_CAPS[kind],
            )
        )
    now = dt.datetime.now(dt.UTC).strftime(_STAMP)
    with ws.db.raw() as con:
        con.execute(
            "INSERT INTO text_draft (inspection_id, item_id, kind, text, actor, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (inspection_id, item_id, kind) "
            "DO UPDATE SET text = excluded.text, actor = excluded.actor, "
            "updated_at = excluded.updated_at",
            (inspection_id, item_id, kind, text, actor, now),
        )


def discard_in(s: Session, inspection_id: str, item_id: str, kind: str) -> None:
    """Drop a draft inside the caller's transaction: the edit that replaces it commits with it."""
    s.connection().exec_driver_sql(
        "DELETE FROM text_draft WHERE inspection_id = ? AND item_id = ? AND kind = ?",
        (inspection_id, item_id, kind),
    )


@dataclass(frozen=True)
class Draft:
    inspection_id: str
    item_id: str
    kind: str
    text: str
    actor: str


_ROWS = (
    "SELECT rowid, CAST(inspection_id AS BLOB), CAST(item_id AS BLOB), CAST(kind AS BLOB), "
    "CAST(text AS BLOB), CAST(actor AS BLOB) FROM text_draft"
)


def _text(value: object) -> str:
    """A column as read (bytes), as text; ``UnicodeDecodeError`` if it is not UTF-8."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return "" if value is None else str(value)


def _rows(ws: Workspace, inspection_id: str | None = None) -> list[tuple[int, Draft, str | None]]:
    """Every draft with its rowid, and why it cannot be read (a crafted database may hold
    bytes that are not UTF-8, which sqlite3 would raise on), oldest first."""
    sql: str = _ROWS
    args: tuple[str, ...] = ()
    if inspection_id is not None:
        sql, args = sql + " WHERE inspection_id = ?", (inspection_id,)
    with ws.db.raw() as con:
        rows = con.execute(sql + " ORDER BY updated_at", args).fetchall()
    out: list[tuple[int, Draft, str | None]] = []
    for rowid, *values in rows:
        try:
            out.append((rowid, Draft(*(_text(v) for v in values)), None))
        except UnicodeDecodeError:
            shown = (v.decode("utf-8", "replace") if isinstance(v, bytes) else "" for v in values)
            out.append((rowid, Draft(*shown), _("the draft is not valid UTF-8 text")))
    return out


def pending_drafts(ws: Workspace, inspection_id: str | None = None) -> list[Draft]:
    return [d for _rowid, d, _bad in _rows(ws, inspection_id)]


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


def drop_draft(ws: Workspace, draft: Draft) -> None:
    with ws.db.raw() as con:
        con.execute(
            "DELETE FROM text_draft WHERE inspection_id = ? AND item_id = ? AND kind = ?",
            (draft.inspection_id, draft.item_id, draft.kind),
        )


def _items(template: ChecklistTemplate) -> tuple[set[str], set[str]]:
    """Every item and veto, and the items the editor drafts: those typed key by key (text,
    score, number)."""
    from inspector_app.domain.checklists.schema import AnswerType

    typed = (AnswerType.TEXT, AnswerType.SCORE, AnswerType.NUMBER)
    every = {i.id for i in template.items()} | {v.id for v in template.vetoes}
    return every, {i.id for i in template.items() if i.type in typed}


def _why_not(ws: Workspace, rows: list[tuple[int, Draft, str | None]]) -> dict[int, str]:
    """Why each draft that the editor could not have written is not recovered, by rowid: it
    names no inspection here exactly (a prefix would be applied and never deleted), or one
    that is frozen, another kind, no item of its template, the value of an item that is not
    typed in (yes/no, a choice, a date, a veto), or an over-long name."""
    from inspector_app.services import inspections as svc
    from inspector_app.services.templates import template_of
    from inspector_app.store.models import Inspection, TemplateVersion

    why = {rowid: bad for rowid, _d, bad in rows if bad}
    # inspection -> why not, or its template, every item and the typed ones
    known: dict[str, tuple[str | None, str, set[str], set[str]]] = {}
    with ws.db.session() as s:
        for rowid, draft, bad in rows:
            if bad:
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
                        tv = s.get(TemplateVersion, insp.template_version_id)
                        every, typed = _items(template_of(tv)) if tv else (set(), set())
                        known[iid] = (None, insp.template_id, every, typed)
            refused, template_id, every, typed = known[iid]
            if refused:
                why[rowid] = refused
            elif draft.kind not in KINDS:
                why[rowid] = _("unknown draft kind {value!r}", value=draft.kind)
            elif draft.item_id not in every:
                why[rowid] = _(
                    "{template} has no item {item!r}", template=template_id, item=draft.item_id
                )
            elif draft.kind == VALUE and draft.item_id not in typed:
                why[rowid] = _("item {item}: its answer is not typed in", item=draft.item_id)
            elif problem := limits.length_problem(_("the name"), draft.actor, limits.ACTOR):
                why[rowid] = problem
    return why


DESKTOP_LOCK = ".desktop.lock"  # held by a desktop for the data folder it shows


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
    rows = _rows(ws)
    if not rows:
        return Recovery(applied, dropped)
    why = _why_not(ws, rows)
    if why:
        with ws.db.raw() as con:  # one statement: thousands of planted rows go at once
            con.execute(
                "DELETE FROM text_draft WHERE rowid IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(why)),),
            )
    for rowid, draft, _bad in rows:
        if rowid in why:
            dropped.append((draft, why[rowid]))
            continue
        try:
            apply_draft(ws, draft)
        except ServiceError as exc:
            drop_draft(ws, draft)
            dropped.append((draft, str(exc)))
        else:
            applied.append(draft)
    return Recovery(applied, dropped)
