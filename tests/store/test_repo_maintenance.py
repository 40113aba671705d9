"""store/repo/maintenance.py on a real database."""

from __future__ import annotations

from inspector_app.store.db import SCHEMA_HEAD
from inspector_app.store.repo import maintenance
from tests.services.helpers import add_site


def test_a_fresh_database_is_intact_at_the_head(db) -> None:
    with db.session() as s:
        assert maintenance.integrity_check(s) == "ok"
        assert maintenance.schema_revision(s) == SCHEMA_HEAD


def test_audit_entries_counts_the_whole_log(ws) -> None:
    with ws.db.session() as s:
        assert maintenance.audit_entries(s) == 0
    add_site(ws, "PB-A")
    add_site(ws, "PB-B")
    with ws.db.session() as s:
        assert maintenance.audit_entries(s) == 2  # one "create" per site
