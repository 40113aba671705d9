"""The repository of photos (``photo``) and of the links that show a finding with one
(``finding_photo``).

A photo write also marks its inspection changed (``updated_at``), in the same transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import literal_column, select
from sqlmodel import col

from inspector_app.domain.media import FindingPhoto, Photo
from inspector_app.store.models import Finding, Inspection, utcnow
from inspector_app.store.models import FindingPhoto as LinkRow
from inspector_app.store.models import Photo as Row
from inspector_app.store.repo.rows import overwrite
from inspector_app.store.repo.sync import checked_writes

if TYPE_CHECKING:
    from inspector_app.store.db import Tx

_FIELDS = tuple(f.name for f in dataclasses.fields(Photo))
_LINK_FIELDS = tuple(f.name for f in dataclasses.fields(FindingPhoto))


def _photo(row: Row) -> Photo:
    return Photo(**{name: getattr(row, name) for name in _FIELDS})


def _link(row: LinkRow) -> FindingPhoto:
    return FindingPhoto(**{name: getattr(row, name) for name in _LINK_FIELDS})


def _touch(tx: Tx, inspection_id: str) -> None:
    insp = tx.get(Inspection, inspection_id)
    if insp is not None:
        insp.updated_at = utcnow()
        tx.add(insp)


# -- read -------------------------------------------------------------------------------------


_TABLE = Row.__table__  # type: ignore[attr-defined]
_COLUMNS = tuple(_TABLE.c[name] for name in _FIELDS)


def photos_of(tx: Tx, inspection_id: str, item_id: str | None = None) -> list[Photo]:
    """The photos of an inspection (or of one item), in the order they were added: by
    ``created_at`` (whole seconds), then the rowid (the order of a batch added in one).
    Columns, not ORM objects: the editor reads them each time it opens an inspection."""
    q = select(*_COLUMNS).where(_TABLE.c.inspection_id == inspection_id)
    if item_id is not None:
        q = q.where(_TABLE.c.item_id == item_id)
    q = q.order_by(_TABLE.c.created_at, literal_column("photo.rowid"))
    return [Photo(**row._mapping) for row in tx.connection().execute(q)]


def hashes(tx: Tx, inspection_id: str) -> set[str]:
    """The SHA-256 of every photo of an inspection."""
    return set(tx.scalars(select(col(Row.sha256)).where(col(Row.inspection_id) == inspection_id)))


def items_with_photos(tx: Tx, inspection_id: str) -> list[str]:
    """The item of each photo of an inspection attached to one (once per photo)."""
    q = select(col(Row.item_id)).where(
        col(Row.inspection_id) == inspection_id, col(Row.item_id).is_not(None)
    )
    return [i for i in tx.scalars(q) if i is not None]


def photo(tx: Tx, ref: str) -> Photo | None:
    """A photo by its id or an unambiguous prefix of at least 6 characters (as typed from a
    list)."""
    row = tx.get(Row, ref)
    if row is None and len(ref) >= 6:
        rows = tx.scalars(select(Row).where(col(Row.id).startswith(ref)).limit(2)).all()
        row = rows[0] if len(rows) == 1 else None
    return None if row is None else _photo(row)


def finding_inspection(tx: Tx, finding_id: str) -> str | None:
    """The inspection a finding belongs to (None: no such finding)."""
    row = tx.get(Finding, finding_id)
    return None if row is None else row.inspection_id


def link(tx: Tx, finding_id: str, photo_id: str) -> FindingPhoto | None:
    row = tx.get(LinkRow, (finding_id, photo_id))
    return None if row is None else _link(row)


def photos_of_findings(tx: Tx, finding_ids: Sequence[str]) -> list[tuple[str, Photo, str]]:
    """(finding id, photo, role) of every link of these findings, in the order they were
    made (then by rowid)."""
    if not finding_ids:
        return []
    q = (
        select(col(LinkRow.finding_id), Row, col(LinkRow.role))
        .join(LinkRow, col(LinkRow.photo_id) == col(Row.id))
        .where(col(LinkRow.finding_id).in_(list(finding_ids)))
        .order_by(col(LinkRow.created_at), literal_column("finding_photo.rowid"))
    )
    return [(fid, _photo(row), role) for fid, row, role in tx.execute(q).all()]


# -- write ------------------------------------------------------------------------------------


def add_photo(tx: Tx, new: Photo) -> None:
    """Insert a photo (sent to the database now: one already in its inspection, by its
    SHA-256, raises ``RecordClash``) and mark its inspection changed."""
    with checked_writes(tx):
        tx.add(Row(**{name: getattr(new, name) for name in _FIELDS}))
    _touch(tx, new.inspection_id)


def update_photo(tx: Tx, changed: Photo) -> None:
    """Write every field of a photo that exists, and mark its inspection changed."""
    overwrite(tx, Row, changed)
    _touch(tx, changed.inspection_id)


def save_link(tx: Tx, new: FindingPhoto, inspection_id: str) -> None:
    """Link a finding and a photo (or change the link's role), and mark their inspection
    changed."""
    row = tx.get(LinkRow, (new.finding_id, new.photo_id))
    if row is None:
        row = LinkRow(**{name: getattr(new, name) for name in _LINK_FIELDS})
    else:
        row.role = new.role
    tx.add(row)
    _touch(tx, inspection_id)
