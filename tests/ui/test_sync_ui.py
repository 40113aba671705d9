"""Packages in the desktop: the welcome screen imports one, the File menu exports one.

Real widgets offscreen, real package files; only the file chooser is answered by the test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from inspector_app.i18n import _
from inspector_app.services.demo import load_demo
from inspector_app.services.sync import export_package
from inspector_app.services.templates import sync_forms
from inspector_app.store.db import open_database
from inspector_app.sync.package import read_manifest
from inspector_app.ui import sync as ui_sync


def _top(kind: type) -> Any:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    return found[-1] if found else None


def _result_box() -> QMessageBox | None:
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox) and w.objectName() == "sync-result" and w.isVisible():
            return w
    return None


@pytest.fixture
def package(tmp_path: Path) -> Path:
    laptop = tmp_path / "laptop"
    db = open_database(laptop)
    sync_forms(db)
    load_demo(db)
    out = tmp_path / "usb" / "from-laptop.inspkg"
    export_package(db, laptop, out, actor="张工")
    db.dispose()
    return out


def test_welcome_imports_a_package_then_the_menu_exports_one(
    make_app: Any,
    data_dir: Path,
    package: Path,
    tmp_path: Path,
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app(data_dir)
    win = app.window
    assert win.stack.currentWidget() is win.welcome
    monkeypatch.setattr(ui_sync.QFileDialog, "getOpenFileName", lambda *a, **k: (str(package), ""))
    qtbot.mouseClick(win.welcome.package_button, Qt.MouseButton.LeftButton)
    dialog = _top(ui_sync.ImportPreviewDialog)
    assert dialog is not None
    assert dialog.list.count() == 21
    assert dialog.import_button.isEnabled()
    assert (
        _(
            "First package from this device: compare the key fingerprint with the sender; "
            "later packages must carry the same key."
        )
        in dialog.note.text()
    )
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _result_box() is not None, timeout=30000)
    box = _result_box()
    assert box is not None and box.text() == ui_sync._summary(win.last_import_result)
    box.close()
    qtbot.waitUntil(
        lambda: (
            win.stack.currentWidget() is win.browser and win.browser.inspections.rowCount() == 21
        ),
        timeout=10000,
    )

    # the same package again: the preview says so and offers no import
    win.import_package(str(package))
    again = _top(ui_sync.ImportPreviewDialog)
    assert again is not None and again is not dialog
    assert not again.import_button.isEnabled()
    assert again.note.text() == _(
        "This package was imported already; importing it again changes nothing."
    )
    again.reject()

    # Ctrl+E exports every inspection (no filter: no question asked)
    out = tmp_path / "back" / "hq.inspkg"
    out.parent.mkdir()
    monkeypatch.setattr(ui_sync.QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    qtbot.waitUntil(lambda: _top(ui_sync.ImportPreviewDialog) is None)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    qtbot.keyClick(win, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)

    def boxes() -> list[str]:
        return [
            w.text()
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()
        ]

    qtbot.waitUntil(lambda: _result_box() is not None or bool(boxes()), timeout=30000)
    box = _result_box()
    assert box is not None and str(out) in box.text(), boxes()
    box.close()
    manifest = read_manifest(out)
    assert manifest.summary["inspections"] == 21
    assert manifest.device_id != read_manifest(package).device_id


def test_conflicts_are_decided_in_the_desktop(make_app: Any, tmp_path: Path, qtbot: Any) -> None:
    from inspector_app.services import inspections as svc
    from inspector_app.services.demo import demo_id
    from inspector_app.services.sync import import_package, list_conflicts
    from inspector_app.ui.conflicts import ConflictsDialog

    draft = demo_id("inspection", "pb-2024-5")
    laptop, hq = tmp_path / "laptop", tmp_path / "hq"
    ldb, hdb = open_database(laptop), open_database(hq)
    for db in (ldb, hdb):
        sync_forms(db)
    load_demo(ldb)
    export_package(ldb, laptop, tmp_path / "1.inspkg", actor="张工")
    import_package(hdb, hq, tmp_path / "1.inspkg", actor="总部")
    state = svc.load_inspection_state(ldb, draft)
    item = next(i for i in state.template.items() if i.id not in state.answers and i.scored)
    svc.comment_item(hdb, draft, item.id, "总部的意见", actor="总部")
    svc.comment_item(ldb, draft, item.id, "现场的意见", actor="张工")
    export_package(ldb, laptop, tmp_path / "2.inspkg", actor="张工")
    import_package(hdb, hq, tmp_path / "2.inspkg", actor="总部")
    ldb.dispose()
    hdb.dispose()

    app = make_app(hq)
    win = app.window
    win.show_conflicts()
    dialog = _top(ConflictsDialog)
    assert dialog is not None and dialog.table.rowCount() == 1
    assert (
        dialog.table.item(0, 1).text().endswith(svc.inspection_detail(app.db, draft)["started_on"])
    )
    assert dialog.take_incoming.isEnabled()
    qtbot.mouseClick(dialog.take_incoming, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 0 and dialog.empty.isVisibleTo(dialog)
    assert not dialog.take_incoming.isEnabled()
    assert svc.load_inspection_state(app.db, draft).answers[item.id].comment == "现场的意见"
    assert list_conflicts(app.db) == []
    dialog.reject()
