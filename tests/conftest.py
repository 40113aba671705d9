"""Shared fixtures: an isolated data folder and a fresh real SQLite file per test."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "forms"
DATA = Path(__file__).resolve().parent / "data"
# The GUI tests run on a laptop's screen, 1366×768 (the offscreen platform reads its screens
# from a file; without one it is 800×800): every window and dialog must fit it.
LAPTOP_SCREEN = DATA / "screen-1366x768.json"
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={LAPTOP_SCREEN}"


@pytest.fixture(autouse=True)
def _isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test touches the real per-user folders. In-process tests read English messages
    (tests of the Chinese texts switch explicitly); child processes get INSPECTOR_LANG."""
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(tmp_path / "default-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("INSPECTOR_USER", "测试员")
    monkeypatch.delenv("INSPECTOR_LANG", raising=False)
    from inspector_app import i18n, settings

    i18n.set_language("en")
    settings.use_data_folder(None)  # the per-user settings, until a run names a data folder
    yield
    i18n.set_language(None)
    settings.use_data_folder(None)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def db(data_dir: Path):
    """A fresh, migrated database file with the bundled templates pinned."""
    from inspector_app.services.templates import sync_forms
    from inspector_app.store.db import open_database

    database = open_database(data_dir)
    sync_forms(database)
    yield database
    database.dispose()


@pytest.fixture
def demo_db(db):
    from inspector_app.services.demo import load_demo

    load_demo(db)
    return db


def run_cli(
    *args: str, data_dir: Path | None = None, lang: str = "en", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a child process."""
    full_env = {**os.environ, "INSPECTOR_LANG": lang, **(env or {})}
    cmd = [sys.executable, "-m", "inspector_app"]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    return subprocess.run(
        [*cmd, *args], capture_output=True, text=True, env=full_env, timeout=120, cwd=ROOT
    )
