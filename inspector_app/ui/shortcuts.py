"""F1: the keyboard shortcuts, read from the window's real actions.

The list is made from the QActions in the menus (the editor's among them while an
inspection is open), with their current texts and keys, plus the keys that widgets handle
themselves (Y / N / A, digits, Enter…), declared in ``IN_WIDGET_KEYS``. The tests press
every key the list shows and check that it does what the list says.

``WindowKeysFirst`` lets a window command's key through a text box that would keep it for
itself (in a Linux line edit Ctrl+E moves to the end of the line), except the editing keys
everyone expects there: copy, cut, paste, undo, redo, select all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QEvent, QKeyCombination, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from inspector_app.i18n import _


class MenuList(Protocol):
    """The window's menus (``ui/menus.Menus``)."""

    def menus(self) -> list[QMenu]: ...


class EditorCommands(Protocol):
    """The checklist editor's commands by name (``ui/editor/editor.ChecklistEditor``)."""

    @property
    def commands(self) -> Mapping[str, QAction]: ...


class KeyedWindow(Protocol):
    """What F1 reads of the main window (``ui/main_window.MainWindow``)."""

    @property
    def menus(self) -> MenuList: ...
    @property
    def editor(self) -> EditorCommands | None: ...


SPECIAL_KEYS = Qt.Key.Key_Back.value  # from here on: media, browser and launch keys


@dataclass(frozen=True)
class InWidgetKey:
    """A key a widget handles itself; ``key_id`` names it for the tests that press it."""

    key_id: str
    where: str  # "browser" or "editor"
    text: Callable[[], str]
    keys: Callable[[], tuple[str, ...]]


IN_WIDGET_KEYS: tuple[InWidgetKey, ...] = (
    InWidgetKey(
        "open_row", "browser", lambda: _("Open the selected inspection"), lambda: ("Enter",)
    ),
    InWidgetKey(
        "search_to_results",
        "browser",
        lambda: _("From the search box to the results"),
        lambda: ("↓", "Enter"),
    ),
    InWidgetKey(
        "yes_no_na", "editor", lambda: _("Yes / No / Not applicable"), lambda: ("Y", "N", "A")
    ),
    InWidgetKey("digits", "editor", lambda: _("Score or number: type it"), lambda: (_("digits"),)),
    InWidgetKey("choice", "editor", lambda: _("Choice: pick an option"), lambda: ("1…9", "↑ ↓")),
    InWidgetKey("today", "editor", lambda: _("Date: today"), lambda: ("T",)),
    InWidgetKey("enter_next", "editor", lambda: _("Next item"), lambda: ("Enter",)),
    InWidgetKey(
        "ctrl_enter_next", "editor", lambda: _("Next item from a text box"), lambda: ("Ctrl+Enter",)
    ),
    InWidgetKey("escape", "editor", lambda: _("Back to the list"), lambda: ("Esc",)),
)


@dataclass(frozen=True)
class Shortcut:
    """One line of F1: a command, its keys, and the action or widget key behind it."""

    group: str
    text: str
    keys: tuple[str, ...]
    action: QAction | None = None
    key_id: str | None = None
    enabled: bool = True


def plain(text: str) -> str:
    """A menu text without its mnemonic: "文件(&F)" and "&File" become "文件" and "File"."""
    return re.sub(r"\(&\w\)", "", text).replace("&", "").strip()


def key_text(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def typed_keys(action: QAction) -> list[QKeySequence]:
    """The action's keys a laptop has: Ctrl+N and Ctrl+Z, not the "New" key of a multimedia
    keyboard nor the F14 "Undo" key of old Unix ones."""
    return [k for k in action.shortcuts() if not k.isEmpty() and _on_a_laptop(_first_key(k))]


def _first_key(sequence: QKeySequence) -> Qt.Key:
    # PySide6 binds QKeySequence::operator[] as __getitem__; its stubs (6.11) leave it out
    combination: QKeyCombination = sequence[0]  # type: ignore[index]
    return combination.key()


def _on_a_laptop(key: Qt.Key) -> bool:
    value = key.value
    return value < SPECIAL_KEYS and not Qt.Key.Key_F13.value <= value <= Qt.Key.Key_F35.value


def catalogue(window: KeyedWindow) -> list[Shortcut]:
    """What F1 lists now: every menu action with a key, then the keys of the screen."""
    editor = window.editor
    fixed = {}  # the undo actions' texts follow the last edit; F1 names the command
    if editor is not None:
        fixed = {editor.commands["undo"]: _("Undo"), editor.commands["redo"]: _("Redo")}
    rows: list[Shortcut] = []
    for menu in window.menus.menus():
        for action in menu.actions():
            keys = tuple(key_text(k) for k in typed_keys(action))
            if action.isSeparator() or action.menu() is not None or not keys:
                continue
            text = fixed.get(action) or plain(action.text())
            enabled = action.isEnabled() and menu.isEnabled()
            rows.append(Shortcut(plain(menu.title()), text, keys, action, enabled=enabled))
    where = "editor" if editor is not None else "browser"
    group = _("In the checklist editor") if editor is not None else _("In the list")
    rows += [
        Shortcut(group, k.text(), k.keys(), key_id=k.key_id)
        for k in IN_WIDGET_KEYS
        if k.where == where
    ]
    return rows


EDITING_KEYS = (
    QKeySequence.StandardKey.Copy,
    QKeySequence.StandardKey.Cut,
    QKeySequence.StandardKey.Paste,
    QKeySequence.StandardKey.Undo,
    QKeySequence.StandardKey.Redo,
    QKeySequence.StandardKey.SelectAll,
)
TEXT_BOXES = (QLineEdit, QPlainTextEdit, QTextEdit, QAbstractSpinBox)


class WindowKeysFirst(QObject):
    """Watches the focused text box of ``window``: a key bound to one of ``actions()`` that
    is not an editing key goes to the action, not to the box."""

    def __init__(self, window: QWidget, actions: Callable[[], list[QAction]]):
        super().__init__(window)
        self.window, self.actions = window, actions
        self.watched: QWidget | None = None
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old: Any, new: Any) -> None:
        if not shiboken6.isValid(self):
            return
        if self.watched is not None and shiboken6.isValid(self.watched):
            self.watched.removeEventFilter(self)
        self.watched = None
        if isinstance(new, TEXT_BOXES) and new.window() is self.window:
            new.installEventFilter(self)
            self.watched = new

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        if any(event.matches(k) for k in EDITING_KEYS):
            return False
        pressed = QKeySequence(event.keyCombination())
        return any(
            a.isEnabled()
            and any(
                k.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch for k in a.shortcuts()
            )
            for a in self.actions()
        )


def window_actions(window: KeyedWindow) -> Callable[[], list[QAction]]:
    def actions() -> list[QAction]:
        return [a for m in window.menus.menus() for a in m.actions()]

    return actions
