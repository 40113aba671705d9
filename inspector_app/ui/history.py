"""The history window: one inspection's audit log as a timeline, and the hash chain's state.

The log is read in the background (``workers.run_task``); a "loading…" line stands in for
the table until it arrives. The chain status is the whole data folder's: the audit log is
one chain, and the label says so. Open it with ``open()``, which returns at once.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.services.browse import status_label
from inspector_app.services.history import (
    ChainStatus,
    InspectionHistory,
    describe_chain,
    load_history,
)
from inspector_app.store.db import Database
from inspector_app.ui.dialogs import RememberingDialog, qsettings
from inspector_app.ui.models import Column, RowsModel
from inspector_app.ui.workers import run_task

OK_COLOUR = "#2e7d32"
BROKEN_COLOUR = "#b00020"


class HistoryModel(RowsModel):
    """The timeline rows (``HistoryEntry.as_row()``); entries from the chain's first bad
    one on are shown in red, since the log cannot vouch for them."""

    columns = (
        Column(lambda: _("Time"), lambda r: r["when"], lambda r: r["seq"]),
        Column(lambda: _("Who"), lambda r: r["actor"]),
        Column(lambda: _("Action"), lambda r: r["action"]),
        Column(lambda: _("What"), lambda r: r["what"]),
        Column(lambda: _("Before"), lambda r: r["old"]),
        Column(lambda: _("After"), lambda r: r["new"]),
    )
    WHAT_COLUMN = 3
    OLD_COLUMN = 4
    NEW_COLUMN = 5

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.first_bad_seq: int | None = None

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """As the base, but the search also finds the full (not shortened) values."""
        self.all_rows = rows
        self._haystacks = [
            " ".join(
                [*(c.text(r) for c in self.columns), r["old_full"], r["new_full"], r["utc"]]
            ).lower()
            for r in rows
        ]
        self._apply()

    def untrusted(self, row: dict[str, Any]) -> bool:
        return self.first_bad_seq is not None and row["seq"] >= self.first_bad_seq

    def extra(self, row: dict[str, Any], column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and self.untrusted(row):
            return QBrush(QColor(BROKEN_COLOUR))
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.OLD_COLUMN:
                tip = row["old_full"]
            elif column == self.NEW_COLUMN:
                tip = row["new_full"]
            else:
                tip = _("Entry {seq} · {utc} (UTC)", seq=row["seq"], utc=row["utc"])
                if column == self.WHAT_COLUMN:
                    tip = row["what"] + "\n" + tip
                if row["revision"] is not None:
                    tip += "\n" + _("Revision {rev}", rev=row["revision"])
            if self.untrusted(row):
                tip += "\n" + _(
                    "Not verified: the hash chain is broken at entry {seq}",
                    seq=self.first_bad_seq,
                )
            return tip
        return None


class _ElideMiddle(QStyledItemDelegate):
    """A long title keeps its end in view: "…财务独立核算 · 答案" says which part changed."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Any) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class HistoryDialog(RememberingDialog):
    """The history of one inspection: heading, chain status, a searchable timeline."""

    key = "history"

    def __init__(self, db: Database, inspection_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.inspection_id = inspection_id
        self.history: InspectionHistory | None = None
        self.loaded = False
        self.setWindowTitle(_("History"))

        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subheading = QLabel()
        self.subheading.setStyleSheet("color: #555")
        self.subheading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chain = QLabel()
        self.chain.setWordWrap(True)
        self.chain.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chain.setToolTip(
            _(
                "Every change in this data folder is linked into one hash chain; "
                "editing, deleting or reordering any entry breaks it."
            )
        )
        self.chain.hide()
        self.loading = QLabel(_("Loading…"))
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading.setWordWrap(True)

        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search the history: who, what, values (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(_("Search the history"))
        self.search.setEnabled(False)
        self.count = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.count)

        self.model = HistoryModel(self)
        self.table = QTableView()
        self.table.setAccessibleName(_("History"))
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setItemDelegateForColumn(HistoryModel.WHAT_COLUMN, _ElideMiddle(self.table))
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self._size_columns()
        self.table.hide()

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.subheading)
        layout.addWidget(self.chain)
        layout.addLayout(bar)
        layout.addWidget(self.loading, 1)
        layout.addWidget(self.table, 1)
        layout.addWidget(close)

        self.search.textChanged.connect(self._search)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.search.setFocus)
        if qsettings().value(f"{self.key}/geometry") is None:
            self.resize(1080, 620)
        self._load()

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        metrics = self.table.fontMetrics()
        widths = (
            metrics.horizontalAdvance("2024-10-01 22:22:22") + 24,
            metrics.horizontalAdvance("测试员测试") + 24,
            metrics.horizontalAdvance("添加照片添") + 24,
            metrics.horizontalAdvance("中") * 26,
            metrics.horizontalAdvance("中") * 12,
        )
        for column, width in enumerate(widths):
            header.resizeSection(column, width)

    # -- loading --------------------------------------------------------------------------
    def _load(self) -> None:
        db, inspection_id = self.db, self.inspection_id
        run_task(
            self,
            lambda _progress: load_history(db, inspection_id),
            on_done=self._loaded,
            on_error=self._failed,
        )

    def _loaded(self, history: InspectionHistory) -> None:
        if not shiboken6.isValid(self):
            return  # closed and deleted while the log was read
        self.history = history
        self.setWindowTitle(_("History: {site}", site=history.site_name))
        self.heading.setText(f"{history.site_name}（{history.site_code}）")
        self.subheading.setText(
            " · ".join(
                [
                    _(
                        "Inspection {id}, revision {rev}, {status}",
                        id=history.inspection_id[:8],
                        rev=history.revision,
                        status=status_label(history.status),
                    ),
                    history.template_title,
                    history.started_on,
                ]
            )
        )
        self.show_chain(history.chain)
        self.model.set_rows([e.as_row() for e in history.entries])
        if history.entries:
            self.loading.hide()
            self.table.show()
        else:
            self.loading.setText(_("The audit log has no entries for this inspection."))
        self.search.setEnabled(True)
        self.search.setFocus()
        self._update_count()
        self.loaded = True

    def _failed(self, error: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        self.loading.setText(_("The history could not be read: {error}", error=error))
        self.loading.setStyleSheet(f"color: {BROKEN_COLOUR}")
        self.loaded = True

    def show_chain(self, status: ChainStatus) -> None:
        self.model.first_bad_seq = None if status.ok else status.first_bad_seq
        colour = OK_COLOUR if status.ok else BROKEN_COLOUR
        self.chain.setStyleSheet(f"color: {colour}; font-weight: bold")
        self.chain.setText(("✔ " if status.ok else "✘ ") + describe_chain(status))
        self.chain.show()

    # -- searching ------------------------------------------------------------------------
    def _search(self, text: str) -> None:
        self.model.set_search(text)
        self._update_count()

    def _update_count(self) -> None:
        self.count.setText(
            _("{shown} of {total}", shown=len(self.model.rows), total=len(self.model.all_rows))
        )
