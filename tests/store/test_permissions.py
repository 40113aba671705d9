"""The data folder is created 0700 and nothing in it that holds data is readable by other
users, whatever the umask (issue 9, item 9): the database and its -wal and -shm, backups,
photos, keys, staging folders. POSIX only: Windows keeps the ACLs of the user's profile."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector_app.store.db import backup, open_database
from tests.conftest import run_cli_bounded

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def no_umask() -> Iterator[None]:
    """The most permissive umask: whatever is private here is private by its own mode."""
    old = os.umask(0)
    yield
    os.umask(old)


def test_a_new_data_folder_and_database_are_private(tmp_path: Path, no_umask: None) -> None:
    data = tmp_path / "new" / "data"
    db = open_database(data)
    try:
        with db.raw() as con:  # a connection is open: the -wal and -shm exist
            con.execute("INSERT INTO app_setting (key, value) VALUES ('k', '1')")
            sides = [data / "inspector.db-wal", data / "inspector.db-shm"]
            assert all(p.exists() for p in sides)
            assert {p.name: mode(p) for p in sides} == {p.name: 0o600 for p in sides}
        assert mode(data) == 0o700 and mode(data.parent) == 0o700
        assert mode(data / "inspector.db") == 0o600
        copy = backup(data / "inspector.db", data / "backups", "test")
        assert mode(data / "backups") == 0o700 and mode(copy) == 0o600
    finally:
        db.dispose()


def test_photos_keys_and_settings_are_private(
    ws, data_dir: Path, tmp_path: Path, no_umask: None
) -> None:
    from inspector_app.services import photos
    from inspector_app.sync.identity import device_identity
    from tests.media import make_jpeg
    from tests.services.helpers import start

    insp, _t = start(ws)
    photos.add_photos(ws, insp, [make_jpeg(tmp_path / "a.jpg")], actor="测试员")
    device_identity(data_dir)
    made = [p for p in (data_dir / "media").rglob("*")] + list((data_dir / "signing").rglob("*"))
    assert made
    assert {str(p): mode(p) for p in made} == {str(p): 0o700 if p.is_dir() else 0o600 for p in made}


def test_files_of_an_older_version_are_tightened(tmp_path: Path) -> None:
    data = tmp_path / "old"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    con = sqlite3.connect(data / "inspector.db")
    con.close()
    (data / "backups").mkdir()
    (data / "backups" / "inspector-20240101-000000-x.db").write_bytes(b"")
    for p in (data / "inspector.db", data / "backups" / "inspector-20240101-000000-x.db"):
        os.chmod(p, 0o644)
    open_database(data).dispose()
    assert mode(data / "inspector.db") == 0o600
    assert mode(data / "backups" / "inspector-20240101-000000-x.db") == 0o600
    assert mode(data) == 0o755  # a folder someone chose keeps its mode (doctor shows it)


def test_the_default_data_folder_of_an_older_version_is_tightened(tmp_path: Path) -> None:
    from inspector_app.paths import default_data_dir

    data = default_data_dir()  # under the test's own XDG_DATA_HOME (tests/conftest.py)
    assert str(data).startswith(str(tmp_path))
    data.mkdir(parents=True)
    os.chmod(data, 0o755)
    sqlite3.connect(data / "inspector.db").close()
    open_database(data).dispose()
    assert mode(data) == 0o700


def test_through_the_cli_with_umask_0_and_doctor_says_so(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run = run_cli_bounded("doctor", "--json", data_dir=data, umask=0)
    report = json.loads(run.stdout)
    modes = report["permissions"]
    assert modes["checked"] and modes["open_to_others"] == []
    assert modes["data_dir"] == "0700" and modes["inspector.db"] == "0600"
    assert {modes.get("inspector.db-wal", "0600"), modes.get("inspector.db-shm", "0600")} == {
        "0600"
    }
    assert mode(data) == 0o700 and mode(data / "inspector.db") == 0o600
    assert not [p for p in data.rglob("*") if mode(p) & 0o077], "readable by others"
