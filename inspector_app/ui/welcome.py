"""The first start on an empty data folder: what Inspector is and how to begin."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from inspector_app.i18n import _

DEMO_PASSPHRASE = "demo-passphrase"  # services.identities.DEMO_PASSPHRASE, without its imports


class Welcome(QWidget):
    load_demo = Signal()
    import_sites = Signal()
    import_package = Signal()
    start_empty = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        title = QLabel(_("Welcome to Inspector"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            _(
                "Inspector is for on-site evaluation of pilot-scale test bases (中试基地) and "
                "technology-transfer agencies (技术转移服务机构): weighted checklists, veto items, "
                "findings and corrective actions, all offline. This data folder is empty. "
                "How would you like to begin?"
            )
        )
        intro.setWordWrap(True)
        self.demo_button = QPushButton(_("Load the sample data (示例)"))
        self.demo_note = QLabel(
            _(
                "Invented sites and inspections in every status, with demo signing keys for "
                "the demo inspectors: their passphrase is {passphrase}.",
                passphrase=DEMO_PASSPHRASE,
            )
        )
        self.demo_note.setWordWrap(True)
        self.demo_note.setStyleSheet("color: #555; margin-left: 4px;")
        self.demo_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.package_button = QPushButton(
            _("Import a package from headquarters or a colleague (.inspkg)…")
        )
        self.import_button = QPushButton(_("Import a site list (CSV or Excel)…"))
        self.empty_button = QPushButton(_("Start with an empty folder"))
        for b in (self.demo_button, self.package_button, self.import_button, self.empty_button):
            b.setMinimumWidth(360)
            b.setMinimumHeight(36)
            b.setAutoDefault(True)  # Enter presses the focused one (outside a dialog too)
        self.demo_button.setDefault(True)
        self.setFocusProxy(self.demo_button)  # Enter loads the sample data
        self.demo_button.clicked.connect(self.load_demo)
        self.package_button.clicked.connect(self.import_package)
        self.import_button.clicked.connect(self.import_sites)
        self.empty_button.clicked.connect(self.start_empty)
        column = QWidget()
        column.setFixedWidth(640)
        inner = QVBoxLayout(column)
        inner.setSpacing(12)
        for w in (
            title,
            intro,
            self.demo_button,
            self.demo_note,
            self.package_button,
            self.import_button,
            self.empty_button,
        ):
            inner.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(column, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
