"""The main window: welcome, browser and checklist editor in one stack, with the menus."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app import __version__
from inspector_app.i18n import _
from inspector_app.services import browse
from inspector_app.services.changes import Changes
from inspector_app.services.errors import ServiceError
from inspector_app.services.startup import ensure_templates
from inspector_app.settings import Settings
from inspector_app.ui.browser import Browser
from inspector_app.ui.form_issues import FormIssuesBar
from inspector_app.ui.inspection_actions import InspectionActions
from inspector_app.ui.menus import Menus
from inspector_app.ui.operations import Operations
from inspector_app.ui.shortcuts import WindowKeysFirst, catalogue, window_actions
from inspector_app.ui.welcome import Welcome
from inspector_app.ui.windows import fit_to_screen, qsettings
from inspector_app.ui.workers import run_task, show_error
from inspector_app.workspace import Workspace

if TYPE_CHECKING:
    from inspector_app.ui.editor.editor import ChecklistEditor

# The checklist editor, the write-side services and the sample data load on first use:
# the window and its lists come up with the read side alone (bench/gui.py, cold start).


WARM_UP_AFTER_MS = 200  # from the lists shown to loading the editor in the background


class MainWindow(InspectionActions):
    settings_requested = Signal()
    data_changed = Signal()

    def __init__(self, ws: Workspace, settings: Settings):
        super().__init__()
        self.ws = ws
        self.settings = settings  # the app's, saved as they change (recent inspections)
        self.actor = ws.actor
        self.data_dir = ws.data_dir
        self.editor: ChecklistEditor | None = None
        self.dialog: QWidget | None = None
        self.last_import_result: Any = None  # what the last package import did
        self.loaded = False
        self.warm = False
        self.sample_data_if_empty = False  # make run: something to look at on a fresh machine
        self.notice = ""  # shown in the status bar with the next list counts
        self.ops = Operations(self)  # every write announces what it changed
        self.ops.workspace_changed.connect(self._workspace_changed)
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
        self.form_issues.show_issues(ensure_templates(ws))  # kept verdicts: nothing parsed
        self.save_status = QLabel()
        self.statusBar().addPermanentWidget(self.save_status)
        self.statusBar().showMessage(_("Data folder: {dir}", dir=ws.data_dir))

        self.welcome.load_demo.connect(self.load_sample_data)
        self.welcome.import_sites.connect(self.import_site_list)
        self.welcome.import_package.connect(self.import_package)
        self.welcome.start_empty.connect(self.show_browser)
        self.browser.open_inspection.connect(self.open_inspection)
        self.browser.new_inspection_for_site.connect(lambda site: self.new_inspection(site))

        self.menus = Menus(self)
        self.keys_first = WindowKeysFirst(self, window_actions(self))
        geometry = qsettings().value("main/geometry")
        restored = isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)
        if not restored:
            self.resize(1280, 800)
        fit_to_screen(self, remembered=restored)

    # -- data ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the lists in the background; the window stays responsive meanwhile."""
        ws = self.ws

        def work(_progress: Any) -> tuple[list[dict[str, Any]], ...]:
            return (
                browse.list_inspections(ws),
                browse.list_sites(ws),
                browse.list_findings(ws, open_only=True),
            )

        self.statusBar().showMessage(_("Loading…"))
        run_task(self, work, on_done=self._loaded)

    def warm_up(self) -> None:
        """Load the editor and the write side in the background once the lists are up,
        so the first inspection opens as fast as the later ones."""
        ws = self.ws

        def work(_progress: Any) -> None:
            import inspector_app.services.inspection_views  # answers, inspections
            import inspector_app.services.photos
            import inspector_app.ui.editor.editor  # noqa: F401

            ws.db.warm()  # builds the engine and its first connection

        run_task(self, work, on_done=lambda _r: setattr(self, "warm", True))

    def _loaded(self, result: tuple[list[dict[str, Any]], ...]) -> None:
        inspections, sites, open_findings = result
        first, self.loaded = not self.loaded, True
        self.browser.set_data(inspections, sites, open_findings)
        self.menus.fill_recent(inspections, self.settings.recent)
        counts = _(
            "{n} inspections, {m} sites · data folder: {dir}",
            n=len(inspections),
            m=len(sites),
            dir=self.data_dir,
        )
        notice, self.notice = self.notice, ""  # said once, before the counts
        self.statusBar().showMessage(f"{notice} · {counts}" if notice else counts)
        if self.editor is None:
            self.stack.setCurrentWidget(
                self.welcome if not inspections and not sites else self.browser
            )
            page = self.stack.currentWidget()
            if first and page is not None and not self.browser.search.hasFocus():
                page.setFocus()  # keyboard first: ↑ ↓ and Enter work
        if first and not self.warm:
            # once the lists are painted: the imports would take the interpreter from the
            # window's first paint (a person does not click within a fifth of a second)
            QTimer.singleShot(WARM_UP_AFTER_MS, self, self.warm_up)
        if self.sample_data_if_empty and not inspections and not sites:
            self.sample_data_if_empty = False
            self.load_sample_data()
        self.data_changed.emit()

    def _workspace_changed(self, changes: Changes, source: object | None) -> None:
        """Each screen refreshes what a write changed: the open editor its inspection (a
        write it did not make itself), the browser its lists."""
        editor = self.editor
        if (
            editor is not None
            and source is not editor
            and changes.touches_inspection(editor.state.id)
        ):
            editor.changed_underneath()
        # the browser's lists, when they show (closing the editor reads them anew)
        if changes.touches_lists() and editor is None:
            self.reload()

    def show_browser(self) -> None:
        self.stack.setCurrentWidget(self.browser)
        self.browser.table.setFocus()

    def focus_search(self) -> None:
        if self.editor is None:
            self.show_browser()
            self.browser.focus_search()

    def load_sample_data(self) -> None:
        from inspector_app.services.demo import load_demo

        ws = self.ws

        def done(_result: Any) -> None:
            from inspector_app.services.identities import DEMO_PASSPHRASE

            self.notice = _(
                "Sample data loaded; the demo inspectors' signing passphrase is {passphrase}.",
                passphrase=DEMO_PASSPHRASE,
            )

        self.ops.run(
            self,
            lambda _p: load_demo(ws, actor=self.actor),
            changes=lambda _r: Changes.all(),  # sites, inspections, photos, keys
            on_done=done,
            title=_("Loading sample data…"),
        )

    def import_site_list(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import site list"), str(Path.home()), _("Site lists (*.csv *.xlsx)")
        )
        if not path:
            return
        from inspector_app.services.sites import import_sites

        ws = self.ws

        def done(result: Any) -> None:
            # said with the next counts: a message shown now is replaced by "Loading…"
            self.notice = _(
                "{file}: {added} added, {updated} updated, {unchanged} unchanged",
                file=Path(path).name,
                added=result.added,
                updated=result.updated,
                unchanged=result.unchanged,
            )

        self.ops.run(
            self,
            lambda _p: import_sites(ws, Path(path), actor=self.actor),
            changes=lambda _r: Changes.all(),  # the site list, as a whole
            on_done=done,
            title=_("Importing sites…"),
        )

    def import_package(self, path: str | None = None) -> None:
        from inspector_app.ui.sync import import_package_flow

        def done(result: Any) -> None:
            self.last_import_result = result
            self.reload()

        import_package_flow(self, self.ws, self.ops, done, path=path)

    def show_conflicts(self) -> None:
        from inspector_app.ui.conflicts import ConflictsDialog

        dialog = ConflictsDialog(self.ws, self.actor, self.ops, self)
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
        from inspector_app.services.sync import readable_name
        from inspector_app.settings import default_actor

        inspector = self.settings.inspectors[0] if self.settings.inspectors else default_actor()
        dialog = export_package_flow(
            self,
            self.ws,
            self.ops,
            shown,
            total,
            self.reload,
            selected=self.browser.selected_ids(),
            device_name=readable_name(inspector),
        )
        dialog.finished.connect(lambda _r: self._forget(dialog))
        self.dialog = dialog

    # -- inspections --------------------------------------------------------------------
    def new_inspection(self, site_id: str | None = None) -> None:
        from inspector_app.services.sites import list_sites
        from inspector_app.services.templates import list_templates
        from inspector_app.ui.dialogs import NewInspectionDialog

        sites = list_sites(self.ws)
        if not sites:
            QMessageBox.information(
                self,
                _("New inspection"),
                _("There are no sites yet: import a site list or load the sample data first."),
            )
            return
        dialog = NewInspectionDialog(
            sites,
            list_templates(self.ws),
            self.settings.inspectors,
            self,
            preselect_site=site_id or self.browser.current_site_id(),
        )
        self.open_dialog(dialog, lambda: self._start(dialog.values()))

    def _start(self, values: dict[str, Any]) -> None:
        from inspector_app.services import inspections as svc

        try:
            insp = self.ops.do(
                lambda: svc.start_inspection(self.ws, actor=self.actor, **values),
                changes=lambda i: Changes.of(inspections=[i.id], sites=[i.site_id]),
            )
        except ServiceError as exc:
            show_error(self, exc)
            return
        self.open_inspection(insp.id)

    def open_selected(self) -> None:
        current = self.browser.current_id()
        if current:
            self.open_inspection(current)

    def open_inspection(self, inspection_id: str) -> ChecklistEditor | None:
        from inspector_app.services import inspection_views as views_svc
        from inspector_app.ui.editor.editor import ChecklistEditor

        try:
            state = views_svc.load_inspection_state(self.ws, inspection_id)
        except ServiceError as exc:
            show_error(self, exc)
            return None
        self.close_editor(reload=False)
        editor = ChecklistEditor(self.ws, state, self.actor, self.ops)
        editor.saved_state.connect(self.save_status.setText)
        self.stack.addWidget(editor)
        self.stack.setCurrentWidget(editor)
        self.editor = editor
        self.menus.show_editor(self.editor)
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
        self.menus.show_editor(self.editor)
        self.save_status.clear()
        self.setWindowTitle(_("Inspector — field inspection"))
        self.show_browser()
        if reload:
            self.reload()
            self.browser.select(editor.state.id)

    # -- completion and amendment --------------------------------------------------------
    def open_dialog(self, dialog: QWidget, on_accept: Any) -> None:
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

    # -- help ---------------------------------------------------------------------------
    def show_shortcuts(self) -> None:
        """F1: the shortcuts of this screen, from the real actions."""
        from inspector_app.ui.shortcuts_dialog import ShortcutsDialog

        dialog = ShortcutsDialog(catalogue(self), in_editor=self.editor is not None, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._forget(dialog))
        self.dialog = dialog
        dialog.open()

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

    def current_page(self) -> QWidget | None:
        return self.stack.currentWidget()

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Escape and self.editor is not None:
            self.close_editor()
            return
        super().keyPressEvent(event)
