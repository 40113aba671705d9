"""Thin Qt item models over plain lists from the services (STYLE: napari, Anki)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from inspector_app.i18n import _
from inspector_app.presenters.labels import grade_text, site_type_label, status_label
from inspector_app.ui.plain import plain_tip

Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1

PROVISIONAL_COLOUR = "#7a7a7a"  # a provisional result is grey and italic
STATUS_COLOURS = {
    "draft": "#8a6d00",
    "completed": "#1f5fa8",
    "signed": "#2e7d32",
    "exported": "#5d4037",
}


class Column:
    def __init__(
        self,
        title: Callable[[], str],
        text: Callable[[dict[str, Any]], str],
        sort: Callable[[dict[str, Any]], Any] | None = None,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
    ):
        self.title, self.text, self.sort, self.align = title, text, sort or text, align


class RowsModel(QAbstractTableModel):
    """A table over a list of dicts, with filtering, search and sorting done in Python.

    Qt's QSortFilterProxyModel compares rows through ``data()`` one call at a time, which
    takes most of a second on 10,000 inspections; sorting the list with a key takes
    milliseconds. The columns say how to show and sort each field.
    """

    columns: Sequence[Column] = ()
    # Around every re-filter or re-sort, so a view can put its selection aside: a model
    # reset under a live selection costs Qt about 0.2 s at 10,000 rows, without it 0.02 s.
    rows_about_to_change = Signal()
    rows_changed = Signal()

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.all_rows: list[dict[str, Any]] = []
        self.rows: list[dict[str, Any]] = []
        self._haystacks: list[str] = []
        self.equals: dict[str, Any] = {}
        self.needle = ""
        self.sort_column = -1
        self.sort_order = Qt.SortOrder.AscendingOrder

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.all_rows = rows
        self._haystacks = [
            " ".join([*(c.text(r) for c in self.columns), r.get("id", "")]).lower() for r in rows
        ]
        self._apply()

    def set_filter(self, field: str, value: Any) -> None:
        if value in (None, ""):
            self.equals.pop(field, None)
        else:
            self.equals[field] = value
        self._apply()

    def set_search(self, text: str) -> None:
        self.needle = text.strip().lower()
        self._apply()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column, self.sort_order = column, order
        self._apply()

    def _accepts(self, row: dict[str, Any]) -> bool:
        for field, wanted in self.equals.items():
            value = int(row["started_on"][:4]) if field == "year" else row.get(field)
            if value != wanted:
                return False
        return True

    def _apply(self) -> None:
        self.rows_about_to_change.emit()
        self.beginResetModel()
        rows = [
            r
            for r, hay in zip(self.all_rows, self._haystacks, strict=True)
            if self._accepts(r) and (not self.needle or self.needle in hay)
        ]
        if 0 <= self.sort_column < len(self.columns):
            key = self.columns[self.sort_column].sort
            rows.sort(
                key=lambda r: _sortable(key(r)),
                reverse=self.sort_order == Qt.SortOrder.DescendingOrder,
            )
        self.rows = rows
        self.endResetModel()
        self.rows_changed.emit()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title()
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(row)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(col.align | Qt.AlignmentFlag.AlignVCenter)
        value = self.extra(row, index.column(), role)
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(value, str):
            return plain_tip(value)  # tooltips of rows quote data
        return value

    def extra(self, row: dict[str, Any], column: int, role: int) -> Any:
        return None

    def index_of(self, row_id: str) -> int:
        return next((n for n, r in enumerate(self.rows) if r.get("id") == row_id), -1)


def _sortable(value: Any) -> tuple[int, Any]:
    """Numbers before text, text case-insensitively, empty last."""
    if value is None or value == "":
        return (2, "")
    if isinstance(value, (int, float)):
        return (0, value)
    return (1, str(value).lower())


def _score_text(r: dict[str, Any]) -> str:
    return f"{r['score']:.2f}"


class InspectionsModel(RowsModel):
    columns = (
        Column(lambda: _("Site"), lambda r: r["site"]),
        Column(lambda: _("Code"), lambda r: r["site_code"]),
        Column(lambda: _("Template"), lambda r: r["template_title"]),
        Column(lambda: _("Date"), lambda r: r["started_on"]),
        Column(lambda: _("Status"), lambda r: status_label(r["status"]), lambda r: r["status"]),
        Column(
            lambda: _("Score"),
            _score_text,
            lambda r: r["score"],
            Qt.AlignmentFlag.AlignRight,
        ),
        Column(
            lambda: _("Grade"),
            lambda r: grade_text(r["grade_label"], r["provisional"], r["vetoed"]),
            lambda r: r["grade_label"],
        ),
        Column(lambda: _("Inspectors"), lambda r: "、".join(r["inspectors"])),
    )
    STATUS_COLUMN = 4
    SCORE_COLUMN = 5
    GRADE_COLUMN = 6

    def extra(self, row: dict[str, Any], column: int, role: int) -> Any:
        result = column in (self.SCORE_COLUMN, self.GRADE_COLUMN)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.GRADE_COLUMN and row["vetoed"]:
            return QBrush(QColor("#b00020"))
        if role == Qt.ItemDataRole.ForegroundRole and result and row["provisional"]:
            return QBrush(QColor(PROVISIONAL_COLOUR))
        if role == Qt.ItemDataRole.FontRole and result and row["provisional"]:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = []
            if row["provisional"]:
                tips.append(_("Provisional: required answers are missing"))
            if row["vetoed"]:
                tips.append(_("Veto item triggered (一票否决)"))
            return "\n".join(tips) or None
        return None


class SitesModel(RowsModel):
    columns = (
        Column(lambda: _("Code"), lambda r: r["code"]),
        Column(lambda: _("Name"), lambda r: r["name"]),
        Column(lambda: _("Type"), lambda r: site_type_label(r["type"])),
        Column(lambda: _("District"), lambda r: r["district"] or ""),
        Column(lambda: _("Host unit"), lambda r: r["host_unit"] or ""),
        Column(lambda: _("Contact"), lambda r: r["contact_name"] or ""),
    )
