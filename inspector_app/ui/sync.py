"""Packages in the desktop: export to a file for the USB stick, import one with a preview.

Import first reads the package's signed manifest (fast, nothing written) and shows what it
holds and where it comes from; the import itself runs in the background with progress and
is all or nothing (``services.sync``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.services.browse import status_label
from inspector_app.store.db import Database
from inspector_app.ui.dialogs import RememberingDialog
from inspector_app.ui.workers import run_task, show_error

FILTER = "{} (*.inspkg)"


def inform(parent: QWidget, title: str, text: str) -> QMessageBox:
    """A message that does not block (background callbacks and tests never wait on it)."""
    box = QMessageBox(
        QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent
    )
    box.setObjectName("sync-result")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class ImportPreviewDialog(RememberingDialog):
    """What a package holds and who made it; Import or Cancel."""

    key = "import_preview"

    def __init__(self, preview: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Import a package"))
        m = preview.manifest
        facts = QLabel(
            _(
                "From device: {device}\nKey fingerprint: {fingerprint}\nMade: {created} "
                "(package no. {seq} of that device)\n{n} inspections, {photos} photos, {sites} sites",
                device=m.device_name,
                fingerprint=m.fingerprint,
                created=m.created_at.replace("T", " ").removesuffix("Z") + " UTC",
                seq=m.sequence,
                n=m.summary.get("inspections", "?"),
                photos=m.summary.get("photos", "?"),
                sites=m.summary.get("sites", "?"),
            )
        )
        facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = QLabel(self._note(preview))
        self.note.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName(_("Inspections in the package"))
        for r in preview.rows:
            self.list.addItem(
                f"{r.get('site', '')} · {r.get('started_on', '')} · "
                f"{status_label(str(r.get('status', '')))}"
            )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton(_("Import"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(preview.key_matches and not preview.already_imported)
        self.import_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(facts)
        layout.addWidget(self.note)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(560, 460)

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
        return note


def import_package_flow(
    parent: QWidget,
    db: Database,
    data_dir: Path,
    actor: str,
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
        preview = preview_import(db, data_dir, Path(path))
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

        run_task(
            parent,
            lambda progress: import_package(
                db, data_dir, Path(path), actor=actor, progress=progress
            ),
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
    conflicts = len(r.conflicts) + r.site_conflicts
    if conflicts:
        text += "\n\n" + _(
            "{n} records were edited both here and on the sending device: the local ones were "
            "kept, the incoming ones saved as conflicts for you to decide "
            "(File → Package conflicts).",
            n=conflicts,
        )
    return text


def export_package_flow(
    parent: QWidget,
    db: Database,
    data_dir: Path,
    actor: str,
    shown: Sequence[str],
    total: int,
    on_done: Callable[[], None],
) -> None:
    """Export the inspections shown in the list (filtered) or all of them, to a file."""
    from inspector_app.services.sync import export_package

    ids: list[str] | None = None
    if 0 < len(shown) < total:
        box = QMessageBox(parent)
        box.setWindowTitle(_("Export a package"))
        box.setText(_("Which inspections go into the package?"))
        shown_button = box.addButton(
            _("The {n} shown in the list", n=len(shown)), QMessageBox.ButtonRole.AcceptRole
        )
        box.addButton(_("All {n}", n=total), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(shown_button)
        box.exec()
        clicked = box.clickedButton()
        if clicked is None or box.buttonRole(clicked) != QMessageBox.ButtonRole.AcceptRole:
            return
        ids = list(shown) if clicked is shown_button else None
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

    run_task(
        parent,
        lambda progress: export_package(
            db, data_dir, Path(path), actor=actor, inspection_ids=ids, progress=progress
        ),
        on_done=done,
        on_error=lambda exc: show_error(parent, exc),
        title=_("Writing the package…"),
    )
