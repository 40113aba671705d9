"""Coloured text through the widget's palette, not a style sheet.

A widget given a style sheet is polished and painted through Qt's style-sheet style, which
costs several times the plain style's work; the editor rebuilds its item panel at every
move to another item, so its hints, notes and errors are coloured this way.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def text_colour(widget: W, colour: str) -> W:
    """``widget`` with its text drawn in ``colour`` (a name or #rrggbb); the widget."""
    palette = widget.palette()
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
        palette.setColor(role, QColor(colour))
    widget.setPalette(palette)
    return widget
