"""The database file: safe pragmas, migrations, refusing newer schemas, backups."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from inspector_app.store import migrate
from inspector_app.store.db import (
    KNOWN_REVISIONS,
    SCHEMA_HEAD,
    DatabaseError,
    backup,
    current_revision,
    open_database,
    read_pragmas,
)
from inspector_app.store.models import metadata


def test_every_connection_is_wal_full_with_foreign_keys(db) -> None:
    safe = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}
    for _ in range(3):  # several pooled connections, each set up on connect
        assert read_pragmas(db, via_engine=True) == safe
    assert read_pragmas(db) == safe  # the raw read path is set up the same way
    con = sqlite3.connect(db.path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent in the file
    con.close()


def test_schema_head_constant_matches_migrations() -> None:
    assert migrate.script_head() == SCHEMA_HEAD
    assert KNOWN_REVISIONS[-1] == SCHEMA_HEAD


def test_migrations_build_exactly_the_models(db) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_audit_triggers_exist(db) -> None:
    con = sqlite3.connect(db.path)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    con.close()
    assert {"audit_log_no_update", "audit_log_no_delete"} <= names


def test_refuses_a_newer_database(data_dir: Path) -> None:
    open_database(data_dir).dispose()
    con = sqlite3.connect(data_dir / "inspector.db")
    con.execute("UPDATE alembic_version SET version_num='9999_future'")
    con.commit()
    con.close()
    with pytest.raises(DatabaseError, match="newer"):
        open_database(data_dir)


def test_refuses_a_foreign_sqlite_file(data_dir: Path) -> None:
    con = sqlite3.connect(data_dir / "inspector.db")
    con.execute("CREATE TABLE other (x)")
    con.commit()
    con.close()
    with pytest.raises(DatabaseError, match="not an Inspector database"):
        open_database(data_dir)


def test_not_a_database_at_all(data_dir: Path) -> None:
    (data_dir / "inspector.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError):
        open_database(data_dir)


def test_start_backs_up_before_migrating(data_dir: Path) -> None:
    db = open_database(data_dir)
    db.dispose()
    # pretend the file is one revision behind: a new build must back it up first
    con = sqlite3.connect(data_dir / "inspector.db")
    con.execute("CREATE TABLE marker (x)")
    con.execute("INSERT INTO marker VALUES (42)")
    con.commit()
    con.close()
    for f in (data_dir / "backups").glob("*.db"):
        f.unlink()
    open_database(data_dir).dispose()  # same day: the daily backup is due again
    backups = list((data_dir / "backups").glob("inspector-*.db"))
    assert len(backups) == 1
    con = sqlite3.connect(backups[0])
    assert con.execute("SELECT x FROM marker").fetchone() == (42,)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()


def test_backup_during_writes_is_consistent(db, tmp_path: Path) -> None:
    con = sqlite3.connect(db.path, check_same_thread=False)
    con.execute("CREATE TABLE scratch (n INTEGER)")
    con.commit()
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            con.execute("INSERT INTO scratch VALUES (?)", (n,))
            con.commit()
            n += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        copies = [backup(db.path, tmp_path / "bk", "test") for _ in range(3)]
    finally:
        stop.set()
        t.join()
        con.close()
    for copy in copies:
        c = sqlite3.connect(copy)
        assert c.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = c.execute("SELECT count(*), coalesce(max(n), -1) FROM scratch").fetchone()
        assert rows[0] == rows[1] + 1  # a prefix of the writes, never a torn one
        c.close()


def test_failed_migration_stays_at_old_revision(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_database(data_dir).dispose()
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, scripts)
    (scripts / "versions" / "0002_broken.py").write_text(
        '"""a migration that fails half way"""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = '9002_broken'\ndown_revision = '{SCHEMA_HEAD}'\n"
        "branch_labels = None\ndepends_on = None\n\n"
        "def upgrade():\n"
        "    op.create_table('half_done', sa.Column('x', sa.Integer))\n"
        "    op.add_column('site', sa.Column('extra', sa.String))\n"
        "    raise RuntimeError('boom')\n\n"
        "def downgrade():\n    pass\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(migrate, "MIGRATIONS", scripts)
    from inspector_app.store.db import make_engine

    engine = make_engine(data_dir / "inspector.db")
    with pytest.raises(RuntimeError, match="boom"):
        migrate.upgrade(engine)
    engine.dispose()
    assert current_revision(data_dir / "inspector.db") == SCHEMA_HEAD
    con = sqlite3.connect(data_dir / "inspector.db")
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    columns = {r[1] for r in con.execute("PRAGMA table_info(site)")}
    con.close()
    assert "half_done" not in tables
    assert "extra" not in columns


def test_a_database_from_the_first_release_migrates_keeping_its_data(data_dir: Path) -> None:
    """Every earlier schema revision, filled with data, opens in this build unchanged."""
    from inspector_app.store.db import make_engine

    path = data_dir / "inspector.db"
    engine = make_engine(path)
    migrate.upgrade(engine, "0001_initial")
    engine.dispose()
    con = sqlite3.connect(path)
    con.executescript(
        """
        INSERT INTO site VALUES ('s1','PB-1','甲基地',NULL,'pilot_base',NULL,NULL,NULL,NULL,NULL,
            0,'2024-01-01 00:00:00','2024-01-01 00:00:00',1,0);
        INSERT INTO template_version VALUES ('t1','tpl','1','h1','模板','Template','pilot_base',
            1,'{}',NULL,'2024-01-01 00:00:00');
        INSERT INTO inspection (id, site_id, template_version_id, template_id, template_version,
            template_hash, inspectors, started_on, status, score_total, grade, provisional,
            vetoed, created_at, updated_at, revision, base_revision)
            VALUES ('i1','s1','t1','tpl','1','h1','["甲"]','2024-05-01','draft',42.5,'fail',1,0,
            '2024-05-01 00:00:00','2024-05-01 00:00:00',1,0);
        INSERT INTO photo (id, inspection_id, sha256, original_name, media_type, byte_size,
            width, height, created_at, revision, base_revision)
            VALUES ('p1','i1','abc','a.jpg','image/jpeg',10,1,1,'2024-05-01 00:00:00',1,0);
        """
    )
    con.commit()
    before = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("site", "template_version", "inspection", "photo")
    }
    checksum = con.execute("SELECT group_concat(id || score_total) FROM inspection").fetchone()
    con.close()

    open_database(data_dir).dispose()
    assert current_revision(path) == SCHEMA_HEAD
    con = sqlite3.connect(path)
    after = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in before}
    assert after == before
    assert (
        con.execute("SELECT group_concat(id || score_total) FROM inspection").fetchone() == checksum
    )
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()
    backups = list((data_dir / "backups").glob("inspector-*-0001_initial.db"))
    assert len(backups) == 1  # taken before migrating


def test_received_history_from_0004_keeps_its_entries_counting_in_the_merge(
    data_dir: Path,
) -> None:
    """0005 adds the device an entry came from (unknown for older rows) and whether it counts
    in the merge (older rows all did)."""
    from inspector_app.store.db import make_engine

    path = data_dir / "inspector.db"
    engine = make_engine(path)
    migrate.upgrade(engine, "0004_drafts_and_capture_times")
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO received_history (id, inspection_id, position, entry_json, local_seq) "
        "VALUES ('e1', 'i1', 0, '{}', 3)"
    )
    con.commit()
    con.close()
    open_database(data_dir).dispose()
    con = sqlite3.connect(path)
    rows = con.execute(
        "SELECT id, position, entry_json, local_seq, device_id, lineage FROM received_history"
    ).fetchall()
    con.close()
    assert rows == [("e1", 0, "{}", 3, None, 1)]
