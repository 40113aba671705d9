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
from inspector_app.sync.package import read_manifest
from inspector_app.ui import sync as ui_sync
from tests.conftest import open_ws, prepared_folder


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
    ws = open_ws(prepared_folder(laptop, demo=True))
    out = tmp_path / "usb" / "from-laptop.inspkg"
    export_package(ws, out, actor="张工")
    ws.close()
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
    assert dialog.table.rowCount() == 21
    # each inspection with its site, date, status and inspectors
    rows = [
        [dialog.table.item(n, c).text() for c in range(4)] for n in range(dialog.table.rowCount())
    ]
    names = {n for r in rows for n in r[3].split("、")}
    assert {"王晓明", "李娜", "张伟", "刘洋"} <= names
    assert all(r[0].startswith("示例") and r[1][:2] == "20" and r[2] for r in rows)
    assert dialog.import_button.isEnabled()
    assert dialog.default_button is dialog.import_button  # Enter imports a valid package
    assert (
        _(
            "First package from this device: compare the key fingerprint with the sender; "
            "later packages must carry the same key."
        )
        in dialog.note.text()
    )
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
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
    assert again.default_button is again.cancel_button  # Enter closes it
    assert again.cancel_button.text() == _("Close")
    qtbot.keyClick(again, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not again.isVisible())

    # Ctrl+E asks what goes in: no filter, one row selected, so "all" is the default; Enter
    out = tmp_path / "back" / "hq.inspkg"
    out.parent.mkdir()
    monkeypatch.setattr(ui_sync.QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    qtbot.waitUntil(lambda: _top(ui_sync.ImportPreviewDialog) is None)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    qtbot.keyClick(win, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    question = _top(ui_sync.ExportDialog)
    assert question is not None and question.choice() == ui_sync.ExportDialog.ALL
    qtbot.keyClick(question, Qt.Key.Key_Return)

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
    from inspector_app.services import answers as answers_svc
    from inspector_app.services import inspection_views as views_svc
    from inspector_app.services.demo import demo_id
    from inspector_app.services.sync import import_package, list_conflicts
    from inspector_app.ui.conflicts import ConflictsDialog

    draft = demo_id("inspection", "pb-2024-5")
    laptop, hq = tmp_path / "laptop", tmp_path / "hq"
    ldb, hdb = open_ws(laptop), open_ws(hq)
    for ws in (ldb, hdb):
        sync_forms(ws)
    load_demo(ldb)
    export_package(ldb, tmp_path / "1.inspkg", actor="张工")
    import_package(hdb, tmp_path / "1.inspkg", actor="总部")
    state = views_svc.load_inspection_state(ldb, draft)
    item = next(i for i in state.template.items() if i.id not in state.answers and i.scored)
    answers_svc.comment_item(hdb, draft, item.id, "总部的意见", actor="总部")
    answers_svc.comment_item(ldb, draft, item.id, "现场的意见", actor="张工")
    export_package(ldb, tmp_path / "2.inspkg", actor="张工")
    import_package(hdb, tmp_path / "2.inspkg", actor="总部")
    ldb.close()
    hdb.close()

    app = make_app(hq)
    win = app.window
    win.show_conflicts()
    dialog = _top(ConflictsDialog)
    assert dialog is not None and dialog.table.rowCount() == 1
    assert (
        dialog.table.item(0, 1)
        .text()
        .endswith(views_svc.inspection_detail(app.ws, draft)["started_on"])
    )
    assert dialog.take_incoming.isEnabled()
    qtbot.mouseClick(dialog.take_incoming, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 0, timeout=10000)
    assert dialog.empty.isVisibleTo(dialog)
    assert not dialog.take_incoming.isEnabled()
    assert views_svc.load_inspection_state(app.ws, draft).answers[item.id].comment == "现场的意见"
    assert list_conflicts(app.ws) == []
    dialog.reject()


def test_a_conflict_shows_its_differences_and_several_are_decided_at_once(
    make_app: Any, tmp_path: Path, qtbot: Any
) -> None:
    from inspector_app.services import inspection_views as views_svc
    from inspector_app.services.sync import list_conflicts
    from inspector_app.ui.conflicts import ConflictsDialog
    from tests.sync.helpers import COMMENT_ITEM, two_conflicts

    made = two_conflicts(tmp_path)
    made["laptop"].close()
    made["hq"].close()
    title = made["template"].item(COMMENT_ITEM).title.zh

    app = make_app(made["hq_dir"])  # in Chinese
    win = app.window
    win.show_conflicts()
    dialog = _top(ConflictsDialog)
    assert dialog is not None and dialog.table.rowCount() == 2
    # the current conflict's differences, field by field, by the item's title
    diffs = dialog.differences
    rows = [tuple(diffs.item(n, c).text() for c in range(3)) for n in range(diffs.rowCount())]
    assert (f"{title} · {_('Comment')}", "总部的意见", "现场的意见") in rows
    assert not any(COMMENT_ITEM in r[0] for r in rows)
    dialog.table.setCurrentCell(1, 0)
    assert diffs.rowCount() >= 1 and dialog.detail_title.text().startswith(
        _("What differs: {title}", title="").rstrip()
    )

    # Ctrl+A selects both; one action decides both after a confirmation naming how many
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(dialog.selected()) == 2
    assert dialog.keep_local.text() == _("Keep the local version ({n})", n=2)
    qtbot.mouseClick(dialog.keep_local, Qt.MouseButton.LeftButton)
    confirm = dialog.confirm
    assert confirm is not None and confirm.isVisible() and "2" in confirm.text()
    confirm.button(QMessageBox.StandardButton.Cancel).click()
    assert len(list_conflicts(app.ws)) == 2  # cancelled: nothing decided
    qtbot.mouseClick(dialog.keep_local, Qt.MouseButton.LeftButton)
    dialog.confirm.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 0, timeout=10000)
    assert list_conflicts(app.ws) == []
    state = views_svc.load_inspection_state(app.ws, made["first"])
    assert state.answers[COMMENT_ITEM].comment == "总部的意见"
    with app.ws.db.raw() as con:
        decided = con.execute("SELECT count(*) FROM audit_log WHERE action = 'resolve'").fetchone()
    assert decided[0] == 2  # each decision audited on its own
    dialog.reject()


def test_export_asks_for_all_the_filtered_list_or_the_selection(
    make_app: Any, data_dir: Path, tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QItemSelectionModel
    from PySide6.QtWidgets import QRadioButton

    from inspector_app.sync.devices import readable_name
    from inspector_app.ui.workers import wait_for_tasks

    ws = open_ws(prepared_folder(data_dir, demo=True))
    ws.close()
    app = make_app(data_dir)
    win = app.window
    browser = win.browser
    out = tmp_path / "out.inspkg"
    monkeypatch.setattr(ui_sync.QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))

    def export_with(keys: list[Any]) -> dict[str, Any]:
        """Ctrl+E in the list, the given keys in the question, then the package's summary."""
        if out.exists():
            out.unlink()
        win.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
        qtbot.keyClick(browser.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        question = _top(ui_sync.ExportDialog)
        assert question is not None
        question.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is question)
        for key in keys:
            qtbot.keyClick(question.focusWidget() or question, key)
        qtbot.waitUntil(lambda: _result_box() is not None, timeout=30000)
        _result_box().close()
        wait_for_tasks()  # the list is read again after an export
        qtbot.wait(50)
        return read_manifest(out).summary

    # a filter: the list shows the drafts; that is the default, counted
    browser.status.setCurrentIndex(browser.status.findData("draft"))
    drafts = browser.shown_ids()
    assert 1 < len(drafts) < 21
    browser.table.setFocus()
    win.activateWindow()
    qtbot.keyClick(browser.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    question = _top(ui_sync.ExportDialog)
    assert question is not None and question.choice() == ui_sync.ExportDialog.SHOWN
    texts = [b.text().replace("&", "") for b in question.findChildren(QRadioButton)]
    assert texts == [
        _("&All inspections ({n})", n=21).replace("&", ""),
        _("The ones the &list shows ({n})", n=len(drafts)).replace("&", ""),
        _("The &selected rows ({n})", n=1).replace("&", ""),
    ]
    assert all(w.accessibleName() for w in question.findChildren(QRadioButton))
    hint = question.sizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768
    question.reject()
    win.settings.inspectors = ["王晓明", "李娜"]  # the device is named after the first one
    assert {r["id"] for r in export_with([Qt.Key.Key_Return])["rows"]} == set(drafts)
    assert read_manifest(out).device_name == readable_name("王晓明")

    # two rows selected (Enter would still open the current one): the selection is the default
    browser.status.setCurrentIndex(0)
    model, selection = browser.table.model(), browser.table.selectionModel()
    browser.table.selectRow(0)
    selection.select(
        model.index(3, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )
    chosen = browser.selected_ids()
    assert len(chosen) == 2
    summary = export_with([Qt.Key.Key_Return])
    assert summary["inspections"] >= 2 and set(chosen) <= {r["id"] for r in summary["rows"]}
    # with the keyboard: Up goes to the list (every one shown), then Up again to all
    browser.table.selectRow(0)
    selection.select(
        model.index(3, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert export_with([Qt.Key.Key_Up, Qt.Key.Key_Return])["inspections"] == 21
    # and Enter in the list still opens the current row
    browser.table.setFocus()
    qtbot.keyClick(browser.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.editor is not None)


def test_a_refused_package_is_named_in_plain_text(
    make_app: Any, data_dir: Path, package: Path, tmp_path: Path, qtbot: Any
) -> None:
    """What a package says is never markup: a status "<h1>…</h1>" is refused, and the
    refusal shows the tags as written (a message box took them for rich text and showed a
    big "imported" over the refusal)."""
    from tests.sync.helpers import repack

    def bad_status(doc: dict[str, Any]) -> None:
        doc["inspections"][0]["inspection"]["status"] = "<h1>已导入</h1>"

    hostile = repack(package, tmp_path / "hostile.inspkg", tmp_path / "copier", bad_status)
    app = make_app(data_dir)
    ui_sync.import_package_flow(
        app.window, app.ws, app.window.ops, lambda _r: None, path=str(hostile)
    )
    dialog = _top(ui_sync.ImportPreviewDialog)
    assert dialog is not None
    qtbot.keyClick(dialog, Qt.Key.Key_Return)

    def refusal() -> QMessageBox | None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QMessageBox) and w.isVisible() and "<h1>" in w.text():
                return w
        return None

    qtbot.waitUntil(lambda: refusal() is not None, timeout=30000)
    box = refusal()
    assert box is not None and box.textFormat() == Qt.TextFormat.PlainText
    box.close()


def _renamed(src: Path, out: Path, data_dir: Path, name: str) -> Path:
    """``src`` with the manifest's device name set to ``name`` as written, re-signed by the
    device's own key: what a hostile exporter can send (ours writes a name on one line)."""
    import json
    import zipfile

    from inspector_app.sync.identity import device_identity
    from inspector_app.sync.strict import canonical_json

    key = device_identity(data_dir).private_key
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "manifest.json":
                doc = json.loads(data)
                doc["device_name"] = name
                data = canonical_json(doc)
                manifest = data
            elif info.filename == "manifest.sig":
                data = key.sign(manifest)
            zout.writestr(info, data)
    return out


def test_a_device_name_cannot_forge_a_line_of_the_preview(
    make_app: Any, data_dir: Path, tmp_path: Path, qtbot: Any
) -> None:
    """A device that names itself "…\\nKey fingerprint: 0000 …" (or with a bidi override)
    is shown on one line, escaped: the preview showed a forged fingerprint line above the
    real one, the one a person compares with the sender's."""
    from tests.services.helpers import start

    laptop = tmp_path / "laptop"
    ws = open_ws(prepared_folder(laptop))
    start(ws)
    sent = export_package(ws, tmp_path / "sent.inspkg", actor="王晓明")
    ws.close()
    forged = "王晓明 @ LAPTOP-7F3K\n密钥指纹：0000 0000 0000 0000\u202e"
    pkg = _renamed(sent.path, tmp_path / "forged.inspkg", laptop, forged)
    app = make_app(data_dir)
    ui_sync.import_package_flow(app.window, app.ws, app.window.ops, lambda _r: None, path=str(pkg))
    dialog = _top(ui_sync.ImportPreviewDialog)
    assert dialog is not None
    try:
        facts = next(
            label.text()
            for label in dialog.findChildren(ui_sync.QLabel)
            if "王晓明 @ LAPTOP-7F3K" in label.text()
        )
        lines = facts.splitlines()
        assert sum("0000 0000 0000 0000" in line for line in lines) == 1
        assert sent.manifest.fingerprint in lines[1]  # the second line is the real one
        assert "\\n" in lines[0] and "\\u202e" in lines[0] and "\u202e" not in facts
    finally:
        dialog.reject()
