"""Start the desktop: QApplication, bundled font, translations, database, main window."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from inspector_app import APP_NAME, __version__, i18n, paths, timefmt
from inspector_app.i18n import _
from inspector_app.services.startup import DatabaseError, open_workspace
from inspector_app.settings import (
    Settings,
    data_dir_for,
    default_actor,
    load_settings,
    save_settings,
    use_data_folder,
)
from inspector_app.ui.fonts import install_fonts
from inspector_app.ui.main_window import MainWindow
from inspector_app.ui.qt_i18n import install_qt_translators, remove_qt_translators
from inspector_app.ui.workers import wait_for_tasks
from inspector_app.workspace import Workspace

if TYPE_CHECKING:
    from inspector_app.ui.dialogs import SettingsDialog

# For the start-up benchmark: quit once the window is on screen with its data.
EXIT_AFTER_SHOW_ENV = "INSPECTOR_EXIT_AFTER_SHOW"


def window_icon() -> QIcon:
    """The clipboard icon (resources/icons, drawn by tools/make_icon.py); the Windows
    executables carry the same picture as their .ico (build.spec)."""
    return QIcon(str(paths.resources_dir() / "icons" / "inspector.png"))


def run_language(cli_language: str | None = None) -> str | None:
    """The language asked for this run: ``--lang``, else INSPECTOR_LANG; None: the saved one."""
    chosen = (cli_language or os.environ.get(i18n.LANG_ENV) or "").strip()
    return i18n.normalize_language(chosen) if chosen else None


SETTINGS_SAVE_DELAY_MS = 1000


class InspectorApp:
    """Owns the database and settings for one run and the main window built on them.

    ``language`` (from ``--lang`` or INSPECTOR_LANG) wins over the saved setting for this
    run and is not saved; choosing a language in Settings applies it and saves it.
    """

    def __init__(
        self,
        qapp: QApplication,
        explicit_data_dir: str | None = None,
        actor: str | None = None,
        language: str | None = None,
    ):
        self.qapp = qapp
        # a data folder given for this run keeps its own settings and changes no default
        self.given_data_dir = paths.given_data_dir(explicit_data_dir)
        use_data_folder(self.given_data_dir)
        self.settings: Settings = load_settings()
        self.run_language = i18n.normalize_language(language) if language else None
        i18n.set_language(self.language)
        timefmt.set_display_zone(self.settings.timezone)
        self.translators = install_qt_translators(qapp, self.language)
        self.explicit_data_dir = explicit_data_dir
        self.data_dir = data_dir_for(self.settings, explicit_data_dir)
        self.actor = actor or (
            self.settings.inspectors[0] if self.settings.inspectors else default_actor()
        )
        self.ws: Workspace = self._open(self.data_dir)
        # what the window remembers (recent inspections) is saved a moment later, once for
        # a burst of changes, and at close: opening an inspection waits for no disk write
        self.settings_due = QTimer()
        self.settings_due.setSingleShot(True)
        self.settings_due.setInterval(SETTINGS_SAVE_DELAY_MS)
        self.settings_due.timeout.connect(lambda: save_settings(self.settings))
        self.window = self._new_window()

    @property
    def language(self) -> str:
        """The language of this run: the one asked for on starting, else the saved one."""
        return self.run_language or self.settings.language

    def _open(self, data_dir: Path) -> Workspace:
        """Open a data folder as this run's Workspace; it holds the folder's desktop lock
        while it is shown, so a command-line run leaves the drafts being typed here alone.
        A second desktop on the same folder opens it too, and leaves the drafts to the
        first."""
        ws, _recovery = open_workspace(
            data_dir, actor=self.actor, settings=self.settings, desktop=True
        )
        return ws

    def _new_window(self) -> MainWindow:
        window = MainWindow(self.ws, self.settings)
        window.settings_requested.connect(self.edit_settings)
        window.data_changed.connect(self.settings_due.start)
        window.show()
        window.reload()
        return window

    def edit_settings(self) -> None:
        """The Settings dialog, window-modal; OK applies and saves what it shows."""
        from inspector_app.ui.dialogs import SettingsDialog

        dialog = SettingsDialog(
            self.settings,
            self.data_dir,
            self.window,
            language=self.language,
            folder_given=self.given_data_dir is not None,
        )
        self.window.open_dialog(dialog, lambda: self._apply_settings(dialog))

    def _apply_settings(self, dialog: SettingsDialog) -> None:
        from inspector_app.paths import default_data_dir

        old_lang, old_dir = self.language, self.data_dir
        dialog.apply_to(self.settings, default_data_dir())
        if dialog.language_chosen():
            self.run_language = None  # a language chosen here is the saved one from now on
        save_settings(self.settings)
        self.ws.settings = dataclasses.replace(self.settings)  # what the services read from now
        new_dir = data_dir_for(self.settings, self.explicit_data_dir)
        if self.language != old_lang or new_dir != old_dir:
            self.rebuild(new_dir)

    def set_language(self, lang: str) -> None:
        """Switch language now and save it: every string is re-read by building the window
        anew."""
        self.settings.language = i18n.normalize_language(lang)
        self.run_language = None
        save_settings(self.settings)
        self.rebuild(self.data_dir)

    def rebuild(self, data_dir: Path) -> None:
        current = self.window.editor.state.id if self.window.editor else None
        i18n.set_language(self.language)
        remove_qt_translators(self.qapp, self.translators)
        self.translators = install_qt_translators(self.qapp, self.language)
        if data_dir != self.data_dir:
            new_ws = self._open(data_dir)  # refuse to switch before the new folder is good
            self.ws.close()
            self.ws, self.data_dir = new_ws, data_dir
            current = None
        old = self.window
        old.close()
        old.deleteLater()
        self.window = self._new_window()
        if current:
            self.window.open_inspection(current)

    def close(self) -> None:
        if self.settings_due.isActive():
            self.settings_due.stop()
            save_settings(self.settings)
        self.window.close()
        self.ws.close()  # the database, and the folder's desktop lock
        remove_qt_translators(self.qapp, self.translators)  # Qt's strings as they were
        self.translators = []


def run_gui(
    data_dir: str | None = None, sample_data_if_empty: bool = False, language: str | None = None
) -> int:
    """The desktop's event loop; ``language`` is ``--lang`` (INSPECTOR_LANG when not given)."""
    started = time.perf_counter()
    qapp = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(qapp, QApplication)
    qapp.setApplicationName(APP_NAME)
    qapp.setApplicationVersion(__version__)
    qapp.setOrganizationName(APP_NAME)
    qapp.setWindowIcon(window_icon())
    install_fonts(qapp)
    try:
        app = InspectorApp(qapp, data_dir, language=run_language(language))
        # the lists arrive from a background task, so this is seen before they do
        app.window.sample_data_if_empty = sample_data_if_empty
    except DatabaseError as exc:
        QMessageBox.critical(
            None, APP_NAME, _("Inspector cannot open its data: {error}", error=exc)
        )
        return 1
    if os.environ.get(EXIT_AFTER_SHOW_ENV):

        def check() -> None:
            if app.window.loaded and app.window.isVisible():
                print(f"window-ready {time.perf_counter() - started:.4f}", flush=True)
                qapp.quit()
            else:
                QTimer.singleShot(5, check)

        QTimer.singleShot(0, check)
    code = qapp.exec()
    wait_for_tasks()  # background work (lists, warm-up) ends before the database closes
    app.close()
    return code
