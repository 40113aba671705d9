"""The main window: welcome, browser and checklist editor in one stack, with the menus."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app import __version__
from inspector_app.i18n import _
from inspector_app.services import browse
from inspector_app.services.errors import ServiceError
from inspector_app.services.startup import ensure_templates
from inspector_app.settings import Settings
from inspector_app.store.db import Database
from inspector_app.ui.browser import Browser
from inspector_app.ui.dialogs import qsettings
from inspector_app.ui.form_issues import FormIssuesBar
from inspector_app.ui.welcome import Welcome
from inspector_app.ui.workers import run_task, show_error

if TYPE_CHECKING:
    from inspector_app.ui.editor.editor import ChecklistEditor

# The checklist editor, the write-side services and the sample data load on first use:
# the window and its lists come up with the read side alone (bench/gui.py, cold start).


class MainWindow(QMainWindow):
    settings_requested = Signal()
    data_changed = Signal()

    def __init__(self, db: Database, settings: Settings, actor: str, data_dir: Path):
        super().__init__()
        self.db = db
        self.settings = settings
        self.actor = actor
        self.data_dir = data_dir
        self.editor: ChecklistEditor | None = None
        self.dialog: QWidget | None = None
        self.last_import_result: Any = None  # what the last package import did
        self.loaded = False
        self.warm = False
        self.sample_data_if_empty = False  # make run: something to look at on a fresh machine
        self.setWindowTitle(_("Inspector — field inspection"))
        self.setMinimumSize(960, 640)

        self.stack = QStackedWidget()
        self.welcome = Welcome()
        self.browser = Browser()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.browser)
        # invalid templates in forms/ are said, not dropped: a bar above the lists
        self.form_issues = FormIssuesBar()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.form_issues)
        column.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.form_issues.show_issues(ensure_templates(db))  # kept verdicts: nothing parsed
        self.save_status = QLabel()
        self.statusBar().addPermanentWidget(self.save_status)
        self.statusBar().showMessage(_("Data folder: {dir}", dir=data_dir))

        self.welcome.load_demo.connect(self.load_sample_data)
        self.welcome.import_sites.connect(self.import_site_list)
        self.welcome.import_package.connect(self.import_package)
        self.welcome.start_empty.connect(self.show_browser)
        self.browser.open_inspection.connect(self.open_inspection)
        self.browser.new_inspection_for_site.connect(lambda site: self.new_inspection(site))

        self._build_menus()
        geometry = qsettings().value("main/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)

    # -- menus --------------------------------------------------------------------------
    def _action(self, menu: QMenu, text: str, slot: Any, shortcut: Any = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcuts(shortcut if isinstance(shortcut, list) else [shortcut])
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu(_("&File"))
        self._action(
            file,
            _("New inspection…"),
            self.new_inspection,
            QKeySequence(QKeySequence.StandardKey.New),
        )
        self._action(
            file, _("Open selected inspection"), self.open_selected, QKeySequence("Ctrl+O")
        )
        self.recent_menu = file.addMenu(_("Recent inspections"))
        file.addSeparator()
        self._action(
            file, _("Import site list (CSV, Excel)…"), self.import_site_list, QKeySequence("Ctrl+I")
        )
        self._action(file, _("Load sample data"), self.load_sample_data)
        file.addSeparator()
        self._action(
            file,
            _("Import a package (.inspkg)…"),
            lambda: self.import_package(),
            QKeySequence("Ctrl+Shift+I"),
        )
        self._action(
            file, _("Export a package (.inspkg)…"), self.export_package, QKeySequence("Ctrl+E")
        )
        self._action(file, _("Package conflicts…"), self.show_conflicts)
        file.addSeparator()
        self._action(file, _("Settings…"), self.settings_requested.emit, QKeySequence("Ctrl+,"))
        file.addSeparator()
        self._action(file, _("Quit"), self.close, QKeySequence(QKeySequence.StandardKey.Quit))

        self.edit_menu = bar.addMenu(_("&Edit"))
        self.inspection_menu = bar.addMenu(_("&Inspection"))
        self.complete_action = self._action(
            self.inspection_menu,
            _("Complete…"),
            self.complete_current,
            [QKeySequence("Ctrl+Shift+C")],
        )
        self.amend_action = self._action(
            self.inspection_menu, _("Amend…"), self.amend_current, [QKeySequence("Ctrl+Shift+A")]
        )
        self.sign_action = self._action(
            self.inspection_menu, _("Sign…"), self.sign_current, [QKeySequence("Ctrl+Shift+S")]
        )
        self.report_action = self._action(
            self.inspection_menu, _("Report…"), self.report_current, [QKeySequence("Ctrl+R")]
        )
        self.history_action = self._action(
            self.inspection_menu, _("History…"), self.history_current, [QKeySequence("Ctrl+H")]
        )
        self.inspection_menu.addSeparator()
        self.close_action = self._action(
            self.inspection_menu, _("Back to the list"), self.close_editor, [QKeySequence("Ctrl+W")]
        )
        self.inspection_menu.addSeparator()
        view = bar.addMenu(_("&View"))
        self._action(
            view, _("Search"), self.focus_search, QKeySequence(QKeySequence.StandardKey.Find)
        )
        self._action(view, _("Refresh"), self.reload, QKeySequence("F5"))
        help_menu = bar.addMenu(_("&Help"))
        self._action(help_menu, _("Keyboard shortcuts"), self.show_shortcuts, QKeySequence("F1"))
        self._action(help_menu, _("About Inspector"), self.show_about)
        self._editor_actions: list[QAction] = []
        self._update_editor_menus()

    def _update_editor_menus(self) -> None:
        for action in self._editor_actions:
            self.edit_menu.removeAction(action)
            self.inspection_menu.removeAction(action)
            self.removeAction(action)
        self._editor_actions = []
        self.close_action.setEnabled(self.editor is not None)
        status = self.editor.state.status if self.editor is not None else None
        self.complete_action.setEnabled(status == "draft")
        self.amend_action.setEnabled(status in ("completed", "signed", "exported"))
        self.sign_action.setEnabled(status in ("completed", "signed"))
        self.history_action.setEnabled(status is not None)
        self.report_action.setEnabled(status is not None)
        if self.editor is None:
            self.edit_menu.setEnabled(False)
            return
        self.edit_menu.setEnabled(True)
        acts = self.editor.actions
        for key in ("undo", "redo"):
            self.edit_menu.addAction(acts[key])
            self._editor_actions.append(acts[key])
        for key in (
            "next",
            "previous",
            "next_unanswered",
            "answer",
            "comment",
            "tree",
            "record_finding",
            "findings",
        ):
            self.inspection_menu.addAction(acts[key])
            self._editor_actions.append(acts[key])

    def _fill_recent(self, rows: list[dict[str, Any]]) -> None:
        self.recent_menu.clear()
        by_id = {r["id"]: r for r in rows}
        recent = [by_id[i] for i in self.settings.recent if i in by_id][:8]
        for r in recent:
            action = self.recent_menu.addAction(f"{r['site']} · {r['started_on']}")
            action.triggered.connect(lambda _c=False, i=r["id"]: self.open_inspection(i))
        self.recent_menu.setEnabled(bool(recent))

    # -- data ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the lists in the background; the window stays responsive meanwhile."""
        db = self.db

        def work(_progress: Any) -> tuple[list[dict[str, Any]], ...]:
            return (
                browse.list_inspections(db),
                browse.list_sites(db),
                browse.list_findings(db, open_only=True),
            )

        self.statusBar().showMessage(_("Loading…"))
        run_task(self, work, on_done=self._loaded)

    def warm_up(self) -> None:
        """Load the editor and the write side in the background once the lists are up,
        so the first inspection opens as fast as the later ones."""
        db = self.db

        def work(_progress: Any) -> None:
            import inspector_app.services.inspections
            import inspector_app.services.photos
            import inspector_app.ui.editor.editor  # noqa: F401

            with db.session():
                pass  # builds the engine and its first connection

        run_task(self, work, on_done=lambda _r: setattr(self, "warm", True))

    def _loaded(self, result: tuple[list[dict[str, Any]], ...]) -> None:
        inspections, sites, open_findings = result
        self.loaded = True
        self.browser.set_data(inspections, sites, open_findings)
        self._fill_recent(inspections)
        self.statusBar().showMessage(
            _(
                "{n} inspections, {m} sites · data folder: {dir}",
                n=len(inspections),
                m=len(sites),
                dir=self.data_dir,
            )
        )
        if self.editor is None:
            self.stack.setCurrentWidget(
                self.welcome if not inspections and not sites else self.browser
            )
        if not self.warm:
            self.warm_up()
        if self.sample_data_if_empty and not inspections and not sites:
            self.sample_data_if_empty = False
            self.load_sample_data()
        self.data_changed.emit()

    def show_browser(self) -> None:
        self.stack.setCurrentWidget(self.browser)
        self.browser.table.setFocus()

    def focus_search(self) -> None:
        if self.editor is None:
            self.show_browser()
            self.browser.focus_search()

    def load_sample_data(self) -> None:
        from inspector_app.services.demo import load_demo

        db = self.db
        run_task(
            self,
            lambda _p: load_demo(db, actor=self.actor),
            on_done=lambda _r: self.reload(),
            title=_("Loading sample data…"),
        )

    def import_site_list(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import site list"), str(Path.home()), _("Site lists (*.csv *.xlsx)")
        )
        if not path:
            return
        from inspector_app.services.sites import import_sites

        db = self.db

        def done(result: Any) -> None:
            self.statusBar().showMessage(
                _(
                    "{file}: {added} added, {updated} updated, {unchanged} unchanged",
                    file=Path(path).name,
                    added=result.added,
                    updated=result.updated,
                    unchanged=result.unchanged,
                )
            )
            self.reload()

        run_task(
            self,
            lambda _p: import_sites(db, Path(path), actor=self.actor),
            on_done=done,
            title=_("Importing sites…"),
        )

    def import_package(self, path: str | None = None) -> None:
        from inspector_app.ui.sync import import_package_flow

        def done(result: Any) -> None:
            self.last_import_result = result
            self.reload()

        import_package_flow(self, self.db, self.data_dir, self.actor, done, path=path)

    def show_conflicts(self) -> None:
        from inspector_app.ui.conflicts import ConflictsDialog

        dialog = ConflictsDialog(self.db, self.data_dir, self.actor, self.reload, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._forget(dialog))
        self.dialog = dialog
        dialog.open()

    def export_package(self) -> None:
        from inspector_app.ui.sync import export_package_flow

        if self.editor is not None:
            self.close_editor()
        shown, total = self.browser.shown_ids(), self.browser.total_inspections()
        if total == 0:
            QMessageBox.information(
                self, _("Export a package"), _("There is no inspection to export yet.")
            )
            return
        export_package_flow(self, self.db, self.data_dir, self.actor, shown, total, self.reload)

    # -- inspections --------------------------------------------------------------------
    def new_inspection(self, site_id: str | None = None) -> None:
        from inspector_app.services.sites import list_sites
        from inspector_app.services.templates import list_templates
        from inspector_app.ui.dialogs import NewInspectionDialog

        sites = list_sites(self.db)
        if not sites:
            QMessageBox.information(
                self,
                _("New inspection"),
                _("There are no sites yet: import a site list or load the sample data first."),
            )
            return
        dialog = NewInspectionDialog(
            sites,
            list_templates(self.db),
            self.settings.inspectors,
            self,
            preselect_site=site_id or self.browser.current_site_id(),
        )
        self._modeless(dialog, lambda: self._start(dialog.values()))

    def _start(self, values: dict[str, Any]) -> None:
        from inspector_app.services import inspections as svc

        try:
            insp = svc.start_inspection(self.db, actor=self.actor, **values)
        except ServiceError as exc:
            show_error(self, exc)
            return
        self.open_inspection(insp.id)
        self.reload()

    def open_selected(self) -> None:
        current = self.browser.current_id()
        if current:
            self.open_inspection(current)

    def open_inspection(self, inspection_id: str) -> ChecklistEditor | None:
        from inspector_app.services import inspections as svc
        from inspector_app.ui.editor.editor import ChecklistEditor

        try:
            state = svc.load_inspection_state(self.db, inspection_id)
        except ServiceError as exc:
            show_error(self, exc)
            return None
        self.close_editor(reload=False)
        editor = ChecklistEditor(self.db, state, self.actor)
        editor.saved_state.connect(self.save_status.setText)
        self.stack.addWidget(editor)
        self.stack.setCurrentWidget(editor)
        self.editor = editor
        self._update_editor_menus()
        self.settings.remember(inspection_id)
        self.data_changed.emit()
        self.setWindowTitle(_("{site} — Inspector", site=state.site_name))
        editor.panel.focus_answer()
        return editor

    def close_editor(self, reload: bool = True) -> None:
        if self.editor is None:
            return
        editor, self.editor = self.editor, None
        editor.flush()
        self.stack.removeWidget(editor)
        editor.deleteLater()
        self._update_editor_menus()
        self.save_status.clear()
        self.setWindowTitle(_("Inspector — field inspection"))
        self.show_browser()
        if reload:
            self.reload()
            self.browser.select(editor.state.id)

    # -- completion and amendment --------------------------------------------------------
    def _modeless(self, dialog: QWidget, on_accept: Any) -> None:
        """Window-modal without a nested event loop; tests and callbacks stay simple."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(on_accept)  # type: ignore[attr-defined]
        dialog.finished.connect(lambda _r: self._forget(dialog))  # type: ignore[attr-defined]
        self.dialog = dialog
        dialog.open()  # type: ignore[attr-defined]

    def _forget(self, dialog: QWidget) -> None:
        """A closed dialog is no longer the current one (unless another took its place)."""
        if self.dialog is dialog:
            self.dialog = None

    def complete_current(self) -> None:
        from inspector_app.services import inspections as svc
        from inspector_app.ui.completion import CompletionDialog

        if self.editor is None or not self.editor.state.editable:
            return
        self.editor.flush()
        inspection_id = self.editor.state.id
        summary = svc.completion_summary(self.db, inspection_id)
        dialog = CompletionDialog(summary, self)

        def complete() -> None:
            try:
                svc.complete_inspection(self.db, inspection_id, actor=self.actor)
            except ServiceError as exc:
                show_error(self, exc)
                return
            self.open_inspection(inspection_id)
            self.statusBar().showMessage(_("Completed; the score is frozen."))

        self._modeless(dialog, complete)

    def amend_current(self) -> None:
        from inspector_app.services import inspections as svc
        from inspector_app.ui.completion import AmendDialog

        if self.editor is None or self.editor.state.editable:
            return
        inspection_id, revision = self.editor.state.id, self.editor.state.revision
        dialog = AmendDialog(revision, self)

        def amend() -> None:
            try:
                svc.amend_inspection(self.db, inspection_id, reason=dialog.text(), actor=self.actor)
            except ServiceError as exc:
                show_error(self, exc)
                return
            self.open_inspection(inspection_id)
            self.statusBar().showMessage(_("Reopened as revision {rev}.", rev=revision + 1))

        self._modeless(dialog, amend)

    # -- signatures and history -----------------------------------------------------------
    def sign_current(self) -> None:
        """Each inspector, then the site's representative, signs the completed revision."""
        from inspector_app.services import inspections as svc

        if self.editor is None or self.editor.state.status not in ("completed", "signed"):
            return
        inspection_id = self.editor.state.id
        pending = svc.pending_signers(self.db, inspection_id)
        if not pending:
            self.statusBar().showMessage(_("Everyone has signed this revision."))
            return
        self._sign_next(inspection_id, pending)

    def _sign_next(self, inspection_id: str, pending: list[tuple[str, str]]) -> None:
        from inspector_app.services import inspections as svc
        from inspector_app.ui.signature_pad import SignatureDialog

        name, role = pending[0]
        dialog = SignatureDialog(signer_name=name, role=role, parent=self)

        def signed() -> None:
            values = dialog.values()
            try:
                svc.record_signature(self.db, inspection_id, actor=self.actor, **values)
            except ServiceError as exc:
                show_error(self, exc)
                return
            rest = svc.pending_signers(self.db, inspection_id)
            self.open_inspection(inspection_id)
            if rest:
                self._sign_next(inspection_id, rest)
            else:
                self.statusBar().showMessage(_("Signed by everyone present."))

        self._modeless(dialog, signed)

    def report_current(self) -> None:
        from inspector_app.ui.report import ReportDialog

        if self.editor is None:
            return
        self.editor.flush()
        dialog = ReportDialog(self.db, self.editor.state.id, self.actor, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._forget(dialog))
        self.dialog = dialog
        dialog.open()

    def history_current(self) -> None:
        from inspector_app.ui.history import HistoryDialog

        if self.editor is None:
            return
        dialog = HistoryDialog(self.db, self.editor.state.id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._forget(dialog))
        self.dialog = dialog
        dialog.open()

    # -- help ---------------------------------------------------------------------------
    def show_shortcuts(self) -> None:
        rows = [
            (_("New inspection"), "Ctrl+N"),
            (_("Open the selected inspection"), "Enter"),
            (_("Search"), "Ctrl+F"),
            (_("Yes / No / Not applicable"), "Y / N / A"),
            (_("Score, number"), _("digits, then Enter")),
            (_("Choice"), _("1…9, ↑ ↓")),
            (_("Next item"), "Enter, Ctrl+↓"),
            (_("Previous item"), "Ctrl+↑"),
            (_("Next unanswered"), "F3, Ctrl+J"),
            (_("Go to the comment"), "Ctrl+M"),
            (_("Next item from a text box"), "Ctrl+Enter"),
            (_("Undo / Redo"), "Ctrl+Z / Ctrl+Shift+Z"),
            (_("Back to the list"), "Ctrl+W"),
            (_("Export a package"), "Ctrl+E"),
            (_("Import a package"), "Ctrl+Shift+I"),
            (_("Settings"), "Ctrl+,"),
        ]
        text = (
            "<table>"
            + "".join(
                f"<tr><td>{a}</td><td style='padding-left:16px'><b>{b}</b></td></tr>"
                for a, b in rows
            )
            + "</table>"
        )
        QMessageBox.information(self, _("Keyboard shortcuts"), text)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            _("About Inspector"),
            _(
                "Inspector {version}: offline field inspection for pilot-scale test "
                "bases and technology-transfer agencies.",
                version=__version__,
            ),
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.editor is not None:
            self.editor.flush()
        qsettings().setValue("main/geometry", self.saveGeometry())
        super().closeEvent(event)

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Escape and self.editor is not None:
            self.close_editor()
            return
        super().keyPressEvent(event)
