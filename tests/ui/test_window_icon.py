"""The desktop's window icon: the clipboard of resources/icons (also the executables' icon)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication

from inspector_app.ui.app import window_icon
from tests.conftest import ROOT

# run_gui runs and quits the event loop, so it gets a process of its own
RUN = """
import sys
from PySide6.QtWidgets import QApplication
from inspector_app.ui.app import run_gui, window_icon
code = run_gui(sys.argv[1])
icon = QApplication.instance().windowIcon()
same = icon.pixmap(32, 32).toImage() == window_icon().pixmap(32, 32).toImage()
print("icon", code, icon.isNull(), same)
"""


def test_the_icon_loads_from_the_resources(qapp: QApplication) -> None:
    icon = window_icon()
    assert not icon.isNull()
    assert QSize(256, 256) in icon.availableSizes()


def test_the_desktop_sets_it_for_every_window(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "INSPECTOR_EXIT_AFTER_SHOW": "1"}
    out = subprocess.run(
        [sys.executable, "-c", RUN, str(tmp_path / "data")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "icon 0 False True" in out.stdout, out.stdout + out.stderr
