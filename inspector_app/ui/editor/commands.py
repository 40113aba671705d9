"""The checklist editor's commands: a QAction each, with its keys, by the name the menus
(``ui/menus.py``) and F1 (``ui/shortcuts.py``) know it by."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QWidget

from inspector_app.i18n import _


def editor_commands(
    parent: QWidget, undo_stack: QUndoStack, slots: Mapping[str, Callable[[], object]]
) -> dict[str, QAction]:
    """Undo and redo of ``undo_stack``, then one action per command, triggering its slot."""

    def act(text: str, shortcuts: list[str], slot: Callable[[], object]) -> QAction:
        a = QAction(text, parent)
        a.setShortcuts([QKeySequence(k) for k in shortcuts])
        a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        a.triggered.connect(slot)
        return a

    undo = undo_stack.createUndoAction(parent, _("Undo"))
    undo.setShortcuts(QKeySequence.StandardKey.Undo)
    redo = undo_stack.createRedoAction(parent, _("Redo"))
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    commands = {"undo": undo, "redo": redo}
    for key, text, keys in (
        ("next", _("Next item"), ["Ctrl+Down", "Alt+Down"]),
        ("previous", _("Previous item"), ["Ctrl+Up", "Alt+Up"]),
        ("next_unanswered", _("Next unanswered"), ["F3", "Ctrl+J"]),
        ("answer", _("Go to the answer"), ["Ctrl+L"]),
        ("comment", _("Go to the comment"), ["Ctrl+M"]),
        ("tree", _("Go to the indicator tree"), ["Ctrl+T"]),
        ("record_finding", _("Record a finding…"), ["Ctrl+Shift+F"]),
        ("findings", _("Findings list / item"), ["F6"]),
        ("add_photos", _("Add photos to this item…"), ["Ctrl+P"]),
    ):
        commands[key] = act(text, keys, slots[key])
    return commands
