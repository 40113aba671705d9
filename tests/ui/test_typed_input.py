"""Typed answers (scores, numbers, text, comments): a refused value saves nothing, and
what is typed is on disk within DRAFT_MS of the keystroke (issue 9, items 1 and 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from inspector_app.services import drafts
from inspector_app.services import inspection_views as views_svc
from inspector_app.ui.editor.typed import DRAFT_MS, NUMBER_COMMIT_MS
from tests.ui.keys import focused, type_text
from tests.ui.test_workflows import _item, _open_new, seed_site


def _stored(app: Any, editor: Any, item_id: str) -> tuple[Any, float]:
    """The answer and the total as the database has them."""
    state = views_svc.load_inspection_state(app.ws, editor.state.id)
    view = state.answers.get(item_id)
    return (view.value if view else None), state.score.total


def _score_item(editor: Any) -> Any:
    return _item(editor, "score")


def test_typing_30_into_a_0_to_3_item_saves_nothing(
    make_app: Any, data_dir: Path, qtbot: Any
) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    item = _score_item(editor)
    too_much = f"{item.points * 10:g}"  # 30 for a 0-3 item: its first digit alone is valid
    editor.select_item(item.id)
    before = _stored(app, editor, item.id)
    type_text(focused(), too_much)
    qtbot.wait(NUMBER_COMMIT_MS + 150)
    assert _stored(app, editor, item.id) == before  # the database and the total unchanged
    assert editor.score.total == before[1]
    assert editor.panel.error_label.isVisible()
    error = editor.panel.error_label.text()
    assert too_much in error and "超出" in error
    assert "未保存" in editor.header.save_label.text()
    assert editor.panel.answer.line.text() == too_much  # the field keeps what was typed
    # Enter does not move on past it
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert editor.current == item.id
    assert _stored(app, editor, item.id) == before
    # leaving it: the header forgets the error, the item shows the saved answer again
    other = next(i for i in editor.order() if i != item.id)
    editor.select_item(other)
    assert "未保存" not in editor.header.save_label.text()
    editor.select_item(item.id)
    assert editor.panel.answer.line.text() == ""
    assert not drafts.pending_drafts(app.ws, editor.state.id)


def test_a_slowly_typed_refused_value_takes_back_its_valid_first_digit(
    make_app: Any, data_dir: Path, qtbot: Any
) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    item = _score_item(editor)
    editor.select_item(item.id)
    first = f"{item.points:g}"
    type_text(focused(), first)
    qtbot.waitUntil(lambda: not editor.has_uncommitted(), timeout=3000)
    assert _stored(app, editor, item.id)[0] == item.points  # saved on its own
    type_text(focused(), "0")  # now 10x the maximum
    qtbot.waitUntil(lambda: not editor.has_uncommitted(), timeout=3000)
    value, total = _stored(app, editor, item.id)
    assert value is None  # the run is taken back whole
    assert total == editor.score.total
    assert editor.undo_stack.count() == 0  # and leaves no undo step behind
    assert "未保存" in editor.header.save_label.text()


def test_a_refused_value_keeps_the_answer_saved_before(
    make_app: Any, data_dir: Path, qtbot: Any
) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    item = _score_item(editor)
    editor.apply_answer(item.id, item.points)
    editor.select_item(item.id)
    before = _stored(app, editor, item.id)
    editor.panel.answer.line.selectAll()
    type_text(focused(), f"{item.points * 10:g}")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # Enter commits at once, and stays
    assert editor.current == item.id
    assert _stored(app, editor, item.id) == before
    assert f"{item.points:g}" in editor.panel.error_label.text()  # "the saved answer is still 3"
    # a valid value afterwards clears the error everywhere
    editor.panel.answer.line.selectAll()
    type_text(focused(), "0")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert _stored(app, editor, item.id)[0] == 0
    assert not editor.panel.error_label.isVisible()
    assert "未保存" not in editor.header.save_label.text()
    assert editor.current != item.id


def test_typed_text_and_a_comment_go_to_disk_as_drafts(
    make_app: Any, data_dir: Path, qtbot: Any
) -> None:
    """The draft timer is under 100 ms; how long a key takes to reach the disk is measured
    by bench/gui.py, and a kill 150 ms after typing by tests/ui/test_crash_reopen.py."""
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    item = _item(editor, "text")
    editor.select_item(item.id)
    type_text(focused(), "现场查看了中试车间")
    assert DRAFT_MS < 100
    qtbot.waitUntil(lambda: not editor.has_pending(), timeout=1000)
    on_disk = {(d.item_id, d.kind): d.text for d in drafts.pending_drafts(app.ws)}
    assert on_disk == {(item.id, "value"): "现场查看了中试车间"}
    assert "已全部保存" in editor.header.save_label.text()
    # moving on makes it one audited edit, and the draft goes in the same transaction
    editor.focus_comment()
    type_text(focused(), "台账齐全")
    qtbot.waitUntil(lambda: not editor.has_pending(), timeout=1000)
    assert {(d.item_id, d.kind) for d in drafts.pending_drafts(app.ws)} == {
        (item.id, "value"),
        (item.id, "comment"),
    }
    editor.next_item()
    assert not drafts.pending_drafts(app.ws)
    state = views_svc.load_inspection_state(app.ws, editor.state.id)
    assert state.answers[item.id].value == "现场查看了中试车间"
    assert state.answers[item.id].comment == "台账齐全"
    assert editor.undo_stack.count() == 1  # the whole text is one undo step


def test_a_refused_value_never_takes_back_an_answer_left_on_an_earlier_visit(
    make_app: Any, data_dir: Path, qtbot: Any
) -> None:
    """Typing 2, leaving the item and coming back to type 0 after it (20 for a 0-2 item)
    keeps the 2: only the run being typed is taken back, not the answer saved and left
    before (it was wiped, and the field said the saved answer was "—"). An undone and redone
    step is not a run being typed either."""
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    item = _score_item(editor)
    first = f"{item.points:g}"
    editor.select_item(item.id)
    type_text(focused(), first)
    qtbot.waitUntil(lambda: not editor.has_uncommitted(), timeout=3000)
    other = next(i for i in editor.order() if i != item.id)
    editor.select_item(other)
    editor.select_item(item.id)
    editor.panel.answer.line.end(False)
    type_text(focused(), "0")
    qtbot.waitUntil(lambda: not editor.has_uncommitted(), timeout=3000)
    assert _stored(app, editor, item.id)[0] == item.points
    assert first in editor.panel.error_label.text()  # "the saved answer is still 2"
    assert editor.undo_stack.count() == 1

    # a step typed, undone and redone (by the menu) is not taken back either
    second = next(i for i in editor.template.items() if i.type is item.type and i.id != item.id)
    editor.select_item(second.id)
    type_text(focused(), f"{second.points:g}")
    qtbot.waitUntil(lambda: not editor.has_uncommitted(), timeout=3000)
    editor.undo_stack.undo()
    editor.undo_stack.redo()
    assert _stored(app, editor, second.id)[0] == second.points
    editor.panel.answer.line.end(False)
    type_text(focused(), "0")
    qtbot.waitUntil(lambda: not editor.has_uncommitted(), timeout=3000)
    assert _stored(app, editor, second.id)[0] == second.points


def test_a_comment_over_its_cap_is_not_saved_and_says_so(
    make_app: Any, data_dir: Path, qtbot: Any
) -> None:
    """A comment one character over the cap (pasted onto 3,999 typed ones) saves nothing,
    and nothing of it is left to save later: the header said "no changes yet" while the field
    said why it was refused, Ctrl+Enter went on and dropped it, and the draft of the 3,999
    characters stayed on disk for the next start to save."""
    from inspector_app import limits

    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    item = _item(editor, "text")
    editor.select_item(item.id)
    editor.focus_comment()
    focused().insertPlainText("字" * (limits.COMMENT - 1))
    qtbot.waitUntil(lambda: bool(drafts.pending_drafts(app.ws)), timeout=1000)
    focused().insertPlainText("字字")  # within the pause: one run, over the cap
    qtbot.waitUntil(lambda: not editor.has_uncommitted(), timeout=3000)
    assert "未保存" in editor.header.save_label.text()
    assert drafts.pending_drafts(app.ws) == []  # nothing left for a start to recover
    qtbot.keyClick(focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert editor.current == item.id  # the keyboard stays on it, as for a refused value
    assert "未保存" in editor.header.save_label.text()
    state = views_svc.load_inspection_state(app.ws, editor.state.id)
    assert state.answers.get(item.id) is None or state.answers[item.id].comment is None
