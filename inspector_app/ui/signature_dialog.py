"""The dialog that takes a signature: the signer's name and role, and the drawn signature
on a ``SignaturePad`` (``ui/signature_pad.py``).

``SignatureDialog`` notes when the signature was given (the moment OK is accepted). It is
window-modal through ``open()`` and its ``accepted`` signal, without a nested event loop;
``exec()`` works too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app import timefmt
from inspector_app.domain.vocab import SignatureRole
from inspector_app.i18n import _
from inspector_app.ui.dialogs import RememberingDialog
from inspector_app.ui.plain import plain_labels
from inspector_app.ui.signature_pad import SignaturePad

ROLES = tuple(r.value for r in SignatureRole)


def role_label(value: str) -> str:
    return {
        "inspector": _("Inspection officer"),
        "site_representative": _("Site representative"),
    }.get(value, value)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class SignatureDialog(RememberingDialog):
    """Name, role and the drawn signature; OK is refused until both name and ink are there."""

    key = "signature"

    def __init__(
        self, signer_name: str = "", role: str = "inspector", parent: QWidget | None = None
    ):
        super().__init__(parent)
        if role not in ROLES:
            raise ValueError(f"unknown signer role {role!r}")
        self.setWindowTitle(_("Signature"))
        self._signed_at: dt.datetime | None = None
        self.name = QLineEdit(signer_name)
        self.role = QComboBox()
        for value in ROLES:
            self.role.addItem(role_label(value), value)
        self.role.setCurrentIndex(self.role.findData(role))
        self.time_label = QLabel()
        self.pad = SignaturePad()
        self.clear_button = QPushButton(_("Clear"))
        self.clear_button.setAutoDefault(False)  # Enter means OK
        self.clear_button.clicked.connect(self._clear)
        hint = QLabel(
            _(
                "Sign with the mouse, a pen or a finger. Ctrl+Z undoes the last stroke, Delete clears."
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow(_("Signer"), self.name)
        form.addRow(_("Role"), self.role)
        form.addRow(_("Signing time"), self.time_label)
        below = QHBoxLayout()
        below.addWidget(hint, 1)
        below.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.pad, 1)
        layout.addLayout(below)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons())
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._show_time)
        self.name.textChanged.connect(self._clear_error)
        self.pad.changed.connect(self._clear_error)
        self._show_time()
        self.resize(max(self.width(), 640), max(self.height(), 420))
        plain_labels(self)  # the signer's name and messages: data, never markup
        (self.pad if signer_name.strip() else self.name).setFocus()

    @property
    def signed_at(self) -> dt.datetime | None:
        """When OK was accepted (aware, UTC); None before."""
        return self._signed_at

    def _show_time(self) -> None:
        moment = self._signed_at or utc_now()
        self.time_label.setText(timefmt.format_instant(moment, seconds=True))

    def _clear(self) -> None:
        self.pad.clear()
        self.pad.setFocus()

    def _clear_error(self) -> None:
        self.error.clear()
        self.error.hide()

    def _refuse(self, message: str, focus: QWidget) -> None:
        self.error.setText(message)
        self.error.show()
        focus.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._clock.isActive():  # shown again after being accepted: a new signature
            self._signed_at = None
            self._show_time()
            self._clock.start()

    def accept(self) -> None:
        if not self.name.text().strip():
            self._refuse(_("Enter the signer's name."), self.name)
            return
        if self.pad.is_empty():
            self._refuse(_("Draw the signature in the box."), self.pad)
            return
        self._signed_at = utc_now()
        self._clock.stop()
        self._show_time()
        super().accept()

    def done(self, result: int) -> None:
        self._clock.stop()
        super().done(result)

    def values(self) -> dict[str, Any]:
        """signer_name, role, image_png (PNG bytes) and signed_at (aware UTC; the moment OK
        was accepted, or now when asked before)."""
        return {
            "signer_name": self.name.text().strip(),
            "role": self.role.currentData(),
            "image_png": self.pad.to_png(),
            "signed_at": self._signed_at or utc_now(),
        }
