"""Every dialog class of the desktop, each built by its factory over a real demo data folder.

``dialog_classes()`` finds every ``QDialog`` subclass defined in ``inspector_app.ui``;
``FACTORIES`` builds one of each the way the app does, over the sample data with a photo.
A dialog class added without a factory here fails ``test_every_dialog_class_has_a_factory``;
the fit (1366×768) and accessibility tests show each one.
"""

from __future__ import annotations

import atexit
import importlib
import inspect
import pkgutil
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog

import inspector_app.ui
from inspector_app.services import browse
from inspector_app.services import completion as completion_svc
from inspector_app.services import inspection_views as views_svc
from tests.conftest import open_ws

PILOT = "pilot-base-performance"
# Bases that are never shown on their own.
ABSTRACT = {"inspector_app.ui.dialogs.RememberingDialog"}


def dialog_classes() -> dict[str, type[QDialog]]:
    """``module.Class`` -> class, for every QDialog subclass defined under inspector_app.ui."""
    found: dict[str, type[QDialog]] = {}
    for info in pkgutil.walk_packages(inspector_app.ui.__path__, "inspector_app.ui."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, QDialog) and cls.__module__ == module.__name__:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return {k: v for k, v in sorted(found.items()) if k not in ABSTRACT}


@dataclass
class World:
    """The real main window over the sample data, with the ids the factories need."""

    app: Any  # InspectorApp
    data_dir: Path
    draft_id: str
    completed_id: str
    photo_ids: list[str]
    tmp: Path

    @property
    def ws(self) -> Any:
        return self.app.ws

    @property
    def window(self) -> Any:
        return self.app.window


_SAMPLE: dict[str, Path] = {}  # the sample folder, built once per test session


def _sample_folder(tmp: Path) -> Path:
    """Sample data (every status) and two photos on a pilot-base draft, in a folder that
    each test copies (loading the sample data takes seconds)."""
    from inspector_app.services.demo import load_demo
    from inspector_app.services.photos import add_photos
    from inspector_app.services.templates import sync_forms
    from tests.media import make_jpeg

    if "folder" in _SAMPLE and _SAMPLE["folder"].exists():
        return _SAMPLE["folder"]
    folder = Path(tempfile.mkdtemp(prefix="inspector-sample-"))
    atexit.register(shutil.rmtree, folder, True)
    ws = open_ws(folder)
    sync_forms(ws)
    load_demo(ws)
    rows = browse.list_inspections(ws)
    draft = next(  # the template with every answer type
        r["id"] for r in rows if r["status"] == "draft" and r["template"] == PILOT
    )
    jpegs = [make_jpeg(tmp / f"photo{n}.jpg", seed=n) for n in range(2)]
    add_photos(ws, draft, jpegs, actor="测试员")
    ws.close()
    _SAMPLE["folder"] = folder
    return folder


def make_world(make_app: Any, data_dir: Path, tmp: Path) -> World:
    """The real window over a copy of the sample folder."""
    shutil.copytree(_sample_folder(tmp), data_dir, dirs_exist_ok=True)
    app = make_app(data_dir)
    rows = browse.list_inspections(app.ws)
    draft = next(r["id"] for r in rows if r["status"] == "draft" and r["template"] == PILOT)
    completed = next(r["id"] for r in rows if r["status"] == "completed")
    from inspector_app.services.photos import list_photos

    photos = [p.id for p in list_photos(app.ws, draft)]
    return World(app, data_dir, draft, completed, photos, tmp)


def _new_inspection(w: World) -> QDialog:
    from inspector_app.services.sites import list_sites
    from inspector_app.services.templates import list_templates
    from inspector_app.ui.dialogs import NewInspectionDialog

    return NewInspectionDialog(list_sites(w.ws), list_templates(w.ws), ["王晓明", "李娜"], w.window)


def _settings(w: World) -> QDialog:
    from inspector_app.ui.dialogs import SettingsDialog

    return SettingsDialog(w.app.settings, w.data_dir, w.window, folder_given=True)


def _completion(w: World) -> QDialog:
    from inspector_app.ui.completion import CompletionDialog

    return CompletionDialog(completion_svc.completion_summary(w.ws, w.draft_id), w.window)


def _amend(w: World) -> QDialog:
    from inspector_app.ui.completion import AmendDialog

    return AmendDialog(1, w.window)


def _finding(w: World) -> QDialog:
    from inspector_app.services.photos import list_photos
    from inspector_app.ui.finding_dialog import FindingDialog

    state = views_svc.load_inspection_state(w.ws, w.draft_id)
    return FindingDialog(state.template, w.window, photos=list(list_photos(w.ws, w.draft_id)))


def _passphrase(w: World) -> QDialog:
    from inspector_app.ui.report import PassphraseDialog

    return PassphraseDialog(["王晓明", "李娜"], ["王晓明"], w.window, error="口令不对")


def _report(w: World) -> QDialog:
    from inspector_app.ui.report import ReportDialog

    return ReportDialog(w.ws, w.window.ops, w.completed_id, "测试员", w.window)


def _history(w: World) -> QDialog:
    from inspector_app.ui.history import HistoryDialog

    return HistoryDialog(w.ws, w.completed_id, w.window)


def _import_preview(w: World) -> QDialog:
    from inspector_app.services.sync import export_package, preview_import
    from inspector_app.ui.sync import ImportPreviewDialog

    package = w.tmp / "all.inspkg"
    if not package.exists():
        export_package(w.ws, package, actor="测试员")
    return ImportPreviewDialog(preview_import(w.ws, package), w.window)


def _export(w: World) -> QDialog:
    from inspector_app.ui.sync import ExportDialog

    return ExportDialog(total=21, shown=8, selected=2, parent=w.window)


def _conflicts(w: World) -> QDialog:
    from inspector_app.ui.conflicts import ConflictsDialog

    return ConflictsDialog(w.ws, "测试员", w.window.ops, w.window)


def _photo_viewer(w: World) -> QDialog:
    from inspector_app.services.photos import list_photos
    from inspector_app.ui.photos import PhotoViewer

    photos = list(list_photos(w.ws, w.draft_id))
    return PhotoViewer(photos, w.ws, w.photo_ids[0], True, w.window)


def _signature(w: World) -> QDialog:
    from inspector_app.ui.signature_dialog import SignatureDialog

    return SignatureDialog(signer_name="王晓明", role="inspector", parent=w.window)


def _shortcuts(w: World) -> QDialog:
    from inspector_app.ui.shortcuts import catalogue
    from inspector_app.ui.shortcuts_dialog import ShortcutsDialog

    w.window.open_inspection(w.draft_id)  # the longest list: the editor's keys too
    return ShortcutsDialog(catalogue(w.window), in_editor=True, parent=w.window)


FACTORIES: dict[str, Callable[[World], QDialog]] = {
    "inspector_app.ui.completion.AmendDialog": _amend,
    "inspector_app.ui.completion.CompletionDialog": _completion,
    "inspector_app.ui.conflicts.ConflictsDialog": _conflicts,
    "inspector_app.ui.dialogs.NewInspectionDialog": _new_inspection,
    "inspector_app.ui.dialogs.SettingsDialog": _settings,
    "inspector_app.ui.finding_dialog.FindingDialog": _finding,
    "inspector_app.ui.history.HistoryDialog": _history,
    "inspector_app.ui.photos.PhotoViewer": _photo_viewer,
    "inspector_app.ui.report.PassphraseDialog": _passphrase,
    "inspector_app.ui.report.ReportDialog": _report,
    "inspector_app.ui.shortcuts_dialog.ShortcutsDialog": _shortcuts,
    "inspector_app.ui.signature_dialog.SignatureDialog": _signature,
    "inspector_app.ui.sync.ExportDialog": _export,
    "inspector_app.ui.sync.ImportPreviewDialog": _import_preview,
}


def show(dialog: QDialog, qtbot: Any) -> None:
    """Open it as the app does and wait for what it loads in the background."""
    dialog.open()
    qtbot.waitExposed(dialog)
    if hasattr(dialog, "loaded"):
        qtbot.waitUntil(lambda: dialog.loaded, timeout=60000)
