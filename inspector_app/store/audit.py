"""The append-only, hash-chained audit log (RELIABILITY F24).

Each row's hash is SHA-256 over its own fields and the previous row's hash, so editing,
deleting or reordering any row breaks the chain at that row. Triggers in the schema refuse
UPDATE and DELETE, and ``prev_hash`` is unique, so two writers cannot fork the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Insert, text
from sqlmodel import Session

from inspector_app.store.models import AuditEntry, new_id

if TYPE_CHECKING:
    from inspector_app.store.db import AnyTx

GENESIS = "0" * 64
FIELDS = (  # what an entry's hash covers, with the previous entry's hash
    "seq",
    "id",
    "ts",
    "actor",
    "action",
    "entity",
    "entity_id",
    "inspection_id",
    "field",
    "old",
    "new",
)


def _row_hash(values: dict[str, Any], prev_hash: str) -> str:
    payload = json.dumps(
        {k: values[k] for k in FIELDS}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256((payload + prev_hash).encode("utf-8")).hexdigest()


def row_hash(values: dict[str, Any], prev_hash: str) -> str:
    """The hash of one entry (its fields without the two hashes) chained to ``prev_hash``:
    lets an entry that travelled in a package be checked on its own."""
    return _row_hash(values, prev_hash)


def to_text(value: Any) -> str | None:
    """How a value is written into the log: JSON, so old and new compare exactly."""
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


_INSERT: Insert = AuditEntry.__table__.insert()  # type: ignore[attr-defined]  # built once


def append(
    session: AnyTx,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    inspection_id: str | None = None,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
) -> dict[str, Any]:
    """Add one row to the chain inside the caller's transaction; the row as written.

    Plain SQL and an insert built once, on the session's connection: every edit writes one
    or more of these, so the ORM's per-object bookkeeping is skipped here.
    """
    conn = session.connection()
    last = conn.exec_driver_sql("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    values: dict[str, Any] = {
        "seq": seq,
        "id": new_id(),
        "ts": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "inspection_id": inspection_id,
        "field": field,
        "old": to_text(old),
        "new": to_text(new),
    }
    row = {**values, "prev_hash": prev, "hash": _row_hash(values, prev)}
    conn.execute(_INSERT, row)
    return row


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    rows: int
    first_bad_seq: int | None = None
    problem: str | None = None
    head: str = GENESIS


def verify_chain(session: Session) -> ChainCheck:
    """Walk the whole log; report the first row whose sequence, link or hash is wrong."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    rows = session.connection().execute(
        text(
            "SELECT seq, id, ts, actor, action, entity, entity_id, inspection_id, field, old, "
            "new, prev_hash, hash FROM audit_log ORDER BY seq"
        )
    )
    for row in rows:
        values = dict(row._mapping)
        count += 1
        seq = values["seq"]
        if seq != expected_seq:
            return ChainCheck(False, count, expected_seq, "missing or reordered row", prev)
        if values["prev_hash"] != prev:
            return ChainCheck(False, count, seq, "link to the previous row is broken", prev)
        if _row_hash(values, prev) != values["hash"]:
            return ChainCheck(False, count, seq, "row content does not match its hash", prev)
        prev = values["hash"]
        expected_seq += 1
    return ChainCheck(True, count, None, None, prev)
