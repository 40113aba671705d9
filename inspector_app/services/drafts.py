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
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector_app import limits
from inspector_app.i18n import _
from inspector_app.services.errors import InvalidInput, ServiceError
from inspector_app.store.db import Database

if TYPE_CHECKING:
    from sqlmodel import Session

VALUE, COMMENT = "value", "comment"
KINDS = (VALUE, COMMENT)
_CAPS = {VALUE: limits.TEXT_ANSWER, COMMENT: limits.COMMENT}
_STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy keeps a DateTime in SQLite


def save_draft(
    db: Database, inspection_id: str, item_id: str, kind: str, text: str, *, actor: str
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
    with db.raw() as con:
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


def pending_drafts(db: Database, inspection_id: str | None = None) -> list[Draft]:
    with db.raw() as con:
        sql = "SELECT inspection_id, item_id, kind, text, actor FROM text_draft"
        args: tuple[str, ...] = ()
        if inspection_id is not None:
            sql += " WHERE inspection_id = ?"
            args = (inspection_id,)
        rows = con.execute(sql + " ORDER BY updated_at", args).fetchall()
    return [Draft(*r) for r in rows]


@dataclass(frozen=True)
class Recovery:
    applied: list[Draft]
    dropped: list[tuple[Draft, str]]  # with the reason


def apply_draft(db: Database, draft: Draft) -> None:
    """Turn one draft into the audited edit it stands for (and drop it)."""
    from inspector_app.services import inspections as svc

    text = draft.text
    if draft.kind == COMMENT:
        svc.comment_item(db, draft.inspection_id, draft.item_id, text, actor=draft.actor)
    else:
        svc.answer_item(
            db, draft.inspection_id, draft.item_id, text.strip() or None, actor=draft.actor
        )


def drop_draft(db: Database, draft: Draft) -> None:
    with db.raw() as con:
        con.execute(
            "DELETE FROM text_draft WHERE inspection_id = ? AND item_id = ? AND kind = ?",
            (draft.inspection_id, draft.item_id, draft.kind),
        )


def recover_drafts(db: Database) -> Recovery:
    """At start: every draft left by a crash becomes its edit; one that cannot (the inspection
    was completed meanwhile, the value is refused) is dropped, with the reason."""
    applied: list[Draft] = []
    dropped: list[tuple[Draft, str]] = []
    left = pending_drafts(db)
    if not left:
        return Recovery(applied, dropped)
    for draft in left:
        try:
            apply_draft(db, draft)
        except ServiceError as exc:
            drop_draft(db, draft)
            dropped.append((draft, str(exc)))
        else:
            applied.append(draft)
    return Recovery(applied, dropped)
