"""Walk a window's widgets through QAccessible and name the interactive ones without a name.

What a screen reader announces is the accessible interface's Name: a button's text, a
field's accessible name or the label it is the buddy of (QFormLayout rows make one). A
control whose Name is empty is announced as nothing but its kind.
"""

from __future__ import annotations

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QAbstractSlider,
    QTabBar,
)


def _part_of_another_control(w: QWidget) -> bool:
    """Pieces Qt builds inside a control, announced as part of it: the line edit of a combo
    box or a spin box, a line edit's clear button, a table's header and corner button, a
    tab bar's scroll arrows, scroll bars."""
    if isinstance(w, (QHeaderView, QScrollBar)):
        return True
    parent = w.parentWidget()
    while parent is not None:
        if isinstance(parent, (QComboBox, QAbstractSpinBox, QLineEdit, QTabBar)):
            return True
        if isinstance(parent, QAbstractItemView) and not isinstance(w, QAbstractItemView):
            return parent.viewport() is not w.parentWidget()  # not an item's own widget
        parent = parent.parentWidget()
    return False


def chain(w: QWidget) -> str:
    names = []
    while w is not None:
        label = type(w).__name__
        if w.objectName():
            label += f"#{w.objectName()}"
        names.append(label)
        w = w.parentWidget()
    return " < ".join(names)


def accessible_name(w: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(w)
    return iface.text(QAccessible.Text.Name).strip() if iface is not None else ""


def unnamed_controls(root: QWidget) -> list[str]:
    """Every visible interactive widget under ``root`` whose accessible name is empty."""
    out = []
    for w in [root, *root.findChildren(QWidget)]:
        if not isinstance(w, INTERACTIVE) or not w.isVisible() or _part_of_another_control(w):
            continue
        if not accessible_name(w):
            out.append(chain(w))
    return out
