"""Alembic, driven from code: the app migrates its own database at start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from inspector_app.i18n import _
from inspector_app.store.errors import DatabaseError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection=None) -> Config:  # type: ignore[no-untyped-def]
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script_head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(engine: Engine, target: str = "head") -> None:
    """Upgrade in one transaction: a failed migration leaves the old revision in place."""
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), target)
        problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise DatabaseError(_("the migration left broken references: {rows}", rows=problems))
