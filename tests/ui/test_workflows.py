"""Real workflows through the real widgets, driven by the keyboard where an inspector would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget

from inspector_app.domain.checklists.schema import Item
from inspector_app.services import inspection_views as views_svc
from inspector_app.services import inspections as svc
from inspector_app.services.sites import upsert_sites
from tests.conftest import open_ws, prepared_folder
from tests.ui.conftest import leaked_windows
from tests.ui.keys import focused, next_item, type_answer, type_text

PILOT = "pilot-base-performance"


def seed_site(data_dir: Path, code: str = "PB-K1") -> None:
    ws = open_ws(prepared_folder(data_dir))
    upsert_sites(
        ws, [{"code": code, "name": "键盘测试中试基地", "site_type": "pilot_base"}], actor="测试员"
    )
    ws.close()


def test_new_inspection_filled_entirely_by_keyboard(
    make_app: Any, data_dir: Path, qtbot: Any
) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    win = app.window
    win.activateWindow()
    qtbot.keyClick(win, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: win.dialog is not None and win.dialog.isVisible())
    dialog = win.dialog
    dialog.inspectors.setFocus()
    dialog.inspectors.selectAll()
    type_text(dialog.inspectors, "王晓明、李娜")
    qtbot.keyClick(dialog.inspectors, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.editor is not None)
    editor = win.editor
    assert editor.template.id == PILOT
    assert editor.state.inspectors == ["王晓明", "李娜"]

    totals = [editor.score.total]
    grades = [editor.header.grade_label.text()]
    order = editor.order()
    assert order[0] == editor.template.vetoes[0].id  # the pre-check comes first
    for _ in range(len(order) + 5):  # conditional items may appear as answers arrive
        current = editor.current
        item = editor._index[current]
        type_answer(item)
        next_item(item)
        totals.append(editor.score.total)
        grades.append(editor.header.grade_label.text())
        assert editor.header.total_label.text().startswith(f"{editor.score.total:.2f}")
        if editor.next_unanswered_id(None) is None and editor.current == current:
            break
    assert totals == sorted(totals), "best answers must never lower the total"
    seen = list(dict.fromkeys(g.removesuffix("（暂定）") for g in grades))
    assert seen[0] == "不合格" and seen[-1] == "优秀" and len(seen) >= 3, seen
    assert grades[0].endswith("（暂定）") and grades[-1] == "优秀"
    assert editor.next_unanswered_id(None) is None
    assert editor.score.total == 100
    assert editor.header.grade_label.text() == "优秀"
    assert not editor.score.provisional and not editor.header.veto_banner.isVisible()
    assert "100.00" in editor.header.total_label.text()

    # a veto overrides the points: Ctrl+T to the tree, Home to the top, down to the first veto
    qtbot.keyClick(win, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(editor.tree, Qt.Key.Key_Home)
    qtbot.keyClick(editor.tree, Qt.Key.Key_Down)
    qtbot.keyClick(editor.tree, Qt.Key.Key_Return)
    assert editor.current == editor.template.vetoes[0].id
    qtbot.keyClick(focused(), Qt.Key.Key_Y)
    assert editor.score.vetoed and editor.score.total == 100
    assert editor.header.grade_label.text() == "不合格"
    assert editor.header.veto_banner.isVisible()
    assert "一票否决" in editor.header.veto_banner.text()

    # what the screen shows is what is stored
    stored = views_svc.inspection_detail(app.ws, editor.state.id)
    assert (stored["score"], stored["grade"], stored["vetoed"]) == (100, "fail", True)


def _open_new(
    app: Any,
    inspectors: tuple[str, ...] = ("王晓明",),
    started_on: dt.date = dt.date(2024, 10, 1),
) -> Any:
    """A new draft of the seeded site PB-K1, open in the editor."""
    from inspector_app.services.sites import find_site
    from inspector_app.services.templates import find_template_version

    site = find_site(app.ws, "PB-K1")
    tv = find_template_version(app.ws, PILOT)
    insp = svc.start_inspection(
        app.ws,
        site_id=site.id,
        template_version_id=tv.id,
        inspectors=list(inspectors),
        started_on=started_on,
        actor="测试员",
    )
    return app.window.open_inspection(insp.id)


def _item(editor: Any, kind: str, **filters: Any) -> Item:
    return next(
        i
        for s in editor.template.sections
        for i in s.items
        if i.type.value == kind
        and not i.show_if
        and all(getattr(i, k) == v for k, v in filters.items())
    )


def test_undo_and_redo_answer_edits(make_app: Any, data_dir: Path, qtbot: Any) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    item = _item(editor, "yes_no")
    editor.select_item(item.id)
    qtbot.keyClick(focused(), Qt.Key.Key_Y)
    qtbot.keyClick(focused(), Qt.Key.Key_N)
    stored = lambda: views_svc.load_inspection_state(app.ws, editor.state.id).answers[item.id].value  # noqa: E731
    assert stored() == "no"
    editor.commands["undo"].trigger()
    assert stored() == "yes" and editor.answers[item.id].value == "yes"
    editor.commands["undo"].trigger()
    assert stored() is None
    editor.commands["redo"].trigger()
    editor.commands["redo"].trigger()
    assert stored() == "no"
    assert editor.current == item.id


def test_typing_a_number_is_one_undo_step(make_app: Any, data_dir: Path, qtbot: Any) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    item = _item(editor, "score")
    editor.select_item(item.id)
    qtbot.keyClicks(focused(), "1.5")
    qtbot.waitUntil(lambda: not editor.has_uncommitted(), timeout=3000)
    assert editor.answers[item.id].value == 1.5
    assert editor.undo_stack.count() == 1
    editor.commands["undo"].trigger()
    assert editor.answers[item.id].value is None


def test_comment_is_saved_when_typing_pauses(make_app: Any, data_dir: Path, qtbot: Any) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    editor.focus_comment()
    type_text(focused(), "台账不全")
    assert "正在输入" in editor.header.save_label.text()
    qtbot.waitUntil(lambda: not editor.has_uncommitted(), timeout=3000)
    state = views_svc.load_inspection_state(app.ws, editor.state.id)
    assert state.answers[editor.current].comment == "台账不全"
    assert "已全部保存" in editor.header.save_label.text()


def test_condition_shows_and_hides_an_item_live(make_app: Any, data_dir: Path, qtbot: Any) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    dependent = next(i for s in editor.template.sections for i in s.items if i.show_if)
    controller = editor._index[dependent.show_if.item]
    assert editor.tree.rows[dependent.id].isHidden()
    wanted = (
        dependent.show_if.equals
        if dependent.show_if.equals is not None
        else dependent.show_if.in_[0]
    )
    wanted = {True: "yes", False: "no"}.get(wanted, wanted)
    editor.apply_answer(controller.id, wanted)
    assert not editor.tree.rows[dependent.id].isHidden()
    assert dependent.id in editor.order()


def test_completed_inspection_is_read_only(make_app: Any, data_dir: Path, qtbot: Any) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    from tests.services.helpers import answer_all

    answer_all(app.ws, editor.state.id, editor.template)
    svc.complete_inspection(app.ws, editor.state.id, actor="测试员")
    editor = app.window.open_inspection(editor.state.id)
    assert editor.header.readonly_banner.isVisible()
    assert (
        not editor.panel.answer.isEnabled()
        or editor.panel.answer.findChild(QWidget) is None
        or not editor.state.editable
    )
    before = editor.answers.copy()
    assert editor.apply_answer(editor.current, None) is False
    assert editor.answers == before


def test_welcome_then_sample_data_in_background(make_app: Any, data_dir: Path, qtbot: Any) -> None:
    app = make_app(data_dir)
    win = app.window
    assert win.stack.currentWidget() is win.welcome
    qtbot.mouseClick(win.welcome.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            win.stack.currentWidget() is win.browser and win.browser.inspections.rowCount() >= 20
        ),
        timeout=30000,
    )
    statuses = {r["status"] for r in win.browser.inspections.rows}
    assert statuses == {"draft", "completed", "signed", "exported"}


def test_browser_filters_search_and_opens_with_enter(
    make_app: Any, data_dir: Path, qtbot: Any
) -> None:

    ws = open_ws(prepared_folder(data_dir, demo=True))
    ws.close()
    app = make_app(data_dir)
    browser = app.window.browser
    total = browser.inspections.rowCount()
    assert total >= 20
    browser.status.setCurrentIndex(browser.status.findData("draft"))
    drafts = browser.inspections.rowCount()
    assert 0 < drafts < total
    assert browser.count.text() == f"{drafts} / {total}"
    browser.status.setCurrentIndex(0)
    app.window.focus_search()
    qtbot.keyClicks(browser.search, "PB-02")
    assert browser.inspections.rowCount() == 2  # the visit and its re-inspection
    browser.table.setFocus()
    browser.table.selectRow(0)
    qtbot.keyClick(browser.table, Qt.Key.Key_Return)
    assert app.window.editor is not None and app.window.editor.state.site_code == "PB-02"
    qtbot.keyClick(app.window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert app.window.editor is None


def test_switching_language_retranslates_everything(
    make_app: Any, data_dir: Path, qtbot: Any
) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    inspection_id = editor.state.id
    menus = [a.text() for a in app.window.menuBar().actions()]
    assert menus[0] == "文件(&F)"
    app.set_language("en")
    qtbot.waitUntil(lambda: app.window.loaded)
    assert next(a.text() for a in app.window.menuBar().actions()) == "&File"
    assert app.window.editor is not None and app.window.editor.state.id == inspection_id
    assert app.window.editor.header.readonly_banner.text().startswith("This inspection")
    from inspector_app.settings import load_settings

    assert load_settings().language == "en"
    app.set_language("zh")
    assert next(a.text() for a in app.window.menuBar().actions()) == "文件(&F)"


def test_leak_checker_catches_an_open_window(qapp: QApplication) -> None:
    before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
    stray = QWidget()
    stray.setWindowTitle("stray")
    stray.show()
    try:
        assert leaked_windows(before) == ["QWidget 'stray'"]
    finally:
        stray.close()
    assert leaked_windows(before) == []


@pytest.mark.parametrize("language", ["zh", "en"])
def test_menus_list_the_shortcuts(make_app: Any, data_dir: Path, language: str) -> None:
    seed_site(data_dir)
    app = make_app(data_dir, language=language)
    _open_new(app)
    shortcuts = {
        a.shortcut().toString()
        for m in app.window.menuBar().actions()
        for a in m.menu().actions()
        if not a.shortcut().isEmpty()
    }
    assert {"Ctrl+N", "Ctrl+F", "Ctrl+Z", "F3", "Ctrl+Down", "Ctrl+W", "Ctrl+,"} <= shortcuts


def test_header_click_sorts_and_keeps_the_selection(
    make_app: Any, data_dir: Path, qtbot: Any
) -> None:

    ws = open_ws(prepared_folder(data_dir, demo=True))
    ws.close()
    app = make_app(data_dir)
    browser = app.window.browser
    browser.table.selectRow(3)
    chosen = browser.current_id()
    header = browser.table.horizontalHeader()
    score_column = 5
    x = header.sectionViewportPosition(score_column) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    scores = [r["score"] for r in browser.inspections.rows]
    assert scores in (sorted(scores), sorted(scores, reverse=True))
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    flipped = [r["score"] for r in browser.inspections.rows]
    ascending = scores == sorted(scores)
    assert flipped == sorted(flipped, reverse=ascending)  # the other direction
    assert flipped != scores
    assert browser.current_id() == chosen
