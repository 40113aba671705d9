"""F1's dialog: the shortcuts ``catalogue`` lists, grouped by menu (loaded when F1 is
pressed, not at start)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.ui.dialogs import RememberingDialog
from inspector_app.ui.shortcuts import Shortcut


class ShortcutsDialog(RememberingDialog):
    """F1: the shortcuts of the screen on show (``catalogue``), grouped by menu; greyed when
    not available now (Amend on a draft)."""

    key = "shortcuts"

    def __init__(self, rows: Sequence[Shortcut], in_editor: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows = list(rows)
        self.setWindowTitle(_("Keyboard shortcuts"))
        self.table = QTableWidget(0, 2)
        self.table.setAccessibleName(_("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([_("Command"), _("Keys")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        bold = QFont(self.table.font())
        bold.setBold(True)
        grey = QBrush(QColor("#8a8a8a"))
        group = None
        for row in self.rows:
            if row.group != group:
                group = row.group
                self._add(group, "", font=bold)
            tip = None if row.enabled else _("Not available on this screen now")
            self._add(
                "    " + row.text,
                "   ".join(row.keys),
                tip=tip,
                brush=None if row.enabled else grey,
            )
        self.note = QLabel(
            _("Open an inspection and press F1 there for the keys of the checklist editor.")
            if not in_editor
            else _("Greyed: not available for this inspection now.")
        )
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(close)
        self.table.setCurrentCell(-1, -1)
        self.resize(max(self.width(), 760), max(self.height(), 680))

    def _add(
        self,
        text: str,
        keys: str,
        *,
        font: QFont | None = None,
        tip: str | None = None,
        brush: QBrush | None = None,
    ) -> None:
        n = self.table.rowCount()
        self.table.insertRow(n)
        for column, value in enumerate((text, keys)):
            item = QTableWidgetItem(value)
            if font is not None:
                item.setFont(font)
            if tip:
                item.setToolTip(tip)
            if brush is not None:
                item.setForeground(brush)
            self.table.setItem(n, column, item)
