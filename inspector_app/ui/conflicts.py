"""Conflicts kept by package imports, decided by a person: keep the local version, or take
the incoming one (``services.sync.resolve_conflict``; audited, one transaction)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.services.errors import ServiceError
from inspector_app.store.db import Database
from inspector_app.ui.dialogs import RememberingDialog
from inspector_app.ui.workers import show_error


def _entity_label(entity: str) -> str:
    return _("Inspection") if entity == "inspection" else _("Site")


class ConflictsDialog(RememberingDialog):
    """The open conflicts, one per row, with what each side says."""

    key = "conflicts"

    def __init__(
        self,
        db: Database,
        data_dir: Path,
        actor: str,
        on_change: Callable[[], None],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.db, self.data_dir, self.actor, self.on_change = db, data_dir, actor, on_change
        self.rows: list[dict[str, Any]] = []
        self.setWindowTitle(_("Package conflicts"))
        intro = QLabel(
            _(
                "These records were edited both here and on the device that sent them. The "
                "local version is in use; the incoming one is kept. Decide each one: nothing "
                "is lost either way, the decision is recorded in the history."
            )
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [_("Record"), _("What"), _("Here"), _("Incoming"), _("From device")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.empty = QLabel(_("No conflicts are waiting for a decision."))
        self.keep_local = QPushButton(_("Keep the local version"))
        self.take_incoming = QPushButton(_("Take the incoming version"))
        self.keep_local.clicked.connect(lambda: self._resolve("local"))
        self.take_incoming.clicked.connect(lambda: self._resolve("incoming"))
        actions = QHBoxLayout()
        actions.addWidget(self.keep_local)
        actions.addWidget(self.take_incoming)
        actions.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(actions)
        layout.addWidget(close)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.resize(1100, 420)
        self.reload()

    def reload(self) -> None:
        from inspector_app.services.sync import list_conflicts

        self.rows = list_conflicts(self.db)
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
                self.table.setItem(n, col, item)
        self.table.resizeColumnsToContents()
        self.empty.setVisible(not self.rows)
        self.table.setVisible(bool(self.rows))
        if self.rows:
            self.table.selectRow(0)
        self._update_buttons()

    def current(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        chosen = self.current() is not None
        self.keep_local.setEnabled(chosen)
        self.take_incoming.setEnabled(chosen)

    def _resolve(self, keep: str) -> None:
        from inspector_app.services.sync import resolve_conflict

        row = self.current()
        if row is None:
            return
        try:
            resolve_conflict(self.db, self.data_dir, row["id"], keep=keep, actor=self.actor)
        except ServiceError as exc:
            show_error(self, exc, _("The conflict was not resolved"))
            return
        self.reload()
        self.on_change()
