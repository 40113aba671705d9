"""--lang and INSPECTOR_LANG win over the saved language for that run (issue 9 #10)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inspector_app.settings import load_settings, save_settings, settings_path
from inspector_app.ui.app import EXIT_AFTER_SHOW_ENV
from tests.conftest import ROOT
from tests.ui.test_workflows import seed_site

# ``inspector-app ARGV`` (desktop.main, the installed command) in a child, until its window is up with its data; it
# prints the menu bar's titles as the window shows them.
CHILD = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from inspector_app import desktop
from inspector_app.ui.main_window import MainWindow

qapp = QApplication(sys.argv[:1])

def look():
    shown = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    if shown:
        print("menus", *(a.text() for a in shown[0].menuBar().actions()), flush=True)
    else:
        QTimer.singleShot(0, look)

QTimer.singleShot(0, look)
sys.exit(desktop.main(sys.argv[1:]))
"""


def run_desktop(argv: list[str], env: dict[str, str]) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, *argv],
        capture_output=True,
        text=True,
        env={**os.environ, EXIT_AFTER_SHOW_ENV: "1", **env},
        timeout=60,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.startswith("menus "))
    return line.split()[1:]


@pytest.mark.parametrize("how", ["--lang", "INSPECTOR_LANG"])
def test_the_language_asked_on_starting_wins_for_that_run(how: str, data_dir: Path) -> None:
    seed_site(data_dir)
    saved = load_settings()
    saved.language = "zh"
    save_settings(saved)
    before = settings_path().read_bytes()
    argv = ["--data-dir", str(data_dir)]
    if how == "--lang":
        argv, env = [*argv, "--lang", "en"], {}
    else:
        env = {"INSPECTOR_LANG": "en"}
    assert run_desktop(argv, env)[0] == "&File"
    assert load_settings().language == "zh"  # for that run only: nothing saved
    assert settings_path().read_bytes() == before
    assert run_desktop(["--data-dir", str(data_dir)], {})[0] == "文件(&F)"  # the next run


def test_choosing_a_language_in_settings_applies_and_saves_it(
    make_app: Any, data_dir: Path
) -> None:
    seed_site(data_dir)
    app = make_app(data_dir, language="zh", run_language="en")
    assert app.window.menuBar().actions()[0].text() == "&File"
    app.edit_settings()
    dialog = app.window.dialog
    assert dialog.language.currentData() == "en"  # the language in use is what it shows
    dialog.organisation.setText("威海市科学技术局")
    dialog.accept()  # the language untouched: the run keeps English, the saved one stays
    assert load_settings().organisation == "威海市科学技术局"
    assert load_settings().language == "zh"
    assert app.window.menuBar().actions()[0].text() == "&File"

    app.edit_settings()
    dialog = app.window.dialog
    dialog.language.setCurrentIndex(dialog.language.findData("zh"))
    dialog.accept()  # chosen: applied now, and saved for the next runs
    assert app.window.menuBar().actions()[0].text() == "文件(&F)"
    assert app.run_language is None and load_settings().language == "zh"
