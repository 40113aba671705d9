"""Issue 10, fix 1, in the desktop: after headquarters takes the laptop's version of the
inspection open in the editor, Ctrl+Z does not put its own answer back over it; the editor
says so and shows what is stored now. Real data folders, a real package conflict, the real
window offscreen, keys as an inspector presses them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from inspector_app.services import answers as answers_svc
from inspector_app.services import inspection_views as views_svc
from tests.sync.helpers import COMMENT_ITEM, YES_NO_ITEM, two_conflicts


def test_undo_after_taking_incoming_keeps_the_incoming_answers(
    make_app: Any, tmp_path: Path, qtbot: Any
) -> None:
    case = two_conflicts(tmp_path)
    hdb, first, hq = case["hq"], case["first"], case["hq_dir"]
    hdb.close()
    app = make_app(hq)
    window = app.window
    editor = window.open_inspection(first)
    assert editor is not None
    editor.select_item(YES_NO_ITEM)
    assert editor.apply_answer(YES_NO_ITEM, "no")  # headquarters' own edit, undoable
    assert editor.undo_stack.canUndo()
    # the conflicts dialog, as a reviewer uses it: everything selected, take incoming
    window.show_conflicts()
    dialog = window.dialog
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=10000)
    dialog.table.selectAll()
    dialog.take_incoming.click()
    qtbot.waitUntil(lambda: dialog.confirm is not None and dialog.confirm.isVisible())
    dialog.confirm.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: not dialog.busy and dialog.table.rowCount() == 0, timeout=20000)
    incoming = views_svc.load_inspection_state(app.ws, first).answers
    assert incoming[COMMENT_ITEM].comment == "现场的意见"
    # the editor shows the laptop's version and has forgotten its undo steps
    qtbot.waitUntil(lambda: not editor.undo_stack.canUndo(), timeout=2000)
    assert editor.answers == incoming
    dialog.close()
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert views_svc.load_inspection_state(app.ws, first).answers == incoming  # nothing overwritten


def test_an_undo_over_a_change_from_elsewhere_is_refused_and_shows_it(
    make_app: Any, tmp_path: Path, qtbot: Any
) -> None:
    """A change the desktop did not announce (the command line on the same folder): the
    answer's version differs, the undo is refused, and the editor shows what is stored."""
    case = two_conflicts(tmp_path)
    hdb, first, hq = case["hq"], case["first"], case["hq_dir"]
    hdb.close()
    app = make_app(hq)
    editor = app.window.open_inspection(first)
    assert editor is not None
    editor.select_item(YES_NO_ITEM)
    assert editor.apply_answer(YES_NO_ITEM, "no")
    answers_svc.comment_item(app.ws, first, YES_NO_ITEM, "命令行写的", actor="总部")  # unannounced
    stored = views_svc.load_inspection_state(app.ws, first).answers
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert views_svc.load_inspection_state(app.ws, first).answers == stored
    assert editor.answers == stored
    text = editor.header.save_label.text()
    assert "显示之后已被更改" in text or "changed since it was shown" in text
    qtbot.waitUntil(lambda: not editor.undo_stack.canUndo(), timeout=2000)
