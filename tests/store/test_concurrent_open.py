"""Several processes starting on one data folder at once (the desktop and CLI runs): one at a
time backs up and migrates, the others wait and find it done; nobody sees a torn backup."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from inspector_app.store.db import SCHEMA_HEAD, current_revision, open_database
from tests.conftest import ROOT

OPEN = "import sys; from inspector_app.store.db import open_database; open_database(__import__('pathlib').Path(sys.argv[1])).dispose()"


def _start_together(data_dir: Path, n: int = 4) -> list[subprocess.CompletedProcess[str]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN, str(data_dir)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=60)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


def _integrity(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def test_a_new_folder_opened_by_four_processes_at_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for run in _start_together(data):
        assert run.returncode == 0, run.stderr
    assert current_revision(data / "inspector.db") == SCHEMA_HEAD
    assert _integrity(data / "inspector.db") == "ok"


def test_the_daily_backup_taken_by_several_starts_at_once_is_whole(tmp_path: Path) -> None:
    data = tmp_path / "data"
    open_database(data).dispose()
    for old in (data / "backups").glob("*"):
        old.unlink()  # a new day: the next start backs up
    for run in _start_together(data):
        assert run.returncode == 0, run.stderr
    backups = sorted((data / "backups").glob("inspector-*.db"))
    assert backups, "the new day's backup was taken"
    assert all(_integrity(b) == "ok" for b in backups)
    assert not list((data / "backups").glob("*.part"))
