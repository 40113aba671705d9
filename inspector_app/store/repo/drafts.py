"""The repository of typed input (``text_draft``): one statement each, in autocommit through
``Database.raw()``, durable on return (WAL, ``synchronous=FULL``) and without the ORM, so a
keystroke reaches the disk within milliseconds; and the delete that goes with the edit a
draft becomes, inside that edit's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector_app.domain.drafts import Draft

if TYPE_CHECKING:
    from inspector_app.store.db import AnyTx, Database

_STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy keeps a DateTime in SQLite
_DELETE = "DELETE FROM text_draft WHERE inspection_id = ? AND item_id = ? AND kind = ?"


def save(db: Database, draft: Draft) -> None:
    """Insert or replace the draft of its (inspection, item, kind), stamped now."""
    now = dt.datetime.now(dt.UTC).strftime(_STAMP)
    with db.raw() as con:
        con.execute(
            "INSERT INTO text_draft (inspection_id, item_id, kind, text, actor, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (inspection_id, item_id, kind) "
            "DO UPDATE SET text = excluded.text, actor = excluded.actor, "
            "updated_at = excluded.updated_at",
            (draft.inspection_id, draft.item_id, draft.kind, draft.text, draft.actor, now),
        )


def discard_in(tx: AnyTx, inspection_id: str, item_id: str, kind: str) -> None:
    """Delete a draft inside the caller's transaction (the edit that replaces it commits
    with it): a Core statement, the engine being loaded already."""
    from inspector_app.store.repo.answers import DISCARD_DRAFT

    tx.connection().execute(DISCARD_DRAFT, {"iid": inspection_id, "item": item_id, "kind": kind})


def drop(db: Database, inspection_id: str, item_id: str, kind: str) -> None:
    with db.raw() as con:
        con.execute(_DELETE, (inspection_id, item_id, kind))


@dataclass(frozen=True)
class StoredDraft:
    """A draft as read, with the key that deletes it (``drop_keys``); ``readable`` is False
    when its bytes are not UTF-8 (a crafted database): ``draft`` then shows them with U+FFFD."""

    key: int
    draft: Draft
    readable: bool = True


_ROWS = (
    "SELECT rowid, CAST(inspection_id AS BLOB), CAST(item_id AS BLOB), CAST(kind AS BLOB), "
    "CAST(text AS BLOB), CAST(actor AS BLOB) FROM text_draft"
)


def _text(value: object) -> str:
    """A column as read (bytes), as text; ``UnicodeDecodeError`` if it is not UTF-8."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return "" if value is None else str(value)


def stored(db: Database, inspection_id: str | None = None) -> list[StoredDraft]:
    """Every draft (of one inspection), oldest first. Read as bytes: sqlite3 would raise on
    text that is not UTF-8."""
    sql: str = _ROWS
    args: tuple[str, ...] = ()
    if inspection_id is not None:
        sql, args = sql + " WHERE inspection_id = ?", (inspection_id,)
    with db.raw() as con:
        rows = con.execute(sql + " ORDER BY updated_at", args).fetchall()
    out: list[StoredDraft] = []
    for key, *values in rows:
        try:
            out.append(StoredDraft(key, Draft(*(_text(v) for v in values))))
        except UnicodeDecodeError:
            shown = (v.decode("utf-8", "replace") if isinstance(v, bytes) else "" for v in values)
            out.append(StoredDraft(key, Draft(*shown), readable=False))
    return out


def drop_keys(db: Database, keys: Iterable[int]) -> None:
    """Delete the drafts of ``keys`` (``StoredDraft.key``) in one statement: thousands of
    planted rows go at once."""
    with db.raw() as con:
        con.execute(
            "DELETE FROM text_draft WHERE rowid IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(keys)),),
        )
