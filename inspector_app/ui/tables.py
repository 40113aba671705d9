"""Table views over the row models: Enter opens a row, selection survives re-sorting,
status drawn as a badge."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from inspector_app.ui.models import ROW_ROLE, STATUS_COLOURS, RowsModel


class StatusBadge(QStyledItemDelegate):
    """Draws the status as a coloured pill, as in the status bar of a review tool."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        row = index.data(ROW_ROLE)
        if not row:
            return super().paint(painter, option, index)
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else QApplication.style()
        option.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        metrics = option.fontMetrics
        width = metrics.horizontalAdvance(text) + 14
        height = metrics.height() + 4
        rect = QRect(
            option.rect.left() + 4, option.rect.center().y() - height // 2 + 1, width, height
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(STATUS_COLOURS.get(row["status"], "#666")))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(QColor("white"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width() + 18, hint.height())


class RowTable(QTableView):
    """Enter opens the current row; the selected row survives filtering and sorting."""

    activated_row = Signal(dict)

    def watch(self, model: RowsModel) -> None:
        self._kept: str | None = None
        model.rows_about_to_change.connect(self._put_aside)
        model.rows_changed.connect(self._restore)

    def _put_aside(self) -> None:
        index = self.currentIndex()
        self._kept = index.data(ROW_ROLE)["id"] if index.isValid() else None
        self._kept_selection = [
            i.data(ROW_ROLE)["id"] for i in self.selectionModel().selectedRows()
        ]
        self.selectionModel().clear()

    def select_only(self, row: int) -> None:
        """Make ``row`` the current and only selected row. Unlike ``selectRow``, whatever
        keys are held does not matter: with Ctrl down (Ctrl+E, Ctrl+W from the editor)
        ``selectRow`` toggles the row and so took it out of the selection."""
        model = self.model()
        index = model.index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.selectionModel().setCurrentIndex(index, flags)
        self.scrollTo(index)

    def _restore(self) -> None:
        model = self.model()
        assert isinstance(model, RowsModel)
        row = model.index_of(self._kept) if self._kept else -1
        if row >= 0:
            self.select_only(row)
        rows = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for other in getattr(self, "_kept_selection", []):  # the rest of a multiple selection
            n = model.index_of(other) if other != self._kept else -1
            if n >= 0:
                self.selectionModel().select(model.index(n, 0), rows)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().data(ROW_ROLE))
            return
        super().keyPressEvent(event)


def configure_table(view: RowTable, model: RowsModel) -> None:
    view.setModel(model)
    view.watch(model)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    view.horizontalHeader().setStretchLastSection(True)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)
