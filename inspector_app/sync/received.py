"""The history entries an inspection arrived with, kept with the device they came from.

Two kinds of rows in ``received_history``:

- *lineage* rows: the history of the version in use, in its order. With the entries of this
  folder's own log since, they are the inspection's history, which decides whether a later
  package fast-forwards or conflicts (``bundles.history_of``).
- rows kept to be shown only (``lineage`` False): the history of a version with the same
  content from another device, and the entries of a version a person replaced by another.
  They never count in a merge and never travel on.

Each row remembers the device whose package brought it here first (``device_id``; its
readable name is the one that device gave last, ``sync_device``). An entry's own hash is
checked when it arrives (``checks``) and can be checked again when shown
(``entry_hash_ok``); the entries are not linked into this folder's hash chain.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete
from sqlmodel import Session, select

from inspector_app.store import audit
from inspector_app.store.models import AuditEntry, ReceivedHistory

HASHED = tuple(audit.FIELDS)


def _table() -> Table:
    return ReceivedHistory.__table__  # type: ignore[attr-defined,no-any-return]


def _dump(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True)


def _local_head(s: Session) -> int:
    mark = s.exec(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)).first()  # type: ignore[union-attr]
    return mark or 0


def store_lineage(
    s: Session, inspection_id: str, entries: Sequence[dict[str, Any]], device_id: str | None
) -> None:
    """Make ``entries`` the history of the version in use, whole and in its order. An entry
    known here already in a version that counted keeps the device it came from first (one
    kept to be shown only claims nothing: anyone with a copy of a package can send a version
    of the same content under their own key); the entries of the version it replaces are
    kept, to be shown only."""
    old = s.exec(
        select(ReceivedHistory).where(ReceivedHistory.inspection_id == inspection_id)
    ).all()
    known = {r.id: r for r in old}
    s.connection().execute(delete(_table()).where(_table().c.inspection_id == inspection_id))
    mark = _local_head(s)
    rows = [
        {
            "id": e["id"],
            "inspection_id": inspection_id,
            "position": n,
            "entry_json": _dump(e),
            "local_seq": mark,
            "device_id": _first_device(known.get(e["id"])) or device_id,
            "lineage": True,
        }
        for n, e in enumerate(entries)
    ]
    taken = {e["id"] for e in entries}
    rows += [
        {
            "id": r.id,
            "inspection_id": inspection_id,
            "position": len(entries) + n,
            "entry_json": r.entry_json,
            "local_seq": r.local_seq,
            "device_id": r.device_id,
            "lineage": False,
        }
        for n, r in enumerate(sorted((r for r in old if r.id not in taken), key=_order))
    ]
    if rows:
        s.connection().execute(_table().insert(), rows)


def _first_device(row: ReceivedHistory | None) -> str | None:
    """The device that brought an entry here first in a version that counted."""
    return row.device_id if row is not None and row.lineage else None


def _order(row: ReceivedHistory) -> tuple[bool, int]:
    return (not row.lineage, row.position)


def store_shown_only(
    s: Session, inspection_id: str, entries: Sequence[dict[str, Any]], device_id: str | None
) -> int:
    """Keep the history of a version with the same content from another device, to be
    shown only: the entries not known here yet (received or in this folder's own log).
    Returns how many were new."""
    ids = [e["id"] for e in entries]
    known: set[str] = set()
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        known |= set(s.exec(select(ReceivedHistory.id).where(ReceivedHistory.id.in_(part))).all())  # type: ignore[attr-defined]
        known |= set(s.exec(select(AuditEntry.id).where(AuditEntry.id.in_(part))).all())  # type: ignore[attr-defined]
    start = s.exec(
        select(ReceivedHistory.position)
        .where(ReceivedHistory.inspection_id == inspection_id)
        .order_by(ReceivedHistory.position.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).first()
    position = -1 if start is None else start
    rows = []
    for e in entries:
        if e["id"] in known:
            continue
        known.add(e["id"])
        position += 1
        rows.append(
            {
                "id": e["id"],
                "inspection_id": inspection_id,
                "position": position,
                "entry_json": _dump(e),
                "local_seq": 0,
                "device_id": device_id,
                "lineage": False,
            }
        )
    if rows:
        s.connection().execute(_table().insert(), rows)
    return len(rows)


@dataclass(frozen=True)
class ReceivedEntry:
    """One received entry as the history window shows it."""

    entry: dict[str, Any]  # the audit fields, as its device wrote them
    position: int
    lineage: bool
    device_id: str | None
    hash_ok: bool  # the entry's own hash still checks


def entry_hash_ok(entry: dict[str, Any]) -> bool:
    """An entry's own hash over its fields and the hash it links to (not the chain)."""
    try:
        values = {k: entry[k] for k in HASHED}
        return bool(audit.row_hash(values, entry["prev_hash"]) == entry["hash"])
    except (KeyError, TypeError):
        return False


def received_entries(s: Session, inspection_id: str) -> list[ReceivedEntry]:
    """Every received entry of an inspection, the version in use first, in their order."""
    rows = s.exec(
        select(ReceivedHistory).where(ReceivedHistory.inspection_id == inspection_id)
    ).all()
    out = []
    for r in sorted(rows, key=_order):
        try:
            entry = json.loads(r.entry_json)
        except ValueError:
            entry = {}
        if not isinstance(entry, dict):
            entry = {}
        out.append(ReceivedEntry(entry, r.position, r.lineage, r.device_id, entry_hash_ok(entry)))
    return out
