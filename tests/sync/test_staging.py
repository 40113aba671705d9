"""Staging folders of a killed import are swept at the next start, when no import runs, not
a day later (issue 9, item 9). The imports are real processes holding real staging folders
(store/staging.claim, what import_package uses), killed with SIGKILL; a start is a real CLI
run on the data folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and flock")
STAGING = ".staging"  # store/STAGING

# An import that stages a member and then works for a long time (or is killed meanwhile).
IMPORTING = """
import sys, time
from pathlib import Path
from inspector_app.store import staging
with staging.claim(Path(sys.argv[1])) as folder:
    (folder / "files").mkdir()
    (folder / "files" / "part.jpg").write_bytes(b"x" * 1000)
    print(folder, flush=True)
    time.sleep(120)
"""


@pytest.fixture
def importing(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    data = tmp_path / "data"
    assert run_cli("sites", "list", data_dir=data).returncode == 0  # a data folder
    child = subprocess.Popen(
        [sys.executable, "-c", IMPORTING, str(data)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert child.stdout is not None
    folder = Path(child.stdout.readline().strip())
    yield child, folder
    child.kill()
    child.wait()


def _start(data: Path) -> None:
    out = run_cli("inspections", "list", data_dir=data)
    assert out.returncode == 0, out.stderr


def test_a_killed_import_is_swept_at_the_next_start(importing) -> None:
    child, folder = importing
    data = folder.parent.parent
    assert (folder / "files" / "part.jpg").exists()
    _start(data)  # the import still runs: its folder stays
    assert (folder / "files" / "part.jpg").exists()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert folder.exists()  # nothing cleaned up after a kill
    _start(data)
    assert not folder.exists() and not (data / STAGING).exists()


def test_an_unlocked_leftover_is_swept_whatever_its_age(tmp_path: Path) -> None:
    """A folder without a lock file: left by an earlier version (or half removed)."""
    data = tmp_path / "data"
    _start(data)
    old = data / STAGING / "0123abcd"
    (old / "files").mkdir(parents=True)
    (old / "files" / "records.json").write_text("{}")
    _start(data)
    assert not old.exists()


def test_claims_are_private_distinct_and_leave_nothing(tmp_path: Path) -> None:
    from inspector_app.store import staging

    with staging.claim(tmp_path) as a, staging.claim(tmp_path) as b:
        assert a != b and a.is_dir() and b.is_dir()
        assert oct(a.stat().st_mode & 0o777) == "0o700"
        assert staging.sweep(tmp_path) == 0  # both are held
        assert a.exists() and b.exists()
    assert not (tmp_path / STAGING).exists()
