"""The repository of pinned checklist template versions (``template_version``)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlmodel import col

from inspector_app.domain.catalog import TemplateVersion
from inspector_app.store.models import TemplateVersion as Row

if TYPE_CHECKING:
    from inspector_app.store.db import Tx

_TABLE = Row.__table__  # type: ignore[attr-defined]
_FIELDS = tuple(f.name for f in dataclasses.fields(TemplateVersion))


def _version(row: Row) -> TemplateVersion:
    return TemplateVersion(**{name: getattr(row, name) for name in _FIELDS})


def all_versions(tx: Tx) -> list[TemplateVersion]:
    """Every pinned version, by template id, then in the order they were pinned."""
    q = select(Row).order_by(col(Row.template_id), col(Row.loaded_at))
    return [_version(r) for r in tx.scalars(q)]


def version(tx: Tx, template_version_id: str) -> TemplateVersion | None:
    row = tx.get(Row, template_version_id)
    return None if row is None else _version(row)


def versions_of(tx: Tx, template_id: str, version_name: str = "") -> list[TemplateVersion]:
    """The pinned versions of a template (only ``version_name``, when given)."""
    q = select(Row).where(col(Row.template_id) == template_id)
    if version_name:
        q = q.where(col(Row.version) == version_name)
    return [_version(r) for r in tx.scalars(q)]


def content_hash(tx: Tx, template_version_id: str) -> str | None:
    """The content hash of a pinned version: a Core read of one column (the edit path)."""
    q = select(_TABLE.c.content_hash).where(_TABLE.c.id == template_version_id)
    value = tx.connection().execute(q).scalar()
    return None if value is None else str(value)


def published(tx: Tx) -> dict[tuple[str, str], str]:
    """(template id, version) -> content hash of every pinned version."""
    q = select(_TABLE.c.template_id, _TABLE.c.version, _TABLE.c.content_hash)
    return {(t, v): h for t, v, h in tx.connection().execute(q)}


def add_version(tx: Tx, tv: TemplateVersion) -> None:
    tx.add(Row(**{name: getattr(tv, name) for name in _FIELDS}))
