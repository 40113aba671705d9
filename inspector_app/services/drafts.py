"""Typed input on disk as it is typed, before it becomes one audited edit.

The editor writes what the inspector types (a text answer, a comment, a score or number
still being typed) to ``text_draft`` within a few milliseconds of the keystroke: one
statement in autocommit, durable on return (WAL, ``synchronous=FULL``). When typing pauses,
or the inspector moves on, the draft becomes an ordinary answer edit through
``services.answers`` (audited, scored, one undo step) and the draft row goes in the same
transaction (``discard_in``). After a crash, ``services.draft_recovery.recover_drafts`` at
the next start turns what is left into those edits, so nothing typed is lost and the audit
log gets one entry per typing run, not one per keystroke.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector_app import limits
from inspector_app.domain.drafts import COMMENT, KINDS, VALUE, Draft
from inspector_app.i18n import _
from inspector_app.services.errors import InvalidInput
from inspector_app.store.repo import drafts as repo
from inspector_app.workspace import Workspace

if TYPE_CHECKING:
    from inspector_app.store.db import Tx

__all__ = ["COMMENT", "DESKTOP_LOCK", "KINDS", "VALUE", "Draft"]

_CAPS = {VALUE: limits.TEXT_ANSWER, COMMENT: limits.COMMENT}
DESKTOP_LOCK = ".desktop.lock"  # held by a desktop for the data folder it shows


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
    repo.save(ws.db, Draft(inspection_id, item_id, kind, text, actor))


def discard_in(s: Tx, inspection_id: str, item_id: str, kind: str) -> None:
    """Drop a draft inside the caller's transaction: the edit that replaces it commits with it."""
    repo.discard_in(s, inspection_id, item_id, kind)


def stored_drafts(ws: Workspace, inspection_id: str | None = None) -> list[repo.StoredDraft]:
    """Every draft as stored, oldest first, also those that cannot be read as text."""
    return repo.stored(ws.db, inspection_id)


def pending_drafts(ws: Workspace, inspection_id: str | None = None) -> list[Draft]:
    return [row.draft for row in repo.stored(ws.db, inspection_id)]


def drop_draft(ws: Workspace, draft: Draft) -> None:
    repo.drop(ws.db, draft.inspection_id, draft.item_id, draft.kind)


def drop_stored(ws: Workspace, rows: list[repo.StoredDraft]) -> None:
    """Drop these drafts at once."""
    repo.drop_keys(ws.db, (row.key for row in rows))
