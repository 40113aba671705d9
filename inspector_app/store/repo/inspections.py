"""The repository of inspections: the visits themselves (with their cached score columns),
the template versions and sites they stand on, and their frozen revisions.

SQLAlchemy Core on the session's connection over the tables of ``store/models.py``: an
answer edit reads and scores through here, so no ORM object is loaded or flushed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, bindparam, func, insert, select, update

from inspector_app.domain.checklists.loader import cached_template, template_once
from inspector_app.domain.checklists.schema import ChecklistTemplate
from inspector_app.domain.checklists.scoring import ScoreResult
from inspector_app.domain.inspection import (
    Inspection,
    InspectionSite,
    Revision,
    TemplatePin,
)
from inspector_app.domain.vocab import FindingStatus
from inspector_app.store.models import metadata, new_id

if TYPE_CHECKING:
    from sqlalchemy.engine import RowMapping

    from inspector_app.store.db import AnyTx

INSPECTION: Table = metadata.tables["inspection"]
TEMPLATE_VERSION: Table = metadata.tables["template_version"]
SITE: Table = metadata.tables["site"]
REVISION: Table = metadata.tables["inspection_revision"]
FINDING: Table = metadata.tables["finding"]

_FIELDS = tuple(f.name for f in dataclasses.fields(Inspection))


def _names(text: str | None) -> tuple[str, ...]:
    """The inspectors as stored (a JSON list of names)."""
    try:
        names = json.loads(text or "[]")
    except ValueError:  # pragma: no cover - written by this app, checked on import
        return ()
    return tuple(str(n) for n in names) if isinstance(names, list) else ()


def inspection_of(row: RowMapping) -> Inspection:
    """An inspection row (every column of the table) as the domain value."""
    values = {k: row[k] for k in _FIELDS}
    values["inspectors"] = _names(row["inspectors"])
    return Inspection(**values)


def _columns(insp: Inspection) -> dict[str, Any]:
    values = {k: getattr(insp, k) for k in _FIELDS}
    values["inspectors"] = json.dumps(list(insp.inspectors), ensure_ascii=False)
    return values


_BY_ID = select(INSPECTION).where(INSPECTION.c.id == bindparam("id"))


def get(tx: AnyTx, inspection_id: str) -> Inspection | None:
    row = tx.connection().execute(_BY_ID, {"id": inspection_id}).mappings().first()
    return None if row is None else inspection_of(row)


def by_prefix(tx: AnyTx, prefix: str, *, limit: int = 2) -> list[Inspection]:
    """Inspections whose id starts with ``prefix`` (at most ``limit``)."""
    rows = tx.connection().execute(
        select(INSPECTION).where(INSPECTION.c.id.startswith(prefix)).limit(limit)
    )
    return [inspection_of(r) for r in rows.mappings()]


def exists(tx: AnyTx, inspection_id: str) -> bool:
    found = tx.connection().execute(select(INSPECTION.c.id).where(INSPECTION.c.id == inspection_id))
    return found.first() is not None


def previous_visit(tx: AnyTx, site_id: str, started_on: dt.date) -> Inspection | None:
    """The site's latest inspection started on or before ``started_on`` (复查)."""
    row = (
        tx.connection()
        .execute(
            select(INSPECTION)
            .where(INSPECTION.c.site_id == site_id, INSPECTION.c.started_on <= started_on)
            .order_by(INSPECTION.c.started_on.desc(), INSPECTION.c.created_at.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return None if row is None else inspection_of(row)


def add(tx: AnyTx, insp: Inspection) -> None:
    tx.connection().execute(insert(INSPECTION).values(**_columns(insp)))


def save(tx: AnyTx, insp: Inspection) -> None:
    """Every column of the inspection as ``insp`` has it."""
    values = _columns(insp)
    del values["id"]
    tx.connection().execute(update(INSPECTION).where(INSPECTION.c.id == insp.id).values(**values))


_SET_SCORE = (
    update(INSPECTION)
    .where(INSPECTION.c.id == bindparam("iid"))
    .values(
        score_total=bindparam("score_total"),
        grade=bindparam("grade"),
        provisional=bindparam("provisional"),
        vetoed=bindparam("vetoed"),
        updated_at=bindparam("updated_at"),
    )
)


def set_score(tx: AnyTx, inspection_id: str, result: ScoreResult, updated_at: dt.datetime) -> None:
    """The cached score columns (what the lists show) and when the inspection changed."""
    tx.connection().execute(
        _SET_SCORE,
        {
            "iid": inspection_id,
            "score_total": result.total,
            "grade": result.grade,
            "provisional": result.provisional,
            "vetoed": result.vetoed,
            "updated_at": updated_at,
        },
    )


# -- templates and sites ----------------------------------------------------------------------

_HASH_OF = select(TEMPLATE_VERSION.c.content_hash).where(TEMPLATE_VERSION.c.id == bindparam("id"))
_JSON_OF = select(TEMPLATE_VERSION.c.canonical_json).where(TEMPLATE_VERSION.c.id == bindparam("id"))


def parsed_template(tx: AnyTx, template_version_id: str, content_hash: str) -> ChecklistTemplate:
    """The parsed template of a pinned version whose hash is known, its JSON read and
    parsed only the first time in this process (``loader.template_once``)."""
    parsed = cached_template(content_hash)
    if parsed is None:
        canonical = tx.connection().execute(_JSON_OF, {"id": template_version_id}).scalar_one()
        parsed = template_once(content_hash, canonical)
    return parsed


def template(tx: AnyTx, template_version_id: str) -> ChecklistTemplate | None:
    """The parsed template of a pinned version; None when there is no such version."""
    content_hash = tx.connection().execute(_HASH_OF, {"id": template_version_id}).scalar()
    if content_hash is None:
        return None
    return parsed_template(tx, template_version_id, content_hash)


def template_pin(tx: AnyTx, template_version_id: str) -> TemplatePin | None:
    t = TEMPLATE_VERSION.c
    row = (
        tx.connection()
        .execute(
            select(t.id, t.template_id, t.version, t.content_hash, t.site_type).where(
                t.id == template_version_id
            )
        )
        .first()
    )
    return None if row is None else TemplatePin(*row)


def site(tx: AnyTx, site_id: str) -> InspectionSite | None:
    c = SITE.c
    row = (
        tx.connection()
        .execute(select(c.id, c.code, c.name, c.site_type, c.contact_name).where(c.id == site_id))
        .first()
    )
    return None if row is None else InspectionSite(*row)


def open_finding_count(tx: AnyTx, inspection_id: str) -> int:
    f = FINDING.c
    count = tx.connection().execute(
        select(func.count())
        .select_from(FINDING)
        .where(f.inspection_id == inspection_id, f.status == FindingStatus.OPEN.value)
    )
    return int(count.scalar_one())


# -- revisions --------------------------------------------------------------------------------

_REVISION_COLUMNS = tuple(c for c in REVISION.c if c.name != "data_json")


def _revision(row: RowMapping) -> Revision:
    return Revision(
        id=row["id"],
        inspection_id=row["inspection_id"],
        revision=row["revision"],
        completed_at=row["completed_at"],
        completed_by=row["completed_by"],
        score=json.loads(row["score_json"]),
        data_hash=row["data_hash"],
        amend_reason=row["amend_reason"],
        organisation=row["organisation"],
        display_zone=row["display_zone"],
    )


def add_revision(tx: AnyTx, rev: Revision, data: Mapping[str, Any]) -> None:
    """A revision frozen at completion, with its canonical data."""
    tx.connection().execute(
        insert(REVISION).values(
            id=rev.id or new_id(),
            inspection_id=rev.inspection_id,
            revision=rev.revision,
            completed_at=rev.completed_at,
            completed_by=rev.completed_by,
            score_json=json.dumps(dict(rev.score), ensure_ascii=False, sort_keys=True),
            data_json=json.dumps(dict(data), ensure_ascii=False, sort_keys=True),
            data_hash=rev.data_hash,
            amend_reason=rev.amend_reason,
            organisation=rev.organisation,
            display_zone=rev.display_zone,
        )
    )


def revision(tx: AnyTx, inspection_id: str, number: int) -> Revision | None:
    """One frozen revision of an inspection (its canonical data is not read)."""
    r = REVISION.c
    row = (
        tx.connection()
        .execute(
            select(*_REVISION_COLUMNS).where(r.inspection_id == inspection_id, r.revision == number)
        )
        .mappings()
        .first()
    )
    return None if row is None else _revision(row)


def revisions(tx: AnyTx, inspection_id: str) -> list[Revision]:
    """The frozen revisions of an inspection, the first first."""
    r = REVISION.c
    rows = tx.connection().execute(
        select(*_REVISION_COLUMNS).where(r.inspection_id == inspection_id).order_by(r.revision)
    )
    return [_revision(row) for row in rows.mappings()]
