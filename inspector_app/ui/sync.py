"""Packages in the desktop: export to a file for the USB stick, import one with a preview.

Import first reads the package's signed manifest (fast, nothing written) and shows what it
holds and where it comes from; the import itself runs in the background with progress and
is all or nothing (``services.sync``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app import timefmt
from inspector_app.i18n import _
from inspector_app.presenters.labels import status_label
from inspector_app.ui.dialogs import RememberingDialog
from inspector_app.ui.operations import Operations
from inspector_app.ui.plain import plain_tip
from inspector_app.ui.workers import show_error

if TYPE_CHECKING:
    from inspector_app.workspace import Workspace

FILTER = "{} (*.inspkg)"


def inform(parent: QWidget, title: str, text: str) -> QMessageBox:
    """A message that does not block (background callbacks and tests never wait on it)."""
    box = QMessageBox(
        QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent
    )
    box.setObjectName("sync-result")
    box.setTextFormat(Qt.TextFormat.PlainText)  # what a package says is never markup
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def _created(manifest: Any) -> str:
    """When the package was made, in the display zone (the manifest writes UTC)."""
    try:
        moment = dt.datetime.fromisoformat(manifest.created_at.replace("Z", "+00:00"))
    except ValueError:
        return str(manifest.created_at)
    return timefmt.format_instant(moment)


def _plain(label: QLabel) -> QLabel:
    """Text from a package is shown as text, never as markup."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ImportPreviewDialog(RememberingDialog):
    """What a package holds and who made it; Import (the default for an importable package)
    or Cancel."""

    COLUMNS = 4

    key = "import_preview"

    def __init__(self, preview: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Import a package"))
        m = preview.manifest
        facts = _plain(
            QLabel(
                _(
                    "From device: {device}\nKey fingerprint: {fingerprint}\nMade: {created} "
                    "(package no. {seq} of that device)\n{n} inspections, {photos} photos, "
                    "{sites} sites",
                    device=m.device_name,
                    fingerprint=m.fingerprint,
                    created=_created(m),
                    seq=m.sequence,
                    n=m.summary.get("inspections", "?"),
                    photos=m.summary.get("photos", "?"),
                    sites=m.summary.get("sites", "?"),
                )
            )
        )
        facts.setAccessibleName(_("Where the package comes from"))
        self.note = _plain(QLabel(self._note(preview)))
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setHorizontalHeaderLabels([_("Site"), _("Date"), _("Status"), _("Inspectors")])
        self.table.setAccessibleName(_("Inspections in the package"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        rows = preview.rows
        self.table.setRowCount(len(rows))
        for n, r in enumerate(rows):
            names = r.get("inspectors")
            cells = (
                str(r.get("site", "")),
                str(r.get("started_on", "")),
                status_label(str(r.get("status", ""))),
                "、".join(str(x) for x in names) if isinstance(names, list) else "",
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(plain_tip(text))
                self.table.setItem(n, col, item)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), 340))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton(_("Import"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setAccessibleName(_("Import the package"))
        importable = preview.importable
        self.import_button.setEnabled(importable)
        if importable:
            self.cancel_button.setText(_("Cancel"))
            self.cancel_button.setAutoDefault(False)
            self.import_button.setDefault(True)
        else:  # nothing to do but close: Enter closes
            self.cancel_button.setText(_("Close"))
            self.import_button.setAutoDefault(False)
            self.cancel_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(facts)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(760, 520)
        (self.import_button if importable else self.cancel_button).setFocus()

    @property
    def default_button(self) -> QPushButton | None:
        for b in (self.import_button, self.cancel_button):
            if b.isDefault():
                return b
        return None

    @staticmethod
    def _note(preview: Any) -> str:
        if not preview.key_matches:
            return _(
                "Refused: earlier packages from this device were signed with another key. "
                "Ask the sender which device made this file."
            )
        if preview.already_imported:
            return _("This package was imported already; importing it again changes nothing.")
        note = _(
            "Records are merged by their ids: nothing here is overwritten; a version edited "
            "on both sides is kept as a conflict for you to decide."
        )
        if preview.own_device:
            note += "\n" + _("This package was made in this data folder.")
        elif not preview.device_known:
            note += "\n" + _(
                "First package from this device: compare the key fingerprint with the sender; "
                "later packages must carry the same key."
            )
        if preview.known_name:
            note += "\n" + _("This device was known here as {name}.", name=preview.known_name)
        if preview.same_name:
            note += "\n" + _(
                "Another device here gives the same name: compare the key fingerprint with "
                "the sender."
            )
        return note


def import_package_flow(
    parent: QWidget,
    ws: Workspace,
    ops: Operations,
    on_done: Callable[[Any], None],
    *,
    path: str | None = None,
) -> None:
    """Choose a package, preview it, import it in the background, say what happened;
    ``on_done(result)`` after an import (``None`` if it was refused)."""
    from inspector_app.services.sync import PackageRejected, import_package, preview_import

    if path is None:
        path, _filter = QFileDialog.getOpenFileName(
            parent, _("Import a package"), str(Path.home()), FILTER.format(_("Packages"))
        )
    if not path:
        return
    try:
        preview = preview_import(ws, Path(path))
    except PackageRejected as exc:
        show_error(parent, exc, _("The package cannot be imported"))
        return
    dialog = ImportPreviewDialog(preview, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def start() -> None:
        def done(result: Any) -> None:
            inform(parent, _("Import a package"), _summary(result))
            on_done(result)

        def failed(exc: Exception) -> None:
            show_error(parent, exc, _("The package was not imported; nothing was changed"))
            on_done(None)

        ops.run(
            parent,
            lambda progress: import_package(ws, Path(path), actor=ws.actor, progress=progress),
            changes=lambda result: result.changes(),
            on_done=done,
            on_error=failed,
            title=_("Importing the package…"),
        )

    dialog.accepted.connect(start)
    dialog.open()


def _summary(result: Any) -> str:
    if result.already_imported:
        return _("This package was imported already; nothing changed.")
    r = result.merge
    text = _(
        "{added} new inspections, {updated} updated, {unchanged} unchanged, {newer} newer here; "
        "{sites} new sites, {photos} photos stored.",
        added=len(r.added),
        updated=len(r.updated),
        unchanged=len(r.unchanged),
        newer=len(r.kept_newer),
        sites=r.sites_added,
        photos=result.photos_stored,
    )
    if r.same_content:
        text += "\n\n" + _(
            "{n} inspections hold the same content as here, from another device: no "
            "conflict; their history is kept to be shown.",
            n=len(r.same_content),
        )
    conflicts = len(r.conflicts) + r.site_conflicts
    if conflicts:
        text += "\n\n" + _(
            "{n} records were edited both here and on the sending device: the local ones were "
            "kept, the incoming ones saved as conflicts for you to decide "
            "(File → Package conflicts).",
            n=conflicts,
        )
    return text


class ExportDialog(RememberingDialog):
    """Which inspections go into the package: all of them, the ones the list shows (after its
    filters and search) or the selected rows, each with its count. The default is the
    selection when more than one row is selected, else the list when it is filtered, else
    all. The visits they follow (复查) always go with them."""

    key = "export"

    ALL, SHOWN, SELECTED = "all", "shown", "selected"

    def __init__(
        self,
        total: int,
        shown: int,
        selected: int,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(_("Export a package"))
        question = QLabel(_("Which inspections go into the package?"))
        self.choices = {
            self.ALL: QRadioButton(_("&All inspections ({n})", n=total)),
            self.SHOWN: QRadioButton(_("The ones the &list shows ({n})", n=shown)),
            self.SELECTED: QRadioButton(_("The &selected rows ({n})", n=selected)),
        }
        names = {
            self.ALL: _("Export all {n} inspections", n=total),
            self.SHOWN: _("Export the {n} inspections the list shows", n=shown),
            self.SELECTED: _("Export the {n} selected inspections", n=selected),
        }
        self.group = QButtonGroup(self)
        for key, button in self.choices.items():
            button.setAccessibleName(names[key])
            self.group.addButton(button)
        filtered = 0 < shown < total
        self.choices[self.SHOWN].setEnabled(filtered)
        self.choices[self.SELECTED].setEnabled(selected > 0)
        if not filtered:
            self.choices[self.SHOWN].setToolTip(_("The list is not filtered: it shows them all."))
        default = self.ALL
        if selected > 1:
            default = self.SELECTED
        elif filtered:
            default = self.SHOWN
        self.choices[default].setChecked(True)
        note = QLabel(_("A re-inspection (复查) brings the earlier visit it follows."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #555")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Choose the file…"))
        self.ok_button.setAccessibleName(_("Choose where to write the package"))
        self.ok_button.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 30)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        for button in self.choices.values():
            layout.addWidget(button)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.choices[default].setFocus()

    def choice(self) -> str:
        return next(key for key, b in self.choices.items() if b.isChecked())


def export_package_flow(
    parent: QWidget,
    ws: Workspace,
    ops: Operations,
    shown: Sequence[str],
    total: int,
    on_done: Callable[[], None],
    *,
    selected: Sequence[str] = (),
    device_name: str | None = None,
) -> ExportDialog:
    """Ask which inspections (all, the ones the list shows, the selected ones), then where,
    then export them in the background. Returns the (open, non-blocking) question."""
    dialog = ExportDialog(total, len(shown), len(selected), parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def chosen() -> None:
        choice = dialog.choice()
        ids = {
            ExportDialog.ALL: None,
            ExportDialog.SHOWN: list(shown),
            ExportDialog.SELECTED: list(selected),
        }[choice]
        _export_to_file(parent, ws, ops, ids, on_done, device_name)

    dialog.accepted.connect(chosen)
    dialog.open()
    return dialog


def _export_to_file(
    parent: QWidget,
    ws: Workspace,
    ops: Operations,
    ids: list[str] | None,
    on_done: Callable[[], None],
    device_name: str | None,
) -> None:
    from inspector_app.services.sync import export_package

    default = Path.home() / _("inspections-{date}.inspkg", date=dt.date.today().strftime("%Y%m%d"))
    path, _filter = QFileDialog.getSaveFileName(
        parent, _("Export a package"), str(default), FILTER.format(_("Packages"))
    )
    if not path:
        return

    def done(result: Any) -> None:
        inform(
            parent,
            _("Export a package"),
            _(
                "Wrote {path}: {n} inspections, {photos} photos, {mb} MB.\n"
                "Key fingerprint of this device: {fingerprint}",
                path=result.path,
                n=result.inspections,
                photos=result.photos,
                mb=f"{result.byte_size / 1e6:.1f}",
                fingerprint=result.manifest.fingerprint,
            ),
        )
        on_done()

    ops.run(
        parent,
        lambda progress: export_package(
            ws,
            Path(path),
            actor=ws.actor,
            inspection_ids=ids,
            progress=progress,
            device_name=device_name,
        ),
        changes=lambda result: result.changes(),
        on_done=done,
        on_error=lambda exc: show_error(parent, exc),
        title=_("Writing the package…"),
    )
