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
from inspector_app.presenters.labels import status_label
from inspector_app.services.history import (
    ChainStatus,
    InspectionHistory,
    ReceivedCheck,
    describe_chain,
    describe_received,
    load_history,
)
from inspector_app.ui.dialogs import RememberingDialog, qsettings
from inspector_app.ui.models import Column, RowsModel
from inspector_app.ui.plain import plain_labels
from inspector_app.ui.workers import run_task
from inspector_app.workspace import Workspace

OK_COLOUR = "#2e7d32"
BROKEN_COLOUR = "#b00020"


def source_text(row: dict[str, Any]) -> str:
    """Where an entry comes from: this data folder, or the device that sent it."""
    if not row.get("received"):
        return _("This folder")
    return (
        row["source"]
        if row.get("counted", True)
        else _("{device} (shown only)", device=row["source"])
    )


class HistoryModel(RowsModel):
    """The timeline rows (``HistoryEntry.as_row()``); entries of this folder from the chain's
    first bad one on, and received entries whose own hash fails, are shown in red, since
    nothing can vouch for them."""

    columns = (
        Column(lambda: _("Time"), lambda r: r["when"], lambda r: r["order"]),
        Column(lambda: _("Who"), lambda r: r["actor"]),
        Column(lambda: _("Action"), lambda r: r["action"]),
        Column(lambda: _("What"), lambda r: r["what"]),
        Column(lambda: _("Before"), lambda r: r["old"]),
        Column(lambda: _("After"), lambda r: r["new"]),
        Column(lambda: _("From"), source_text),
    )
    WHAT_COLUMN = 3
    OLD_COLUMN = 4
    NEW_COLUMN = 5
    SOURCE_COLUMN = 6

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
        if row.get("received"):
            return not row.get("hash_ok", True)
        return self.first_bad_seq is not None and row["seq"] >= self.first_bad_seq

    def extra(self, row: dict[str, Any], column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and self.untrusted(row):
            return QBrush(QColor(BROKEN_COLOUR))
        if role != Qt.ItemDataRole.ToolTipRole:
            return None
        if column == self.OLD_COLUMN:
            tip = row["old_full"]
        elif column == self.NEW_COLUMN:
            tip = row["new_full"]
        else:
            if row.get("received"):
                tip = _(
                    "Entry {seq} of device {device} · {utc} (UTC)",
                    seq=row["seq"],
                    device=row["source"],
                    utc=row["utc"],
                )
                if not row.get("counted", True):
                    tip += "\n" + _(
                        "Kept to be shown only: the history of a version with the same content "
                        "from that device, or of a version replaced by a decision. It does not "
                        "count when packages are merged."
                    )
            else:
                tip = _("Entry {seq} · {utc} (UTC)", seq=row["seq"], utc=row["utc"])
            if column == self.WHAT_COLUMN:
                tip = row["what"] + "\n" + tip
            if row["revision"] is not None:
                tip += "\n" + _("Revision {rev}", rev=row["revision"])
        if self.untrusted(row):
            if row.get("received"):
                tip += "\n" + _(
                    "Not verified: this entry no longer matches its own hash (it was altered "
                    "after it arrived)"
                )
            else:
                tip += "\n" + _(
                    "Not verified: the hash chain is broken at entry {seq}",
                    seq=self.first_bad_seq,
                )
        return tip


class _ElideMiddle(QStyledItemDelegate):
    """A long title keeps its end in view: "…财务独立核算 · 答案" says which part changed."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Any) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class HistoryDialog(RememberingDialog):
    """The history of one inspection: heading, chain status, a searchable timeline."""

    key = "history"

    def __init__(self, ws: Workspace, inspection_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws = ws
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
        # what was checked of the entries received from other devices (not in the chain)
        self.received_line = QLabel()
        self.received_line.setWordWrap(True)
        self.received_line.setTextFormat(Qt.TextFormat.PlainText)  # device names come from packages
        self.received_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.received_line.setAccessibleName(_("Entries received from other devices"))
        self.received_line.hide()
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
        layout.addWidget(self.received_line)
        layout.addLayout(bar)
        layout.addWidget(self.loading, 1)
        layout.addWidget(self.table, 1)
        layout.addWidget(close)
        plain_labels(self)  # the site, the devices, the values: data, never markup

        self.search.textChanged.connect(self._search)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        if qsettings().value(f"{self.key}/geometry") is None:
            self.resize(1080, 620)
        self._load()

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(HistoryModel.NEW_COLUMN, QHeaderView.ResizeMode.Stretch)
        metrics = self.table.fontMetrics()
        widths = (
            metrics.horizontalAdvance("2024-10-01 22:22:22") + 24,
            metrics.horizontalAdvance("测试员测试") + 24,
            metrics.horizontalAdvance("添加照片添") + 24,
            metrics.horizontalAdvance("中") * 24,
            metrics.horizontalAdvance("中") * 11,
        )
        for column, width in enumerate(widths):
            header.resizeSection(column, width)
        header.resizeSection(HistoryModel.SOURCE_COLUMN, metrics.horizontalAdvance("中") * 13)

    # -- loading --------------------------------------------------------------------------
    def _load(self) -> None:
        ws, inspection_id = self.ws, self.inspection_id
        run_task(
            self,
            lambda _progress: load_history(ws, inspection_id),
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
        self.show_received(history.received)
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

    def show_received(self, check: ReceivedCheck) -> None:
        """The received entries' own hashes: what the import checked, checked again."""
        text = describe_received(check)
        self.received_line.setVisible(bool(text))
        if not text:
            return
        colour = BROKEN_COLOUR if check.bad else OK_COLOUR
        self.received_line.setStyleSheet(f"color: {colour}")
        self.received_line.setText(("✘ " if check.bad else "✔ ") + text)

    # -- searching ------------------------------------------------------------------------
    def _search(self, text: str) -> None:
        self.model.set_search(text)
        self._update_count()

    def _update_count(self) -> None:
        self.count.setText(
            _("{shown} of {total}", shown=len(self.model.rows), total=len(self.model.all_rows))
        )
