"""The history window over a real database, offscreen: rows, search, the chain's state."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from inspector_app import i18n
from inspector_app.services import answers as answers_svc
from inspector_app.services import inspections as svc
from inspector_app.services.history import chain_status, inspection_history
from inspector_app.ui.history import BROKEN_COLOUR, OK_COLOUR, HistoryDialog, HistoryModel
from inspector_app.ui.workers import wait_for_tasks
from inspector_app.workspace import Workspace
from tests.services.helpers import answer_all, start

COMMENT = "设备台账与现场一致"


@pytest.fixture
def inspection(db) -> str:
    iid, t = start(db)
    answer_all(db, iid, t)
    answers_svc.comment_item(db, iid, "s1.equipment-value", COMMENT, actor="王晓明")
    svc.complete_inspection(db, iid, actor="王晓明")
    svc.amend_inspection(db, iid, reason="补充材料", actor="王晓明")
    answers_svc.answer_item(db, iid, "s1.premises", "no", actor="李娜")
    return iid


@pytest.fixture
def open_dialog(db, qtbot: Any) -> Iterator[Any]:
    opened: list[HistoryDialog] = []

    def factory(inspection_id: str) -> HistoryDialog:
        dialog = HistoryDialog(db, inspection_id)
        opened.append(dialog)
        dialog.open()
        qtbot.waitUntil(lambda: dialog.loaded, timeout=10000)
        return dialog

    yield factory
    wait_for_tasks()
    for dialog in opened:
        if shiboken6.isValid(dialog):
            dialog.close()
            dialog.deleteLater()


def tamper(db, seq: int) -> None:
    con = sqlite3.connect(db.path)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute("UPDATE audit_log SET actor = '别人' WHERE seq = ?", (seq,))
    con.commit()
    con.close()


def test_the_dialog_shows_the_timeline_and_an_intact_chain(db, inspection, open_dialog) -> None:
    dialog = open_dialog(inspection)
    entries = inspection_history(db, inspection)
    model = dialog.model
    assert model.rowCount() == len(entries) > 30
    assert model.columnCount() == 7
    assert [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(7)
    ] == ["Time", "Who", "Action", "What", "Before", "After", "From"]
    last = model.rowCount() - 1
    shown = [model.data(model.index(last, c)) for c in range(7)]
    assert shown == [
        entries[-1].when,
        "李娜",
        "Fill in",
        entries[-1].what,
        "Yes",
        "No",
        "This folder",
    ]
    assert not dialog.received_line.isVisible()  # nothing here came in a package
    assert dialog.table.isVisible() and not dialog.loading.isVisible()
    assert "测试基地PB-T1" in dialog.heading.text() and "PB-T1" in dialog.windowTitle()
    assert "revision 2" in dialog.subheading.text()

    status = chain_status(db)
    text = dialog.chain.text()
    assert dialog.chain.isVisible()
    assert "Hash chain intact" in text and "whole data folder" in text
    assert f"{status.entries} entries" in text and status.head[:16] in text
    assert OK_COLOUR in dialog.chain.styleSheet()
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole) is None


def test_the_search_box_filters_the_rows(db, inspection, open_dialog, qtbot) -> None:
    dialog = open_dialog(inspection)
    total = dialog.model.rowCount()
    qtbot.keyClicks(dialog.search, "amend")
    assert dialog.model.rowCount() == 1
    assert dialog.model.rows[0]["new"] == "Revision 2: 补充材料"
    assert dialog.count.text() == f"1 of {total}"
    dialog.search.clear()
    assert dialog.model.rowCount() == total
    dialog.search.setText(COMMENT[2:6])  # part of a value
    assert [(r["actor"], r["new"]) for r in dialog.model.rows] == [("王晓明", COMMENT)]
    dialog.search.setText("李娜")  # her answer, and the start that names her as an inspector
    assert [(r["actor"], r["action"]) for r in dialog.model.rows] == [
        ("测试员", "Create"),
        ("李娜", "Fill in"),
    ]


def test_a_tampered_log_shows_the_break_in_red(db, inspection, open_dialog) -> None:
    entries = inspection_history(db, inspection)
    bad = entries[5].seq
    tamper(db, bad)
    dialog = open_dialog(inspection)
    text = dialog.chain.text()
    assert f"Hash chain broken at entry {bad}" in text
    assert "the entry's content does not match its hash" in text
    assert BROKEN_COLOUR in dialog.chain.styleSheet()
    model = dialog.model
    assert model.first_bad_seq == bad
    before, at = model.index(4, 1), model.index(5, 1)
    assert model.data(before, Qt.ItemDataRole.ForegroundRole) is None
    assert model.data(at, Qt.ItemDataRole.ForegroundRole).color().name() == BROKEN_COLOUR
    assert model.data(at) == "别人"
    assert f"broken at entry {bad}" in model.data(at, Qt.ItemDataRole.ToolTipRole)


def test_in_chinese(db, inspection, open_dialog) -> None:
    i18n.set_language("zh")
    dialog = open_dialog(inspection)
    assert "第 2 版" in dialog.subheading.text()
    assert "草稿" in dialog.subheading.text()
    last = dialog.model.rows[-1]
    assert (last["old"], last["new"]) == ("是", "否")


def test_closing_before_the_history_arrives_is_harmless(db, inspection, qtbot) -> None:
    dialog = HistoryDialog(db, inspection)
    dialog.open()
    dialog.close()
    dialog.deleteLater()
    wait_for_tasks()
    qtbot.wait(50)  # the queued "done" reaches a deleted dialog and is ignored
    QApplication.processEvents()
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()


def test_at_hq_ctrl_h_on_an_imported_inspection_shows_what_it_arrived_with(
    make_app, tmp_path, qtbot
) -> None:
    """Export from a laptop's folder, import at HQ, open the inspection there, Ctrl+H."""
    from inspector_app.services.sync import export_package, import_package
    from inspector_app.services.templates import sync_forms
    from inspector_app.store.db import open_database

    laptop, hq = tmp_path / "laptop", tmp_path / "hq"
    ldb, hdb = open_database(laptop), open_database(hq)
    for d in (ldb, hdb):
        sync_forms(d)
    iid, t = start(ldb)
    answer_all(ldb, iid, t)
    answers_svc.comment_item(ldb, iid, "s1.equipment-value", COMMENT, actor="王晓明")
    sent = inspection_history(ldb, iid)
    device = "王晓明 @ LAPTOP-7F3K"
    export_package(Workspace(laptop, ldb, "王晓明"), tmp_path / "p.inspkg", device_name=device)
    import_package(Workspace(hq, hdb, "总部"), tmp_path / "p.inspkg")
    ldb.dispose()
    hdb.dispose()

    app = make_app(hq)
    win = app.window
    win.open_inspection(iid)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    qtbot.keyClick(win, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(win.dialog, HistoryDialog) and win.dialog.loaded)
    dialog = win.dialog
    model = dialog.model
    assert dialog.table.isVisible() and not dialog.loading.isVisible()
    assert model.rowCount() == len(sent) > 30
    comment = next(r for r in model.rows if r["new"] == COMMENT)
    assert comment["actor"] == "王晓明" and comment["source"] == device
    source = model.index(model.rows.index(comment), HistoryModel.SOURCE_COLUMN)
    assert model.data(source) == device
    assert device in model.data(source, Qt.ItemDataRole.ToolTipRole)
    assert model.data(source, Qt.ItemDataRole.ForegroundRole) is None
    # the chain line speaks for this folder; the received entries say what was checked
    assert i18n._("Hash chain intact") in dialog.chain.text()
    line = dialog.received_line.text()
    assert dialog.received_line.isVisible() and device in line and str(len(sent)) in line
    assert OK_COLOUR in dialog.received_line.styleSheet()
    dialog.close()
