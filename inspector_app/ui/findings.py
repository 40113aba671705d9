"""Findings and corrective actions (问题与整改): the list in an inspection and the list of
everything still open across sites with its deadline (the edit dialog: finding_dialog.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _, pick
from inspector_app.presenters.labels import finding_status_label, severity_label, site_type_label
from inspector_app.ui.models import ROW_ROLE, Column, RowsModel
from inspector_app.ui.tables import RowTable, configure_table
from inspector_app.ui.text_colour import text_colour

if TYPE_CHECKING:
    from inspector_app.domain.checklists.schema import ChecklistTemplate

SEVERITY_COLOURS = {"minor": "#8a6d00", "major": "#c45100", "critical": "#b00020"}
NO_DATE = QDate(1900, 1, 1)


def _overdue(row: dict[str, Any], today: dt.date | None = None) -> bool:
    today = today or dt.date.today()
    return (
        bool(row["deadline"])
        and row["status"] == "open"
        and dt.date.fromisoformat(row["deadline"]) < today
    )


class FindingsModel(RowsModel):
    """One inspection's findings, or (with the site column) the open ones everywhere."""

    def __init__(
        self,
        parent: Any = None,
        *,
        with_site: bool = False,
        item_title: Callable[[str | None], str] | None = None,
    ):
        super().__init__(parent)
        title = item_title or (lambda item_id: item_id or "")
        cols = [
            Column(
                lambda: _("Severity"),
                lambda r: severity_label(r["severity"]),
                lambda r: ["critical", "major", "minor"].index(r["severity"]),
            ),
            Column(lambda: _("Finding"), lambda r: r["description"]),
            Column(lambda: _("Requirement"), lambda r: r["requirement"] or ""),
            Column(lambda: _("Deadline"), lambda r: r["deadline"] or "—"),
            Column(lambda: _("Responsible"), lambda r: r["responsible"] or ""),
            Column(
                lambda: _("Status"),
                lambda r: (
                    finding_status_label(r["status"])
                    + (_(" (carried over)") if r["carried_from"] else "")
                ),
            ),
        ]
        if with_site:
            cols.insert(0, Column(lambda: _("Site"), lambda r: r["site"]))
            cols.insert(1, Column(lambda: _("Type"), lambda r: site_type_label(r["site_type"])))
        else:
            cols.insert(2, Column(lambda: _("Item"), lambda r: title(r["item_id"])))
        self.columns = tuple(cols)
        self.severity_column = 2 if with_site else 0
        self.deadline_column = next(n for n, c in enumerate(cols) if c.title() == _("Deadline"))

    def extra(self, row: dict[str, Any], column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.severity_column:
                return QBrush(QColor(SEVERITY_COLOURS.get(row["severity"], "#000")))
            if column == self.deadline_column and _overdue(row):
                return QBrush(QColor("#b00020"))
        if role == Qt.ItemDataRole.ToolTipRole and _overdue(row):
            return _("Past its deadline")
        return None


def _table(model: RowsModel) -> RowTable:
    view = RowTable()
    configure_table(view, model)
    return view


class FindingsPanel(QWidget):
    """The findings of one inspection, with add, edit and quick status changes."""

    add_requested = Signal()
    edit_requested = Signal(dict)
    status_requested = Signal(dict, str)

    def __init__(self, template: ChecklistTemplate, editable: bool, parent: QWidget | None = None):
        super().__init__(parent)

        def title(item_id: str | None) -> str:
            if not item_id:
                return _("(whole inspection)")
            try:
                return pick(template.item(item_id).title)
            except KeyError:
                return item_id

        self.model = FindingsModel(self, item_title=title)
        self.table = _table(self.model)
        self.table.setAccessibleName(_("Findings"))
        self.table.sortByColumn(self.model.deadline_column, Qt.SortOrder.AscendingOrder)
        self.table.doubleClicked.connect(lambda i: self.edit_requested.emit(i.data(ROW_ROLE)))
        self.table.activated_row.connect(self.edit_requested)
        self.add = QPushButton(_("Record a finding… (Ctrl+Shift+F)"))
        self.edit = QPushButton(_("Edit…"))
        self.corrected = QPushButton(_("Mark corrected"))
        self.verified = QPushButton(_("Mark verified"))
        for b in (self.add, self.edit, self.corrected, self.verified):
            b.setEnabled(editable)
        self.add.clicked.connect(self.add_requested)
        self.edit.clicked.connect(lambda: self._with_current(self.edit_requested.emit))
        self.corrected.clicked.connect(
            lambda: self._with_current(lambda r: self.status_requested.emit(r, "corrected"))
        )
        self.verified.clicked.connect(
            lambda: self._with_current(lambda r: self.status_requested.emit(r, "verified"))
        )
        buttons = QHBoxLayout()
        for b in (self.add, self.edit, self.corrected, self.verified):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.note = QLabel()
        text_colour(self.note, "#555")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)

    def _with_current(self, fn: Callable[[dict[str, Any]], None]) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            fn(index.data(ROW_ROLE))

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.model.set_rows(rows)
        for col, width in enumerate((70, 260, 160, 200, 90, 90)):
            self.table.setColumnWidth(col, width)
        carried = sum(1 for r in rows if r["carried_from"])
        self.note.setText(
            _(
                "{n} findings, {open} open; {carried} carried over from the previous inspection "
                "(复查)",
                n=len(rows),
                open=sum(r["status"] == "open" for r in rows),
                carried=carried,
            )
            if rows
            else _("No findings recorded.")
        )


class OpenFindingsPage(QWidget):
    """Everything still to be corrected, across sites, earliest deadline first."""

    open_inspection = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = FindingsModel(self, with_site=True)
        self.table = _table(self.model)
        self.table.setAccessibleName(_("Open findings"))
        self.table.sortByColumn(self.model.deadline_column, Qt.SortOrder.AscendingOrder)
        self.table.doubleClicked.connect(
            lambda i: self.open_inspection.emit(i.data(ROW_ROLE)["inspection_id"])
        )
        self.table.activated_row.connect(lambda r: self.open_inspection.emit(r["inspection_id"]))
        self.summary = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.model.set_rows(rows)
        for col, width in enumerate((240, 110, 60, 260, 200, 90, 90)):
            self.table.setColumnWidth(col, width)
        overdue = sum(1 for r in rows if _overdue(r))
        self.summary.setText(
            _(
                "{n} open findings, {overdue} past their deadline. Double-click "
                "one to open its inspection.",
                n=len(rows),
                overdue=overdue,
            )
        )
