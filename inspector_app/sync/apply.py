"""Writing incoming rows into this data folder: an inspection that is new here, or a later
version in place of the local rows (a fast-forward, refused when it would drop a frozen
revision, a finding or a signature, or change a frozen revision or a signature), and the
history it arrived with (``received``). The decisions are ``merge``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inspector_app.store.models import AnswerRecord, Inspection, Photo
from inspector_app.store.repo import sync_records as records
from inspector_app.sync import received
from inspector_app.sync.bundles import inspection_bundle
from inspector_app.sync.checks import IncomingInspection
from inspector_app.sync.wire import PARTS

if TYPE_CHECKING:
    from inspector_app.store.db import Tx

# parts whose rows may disappear in a later version (answers cleared, photos removed, links
# changed); a frozen revision, a finding or a signature never does
REMOVABLE = ("finding_photos", "photos", "answers")


def insert_inspection(
    s: Tx, bundle: IncomingInspection, row: dict[str, Any], device_id: str | None
) -> None:
    records.insert_rows(s, Inspection, [row])
    for name, model in PARTS:
        records.insert_rows(s, model, bundle.parts[name])
    store_history(s, bundle, device_id)


# what a later version never changes: a frozen revision and a signature stay as they were
FROZEN_PARTS = ("revisions", "signatures")


def fast_forward(s: Tx, local: Inspection, bundle: IncomingInspection, row: dict[str, Any]) -> bool:
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
    records.upsert_rows(s, Inspection, [row])
    incoming_links = {(r["finding_id"], r["photo_id"]) for r in bundle.parts["finding_photos"]}
    for link in current["finding_photos"]:
        if (link["finding_id"], link["photo_id"]) not in incoming_links:
            records.unlink_finding_photo(s, link["finding_id"], link["photo_id"])
    for name, removable in (("photos", Photo), ("answers", AnswerRecord)):
        keep = {r["id"] for r in bundle.parts[name]}
        records.delete_rows(s, removable, [r["id"] for r in current[name] if r["id"] not in keep])
    for name, model in PARTS:
        records.upsert_rows(s, model, bundle.parts[name])
    return True


def store_history(s: Tx, bundle: IncomingInspection, device_id: str | None) -> None:
    """Keep the history the inspection arrived with, whole and in its order."""
    received.store_lineage(s, bundle.id, bundle.history, device_id)
