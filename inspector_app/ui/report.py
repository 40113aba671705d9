"""The inspection report in the desktop: build it in the background, preview every page,
save it, sign it (passphrase), open the folder."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _, current_language
from inspector_app.services.changes import Changes
from inspector_app.ui.dialogs import RememberingDialog
from inspector_app.ui.operations import Operations
from inspector_app.ui.plain import plain_labels
from inspector_app.ui.workers import run_task, show_error
from inspector_app.workspace import Workspace

if TYPE_CHECKING:
    from inspector_app.services.report_signing import SignedReport
    from inspector_app.services.reports import ReportResult

PREVIEW_SCALE = 1.3


def render_pages(pdf: Path, scale: float = PREVIEW_SCALE) -> list[bytes]:
    """Every page as PNG bytes (PDFium, offline); runs on a worker thread."""
    import pypdfium2 as pdfium

    out = []
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for page in doc:
            image = page.render(scale=scale).to_pil()
            buf = io.BytesIO()
            image.save(buf, "PNG")
            out.append(buf.getvalue())
            page.close()
    finally:
        doc.close()
    return out


class PassphraseDialog(RememberingDialog):
    """Who signs (one of the inspection's inspectors) and the passphrase of their key.

    A wrong passphrase brings this dialog back with a short note (never the key file's
    path); the inspector tries again or cancels.
    """

    key = "passphrase"

    def __init__(
        self,
        inspectors: list[str],
        with_key: list[str],
        parent: QWidget | None = None,
        *,
        signer: str | None = None,
        error: str = "",
    ):
        super().__init__(parent)
        self.with_key = set(with_key)
        self.setWindowTitle(_("Sign the report"))
        intro = QLabel(
            _(
                "The report is signed by one of the inspection's inspectors, with their own key "
                "(ECDSA P-256, PAdES). Choose who signs and enter the passphrase of their key."
            )
        )
        intro.setWordWrap(True)
        self.signer = QComboBox()
        self.signer.setAccessibleName(_("Signer"))
        for name in inspectors:
            note = "" if name in self.with_key else _(" (no key here yet: one is made)")
            self.signer.addItem(name + note, name)
        start = signer if signer in inspectors else (with_key[0] if with_key else None)
        if start is not None:
            self.signer.setCurrentIndex(inspectors.index(start))
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(_("Passphrase"))
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName(_("Repeat the passphrase"))
        self.error = QLabel(error)
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("Signer"), self.signer)
        form.addRow(_("Passphrase"), self.passphrase)
        self.repeat_label = QLabel(_("Repeat the passphrase"))
        form.addRow(self.repeat_label, self.repeat)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons())
        self.signer.currentIndexChanged.connect(self._signer_changed)
        self._signer_changed()
        self.passphrase.setFocus()

    def chosen(self) -> str:
        return str(self.signer.currentData())

    def new_key(self) -> bool:
        return self.chosen() not in self.with_key

    def _signer_changed(self) -> None:
        new = self.new_key()  # a first signature makes a key: its passphrase is typed twice
        self.repeat.setVisible(new)
        self.repeat_label.setVisible(new)
        self.passphrase.setPlaceholderText(
            _("a new key: at least {n} characters", n=_min_passphrase()) if new else ""
        )

    def accept(self) -> None:
        if not self.passphrase.text():
            self.error.setText(_("Enter the passphrase."))
            return
        if self.new_key():
            # said here, not after the signing failed (which ended the flow with a message)
            if len(self.passphrase.text()) < _min_passphrase():
                self.error.setText(
                    _(
                        "A new key's passphrase needs at least {n} characters.",
                        n=_min_passphrase(),
                    )
                )
                self.passphrase.setFocus()
                return
            if self.repeat.text() != self.passphrase.text():
                self.error.setText(_("the passphrases do not match"))
                return
        super().accept()


def _min_passphrase() -> int:
    from inspector_app.services.identities import MIN_PASSPHRASE_CHARS

    return MIN_PASSPHRASE_CHARS


class ReportDialog(RememberingDialog):
    """Preview of the unsigned report; Save, Sign and Open folder act on real files."""

    key = "report"

    def __init__(
        self,
        ws: Workspace,
        ops: Operations,
        inspection_id: str,
        actor: str,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.ws, self.ops, self.inspection_id, self.actor = ws, ops, inspection_id, actor
        self.setWindowTitle(_("Inspection report"))
        self.tmp = Path(tempfile.mkdtemp(prefix="inspector-report-"))
        self.built: ReportResult | None = None
        self.saved: Path | None = None
        self.pages: list[QLabel] = []
        self.loaded = False
        self.child: QWidget | None = None

        self.lang = QComboBox()
        self.lang.addItem("中文", "zh")
        self.lang.addItem("English", "en")
        self.lang.setCurrentIndex(0 if current_language() == "zh" else 1)
        self.lang.currentIndexChanged.connect(self.build)
        self.status = QLabel()
        self.status.setStyleSheet("color: #555;")
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Language")))
        top.addWidget(self.lang)
        top.addWidget(self.status, 1)

        self.page_box = QWidget()
        self.page_layout = QVBoxLayout(self.page_box)
        self.page_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.page_box)

        buttons = QDialogButtonBox()
        self.save_button = QPushButton(_("Save as…"))
        self.sign_button = QPushButton(_("Sign and save…"))
        self.folder_button = QPushButton(_("Open the folder"))
        close = QPushButton(_("Close"))
        for b in (self.save_button, self.sign_button, self.folder_button):
            b.setEnabled(False)
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(close, QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save_as)
        self.sign_button.clicked.connect(self.sign)
        self.folder_button.clicked.connect(self.open_folder)
        close.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        plain_labels(self)  # messages quote names and files: never markup
        self.resize(max(self.width(), 900), max(self.height(), 900))
        self.build()

    # -- building and preview ---------------------------------------------------------------
    def build(self) -> None:
        from inspector_app.services.reports import build_report

        self.loaded = False
        for b in (self.save_button, self.sign_button):
            b.setEnabled(False)
        self.status.setText(_("Building the report…"))
        lang = self.lang.currentData()
        target = self.tmp / f"report-{lang}.pdf"
        ws, inspection_id = self.ws, self.inspection_id

        def work(progress: Any) -> tuple[ReportResult, list[bytes]]:
            progress(0, 2, _("Building the report…"))
            result = build_report(ws, inspection_id, target, lang=lang)
            progress(1, 2, _("Rendering the pages…"))
            return result, render_pages(target)

        run_task(
            self, work, on_done=self._built, on_error=self._failed, title=_("Building the report…")
        )

    def _built(self, done: tuple[ReportResult, list[bytes]]) -> None:
        self.built, pngs = done
        for label in self.pages:
            label.deleteLater()
        self.pages = []
        for png in pngs:
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(QImage.fromData(png)))
            label.setStyleSheet("border: 1px solid #bbb; background: white;")
            self.page_layout.addWidget(label)
            self.pages.append(label)
        self.status.setText(
            _(
                "Report {number} · {pages} pages · not signed",
                number=self.built.report_number,
                pages=len(pngs),
            )
        )
        self.save_button.setEnabled(True)
        self.sign_button.setEnabled(True)
        self.loaded = True

    def _failed(self, exc: Exception) -> None:
        self.status.setText(str(exc))
        show_error(self, exc)

    # -- actions --------------------------------------------------------------------------
    def _default_name(self, signed: bool) -> str:
        suffix = "-signed" if signed else ""
        number = self.built.report_number if self.built is not None else "report"
        return f"{number}{suffix}.pdf"

    def _ask_path(self, signed: bool) -> Path | None:
        start = str((self.saved.parent if self.saved else Path.home()) / self._default_name(signed))
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save the report"), start, _("PDF files (*.pdf)")
        )
        return Path(path) if path else None

    def save_as(self, path: Path | None = None) -> Path | None:
        from inspector_app.fsutil import atomic_write_bytes

        path = path or self._ask_path(signed=False)
        if path is None or self.built is None:  # nothing built yet: nothing to save
            return None
        atomic_write_bytes(path, Path(self.built.path).read_bytes())
        self.saved = path
        self.folder_button.setEnabled(True)
        self.status.setText(_("Saved to {path}", path=path))
        return path

    def sign(
        self,
        path: Path | None = None,
        passphrase: str | None = None,
        signer: str | None = None,
        error: str = "",
    ) -> None:
        """Ask where, who signs and the passphrase, then sign in the background."""
        from inspector_app.services.report_signing import signer_choice

        path = path or self._ask_path(signed=True)
        if path is None:
            return
        if passphrase is not None:
            self._sign_to(path, passphrase, signer)
            return
        choice = signer_choice(self.ws, self.inspection_id)
        dialog = PassphraseDialog(
            choice.inspectors, choice.with_identity, self, signer=signer, error=error
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self._sign_to(path, dialog.passphrase.text(), dialog.chosen(), ask=True)
        )
        self.child = dialog
        dialog.open()

    def _sign_to(
        self, path: Path, passphrase: str, signer: str | None = None, ask: bool = False
    ) -> None:
        from inspector_app.services.identities import PassphraseRejected
        from inspector_app.services.report_signing import sign_report

        ws, inspection_id, lang = self.ws, self.inspection_id, self.lang.currentData()

        def work(_progress: Any) -> SignedReport:
            return sign_report(
                ws,
                inspection_id,
                path,
                passphrase=passphrase,
                lang=lang,
                actor=self.actor,
                signer=signer,
            )

        def done(result: SignedReport) -> None:
            self.saved = path
            self.folder_button.setEnabled(True)
            self.status.setText(
                _("Signed by {name} and saved to {path}", name=result.signer, path=path)
            )

        def failed(exc: Exception) -> None:
            if ask and isinstance(exc, PassphraseRejected):  # ask again, with a short note
                self.status.setText(_("Wrong passphrase: not signed."))
                self.sign(path, signer=signer, error=_("Wrong passphrase; try again."))
                return
            self._failed(exc)

        self.ops.run(  # the signature is recorded against the revision, in its history
            self,
            work,
            changes=lambda _r: Changes.of(inspections=[inspection_id]),
            on_done=done,
            on_error=failed,
            title=_("Signing…"),
        )

    def open_folder(self) -> None:
        if self.saved is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.saved.parent)))

    def done(self, result: int) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
        super().done(result)
