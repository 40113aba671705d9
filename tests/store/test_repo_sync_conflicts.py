"""store/repo/sync.py's open conflicts on a real database."""

from __future__ import annotations

import dataclasses
import datetime as dt

from inspector_app.domain.packages import Conflict, Device, Receipt
from inspector_app.store.repo import sync as repo

WHEN = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


def _conflict(package_id: str, entity_id: str, created_at: dt.datetime) -> Conflict:
    return Conflict(
        package_id=package_id,
        entity="site",
        entity_id=entity_id,
        local_hash="a" * 64,
        incoming_hash="b" * 64,
        incoming={"name": entity_id},
        created_at=created_at,
    )


def test_open_conflict_ids_in_the_order_kept_without_the_decided(db) -> None:
    device = Device(device_id="dev-1", device_name="平板", public_key="key")
    receipt = Receipt(package_id="pkg-1", device_id="dev-1", sequence=1, file_sha256="c" * 64)
    later = _conflict("pkg-1", "s-later", WHEN + dt.timedelta(minutes=1))
    first, second, decided = (_conflict("pkg-1", f"s-{n}", WHEN) for n in (1, 2, 3))
    with db.transaction() as tx:
        repo.record_import(tx, device, receipt)
        for c in (later, first, second, decided):  # first and second within one second
            repo.add_conflict(tx, c)
    with db.transaction() as tx:
        repo.save_resolution(
            tx, dataclasses.replace(decided, resolved_at=WHEN, resolution="kept_local")
        )
    with db.session() as tx:
        assert repo.open_conflict_ids(tx) == [first.id, second.id, later.id]


def test_no_open_conflicts(db) -> None:
    with db.session() as tx:
        assert repo.open_conflict_ids(tx) == []
