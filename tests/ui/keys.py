"""Typing as an inspector does, for the GUI tests and the crash child (no pytest needed)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from inspector_app.domain.checklists.schema import AnswerType, Item, Veto
from tests.services.helpers import best_value


def focused() -> QWidget:
    w = QApplication.focusWidget()
    assert w is not None, "nothing has the keyboard focus"
    return w


def type_text(widget: QWidget, text: str) -> None:
    """Type any text, Chinese included (what an input method commits): QTest's
    keyClicks only knows ASCII."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def press(k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(focused(), k, modifier)


def type_answer(item: Item | Veto) -> None:
    """Answer the focused item with its best answer from the keyboard (vetoes: N)."""
    if isinstance(item, Veto):
        press(Qt.Key.Key_N)
    elif item.type is AnswerType.YES_NO:
        press(Qt.Key.Key_Y if item.earns_on == "yes" else Qt.Key.Key_N)
    elif item.type in (AnswerType.SCORE, AnswerType.NUMBER):
        type_text(focused(), f"{best_value(item):g}")
    elif item.type is AnswerType.CHOICE:
        best = max(range(len(item.options)), key=lambda i: item.options[i].points)
        type_text(focused(), str(best + 1))
    elif item.type is AnswerType.DATE:
        press(Qt.Key.Key_T)
    else:
        type_text(focused(), "现场核查情况良好")


def next_item(item: Item | Veto) -> None:
    """Enter moves on; from a text box it is Ctrl+Enter."""
    if isinstance(item, Item) and item.type is AnswerType.TEXT:
        press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    else:
        press(Qt.Key.Key_Return)
