"""The repository of packages (docs/sync.md): the devices whose packages came here and their
keys, the packages imported (receipts), the conflicts kept for a person, the history entries
inspections arrived with, and what an export reads besides the records
(``sync_records``: the records themselves, as rows).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, delete, literal_column
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from inspector_app.domain.packages import (
    Conflict,
    Device,
    PackagedInspection,
    Receipt,
    ReceivedEntry,
)
from inspector_app.domain.vocab import InspectionStatus
from inspector_app.store import audit
from inspector_app.store.models import (
    AuditEntry,
    Inspection,
    ReceivedHistory,
    Site,
    SyncConflict,
    SyncDevice,
    SyncReceipt,
)

if TYPE_CHECKING:
    from inspector_app.store.db import Tx

HASHED = tuple(audit.FIELDS)
CHUNK = 500  # ids per IN (...): well within SQLite's limit on parameters


class RecordClash(Exception):
    """Writes broke a constraint of the database (a unique or a foreign key); the message is
    the database's."""


@contextmanager
def checked_writes(tx: Tx) -> Iterator[None]:
    """The writes made inside, sent to the database at the end (the transaction goes on); a
    constraint they break raises ``RecordClash`` in place of the driver's error."""
    try:
        yield
        tx.flush()
    except IntegrityError as exc:
        raise RecordClash(str(exc.orig)) from None


def _decoded(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:  # pragma: no cover - written by this app
        return {}
    return value if isinstance(value, dict) else {}


# -- devices and receipts ---------------------------------------------------------------------


def _device(row: SyncDevice) -> Device:
    return Device(
        device_id=row.device_id,
        device_name=row.device_name,
        public_key=row.public_key,
        last_sequence=row.last_sequence,
        last_audit_head=row.last_audit_head,
        first_seen=row.first_seen,
    )


def device(tx: Tx, device_id: str) -> Device | None:
    row = tx.get(SyncDevice, device_id)
    return None if row is None else _device(row)


def devices(tx: Tx) -> list[Device]:
    """Every device whose packages came here."""
    return [_device(r) for r in tx.exec(select(SyncDevice)).all()]


def receipt(tx: Tx, package_id: str) -> Receipt | None:
    """The receipt of a package imported here, None if it was not."""
    row = tx.get(SyncReceipt, package_id)
    if row is None:
        return None
    return Receipt(
        package_id=row.package_id,
        device_id=row.device_id,
        sequence=row.sequence,
        file_sha256=row.file_sha256,
        actor=row.actor,
        result=_decoded(row.result_json),
        imported_at=row.imported_at,
    )


def record_import(tx: Tx, device: Device, receipt: Receipt) -> None:
    """The device as it stands after this package (new, or its name and sequence brought up
    to date) and the package's receipt; ``RecordClash`` when the package was imported
    meanwhile (by another window)."""
    row = tx.get(SyncDevice, device.device_id)
    if row is None:
        row = SyncDevice(device_id=device.device_id, public_key=device.public_key)
    row.device_name = device.device_name
    row.public_key = device.public_key
    row.first_seen = device.first_seen
    row.last_sequence = device.last_sequence
    row.last_audit_head = device.last_audit_head
    with checked_writes(tx):
        tx.add(row)
        tx.add(
            SyncReceipt(
                package_id=receipt.package_id,
                device_id=receipt.device_id,
                sequence=receipt.sequence,
                file_sha256=receipt.file_sha256,
                imported_at=receipt.imported_at,
                actor=receipt.actor,
                result_json=json.dumps(dict(receipt.result), ensure_ascii=False),
            )
        )


def set_import_result(tx: Tx, package_id: str, result: Mapping[str, Any]) -> None:
    """What the import of a package did, on its receipt."""
    row = tx.get(SyncReceipt, package_id)
    if row is None:
        raise LookupError(package_id)
    row.result_json = json.dumps(dict(result), ensure_ascii=False)
    tx.add(row)


# -- conflicts --------------------------------------------------------------------------------


def _conflict(row: SyncConflict) -> Conflict:
    return Conflict(
        id=row.id,
        package_id=row.package_id,
        entity=row.entity,
        entity_id=row.entity_id,
        local_hash=row.local_hash,
        incoming_hash=row.incoming_hash,
        incoming=_decoded(row.incoming_json),
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        resolution=row.resolution,
    )


def conflicts(tx: Tx, *, open_only: bool) -> list[tuple[Conflict, str]]:
    """The conflicts kept (the open ones, or all), in the order they were, each with the
    device whose package brought it."""
    q = select(SyncConflict, SyncReceipt).join(
        SyncReceipt,
        SyncReceipt.package_id == SyncConflict.package_id,  # type: ignore[arg-type]
    )
    if open_only:
        q = q.where(SyncConflict.resolved_at.is_(None))  # type: ignore[union-attr]
    rows = tx.exec(q.order_by(col(SyncConflict.created_at))).all()
    return [(_conflict(c), r.device_id) for c, r in rows]


def open_conflict_ids(tx: Tx) -> list[str]:
    """The ids of the open conflicts, in the order they were kept (the rowid orders those
    kept within one second)."""
    rows = tx.exec(
        select(SyncConflict.id)
        .where(SyncConflict.resolved_at.is_(None))  # type: ignore[union-attr]
        .order_by(col(SyncConflict.created_at), literal_column("sync_conflict.rowid"))
    ).all()
    return list(rows)


def conflict_record(tx: Tx, ref: str) -> SyncConflict | None:
    """A conflict's row by its id or an unambiguous prefix of at least 6 characters."""
    row = tx.get(SyncConflict, ref)
    if row is None and len(ref) >= 6:
        rows = tx.exec(
            select(SyncConflict).where(col(SyncConflict.id).startswith(ref)).limit(2)
        ).all()
        row = rows[0] if len(rows) == 1 else None
    return row


def find_conflict(tx: Tx, ref: str) -> Conflict | None:
    """A conflict by its id or an unambiguous prefix of at least 6 characters."""
    row = conflict_record(tx, ref)
    return None if row is None else _conflict(row)


def resolutions(tx: Tx, entity: str, entity_id: str, incoming_hash: str) -> list[str | None]:
    """How the conflicts kept earlier for this very incoming version were decided (None:
    still open)."""
    earlier = tx.exec(
        select(SyncConflict).where(
            SyncConflict.entity == entity,
            SyncConflict.entity_id == entity_id,
            SyncConflict.incoming_hash == incoming_hash,
        )
    ).all()
    return [c.resolution for c in earlier]


def add_conflict(tx: Tx, conflict: Conflict) -> None:
    tx.add(
        SyncConflict(
            id=conflict.id,
            package_id=conflict.package_id,
            entity=conflict.entity,
            entity_id=conflict.entity_id,
            local_hash=conflict.local_hash,
            incoming_hash=conflict.incoming_hash,
            incoming_json=json.dumps(dict(conflict.incoming), ensure_ascii=False, sort_keys=True),
            created_at=conflict.created_at,
            resolved_at=conflict.resolved_at,
            resolution=conflict.resolution,
        )
    )


def save_resolution(tx: Tx, conflict: Conflict) -> None:
    """A person's decision on a conflict: its ``resolution`` and when."""
    row = tx.get(SyncConflict, conflict.id)
    if row is None:
        raise LookupError(conflict.id)
    row.resolved_at = conflict.resolved_at
    row.resolution = conflict.resolution
    tx.add(row)


# -- what an export reads besides the records ----------------------------------------------------


def inspection_ids_by_start(tx: Tx) -> list[str]:
    """Every inspection here, the earliest started first."""
    return list(tx.exec(select(Inspection.id).order_by(col(Inspection.started_on))).all())


def signed_inspection_ids(tx: Tx) -> list[str]:
    return list(
        tx.exec(
            select(Inspection.id).where(Inspection.status == InspectionStatus.SIGNED.value)
        ).all()
    )


def audit_head(tx: Tx) -> str | None:
    """The hash of this folder's latest audit entry (None: nothing was written yet)."""
    return tx.exec(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()  # type: ignore[union-attr]


def _names(text: str) -> tuple[str, ...]:
    try:
        names = json.loads(text)
    except ValueError:
        return ()
    return tuple(str(n) for n in names) if isinstance(names, list) else ()


def packaged_inspections(tx: Tx, ids: Sequence[str]) -> list[PackagedInspection]:
    """The inspections ``ids`` as a package's summary lists them (one not here is left out)."""
    out = []
    for iid in ids:
        insp = tx.get(Inspection, iid)
        site = tx.get(Site, insp.site_id) if insp else None
        if insp is None or site is None:
            continue
        out.append(
            PackagedInspection(
                id=insp.id,
                site=site.name,
                site_code=site.code,
                template=insp.template_id,
                started_on=insp.started_on,
                inspectors=_names(insp.inspectors),
                status=insp.status,
                score=insp.score_total,
                grade=insp.grade,
            )
        )
    return out


# -- the history entries inspections arrived with (sync.received) --------------------------------


def _history_table() -> Table:
    return ReceivedHistory.__table__  # type: ignore[attr-defined,no-any-return]


def entry_hash_ok(entry: dict[str, Any]) -> bool:
    """An entry's own hash over its fields and the hash it links to (not the chain)."""
    try:
        values = {k: entry[k] for k in HASHED}
        return bool(audit.row_hash(values, entry["prev_hash"]) == entry["hash"])
    except (KeyError, TypeError):
        return False


def _received(row: ReceivedHistory) -> ReceivedEntry:
    entry = _decoded(row.entry_json)
    return ReceivedEntry(
        id=row.id,
        entry=entry,
        position=row.position,
        lineage=row.lineage,
        device_id=row.device_id,
        hash_ok=entry_hash_ok(entry),
        local_seq=row.local_seq,
    )


def _order(row: ReceivedHistory) -> tuple[bool, int]:
    return (not row.lineage, row.position)


def received_entries(tx: Tx, inspection_id: str) -> list[ReceivedEntry]:
    """Every received entry of an inspection, the version in use first, in their order."""
    rows = tx.exec(
        select(ReceivedHistory).where(ReceivedHistory.inspection_id == inspection_id)
    ).all()
    return [_received(r) for r in sorted(rows, key=_order)]


def lineage(tx: Tx, inspection_id: str) -> list[ReceivedEntry]:
    """The history the version in use arrived with, in its order."""
    rows = tx.exec(
        select(ReceivedHistory)
        .where(ReceivedHistory.inspection_id == inspection_id, ReceivedHistory.lineage)
        .order_by(ReceivedHistory.position)  # type: ignore[arg-type]
    ).all()
    return [_received(r) for r in rows]


def received_here(tx: Tx, inspection_id: str) -> bool:
    """True if the inspection arrived in a package (it was not started in this folder)."""
    return (
        tx.exec(
            select(ReceivedHistory.id).where(
                ReceivedHistory.inspection_id == inspection_id, ReceivedHistory.lineage
            )
        ).first()
        is not None
    )


def own_entries(tx: Tx, inspection_id: str) -> list[AuditEntry]:
    """This folder's own audit entries of an inspection, in their order."""
    return list(
        tx.exec(
            select(AuditEntry)
            .where(AuditEntry.inspection_id == inspection_id)
            .order_by(AuditEntry.seq)  # type: ignore[arg-type]
        ).all()
    )


def _dump(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True)


def _local_head(tx: Tx) -> int:
    mark = tx.exec(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)).first()  # type: ignore[union-attr]
    return mark or 0


def store_lineage(
    tx: Tx, inspection_id: str, entries: Sequence[dict[str, Any]], device_id: str | None
) -> None:
    """Make ``entries`` the history of the version in use, whole and in its order. An entry
    known here already in a version that counted keeps the device it came from first (one
    kept to be shown only claims nothing: anyone with a copy of a package can send a version
    of the same content under their own key); the entries of the version it replaces are
    kept, to be shown only."""
    old = tx.exec(
        select(ReceivedHistory).where(ReceivedHistory.inspection_id == inspection_id)
    ).all()
    known = {r.id: r for r in old}
    table = _history_table()
    tx.connection().execute(delete(table).where(table.c.inspection_id == inspection_id))
    mark = _local_head(tx)
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
        tx.connection().execute(table.insert(), rows)


def _first_device(row: ReceivedHistory | None) -> str | None:
    """The device that brought an entry here first in a version that counted."""
    return row.device_id if row is not None and row.lineage else None


def store_shown_only(
    tx: Tx, inspection_id: str, entries: Sequence[dict[str, Any]], device_id: str | None
) -> int:
    """Keep the history of a version with the same content from another device, to be
    shown only: the entries not known here yet (received or in this folder's own log).
    Returns how many were new."""
    ids = [e["id"] for e in entries]
    known: set[str] = set()
    for chunk in range(0, len(ids), CHUNK):
        part = ids[chunk : chunk + CHUNK]
        known |= set(
            tx.exec(select(ReceivedHistory.id).where(col(ReceivedHistory.id).in_(part))).all()
        )
        known |= set(tx.exec(select(AuditEntry.id).where(col(AuditEntry.id).in_(part))).all())
    start = tx.exec(
        select(ReceivedHistory.position)
        .where(ReceivedHistory.inspection_id == inspection_id)
        .order_by(col(ReceivedHistory.position).desc())
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
        tx.connection().execute(_history_table().insert(), rows)
    return len(rows)
