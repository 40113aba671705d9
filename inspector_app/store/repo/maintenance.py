"""The repository of the database's own health: what ``doctor`` and the history window check
(SQLite's integrity check, the schema revision, the size of the audit log)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspector_app.store.db import Tx


def integrity_check(tx: Tx) -> str:
    """SQLite's ``PRAGMA integrity_check``: "ok", or the first problem it found."""
    return str(tx.connection().exec_driver_sql("PRAGMA integrity_check").scalar())


def schema_revision(tx: Tx) -> str | None:
    """The schema revision Alembic recorded."""
    value = tx.connection().exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    return None if value is None else str(value)


def audit_entries(tx: Tx) -> int:
    """How many entries the whole audit log holds."""
    return int(tx.connection().exec_driver_sql("SELECT count(*) FROM audit_log").scalar() or 0)
