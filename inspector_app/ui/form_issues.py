"""The bar above the lists that says which checklist templates in forms/ are invalid and were
not loaded: non-modal, with the messages (file:line: field: problem) behind Details."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from inspector_app.domain.checklists.errors import TemplateIssue
from inspector_app.i18n import _

SHOWN_CHARS = 160


def shown_file(file: str) -> str:
    """forms/x.yaml rather than the whole path: the folder and the file name."""
    path = Path(file)
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def describe(issue: TemplateIssue) -> str:
    return f"{shown_file(issue.file)}:{issue.line}: {issue.message}"


class FormIssuesBar(QFrame):
    """Hidden while every template loaded; otherwise one line and a Details button."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("formIssuesBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#formIssuesBar { background: #fff4ce; border: 1px solid #e0c060; }")
        self.issues: list[TemplateIssue] = []
        self.details: QMessageBox | None = None
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # messages quote the file: no HTML
        self.label.setWordWrap(False)
        self.details_button = QPushButton(_("Details…"))
        self.details_button.setAccessibleName(_("Details of the invalid templates"))
        self.details_button.clicked.connect(self.show_details)
        self.close_button = QPushButton(_("Hide"))
        self.close_button.setAccessibleName(_("Hide the message about invalid templates"))
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.details_button)
        layout.addWidget(self.close_button)
        self.setAccessibleName(_("Invalid checklist templates"))
        self.hide()

    def show_issues(self, issues: Sequence[TemplateIssue]) -> None:
        self.issues = list(issues)
        if not self.issues:
            self.hide()
            return
        files = list(dict.fromkeys(i.file for i in self.issues))
        first = describe(self.issues[0])
        if len(first) > SHOWN_CHARS:
            first = first[: SHOWN_CHARS - 1] + "…"
        self.label.setText(
            _(
                "{n} checklist template file(s) are invalid and were not loaded: {first}",
                n=len(files),
                first=first,
            )
        )
        self.label.setToolTip("\n".join(describe(i) for i in self.issues[:50]))
        self.show()

    def details_text(self) -> str:
        return "\n".join(f"{i.file}:{i.line}: {i.message}" for i in self.issues)

    def show_details(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Invalid checklist templates"),
            _(
                "These template files were not loaded; inspections cannot use them until "
                "they are corrected (inspector-app forms validate FILE shows the same):"
            ),
            QMessageBox.StandardButton.Close,
            self.window(),
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText("\n".join(describe(i) for i in self.issues[:10]))
        box.setDetailedText(self.details_text())
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(lambda _o=None: setattr(self, "details", None))
        self.details = box
        box.show()
