"""What an inspection's canonical data is read from: the inspection, its site, answers,
findings, photos and the photos' links to findings (``domain.inspection.canonical_data``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, select

from inspector_app.domain.inspection import EvidencePhoto, Inspection, PhotoLink, canonical_data
from inspector_app.store.models import metadata
from inspector_app.store.repo import answers as answers_repo
from inspector_app.store.repo import findings as findings_repo
from inspector_app.store.repo import inspections as inspections_repo

if TYPE_CHECKING:
    from inspector_app.store.db import Tx

PHOTO: Table = metadata.tables["photo"]
FINDING_PHOTO: Table = metadata.tables["finding_photo"]
FINDING: Table = metadata.tables["finding"]


def canonical(tx: Tx, insp: Inspection) -> dict[str, Any]:
    """The inspection as canonical data, as it stands in the database."""
    site = inspections_repo.site(tx, insp.site_id)
    assert site is not None  # foreign key
    p, fp, f = PHOTO.c, FINDING_PHOTO.c, FINDING.c
    conn = tx.connection()
    photos = [
        EvidencePhoto(*row)
        for row in conn.execute(
            select(p.id, p.sha256, p.item_id, p.caption)
            .where(p.inspection_id == insp.id)
            .order_by(p.sha256)
        )
    ]
    links = [
        PhotoLink(*row)
        for row in conn.execute(
            select(fp.finding_id, fp.photo_id, fp.role)
            .join(FINDING, f.id == fp.finding_id)
            .where(f.inspection_id == insp.id)
            .order_by(fp.photo_id)
        )
    ]
    return canonical_data(
        insp,
        site,
        answers_repo.answers(tx, insp.id).values(),
        findings_repo.findings(tx, insp.id),
        photos,
        links,
    )
