"""The browser by keyboard: search to results, a new inspection of the selected row's site;
a provisional grade looks provisional; the completion summary names items by their titles
(issue 9 #13)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QTextBrowser

from inspector_app.services import findings as findings_svc
from inspector_app.ui.models import ROW_ROLE, InspectionsModel
from tests.conftest import open_ws
from tests.services.helpers import start
from tests.ui.keys import focused, type_text


@pytest.fixture
def two_sites(data_dir: Path) -> dict[str, str]:
    """Two sites with an inspection each (one with a finding), the first complete."""
    from inspector_app.services.templates import sync_forms
    from tests.services.helpers import answer_all

    ws = open_ws(data_dir)
    sync_forms(ws)
    first, template = start(ws, code="PB-A1", when=dt.date(2024, 10, 1))
    second, _t = start(ws, code="PB-B2", when=dt.date(2024, 11, 1))
    answer_all(ws, first, template)
    findings_svc.add_finding(ws, second, description="台账缺失", actor="测试员")
    from inspector_app.services.sites import find_site

    ids = {"complete": first, "provisional": second}
    for insp_id, code in ((first, "PB-A1"), (second, "PB-B2")):
        ids["site:" + insp_id] = find_site(ws, code).id
    ws.close()
    return ids


def test_search_then_down_or_enter_reaches_the_results(
    make_app: Any, data_dir: Path, two_sites: dict[str, str], qtbot: Any
) -> None:
    app = make_app(data_dir)
    win, browser = app.window, app.window.browser
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Return):
        win.activateWindow()
        qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        assert focused() is browser.search
        browser.search.clear()
        type_text(browser.search, "PB-B2")  # no UUID holds it (an id may hold "b2")
        assert browser.inspections.rowCount() == 1
        qtbot.keyClick(browser.search, key)
        assert focused() is browser.table and browser.table.currentIndex().row() == 0
        qtbot.keyClick(browser.table, Qt.Key.Key_Return)  # Enter then opens it
        assert win.editor is not None and win.editor.state.id == two_sites["provisional"]
        qtbot.keyClick(win, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)


def test_new_inspection_preselects_the_selected_rows_site(
    make_app: Any, data_dir: Path, two_sites: dict[str, str], qtbot: Any
) -> None:
    app = make_app(data_dir)
    win, browser = app.window, app.window.browser
    wanted = two_sites["site:" + two_sites["provisional"]]

    def new_inspection_site() -> str:
        win.activateWindow()
        qtbot.keyClick(win, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        dialog = win.dialog
        site = dialog.site.currentData().id
        dialog.reject()
        return site

    browser.tabs.setCurrentIndex(0)  # the inspections
    browser.select(two_sites["provisional"])
    assert new_inspection_site() == wanted
    browser.select(two_sites["complete"])
    assert new_inspection_site() == two_sites["site:" + two_sites["complete"]]
    browser.tabs.setCurrentIndex(1)  # the sites
    browser.sites_table.selectRow(browser.sites.index_of(wanted))
    assert new_inspection_site() == wanted
    browser.tabs.setCurrentIndex(2)  # the open findings
    browser.open_findings.table.selectRow(0)
    assert new_inspection_site() == wanted


def test_a_provisional_grade_looks_provisional_in_the_list(
    make_app: Any, data_dir: Path, two_sites: dict[str, str]
) -> None:
    app = make_app(data_dir)
    model = app.window.browser.inspections
    cells = {}
    for row in range(model.rowCount()):
        index = model.index(row, InspectionsModel.GRADE_COLUMN)
        cells[index.data(ROW_ROLE)["id"]] = index
    shown, done = cells[two_sites["provisional"]], cells[two_sites["complete"]]
    assert shown.data().endswith("（暂定）") and not done.data().endswith("（暂定）")
    font = shown.data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.italic()
    assert shown.data(Qt.ItemDataRole.ForegroundRole).color() == QColor("#7a7a7a")
    assert done.data(Qt.ItemDataRole.FontRole) is None
    score = model.index(shown.row(), InspectionsModel.SCORE_COLUMN)
    assert "*" not in score.data() and score.data(Qt.ItemDataRole.FontRole).italic()


def test_the_completion_summary_names_items_by_title(
    make_app: Any, data_dir: Path, two_sites: dict[str, str], qtbot: Any
) -> None:
    app = make_app(data_dir)
    editor = app.window.open_inspection(two_sites["provisional"])
    app.window.activateWindow()
    qtbot.keyClick(
        app.window,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = app.window.dialog
    html = dialog.findChild(QTextBrowser).toPlainText()
    template = editor.template
    missing = next(i for i in template.items() if i.required and not i.show_if)
    assert missing.title.zh in html
    assert all(i.id not in html for i in template.items())
    assert all(v.id not in html for v in template.vetoes)
    assert "台账缺失" in html  # the open finding
    dialog.reject()


def test_on_start_the_keyboard_is_in_the_list(
    make_app: Any, data_dir: Path, two_sites: dict[str, str], qtbot: Any, tmp_path: Path
) -> None:
    app = make_app(data_dir)
    browser = app.window.browser
    assert focused() is browser.table  # not the tab bar: ↑ ↓ and Enter work at once
    first = browser.current_id()
    qtbot.keyClick(focused(), Qt.Key.Key_Down)
    assert browser.current_id() not in (None, first)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert app.window.editor is not None
    app.close()
    empty = tmp_path / "empty"
    empty.mkdir()
    welcome = make_app(empty)
    assert focused() is welcome.window.welcome.demo_button  # Enter: the sample data


def test_ctrl_w_from_the_editor_shows_the_list_with_the_new_score(
    make_app: Any, data_dir: Path, two_sites: dict[str, str], qtbot: Any
) -> None:
    """A menu action's `checked` argument once reached close_editor as reload=False: the
    list kept the score from before the edit."""
    app = make_app(data_dir)
    win = app.window
    target = two_sites["provisional"]
    editor = win.open_inspection(target)
    assert editor is not None
    item = next(i for i in editor.template.items() if i.type.value == "score" and not i.show_if)
    before = next(r["score"] for r in win.browser.inspections.rows if r["id"] == target)
    assert editor.apply_answer(item.id, 0 if editor.answers.get(item.id) else item.points)
    win.activateWindow()
    qtbot.keyClick(win, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert win.editor is None
    qtbot.waitUntil(
        lambda: (
            next(r["score"] for r in win.browser.inspections.rows if r["id"] == target) != before
        ),
        timeout=5000,
    )
