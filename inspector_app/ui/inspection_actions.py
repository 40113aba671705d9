"""What the main window does with the inspection open in the editor: complete it, reopen
it as an amendment, have each person sign, and open its report and its history. The base
class of ``MainWindow`` (main_window.py), kept apart so that each module reads in one go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QWidget

from inspector_app.i18n import _
from inspector_app.services.changes import Changes
from inspector_app.services.errors import ServiceError
from inspector_app.ui.operations import Operations
from inspector_app.ui.workers import show_error
from inspector_app.workspace import Workspace

if TYPE_CHECKING:
    from inspector_app.ui.editor.editor import ChecklistEditor


class InspectionActions(QMainWindow):
    """The base of ``MainWindow``: its actions on the inspection in the editor."""

    # set by MainWindow
    ws: Workspace
    ops: Operations
    actor: str
    editor: ChecklistEditor | None
    dialog: QWidget | None

    if TYPE_CHECKING:  # MainWindow's own, declared for the checker only

        def open_dialog(self, dialog: QWidget, on_accept: Any) -> None: ...

        def open_inspection(self, inspection_id: str) -> ChecklistEditor | None: ...

        def _forget(self, dialog: QWidget) -> None: ...

    def complete_current(self) -> None:
        from inspector_app.services import completion as completion_svc
        from inspector_app.services import inspections as svc
        from inspector_app.ui.completion import CompletionDialog

        if self.editor is None or not self.editor.state.editable:
            return
        self.editor.flush()
        inspection_id = self.editor.state.id
        summary = completion_svc.completion_summary(self.ws, inspection_id)
        dialog = CompletionDialog(summary, self)

        def complete() -> None:
            try:
                self.ops.do(
                    lambda: svc.complete_inspection(self.ws, inspection_id, actor=self.actor),
                    changes=lambda _r: Changes.of(inspections=[inspection_id]),
                    source=self.editor,  # opened anew below
                )
            except ServiceError as exc:
                show_error(self, exc)
                return
            self.open_inspection(inspection_id)
            self.statusBar().showMessage(_("Completed; the score is frozen."))

        self.open_dialog(dialog, complete)

    def amend_current(self) -> None:
        from inspector_app.services import inspections as svc
        from inspector_app.ui.completion import AmendDialog

        if self.editor is None or self.editor.state.editable:
            return
        inspection_id, revision = self.editor.state.id, self.editor.state.revision
        dialog = AmendDialog(revision, self)

        def amend() -> None:
            try:
                self.ops.do(
                    lambda: svc.amend_inspection(
                        self.ws, inspection_id, reason=dialog.text(), actor=self.actor
                    ),
                    changes=lambda _r: Changes.of(inspections=[inspection_id]),
                    source=self.editor,  # opened anew below
                )
            except ServiceError as exc:
                show_error(self, exc)
                return
            self.open_inspection(inspection_id)
            self.statusBar().showMessage(_("Reopened as revision {rev}.", rev=revision + 1))

        self.open_dialog(dialog, amend)

    # -- signatures and history -----------------------------------------------------------
    def sign_current(self) -> None:
        """Each inspector, then the site's representative, signs the completed revision."""
        from inspector_app.services import signatures as signatures_svc

        if self.editor is None or self.editor.state.status not in ("completed", "signed"):
            return
        inspection_id = self.editor.state.id
        pending = signatures_svc.pending_signers(self.ws, inspection_id)
        if not pending:
            self.statusBar().showMessage(_("Everyone has signed this revision."))
            return
        self._sign_next(inspection_id, pending)

    def _sign_next(self, inspection_id: str, pending: list[tuple[str, str]]) -> None:
        from inspector_app.services import signatures as signatures_svc
        from inspector_app.ui.signature_dialog import SignatureDialog

        name, role = pending[0]
        dialog = SignatureDialog(signer_name=name, role=role, parent=self)

        def signed() -> None:
            values = dialog.values()
            try:
                self.ops.do(
                    lambda: signatures_svc.record_signature(
                        self.ws, inspection_id, actor=self.actor, **values
                    ),
                    changes=lambda _r: Changes.of(inspections=[inspection_id]),
                    source=self.editor,  # opened anew below
                )
            except ServiceError as exc:
                show_error(self, exc)
                return
            rest = signatures_svc.pending_signers(self.ws, inspection_id)
            self.open_inspection(inspection_id)
            if rest:
                self._sign_next(inspection_id, rest)
            else:
                self.statusBar().showMessage(_("Signed by everyone present."))

        self.open_dialog(dialog, signed)

    def report_current(self) -> None:
        from inspector_app.ui.report import ReportDialog

        if self.editor is None:
            return
        self.editor.flush()
        dialog = ReportDialog(self.ws, self.ops, self.editor.state.id, self.actor, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._forget(dialog))
        self.dialog = dialog
        dialog.open()

    def history_current(self) -> None:
        from inspector_app.ui.history import HistoryDialog

        if self.editor is None:
            return
        dialog = HistoryDialog(self.ws, self.editor.state.id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._forget(dialog))
        self.dialog = dialog
        dialog.open()
