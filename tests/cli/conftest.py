"""The demo data folder, made once per test process by the CLI's own ``demo`` command;
each module that uses it gets its own copy (copying 8 MB takes milliseconds, ``demo`` seconds)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import run_main


@pytest.fixture(scope="session")
def pristine_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Never written to: copy it (``demo_copy``)."""
    base = tmp_path_factory.mktemp("demo")
    home = {  # per-user folders of its own: session fixtures come before _isolate
        "XDG_CONFIG_HOME": str(base / "config"),
        "XDG_DATA_HOME": str(base / "xdg-data"),
        "INSPECTOR_DATA_DIR": str(base / "default-data"),
        "INSPECTOR_USER": "测试员",
    }
    out = run_main("demo", data_dir=base / "data", env=home)
    assert out.returncode == 0, out.stderr
    return base / "data"


def demo_copy(pristine: Path, tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    target = tmp_path_factory.mktemp(name) / "data"
    shutil.copytree(pristine, target)
    return target
