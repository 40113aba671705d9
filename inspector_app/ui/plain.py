"""Data is shown as text, never as markup.

A QLabel, a message box and a tooltip take text that looks like HTML for rich text (Qt's
``AutoText``), and rich text loads what an ``<img src=…>`` names: a site name, an
inspector's name, an answer, a file name or a camera model of ``<img src='/dev/zero'>``
(from a site list, a package or a camera card) made the desktop read /dev/zero into memory
until it died. Labels that show data are plain text; a tooltip of data that looks like
markup is escaped.
"""

from __future__ import annotations

from typing import overload

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QLabel, QWidget


def plain_labels(widget: QWidget) -> None:
    """Every label under ``widget`` (and ``widget`` itself) that did not ask for rich text
    shows its text as written, now and after any later ``setText``."""
    labels = widget.findChildren(QLabel)
    if isinstance(widget, QLabel):
        labels.append(widget)
    for label in labels:
        if label.textFormat() == Qt.TextFormat.AutoText:
            label.setTextFormat(Qt.TextFormat.PlainText)


@overload
def plain_tip(text: str) -> str: ...
@overload
def plain_tip(text: None) -> None: ...
def plain_tip(text: str | None) -> str | None:
    """A tooltip shows ``text`` as written: escaped when Qt would take it for markup."""
    if text and GuiQt.mightBeRichText(text):
        return str(GuiQt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal))
    return text
