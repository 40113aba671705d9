"""The main window's menu bar: its own commands, and the checklist editor's while one is open.

Every command with a key is a QAction in these menus, so its shortcut works wherever the
window has the focus, and F1 (``ui/shortcuts.py``) lists what the menus hold.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar

from inspector_app.i18n import _

if TYPE_CHECKING:
    from inspector_app.ui.editor.editor import ChecklistEditor


class WindowCommands(Protocol):
    """What the menus call on the window they are in (``ui/main_window.MainWindow``)."""

    @property
    def settings_requested(self) -> SignalInstance: ...
    def menuBar(self) -> QMenuBar: ...
    def new_inspection(self, site_id: str | None = None) -> None: ...
    def open_selected(self) -> None: ...
    def open_inspection(self, inspection_id: str) -> object: ...
    def import_site_list(self) -> None: ...
    def load_sample_data(self) -> None: ...
    def import_package(self, path: str | None = None) -> None: ...
    def export_package(self) -> None: ...
    def show_conflicts(self) -> None: ...
    def close(self) -> bool: ...
    def complete_current(self) -> None: ...
    def amend_current(self) -> None: ...
    def sign_current(self) -> None: ...
    def report_current(self) -> None: ...
    def history_current(self) -> None: ...
    def close_editor(self, reload: bool = True) -> None: ...
    def focus_search(self) -> None: ...
    def reload(self) -> None: ...
    def show_shortcuts(self) -> None: ...
    def show_about(self) -> None: ...


# The editor's commands, in the order of its menus.
EDITOR_EDIT = ("undo", "redo")
EDITOR_INSPECTION = (
    "next",
    "previous",
    "next_unanswered",
    "answer",
    "comment",
    "tree",
    "record_finding",
    "findings",
    "add_photos",
)
CHANGES_ANSWERS = ("record_finding", "add_photos")  # greyed out on a read-only inspection

Keys = QKeySequence | QKeySequence.StandardKey | str


class Menus:
    """Builds the menus of ``window`` and keeps them in step with the open inspection."""

    def __init__(self, window: WindowCommands):
        self.window = window
        w = window
        bar = self.bar = w.menuBar()
        file = self.file_menu = bar.addMenu(_("&File"))
        self.add(file, _("New inspection…"), w.new_inspection, QKeySequence.StandardKey.New)
        self.add(file, _("Open selected inspection"), w.open_selected, "Ctrl+O")
        self.recent_menu = file.addMenu(_("Recent inspections"))
        file.addSeparator()
        self.add(file, _("Import site list (CSV, Excel)…"), w.import_site_list, "Ctrl+I")
        self.add(file, _("Load sample data"), w.load_sample_data)
        file.addSeparator()
        self.add(file, _("Import a package (.inspkg)…"), lambda: w.import_package(), "Ctrl+Shift+I")
        self.add(file, _("Export a package (.inspkg)…"), w.export_package, "Ctrl+E")
        self.add(file, _("Package conflicts…"), w.show_conflicts)
        file.addSeparator()
        self.add(file, _("Settings…"), w.settings_requested.emit, "Ctrl+,")
        file.addSeparator()
        self.add(file, _("Quit"), w.close, QKeySequence.StandardKey.Quit)

        self.edit_menu = bar.addMenu(_("&Edit"))
        ins = self.inspection_menu = bar.addMenu(_("&Inspection"))
        self.complete = self.add(ins, _("Complete…"), w.complete_current, "Ctrl+Shift+C")
        self.amend = self.add(ins, _("Amend…"), w.amend_current, "Ctrl+Shift+A")
        self.sign = self.add(ins, _("Sign…"), w.sign_current, "Ctrl+Shift+S")
        self.report = self.add(ins, _("Report…"), w.report_current, "Ctrl+R")
        self.history = self.add(ins, _("History…"), w.history_current, "Ctrl+H")
        ins.addSeparator()
        self.close = self.add(ins, _("Back to the list"), w.close_editor, "Ctrl+W")
        ins.addSeparator()

        view = self.view_menu = bar.addMenu(_("&View"))
        self.add(view, _("Search"), w.focus_search, QKeySequence.StandardKey.Find)
        self.add(view, _("Refresh"), w.reload, "F5")
        help_menu = self.help_menu = bar.addMenu(_("&Help"))
        self.add(help_menu, _("Keyboard shortcuts"), w.show_shortcuts, "F1")
        self.add(help_menu, _("About Inspector"), w.show_about)
        self.editor_actions: list[QAction] = []
        self.show_editor(None)

    def add(
        self, menu: QMenu, text: str, slot: Callable[..., Any], keys: Keys | None = None
    ) -> QAction:
        action = QAction(text, self.bar)
        if isinstance(keys, QKeySequence.StandardKey):
            action.setShortcuts(keys)
        elif keys is not None:
            action.setShortcut(QKeySequence(keys))
        # triggered passes `checked`; a slot with defaults (close_editor(reload=True)) must
        # not take it as its first argument
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def menus(self) -> list[QMenu]:
        return [
            self.file_menu,
            self.edit_menu,
            self.inspection_menu,
            self.view_menu,
            self.help_menu,
        ]

    def show_editor(self, editor: ChecklistEditor | None) -> None:
        """Add the editor's commands to the menus (or take the last one's out) and enable
        what the inspection's status allows."""
        for action in self.editor_actions:
            self.edit_menu.removeAction(action)
            self.inspection_menu.removeAction(action)
        self.editor_actions = []
        status = editor.state.status if editor is not None else None
        self.close.setEnabled(editor is not None)
        self.complete.setEnabled(status == "draft")
        self.amend.setEnabled(status in ("completed", "signed", "exported"))
        self.sign.setEnabled(status in ("completed", "signed"))
        self.history.setEnabled(status is not None)
        self.report.setEnabled(status is not None)
        self.edit_menu.setEnabled(editor is not None)
        if editor is None:
            return
        acts = editor.commands
        for menu, keys in (
            (self.edit_menu, EDITOR_EDIT),
            (self.inspection_menu, EDITOR_INSPECTION),
        ):
            for key in keys:
                if key in acts:
                    menu.addAction(acts[key])
                    self.editor_actions.append(acts[key])
        for key in CHANGES_ANSWERS:
            if key in acts:
                acts[key].setEnabled(editor.state.editable)

    def fill_recent(self, rows: list[dict[str, Any]], recent_ids: list[str]) -> None:
        self.recent_menu.clear()
        by_id = {r["id"]: r for r in rows}
        recent = [by_id[i] for i in recent_ids if i in by_id][:8]
        for r in recent:
            action = self.recent_menu.addAction(f"{r['site']} · {r['started_on']}")
            action.triggered.connect(lambda _c=False, i=r["id"]: self.window.open_inspection(i))
        self.recent_menu.setEnabled(bool(recent))
