"""Writing incoming rows into this data folder: an inspection that is new here, or a later
version in place of the local rows (a fast-forward, refused when it would drop a frozen
revision, a finding or a signature, or change a frozen revision or a signature), and the
history it arrived with (``received``). The decisions are ``merge``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel

from inspector_app.store.models import AnswerRecord, FindingPhoto, Inspection, Photo
from inspector_app.sync import received
from inspector_app.sync.bundles import inspection_bundle, table_of
from inspector_app.sync.checks import IncomingInspection
from inspector_app.sync.wire import PARTS

# parts whose rows may disappear in a later version (answers cleared, photos removed, links
# changed); a frozen revision, a finding or a signature never does
REMOVABLE = ("finding_photos", "photos", "answers")


def insert(s: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        s.connection().execute(table_of(model).insert(), list(rows))


def upsert(s: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    table = table_of(model)
    keys = [c.name for c in table.primary_key.columns]
    for row in rows:
        stmt = sqlite_insert(table).values(**row)
        stmt = stmt.on_conflict_do_update(
            index_elements=keys,
            set_={k: stmt.excluded[k] for k in row if k not in keys},
        )
        s.connection().execute(stmt)


def insert_inspection(
    s: Session, bundle: IncomingInspection, row: dict[str, Any], device_id: str | None
) -> None:
    insert(s, Inspection, [row])
    for name, model in PARTS:
        insert(s, model, bundle.parts[name])
    store_history(s, bundle, device_id)


# what a later version never changes: a frozen revision and a signature stay as they were
FROZEN_PARTS = ("revisions", "signatures")


def fast_forward(
    s: Session, local: Inspection, bundle: IncomingInspection, row: dict[str, Any]
) -> bool:
    """Replace the local rows of an inspection by the incoming ones; False (nothing written)
    if the incoming version lacks a frozen revision, a finding or a signature kept here, or
    changes a frozen revision or a signature."""
    current = inspection_bundle(s, local)
    for name, _model in PARTS:
        if name in REMOVABLE:
            continue
        have = {r["id"] for r in current[name]}
        if not have <= {r["id"] for r in bundle.parts[name]}:
            return False
    for name in FROZEN_PARTS:
        theirs = {r["id"]: r for r in bundle.rows[name]}
        if any(theirs[r["id"]] != r for r in current[name]):
            return False
    upsert(s, Inspection, [row])
    incoming_links = {(r["finding_id"], r["photo_id"]) for r in bundle.parts["finding_photos"]}
    for link in current["finding_photos"]:
        if (link["finding_id"], link["photo_id"]) not in incoming_links:
            s.connection().execute(
                delete(table_of(FindingPhoto)).where(
                    table_of(FindingPhoto).c.finding_id == link["finding_id"],
                    table_of(FindingPhoto).c.photo_id == link["photo_id"],
                )
            )
    for name, table in (("photos", table_of(Photo)), ("answers", table_of(AnswerRecord))):
        keep = {r["id"] for r in bundle.parts[name]}
        gone = [r["id"] for r in current[name] if r["id"] not in keep]
        if gone:
            s.connection().execute(delete(table).where(table.c.id.in_(gone)))
    for name, model in PARTS:
        upsert(s, model, bundle.parts[name])
    return True


def store_history(s: Session, bundle: IncomingInspection, device_id: str | None) -> None:
    """Keep the history the inspection arrived with, whole and in its order."""
    received.store_lineage(s, bundle.id, bundle.history, device_id)
