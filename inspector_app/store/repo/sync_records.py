"""The records a package carries, as the sync layer reads and writes them: the rows of the
tables themselves (``store/models.py``; ``sync/wire.py`` maps their columns to the versioned
records of a package explicitly), looked up by key, an inspection's parts in the order they
were written, and rows written, replaced or removed as a merge decides (``sync/apply.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnClause, Table, delete, literal_column
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import SQLModel, col, select

from inspector_app.store.models import (
    Finding,
    FindingPhoto,
    Inspection,
    Site,
    TemplateVersion,
)
from inspector_app.store.repo.sync import CHUNK

if TYPE_CHECKING:
    from inspector_app.store.db import Tx


def table_of(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


# -- looked up ----------------------------------------------------------------------------------


def inspection(tx: Tx, inspection_id: str) -> Inspection | None:
    return tx.get(Inspection, inspection_id)


def finding(tx: Tx, finding_id: str) -> Finding | None:
    return tx.get(Finding, finding_id)


def site(tx: Tx, site_id: str) -> Site | None:
    return tx.get(Site, site_id)


def site_by_code(tx: Tx, code: str) -> Site | None:
    return tx.exec(select(Site).where(Site.code == code)).first()


def sites_by_code(tx: Tx) -> list[Site]:
    """Every site here, by code."""
    return list(tx.exec(select(Site).order_by(Site.code)).all())


def site_code_taken(tx: Tx, code: str, *, other_than: str) -> bool:
    """Another site than ``other_than`` has the code."""
    clash = tx.exec(select(Site).where(Site.code == code, Site.id != other_than)).first()
    return clash is not None


def template_version(tx: Tx, version_id: str) -> TemplateVersion | None:
    return tx.get(TemplateVersion, version_id)


def template_by_hash(tx: Tx, content_hash: object) -> TemplateVersion | None:
    """The template version with this content hash (a value that is no hash finds none)."""
    return tx.exec(
        select(TemplateVersion).where(TemplateVersion.content_hash == content_hash)
    ).first()


def template_by_version(tx: Tx, template_id: str, version: str) -> TemplateVersion | None:
    return tx.exec(
        select(TemplateVersion).where(
            TemplateVersion.template_id == template_id,
            TemplateVersion.version == version,
        )
    ).first()


def parts_of(
    tx: Tx, inspection_id: str, parts: Sequence[tuple[str, type[SQLModel]]]
) -> dict[str, list[SQLModel]]:
    """The rows of each part (name, table) of an inspection, in the order they were written
    here (rowid): the importer writes them in the same order, so whatever is listed "in the
    order added" (photos of one batch share a second) lists alike on both sides. The photo
    links of a finding are those of the inspection's findings."""
    finding_ids = list(
        tx.exec(select(Finding.id).where(Finding.inspection_id == inspection_id)).all()
    )
    out: dict[str, list[SQLModel]] = {}
    for name, model in parts:
        rowid: ColumnClause[int] = literal_column(f"{table_of(model).name}.rowid")
        if model is FindingPhoto:
            where = col(FindingPhoto.finding_id).in_(finding_ids)
        else:
            where = model.inspection_id == inspection_id  # type: ignore[attr-defined]
        out[name] = list(tx.exec(select(model).where(where).order_by(rowid)).all())
    return out


def id_of_another_inspection(
    tx: Tx, model: type[SQLModel], ids: Sequence[str], inspection_id: str
) -> str | None:
    """One of ``ids`` that a row of another inspection has in this table, if any."""
    table = table_of(model)
    for chunk in range(0, len(ids), CHUNK):
        clash = (
            tx.connection()
            .execute(
                select(table.c.id).where(
                    table.c.id.in_(ids[chunk : chunk + CHUNK]),
                    table.c.inspection_id != inspection_id,
                )
            )
            .first()
        )
        if clash is not None:
            return str(clash[0])
    return None


# -- written ------------------------------------------------------------------------------------


def insert_rows(tx: Tx, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """New rows (Python values of every column), in their order."""
    if rows:
        tx.connection().execute(table_of(model).insert(), list(rows))


def upsert_rows(tx: Tx, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """Rows written in place of those with the same key, or added."""
    table = table_of(model)
    keys = [c.name for c in table.primary_key.columns]
    for row in rows:
        stmt = sqlite_insert(table).values(**row)
        stmt = stmt.on_conflict_do_update(
            index_elements=keys,
            set_={k: stmt.excluded[k] for k in row if k not in keys},
        )
        tx.connection().execute(stmt)


def delete_rows(tx: Tx, model: type[SQLModel], ids: Sequence[str]) -> None:
    if ids:
        table = table_of(model)
        tx.connection().execute(delete(table).where(table.c.id.in_(list(ids))))


def unlink_finding_photo(tx: Tx, finding_id: str, photo_id: str) -> None:
    table = table_of(FindingPhoto)
    tx.connection().execute(
        delete(table).where(table.c.finding_id == finding_id, table.c.photo_id == photo_id)
    )


def take_site_facts(tx: Tx, site_id: str, facts: Mapping[str, Any]) -> None:
    """The site's facts as given (each column named), in a new revision made now."""
    row = tx.get(Site, site_id)
    if row is None:
        raise LookupError(site_id)
    for key, value in facts.items():
        setattr(row, key, value)
    row.base_revision, row.revision = row.revision, row.revision + 1
    row.updated_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    tx.add(row)
