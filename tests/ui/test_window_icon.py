"""The desktop's window icon: the clipboard of resources/icons (also the executables' icon)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from inspector_app.ui.app import EXIT_AFTER_SHOW_ENV, run_gui, window_icon


def test_the_icon_loads_from_the_resources(qapp: QApplication) -> None:
    icon = window_icon()
    assert not icon.isNull()
    assert QSize(256, 256) in icon.availableSizes()


def test_the_desktop_sets_it_for_every_window(
    qapp: QApplication, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    qapp.setWindowIcon(QIcon())  # start without one
    assert qapp.windowIcon().isNull()
    monkeypatch.setenv(EXIT_AFTER_SHOW_ENV, "1")
    assert run_gui(str(data_dir)) == 0
    icon = qapp.windowIcon()
    assert not icon.isNull()
    expected = window_icon().pixmap(32, 32).toImage()
    assert icon.pixmap(32, 32).toImage() == expected
