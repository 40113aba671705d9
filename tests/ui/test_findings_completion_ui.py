"""Findings, completion and amendment through the real window, by keyboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from inspector_app.services import inspection_views as views_svc
from inspector_app.services.browse import list_findings
from tests.conftest import open_ws, prepared_folder
from tests.services.helpers import answer_all
from tests.ui.keys import type_text
from tests.ui.test_workflows import _open_new, seed_site


def test_record_edit_and_correct_a_finding(make_app: Any, data_dir: Path, qtbot: Any) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    item = next(i for s in editor.template.sections for i in s.items if i.scored)
    editor.select_item(item.id)
    qtbot.keyClick(
        app.window,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: editor.dialog is not None and editor.dialog.isVisible())
    dialog = editor.dialog
    assert dialog.item.currentData() == item.id  # linked to the item on screen
    type_text(dialog.description, "设备台账与实物不符")
    type_text(dialog.requirement, "30日内补齐台账")
    type_text(dialog.responsible, "孙主任")
    dialog.accept()
    rows = list_findings(app.ws, inspection_id=editor.state.id)
    assert [(r["description"], r["item_id"], r["status"]) for r in rows] == [
        ("设备台账与实物不符", item.id, "open")
    ]
    assert editor.side.currentIndex() == 1 and editor.findings.model.rowCount() == 1
    assert "1/1" in editor.side.tabText(1)
    editor.findings.table.selectRow(0)
    editor.findings.corrected.click()
    assert list_findings(app.ws, inspection_id=editor.state.id)[0]["status"] == "corrected"
    assert "0/1" in editor.side.tabText(1)


def test_empty_finding_is_refused_inline(make_app: Any, data_dir: Path, qtbot: Any) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    editor.record_finding(None)
    dialog = editor.dialog
    dialog.accept()
    assert dialog.isVisible() and dialog.error.text()
    dialog.reject()
    assert list_findings(app.ws, inspection_id=editor.state.id) == []


def test_complete_then_amend_from_the_menu(make_app: Any, data_dir: Path, qtbot: Any) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    win = app.window
    editor = _open_new(app)
    inspection_id = editor.state.id
    win.complete_current()
    summary = win.dialog
    assert not summary.complete_button.isEnabled()  # required answers are missing
    summary.reject()
    answer_all(app.ws, inspection_id, editor.template)
    win.open_inspection(inspection_id)
    qtbot.keyClick(
        win, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    summary = win.dialog
    assert summary.complete_button.isEnabled()
    summary.accept()
    assert views_svc.inspection_detail(app.ws, inspection_id)["status"] == "completed"
    assert win.editor is not None and not win.editor.state.editable
    assert win.editor.header.readonly_banner.isVisible()
    assert not win.menus.complete.isEnabled() and win.menus.amend.isEnabled()

    qtbot.keyClick(
        win, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    amend = win.dialog
    amend.accept()
    assert amend.isVisible() and amend.error.text()  # a reason is required
    type_text(amend.reason, "合同金额录入有误")
    amend.accept()
    detail = views_svc.inspection_detail(app.ws, inspection_id)
    assert (detail["status"], detail["revision"], detail["amend_reason"]) == (
        "draft",
        2,
        "合同金额录入有误",
    )
    assert [r["revision"] for r in detail["revisions"]] == [1]
    assert win.editor.state.editable


def test_open_findings_tab_lists_the_demo_findings(
    make_app: Any, data_dir: Path, qtbot: Any
) -> None:

    ws = open_ws(prepared_folder(data_dir, demo=True))
    expected = list_findings(ws, open_only=True)
    ws.close()
    app = make_app(data_dir)
    page = app.window.browser.open_findings
    assert page.model.rowCount() == len(expected) > 0
    deadlines = [r["deadline"] for r in page.model.rows if r["deadline"]]
    assert deadlines == sorted(deadlines)
    assert str(len(expected)) in app.window.browser.tabs.tabText(2)
    page.table.selectRow(0)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert app.window.editor is not None
    assert app.window.editor.state.id == page.model.rows[0]["inspection_id"]
