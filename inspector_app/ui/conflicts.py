"""Conflicts kept by package imports, decided by a person: keep the local version, or take
the incoming one (``services.sync.resolve_conflict``; audited, one transaction each).

The upper table lists the open conflicts; the lower one shows, for the current conflict,
each field that differs with what the local and the incoming version hold
(``services.conflicts.conflict_differences``). Several rows can be selected (Shift, Ctrl,
Ctrl+A) and decided in one action, after a confirmation that says how many.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.store.db import Database
from inspector_app.ui.dialogs import RememberingDialog
from inspector_app.ui.operations import Operations
from inspector_app.ui.plain import plain_tip
from inspector_app.ui.workers import show_error


def _entity_label(entity: str) -> str:
    return _("Inspection") if entity == "inspection" else _("Site")


def _table(columns: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    table.setAccessibleName(name)
    return table


class ConflictsDialog(RememberingDialog):
    """The open conflicts, one per row, with what each side says and where they differ."""

    key = "conflicts"

    def __init__(
        self,
        db: Database,
        data_dir: Path,
        actor: str,
        ops: Operations,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.db, self.data_dir, self.actor, self.ops = db, data_dir, actor, ops
        self.rows: list[dict[str, Any]] = []
        self.confirm: QMessageBox | None = None
        self.busy = False  # decisions are being taken in the background
        self.setWindowTitle(_("Package conflicts"))
        intro = QLabel(
            _(
                "These records were edited both here and on the device that sent them. The "
                "local version is in use; the incoming one is kept. Decide each one: nothing "
                "is lost either way, the decision is recorded in the history."
            )
        )
        intro.setWordWrap(True)
        self.table = _table(
            [_("Record"), _("What"), _("Here"), _("Incoming"), _("From device")],
            _("Open conflicts"),
        )
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.empty = QLabel(_("No conflicts are waiting for a decision."))

        self.detail_title = QLabel()
        self.detail_title.setTextFormat(Qt.TextFormat.PlainText)
        self.differences = _table(
            [_("What differs"), _("Here"), _("Incoming")], _("What differs in this conflict")
        )
        self.differences.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.differences.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.detail_title)
        lower_layout.addWidget(self.differences, 1)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.table)
        self.split.addWidget(lower)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 3)

        self.keep_local = QPushButton(_("Keep the local version"))
        self.take_incoming = QPushButton(_("Take the incoming version"))
        self.select_all = QPushButton(_("Select all"))
        self.keep_local.setAccessibleName(_("Keep the local version for the selected conflicts"))
        self.take_incoming.setAccessibleName(
            _("Take the incoming version for the selected conflicts")
        )
        self.select_all.setAccessibleName(_("Select every conflict"))
        self.keep_local.clicked.connect(lambda: self._resolve("local"))
        self.take_incoming.clicked.connect(lambda: self._resolve("incoming"))
        self.select_all.clicked.connect(self._select_all)
        actions = QHBoxLayout()
        actions.addWidget(self.keep_local)
        actions.addWidget(self.take_incoming)
        actions.addStretch(1)
        actions.addWidget(self.select_all)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.split, 1)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.empty, 1)
        layout.addLayout(actions)
        layout.addWidget(close)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.currentCellChanged.connect(lambda *_a: self._show_differences())
        self.resize(1100, 640)
        self.reload()

    def reload(self) -> None:
        from inspector_app.services.sync import list_conflicts
        from inspector_app.workspace import Workspace

        self.rows = list_conflicts(Workspace(self.data_dir, self.db, self.actor))
        self.table.setRowCount(len(self.rows))
        for n, r in enumerate(self.rows):
            cells = (
                _entity_label(r["entity"]),
                r["title"],
                r["local"],
                r["incoming"],
                r["device"],
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, r["id"])
                item.setToolTip(plain_tip(text))
                self.table.setItem(n, col, item)
        for col in range(self.table.columnCount() - 1):  # long cells keep the table in view
            self.table.resizeColumnToContents(col)
            self.table.setColumnWidth(col, min(self.table.columnWidth(col), 320))
        self.empty.setVisible(not self.rows)
        self.split.setVisible(bool(self.rows))
        if self.rows:
            self.table.selectRow(0)
        self._update_buttons()
        self._show_differences()

    def selected(self) -> list[dict[str, Any]]:
        """The selected conflicts, in the list's order."""
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.rows[n] for n in rows if n < len(self.rows)]

    def current(self) -> dict[str, Any] | None:
        chosen = self.selected()
        return chosen[0] if chosen else None

    def _select_all(self) -> None:
        self.table.selectAll()
        self.table.setFocus()

    def _update_buttons(self) -> None:
        n = 0 if self.busy else len(self.selected())
        self.keep_local.setEnabled(n > 0)
        self.take_incoming.setEnabled(n > 0)
        self.select_all.setEnabled(bool(self.rows) and n < len(self.rows))
        if n > 1:
            self.keep_local.setText(_("Keep the local version ({n})", n=n))
            self.take_incoming.setText(_("Take the incoming version ({n})", n=n))
        else:
            self.keep_local.setText(_("Keep the local version"))
            self.take_incoming.setText(_("Take the incoming version"))

    def _show_differences(self) -> None:
        from inspector_app.services.conflicts import conflict_differences

        index = self.table.currentIndex()
        row = self.rows[index.row()] if index.isValid() and index.row() < len(self.rows) else None
        self.differences.setRowCount(0)
        if row is None:
            self.detail_title.setText("")
            return
        diffs = conflict_differences(self.db, row["id"])
        self.detail_title.setText(
            _("What differs: {title}", title=row["title"])
            if diffs
            else _("{title}: no difference in content", title=row["title"])
        )
        self.differences.setRowCount(len(diffs))
        for n, d in enumerate(diffs):
            for col, text in enumerate((d.what, d.local, d.incoming)):
                item = QTableWidgetItem(text)
                item.setToolTip(plain_tip(text))
                self.differences.setItem(n, col, item)
        metrics = self.differences.fontMetrics()
        self.differences.setColumnWidth(0, metrics.horizontalAdvance("中") * 28)
        self.differences.setColumnWidth(1, metrics.horizontalAdvance("中") * 18)

    def _resolve(self, keep: str) -> None:
        chosen = self.selected()
        if not chosen:
            return
        if len(chosen) == 1:
            self._decide([chosen[0]["id"]], keep)
            return
        if keep == "local":
            text = _(
                "Keep the local version for {n} conflicts? The incoming versions stay on "
                "record; each decision is recorded in the history.",
                n=len(chosen),
            )
        else:
            text = _(
                "Take the incoming version for {n} conflicts? It replaces the local version "
                "of each; each decision is recorded in the history.",
                n=len(chosen),
            )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Package conflicts"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        yes = box.button(QMessageBox.StandardButton.Yes)
        yes.setText(_("Decide {n} conflicts", n=len(chosen)))
        box.button(QMessageBox.StandardButton.Cancel).setText(_("Cancel"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        ids = [r["id"] for r in chosen]
        yes.clicked.connect(lambda: self._decide(ids, keep))
        self.confirm = box
        box.open()

    def _decide(self, ids: list[str], keep: str) -> None:
        """Decide in the background (taking many incoming versions checks each one again)."""
        from inspector_app.services.conflicts import resolve_conflicts

        db, data_dir, actor = self.db, self.data_dir, self.actor
        self.busy = True
        self._update_buttons()
        self.ops.run(  # announces the inspections and sites it rewrote
            self,
            lambda _progress: resolve_conflicts(db, data_dir, ids, keep=keep, actor=actor),
            changes=lambda done: done.changes(),
            on_done=self._decided,
            on_error=self._failed,
            title=_("Deciding the conflicts…"),
        )

    def _decided(self, done: Any) -> None:
        if not shiboken6.isValid(self):
            return
        self.busy = False
        titles = {r["id"]: r["title"] for r in self.rows}
        self.reload()
        if done.refused:
            reasons = "\n".join(
                _("{title}: {reason}", title=titles.get(cid, cid[:8]), reason=why)
                for cid, why in done.refused[:8]
            )
            if len(done.refused) > 8:
                reasons += "\n" + _("and {n} more", n=len(done.refused) - 8)
            title = (
                _("The conflict was not resolved")
                if len(done.refused) == 1
                else _("{n} conflicts were not resolved", n=len(done.refused))
            )
            show_error(self, Exception(reasons), title)

    def _failed(self, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        self.busy = False
        self.reload()
        show_error(self, exc, _("The conflict was not resolved"))
