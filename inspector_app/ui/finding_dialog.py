"""The dialog that records or edits a finding and its corrective action (问题与整改):
opened from the editor, so the main window does not load it at start."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _, pick
from inspector_app.presenters.labels import finding_status_label, severity_label
from inspector_app.ui.dialogs import DateField, RememberingDialog
from inspector_app.ui.findings import NO_DATE
from inspector_app.ui.plain import plain_labels

if TYPE_CHECKING:
    from inspector_app.domain.checklists.schema import ChecklistTemplate


class FindingDialog(RememberingDialog):
    """Add or edit a finding and its corrective action."""

    key = "finding"

    def __init__(
        self,
        template: ChecklistTemplate,
        parent: QWidget | None = None,
        finding: dict[str, Any] | None = None,
        item_id: str | None = None,
        photos: list[Any] | None = None,
        linked: dict[str, str] | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(_("Edit finding") if finding else _("New finding"))
        f = finding or {}
        self.severity = QComboBox()
        for value in ("minor", "major", "critical"):
            self.severity.addItem(severity_label(value), value)
        self.severity.setCurrentIndex(self.severity.findData(f.get("severity", "minor")))
        self.item = QComboBox()
        self.item.addItem(_("(the inspection as a whole)"), None)
        for section in template.sections:
            for entry in section.items:
                self.item.addItem(f"{pick(section.title)} › {pick(entry.title)}", entry.id)
        index = self.item.findData(f.get("item_id", item_id))
        self.item.setCurrentIndex(max(index, 0))
        self.description = QPlainTextEdit(f.get("description", ""))
        self.description.setTabChangesFocus(True)
        self.description.setMaximumHeight(90)
        self.requirement = QPlainTextEdit(f.get("requirement", "") or "")
        self.requirement.setTabChangesFocus(True)
        self.requirement.setMaximumHeight(70)
        self.requirement.setPlaceholderText(_("what must be corrected (整改要求)"))
        self.deadline = DateField()
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.deadline.setMinimumDate(NO_DATE)
        self.deadline.setSpecialValueText(_("(no deadline)"))
        deadline = f.get("deadline")
        self.deadline.setDate(
            QDate.fromString(deadline, "yyyy-MM-dd")
            if deadline
            else QDate.currentDate().addDays(30)
        )
        self.responsible = QLineEdit(f.get("responsible", "") or "")
        self.status = QComboBox()
        for value in ("open", "corrected", "verified"):
            self.status.addItem(finding_status_label(value), value)
        self.status.setCurrentIndex(self.status.findData(f.get("status", "open")))
        self.note = QLineEdit(f.get("resolution_note", "") or "")
        self.note.setPlaceholderText(_("how it was corrected, what was checked"))
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        # photos that show the finding; on a re-inspection (复查) new links are "after" photos
        self.after = bool(f.get("carried_from"))
        self.photo_list = QListWidget()
        self.photo_list.setMaximumHeight(110)
        linked = linked or {}
        for p in photos or []:
            role = linked.get(p.id)
            label = p.caption or p.original_name
            if role:
                label += "  · " + (_("after correction") if role == "after" else _("as found"))
            it = QListWidgetItem(label)
            it.setData(Qt.ItemDataRole.UserRole, p.id)
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Checked if role else Qt.CheckState.Unchecked)
            if role:  # links are records: they are not taken back here
                it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.photo_list.addItem(it)
        form = QFormLayout()
        form.addRow(_("Severity"), self.severity)
        form.addRow(_("Item"), self.item)
        form.addRow(_("Finding"), self.description)
        form.addRow(_("Requirement"), self.requirement)
        form.addRow(_("Deadline"), self.deadline)
        form.addRow(_("Responsible"), self.responsible)
        form.addRow(_("Status"), self.status)
        form.addRow(_("Resolution"), self.note)
        if self.photo_list.count():
            form.addRow(
                _("Photos after correction") if self.after else _("Photos"), self.photo_list
            )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons())
        plain_labels(self)  # item titles and messages: data, never markup
        self.resize(max(self.width(), 620), self.height())
        self.description.setFocus()

    def accept(self) -> None:
        if not self.description.toPlainText().strip():
            self.error.setText(_("Describe the finding."))
            self.description.setFocus()
            return
        super().accept()

    def values(self) -> dict[str, Any]:
        date = self.deadline.date()
        return {
            "severity": self.severity.currentData(),
            "item_id": self.item.currentData(),
            "description": self.description.toPlainText().strip(),
            "requirement": self.requirement.toPlainText().strip(),
            "deadline": None
            if date == NO_DATE
            else dt.date.fromisoformat(date.toString("yyyy-MM-dd")),
            "responsible": self.responsible.text().strip(),
            "status": self.status.currentData(),
            "resolution_note": self.note.text().strip(),
        }

    def new_photo_links(self) -> list[str]:
        """Photo ids ticked in this dialog (not the ones linked before)."""
        out = []
        for n in range(self.photo_list.count()):
            it = self.photo_list.item(n)
            if it.flags() & Qt.ItemFlag.ItemIsEnabled and it.checkState() == Qt.CheckState.Checked:
                out.append(it.data(Qt.ItemDataRole.UserRole))
        return out
