"""Data is shown as text, never as markup: a site name, an inspector's name, an answer or a
comment of "<img src='/dev/zero'>" (from a site list or a package) made Qt read /dev/zero
into memory until it died, wherever a label or a tooltip took it for rich text. The marker
here is harmless bold; every label and tooltip that shows it must show it as written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QLabel, QWidget

from inspector_app.services import answers as answers_svc
from inspector_app.services.sites import upsert_sites
from inspector_app.services.templates import sync_forms
from inspector_app.ui.history import HistoryDialog
from inspector_app.ui.workers import wait_for_tasks
from tests.conftest import open_ws
from tests.ui.test_workflows import _item, _open_new

MARK = "<b>粗</b>"


def _markup(widget: QWidget) -> list[str]:
    """The labels under ``widget`` that would render the marker as markup."""
    return [
        label.text()
        for label in widget.findChildren(QLabel)
        if MARK in label.text()
        and label.textFormat() != Qt.TextFormat.PlainText
        and GuiQt.mightBeRichText(label.text())
    ]


def test_names_answers_and_comments_are_shown_as_written(
    make_app: Any, data_dir: Path, qtbot: Any
) -> None:
    ws = open_ws(data_dir)
    sync_forms(ws)
    upsert_sites(
        ws, [{"code": "PB-K1", "name": f"基地{MARK}", "site_type": "pilot_base"}], actor="测试员"
    )
    ws.close()
    app = make_app(data_dir)
    editor = _open_new(app, inspectors=(f"王{MARK}",))
    text = _item(editor, "text")
    answers_svc.answer_item(app.ws, editor.state.id, text.id, f"答{MARK}", actor="测试员")
    answers_svc.comment_item(app.ws, editor.state.id, text.id, f"评{MARK}", actor="测试员")
    iid = editor.state.id
    app.window.close_editor()
    editor = app.window.open_inspection(iid)
    editor.select_item(text.id)
    shown = [lab.text() for lab in app.window.findChildren(QLabel) if MARK in lab.text()]
    assert len(shown) >= 2  # the site and the inspectors, at least

    assert _markup(app.window) == []

    dialog = HistoryDialog(app.ws, iid)
    dialog.open()
    try:
        qtbot.waitUntil(lambda: dialog.loaded, timeout=10000)
        assert _markup(dialog) == []
        model = dialog.model
        tips = [
            model.data(model.index(r, c), Qt.ItemDataRole.ToolTipRole) or ""
            for r in range(model.rowCount())
            for c in range(model.columnCount())
        ]
        assert any("粗" in t for t in tips)
        assert [t for t in tips if MARK in t and GuiQt.mightBeRichText(t)] == []
    finally:
        wait_for_tasks()
        if shiboken6.isValid(dialog):
            dialog.close()


def test_the_signature_and_finding_dialogs_show_names_and_messages_as_written(qtbot: Any) -> None:
    from inspector_app.ui.signature_dialog import SignatureDialog

    dialog = SignatureDialog(signer_name=f"王{MARK}", role="inspector")
    qtbot.addWidget(dialog)
    dialog.error.setText(f"名字 {MARK} 不对")  # a message quoting what was typed
    assert _markup(dialog) == []
    assert all(
        label.textFormat() != Qt.TextFormat.AutoText for label in dialog.findChildren(QLabel)
    )
