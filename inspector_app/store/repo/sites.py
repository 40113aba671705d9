"""The repository of the site registry (``site``)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlmodel import col

from inspector_app.domain.catalog import Site
from inspector_app.store.models import Site as Row
from inspector_app.store.repo.rows import overwrite

if TYPE_CHECKING:
    from inspector_app.store.db import Tx

_FIELDS = tuple(f.name for f in dataclasses.fields(Site))


def field_lengths() -> dict[str, int]:
    """The longest text each capped column of a site holds (its column's length)."""
    columns = Row.__table__.columns  # type: ignore[attr-defined]
    return {
        name: int(columns[name].type.length)
        for name in _FIELDS
        if getattr(columns[name].type, "length", None)
    }


def _site(row: Row) -> Site:
    return Site(**{name: getattr(row, name) for name in _FIELDS})


def all_sites(tx: Tx, site_type: str | None = None) -> list[Site]:
    """Every site (of one type), by type and code."""
    q = select(Row).order_by(col(Row.site_type), col(Row.code))
    if site_type:
        q = q.where(col(Row.site_type) == site_type)
    return [_site(r) for r in tx.scalars(q)]


def site(tx: Tx, site_id: str) -> Site | None:
    row = tx.get(Row, site_id)
    return None if row is None else _site(row)


def by_code(tx: Tx, code: str) -> Site | None:
    row = tx.scalars(select(Row).where(col(Row.code) == code)).first()
    return None if row is None else _site(row)


def codes(tx: Tx) -> set[str]:
    return set(tx.scalars(select(col(Row.code))))


def add_site(tx: Tx, new: Site) -> None:
    """Insert a site (sent to the database now: a code taken raises here)."""
    tx.add(Row(**{name: getattr(new, name) for name in _FIELDS}))
    tx.flush()


def update_site(tx: Tx, changed: Site) -> None:
    """Write every field of a site that exists."""
    overwrite(tx, Row, changed)
