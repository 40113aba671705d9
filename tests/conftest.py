"""Shared fixtures: an isolated data folder and a fresh real SQLite file per test."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
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


def plain_id(value: object) -> str:
    """A parametrised case's id in letters, digits and dots only: a node id that a shell and
    `make mutate` can pass back to pytest (no newlines, spaces or escaped Chinese)."""
    import re

    return re.sub(r"[^0-9A-Za-z.]+", "_", repr(value)).strip("_")[:30] or "empty"


@pytest.fixture(autouse=True)
def _cold_caches() -> None:
    """Each test starts with the scoring's remembered conversions and the parsed templates
    forgotten: no test passes on what an earlier one computed (and under `make mutate`, which
    forks each mutant from a process that ran the tests, the mutated code is what runs)."""
    from inspector_app.domain.checklists import loader, scoring

    scoring._rounded.cache_clear()
    scoring._frac.cache_clear()
    loader._PARSED.clear()


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


_BUILT: dict[bool, Path] = {}  # demo or not -> a folder built once in this test process


def _build_folder(demo: bool) -> Path:
    """A migrated data folder with the bundled templates pinned (and the sample data), built
    under default settings whatever the test that asks first has set."""
    import atexit
    import shutil
    import tempfile

    from inspector_app import i18n, settings, timefmt

    folder = Path(tempfile.mkdtemp(prefix="inspector-built-")) / "data"
    atexit.register(shutil.rmtree, folder.parent, True)
    saved = (os.environ.get("XDG_CONFIG_HOME"), settings.data_folder(), timefmt.zone_name())
    language = getattr(i18n, "_language", None)
    os.environ["XDG_CONFIG_HOME"] = str(folder.parent / "config")
    settings.use_data_folder(None)
    timefmt.set_display_zone(None)
    i18n.set_language("en")
    try:
        folder.mkdir(parents=True)
        ws = open_ws(folder)  # migrated, forms pinned
        if demo:
            from inspector_app.services.demo import load_demo

            load_demo(ws)
        ws.close()
    finally:
        if saved[0] is None:
            os.environ.pop("XDG_CONFIG_HOME", None)
        else:
            os.environ["XDG_CONFIG_HOME"] = saved[0]
        settings.use_data_folder(saved[1])
        timefmt.set_display_zone(saved[2])
        i18n.set_language(language)
    # a copy must not share a device key (two laptops would be one device)
    assert not (folder / "signing" / "device.json").exists(), "the built folder has a device key"
    return folder


def prepared_folder(dest: Path, *, demo: bool = False) -> Path:
    """``dest`` as a fresh data folder: migrated, the bundled templates pinned and, with
    ``demo``, the sample data. Copied from one built once per test process (as Anki's tests
    copy one empty collection): migrating takes a quarter second, the sample data seconds."""
    import shutil

    if demo not in _BUILT or not _BUILT[demo].exists():
        _BUILT[demo] = _build_folder(demo)
    shutil.copytree(_BUILT[demo], dest, dirs_exist_ok=True)
    return dest


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


def open_ws(data_dir: Path, *, actor: str = "测试员", forms: bool = True, settings=None):
    """The data folder as the services take it: a ``Workspace`` (migrated; forms pinned
    unless ``forms`` is False) under ``settings``, else the settings saved now (read once,
    as a start reads them). Close it with ``ws.close()``."""
    from inspector_app.services.startup import open_workspace
    from inspector_app.settings import load_settings

    ws, _recovery = open_workspace(
        data_dir, actor=actor, settings=settings or load_settings(), forms=forms
    )
    return ws


def folder_ws(data_dir: Path, *, actor: str = "测试员"):
    """A Workspace on ``data_dir`` that opens nothing: for the keys and certificates, which
    live beside the database and never need it (as ``inspector doctor`` reads them)."""
    from inspector_app.paths import DB_FILENAME
    from inspector_app.store.db import Database
    from inspector_app.workspace import Workspace

    return Workspace(data_dir, Database(data_dir / DB_FILENAME), actor)


@pytest.fixture
def ws(data_dir: Path):
    """A fresh, migrated data folder with the bundled templates pinned, as a Workspace."""
    workspace = open_ws(prepared_folder(data_dir))
    yield workspace
    workspace.close()


@pytest.fixture
def demo_ws(data_dir: Path):
    """A fresh data folder with the sample data, as a Workspace."""
    workspace = open_ws(prepared_folder(data_dir, demo=True))
    yield workspace
    workspace.close()


@pytest.fixture
def db(ws):
    """The database of ``ws``, for tests that look at the tables themselves."""
    return ws.db


@pytest.fixture
def demo_db(demo_ws):
    return demo_ws.db


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


@dataclass(frozen=True)
class CliRun:
    returncode: int
    stdout: str
    stderr: str


def run_main(
    *args: str | bytes,
    data_dir: Path | None = None,
    lang: str = "en",
    env: dict[str, str] | None = None,
) -> CliRun:
    """``run_cli`` without the child process: ``inspector_app.cli.main`` in this process, as
    a fresh process would run it. ``INSPECTOR_LANG=lang`` and ``env`` hold for the run only;
    stdin is not a terminal; stdout and stderr are UTF-8 byte streams as Python makes them
    for a pipe (stdout strict: a lone surrogate printed raw fails as it would there, stderr
    backslashreplace); bytes arguments are decoded as Python decodes argv. A usage error,
    --help or --version (SystemExit) gives its exit code. An exception the CLI lets through
    is raised here (a child would print its traceback and exit 1).

    What a run sets for the whole process starts from its defaults and is put back after:
    the language, the data folder's settings, the display zone, argparse's translation
    hooks. For what only a real process shows (a crash or kill, signals, locks between
    processes, FIFOs and time limits, stdin, the console's encoding, the installed entry
    point), use ``run_cli``."""
    import argparse
    import io

    from inspector_app import cli, i18n, settings, timefmt

    argv = [os.fsdecode(a) for a in args]
    if data_dir is not None:
        argv = ["--data-dir", str(data_dir), *argv]
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    saved = (
        i18n._language,
        settings.data_folder(),
        timefmt.zone_name(),
        argparse._,  # type: ignore[attr-defined]
        argparse.ngettext,  # type: ignore[attr-defined]
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INSPECTOR_LANG", lang)
        mp.setenv("COLUMNS", os.environ.get("COLUMNS", "80"))  # a pipe has no width: 80
        for name, value in (env or {}).items():
            mp.setenv(name, value)
        mp.setattr(sys, "stdin", io.StringIO())
        mp.setattr(sys, "stdout", out)
        mp.setattr(sys, "stderr", err)
        i18n.set_language(None)  # as in a new process: INSPECTOR_LANG, else Chinese
        settings.use_data_folder(None)
        timefmt.set_display_zone(None)
        try:
            code: int = cli.main(argv)
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:
                print(exc.code, file=err)
                code = 1
        finally:
            out.flush()
            err.flush()
            i18n.set_language(saved[0])
            settings.use_data_folder(saved[1])
            timefmt.set_display_zone(saved[2])
            argparse._, argparse.ngettext = saved[3], saved[4]  # type: ignore[attr-defined]
    return CliRun(
        code,
        out.buffer.getvalue().decode("utf-8"),  # type: ignore[attr-defined]
        err.buffer.getvalue().decode("utf-8"),  # type: ignore[attr-defined]
    )


def fifo(path: Path, unblock_after: float = 3.0) -> Path:
    """A named pipe nobody writes to: opening it for reading waits for ever. After
    ``unblock_after`` seconds a writer opens and closes it once, so code that wrongly waits on
    it fails its test (too slow, or an empty file) instead of hanging the whole suite."""
    import threading

    os.mkfifo(path)

    def unblock() -> None:
        with contextlib.suppress(OSError):  # nobody is waiting on it: nothing to undo
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))

    timer = threading.Timer(unblock_after, unblock)
    timer.daemon = True
    timer.start()
    return path


@dataclass(frozen=True)
class BoundedRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float  # the child's peak resident memory


# Runs the command as its child and writes the child's peak memory (KiB) to a file: the peak
# of a child measured from this (large) test process would include this process's memory,
# which a forked child counts until it executes the command.
_MEASURE = """
import os, resource, subprocess, sys
cap, umask, report = int(sys.argv[1]), sys.argv[2], sys.argv[3]
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
if umask != "-":
    os.umask(int(umask, 8))
code = subprocess.call(sys.argv[4:])
with open(report, "w") as fh:
    fh.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def run_cli_bounded(
    *args: str | bytes,
    data_dir: Path | None = None,
    lang: str = "en",
    env: dict[str, str] | None = None,
    timeout: float = 20,
    address_space_mb: int = 2048,
    umask: int | None = None,
) -> BoundedRun:
    """``run_cli``, measuring the command's wall time and peak memory, with a hard cap on its
    address space (a runaway read fails fast instead of eating the machine) and a kill after
    ``timeout`` seconds. Arguments may be bytes (invalid UTF-8 on purpose)."""
    import signal
    import tempfile
    import time

    full_env = {**os.environ, "INSPECTOR_LANG": lang, **(env or {})}
    cmd: list[str | bytes] = [sys.executable, "-m", "inspector_app"]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "peak"
        wrapper = [
            sys.executable,
            "-S",
            "-c",
            _MEASURE,
            str(address_space_mb * 2**20),
            "-" if umask is None else f"{umask:o}",
            str(report),
        ]
        started = time.monotonic()
        child = subprocess.Popen(
            [*wrapper, *cmd, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=full_env,
            cwd=ROOT,
            start_new_session=True,  # a kill reaches the command too
        )
        try:
            out, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            out, err = child.communicate()
        seconds = time.monotonic() - started
        peak = int(report.read_text()) / 1024 if report.exists() else float("inf")
    return BoundedRun(
        child.returncode,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        seconds,
        peak,
    )
