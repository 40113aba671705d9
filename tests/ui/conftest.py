"""GUI fixtures: real widgets offscreen over a fresh database, and no leaked windows.

``make_app(data_dir)`` builds the real ``InspectorApp`` (settings, fonts, database, main
window) and closes everything it opened at teardown. The autouse ``no_leaked_windows``
fails a test that leaves a visible top-level window behind (STYLE: napari's factory).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QWidget

from inspector_app import i18n


def visible_top_levels() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def leaked_windows(before: set[int]) -> list[str]:
    """Top-level windows shown since ``before`` that are still open."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    return [
        f"{type(w).__name__} {w.windowTitle()!r}"
        for w in visible_top_levels()
        if id(w) not in before
    ]


@pytest.fixture(autouse=True)
def no_leaked_windows(qapp: QApplication) -> Iterator[None]:
    before = {id(w) for w in visible_top_levels()}
    yield
    leaked = leaked_windows(before)
    for w in visible_top_levels():
        if id(w) not in before:
            w.close()
    if leaked:
        pytest.fail(f"the test left windows open: {leaked}")


@pytest.fixture(autouse=True)
def _fonts_and_language(qapp: QApplication) -> Iterator[None]:
    from inspector_app.ui.fonts import install_fonts

    install_fonts(qapp)
    yield
    i18n.set_language("en")


@pytest.fixture
def make_app(qapp: QApplication, qtbot: Any) -> Iterator[Callable[..., Any]]:
    from inspector_app.ui.app import InspectorApp
    from inspector_app.ui.workers import wait_for_tasks

    made: list[InspectorApp] = []

    def factory(
        data_dir: Path, language: str = "zh", run_language: str | None = None
    ) -> InspectorApp:
        """``language`` is saved in the settings the app reads (the data folder is given,
        so its own); ``run_language`` is ``--lang``."""
        from inspector_app.paths import resolve_data_dir
        from inspector_app.settings import load_settings, save_settings, use_data_folder

        use_data_folder(resolve_data_dir(data_dir))
        settings = load_settings()
        settings.language = language
        save_settings(settings)
        app = InspectorApp(qapp, str(data_dir), actor="测试员", language=run_language)
        made.append(app)
        qtbot.waitUntil(lambda: app.window.loaded, timeout=10000)
        return app

    yield factory
    wait_for_tasks()
    for app in made:
        if app.window.dialog is not None and shiboken6.isValid(app.window.dialog):
            app.window.dialog.close()
        app.close()
    wait_for_tasks()
