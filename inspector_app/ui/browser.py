"""The browser: inspections (filters, search, score, grade, status) and sites."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.presenters.labels import site_type_label, status_label
from inspector_app.ui.findings import OpenFindingsPage
from inspector_app.ui.models import ROW_ROLE, InspectionsModel, SitesModel
from inspector_app.ui.tables import RowTable, StatusBadge, configure_table

SITE_TYPES = ("pilot_base", "tech_transfer", "platform")
STATUSES = ("draft", "completed", "signed", "exported")


class SearchBox(QLineEdit):
    """The search field; Enter or ↓ goes on to the results."""

    to_results = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.to_results.emit()
            return
        super().keyPressEvent(event)


class Browser(QWidget):
    open_inspection = Signal(str)
    new_inspection_for_site = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.inspections = InspectionsModel(self)
        self.sites = SitesModel(self)

        self.search = SearchBox()
        self.search.setPlaceholderText(_("Search site, code or inspector (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(_("Search"))
        self.site_type = QComboBox()
        self.site_type.addItem(_("All site types"), None)
        for t in SITE_TYPES:
            self.site_type.addItem(site_type_label(t), t)
        self.status = QComboBox()
        self.status.addItem(_("All statuses"), None)
        for st in STATUSES:
            self.status.addItem(status_label(st), st)
        self.year = QComboBox()
        self.year.addItem(_("All years"), None)
        self.count = QLabel()

        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        bar.addWidget(self.site_type, 1)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.year, 1)
        bar.addWidget(self.count)

        self.table = RowTable()
        self.table.setAccessibleName(_("Inspections"))
        configure_table(self.table, self.inspections)
        # several rows can be selected (Shift, Ctrl, Ctrl+A) for a package; Enter still
        # opens the current row
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
        self.table.setItemDelegateForColumn(InspectionsModel.STATUS_COLUMN, StatusBadge(self.table))
        self.sites_table = RowTable()
        self.sites_table.setAccessibleName(_("Sites"))
        configure_table(self.sites_table, self.sites)
        self.sites_table.sortByColumn(0, Qt.SortOrder.AscendingOrder)

        inspections_page = QWidget()
        il = QVBoxLayout(inspections_page)
        il.setContentsMargins(0, 6, 0, 0)
        il.addLayout(bar)
        il.addWidget(self.table)

        self.tabs = QTabWidget()
        self.tabs.addTab(inspections_page, _("Inspections"))
        self.tabs.addTab(self.sites_table, _("Sites"))
        self.open_findings = OpenFindingsPage()
        self.open_findings.open_inspection.connect(self.open_inspection)
        self.tabs.addTab(self.open_findings, _("Open findings"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.tabs)
        self.setFocusProxy(self.table)  # the list, where ↑ ↓ and Enter work

        self.search.textChanged.connect(self._search)
        self.search.to_results.connect(self.go_to_results)
        self.site_type.currentIndexChanged.connect(
            lambda: self._filter("site_type", self.site_type.currentData())
        )
        self.status.currentIndexChanged.connect(
            lambda: self._filter("status", self.status.currentData())
        )
        self.year.currentIndexChanged.connect(lambda: self._filter("year", self.year.currentData()))
        self.table.activated_row.connect(lambda row: self.open_inspection.emit(row["id"]))
        self.table.doubleClicked.connect(self._open_index)
        self.sites_table.activated_row.connect(
            lambda row: self.new_inspection_for_site.emit(row["id"])
        )

    def _open_index(self, index: QModelIndex) -> None:
        self.open_inspection.emit(index.data(ROW_ROLE)["id"])

    def _search(self, text: str) -> None:
        self.inspections.set_search(text)
        self.sites.set_search(text)
        self._update_count()

    def _filter(self, field: str, value: Any) -> None:
        self.inspections.set_filter(field, value)
        if field == "site_type":
            self.sites.set_filter("type", value)
        self._update_count()

    def _update_count(self) -> None:
        self.count.setText(
            _(
                "{shown} of {total}",
                shown=len(self.inspections.rows),
                total=len(self.inspections.all_rows),
            )
        )

    def set_data(
        self,
        inspections: list[dict[str, Any]],
        sites: list[dict[str, Any]],
        open_findings: list[dict[str, Any]] | None = None,
    ) -> None:
        current = self.current_id()
        if open_findings is not None:
            self.open_findings.set_rows(open_findings)
            self.tabs.setTabText(2, _("Open findings ({n})", n=len(open_findings)))
        self.inspections.set_rows(inspections)
        self.sites.set_rows(sites)
        years = sorted({int(r["started_on"][:4]) for r in inspections}, reverse=True)
        chosen = self.year.currentData()
        self.year.blockSignals(True)
        self.year.clear()
        self.year.addItem(_("All years"), None)
        for y in years:
            self.year.addItem(str(y), y)
        if chosen in years:
            self.year.setCurrentIndex(years.index(chosen) + 1)
        self.year.blockSignals(False)
        code = self._code_width([r["code"] for r in sites] + [r["site_code"] for r in inspections])
        for col, width in enumerate((260, code, 220, 90, 96, 70, 124)):
            self.table.setColumnWidth(col, width)
        for col, width in enumerate((code, 300, 130, 90, 260)):
            self.sites_table.setColumnWidth(col, width)
        self._update_count()
        if current:
            self.select(current)
        elif self.inspections.rows:
            self.table.select_only(0)

    def _code_width(self, codes: list[str]) -> int:
        """Room for the longest site code: "WH-ZS-101" and "WH-ZS-102" both cut to
        "WH-ZS-1…" looked like the same site."""
        metrics = self.table.fontMetrics()
        longest = max((metrics.horizontalAdvance(c) for c in set(codes) if c), default=0)
        return max(70, min(longest + 20, 220))

    def current_id(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(ROW_ROLE)["id"] if index.isValid() else None

    def shown_ids(self) -> list[str]:
        """The inspections the list shows now (search and filters applied), in its order."""
        return [r["id"] for r in self.inspections.rows]

    def selected_ids(self) -> list[str]:
        """The selected inspections, in the list's order."""
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.inspections.rows[n]["id"] for n in rows if n < len(self.inspections.rows)]

    def total_inspections(self) -> int:
        return len(self.inspections.all_rows)

    def current_site_id(self) -> str | None:
        """The site of the row selected on the tab on show (for a new inspection)."""
        view = {
            0: self.table,
            1: self.sites_table,
            2: self.open_findings.table,
        }.get(self.tabs.currentIndex())
        index = view.currentIndex() if view is not None else QModelIndex()
        if not index.isValid():
            return None
        row = index.data(ROW_ROLE)
        return row["id"] if view is self.sites_table else row.get("site_id")

    def go_to_results(self) -> None:
        """From the search box to the first result, where Enter opens it."""
        if self.inspections.rows:
            self.table.setFocus()
            self.table.select_only(0)

    def select(self, inspection_id: str) -> None:
        row = self.inspections.index_of(inspection_id)
        if row >= 0:
            self.table.select_only(row)

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search.setFocus()
        self.search.selectAll()
