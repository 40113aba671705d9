"""Opening the database: pragmas on every connection, schema checks, backups, migrations.

Every connection runs with WAL, ``synchronous=FULL`` and foreign keys on (RELIABILITY
D16); ``open_database`` asserts them. pysqlite does not begin a transaction before DDL,
so the driver's own transaction handling is switched off and SQLAlchemy emits ``BEGIN``
itself (the SQLAlchemy "pysqlite serializable" recipe); that makes migrations atomic.

SQLAlchemy is imported when the engine is first needed. Read-only lists and the start-up
checks use ``Database.raw()``, a plain sqlite3 connection set up by the same function, so
the desktop's window and lists come up without loading the ORM (bench/gui.py).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlmodel import Session

    # the unit of work the repository (store/repo/) takes: outside the store it is only
    # passed along, never queried
    Tx = Session

from inspector_app.fsutil import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, make_private_dirs, tighten
from inspector_app.i18n import _
from inspector_app.paths import DB_FILENAME, default_data_dir
from inspector_app.store import locks
from inspector_app.store.errors import DatabaseError as DatabaseError  # raised by open_database

# The newest schema revision this build knows. tests/store/test_migrations.py checks that it
# is the head of store/migrations, so a new migration cannot forget to move it.
SCHEMA_HEAD = "0006_revision_presentation"
KNOWN_REVISIONS = (
    "0001_initial",
    "0002_finding_photos",
    "0003_sync",
    "0004_drafts_and_capture_times",
    "0005_received_history_devices",
    "0006_revision_presentation",
)
BACKUPS_KEPT = 10
OPEN_LOCK = ".open.lock"  # held while a start backs up and migrates (store/locks.py)
BUSY_TIMEOUT_S = 10


class CoreTx:
    """A unit of work on one Core connection (``Database.core_transaction``)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection):
        self._conn = conn

    def connection(self) -> Connection:
        return self._conn


if TYPE_CHECKING:
    # what a repository function takes that runs Core statements only (``connection()``):
    # either unit of work, the ORM's or ``Database.core_transaction``'s
    AnyTx = Session | CoreTx


class Database:
    """One data folder's database: a lazily made SQLAlchemy engine, and raw reads."""

    def __init__(self, path: Path, engine: Engine | None = None):
        self.path = path
        self._engine = engine
        self._local = threading.local()  # each thread's raw connection, made on first use
        self._raw: list[sqlite3.Connection] = []  # all of them, closed by dispose()
        self._raw_lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.path)
        return self._engine

    @contextmanager
    def raw(self) -> Iterator[sqlite3.Connection]:
        """A plain sqlite3 connection with the same pragmas, in autocommit mode: one per
        thread, kept open until ``dispose`` (opening one and setting its pragmas costs
        half a millisecond, and an editor's open or a typed key reads or writes through
        it a few times).

        For reads and single statements; anything that must be one unit of work uses
        ``transaction()``.
        """
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
            try:
                configure_connection(con)
            except BaseException:
                con.close()
                raise
            self._local.con = con
            with self._raw_lock:
                self._raw.append(con)
        try:
            yield con
        finally:
            if con.in_transaction:  # a caller's BEGIN left open: nothing of it stays
                con.rollback()

    def session(self) -> Session:
        from sqlmodel import Session  # imported on first use: read-only paths skip the ORM

        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed whole on success, rolled back whole on error."""
        with self.session() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def core_transaction(self) -> Iterator[CoreTx]:
        """One unit of work as ``transaction()``, on a SQLAlchemy Core connection with no ORM
        session: for the repository's statements only (an answer edit, the desktop's hot
        path, spends a third less time this way; bench/gui.py)."""
        with self.engine.begin() as conn:
            yield CoreTx(conn)

    def warm(self) -> None:
        """Build the engine and its first connection now (off the GUI thread), so the first
        write does not pay for them."""
        with self.session():
            pass

    def dispose(self) -> None:
        """Close every connection: the engine's and each thread's raw one."""
        if self._engine is not None:
            self._engine.dispose()
        with self._raw_lock:
            raw, self._raw = self._raw, []
            self._local = threading.local()
        for con in raw:
            con.close()


def configure_connection(dbapi_conn: sqlite3.Connection) -> None:
    """The pragmas every connection runs with, raw or through the engine."""
    dbapi_conn.isolation_level = None  # autocommit; BEGIN is explicit (see module docstring)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    cur.close()


def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    configure_connection(dbapi_conn)


def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
    conn.exec_driver_sql("BEGIN")


def make_engine(path: Path) -> Engine:
    from sqlalchemy import create_engine, event

    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S},
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


PRAGMAS = ("journal_mode", "synchronous", "foreign_keys")


def read_pragmas(db: Database, *, via_engine: bool = False) -> dict[str, object]:
    """The safety pragmas as a connection sees them: raw, or one of the engine's."""
    if via_engine:
        with db.engine.connect() as conn:
            return {p: conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in PRAGMAS}
    with db.raw() as con:
        return {p: con.execute(f"PRAGMA {p}").fetchone()[0] for p in PRAGMAS}


def check_pragmas(db: Database) -> None:
    p = read_pragmas(db)
    if str(p["journal_mode"]).lower() != "wal" or p["synchronous"] != 2 or p["foreign_keys"] != 1:
        raise DatabaseError(
            _(
                "the database is not in safe mode (WAL, synchronous=FULL, foreign keys): {pragmas}",
                pragmas=p,
            )
        )


def current_revision(path: Path) -> str | None:
    """The schema revision stored in the file, read without Alembic (fast start)."""
    if not path.exists():
        return None
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()
        if row is None:
            tables = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise DatabaseError(_("{path} is not an Inspector database", path=path))
            return None
        rev = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return rev[0] if rev else None
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(
            _("{path} cannot be read as a database: {error}", path=path, error=exc)
        ) from None
    finally:
        con.close()


def backup(path: Path, dest_dir: Path, label: str) -> Path:
    """Copy the live database with SQLite's online backup API (never a file copy)."""
    make_private_dirs(dest_dir)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = dest_dir / f"inspector-{stamp}-{label}.db"
    n = 1
    while target.exists():
        n += 1
        target = dest_dir / f"inspector-{stamp}-{label}-{n}.db"
    fd, name = tempfile.mkstemp(dir=dest_dir, prefix=f".{target.name}-", suffix=".part")
    os.close(fd)  # mkstemp makes it 0600, and its own: two backups never share a file
    tmp = Path(name)
    try:
        src = sqlite3.connect(path)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
                ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
                if ok != "ok":
                    raise DatabaseError(
                        _("the backup failed its integrity check: {result}", result=ok)
                    )
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _prune_backups(dest_dir)
    return target


def _prune_backups(dest_dir: Path) -> None:
    files = sorted(dest_dir.glob("inspector-*.db"), key=lambda p: p.stat().st_mtime)
    for old in files[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)


def _daily_backup_due(backups: Path) -> bool:
    today = dt.datetime.now().strftime("%Y%m%d")
    return not any(backups.glob(f"inspector-{today}-*.db"))


def open_database(data_dir: Path) -> Database:
    """Open (creating if needed) the database in ``data_dir``: back up, migrate, check.

    Refuses a database whose schema is newer than this build, so an old app never
    writes into a newer layout.
    """
    path = data_dir / DB_FILENAME
    backups = data_dir / "backups"
    _prepare_private(data_dir, path)
    from inspector_app.store import staging

    staging.sweep(data_dir)  # what a killed import left: now, unless an import still runs
    # one process at a time backs up and migrates (the desktop and a CLI run starting
    # together on a new day, or on a new folder); the next one then finds it done
    with locks.exclusive(data_dir / OPEN_LOCK):
        return _open_locked(data_dir, path, backups)


def _open_locked(data_dir: Path, path: Path, backups: Path) -> Database:
    rev = current_revision(path)
    if rev is not None and rev not in KNOWN_REVISIONS:
        raise DatabaseError(
            _(
                "the database {path} has schema {rev}, newer than this version of Inspector "
                "understands ({head}); update the app",
                path=path,
                rev=rev,
                head=SCHEMA_HEAD,
            )
        )
    if rev is not None and (rev != SCHEMA_HEAD or _daily_backup_due(backups)):
        backup(path, backups, rev)
    db = Database(path)
    try:
        if rev != SCHEMA_HEAD:
            from inspector_app.store.migrate import upgrade

            upgrade(db.engine)
        check_pragmas(db)
        for side in (_side_file(path, "-wal"), _side_file(path, "-shm")):
            tighten(side, PRIVATE_FILE_MODE)  # SQLite makes them like the database: 0600
    except BaseException:
        db.dispose()
        raise
    return db


def _side_file(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _prepare_private(data_dir: Path, path: Path) -> None:
    """The data folder 0700 and the database 0600 (POSIX), whatever the umask: a new folder
    is made so, a new database file is created 0600 before SQLite opens it (its -wal and
    -shm then get the same mode), and files made by an older version are tightened, as is
    the default data folder; a folder someone chose that existed before keeps its mode
    (doctor says when others can read it). Windows keeps the ACLs of the user's profile."""
    if data_dir.exists() and not data_dir.is_dir():
        raise DatabaseError(_("the data folder {dir} is not a folder", dir=data_dir))
    try:
        make_private_dirs(data_dir)
        if path.exists():
            if data_dir == default_data_dir():  # made by an older version: ours to tighten
                tighten(data_dir, PRIVATE_DIR_MODE)
            tighten(path, PRIVATE_FILE_MODE)
            for side in (_side_file(path, "-wal"), _side_file(path, "-shm")):
                tighten(side, PRIVATE_FILE_MODE)
            for old in (data_dir / "backups").glob("inspector-*.db"):
                tighten(old, PRIVATE_FILE_MODE)
        else:
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE_MODE))
    except OSError as exc:
        raise DatabaseError(
            _(
                "the data folder {dir} cannot be created: {error}",
                dir=data_dir,
                error=exc.strerror or exc,
            )
        ) from None
