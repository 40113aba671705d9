"""The repository of an inspection's history: its entries in this folder's audit log and the
names its rows are told by (findings, the inspections they were carried from, photos).

Plain sqlite3 through ``Database.raw()``, as the lists: the history window reads it off the
GUI thread without the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inspector_app.store.db import Database

ENTRY_KEYS = ("id", "seq", "ts", "actor", "action", "entity", "entity_id", "field", "old", "new")
_ENTRIES_SQL = f"SELECT {', '.join(ENTRY_KEYS)} FROM audit_log WHERE inspection_id = ? ORDER BY seq"


def audit_rows(db: Database, inspection_id: str) -> list[dict[str, Any]]:
    """The inspection's entries of this folder's log, by sequence, with ``ENTRY_KEYS`` (old
    and new as the log keeps them: JSON text)."""
    with db.raw() as con:
        rows = con.execute(_ENTRIES_SQL, (inspection_id,)).fetchall()
    return [dict(zip(ENTRY_KEYS, row, strict=True)) for row in rows]


@dataclass(frozen=True)
class Names:
    """What an inspection's history names things by."""

    findings: dict[str, str]  # finding id -> description
    carried_from: dict[str, str]  # id of a finding carried forward -> its inspection's date
    photos: dict[str, str]  # photo id -> original file name


def names(db: Database, inspection_id: str) -> Names:
    with db.raw() as con:
        findings = con.execute(
            "SELECT id, description FROM finding WHERE inspection_id = ?", (inspection_id,)
        ).fetchall()
        carried = con.execute(
            "SELECT f.id, i.started_on FROM finding AS f "
            "JOIN inspection AS i ON i.id = f.inspection_id "
            "WHERE f.id IN (SELECT carried_from_id FROM finding WHERE inspection_id = ?)",
            (inspection_id,),
        ).fetchall()
        photos = con.execute(
            "SELECT id, original_name FROM photo WHERE inspection_id = ?", (inspection_id,)
        ).fetchall()
    return Names(dict(findings), dict(carried), dict(photos))
